"""gdprkit enforce reads a Parquet file one row group at a time (bounded memory), every row in
order: the same output as the same data read as CSV."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from cli_helpers import AT, POLICY, customers, run_gdprkit, write_csv

from gdprkit import KeyRing


def test_every_row_group_is_read_in_order(tmp_path: Path, keys: KeyRing) -> None:
    rows = customers(50)
    header, body = rows[0], rows[1:]
    source_csv = write_csv(tmp_path / "in.csv", rows)
    table = pa.table(
        {name: [row[i] if row[i] != "" else None for row in body] for i, name in enumerate(header)}
    )
    source_parquet = tmp_path / "in.parquet"
    pq.write_table(table, source_parquet, row_group_size=7)  # 50 rows: 8 row groups
    assert pq.ParquetFile(source_parquet).num_row_groups == 8

    outputs = []
    for source in (source_csv, source_parquet):
        out = tmp_path / f"out-{source.suffix[1:]}.jsonl"
        done = run_gdprkit("enforce", POLICY, "analytics", source, out, "--at", AT)
        assert done.returncode == 0, done.stderr
        outputs.append([json.loads(line) for line in out.read_text("utf-8").splitlines()])
    assert len(outputs[0]) > 20
    assert outputs[1] == outputs[0]
