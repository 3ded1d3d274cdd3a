"""Invariants of the decision engine, stated as hypothesis properties.

Records are drawn from the rules policy's fields (plus undeclared ones) with values that are
valid, malformed or hostile; ledgers from random event histories; moments from a decade.
"""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import dateutil.parser._parser as dateutil_internals
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gdprkit._time as gdprkit_time
from gdprkit import (
    ARTICLES,
    ConsentLedger,
    Decision,
    Evidence,
    KeyRing,
    decide,
    enforce,
    load_policy,
)

POLICY = load_policy(Path(__file__).parent / "data" / "rules_policy.yaml")
PURPOSES = sorted(POLICY.purposes)
KEYS = KeyRing.generate()
SUBJECTS = ("C-1", "C-2", "C-3")
VOCABULARY = " ".join([*POLICY.fields, *POLICY.purposes])
START = datetime(2018, 1, 1, tzinfo=UTC)

moments = st.datetimes(
    min_value=datetime(2018, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
)
dates_as_text = st.one_of(
    st.dates(min_value=date(1930, 1, 1), max_value=date(2030, 1, 1)).map(str),
    st.dates(min_value=date(1930, 1, 1), max_value=date(2030, 1, 1)).map(
        lambda d: d.strftime("%d/%m/%Y")
    ),
    moments.map(datetime.isoformat),
)
hostile = st.one_of(
    st.none(),
    st.text(max_size=20),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.binary(max_size=8),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "customer_id": st.sampled_from(SUBJECTS),
    "name": st.sampled_from(["Giulia Bianchi", "Luca Rossi"]),
    "email": st.sampled_from(["giulia.b@example.it", "luca.r@example.it", ""]),
    "phone": st.sampled_from(["+39 333 1234567", "3331234567"]),
    "birth_date": dates_as_text,
    "country": st.sampled_from(["IT", "DE", "FR", "XX", " it "]),
    "source": st.sampled_from(["web_form", "store", "social_network", "app", "Store"]),
    "relationship": st.sampled_from(["customer", "lead"]),
    "last_purchase_at": dates_as_text,
    "purchases_total": st.floats(min_value=0, max_value=10_000),
    "invoice_total": st.floats(min_value=0, max_value=10_000),
    "invoice_date": dates_as_text,
    "notes": st.sampled_from(["prefers mornings", "ha chiesto un rimborso"]),
    "allergies": st.sampled_from(["arachidi", "glutine"]),
    "convictions": st.just("none recorded"),
    "consent_marketing": st.sampled_from([True, False, "sì", "no", "1", "0", "maybe", 1]),
    "consent_marketing_at": dates_as_text,
    "consent_explicit": st.sampled_from([True, False, "yes"]),
    "consent_parental": st.booleans(),
}


@st.composite
def records(draw: st.DrawFn, hostile_values: bool = True) -> dict[str, Any]:
    names = draw(st.sets(st.sampled_from(sorted(VALUES)), min_size=1))
    record: dict[str, Any] = {}
    for name in sorted(names):
        strategy = VALUES[name]
        if hostile_values:
            strategy = st.one_of(strategy, hostile) if name != "customer_id" else strategy
        record[name] = draw(strategy)
    if draw(st.booleans()):
        record[draw(st.sampled_from(["loyalty_tier", "ssn", "Email"]))] = "undeclared value"
    return record


@st.composite
def ledgers(draw: st.DrawFn) -> ConsentLedger:
    ledger = ConsentLedger()
    for _ in range(draw(st.integers(0, 8))):
        subject = draw(st.sampled_from(SUBJECTS))
        at = draw(moments)
        kind = draw(st.sampled_from(["give", "give", "withdraw", "object", "restrict", "erase"]))
        purpose = draw(st.sampled_from(PURPOSES))
        if kind == "give":
            ledger.give(
                subject,
                purpose,
                at=at,
                evidence=draw(st.sampled_from([None, Evidence("web_form", "v1")])),
                explicit=draw(st.booleans()),
                parental=draw(st.booleans()),
            )
        elif kind == "withdraw":
            ledger.withdraw(subject, purpose, at=at)
        elif kind == "object":
            ledger.object(subject, at=at, purpose=draw(st.sampled_from([None, purpose])))
        elif kind == "restrict":
            ledger.restrict(subject, at=at)
        else:
            ledger.request_erasure(subject, at=at)
    return ledger


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(record=records(), purpose=st.sampled_from(PURPOSES), at=moments, ledger=ledgers())
def test_allowed_fields_are_a_partition_of_the_record(
    record: dict[str, Any], purpose: str, at: datetime, ledger: ConsentLedger
) -> None:
    """An allowed decision splits the record's fields into allowed and dropped, nothing else;
    undeclared fields are never allowed; what `apply` outputs is a subset of the allowed."""
    decision = decide(POLICY, record, purpose, at=at, consents=ledger)
    if not decision.allowed:
        return
    assert decision.fields | set(decision.dropped) == set(record)
    assert decision.fields.isdisjoint(decision.dropped)
    assert all(name in POLICY.fields for name in decision.fields)
    assert set(decision.apply(record, KEYS)) <= decision.fields


@PROPERTY
@given(record=records(), purpose=st.sampled_from(PURPOSES), at=moments, ledger=ledgers())
def test_a_denial_has_exactly_one_reason_and_lets_nothing_through(
    record: dict[str, Any], purpose: str, at: datetime, ledger: ConsentLedger
) -> None:
    """A denied decision carries one reason with a known code and article, no fields, no
    validity, and applies to nothing."""
    decision = decide(POLICY, record, purpose, at=at, consents=ledger)
    if decision.allowed:
        assert decision.reasons == ()
        return
    (reason,) = decision.reasons
    assert ARTICLES[reason.code] == reason.article
    assert decision.fields == frozenset()
    assert decision.valid_until is None
    assert decision.apply(record, KEYS) == {}


@PROPERTY
@given(
    batch=st.lists(records(), max_size=12),
    purpose=st.sampled_from(PURPOSES),
    at=moments,
    ledger=ledgers(),
)
def test_enforce_yields_exactly_what_decide_allows(
    batch: list[dict[str, Any]], purpose: str, at: datetime, ledger: ConsentLedger
) -> None:
    """enforce never yields a denied record, never loses an allowed one, and yields what
    decide+apply give; every denied record reaches `rejected`, counted by its reason."""
    rejected: list[Any] = []
    stream = enforce(POLICY, batch, purpose, at=at, consents=ledger, keys=KEYS, rejected=rejected)
    out = list(stream)
    decisions = [decide(POLICY, r, purpose, at=at, consents=ledger) for r in batch]
    assert out == [d.apply(r, KEYS) for r, d in zip(batch, decisions, strict=True) if d.allowed]
    assert [r for r, _ in rejected] == [r for r, d in zip(batch, decisions, strict=True) if not d]
    assert stream.processed == len(out)
    assert stream.denied == len(rejected)


@PROPERTY
@given(record=records(), purpose=st.sampled_from(PURPOSES), at=moments, ledger=ledgers())
def test_no_message_contains_a_value_of_the_record(
    record: dict[str, Any], purpose: str, at: datetime, ledger: ConsentLedger
) -> None:
    """Reasons name fields, purposes and articles, never values."""
    decision = decide(POLICY, record, purpose, at=at, consents=ledger)
    texts = [str(r) for r in (*decision.reasons, *decision.dropped.values())]
    values = [v for v in record.values() if isinstance(v, str) and len(v.strip()) >= 4]
    for text in texts:
        for value in values:
            if value.strip() in VOCABULARY:
                continue  # a value that is part of a field or purpose name is not a leak
            assert value.strip() not in text


@PROPERTY
@given(record=records(hostile_values=False), purpose=st.sampled_from(PURPOSES), at=moments)
def test_the_answer_changes_no_earlier_than_valid_until(
    record: dict[str, Any], purpose: str, at: datetime
) -> None:
    """Just before `valid_until` the answer is the same; at it, something has expired."""
    decision = decide(POLICY, record, purpose, at=at)
    if not decision.allowed or decision.valid_until is None:
        return
    assert decision.valid_until > at
    before = decide(POLICY, record, purpose, at=decision.valid_until - timedelta(microseconds=1))
    assert (before.allowed, before.fields) == (True, decision.fields)
    after = decide(POLICY, record, purpose, at=decision.valid_until)
    assert not after.allowed or after.fields < decision.fields


@PROPERTY
@given(record=records(), at=moments)
def test_without_consent_no_consent_purpose_allows(record: dict[str, Any], at: datetime) -> None:
    """Fail closed: a false consent flag, or an empty ledger, never allows a consent purpose."""
    record = {**record, "consent_marketing": False}
    for purpose, spec in POLICY.purposes.items():
        if spec.basis == "consent":
            assert not decide(POLICY, record, purpose, at=at, consents=ConsentLedger()).allowed


@PROPERTY
@given(record=records(), purpose=st.sampled_from(PURPOSES), at=moments)
def test_unreadable_anchors_never_let_a_retained_field_through(
    record: dict[str, Any], purpose: str, at: datetime
) -> None:
    """A retention rule whose date is missing or unreadable counts as expired."""
    record = {**record, "last_purchase_at": "not a date"}
    decision = decide(POLICY, record, purpose, at=at)
    rules = POLICY.purposes[purpose].retention
    if any(r.from_ == "last_purchase_at" and r.categories is None for r in rules):
        assert not decision.allowed
    elif any(r.from_ == "last_purchase_at" for r in rules):
        assert "purchases_total" not in decision.fields
        assert "last_purchase_at" not in decision.fields


@PROPERTY
@given(record=records(), purpose=st.sampled_from(PURPOSES), at=moments, ledger=ledgers())
def test_erasure_and_restriction_stop_every_purpose_but_legal_duties(
    record: dict[str, Any], purpose: str, at: datetime, ledger: ConsentLedger
) -> None:
    """Art. 17 and 18: after an erasure request only legal obligations go on; a restriction
    stops everything."""
    subject = record.get("customer_id")
    if subject is None:
        return
    ledger.request_erasure(subject, at=START)
    decision = decide(POLICY, record, purpose, at=at, consents=ledger)
    if POLICY.purposes[purpose].basis != "legal_obligation":
        assert not decision.allowed
    ledger.restrict(subject, at=START)
    assert not decide(POLICY, record, purpose, at=at, consents=ledger).allowed


@PROPERTY
@given(record=records(), purpose=st.sampled_from(PURPOSES), at=moments)
def test_decisions_are_deterministic_and_pure(
    record: dict[str, Any], purpose: str, at: datetime
) -> None:
    """The same inputs give the same decision, and deciding does not change the record."""
    snapshot = dict(record)
    first = decide(POLICY, record, purpose, at=at)
    second = decide(POLICY, record, purpose, at=at)
    assert first == second
    assert record == snapshot


# --------------------------------------------------------------------------------------------
# Wall-clock independence (design.md §6 "Reading values"): nothing is completed from the clock,
# so a decision with an explicit `at` depends only on its arguments.

CLOCKS = (datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC), datetime(2087, 11, 29, 23, 59, 58, tzinfo=UTC))
# Text that lacks a year, a month or a day, or a date altogether: what a reader completing
# from the clock would read differently under the two clocks.
PARTIAL_DATES = st.sampled_from(
    [
        "1 Mar",
        "15/01",
        "00:00",
        "23:59:59",
        "T10:00",
        "Mar 2025",
        "March 1",
        "1 marzo",
        "marzo 2025",
        "2025-03",
        "2025",
        "15",
        "1/7/45",
        "01/02/25",
        "today",
        "10:00 1 Mar",
    ]
)
DATE_FIELDS = ("birth_date", "last_purchase_at", "invoice_date", "consent_marketing_at")


