"""Building frames of every library from records, and reading them back, for the frame tests."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa

import gdprkit
from gdprkit import frames
from gdprkit._values import is_missing, plain

ENGINES = ("pandas", "pandas-typed", "polars", "polars-lazy", "arrow")


def _columns(records: Sequence[Mapping[str, Any]]) -> list[str]:
    names: dict[str, None] = {}
    for record in records:
        names.update(dict.fromkeys(record))
    return list(names)


def _uniform(values: list[Any]) -> list[Any]:
    """One Python type per column (polars and Arrow columns are typed): mixed ones as text."""
    kinds = {type(v) for v in values if v is not None}
    if len(kinds) <= 1 and not kinds & {Decimal}:
        return values
    return [None if v is None else str(v) for v in values]


def build(engine: str, records: Sequence[Mapping[str, Any]]) -> Any:
    """A frame of ``engine`` holding ``records`` (absent keys: null)."""
    names = _columns(records)
    data = {n: [r.get(n) for r in records] for n in names}
    if engine == "pandas":
        frame = pd.DataFrame({n: pd.Series(v, dtype=object) for n, v in data.items()})
        if not names:
            frame = pd.DataFrame(index=range(len(records)))
        return frame
    typed: dict[str, list[Any]] = {}
    for n, values in data.items():
        typed[n] = _uniform(values)
    if engine == "pandas-typed":
        # pandas' own inference, then its nullable types (pd.NA, NaT, Int64, string, boolean)
        frame = pd.DataFrame(typed, index=range(len(records)))
        try:
            return frame.convert_dtypes()
        except (TypeError, ValueError, OverflowError):
            return frame
    if engine in ("polars", "polars-lazy"):
        series = []
        for n, values in typed.items():
            try:
                s = pl.Series(n, values)
            except (TypeError, ValueError, OverflowError, pl.exceptions.PolarsError):
                s = pl.Series(n, [None if v is None else str(v) for v in values])
            series.append(s)
        frame = pl.DataFrame(series, height=len(records)) if series else pl.DataFrame()
        return frame.lazy() if engine == "polars-lazy" else frame
    arrays = {}
    for n, values in typed.items():
        try:
            arrays[n] = pa.array(values)
        except (TypeError, ValueError, OverflowError, pa.ArrowException):
            arrays[n] = pa.array([None if v is None else str(v) for v in values])
    return pa.table(arrays) if arrays else pa.table({})


def rows_of(frame: Any) -> list[dict[str, Any]]:
    """The frame's rows as records, the way the row path would be given them."""
    if isinstance(frame, pl.LazyFrame):
        frame = frame.collect()
    if isinstance(frame, pd.DataFrame):
        return [dict(r) for r in frame.to_dict("records")]
    if isinstance(frame, pl.DataFrame):
        return frame.to_dicts() if frame.width else [{} for _ in range(frame.height)]
    return frame.to_pylist()


def _same(a: Any, b: Any) -> bool:
    a, b = plain(a), plain(b)
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b) and not (
        isinstance(a, int | float | Decimal) and isinstance(b, int | float | Decimal)
    ):
        # datetime vs date are not equal; anything else must be of one type
        return False
    return bool(a == b)


def assert_rows_equal(
    got_rows: Sequence[Mapping[str, Any]], want_rows: Sequence[Mapping[str, Any]]
) -> None:
    """Row for row, the same non-missing values (numbers equal across int and float)."""
    assert len(got_rows) == len(want_rows)
    for got, want in zip(got_rows, want_rows, strict=True):
        got_p, want_p = present(got), present(want)
        assert set(got_p) == set(want_p), (sorted(got_p), sorted(want_p))
        for name, value in want_p.items():
            assert _same(got_p[name], value), (name, type(got_p[name]), type(value))


def present(record: Mapping[str, Any]) -> dict[str, Any]:
    """The non-missing values of a record (a null cell and an absent field are one thing)."""
    return {k: v for k, v in record.items() if not is_missing(v)}


def assert_equivalent(
    engine: str,
    policy: gdprkit.Policy,
    records: Sequence[Mapping[str, Any]],
    purpose: str,
    *,
    at: datetime,
    keys: gdprkit.KeyRing | None = None,
    consents: Any = None,
) -> frames.FrameResult:
    """The frame engine's answer equals ``decide`` + ``apply`` on the frame's own rows."""
    frame = build(engine, records)
    result = frames.enforce(policy, frame, purpose, at=at, consents=consents, keys=keys)
    rows = rows_of(frame)
    expected_allowed: list[dict[str, Any]] = []
    expected_rejected: list[tuple[int, str, str]] = []
    counts: Counter[str] = Counter()
    for i, row in enumerate(rows):
        decision = gdprkit.decide(policy, row, purpose, at=at, consents=consents)
        if decision.allowed:
            counts["processed"] += 1
            expected_allowed.append(decision.apply(row, keys))
        else:
            reason = decision.reasons[0]
            counts[reason.code] += 1
            expected_rejected.append((i, reason.code, reason.article))
    # The row path's face agrees with decide (the same counts).
    streamed = gdprkit.enforce(policy, rows, purpose, at=at, consents=consents, keys=keys)
    assert [present(r) for r in streamed] == [present(r) for r in expected_allowed]
    assert streamed.counts == counts

    got_rows = rows_of(result.allowed)
    got_rejected = [(r["row"], r["code"], r["article"]) for r in rows_of(result.rejected)]
    assert got_rejected == expected_rejected
    assert result.counts == counts
    assert_rows_equal(got_rows, expected_allowed)
    # columns: the input columns the purpose may process at all, in input order
    if expected_allowed:
        union = {k for r in expected_allowed for k in r}
        assert union <= set(columns_of(result.allowed))
    return result


def columns_of(frame: Any) -> list[str]:
    """The column names of a frame of any of the libraries."""
    if isinstance(frame, pl.LazyFrame):
        return frame.collect_schema().names()
    if isinstance(frame, pa.Table):
        return list(frame.column_names)
    return list(frame.columns)
