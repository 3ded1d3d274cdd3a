"""Benchmark: ``gdprkit.spark.enforce`` on Spark ``local[2]`` against the row path
(``gdprkit.enforce``) on the same records, in the same run (design §14, §15).

The task is the §14 one (as ``bench_frames.py``): purpose ``analytics`` of
``examples/crm/policy.yaml`` drops 4 fields, tokenises 3 (customer id, e-mail, phone) and keeps
purchase details only within 24 months of the last purchase, on ``N`` distinct generated
records. Spark reads them from a Parquet file (written before timing) and writes the allowed
rows to Spark's ``noop`` sink, which runs the whole job (every row decided, the allowed ones
transformed) without the cost of a real sink; the row path consumes ``enforce``'s stream of
dicts. Both token paths are timed (Spark's built-in ``hmac``; the Arrow executor). Before
timing, Spark's answer on a sample is checked against the row path's, value for value.

    python benchmarks/bench_spark.py --records 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter, deque
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples" / "crm"))

from generate import REFERENCE  # noqa: E402

from gdprkit import KeyRing, enforce, load_policy  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_frames import best_of, columns_of  # noqa: E402 - one record generator, one timer

from gdprkit._values import is_missing  # noqa: E402

PURPOSE = "analytics"
SAMPLE = 5000
BATCH = 200_000


def session() -> Any:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("gdprkit-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "2g")
        # Larger Arrow batches: the executor's fixed cost per batch is paid less often.
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(BATCH))
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def present(record: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, repr(v)) for k, v in record.items() if not is_missing(v)))


def check(spark: Any, path: str, policy: Any, keys: KeyRing, tokens: str) -> None:
    """Spark's answer on the first SAMPLE records equals the row path's, value for value."""
    from gdprkit import spark as gspark

    df = spark.read.parquet(path).limit(SAMPLE)
    rows = [r.asDict() for r in df.collect()]
    stream = enforce(policy, rows, PURPOSE, at=REFERENCE, keys=keys)
    want = Counter(present(r) for r in stream)
    result = gspark.enforce(policy, df, PURPOSE, at=REFERENCE, keys=keys, tokens=tokens)
    got = Counter(present(r.asDict()) for r in result.allowed.collect())
    if got != want or result.counts() != stream.counts:
        raise SystemExit(f"spark ({tokens}): Spark and the row path disagree")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2, help="rounds per engine, best kept")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--batch", type=int, default=200_000, help="Arrow records per batch")
    args = parser.parse_args()
    global BATCH  # noqa: PLW0603 - read by session()
    BATCH = args.batch

    import pyarrow as pa
    import pyarrow.parquet as pq

    from gdprkit import spark as gspark

    policy = load_policy(ROOT / "examples" / "crm" / "policy.yaml")
    keys = KeyRing.generate()
    n = args.records
    cols = columns_of(n)

    with tempfile.TemporaryDirectory(prefix="gdprkit-bench-spark-") as tmp:
        # As Spark datasets are: several files (here 4), so that both cores get work.
        path = str(Path(tmp) / "records")
        Path(path).mkdir()
        table = pa.table(cols)
        step = -(-n // 4)
        for part in range(4):
            chunk = table.slice(part * step, step)
            pq.write_table(chunk, f"{path}/part-{part}.parquet", row_group_size=50_000)
        del table, chunk
        spark = session()
        for tokens in ("builtin", "arrow"):
            check(spark, path, policy, keys, tokens)

        rows = [dict(zip(cols, values, strict=True)) for values in zip(*cols.values(), strict=True)]
        cols.clear()

        def row_path() -> None:
            deque(enforce(policy, rows, PURPOSE, at=REFERENCE, keys=keys), maxlen=0)

        t_row = best_of(args.rounds, row_path)
        rows.clear()
        figures: dict[str, Any] = {"records": n, "row_path_rec_per_s": round(n / t_row)}
        df = spark.read.parquet(path)
        for tokens in ("builtin", "arrow"):

            def job(tokens: str = tokens) -> None:
                result = gspark.enforce(policy, df, PURPOSE, at=REFERENCE, keys=keys, tokens=tokens)
                result.allowed.write.format("noop").mode("overwrite").save()

            t = best_of(args.rounds, job)
            figures[f"spark_{tokens}_rec_per_s"] = round(n / t)
            figures[f"spark_{tokens}_over_row_path"] = round(t_row / t, 2)
        spark.stop()

    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