@contextmanager
def frozen_clock(moment: datetime) -> Iterator[None]:
    """The wall clock as gdprkit and dateutil see it, frozen at ``moment``.

    ``gdprkit._time.utc_now`` (the faces' one reading of the clock) and dateutil's own
    ``datetime.datetime.now`` (which completes a date that lacks parts when no default is given).
    """

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Frozen:  # type: ignore[override]
            value = cls(*moment.timetuple()[:6], tzinfo=UTC)
            return value.replace(tzinfo=None) if tz is None else value.astimezone(tz)

        @classmethod
        def today(cls) -> Frozen:
            return cls.now()

        @classmethod
        def utcnow(cls) -> Frozen:  # type: ignore[override]
            return cls.now()

    fake: Any = types.SimpleNamespace(**{**vars(dt), "datetime": Frozen})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(gdprkit_time, "utc_now", lambda: moment)
        patch.setattr(dateutil_internals, "datetime", fake)
        yield


def test_the_frozen_clocks_reach_gdprkit_and_dateutil() -> None:
    """The harness works: under each clock, `at=None` is that clock's moment and dateutil,
    asked without a default, completes from it."""
    record = {"customer_id": "C-1", "relationship": "customer", "last_purchase_at": "2000-01-01"}
    for moment in CLOCKS:
        with frozen_clock(moment):
            assert decide(POLICY, record, "contract").at == moment
            assert dateutil_internals.parse("1 Mar").year == moment.year


