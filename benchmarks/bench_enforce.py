"""Benchmark: ``enforce`` against a hand-written loop doing exactly the same work (design §14).

The records have the 11-field shape of ``examples/crm`` (``BENCH_COLUMNS``). The purpose is
``analytics`` of the example policy: it drops 4 fields (first and last name, birth date,
allergies), tokenises 3 (customer id in the default domain, e-mail and phone in the
``analytics`` domain) and keeps purchase details only within 24 months of the last purchase.

The hand-written loop is the fastest honest one: HMAC states keyed once and ``.copy()``-ed per
value, the same normalisers, the same date parsing and calendar arithmetic, a dict literal of
the kept fields. Both consume the same stream of records in the same run; the records are a
pool of distinct generated records cycled to the requested count, so that generation does not
dominate and memory stays constant.

The engine remembers the deadline of each retention anchor text it has read (a bounded memo
per rule: a date column repeats its values). The pool's anchors repeat as the pool cycles, so
the memo always hits here; ``enforce_cold_anchors`` is the same run with the memo held to one
entry (every anchor read and counted as the hand-written loop does): the engine's own overhead.

    python benchmarks/bench_enforce.py --records 1000000
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import hmac
import itertools
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples" / "crm"))

from generate import BENCH_COLUMNS, REFERENCE, records  # noqa: E402

import gdprkit._decision as engine  # noqa: E402
from gdprkit import KeyRing, Policy, enforce, load_policy  # noqa: E402
from gdprkit._time import parse_instant, parse_period, zone  # noqa: E402

POOL = 20_000


def pool() -> list[dict[str, Any]]:
    out = []
    for r in records(POOL, seed=11):
        row = {c: (r[c] if r[c] != "" else None) for c in BENCH_COLUMNS}
        out.append(row)
    return out


def stream(rows: list[dict[str, Any]], n: int) -> Iterator[dict[str, Any]]:
    return itertools.islice(itertools.cycle(rows), n)


def hand_written(
    rows: Iterator[dict[str, Any]], keys: KeyRing, at: datetime
) -> Iterator[dict[str, Any]]:
    """What a careful engineer writes by hand for the analytics purpose."""
    kid = keys.active
    h_default = hmac.new(keys.token_key("default"), digestmod=hashlib.sha256)
    h_analytics = hmac.new(keys.token_key("analytics"), digestmod=hashlib.sha256)
    prefix = kid + ":"
    tz = zone("Europe/Rome")
    period = parse_period("P24M")

    def token(base: Any, text: str | None) -> str | None:
        if text is None:
            return None
        h = base.copy()
        h.update(text.encode())
        return prefix + h.digest()[:16].hex()

    def phone_digits(value: str | None) -> str | None:
        if value is None:
            return None
        digits = "".join(ch for ch in value if ch.isdigit())
        if value.lstrip().startswith("00"):
            digits = digits[2:]
        return digits or None

    for r in rows:
        if r.get("customer_id") is None:
            continue
        email = r["email"]
        out = {
            "customer_id": token(h_default, r["customer_id"].strip()),
            "email": token(h_analytics, None if email is None else email.strip().lower()),
            "phone": token(h_analytics, phone_digits(r["phone"])),
            "country": r["country"],
            "source": r["source"],
        }
        start = parse_instant(r["last_purchase_at"], tz, True)
        end = None if start is None else period.after(start)
        if end is not None and at < end:
            out["last_purchase_at"] = r["last_purchase_at"]
            out["purchases_total"] = r["purchases_total"]
        yield out


def cold_anchors(policy: Policy, run: Callable[[], tuple[float, int]]) -> tuple[float, int]:
    """``run()`` with the engine's anchor memo emptied and held to one entry (see the module
    docstring)."""
    bound = engine._MAX_ENDS
    engine._MAX_ENDS = 0  # type: ignore[misc]
    plan = engine.compile_plan(policy, "analytics")
    for fp in plan.fields.values():
        for rule in fp.retention:
            rule.ends.clear()
    for rule in plan.record_rules:
        rule.ends.clear()
    try:
        return run()
    finally:
        engine._MAX_ENDS = bound  # type: ignore[misc]


def timed(it: Iterator[Any]) -> tuple[float, int]:
    gc.collect()
    start = time.perf_counter()
    n = 0
    for _ in it:
        n += 1
    return time.perf_counter() - start, n


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_run(n: int) -> float:
    """Peak RSS of a process streaming ``n`` records through enforce (nothing kept)."""
    here = str(Path(__file__).parent)
    code = (
        f"import sys; sys.argv=['x']; sys.path.insert(0, {here!r});"
        "import bench_enforce as b;"
        "from gdprkit import KeyRing, enforce, load_policy;"
        "p = load_policy(b.ROOT / 'examples/crm/policy.yaml'); k = KeyRing.generate();"
        "rows = b.pool(); from collections import deque;"
        # consumed without keeping anything (a list of results would itself grow with n)
        f"deque(enforce(p, b.stream(rows, {n}), 'analytics', at=b.REFERENCE, keys=k), maxlen=0);"
        "print(b.peak_rss_mib())"
    )
    # our own interpreter running our own code: no untrusted input
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return float(done.stdout.strip())


def import_time() -> float:
    code = "import time; t = time.perf_counter(); import gdprkit; print(time.perf_counter() - t)"
    runs = [
        float(
            subprocess.run(  # noqa: S603 - our own interpreter, our own code
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(5)
    ]
    return min(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds, best kept")
    parser.add_argument(
        "--memory-check", type=int, default=1, help="compare peak RSS at N/10 and N (0: skip)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    policy = load_policy(ROOT / "examples" / "crm" / "policy.yaml")
    keys = KeyRing.generate()
    at = REFERENCE
    rows = pool()
    n = args.records

    # Same work: the outputs agree record by record.
    sample = list(stream(rows, 2000))
    if list(enforce(policy, sample, "analytics", at=at, keys=keys)) != list(
        hand_written(iter(sample), keys, at)
    ):
        raise SystemExit("enforce and the hand-written loop disagree")

    best_engine = best_hand = best_cold = float("inf")
    for _ in range(args.rounds):
        t_hand, n_hand = timed(hand_written(stream(rows, n), keys, at))
        t_engine, n_engine = timed(enforce(policy, stream(rows, n), "analytics", at=at, keys=keys))
        t_cold, n_cold = cold_anchors(
            policy, lambda: timed(enforce(policy, stream(rows, n), "analytics", at=at, keys=keys))
        )
        if not n_hand == n_engine == n_cold:
            raise SystemExit(f"the loops yielded {n_hand}, {n_engine} and {n_cold} records")
        best_hand = min(best_hand, t_hand)
        best_engine = min(best_engine, t_engine)
        best_cold = min(best_cold, t_cold)

    figures: dict[str, Any] = {
        "records": n,
        "yielded": n_engine,
        "hand_written_rec_per_s": round(n / best_hand),
        "enforce_rec_per_s": round(n / best_engine),
        "ratio_enforce_over_hand": round(best_engine / best_hand, 3),
        "enforce_cold_anchors_rec_per_s": round(n / best_cold),
        "ratio_cold_anchors_over_hand": round(best_cold / best_hand, 3),
        "peak_rss_mib_this_process": round(peak_rss_mib(), 1),
        "import_gdprkit_s": round(import_time(), 4),
    }
    if args.memory_check:
        small, large = memory_run(n // 10), memory_run(n)
        figures["peak_rss_mib_at_n_over_10"] = round(small, 1)
        figures["peak_rss_mib_at_n"] = round(large, 1)
        figures["rss_growth"] = round(large / small - 1, 3)

    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
