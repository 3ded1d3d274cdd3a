"""The reading rules of gdprkit._values and gdprkit._time as properties (design.md §6 "Reading
values"): every spelling of a value reads the same, missing means missing, flags are strict,
and a date is read from its text alone, never completed from the clock.

The tables of tests/test_values_tables.py pin single spellings; these draw them.
"""

from __future__ import annotations

import datetime as dt
import os
import types
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import dateutil.parser._parser as dateutil_internals
import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, example, given, note, settings
from hypothesis import strategies as st

from gdprkit._time import parse_date, parse_instant
from gdprkit._values import flag_value, is_missing, plain, read_flag, subject_key

PROPERTY = settings.get_profile(f"gdprkit-armour-{os.environ.get('GDPRKIT_HYPOTHESIS', 'ci')}")

# Every character Python's str.strip() removes: the whitespace a CRM export pads ids with.
WHITESPACE = "".join(ch for ch in map(chr, range(0x3000 + 1)) if ch.isspace())
padding = st.text(alphabet=WHITESPACE, max_size=4)
ROME = timezone(timedelta(hours=1))

# --------------------------------------------------------------------------------------------
# Subject keys: one canonical key for every spelling of an id.


def _spellings(n: int) -> list[object]:
    """The ways an export can spell the integral id ``n``."""
    found: list[object] = [n, Decimal(n), Decimal(f"{n}.000"), str(n)]
    if abs(n) < 2**53:  # exactly representable: what pandas writes for an int column with a gap
        found += [float(n), np.float64(n), pd.Series([n, None]).iloc[0]]
    if -(2**63) <= n < 2**63:
        found += [np.int64(n), pd.array([n, None], dtype="Int64")[0]]
    if 0 <= n < 2**32:
        found.append(np.uint32(n))
    return found


@PROPERTY
@given(n=st.integers(min_value=-(10**30), max_value=10**30), left=padding, right=padding)
@example(n=1001, left=" ", right="\n")
def test_an_integral_id_has_one_key_however_it_is_spelt(n: int, left: str, right: str) -> None:
    expected = str(n)
    for spelling in _spellings(n):
        note(repr(spelling))
        assert subject_key(spelling) == expected
    assert subject_key(f"{left}{n}{right}") == expected


@PROPERTY
@given(
    text=st.text(st.characters(codec="utf-8"), min_size=1, max_size=20),
    left=padding,
    right=padding,
)
@example(text="Müller", left="", right="")
@example(text="BV-0000042", left="\t", right="\r\n")
def test_a_text_id_is_trimmed_and_nfc_whatever_its_spelling(
    text: str, left: str, right: str
) -> None:
    key = subject_key(text)
    assert key == subject_key(left + text + right)
    assert key == subject_key(unicodedata.normalize("NFD", text))
    assert key == subject_key(unicodedata.normalize("NFC", text))
    if not text.strip():
        assert key is None
    else:
        assert key is not None
        assert key == key.strip()
        assert unicodedata.is_normalized("NFC", key)
        assert subject_key(key) == key  # canonical keys are fixed points


@PROPERTY
@given(
    value=st.one_of(
        st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: not f.is_integer()),
        st.decimals(allow_nan=False, allow_infinity=False, places=3).filter(
            lambda d: d != d.to_integral_value()
        ),
        st.booleans().map(np.bool_),
        st.booleans(),
        st.just(float("nan")),
        st.just(float("inf")),
        st.sampled_from([None, pd.NaT, pd.NA, np.nan, np.datetime64("NaT"), Decimal("NaN")]),
        padding,
    )
)
def test_no_id_where_there_is_no_integral_number_or_text(value: object) -> None:
    """A bool, a non-integral number or a missing value identifies nobody (denied
    ``record.invalid`` by the caller, never looked up as someone else)."""
    assert subject_key(value) is None


# --------------------------------------------------------------------------------------------
# Missing means missing.

MISSING: list[object] = [None, float("nan"), np.nan, np.float64("nan"), np.float32("nan")]
MISSING += [pd.NaT, pd.NA, np.datetime64("NaT"), np.timedelta64("NaT"), Decimal("NaN")]
MISSING += [pd.Series([1.0, None]).iloc[1], pd.array([1, None], dtype="Int64")[1]]
MISSING += [pd.Series([pd.Timestamp("2025-01-01"), None]).iloc[1]]


@PROPERTY
@given(value=st.one_of(st.sampled_from(MISSING), padding))
def test_missing_is_missing_for_every_reader(value: object) -> None:
    assert is_missing(value)
    assert plain(value) is None or (isinstance(value, str | float | Decimal))
    assert subject_key(value) is None
    assert flag_value(value) is None
    assert read_flag(value) is False
    assert parse_instant(value, UTC) is None
    assert parse_date(value) is None


