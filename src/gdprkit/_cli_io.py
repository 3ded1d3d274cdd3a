"""Files for the ``gdprkit`` command (:mod:`gdprkit.cli`): reading records, writing outputs.

Reading. CSV is read as spreadsheets export it: a UTF-8 byte-order mark is dropped (a UTF-16 or
UTF-32 one is read as the encoding it declares), the delimiter is sniffed among ``,`` ``;`` tab
``|`` on the header and the first lines (``--delimiter`` and ``--encoding`` override). A column
without a name in the header holds nothing a policy can declare: it is left out. JSON Lines and
Parquet are read as they are. Every record comes out as a :class:`Row` that knows its place
(``row``: 1 for the first record; ``line``: where it starts in a text file), so that a denied
record is reported by its place. A record that cannot be read (a line that is not JSON, a CSV
row with more or fewer cells than the header) goes on as an :class:`Unreadable`, which is not a
mapping, so ``enforce`` denies it ``record.invalid``. A file that cannot be read as its format
stops the run with a :class:`CliError` naming the file and the place, never a value: the
messages of foreign readers (pyarrow quotes values) are never shown, only their class.

Writing. An output is written to a new file beside its target, created readable by its owner
only (0600), and renamed into place when the run succeeds: a failed run leaves no partial output
and the previous file untouched. :func:`check_distinct` refuses, before anything is opened, an
output that is one of the run's inputs or another of its outputs.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import os
import re
import secrets
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Final

__all__ = [
    "DATA_PROBLEM",
    "USAGE_PROBLEM",
    "CliError",
    "Output",
    "Progress",
    "RecordWriter",
    "Row",
    "Source",
    "Unreadable",
    "check_distinct",
    "clean",
    "open_source",
    "require_database_file",
    "require_extra",
    "require_url_driver",
    "sqlite_database",
]

#: Exit status of a policy or data problem.
DATA_PROBLEM: Final = 1
#: Exit status of a usage or file problem.
USAGE_PROBLEM: Final = 2

#: The delimiters a CSV file may use; in this order when a header splits equally.
DELIMITERS: Final = ",;\t|"
_SAMPLE_LINES: Final = 50
_SAMPLE_CHARS: Final = 64 * 1024
#: Rows buffered before a Parquet row group is written.
_PARQUET_ROWS: Final = 65_536
#: Flags of POSIX systems (0 where the OS has none).
_O_CLOEXEC: Final = getattr(os, "O_CLOEXEC", 0)
_O_NOFOLLOW: Final = getattr(os, "O_NOFOLLOW", 0)
#: Seconds between two redraws of the progress line.
_REDRAW: Final = 0.25
#: Control characters, and the Unicode marks that reorder text on a terminal.
_UNSAFE: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class CliError(Exception):
    """A failure the command reports in one line with an exit status: ``DATA_PROBLEM`` (1, a
    policy or data problem) or ``USAGE_PROBLEM`` (2, a usage or file problem). The message names
    files, places, fields and error classes, never a value of a record."""

    def __init__(self, message: str, status: int = USAGE_PROBLEM) -> None:
        super().__init__(message)
        self.status = status


def clean(text: str) -> str:
    """``text`` with control characters and bidirectional marks escaped (``\\x1b``,
    ``\\u202e``), newlines and tabs kept: what the command prints cannot drive a terminal."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _quote(path: str | Path) -> str:
    return repr(str(path))


# -- optional extras and databases -------------------------------------------------------------


def require_extra(module: str, extra: str, what: str) -> None:
    """Import ``module`` or fail with one line naming the extra that installs it."""
    try:
        __import__(module)
    except ImportError:
        raise CliError(f"{what} needs {module}: pip install 'gdprkit[{extra}]'") from None


def _parse_url(url: str) -> Any:  # noqa: ANN401 - a sqlalchemy URL
    from sqlalchemy.engine import make_url  # noqa: PLC0415 - the sql extra, checked first

    try:
        return make_url(url)
    except Exception:  # any parse failure; the URL may hold a password
        raise CliError(
            "not a database URL: use sqlite:///path/to/file.db or "
            "postgresql+psycopg://user@host/database"
        ) from None


