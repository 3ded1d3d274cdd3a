"""Shared data of the engine tests: the rules policy, a well-formed adult customer, a moment."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from gdprkit import Evidence, Policy, load_policy

DATA = Path(__file__).resolve().parent.parent / "data"
POLICY = load_policy(DATA / "rules_policy.yaml")
AT = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
EVIDENCE = Evidence("web_form", notice_version="2025-01")


def customer(**change: Any) -> dict[str, Any]:
    """A record every purpose of the rules policy allows, with ``change`` applied."""
    record: dict[str, Any] = {
        "customer_id": "1001",
        "name": "Giulia Bianchi",
        "email": "giulia.bianchi@example.it",
        "phone": "+39 333 1234567",
        "birth_date": "12/05/1990",
        "country": "IT",
        "source": "web_form",
        "relationship": "customer",
        "last_purchase_at": "2025-03-10",
        "purchases_total": 412.5,
        "invoice_total": 120.0,
        "invoice_date": "2024-11-30",
        "consent_marketing": "sì",
        "consent_marketing_at": "2025-01-15T10:00:00+01:00",
        "consent_explicit": "yes",
    }
    record.update(change)
    return record


def _extended() -> Policy:
    """The rules policy with purposes for the widened checks of design.md revision 2."""
    data = yaml.safe_load((DATA / "rules_policy.yaml").read_text(encoding="utf-8"))
    data["purposes"].update(
        {
            # Consent kept in the ledger, neither marketing nor profiling.
            "loyalty": {
                "basis": "consent",
                "categories": ["identity.customer_id", "contact.email"],
            },
            # Profiling the policy explicitly says is not direct marketing (Art. 21(2) does not
            # reach it).
            "fraud_scoring": {
                "basis": "legitimate_interests",
                "profiling": True,
                "direct_marketing": False,
                "categories": ["identity.customer_id"],
            },
            # Profiling with direct_marketing left unset: related to direct marketing.
            "scoring": {
                "basis": "legitimate_interests",
                "profiling": True,
                "categories": ["identity.customer_id"],
            },
            # A required field that retention drops (check 21 names the drop's code).
            "reminders": {
                "basis": "legitimate_interests",
                "categories": ["identity.customer_id", "commercial.purchase_history"],
                "requires": ["purchases_total"],
                "retention": [
                    {
                        "categories": ["commercial.purchase_history"],
                        "period": "P12M",
                        "from": "last_purchase_at",
                    }
                ],
            },
            # A required special-category field, dropped when the consent is not explicit.
            "allergy_reminders": {
                "basis": "consent",
                "special": "explicit_consent",
                "consent": {
                    "field": "consent_marketing",
                    "at": "consent_marketing_at",
                    "explicit": "consent_explicit",
                },
                "categories": ["identity.customer_id", "special.health"],
                "requires": ["allergies"],
            },
        }
    )
    return load_policy(data)


POLICY_X = _extended()


def fresh_policy() -> Policy:
    """A new copy of the rules policy (no compiled cache shared with other tests), with a
    contract purpose that tokenises the e-mail and drops the name."""
    data = yaml.safe_load((DATA / "rules_policy.yaml").read_text(encoding="utf-8"))
    data["purposes"]["profiling_tokens"] = {
        "basis": "contract",
        "categories": ["identity", "contact", "meta", "commercial"],
        "transform": {"email": {"method": "token"}, "name": "drop"},
    }
    return load_policy(data)
