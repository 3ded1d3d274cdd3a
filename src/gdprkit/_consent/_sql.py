"""SQL storage for the consent ledger: SQLite (embedded) and PostgreSQL, through SQLAlchemy 2.

Imported only when a ledger is opened with a URL, so ``import gdprkit`` never loads SQLAlchemy.

Schema (version :data:`SCHEMA_VERSION`), created on first use, in one transaction:

``gdprkit_ledger_meta(key, value)``
    ``schema_version`` (so that later releases can migrate; a newer schema is refused).
``gdprkit_consent_events``
    one row per event, never updated or deleted: ``seq`` (the 1-based position in the chain,
    primary key), ``kind``, ``subject``, ``purpose``, ``at`` and ``recorded_at`` (text, ISO 8601
    in UTC with microseconds: exactly what the hash covers, so no time zone conversion of the
    database can change a stored event), ``explicit`` and ``parental`` (0 or 1), the evidence
    in three columns, ``prev_hash`` and ``hash``. An index on ``(subject, seq)`` serves the
    questions about one subject and the bulk path.

Triggers refuse ``UPDATE`` and ``DELETE`` of an event (and ``TRUNCATE`` on PostgreSQL). They are
a guard against mistakes, not the proof: :meth:`ConsentLedger.verify` re-reads every row and
recomputes every hash, so an edit made with the triggers dropped is found all the same. Every
row is read strictly (types, times in their canonical text): a value rewritten in another
spelling of the same thing is a broken link too.

Concurrency and durability:

* SQLite: WAL journal, ``synchronous=FULL``, a busy timeout of 30 s, and every append in a
  ``BEGIN IMMEDIATE`` transaction (the write lock is taken before the head is read, so two
  writers can never seal on the same head). ``FULL`` rather than ``NORMAL``: in WAL mode
  ``NORMAL`` already survives the death of the process (a ``SIGKILL`` loses nothing committed:
  the WAL frames are in the operating system's cache), but a power cut or kernel crash could
  lose the last commits, and an event whose call returned must survive those too. The price is
  one ``fsync`` of the WAL per append (see ``benchmarks/bench_ledger.py``); imports append in
  batches, one transaction and one ``fsync`` per batch.
* PostgreSQL: every append takes a transaction-level advisory lock keyed by the schema (the
  lock on the chain head: it excludes other appenders, not readers, and needs no privilege
  beyond ``INSERT`` and ``SELECT``), then reads the head under it; in READ COMMITTED that read
  sees every append committed before. The commit is durable when it returns
  (``synchronous_commit`` as the server sets it). Schema creation is serialised the same way.

Errors of the database layer surface as :class:`~gdprkit.LedgerError` naming what was being
done and the database's error class or code (an SQLSTATE, an SQLite error name); never the URL,
and never a value: the engine is created with ``hide_parameters=True``, and errors about row
content (integrity, data) are not chained, as the driver's text may quote the row.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import weakref
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final, NoReturn

from gdprkit._consent._chain import GENESIS_HASH, broken_link, seal
from gdprkit._consent._model import ConsentEvent, EventDraft, EventKind, Evidence
from gdprkit._errors import ConfigurationError, LedgerError
from gdprkit._values import subject_key

if sys.platform != "win32":
    import fcntl

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy.engine import URL, Connection, Engine
    from sqlalchemy.sql.elements import TextClause

__all__ = ["SCHEMA_VERSION", "SqlBackend", "open_sql_backend"]

_log = logging.getLogger(__name__)

#: The version of the table layout this release writes and reads.
SCHEMA_VERSION: Final = 1

EVENTS: Final = "gdprkit_consent_events"
META: Final = "gdprkit_ledger_meta"

_COLUMNS: Final = (
    "seq",
    "kind",
    "subject",
    "purpose",
    "at",
    "recorded_at",
    "explicit",
    "parental",
    "evidence_method",
    "evidence_notice_version",
    "evidence_reference",
    "prev_hash",
    "hash",
)
_SELECT: Final = f"SELECT {', '.join(_COLUMNS)} FROM {EVENTS}"  # noqa: S608 - constant names
_INSERT: Final = (
    f"INSERT INTO {EVENTS} ({', '.join(_COLUMNS)}) "  # noqa: S608 - constant names, bound values
    f"VALUES ({', '.join(':' + c for c in _COLUMNS)})"
)
_MANY_SQLITE: Final = f"{_SELECT} WHERE subject IN (SELECT value FROM json_each(:subjects))"  # noqa: S608 - constant names, bound values
_KINDS: Final = {k.value: k for k in EventKind}
#: Evidence read back, shared between events (it is frozen): most events share a few.
_EVIDENCE: dict[tuple[object, object, object], Evidence] = {}
_EVIDENCE_CACHE: Final = 4096
#: Second halves of the PostgreSQL advisory lock keys (the first is the schema's hash).
_APPEND_KEY: Final = 0x67647031
_SCHEMA_KEY: Final = 0x67647030
#: How long a SQLite writer waits for the write lock before giving up, in seconds.
_BUSY_TIMEOUT: Final = 30.0
#: How long opening a PostgreSQL connection may take, in seconds (unless the URL says).
_CONNECT_TIMEOUT: Final = 10

_TABLE_SQL: Final = (
    f"CREATE TABLE {META} (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    f"""CREATE TABLE {EVENTS} (
        seq BIGINT PRIMARY KEY CHECK (seq >= 1),
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        purpose TEXT,
        at TEXT NOT NULL,
        recorded_at TEXT,
        explicit SMALLINT NOT NULL CHECK (explicit IN (0, 1)),
        parental SMALLINT NOT NULL CHECK (parental IN (0, 1)),
        evidence_method TEXT,
        evidence_notice_version TEXT,
        evidence_reference TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE
    )""",
    f"CREATE INDEX {EVENTS}_by_subject ON {EVENTS} (subject, seq)",
)
_REFUSAL: Final = "the gdprkit consent ledger is append-only: events are never updated or deleted"
_SQLITE_TRIGGERS: Final = tuple(
    f"CREATE TRIGGER {EVENTS}_no_{op.lower()} BEFORE {op} ON {EVENTS} "
    f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END"
    for op in ("UPDATE", "DELETE")
)
_POSTGRES_TRIGGERS: Final = (
    f"""CREATE FUNCTION {EVENTS}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{_REFUSAL}';
    END
    $$""",
    f"CREATE TRIGGER {EVENTS}_no_change BEFORE UPDATE OR DELETE ON {EVENTS} "
    f"FOR EACH ROW EXECUTE FUNCTION {EVENTS}_append_only()",
    f"CREATE TRIGGER {EVENTS}_no_truncate BEFORE TRUNCATE ON {EVENTS} "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {EVENTS}_append_only()",
)


def _sqlalchemy() -> ModuleType:
    try:
        import sqlalchemy  # noqa: PLC0415 - optional dependency, loaded only for SQL ledgers
    except ImportError as exc:
        raise ImportError(
            "SQL consent ledgers need SQLAlchemy: pip install 'gdprkit[sql]'"
        ) from exc
    return sqlalchemy


# -- rows and events ----------------------------------------------------------------------------


class _Unreadable(Exception):  # noqa: N818 - internal signal, never leaves this module
    """A stored row that is not an event this module wrote."""


def _time_text(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat(timespec="microseconds")


def _row_of(event: ConsentEvent) -> dict[str, Any]:
    evidence = event.evidence
    return {
        "seq": event.seq,
        "kind": event.kind.value,
        "subject": event.subject,
        "purpose": event.purpose,
        "at": _time_text(event.at),
        "recorded_at": _time_text(event.recorded_at),
        "explicit": int(event.explicit),
        "parental": int(event.parental),
        "evidence_method": None if evidence is None else evidence.method,
        "evidence_notice_version": None if evidence is None else evidence.notice_version,
        "evidence_reference": None if evidence is None else evidence.reference,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def _text(value: object) -> str:
    if type(value) is not str:
        raise _Unreadable
    return value


def _maybe_text(value: object) -> str | None:
    return None if value is None else _text(value)


def _moment(value: object, strict: bool, *, nullable: bool = False) -> datetime | None:
    if value is None and nullable:
        return None
    if type(value) is not str:
        raise _Unreadable
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _Unreadable from None
    if moment.utcoffset() is None:
        raise _Unreadable
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    if strict and moment.isoformat(timespec="microseconds") != value:
        raise _Unreadable  # another spelling of a time: not what was written
    return moment


def _bit(value: object) -> bool:
    if type(value) is not int or value not in (0, 1):
        raise _Unreadable
    return value == 1


def _event_of(row: Sequence[Any], strict: bool = False) -> ConsentEvent:
    """The event a stored row holds; :class:`_Unreadable` when it is not one.

    ``strict`` (for verification) also refuses times stored in any spelling other than the
    canonical one, so that every change to a row is seen.
    """
    (
        seq,
        kind,
        subject,
        purpose,
        at,
        recorded_at,
        explicit,
        parental,
        method,
        notice,
        reference,
        prev_hash,
        digest,
    ) = row
    if type(seq) is not int:
        raise _Unreadable
    event_kind = _KINDS.get(kind) if type(kind) is str else None
    if event_kind is None:
        raise _Unreadable
    if method is None:
        if notice is not None or reference is not None:
            raise _Unreadable
        evidence = None
    else:
        key = (method, notice, reference)
        evidence = _EVIDENCE.get(key)
        if evidence is None:
            try:
                evidence = Evidence(_text(method), _maybe_text(notice), _maybe_text(reference))
            except (TypeError, ValueError):
                raise _Unreadable from None
            if len(_EVIDENCE) >= _EVIDENCE_CACHE:
                _EVIDENCE.clear()
            _EVIDENCE[key] = evidence
    when = _moment(at, strict)
    assert when is not None  # noqa: S101 - not nullable
    return ConsentEvent(
        seq=seq,
        kind=event_kind,
        subject=_text(subject),
        purpose=_maybe_text(purpose),
        at=when,
        recorded_at=_moment(recorded_at, strict, nullable=True),
        explicit=_bit(explicit),
        parental=_bit(parental),
        evidence=evidence,
        prev_hash=_text(prev_hash),
        hash=_text(digest),
    )


def _events_of(rows: Sequence[Sequence[Any]]) -> list[ConsentEvent]:
    try:
        return [_event_of(row) for row in rows]
    except _Unreadable:
        raise LedgerError(
            "the consent ledger holds an event it cannot read (edited by hand?): run verify()"
        ) from None


# -- errors -------------------------------------------------------------------------------------


def _describe(exc: BaseException) -> str:
    """The class of a database error and its code, never its text (it may quote values)."""
    orig = getattr(exc, "orig", None) or exc
    parts = [type(orig).__name__]
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if isinstance(code, str) and code.isalnum():
        parts.append(f"SQLSTATE {code}")
    name = getattr(orig, "sqlite_errorname", None)
    if isinstance(name, str) and name.replace("_", "").isalnum():
        parts.append(name)
    return ", ".join(parts)


# -- the backend ----------------------------------------------------------------------------------


class _Turn:
    """Whose turn it is to append to a SQLite file, between processes: ``flock`` on a file
    beside the database (``consents.db-gdprkit-lock``, empty).

    SQLite alone makes a writer that finds the database locked poll with growing sleeps, so
    under a steady stream of appends one process can starve the others for seconds. A
    blocked ``flock`` wakes as soon as the lock is released: writers take turns. The kernel
    releases it when a process dies, ``SIGKILL`` included. The write lock of SQLite itself
    (``BEGIN IMMEDIATE``) is still what guards the chain; where ``flock`` is not available
    (Windows, a read-only directory) the busy timeout alone does.
    """

    __slots__ = ("_fd", "_path")

    def __init__(self, path: str | None) -> None:
        self._path = path
        self._fd: int | None = None
        self.reopen()

    def reopen(self) -> None:
        """Open the file (again: a forked child must not share its parent's lock)."""
        self.close()
        if self._path is None or sys.platform == "win32":
            return
        try:
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError:
            self._fd = None

    @contextmanager
    def held(self) -> Iterator[None]:
        fd = self._fd
        if fd is None or sys.platform == "win32":
            yield
            return
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class SqlBackend:
    """Events in a SQL table, appended under a lock on the chain head, never updated."""

    __slots__ = (
        "__weakref__",
        "_aliases",
        "_canonical",
        "_engine",
        "_head_sql",
        "_insert_sql",
        "_lock",
        "_many_sql",
        "_many_variants",
        "_sa",
        "_subject_sql",
        "_turn",
        "_write",
        "kind",
    )

    def __init__(
        self, sa: ModuleType, engine: Engine, kind: str, turn_file: str | None = None
    ) -> None:
        self._sa = sa
        self._turn = _Turn(turn_file)
        self._engine = engine
        self.kind = kind
        self._lock = threading.Lock()
        self._many_variants: dict[tuple[bool, bool], TextClause] = {}
        # Subject ids stored in another spelling by an older gdprkit: canonical -> stored forms,
        # and stored form -> canonical. Empty for a ledger only this version wrote.
        self._aliases: dict[str, tuple[str, ...]] = {}
        self._canonical: dict[str, str] = {}
        text = sa.text
        self._insert_sql = text(_INSERT)
        self._head_sql = text(f"SELECT seq, hash FROM {EVENTS} ORDER BY seq DESC LIMIT 1")  # noqa: S608 - constant
        self._subject_sql = text(f"{_SELECT} WHERE subject = :subject ORDER BY seq")
        if kind == "postgresql":
            self._many_sql = f"{_SELECT} WHERE subject = ANY(:subjects)"
            # The lock on the chain head: a transaction-level advisory lock of this schema's
            # ledger (LOCK TABLE would need UPDATE or DELETE rights, which an appending role
            # should not have). Released at commit, rollback, or when the client dies.
            lock = text(f"SELECT pg_advisory_xact_lock(hashtext(current_schema()), {_APPEND_KEY})")

            @contextmanager
            def write() -> Iterator[Connection]:
                with engine.begin() as conn:
                    conn.execute(lock)
                    yield conn

        else:
            # One bound value (a JSON array) whatever the number of subjects: one query.
            self._many_sql = _MANY_SQLITE

            @contextmanager
            def write() -> Iterator[Connection]:
                with self._turn.held(), engine.connect() as conn:
                    conn.execution_options(gdprkit_immediate=True)
                    with conn.begin():
                        yield conn

        self._write: Any = write
        _OPEN.add(self)

    def _after_fork(self) -> None:
        """In a forked child: connections, locks and the turn file are the parent's; drop
        them (without closing the parent's connections) so the child opens its own."""
        self._lock = threading.Lock()
        self._turn.reopen()
        self._engine.dispose(close=False)

    # -- errors --

    def _fail(self, action: str, exc: Exception) -> NoReturn:
        message = f"consent ledger ({self.kind}): could not {action} ({_describe(exc)})"
        integrity = isinstance(exc, self._sa.exc.IntegrityError | self._sa.exc.DataError)
        if integrity:
            # The driver's text about a refused row may quote the row: no chaining.
            raise LedgerError(message) from None
        raise LedgerError(message) from exc

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        try:
            yield
        except self._sa.exc.SQLAlchemyError as exc:
            self._fail(action, exc)

    # -- schema --

    def initialise(self) -> None:
        """Create the schema on first use, or check the version of an existing one."""
        begin = self._engine.begin if self.kind == "postgresql" else self._write
        with self._guard("open the ledger"), begin() as conn:
            if self.kind == "postgresql":
                conn.execute(
                    self._sa.text(
                        f"SELECT pg_advisory_xact_lock(hashtext(current_schema()), {_SCHEMA_KEY})"
                    )
                )
                present = conn.execute(
                    self._sa.text("SELECT to_regclass(:name) IS NOT NULL"), {"name": META}
                ).scalar()
            else:
                present = conn.execute(
                    self._sa.text("SELECT count(*) FROM sqlite_master WHERE name = :name"),
                    {"name": META},
                ).scalar()
            if not present:
                statements = _TABLE_SQL + (
                    _POSTGRES_TRIGGERS if self.kind == "postgresql" else _SQLITE_TRIGGERS
                )
                for statement in statements:
                    conn.exec_driver_sql(statement)
                conn.execute(
                    self._sa.text(f"INSERT INTO {META} (key, value) VALUES (:k, :v)"),  # noqa: S608 - constant
                    {"k": "schema_version", "v": str(SCHEMA_VERSION)},
                )
                _log.info(
                    "consent ledger schema version %d created (%s: tables %s and %s)",
                    SCHEMA_VERSION,
                    self.kind,
                    EVENTS,
                    META,
                )
                return
            version = conn.execute(
                self._sa.text(f"SELECT value FROM {META} WHERE key = 'schema_version'")  # noqa: S608 - constant
            ).scalar()
        if version != str(SCHEMA_VERSION):
            shown = version if isinstance(version, str) and version.isdigit() else "unknown"
            raise LedgerError(
                f"the consent ledger has schema version {shown}; this gdprkit reads version "
                f"{SCHEMA_VERSION} (upgrade gdprkit, or migrate the ledger)"
            )
        self._find_legacy_spellings()

    def _find_legacy_spellings(self) -> None:
        """Find subject ids an older gdprkit stored in a spelling other than the canonical one
        (``" 1001"``, ``"1001\\n"``, text not in NFC), so that look-ups by the canonical id find
        their events too: an erasure request written as ``" 1001"`` must not be missed.

        The database narrows the rows down (text with a character outside printable ASCII, or a
        leading or trailing space: one pass over the subject index, in the database); Python
        decides which of those are not canonical. Events are never rewritten (their hash covers
        the subject), so they keep their stored spelling; only the look-ups learn it. This
        version writes every id canonical, so the list only changes if an older gdprkit writes
        to the same ledger after this one opened it: upgrade every writer.
        """
        if self.kind == "postgresql":
            where = "subject ~ '[^ -~]' OR subject LIKE ' %' OR subject LIKE '% '"
        else:
            where = "subject GLOB '*[^ -~]*' OR subject LIKE ' %' OR subject LIKE '% '"
        statement = self._sa.text(f"SELECT DISTINCT subject FROM {EVENTS} WHERE {where}")  # noqa: S608 - constant
        rows = self._read("open the ledger", statement, {})
        aliases: dict[str, list[str]] = {}
        canonical: dict[str, str] = {}
        for (stored,) in rows:
            if type(stored) is not str:
                continue  # not an event this module wrote: verify() reports it
            key = subject_key(stored)
            if key is None or key == stored:
                continue
            canonical[stored] = key
            aliases.setdefault(key, []).append(stored)
        self._aliases = {key: tuple(sorted(forms)) for key, forms in aliases.items()}
        self._canonical = canonical
        if canonical:
            _log.warning(
                "the consent ledger holds %d subject ids (of %d subjects) in a spelling an "
                "older gdprkit wrote, not the canonical one: look-ups find their events; "
                "upgrade every writer of the ledger",
                len(canonical),
                len(aliases),
            )

    # -- writing --

    def append(self, draft: EventDraft) -> ConsentEvent:
        """Seal ``draft`` as the next event of the chain and commit it."""
        return self.append_many((draft,))[0]

    def append_many(self, drafts: Sequence[EventDraft]) -> list[ConsentEvent]:
        """Seal ``drafts`` as the next events of the chain and commit them in one transaction."""
        if not drafts:
            return []
        with self._lock, self._guard("append to the ledger"), self._write() as conn:
            last = conn.execute(self._head_sql).first()
            if last is None:
                seq, head = 0, GENESIS_HASH
            else:
                seq, head = last
                if type(seq) is not int or type(head) is not str:
                    raise LedgerError(
                        "the consent ledger's last event is unreadable (edited by hand?): "
                        "run verify()"
                    )
            events: list[ConsentEvent] = []
            for draft in drafts:
                seq += 1
                event = seal(draft, seq=seq, prev_hash=head)
                head = event.hash
                events.append(event)
            conn.execute(self._insert_sql, [_row_of(e) for e in events])
        return events

    # -- reading --

    def _read(
        self, action: str, statement: TextClause, params: Mapping[str, Any]
    ) -> list[Sequence[Any]]:
        with self._guard(action), self._engine.connect() as conn:
            return list(conn.execute(statement, params).all())

    def events(self, subject: str) -> list[ConsentEvent]:
        """The events of ``subject`` in chain order (with those stored under an older
        spelling of the same id, see :meth:`_find_legacy_spellings`)."""
        if subject in self._aliases:
            return self.events_for_subjects((subject,)).get(subject, [])
        rows = self._read("read the ledger", self._subject_sql, {"subject": subject})
        return _events_of(rows)

    def events_for_subjects(
        self,
        subjects: Collection[str],
        *,
        purpose: str | None = None,
        until: datetime | None = None,
    ) -> Mapping[str, list[ConsentEvent]]:
        """The events of each of ``subjects`` that has any, in one query.

        With ``purpose``, only the events that can bear on it (its own and those about the
        subject as a whole); with ``until``, only those at or before it. Both filters run in
        the database: times are stored as canonical UTC text, whose order is the time order.
        """
        wanted = list(subjects)
        if not wanted:
            return {}
        aliases = self._aliases
        if aliases:
            wanted += [form for s in wanted for form in aliases.get(s, ())]
        params: dict[str, object] = {
            "subjects": wanted if self.kind == "postgresql" else json.dumps(wanted)
        }
        shape = (purpose is not None, until is not None)
        statement = self._many_variants.get(shape)
        if statement is None:
            sql = self._many_sql
            if purpose is not None:
                sql += " AND (purpose = :purpose OR purpose IS NULL)"
            if until is not None:
                sql += " AND at <= :until"
            statement = self._many_variants[shape] = self._sa.text(sql + " ORDER BY seq")
        if purpose is not None:
            params["purpose"] = purpose
        if until is not None:
            params["until"] = _time_text(until)
        rows = self._read("read the ledger", statement, params)
        found: dict[str, list[ConsentEvent]] = {}
        canonical = self._canonical
        for event in _events_of(rows):
            subject = event.subject
            found.setdefault(canonical.get(subject, subject), []).append(event)
        return found

    def all_events(self) -> Iterator[ConsentEvent]:
        """Every row in ``seq`` order, read strictly and streamed, as the chain to verify.

        A row that is not an event raises the broken-link :class:`~gdprkit.LedgerError` at its
        position. The rows are read in one statement (one snapshot), ordered by ``seq`` only,
        so that a duplicated or missing ``seq`` shows as a broken link.
        """
        statement = self._sa.text(f"{_SELECT} ORDER BY seq")
        position = 0
        with (
            self._guard("read the ledger"),
            self._engine.connect() as conn,
            conn.execution_options(yield_per=2000).execute(statement) as result,
        ):
            for row in result:
                position += 1
                try:
                    event = _event_of(tuple(row), strict=True)
                except _Unreadable:
                    raise broken_link(
                        position, "its stored row is not a readable event (edited by hand?)"
                    ) from None
                yield event

    def head(self) -> str:
        """The hash of the event with the highest ``seq`` (64 zeros when there is none)."""
        rows = self._read("read the ledger", self._head_sql, {})
        if not rows:
            return GENESIS_HASH
        digest = rows[0][1]
        if type(digest) is not str:
            raise LedgerError("the consent ledger's last event is unreadable: run verify()")
        return digest

    def count(self) -> int:
        """How many events the table holds."""
        statement = self._sa.text(f"SELECT count(*) FROM {EVENTS}")  # noqa: S608 - constant
        return int(self._read("read the ledger", statement, {})[0][0])

    def close(self) -> None:
        """Close every pooled connection."""
        _OPEN.discard(self)
        self._engine.dispose()
        self._turn.close()


#: Backends open in this process, reset in a child after ``fork`` (multiprocessing's default
#: on Linux): a pooled connection or a lock must never be shared between two processes.
_OPEN: weakref.WeakSet[SqlBackend] = weakref.WeakSet()


def _reset_after_fork() -> None:
    for backend in list(_OPEN):
        backend._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


# -- opening ------------------------------------------------------------------------------------


_SQLITE_FORM: Final = (
    "sqlite:///relative/path/consents.db (three slashes) or "
    "sqlite:////absolute/path/consents.db (four)"
)


def _sqlite_file(url: URL) -> Path:
    """The file a SQLite URL names, created (empty, mode 0600) when absent.

    A mistyped URL must not make an empty ledger somewhere unexpected, so: the URL names a
    path and no host (``sqlite://consents.db`` is a host); the path's directory must exist
    (``sqlite:///tmp/x.db`` is ``tmp/x.db`` under the working directory, and is refused when
    there is no ``tmp`` there); a relative path is read from the working directory. The
    errors name the path (a path is not personal data, and a SQLite URL holds no password).
    A new file is created readable and writable by its owner only, before SQLite opens it:
    SQLite gives its ``-wal`` and ``-shm`` files the mode of the database file. An existing
    file keeps the mode it has.
    """
    if url.host or url.username or url.password or url.port:
        raise ConfigurationError(f"a SQLite ledger URL names a file, not a host: {_SQLITE_FORM}")
    database = url.database
    if not database and url.query.get("mode") != "memory":
        raise ConfigurationError(f"a SQLite ledger URL must name its file: {_SQLITE_FORM}")
    if not database or database == ":memory:" or url.query.get("mode") == "memory":
        raise ConfigurationError(
            "an in-memory SQLite ledger would vanish with its connection: give a file "
            f"({_SQLITE_FORM}), or use ConsentLedger() for a ledger in memory"
        )
    if "uri" in url.query or database.startswith("file:"):
        raise ConfigurationError(f"SQLite URI filenames are not supported: {_SQLITE_FORM}")
    path = Path(database)
    directory = path.parent
    if not directory.is_dir():
        raise ConfigurationError(
            f"the directory of the SQLite ledger {str(path)!r} does not exist "
            f"({str(directory.absolute())!r}): create it, or check the URL: {_SQLITE_FORM}"
        )
    if path.is_dir():
        raise ConfigurationError(
            f"the SQLite ledger {str(path)!r} is a directory, not a file: {_SQLITE_FORM}"
        )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        return path
    except OSError as exc:
        raise LedgerError(
            f"consent ledger (sqlite): cannot create {str(path)!r} "
            f"({exc.strerror or type(exc).__name__})"
        ) from None
    os.close(fd)
    return path


def _sqlite_engine(sa: ModuleType, url: URL) -> Engine:
    engine = sa.create_engine(
        url,
        hide_parameters=True,
        connect_args={"timeout": _BUSY_TIMEOUT, "check_same_thread": False},
    )

    def _connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Transactions are begun by the "begin" hook below, not by the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute(f"PRAGMA busy_timeout={int(_BUSY_TIMEOUT * 1000)}")
        finally:
            cursor.close()

    def _begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("gdprkit_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    sa.event.listen(engine, "connect", _connect)
    sa.event.listen(engine, "begin", _begin)

    return engine  # type: ignore[no-any-return]


def _postgres_engine(sa: ModuleType, url: URL) -> Engine:
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = _CONNECT_TIMEOUT
    return sa.create_engine(  # type: ignore[no-any-return]
        url, hide_parameters=True, pool_pre_ping=True, connect_args=connect_args
    )


def open_sql_backend(url: str) -> SqlBackend:
    """The backend of a SQLite or PostgreSQL URL, its schema created or checked.

    ``postgresql://`` and ``postgres://`` use psycopg 3 (the ``sql`` extra). The URL's query
    options (``?options=-csearch_path%3Dledger``, ``sslmode``...) are kept. Errors never quote
    the URL: it may carry a password (the path of a SQLite file is named: it holds none). A
    SQLite URL must name a file in an existing directory (:func:`_sqlite_file`); a new file is
    created readable by its owner only.
    """
    sa = _sqlalchemy()
    try:
        parsed = sa.engine.make_url(url)
    except (sa.exc.ArgumentError, ValueError, TypeError):
        raise ConfigurationError(
            "not a database URL: use sqlite:///path/consents.db or "
            "postgresql+psycopg://user@host/database"
        ) from None
    backend = parsed.get_backend_name()
    if backend in ("postgres", "postgresql") and parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
        backend = "postgresql"
    driver = parsed.get_driver_name()
    turn_file = None
    if backend == "sqlite" and driver == "pysqlite":
        make, kind = _sqlite_engine, "sqlite"
        _sqlite_file(parsed)
        turn_file = f"{parsed.database}-gdprkit-lock"
    elif backend == "postgresql" and driver in ("psycopg", "psycopg2"):
        make, kind = _postgres_engine, "postgresql"
    else:
        raise ConfigurationError(
            f"consent ledgers run on SQLite (sqlite:///...) or PostgreSQL with psycopg "
            f"(postgresql+psycopg://...), not on {backend}+{driver}"
        )
    try:
        engine = make(sa, parsed)
    except ConfigurationError:
        raise
    except ImportError as exc:
        binary = ""
        if kind == "postgresql":
            binary = " (or 'gdprkit[sql,postgres-binary]' without libpq)"
        raise ImportError(
            f"the {kind} consent ledger needs its database driver: pip install 'gdprkit[sql]'"
            + binary
        ) from exc
    except (sa.exc.SQLAlchemyError, ValueError, TypeError) as exc:
        raise ConfigurationError(
            f"cannot use this {kind} URL for a consent ledger ({type(exc).__name__})"
        ) from None
    store = SqlBackend(sa, engine, kind, turn_file)
    try:
        store.initialise()
    except BaseException:
        # A file created above stays: another process may already be using it.
        store.close()
        raise
    return store