def _snapshot(decision: Decision) -> tuple[object, ...]:
    return (
        decision.allowed,
        decision.reasons,
        decision.fields,
        dict(decision.dropped),
        decision.valid_until,
    )


@st.composite
def clockless_records(draw: st.DrawFn) -> dict[str, Any]:
    """Records whose date fields often hold text that lacks part of a date."""
    record = draw(records(hostile_values=False))
    for name in DATE_FIELDS:
        if draw(st.booleans()):
            record[name] = draw(PARTIAL_DATES)
    return record


@PROPERTY
@given(
    record=clockless_records(),
    purpose=st.sampled_from(PURPOSES),
    at=moments,
    history=st.lists(
        st.tuples(st.sampled_from(["give", "withdraw", "object"]), moments), max_size=4
    ),
)
def test_the_answer_does_not_depend_on_the_wall_clock(
    record: dict[str, Any], purpose: str, at: datetime, history: list[tuple[str, datetime]]
) -> None:
    """decide's answer with an explicit `at` is the same under two frozen clocks 86 years
    apart, whatever the record's dates say (partial dates included)."""
    answers = []
    for moment in CLOCKS:
        with frozen_clock(moment):
            ledger = ConsentLedger()
            subject = record.get("customer_id", "C-1")
            for kind, when in history:
                if kind == "give":
                    ledger.give(subject, purpose, at=when, evidence=Evidence("web_form", "v1"))
                elif kind == "withdraw":
                    ledger.withdraw(subject, purpose, at=when)
                else:
                    ledger.object(subject, at=when, purpose=purpose)
            answers.append(_snapshot(decide(POLICY, record, purpose, at=at, consents=ledger)))
            answers.append(_snapshot(decide(POLICY, record, purpose, at=at)))
    assert answers[0] == answers[2]
    assert answers[1] == answers[3]


