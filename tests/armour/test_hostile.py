# ruff: noqa: RUF001 - confusable characters are the point of this corpus
"""A corpus of hostile inputs that never crashes ``validate``, ``decide`` or ``enforce``.

Wrong types, NaN, None, bytes, nested objects, 10 MB strings, Unicode confusables and
normalisation forms, lone surrogates, dates out of range, naive and aware mixes, ints beyond
Python's int-to-text limit, ``str`` subclasses and objects whose methods raise, hostile keys,
records with 20 000 fields, and a policy with 1 000 fields and 100 purposes. Each either yields
violations (``validate``) or an answer with reasons (``decide``: a denial, or the field dropped,
wherever the field is one the decision reads); ``enforce`` counts every record.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from gdprkit import (
    ARTICLES,
    ConsentLedger,
    Decision,
    Evidence,
    KeyRing,
    decide,
    enforce,
    load_policy,
    validate,
)
from gdprkit._decision import read_flag

POLICY = load_policy(Path(__file__).parents[2] / "examples" / "crm" / "policy.yaml")
PURPOSES = sorted(POLICY.purposes)
KEYS = KeyRing.generate()
AT = datetime(2025, 3, 1, 9, tzinfo=UTC)
BASE: dict[str, Any] = {
    "customer_id": "BV-0000001",
    "first_name": "Luca",
    "last_name": "Bruno",
    "email": "luca.bruno@gmail.com",
    "phone": "333 1234567",
    "birth_date": "26/01/1983",
    "country": "IT",
    "source": "store",
    "relationship": "customer",
    "last_purchase_at": "2025-01-10T09:00:00+00:00",
    "purchases_total": 28.32,
    "consent_marketing": "sì",
    "consent_marketing_at": "2025-01-05",
    "allergies": "arachidi",
}
TEN_MB = "x" * 10_000_000


class HostileStr(str):
    """A str subclass whose every method raises."""

    __slots__ = ()

    def __str__(self) -> str:
        raise RuntimeError("hostile __str__")

    def strip(self, chars: str | None = None) -> str:
        raise RuntimeError("hostile strip")

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("hostile __eq__")

    def __hash__(self) -> int:
        return 1


class Evil:
    """An object whose every dunder raises."""

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("hostile __eq__")

    def __hash__(self) -> int:
        raise RuntimeError("hostile __hash__")

    def __str__(self) -> str:
        raise RuntimeError("hostile __str__")

    def __repr__(self) -> str:
        raise RuntimeError("hostile __repr__")

    def __bool__(self) -> bool:
        raise RuntimeError("hostile __bool__")


def _deep(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = [value]
    return value


HOSTILE: dict[str, Any] = {
    "none": None,
    "nan": math.nan,
    "inf": math.inf,
    "minus-zero": -0.0,
    "bytes": b"\xff\xfe luca@example.it",
    "bytearray": bytearray(b"x"),
    "memoryview": memoryview(b"ab"),
    "huge-int": 10**5000,
    "huge-negative-int": -(10**5000),
    "decimal-nan": Decimal("NaN"),
    "decimal-snan": Decimal("sNaN"),
    "decimal-huge": Decimal("1e999999"),
    "complex": complex(1, 1),
    "nested-list": [1, [2, [3]]],
    "deep-list": _deep(5000),
    "nested-dict": {"a": {"b": {"c": 1}}},
    "set": {1, 2},
    "object": object(),
    "evil": Evil(),
    "hostile-str": HostileStr("store"),
    "type": type,
    "function": print,
    "ellipsis": ...,
    "ten-mb": TEN_MB,
    "ten-mb-email": "a" * 10_000_000 + "@example.it",
    "lone-surrogate": "\ud800",
    "nul": "\x00",
    "zero-width": "st\u200bore",
    "rtl-override": "\u202eerots",
    "fullwidth-email": "ｌｕｃａ@ｅｘａｍｐｌｅ.ｉｔ",
    "cyrillic-a-email": "luca@exаmple.it",
    "nfd": "sì".replace("ì", "i\u0300"),
    "fullwidth-digits-cf": "RSSMRA８５T10A562S",
    "long-s-cf": "RSSMRA85T10A562\u017f",
    "fullwidth-country": "ＩＴ",
    "year-0": "0000-01-01",
    "year-10000": "10000-01-01",
    "negative-year": "-0001-01-01",
    "edge-offset": "9999-12-31T23:59:59-14:00",
    "february-30": "2025-02-30",
    "far-future-dmy": "31/12/9999",
    "datetime-max": datetime.max,
    "datetime-min": datetime.min,
    "date-min": date.min,
    "date-max": date.max,
    "aware-max": datetime.max.replace(tzinfo=timezone(timedelta(hours=-23, minutes=-59))),
    "aware-min": datetime.min.replace(tzinfo=timezone(timedelta(hours=23))),
    "epoch-number": 1_700_000_000,
    "float-text": "1e308",
    "true": True,
    "false": False,
    "blank": "   ",
    "tab-newline": "\t\n",
}
# Values that are a consent flag, a listed source or a readable date on their own merits.
IS_A_FLAG = {"true", "nfd"}  # True, and "sì" written in NFD
LOOKS_VALID = {"hostile-str"}  # text "store" underneath: gdprkit reads the plain text


def test_the_corpus_is_large_and_diverse() -> None:
    assert len(HOSTILE) >= 50
    assert {type(v).__name__ for v in HOSTILE.values()} >= {
        "NoneType", "float", "bytes", "int", "Decimal", "list", "dict", "str", "datetime", "date",
    }  # fmt: skip


def _check_decision(decision: Decision) -> None:
    assert isinstance(decision, Decision)
    if decision.allowed:
        assert decision.reasons == ()
    else:
        assert len(decision.reasons) == 1
        assert decision.fields == frozenset()
    for reason in (*decision.reasons, *decision.dropped.values()):
        assert ARTICLES[reason.code] == reason.article
        assert reason.message


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("field", sorted(BASE))
def test_validate_reports_every_hostile_value(field: str, name: str) -> None:
    """validate never raises, and a hostile value in a formatted field (or of an unsupported
    type anywhere) is reported against that field; messages quote no value."""
    record = {**BASE, field: HOSTILE[name]}
    violations = validate(POLICY, record)
    for violation in violations:
        assert violation.code in {"value.invalid", "subject.missing", "field.undeclared"}
        assert "luca" not in violation.message.lower()
    value = HOSTILE[name]
    plain = value is None or isinstance(value, str | int | float | bool | Decimal | date)
    if not plain:
        assert any(v.field == field for v in violations)


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("field", sorted(BASE))
def test_decide_and_enforce_never_crash_on_hostile_values(field: str, name: str) -> None:
    """decide answers with reasons and enforce counts the record, for every purpose, with and
    without a ledger."""
    record = {**BASE, field: HOSTILE[name]}
    ledger = ConsentLedger()
    ledger.give("BV-0000001", "profiling", at=AT - timedelta(days=1), evidence=Evidence("app"))
    for purpose in PURPOSES:
        for consents in (None, ledger):
            _check_decision(decide(POLICY, record, purpose, at=AT, consents=consents))
            # enforce refuses to run a ledger-consent purpose without a source (§9): an empty one
            source = ConsentLedger() if consents is None else consents
            stream = enforce(POLICY, [record], purpose, at=AT, consents=source, keys=KEYS)
            out = list(stream)
            assert stream.processed + stream.denied == 1
            assert len(out) == stream.processed


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_values_where_the_decision_reads_them_fail_closed(name: str) -> None:
    """Where a field decides (consent flag and time, retention anchor, source, subject id), a
    hostile value denies the record or drops the fields it governs: it never lets data
    through."""
    value = HOSTILE[name]
    assert decide(POLICY, BASE, "newsletter", at=AT).allowed  # the base record is allowed

    flag = decide(POLICY, {**BASE, "consent_marketing": value}, "newsletter", at=AT)
    if name not in IS_A_FLAG:
        assert not flag.allowed
        assert flag.reasons[0].code == "consent.missing"

    given = decide(POLICY, {**BASE, "consent_marketing_at": value}, "newsletter", at=AT)
    if not given.allowed:
        assert given.reasons[0].code in {
            "consent.unproven",
            "consent.missing",
            "retention.expired",
            "retention.anchor_missing",
        }
    else:  # only a readable moment before `at` may stand in
        assert isinstance(value, date | str)

    anchor = decide(POLICY, {**BASE, "last_purchase_at": value}, "newsletter", at=AT)
    assert anchor.allowed
    if not isinstance(value, date | str) or name in {"ten-mb", "year-0", "lone-surrogate"}:
        assert anchor.dropped["purchases_total"].code == "retention.anchor_missing"
        assert "purchases_total" not in anchor.fields

    source = decide(POLICY, {**BASE, "source": value}, "newsletter", at=AT)
    if name not in LOOKS_VALID:
        assert not source.allowed
        assert source.reasons[0].code == "source.not_allowed"


@pytest.mark.parametrize(
    "name", ["none", "nan", "blank", "tab-newline", "evil", "huge-int", "lone-surrogate"]
)
def test_a_subject_id_without_readable_text_is_an_invalid_record_with_a_ledger(name: str) -> None:
    """Regression (armour): a subject id whose text cannot be read (hostile __str__, an int
    beyond the int-to-text limit, a lone surrogate) crashed decide and enforce when a ledger
    was given; it is now record.invalid, like a missing id."""
    record = {**BASE, "customer_id": HOSTILE[name]}
    decision = decide(POLICY, record, "contract", at=AT, consents=ConsentLedger())
    assert not decision.allowed
    assert decision.reasons[0].code == "record.invalid"
    rejected: list[Any] = []
    out = list(
        enforce(POLICY, [record], "contract", at=AT, consents=ConsentLedger(), rejected=rejected)
    )
    assert out == []
    assert rejected[0][1].reasons[0].code == "record.invalid"


def test_huge_ints_in_conditions_match_nothing() -> None:
    """Regression (armour): an int beyond the int-to-text limit in a `when` or source field
    raised ValueError; it now matches no listed value."""
    denied = decide(POLICY, {**BASE, "relationship": 10**5000}, "contract", at=AT)
    assert denied.reasons[0].code == "basis.not_applicable"
    denied = decide(POLICY, {**BASE, "source": 10**5000}, "newsletter", at=AT)
    assert denied.reasons[0].code == "source.not_allowed"


def test_str_subclasses_are_read_as_their_plain_text() -> None:
    """Regression (armour): a str subclass with raising methods crashed decide; gdprkit now reads
    the plain text underneath and never runs the subclass's methods."""
    assert read_flag(HostileStr("sì"))
    record = {
        **BASE,
        "source": HostileStr("store"),
        "consent_marketing": HostileStr("yes"),
        "consent_marketing_at": HostileStr("2025-01-05"),
        "country": HostileStr("IT"),
        "birth_date": HostileStr("2015-01-01"),
    }
    decision = decide(POLICY, record, "newsletter", at=AT)
    assert not decision.allowed
    assert decision.reasons[0].code == "consent.child"  # the birth date was read
    assert decide(POLICY, {**record, "birth_date": "1980-01-01"}, "newsletter", at=AT).allowed


