"""The in-memory ledger backend: a list in chain order and an index by subject.

For tests, notebooks and short-lived jobs: it lasts as long as the process. Appends are
serialised by a lock, so threads may share one ledger.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import datetime

from gdprkit._consent._chain import GENESIS_HASH, seal
from gdprkit._consent._model import ConsentEvent, EventDraft

__all__ = ["MemoryBackend"]


class MemoryBackend:
    """Events held in this process: append-only, with no way to update or delete one."""

    __slots__ = ("_by_subject", "_events", "_head", "_lock")

    kind = "memory"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[ConsentEvent] = []
        self._by_subject: dict[str, list[ConsentEvent]] = {}
        self._head = GENESIS_HASH

    def append(self, draft: EventDraft) -> ConsentEvent:
        """Seal ``draft`` as the next event of the chain and store it."""
        with self._lock:
            event = seal(draft, seq=len(self._events) + 1, prev_hash=self._head)
            self._events.append(event)
            self._by_subject.setdefault(event.subject, []).append(event)
            self._head = event.hash
        return event

    def append_many(self, drafts: Sequence[EventDraft]) -> list[ConsentEvent]:
        """Seal ``drafts`` as the next events of the chain, in order, under one lock."""
        events: list[ConsentEvent] = []
        with self._lock:
            head, seq = self._head, len(self._events)
            for draft in drafts:  # seal them all first: a draft that fails stores nothing
                seq += 1
                event = seal(draft, seq=seq, prev_hash=head)
                head = event.hash
                events.append(event)
            for event in events:
                self._events.append(event)
                self._by_subject.setdefault(event.subject, []).append(event)
            self._head = head
        return events

    def events(self, subject: str) -> list[ConsentEvent]:
        """The events of ``subject`` in chain order (a copy)."""
        with self._lock:
            return list(self._by_subject.get(subject, ()))

    def events_for_subjects(
        self,
        subjects: Collection[str],
        *,
        purpose: str | None = None,
        until: datetime | None = None,
    ) -> Mapping[str, list[ConsentEvent]]:
        """The events of each of ``subjects`` that has any, in chain order, filtered as
        :meth:`gdprkit._consent.LedgerBackend.events_for_subjects` says."""
        with self._lock:
            index = self._by_subject
            found = {s: list(index[s]) for s in subjects if s in index}
        if purpose is None and until is None:
            return found
        return {
            s: kept
            for s, events in found.items()
            if (
                kept := [
                    e
                    for e in events
                    if (purpose is None or e.purpose is None or e.purpose == purpose)
                    and (until is None or e.at <= until)
                ]
            )
        }

    def all_events(self) -> Iterator[ConsentEvent]:
        """Every event in chain order, as of the call."""
        with self._lock:
            snapshot = list(self._events)
        return iter(snapshot)

    def head(self) -> str:
        """The hash of the last event (:data:`GENESIS_HASH` when empty)."""
        with self._lock:
            return self._head

    def count(self) -> int:
        """How many events the ledger holds."""
        with self._lock:
            return len(self._events)

    def close(self) -> None:
        """Nothing to release: the events stay readable until the object is dropped."""
