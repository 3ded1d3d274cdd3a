"""The sweep demo runs on the example CRM and explains what it did with codes and counts."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from gdprkit import ARTICLES

ROOT = Path(__file__).resolve().parent.parent.parent
CRM = ROOT / "examples" / "crm"


@pytest.mark.slow
def test_sweep_demo_reports_deleted_erased_anonymised_and_why() -> None:
    done = subprocess.run(
        [sys.executable, "sweep_demo.py"],
        cwd=CRM,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    for word in ("dry run", "deleted", "erased", "anonymous copies", "second sweep"):
        assert word in out
    for code in ("erasure.requested", "consent.missing", "subject.restricted"):
        assert code in out
        assert ARTICLES[code] in out
    # no personal value of the sample data is printed
    with (CRM / "customers.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows[:200]:
        for name in ("customer_id", "last_name", "email", "phone"):
            if row[name]:
                assert row[name] not in out, name
