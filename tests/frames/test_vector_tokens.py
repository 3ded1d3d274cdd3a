"""Whole-column tokens (gdprkit.frames._hash) equal the row path's, byte for byte.

The columnar engines normalise ASCII text with polars string expressions and make the HMAC with
two vectorised SHA-256 passes (polars-hash); values that are not ASCII go through the Python
normaliser. These properties hold them equal to ``pseudonymise(value, category=...)`` for every
normaliser kind, and the engines equal to the row path with and without polars-hash.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from frame_data import ENGINES, build, rows_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gdprkit
from gdprkit import KeyRing, frames, pseudonymise
from gdprkit._errors import ConfigurationError
from gdprkit._pseudonymise._normalise import NORMALISERS, WHITESPACE
from gdprkit.frames import _hash

pytest.importorskip("polars_hash")

KEYS = KeyRing({"k1": bytes(range(32))}, active="k1")
#: A category of each normaliser kind (ip is not vectorised: the executor makes it per value).
CATEGORIES = (
    None,
    "contact.email",
    "contact.phone",
    "identity.name",
    "identity.national_id",
    "identity.tax_id",
    "online.ip_address",
    "identity.customer_id",
)
ASCII_KINDS = ("default", "email", "name", "phone", "codice_fiscale", "partita_iva")

#: Characters each normaliser treats specially, ASCII and not (Unicode whitespace, dashes,
#: full-width digits, letters whose case or NFC/NFKC form changes).
_ALPHABET = (
    "\t\n\x0b\x0c\r\x1c\x1f +-.()[]0019aAiItTzZ@/x:"
    + WHITESPACE
    + "\u2010\u2212\uff11\u00e9e\u0301\u00df\u0130\ufb01"
)
texts = st.text(st.sampled_from(_ALPHABET), max_size=12)
ascii_texts = st.text(st.sampled_from("\t\n\x0b\x0c\r\x1c\x1f +-.()[]0019aAiItTzZ@/x"), max_size=12)


def _row_token(value: object, category: str | None, domain: str = "d") -> str | None:
    try:
        return pseudonymise(value, keys=KEYS, domain=domain, category=category)
    except ConfigurationError:
        return None


@settings(max_examples=40, deadline=None)
@given(values=st.lists(texts | st.none(), max_size=40))
def test_column_tokens_equal_pseudonymise(values: list[str | None]) -> None:
    """For every category: the whole-column token of each drawn text (ASCII or not, blank,
    null) is ``pseudonymise``'s, or null where ``pseudonymise`` refuses the value."""
    series = pl.Series(values, dtype=pl.String)
    for category in CATEGORIES:
        got = _hash.column_tokens(series, KEYS, "d", category)
        want = [_row_token(v, category) for v in values]
        if got is None:  # a kind written only in Python, or no token at all
            assert category == "online.ip_address" or not any(want), category
            continue
        assert got.to_pylist() == [*want, None], category


@settings(max_examples=25, deadline=None)
@given(values=st.lists(st.integers(-(2**63), 2**63 - 1) | st.none(), max_size=30))
def test_integer_columns_tokenise_as_their_digits(values: list[int | None]) -> None:
    series = pl.Series(values, dtype=pl.Int64)
    for category in (None, "contact.phone", "identity.customer_id"):
        got = _hash.column_tokens(series, KEYS, "d", category)
        want = [_row_token(v, category) for v in values]
        if got is None:
            assert not any(want)
            continue
        assert got.to_pylist() == [*want, None]


@settings(max_examples=30, deadline=None)
@given(values=st.lists(ascii_texts, min_size=1, max_size=60))
def test_ascii_normalisers_equal_python(values: list[str]) -> None:
    """The polars expressions give each Python normaliser's text on ASCII text (as the Spark
    built-in path's SQL does)."""
    series = pl.Series(values, dtype=pl.String)
    for kind, category in zip(
        ASCII_KINDS,
        (
            None,
            "contact.email",
            "identity.name",
            "contact.phone",
            "identity.national_id",
            "identity.tax_id",
        ),
        strict=True,
    ):
        got = _hash.normalised(series, category)
        assert got is not None
        assert got.to_list() == [NORMALISERS[kind](v) for v in values], kind


_PHONE_LEAD = st.text(st.sampled_from("\t\n\x0b\x0c\r (["), max_size=3)
_PHONE_BODY = st.text(st.sampled_from("0123456789\t\n\x0b\x0c\r .-()[]"), max_size=14)
phone_shaped = st.builds(
    lambda lead, plus, body: lead + plus + body,
    _PHONE_LEAD,
    st.sampled_from(("", "+")),
    _PHONE_BODY,
)


@settings(max_examples=40, deadline=None)
@given(values=st.lists(phone_shaped | st.none(), min_size=1, max_size=40))
def test_phone_shaped_columns_tokenise_as_the_row_path(values: list[str | None]) -> None:
    """A column whose every value has the phone shape (its digits by one ``replace_many``
    pass): the row path's token of each value, null where it has none."""
    got = _hash.column_tokens(pl.Series(values, dtype=pl.String), KEYS, "d", "contact.phone")
    want = [_row_token(v, "contact.phone") for v in values]
    if got is None:
        assert not any(want)
        return
    assert got.to_pylist() == [*want, None]


