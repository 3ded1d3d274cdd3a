"""The policy linter: what loads but will not behave as it reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gdprkit import load_policy
from gdprkit._lint import lint

DESIGN = Path(__file__).parent / "data" / "design_policy.yaml"


def raw() -> dict[str, Any]:
    return load_policy(DESIGN).model_dump(by_alias=True, exclude_none=True)


def codes(data: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f.code, f.location) for f in lint(load_policy(data))}


def test_the_design_policy_is_clean_but_for_rules_on_categories_only() -> None:
    # profiling has one rule, on purchase details: its records are kept while it may use them;
    # the warnings of design §16 (issue 10): purchase details age from last_purchase_at, which
    # every purchase moves; profiling and health data from every source call for a DPIA
    assert {(f.code, f.location) for f in lint(load_policy(DESIGN))} == {
        ("retention.no_record_rule", "purposes.profiling.retention"),
        ("retention.moving_anchor", "purposes.direct_marketing.retention.1.from"),
        ("retention.moving_anchor", "purposes.profiling.retention.0.from"),
        ("dpia.likely", "purposes.profiling.profiling"),
        ("dpia.likely", "purposes.allergy_alerts.categories"),
    }


def set_period(data: dict[str, Any], purpose: str, i: int, period: str) -> None:
    data["purposes"][purpose]["retention"][i]["period"] = period


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (  # Garante 2005: marketing purchase details at most 24 months
            lambda d: set_period(d, "direct_marketing", 1, "P36M"),
            ("retention.capped", "purposes.direct_marketing.retention.1.period"),
        ),
        (  # a capped purpose without a rule naming purchase details: always dropped
            lambda d: d["purposes"]["profiling"].update(retention=[]),
            ("retention.anchor_missing", "purposes.profiling.retention"),
        ),
        (
            lambda d: d["purposes"]["allergy_alerts"].pop("special"),
            ("special.no_condition", "purposes.allergy_alerts.categories"),
        ),
        (
            lambda d: d["purposes"]["contract"].update(retention=[]),
            ("purpose.no_retention", "purposes.contract.retention"),
        ),
    ],
)
def test_findings(change: Any, expected: tuple[str, str]) -> None:
    data = raw()
    change(data)
    assert expected in codes(data)


def test_an_extension_replaces_the_cap() -> None:
    data = raw()
    set_period(data, "profiling", 0, "P5Y")  # within the P7Y extension of the design policy
    assert not {c for c, _ in codes(data)} & {"retention.capped"}
    set_period(data, "profiling", 0, "P8Y")
    assert ("retention.capped", "purposes.profiling.retention.0.period") in codes(data)


def test_without_the_extension_profiling_is_capped_at_12_months() -> None:
    data = raw()
    data["jurisdictions"] = {}
    set_period(data, "profiling", 0, "P18M")
    assert ("retention.capped", "purposes.profiling.retention.0.period") in codes(data)
    set_period(data, "profiling", 0, "P12M")
    assert not {c for c, _ in codes(data)} & {"retention.capped"}


def test_findings_carry_no_values() -> None:
    data = raw()
    set_period(data, "profiling", 0, "P8Y")
    for finding in lint(load_policy(data)):
        assert "Arredamenti" not in str(finding)


@pytest.mark.parametrize("name", ["notes\x1b[2J", "a\nb", "\u202eevil", "x\u200by", "bell\x07"])
def test_names_in_findings_are_escaped(name: str) -> None:
    """Issue 8: findings printed field and purpose names raw (terminal and log injection)."""
    data = raw()
    data["fields"][name] = "special.health"  # listed without an Art. 9(2) condition
    data["purposes"][name] = {"basis": "consent", "categories": ["special.health"]}
    data["purposes"]["profiling"]["retention"] = []  # purchase details without a rule
    data["fields"]["bought" + name] = "commercial.purchase_history"
    extensions = data["jurisdictions"]["IT"]["extensions"]
    extensions[0]["reference"] = "Garante\x1b[31m 2019"
    findings = lint(load_policy(data))
    assert {f.code for f in findings} >= {
        "special.no_condition",
        "purpose.no_retention",
        "retention.anchor_missing",
    }
    for finding in findings:
        text = str(finding)
        assert text.isprintable(), text
        assert name not in text
    assert any(repr(name) in f.message and repr(name) in f.location for f in findings)
    assert any("'Garante\\x1b[31m 2019'" in f.message for f in findings)
