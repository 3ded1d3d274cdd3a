"""The bounded-memory path (design.md §15): Arrow batches one at a time, the whole frame's answer.

``gdprkit.frames.enforce_batches`` over a table split into batches of drawn sizes must equal the
one-shot ``gdprkit.frames.enforce`` on the whole table and ``decide`` + ``apply`` on its rows:
the same allowed rows and values, rejected rows numbered across batches, the same counts. The
output schema is fixed before the first batch (an all-null batch never changes a type), and
peak memory does not grow with the number of rows streamed from a Parquet file.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from frame_data import assert_rows_equal, build, rows_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_equivalence import _fill, _ledger_based, ledger_events

import gdprkit
from gdprkit import ConfigurationError, ConsentLedger, Evidence, KeyRing, frames
from gdprkit.testing import strategies as gst

ROOT = Path(__file__).resolve().parents[2]
CRM = gdprkit.load_policy(ROOT / "examples" / "crm" / "policy.yaml")
DESIGN = gdprkit.load_policy(ROOT / "tests" / "data" / "design_policy.yaml")
RULES = gdprkit.load_policy(ROOT / "tests" / "data" / "rules_policy.yaml")
KEYS = KeyRing({"k1": bytes(range(32))}, active="k1")
AT = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
POLICIES = {"crm": CRM, "design": DESIGN, "rules": RULES}
CASES = [(name, purpose) for name, policy in POLICIES.items() for purpose in policy.purposes]

SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _split(table: pa.Table, sizes: list[int]) -> list[pa.Table | pa.RecordBatch]:
    """``table`` cut into consecutive pieces of ``sizes`` (cycled), alternately Table and
    RecordBatch; empty pieces included."""
    pieces: list[pa.Table | pa.RecordBatch] = []
    start, i = 0, 0
    while start < table.num_rows:
        size = sizes[i % len(sizes)]
        piece = table.slice(start, size).combine_chunks()
        as_batches = piece.to_batches()
        pieces.append(as_batches[0] if i % 2 and len(as_batches) == 1 else piece)
        start += size
        i += 1
    return pieces


def _collect(
    stream: frames.FrameStream,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Counter[str]]]:
    """The rows of every batch's allowed and rejected tables (rows, not a concatenated table:
    pyarrow's concat_tables loses the row count of column-less tables)."""
    allowed: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    counts = []
    for result in stream:
        assert result.allowed.schema.equals(stream.schema)
        assert result.rejected.schema.equals(frames._stream.REJECTED_SCHEMA)
        rows = result.allowed.to_pylist()
        for name, mask in result.dropped.items():  # a dropped cell: a key the row path omits
            assert len(mask) == len(rows)
            assert mask.any()
            for row, gone in zip(rows, mask.tolist(), strict=True):
                if gone:
                    assert row[name] is None
                    row[_DROPPED] = (*row.get(_DROPPED, ()), name)
        allowed.extend(rows)
        rejected.extend(result.rejected.to_pylist())
        counts.append(result.counts)
    return allowed, rejected, counts


#: The key under which :func:`_collect` lists a row's fields dropped for that row alone.
_DROPPED = "__dropped__"


@pytest.mark.parametrize(("policy_name", "purpose"), CASES)
@SETTINGS
@given(data=st.data())
def test_batches_equal_the_whole_frame_and_the_row_path(
    policy_name: str, purpose: str, data: st.DataObject
) -> None:
    policy = POLICIES[policy_name]
    records = data.draw(st.lists(gst.records(policy, purpose), min_size=1, max_size=14))
    sizes = data.draw(st.lists(st.integers(0, 5), min_size=1, max_size=4).filter(any))
    consents = None
    if _ledger_based(policy, purpose) or data.draw(st.booleans()):
        consents = ConsentLedger()
        subjects = [r.get(policy.subject.id) for r in records] if policy.subject.id else []
        _fill(consents, data.draw(ledger_events(subjects, purpose)), purpose)
    table = build("arrow", records)
    whole = frames.enforce(policy, table, purpose, at=AT, consents=consents, keys=KEYS)
    stream = frames.enforce_batches(
        policy, _split(table, sizes), purpose, at=AT, consents=consents, keys=KEYS
    )
    allowed, rejected, per_batch = _collect(stream)

    # the one-shot engine: the same rows, values, rejected rows (numbered in the whole stream)
    assert stream.schema.names == whole.allowed.column_names
    omitted = [sorted(row.pop(_DROPPED, ())) for row in allowed]
    assert allowed == whole.allowed.to_pylist()
    assert rejected == whole.rejected.to_pylist()
    assert stream.counts == whole.counts
    assert sum(per_batch, Counter()) == whole.counts
    assert stream.rows == table.num_rows

    # the row path on the table's own rows
    want, codes = [], []
    for i, row in enumerate(rows_of(table)):
        decision = gdprkit.decide(policy, row, purpose, at=AT, consents=consents)
        if decision.allowed:
            want.append(decision.apply(row, KEYS))
        else:
            codes.append((i, decision.reasons[0].code, decision.reasons[0].article))
    assert_rows_equal(allowed, want)
    assert [(r["row"], r["code"], r["article"]) for r in rejected] == codes
    # BatchResult.dropped: exactly the fields the row path leaves out of each allowed record
    assert omitted == [sorted(set(stream.schema.names) - set(record)) for record in want]


