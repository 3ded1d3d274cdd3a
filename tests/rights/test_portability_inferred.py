"""Art. 20 portability covers what the subject provided: never what the controller inferred
(``inferred.*``: segments, scores, preferences; design §4, §11)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import gdprkit

AT = datetime(2026, 6, 1, tzinfo=UTC)


def _policy(basis: str) -> gdprkit.Policy:
    return gdprkit.load_policy(
        {
            "version": 1,
            "controller": {"name": "Negozio S.r.l.", "country": "IT", "contact": "dpo@example.it"},
            "subject": {"id": "id"},
            "fields": {
                "id": "identity.customer_id",
                "email": "contact.email",
                "segment": "inferred.segment",
                "churn_score": "inferred.score",
                "likes": "inferred.preferences",
                "interests": "demographic.interests",  # declared by the person: portable
            },
            "purposes": {
                "account": {
                    "basis": basis,
                    "categories": ["identity", "contact", "inferred", "demographic"],
                }
            },
        }
    )


RECORD = {
    "id": "C1",
    "email": "a@example.it",
    "segment": "gold",
    "churn_score": 0.7,
    "likes": "shoes",
    "interests": "running",
}


@pytest.mark.parametrize("basis", ["contract", "consent"])
def test_inferred_fields_are_not_exported(basis: str) -> None:
    policy = _policy(basis)
    ledger = gdprkit.ConsentLedger()
    ledger.give("C1", "account", at=datetime(2026, 1, 1, tzinfo=UTC),
                evidence=gdprkit.Evidence("web_form", notice_version="1"))  # fmt: skip
    export = gdprkit.portability_export(policy, [RECORD], at=AT, consents=ledger)
    assert export["records"] == [{"id": "C1", "email": "a@example.it", "interests": "running"}]
    # ... while the purpose itself may process them
    assert {"segment", "churn_score", "likes"} <= gdprkit.decide(
        policy, RECORD, "account", at=AT, consents=ledger
    ).fields


def test_the_inferred_root_is_in_the_catalogue() -> None:
    from gdprkit._taxonomy import BUILTIN_CATEGORIES

    assert {"inferred", "inferred.segment", "inferred.score", "inferred.preferences"} <= set(
        BUILTIN_CATEGORIES
    )
