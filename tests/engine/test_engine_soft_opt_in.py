"""Soft opt-in (Dir. 2002/58/EC art. 13(2), Codice privacy art. 130(4)) and legal holds
(Art. 17(3)(e)) as tables of situations and hypothesis properties (issue: Italian CRM law)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gdprkit
from gdprkit import ConsentLedger, frames, sweep

AT = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)

SOFT = gdprkit.load_policy(
    {
        "version": 1,
        "controller": {"name": "Negozio S.r.l.", "country": "IT", "contact": "dpo@example.it"},
        "subject": {"id": "id", "relationship": "relationship"},
        "fields": {
            "id": "identity.customer_id",
            "email": "contact.email",
            "phone": "contact.phone",
            "address": "contact.address",
            "relationship": "meta",
            "last_purchase_at": "commercial.purchase_history",
        },
        "purposes": {
            "similar_products": {
                "basis": "legitimate_interests",
                "direct_marketing": True,
                "soft_opt_in": True,
                "interest": "offering our own similar products to our customers",
                "when": {"relationship": ["customer"]},
                "categories": ["identity", "contact", "meta", "commercial"],
                "retention": [
                    {"categories": ["commercial"], "period": "P24M", "from": "last_purchase_at"}
                ],
            }
        },
    }
)
RECORD = {
    "id": "C1",
    "email": "giulia@example.it",
    "phone": "+39 333 1234567",
    "address": "Via Roma 1, Milano",
    "relationship": "customer",
    "last_purchase_at": "2026-01-10",
}


@pytest.mark.parametrize(
    ("change", "objection", "allowed", "code", "article"),
    [
        ({}, None, True, None, None),  # a customer: e-mail only
        ({"relationship": "lead"}, None, False, "basis.not_applicable", "Art. 6(1)"),
        ({}, "direct_marketing", False, "objection.direct_marketing", "Art. 21(3)"),
        ({}, "purpose", False, "objection.direct_marketing", "Art. 21(3)"),  # always honoured
    ],
)
def test_soft_opt_in_situations(
    change: dict[str, Any], objection: str | None, allowed: bool, code: str, article: str
) -> None:
    ledger = ConsentLedger()
    if objection == "direct_marketing":
        ledger.object("C1", at=AT - DAY)
    elif objection == "purpose":
        ledger.object("C1", purpose="similar_products", at=AT - DAY)
    decision = gdprkit.decide(
        SOFT, {**RECORD, **change}, "similar_products", at=AT, consents=ledger
    )
    assert decision.allowed is allowed
    if not allowed:
        assert (decision.reasons[0].code, decision.reasons[0].article) == (code, article)
        return
    assert "email" in decision.fields
    for name in ("phone", "address"):  # art. 130(4): e-mail only
        assert decision.dropped[name].code == "field.not_needed"
        assert "130(4)" in decision.dropped[name].message


@settings(max_examples=60, deadline=None)
@given(
    phone=st.one_of(
        st.none(), st.text(max_size=20), st.integers(-(10**12), 10**12), st.just("+39 333 1234567")
    ),
    relationship=st.sampled_from(["customer", "lead", None, " customer "]),
    engine=st.sampled_from(["rows", "polars", "arrow"]),
)
def test_a_soft_opt_in_purpose_never_yields_a_phone_number(
    phone: object, relationship: object, engine: str
) -> None:
    record = {**RECORD, "phone": phone, "relationship": relationship}
    keys = gdprkit.KeyRing.generate()
    if engine == "rows":
        out = list(gdprkit.enforce(SOFT, [record], "similar_products", at=AT, keys=keys))
        assert all("phone" not in r and "address" not in r for r in out)
        return
    import polars as pl
    import pyarrow as pa

    frame = pl.DataFrame([record]) if engine == "polars" else pa.Table.from_pylist([record])
    result = frames.enforce(SOFT, frame, "similar_products", at=AT, keys=keys)
    assert "phone" not in result.allowed.columns
    assert "address" not in (result.allowed.columns)


HELD_POLICY = gdprkit.load_policy(
    {
        "version": 1,
        "controller": {"name": "Prova S.r.l.", "country": "IT", "contact": "privacy@prova.it"},
        "subject": {"id": "customer_id"},
        "fields": {
            "customer_id": "identity.customer_id",
            "email": "contact.email",
            "last_purchase_at": "commercial.purchase_history",
        },
        "purposes": {
            "contract": {
                "basis": "contract",
                "categories": ["identity", "contact", "commercial"],
                "retention": [{"period": "P1Y", "from": "last_purchase_at"}],
            }
        },
    }
)


@settings(max_examples=60, deadline=None)
@given(
    spelling=st.sampled_from(["1001", " 1001", 1001, 1001.0, "1001.0"]),
    erasure=st.booleans(),
    bought=st.sampled_from(["2020-01-10", "2026-05-01", None, "soon"]),
    email=st.one_of(st.none(), st.text(max_size=10)),
)
def test_a_held_subjects_sweep_changes_nothing(
    spelling: object, erasure: bool, bought: object, email: object
) -> None:
    ledger = ConsentLedger()
    if erasure:
        ledger.request_erasure("1001", at=AT - 2 * DAY)
    ledger.hold(1001, at=AT - DAY, reference="case 2025/117")
    record = {"customer_id": spelling, "email": email, "last_purchase_at": bought}
    (outcome,) = sweep(HELD_POLICY, [record], at=AT, consents=ledger)
    assert not outcome.changed
    assert not outcome.delete