@PROPERTY
@given(
    value=st.one_of(
        st.integers(),
        st.floats(allow_nan=False),
        st.text(min_size=1).filter(lambda t: t.strip() != ""),
        st.dates(),
        st.booleans(),
        st.booleans().map(np.bool_),
        st.integers(min_value=-(2**63), max_value=2**63 - 1).map(np.int64),
    )
)
def test_present_values_are_not_missing(value: object) -> None:
    assert not is_missing(value)


# --------------------------------------------------------------------------------------------
# Flags: strict, one reader.

YES = ("true", "yes", "sì", "si", "1")
NO = ("false", "no", "0")


@st.composite
def any_case(draw: st.DrawFn, words: tuple[str, ...]) -> str:
    word = draw(st.sampled_from(words))
    upper = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    spelt = "".join(c.upper() if u else c for c, u in zip(word, upper, strict=True))
    if draw(st.booleans()):
        spelt = unicodedata.normalize("NFD", spelt)  # "si" + combining grave: still sì
    return draw(padding) + spelt + draw(padding)


@PROPERTY
@given(text=any_case(YES))
def test_every_case_of_a_yes_word_is_yes(text: str) -> None:
    assert flag_value(text) is True
    assert read_flag(text) is True


@PROPERTY
@given(text=any_case(NO))
def test_every_case_of_a_no_word_is_no(text: str) -> None:
    assert flag_value(text) is False
    assert read_flag(text) is False


@PROPERTY
@given(value=st.booleans())
def test_numpy_and_python_flags_read_alike(value: bool) -> None:
    for spelling in (value, np.bool_(value), int(value), np.int64(value), float(value)):
        assert flag_value(spelling) is value
        assert read_flag(spelling) is value
    for spelling in (pd.array([value, None], dtype="boolean")[0],):
        assert flag_value(spelling) is value


# Letters that Unicode folding turns into the letters of a yes word: long s, dotless i, dotted
# capital I, the Kelvin sign, fullwidth "yes", "true", "si" and "1", bold "yes", ligatures.
LOOKALIKES = (
    "\u017f\u0131\u0130\u212a"
    "\uff59\uff45\uff53\uff54\uff52\uff55\uff45\uff53\uff49\uff11"
    "\U0001d432\U0001d41e\U0001d42c\ufb05\ufb06"
)


@PROPERTY
@given(text=st.text(alphabet=st.sampled_from("yestrusiYESTRUSIìÌ1 " + LOOKALIKES), max_size=6))
@example(text="\u017fi")
@example(text="\u017f\u00ec")
@example(text="\uff59\uff45\uff53")
@example(text="\uff11")
def test_a_yes_is_only_a_yes_word(text: str) -> None:
    """Nothing that merely *folds* into a yes word is a yes: consent is never read from a
    lookalike."""
    word = unicodedata.normalize("NFC", text.strip())
    if flag_value(text) is True:
        assert word.lower() in YES
        assert all(ch.isascii() or ch in "ìÌ" for ch in word)
    if any(ch in LOOKALIKES for ch in text):
        assert flag_value(text) is not True
        assert read_flag(text) is False


@PROPERTY
@given(
    value=st.one_of(
        st.sampled_from(["x", "X", "S", "s", "ok", "y", "n", "sí", "oui", "ja", "2", "-1"]),
        st.integers().filter(lambda n: n not in (0, 1)),
        st.floats().filter(lambda f: f not in (0.0, 1.0)),
    )
)
def test_anything_else_is_neither_and_so_no_consent(value: object) -> None:
    assert flag_value(value) is None
    assert read_flag(value) is False


# --------------------------------------------------------------------------------------------
# Dates: from the text alone.

MOMENTS = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2099, 12, 31))
# Shapes that lack the year, the month or the day, or give a two-digit year.
PARTIAL = (
    "%d %b", "%d %B", "%b %d", "%B %d", "%d/%m", "%m/%d", "%d.%m", "%d-%m", "%B", "%b",
    "%H:%M", "%H:%M:%S", "%I:%M %p", "%A", "%a %H:%M", "%d %b %H:%M", "%b %Y", "%B %Y",
    "%m/%Y", "%Y-%m", "%Y", "%d", "%d/%m/%y", "%m/%d/%y", "%d %b %y", "%y-%m-%d", "%d.%m.%y",
    "%b %d, %y", "%d/%m/%y %H:%M",
)  # fmt: skip
ITALIAN = (
    "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
    "settembre", "ottobre", "novembre", "dicembre",
)  # fmt: skip


@PROPERTY
@given(moment=MOMENTS, shape=st.sampled_from(PARTIAL), dayfirst=st.booleans())
@example(moment=datetime(2026, 3, 1), shape="%d %b", dayfirst=True)  # "01 Mar"
@example(moment=datetime(2026, 1, 15), shape="%d/%m", dayfirst=True)  # "15/01"
@example(moment=datetime(2026, 1, 1), shape="%H:%M", dayfirst=False)  # "00:00"
@example(moment=datetime(1945, 7, 1), shape="%d/%m/%y", dayfirst=True)  # "01/07/45"
def test_text_lacking_year_month_or_day_never_parses(
    moment: datetime, shape: str, dayfirst: bool
) -> None:
    text = moment.strftime(shape)
    note(text)
    assert parse_instant(text, ROME, dayfirst) is None
    assert parse_date(text, dayfirst) is None


