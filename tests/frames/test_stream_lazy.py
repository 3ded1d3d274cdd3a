"""A polars ``LazyFrame`` streamed by ``enforce_batches`` (polars' streaming engine): the whole
frame's answer, batch by batch, in memory that does not grow with the rows (design §15)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest
from frame_data import assert_rows_equal, rows_of
from test_stream import AT, CRM, KEYS, _crm_rows, peaks_of

from gdprkit import ConfigurationError, frames


def test_a_lazy_frame_streams_to_the_whole_frames_answer(tmp_path: Path) -> None:
    path = tmp_path / "customers.parquet"
    pl.DataFrame(_crm_rows(0, 50)).write_parquet(path)
    lazy = pl.scan_parquet(path)
    whole = frames.enforce(CRM, lazy.collect(), "analytics", at=AT, keys=KEYS)
    stream = frames.enforce_batches(CRM, lazy, "analytics", at=AT, keys=KEYS, batch_size=7)
    parts = list(stream)
    assert len(parts) == 8  # 50 rows, 7 at a time: streamed, not collected at once
    allowed = pa.concat_tables([p.allowed for p in parts])
    rejected = pa.concat_tables([p.rejected for p in parts])
    assert_rows_equal(allowed.to_pylist(), rows_of(whole.allowed.to_arrow()))
    assert rejected.to_pylist() == rows_of(whole.rejected)
    assert stream.counts == whole.counts


def test_the_schema_is_the_querys_before_any_batch() -> None:
    lazy = pl.LazyFrame(
        {"customer_id": ["C1"], "email": [None]},
        schema={"customer_id": pl.String, "email": pl.String},
    )
    stream = frames.enforce_batches(CRM, lazy, "analytics", at=AT, keys=KEYS)
    assert stream.schema.names == ["customer_id", "email"]
    [part] = list(stream)
    assert part.allowed.schema == stream.schema


@pytest.mark.parametrize("size", [0, -1, True, 1.5])
def test_batch_size_must_be_a_positive_integer(size: object) -> None:
    lazy = pl.LazyFrame({"customer_id": ["C1"]})
    with pytest.raises(ConfigurationError, match="batch_size"):
        frames.enforce_batches(CRM, lazy, "analytics", at=AT, keys=KEYS, batch_size=size)  # type: ignore[arg-type]


_MEMORY_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from datetime import UTC, datetime
    import polars as pl
    import gdprkit
    from gdprkit import KeyRing, frames
    policy = gdprkit.load_policy(sys.argv[2])
    keys = KeyRing({"k1": bytes(range(32))}, active="k1")
    stream = frames.enforce_batches(
        policy, pl.scan_parquet(sys.argv[1]), "analytics",
        at=datetime(2025, 6, 15, tzinfo=UTC), keys=keys, batch_size=4096,
    )
    rows = sum(result.allowed.num_rows for result in stream)
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    print(json.dumps({"rows": rows, "peak_kib": peak}))
    """
)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="VmHWM is read from /proc")
def test_peak_memory_is_flat_in_the_number_of_rows(tmp_path: Path) -> None:
    """Streaming 300 000 rows through a LazyFrame peaks within 10 % of streaming 30 000."""
    peaks = peaks_of(_MEMORY_SCRIPT, tmp_path, (30_000, 300_000))
    assert peaks[300_000] <= peaks[30_000] * 1.10, peaks
