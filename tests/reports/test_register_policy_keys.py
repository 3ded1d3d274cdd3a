"""The policy keys for the documents (design §5): recipients, transfers, security,
controller.representative, purpose interest and data_subjects. All optional; mistakes in them
are load errors with their place and a "did you mean"."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from gdprkit import PolicyError, load_policy

Complete = Callable[[str], dict[str, Any]]
ROOT = Path(__file__).parent.parent.parent


def test_the_complete_policy_reads_every_new_key(complete: Complete) -> None:
    policy = load_policy(complete("en"))
    assert policy.controller.representative == "Rep Services, Via Roma 1, Milano"
    assert [(r.role, r.country) for r in policy.recipients or ()] == [
        ("controller", "IT"),
        ("processor", "US"),
        ("authority", "IT"),
    ]
    assert [(t.country, t.safeguard) for t in policy.transfers or ()] == [("US", "scc")]
    assert policy.security == ("Encryption of stored data", "Individual accounts with access logs")
    assert policy.purposes["leads"].interest == "Finding new customers for our hardware shops"
    assert policy.purposes["sales"].data_subjects == ("customers",)


def test_policies_without_the_new_keys_load_unchanged() -> None:
    policy = load_policy(ROOT / "tests" / "data" / "design_policy.yaml")
    assert (policy.recipients, policy.transfers, policy.security) == (None, None, None)
    assert all(p.interest is None and p.data_subjects is None for p in policy.purposes.values())


def test_the_example_crm_declares_the_document_keys() -> None:
    policy = load_policy(ROOT / "examples" / "crm" / "policy.yaml")
    assert policy.recipients
    assert policy.transfers
    assert policy.security
    assert policy.purposes["analytics"].interest
    assert all(p.data_subjects for p in policy.purposes.values())


@pytest.mark.parametrize(
    ("edit", "location", "message"),
    [
        (
            lambda raw: raw["recipients"][1].update(purposes=["newsleter"]),
            "recipients.1.purposes.0",
            "did you mean 'newsletter'?",
        ),
        (
            lambda raw: raw["recipients"][0].update(role="procesor"),
            "recipients.0.role",
            "did you mean 'processor'?",
        ),
        (
            lambda raw: raw["transfers"][0].update(safeguard="sccs"),
            "transfers.0.safeguard",
            "did you mean 'scc'?",
        ),
        (
            lambda raw: raw["transfers"][0].update(country="USA"),
            "transfers.0.country",
            "ISO 3166-1 alpha-2",
        ),
        (
            lambda raw: raw["recipients"][0].update(contry="IT"),
            "recipients.0.contry",
            "did you mean 'country'?",
        ),
        (
            lambda raw: raw["purposes"]["leads"].update(interests="x"),
            "purposes.leads.interests",
            "did you mean 'interest'?",
        ),
    ],
    ids=["recipient-purpose", "role", "safeguard", "country", "recipient-key", "interest-key"],
)
def test_mistakes_in_the_new_keys_are_load_errors(
    complete: Complete, edit: Callable[[dict[str, Any]], None], location: str, message: str
) -> None:
    raw = complete("en")
    edit(raw)
    with pytest.raises(PolicyError) as caught:
        load_policy(raw)
    found = [p for p in caught.value.problems if p.location == location]
    assert found, [str(p) for p in caught.value.problems]
    assert message in found[0].message


def test_a_problem_in_the_new_keys_names_its_line(complete: Complete, tmp_path: Path) -> None:
    raw = complete("en")
    raw["transfers"][0]["safeguard"] = "sccs"
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), "utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    (problem,) = [p for p in caught.value.problems if p.location == "transfers.0.safeguard"]
    assert problem.message.startswith("line ")