@pytest.mark.parametrize(
    "at",
    [
        datetime.max.replace(tzinfo=UTC),
        datetime.max.replace(tzinfo=timezone(timedelta(hours=-23))),
        datetime.min.replace(tzinfo=UTC),
        datetime.min.replace(tzinfo=timezone(timedelta(hours=23))),
        datetime(2025, 3, 30, 2, 30, tzinfo=UTC).astimezone(timezone(timedelta(hours=1))),
    ],
)
def test_moments_at_the_edges_of_the_calendar(at: datetime) -> None:
    """Regression (armour): at the end of year 9999, the Art. 8 age check converted `at` into
    the policy's zone and overflowed; it now reads the date in UTC there."""
    for purpose in PURPOSES:
        _check_decision(decide(POLICY, BASE, purpose, at=at))
        stream = enforce(POLICY, [BASE], purpose, at=at, consents=ConsentLedger(), keys=KEYS)
        assert len(list(stream)) == stream.processed


def test_naive_at_is_an_error_not_a_guess() -> None:
    with pytest.raises(ValueError, match="aware"):
        decide(POLICY, BASE, "contract", at=datetime(2025, 1, 1))


class WeirdKeys(Mapping[Any, Any]):
    """A mapping with keys of every type, some unhashable in a tuple."""

    def __init__(self, items: list[tuple[Any, Any]]) -> None:
        self._items = items

    def __getitem__(self, key: Any) -> Any:
        for k, v in self._items:
            if k is key or (type(k) is str and type(key) is str and k == key):
                return v
        raise KeyError(key)

    def __iter__(self) -> Iterator[Any]:
        return iter([k for k, _ in self._items])

    def __len__(self) -> int:
        return len(self._items)