def _crm_rows(first: int, n: int) -> list[dict[str, Any]]:
    return [
        {
            "customer_id": f"C{i}",
            "email": f"c{i}@example.it",
            "phone": f"+39 333 000 {i:04d}",
            "source": "web_form",
            "relationship": "customer",
            "last_purchase_at": AT - timedelta(days=10 + i),
            "purchases_total": 10 * i,
        }
        for i in range(first, first + n)
    ]


def test_an_all_null_batch_keeps_the_output_schema() -> None:
    """A batch whose token column and kept column are all null (``null``-typed, as a reader
    infers an empty block) has the stream's types: text tokens, the kept column's type."""
    first = pa.Table.from_pylist(_crm_rows(0, 3))
    nulls = pa.Table.from_pylist(_crm_rows(3, 2)).drop_columns(["phone", "purchases_total"])
    nulls = nulls.add_column(2, "phone", pa.nulls(2))
    nulls = nulls.append_column("purchases_total", pa.nulls(2))
    assert pa.types.is_null(nulls.schema.field("phone").type)
    stream = frames.enforce_batches(CRM, [first, nulls], "analytics", at=AT, keys=KEYS)
    assert stream.schema.field("phone").type == pa.string()
    assert stream.schema.field("customer_id").type == pa.string()
    assert stream.schema.field("purchases_total").type == pa.int64()
    results = list(stream)
    for result in results:
        assert result.allowed.schema.equals(stream.schema)
    assert results[1].allowed.column("phone").to_pylist() == [None, None]
    assert results[1].allowed.column("purchases_total").to_pylist() == [None, None]
    assert all(t.startswith("k1:") for t in results[1].allowed.column("customer_id").to_pylist())


def test_the_schema_is_known_before_the_first_batch_even_if_all_are_denied() -> None:
    """A writer can be opened from ``stream.schema`` at once; denied batches yield empty tables
    of that schema."""
    rows = _crm_rows(0, 4)
    for r in rows:
        r["relationship"] = "lead"  # contract: when relationship is customer
    reader = pa.Table.from_pylist(rows).to_reader(max_chunksize=2)
    stream = frames.enforce_batches(CRM, reader, "contract", at=AT)
    assert "email" in stream.schema.names
    results = list(stream)
    assert [r.allowed.num_rows for r in results] == [0, 0]
    assert all(r.allowed.schema.equals(stream.schema) for r in results)
    assert [r.rejected.column("row").to_pylist() for r in results] == [[0, 1], [2, 3]]
    assert [r.start for r in results] == [0, 2]
    assert stream.counts == {"basis.not_applicable": 4}
    assert (stream.processed, stream.denied, stream.rows) == (0, 4, 4)


def test_a_type_change_mid_stream_is_an_error_not_a_conversion() -> None:
    first = pa.Table.from_pylist(_crm_rows(0, 2))
    second = pa.Table.from_pylist(_crm_rows(2, 2))
    second = second.set_column(
        second.schema.get_field_index("purchases_total"),
        "purchases_total",
        pa.array(["30", "40"]),
    )
    stream = frames.enforce_batches(CRM, [first, second], "analytics", at=AT, keys=KEYS)
    next(stream)
    with pytest.raises(ConfigurationError, match="'purchases_total' changes type"):
        next(stream)
    # a batch without one of the stream's columns: an error too (not a column of nulls)
    stream = frames.enforce_batches(
        CRM,
        [second.drop_columns(["purchases_total"])],
        "analytics",
        at=AT,
        keys=KEYS,
        schema=first.schema,
    )
    with pytest.raises(ConfigurationError, match="columns differ"):
        next(stream)


def test_configuration_errors_come_before_any_batch_is_read() -> None:
    read: list[int] = []

    def batches() -> Any:
        read.append(1)
        yield pa.Table.from_pylist(_crm_rows(0, 1))

    with pytest.raises(ConfigurationError, match="keys"):
        frames.enforce_batches(CRM, batches(), "analytics", at=AT)
    with pytest.raises(ConfigurationError):
        frames.enforce_batches(CRM, batches(), "profiling", at=AT, keys=KEYS)  # no source
    with pytest.raises(ConfigurationError, match="enforce_parquet"):
        frames.enforce_batches(CRM, "customers.parquet", "analytics", at=AT, keys=KEYS)  # type: ignore[arg-type]
    assert read == []


