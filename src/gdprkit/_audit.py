"""The audit trail: what ran, when, under which policy, with what outcome (Art. 5(2)).

An :class:`AuditLog` is an append-only, hash-chained sequence of :class:`AuditEvent`. It lives
in memory (``AuditLog()``) or in a JSON Lines file (``AuditLog("audit.jsonl")``), one event a
line. The chain is the consent ledger's (:mod:`gdprkit._consent._chain`):

* every event but its ``hash`` is encoded as compact JSON with sorted keys, in UTF-8, times in
  UTC with microseconds;
* ``hash = sha256(prev_hash + "\\n" + that encoding)``, lowercase hex; the first event's
  ``prev_hash`` is 64 zeros;
* a line of the file is the same encoding with ``hash`` added, and a newline.

:meth:`AuditLog.verify` re-reads every line and insists that it is *byte for byte* the canonical
encoding of what it holds, so any edit of any byte is found (as is a deleted, inserted or moved
line, an incomplete last line, and, given a head kept elsewhere, a cut-off tail).

Each append to a file is one ``write`` of one whole line, under an exclusive ``flock`` of the
file, followed by ``fsync``: several processes may append to one file, and a call that returned
is durable. A crash mid-write can leave at most an incomplete last line, which ``verify``
reports as ``"torn"`` and appending refuses (fail closed) until :meth:`AuditLog.recover`
removes it: the event it held was never acknowledged. The file is created readable and writable
by its owner only (0600), and is never opened through a symbolic link (``O_NOFOLLOW``): a trail
path that is a link is an error, so a planted link cannot redirect the appends elsewhere.

What goes in: codes, counts, purposes, field names, the policy's digest. Never record values,
subject ids or keys: the convenience methods record only those, and :meth:`AuditLog.record`
accepts only JSON scalars, lists and mappings with text keys. What a chain without a secret
cannot show: someone able to rewrite the file can rewrite the whole chain; keep :meth:`head`
elsewhere (a ticket, another system) and pass it back as ``expected_head``.
"""

from __future__ import annotations

import errno
import hashlib
import json
import math
import os
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Protocol

from gdprkit._consent._chain import GENESIS_HASH, chain_hash
from gdprkit._errors import AuditError
from gdprkit._time import utc_now

if TYPE_CHECKING:
    from gdprkit._enforce import Enforcement
    from gdprkit._policy import Policy

__all__ = ["AuditEvent", "AuditLog", "policy_digest"]

_KIND: Final = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$")
_HASH: Final = re.compile(r"^[0-9a-f]{64}$")
_KEYS: Final = frozenset({"at", "hash", "kind", "payload", "prev_hash", "recorded_at", "seq"})
#: How much of the end of the file is read at a time when looking for the last line.
_TAIL_CHUNK: Final = 65_536
#: Opening the trail never follows a symbolic link at its path (0 where the OS has no such flag).
_O_NOFOLLOW: Final = getattr(os, "O_NOFOLLOW", 0)


def _dumps(value: object) -> bytes:
    text = json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def policy_digest(policy: Policy) -> str:
    """SHA-256 (lowercase hex) of the policy's canonical JSON, tying a run to the exact policy.

    The JSON is ``policy.model_dump(mode="json", by_alias=True)`` with sorted keys, compact
    separators, in UTF-8: two policies with the same content have the same digest, however
    their files were laid out; any change of content changes it.
    """
    return hashlib.sha256(_dumps(policy.model_dump(mode="json", by_alias=True))).hexdigest()


def _json_ready(value: object, where: str) -> Any:  # noqa: ANN401 - a JSON value of any shape
    """``value`` as plain JSON types; ``TypeError`` naming where (never quoting the value)."""
    if value is None or type(value) in (str, bool, int):
        return value
    # Subclasses (StrEnum codes, IntEnum counts) as their plain value, never their own str().
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int.__index__(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"audit payload {where} must be a finite number")
        return float.__float__(value)
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"audit payload {where} must have text keys")
            name = str.__str__(key)
            out[name] = _json_ready(item, f"{where}.{name}")
        return out
    if isinstance(value, list | tuple):
        return [_json_ready(item, f"{where}[{i}]") for i, item in enumerate(value)]
    raise TypeError(
        f"audit payload {where} must be text, a number, a bool, None, a list or a mapping"
    )