def require_url_driver(url: str, what: str) -> Any:  # noqa: ANN401 - a sqlalchemy URL
    """The parsed URL (``postgresql://`` read as ``postgresql+psycopg://``, the driver the
    ``sql`` extra installs, as the consent ledger reads it); one line naming the extra when
    SQLAlchemy or the URL's database driver is not installed."""
    require_extra("sqlalchemy", "sql", what)
    parsed = _parse_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        dialect = parsed.get_dialect()
    except Exception:  # an unknown dialect; never quote the URL
        raise CliError(f"{what}: unknown database kind in the URL") from None
    try:
        dialect.import_dbapi()
    except ImportError:
        raise CliError(
            f"{what} needs the {parsed.get_backend_name()} driver "
            f"{parsed.get_driver_name()!r}: pip install 'gdprkit[sql]'"
            + (
                " (or 'gdprkit[sql,postgres-binary]' without libpq)"
                if parsed.get_backend_name() == "postgresql"
                else ""
            )
        ) from None
    return parsed


def sqlite_database(url: str) -> Path | None:
    """The file a SQLite URL names; ``None`` for other databases and in-memory SQLite."""
    parsed = _parse_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or parsed.query.get("mode") == "memory":
        return None
    if database.startswith("file:"):  # sqlite:///file:path?uri=true
        database = database[len("file:") :].split("?", 1)[0]
    return Path(database)


def require_database_file(url: str, what: str) -> Path | None:
    """The SQLite file of ``url``, which must exist: a mistyped path would create an empty
    database (and a sweep or a ledger over nothing looks like success). ``None`` if not SQLite."""
    path = sqlite_database(url)
    if path is not None and not path.is_file():
        raise CliError(
            f"{what}: no SQLite database at {_quote(path)} (sqlite:///relative/path.db, "
            "sqlite:////absolute/path.db); it is not created"
        )
    return path


# -- inputs and outputs never the same file ----------------------------------------------------


def _same(a: Path, b: Path) -> bool:
    try:
        if os.path.samefile(a, b):
            return True
    except OSError:
        pass  # one of them does not exist (yet): compare where they lead
    return a.resolve() == b.resolve()


def check_distinct(reads: Sequence[tuple[str, Path]], writes: Sequence[tuple[str, Path]]) -> None:
    """Refuse a file the run writes that is a file it reads or another one it writes (the same
    path, a symbolic or hard link to it): nothing is opened yet, so nothing is overwritten."""
    for i, (role, path) in enumerate(writes):
        for other_role, other in [*reads, *writes[:i]]:
            if _same(path, other):
                raise CliError(
                    f"the {role} {_quote(path)} is the same file as the {other_role} "
                    f"{_quote(other)}: refusing to overwrite it"
                )


# -- records ---------------------------------------------------------------------------------


class Row(dict[str, Any]):
    """A record read from a file, with its place: ``row`` (1 for the first record) and
    ``line`` (the line it starts on in a CSV or JSON Lines file; ``None`` in Parquet)."""

    __slots__ = ("line", "row")

    def __init__(self, values: Any, row: int, line: int | None) -> None:  # noqa: ANN401 - pairs
        super().__init__(values)
        self.row = row
        self.line = line


class Unreadable:
    """A record that cannot be read: not a mapping, so ``enforce`` denies it ``record.invalid``."""

    __slots__ = ("line", "row")

    def __init__(self, row: int, line: int | None) -> None:
        self.row = row
        self.line = line

    def __repr__(self) -> str:
        return f"<unreadable row {self.row}>"


class Source:
    """The records of an input file, counted as they are read (``rows``)."""

    def __init__(self, records: Iterator[Any], description: str) -> None:
        self.description = description
        self.rows = 0
        self._records = records
        self.on_progress: Callable[[int], None] | None = None

    def __iter__(self) -> Iterator[Any]:
        progress = self.on_progress
        for record in self._records:
            self.rows += 1
            if progress is not None and not self.rows & 0xFF:
                progress(self.rows)
            yield record