@pytest.mark.parametrize("text", ["1 Mar", "15/01", "00:00", "1 marzo", "2025-03"])
def test_partial_dates_are_unreadable_under_every_clock(text: str) -> None:
    """Concrete cases: a consent time is no proof, a retention anchor is missing, a birth date
    present but unreadable is a child's — whatever the clock says."""
    base = {
        "customer_id": "C-1",
        "email": "giulia.b@example.it",
        "source": "web_form",
        "relationship": "customer",
        "country": "IT",
        "birth_date": "12/05/1990",
        "last_purchase_at": "2025-03-10",
        "consent_marketing": True,
        "consent_marketing_at": "2025-01-15",
    }
    at = datetime(2025, 6, 1, 12, tzinfo=UTC)
    for moment in CLOCKS:
        with frozen_clock(moment):
            codes = {
                "consent_marketing_at": decide(
                    POLICY, {**base, "consent_marketing_at": text}, "newsletter", at=at
                )
                .reasons[0]
                .code,
                "last_purchase_at": decide(
                    POLICY, {**base, "last_purchase_at": text}, "contract", at=at
                )
                .reasons[0]
                .code,
                "birth_date": decide(POLICY, {**base, "birth_date": text}, "newsletter", at=at)
                .reasons[0]
                .code,
            }
            assert codes == {
                "consent_marketing_at": "consent.unproven",
                "last_purchase_at": "retention.anchor_missing",
                "birth_date": "consent.child",
            }


