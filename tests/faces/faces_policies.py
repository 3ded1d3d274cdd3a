"""The policy the faces tests share: a small CRM with a purpose of each consent kind.

* ``contract`` (basis contract, customers only) keeps identity, contact and purchases;
* ``newsletter`` reads consent from the record's columns;
* ``profiling`` takes consent from a consent source (basis consent, no ``consent.field``) and
  runs the Art. 8 check (the controller offers an information society service).

:data:`COLUMNS_ONLY` is the same policy without ``profiling``: no purpose needs a source.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from gdprkit import Policy, load_policy

AT = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

RAW: dict[str, Any] = {
    "version": 1,
    "controller": {
        "name": "Prova S.r.l.",
        "country": "IT",
        "contact": "privacy@prova.it",
        "information_society_service": True,
    },
    "settings": {"timezone": "Europe/Rome", "dayfirst": True},
    "subject": {
        "id": "customer_id",
        "country": "country",
        "birth_date": "birth_date",
        "source": "source",
        "relationship": "relationship",
    },
    "fields": {
        "customer_id": "identity.customer_id",
        "name": "identity.name",
        "email": "contact.email",
        "birth_date": "demographic.birth_date",
        "country": "meta",
        "source": "meta",
        "relationship": "meta",
        "last_purchase_at": "commercial.purchase_history",
        "consent_marketing": "meta",
        "consent_marketing_at": "meta",
    },
    "purposes": {
        "contract": {
            "basis": "contract",
            "when": {"relationship": ["customer"]},
            "categories": ["identity", "contact", "commercial", "meta"],
            "retention": [{"period": "P10Y", "from": "last_purchase_at"}],
        },
        "newsletter": {
            "basis": "consent",
            "direct_marketing": True,
            "consent": {"field": "consent_marketing", "at": "consent_marketing_at"},
            "categories": ["identity.name", "contact.email"],
            "requires": ["email"],
        },
        "profiling": {
            "basis": "consent",
            "profiling": True,
            "direct_marketing": False,
            "categories": ["identity.customer_id", "commercial.purchase_history"],
            "retention": [
                {
                    "categories": ["commercial.purchase_history"],
                    "period": "P12M",
                    "from": "last_purchase_at",
                }
            ],
        },
    },
}

POLICY: Policy = load_policy(copy.deepcopy(RAW))


def _columns_only() -> Policy:
    raw = copy.deepcopy(RAW)
    del raw["purposes"]["profiling"]
    return load_policy(raw)


#: No purpose of this policy takes consent from a consent source.
COLUMNS_ONLY: Policy = _columns_only()


def record(**change: Any) -> dict[str, Any]:
    """A customer of the CRM as of :data:`AT`, with consent to the newsletter in its columns."""
    row: dict[str, Any] = {
        "customer_id": "1001",
        "name": "Giulia Bianchi",
        "email": "giulia@example.it",
        "birth_date": "1990-05-12",
        "country": "IT",
        "source": "web_form",
        "relationship": "customer",
        "last_purchase_at": "2026-03-10",
        "consent_marketing": "sì",
        "consent_marketing_at": "2026-01-15T10:00:00+01:00",
    }
    row.update(change)
    return row


class Untouchable:
    """An iterable that fails the test if anything reads from it."""

    def __iter__(self) -> Any:
        raise AssertionError("records were touched")