def open_source(
    name: str,
    fmt: str,
    stack: ExitStack,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> Source:
    """Open an input and read what must be read before the first record (a CSV file's
    encoding, delimiter and header; a Parquet file's schema): a :class:`CliError` now, not
    after the output was begun."""
    if fmt == "csv":
        return _open_csv(Path(name), stack, delimiter, encoding)
    if fmt == "parquet":
        return _open_parquet(Path(name), stack)
    if name == "-":
        handle: IO[bytes] = sys.stdin.buffer
    else:
        handle = stack.enter_context(Path(name).open("rb"))  # noqa: SIM115 - the stack closes it
    where = "standard input" if name == "-" else _quote(name)
    return Source(_jsonl_records(handle), f"JSON Lines from {where}")


# JSON Lines


class _DuplicateKeyError(ValueError):
    pass


def _valid_text(value: object) -> None:
    """Raise ``UnicodeEncodeError`` (a ``ValueError``) for text that is not valid Unicode: a
    ``\\udcdb`` escape decodes to a lone surrogate, which no output can hold."""
    if isinstance(value, str):
        value.encode("utf-8")
    elif isinstance(value, list):
        for item in value:
            _valid_text(item)


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    for key, value in pairs:
        key.encode("utf-8")
        _valid_text(value)
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _DuplicateKeyError  # which value holds cannot be told: the record is unreadable
    return out


def _jsonl_records(handle: IO[bytes]) -> Iterator[Any]:
    number = 0
    for line, raw in enumerate(handle, 1):
        data = raw[len(codecs.BOM_UTF8) :] if line == 1 and raw.startswith(codecs.BOM_UTF8) else raw
        if not data.strip():
            continue
        number += 1
        try:
            value = json.loads(data.decode("utf-8"), object_pairs_hook=_unique)
        except (ValueError, RecursionError):  # not UTF-8, not JSON, a key twice, too deep
            yield Unreadable(number, line)
            continue
        yield Row(value, number, line) if isinstance(value, dict) else Unreadable(number, line)


# CSV


_DECLARED: Final = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _declared(path: Path) -> str | None:
    """The encoding a UTF-16 or UTF-32 byte-order mark declares (Excel's "Unicode text")."""
    with path.open("rb") as handle:
        start = handle.read(4)
    return next((codec for bom, codec in _DECLARED if start.startswith(bom)), None)


def _codec(encoding: str | None) -> str:
    name = encoding or "utf-8"
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise CliError(f"unknown encoding {name!r} (--encoding)") from None
    return "utf-8-sig" if info.name == "utf-8" else info.name  # a byte-order mark is dropped


def _delimiter(text: str) -> str:
    value = {"tab": "\t", "\\t": "\t"}.get(text.lower(), text)
    if len(value) != 1 or value in '"\r\n':
        raise CliError(f"--delimiter is one character (or 'tab'), not {text!r}")
    return value


def _columns_in(header: str, delimiter: str) -> int:
    return len(next(csv.reader([header], delimiter=delimiter), []))


def sniff(sample: str) -> str:
    """The delimiter of a CSV sample: csv.Sniffer restricted to ``DELIMITERS``, checked
    against the header line (a delimiter that does not split the header is not the one:
    Italian decimal commas are consistent across rows too)."""
    header = next((line for line in sample.splitlines() if line.strip()), "")
    try:
        found: str | None = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        found = None
    if found is not None and _columns_in(header, found) > 1:
        return found
    best = max(DELIMITERS, key=lambda d: _columns_in(header, d))
    return best if _columns_in(header, best) > 1 else (found or ",")


def _not_text(path: Path, codec: str, line: int, exc: UnicodeDecodeError) -> CliError:
    return CliError(
        f"{_quote(path)} is not {codec} text after line {line} ({type(exc).__name__}): give its "
        "encoding with --encoding (older Excel versions save CSV as cp1252)"
    )


class _CsvStart:
    """What is read of a CSV file before its first record: its encoding, delimiter and header
    (checked), and the reader positioned after the header."""

    def __init__(
        self,
        path: Path,
        codec: str,
        delimiter: str,
        reader: Any,  # noqa: ANN401 - a csv reader
        header: list[str],
    ) -> None:
        self.path = path
        self.codec = codec
        self.delimiter = delimiter
        self.reader = reader
        self.header = header
        #: The line the header ends on (1 when it is the file's first line).
        self.header_end: int = reader.line_num
        shown = {"\t": "tab"}.get(delimiter, delimiter)
        self.description = f"CSV from {_quote(path)}, delimiter {shown!r}, encoding {codec}"


def _start_csv(
    path: Path, stack: ExitStack, delimiter: str | None, encoding: str | None
) -> _CsvStart:
    codec = _codec(encoding if encoding is not None else _declared(path))
    chosen = _delimiter(delimiter) if delimiter is not None else None
    text = stack.enter_context(path.open(encoding=codec, errors="strict", newline=""))
    sample: list[str] = []
    size = 0
    try:
        for line in text:
            sample.append(line)
            size += len(line)
            if len(sample) >= _SAMPLE_LINES or size >= _SAMPLE_CHARS:
                break
    except UnicodeDecodeError as exc:
        raise _not_text(path, codec, len(sample), exc) from exc
    if not "".join(sample).strip():
        raise CliError(f"{_quote(path)} is empty: a CSV file starts with its header line")
    delim = chosen if chosen is not None else sniff("".join(sample))
    counter = [0]

    def lines() -> Iterator[str]:
        try:
            for line in itertools.chain(sample, text):
                counter[0] += 1
                yield line
        except UnicodeDecodeError as exc:
            raise _not_text(path, codec, counter[0], exc) from exc

    reader = csv.reader(lines(), delimiter=delim, quotechar='"', doublequote=True)
    try:
        header = next((cells for cells in reader if any(cells)), None)
    except csv.Error as exc:
        raise CliError(
            f"{_quote(path)} line {reader.line_num}: the header is not readable as CSV "
            f"({type(exc).__name__})"
        ) from exc
    if header is None:
        raise CliError(f"{_quote(path)} is empty: a CSV file starts with its header line")
    seen: dict[str, int] = {}
    for position, name in enumerate(header, 1):
        if name and name in seen:
            raise CliError(
                f"{_quote(path)}: the header names column {name!r} twice (columns "
                f"{seen[name]} and {position}): which one holds the value cannot be told"
            )
        seen[name] = position
    return _CsvStart(path, codec, delim, reader, header)


def _open_csv(path: Path, stack: ExitStack, delimiter: str | None, encoding: str | None) -> Source:
    start = _start_csv(path, stack, delimiter, encoding)
    return Source(_csv_records(path, start.reader, start.header), start.description)


def _csv_records(path: Path, reader: Any, header: list[str]) -> Iterator[Any]:  # noqa: ANN401
    width = len(header)
    named = [(i, name) for i, name in enumerate(header) if name]  # unnamed columns hold nothing
    number = 0
    start = reader.line_num + 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(cells):
                continue  # an empty row (a blank line, or only delimiters)
            number += 1
            if len(cells) != width and (len(cells) < width or any(cells[width:])):
                yield Unreadable(number, line)  # cells cannot be matched to their columns
                continue
            yield Row(((name, cells[i] or None) for i, name in named), number, line)
    except csv.Error as exc:
        raise CliError(
            f"{_quote(path)} line {reader.line_num}: not readable as CSV ({type(exc).__name__})",
            DATA_PROBLEM,
        ) from exc


# Parquet


def _open_parquet(path: Path, stack: ExitStack) -> Source:
    parquet = _open_parquet_file(path, stack)
    return Source(_parquet_records(path, parquet), f"Parquet from {_quote(path)}")


def _open_parquet_file(path: Path, stack: ExitStack) -> Any:  # noqa: ANN401 - a ParquetFile
    """The Parquet file at ``path``, its schema read and checked (no column named twice)."""
    import pyarrow.parquet as pq  # noqa: PLC0415 - the arrow extra, checked first

    handle = stack.enter_context(path.open("rb"))
    try:
        parquet = pq.ParquetFile(handle)
        names = list(parquet.schema_arrow.names)
    except Exception as exc:  # pyarrow's messages may quote values: class only
        raise CliError(
            f"{_quote(path)} is not a readable Parquet file ({type(exc).__name__})"
        ) from exc
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise CliError(
                f"{_quote(path)}: column {name!r} appears twice: which one holds the value "
                "cannot be told"
            )
        seen.add(name)
    return parquet


def _row_group_batches(parquet: Any) -> Iterator[Any]:  # noqa: ANN401
    """The file's batches, one row group at a time: a single ``iter_batches()`` over the whole
    file keeps memory growing with its size (pyarrow: 550 MiB after 10 M rows)."""
    for group in range(parquet.num_row_groups):
        yield from parquet.iter_batches(row_groups=[group])


def _parquet_records(path: Path, parquet: Any) -> Iterator[Any]:  # noqa: ANN401
    number = 0
    batches = _row_group_batches(parquet)
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except Exception as exc:  # pyarrow's messages may quote values
            raise CliError(
                f"{_quote(path)}: the Parquet data after row {number} cannot be read "
                f"({type(exc).__name__})",
                DATA_PROBLEM,
            ) from exc
        try:
            values = batch.to_pylist()
        except Exception as exc:  # e.g. a timestamp out of Python's range
            raise CliError(
                f"{_quote(path)}: rows {number + 1} to {number + batch.num_rows} hold values "
                f"Python cannot represent ({type(exc).__name__})",
                DATA_PROBLEM,
            ) from exc
        for value in values:
            number += 1
            yield Row(value, number, None)


# -- outputs ---------------------------------------------------------------------------------


class Output:
    """A file the command writes: created 0600 beside its target and renamed onto it when the
    run succeeds (deleted when it fails). A target that is not a regular file (a FIFO,
    ``/dev/null``) is written in place."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._temporary: Path | None = None
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            mode = None
        except OSError as exc:
            raise CliError(f"cannot write {_quote(path)}: {exc.strerror}") from None
        if mode is not None and stat.S_ISDIR(mode):
            raise CliError(f"cannot write {_quote(path)}: it is a directory")
        try:
            if mode is not None and not stat.S_ISREG(mode):
                fd = os.open(path, os.O_WRONLY | _O_CLOEXEC)
            else:
                temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.gdprkit")
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_CLOEXEC | _O_NOFOLLOW
                fd = os.open(temporary, flags, 0o600)
                self._temporary = temporary
        except OSError as exc:
            raise CliError(f"cannot write {_quote(path)}: {exc.strerror}") from None
        self.file: IO[bytes] = os.fdopen(fd, "wb")

    def __enter__(self) -> Output:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        temporary = self._temporary
        try:
            if not self.file.closed:
                self.file.flush()
                if exc_type is None and temporary is not None:
                    os.fsync(self.file.fileno())
                self.file.close()
            if temporary is not None and exc_type is None:
                os.replace(temporary, self.path)
                temporary = None
        finally:
            if temporary is not None:
                temporary.unlink(missing_ok=True)


class RecordWriter:
    """Writes records as CSV (a header of ``columns``, written even when no record comes),
    JSON Lines or Parquet (``columns`` in order, row groups of 65 536 rows)."""

    def __init__(self, fmt: str, file: IO[bytes], columns: Sequence[str]) -> None:
        self.fmt = fmt
        self.columns = list(columns)
        self.rows = 0
        self._file = file
        self._text: io.TextIOWrapper | None = None
        self._csv: Any = None
        self._buffer: list[Mapping[str, Any]] = []
        self._parquet: Any = None
        self._schema: Any = None
        if fmt == "parquet":
            return
        self._text = io.TextIOWrapper(file, encoding="utf-8", newline="" if fmt == "csv" else "\n")
        if fmt == "csv":
            self._csv = csv.writer(self._text, lineterminator="\n")
            self._csv.writerow(self.columns)

    def write(self, row: Mapping[str, Any]) -> None:
        self.rows += 1
        if self._csv is not None:
            self._csv.writerow([row.get(c) for c in self.columns])
        elif self._text is not None:
            self._text.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        else:
            self._buffer.append(row)
            if len(self._buffer) >= _PARQUET_ROWS:
                self._flush_parquet()

    def close(self) -> None:
        """Write what is buffered and detach from the file (its owner closes it)."""
        if self._text is not None:
            self._text.flush()
            self._text.detach()
            self._text = None
            return
        self._flush_parquet()
        if self._parquet is None:  # no row at all: a valid file with the columns, no rows
            import pyarrow as pa  # noqa: PLC0415 - the arrow extra, checked first

            schema = pa.schema([(c, pa.null()) for c in self.columns])
            self._open_parquet(schema)
        self._parquet.close()

    def _open_parquet(self, schema: Any) -> None:  # noqa: ANN401 - a pyarrow schema
        import pyarrow.parquet as pq  # noqa: PLC0415 - the arrow extra, checked first

        self._schema = schema
        self._parquet = pq.ParquetWriter(self._file, schema)

    def _flush_parquet(self) -> None:
        import pyarrow as pa  # noqa: PLC0415 - the arrow extra, checked first

        rows, self._buffer = self._buffer, []
        if not rows:
            return
        first = self.rows - len(rows) + 1
        arrays = []
        for position, column in enumerate(self.columns):
            values = [row.get(column) for row in rows]
            kind = None if self._schema is None else self._schema.field(position).type
            try:
                arrays.append(pa.array(values, type=kind))
            except Exception as exc:  # pyarrow's messages quote values
                raise CliError(
                    f"the Parquet output cannot hold column {column!r} of rows {first} to "
                    f"{self.rows}: its values are not all of one type ({type(exc).__name__}); "
                    "write CSV or JSON Lines instead",
                    DATA_PROBLEM,
                ) from exc
        table = pa.Table.from_arrays(arrays, names=self.columns)
        if self._parquet is None:
            self._open_parquet(table.schema)
        self._parquet.write_table(table)


# -- progress --------------------------------------------------------------------------------


class Progress:
    """One line on a terminal: rows, rows/s and the time elapsed, redrawn at most every
    quarter of a second; nothing at all when ``enabled`` is false.

    :meth:`update` is called by the work with the rows done so far; :meth:`ticking` also
    redraws from a thread while the work runs without reporting (the elapsed time, and the
    rows once known), for work that reports rarely or never.
    """

    def __init__(self, what: str, stream: IO[str], *, enabled: bool) -> None:
        self.what = what
        self.enabled = enabled
        self._stream = stream
        self._start = time.monotonic()
        self._shown = self._start
        self._width = 0
        self._rows: int | None = None
        self._lock = threading.Lock()

    def update(self, rows: int) -> None:
        if not self.enabled:
            return
        self._rows = rows
        now = time.monotonic()
        if now - self._shown >= _REDRAW:
            self._show(now)

    @contextmanager
    def ticking(self) -> Iterator[None]:
        """Redraw every quarter of a second while the block runs."""
        if not self.enabled:
            yield
            return
        stop = threading.Event()

        def tick() -> None:
            while not stop.wait(_REDRAW):
                self._show(time.monotonic())

        thread = threading.Thread(target=tick, name="gdprkit-progress", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def finish(self, rows: int) -> None:
        """Draw the final line (rows, rows/s, elapsed) and end it."""
        if not self.enabled:
            return
        self._rows = rows
        self._show(time.monotonic())
        self.end_line()

    def end_line(self) -> None:
        """End the line drawn so far (a failed run's message then starts on a line of its own)."""
        with self._lock:
            if self._width:
                self._stream.write("\n")
                self._stream.flush()
                self._width = 0

    def _show(self, now: float) -> None:
        with self._lock:
            self._shown = now
            elapsed = now - self._start
            rows = self._rows
            if rows is None:
                text = f"{self.what}: {elapsed:,.1f} s elapsed"
            else:
                rate = rows / elapsed if elapsed > 0 else 0.0
                text = f"{self.what}: {rows:,} rows, {rate:,.0f} rows/s, {elapsed:,.1f} s elapsed"
            self._stream.write("\r" + text.ljust(self._width))
            self._stream.flush()
            self._width = len(text)
