"""Field names never appear in the documents (design §16): fields are described by their
description, their role or their category, whatever the columns are called."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from report_policies import complete_policy  # plain data, no pytest state

from gdprkit import load_policy, privacy_notice, processing_register, render_register

NAMES = st.lists(
    st.from_regex(r"[a-z]{1,6}_[a-z0-9]{1,6}(_at)?", fullmatch=True),
    min_size=11,
    max_size=11,
    unique=True,
)


def renamed(raw: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """``raw`` with every field renamed, and every reference to a field with it."""
    raw = copy.deepcopy(raw)
    raw["fields"] = {names[k]: v for k, v in raw["fields"].items()}
    raw["subject"] = {role: names[f] for role, f in raw["subject"].items()}
    for purpose in raw["purposes"].values():
        for rule in purpose.get("retention", []):
            rule["from"] = names[rule["from"]]
        if "consent" in purpose:
            purpose["consent"] = {k: names[v] for k, v in purpose["consent"].items()}
        if "transform" in purpose:
            purpose["transform"] = {names[k]: v for k, v in purpose["transform"].items()}
    return raw


@settings(max_examples=25, deadline=None)
@given(names=NAMES, language=st.sampled_from(["en", "it"]))
def test_no_field_name_appears_in_any_document(names: list[str], language: str) -> None:
    raw = complete_policy(language)
    mapping = dict(zip(raw["fields"], names, strict=True))
    policy = load_policy(renamed(raw, mapping))
    register = processing_register(policy, language=language)
    documents = [
        privacy_notice(policy, language=language),
        privacy_notice(policy, language=language, format="html"),
        *(render_register(register, format=f) for f in ("markdown", "html", "csv")),
    ]
    for document in documents:
        for name in names:
            assert name not in document
            assert name.replace("_", "\\_") not in document  # nor Markdown-escaped
