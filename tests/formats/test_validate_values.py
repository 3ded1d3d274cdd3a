"""``validate`` applies the value formats: the issue 8 cases, end to end through the public API."""

from __future__ import annotations

from typing import Any

import pytest

from gdprkit import load_policy, validate

POLICY: dict[str, Any] = {
    "version": 1,
    "controller": {"name": "Acme", "country": "IT", "contact": "privacy@acme.example"},
    "settings": {"dayfirst": True},
    "fields": {
        "email": "contact.email",
        "birth_date": "demographic.birth_date",
        "codice_fiscale": "identity.national_id",
        "vat": {"category": "identity.tax_id", "format": "partita_iva"},
    },
    "purposes": {"contract": {"basis": "contract", "categories": ["contact"]}},
}


def codes(record: dict[str, Any]) -> dict[str | None, str]:
    return {v.field: v.code for v in validate(load_policy(POLICY), record)}


@pytest.mark.parametrize("value", ["1 marzo 2026", "10 dicembre 1985", "29 febbraio 2024"])
def test_italian_month_names_are_readable_birth_dates(value: str) -> None:
    assert codes({"birth_date": value}) == {}


@pytest.mark.parametrize("value", ["30 febbraio 2026", "1 marzo", "00:00", "marzo 2026"])
def test_unreadable_dates_are_reported(value: str) -> None:
    assert codes({"birth_date": value}) == {"birth_date": "value.invalid"}


def test_unicode_local_parts_are_valid_addresses() -> None:
    assert codes({"email": "josé@example.es"}) == {}
    assert codes({"email": "jos\u00e9 @example.es"}) == {"email": "value.invalid"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("codice_fiscale", "RSSMRA85B30A562G"),  # 30 February, check character right
        ("codice_fiscale", "RSSMRA85D31A562M"),  # 31 April
        ("vat", "12345670009"),  # office 000
        ("vat", "12345675008"),  # office 500
    ],
)
def test_impossible_codes_are_reported_without_their_value(field: str, value: str) -> None:
    violations = validate(load_policy(POLICY), {field: value})
    assert [v.code for v in violations] == ["value.invalid"]
    assert value not in violations[0].message
