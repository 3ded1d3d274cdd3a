"""Benchmark: the SQL consent ledger: appends per second, and ``enforce`` with its consents.

1. Append throughput, one ``give`` per call (each call a committed, durable transaction: on
   SQLite an fsync of the WAL, ``synchronous=FULL``), with ``--writers`` processes appending
   to the same ledger at once, and the batched path imports use (one transaction per 1 000).
   SQLite always; PostgreSQL when a server URL is given (``--postgres`` or the environment
   variable ``GDPRKIT_TEST_POSTGRES_URL``; the benchmark works in a schema of its own and
   drops it afterwards).
2. ``enforce`` over ``--records`` records (default 1 000 000) for the ``newsletter`` purpose of
   ``examples/crm/policy.yaml``, with consent read from record columns (the policy as written)
   and with consent read from a SQLite ledger (the same policy without the consent columns;
   the ledger holds one consent with evidence for every record whose columns say yes). Every
   record has a subject of its own, so the ledger holds about half a million events at 1 M.
   Both runs decide the same (checked); the figure is the ratio of their throughputs.

    python benchmarks/bench_ledger.py                     # 1 M records
    python benchmarks/bench_ledger.py --records 100000    # quicker
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples" / "crm"))

import yaml  # noqa: E402
from generate import REFERENCE, records  # noqa: E402

from gdprkit import ConsentLedger, Evidence, enforce, load_policy  # noqa: E402
from gdprkit._consent import EventDraft, EventKind  # noqa: E402
from gdprkit._time import parse_instant, zone  # noqa: E402

POOL = 20_000
EVIDENCE = Evidence("web_form", notice_version="2024-03", reference="crm-import")
PURPOSE = "newsletter"

WRITER = """
import sys
from datetime import UTC, datetime, timedelta
from gdprkit import ConsentLedger, Evidence
url, prefix, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
at = datetime(2025, 1, 1, tzinfo=UTC)
evidence = Evidence("web_form", notice_version="v1")
with ConsentLedger(url) as ledger:
    print("ready", flush=True)
    sys.stdin.readline()
    for i in range(n):
        ledger.give(f"{prefix}-{i}", "newsletter", at=at + timedelta(seconds=i), evidence=evidence)
"""


# -- appends --------------------------------------------------------------------------------


def appends_single(url: str, n: int) -> float:
    at = datetime(2025, 1, 1, tzinfo=UTC)
    with ConsentLedger(url) as ledger:
        start = time.perf_counter()
        for i in range(n):
            ledger.give(f"S-{i}", PURPOSE, at=at + timedelta(seconds=i), evidence=EVIDENCE)
        elapsed = time.perf_counter() - start
        ledger.verify()
    return n / elapsed


def appends_concurrent(url: str, writers: int, n: int) -> float:
    """Events per second with ``writers`` processes appending ``n`` events each at once."""
    ConsentLedger(url).close()  # the schema exists before the writers start
    procs = [
        subprocess.Popen(  # noqa: S603 - our own interpreter running our own code
            [sys.executable, "-c", WRITER, url, f"W{w}", str(n)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for w in range(writers)
    ]
    for p in procs:
        assert p.stdout is not None  # noqa: S101 - opened with PIPE
        if p.stdout.readline().strip() != "ready":
            raise SystemExit("a writer did not start")
    start = time.perf_counter()
    for p in procs:
        assert p.stdin is not None  # noqa: S101 - opened with PIPE
        p.stdin.write("go\n")
        p.stdin.flush()
    for p in procs:
        if p.wait() != 0:
            raise SystemExit("a writer failed")
    elapsed = time.perf_counter() - start
    with ConsentLedger(url) as ledger:
        ledger.verify()
        total = ledger._backend.count()
    if total < writers * n:
        raise SystemExit(f"{writers * n} events appended, {total} stored")
    return writers * n / elapsed


def appends_batched(url: str, n: int, batch: int = 1000) -> float:
    at = datetime(2025, 1, 1, tzinfo=UTC)
    with ConsentLedger(url) as ledger:
        backend = ledger._backend
        start = time.perf_counter()
        for first in range(0, n, batch):
            backend.append_many(
                [
                    EventDraft(
                        EventKind.GIVEN,
                        f"B-{i}",
                        PURPOSE,
                        at,
                        datetime.now(UTC),
                        evidence=EVIDENCE,
                    )
                    for i in range(first, min(n, first + batch))
                ]
            )
        return n / (time.perf_counter() - start)


# -- enforce ----------------------------------------------------------------------------------


def pool() -> list[dict[str, Any]]:
    return [{k: (v if v != "" else None) for k, v in r.items()} for r in records(POOL, seed=11)]


def stream(rows: list[dict[str, Any]], n: int) -> Iterator[dict[str, Any]]:
    """``n`` records cycled from the pool, each with a customer id of its own."""
    size = len(rows)
    for i in range(n):
        record = dict(rows[i % size])
        record["customer_id"] = f"BV-{i:08d}"
        yield record


def consents_of(rows: list[dict[str, Any]], n: int) -> Iterator[EventDraft]:
    """The ledger events equivalent to the consent columns of the stream's records."""
    tz = zone("Europe/Rome")
    recorded = datetime.now(UTC)
    size = len(rows)
    yes = {"true", "yes", "sì", "si", "1"}
    for i in range(n):
        row = rows[i % size]
        flag = row["consent_marketing"]
        if flag is None or flag.strip().lower() not in yes:
            continue
        at = parse_instant(row["consent_marketing_at"], tz, True)
        if at is None:
            continue
        yield EventDraft(EventKind.GIVEN, f"BV-{i:08d}", PURPOSE, at, recorded, evidence=EVIDENCE)