@st.composite
def partial_italian(draw: st.DrawFn) -> str:
    """Italian text without its year, or with a two-digit one."""
    day = draw(st.integers(1, 28))
    month = draw(st.sampled_from(ITALIAN))
    tail = draw(st.sampled_from(["", " 26", " '26", " alle 10:00"]))
    return f"{day} {month}{tail}"


@PROPERTY
@given(text=partial_italian(), dayfirst=st.booleans())
def test_italian_text_lacking_its_year_never_parses(text: str, dayfirst: bool) -> None:
    assert parse_instant(text, ROME, dayfirst) is None


@PROPERTY
@given(moment=MOMENTS, dayfirst=st.booleans())
def test_whole_dates_parse_to_what_they_say(moment: datetime, dayfirst: bool) -> None:
    day = moment.date()
    shapes = ["%Y-%m-%d", "%Y%m%d", "%d %B %Y", "%B %d, %Y", "%Y-%m-%dT%H:%M:%S"]
    shapes.append("%d/%m/%Y" if dayfirst else "%m/%d/%Y")
    for shape in shapes:
        text = moment.strftime(shape)
        note(text)
        assert parse_date(text, dayfirst) == day
        instant = parse_instant(text, ROME, dayfirst)
        assert instant is not None
        assert instant.date() == day
        assert instant.tzinfo is ROME  # naive text is read in the policy's zone
    italian = f"{day.day} {ITALIAN[day.month - 1]} {day.year}"
    assert parse_date(italian, dayfirst) == day


# Text made of what dates are written with, to find any text the readers complete.
DATE_ALPHABET = "0123456789/-.:, TZ+" + "JanFebMrApyulgSOctNvDdmaroiz"


@PROPERTY
@given(text=st.text(alphabet=DATE_ALPHABET, max_size=24), dayfirst=st.booleans())
@example(text="Mar 2026", dayfirst=True)
@example(text="2026-03", dayfirst=True)
@example(text="T10:00", dayfirst=False)
def test_a_parsed_date_took_its_year_from_the_text(text: str, dayfirst: bool) -> None:
    """Whatever the text, a date read from it has a four-digit year written in it (never a
    year from the clock, never a century guessed for two digits)."""
    found = parse_instant(text, UTC, dayfirst)
    if found is not None:
        assert f"{found.year:04d}" in text


# Two frozen clocks: dateutil completes missing parts from datetime.datetime.now() when it is
# given no default; gdprkit's readers must give the same answer under both.
CLOCKS = (datetime(2001, 2, 3, 4, 5, 6), datetime(2087, 11, 29, 23, 59, 58))


@contextmanager
def frozen_clock(moment: datetime) -> Iterator[None]:
    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Frozen:  # type: ignore[override]
            value = cls(*moment.timetuple()[:6])
            return value if tz is None else value.replace(tzinfo=UTC).astimezone(tz)

        @classmethod
        def today(cls) -> Frozen:
            return cls.now()

    fake: Any = types.SimpleNamespace(**{**vars(dt), "datetime": Frozen})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dateutil_internals, "datetime", fake)
        yield


def test_the_frozen_clock_reaches_dateutil() -> None:
    """The harness works: dateutil, asked without a default, completes from the frozen clock."""
    for moment in CLOCKS:
        with frozen_clock(moment):
            assert dateutil_internals.parse("1 Mar").year == moment.year


@PROPERTY
@given(
    text=st.one_of(
        st.text(alphabet=DATE_ALPHABET, max_size=24),
        st.builds(lambda m, s: m.strftime(s), MOMENTS, st.sampled_from(PARTIAL)),
        partial_italian(),
    ),
    dayfirst=st.booleans(),
)
def test_reading_a_date_does_not_depend_on_the_clock(text: str, dayfirst: bool) -> None:
    answers = []
    for moment in CLOCKS:
        with frozen_clock(moment):
            answers.append((parse_instant(text, ROME, dayfirst), parse_date(text, dayfirst)))
    assert answers[0] == answers[1]


@PROPERTY
@given(moment=st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2099, 12, 31)))
def test_pandas_and_numpy_instants_read_as_their_python_value(moment: datetime) -> None:
    expected = parse_instant(moment, ROME)
    assert parse_instant(pd.Timestamp(moment), ROME) == expected
    assert parse_instant(np.datetime64(moment, "us"), ROME) == expected
    assert parse_date(pd.Timestamp(moment)) == moment.date()
    assume(moment.tzinfo is None)
    assert parse_date(date(moment.year, moment.month, moment.day)) == moment.date()
