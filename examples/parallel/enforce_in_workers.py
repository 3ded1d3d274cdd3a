"""Enforce a purpose in worker processes: the policy travels pickled, keys never do.

Each worker loads the key ring itself (``KeyRing.from_env``): a ``KeyRing`` refuses to be
pickled, so it cannot leak into a task queue, a Dask graph or a Ray object store. The policy,
decisions and denials pickle (design.md §12).

Run: GDPRKIT_KEYS="k1:<base64url of 32 random bytes>" python enforce_in_workers.py
(without GDPRKIT_KEYS it makes a throwaway key for the run).
"""

from __future__ import annotations

import csv
import os
import pickle
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from gdprkit import ConsentLedger, KeyRing, Policy, enforce, load_policy

HERE = Path(__file__).resolve().parent
CRM = HERE.parent / "crm"
AT = datetime(2026, 3, 1, tzinfo=UTC)
PURPOSE = "analytics"


def work(policy: Policy, rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], Counter[str]]:
    """One worker's share: keys from its own environment, the policy as it arrived."""
    keys = KeyRing.from_env()  # never shipped: each worker reads it
    ledger = ConsentLedger()  # in production: ConsentLedger("postgresql+psycopg://...")
    stream = enforce(policy, rows, PURPOSE, at=AT, consents=ledger, keys=keys)
    out = list(stream)
    return out, Counter(stream.counts)


def chunks(rows: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    it = iter(rows)
    return list(iter(lambda: list(islice(it, size)), []))


def main() -> None:
    if "GDPRKIT_KEYS" not in os.environ:
        os.environ["GDPRKIT_KEYS"] = KeyRing.generate().export()  # a throwaway key, this run
    policy = load_policy(CRM / "policy.yaml")
    with (CRM / "customers.csv").open(newline="", encoding="utf-8") as handle:
        rows = [{k: v for k, v in row.items() if v != ""} for row in csv.DictReader(handle)]
    try:
        pickle.dumps(KeyRing.from_env())
    except TypeError:
        print("a KeyRing refuses to be pickled: workers load their own")
    totals: Counter[str] = Counter()
    outputs: list[dict[str, Any]] = []
    with ProcessPoolExecutor(max_workers=2) as pool:
        shares = chunks(rows, 250)
        for out, counts in pool.map(work, [policy] * len(shares), shares):
            outputs.extend(out)
            totals.update(counts)
    print(f"{len(outputs)} records out of 2 workers; counts: {dict(sorted(totals.items()))}")
    # the same records, the same tokens, as one process gives
    single = enforce(
        policy, rows, PURPOSE, at=AT, consents=ConsentLedger(), keys=KeyRing.from_env()
    )
    assert list(single) == outputs
    print("same output as a single process, token for token")


if __name__ == "__main__":
    main()
