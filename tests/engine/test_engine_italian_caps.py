"""The Garante's caps on purchase details (provision of 24 February 2005) and member-state codes,
as tables of situations (design §5): ``commercial.orders`` is capped like
``commercial.purchase_history``; a record-level rule in a capped purpose caps the purchase
details and leaves the rest of the record its own period; ``EL`` is Greece, ``UK`` Great
Britain."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

import gdprkit

AT = datetime(2026, 6, 1, tzinfo=UTC)


def _policy(flag: str, retention: list[dict[str, Any]], **extra: Any) -> gdprkit.Policy:
    return gdprkit.load_policy(
        {
            "version": 1,
            "controller": {"name": "Negozio S.r.l.", "country": "IT", "contact": "dpo@example.it"},
            "subject": {"id": "id"},
            "fields": {
                "id": "identity.customer_id",
                "email": "contact.email",
                "order_total": "commercial.orders",
                "basket": "commercial.purchase_history",
                "ordered_at": "meta",
            },
            "purposes": {
                "offers": {
                    "basis": "legitimate_interests",
                    flag: True,
                    **({"direct_marketing": False} if flag == "profiling" else {}),
                    "categories": ["identity", "contact", "commercial", "meta"],
                    "retention": retention,
                }
            },
            **extra,
        }
    )


RECORD_RULE = [{"from": "ordered_at", "period": "P5Y"}]
ORDERS_RULE = [{"categories": ["commercial.orders"], "from": "ordered_at", "period": "P5Y"}]


@pytest.mark.parametrize(
    ("flag", "retention", "ordered", "allowed", "kept", "code"),
    [
        # direct marketing: 24 months on purchase details, orders included
        ("direct_marketing", ORDERS_RULE, "2025-01-01", True, {"order_total"}, None),
        ("direct_marketing", ORDERS_RULE, "2024-01-01", True, set(), "retention.expired"),
        # profiling: 12 months
        ("profiling", ORDERS_RULE, "2025-09-01", True, {"order_total"}, None),
        ("profiling", ORDERS_RULE, "2025-03-01", True, set(), "retention.expired"),
        # a record-level rule: the purchase details capped, the rest of the record 5 years
        ("direct_marketing", RECORD_RULE, "2025-01-01", True, {"order_total", "basket"}, None),
        ("direct_marketing", RECORD_RULE, "2023-01-01", True, set(), "retention.expired"),
        ("profiling", RECORD_RULE, "2025-03-01", True, set(), "retention.expired"),
        # ...and past the rule's own period, the whole record goes (check 20)
        ("direct_marketing", RECORD_RULE, "2020-01-01", False, set(), "retention.expired"),
    ],
)
def test_purchase_details_under_the_garante_caps(  # noqa: PLR0917 - the table's columns
    flag: str,
    retention: list[dict[str, Any]],
    ordered: str,
    allowed: bool,
    kept: set[str],
    code: str | None,
) -> None:
    policy = _policy(flag, retention)
    record = {"id": "C1", "email": "a@example.it", "order_total": 10, "ordered_at": ordered}
    if retention is RECORD_RULE:
        record["basket"] = "shoes"
    decision = gdprkit.decide(policy, record, "offers", at=AT)
    assert decision.allowed is allowed
    if not allowed:
        assert decision.reasons[0].code == code
        return
    purchase = {"order_total", "basket"} & set(record)
    assert set(decision.fields) & purchase == kept
    assert {"id", "email", "ordered_at"} <= set(decision.fields)  # the rest stays
    for name in purchase - kept:
        assert decision.dropped[name].code == code
        assert decision.dropped[name].article == "Art. 5(1)(e)"


def test_orders_without_a_rule_fail_closed_under_a_cap() -> None:
    policy = _policy("direct_marketing", [])
    record = {"id": "C1", "email": "a@example.it", "order_total": 10, "ordered_at": "2026-05-01"}
    decision = gdprkit.decide(policy, record, "offers", at=AT)
    assert decision.dropped["order_total"].code == "retention.anchor_missing"


def test_an_extension_replaces_the_cap_for_orders() -> None:
    extension = {"purpose": "offers", "period": "P36M", "reference": "Garante, provv. 1234"}
    policy = _policy(
        "direct_marketing", ORDERS_RULE, jurisdictions={"IT": {"extensions": [extension]}}
    )
    record = {"id": "C1", "email": "a@example.it", "order_total": 10, "ordered_at": "2024-01-01"}
    assert "order_total" in gdprkit.decide(policy, record, "offers", at=AT).fields


def _child_policy(controller: str) -> gdprkit.Policy:
    return gdprkit.load_policy(
        {
            "version": 1,
            "controller": {
                "name": "App Ltd",
                "country": controller,
                "contact": "dpo@example.com",
                "information_society_service": True,
            },
            "subject": {"id": "id", "birth_date": "born", "country": "country"},
            "fields": {
                "id": "identity.customer_id",
                "born": "demographic.birth_date",
                "country": "meta",
                "ok": "meta",
                "ok_at": "meta",
            },
            "purposes": {
                "app": {
                    "basis": "consent",
                    "consent": {"field": "ok", "at": "ok_at"},
                    "categories": ["identity", "demographic", "meta"],
                }
            },
        }
    )


@pytest.mark.parametrize(
    ("country", "age", "child"),
    [
        ("GR", 14, True),  # Greece: 15
        ("EL", 14, True),  # EL is Greece (EU documents)
        ("el", 15, False),
        ("UK", 13, False),  # UK is GB: 13 (Data Protection Act 2018 s. 9)
        ("GB", 12, True),
        ("IT", 13, True),  # 14
        ("XX", 15, True),  # unknown: 16
    ],
)
def test_member_state_codes_and_ages(country: str, age: int, child: bool) -> None:
    born = f"{2026 - age - 1}-12-01"  # turned ``age`` in December of last year
    record = {"id": "C1", "born": born, "country": country, "ok": True, "ok_at": "2026-05-01"}
    decision = gdprkit.decide(_child_policy("IT"), record, "app", at=AT)
    assert (not decision.allowed and decision.reasons[0].code == "consent.child") is child


@pytest.mark.parametrize("controller", ["EL", "GR"])
def test_a_greek_controller_written_el_has_greek_ages(controller: str) -> None:
    record = {"id": "C1", "born": "2011-12-01", "ok": True, "ok_at": "2026-05-01"}  # 14
    decision = gdprkit.decide(_child_policy(controller), record, "app", at=AT)
    assert decision.reasons[0].code == "consent.child"
    older = {**record, "born": "2010-12-01"}  # 15
    assert gdprkit.decide(_child_policy(controller), older, "app", at=AT).allowed
