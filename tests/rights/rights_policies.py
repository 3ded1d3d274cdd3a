"""The policies and records the rights tests share: the design policy (design.md §5) and
variants of it, built from its file so that they follow it."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from gdprkit import Policy, load_policy

DATA = Path(__file__).resolve().parent.parent / "data"
DESIGN_RAW: dict[str, Any] = yaml.safe_load((DATA / "design_policy.yaml").read_text("utf-8"))
DESIGN = load_policy(DATA / "design_policy.yaml")
AT = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
SUBJECT = "C-1001"


def variant(change: Any) -> Policy:
    """The design policy with ``change(raw)`` applied to a copy of its raw mapping."""
    raw = copy.deepcopy(DESIGN_RAW)
    change(raw)
    return load_policy(raw)


def _with_accounting(raw: dict[str, Any]) -> None:
    raw["purposes"]["accounting"] = {
        "description": "Invoices kept ten years (art. 2220 c.c.)",
        "basis": "legal_obligation",
        "when": {"relationship": ["customer"]},
        "categories": ["identity.customer_id", "identity.name", "commercial.purchase_history"],
        "retention": [{"period": "P10Y", "from": "last_purchase_at"}],
    }


#: The design policy plus a legal-obligation purpose (invoices, art. 2220 c.c.).
WITH_ACCOUNTING = variant(_with_accounting)


def customer(**change: Any) -> dict[str, Any]:
    """A well-formed customer of the design policy's CRM, as of :data:`AT`."""
    record: dict[str, Any] = {
        "customer_id": SUBJECT,
        "first_name": "Giulia",
        "last_name": "Bianchi",
        "email": "giulia.bianchi@example.it",
        "phone": "+39 333 1234567",
        "codice_fiscale": "BNCGLI90E52H501X",
        "birth_date": "12/05/1990",
        "country": "IT",
        "source": "web_form",
        "relationship": "customer",
        "last_purchase_at": "2025-03-10",
        "purchases_total": 412.5,
        "notes": None,
        "allergies": None,
        "consent_marketing": "sì",
        "consent_marketing_at": "2025-01-15T10:00:00+01:00",
    }
    record.update(change)
    return record


def lead(**change: Any) -> dict[str, Any]:
    """A lead (no contract) with a live marketing consent."""
    return customer(relationship="lead", **change)
