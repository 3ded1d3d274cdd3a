"""The example CRM demo and the benchmark run, in a reduced size, as part of the suite."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gdprkit import ARTICLES

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_demo_prints_what_was_processed_and_rejected_and_why() -> None:
    done = subprocess.run(
        [sys.executable, "demo.py"],
        cwd=ROOT / "examples" / "crm",
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    for purpose in ("newsletter", "profiling", "analytics"):
        assert purpose in out
    assert "processed" in out
    assert "rejected" in out
    # every rejection line names a known reason code and its article
    cited = [code for code in ARTICLES if code in out]
    assert len(cited) >= 5, cited
    for code in cited:
        assert ARTICLES[code] in out


@pytest.mark.slow
def test_benchmark_runs_and_enforce_matches_the_hand_written_loop(tmp_path: Path) -> None:
    figures_path = tmp_path / "bench.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_enforce.py"),
            "--records",
            "5000",
            "--rounds",
            "1",
            "--memory-check",
            "0",
            "--json",
            str(figures_path),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    # the benchmark itself fails when enforce and the hand-written loop disagree
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(figures_path.read_text())
    assert figures["records"] == 5000
    assert figures["yielded"] > 0
    assert figures["hand_written_rec_per_s"] > 0
    assert figures["enforce_rec_per_s"] > 0
    assert figures["import_gdprkit_s"] > 0


@pytest.mark.slow
def test_workers_enforce_as_one_process_does(tmp_path: Path) -> None:
    """examples/parallel: the policy travels pickled, each worker loads its own keys, and two
    workers' output equals one process's, token for token (the script asserts it)."""
    done = subprocess.run(
        [sys.executable, "enforce_in_workers.py"],
        cwd=ROOT / "examples" / "parallel",
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "same output as a single process, token for token" in done.stdout
    assert "refuses to be pickled" in done.stdout
