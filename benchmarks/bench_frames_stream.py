"""Benchmark: the bounded-memory path, ``gdprkit.frames.enforce_parquet``, at several sizes.

The task is the §14 one (purpose ``analytics`` of ``examples/crm/policy.yaml``: drop 4 fields,
tokenise 3, retention on purchase details). A Parquet file of ``N`` records is written first, in
row groups, from ``generate.records`` blocks (customer ids, e-mails and phones made distinct per
block, so every row is a distinct subject: no pool cycled). Each size is then enforced in a fresh
subprocess that streams the file batch by batch and writes the allowed rows to a Parquet file
(as ``gdprkit enforce`` would), reporting rows/s and the process's peak resident memory (VmHWM,
Linux; this process image's own peak, unlike ``ru_maxrss``, which also counts the parent's).

    python benchmarks/bench_frames_stream.py --records 1000000,10000000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "examples" / "crm" / "policy.yaml"
BLOCK = 100_000

_CHILD = """
import json, sys, time
from datetime import datetime
import pyarrow.parquet as pq
import gdprkit
from gdprkit import KeyRing, frames
src, out, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
at = datetime.fromisoformat(sys.argv[4])
policy = gdprkit.load_policy(sys.argv[5])
keys = KeyRing({"k1": bytes(range(32))}, active="k1")
start = time.perf_counter()
stream = frames.enforce_parquet(policy, src, "analytics", at=at, keys=keys, batch_size=batch)
with pq.ParquetWriter(out, stream.schema) as writer:
    for result in stream:
        writer.write_table(result.allowed)
seconds = time.perf_counter() - start
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({"rows": stream.rows, "seconds": seconds, "peak_kib": peak,
                  "counts": dict(stream.counts)}))
"""


def write_input(path: Path, n: int) -> None:
    """``n`` distinct CRM records in a Parquet file, written block by block (bounded memory)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    sys.path.insert(0, str(ROOT / "examples" / "crm"))
    from generate import BENCH_COLUMNS, records

    cols: dict[str, list[Any]] = {c: [] for c in BENCH_COLUMNS}
    for r in records(min(n, BLOCK), seed=11):
        for c in BENCH_COLUMNS:
            cols[c].append(r[c] if r[c] != "" else None)
    block = pa.table(cols)
    with pq.ParquetWriter(path, block.schema) as writer:
        done, i = 0, 0
        while done < n:
            piece = block.slice(0, min(BLOCK, n - done))
            if i:
                suffix = f"-{i}"
                for name in ("customer_id", "email", "phone"):
                    at = piece.schema.get_field_index(name)
                    piece = piece.set_column(
                        at, name, pc.binary_join_element_wise(piece.column(name), suffix, "")
                    )
            writer.write_table(piece, row_group_size=64_000)
            done += piece.num_rows
            i += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", default="1000000,10000000", help="sizes, comma-separated")
    parser.add_argument("--batch", type=int, default=65_536, help="rows per batch")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "examples" / "crm"))
    from generate import REFERENCE

    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.records.split(",")):
            src, out = Path(tmp) / f"in-{n}.parquet", Path(tmp) / f"out-{n}.parquet"
            began = time.perf_counter()
            write_input(src, n)
            written = time.perf_counter() - began
            child = subprocess.run(  # noqa: S603 - this interpreter, our own script
                [
                    sys.executable,
                    "-c",
                    _CHILD,
                    str(src),
                    str(out),
                    str(args.batch),
                    REFERENCE.isoformat(),
                    str(POLICY),
                ],
                check=True,
                capture_output=True,
                text=True,
            )
            found = json.loads(child.stdout)
            if found["rows"] != n:
                raise SystemExit(f"read {found['rows']} rows of {n}")
            figure = {
                "records": n,
                "rows_per_s": round(n / found["seconds"]),
                "seconds": round(found["seconds"], 2),
                "peak_rss_mib": round(found["peak_kib"] / 1024, 1),
                "counts": found["counts"],
                "input_written_s": round(written, 1),
            }
            figures.append(figure)
            print(
                f"{n:>11,} records  {figure['rows_per_s']:>10,} rows/s  "
                f"{figure['seconds']:>7.2f} s  peak RSS {figure['peak_rss_mib']:>7.1f} MiB",
                flush=True,
            )
            src.unlink()
            out.unlink()
    if len(figures) > 1:
        first, last = figures[0], figures[-1]
        ratio = last["peak_rss_mib"] / first["peak_rss_mib"]
        print(f"peak RSS {last['records']:,} / {first['records']:,} records: {ratio:.3f}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
