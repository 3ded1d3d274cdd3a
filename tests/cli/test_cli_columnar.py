"""``gdprkit enforce`` runs the columnar streaming path for CSV and Parquet input (design.md §9,
§15; issue 9) and writes what the row path writes, byte for byte.

The row path (``gdprkit._cli_io`` read into dicts, ``gdprkit.enforce``) is the reference: the
internal switch ``GDPRKIT_CLI_ENGINE=row`` forces it, ``GDPRKIT_CLI_CSV_BLOCK`` makes pyarrow
read a CSV file in small batches. Both switches are internal (tests and benchmarks only).
The command runs in this process (``gdprkit.cli.main``) so that hypothesis can draw many files.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import AT, POLICY, customers, write_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdprkit import ConsentLedger, Evidence, KeyRing, load_policy
from gdprkit.cli import main
from gdprkit.testing import strategies as gst

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from gdprkit import _cli_columnar  # noqa: E402 - needs pyarrow

CRM = load_policy(POLICY)
AT_TIME = datetime.fromisoformat(AT)
KEYS = KeyRing({"k1": bytes(range(32))}, active="k1")
#: The columns of the generated files: the policy's fields, one it does not declare, one
#: without a name (left out by the reader), in an order drawn per example.
COLUMNS = [*CRM.fields, "note", ""]
NOISE = [
    "blank",
    "delimiters",
    "too_many",
    "too_few",
    "trailing_empty",
    "spaces",
    "quoted_break",
    "no_subject",
]


@contextlib.contextmanager
def _environment(**values: str | None) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _run(
    args: list[str | Path], *, engine: str | None, block: int | None = None
) -> tuple[int, str]:
    """``gdprkit`` in this process: (exit status, stderr)."""
    err = io.StringIO()
    with (
        _environment(
            GDPRKIT_CLI_ENGINE=engine,
            GDPRKIT_CLI_CSV_BLOCK=None if block is None else str(block),
            GDPRKIT_KEYS=KEYS.export(),
        ),
        contextlib.redirect_stderr(err),
    ):
        status = main([str(a) for a in args])
    return status, err.getvalue()


def _both(
    folder: Path,
    source: Path,
    purpose: str,
    fmt: str,
    *extra: str | Path,
    block: int | None = None,
    rejected: bool = True,
) -> dict[str, Any]:
    """Run the row path and the columnar path on ``source``: their status, stderr, output and
    rejected file bytes."""
    found: dict[str, Any] = {}
    for engine in ("row", "columnar"):
        out = folder / f"{engine}-out.{fmt}"
        args: list[str | Path] = ["enforce", POLICY, purpose, source, out, "--at", AT, *extra]
        if rejected:
            args += ["--rejected", folder / f"{engine}-rejected.jsonl"]
        status, err = _run(args, engine=engine if engine == "row" else None, block=block)
        found[engine] = {
            "status": status,
            "stderr": err,
            "out": out.read_bytes() if out.exists() else None,
            "rejected": (
                (folder / f"{engine}-rejected.jsonl").read_bytes()
                if (folder / f"{engine}-rejected.jsonl").exists()
                else None
            ),
            "path": out,
        }
    return found


def _assert_same(found: dict[str, Any], fmt: str) -> None:
    row, col = found["row"], found["columnar"]
    assert col["status"] == row["status"], (col["stderr"], row["stderr"])
    assert col["stderr"] == row["stderr"]
    assert col["rejected"] == row["rejected"]
    if fmt != "parquet" or row["out"] is None:
        assert col["out"] == row["out"]
        return
    _assert_same_parquet(row["path"], col["path"])


def _assert_same_parquet(row_path: Path, columnar_path: Path) -> None:
    """The same rows and values; the same bytes unless the row path typed a column ``null``
    (it infers types from the first 65 536 rows: all null there, ``null``), where the columnar
    path keeps the stream's type."""
    by_rows, by_columns = pq.read_table(row_path), pq.read_table(columnar_path)
    assert by_columns.to_pylist() == by_rows.to_pylist()
    assert by_columns.column_names == by_rows.column_names
    retyped = [
        name
        for name, want, got in zip(
            by_rows.column_names, by_rows.schema.types, by_columns.schema.types, strict=True
        )
        if want != got
    ]
    for name in retyped:
        assert pa.types.is_null(by_rows.schema.field(name).type), name
    if not retyped:
        assert columnar_path.read_bytes() == row_path.read_bytes()


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _noise(kind: str, width: int, delimiter: str) -> list[str]:
    if kind == "blank":
        return []
    if kind == "delimiters":
        return [""] * width
    if kind == "too_many":
        return ["x"] * (width + 1)
    if kind == "too_few":
        return ["x"] * max(width - 2, 1)
    if kind == "trailing_empty":
        return ["BV-77", *[""] * (width - 1), "", ""]
    if kind == "spaces":
        return ["  "]
    return ["BV-88", *["a\nb" if i == 1 else "" for i in range(1, width)]]