def _aware(value: object, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"audit {name} must be an aware datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"audit {name} must be an aware datetime (naive times are ambiguous)")
    return value.astimezone(UTC)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One event of an audit trail, as written: immutable, hash-chained.

    ``seq`` (1, 2, 3, ...), ``kind`` (a dotted code: ``enforce``, ``sweep``...), ``at`` (the
    moment the run decided at), ``recorded_at`` (when the event was written), ``payload`` (a
    JSON-ready mapping of codes, counts, purposes, field names and the policy digest),
    ``prev_hash`` (the hash of the event before, 64 zeros for the first) and ``hash``.
    """

    seq: int
    kind: str
    at: datetime
    recorded_at: datetime
    payload: Mapping[str, Any] = field(repr=False)
    prev_hash: str
    hash: str

    def __hash__(self) -> int:
        return hash((self.seq, self.hash))

    def as_dict(self) -> dict[str, Any]:
        """The event as JSON-ready data (times as ISO 8601 text in UTC), ``hash`` included."""
        return {**self._body(), "hash": self.hash}

    def to_json(self) -> str:
        """The event's line in an audit file (without the newline): canonical JSON."""
        return _dumps(self.as_dict()).decode("utf-8")

    def _body(self) -> dict[str, Any]:
        return {
            "at": _iso(self.at),
            "kind": self.kind,
            "payload": _json_ready(self.payload, "payload"),
            "prev_hash": self.prev_hash,
            "recorded_at": _iso(self.recorded_at),
            "seq": self.seq,
        }

    def _expected_hash(self) -> str:
        return chain_hash(self.prev_hash, _dumps(self._body()))


def _seal(
    kind: str,
    at: datetime,
    recorded_at: datetime,
    payload: Mapping[str, Any],
    *,
    seq: int,
    prev_hash: str,
) -> tuple[AuditEvent, bytes]:
    unsealed = AuditEvent(seq, kind, at, recorded_at, payload, prev_hash, "")
    sealed = AuditEvent(seq, kind, at, recorded_at, payload, prev_hash, unsealed._expected_hash())
    return sealed, sealed.to_json().encode("utf-8") + b"\n"


def _freeze(payload: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(payload)


# -- reading and verifying lines ---------------------------------------------------------------


class _Broken(Exception):  # noqa: N818 - internal signal, turned into AuditError with a line
    def __init__(self, kind: str, why: str) -> None:
        super().__init__(why)
        self.kind = kind
        self.why = why


def _broken(line: int, kind: str, why: str) -> AuditError:
    return AuditError(f"audit trail broken at line {line}: {why}", line=line, kind=kind)


def _parse(raw: bytes) -> AuditEvent:
    """A line (without its newline) as the event it holds, checked against its own hash.

    Raises ``_Broken("edited", ...)`` when the line is not JSON, not an event, not in canonical
    form, or does not match its hash. Never quotes the line.
    """
    unreadable = _Broken("edited", "it is not a readable audit event (the line was edited)")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise unreadable from None
    if not isinstance(data, dict) or set(data) != _KEYS:
        raise unreadable
    seq, kind, payload = data["seq"], data["kind"], data["payload"]
    prev_hash, hash_ = data["prev_hash"], data["hash"]
    if (
        type(seq) is not int
        or seq < 1
        or type(kind) is not str
        or not _KIND.match(kind)
        or not isinstance(payload, dict)
        or type(prev_hash) is not str
        or not _HASH.match(prev_hash)
        or type(hash_) is not str
        or not _HASH.match(hash_)
        or type(data["at"]) is not str
        or type(data["recorded_at"]) is not str
    ):
        raise unreadable
    try:
        at = _aware(datetime.fromisoformat(data["at"]), "at")
        recorded_at = _aware(datetime.fromisoformat(data["recorded_at"]), "recorded_at")
    except (TypeError, ValueError):
        raise unreadable from None
    event = AuditEvent(seq, kind, at, recorded_at, _freeze(payload), prev_hash, hash_)
    try:
        canonical = event.to_json().encode("utf-8")
    except (TypeError, ValueError):
        raise unreadable from None
    if canonical != raw:
        raise _Broken("edited", "it is not in canonical form (the line was edited)")
    if event._expected_hash() != hash_:
        raise _Broken("edited", "its content does not match its hash (the line was edited)")
    return event


def _peek_seq(raw: bytes) -> int | None:
    try:
        seq = json.loads(raw.decode("utf-8")).get("seq")
    except (UnicodeDecodeError, ValueError, AttributeError):
        return None
    return seq if type(seq) is int else None


def _misplaced(lines: list[bytes], position: int, seq: int) -> AuditError:
    """Why the event numbered ``seq`` sits at ``position``: reordered, deleted or inserted."""
    seqs = [_peek_seq(raw) for raw in lines]
    found = f"it carries event number {seq}"
    if sorted(s for s in seqs if s is not None) == list(range(1, len(lines) + 1)):
        return _broken(position, "reordered", f"{found} (lines were moved)")
    if seq > position:
        return _broken(position, "deleted", f"{found} (a line before it was deleted)")
    return _broken(position, "inserted", f"{found} (a line was inserted before it)")


def _verify_lines(
    lines: list[bytes], *, torn: bool, expected_head: str | None
) -> tuple[str, list[AuditEvent]]:
    """Check ``lines`` (without newlines) chain up; the head hash and the events.

    ``torn``: the last line had no newline (an interrupted write).
    """
    head = GENESIS_HASH
    reached = expected_head is None or expected_head == GENESIS_HASH
    events: list[AuditEvent] = []
    for position, raw in enumerate(lines, start=1):
        if torn and position == len(lines):
            raise _broken(position, "torn", "the last line is incomplete (a write was interrupted)")
        try:
            event = _parse(raw)
        except _Broken as exc:
            raise _broken(position, exc.kind, exc.why) from None
        if event.seq != position:
            raise _misplaced(lines, position, event.seq)
        if event.prev_hash != head:
            raise _broken(
                position,
                "unlinked",
                "it does not link to the hash of the line before it "
                "(a line before it was rewritten, deleted or inserted)",
            )
        head = event.hash
        events.append(event)
        if not reached and head == expected_head:
            reached = True
    if not reached:
        raise _broken(
            len(lines) + 1,
            "cut_off",
            "the trail does not reach the expected head (lines cut off from its end, "
            "or the trail rewritten)",
        )
    return head, events


def _split(data: bytes) -> tuple[list[bytes], bool]:
    """The lines of a file's bytes (without newlines), and whether the last one is torn."""
    if not data:
        return [], False
    lines = data.split(b"\n")
    torn = lines[-1] != b""
    if not torn:
        lines.pop()
    return lines, torn


# -- sinks -----------------------------------------------------------------------------------


class _MemorySink:
    def __init__(self) -> None:
        self._events: list[AuditEvent] = []
        self._lock = threading.Lock()

    def append(
        self, kind: str, at: datetime, recorded_at: datetime, payload: Mapping[str, Any]
    ) -> AuditEvent:
        with self._lock:
            seq, prev = self._tail()
            event, _line = _seal(kind, at, recorded_at, payload, seq=seq + 1, prev_hash=prev)
            self._events.append(event)
            return event

    def _tail(self) -> tuple[int, str]:
        if not self._events:
            return 0, GENESIS_HASH
        last = self._events[-1]
        return last.seq, last.hash

    def tail(self) -> tuple[int, str]:
        with self._lock:
            return self._tail()

    def read(self) -> tuple[list[bytes], bool]:
        with self._lock:
            events = list(self._events)
        lines: list[bytes] = []
        for event in events:
            try:
                lines.append(event.to_json().encode("utf-8"))
            except (TypeError, ValueError):
                lines.append(b"")  # an event changed into something not encodable: edited
        return lines, False


def _flock() -> Any:  # noqa: ANN401 - the fcntl module
    try:
        import fcntl  # noqa: PLC0415 - POSIX only; imported where the file sink needs it
    except ImportError as exc:  # pragma: no cover - not POSIX
        raise AuditError("a file audit log needs fcntl.flock (a POSIX system)") from exc
    return fcntl


class _FileSink:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _open(self, flags: int) -> int:
        """Open the trail without following a symbolic link; a new file is its owner's only."""
        extra = getattr(os, "O_CLOEXEC", 0) | _O_NOFOLLOW
        try:
            fd = os.open(self.path, flags | extra, 0o600)
        except OSError as exc:
            if exc.errno == errno.ELOOP or self.path.is_symlink():
                raise AuditError(
                    f"audit log {self.path.name!r} is a symbolic link: refusing to follow it"
                ) from exc
            raise AuditError(f"audit log {self.path.name!r} cannot be opened") from exc
        if not _O_NOFOLLOW and self.path.is_symlink():  # pragma: no cover - no O_NOFOLLOW
            os.close(fd)
            raise AuditError(
                f"audit log {self.path.name!r} is a symbolic link: refusing to follow it"
            )
        return fd

    def _exists(self) -> bool:
        """Whether there is something at the path (a symbolic link counts: opening it fails)."""
        return os.path.lexists(self.path)

    def append(
        self, kind: str, at: datetime, recorded_at: datetime, payload: Mapping[str, Any]
    ) -> AuditEvent:
        fcntl = _flock()
        created = not self._exists()
        fd = self._open(os.O_RDWR | os.O_CREAT | os.O_APPEND)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                seq, prev = self._tail_of(fd)
                event, line = _seal(kind, at, recorded_at, payload, seq=seq + 1, prev_hash=prev)
                view = memoryview(line)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.fsync(fd)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        except OSError as exc:
            raise AuditError(f"audit log {self.path.name!r} cannot be written") from exc
        finally:
            os.close(fd)
        if created:
            self._sync_directory()
        return event

    def _sync_directory(self) -> None:
        try:
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
        except OSError:  # pragma: no cover - a platform without directory fds
            return
        try:
            os.fsync(dir_fd)
        except OSError:  # pragma: no cover - some file systems refuse; the data is synced
            pass
        finally:
            os.close(dir_fd)

    def _tail_of(self, fd: int) -> tuple[int, str]:
        """The last event's number and hash, read from the end of the file (under the lock)."""
        size = os.fstat(fd).st_size
        if size == 0:
            return 0, GENESIS_HASH
        if os.pread(fd, 1, size - 1) != b"\n":
            raise self._whole_file_error(fd)
        # The last line spans from after the newline before the final one, up to the final one.
        pos = size - 1
        last = b""
        while pos > 0:
            step = min(_TAIL_CHUNK, pos)
            pos -= step
            last = os.pread(fd, step, pos) + last
            cut = last.rfind(b"\n")
            if cut >= 0:
                last = last[cut + 1 :]
                break
        try:
            event = _parse(last)
        except _Broken:
            raise self._whole_file_error(fd) from None
        return event.seq, event.hash

    def _whole_file_error(self, fd: int) -> AuditError:
        """The tail is torn or broken: say where, from the whole file (the rare path)."""
        size = os.fstat(fd).st_size
        data = os.pread(fd, size, 0)
        lines, torn = _split(data)
        try:
            _verify_lines(lines, torn=torn, expected_head=None)
        except AuditError as exc:
            return AuditError(
                f"{exc} — refusing to append to a broken trail", line=exc.line, kind=exc.kind
            )
        return AuditError("the audit trail's last line cannot be read")  # pragma: no cover

    def tail(self) -> tuple[int, str]:
        if not self._exists():
            return 0, GENESIS_HASH
        fcntl = _flock()
        fd = self._open(os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            try:
                return self._tail_of(fd)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def read(self) -> tuple[list[bytes], bool]:
        if not self._exists():
            return [], False
        fcntl = _flock()
        fd = self._open(os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            try:
                data = os.pread(fd, os.fstat(fd).st_size, 0)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        except OSError as exc:
            raise AuditError(f"audit log {self.path.name!r} cannot be read") from exc
        finally:
            os.close(fd)
        return _split(data)

    def recover(self) -> int:
        if not self._exists():
            return 0
        fcntl = _flock()
        fd = self._open(os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                size = os.fstat(fd).st_size
                data = os.pread(fd, size, 0)
                keep = data.rfind(b"\n") + 1
                if keep == size:
                    return 0
                os.ftruncate(fd, keep)
                os.fsync(fd)
                return size - keep
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        except OSError as exc:
            raise AuditError(f"audit log {self.path.name!r} cannot be recovered") from exc
        finally:
            os.close(fd)


# -- the log ---------------------------------------------------------------------------------


class _SweepLike(Protocol):
    @property
    def deleted(self) -> int: ...
    @property
    def erased(self) -> int: ...
    @property
    def kept(self) -> int: ...
    @property
    def anonymised(self) -> int: ...
    @property
    def reasons(self) -> Mapping[str, int]: ...
    @property
    def fields(self) -> Mapping[str, int]: ...


def _counts(counts: Mapping[str, int], name: str) -> dict[str, int]:
    if not isinstance(counts, Mapping):
        raise TypeError(f"audit {name} must be a mapping of codes to counts")
    out: dict[str, int] = {}
    for code, number in counts.items():
        if not isinstance(code, str):
            raise TypeError(f"audit {name} must have text keys")
        if isinstance(number, bool) or not isinstance(number, int) or number < 0:
            raise TypeError(f"audit {name} must count with non-negative ints")
        out[str.__str__(code)] = int.__index__(number)
    return dict(sorted(out.items()))


def _count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError(f"audit {name} must be a non-negative int")
    return int.__index__(value)


class AuditLog:
    """An append-only, hash-chained audit trail: in memory, or in a JSON Lines file.

    ``AuditLog()`` keeps events in memory; ``AuditLog("audit.jsonl")`` appends them to a file
    (created on the first event), safely from several processes at once. Record a run with
    :meth:`record_enforce` or :meth:`record_sweep` (or :meth:`record` for your own kinds);
    :meth:`verify` proves the trail was not edited.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self._path = None if path is None else Path(path)
        self._sink: _MemorySink | _FileSink = (
            _MemorySink() if self._path is None else _FileSink(self._path)
        )

    def __repr__(self) -> str:
        where = "memory" if self._path is None else repr(str(self._path))
        return f"AuditLog({where})"

    @property
    def path(self) -> Path | None:
        """The file the trail is kept in; ``None`` in memory."""
        return self._path

    def record(self, kind: str, *, at: datetime, **payload: object) -> AuditEvent:
        """Append an event of ``kind`` (a dotted code) about a run at ``at``; the sealed event.

        ``payload``: JSON scalars, lists and mappings with text keys, holding codes, counts,
        purposes, field names and digests, never record values, subject ids or keys. Returns
        once the event is durable (written and ``fsync``-ed for a file).
        """
        if type(kind) is not str or not _KIND.match(kind):
            raise ValueError("audit kind must be a dotted lowercase code, e.g. 'enforce'")
        when = _aware(at, "at")
        body = _json_ready(payload, "payload")
        _dumps(body)  # refuse anything json cannot encode before touching the sink
        return self._sink.append(kind, when, utc_now(), _freeze(body))

    def record_enforce(
        self,
        policy: Policy,
        purpose: str | Enforcement,
        *,
        at: datetime | None = None,
        counts: Mapping[str, int] | None = None,
    ) -> AuditEvent:
        """Record a run of ``enforce``: the purpose, the policy digest and the counts.

        Pass the consumed stream ``enforce`` returned (``log.record_enforce(policy, stream)``),
        or the purpose with ``at`` and ``counts`` yourself. The payload holds ``purpose``,
        ``policy_sha256``, ``processed``, ``denied`` and ``counts`` (by reason code).
        """
        if not isinstance(purpose, str):
            if at is not None or counts is not None:
                raise TypeError("pass either an Enforcement, or a purpose with at and counts")
            stream = purpose
            if not _consumed(stream):
                raise ValueError(
                    "the enforce stream has not been consumed: its counts are incomplete"
                )
            purpose, at, counts = stream.purpose, stream.at, stream.counts
        if at is None or counts is None:
            raise TypeError("record_enforce needs at and counts with a purpose")
        by_code = _counts(counts, "counts")
        processed = by_code.get("processed", 0)
        return self.record(
            "enforce",
            at=at,
            purpose=purpose,
            policy_sha256=policy_digest(policy),
            processed=processed,
            denied=sum(n for code, n in by_code.items() if code != "processed"),
            counts=by_code,
        )

    def record_sweep(
        self,
        policy: Policy,
        *,
        report: _SweepLike,
        at: datetime | None = None,
        table: str | None = None,
    ) -> AuditEvent:
        """Record a retention sweep: its row counts, reasons and fields, and the policy digest.

        ``report`` is a :class:`~gdprkit.integrations.sqlalchemy.SweepReport` or any object with
        ``deleted``, ``erased``, ``kept``, ``anonymised``, ``reasons`` and ``fields``; ``at``
        defaults to ``report.at``; ``table`` (a name, not data) is recorded when given.
        """
        when = at if at is not None else getattr(report, "at", None)
        if when is None:
            raise TypeError("record_sweep needs at (the report has none)")
        payload: dict[str, object] = {
            "policy_sha256": policy_digest(policy),
            "deleted": _count(report.deleted, "deleted"),
            "erased": _count(report.erased, "erased"),
            "kept": _count(report.kept, "kept"),
            "anonymised": _count(report.anonymised, "anonymised"),
            "reasons": _counts(report.reasons, "reasons"),
            "fields": _counts(report.fields, "fields"),
        }
        dry_run = getattr(report, "dry_run", None)
        if dry_run is not None:
            payload["dry_run"] = bool(dry_run)
        if table is not None:
            payload["table"] = str(table)
        return self.record("sweep", at=when, **payload)

    def events(self) -> list[AuditEvent]:
        """Every event, oldest first, each checked against its own hash.

        ``AuditError`` at the first line that cannot be read or was edited; the chain itself
        (order, links, an incomplete last line) is :meth:`verify`'s business.
        """
        lines, torn = self._sink.read()
        if torn:
            lines = lines[:-1]
        events = []
        for position, raw in enumerate(lines, start=1):
            try:
                events.append(_parse(raw))
            except _Broken as exc:
                raise _broken(position, exc.kind, exc.why) from None
        return events

    def head(self) -> str:
        """The hash of the last event (64 zeros when empty): keep it elsewhere, and pass it
        back to :meth:`verify` as ``expected_head`` to catch a cut-off tail or a rewrite."""
        return self._sink.tail()[1]

    def verify(self, expected_head: str | None = None) -> str:
        """Check the whole trail and return its head hash.

        Raises :class:`~gdprkit.AuditError` naming the first broken line (``line``) and what
        was found (``kind``): an ``edited`` line (any byte), a ``deleted``, ``inserted`` or
        ``reordered`` one, one that does not link to the line before (``unlinked``), an
        incomplete last line (``torn``), or, with ``expected_head``, a trail that never reaches
        that head (``cut_off``). A head kept earlier still verifies after later appends.
        A missing file is an empty trail: only ``expected_head`` can tell it was removed.
        """
        if expected_head is not None and (
            type(expected_head) is not str or not _HASH.match(expected_head)
        ):
            raise ValueError("expected_head must be 64 lowercase hex digits")
        lines, torn = self._sink.read()
        head, _events = _verify_lines(lines, torn=torn, expected_head=expected_head)
        return head

    def recover(self) -> int:
        """Remove an incomplete last line left by an interrupted write; bytes removed.

        The event on that line was never acknowledged (its ``record`` call did not return).
        Only the bytes after the last newline are removed; the rest is left for
        :meth:`verify`. Nothing to do in memory.
        """
        if isinstance(self._sink, _FileSink):
            return self._sink.recover()
        return 0


def _consumed(stream: Iterable[Any]) -> bool:
    """Whether an ``Enforcement`` has run to its end (so that its counts are complete)."""
    import inspect  # noqa: PLC0415 - only needed here

    inner = getattr(stream, "_stream", None)
    if not inspect.isgenerator(inner):
        return True  # cannot tell: trust the caller
    return inspect.getgeneratorstate(inner) == inspect.GEN_CLOSED
