"""The gdprkit sweep demo: storage limitation on the example CRM's database, two years ahead.

Builds the CRM's SQLite database from ``customers.csv`` (in ``build/crm.db`` beside this
script, recreated at each run), fills a consent ledger with the sample history (profiling
consents, objections, a restriction, erasure requests), then sweeps the ``customers`` table as
of two years after the data were exported: first a dry run (what would happen), then the real
run, with the anonymous copies going to ``customers_anonymous``. Then it sweeps the ``orders``
table beside it, one row per purchase, each aging from its own date (the Garante counts purchase
details so: docs/how-to/purchase-history.md), anonymous copies to ``orders_anonymous``. It
prints how many rows were deleted, erased and anonymised, and why: reason codes, articles and
counts, never a value.

    python examples/crm/sweep_demo.py [--years 2] [--batch-size 200]

Needs only gdprkit and SQLAlchemy (``pip install 'gdprkit[sql]'``).
"""

from __future__ import annotations

import argparse
import csv
import sqlite3
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

from dateutil.relativedelta import relativedelta
from generate import COLUMNS, ORDER_COLUMNS, REFERENCE, orders, record_history

from gdprkit import ARTICLES, RIGHTS_ARTICLES, ConsentLedger, Policy, load_policy
from gdprkit.integrations.sqlalchemy import SweepReport, sweep_table

HERE = Path(__file__).resolve().parent
BUILD = HERE / "build"
TABLE = "customers"
ANONYMOUS = "customers_anonymous"
ORDERS = "orders"
ORDERS_ANONYMOUS = "orders_anonymous"
CODES = {**ARTICLES, **RIGHTS_ARTICLES}