def test_at_is_read_once_and_consents_are_asked_once_per_batch(tmp_path: Path) -> None:
    ledger = ConsentLedger()
    for i in range(0, 9, 2):
        ledger.give(f"C{i}", "profiling", at=AT - timedelta(days=30), evidence=Evidence("app"))
    asked: list[list[str]] = []
    moments: list[datetime] = []

    class Counting:
        def state(self, subject: str, purpose: str, *, at: datetime) -> object:
            raise AssertionError("the stream asks in bulk")

        def states(self, subjects: list[str], purpose: str, *, at: datetime) -> object:
            asked.append(list(subjects))
            moments.append(at)
            return ledger.states(subjects, purpose, at=at)

    path = tmp_path / "customers.parquet"
    pq.write_table(pa.Table.from_pylist(_crm_rows(0, 9)), path, row_group_size=4)
    stream = frames.enforce_parquet(
        CRM, path, "profiling", consents=Counting(), keys=KEYS, batch_size=4
    )
    results = list(stream)
    assert [r.start for r in results] == [0, 4, 8]
    assert [len(a) for a in asked] == [4, 4, 1]
    assert set(moments) == {stream.at}  # at=None: now, read once for the whole run
    assert stream.at.tzinfo is not None
    assert stream.purpose == "profiling"
    assert stream.counts == {"processed": 5, "consent.missing": 4}
    denied = [row for r in results for row in r.rejected.column("row").to_pylist()]
    assert denied == [1, 3, 5, 7]
    # each denied row's input, for a caller that wants all its reasons (the CLI's rejected file)
    ids = [
        r.batch.column("customer_id")[row - r.start].as_py()
        for r in results
        for row in r.rejected.column("row").to_pylist()
    ]
    assert ids == ["C1", "C3", "C5", "C7"]


_MEMORY_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from datetime import UTC, datetime
    import gdprkit
    from gdprkit import KeyRing, frames
    policy = gdprkit.load_policy(sys.argv[2])
    keys = KeyRing({"k1": bytes(range(32))}, active="k1")
    stream = frames.enforce_parquet(
        policy, sys.argv[1], "analytics", at=datetime(2025, 6, 15, tzinfo=UTC), keys=keys,
        batch_size=4096,
    )
    rows = 0
    for result in stream:
        rows += result.allowed.num_rows
    # VmHWM: this process image's own peak (ru_maxrss would count the parent's, before exec)
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    print(json.dumps({"rows": rows, "peak_kib": peak}))
    """
)


def _narrow_parquet(path: Path, rows: int) -> None:
    """Narrow CRM records, distinct ids and e-mails, written by row groups of 8192."""
    import numpy as np

    ids = pa.array(np.char.add("C", np.arange(rows).astype(str)))
    emails = pa.array(np.char.add(np.char.add("c", np.arange(rows).astype(str)), "@example.it"))
    days = pa.array(np.datetime64("2025-06-01") - np.arange(rows) % 500 * np.timedelta64(1, "D"))
    table = pa.table(
        {
            "customer_id": ids,
            "email": emails,
            "source": pa.array(["web_form"] * rows),
            "last_purchase_at": days,
            "purchases_total": pa.array(np.arange(rows) % 1000),
        }
    )
    pq.write_table(table, path, row_group_size=8192)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="VmHWM is read from /proc")
def test_peak_memory_is_flat_in_the_number_of_rows(tmp_path: Path) -> None:
    """Peak RSS streaming 200 000 rows from Parquet is within 10 % of streaming 20 000 (the
    one-shot ``frames.enforce`` of the whole file measured +78 % here). Each run is a fresh
    subprocess reading its own VmHWM: ``ru_maxrss`` survives exec and would report this test
    process's own size."""
    peaks = peaks_of(_MEMORY_SCRIPT, tmp_path, (20_000, 200_000))
    assert peaks[200_000] <= peaks[20_000] * 1.10, peaks


def peaks_of(script: str, folder: Path, sizes: tuple[int, ...]) -> dict[int, int]:
    """Peak RSS (KiB) of ``script`` streaming a narrow Parquet file of each size, each run a
    fresh subprocess (``script`` gets the file and the policy, prints rows and peak)."""
    peaks = {}
    for rows in sizes:
        path = folder / f"c{rows}.parquet"
        _narrow_parquet(path, rows)
        done = subprocess.run(
            [sys.executable, "-c", script, str(path), str(ROOT / "examples/crm/policy.yaml")],
            check=True,
            capture_output=True,
            text=True,
        )
        found = json.loads(done.stdout)
        assert found["rows"] == rows
        peaks[rows] = found["peak_kib"]
    return peaks


def test_parquet_is_read_row_group_by_row_group(tmp_path: Path) -> None:
    """A batch never spans two row groups: the file is read one row group at a time (one
    ``iter_batches`` over the whole file kept 550 MiB resident after 10 M rows)."""
    path = tmp_path / "customers.parquet"
    pq.write_table(pa.Table.from_pylist(_crm_rows(0, 10)), path, row_group_size=4)
    stream = frames.enforce_parquet(CRM, path, "analytics", at=AT, keys=KEYS, batch_size=3)
    assert [(r.start, r.batch.num_rows) for r in stream] == [(0, 3), (3, 1), (4, 3), (7, 1), (8, 2)]
    assert stream.counts == {"processed": 10}
    with pytest.raises(ConfigurationError, match="batch_size"):
        frames.enforce_parquet(CRM, path, "analytics", at=AT, keys=KEYS, batch_size=0)
