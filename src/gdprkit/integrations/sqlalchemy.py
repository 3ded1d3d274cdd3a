"""Retention sweeps over real database tables (SQLite, PostgreSQL) with SQLAlchemy 2.

:func:`sweep_table` reads a table in batches, asks :func:`gdprkit.sweep` what storage limitation
requires of each row, and applies it: rows deleted, fields set to ``NULL``, anonymous copies
written to an ``anonymous_table``. Each batch is one transaction holding its rows locked
(SQLite ``BEGIN IMMEDIATE``, PostgreSQL ``SELECT ... FOR UPDATE``) from the read to the
commit, so a sweep killed mid-run leaves every batch either fully applied or untouched, and a
rerun finishes the job: a sweep at the same ``at`` changes nothing the second time.

A sweep never destroys what it cannot judge (design.md §11): a table with columns the policy
does not declare is refused before any change unless ``undeclared`` says what to do with them;
a row without a readable subject id, or holding a value that cannot be read (text that is not
valid UTF-8 in SQLite), is left unchanged and counted in ``needs_review``, and no error ever
quotes a row.

Needs ``pip install 'gdprkit[sql]'``.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from os import PathLike
from typing import TYPE_CHECKING, Any, Final, Literal

try:
    import sqlalchemy as sa
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.exc import SQLAlchemyError
except ImportError as exc:  # pragma: no cover - exercised without the extra installed
    raise ImportError(
        "gdprkit.integrations.sqlalchemy needs SQLAlchemy: pip install 'gdprkit[sql]'"
    ) from exc

from gdprkit._enforce import _FRAME_HINT, _frame_library, _type_name, require_consent_source
from gdprkit._errors import ConfigurationError, GdprkitError
from gdprkit._policy import Policy, load_policy
from gdprkit._rights import SweepAction, _Storage, _storage, _sweep
from gdprkit._time import require_aware

if TYPE_CHECKING:
    from gdprkit._decision import ConsentLookup

__all__ = ["SweepError", "SweepReport", "sweep_table"]

_log = logging.getLogger(__name__)

_MAX_BATCH: Final = 100_000
_UNDECLARED: Final = ("error", "erase", "keep")


class SweepError(GdprkitError):
    """A sweep that failed on the database. The batch in progress was rolled back.

    The message names the table and the kind of failure (the driver error's class), never a
    value or a URL. The driver's own error is not chained: its text may quote a row (SQLite
    quotes undecodable text, PostgreSQL the key of a violated constraint).
    """


@dataclass(frozen=True, slots=True)
class SweepReport:
    """What :func:`sweep_table` did (or, with ``dry_run``, would do), in rows.

    ``deleted`` + ``erased`` (rows kept with some fields erased) + ``kept`` (rows left
    unchanged) = ``rows`` read. ``needs_review``: the kept rows the sweep could not judge (no
    readable subject id, a value that cannot be read): look at them. ``anonymised``: rows whose
    anonymous copy was written to the ``anonymous_table`` (would be, in a dry run); 0 without
    one. ``reasons``: how many fields (and deleted, unjudged or restricted records) went or
    stayed for each reason code; ``fields``: in how many rows each field was erased or
    anonymised. No personal data.
    """

    deleted: int
    erased: int
    kept: int
    anonymised: int
    dry_run: bool
    at: datetime
    reasons: Mapping[str, int] = field(default_factory=dict)
    fields: Mapping[str, int] = field(default_factory=dict)
    batches: int = 0
    needs_review: int = 0

    @property
    def rows(self) -> int:
        """Rows read: ``deleted + erased + kept``."""
        return self.deleted + self.erased + self.kept


# --------------------------------------------------------------------------------------------
# Reading values: drivers hand back Decimal, memoryview...; the engine reads the rest as text.


def _read(value: object) -> object:
    """A database value as the decision engine reads it (text stays text: it parses text)."""
    if value is None or type(value) in (str, int, float, bool):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, memoryview):
        return value.tobytes()
    return value


@dataclass(frozen=True, slots=True)
class _Unreadable:
    """A text value the database holds that is not valid UTF-8 (its raw bytes, never shown)."""

    raw: bytes = field(repr=False)

    def bind(self) -> sa.ColumnElement[Any]:
        """The same text in a statement: the raw bytes read back as text (SQLite)."""
        return sa.cast(sa.literal(self.raw, sa.LargeBinary), sa.Text)


def _text_factory(raw: bytes) -> str | _Unreadable:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return _Unreadable(raw)


def _bindable(value: object) -> object:
    return value.bind() if isinstance(value, _Unreadable) else value


def _readable(row: Sequence[Any]) -> bool:
    return not any(isinstance(value, _Unreadable) for value in row)


@contextmanager
def _tolerant_text(conn: Connection) -> Iterator[None]:
    """SQLite: read text that is not valid UTF-8 as :class:`_Unreadable` instead of failing the
    whole batch (pysqlite's error quotes the text). The connection's own factory is restored."""
    dbapi = conn.connection.dbapi_connection if conn.dialect.driver == "pysqlite" else None
    if dbapi is None or not hasattr(dbapi, "text_factory"):
        yield
        return
    previous = dbapi.text_factory
    dbapi.text_factory = _text_factory
    try:
        yield
    finally:
        dbapi.text_factory = previous


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


# --------------------------------------------------------------------------------------------
# The table.


class _Target:
    """The swept table: its columns, how rows are addressed, and the statements used."""

    def __init__(
        self,
        conn: Connection,
        table: str | sa.Table,
        storage: _Storage,
        for_update: bool,
        undeclared: str = "error",
    ) -> None:
        name, schema = (table.name, table.schema) if isinstance(table, sa.Table) else (table, None)
        if not isinstance(name, str) or not name:
            raise ConfigurationError("table is a table name or a sqlalchemy.Table")
        inspector = sa.inspect(conn)
        if not inspector.has_table(name, schema=schema):
            raise ConfigurationError(f"table {name!r} does not exist")
        columns = [c["name"] for c in inspector.get_columns(name, schema=schema)]
        pk = list(inspector.get_pk_constraint(name, schema=schema).get("constrained_columns") or [])
        declared = storage.categories
        sid = storage.subject_id
        self.name = name
        self.by_pk = bool(pk)
        if pk:
            key = pk
        elif sid is not None and sid in columns:
            key = [sid]
        else:
            raise ConfigurationError(
                f"table {name!r} has no primary key and no column named after the policy's "
                "subject id field: rows cannot be addressed"
            )
        self.key = key
        # The record a row is: every column but an undeclared primary key (a surrogate key
        # addresses rows, it holds nothing about the subject) and, with undeclared="keep",
        # undeclared columns (read only to address rows, never changed on their own).
        unknown = [c for c in columns if c not in declared and c not in pk]
        if unknown and undeclared == "error":
            raise ConfigurationError(
                f"table {name!r} has columns the policy does not declare: "
                f"{', '.join(repr(c) for c in unknown)}; declare them in the policy's fields, "
                "or pass undeclared='erase' (erase their values) or undeclared='keep' (leave "
                "them as they are)"
            )
        skip = set(unknown) if undeclared == "keep" else set()
        self.fields = [c for c in columns if (c in declared or c not in pk) and c not in skip]
        self.columns = list(dict.fromkeys([*key, *self.fields, *unknown]))
        self.table = sa.table(name, *(sa.column(c) for c in self.columns), schema=schema)
        self.for_update = for_update
        cols = self.table.c
        self.key_cols = [cols[c] for c in key]
        # Where a row is addressed by the subject id (no primary key), every column it was read
        # with must match too: two rows of one subject are never confused.
        match = self.key if self.by_pk else self.columns
        self.match_positions = [self.columns.index(c) for c in match]
        self.where = sa.and_(
            *(
                (cols[c] == sa.bindparam(f"k{i}"))
                if self.by_pk
                else cols[c].is_not_distinct_from(sa.bindparam(f"k{i}"))
                for i, c in enumerate(match)
            )
        )

    def select(self) -> sa.Select[Any]:
        stmt = sa.select(*(self.table.c[c] for c in self.columns))
        return stmt.with_for_update() if self.for_update else stmt

    def params(self, row: Sequence[Any]) -> dict[str, Any]:
        return {f"k{i}": row[p] for i, p in enumerate(self.match_positions)}


def _begin_immediate(conn: Connection) -> None:
    """SQLite: take the write lock before reading the batch (pysqlite begins lazily)."""
    if conn.dialect.name != "sqlite" or conn.dialect.driver != "pysqlite":
        return
    dbapi = conn.connection.dbapi_connection
    if dbapi is not None and not getattr(dbapi, "in_transaction", True):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


# --------------------------------------------------------------------------------------------
# The anonymous table.


def _anonymous_columns(storage: _Storage, fields: Sequence[str]) -> list[str]:
    """The columns an anonymous copy of this table's rows may fill, in the table's order."""
    return [f for f in fields if f in storage.anonymise and storage.anon_kind.get(f) is not None]


def _anonymous_target(
    conn: Connection,
    anonymous: str | sa.Table,
    columns: list[str],
    dry_run: bool,
) -> sa.TableClause | None:
    name, schema = (
        (anonymous.name, anonymous.schema) if isinstance(anonymous, sa.Table) else (anonymous, None)
    )
    if not columns:
        return None
    inspector = sa.inspect(conn)
    if inspector.has_table(name, schema=schema):
        existing = {c["name"] for c in inspector.get_columns(name, schema=schema)}
        missing = [c for c in columns if c not in existing]
        if missing:
            raise ConfigurationError(
                f"anonymous table {name!r} lacks columns {missing!r} that anonymous copies fill"
            )
    elif not dry_run:
        meta = sa.MetaData(schema=schema)
        sa.Table(name, meta, *(sa.Column(c, sa.Text) for c in columns))
        meta.create_all(conn)
    return sa.table(name, *(sa.column(c) for c in columns), schema=schema)


# --------------------------------------------------------------------------------------------
# The face.


def sweep_table(
    engine_or_url: Engine | str | sa.URL,
    table: str | sa.Table,
    policy: Policy | str | PathLike[str],
    *,
    at: datetime | None = None,
    consents: ConsentLookup | None = None,
    dry_run: bool = False,
    batch_size: int = 1000,
    anonymous_table: str | sa.Table | None = None,
    undeclared: Literal["error", "erase", "keep"] = "error",
    progress: Callable[[int], object] | None = None,
) -> SweepReport:
    """Apply :func:`gdprkit.sweep` to every row of ``table`` and report what it did.

    Rows are read in batches of ``batch_size`` in key order and addressed by the table's
    primary key, or by the policy's subject id column (with every other column it was read
    with) where the table has none. An undeclared primary-key column is an address, not a
    field. Other columns the policy does not declare are refused before any change
    (``undeclared="error"``, the default) unless ``undeclared="erase"`` (they are fields of
    the record, erased as ``field.undeclared``) or ``undeclared="keep"`` (they are left as they
    are, and go only with their row). Each batch is one transaction: its rows are locked,
    swept, updated (erased fields set to ``NULL``), deleted, and their anonymous copies
    inserted into ``anonymous_table`` (created with text columns when missing; without one,
    copies are discarded), then committed. With ``dry_run=True`` nothing changes and the
    report says what would.

    A row the sweep cannot judge is left unchanged and counted in ``needs_review``: no
    readable subject id, or a value it cannot read (text that is not valid UTF-8). A subject
    under a legal hold or a restriction in ``consents`` is left unchanged.

    ``at`` is read once (now, UTC, when ``None``); a second run at the same ``at`` changes
    nothing. ``progress``, when given, is called after each batch with the rows read so far.
    Raises :class:`~gdprkit.ConfigurationError` before touching a row when the table cannot
    be addressed, has undeclared columns (see above), or a purpose of the policy takes
    consent from a consent source and ``consents`` is ``None`` (every row would be judged
    without its consents); :class:`SweepError` when the database fails (that batch rolled
    back, earlier batches committed: rerun to finish).
    """
    if not isinstance(batch_size, int) or not 1 <= batch_size <= _MAX_BATCH:
        raise ConfigurationError(f"batch_size must be an integer from 1 to {_MAX_BATCH}")
    if undeclared not in _UNDECLARED:
        raise ConfigurationError("undeclared is 'error', 'erase' or 'keep'")
    _check_table(table)
    when = require_aware(at)
    policy = load_policy(policy)
    storage = _storage(policy)
    if consents is not None and storage.subject_id is None:
        raise ConfigurationError(
            "a consent source was given but the policy names no subject.id field to ask it about"
        )
    require_consent_source(storage.plans, consents, "sweep_table")
    engine: Engine
    owned = not isinstance(engine_or_url, Engine)
    if isinstance(engine_or_url, Engine):
        engine = engine_or_url
    else:
        try:
            engine = sa.create_engine(engine_or_url, hide_parameters=True)
        except (SQLAlchemyError, ValueError, TypeError) as exc:
            # not chained: the driver's text may quote the URL, password included
            raise ConfigurationError(f"cannot open the database ({type(exc).__name__})") from None
    name = table.name if isinstance(table, sa.Table) else table
    failure: SQLAlchemyError | None = None
    try:
        return _run(
            engine,
            table,
            storage,
            at=when,
            consents=consents,
            dry_run=dry_run,
            batch_size=batch_size,
            anonymous_table=anonymous_table,
            undeclared=undeclared,
            progress=progress,
        )
    except SQLAlchemyError as exc:
        failure = exc
    finally:
        if owned:
            engine.dispose()
    # Raised outside the handler so that the driver's error (whose text may quote a row) is
    # neither the cause nor the context of the SweepError.
    raise SweepError(
        f"sweep of table {name!r} failed on the database ({type(failure).__name__}); the "
        "batch in progress was rolled back, earlier batches are committed: rerun to finish"
    )


def _check_table(table: object) -> None:
    if isinstance(table, str | sa.Table):
        return
    if _frame_library(table) is not None:
        raise ConfigurationError(
            f"sweep_table sweeps a database table, not a frame ({_type_name(table)}): {_FRAME_HINT}"
        )
    raise ConfigurationError(
        f"table is a table name or a sqlalchemy.Table, not a {_type_name(table)}"
    )


def _run(
    engine: Engine,
    table: str | sa.Table,
    storage: _Storage,
    *,
    at: datetime,
    consents: ConsentLookup | None,
    dry_run: bool,
    batch_size: int,
    anonymous_table: str | sa.Table | None,
    undeclared: str,
    progress: Callable[[int], object] | None,
) -> SweepReport:
    deleted = erased = kept = anonymised = batches = review = 0
    reasons: Counter[str] = Counter()
    fields: Counter[str] = Counter()
    for_update = not dry_run and engine.dialect.name == "postgresql"
    with engine.connect() as conn, _tolerant_text(conn):
        with conn.begin():
            target = _Target(conn, table, storage, for_update, undeclared)
            anon = (
                None
                if anonymous_table is None
                else _anonymous_target(
                    conn, anonymous_table, _anonymous_columns(storage, target.fields), dry_run
                )
            )
        positions = [target.columns.index(f) for f in target.fields]
        names = target.fields
        batches_iter = iter(_BatchReader(conn, target, batch_size, dry_run))
        while True:
            with conn.begin():
                if not dry_run:
                    _begin_immediate(conn)
                rows = next(batches_iter, None)
                if rows is None:
                    break
                batches += 1
                # A row holding a value that cannot be read is skipped: never judged, changed,
                # or quoted; it is counted as kept and in needs_review.
                unreadable = [row for row in rows if not _readable(row)]
                if unreadable:
                    rows = [row for row in rows if _readable(row)]
                    kept += len(unreadable)
                    review += len(unreadable)
                    reasons["record.invalid"] += len(unreadable)
                records = [
                    {n: _read(row[p]) for n, p in zip(names, positions, strict=True)}
                    for row in rows
                ]
                actions = list(_sweep(storage, records, at, consents))
                deletes: list[dict[str, Any]] = []
                updates: dict[frozenset[str], list[dict[str, Any]]] = {}
                copies: list[dict[str, Any]] = []
                for row, action in zip(rows, actions, strict=True):
                    _count(action, reasons, fields)
                    if not action.changed and _unjudged(action):
                        review += 1
                    if action.delete:
                        deleted += 1
                        deletes.append(target.params(row))
                    elif action.erase:
                        erased += 1
                        updates.setdefault(action.erase, []).append(target.params(row))
                    else:
                        kept += 1
                    if action.anonymous and anon is not None:
                        anonymised += 1
                        copies.append(
                            {c: _as_text(action.anonymous.get(c)) for c in anon.c.keys()}  # noqa: SIM118 - ColumnCollection
                        )
                if not dry_run:
                    removed = _apply(
                        conn, target, deletes=deletes, updates=updates, copies=copies, anon=anon
                    )
                    batches_iter.removed(removed)
            _log.debug(
                "sweep of table %r: batch %d %s, %d rows so far (%d deleted, %d erased, %d kept)",
                target.name,
                batches,
                "read (dry run)" if dry_run else "committed",
                deleted + erased + kept,
                deleted,
                erased,
                kept,
            )
            if progress is not None:
                progress(deleted + erased + kept)
    _log.info(
        "sweep of table %r%s: %d batches, %d rows deleted, %d erased, %d kept, %d anonymised, "
        "%d to review",
        target.name,
        " (dry run)" if dry_run else "",
        batches,
        deleted,
        erased,
        kept,
        anonymised,
        review,
    )
    return SweepReport(
        deleted,
        erased,
        kept,
        anonymised,
        dry_run,
        at,
        dict(reasons),
        dict(fields),
        batches,
        review,
    )


def _unjudged(action: SweepAction) -> bool:
    """Whether the sweep left the record alone because it could not judge it."""
    return any(r.code == "record.invalid" and r.field is None for r in action.reasons)


class _BatchReader:
    """Pages through the table one batch per call, inside the caller's transaction."""

    def __init__(self, conn: Connection, target: _Target, batch_size: int, dry_run: bool) -> None:
        self.conn = conn
        self.target = target
        self.batch_size = batch_size
        self.dry_run = dry_run
        self.last: tuple[Any, ...] | None = None
        self.null_phase = False
        self.offset = 0
        self._last_len = 0

    def __iter__(self) -> _BatchReader:
        return self

    def removed(self, n: int) -> None:
        """Rows of the last batch that were deleted (paging without a key skips the others)."""
        if self.null_phase:
            self.offset += max(0, self._last_len - n)

    def __next__(self) -> list[Sequence[Any]]:
        target, conn, size = self.target, self.conn, self.batch_size
        key_cols = target.key_cols
        if not self.null_phase:
            stmt = target.select().order_by(*key_cols).limit(size)
            if not target.by_pk:
                stmt = stmt.where(key_cols[0].is_not(None))
            if self.last is not None:
                last = [_bindable(v) for v in self.last]
                stmt = stmt.where(
                    key_cols[0] > last[0]
                    if len(key_cols) == 1
                    else sa.tuple_(*key_cols) > sa.tuple_(*last)
                )
            rows: list[Sequence[Any]] = list(conn.execute(stmt).all())
            if rows:
                if not target.by_pk and len(rows) == size:
                    # All rows of the batch's last subject: no subject straddles two batches.
                    tail = rows[-1][0]
                    rows = [r for r in rows if r[0] != tail]
                    rows += conn.execute(
                        target.select().where(key_cols[0] == _bindable(tail))
                    ).all()
                self.last = tuple(rows[-1][: len(key_cols)])
                return rows
            if target.by_pk:
                raise StopIteration
            self.null_phase = True
        # Rows without a subject id: offset paging over a stable order of every column.
        stmt = (
            target.select()
            .where(key_cols[0].is_(None))
            .order_by(*(target.table.c[c] for c in target.columns))
            .limit(size)
            .offset(self.offset)
        )
        rows = list(conn.execute(stmt).all())
        if not rows:
            raise StopIteration
        self._last_len = len(rows)
        if self.dry_run:
            self.offset += len(rows)
        return rows


def _count(action: SweepAction, reasons: Counter[str], fields: Counter[str]) -> None:
    for reason in action.reasons:
        reasons[reason.code] += 1
    for name in action.erase:
        fields[name] += 1


def _apply(
    conn: Connection,
    target: _Target,
    *,
    deletes: list[dict[str, Any]],
    updates: dict[frozenset[str], list[dict[str, Any]]],
    copies: list[dict[str, Any]],
    anon: sa.TableClause | None,
) -> int:
    """Write one batch; return how many rows were deleted."""
    table = target.table
    removed = 0
    for erase, params in updates.items():
        stmt = table.update().where(target.where).values(dict.fromkeys(sorted(erase)))
        conn.execute(stmt, params)
    if deletes:
        removed = conn.execute(table.delete().where(target.where), deletes).rowcount
    if copies and anon is not None:
        conn.execute(anon.insert(), copies)
    return max(0, removed)
