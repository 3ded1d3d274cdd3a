"""The hash chain of the consent ledger, on events built by hand (no backend involved).

Tampering is simulated the way an intruder with write access to the store would do it: by
putting modified copies of events in place of the originals, then verifying.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gdprkit import Evidence, LedgerError
from gdprkit._consent import ConsentEvent, EventDraft, EventKind
from gdprkit._consent._chain import GENESIS_HASH, canonical, chain_hash, seal, verify_chain

T0 = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
SUBJECT = "C-4711"


def draft(i: int) -> EventDraft:
    kinds = list(EventKind)
    kind = kinds[i % len(kinds)]
    return EventDraft(
        kind=kind,
        subject=f"{SUBJECT}-{i % 2}",
        purpose="newsletter" if kind in (EventKind.GIVEN, EventKind.WITHDRAWN) else None,
        at=T0 + timedelta(days=i),
        recorded_at=T0 + timedelta(days=100, seconds=i),
        explicit=kind is EventKind.GIVEN,
        evidence=Evidence("web_form", notice_version="v1") if kind is EventKind.GIVEN else None,
    )


def chain(n: int) -> list[ConsentEvent]:
    events: list[ConsentEvent] = []
    head = GENESIS_HASH
    for i in range(n):
        event = seal(draft(i), seq=i + 1, prev_hash=head)
        events.append(event)
        head = event.hash
    return events


def broken_at(events: list[ConsentEvent], expected_head: str | None = None) -> str:
    with pytest.raises(LedgerError) as info:
        verify_chain(events, expected_head)
    message = str(info.value)
    assert message.startswith("ledger chain broken at event #")
    assert SUBJECT not in message
    assert "newsletter" not in message
    return message.split("#", 1)[1].split(":", 1)[0]


# -- encoding -------------------------------------------------------------------------------


def test_canonical_is_compact_sorted_json_of_every_field_but_the_hash() -> None:
    event = ConsentEvent(
        seq=1,
        kind=EventKind.GIVEN,
        subject="C-1",
        purpose="newsletter",
        at=datetime(2025, 3, 1, 11, 0, tzinfo=timezone(timedelta(hours=1))),
        recorded_at=datetime(2025, 3, 2, 9, 30, 0, 250, tzinfo=UTC),
        explicit=True,
        parental=False,
        evidence=Evidence("double_opt_in", notice_version="2025-01"),
        prev_hash=GENESIS_HASH,
        hash="ignored",
    )
    expected = (
        '{"at":"2025-03-01T10:00:00.000000+00:00",'
        '"evidence":{"method":"double_opt_in","notice_version":"2025-01","reference":null},'
        '"explicit":true,"kind":"given","parental":false,'
        f'"prev_hash":"{GENESIS_HASH}","purpose":"newsletter",'
        '"recorded_at":"2025-03-02T09:30:00.000250+00:00","seq":1,"subject":"C-1"}'
    )
    assert canonical(event) == expected.encode()
    assert canonical(replace(event, hash="other")) == canonical(event)


def test_canonical_is_utf8_not_escaped() -> None:
    event = seal(replace(draft(0), subject="Nicolò"), seq=1, prev_hash=GENESIS_HASH)
    assert "Nicolò".encode() in canonical(event)
    assert json.loads(canonical(event))["subject"] == "Nicolò"


def test_hash_is_sha256_of_previous_hash_newline_and_canonical_bytes() -> None:
    first, second = chain(2)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    for event in (first, second):
        raw = event.prev_hash.encode() + b"\n" + canonical(event)
        assert event.hash == hashlib.sha256(raw).hexdigest()
        assert event.hash == chain_hash(event.prev_hash, canonical(event))


def test_seal_stores_times_in_utc_and_the_same_instant_hashes_the_same() -> None:
    rome = timezone(timedelta(hours=2))
    local = seal(replace(draft(0), at=T0.astimezone(rome)), seq=1, prev_hash=GENESIS_HASH)
    utc = seal(draft(0), seq=1, prev_hash=GENESIS_HASH)
    assert local.at.tzinfo is UTC
    assert local.at == T0
    assert local.hash == utc.hash


def test_recorded_at_is_covered_by_the_hash() -> None:
    event = chain(1)[0]
    assert event.recorded_at is not None
    later = replace(event, recorded_at=event.recorded_at + timedelta(days=1))
    assert canonical(later) != canonical(event)


@pytest.mark.parametrize(
    ("name", "value"),
    [("at", datetime(2025, 3, 1, 10, 0)), ("seq", "1"), ("kind", "consented"), ("explicit", 1)],
)
def test_canonical_refuses_what_it_cannot_encode(name: str, value: Any) -> None:
    event = replace(chain(1)[0], **{name: value})
    with pytest.raises((TypeError, ValueError)):
        canonical(event)


# -- verification ---------------------------------------------------------------------------


def test_an_intact_chain_verifies_and_returns_its_head() -> None:
    events = chain(6)
    assert verify_chain(events) == events[-1].hash
    assert verify_chain(iter(events), events[-1].hash) == events[-1].hash


def test_the_empty_chain_has_the_genesis_head() -> None:
    assert GENESIS_HASH == "0" * 64
    assert verify_chain([]) == GENESIS_HASH
    assert verify_chain([], GENESIS_HASH) == GENESIS_HASH
    assert broken_at([], chain(1)[0].hash) == "1"


EDITS: list[tuple[str, Any]] = [
    ("kind", EventKind.ERASURE_REQUESTED),
    ("subject", "C-9999"),
    ("purpose", "profiling"),
    ("at", T0 - timedelta(days=365)),
    ("at", T0 + timedelta(microseconds=1)),
    ("recorded_at", None),
    ("explicit", True),
    ("parental", True),
    ("evidence", Evidence("paper_form")),
    ("evidence", None),
    ("seq", 9),
    ("prev_hash", "f" * 64),
    ("hash", "e" * 64),
]


@pytest.mark.parametrize(("name", "value"), EDITS, ids=[f"{n}={v!r}"[:40] for n, v in EDITS])
def test_an_edited_event_breaks_the_chain_at_its_sequence_number(name: str, value: Any) -> None:
    events = chain(12)
    target = next(e for e in events[2:] if getattr(e, name) != value)  # an edit that changes
    position = target.seq
    events[position - 1] = replace(target, **{name: value})
    assert broken_at(events) == str(position)


def test_a_naive_time_in_a_stored_event_is_a_broken_link() -> None:
    events = chain(3)
    events[1] = replace(events[1], at=datetime(2025, 3, 1, 10, 0))
    assert broken_at(events) == "2"


def test_an_unencodable_event_is_a_broken_link_without_its_content_attached() -> None:
    events = chain(3)
    events[2] = replace(events[2], subject="Mario \udc80")
    with pytest.raises(LedgerError, match="#3: its content cannot be encoded") as info:
        verify_chain(events)
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__  # the encoder's message quotes the content


def test_a_deleted_event_breaks_the_chain_where_it_was() -> None:
    events = chain(6)
    del events[2]
    assert broken_at(events) == "3"


def test_a_deleted_first_event_breaks_the_chain_at_one() -> None:
    assert broken_at(chain(4)[1:]) == "1"


def test_swapped_events_break_the_chain_at_the_first_of_them() -> None:
    events = chain(6)
    events[1], events[2] = events[2], events[1]
    assert broken_at(events) == "2"


def test_swapped_events_with_renumbered_sequence_break_the_link() -> None:
    events = chain(6)
    a, b = events[1], events[2]
    events[1], events[2] = replace(b, seq=2), replace(a, seq=3)
    assert broken_at(events) == "2"


def test_an_inserted_forgery_breaks_the_chain_after_it() -> None:
    events = chain(6)
    forged = seal(
        replace(draft(0), subject="C-0001", at=T0 + timedelta(hours=1)),
        seq=3,
        prev_hash=events[1].hash,
    )
    events.insert(2, forged)  # links perfectly to #2, but #4 now follows a stranger
    assert broken_at(events) == "4"


def test_a_rewritten_chain_is_caught_only_by_a_head_kept_elsewhere() -> None:
    original = chain(6)
    kept_head = original[-1].hash
    # The intruder inserts a forged consent and recomputes every hash after it.
    drafts = [draft(i) for i in range(6)]
    drafts.insert(2, replace(draft(0), subject="C-0001"))
    rewritten: list[ConsentEvent] = []
    head = GENESIS_HASH
    for i, d in enumerate(drafts, start=1):
        rewritten.append(seal(d, seq=i, prev_hash=head))
        head = rewritten[-1].hash
    assert verify_chain(rewritten) == head
    assert broken_at(rewritten, kept_head) == "8"


def test_a_cut_off_tail_is_caught_only_with_the_expected_head() -> None:
    events = chain(6)
    kept_head = events[-1].hash
    cut = events[:4]
    assert verify_chain(cut) == cut[-1].hash
    assert broken_at(cut, kept_head) == "5"
    assert broken_at([], kept_head) == "1"


def test_a_head_kept_earlier_still_verifies_after_more_appends() -> None:
    events = chain(6)
    assert verify_chain(events, events[2].hash) == events[-1].hash
    assert verify_chain(events, GENESIS_HASH) == events[-1].hash


def test_the_error_names_neither_subject_nor_content() -> None:
    events = chain(3)
    events[0] = replace(events[0], subject="Mario Rossi <mario@example.it>")
    with pytest.raises(LedgerError) as info:
        verify_chain(events)
    text = str(info.value)
    assert "Mario" not in text
    assert "example.it" not in text


FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "kind": st.sampled_from(list(EventKind)),
    "subject": st.text(min_size=1, max_size=8),
    "purpose": st.none() | st.text(min_size=1, max_size=8),
    "at": st.datetimes(timezones=st.just(UTC)),
    "recorded_at": st.none() | st.datetimes(timezones=st.just(UTC)),
    "explicit": st.booleans(),
    "parental": st.booleans(),
    "evidence": st.none() | st.builds(Evidence, st.sampled_from(["web_form", "app"])),
}


@given(
    n=st.integers(min_value=1, max_value=8),
    data=st.data(),
)
def test_any_single_edit_is_found_at_the_edited_event(n: int, data: st.DataObject) -> None:
    events = chain(n)
    index = data.draw(st.integers(min_value=0, max_value=n - 1))
    name = data.draw(st.sampled_from(sorted(FIELDS)))
    value: Any = data.draw(FIELDS[name])
    edited = replace(events[index], **{name: value})
    if canonical(edited) == canonical(events[index]):
        return  # no edit at all (the same value drawn)
    events[index] = edited
    assert broken_at(events) == str(index + 1)
