"""``validate`` and design.md §6 "Reading values": consent columns holding neither yes nor no are
reported (``value.invalid``, the field named, never the value), missing means missing
(``NaT``, ``NA``), and numpy/pandas scalars are read as their plain values.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from engine_data import POLICY, customer

from gdprkit import validate


def found(record: dict[str, Any]) -> dict[str | None, str]:
    return {v.field: v.code for v in validate(POLICY, record)}


# The rules policy reads consent from consent_marketing (flag), consent_explicit and
# consent_parental (the explicit/parental flags of purposes' consent settings).
FLAG_COLUMNS = ["consent_marketing", "consent_explicit", "consent_parental"]

NEITHER = ["x", "X", "S", "s", "ſi", "y", "n", "ok", "2", 2, -1, 0.5, "sí", "vero", "✓"]  # noqa: RUF001
EITHER = [
    True,
    False,
    1,
    0,
    1.0,
    "true",
    "FALSE",
    "yes",
    "No",
    "sì",
    "SI",
    "1",
    " 0 ",
    np.bool_(True),
    np.bool_(False),
    np.int64(1),
    np.int8(0),
    np.str_("sì"),
    pd.array([True], dtype="boolean")[0],
]
MISSING = [None, "", "  ", float("nan"), pd.NaT, pd.NA, np.float64("nan"), np.datetime64("NaT")]


@pytest.mark.parametrize("column", FLAG_COLUMNS)
@pytest.mark.parametrize("value", NEITHER, ids=repr)
def test_a_consent_column_holding_neither_yes_nor_no_is_reported(
    column: str, value: object
) -> None:
    violations = validate(POLICY, customer(**{column: value}))
    assert [(v.field, v.code) for v in violations] == [(column, "value.invalid")]
    message = violations[0].message
    assert repr(column) in message
    # The message names the field and never the value: it is the same whatever the value.
    assert message == validate(POLICY, customer(**{column: "other"}))[0].message


@pytest.mark.parametrize("column", FLAG_COLUMNS)
@pytest.mark.parametrize("value", [*EITHER, *MISSING], ids=repr)
def test_a_consent_column_holding_yes_no_or_nothing_is_fine(column: str, value: object) -> None:
    assert found(customer(**{column: value})) == {}


def test_a_column_that_is_no_consent_flag_may_hold_anything() -> None:
    assert found(customer(source="x", relationship="S")) == {}


@pytest.mark.parametrize(
    "value",
    [
        np.int64(1001),
        np.float64(412.5),
        np.float32(1.5),
        np.bool_(True),
        np.str_("IT"),
        np.datetime64("2025-03-10"),
        pd.Timestamp("2025-03-10"),
        Decimal("412.50"),
    ],
    ids=repr,
)
def test_numpy_and_pandas_scalars_are_plain_values(value: object) -> None:
    record = customer(purchases_total=value, invoice_total=value)
    assert found(record) == {}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("last_purchase_at", np.datetime64("2025-03-10T10:00")),
        ("last_purchase_at", pd.Timestamp("2025-03-10", tz="Europe/Rome")),
        ("birth_date", pd.Timestamp("1990-05-12")),
        ("birth_date", np.datetime64("1990-05-12")),
        ("country", np.str_("IT")),
        ("email", np.str_("giulia@example.it")),
        ("customer_id", np.int64(1001)),
    ],
    ids=repr,
)
def test_numpy_scalars_are_checked_as_their_values(field: str, value: object) -> None:
    assert found(customer(**{field: value})) == {}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", np.str_("call me")),
        ("email", np.str_("not an address")),
        ("birth_date", np.str_("30/02/1990")),
    ],
    ids=repr,
)
def test_numpy_text_that_does_not_fit_is_reported(field: str, value: object) -> None:
    assert found(customer(**{field: value})) == {field: "value.invalid"}


@pytest.mark.parametrize("value", MISSING, ids=repr)
@pytest.mark.parametrize("field", ["email", "birth_date", "last_purchase_at", "country", "phone"])
def test_missing_values_are_missing_not_invalid(field: str, value: object) -> None:
    assert found(customer(**{field: value})) == {}


@pytest.mark.parametrize("value", MISSING, ids=repr)
def test_a_missing_subject_id_is_subject_missing(value: object) -> None:
    assert found(customer(customer_id=value)) == {"customer_id": "subject.missing"}


@pytest.mark.parametrize(
    "value", [True, np.bool_(False), 1001.5, Decimal("1.5"), float("inf")], ids=repr
)
def test_a_subject_id_that_is_no_id_is_reported(value: object) -> None:
    """What decide denies record.invalid (a bool, a non-integral number) validate reports."""
    violations = validate(POLICY, customer(customer_id=value))
    assert [(v.field, v.code) for v in violations] == [("customer_id", "value.invalid")]


@pytest.mark.parametrize(
    "value", [1001, 1001.0, " 1001 ", np.int64(1001), Decimal("1001")], ids=repr
)
def test_every_spelling_of_an_id_is_an_id(value: object) -> None:
    assert found(customer(customer_id=value)) == {}


def test_values_of_other_types_are_still_reported_by_type() -> None:
    violations = validate(POLICY, customer(purchases_total=[1, 2], name={"a": 1}))
    assert {(v.field, v.code) for v in violations} == {
        ("purchases_total", "value.invalid"),
        ("name", "value.invalid"),
    }


def test_strenum_keys_are_read_as_their_text() -> None:
    from enum import StrEnum

    class Col(StrEnum):
        FLAG = "consent_marketing"
        LOYALTY = "loyalty"

    violations = validate(POLICY, {**customer(), Col.FLAG: "x", Col.LOYALTY: "gold"})
    assert {(v.field, v.code) for v in violations} == {
        ("consent_marketing", "value.invalid"),
        ("loyalty", "field.undeclared"),
    }
    assert all(type(v.field) is str for v in violations)


def test_dates_and_datetimes_as_python_values() -> None:
    assert (
        found(
            customer(
                birth_date=date(1990, 5, 12), last_purchase_at=datetime(2025, 3, 10, tzinfo=UTC)
            )
        )
        == {}
    )


def test_a_field_name_with_control_characters_is_escaped_in_str() -> None:
    """Violation and Reason print a field name bare only when it is printable."""
    from engine_data import AT

    from gdprkit import decide

    name = "note\x1b[2J"
    (violation,) = validate(POLICY, customer(**{name: "x"}))
    assert "\x1b" not in str(violation)
    assert str(violation).startswith("['note\\x1b[2J'] field.undeclared")
    reason = decide(POLICY, customer(**{name: "x"}), "contract", at=AT).dropped[name]
    assert "\x1b" not in str(reason)
    assert "[email]" in str(decide(POLICY, customer(email=None), "newsletter", at=AT).reasons[0])
