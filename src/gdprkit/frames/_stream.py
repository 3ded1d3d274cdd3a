"""Bounded memory: Arrow record batches (and Parquet files read batch by batch), one at a time.

:func:`enforce_batches` runs the columnar executor (:func:`gdprkit.frames._plan.run`) on each
batch of a stream with what it reads once per run: the compiled plan, the bound transforms and
``at``. It yields one :class:`BatchResult` per input batch, so memory holds one batch (and its
result) however long the stream is. The output schema is fixed before the first batch, from the
plan and the input schema: kept columns keep their input type, transformed columns have the type
of their transform's values (text, or a 64-bit integer for ``generalise.year`` and
``generalise.decade``), so a batch whose column is all null never changes a type mid-stream.
Rejected rows are numbered by their position in the whole stream.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from os import PathLike
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from gdprkit._enforce import Counted
from gdprkit._errors import ConfigurationError
from gdprkit._time import in_utc, require_aware
from gdprkit.frames._arrow import REJECTED_SCHEMA, ArrowBackend, allowed_table, rejected_table
from gdprkit.frames._plan import Kept, run

if TYPE_CHECKING:
    import pyarrow.parquet as pq

    from gdprkit._decision import ConsentLookup, Transform, _Plan
    from gdprkit._policy import Policy
    from gdprkit._pseudonymise import KeyRing

__all__ = ["REJECTED_SCHEMA", "BatchResult", "FrameStream", "enforce_batches", "enforce_parquet"]

#: The schema of every rejected batch: the row's position in the whole stream, code, article.

#: Transforms whose values are integers (every other transform yields text or nothing).
_INTEGER_METHODS = frozenset({"generalise.year", "generalise.decade"})


@dataclass(frozen=True, slots=True)
class BatchResult:
    """One input batch enforced.

    ``allowed``: a ``pyarrow.Table`` of the batch's allowed rows with the stream's output schema
    (:attr:`FrameStream.schema`). ``rejected``: a ``pyarrow.Table`` with
    :data:`REJECTED_SCHEMA`, ``row`` counted from the start of the stream. ``start``: the stream
    position of the batch's first row. ``counts``: this batch's ``processed`` and denials by
    code (the running totals are :attr:`FrameStream.counts`). ``batch``: the input batch as a
    ``pyarrow.Table`` of the input schema (row ``row - start`` of it is stream row ``row``), for
    a caller that needs more of a denied row than its first reason (``decide`` on that row).
    ``dropped``: per column of ``allowed``, a numpy ``bool`` array over its rows, true where the
    cell is null because the field was dropped for that row alone (checks 16, 18, 19 or
    ``value.invalid``; the row path leaves it out of the record), as opposed to a value that
    was missing or has no token; a column with no such cell is not in it.
    """

    allowed: Any
    rejected: Any
    start: int
    counts: Counter[str] = field(default_factory=Counter)
    batch: Any = None
    dropped: Mapping[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"BatchResult(start={self.start}, counts={dict(self.counts)!r})"


class FrameStream(Counted, Iterator[BatchResult]):
    """What :func:`enforce_batches` returns: an iterator of :class:`BatchResult`, one per input
    batch, with the output ``schema`` known before the first batch and running ``counts``."""

    def __init__(
        self,
        plan: _Plan,
        batches: Iterator[Any],
        schema: pa.Schema,
        *,
        at: datetime,
        consents: ConsentLookup | None,
        transforms: dict[str, Transform],
        keys: KeyRing | None,
    ) -> None:
        self._plan = plan
        #: The purpose enforced, and the moment every batch is decided at (read once per run).
        self.purpose: str = plan.purpose
        self.at: datetime = at
        self._batches = batches
        self.input_schema: pa.Schema = schema
        self._at = at
        self._instant = in_utc(at)
        self._consents = consents
        self._transforms = transforms
        self._keys = keys
        #: Running totals: ``processed`` and denials by code, over the batches yielded so far.
        self.counts: Counter[str] = Counter()
        #: How many input rows have been read so far.
        self.rows = 0
        empty = run(
            plan,
            ArrowBackend(schema.empty_table()),
            at=at,
            instant=self._instant,
            consents=consents,
            transforms=transforms,
            keys=keys,
        )
        fields = []
        for col in empty.columns:
            if isinstance(col, Kept):
                fields.append(schema.field(col.name))
            else:
                spec = plan.fields[col.name].transform
                integer = spec is not None and spec[0] in _INTEGER_METHODS
                fields.append(pa.field(col.name, pa.int64() if integer else pa.string()))
        #: The schema of every ``allowed`` table, fixed for the whole stream.
        self.schema: pa.Schema = pa.schema(fields)

    def __iter__(self) -> FrameStream:
        return self

    def __next__(self) -> BatchResult:
        table = _conform(next(self._batches), self.input_schema)
        backend = ArrowBackend(table)
        outcome = run(
            self._plan,
            backend,
            at=self._at,
            instant=self._instant,
            consents=self._consents,
            transforms=self._transforms,
            keys=self._keys,
        )
        start = self.rows
        self.rows += table.num_rows
        self.counts.update(outcome.counts)
        return BatchResult(
            allowed_table(table, outcome, self.schema),
            rejected_table(outcome, start),
            start,
            outcome.counts,
            table,
            outcome.dropped,
        )

    def __repr__(self) -> str:
        return f"FrameStream(rows={self.rows}, counts={dict(self.counts)!r})"


def _conform(batch: object, schema: pa.Schema) -> pa.Table:
    """``batch`` as a table of ``schema``: the same column names in the same order and the same
    types, except that an all-null (``null``-typed) column takes the schema's type. Anything
    else is a :class:`ConfigurationError` naming the column (never a silent conversion)."""
    if isinstance(batch, pa.RecordBatch):
        table = pa.Table.from_batches([batch])
    elif isinstance(batch, pa.Table):
        table = batch
    else:
        raise ConfigurationError(
            "gdprkit.frames.enforce_batches takes pyarrow RecordBatch or Table items, "
            f"not {type(batch).__name__}"
        )
    if table.schema.names != schema.names:
        raise ConfigurationError(
            "a batch's columns differ from the stream's: "
            f"{table.schema.names!r} after {schema.names!r}"
        )
    if table.schema.equals(schema):
        return table
    columns = []
    for name, column, want in zip(schema.names, table.columns, schema.types, strict=True):
        if column.type != want:
            if not pa.types.is_null(column.type):
                raise ConfigurationError(
                    f"column {name!r} changes type mid-stream ({column.type} after {want}): "
                    "pass schema= to enforce_batches"
                )
            columns.append(pa.nulls(len(column), type=want))
        else:
            columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema)


def enforce_batches(
    policy: Policy,
    batches: Iterable[Any],
    purpose: str,
    *,
    at: datetime | None = None,
    consents: ConsentLookup | None = None,
    keys: KeyRing | None = None,
    schema: pa.Schema | None = None,
    batch_size: int = 65_536,
) -> FrameStream:
    """Enforce ``purpose`` of ``policy`` on a stream of Arrow batches, one batch in memory at a
    time: row for row what :func:`gdprkit.frames.enforce` gives for the whole stream.

    ``batches``: a ``pyarrow.RecordBatchReader``, a ``pyarrow.Table`` (read by its batches), a
    polars ``LazyFrame`` (run by polars' streaming engine, ``collect_batches``, ``batch_size``
    rows at a time: ``pl.scan_parquet(...)``, ``pl.scan_csv(...)`` larger than memory) or any
    iterable of ``pyarrow.RecordBatch`` / ``pyarrow.Table``. The input schema is the
    reader's, ``schema`` when given, else the first batch's; a later batch may hold an all-null
    (``null``-typed) column of any type, any other difference is a :class:`ConfigurationError`.
    ``at`` is read once for the whole run (``None``: now, UTC). A consent source is asked once
    per batch, in bulk when it has ``states``.

    Checks keys, the consent source and the input schema before returning (not at the first
    ``next``): a :class:`ConfigurationError` comes before any result.
    """
    from gdprkit._decision import compile_plan  # noqa: PLC0415 - keeps this import light
    from gdprkit._enforce import require_consent_source  # noqa: PLC0415

    plan = compile_plan(policy, purpose)
    when = require_aware(at)
    transforms = plan.bind(keys, when)
    require_consent_source((plan,), consents, "frames.enforce_batches")
    if consents is not None and plan.subject_id is None:
        raise ConfigurationError(
            "a consent source was given but the policy names no subject.id field to ask it about"
        )
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ConfigurationError("batch_size must be a positive integer")
    if isinstance(batches, pa.Table):
        batches = batches.to_reader()
    elif _is_lazy_polars(batches):
        batches = _polars_batches(batches, batch_size, schema)
    if isinstance(batches, pa.RecordBatchReader):
        found = batches.schema
        if schema is not None and not schema.equals(found):
            raise ConfigurationError("schema= differs from the reader's schema")
        schema, stream = found, iter(batches)
    elif isinstance(batches, str | bytes | PathLike | dict) or not isinstance(batches, Iterable):
        raise ConfigurationError(
            "gdprkit.frames.enforce_batches takes a pyarrow RecordBatchReader, a Table or an "
            f"iterable of RecordBatch/Table, not {type(batches).__name__} "
            "(a Parquet file: gdprkit.frames.enforce_parquet)"
        )
    else:
        stream = iter(batches)
        if schema is None:
            first = next(stream, None)
            if first is None:
                schema = pa.schema([])
            else:
                schema = _conform(first, _schema_of(first)).schema
                stream = _chain(first, stream)
    return FrameStream(
        plan, stream, schema, at=when, consents=consents, transforms=transforms, keys=keys
    )


def _is_lazy_polars(frame: object) -> bool:
    """Whether ``frame`` is a polars ``LazyFrame`` (without importing polars)."""
    kind = type(frame)
    return kind.__name__ == "LazyFrame" and kind.__module__.split(".")[0] == "polars"


def _polars_batches(frame: Any, batch_size: int, schema: pa.Schema | None) -> pa.RecordBatchReader:  # noqa: ANN401 - a polars LazyFrame
    """A polars ``LazyFrame`` run by polars' streaming engine, as Arrow batches of at most
    ``batch_size`` rows in input order. The schema is the query's own (polars' types are fixed
    by the query, so a batch never changes one)."""
    run = getattr(frame, "collect_batches", None)
    if run is None:
        raise ConfigurationError(
            "streaming a polars LazyFrame needs polars' collect_batches (polars >= 1.30); "
            "collect it and pass the DataFrame's to_arrow() instead"
        )
    empty = frame.head(0).collect().to_arrow()  # the query's schema, as Arrow writes it
    found = empty.schema if schema is None else schema

    def arrow() -> Iterator[pa.RecordBatch]:
        for chunk in run(chunk_size=batch_size, maintain_order=True):
            yield from _conform(chunk.to_arrow(), found).to_batches()

    return pa.RecordBatchReader.from_batches(found, arrow())


def _schema_of(batch: object) -> pa.Schema:
    if isinstance(batch, pa.RecordBatch | pa.Table):
        return batch.schema
    raise ConfigurationError(
        "gdprkit.frames.enforce_batches takes pyarrow RecordBatch or Table items, "
        f"not {type(batch).__name__}"
    )


def _chain(first: object, rest: Iterator[Any]) -> Iterator[Any]:
    yield first
    yield from rest


def enforce_parquet(
    policy: Policy,
    path: str | PathLike[str],
    purpose: str,
    *,
    at: datetime | None = None,
    consents: ConsentLookup | None = None,
    keys: KeyRing | None = None,
    batch_size: int = 65_536,
) -> FrameStream:
    """:func:`enforce_batches` over a Parquet file read row group by row group, at most
    ``batch_size`` rows at a time (``pyarrow.parquet.ParquetFile.iter_batches``; a batch never
    spans two row groups); the output schema comes from the file's schema. Writes nothing: the
    caller writes the batches it is given."""
    import pyarrow.parquet as pq  # noqa: PLC0415 - only for Parquet input

    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ConfigurationError("batch_size must be a positive integer")
    source = pq.ParquetFile(path)
    reader = pa.RecordBatchReader.from_batches(source.schema_arrow, _row_groups(source, batch_size))
    return enforce_batches(policy, reader, purpose, at=at, consents=consents, keys=keys)


def _row_groups(source: pq.ParquetFile, batch_size: int) -> Iterator[pa.RecordBatch]:
    """The file's batches, row group by row group: one ``iter_batches`` over the whole file
    keeps buffers (pyarrow 26: 550 MiB resident after 10 M rows, against 190 MiB this way)."""
    for group in range(source.num_row_groups):
        yield from source.iter_batches(batch_size=batch_size, row_groups=[group])
