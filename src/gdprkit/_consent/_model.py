"""The values of the consent ledger: evidence, events, the state at a moment, and the protocol.

A *consent source* is anything that answers :meth:`ConsentSource.state` with a
:class:`ConsentState`: the :class:`~gdprkit.ConsentLedger`, or an adapter over a CRM's own
consent tables. :data:`NO_CONSENT` is the state of a subject the source knows nothing about.

Subjects are identifiers (a customer number, a pseudonym), never names or e-mail addresses;
even so, no ``repr`` here shows one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Final, Literal, Protocol, runtime_checkable

__all__ = [
    "NO_CONSENT",
    "BulkConsentSource",
    "ConsentEvent",
    "ConsentSource",
    "ConsentState",
    "ConsentStatus",
    "EventDraft",
    "EventKind",
    "Evidence",
]

ConsentStatus = Literal["given", "withdrawn", "none"]
_STATUSES: Final = frozenset(("given", "withdrawn", "none"))


@dataclass(frozen=True, slots=True)
class Evidence:
    """How a consent was collected, so that it can be demonstrated (Art. 7(1)).

    ``method`` says how (``"web_form"``, ``"paper_form"``, ``"double_opt_in"``, ``"app"``),
    ``notice_version`` which privacy notice the subject was shown, and ``reference`` where the
    proof is kept (a form id, an archive number, a message id).

    Evidence is stored for years and hashed into the ledger's chain, so it must hold **no
    personal data** by design: refer to where the proof is kept, never copy the proof (no
    e-mail address, IP address, signature or name in any field).
    """

    method: str
    notice_version: str | None = None
    reference: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.method, str) or not self.method.strip():
            raise ValueError("evidence needs a method, such as 'web_form' or 'paper_form'")
        for name in ("notice_version", "reference"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise TypeError(f"evidence {name} must be text or None")


@dataclass(frozen=True, slots=True)
class ConsentState:
    """What a consent source knows of one subject and one purpose at one moment.

    ``status`` is ``"given"`` (with ``given_at``, ``explicit``, ``parental`` and ``evidence`` of
    that consent), ``"withdrawn"`` (with ``withdrawn_at`` and the ``given_at`` of the consent
    withdrawn, if one is known) or ``"none"``. The other flags hold whatever the purpose:
    ``objected`` (an objection naming this purpose, Art. 21(1)), ``objected_direct_marketing``
    (an objection to all direct marketing, Art. 21(3)), ``restricted`` (Art. 18),
    ``erasure_requested`` (Art. 17) and ``held`` (a legal hold is in force: the data is needed
    for a legal claim and is kept, Art. 17(3)(e); it is ``False`` unless a source says so).
    """

    status: ConsentStatus
    given_at: datetime | None
    withdrawn_at: datetime | None
    explicit: bool
    parental: bool
    evidence: Evidence | None
    objected: bool
    objected_direct_marketing: bool
    restricted: bool
    erasure_requested: bool
    held: bool = False

    def __post_init__(self) -> None:
        if self.status not in _STATUSES:
            raise ValueError("consent status must be 'given', 'withdrawn' or 'none'")


#: The state of a subject a consent source knows nothing about.
NO_CONSENT: Final = ConsentState("none", None, None, False, False, None, False, False, False, False)


class EventKind(StrEnum):
    """What a ledger event records."""

    GIVEN = "given"
    WITHDRAWN = "withdrawn"
    OBJECTION = "objection"
    RESTRICTION = "restriction"
    RESTRICTION_LIFTED = "restriction_lifted"
    ERASURE_REQUESTED = "erasure_requested"
    HOLD = "legal_hold"
    HOLD_RELEASED = "legal_hold_released"


@dataclass(frozen=True, slots=True)
class EventDraft:
    """An event before it takes its place in the chain: what a backend's ``append`` receives.

    The backend gives it a sequence number and the previous hash, and seals it
    (:func:`gdprkit._consent._chain.seal`) into a :class:`ConsentEvent`, atomically.
    """

    kind: EventKind
    subject: str = field(repr=False)
    purpose: str | None
    at: datetime
    recorded_at: datetime | None
    explicit: bool = False
    parental: bool = False
    evidence: Evidence | None = None


@dataclass(frozen=True, slots=True)
class ConsentEvent:
    """One entry of the append-only ledger.

    ``seq`` is its 1-based position in the chain; ``at`` when the thing happened (aware, UTC);
    ``recorded_at`` when the ledger recorded it (UTC; differs from ``at`` for backfilled
    history). ``purpose`` is ``None`` for events about the subject as a whole (an objection to
    all direct marketing, a restriction, an erasure request, a legal hold). A legal hold's
    ``evidence`` is ``Evidence("legal_hold", reference=...)``: the claim or case it serves.
    ``prev_hash`` is the hash of the event before (64 zeros for the first) and ``hash`` the
    SHA-256 over ``prev_hash`` and every other field, ``recorded_at`` included: see
    :mod:`gdprkit._consent._chain`.
    """

    seq: int
    kind: EventKind
    subject: str = field(repr=False)
    purpose: str | None
    at: datetime
    recorded_at: datetime | None
    explicit: bool
    parental: bool
    evidence: Evidence | None
    prev_hash: str
    hash: str


@runtime_checkable
class ConsentSource(Protocol):
    """Anything that can say what a subject agreed to, objected to, or asked for, at a moment.

    A source may also offer a bulk path, ``states(subjects, purpose, *, at)`` returning a
    mapping from subject to state (a subject missing from it has :data:`NO_CONSENT`);
    ``enforce`` uses it when present (see :class:`BulkConsentSource`).
    """

    def state(self, subject: str, purpose: str, *, at: datetime) -> ConsentState:
        """The state of ``subject`` for ``purpose`` at ``at``."""
        ...


@runtime_checkable
class BulkConsentSource(ConsentSource, Protocol):
    """A consent source that can also answer for many subjects in one call."""

    def states(
        self, subjects: Iterable[str], purpose: str, *, at: datetime
    ) -> Mapping[str, ConsentState]:
        """The states of ``subjects`` for ``purpose`` at ``at``; absent means no consent."""
        ...
