"""Findings of the fuzz target (fuzz/fuzz_gdprkit.py), each kept as a regression, and the
target itself run briefly in its pure-Python modes so that it never rots."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gdprkit import PolicyError, load_policy

ROOT = Path(__file__).parents[2]
BASE: dict[str, Any] = {
    "version": 1,
    "controller": {"name": "X", "country": "IT", "contact": "privacy@x.it"},
    "subject": {"id": "customer_id"},
    "fields": {"customer_id": "identity.customer_id", "email": "contact.email", "at": "meta"},
    "purposes": {"p": {"basis": "contract", "categories": ["contact"], "requires": ["email"]}},
}


@pytest.mark.parametrize(
    ("where", "mutate"),
    [
        ("subject.id", lambda d: d["subject"].update(id={"a": 1})),
        ("purposes.p.requires.0", lambda d: d["purposes"]["p"].update(requires=[["email"]])),
        (
            "purposes.p.retention.0.from",
            lambda d: d["purposes"]["p"].update(retention=[{"period": "P1M", "from": {"x": 1}}]),
        ),
        ("purposes.p.consent.field", lambda d: d["purposes"]["p"].update(consent={"field": []})),
        (
            "jurisdictions.IT.extensions.0.purpose",
            lambda d: d.update(
                jurisdictions={
                    "IT": {"extensions": [{"purpose": ["p"], "period": "P1Y", "reference": "r"}]}
                }
            ),
        ),
    ],
)
def test_a_list_or_mapping_where_a_name_belongs_is_a_policy_error(where: str, mutate: Any) -> None:
    """Fuzz finding: a list or mapping written where a field or purpose name belongs (YAML
    makes that one typo away) crashed load_policy with TypeError (unhashable) while it
    collected cross-reference problems; it is now a PolicyError listing the location."""
    document = {k: (dict(v) if isinstance(v, dict) else v) for k, v in BASE.items()}
    document["purposes"] = {"p": dict(BASE["purposes"]["p"])}
    mutate(document)
    with pytest.raises(PolicyError) as info:
        load_policy(document)
    assert any(p.location == where for p in info.value.problems), info.value.problems


def test_the_fuzz_target_replays_its_corpus_and_runs_randomly() -> None:
    """The atheris target runs without atheris: replay of the seed corpus (findings
    included) and a short random run."""
    target = ROOT / "fuzz" / "fuzz_gdprkit.py"
    for args in (["--replay", str(ROOT / "fuzz" / "corpus")], ["--random", "150", "--seed", "7"]):
        result = subprocess.run(
            [sys.executable, str(target), *args],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
