"""gdprkit.frames: its surface, its errors, and what it never imports."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from frame_data import ENGINES, build, columns_of, rows_of

import gdprkit
from gdprkit import ConfigurationError, KeyRing, frames

ROOT = Path(__file__).resolve().parents[2]
CRM = gdprkit.load_policy(ROOT / "examples" / "crm" / "policy.yaml")
KEYS = KeyRing({"k1": bytes(range(32))}, active="k1")
AT = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return done.stdout.strip()


def test_importing_gdprkit_and_frames_imports_no_frame_library() -> None:
    out = _run(
        "import sys, gdprkit, gdprkit.frames;"
        "print(sorted(m for m in ('pandas', 'polars', 'pyarrow', 'numpy') if m in sys.modules))"
    )
    assert out == "[]"


def test_a_missing_library_names_the_extra_to_install() -> None:
    code = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "numpy" or name.startswith("numpy."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Block())
import polars as pl
from datetime import UTC, datetime
import gdprkit
from gdprkit import frames
policy = gdprkit.load_policy("examples/crm/policy.yaml")
try:
    frame = pl.DataFrame({"customer_id": ["1"]})
    frames.enforce(policy, frame, "contract", at=datetime(2026, 1, 1, tzinfo=UTC))
except ImportError as error:
    print(error)
"""
    out = _run(code)
    assert "pip install 'gdprkit[polars]'" in out
    assert "numpy" in out


@pytest.mark.parametrize("engine", ENGINES)
def test_result_shape(engine: str) -> None:
    records = [
        {
            "customer_id": "C1",
            "first_name": "Giulia",
            "email": "g@example.it",
            "source": "app",
            "last_purchase_at": "2026-10-01",
            "purchases_total": 10.0,
        },
        {
            "customer_id": None,
            "first_name": "Anna",
            "email": "a@example.it",
            "source": "app",
            "last_purchase_at": "2026-10-01",
            "purchases_total": 12.0,
        },
        {
            "customer_id": "C3",
            "first_name": "Marco",
            "email": "m@example.it",
            "source": "app",
            "last_purchase_at": "2020-01-01",
            "purchases_total": 15.0,
        },
    ]
    result = frames.enforce(CRM, build(engine, records), "analytics", at=AT, keys=KEYS)
    # The input's columns the purpose may process, in input order; names are gone.
    assert columns_of(result.allowed) == [
        "customer_id",
        "email",
        "source",
        "last_purchase_at",
        "purchases_total",
    ]
    assert columns_of(result.rejected) == ["row", "code", "article"]
    assert rows_of(result.rejected) == [
        {"row": 1, "code": "record.invalid", "article": "Art. 5(1)(d)"}
    ]
    allowed = rows_of(result.allowed)
    assert [r["customer_id"][:3] for r in allowed] == ["k1:", "k1:"]
    # Row 2's purchase history is past its 24 months: null in that row only.
    assert allowed[0]["purchases_total"] == 10.0
    assert allowed[1]["purchases_total"] is None or pd.isna(allowed[1]["purchases_total"])
    assert result.counts == {"processed": 2, "record.invalid": 1}
    assert (result.processed, result.denied) == (2, 1)
    assert "Giulia" not in repr(result)


def test_library_of_the_result_is_the_library_of_the_input() -> None:
    records = [{"customer_id": "C1", "relationship": "customer", "last_purchase_at": "2026-01-01"}]
    assert isinstance(
        frames.enforce(CRM, pd.DataFrame(records), "contract", at=AT).allowed, pd.DataFrame
    )
    assert isinstance(
        frames.enforce(CRM, pl.DataFrame(records), "contract", at=AT).allowed, pl.DataFrame
    )
    lazy = frames.enforce(CRM, pl.DataFrame(records).lazy(), "contract", at=AT)
    assert isinstance(lazy.allowed, pl.LazyFrame)
    assert isinstance(lazy.rejected, pl.LazyFrame)
    assert isinstance(
        frames.enforce(CRM, pa.Table.from_pylist(records), "contract", at=AT).allowed, pa.Table
    )


def test_errors_before_any_row() -> None:
    frame = pd.DataFrame({"customer_id": ["C1"], "email": ["g@example.it"]})
    with pytest.raises(ConfigurationError, match="pass keys"):
        frames.enforce(CRM, frame, "analytics", at=AT)  # tokens need keys
    with pytest.raises(ConfigurationError, match="pandas DataFrame, a polars"):
        frames.enforce(CRM, [{"customer_id": "C1"}], "analytics", at=AT, keys=KEYS)
    with pytest.raises(ValueError, match="at"):
        frames.enforce(CRM, frame, "analytics", at=datetime(2026, 1, 1), keys=KEYS)
    with pytest.raises(ConfigurationError, match="pass consents="):
        frames.enforce(CRM, frame, "profiling", at=AT, keys=KEYS)  # consent from a ledger
    twice = pd.DataFrame([["C1", "C2"]], columns=["customer_id", "customer_id"])
    with pytest.raises(ConfigurationError, match="more than one column"):
        frames.enforce(CRM, twice, "analytics", at=AT, keys=KEYS)


def test_mixed_types_in_a_pandas_column_are_read_one_by_one() -> None:
    """1, 1.0 and True compare equal in Python, but True is no subject id: distinct values."""
    frame = pd.DataFrame({"customer_id": pd.Series([1, True, 1.0, " 1 "], dtype=object)})
    result = frames.enforce(CRM, frame, "analytics", at=AT, keys=KEYS)
    assert rows_of(result.rejected) == [
        {"row": 1, "code": "record.invalid", "article": "Art. 5(1)(d)"}
    ]
    tokens = [r["customer_id"] for r in rows_of(result.allowed)]
    assert len(set(tokens)) == 1  # one subject however spelt (canonical id)
