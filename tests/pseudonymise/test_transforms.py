"""Field transforms: one table of cases per method; bad values become None, never an exception."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gdprkit import ConfigurationError, KeyRing, pseudonymise, reveal
from gdprkit._pseudonymise import (
    DROP,
    KEYED_METHODS,
    TRANSFORM_METHODS,
    make_transform,
)
from gdprkit._pseudonymise._normalise import exact_text
from gdprkit._taxonomy import KEYED_METHODS as TAXONOMY_KEYED
from gdprkit._taxonomy import TRANSFORM_METHODS as TAXONOMY_METHODS

KEYS = KeyRing({"k1": bytes(range(32))})
AT = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]+:[0-9a-f]{32}$")


def apply(method: str, category: str | None, value: object, *, dayfirst: bool = False) -> object:
    fn = make_transform(
        method, category=category, domain="crm", keys=KEYS, at=AT, dayfirst=dayfirst
    )
    return fn(value)


def test_method_sets_are_the_policy_vocabulary() -> None:
    assert TRANSFORM_METHODS is TAXONOMY_METHODS
    assert KEYED_METHODS is TAXONOMY_KEYED
    assert {
        "token",
        "encrypt",
        "mask",
        "generalise.year",
        "generalise.month",
        "generalise.decade",
        "generalise.age_band",
        "generalise.postcode",
        "generalise.ip",
        "redact",
        "drop",
    } == TRANSFORM_METHODS
    assert frozenset({"token", "encrypt"}) == KEYED_METHODS


# ---------------------------------------------------------------------------------------------
# Keyed transforms agree with pseudonymise.


@pytest.mark.parametrize(
    ("category", "value"),
    [
        ("contact.email", " Mario.Rossi@Example.IT "),
        ("contact.phone", "+39 333 1234567"),
        ("identity.national_id", "rssmra80a01h501u"),
        ("identity.tax_id", "IT 01234567890"),
        ("online.ip_address", "192.168.1.20"),
        ("identity.name", " Mario  Rossi "),
        ("identity.customer_id", "C-2"),
        (None, 12345),
        (None, date(1987, 4, 3)),
    ],
)
def test_token_and_encrypt_transforms_match_pseudonymise(
    category: str | None, value: object
) -> None:
    token = apply("token", category, value)
    assert isinstance(token, str)
    assert TOKEN_RE.match(token)
    assert token == pseudonymise(value, keys=KEYS, domain="crm", category=category)
    ciphertext = apply("encrypt", category, value)
    assert ciphertext == pseudonymise(
        value, keys=KEYS, method="encrypt", domain="crm", category=category
    )
    assert isinstance(ciphertext, str)
    # encryption is reversible: the exact text comes back, not its normalised form
    assert reveal(ciphertext, keys=KEYS, domain="crm") == exact_text(value)
    if isinstance(value, str):
        assert reveal(ciphertext, keys=KEYS, domain="crm") == value


@given(value=st.text(min_size=1, max_size=60))
def test_token_transform_equals_pseudonymise_for_any_text(value: str) -> None:
    out = apply("token", "contact.email", value)
    try:
        expected: str | None = pseudonymise(
            value, keys=KEYS, domain="crm", category="contact.email"
        )
    except ConfigurationError:
        expected = None
    assert out == expected


@pytest.mark.parametrize("method", sorted(KEYED_METHODS))
def test_keyed_transforms_need_keys(method: str) -> None:
    with pytest.raises(ConfigurationError, match=f"transform '{method}' needs keys"):
        make_transform(method, category=None, keys=None, at=AT)
    with pytest.raises(ConfigurationError, match="KeyRing"):
        make_transform(method, category=None, keys=b"k" * 32, at=AT)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Masks and generalisations: one row per case.


@pytest.mark.parametrize(
    ("method", "category", "value", "expected"),
    [
        # mask
        ("mask", "contact.email", "mario.rossi@example.it", "m***@example.it"),
        ("mask", "contact.email", "  Mario@Example.IT ", "M***@Example.IT"),
        ("mask", "contact.email", "not-an-email", "n***"),
        ("mask", "contact.email", "@example.it", "***@example.it"),
        ("mask", "contact.phone", "+39 333 1234567", "**********67"),
        ("mask", "contact.phone", "0039 333 1234567", "**********67"),
        ("mask", "contact.phone", "333-12-34", "*****34"),
        ("mask", "contact.phone", "1234", "****"),  # too short to show any digit
        ("mask", "contact.phone", "n/a", None),
        ("mask", "contact.phone", "+39 333 1234567 ext 12", None),  # not a phone: nothing shown
        ("mask", "identity.name", "Mario Rossi", "M***"),
        ("mask", None, "  Écru ", "É***"),
        ("mask", None, 12345, "1***"),
        ("mask", None, "", None),
        ("mask", None, "   ", None),
        # generalise.year / month / decade
        ("generalise.year", None, "1987-04-03", 1987),
        ("generalise.year", None, date(1987, 4, 3), 1987),
        ("generalise.year", None, datetime(1987, 4, 3, 23, 0, tzinfo=UTC), 1987),
        ("generalise.year", None, "03/04/1987", 1987),
        ("generalise.year", None, "1987", 1987),
        ("generalise.year", None, "someday", None),
        ("generalise.month", None, "1987-04-03", "1987-04"),
        ("generalise.month", None, "2001-12-31T23:59:00+01:00", "2001-12"),
        ("generalise.month", None, "not a date", None),
        ("generalise.decade", None, "1987-04-03", 1980),
        ("generalise.decade", None, date(2000, 1, 1), 2000),
        ("generalise.decade", None, date(1999, 12, 31), 1990),
        # generalise.age_band at 2025-06-15
        ("generalise.age_band", None, "2025-06-15", "0-13"),
        ("generalise.age_band", None, "2011-06-16", "0-13"),  # 13 until tomorrow
        ("generalise.age_band", None, "2011-06-15", "14-17"),  # 14 today
        ("generalise.age_band", None, "2007-06-16", "14-17"),
        ("generalise.age_band", None, "2007-06-15", "18-24"),
        ("generalise.age_band", None, "2000-06-16", "18-24"),
        ("generalise.age_band", None, "2000-06-15", "25-34"),
        ("generalise.age_band", None, "1990-01-01", "35-44"),
        ("generalise.age_band", None, "1980-06-15", "45-54"),
        ("generalise.age_band", None, "1970-06-15", "55-64"),
        ("generalise.age_band", None, "1960-06-16", "55-64"),
        ("generalise.age_band", None, "1960-06-15", "65+"),
        ("generalise.age_band", None, "1900-01-01", "65+"),
        ("generalise.age_band", None, "2025-06-16", None),  # born tomorrow
        ("generalise.age_band", None, "yesterday", None),
        # generalise.postcode
        ("generalise.postcode", None, "20121", "201"),
        ("generalise.postcode", None, 20121, "201"),
        ("generalise.postcode", None, "SW1A 1AA", "SW1A"),
        ("generalise.postcode", None, "  sw1a\t\t1aa ", "SW1A"),
        ("generalise.postcode", None, "ec1", "EC1"),
        ("generalise.postcode", None, "  ", None),
        # generalise.ip
        ("generalise.ip", None, "192.168.1.20", "192.168.1.0/24"),
        ("generalise.ip", None, " 10.0.0.255 ", "10.0.0.0/24"),
        ("generalise.ip", None, "2001:db8:1:2::1", "2001:db8:1::/48"),
        ("generalise.ip", None, "2001:DB8:ABCD:0012:0000:0000:0000:0001", "2001:db8:abcd::/48"),
        ("generalise.ip", None, "::ffff:192.168.1.20", "192.168.1.0/24"),  # IPv4-mapped
        ("generalise.ip", None, "fe80::1%eth0", "fe80::/48"),
        ("generalise.ip", None, "192.168.1", None),
        ("generalise.ip", None, "999.1.1.1", None),
        ("generalise.ip", None, "localhost", None),
    ],
)
def test_transform_cases(
    method: str, category: str | None, value: object, expected: object
) -> None:
    assert apply(method, category, value) == expected


def test_dates_read_dayfirst_when_asked() -> None:
    assert apply("generalise.month", None, "03/04/1987") == "1987-03"
    assert apply("generalise.month", None, "03/04/1987", dayfirst=True) == "1987-04"
    # ISO text is ISO whatever dayfirst says.
    assert apply("generalise.month", None, "1987-03-04", dayfirst=True) == "1987-03"


def test_age_band_counts_from_the_date_of_at() -> None:
    fn = make_transform("generalise.age_band", category=None, keys=None, at=AT)
    assert fn(date(2007, 6, 15)) == "18-24"
    assert (
        make_transform(
            "generalise.age_band", category=None, keys=None, at=datetime(2025, 6, 14, tzinfo=UTC)
        )(date(2007, 6, 15))
        == "14-17"
    )


def test_age_band_needs_at() -> None:
    with pytest.raises(ConfigurationError, match="needs at="):
        make_transform("generalise.age_band", category=None, keys=None, at=None)
    with pytest.raises(ConfigurationError, match="datetime"):
        make_transform("generalise.age_band", category=None, keys=None, at="2025")  # type: ignore[arg-type]


def test_transforms_without_keys_or_time_need_neither() -> None:
    for method in sorted(TRANSFORM_METHODS - KEYED_METHODS - {"generalise.age_band"}):
        assert callable(make_transform(method, category=None, keys=None, at=None))


def test_drop_returns_the_drop_marker() -> None:
    fn = make_transform("drop", category="contact.email", keys=None, at=None)
    assert fn("mario.rossi@example.it") is DROP
    assert fn(None) is DROP
    assert repr(DROP) == "DROP"


@pytest.mark.parametrize("method", ["hash", "generalise", "generalise.week", "TOKEN", "", None, 3])
def test_unknown_methods_are_refused(method: object) -> None:
    with pytest.raises(ConfigurationError, match="unknown transform"):
        make_transform(method, category=None, keys=KEYS, at=AT)  # type: ignore[arg-type]


def test_bad_category_and_domain_are_refused() -> None:
    with pytest.raises(ConfigurationError):
        make_transform("mask", category=3, keys=None, at=None)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        make_transform("token", category=None, domain=None, keys=KEYS, at=None)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Unreadable values: None out, never an exception, never the value.

UNREADABLE: list[object] = [
    None,
    math.nan,
    math.inf,
    Decimal("NaN"),
    b"mario.rossi@example.it",
    bytearray(b"x"),
    ["mario.rossi@example.it"],
    ("a", "b"),
    {"email": "mario.rossi@example.it"},
    {1, 2},
    object(),
]
VALUE_METHODS = sorted(TRANSFORM_METHODS - {"drop"})
CATEGORIES = [None, "contact.email", "contact.phone", "identity.name", "online.ip_address"]


@pytest.mark.parametrize("method", VALUE_METHODS)
@pytest.mark.parametrize("category", CATEGORIES)
@pytest.mark.parametrize("value", UNREADABLE, ids=lambda v: type(v).__name__)
def test_unreadable_values_become_none(method: str, category: str | None, value: object) -> None:
    assert apply(method, category, value) is None


@pytest.mark.parametrize("method", sorted(KEYED_METHODS))
def test_keyed_transforms_turn_unencodable_text_into_none(method: str) -> None:
    assert apply(method, None, "mario\ud800rossi") is None


values = st.one_of(
    st.none(),
    st.text(),
    st.integers(),
    st.floats(),
    st.decimals(),
    st.binary(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@given(value=values, category=st.sampled_from(CATEGORIES), method=st.sampled_from(VALUE_METHODS))
def test_transforms_never_raise(value: object, category: str | None, method: str) -> None:
    out = apply(method, category, value)
    assert out is None or isinstance(out, str | int)
    if value is None:
        assert out is None


@given(value=st.text(min_size=6, max_size=40).filter(lambda s: len(s.strip()) >= 6))
def test_masks_and_tokens_never_let_the_value_through(value: str) -> None:
    # Six characters or more: a shorter text could turn up in a hex or base64 output by chance.
    for method in ("token", "encrypt", "mask"):
        out = apply(method, "identity.name", value)
        assert out is not None
        assert value.strip() not in str(out)
