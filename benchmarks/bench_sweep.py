"""Benchmark: ``sweep_table`` over a SQLite table of N CRM rows (default 1 000 000).

Builds a SQLite file with N rows of the example CRM's 14-column shape (text columns, customer
number as primary key; a pool of generated records cycled with fresh customer numbers), then
sweeps it with the example policy as of two years after the export, in batches of 1 000, with
the anonymous copies written to a second table. Prints rows/s for the sweep and the peak
memory (RSS) of the process that ran it. Each size runs in a fresh process, so that the peak
of one does not hide the other: with ``--memory-check M`` a run over M rows is measured too,
and the two peaks are compared (the sweep streams: memory is constant in the table size).

    python benchmarks/bench_sweep.py                      # 1 000 000 rows, and 100 000
    python benchmarks/bench_sweep.py --rows 20000 --memory-check 0
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples" / "crm"))

from dateutil.relativedelta import relativedelta  # noqa: E402
from generate import COLUMNS, REFERENCE, records  # noqa: E402

POOL = 20_000


def build(path: Path, n: int) -> float:
    """Write ``n`` rows into ``path``; return the seconds it took."""
    start = time.perf_counter()
    pool = [[(r[c] or None) for c in COLUMNS] for r in records(POOL, seed=11)]
    con = sqlite3.connect(path)
    columns = ", ".join(
        f"{c} TEXT PRIMARY KEY" if c == "customer_id" else f"{c} TEXT" for c in COLUMNS
    )
    marks = ", ".join("?" for _ in COLUMNS)
    with con:
        con.execute(f"CREATE TABLE customers ({columns})")

        def rows() -> Any:
            for i, row in enumerate(itertools.islice(itertools.cycle(pool), n)):
                yield [f"BV-{i:08d}", *row[1:]]

        con.executemany(f"INSERT INTO customers VALUES ({marks})", rows())  # noqa: S608
    con.close()
    return time.perf_counter() - start


def child(n: int, batch_size: int) -> dict[str, Any]:
    """Build a table of ``n`` rows and sweep it, in this process; the figures."""
    from gdprkit import ConsentLedger, load_policy
    from gdprkit.integrations.sqlalchemy import sweep_table

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "crm.db"
        built = build(path, n)
        policy = load_policy(ROOT / "examples" / "crm" / "policy.yaml")
        at = REFERENCE + relativedelta(years=2)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        report = sweep_table(
            f"sqlite:///{path}",
            "customers",
            policy,
            at=at,
            consents=ConsentLedger(),  # ledger-consent purposes need a source (none recorded)
            batch_size=batch_size,
            anonymous_table="customers_anonymous",
        )
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return {
            "rows": n,
            "build_s": round(built, 2),
            "sweep_s": round(seconds, 2),
            "rows_per_s": round(n / seconds),
            "deleted": report.deleted,
            "erased": report.erased,
            "kept": report.kept,
            "anonymised": report.anonymised,
            "peak_rss_mb_before_sweep": round(rss_before / 1024, 1),
            "peak_rss_mb": round(peak / 1024, 1),
        }


def run(n: int, batch_size: int) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 - this script, by its own path
        [sys.executable, __file__, "--child", str(n), "--batch-size", str(batch_size)],
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--memory-check", type=int, default=100_000, help="0: skip")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(child(args.child, args.batch_size)))
        return 0

    figures = {"main": run(args.rows, args.batch_size)}
    m = figures["main"]
    print(
        f"sweep_table, SQLite, {m['rows']:,} rows, batches of {args.batch_size}: "
        f"{m['sweep_s']} s, {m['rows_per_s']:,} rows/s "
        f"(deleted {m['deleted']:,}, erased {m['erased']:,}, kept {m['kept']:,}, "
        f"anonymised {m['anonymised']:,}); peak RSS {m['peak_rss_mb']} MB"
    )
    if args.memory_check:
        small = figures["small"] = run(args.memory_check, args.batch_size)
        ratio = m["peak_rss_mb"] / small["peak_rss_mb"]
        figures["peak_rss_ratio"] = round(ratio, 3)
        print(
            f"memory: {small['rows']:,} rows peak RSS {small['peak_rss_mb']} MB, "
            f"{m['rows']:,} rows {m['peak_rss_mb']} MB (ratio {ratio:.2f}; "
            f"{small['rows_per_s']:,} rows/s on the smaller table)"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
