"""One canonical subject key in the ledger: every spelling of an id writes and reads one subject.

design.md §6 "Reading values": ``1001``, ``1001.0``, ``"1001"``, ``" 1001\\n"`` and
``numpy.int64(1001)`` are one subject, in ledger writes and look-ups alike. Before, an erasure
request recorded for ``" 1001"`` was not seen by a look-up for ``1001`` (and ``1001.0``, what
pandas writes for an integer column with a gap, could not be written at all): the erased person's
record came out of ``enforce``. A value that is no id is an error on write, and nothing is known
about it on look-up. Ledgers written by older versions, with ids in other spellings, are read
right too (``test_ids_stored_by_an_older_version_are_found_by_their_canonical_id``).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdprkit import ConfigurationError, ConsentLedger, Evidence
from gdprkit._consent import NO_CONSENT, EventDraft, EventKind

AT = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
WEB = Evidence("web_form", notice_version="2025-01")

# Every spelling of subject 1001 that a CRM export, pandas or a database driver produces.
SPELLINGS_1001: list[Any] = [
    1001,
    1001.0,
    "1001",
    " 1001",
    "1001\n",
    " 1001\r\n",
    "\t1001 ",
    np.int64(1001),
    np.int32(1001),
    np.float64(1001.0),
    Decimal("1001"),
    Decimal("1001.000"),
    pd.array([1001], dtype="Int64")[0],
]
TEXT_ID = "Cafe\u0301-7"  # decomposed é: NFC makes it one with the composed form
SPELLINGS_TEXT: list[Any] = [TEXT_ID, unicodedata.normalize("NFC", TEXT_ID), f"  {TEXT_ID}\n"]

# What no write accepts, and no look-up knows.
NOT_IDS: list[Any] = [
    None,
    "",
    "   \n",
    True,
    False,
    np.bool_(True),
    1001.5,
    math.nan,
    math.inf,
    np.float64("nan"),
    pd.NA,
    pd.NaT,
    Decimal("1001.5"),
    Decimal("NaN"),
    date(2025, 1, 1),
    b"1001",
    "C-\udc80",
]

Write = Callable[[ConsentLedger, Any], object]
WRITES: dict[str, Write] = {
    "give": lambda lg, s: lg.give(s, "newsletter", at=AT - DAY, evidence=WEB),
    "withdraw": lambda lg, s: lg.withdraw(s, "newsletter", at=AT - DAY),
    "object": lambda lg, s: lg.object(s, at=AT - DAY, purpose="newsletter"),
    "object to direct marketing": lambda lg, s: lg.object(s, at=AT - DAY),
    "restrict": lambda lg, s: lg.restrict(s, at=AT - DAY),
    "lift_restriction": lambda lg, s: lg.lift_restriction(s, at=AT - DAY),
    "request_erasure": lambda lg, s: lg.request_erasure(s, at=AT - DAY),
    "hold": lambda lg, s: lg.hold(s, at=AT - DAY, reference="case 2025/117"),
    "release_hold": lambda lg, s: lg.release_hold(s, at=AT - DAY),
}


def _label(value: object) -> str:
    return f"{type(value).__name__}:{value!r}"


@pytest.mark.parametrize("write", WRITES.values(), ids=list(WRITES))
@pytest.mark.parametrize("spelling", SPELLINGS_1001, ids=_label)
def test_every_spelling_of_an_id_writes_the_canonical_subject(
    spelling: Any, write: Write, ledger: ConsentLedger
) -> None:
    event = write(ledger, spelling)
    assert event.subject == "1001"  # type: ignore[attr-defined]
    assert ledger.events(1001) == ledger.events("1001") == [event]


@pytest.mark.parametrize("spelling", SPELLINGS_1001, ids=_label)
def test_an_erasure_request_is_seen_whatever_spelling_asks(
    spelling: Any, ledger: ConsentLedger
) -> None:
    # The reported case: the request written one way, the record spelling the id another.
    ledger.give(1001, "newsletter", at=AT - 2 * DAY, evidence=WEB)
    ledger.request_erasure(" 1001", at=AT - DAY)
    ledger.object("1001\n", at=AT - DAY)
    ledger.hold(np.int64(1001), at=AT - DAY, reference="case 2025/117")
    state = ledger.state(spelling, "newsletter", at=AT)
    assert state.status == "given"
    assert state.erasure_requested
    assert state.objected_direct_marketing
    assert state.held
    assert ledger.states([spelling], "newsletter", at=AT) == {"1001": state}
    assert len(ledger.events(spelling)) == 4


def test_text_ids_are_trimmed_and_in_nfc(ledger: ConsentLedger) -> None:
    ledger.request_erasure(SPELLINGS_TEXT[2], at=AT - DAY)
    for spelling in SPELLINGS_TEXT:
        assert ledger.state(spelling, "newsletter", at=AT).erasure_requested
        assert [e.subject for e in ledger.events(spelling)] == [SPELLINGS_TEXT[1]]
    # Case is part of a text id: "c-1" and "C-1" stay two subjects.
    ledger.restrict("C-1", at=AT - DAY)
    assert not ledger.state("c-1", "newsletter", at=AT).restricted


def test_states_keys_its_answer_by_the_canonical_id(ledger: ConsentLedger) -> None:
    ledger.withdraw(1001.0, "newsletter", at=AT - DAY)
    bulk = ledger.states([" 1001", np.int64(2002), "1001", None, True], "newsletter", at=AT)
    assert bulk == {"1001": ledger.state(1001, "newsletter", at=AT), "2002": NO_CONSENT}
    assert bulk["1001"].status == "withdrawn"


@pytest.mark.parametrize("value", NOT_IDS, ids=_label)
def test_what_is_no_id_is_refused_on_write_and_unknown_on_look_up(
    value: Any, ledger: ConsentLedger
) -> None:
    for name, write in WRITES.items():
        with pytest.raises(ConfigurationError) as info:
            write(ledger, value)
        assert isinstance(info.value, ValueError), name
        message = str(info.value)
        assert "subject id" in message
        if isinstance(value, str) and value.strip():
            assert value not in message
        assert "1001" not in message
    assert ledger.head() == "0" * 64
    assert ledger.state(value, "newsletter", at=AT) is NO_CONSENT
    assert ledger.states([value], "newsletter", at=AT) == {}
    assert ledger.events(value) == []


_ID_NUMBERS = st.integers(min_value=0, max_value=10**15)


def _spellings(number: int) -> list[Any]:
    text = str(number)
    return [
        number,
        float(number),
        text,
        f" {text}",
        f"{text}\n",
        f"\t{text} \r\n",
        np.int64(number),
        Decimal(number),
    ]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    number=_ID_NUMBERS,
    writes=st.lists(
        st.tuples(st.sampled_from(sorted(WRITES)), st.integers(min_value=0, max_value=7)),
        min_size=1,
        max_size=4,
    ),
)
def test_for_every_spelling_written_every_spelling_reads_the_same_state(
    number: int, writes: list[tuple[str, int]], ledger: ConsentLedger
) -> None:
    spellings = _spellings(number)
    before = {str(number): len(ledger.events(number))}
    for name, which in writes:
        WRITES[name](ledger, spellings[which])
    states = [ledger.state(s, "newsletter", at=AT) for s in spellings]
    assert all(state == states[0] for state in states)
    assert len(ledger.events(number)) == before[str(number)] + len(writes)
    histories = [ledger.events(s) for s in spellings]
    assert all(history == histories[0] for history in histories)
    assert ledger.states(spellings, "newsletter", at=AT) == {str(number): states[0]}


# -- ledgers written by an older version ------------------------------------------------------


def _legacy_draft(kind: EventKind, subject: str, purpose: str | None = None) -> EventDraft:
    # What gdprkit before this fix stored: the id as given, surrounding space and all.
    return EventDraft(
        kind=kind,
        subject=subject,
        purpose=purpose,
        at=AT - 2 * DAY,
        recorded_at=AT,
        evidence=WEB if kind is EventKind.GIVEN else None,
    )


def test_ids_stored_by_an_older_version_are_found_by_their_canonical_id(
    sql_url: str, open_ledger: Callable[[str | None], ConsentLedger]
) -> None:
    old = open_ledger(sql_url)
    old._backend.append_many(
        [
            _legacy_draft(EventKind.GIVEN, "1001", "newsletter"),
            _legacy_draft(EventKind.ERASURE_REQUESTED, " 1001"),
            _legacy_draft(EventKind.OBJECTION, "1001\n"),
            _legacy_draft(EventKind.RESTRICTION, TEXT_ID),  # not NFC
            _legacy_draft(EventKind.GIVEN, " C-2 ", "newsletter"),
        ]
    )
    head = old.head()
    old.close()

    ledger = open_ledger(sql_url)
    ledger.verify(head)  # nothing was rewritten
    for spelling in (1001, "1001", 1001.0, " 1001"):
        state = ledger.state(spelling, "newsletter", at=AT)
        assert state.status == "given"
        assert state.erasure_requested
        assert state.objected_direct_marketing
        assert [e.subject for e in ledger.events(spelling)] == ["1001", " 1001", "1001\n"]
    assert ledger.state(unicodedata.normalize("NFC", TEXT_ID), "newsletter", at=AT).restricted
    bulk = ledger.states([1001, "C-2", TEXT_ID, "C-3"], "newsletter", at=AT)
    assert bulk["1001"].erasure_requested
    assert bulk["C-2"].status == "given"
    assert bulk[unicodedata.normalize("NFC", TEXT_ID)].restricted
    assert bulk["C-3"] is NO_CONSENT
    # New events are written canonical and join the old ones.
    ledger.withdraw(" C-2", "newsletter", at=AT - DAY)
    assert ledger.state("C-2", "newsletter", at=AT).status == "withdrawn"
    assert [e.subject for e in ledger.events("C-2")] == [" C-2 ", "C-2"]
    ledger.verify(head)