def test_the_vector_by_whole_columns() -> None:
    """The published test vector (docs/explanation/engines.md) from whole-column tokens."""
    from test_token_vector import VECTOR

    for domain, category, value, token in VECTOR:
        got = _hash.column_tokens(pl.Series([value]), KEYS, domain, category)
        assert got is not None
        assert got.to_pylist() == [token, None]


def _policy() -> gdprkit.Policy:
    return gdprkit.load_policy(
        {
            "version": 1,
            "controller": {"name": "Test S.r.l.", "country": "IT", "contact": "privacy@example.it"},
            "subject": {"id": "id"},
            "fields": {
                "id": "identity.customer_id",
                "email": "contact.email",
                "phone": "contact.phone",
                "name": "identity.name",
                "ip": "online.ip_address",
            },
            "purposes": {
                "tok": {
                    "basis": "legitimate_interests",
                    "categories": ["identity", "contact", "online"],
                    "transform": {
                        "id": "token",
                        "email": {"method": "token", "domain": "crm"},
                        "phone": "token",
                        "name": "token",
                        "ip": "token",
                    },
                }
            },
        }
    )


POLICY = _policy()
_records = st.lists(
    st.fixed_dictionaries(
        {
            "id": st.sampled_from(["C-1", " C-2 ", "c-3", "Ć-4"]) | st.integers(1, 9),
            "email": texts | st.none(),
            "phone": texts | st.none(),
            "name": texts | st.none(),
            "ip": st.sampled_from(["10.0.0.1", " ::1 ", "fe80::A", "x", ""]) | st.none(),
        }
    ),
    max_size=25,
)


def _check(engine: str, records: list[dict[str, Any]]) -> None:
    frame = build(engine, records)
    result = frames.enforce(POLICY, frame, "tok", keys=KEYS)
    want = list(gdprkit.enforce(POLICY, rows_of(frame), "tok", keys=KEYS))
    got = rows_of(result.allowed)
    clean = [{k: v for k, v in r.items() if v is not None and not pd.isna(v)} for r in got]
    assert clean == [{k: v for k, v in r.items() if v is not None} for r in want]


@pytest.mark.parametrize("vectorised", [True, False], ids=["polars-hash", "fallback"])
@pytest.mark.parametrize("engine", ENGINES)
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(records=_records)
def test_engines_equal_row_path_with_and_without_polars_hash(
    engine: str, vectorised: bool, records: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each engine's tokens equal the row path's, with polars-hash and without it (forced)."""
    if not vectorised:
        monkeypatch.setattr(_hash, "_modules", lambda: None)
    _check(engine, records)


def test_fallback_is_taken_without_polars_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without polars-hash no backend offers whole-column tokens (the executor's own path)."""
    monkeypatch.setattr(_hash, "_modules", lambda: None)
    assert not _hash.available()
    assert _hash.column_tokens(pl.Series(["a"]), KEYS, "d", None) is None
    assert _hash.arrow_tokens(pa.array(["a"]), KEYS, "d", None) is None


def test_whole_column_path_is_taken_with_polars_hash() -> None:
    """With polars-hash the backends give the token columns natively (the fast path runs)."""
    from gdprkit.frames._arrow import ArrowBackend
    from gdprkit.frames._pandas import PandasBackend
    from gdprkit.frames._polars import PolarsBackend

    data = {"email": [" A@B.it ", "a@b.it", None]}
    want = [_row_token(v, "contact.email") for v in data["email"]]
    for backend in (
        PolarsBackend(pl.DataFrame(data)),
        PandasBackend(pd.DataFrame(data)),
        ArrowBackend(pa.table(data)),
    ):
        factor = backend.factor("email")
        native = backend.tokens("email", KEYS, "d", "contact.email")
        assert native is not None, type(backend).__name__
        tokens = native.to_pylist()
        assert [tokens[c] for c in factor.codes] == want


@pytest.mark.parametrize(
    "values",
    [[2**70, 5, None], [1.5, 2.0, None], [True, False, None], [b"x", b"y", None]],
    ids=["beyond-int64", "floats", "bools", "bytes"],
)
def test_columns_not_vectorised_take_the_per_value_path(values: list[object]) -> None:
    """Values Arrow cannot hold, or types whose text is not a string expression here: the
    executor's own per-value tokens, equal to the row path."""
    frame = pd.DataFrame({"id": ["C-1", "C-2", "C-3"], "email": pd.Series(values, dtype=object)})
    result = frames.enforce(POLICY, frame, "tok", keys=KEYS)
    got = result.allowed["email"].tolist()
    assert got == [_row_token(v, "contact.email", "crm") for v in values]


def test_a_polars_hash_that_fails_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """A polars-hash that does not run in this polars (a plugin error): per-value tokens, the
    same answer, not an error."""

    def broken(*_: object) -> None:
        raise pl.exceptions.ComputeError("plugin does not load")

    monkeypatch.setattr(_hash, "tokens", broken)
    values = [" A@B.it ", "é@x.it", None]
    assert _hash.column_tokens(pl.Series(values), KEYS, "d", "contact.email") is None
    frame = pl.DataFrame({"id": ["C-1", "C-2", "C-3"], "email": values})
    got = frames.enforce(POLICY, frame, "tok", keys=KEYS).allowed.get_column("email").to_list()
    assert got == [_row_token(v, "contact.email", "crm") for v in values]
