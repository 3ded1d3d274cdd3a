"""Benchmark: ``gdprkit.frames.enforce`` on pandas, polars and pyarrow against the row path
(``gdprkit.enforce``) on the same records, in the same run (design §14, §15).

The task is the §14 one: purpose ``analytics`` of ``examples/crm/policy.yaml`` drops 4 fields
(first and last name, birth date, allergies), tokenises 3 (customer id in the default domain,
e-mail and phone in the ``analytics`` domain) and keeps purchase details only within 24 months
of the last purchase. The records are ``N`` *distinct* generated records (``generate.records``,
every customer id different: no pool cycled, which would flatter an engine that works per
distinct value). Frames are built before timing; the row path reads the same records as dicts.
Each engine's output is checked against the row path's (counts, and every value of a sample).
Tokens are made by whole columns when ``polars-hash`` is installed (``whole_column_tokens``).

    python benchmarks/bench_frames.py --records 1000000
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples" / "crm"))

from generate import BENCH_COLUMNS, REFERENCE, records  # noqa: E402

from gdprkit import (  # noqa: E402
    KeyRing,
    enforce,
    frames,
    load_policy,
)
from gdprkit._values import is_missing  # noqa: E402
from gdprkit.frames import _hash as frames_hash  # noqa: E402

PURPOSE = "analytics"
SAMPLE = 5000


def columns_of(n: int) -> dict[str, list[Any]]:
    cols: dict[str, list[Any]] = {c: [] for c in BENCH_COLUMNS}
    for r in records(n, seed=11):
        for c in BENCH_COLUMNS:
            cols[c].append(r[c] if r[c] != "" else None)
    return cols


def build(engine: str, cols: dict[str, list[Any]]) -> Any:
    if engine == "pandas":
        import pandas as pd

        return pd.DataFrame(cols)
    if engine == "polars":
        import polars as pl

        return pl.DataFrame(cols)
    import pyarrow as pa

    return pa.table(cols)


def rows_of(frame: Any) -> list[dict[str, Any]]:
    if hasattr(frame, "to_dicts"):
        return list(frame.to_dicts())
    if hasattr(frame, "to_pylist"):
        return list(frame.to_pylist())
    return list(frame.to_dict("records"))


def best_of(rounds: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def check(engine: str, cols: dict[str, list[Any]], policy: Any, keys: KeyRing) -> None:
    """The engine's answer on the first SAMPLE records equals the row path's, value for value."""
    sample = {c: v[:SAMPLE] for c, v in cols.items()}
    frame = build(engine, sample)
    result = frames.enforce(policy, frame, PURPOSE, at=REFERENCE, keys=keys)
    rows = [dict(zip(sample, values, strict=True)) for values in zip(*sample.values(), strict=True)]
    stream = enforce(policy, rows, PURPOSE, at=REFERENCE, keys=keys)
    want = [{k: v for k, v in r.items() if not is_missing(v)} for r in stream]
    got = [{k: v for k, v in r.items() if not is_missing(v)} for r in rows_of(result.allowed)]
    if got != want or result.counts != stream.counts:
        raise SystemExit(f"{engine}: the frame engine and the row path disagree")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2, help="rounds per engine, best kept")
    parser.add_argument("--engines", default="polars,pandas,arrow")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--per-value-tokens",
        action="store_true",
        help="make tokens value by value even with polars-hash installed (the path without it)",
    )
    args = parser.parse_args()
    if args.per_value_tokens:
        frames_hash._modules = lambda: None  # type: ignore[assignment]

    policy = load_policy(ROOT / "examples" / "crm" / "policy.yaml")
    keys = KeyRing.generate()
    n = args.records
    engines = [e for e in args.engines.split(",") if e]

    cols = columns_of(n)
    for engine in engines:
        check(engine, cols, policy, keys)

    rows = [dict(zip(cols, values, strict=True)) for values in zip(*cols.values(), strict=True)]

    def row_path() -> None:
        deque(enforce(policy, rows, PURPOSE, at=REFERENCE, keys=keys), maxlen=0)

    t_row = best_of(args.rounds, row_path)
    rows.clear()
    figures: dict[str, Any] = {
        "records": n,
        # polars-hash installed: tokens by whole columns (gdprkit.frames._hash); else per value
        "whole_column_tokens": frames_hash.available(),
        "row_path_rec_per_s": round(n / t_row),
    }
    for engine in engines:
        frame = build(engine, cols)
        t = best_of(
            args.rounds, lambda f=frame: frames.enforce(policy, f, PURPOSE, at=REFERENCE, keys=keys)
        )
        figures[f"{engine}_rec_per_s"] = round(n / t)
        figures[f"{engine}_over_row_path"] = round(t_row / t, 2)
        del frame

    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