def _records(purpose: str) -> st.SearchStrategy[dict[str, Any]]:
    """Records of the policy for ``purpose``: any, or ones it allows at ``AT`` (the ledger
    gives every other subject its consent)."""
    return st.one_of(gst.records(CRM, purpose), gst.records(CRM, purpose, at=AT_TIME, allowed=True))


@st.composite
def csv_files(draw: st.DrawFn) -> dict[str, Any]:
    purpose = draw(st.sampled_from(sorted(CRM.purposes)))
    records = draw(st.lists(_records(purpose), min_size=0, max_size=25))
    columns = draw(st.permutations(COLUMNS))
    columns.remove("customer_id")
    columns.insert(draw(st.integers(0, len(columns))), "customer_id")  # anywhere, but there
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    rows: list[list[str] | str] = []
    for record in records:
        cells = [_text(record.get(c)) if c else "" for c in columns]
        if draw(st.booleans()) and "note" in columns:
            cells[columns.index("note")] = draw(st.sampled_from(["a, b", 'say "hi"', "l1\nl2"]))
        rows.append(cells)
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(NOISE))
        cells = _noise(kind, len(columns), delimiter)
        if kind == "no_subject":  # a record without a subject id: denied record.invalid
            cells = ["x"] * len(columns)
            cells[columns.index("customer_id")] = ""
        rows.insert(draw(st.integers(0, len(rows))), cells)
    return {
        "purpose": purpose,
        "columns": columns,
        "rows": rows,
        "delimiter": delimiter,
        "newline": draw(st.sampled_from(["\n", "\r\n"])),
        "bom": draw(st.booleans()),
        "ids": [record["customer_id"] for record in records],
        "block": draw(st.sampled_from([None, 900, 3000])),
        "fmt": draw(st.sampled_from(["csv", "jsonl", "parquet"])),
        "whole": draw(st.booleans()),
    }


