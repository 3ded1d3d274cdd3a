"""Helpers for the command's tests: the real ``gdprkit`` executable on real files."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "examples" / "crm" / "policy.yaml"
CUSTOMERS = ROOT / "examples" / "crm" / "customers.csv"
AT = "2025-06-01T00:00:00+00:00"


def executable() -> str:
    exe = shutil.which("gdprkit", path=str(Path(sys.executable).parent))
    assert exe is not None, "the gdprkit command is not installed in the test environment"
    return exe


def run_gdprkit(*args: str | Path, **options: Any) -> subprocess.CompletedProcess[str]:
    """Run the installed ``gdprkit`` command; output captured as text."""
    return subprocess.run(
        [executable(), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        **options,
    )


def customers(limit: int | None = None) -> list[list[str]]:
    """The sample customers as rows of cells, header first."""
    with CUSTOMERS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows if limit is None else rows[: limit + 1]


def write_csv(
    path: Path,
    rows: list[list[str]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    newline: str = "\n",
) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return path


def one_line(text: str) -> str:
    """The single line of a message on stderr: no traceback, no second line."""
    assert "Traceback" not in text
    lines = text.splitlines()
    assert len(lines) == 1, text
    assert lines[0].startswith("gdprkit: ")
    return lines[0]


def empty_ledger(path: Path) -> str:
    """The URL of a new SQLite consent ledger holding no event (a sweep needs a source)."""
    from gdprkit import ConsentLedger

    url = f"sqlite:///{path}"
    ConsentLedger(url).close()
    return url


def customers_db(path: Path, limit: int) -> str:
    """A SQLite table ``customers`` (text columns) of the first ``limit`` sample customers."""
    sqlalchemy = pytest.importorskip("sqlalchemy")
    engine = sqlalchemy.create_engine(f"sqlite:///{path}")
    with CUSTOMERS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))[:limit]
    columns = list(rows[0])
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE customers (" + ", ".join(f'"{c}" TEXT' for c in columns) + ")"
        )
        conn.execute(
            sqlalchemy.text(
                "INSERT INTO customers VALUES ("  # noqa: S608 - our own column names
                + ", ".join(f":{c}" for c in columns)
                + ")"
            ),
            [{c: (r[c] or None) for c in columns} for r in rows],
        )
    engine.dispose()
    return f"sqlite:///{path}"
