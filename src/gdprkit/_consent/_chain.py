"""The ledger's hash chain: canonical encoding of events, sealing, and verification.

Backend-neutral building blocks, shared by every ledger backend (memory, SQL): a backend seals
each draft under its own lock or transaction, and verifies whatever it reads back, rows of a
table included.

* :func:`canonical` encodes every field of an event except ``hash`` as compact JSON with sorted
  keys, in UTF-8; times are ISO 8601 in UTC with microseconds
  (``"2025-03-01T10:00:00.000000+00:00"``). ``recorded_at`` is included: when an event was
  written is part of what the ledger demonstrates (a backfilled event cannot pass as recorded
  on the day it claims).
* ``hash = sha256(prev_hash + "\\n" + canonical(event))``, lowercase hex; the first event's
  ``prev_hash`` is :data:`GENESIS_HASH` (64 zeros).
* :func:`verify_chain` finds an edited, inserted, reordered or deleted event within the chain,
  and, given a head kept elsewhere, a cut-off tail.

What a chain without a secret cannot show: someone able to write the store can append forged
events at the end, or rewrite the whole chain and recompute every hash. Keeping
``head()`` outside the store (a log, a ticket, another system) and passing it back as
``expected_head`` turns a rewrite of anything up to that head into a failed verification.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Final

from gdprkit._consent._model import ConsentEvent, EventDraft, EventKind, Evidence
from gdprkit._errors import LedgerError

__all__ = ["GENESIS_HASH", "broken_link", "canonical", "chain_hash", "seal", "verify_chain"]

#: The ``prev_hash`` of the first event, and the head of an empty ledger.
GENESIS_HASH: Final = "0" * 64


def _iso(value: datetime | None, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise TypeError(f"event field {name} must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"event field {name} must be an aware datetime")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _evidence(value: Evidence | None) -> dict[str, str | None] | None:
    if value is None:
        return None
    if not isinstance(value, Evidence):
        raise TypeError("event field evidence must be an Evidence or None")
    return {
        "method": value.method,
        "notice_version": value.notice_version,
        "reference": value.reference,
    }


def _flag(value: bool, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"event field {name} must be a bool")
    return value


def canonical(event: ConsentEvent) -> bytes:
    """The bytes the hash of ``event`` covers: every field but ``hash``, as canonical JSON.

    ``ValueError`` or ``TypeError`` for an event that cannot be encoded (a naive time, a
    sequence number that is not an integer, an unknown kind).
    """
    if type(event.seq) is not int:
        raise TypeError("event field seq must be an int")
    body = {
        "at": _iso(event.at, "at"),
        "evidence": _evidence(event.evidence),
        "explicit": _flag(event.explicit, "explicit"),
        "kind": EventKind(event.kind).value,
        "parental": _flag(event.parental, "parental"),
        "prev_hash": event.prev_hash,
        "purpose": event.purpose,
        "recorded_at": _iso(event.recorded_at, "recorded_at"),
        "seq": event.seq,
        "subject": event.subject,
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def chain_hash(prev_hash: str, body: bytes) -> str:
    """``sha256(prev_hash + "\\n" + body)`` in lowercase hex."""
    return hashlib.sha256(prev_hash.encode() + b"\n" + body).hexdigest()


def seal(draft: EventDraft, *, seq: int, prev_hash: str) -> ConsentEvent:
    """``draft`` as the event at position ``seq`` after the event whose hash is ``prev_hash``.

    The caller (a backend) holds whatever lock or transaction makes ``seq`` and ``prev_hash``
    the current end of the chain. Times are stored in UTC.
    """
    at = draft.at.astimezone(UTC)
    recorded_at = None if draft.recorded_at is None else draft.recorded_at.astimezone(UTC)
    unsealed = ConsentEvent(
        seq=seq,
        kind=EventKind(draft.kind),
        subject=draft.subject,
        purpose=draft.purpose,
        at=at,
        recorded_at=recorded_at,
        explicit=draft.explicit,
        parental=draft.parental,
        evidence=draft.evidence,
        prev_hash=prev_hash,
        hash="",
    )
    return replace(unsealed, hash=chain_hash(prev_hash, canonical(unsealed)))


def broken_link(position: int, why: str) -> LedgerError:
    """The error for the first broken link, at ``position``: never quotes an event's content."""
    return LedgerError(f"ledger chain broken at event #{position}: {why}")


def verify_chain(events: Iterable[ConsentEvent], expected_head: str | None = None) -> str:
    """Check ``events`` (in chain order) link up, and return the head hash.

    Raises :class:`~gdprkit.LedgerError` naming the first broken link by its position,
    ``"ledger chain broken at event #N: ..."`` (never a subject or any other content), when:

    * the sequence numbers are not 1, 2, 3, ... (an event deleted, inserted or moved);
    * an event's ``prev_hash`` is not the hash of the event before it;
    * an event's content does not match its ``hash`` (an event edited);
    * ``expected_head`` is given and the chain never reaches it: no event (nor the genesis)
      has that hash, so events were cut off from the end, or the chain was rewritten. A head
      kept earlier still verifies after more events were appended legitimately.
    """
    head = GENESIS_HASH
    reached = expected_head is None or expected_head == GENESIS_HASH
    position = 0
    for position, event in enumerate(events, start=1):
        seq = event.seq
        if seq != position:
            found = f"#{seq}" if type(seq) is int else "a malformed sequence number"
            raise broken_link(
                position, f"found {found} there (an event deleted, inserted or moved)"
            )
        if event.prev_hash != head:
            raise broken_link(position, "it does not link to the hash of the event before it")
        try:
            body = canonical(event)
        except (TypeError, ValueError):
            # ``from None``: the underlying message may quote the content of the event.
            raise broken_link(position, "its content cannot be encoded") from None
        if chain_hash(head, body) != event.hash:
            raise broken_link(
                position, "its content does not match its hash (the event was edited)"
            )
        head = event.hash
        if not reached and head == expected_head:
            reached = True
    if not reached:
        raise broken_link(
            position + 1,
            "the chain does not reach the expected head (events cut off from its end, "
            "or the chain rewritten)",
        )
    return head
