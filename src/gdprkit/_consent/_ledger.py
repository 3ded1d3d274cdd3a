"""The consent ledger: an append-only, hash-chained record of what each subject agreed to.

:class:`ConsentLedger` is the face; the storage behind it is a :class:`LedgerBackend` chosen
by URL (:func:`_backend_for`). The facade checks arguments, stamps ``recorded_at``, and answers
questions about a moment from the events of a subject; backends only store, seal (with
:mod:`gdprkit._consent._chain`) and read events. History is never rewritten, so "did we have
consent on the day we sent that newsletter?" stays answerable years later.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Final, Protocol, Self, TypeAlias

from gdprkit._consent._chain import verify_chain
from gdprkit._consent._memory import MemoryBackend
from gdprkit._consent._model import (
    NO_CONSENT,
    ConsentEvent,
    ConsentState,
    ConsentStatus,
    EventDraft,
    EventKind,
    Evidence,
)
from gdprkit._errors import ConfigurationError, LedgerError
from gdprkit._time import require_aware, utc_now
from gdprkit._values import is_missing, subject_key

__all__ = ["ConsentLedger", "LedgerBackend"]

_HASH: Final = re.compile(r"[0-9a-f]{64}")
#: The evidence method of a legal hold event; its reference names the claim or case.
_HOLD_METHOD: Final = "legal_hold"

#: What a subject id may be given as: text, an integral number (numpy's too), anything whose
#: canonical key (:func:`gdprkit._values.subject_key`) is an id. ``object``: a pandas or numpy
#: scalar is read at run time, not refused by a type checker.
SubjectId: TypeAlias = object


class LedgerBackend(Protocol):
    """Where a ledger keeps its events. Every backend offers exactly this.

    Subject ids reach a backend in their canonical form (the facade reads them with
    :func:`gdprkit._values.subject_key`); results are keyed by those forms.

    A backend never updates or deletes an event. ``append`` seals the draft
    (:func:`gdprkit._consent._chain.seal`) with the next sequence number and the current head
    as ``prev_hash``, stores it and moves the head, atomically with respect to every other
    writer (a lock in memory, a transaction in SQL); once it returns the event is durable.
    Events come back with aware UTC times, in chain order (ascending ``seq``).
    """

    @property
    def kind(self) -> str:
        """A short name of the storage (``"memory"``, ``"sqlite"``, ...) for ``repr``."""
        ...

    def append(self, draft: EventDraft) -> ConsentEvent:
        """Seal ``draft`` as the next event of the chain, store it, and return it."""
        ...

    def append_many(self, drafts: Sequence[EventDraft]) -> list[ConsentEvent]:
        """Seal ``drafts`` as the next events of the chain, in order, all or none (one
        transaction: an import appends in batches), and return them."""
        ...

    def events(self, subject: str) -> list[ConsentEvent]:
        """The events of ``subject``, in chain order."""
        ...

    def events_for_subjects(
        self,
        subjects: Collection[str],
        *,
        purpose: str | None = None,
        until: datetime | None = None,
    ) -> Mapping[str, list[ConsentEvent]]:
        """The events of each of ``subjects``, in chain order; a subject without any may be
        absent from the result. The bulk path: one query (SQL) for the whole collection.

        With ``purpose``, only events of that purpose and events about the subject as a whole
        (``purpose`` None); with ``until``, only events whose ``at`` is at or before it. These
        are all :func:`_state_at` needs, so a backend may leave the rest in its storage.
        """
        ...

    def all_events(self) -> Iterator[ConsentEvent]:
        """Every event, in chain order."""
        ...

    def head(self) -> str:
        """The hash of the last event; 64 zeros when there is none."""
        ...

    def count(self) -> int:
        """How many events are stored."""
        ...

    def close(self) -> None:
        """Release connections and the like. Called once."""
        ...


def _backend_for(url: str | None) -> LedgerBackend:
    """The backend a ledger URL names: memory without one, else SQLite or PostgreSQL.

    A SQL database that cannot be opened is a :class:`~gdprkit.LedgerError` here, at
    construction: never a silent fallback to memory.
    """
    if url is None:
        return MemoryBackend()
    if not isinstance(url, str):
        raise TypeError("a ledger url must be text, such as 'sqlite:///consents.db'")
    # The URL is never quoted back: it may carry a database password.
    from gdprkit._consent._sql import open_sql_backend  # noqa: PLC0415 - SQLAlchemy on demand

    return open_sql_backend(url)


def _subject(subject: SubjectId) -> str:
    """A subject id as written: its canonical key (:func:`gdprkit._values.subject_key`).

    ``1001``, ``1001.0``, ``"1001"``, ``" 1001\\n"`` and ``numpy.int64(1001)`` are one subject,
    stored as ``"1001"``. What is no id (missing, blank, a bool, a non-integral number, a date,
    bytes, text that is not valid Unicode) is a :class:`~gdprkit.ConfigurationError` (a
    ``ValueError``) that does not quote it.
    """
    key = subject_key(subject)
    if key is not None:
        return key
    if is_missing(subject):
        raise ConfigurationError("subject id must not be empty (a missing value is no subject id)")
    raise ConfigurationError(
        "not a subject id: a subject id is text or an integral number "
        "(not a bool, a number with a fraction, a date, bytes or invalid Unicode text)"
    )


def _text(value: str, name: str) -> str:
    if not value.strip():
        raise ValueError(f"{name} must not be empty")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{name} is not valid Unicode text") from None
    return value


def _purpose(purpose: str) -> str:
    if not isinstance(purpose, str):
        raise TypeError("a purpose must be text")
    return _text(purpose, "purpose")


def _at(at: datetime) -> datetime:
    """``at`` in UTC; ``ValueError`` when it is missing (``None``) or naive."""
    if at is None:
        raise ValueError("at must be an aware datetime (the ledger never assumes 'now')")
    aware = require_aware(at)
    try:
        return aware.astimezone(UTC)
    except OverflowError:  # at the edge of the calendar: later (or earlier) than every event
        return (
            datetime.max.replace(tzinfo=UTC) if aware.year > 1 else datetime.min.replace(tzinfo=UTC)
        )


def _flag(value: bool, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False")
    return value


def _state_at(events: Iterable[ConsentEvent], purpose: str, at: datetime) -> ConsentState:
    """The state for ``purpose`` at ``at`` from a subject's events (any order).

    Events at or before ``at`` count, in the order of their ``at`` and, for equal times, of the
    chain. The consent is what the last give or withdrawal says; a withdrawal keeps the
    ``given_at`` of the consent it ended, and ``withdrawn_at`` is when that consent ended.
    """
    relevant = sorted((e for e in events if e.at <= at), key=lambda e: (e.at, e.seq))
    if not relevant:
        return NO_CONSENT
    status: ConsentStatus = "none"
    last_give: ConsentEvent | None = None
    withdrawn_at: datetime | None = None
    objected = objected_dm = restricted = erasure = held = False
    for event in relevant:
        kind = event.kind
        if kind == EventKind.GIVEN:
            if event.purpose == purpose:
                status, last_give, withdrawn_at = "given", event, None
        elif kind == EventKind.WITHDRAWN:
            if event.purpose == purpose and status != "withdrawn":
                status, withdrawn_at = "withdrawn", event.at
        elif kind == EventKind.OBJECTION:
            if event.purpose is None:
                objected_dm = True
            elif event.purpose == purpose:
                objected = True
        elif kind == EventKind.RESTRICTION:
            restricted = True
        elif kind == EventKind.RESTRICTION_LIFTED:
            restricted = False
        elif kind == EventKind.ERASURE_REQUESTED:
            erasure = True
        elif kind == EventKind.HOLD:
            held = True
        elif kind == EventKind.HOLD_RELEASED:
            held = False
    current = last_give if status == "given" else None  # the consent in force, if any
    return ConsentState(
        status=status,
        given_at=None if last_give is None else last_give.at,
        withdrawn_at=withdrawn_at,
        explicit=current is not None and current.explicit,
        parental=current is not None and current.parental,
        evidence=None if current is None else current.evidence,
        objected=objected,
        objected_direct_marketing=objected_dm,
        restricted=restricted,
        erasure_requested=erasure,
        held=held,
    )


class ConsentLedger:
    """An append-only, tamper-evident ledger of consents, objections and requests.

    ``ConsentLedger()`` keeps events in memory, for as long as the process lives. A ``url``
    names durable SQL storage (the ``sql`` extra): ``"sqlite:///path/consents.db"`` (embedded;
    the file is created with its schema on first use) or ``"postgresql+psycopg://user@host/db"``
    (``postgresql://`` means the same). Several processes may append to one SQL ledger at once;
    a call that returned is durable. A database that cannot be opened raises
    :class:`~gdprkit.LedgerError` here, a URL of another kind
    :class:`~gdprkit.ConfigurationError`; neither quotes the URL. A SQLite URL must name a file
    in a directory that exists (three slashes for a path relative to the working directory,
    four for an absolute one); anything else is a ``ConfigurationError`` naming the path,
    before a file is made. A new SQLite file (and its ``-wal``/``-shm``) is readable by its
    owner only. Every time is an aware
    datetime passed as ``at``: the ledger never assumes "now" for when something happened, so
    history can be backfilled and questions asked about any moment. It does note, in each
    event's ``recorded_at``, when the event was written.

    Subject ids are written and looked up in one canonical form
    (:func:`gdprkit._values.subject_key`): text trimmed and in Unicode NFC, an integral number
    (``int``, an integral ``float`` or ``Decimal``, numpy integers) as its decimal digits, so
    ``1001``, ``1001.0``, ``"1001"`` and ``" 1001\\n"`` are one subject, stored as ``"1001"``. A
    write about a value that is no id (missing, blank, a bool, ``1001.5``) raises
    :class:`~gdprkit.ConfigurationError`; a look-up about one answers :data:`NO_CONSENT`. A SQL
    ledger written by an older gdprkit may hold ids in another spelling (``" 1001"``): they are
    found by the canonical id all the same (see :mod:`gdprkit._consent._sql`).

    There is no way to update or delete an event: a withdrawal, a lifted restriction or a new
    consent is a new event. Use it as a context
    manager, or call :meth:`close`, to release the storage.
    """

    __slots__ = ("__weakref__", "_backend", "_closed", "_release")

    def __init__(self, url: str | None = None) -> None:
        self._backend = _backend_for(url)
        self._closed = False
        # A ledger dropped without close() still releases its connections (and files).
        self._release = weakref.finalize(self, self._backend.close)

    # -- writing -----------------------------------------------------------------------------

    def _store(self) -> LedgerBackend:
        if self._closed:
            raise LedgerError("the consent ledger is closed")
        return self._backend

    def _append(
        self,
        kind: EventKind,
        subject: SubjectId,
        purpose: str | None,
        at: datetime,
        *,
        explicit: bool = False,
        parental: bool = False,
        evidence: Evidence | None = None,
    ) -> ConsentEvent:
        draft = EventDraft(
            kind=kind,
            subject=_subject(subject),
            purpose=None if purpose is None else _purpose(purpose),
            at=_at(at),
            recorded_at=utc_now(),
            explicit=explicit,
            parental=parental,
            evidence=evidence,
        )
        return self._store().append(draft)

    def give(
        self,
        subject: SubjectId,
        purpose: str,
        *,
        at: datetime,
        evidence: Evidence | None = None,
        explicit: bool = False,
        parental: bool = False,
    ) -> ConsentEvent:
        """Record that ``subject`` consented to ``purpose`` at ``at`` (Art. 6(1)(a), 7).

        ``evidence`` is how it was collected (without it, a policy that requires demonstrable
        consent denies with ``consent.unproven``); ``explicit`` marks explicit consent
        (Art. 9(2)(a)); ``parental`` marks consent given or authorised by the holder of
        parental responsibility (Art. 8(1)). A consent after a withdrawal re-establishes it.
        """
        if evidence is not None and not isinstance(evidence, Evidence):
            raise TypeError("evidence must be an Evidence or None")
        return self._append(
            EventKind.GIVEN,
            subject,
            _purpose(purpose),
            at,
            explicit=_flag(explicit, "explicit"),
            parental=_flag(parental, "parental"),
            evidence=evidence,
        )

    def withdraw(self, subject: SubjectId, purpose: str, *, at: datetime) -> ConsentEvent:
        """Record that ``subject`` withdrew consent to ``purpose`` at ``at`` (Art. 7(3))."""
        return self._append(EventKind.WITHDRAWN, subject, _purpose(purpose), at)

    def object(
        self, subject: SubjectId, *, at: datetime, purpose: str | None = None
    ) -> ConsentEvent:
        """Record an objection by ``subject`` at ``at`` (Art. 21).

        With ``purpose``: an objection to that purpose (Art. 21(1)). Without: an objection to
        all direct marketing (Art. 21(3)), which no balancing can override.
        """
        return self._append(
            EventKind.OBJECTION, subject, None if purpose is None else _purpose(purpose), at
        )

    def restrict(self, subject: SubjectId, *, at: datetime) -> ConsentEvent:
        """Record that processing of ``subject``'s data is restricted from ``at`` (Art. 18)."""
        return self._append(EventKind.RESTRICTION, subject, None, at)

    def lift_restriction(self, subject: SubjectId, *, at: datetime) -> ConsentEvent:
        """Record that the restriction of ``subject``'s processing ends at ``at`` (Art. 18(3))."""
        return self._append(EventKind.RESTRICTION_LIFTED, subject, None, at)

    def request_erasure(self, subject: SubjectId, *, at: datetime) -> ConsentEvent:
        """Record that ``subject`` asked for erasure at ``at`` (Art. 17(1))."""
        return self._append(EventKind.ERASURE_REQUESTED, subject, None, at)

    def hold(self, subject: SubjectId, *, at: datetime, reference: str) -> ConsentEvent:
        """Record that ``subject``'s data is under a legal hold from ``at`` (Art. 17(3)(e)).

        The data is needed for the establishment, exercise or defence of a legal claim: sweeps
        and erasure plans keep it, whatever retention or an erasure request would do;
        processing for other purposes still follows the usual checks. ``reference`` names the
        claim or case (a case number, a file id): like all evidence it is hashed into the
        chain and kept for years, so it must hold **no personal data**. The hold lasts until
        :meth:`release_hold`.
        """
        if not isinstance(reference, str):
            raise TypeError("a legal hold's reference must be text naming the claim or case")
        evidence = Evidence(_HOLD_METHOD, reference=_text(reference, "reference"))
        return self._append(EventKind.HOLD, subject, None, at, evidence=evidence)

    def release_hold(self, subject: SubjectId, *, at: datetime) -> ConsentEvent:
        """Record that the legal hold on ``subject``'s data ends at ``at``."""
        return self._append(EventKind.HOLD_RELEASED, subject, None, at)

    # -- reading -----------------------------------------------------------------------------

    def state(self, subject: SubjectId, purpose: str, *, at: datetime) -> ConsentState:
        """What ``subject`` had agreed to, objected to and asked for, as of ``at``.

        Events at or before ``at`` count (ties in the order they were appended), whatever the
        order in which they were recorded: see :class:`~gdprkit.ConsentState`.
        """
        name, when = _purpose(purpose), _at(at)
        store = self._store()
        sid = subject_key(subject)
        if sid is None:
            return NO_CONSENT  # no id, nothing recorded about it
        events = store.events(sid)
        return _state_at(events, name, when) if events else NO_CONSENT

    def states(
        self, subjects: Iterable[SubjectId], purpose: str, *, at: datetime
    ) -> Mapping[str, ConsentState]:
        """:meth:`state` for many subjects at once, keyed by canonical subject id.

        The keys are :func:`gdprkit._values.subject_key` of the subjects asked about (``1001``
        and ``" 1001"`` are both ``"1001"``). Every subject asked about that is an id is in the
        result (:data:`NO_CONSENT` where nothing is known); a value that is no id (missing, a
        bool...) has no key: it is left out, and ``result.get(key, NO_CONSENT)`` reads it right.
        """
        name, when = _purpose(purpose), _at(at)
        store = self._store()
        ids = list(dict.fromkeys(k for s in subjects if (k := subject_key(s)) is not None))
        found = store.events_for_subjects(ids, purpose=name, until=when) if ids else {}
        result: dict[str, ConsentState] = {}
        for sid in ids:
            events = found.get(sid)
            result[sid] = _state_at(events, name, when) if events else NO_CONSENT
        return result

    def events(self, subject: SubjectId) -> list[ConsentEvent]:
        """The full history of ``subject``, oldest first (in the order it was recorded).

        ``subject`` is read as every look-up reads it (its canonical key); a value that is no
        id has no history (``[]``).
        """
        store = self._store()
        sid = subject_key(subject)
        return [] if sid is None else store.events(sid)

    def head(self) -> str:
        """The hash of the last event (64 zeros for an empty ledger), to keep elsewhere."""
        return self._store().head()

    def verify(self, expected_head: str | None = None) -> None:
        """Check the whole hash chain; :class:`~gdprkit.LedgerError` at the first broken link.

        Finds an edited, inserted, reordered or deleted event. With ``expected_head`` (a
        :meth:`head` kept elsewhere, earlier), also finds a cut-off tail or a rewritten chain:
        the chain must still pass through that head; events appended since are fine. The
        error names the event by its sequence number, never its subject or content.
        """
        if expected_head is not None and (
            not isinstance(expected_head, str) or not _HASH.fullmatch(expected_head)
        ):
            raise ValueError("expected_head must be a head hash: 64 lowercase hexadecimal digits")
        events = self._store().all_events()
        try:
            verify_chain(events, expected_head)
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()  # a SQL backend's cursor, when verification stopped early

    # -- lifetime ----------------------------------------------------------------------------

    def close(self) -> None:
        """Release the storage. Further calls raise :class:`~gdprkit.LedgerError`."""
        if not self._closed:
            self._closed = True
            self._release()  # the backend's close, once

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        if self._closed:
            return f"ConsentLedger(backend={self._backend.kind!r}, closed)"
        return f"ConsentLedger(backend={self._backend.kind!r}, events={self._backend.count()})"
