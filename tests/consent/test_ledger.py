"""The consent ledger on every backend: what it answers about a moment, how it keeps history.

Every test taking the ``ledger`` fixture runs three times: in memory, on a SQLite file and on
PostgreSQL (see ``conftest.py``); the backends must be indistinguishable through the facade.
The state table has one row per situation of design.md §8: what the ledger was told, when the
question is asked, and what it must answer. What only SQL storage does (persistence, tampering
with the file, several processes) is in ``test_ledger_sql.py``.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdprkit import ConfigurationError, ConsentLedger, ConsentState, Evidence, LedgerError
from gdprkit._consent import (
    NO_CONSENT,
    BulkConsentSource,
    ConsentEvent,
    ConsentSource,
    EventKind,
)

AT = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
WEB = Evidence("web_form", notice_version="2025-01", reference="form-17")
SUBJECT = "C-1001"

Step = Callable[[ConsentLedger], object]


def give(days_before: int = 10, purpose: str = "newsletter", **kw: Any) -> Step:
    return lambda lg: lg.give(SUBJECT, purpose, at=AT - days_before * DAY, **kw)


def withdraw(days_before: int, purpose: str = "newsletter") -> Step:
    return lambda lg: lg.withdraw(SUBJECT, purpose, at=AT - days_before * DAY)


@dataclass
class Case:
    id: str
    steps: list[Step]
    expect: dict[str, Any] = field(default_factory=dict)  # fields differing from NO_CONSENT
    purpose: str = "newsletter"
    at: datetime = AT


CASES = [
    Case("nothing recorded", []),
    Case(
        "given",
        [give(10, evidence=WEB)],
        {"status": "given", "given_at": AT - 10 * DAY, "evidence": WEB},
    ),
    Case("given for another purpose", [give(10, purpose="profiling")]),
    Case(
        "given then withdrawn",
        [give(10), withdraw(5)],
        {"status": "withdrawn", "given_at": AT - 10 * DAY, "withdrawn_at": AT - 5 * DAY},
    ),
    Case(
        "withdrawn then given again",
        [give(10), withdraw(5), give(2, evidence=WEB, explicit=True)],
        {"status": "given", "given_at": AT - 2 * DAY, "evidence": WEB, "explicit": True},
    ),
    Case(
        "asked between withdrawal and the new consent",
        [give(10), withdraw(5), give(2)],
        {"status": "withdrawn", "given_at": AT - 10 * DAY, "withdrawn_at": AT - 5 * DAY},
        at=AT - 3 * DAY,
    ),
    Case(
        "withdrawn twice: withdrawn when the consent ended",
        [give(10), withdraw(5), withdraw(3)],
        {"status": "withdrawn", "given_at": AT - 10 * DAY, "withdrawn_at": AT - 5 * DAY},
    ),
    Case(
        "withdrawn without a consent on record",
        [withdraw(5)],
        {"status": "withdrawn", "withdrawn_at": AT - 5 * DAY},
    ),
    Case("asked before the give", [give(10)], at=AT - 11 * DAY),
    Case(
        "asked at the very moment of the give",
        [give(10)],
        {"status": "given", "given_at": AT - 10 * DAY},
        at=AT - 10 * DAY,
    ),
    Case(
        "withdrawal after the moment asked about",
        [give(10), withdraw(1)],
        {"status": "given", "given_at": AT - 10 * DAY},
        at=AT - 2 * DAY,
    ),
    Case(
        "objection to this purpose",
        [give(10), lambda lg: lg.object(SUBJECT, at=AT - DAY, purpose="newsletter")],
        {"status": "given", "given_at": AT - 10 * DAY, "objected": True},
    ),
    Case(
        "objection to another purpose",
        [lambda lg: lg.object(SUBJECT, at=AT - DAY, purpose="profiling")],
    ),
    Case(
        "objection after the moment asked about",
        [lambda lg: lg.object(SUBJECT, at=AT + DAY, purpose="newsletter")],
    ),
    Case(
        "objection to all direct marketing (Art. 21(3))",
        [lambda lg: lg.object(SUBJECT, at=AT - DAY)],
        {"objected_direct_marketing": True},
    ),
    Case(
        "restricted (Art. 18)",
        [lambda lg: lg.restrict(SUBJECT, at=AT - 2 * DAY)],
        {"restricted": True},
    ),
    Case(
        "restricted then lifted",
        [
            lambda lg: lg.restrict(SUBJECT, at=AT - 2 * DAY),
            lambda lg: lg.lift_restriction(SUBJECT, at=AT - DAY),
        ],
    ),
    Case(
        "restricted, asked before the lift",
        [
            lambda lg: lg.restrict(SUBJECT, at=AT - 2 * DAY),
            lambda lg: lg.lift_restriction(SUBJECT, at=AT - DAY),
        ],
        {"restricted": True},
        at=AT - DAY - timedelta(seconds=1),
    ),
    Case(
        "lift backfilled before the restriction does not lift it",
        [
            lambda lg: lg.restrict(SUBJECT, at=AT - 2 * DAY),
            lambda lg: lg.lift_restriction(SUBJECT, at=AT - 3 * DAY),
        ],
        {"restricted": True},
    ),
    Case(
        "erasure requested (Art. 17)",
        [give(10), lambda lg: lg.request_erasure(SUBJECT, at=AT - DAY)],
        {"status": "given", "given_at": AT - 10 * DAY, "erasure_requested": True},
    ),
    Case(
        "erasure requested after the moment asked about",
        [lambda lg: lg.request_erasure(SUBJECT, at=AT + DAY)],
    ),
    Case(
        "explicit and parental flags carried",
        [give(10, explicit=True, parental=True, evidence=WEB)],
        {
            "status": "given",
            "given_at": AT - 10 * DAY,
            "explicit": True,
            "parental": True,
            "evidence": WEB,
        },
    ),
    Case(
        "flags of a withdrawn consent are not carried",
        [give(10, explicit=True, parental=True, evidence=WEB), withdraw(5)],
        {"status": "withdrawn", "given_at": AT - 10 * DAY, "withdrawn_at": AT - 5 * DAY},
    ),
    Case(
        "a new consent carries its own evidence, not the old one's",
        [give(10, evidence=WEB), give(5)],
        {"status": "given", "given_at": AT - 5 * DAY},
    ),
    Case(
        "backfill: events recorded out of chronological order",
        [withdraw(5), give(10, evidence=WEB)],
        {"status": "withdrawn", "given_at": AT - 10 * DAY, "withdrawn_at": AT - 5 * DAY},
    ),
    Case(
        "backfill: asked between the backfilled events",
        [withdraw(5), give(10, evidence=WEB)],
        {"status": "given", "given_at": AT - 10 * DAY, "evidence": WEB},
        at=AT - 7 * DAY,
    ),
    Case(
        "same moment: the later-recorded event wins",
        [give(5), withdraw(5)],
        {"status": "withdrawn", "given_at": AT - 5 * DAY, "withdrawn_at": AT - 5 * DAY},
    ),
    Case(
        "same moment, other order: the later-recorded event wins",
        [withdraw(5), give(5)],
        {"status": "given", "given_at": AT - 5 * DAY},
    ),
    Case(
        "legal hold (Art. 17(3)(e))",
        [give(10), lambda lg: lg.hold(SUBJECT, at=AT - DAY, reference="case 2025/117")],
        {"status": "given", "given_at": AT - 10 * DAY, "held": True},
    ),
    Case(
        "legal hold released",
        [
            lambda lg: lg.hold(SUBJECT, at=AT - 5 * DAY, reference="case 2025/117"),
            lambda lg: lg.release_hold(SUBJECT, at=AT - DAY),
        ],
    ),
    Case(
        "legal hold placed again after a release",
        [
            lambda lg: lg.hold(SUBJECT, at=AT - 5 * DAY, reference="case 2025/117"),
            lambda lg: lg.release_hold(SUBJECT, at=AT - 3 * DAY),
            lambda lg: lg.hold(SUBJECT, at=AT - DAY, reference="case 2025/208"),
        ],
        {"held": True},
    ),
    Case(
        "legal hold with an erasure request: both known",
        [
            lambda lg: lg.request_erasure(SUBJECT, at=AT - 2 * DAY),
            lambda lg: lg.hold(SUBJECT, at=AT - DAY, reference="case 2025/117"),
        ],
        {"erasure_requested": True, "held": True},
    ),
    Case(
        "legal hold after the moment asked about",
        [lambda lg: lg.hold(SUBJECT, at=AT + DAY, reference="case 2025/117")],
    ),
    Case(
        "another subject's events do not count",
        [lambda lg: lg.give("C-2002", "newsletter", at=AT - DAY, evidence=WEB)],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_state_at_a_moment(case: Case, ledger: ConsentLedger) -> None:
    for step in case.steps:
        step(ledger)
    expected = replace(NO_CONSENT, **case.expect)
    assert ledger.state(SUBJECT, case.purpose, at=case.at) == expected
    assert ledger.states([SUBJECT], case.purpose, at=case.at) == {SUBJECT: expected}
    ledger.verify()


def test_no_consent_is_the_contract_constant() -> None:
    assert (
        ConsentState("none", None, None, False, False, None, False, False, False, False)
        == NO_CONSENT
    )
    with pytest.raises(ValueError, match="status"):
        ConsentState("granted", None, None, False, False, None, False, False, False, False)  # type: ignore[arg-type]


def test_the_moment_asked_about_may_be_in_any_time_zone(ledger: ConsentLedger) -> None:
    rome = timezone(timedelta(hours=2))
    ledger.give(SUBJECT, "newsletter", at=datetime(2025, 6, 1, 14, 0, tzinfo=rome))
    assert ledger.state(SUBJECT, "newsletter", at=AT).status == "given"  # 12:00 UTC
    assert ledger.state(SUBJECT, "newsletter", at=AT - timedelta(microseconds=1)).status == "none"
    assert ledger.state(SUBJECT, "newsletter", at=AT).given_at == AT


# -- arguments ------------------------------------------------------------------------------

WRITES: dict[str, Callable[[ConsentLedger, Any], object]] = {
    "give": lambda lg, at: lg.give(SUBJECT, "newsletter", at=at),
    "withdraw": lambda lg, at: lg.withdraw(SUBJECT, "newsletter", at=at),
    "object": lambda lg, at: lg.object(SUBJECT, at=at),
    "object to a purpose": lambda lg, at: lg.object(SUBJECT, at=at, purpose="newsletter"),
    "restrict": lambda lg, at: lg.restrict(SUBJECT, at=at),
    "lift_restriction": lambda lg, at: lg.lift_restriction(SUBJECT, at=at),
    "request_erasure": lambda lg, at: lg.request_erasure(SUBJECT, at=at),
    "hold": lambda lg, at: lg.hold(SUBJECT, at=at, reference="case 1"),
    "release_hold": lambda lg, at: lg.release_hold(SUBJECT, at=at),
    "state": lambda lg, at: lg.state(SUBJECT, "newsletter", at=at),
    "states": lambda lg, at: lg.states([SUBJECT], "newsletter", at=at),
}


@pytest.mark.parametrize("call", WRITES.values(), ids=list(WRITES))
@pytest.mark.parametrize("at", [datetime(2025, 6, 1, 12, 0), None], ids=["naive", "None"])
def test_a_naive_or_missing_moment_is_refused(
    call: Callable[[ConsentLedger, Any], object], at: datetime | None, ledger: ConsentLedger
) -> None:
    with pytest.raises(ValueError, match="aware datetime"):
        call(ledger, at)
    assert ledger.events(SUBJECT) == []


def test_at_is_keyword_only_and_required(ledger: ConsentLedger) -> None:
    with pytest.raises(TypeError):
        ledger.give(SUBJECT, "newsletter")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        ledger.state(SUBJECT, "newsletter", AT)  # type: ignore[call-arg]


@pytest.mark.parametrize("subject", ["", "   ", None])
def test_an_empty_subject_is_refused_on_write_and_unknown_on_look_up(
    subject: str | None, ledger: ConsentLedger
) -> None:
    with pytest.raises(ConfigurationError, match="subject id must not be empty"):
        ledger.give(subject, "newsletter", at=AT)
    with pytest.raises(ValueError, match="subject id must not be empty"):
        ledger.request_erasure(subject, at=AT)
    assert ledger.head() == "0" * 64
    # A look-up about no id knows nothing about it (decide denies such a record before asking).
    assert ledger.state(subject, "newsletter", at=AT) is NO_CONSENT
    assert ledger.states(["C-1", subject], "newsletter", at=AT) == {"C-1": NO_CONSENT}
    assert ledger.events(subject) == []


@pytest.mark.parametrize("purpose", ["", " "])
def test_an_empty_purpose_is_refused(purpose: str, ledger: ConsentLedger) -> None:
    with pytest.raises(ValueError, match="purpose must not be empty"):
        ledger.give(SUBJECT, purpose, at=AT)
    with pytest.raises(ValueError, match="purpose must not be empty"):
        ledger.object(SUBJECT, at=AT, purpose=purpose)
    with pytest.raises(ValueError, match="purpose must not be empty"):
        ledger.state(SUBJECT, purpose, at=AT)


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda lg: lg.give(True, "newsletter", at=AT), ConfigurationError),
        (lambda lg: lg.give(1.5, "newsletter", at=AT), ConfigurationError),
        (lambda lg: lg.give(SUBJECT, None, at=AT), TypeError),
        (lambda lg: lg.give(SUBJECT, "newsletter", at=AT, evidence="web_form"), TypeError),
        (lambda lg: lg.give(SUBJECT, "newsletter", at=AT, explicit="yes"), TypeError),
        (lambda lg: lg.give(SUBJECT, "newsletter", at=AT, parental=1), TypeError),
        (lambda lg: lg.give("C-\udc80", "newsletter", at=AT), ConfigurationError),
    ],
    ids=[
        "bool subject",
        "float subject",
        "no purpose",
        "evidence text",
        "flag text",
        "flag 1",
        "bad text",
    ],
)
def test_malformed_arguments_are_refused(
    call: Callable[[ConsentLedger], object], error: type, ledger: ConsentLedger
) -> None:
    with pytest.raises(error):
        call(ledger)
    assert ledger.head() == "0" * 64


def test_integer_subject_ids_are_stored_as_text(ledger: ConsentLedger) -> None:
    event = ledger.give(1001, "newsletter", at=AT - DAY, evidence=WEB)
    assert event.subject == "1001"
    assert ledger.state("1001", "newsletter", at=AT).status == "given"
    assert ledger.state(1001, "newsletter", at=AT).status == "given"
    assert ledger.events(1001) == ledger.events("1001") == [event]
    assert ledger.states([1001, 2002], "newsletter", at=AT) == {
        "1001": ledger.state(1001, "newsletter", at=AT),
        "2002": NO_CONSENT,
    }


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"method": ""}, ValueError), ({"method": "app", "reference": 17}, TypeError)],
)
def test_evidence_needs_a_method_and_text(kwargs: dict[str, Any], error: type) -> None:
    with pytest.raises(error):
        Evidence(**kwargs)


def test_evidence_is_frozen() -> None:
    with pytest.raises(AttributeError):
        WEB.method = "paper_form"  # type: ignore[misc]


# -- events and history ---------------------------------------------------------------------


def test_every_write_returns_the_event_it_appended(ledger: ConsentLedger) -> None:
    rome = timezone(timedelta(hours=2))
    given_event = ledger.give(
        SUBJECT, "newsletter", at=AT.astimezone(rome), evidence=WEB, explicit=True
    )
    assert given_event.seq == 1
    assert given_event.kind is EventKind.GIVEN
    assert given_event.subject == SUBJECT
    assert given_event.purpose == "newsletter"
    assert given_event.at == AT
    assert given_event.at.tzinfo is UTC
    assert given_event.recorded_at is not None
    assert given_event.recorded_at.tzinfo is UTC
    assert (given_event.explicit, given_event.parental, given_event.evidence) == (True, False, WEB)
    assert given_event.prev_hash == "0" * 64
    assert ledger.head() == given_event.hash

    kinds = [
        ledger.withdraw(SUBJECT, "newsletter", at=AT).kind,
        ledger.object(SUBJECT, at=AT).kind,
        ledger.restrict(SUBJECT, at=AT).kind,
        ledger.lift_restriction(SUBJECT, at=AT).kind,
        ledger.request_erasure(SUBJECT, at=AT).kind,
    ]
    assert kinds == [
        EventKind.WITHDRAWN,
        EventKind.OBJECTION,
        EventKind.RESTRICTION,
        EventKind.RESTRICTION_LIFTED,
        EventKind.ERASURE_REQUESTED,
    ]
    assert [e.purpose for e in ledger.events(SUBJECT)[2:]] == [None] * 4


def test_events_are_the_full_history_of_one_subject_in_the_order_recorded(
    ledger: ConsentLedger,
) -> None:
    a = ledger.give(SUBJECT, "newsletter", at=AT - DAY)
    ledger.give("C-2002", "newsletter", at=AT - DAY)
    b = ledger.withdraw(SUBJECT, "newsletter", at=AT)
    c = ledger.give(SUBJECT, "newsletter", at=AT - 30 * DAY)  # backfilled
    assert ledger.events(SUBJECT) == [a, b, c]
    assert [e.seq for e in ledger.events(SUBJECT)] == [1, 3, 4]
    assert ledger.events("C-3003") == []


def test_the_history_returned_is_a_copy(ledger: ConsentLedger) -> None:
    ledger.give(SUBJECT, "newsletter", at=AT)
    ledger.events(SUBJECT).clear()
    assert len(ledger.events(SUBJECT)) == 1


def test_the_ledger_has_no_way_to_rewrite_history() -> None:
    public = {name for name in dir(ConsentLedger) if not name.startswith("_")}
    assert public == {
        "close",
        "events",
        "give",
        "head",
        "hold",
        "lift_restriction",
        "object",
        "release_hold",
        "request_erasure",
        "restrict",
        "state",
        "states",
        "verify",
        "withdraw",
    }
    event = ConsentLedger().give(SUBJECT, "newsletter", at=AT)
    with pytest.raises(AttributeError):
        event.at = AT - DAY  # type: ignore[misc]


def test_states_answers_for_every_subject_asked_about(ledger: ConsentLedger) -> None:
    for i in range(0, 30, 3):
        ledger.give(f"C-{i}", "newsletter", at=AT - DAY, evidence=WEB)
    ledger.withdraw("C-3", "newsletter", at=AT)
    ledger.request_erasure("C-6", at=AT - DAY)
    subjects = [f"C-{i}" for i in range(30)] + ["C-0"]
    bulk = ledger.states(iter(subjects), "newsletter", at=AT)
    assert set(bulk) == set(subjects)
    assert bulk == {s: ledger.state(s, "newsletter", at=AT) for s in subjects}
    assert bulk["C-1"] is NO_CONSENT
    assert ledger.states([], "newsletter", at=AT) == {}


def test_the_ledger_is_a_consent_source_with_a_bulk_path(ledger: ConsentLedger) -> None:
    assert isinstance(ledger, ConsentSource)
    assert isinstance(ledger, BulkConsentSource)


# -- the chain through the ledger -----------------------------------------------------------


def test_an_empty_ledger_has_the_genesis_head_and_verifies(ledger: ConsentLedger) -> None:
    assert ledger.head() == "0" * 64
    ledger.verify()
    ledger.verify(expected_head="0" * 64)


def test_the_head_moves_with_every_event_and_a_kept_head_still_verifies(
    ledger: ConsentLedger,
) -> None:
    heads = [ledger.head()]
    for day in range(5):
        ledger.give(f"C-{day}", "newsletter", at=AT + day * DAY)
        heads.append(ledger.head())
    assert len(set(heads)) == 6
    for head in heads:
        ledger.verify(expected_head=head)
    assert ledger.events("C-4")[0].hash == ledger.head()


def test_a_head_the_ledger_never_had_does_not_verify(ledger: ConsentLedger) -> None:
    ledger.give(SUBJECT, "newsletter", at=AT)
    with pytest.raises(LedgerError, match="#2: the chain does not reach the expected head"):
        ledger.verify(expected_head="a" * 64)


@pytest.mark.parametrize("head", ["", "0" * 63, "G" * 64, "A" * 64, 42])
def test_a_malformed_expected_head_is_refused(head: Any) -> None:
    with pytest.raises(ValueError, match="64 lowercase hexadecimal"):
        ConsentLedger().verify(expected_head=head)


def test_verify_reads_what_the_backend_holds() -> None:
    ledger = ConsentLedger()
    for day in range(4):
        ledger.give(SUBJECT, "newsletter", at=AT + day * DAY)
    stored: list[ConsentEvent] = ledger._backend._events  # type: ignore[attr-defined]
    stored[1] = replace(stored[1], explicit=True)  # an intruder edits the store in place
    with pytest.raises(LedgerError, match="event #2: its content does not match") as info:
        ledger.verify()
    assert SUBJECT not in str(info.value)


def test_concurrent_appends_form_one_unbroken_chain(ledger: ConsentLedger) -> None:
    kind = ledger._backend.kind
    threads_n, per_thread = (8, 150) if kind == "memory" else (6, 25)
    barrier = threading.Barrier(threads_n)

    def work(n: int) -> None:
        barrier.wait()
        for i in range(per_thread):
            ledger.give(f"T{n}", "newsletter", at=AT + i * DAY)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ledger.verify()
    assert repr(ledger) == f"ConsentLedger(backend={kind!r}, events={threads_n * per_thread})"
    for n in range(threads_n):
        seqs = [e.seq for e in ledger.events(f"T{n}")]
        assert len(seqs) == per_thread
        assert seqs == sorted(seqs)


# -- lifetime, storage and repr -------------------------------------------------------------


def test_repr_names_the_backend_and_count_never_a_subject(
    ledger: ConsentLedger, ledger_url: str | None
) -> None:
    kind = "memory" if ledger_url is None else ledger_url.split(":", 1)[0].split("+", 1)[0]
    assert repr(ledger) == f"ConsentLedger(backend={kind!r}, events=0)"
    event = ledger.give("Mario.Rossi-77", "newsletter", at=AT, evidence=WEB)
    assert repr(ledger) == f"ConsentLedger(backend={kind!r}, events=1)"
    assert "Mario" not in repr(event)
    assert "Mario" not in repr(ledger.events("Mario.Rossi-77"))
    ledger.close()
    assert repr(ledger) == f"ConsentLedger(backend={kind!r}, closed)"
    if ledger_url is not None:
        assert "@" not in repr(ledger)
        assert "127.0.0.1" not in repr(ledger)


def test_a_closed_ledger_refuses_every_call(ledger_url: str | None) -> None:
    with ConsentLedger(ledger_url) as ledger:
        ledger.give(SUBJECT, "newsletter", at=AT)
    calls: list[Callable[[], object]] = [
        lambda: ledger.give(SUBJECT, "newsletter", at=AT),
        lambda: ledger.state(SUBJECT, "newsletter", at=AT),
        lambda: ledger.states([SUBJECT], "newsletter", at=AT),
        ledger.head,
        ledger.verify,
        lambda: ledger.events(SUBJECT),
    ]
    for call in calls:
        with pytest.raises(LedgerError, match="closed"):
            call()
    ledger.close()  # closing twice is harmless


def test_a_url_must_be_text() -> None:
    with pytest.raises(TypeError):
        ConsentLedger(42)  # type: ignore[arg-type]


# -- property: the state equals a straightforward reference computation ---------------------

Op = tuple[str, int, bool]  # kind ("give"/"withdraw"), hour offset from AT, explicit


def reference(ops: list[Op], t: datetime) -> dict[str, Any]:
    """The state by definition: the last give/withdraw at or before t, ties by recording."""
    stamped = [
        (AT + timedelta(hours=h), i, kind, explicit) for i, (kind, h, explicit) in enumerate(ops)
    ]
    counted = sorted(s for s in stamped if s[0] <= t)
    if not counted:
        return {"status": "none", "given_at": None, "withdrawn_at": None, "explicit": False}
    at, _, kind, explicit = counted[-1]
    if kind == "give":
        return {"status": "given", "given_at": at, "withdrawn_at": None, "explicit": explicit}
    gives = [i for i, s in enumerate(counted) if s[2] == "give"]
    if not gives:
        return {
            "status": "withdrawn",
            "given_at": None,
            "withdrawn_at": counted[0][0],
            "explicit": False,
        }
    last_give = gives[-1]
    ended = next(s[0] for s in counted[last_give:] if s[2] == "withdraw")
    return {
        "status": "withdrawn",
        "given_at": counted[last_give][0],
        "withdrawn_at": ended,
        "explicit": False,
    }


OPS = st.lists(
    st.tuples(
        st.sampled_from(["give", "withdraw"]),
        st.integers(min_value=-20, max_value=20),
        st.booleans(),
    ),
    max_size=12,
)


@settings(
    max_examples=40,
    deadline=None,
    # One ledger serves every example: each example asks about a subject of its own.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=OPS, ask=st.lists(st.integers(min_value=-22, max_value=22), min_size=1, max_size=5))
def test_state_matches_the_reference_computation(
    ops: list[Op], ask: list[int], ledger: ConsentLedger
) -> None:
    """Invariant: on every backend, the state at any moment is the reference computation's:
    the last give or withdrawal at or before it (ties by recording order), unaffected by
    other subjects and other purposes."""
    subject, other = f"S-{uuid.uuid4().hex}", f"O-{uuid.uuid4().hex}"
    for kind, hours, explicit in ops:
        when = AT + timedelta(hours=hours)
        if kind == "give":
            ledger.give(subject, "newsletter", at=when, explicit=explicit)
        else:
            ledger.withdraw(subject, "newsletter", at=when)
        ledger.give(other, "newsletter", at=when)  # noise that must not count
        ledger.withdraw(subject, "profiling", at=when)
    for hours in ask:
        t = AT + timedelta(hours=hours)
        state = ledger.state(subject, "newsletter", at=t)
        assert ledger.states([subject], "newsletter", at=t) == {subject: state}
        got = {
            "status": state.status,
            "given_at": state.given_at,
            "withdrawn_at": state.withdrawn_at,
            "explicit": state.explicit,
        }
        assert got == reference(ops, t)
    ledger.verify()
