"""Shared helpers for the acceptance suite, written from design.md only."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

import gdprkit

DATA = Path(__file__).resolve().parent.parent / "data" / "design_policy.yaml"
ROME = ZoneInfo("Europe/Rome")
AT = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
KEY1 = bytes(range(32))
KEY2 = bytes(range(100, 132))


def design_dict() -> dict:
    return copy.deepcopy(yaml.safe_load(DATA.read_text()))


def make_policy(mutate=None):
    data = design_dict()
    if mutate is not None:
        mutate(data)
    return gdprkit.load_policy(data)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def customer(**over) -> dict:
    rec = {
        "customer_id": "C001",
        "first_name": "Mario",
        "last_name": "Rossi",
        "email": "mario.rossi@example.it",
        "phone": "+39 333 123 4567",
        "country": "IT",
        "source": "web_form",
        "relationship": "customer",
        "last_purchase_at": utc(2025, 1, 10),
        "purchases_total": 250,
        "consent_marketing": True,
        "consent_marketing_at": utc(2025, 1, 5),
    }
    rec.update(over)
    return rec


@pytest.fixture(scope="session")
def policy():
    return gdprkit.load_policy(DATA)


@pytest.fixture
def keys():
    return gdprkit.KeyRing({"k1": KEY1}, active="k1")


@pytest.fixture
def ledger():
    return gdprkit.ConsentLedger()


def evidence():
    return gdprkit.Evidence("web_form", notice_version="v3")


def codes(decision) -> list[str]:
    return [r.code for r in decision.reasons]
