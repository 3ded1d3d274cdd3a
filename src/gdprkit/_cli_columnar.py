"""The columnar path of ``gdprkit enforce`` for CSV and Parquet input (design.md §9, §15).

The command streams a CSV or Parquet file through :func:`gdprkit.frames.enforce_batches` one
Arrow batch at a time (bounded memory), and writes what the row path would write for the same
file, byte for byte: the same records read (the row path, :mod:`gdprkit._cli_io`, is the
reference), the same output columns and values, the same ``--rejected`` entries. Parquet output
takes its column types from the stream's schema, fixed from the plan before the first batch, so
a batch whose column is all null does not change a type mid-file (the row path inferred types
from the first 65 536 rows).

CSV is read by ``pyarrow.csv`` with every column as text (no type is ever inferred: ``007`` and
``1001.0`` stay text) and an empty cell as a missing value, as the row path reads them. What
pyarrow reads differently is put right here, row by row, from its physical row number: a row
with more or fewer cells than the header (``invalid_row_handler``) is parsed again with the csv
module, so it is a record (trailing empty cells), nothing (an empty row) or unreadable (denied
``record.invalid`` at its place), as in the row path; rows of nothing but delimiters are left
out; a row's line is counted from the line breaks inside its quoted cells. Where pyarrow stops
or would read otherwise (text not in the file's encoding, a cell beyond
``csv.field_size_limit()``, a row longer than a batch, a quoted cell left open at the end of
the file), the row path's own reader reads the rest of the file from the next record: the same
records, or the same error after them. A file whose header is not its first line, or that has a
single column, is read by the row path (``open_columnar`` returns ``None``); so is a Parquet
file with a column of a nested type.

Internal switches (for tests and benchmarks, not a public interface): ``GDPRKIT_CLI_ENGINE=row``
makes the command use the row path for every input; ``GDPRKIT_CLI_CSV_BLOCK`` sets the bytes
pyarrow reads per CSV batch.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gdprkit._cli_io import (
    DATA_PROBLEM,
    CliError,
    Row,
    Unreadable,
    _open_parquet_file,
    _quote,
    _start_csv,
)

__all__ = [
    "BLOCK_VARIABLE",
    "ENGINE_VARIABLE",
    "BatchWriter",
    "Chunk",
    "ColumnarSource",
    "open_columnar",
    "row_path_forced",
]

#: Internal: ``row`` forces the row path (tests compare the two paths with it).
ENGINE_VARIABLE: Final = "GDPRKIT_CLI_ENGINE"
#: Internal: the bytes pyarrow reads per CSV batch (tests make many small batches with it).
BLOCK_VARIABLE: Final = "GDPRKIT_CLI_CSV_BLOCK"
#: Bytes read per CSV batch by default (about 32 000 rows of the CRM example). pyarrow reads a
#: few blocks ahead: memory is bounded by a multiple of it, whatever the file's size. A row
#: longer than a block stops pyarrow; the row path's reader then reads the rest of the file.
_BLOCK: Final = 4 << 20
#: Records per chunk when the row path's reader takes over a CSV file pyarrow cannot read.
_ROWS_READ: Final = 65_536
#: Rows per Parquet row group written, as the row path writes them.
_PARQUET_ROWS: Final = 65_536
_BREAK: Final = r"\r\n|\r|\n"
_BREAKS: Final = re.compile(_BREAK)


def row_path_forced() -> bool:
    """Whether the internal switch asks for the row path."""
    return os.environ.get(ENGINE_VARIABLE, "").strip().lower() == "row"


@dataclass(slots=True)
class Chunk:
    """One batch of an input file: ``table`` holds its readable records (the input schema),
    ``numbers`` their row numbers (1 for the first record of the file), ``lines`` the line each
    starts on (CSV, when asked for; else ``None``), ``unreadable`` the records among them that
    cannot be read (denied ``record.invalid`` by the row path's rule)."""

    table: Any
    numbers: np.ndarray[Any, np.dtype[np.int64]]
    lines: np.ndarray[Any, np.dtype[np.int64]] | None
    unreadable: list[Unreadable] = field(default_factory=list)


class ColumnarSource:
    """The batches of an input file, with its input schema and the records read so far."""

    def __init__(self, description: str, schema: Any, chunks: Iterator[Chunk]) -> None:  # noqa: ANN401
        self.description = description
        self.schema = schema
        self.rows = 0
        self._chunks = chunks

    def __iter__(self) -> Iterator[Chunk]:
        for chunk in self._chunks:
            self.rows += int(chunk.table.num_rows) + len(chunk.unreadable)
            yield chunk

    def close(self) -> None:
        """Stop reading: the file's reader is closed (its threads end)."""
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()


def open_columnar(
    name: str,
    fmt: str,
    stack: ExitStack,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> ColumnarSource | None:
    """Open a CSV or Parquet input for the columnar path, after the checks the row path makes
    before its first record (the same errors); ``None`` when the file is one the row path
    reads (see the module's docstring)."""
    path = Path(name)
    if fmt == "parquet":
        return _parquet_source(path, stack)
    start = _start_csv(path, stack, delimiter, encoding)
    width = len(start.header)
    if start.header_end != 1 or width < 2:
        return None
    reader = _CsvBatches(path, start.codec, start.delimiter, start.header, block=_block_size())
    return ColumnarSource(start.description, reader.schema, iter(reader))


def _block_size() -> int:
    given = os.environ.get(BLOCK_VARIABLE)
    if given is not None:
        try:
            return max(int(given), 1)
        except ValueError:
            pass
    return _BLOCK


# -- CSV ---------------------------------------------------------------------------------------


class _CsvBatches:
    """A CSV file read by ``pyarrow.csv.open_csv``, every column as text, as :class:`Chunk`
    objects holding exactly the records the row path reads, numbered as it numbers them."""

    def __init__(
        self,
        path: Path,
        codec: str,
        delimiter: str,
        header: list[str],
        *,
        block: int,
    ) -> None:
        self.path = path
        self.codec = codec
        self.delimiter = delimiter
        self.width = len(header)
        self.positional = [f"c{i}" for i in range(self.width)]
        self.named = [(i, name) for i, name in enumerate(header) if name]
        self.names = [name for _, name in self.named]
        self.schema = pa.schema([(name, pa.string()) for name in self.names])
        self.block = block
        self.limit = csv.field_size_limit()
        self._pending: list[tuple[int, str]] = []  # (physical row, text) of invalid rows
        self._next = 2  # the physical row (pyarrow's numbering: the header is 1) read next
        self._extra = 0  # line breaks inside the cells of the rows before ``_next``
        self._records = 0  # records numbered so far

    def _invalid(self, row: Any) -> str:  # noqa: ANN401 - a pyarrow InvalidRow
        number = row.number
        if number is None:  # pragma: no cover - pyarrow gives it when reading serially
            return "error"  # pyarrow stops: the row path's reader takes over
        self._pending.append((int(number), str(row.text)))
        return "skip"

    def _open(self) -> Any:  # noqa: ANN401 - a pyarrow CSV reader
        import pyarrow.csv as pcsv  # noqa: PLC0415

        encoding = self.codec  # never pyarrow's own "utf8": Python's codec checks the bytes first
        return pcsv.open_csv(
            str(self.path),
            read_options=pcsv.ReadOptions(
                use_threads=False,
                block_size=self.block,
                skip_rows=1,
                column_names=self.positional,
                encoding=encoding,
            ),
            parse_options=pcsv.ParseOptions(
                delimiter=self.delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=self._invalid,
            ),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(self.positional, pa.string()),
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                check_utf8=True,
            ),
        )

    def __iter__(self) -> Iterator[Chunk]:
        failed = False
        try:
            reader = self._open()
        except CliError:
            raise
        except Exception:  # read by the row path's reader below
            reader, failed = None, True
        if reader is not None:
            try:
                while True:
                    try:
                        batch = reader.read_next_batch()
                    except StopIteration:
                        break
                    except CliError:
                        raise
                    except Exception:  # never shown: pyarrow's messages quote values
                        failed = True
                        break
                    try:
                        chunk = self._chunk(batch)
                    except _TakeOverError:
                        failed = True
                        break
                    yield chunk
            finally:
                reader.close()  # its threads end now, not at the interpreter's exit
        if not failed and self._pending:  # invalid rows after the last batch
            empty = [pa.array([], pa.string())] * self.width
            try:
                last = self._chunk(
                    pa.RecordBatch.from_arrays(empty, names=self.positional), final=True
                )
            except _TakeOverError:
                failed = True
            else:
                yield last
        if failed:
            # The rest of the file is read by the row path's reader: it reads what pyarrow
            # could not, or stops with its own message (text not in the encoding, a cell
            # beyond the csv module's limit) after the records before the fault.
            yield from self._by_rows()

    def _by_rows(self) -> Iterator[Chunk]:
        """The records after those already read, read by the row path's CSV reader, in chunks
        of ``_ROWS_READ`` records; its error, if any, after the records before it."""
        from gdprkit._cli_io import _csv_records  # noqa: PLC0415

        done = self._records
        rows: list[Row] = []
        unreadable: list[Unreadable] = []
        with ExitStack() as stack:
            start = _start_csv(self.path, stack, self.delimiter, self.codec)
            records = _csv_records(self.path, start.reader, start.header)
            try:
                for record in records:
                    if record.row <= done:
                        continue
                    (rows if isinstance(record, Row) else unreadable).append(record)
                    if len(rows) + len(unreadable) >= _ROWS_READ:
                        yield self._chunk_of(rows, unreadable)
                        rows, unreadable = [], []
            except CliError:
                if rows or unreadable:
                    yield self._chunk_of(rows, unreadable)
                raise
        if rows or unreadable:
            yield self._chunk_of(rows, unreadable)

    def _chunk_of(self, rows: list[Row], unreadable: list[Unreadable]) -> Chunk:
        table = pa.table(
            {
                name: pa.array([r.get(name) for r in rows], pa.string())
                for name in self.schema.names
            },
            schema=self.schema,
        )
        numbers = np.fromiter((r.row for r in rows), dtype=np.int64, count=len(rows))
        lines = np.fromiter((r.line or 0 for r in rows), dtype=np.int64, count=len(rows))
        last = max(rows[-1].row if rows else 0, unreadable[-1].row if unreadable else 0)
        self._records = max(self._records, last)
        return Chunk(table, numbers, lines, unreadable)

    def _chunk(self, batch: Any, *, final: bool = False) -> Chunk:  # noqa: ANN401 - a RecordBatch
        """The records of ``batch`` and of the invalid rows among them (``final``: every
        invalid row left, after the last batch)."""
        if len(self._pending) > max(int(batch.num_rows), 64) or self._beyond_limit(batch.columns):
            # Mostly invalid rows (a wrong --delimiter?): the row path's reader is faster.
            raise _TakeOverError
        rows = int(batch.num_rows)
        first = self._next
        pending = sorted(self._pending)
        numbers = np.fromiter((n for n, _ in pending), dtype=np.int64, count=len(pending))
        # The physical rows this batch spans: its own rows and the invalid rows among them.
        skipped = len(pending) if final else 0
        while not final:
            inside = int(np.count_nonzero(numbers < first + rows + skipped))
            if inside == skipped:
                break
            skipped = inside
        here, self._pending = pending[:skipped], pending[skipped:]
        span = np.arange(first, first + rows + skipped, dtype=np.int64)
        physical = span if not skipped else np.setdiff1d(span, numbers[:skipped])
        self._next = first + rows + skipped

        columns = batch.columns
        present = None
        for column in columns:
            valid = column.is_valid()
            present = valid if present is None else pc.or_(present, valid)
        filled = (
            np.ones(rows, dtype=bool)
            if present is None
            else np.asarray(present.to_numpy(zero_copy_only=False), dtype=bool)
        )
        breaks = self._breaks(columns, rows)

        # Invalid rows, parsed again as the row path parses them.
        extra_cells: list[list[str | None]] = []
        extra_physical: list[int] = []
        bad_physical: list[int] = []
        invalid_breaks: list[tuple[int, int]] = []
        for number, text in here:
            cells = self._cells(text)
            invalid_breaks.append((number, _count_breaks(text)))
            if not any(cells):
                continue  # an empty row: not a record
            if len(cells) > self.width and not any(cells[self.width :]):
                extra_cells.append([cell or None for cell in cells[: self.width]])
                extra_physical.append(number)
            else:
                bad_physical.append(number)

        # Lines: a physical row starts on its number plus the line breaks inside the cells of
        # the rows before it.
        per_row = np.zeros(rows + skipped, dtype=np.int64)
        per_row[physical - first] = breaks
        for number, count in invalid_breaks:
            per_row[number - first] = count
        lines_of = span + np.concatenate(([0], np.cumsum(per_row)[:-1])) + self._extra
        self._extra += int(per_row.sum())

        # Records in physical order: readable rows of the batch, readable invalid rows, and
        # unreadable rows; all numbered.
        kept = np.flatnonzero(filled)
        table = (
            pa.Table.from_batches([batch])
            .select([self.positional[i] for i, _ in self.named])
            .rename_columns([name for _, name in self.named])
        )
        order_physical = physical[kept]
        if extra_cells:
            extra = pa.table(
                {
                    name: pa.array([cells[i] for cells in extra_cells], pa.string())
                    for i, name in self.named
                },
                schema=self.schema,
            )
            table = pa.concat_tables([table.take(pa.array(kept)), extra])
            order_physical = np.concatenate(
                (order_physical, np.asarray(extra_physical, dtype=np.int64))
            )
            order = np.argsort(order_physical, kind="stable")
            table = table.take(pa.array(order))
            order_physical = order_physical[order]
        elif kept.size != rows:
            table = table.take(pa.array(kept))
        else:
            table = table.combine_chunks()
        everyone = np.sort(
            np.concatenate((order_physical, np.asarray(bad_physical, dtype=np.int64)))
        )
        numbered = self._records + 1 + np.arange(everyone.size, dtype=np.int64)
        self._records += int(everyone.size)
        record_numbers = numbered[np.searchsorted(everyone, order_physical)]
        unreadable = []
        for number in bad_physical:
            at = int(np.searchsorted(everyone, number))
            unreadable.append(Unreadable(int(numbered[at]), int(lines_of[number - first])))
        return Chunk(table, record_numbers, lines_of[order_physical - first], unreadable)

    def _breaks(self, columns: Sequence[Any], rows: int) -> np.ndarray[Any, np.dtype[np.int64]]:
        """The line breaks inside each row's cells (quoted cells may hold them)."""
        total = np.zeros(rows, dtype=np.int64)
        for column in columns:
            if not pc.any(pc.match_substring_regex(column, "[\r\n]")).as_py():
                continue
            counts = pc.count_substring_regex(column, _BREAK).fill_null(0)
            total += np.asarray(counts.to_numpy(zero_copy_only=False), dtype=np.int64)
        return total

    def _cells(self, text: str) -> list[str]:
        """The cells of one row's text as the csv module reads them."""
        reader = csv.reader(
            io.StringIO(text, newline=""),
            delimiter=self.delimiter,
            quotechar='"',
            doublequote=True,
        )
        return next(reader, [])

    def _unterminated(self, text: str) -> bool:
        """Whether the row's text ends inside a quoted cell (the end of the file: the row
        path's cell holds the line breaks that follow, which pyarrow's text lacks)."""
        return self._cells(text) != self._cells(text + "\n")

    def _beyond_limit(self, columns: Sequence[Any]) -> bool:
        """Whether a cell of the batch, or the text of a row pyarrow found invalid, is longer
        than the csv module's limit (the row path stops there with its own message)."""
        if any(len(text) > self.limit or self._unterminated(text) for _, text in self._pending):
            return True
        for column in columns:
            top = pc.max(pc.utf8_length(column)).as_py()
            if top is not None and top > self.limit:
                return True
        return False


class _TakeOverError(Exception):
    """A batch the row path's reader must read (nothing of it was taken yet)."""


def _count_breaks(text: str) -> int:
    return len(_BREAKS.findall(text))


# -- Parquet -----------------------------------------------------------------------------------


def _plain(kind: Any) -> bool:  # noqa: ANN401 - a pyarrow DataType
    types = pa.types
    if types.is_dictionary(kind):
        return _plain(kind.value_type)
    return bool(
        types.is_string(kind)
        or types.is_large_string(kind)
        or types.is_integer(kind)
        or types.is_floating(kind)
        or types.is_boolean(kind)
        or types.is_null(kind)
        or types.is_date(kind)
        or types.is_timestamp(kind)
        or types.is_decimal(kind)
    )


def _parquet_source(path: Path, stack: ExitStack) -> ColumnarSource | None:
    parquet = _open_parquet_file(path, stack)
    schema = parquet.schema_arrow
    if not all(_plain(kind) for kind in schema.types):
        return None
    return ColumnarSource(f"Parquet from {_quote(path)}", schema, _parquet_chunks(path, parquet))


def _parquet_chunks(path: Path, parquet: Any) -> Iterator[Chunk]:  # noqa: ANN401
    number = 0
    for group in range(parquet.num_row_groups):
        batches = parquet.iter_batches(row_groups=[group], use_threads=False)
        while True:
            try:
                batch = next(batches)
            except StopIteration:
                break
            except Exception as exc:  # pyarrow's messages may quote values
                # Close pyarrow's reader now: left to the end of the interpreter (held by the
                # traceback), its read-ahead thread aborted the process (std::terminate).
                batches.close()
                del batches
                raise CliError(
                    f"{_quote(path)}: the Parquet data after row {number} cannot be read "
                    f"({type(exc).__name__})",
                    DATA_PROBLEM,
                ) from None
            rows = int(batch.num_rows)
            _representable(path, batch, number, rows)
            numbers = np.arange(number + 1, number + rows + 1, dtype=np.int64)
            number += rows
            yield Chunk(pa.Table.from_batches([batch]), numbers, None)


def _representable(path: Path, batch: Any, number: int, rows: int) -> None:  # noqa: ANN401
    """Dates and times Python cannot hold stop the row path (it reads every value in Python):
    they stop this path too, with its message."""
    for column in batch.columns:
        kind = column.type
        if not (pa.types.is_timestamp(kind) or pa.types.is_date(kind)):
            continue
        try:
            bounds = pc.min_max(column)
            bounds["min"].as_py()
            bounds["max"].as_py()
        except Exception as exc:
            raise CliError(
                f"{_quote(path)}: rows {number + 1} to {number + rows} hold values "
                f"Python cannot represent ({type(exc).__name__})",
                DATA_PROBLEM,
            ) from exc


# -- output ------------------------------------------------------------------------------------


class BatchWriter:
    """Writes allowed tables as the row path's :class:`gdprkit._cli_io.RecordWriter` writes
    their rows: CSV with a header of ``columns`` (a value missing is an empty cell), JSON Lines
    (one object per row, its fields in ``columns`` order), Parquet (``columns`` in order, row
    groups of 65 536 rows, each column of the type ``schema`` gives it; a column the input
    lacks is all null)."""

    def __init__(self, fmt: str, file: IO[bytes], columns: Sequence[str], schema: Any) -> None:  # noqa: ANN401
        self.fmt = fmt
        self.columns = list(columns)
        self.rows = 0
        self._file = file
        self._text: io.TextIOWrapper | None = None
        self._csv: Any = None
        self._parquet: Any = None
        self._buffer: list[Any] = []
        self._buffered = 0
        names = set(schema.names)
        self.schema = pa.schema(
            [pa.field(c, schema.field(c).type if c in names else pa.null()) for c in self.columns]
        )
        if fmt == "parquet":
            import pyarrow.parquet as pq  # noqa: PLC0415

            self._parquet = pq.ParquetWriter(file, self.schema)
            return
        self._text = io.TextIOWrapper(file, encoding="utf-8", newline="" if fmt == "csv" else "\n")
        if fmt == "csv":
            self._csv = csv.writer(self._text, lineterminator="\n")
            self._csv.writerow(self.columns)

    def write(self, table: Any, dropped: Mapping[str, Any] | None = None) -> None:  # noqa: ANN401
        """Write ``table`` (the stream's allowed rows); ``dropped``: per column, a numpy bool
        array over its rows of the cells dropped for that row alone, which JSON Lines leaves
        out of the row's object as the row path does (CSV and Parquet write them empty)."""
        count = int(table.num_rows)
        if not count:
            return
        self.rows += count
        present = set(table.column_names)
        if self._parquet is not None:
            arrays = [table.column(c) if c in present else pa.nulls(count) for c in self.columns]
            self._buffer.append(pa.Table.from_arrays(arrays, schema=self.schema))
            self._buffered += count
            if self._buffered >= _PARQUET_ROWS:
                self._flush(final=False)
            return
        if self._csv is not None:
            data = _csv_lines(table, self.columns, count)
            if data is not None:
                text = cast("io.TextIOWrapper", self._text)
                text.flush()  # what the csv module wrote so far comes first
                self._file.write(data)
                return
            values = [
                table.column(c).to_pylist() if c in present else [None] * count
                for c in self.columns
            ]
            self._csv.writerows(zip(*values, strict=True))
            return
        names = [c for c in self.columns if c in present]
        data = _jsonl_lines(table, names, dropped or {})
        if data is not None:
            text = cast("io.TextIOWrapper", self._text)
            text.flush()  # what was written so far comes first
            self._file.write(data)
            return
        values = [table.column(c).to_pylist() for c in names]
        write = cast("io.TextIOWrapper", self._text).write
        dumps = _dumps
        gone = _dropped_by_row(names, dropped or {})
        for index, cells in enumerate(zip(*values, strict=True)):
            record = dict(zip(names, cells, strict=True))
            for name in gone.get(index, ()):
                del record[name]
            write(dumps(record))

    def _flush(self, *, final: bool) -> None:
        if not self._buffer:
            return
        table = pa.concat_tables(self._buffer)
        self._buffer, self._buffered = [], 0
        start = 0
        total = int(table.num_rows)
        while total - start >= _PARQUET_ROWS or (final and start < total):
            size = min(_PARQUET_ROWS, total - start)
            self._parquet.write_table(table.slice(start, size).combine_chunks())
            start += size
        if start < total:
            rest = table.slice(start)
            self._buffer, self._buffered = [rest], int(rest.num_rows)

    def close(self) -> None:
        """Write what is buffered and detach from the file (its owner closes it)."""
        if self._text is not None:
            self._text.flush()
            self._text.detach()
            self._text = None
            return
        self._flush(final=True)
        self._parquet.close()


def _quoted_by_csv() -> str:
    """The characters for which the csv module quotes a cell (``QUOTE_MINIMAL``, delimiter
    ``,``, line terminator ``\\n``), asked of the module itself: its rules are the row path's."""
    found = ""
    for char in ',"\n\r':
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow([f"a{char}b", "c"])
        if buffer.getvalue().startswith('"'):
            found += char
    return found


#: A cell holding one of these characters is written in quotes (the csv module's rule).
_QUOTED: Final = _quoted_by_csv()


def _csv_lines(table: Any, columns: Sequence[str], count: int) -> Any:  # noqa: ANN401
    """The CSV lines of ``table``'s rows (``columns`` in order) as the csv module writes them
    (``QUOTE_MINIMAL``, ``,``, ``\\n``), built column by column: a buffer of UTF-8 bytes, or
    ``None`` when a column is neither text nor integer (the csv module writes those)."""
    present = set(table.column_names)
    pattern = "[" + re.escape(_QUOTED) + "]"
    cells = []
    for name in columns:
        if name not in present:
            cells.append(pa.scalar("", pa.string()))
            continue
        column = table.column(name)
        kind = column.type
        if pa.types.is_integer(kind):
            cells.append(column.cast(pa.string()).fill_null(""))
            continue
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            return None
        column = column.cast(pa.string())
        wrapped = pc.binary_join_element_wise('"', pc.replace_substring(column, '"', '""'), '"', "")
        cell = pc.if_else(pc.match_substring_regex(column, pattern), wrapped, column)
        cells.append(cell.fill_null(""))
    if len(columns) == 1:  # a row of one empty cell is written "" (else it is a blank line)
        only = cells[0]
        if isinstance(only, pa.Scalar):
            return b'""\n' * count
        cells = [pc.if_else(pc.equal(only, ""), '""', only)]
    if all(isinstance(cell, pa.Scalar) for cell in cells):
        return (",".join(cell.as_py() for cell in cells) + "\n").encode("utf-8") * count
    joined = pc.binary_join_element_wise(*cells, ",")
    lines = pc.binary_join_element_wise(joined, "\n", "")  # each line and its end
    return _utf8_bytes(lines)


def _utf8_bytes(lines: Any) -> Any:  # noqa: ANN401 - pyarrow arrays
    """The UTF-8 bytes of a text array's values one after the other, without a copy (a view
    of its data buffer)."""
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    lines = lines.cast(pa.large_string())
    offsets, data = lines.buffers()[1:]
    where = np.frombuffer(offsets, dtype=np.int64)
    begin, end = int(where[lines.offset]), int(where[lines.offset + len(lines)])
    return memoryview(data)[begin:end]


#: What ``json.dumps`` escapes in a string (ensure_ascii=False): its own short escapes, then
#: the other control characters as ``\u00XX``.
_JSON_SHORT: Final = (
    ("\\", "\\\\"),
    ('"', '\\"'),
    ("\n", "\\n"),
    ("\r", "\\r"),
    ("\t", "\\t"),
    ("\b", "\\b"),
    ("\f", "\\f"),
)


def _json_text(column: Any) -> Any:  # noqa: ANN401 - pyarrow arrays
    """Each value of a text column as ``json.dumps`` writes it (ensure_ascii=False), null as
    ``null``."""
    escaped = column
    if pc.any(pc.match_substring_regex(column, r'[\\"\x00-\x1f]')).as_py():
        for char, escape in _JSON_SHORT:
            escaped = pc.replace_substring(escaped, char, escape)
        if pc.any(pc.match_substring_regex(column, r"[\x00-\x07\x0b\x0e-\x1f]")).as_py():
            for code in range(0x20):  # the control characters without a short escape
                char = chr(code)
                if char not in "\n\r\t\b\f":
                    escaped = pc.replace_substring(escaped, char, f"\\u{code:04x}")
    quoted = pc.binary_join_element_wise('"', escaped, '"', "")
    return quoted.fill_null("null")


def _jsonl_lines(table: Any, names: Sequence[str], dropped: Mapping[str, Any]) -> Any:  # noqa: ANN401
    """The JSON Lines of ``table``'s rows (``names`` in order, the fields ``dropped`` for a row
    left out of its object) as ``json.dumps`` writes them (``ensure_ascii=False``, separators
    ``", "`` and ``": "``), built column by column: a buffer of UTF-8 bytes, or ``None`` when a
    column is neither text nor integer (``json.dumps`` writes those row by row)."""
    count = int(table.num_rows)
    parts = []
    for name in names:
        column = table.column(name)
        kind = column.type
        if pa.types.is_integer(kind):
            value = column.cast(pa.string()).fill_null("null")
        elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
            value = _json_text(column.cast(pa.string()))
        else:
            return None
        key = ", " + json.dumps(name, ensure_ascii=False) + ": "  # each field after ", "
        part = pc.binary_join_element_wise(key, value, "")
        mask = dropped.get(name)
        if mask is not None:  # left out of those rows' objects
            part = pc.if_else(pa.array(mask, type=pa.bool_()), pa.scalar(None, pa.string()), part)
        parts.append(part)
    if not parts:
        return b"{}\n" * count
    # A dropped field is null: it joins as nothing (pyarrow's "skip" would lose a row whose
    # every field is null), then the first field's ", " is cut off.
    fields = pc.binary_join_element_wise(*parts, "", null_handling="replace", null_replacement="")
    lines = pc.binary_join_element_wise("{", pc.utf8_slice_codeunits(fields, 2), "}\n", "")
    return _utf8_bytes(lines)


def _dropped_by_row(names: Sequence[str], dropped: Mapping[str, Any]) -> dict[int, list[str]]:
    """The fields dropped for each row alone (by row position), from per-column masks."""
    gone: dict[int, list[str]] = {}
    for name in names:
        mask = dropped.get(name)
        if mask is None:
            continue
        for index in np.flatnonzero(mask).tolist():
            gone.setdefault(index, []).append(name)
    return gone


def _dumps(record: Mapping[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, default=str) + "\n"