@pytest.mark.parametrize(
    "record",
    [
        {None: 1, "customer_id": "C-1"},
        {1: "one", (2, 3): "tuple", "customer_id": "C-1"},
        {"customer_id": "C-1", "": "blank name", "e\u0301mail": "nfd key", "ｅｍａｉｌ": "fw key"},
        {"customer_id": "C-1", **{f"field_{i}": i for i in range(20_000)}},
        WeirdKeys([("customer_id", "C-1"), (["list", "key"], 1), (Evil(), 2)]),
        [("customer_id", "C-1")],
        "customer_id=C-1",
        None,
        42,
    ],
    ids=[
        "none-key",
        "int-and-tuple-keys",
        "confusable-keys",
        "20k-fields",
        "unhashable-keys",
        "list",
        "text",
        "none",
        "int",
    ],
)
def test_hostile_keys_and_non_records(record: Any) -> None:
    """Undeclared keys of any type are violations and dropped fields; a non-mapping is
    record.invalid; nothing raises."""
    violations = validate(POLICY, record)
    assert violations
    for purpose in PURPOSES:
        decision = decide(POLICY, record, purpose, at=AT)
        _check_decision(decision)
        assert all(isinstance(name, str) and name in POLICY.fields for name in decision.fields)
        stream = enforce(POLICY, [record], purpose, at=AT, consents=ConsentLedger(), keys=KEYS)
        assert len(list(stream)) == stream.processed
        assert stream.processed + stream.denied == 1
    if not isinstance(record, Mapping):
        assert violations[0].code == "record.invalid"


