"""Loading policies: the design's example loads; every problem is reported with its location."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from gdprkit import ConfigurationError, Policy, PolicyError, load_policy

DATA = Path(__file__).parent / "data"
DESIGN = DATA / "design_policy.yaml"


def raw() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(DESIGN.read_text("utf-8"))
    return loaded


def problems(source: Any) -> dict[str, str]:
    with pytest.raises(PolicyError) as info:
        load_policy(source)
    found: dict[str, str] = {}
    for problem in info.value.problems:
        found[problem.location] = " | ".join(
            filter(None, [found.get(problem.location), problem.message])
        )
    return found


def test_design_example_loads_from_every_format(tmp_path: Path) -> None:
    policy = load_policy(DESIGN)
    assert set(policy.purposes) == {"contract", "direct_marketing", "profiling", "allergy_alerts"}
    as_json = tmp_path / "policy.json"
    as_json.write_text(json.dumps(raw(), default=str))
    assert load_policy(as_json).purposes == policy.purposes
    assert load_policy(raw()).fields == policy.fields
    assert load_policy(policy) is policy


def test_toml(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        """
version = 1
[controller]
name = "Acme"
country = "DE"
contact = "privacy@acme.example"
[fields]
email = "contact.email"
[purposes.newsletter]
basis = "consent"
categories = ["contact"]
"""
    )
    policy = load_policy(path)
    assert policy.controller.country == "DE"
    assert policy.purposes["newsletter"].basis == "consent"


@pytest.mark.parametrize(
    ("mutate", "location", "fragment"),
    [
        (lambda r: r.update(controler={}), "controler", "unknown key"),
        (
            lambda r: r["controller"].update(country="XX"),
            "controller.country",
            "ISO 3166-1",
        ),
        (
            lambda r: r["purposes"]["contract"].update(retension=[]),
            "purposes.contract.retension",
            "unknown key",
        ),
        (
            lambda r: r["purposes"]["contract"].update(basis="contrakt"),
            "purposes.contract.basis",
            "consent",
        ),
        (
            lambda r: r["purposes"]["allergy_alerts"].update(special="health"),
            "purposes.allergy_alerts.special",
            "explicit_consent",
        ),
        (
            lambda r: r["purposes"]["profiling"]["retention"][0].update(period="12 months"),
            "purposes.profiling.retention.0.period",
            "ISO 8601",
        ),
        (
            lambda r: r["purposes"]["profiling"]["retention"][0].update(period="P0D"),
            "purposes.profiling.retention.0.period",
            "longer than zero",
        ),
        (
            lambda r: r["purposes"]["direct_marketing"].update(requires=["mail"]),
            "purposes.direct_marketing.requires.0",
            "undeclared field 'mail'",
        ),
        (
            lambda r: r["purposes"]["direct_marketing"].update(requires=["codice_fiscale"]),
            "purposes.direct_marketing.requires.0",
            "does not list",
        ),
        (
            lambda r: r["purposes"]["contract"]["retention"][0].update({"from": "purchased"}),
            "purposes.contract.retention.0.from",
            "undeclared field 'purchased'",
        ),
        (
            lambda r: r["purposes"]["profiling"]["transform"].update(iban="token"),
            "purposes.profiling.transform.iban",
            "undeclared",
        ),
        (
            lambda r: r["purposes"]["profiling"]["transform"].update(customer_id="sha256"),
            "purposes.profiling.transform.customer_id.method",
            "unknown transform",
        ),
        (lambda r: r["subject"].update(id="client_id"), "subject.id", "undeclared field"),
        (
            lambda r: r["fields"].update(loyalty_points="loyalty.points"),
            "fields.loyalty_points.category",
            "unknown category",
        ),
        (
            lambda r: r["purposes"]["contract"].update(categories=["contacts"]),
            "purposes.contract.categories.0",
            "unknown category",
        ),
        (
            lambda r: r["purposes"]["contract"].update(when={"relation": ["customer"]}),
            "purposes.contract.when.relation",
            "undeclared",
        ),
        (
            lambda r: r["purposes"]["direct_marketing"]["consent"].update(at="consent_date"),
            "purposes.direct_marketing.consent.at",
            "undeclared",
        ),
        (
            lambda r: r.update(categories={"special.diet": {"special": False}}),
            "categories.special.diet",
            "built in",
        ),
        (
            lambda r: r.update(categories={"contact.email": {}}),
            "categories.contact.email",
            "built in",
        ),
        (
            lambda r: r["jurisdictions"]["IT"]["extensions"][0].update(purpose="profilng"),
            "jurisdictions.IT.extensions.0.purpose",
            "unknown purpose",
        ),
        (lambda r: r["controller"].update(country="Italy"), "controller.country", "alpha-2"),
        (
            lambda r: r["settings"].update(timezone="Europe/Milano"),
            "settings.timezone",
            "time zone",
        ),
        (
            lambda r: r["subject"].pop("source"),
            "purposes.direct_marketing.sources",
            "subject.source",
        ),
    ],
)
def test_each_problem_is_reported_with_its_location(
    mutate: Any, location: str, fragment: str
) -> None:
    data = raw()
    mutate(data)
    found = problems(data)
    assert location in found, found
    assert fragment in found[location]


def test_every_problem_is_listed_not_just_the_first() -> None:
    data = raw()
    data["controler"] = {}  # structural
    data["purposes"]["contract"]["basis"] = "contrakt"  # structural
    data["purposes"]["direct_marketing"]["requires"] = ["mail"]  # cross-reference
    data["fields"]["x"] = "foo.bar"  # unknown category
    found = problems(data)
    assert {
        "controler",
        "purposes.contract.basis",
        "purposes.direct_marketing.requires.0",
        "fields.x.category",
    } <= set(found)


def test_policy_error_is_a_value_error_and_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\ncontroller: [\n")
    with pytest.raises(ValueError, match=r"bad\.yaml") as info:
        load_policy(path)
    assert isinstance(info.value, PolicyError)
    assert "line" in info.value.problems[0].location
    assert problems(tmp_path / "missing.yaml") == {"": "file not found"}


def test_unknown_suffix(tmp_path: Path) -> None:
    path = tmp_path / "policy.ini"
    path.write_text("x")
    assert "unknown policy file type" in problems(path)[""]


def test_norway_is_not_false(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(DESIGN.read_text("utf-8") + "  NO:\n    age_of_digital_consent: 13\n")
    policy = load_policy(path)
    assert policy.jurisdictions["NO"].age_of_digital_consent == 13


def test_policy_is_frozen_and_reports_unknown_purposes() -> None:
    policy = load_policy(DESIGN)
    with pytest.raises(ValueError, match="frozen"):
        policy.version = 2  # type: ignore[misc]
    with pytest.raises(ConfigurationError, match="unknown purpose 'newsleter'"):
        policy.purpose("newsleter")


def test_json_schema_describes_the_format() -> None:
    schema = Policy.model_json_schema()
    assert schema["additionalProperties"] is False
    assert {"version", "controller", "fields", "purposes"} <= set(schema["required"])
    assert "Purpose" in schema["$defs"]


def test_custom_special_category_is_special() -> None:
    data = raw()
    data["categories"] = {"hr.sick_leave": {"description": "days", "special": True}}
    data["fields"]["sick_days"] = "hr.sick_leave"
    data["purposes"]["contract"]["categories"].append("hr")
    policy = load_policy(data)
    assert policy.catalogue.is_special("hr.sick_leave")
    assert not policy.catalogue.is_special("hr")
