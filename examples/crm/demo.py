"""The gdprkit demo: an Italian CRM's customers through every purpose of its policy.

Runs the sample export (``customers.csv``, 1 000 fake customers) through each purpose of
``policy.yaml`` as of a fixed date, with a consent ledger holding the profiling and allergen
consents, objections and erasure requests, and prints per purpose how many records went
through, how many were rejected and why (reason code and article), which fields were dropped,
and one processed record, pseudonymised.

The ledger is the embedded SQLite one, in ``consents.db`` beside this script, recreated at each
run (``--ledger URL`` for another database, ``--ledger memory`` for one in memory).

    make demo            # or: python examples/crm/demo.py [--ledger sqlite:///path.db]
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from generate import ORDER_COLUMNS, REFERENCE, ledger_events, orders, record_history

import gdprkit
from gdprkit import ARTICLES, ConsentLedger, KeyRing, enforce, load_policy, validate

HERE = Path(__file__).parent
#: The demo's ledger: a SQLite file beside the script, recreated at each run.
LEDGER_FILE = HERE / "consents.db"


def fresh_sqlite_ledger(path: Path) -> str:
    """The URL of an empty SQLite ledger at ``path``: the file of a previous run is removed."""
    for suffix in ("", "-wal", "-shm", "-journal", "-gdprkit-lock"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def read_customers(path: Path) -> Iterator[dict[str, Any]]:
    """The CRM export, streamed: empty cells are missing values."""
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            yield {k: (v if v != "" else None) for k, v in row.items()}


def on_orders(spec: Any) -> bool:
    """Whether a purpose reads the orders table: its retention rules count from order columns."""
    return bool(spec.retention) and all(r.from_ in ORDER_COLUMNS for r in spec.retention)


def build_ledger(url: str | None, customers: list[dict[str, Any]]) -> ConsentLedger:
    ledger: ConsentLedger = record_history(ConsentLedger(url), customers)
    return ledger


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--ledger",
        default=None,
        help="ledger URL, or 'memory' (default: a fresh SQLite file, consents.db, beside the demo)",
    )
    parser.add_argument("--data", type=Path, default=HERE / "customers.csv")
    args = parser.parse_args(argv)

    policy = load_policy(HERE / "policy.yaml")
    customers = list(read_customers(args.data))
    if args.ledger is None:
        url: str | None = fresh_sqlite_ledger(LEDGER_FILE)
    else:
        url = None if args.ledger == "memory" else args.ledger
    ledger = build_ledger(url, customers)
    keys = KeyRing.generate()  # in production: KeyRing.from_env() (GDPRKIT_KEYS)
    at = REFERENCE

    print(f"gdprkit {gdprkit.__version__} — {policy.controller.name}, as of {at:%Y-%m-%d}")
    order_rows = [{k: (v or None) for k, v in row.items()} for row in orders(customers)]
    print(f"{len(customers)} customer records, {len(ledger_events(customers))} ledger events")
    print(f"{len(order_rows)} orders (one row per purchase) for the purposes that read them\n")

    invalid = Counter(
        v.code + " " + (v.field or "") for c in customers for v in validate(policy, c)
    )
    print(
        "validate: "
        + (", ".join(f"{k.strip()} ×{n}" for k, n in invalid.most_common(5)) or "clean")  # noqa: RUF001 - a multiplication sign, meant
    )
    print()

    for purpose in policy.purposes:
        rejected: list[tuple[dict[str, Any], gdprkit.Decision]] = []
        spec = policy.purposes[purpose]
        rows = order_rows if on_orders(spec) else customers
        stream = enforce(
            policy, rows, purpose, at=at, consents=ledger, keys=keys, rejected=rejected
        )
        outputs = list(stream)
        table = " [orders table]" if rows is order_rows else ""
        print(f"── {purpose} ({spec.basis.value}){table} ─ {spec.description or ''}")
        print(f"   processed {stream.processed:5d}   rejected {stream.denied:5d}")
        for code, n in sorted(stream.counts.items(), key=lambda kv: -kv[1]):
            if code != "processed":
                print(f"     {n:5d}  {code:<32} {ARTICLES[code]}")
        dropped = Counter(
            f"{name}: {reason.code}"
            for c in rows[:200]
            for name, reason in gdprkit.decide(
                policy, c, purpose, at=at, consents=ledger
            ).dropped.items()
        )
        if dropped:
            shown = ", ".join(k for k, _ in dropped.most_common(4))
            print(f"   fields dropped (first 200 records): {shown}")
        if outputs:
            print(f"   e.g. {outputs[0]}")
        print()
    print(f"ledger chain head: {ledger.head()[:16]}…  verify: ", end="")
    ledger.verify()
    print("ok")
    ledger.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
