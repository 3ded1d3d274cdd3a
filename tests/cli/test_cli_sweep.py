"""``gdprkit sweep``: what it refuses before touching a table."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import POLICY, customers_db, empty_ledger, run_gdprkit


def test_sweep_refuses_undeclared_columns_unless_told_what_to_do(tmp_path: Path) -> None:
    sqlalchemy = pytest.importorskip("sqlalchemy")
    url = customers_db(tmp_path / "crm.db", 20)
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE customers ADD COLUMN notes TEXT")
    engine.dispose()
    args = ["sweep", POLICY, url, "customers", "--dry-run", "--at", "2028-06-01T00:00:00+00:00"]
    args += ["--ledger", empty_ledger(tmp_path / "ledger.db")]
    refused = run_gdprkit(*args)
    assert refused.returncode == 2
    assert "'notes'" in refused.stderr
    kept = run_gdprkit(*args, "--undeclared", "keep")
    assert kept.returncode == 0, kept.stderr