def _write(path: Path, drawn: dict[str, Any]) -> Path:
    with path.open("w", encoding="utf-8-sig" if drawn["bom"] else "utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=drawn["delimiter"], lineterminator=drawn["newline"])
        writer.writerow(drawn["columns"])
        writer.writerows(drawn["rows"])
    return path


def _ledger(path: Path, ids: list[object]) -> str:
    """A SQLite ledger where every other subject consented to every purpose 30 days ago."""
    url = f"sqlite:///{path}"
    ledger = ConsentLedger(url)
    given = AT_TIME - timedelta(days=30)
    for subject in ids[::2]:
        if subject is None or str(subject).strip() == "":
            continue
        for purpose in CRM.purposes:
            ledger.give(
                str(subject), purpose, at=given, evidence=Evidence("web_form"), explicit=True
            )
    ledger.close()
    return url


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(csv_files())
def test_the_columnar_path_writes_what_the_row_path_writes(drawn: dict[str, Any]) -> None:
    """Output, ``--rejected`` (with and without whole records), status and summary: the same
    bytes, for generated CSV files with empty rows, rows of delimiters, rows with more or fewer
    cells than the header, cells holding line breaks, every delimiter, a byte-order mark or
    not, read in one batch or many."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        source = _write(folder / "in.csv", drawn)
        ledger = _ledger(folder / "ledger.db", drawn["ids"])
        extra: list[str | Path] = ["--ledger", ledger]
        if drawn["whole"]:
            extra.append("--rejected-records")
        found = _both(folder, source, drawn["purpose"], drawn["fmt"], *extra, block=drawn["block"])
        _assert_same(found, drawn["fmt"])


# -- Parquet input --------------------------------------------------------------------------


@st.composite
def parquet_files(draw: st.DrawFn) -> dict[str, Any]:
    purpose = draw(st.sampled_from(sorted(CRM.purposes)))
    records = draw(st.lists(_records(purpose), min_size=0, max_size=25))
    return {
        "purpose": purpose,
        "records": [{c: _text(r.get(c)) or None for c in CRM.fields} for r in records],
        "group": draw(st.integers(1, 10)),
        "fmt": draw(st.sampled_from(["csv", "jsonl", "parquet"])),
    }


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(parquet_files())
def test_parquet_input_writes_what_the_row_path_writes(drawn: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        columns = list(CRM.fields)
        table = pa.table(
            {c: pa.array([r[c] for r in drawn["records"]], pa.string()) for c in columns}
        )
        table = table.append_column(
            "visits", pa.array(range(table.num_rows), pa.int64())
        ).append_column("spent", pa.array([i / 4 for i in range(table.num_rows)], pa.float64()))
        source = folder / "in.parquet"
        pq.write_table(table, source, row_group_size=drawn["group"])
        ids = [r["customer_id"] for r in drawn["records"]]
        found = _both(
            folder,
            source,
            drawn["purpose"],
            drawn["fmt"],
            "--ledger",
            _ledger(folder / "l.db", ids),
        )
        _assert_same(found, drawn["fmt"])


# -- the columnar path's own promises ---------------------------------------------------------


def test_an_all_null_column_in_the_first_65536_rows_keeps_its_type_in_parquet_output(
    tmp_path: Path,
) -> None:
    """The row path typed Parquet columns by the first 65 536 rows: ``country`` empty there
    became a ``null`` column, and the later rows that hold a country stopped the run ("not
    all of one type"). The columnar path types it from the plan (text): every row is written."""
    header, *body = customers(1000)
    country = header.index("country")
    rows = []
    for i in range(70_000):
        row = list(body[i % len(body)])
        row[0] = f"BV-{i:07d}"
        row[country] = "" if i < 66_000 else "IT"
        rows.append(row)
    source = write_csv(tmp_path / "in.csv", [header, *rows])
    out = tmp_path / "out.parquet"
    status, err = _run(["enforce", POLICY, "analytics", source, out, "--at", AT], engine=None)
    assert status == 0, err
    parquet = pq.ParquetFile(out)
    assert parquet.schema_arrow.field("country").type == pa.string()
    table = parquet.read()
    countries = table.column("country").to_pylist()
    assert len(countries) == table.num_rows > 66_000
    assert set(countries[-1000:]) == {"IT"}
    assert all(value is None for value in countries[:65_000])


def test_an_all_null_late_batch_keeps_the_type_of_every_row_group(tmp_path: Path) -> None:
    header, *body = customers(300)
    total = header.index("purchases_total")
    for i, row in enumerate(body):
        if i >= 100:
            row[total] = ""  # batches after the first: the column is empty
    source = write_csv(tmp_path / "in.csv", [header, *body])
    out = tmp_path / "out.parquet"
    status, err = _run(
        ["enforce", POLICY, "analytics", source, out, "--at", AT], engine=None, block=2000
    )
    assert status == 0, err
    parquet = pq.ParquetFile(out)
    assert parquet.schema_arrow.field("purchases_total").type == pa.string()
    values = parquet.read().column("purchases_total").to_pylist()
    assert any(v is not None for v in values)


def test_many_small_batches_stream_the_file_and_equal_the_row_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CSV file read in batches of a few kilobytes: many batches, each decided on its own,
    rejected rows numbered across them, and the bytes of the row path."""
    rows = customers(1000)
    rows.insert(500, ["BV-X", "stray"])  # an unreadable row in a late batch
    rows.insert(700, [])  # an empty line
    source = write_csv(tmp_path / "in.csv", rows)
    made: list[int] = []
    chunk = _cli_columnar._CsvBatches._chunk

    def counted(self: Any, batch: Any) -> Any:
        made.append(batch.num_rows)
        return chunk(self, batch)

    monkeypatch.setattr(_cli_columnar._CsvBatches, "_chunk", counted)
    for fmt in ("csv", "jsonl", "parquet"):
        found = _both(tmp_path, source, "newsletter", fmt, block=4096)
        _assert_same(found, fmt)
    assert len(made) >= 3 * 25  # 1 000 rows of ~130 bytes in 4 KiB batches, three runs
    assert max(made) < 100
    entries = found["columnar"]["rejected"].decode().splitlines()
    assert any('"line": 501' in e and '"record.invalid"' in e for e in entries)


def test_leading_zeros_and_decimal_looking_ids_stay_text(tmp_path: Path) -> None:
    """Every CSV column is read as text: ``007``, ``1001.0`` and a ``0039`` phone come out as
    written (pyarrow would have read numbers)."""
    header, *body = customers(4)
    rows = [header]
    ids = ["007", "1001.0", "0000123", "1e3"]
    for cells, subject in zip(body, ids, strict=True):
        row = [subject, *cells[1:]]
        row[header.index("phone")] = "00393783363714"
        row[header.index("purchases_total")] = "012.50"
        rows.append(row)
    source = write_csv(tmp_path / "in.csv", rows)
    for fmt in ("csv", "jsonl", "parquet"):
        found = _both(tmp_path, source, "accounting", fmt)
        _assert_same(found, fmt)
    out = found["columnar"]["path"]
    table = pq.read_table(out)
    assert table.schema.field("purchases_total").type == pa.string()
    accounted = (tmp_path / "columnar-out.csv").read_text("utf-8")
    assert "007," in accounted or "1001.0," in accounted or "012.50" in accounted
    assert "012.50" in accounted


def test_text_not_in_its_encoding_after_many_batches_stops_as_the_row_path_does(
    tmp_path: Path,
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes((Path(POLICY).parent / "customers.csv").read_bytes() + b"BV-9,\xff\xfe\n")
    found = _both(tmp_path, source, "analytics", "jsonl", block=4096)
    _assert_same(found, "jsonl")
    assert found["columnar"]["status"] == 2
    assert "--encoding" in found["columnar"]["stderr"]


def test_a_cell_beyond_the_csv_limit_stops_as_the_row_path_does(tmp_path: Path) -> None:
    rows = customers(300)
    rows[250][2] = "x" * 200_000
    source = write_csv(tmp_path / "in.csv", rows)
    found = _both(tmp_path, source, "analytics", "csv", block=8192)
    _assert_same(found, "csv")
    assert found["columnar"]["status"] == 1
    assert "line 251" in found["columnar"]["stderr"]


def test_the_internal_switch_selects_the_row_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(_cli_columnar.ENGINE_VARIABLE, "row")
    assert _cli_columnar.row_path_forced()
    monkeypatch.delenv(_cli_columnar.ENGINE_VARIABLE)
    assert not _cli_columnar.row_path_forced()


def test_a_policy_and_purpose_stay_in_the_audit_record(tmp_path: Path) -> None:
    """The audit record of a columnar run: the row path's purpose, moment and counts."""
    from gdprkit import AuditLog

    source = write_csv(tmp_path / "in.csv", customers(200))
    events = []
    for engine in ("row", None):
        audit = tmp_path / f"audit-{engine}.jsonl"
        out = tmp_path / f"out-{engine}.csv"
        status, err = _run(
            ["enforce", POLICY, "newsletter", source, out, "--at", AT, "--audit", audit],
            engine=engine,
        )
        assert status == 0, err
        (event,) = AuditLog(audit).events()
        events.append((event.kind, event.at, dict(event.payload)))
    assert events[0] == events[1]
    assert events[0][1] == datetime(2025, 6, 1, tzinfo=UTC)


def _python_csv(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda width: st.lists(
            st.lists(
                st.one_of(st.none(), st.text(max_size=6), st.sampled_from(['"', ",", "\n", "\r"])),
                min_size=width,
                max_size=width,
            ),
            max_size=6,
        ).map(lambda rows: (width, rows))
    ),
    st.integers(0, 3),
)
def test_csv_lines_are_the_csv_modules_bytes(drawn: tuple[int, list[list[Any]]], gap: int) -> None:
    """The columnar CSV writer builds lines column by column: the csv module's bytes (quotes
    where it quotes, a lone empty cell written ""), text and integer columns, absent ones."""
    width, rows = drawn
    names = [f"c{i}" for i in range(width)]
    table = pa.table(
        {name: pa.array([row[i] for row in rows], pa.string()) for i, name in enumerate(names)}
    )
    table = table.append_column("n", pa.array(range(len(rows)), pa.int64()))
    columns = [*names, "n", "absent"][gap:] if gap < width else names
    data = _cli_columnar._csv_lines(table, columns, len(rows))
    expected = _python_csv(
        [
            [{**dict(zip(names, row, strict=True)), "n": i}.get(c) for c in columns]
            for i, row in enumerate(rows)
        ]
    )
    assert bytes(data) == expected


# -- the CSV reader: the row path's records, numbers and lines ---------------------------------


def _row_reader(path: Path, delimiter: str) -> list[tuple[Any, ...]]:
    from gdprkit._cli_io import Unreadable, open_source

    with contextlib.ExitStack() as stack:
        source = open_source(str(path), "csv", stack, delimiter=delimiter)
        return [
            ("unreadable", r.row, r.line)
            if isinstance(r, Unreadable)
            else ("record", r.row, r.line, dict(r))
            for r in source
        ]


def _columnar_reader(path: Path, delimiter: str, block: int) -> list[tuple[Any, ...]]:
    with (
        _environment(GDPRKIT_CLI_CSV_BLOCK=str(block)),
        contextlib.ExitStack() as stack,
    ):
        source = _cli_columnar.open_columnar(str(path), "csv", stack, delimiter=delimiter)
        assert source is not None
        found: list[tuple[Any, ...]] = []
        for chunk in source:
            assert chunk.lines is not None
            for i, record in enumerate(chunk.table.to_pylist()):
                found.append(("record", int(chunk.numbers[i]), int(chunk.lines[i]), record))
            found.extend(("unreadable", u.row, u.line) for u in chunk.unreadable)
        return sorted(found, key=lambda entry: entry[1])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["h1,h2,h3", "h1,,h3", "h1,h2", '"h,1",h2,h3,']),
    st.text(alphabet='ab,;"\n\r x', max_size=120),
    st.sampled_from([40, 64, 200, 1 << 20]),
)
def test_the_csv_reader_reads_the_row_paths_records(header: str, body: str, block: int) -> None:
    """Text of quotes, delimiters, line breaks of every kind, spaces: the columnar reader
    gives the records the row path reads (values, ``row`` numbers, ``line`` places), and the
    same unreadable rows, in batches of any size (a row longer than a batch: the row path's
    reader takes over)."""
    with tempfile.TemporaryDirectory() as name:
        path = Path(name) / "in.csv"
        path.write_bytes(f"{header}\n{body}".encode())
        assert _columnar_reader(path, ",", block) == _row_reader(path, ",")
