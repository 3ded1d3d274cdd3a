"""Reports written from the policy: the Art. 30 register and the Art. 13 notice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gdprkit import (
    ConfigurationError,
    load_policy,
    privacy_notice,
    processing_register,
    render_register,
)

DESIGN = load_policy(Path(__file__).parent / "data" / "design_policy.yaml")
RULES = load_policy(Path(__file__).parent / "data" / "rules_policy.yaml")


def activity(name: str) -> dict:  # type: ignore[type-arg]
    register = processing_register(DESIGN)
    (found,) = [a for a in register["activities"] if a["purpose"] == name]
    return found


def test_register_is_json_ready_and_names_the_controller() -> None:
    register = processing_register(DESIGN)
    assert json.loads(json.dumps(register)) == register
    assert register["controller"]["name"] == "Arredamenti Rossi S.r.l."
    assert register["controller"]["dpo"] == "dpo@arredamentirossi.it"


@pytest.mark.parametrize(
    ("purpose", "basis", "article"),
    [
        ("contract", "contract", "Art. 6(1)(b)"),
        ("direct_marketing", "consent", "Art. 6(1)(a)"),
        ("allergy_alerts", "consent", "Art. 6(1)(a)"),
    ],
)
def test_register_bases(purpose: str, basis: str, article: str) -> None:
    a = activity(purpose)
    assert (a["basis"], a["basis_article"]) == (basis, article)


def test_register_special_categories_and_condition() -> None:
    a = activity("allergy_alerts")
    assert a["special_condition"] == {"condition": "explicit_consent", "article": "Art. 9(2)(a)"}
    special = [d for d in a["categories_of_data"] if d["special"]]
    assert [d["fields"] for d in special] == [["allergies"]]


def test_register_retention_names_national_caps_and_extensions() -> None:
    marketing = activity("direct_marketing")["retention"]
    record_rule, purchase_rule = marketing
    assert record_rule["categories"] is None
    assert record_rule["cap"] is None  # caps bind rules on purchase details only
    assert purchase_rule["cap"].startswith("P24M (Garante")
    (profiling_rule,) = activity("profiling")["retention"]
    assert profiling_rule["cap"] == "P7Y (Garante authorisation of 2019-05-10)"


def test_register_does_not_invent_what_the_policy_does_not_say() -> None:
    a = activity("contract")
    assert a["recipients"] == "not declared in the policy"
    assert a["transfers"] == "not declared in the policy"
    text = render_register(processing_register(DESIGN))
    assert "not declared in the policy" in text


def test_notice_has_the_art_13_information() -> None:
    text = privacy_notice(DESIGN)
    assert "Arredamenti Rossi S.r.l." in text
    assert "privacy@arredamentirossi.it" in text
    assert "dpo@arredamentirossi.it" in text  # 13(1)(b)
    assert "Art. 6(1)(b)" in text
    assert "Art. 6(1)(a)" in text
    assert "24 months" in text  # 13(2)(a): as the policy writes it (P24M)
    assert "Art. 15" in text
    assert "Art. 20" in text
    assert "withdraw" in text  # 13(2)(c)
    assert "Garante" in text  # 13(2)(d)
    assert "contractual requirement" in text  # 13(2)(e)
    assert "forms on our website" in text  # Art. 14: the source, in plain words


def test_notice_for_one_purpose_says_only_what_applies() -> None:
    text = privacy_notice(DESIGN, ["contract"])
    assert "withdraw" not in text  # no consent purpose in this notice
    assert "direct marketing" not in text


def test_notice_mentions_objection_for_legitimate_interests() -> None:
    assert "object" in privacy_notice(RULES, ["analytics"])


def test_notice_unknown_purpose() -> None:
    with pytest.raises(ConfigurationError):
        privacy_notice(DESIGN, ["nope"])
