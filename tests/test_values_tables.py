"""Reading values, as tables: what each spelling reads as (design.md §6 "Reading values")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from gdprkit._time import parse_date, parse_instant
from gdprkit._values import choice_key, flag_value, is_missing, plain, read_flag, subject_key

ROME = timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    "value",
    [
        None,
        float("nan"),
        "",
        "   ",
        "\n\t",
        pd.NaT,
        pd.NA,
        np.nan,
        np.float64("nan"),
        np.datetime64("NaT"),
        Decimal("NaN"),
    ],
    ids=repr,
)
def test_missing_means_missing(value: object) -> None:
    assert is_missing(value)


@pytest.mark.parametrize(
    "value", [0, False, "0", "no", np.int64(0), np.bool_(False), date(2020, 1, 1), "x"], ids=repr
)
def test_present_values_are_not_missing(value: object) -> None:
    assert not is_missing(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (np.bool_(True), True),
        (np.int64(7), 7),
        (np.float64(1.5), 1.5),
        (pd.NaT, None),
        (pd.NA, None),
        (np.datetime64("2025-01-02T03:04:05"), datetime(2025, 1, 2, 3, 4, 5)),
        ("text", "text"),
    ],
    ids=repr,
)
def test_numpy_and_pandas_scalars_read_as_python_values(value: object, expected: object) -> None:
    got = plain(value)
    assert got == expected
    assert type(got) is type(expected)


ONE_SUBJECT = [
    1001,
    1001.0,
    "1001",
    " 1001\n",
    "1001.0",
    " 1001.00 ",
    "\t1001 ",
    np.int64(1001),
    np.float64(1001.0),
    Decimal(1001),
    Decimal("1001.00"),
]


@pytest.mark.parametrize("value", ONE_SUBJECT, ids=repr)
def test_one_subject_one_key(value: object) -> None:
    assert subject_key(value) == "1001"


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        np.bool_(True),
        1001.5,
        float("nan"),
        float("inf"),
        "",
        "  ",
        pd.NA,
        pd.NaT,
        Decimal("1E+999999"),
        "\ud800",
        date(2020, 1, 1),
        b"1001",
    ],
    ids=repr,
)
def test_no_id(value: object) -> None:
    assert subject_key(value) is None


def test_subject_key_text_is_nfc() -> None:
    assert subject_key("Jose\u0301") == subject_key("Jos\u00e9") == "Jos\u00e9"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (1, True),
        (1.0, True),
        ("1", True),
        ("true", True),
        ("TRUE", True),
        ("Yes", True),
        ("sì", True),
        ("SÌ", True),
        ("si", True),
        ("Si\u0300", True),
        (np.bool_(True), True),
        (np.int64(1), True),
        (False, False),
        (0, False),
        ("0", False),
        ("no", False),
        ("NO", False),
        ("false", False),
        (np.bool_(False), False),
        ("x", None),
        ("X", None),
        ("S", None),
        ("y", None),
        ("\u017fi", None),
        ("yes please", None),
        (2, None),
        (None, None),
        (pd.NA, None),
        ("", None),
        (Decimal("NaN"), None),
    ],
    ids=repr,
)
def test_flags(value: object, expected: bool | None) -> None:
    assert flag_value(value) is expected
    assert read_flag(value) is (expected is True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Customer ", "customer"),
        ("LEAD", "lead"),
        (True, "true"),
        (3, "3"),
        ("", None),
        (None, None),
        (pd.NA, None),
        (np.bool_(False), "false"),
    ],
    ids=repr,
)
def test_choices(value: object, expected: str | None) -> None:
    assert choice_key(value) == expected


# ---------------------------------------------------------------------------------------------
# Dates: nothing is completed from the clock.

UNREADABLE = [
    "1 Mar",
    "15/01",
    "00:00",
    "12:30:00",
    "March",
    "2025",
    "2025-03",
    "1/7/45",
    "01/07/45",
    "30/02/2015",
    "31/04/2020",
    "marzo 2026",
    "1 marzo",
    "tomorrow",
    "",
    "   ",
    "45-07-01",
    "0:0D",  # a zone name dateutil does not know: it warned and read the time as naive
    "1 March 2026 10:00 CET",  # a zone name: the machine's local zone, or dropped (a guess)
]


@pytest.mark.parametrize("text", UNREADABLE)
def test_text_without_its_whole_date_is_unreadable(text: str) -> None:
    assert parse_instant(text, UTC, True) is None
    assert parse_instant(text, UTC, False) is None
    assert parse_date(text, True) is None


@pytest.mark.parametrize(
    ("text", "dayfirst", "expected"),
    [
        ("1 marzo 2026", True, datetime(2026, 3, 1, tzinfo=UTC)),
        ("12 dicembre 1999", True, datetime(1999, 12, 12, tzinfo=UTC)),
        ("3 Aprile 2024 10:30", True, datetime(2024, 4, 3, 10, 30, tzinfo=UTC)),
        ("lunedì 2 marzo 2026", True, datetime(2026, 3, 2, tzinfo=UTC)),
        ("2 gen 2020", True, datetime(2020, 1, 2, tzinfo=UTC)),
        ("March 1, 2026", False, datetime(2026, 3, 1, tzinfo=UTC)),
        ("03/04/2025", True, datetime(2025, 4, 3, tzinfo=UTC)),
        ("03/04/2025", False, datetime(2025, 3, 4, tzinfo=UTC)),
        ("2025-03-04", True, datetime(2025, 3, 4, tzinfo=UTC)),  # ISO whatever dayfirst says
        ("20250304", True, datetime(2025, 3, 4, tzinfo=UTC)),
        ("2025-03-04T10:00:00+01:00", True, datetime(2025, 3, 4, 10, tzinfo=ROME)),
        ("01/07/1945", True, datetime(1945, 7, 1, tzinfo=UTC)),
        ("1 March 2026 10:00 UTC", False, datetime(2026, 3, 1, 10, tzinfo=UTC)),
        ("1 March 2026 10:00 +01:00", False, datetime(2026, 3, 1, 10, tzinfo=ROME)),
    ],
)
def test_readable_dates(text: str, dayfirst: bool, expected: datetime) -> None:
    assert parse_instant(text, UTC, dayfirst) == expected


@pytest.mark.parametrize(
    "value", [pd.NaT, np.datetime64("NaT"), pd.NA, None, float("nan")], ids=repr
)
def test_missing_instants(value: object) -> None:
    assert parse_instant(value) is None
    assert parse_date(value) is None


def test_pandas_and_numpy_instants() -> None:
    assert parse_instant(pd.Timestamp("2025-01-02 03:04")) == datetime(2025, 1, 2, 3, 4, tzinfo=UTC)
    assert parse_instant(pd.Timestamp("2025-01-02 03:04", tz="Europe/Rome")) == datetime(
        2025, 1, 2, 2, 4, tzinfo=UTC
    )
    assert parse_instant(np.datetime64("2025-01-02")) == datetime(2025, 1, 2, tzinfo=UTC)
    assert parse_date(pd.Timestamp("1990-05-06")) == date(1990, 5, 6)