# --------------------------------------------------------------------------------------------
# Missing means missing, and the consent source has the last word (design.md §6).

MISSING_SPELLINGS = st.sampled_from(
    [None, "", "   ", float("nan"), pd.NaT, pd.NA, np.float64("nan"), np.datetime64("NaT")]
)


@PROPERTY
@given(
    record=records(),
    purpose=st.sampled_from(PURPOSES),
    at=moments,
    data=st.data(),
)
def test_every_spelling_of_missing_gives_the_answer_of_none(
    record: dict[str, Any], purpose: str, at: datetime, data: st.DataObject
) -> None:
    """Whatever spells a missing value (None, NaN, NaT, NA, blank text), decide answers as for
    None."""
    names = data.draw(st.sets(st.sampled_from(sorted(record)), min_size=1))
    as_none = {k: (None if k in names else v) for k, v in record.items()}
    spelt = {k: (data.draw(MISSING_SPELLINGS) if k in names else v) for k, v in record.items()}
    assert _snapshot(decide(POLICY, spelt, purpose, at=at)) == _snapshot(
        decide(POLICY, as_none, purpose, at=at)
    )


COLUMN_PURPOSES = sorted(
    name for name, p in POLICY.purposes.items() if p.consent is not None and p.consent.field
)


@PROPERTY
@given(
    record=records(hostile_values=False),
    purpose=st.sampled_from(COLUMN_PURPOSES),
    at=moments,
    data=st.data(),
)
def test_a_withdrawal_in_the_source_after_the_columns_consent_always_denies(
    record: dict[str, Any], purpose: str, at: datetime, data: st.DataObject
) -> None:
    """Consent read from columns: a withdrawal the source records at or after the column's
    `at` (and by `at`), or an objection naming the purpose, never lets the record through."""
    consent = POLICY.purposes[purpose].consent
    assert consent is not None
    record = {**record, "customer_id": "C-1"}
    given_at = gdprkit_time.parse_instant(
        record.get(consent.at or ""), gdprkit_time.zone("Europe/Rome"), True
    )
    start = given_at if given_at is not None else START
    if start > at:
        return
    ledger = ConsentLedger()
    if data.draw(st.booleans()):
        span = (at - start).total_seconds()
        when = start + timedelta(seconds=data.draw(st.floats(0, span)) if span > 0 else 0)
        ledger.withdraw("C-1", purpose, at=min(max(when, start), at))
    else:
        ledger.object("C-1", at=data.draw(moments.filter(lambda m: m <= at)), purpose=purpose)
    assert not decide(POLICY, record, purpose, at=at, consents=ledger).allowed


@PROPERTY
@given(record=records(hostile_values=False), purpose=st.sampled_from(PURPOSES), at=moments)
def test_numpy_flags_read_as_python_flags(
    record: dict[str, Any], purpose: str, at: datetime
) -> None:
    """numpy booleans and integers read as the Python values they hold."""
    numpyfied = {
        k: (np.bool_(v) if isinstance(v, bool) else np.int64(v) if type(v) is int else v)
        for k, v in record.items()
    }
    assert _snapshot(decide(POLICY, numpyfied, purpose, at=at)) == _snapshot(
        decide(POLICY, record, purpose, at=at)
    )
