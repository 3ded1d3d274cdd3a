"""benchmarks/bench_ledger.py runs, in a small size, and its two enforce runs agree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_ledger_benchmark_runs(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    env = {k: v for k, v in os.environ.items() if k != "GDPRKIT_TEST_POSTGRES_URL"}
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_ledger.py"),
            "--records",
            "3000",
            "--appends",
            "40",
            "--writers",
            "2",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(out.read_text())
    assert figures["records"] == 3000
    assert figures["processed"] > 0
    assert figures["sqlite_appends_per_s"] > 0
    assert figures["ratio_ledger_time_over_columns_time"] > 0
    assert figures["postgresql"].startswith("skipped")