def test_a_huge_policy_loads_and_decides() -> None:
    """1 000 fields, 100 purposes, 300 retention rules: loads, validates, decides, enforces."""
    fields = {f"f{i}": ("contact.email" if i % 10 == 0 else "meta") for i in range(1000)}
    fields["anchor"] = "meta"
    purposes = {
        f"p{j}": {
            "basis": "contract" if j % 2 else "legitimate_interests",
            "categories": ["meta", "contact"] if j % 3 else ["meta"],
            "retention": [{"period": f"P{j + 1}M", "from": "anchor"}] * 3,
        }
        for j in range(100)
    }
    policy = load_policy(
        {
            "version": 1,
            "controller": {"name": "X", "country": "IT", "contact": "p@x.it"},
            "fields": fields,
            "purposes": purposes,
        }
    )
    record = {name: "v@example.it" if i % 10 == 0 else "v" for i, name in enumerate(fields)}
    del record["f0"]
    record["anchor"] = "2025-01-01"
    assert validate(policy, record) == []
    for j in range(0, 100, 7):
        decision = decide(policy, record, f"p{j}", at=AT)
        _check_decision(decision)
        assert decision.allowed == (j >= 2)  # P1M and P2M from 1 January ended by 1 March
    out = list(enforce(policy, [record] * 50, "p50", at=AT))
    assert len(out) == 50
    assert len(out[0]) == 1000  # 1 001 declared, f0 absent from the record


def test_ten_megabyte_values_cost_no_more_than_short_ones() -> None:
    """Formats guard the length first: a 10 MB value in every field is checked quickly."""
    record = dict.fromkeys(BASE, TEN_MB)
    start = datetime.now(UTC)
    violations = validate(POLICY, record)
    for purpose in PURPOSES:
        decide(POLICY, record, purpose, at=AT)
    assert (datetime.now(UTC) - start) < timedelta(seconds=5)
    assert {v.field for v in violations} >= {"email", "phone", "birth_date", "country"}


def test_a_mapping_with_unhashable_keys_is_an_invalid_record() -> None:
    """Regression (armour): a Mapping whose keys cannot be hashed crashed decide (TypeError in
    the shape cache); it is now record.invalid."""
    record = WeirdKeys([("customer_id", "C-1"), (["list", "key"], 1)])
    decision = decide(POLICY, record, "analytics", at=AT)
    assert not decision.allowed
    assert decision.reasons[0].code == "record.invalid"