def load_ledger(
    url: str, rows: list[dict[str, Any]], n: int, batch: int = 5000
) -> tuple[int, float]:
    start = time.perf_counter()
    count = 0
    with ConsentLedger(url) as ledger:
        pending: list[EventDraft] = []
        for draft in consents_of(rows, n):
            pending.append(draft)
            if len(pending) == batch:
                ledger._backend.append_many(pending)
                count += len(pending)
                pending = []
        ledger._backend.append_many(pending)
        count += len(pending)
    return count, time.perf_counter() - start


def timed_enforce(
    policy: Any, rows: list[dict[str, Any]], n: int, consents: Any
) -> tuple[float, Counter[str]]:
    gc.collect()
    start = time.perf_counter()
    run = enforce(policy, stream(rows, n), PURPOSE, at=REFERENCE, consents=consents)
    for _ in run:
        pass
    return time.perf_counter() - start, run.counts


def policies() -> tuple[Any, Any]:
    spec = yaml.safe_load((ROOT / "examples" / "crm" / "policy.yaml").read_text("utf-8"))
    columns = load_policy(spec)
    spec["purposes"][PURPOSE].pop("consent")  # consent from the ledger instead
    return columns, load_policy(spec)


# -- main ---------------------------------------------------------------------------------------


def postgres_schema_url(base: str) -> tuple[str, Any]:
    import sqlalchemy as sa

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}", drop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="records for enforce")
    parser.add_argument("--appends", type=int, default=2000, help="single appends per backend")
    parser.add_argument("--writers", type=int, default=4, help="concurrent writer processes")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("GDPRKIT_TEST_POSTGRES_URL"),
        help="PostgreSQL server URL (default: $GDPRKIT_TEST_POSTGRES_URL; none: skipped)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    figures: dict[str, Any] = {}

    with tempfile.TemporaryDirectory(prefix="gdprkit-bench-") as tmp:
        backends = {"sqlite": lambda name: f"sqlite:///{Path(tmp) / name}.db"}
        cleanups = []
        if args.postgres:

            def pg(name: str) -> str:
                url, drop = postgres_schema_url(args.postgres)
                cleanups.append(drop)
                return url

            backends["postgresql"] = pg
        try:
            for kind, make in backends.items():
                figures[f"{kind}_appends_per_s"] = round(
                    appends_single(make("single"), args.appends)
                )
                per_writer = max(1, args.appends // args.writers)
                figures[f"{kind}_appends_per_s_{args.writers}_processes"] = round(
                    appends_concurrent(make("concurrent"), args.writers, per_writer)
                )
                figures[f"{kind}_batched_appends_per_s"] = round(
                    appends_batched(make("batched"), 20 * args.appends)
                )
        finally:
            for drop in cleanups:
                drop()
        if not args.postgres:
            figures["postgresql"] = "skipped (no --postgres URL)"

        n = args.records
        rows = pool()
        by_columns, by_ledger = policies()
        url = f"sqlite:///{Path(tmp) / 'enforce'}.db"
        loaded, load_s = load_ledger(url, rows, n)
        figures["records"] = n
        figures["ledger_events"] = loaded
        figures["ledger_load_events_per_s"] = round(loaded / load_s)
        t_columns, counts_columns = timed_enforce(by_columns, rows, n, None)
        with ConsentLedger(url) as ledger:
            t_ledger, counts_ledger = timed_enforce(by_ledger, rows, n, ledger)
        if counts_columns["processed"] != counts_ledger["processed"]:
            raise SystemExit(
                f"the two runs disagree: {dict(counts_columns)} vs {dict(counts_ledger)}"
            )
        figures["processed"] = counts_ledger["processed"]
        figures["enforce_consent_from_columns_rec_per_s"] = round(n / t_columns)
        figures["enforce_consent_from_sqlite_ledger_rec_per_s"] = round(n / t_ledger)
        figures["ratio_ledger_time_over_columns_time"] = round(t_ledger / t_columns, 3)

    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
