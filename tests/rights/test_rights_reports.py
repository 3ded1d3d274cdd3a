"""Access (Art. 15) and portability (Art. 20): the JSON shapes of docs/reference/rights.md."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from rights_policies import AT, DESIGN, SUBJECT, WITH_ACCOUNTING, customer, lead

from gdprkit import ConsentLedger, Evidence
from gdprkit._rights import access_report, jsonable, portability_export

CONTROLLER = {
    "name": "Arredamenti Rossi S.r.l.",
    "country": "IT",
    "contact": "privacy@arredamentirossi.it",
    "dpo": "dpo@arredamentirossi.it",
    "representative": None,
}


def test_access_report_shape_and_content() -> None:
    ledger = ConsentLedger()
    ledger.give(SUBJECT, "profiling", at=AT - timedelta(days=30), evidence=Evidence("app"))
    report = access_report(DESIGN, [customer()], at=AT, consents=ledger)
    assert json.loads(json.dumps(report)) == report  # JSON-ready as it is
    assert set(report) == {"controller", "generated_at", "records"}
    assert report["controller"] == CONTROLLER
    assert report["generated_at"] == "2025-06-01T12:00:00+00:00"
    (entry,) = report["records"]
    assert set(entry) == {"subject", "source", "fields"}
    assert entry["subject"] == SUBJECT
    assert entry["source"] == "web_form"
    assert list(entry["fields"]) == list(customer())  # every field, in the record's order
    email = entry["fields"]["email"]
    assert email == {
        "value": "giulia.bianchi@example.it",
        "category": "contact.email",
        "purposes": {
            "contract": {"basis": "contract", "until": "2035-03-10T00:00:00+01:00"},
            "direct_marketing": {"basis": "consent", "until": "2027-01-15T10:00:00+01:00"},
        },
    }
    total = entry["fields"]["purchases_total"]["purposes"]
    assert total["profiling"] == {"basis": "consent", "until": "2026-03-10T00:00:00+01:00"}
    # the purchase details are capped: 24 months from the purchase for direct marketing
    assert total["direct_marketing"]["until"] == "2027-01-15T10:00:00+01:00"
    assert entry["fields"]["birth_date"]["purposes"] == {
        "profiling": {"basis": "consent", "until": None}
    }
    assert entry["fields"]["notes"] == {"value": None, "category": "free_text", "purposes": {}}


@pytest.mark.parametrize(
    ("ledger_step", "purposes_of_email"),
    [
        (None, {"contract", "direct_marketing"}),
        (lambda lg: lg.restrict(SUBJECT, at=AT - timedelta(days=1)), set()),
        (lambda lg: lg.request_erasure(SUBJECT, at=AT - timedelta(days=1)), set()),
        (lambda lg: lg.object(SUBJECT, at=AT - timedelta(days=1)), {"contract"}),
    ],
    ids=["plain", "restricted", "erasure requested", "objection to marketing"],
)
def test_access_report_purposes_follow_the_ledger(
    ledger_step: Any, purposes_of_email: set[str]
) -> None:
    ledger = ConsentLedger()
    if ledger_step is not None:
        ledger_step(ledger)
    report = access_report(DESIGN, [customer()], at=AT, consents=ledger)
    fields = report["records"][0]["fields"]
    assert set(fields["email"]["purposes"]) == purposes_of_email
    assert fields["email"]["value"] == "giulia.bianchi@example.it"  # the data are still shown


def test_access_report_undeclared_field_and_legal_obligation() -> None:
    report = access_report(WITH_ACCOUNTING, [customer(loyalty_card="X-1")], at=AT)
    fields = report["records"][0]["fields"]
    assert fields["loyalty_card"] == {"value": "X-1", "category": None, "purposes": {}}
    assert fields["last_name"]["purposes"]["accounting"] == {
        "basis": "legal_obligation",
        "until": "2035-03-10T00:00:00+01:00",
    }


def test_portability_export_holds_consent_and_contract_fields_only() -> None:
    export = portability_export(WITH_ACCOUNTING, [customer(), lead()], at=AT)
    assert json.loads(json.dumps(export)) == export
    assert set(export) == {"controller", "generated_at", "records"}
    assert export["controller"] == CONTROLLER
    first, second = export["records"]
    # the customer: what the contract and the newsletter process; never the birth date
    # (profiling has no consent) and never what only a legal obligation keeps
    assert set(first) == {
        "customer_id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "codice_fiscale",
        "country",
        "source",
        "relationship",
        "last_purchase_at",
        "purchases_total",
        "consent_marketing",
        "consent_marketing_at",
    }
    assert first["email"] == "giulia.bianchi@example.it"
    assert first["purchases_total"] == 412.5
    # the lead: only what the newsletter (consent) processes
    assert set(second) == {
        "first_name",
        "last_name",
        "email",
        "phone",
        "last_purchase_at",
        "purchases_total",
    }


def test_portability_export_is_empty_for_a_legal_obligation_alone() -> None:
    ledger = ConsentLedger()
    ledger.request_erasure(SUBJECT, at=AT - timedelta(days=1))
    export = portability_export(WITH_ACCOUNTING, [customer()], at=AT, consents=ledger)
    assert export["records"] == [{}]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("12.50"), 12.5),
        (Decimal(7), 7),
        (Decimal("NaN"), None),
        (float("nan"), None),
        (b"\x00\x01", "AAE="),
        ((1, "a"), [1, "a"]),
        ({"k": Decimal(1)}, {"k": 1}),
        (AT, "2025-06-01T12:00:00+00:00"),
        (AT.date(), "2025-06-01"),
    ],
)
def test_jsonable(value: object, expected: object) -> None:
    assert jsonable(value) == expected