def build_database(csv_path: Path, db_path: Path) -> int:
    """The CRM table as the CRM holds it: text columns, the customer number as primary key."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    with csv_path.open(newline="", encoding="utf-8") as handle:
        rows = [[(row[c] or None) for c in COLUMNS] for row in csv.DictReader(handle)]
    columns = ", ".join(
        f"{c} TEXT PRIMARY KEY" if c == "customer_id" else f"{c} TEXT" for c in COLUMNS
    )
    con = sqlite3.connect(db_path)
    try:
        with con:
            con.execute(f"CREATE TABLE {TABLE} ({columns})")
            marks = ", ".join("?" for _ in COLUMNS)
            con.executemany(f"INSERT INTO {TABLE} VALUES ({marks})", rows)  # noqa: S608 - constants
    finally:
        con.close()
    return len(rows)


def add_orders(csv_path: Path, db_path: Path) -> int:
    """The orders table beside the customers: one row per purchase, the order number as key."""
    with csv_path.open(newline="", encoding="utf-8") as handle:
        rows = [
            [row[c] or None for c in ORDER_COLUMNS] for row in orders(list(csv.DictReader(handle)))
        ]
    columns = ", ".join(
        f"{c} TEXT PRIMARY KEY" if c == "order_id" else f"{c} TEXT" for c in ORDER_COLUMNS
    )
    con = sqlite3.connect(db_path)
    try:
        with con:
            con.execute(f"CREATE TABLE {ORDERS} ({columns})")
            marks = ", ".join("?" for _ in ORDER_COLUMNS)
            con.executemany(f"INSERT INTO {ORDERS} VALUES ({marks})", rows)  # noqa: S608 - constants
    finally:
        con.close()
    return len(rows)


def build_ledger(csv_path: Path) -> ConsentLedger:
    """The sample consent history (generate.ledger_events), in an in-memory ledger."""
    with csv_path.open(newline="", encoding="utf-8") as handle:
        customers = list(csv.DictReader(handle))
    ledger: ConsentLedger = record_history(ConsentLedger(), customers)
    return ledger


def show(title: str, report: SweepReport) -> None:
    print(f"── {title}")
    print(
        f"   rows read {report.rows:5d}:  deleted {report.deleted:4d}   "
        f"erased (some fields) {report.erased:4d}   unchanged {report.kept:4d}"
    )
    print(f"   anonymous copies {'to write' if report.dry_run else 'written'}: {report.anonymised}")


def why(report: SweepReport) -> None:
    print("   why (one count per field that went, and per deleted or restricted record):")
    for code, n in sorted(report.reasons.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"     {n:5d}  {code:<32} {CODES.get(code, '')}")
    print("   fields that went (rows):")
    fields = Counter(report.fields)
    print("     " + ", ".join(f"{name} {n}" for name, n in fields.most_common()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=HERE / "customers.csv")
    parser.add_argument("--years", type=int, default=2, help="how far ahead to sweep")
    parser.add_argument("--batch-size", type=int, default=200)
    args = parser.parse_args(argv)

    policy = load_policy(HERE / "policy.yaml")
    db_path = BUILD / "crm.db"
    n = build_database(args.data, db_path)
    add_orders(args.data, db_path)
    ledger = build_ledger(args.data)
    url = f"sqlite:///{db_path}"
    at: datetime = REFERENCE + relativedelta(years=args.years)
    print(f"gdprkit sweep — {policy.controller.name}: {n} customers in {db_path.name}")
    print(f"data exported {REFERENCE:%Y-%m-%d}; sweeping as of {at:%Y-%m-%d}")
    unbounded = [
        name
        for name, purpose in policy.purposes.items()
        if not any(rule.categories is None for rule in purpose.retention)
    ]
    if unbounded:
        print(
            "note: no record-level retention rule in "
            + ", ".join(unbounded)
            + ": while one of them may process a record, the record stays (only fields go)"
        )
    print()

    dry = sweep_table(
        url,
        TABLE,
        policy,
        at=at,
        consents=ledger,
        dry_run=True,
        batch_size=args.batch_size,
        anonymous_table=ANONYMOUS,
    )
    show("dry run: nothing changed", dry)
    why(dry)
    print()
    done = sweep_table(
        url,
        TABLE,
        policy,
        at=at,
        consents=ledger,
        batch_size=args.batch_size,
        anonymous_table=ANONYMOUS,
    )
    show(f"sweep, {done.batches} batches of at most {args.batch_size} rows", done)
    assert (done.deleted, done.erased, done.kept, done.anonymised) == (
        dry.deleted,
        dry.erased,
        dry.kept,
        dry.anonymised,
    ), "the dry run announced what the sweep did"
    con = sqlite3.connect(db_path)
    try:
        left = con.execute(f"SELECT COUNT(*) FROM {TABLE}").fetchone()[0]  # noqa: S608 - constant
        copies = con.execute(f"SELECT COUNT(*) FROM {ANONYMOUS}").fetchone()[0]  # noqa: S608 - constant
        months = con.execute(
            f"SELECT last_purchase_at, COUNT(*) FROM {ANONYMOUS} "  # noqa: S608 - constant
            "GROUP BY last_purchase_at ORDER BY 2 DESC LIMIT 3"
        ).fetchall()
    finally:
        con.close()
    print(f"   {left} rows left in {TABLE}; {copies} rows in {ANONYMOUS}")
    if months:
        shown = ", ".join(f"{m}: {k}" for m, k in months)
        print(f"   anonymous copies by month of last purchase (top 3): {shown}")
    print()
    again = sweep_table(url, TABLE, policy, at=at, consents=ledger, anonymous_table=ANONYMOUS)
    show("second sweep at the same moment: nothing left to do", again)
    if again.deleted or again.erased or again.anonymised:
        print("   unexpected: the second sweep changed rows", file=sys.stderr)
        return 1
    print()
    return sweep_orders(url, db_path, policy, at=at, ledger=ledger, batch_size=args.batch_size)


def sweep_orders(
    url: str,
    db_path: Path,
    policy: Policy,
    *,
    at: datetime,
    ledger: ConsentLedger,
    batch_size: int,
) -> int:
    """The orders table, swept row by row: each order ages from its own ``ordered_at``."""
    print(f"gdprkit sweep — {ORDERS}: {_count(db_path, ORDERS)} orders, one row per purchase")
    dry = sweep_table(
        url,
        ORDERS,
        policy,
        at=at,
        consents=ledger,
        dry_run=True,
        batch_size=batch_size,
        anonymous_table=ORDERS_ANONYMOUS,
    )
    show("orders, dry run: nothing changed", dry)
    why(dry)
    done = sweep_table(
        url, ORDERS, policy, at=at, consents=ledger, batch_size=batch_size,
        anonymous_table=ORDERS_ANONYMOUS,
    )  # fmt: skip
    show("orders, swept", done)
    if (done.deleted, done.erased, done.anonymised) != (dry.deleted, dry.erased, dry.anonymised):
        print("   unexpected: the sweep did not do what the dry run announced", file=sys.stderr)
        return 1
    print(
        f"   {_count(db_path, ORDERS)} orders left; "
        f"{_count(db_path, ORDERS_ANONYMOUS)} anonymous copies kept for statistics"
    )
    again = sweep_table(
        url, ORDERS, policy, at=at, consents=ledger, anonymous_table=ORDERS_ANONYMOUS
    )
    show("orders, second sweep at the same moment: nothing left to do", again)
    if again.deleted or again.erased or again.anonymised:
        print("   unexpected: the second sweep changed orders", file=sys.stderr)
        return 1
    return 0


def _count(db_path: Path, table: str) -> int:
    con = sqlite3.connect(db_path)
    try:
        exists = con.execute(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()[0]
        if not exists:
            return 0
        return int(con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])  # noqa: S608 - constants
    finally:
        con.close()


if __name__ == "__main__":
    sys.exit(main())
