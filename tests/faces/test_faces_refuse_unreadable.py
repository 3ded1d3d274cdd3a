"""design.md §9: every face refuses, before touching a record, what it cannot read as records.

A pandas/polars/Arrow frame iterates as its column names: ``enforce`` used to yield 0 rows with
counts that looked like success. Text iterates as characters, a single mapping as its keys.
Real frames of the installed libraries, never stand-ins (Spark is not installed here: its type
is recognised by its module's name, as the others are).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from faces_policies import AT, COLUMNS_ONLY, POLICY, record

from gdprkit import (
    ConfigurationError,
    ConsentLedger,
    access_report,
    enforce,
    erasure_plan,
    portability_export,
    requires_purpose,
    sweep,
)

ROWS = [record(), record(customer_id="1002", email="marco@example.it")]


class SparkDataFrame:
    """What ``type(df)`` of a Spark DataFrame looks like: pyspark is not installed here."""

    __module__ = "pyspark.sql.dataframe"

    def __iter__(self) -> Any:
        raise AssertionError("records were touched")


FRAMES: dict[str, Callable[[], object]] = {
    "pandas.DataFrame": lambda: pd.DataFrame(ROWS),
    "pandas.Series": lambda: pd.DataFrame(ROWS)["email"],
    "polars.DataFrame": lambda: pl.DataFrame(ROWS),
    "polars.LazyFrame": lambda: pl.DataFrame(ROWS).lazy(),
    "pyarrow.Table": lambda: pa.Table.from_pylist(ROWS),
    "pyarrow.RecordBatch": lambda: pa.RecordBatch.from_pylist(ROWS),
    "pyspark.DataFrame": SparkDataFrame,
}


def _decorated(records: object) -> object:
    @requires_purpose("newsletter", policy=POLICY, at=AT)
    def send(contacts: Iterable[dict[str, Any]] | dict[str, Any]) -> object:
        return contacts if isinstance(contacts, dict) else list(contacts)

    return send(records)  # type: ignore[arg-type]


LEDGER = ConsentLedger()

#: Every face that takes records, called on ``records``.
FACES: dict[str, Callable[[object], object]] = {
    "enforce": lambda r: enforce(POLICY, r, "newsletter", at=AT),  # type: ignore[arg-type]
    "requires_purpose": _decorated,
    "sweep": lambda r: sweep(POLICY, r, at=AT, consents=LEDGER),  # type: ignore[arg-type]
    "access_report": lambda r: access_report(POLICY, r, at=AT, consents=LEDGER),  # type: ignore[arg-type]
    "portability_export": lambda r: portability_export(POLICY, r, at=AT, consents=LEDGER),  # type: ignore[arg-type]
    "erasure_plan": lambda r: erasure_plan(POLICY, r, at=AT, consents=LEDGER),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("face", FACES)
@pytest.mark.parametrize("frame", FRAMES)
def test_a_frame_is_refused_naming_the_frame_faces(face: str, frame: str) -> None:
    value = FRAMES[frame]()
    with pytest.raises(ConfigurationError) as info:
        FACES[face](value)
    message = str(info.value)
    assert "gdprkit.frames" in message
    assert "gdprkit.spark" in message
    assert "giulia" not in message.lower()  # no value of the frame


def test_a_dataframe_no_longer_yields_zero_rows_that_look_like_success() -> None:
    frame = pd.DataFrame(ROWS)
    with pytest.raises(ConfigurationError, match="pandas"):
        enforce(COLUMNS_ONLY, frame, "newsletter", at=AT)  # type: ignore[arg-type]
    # what was meant: the records of the frame
    stream = enforce(COLUMNS_ONLY, frame.to_dict("records"), "newsletter", at=AT)
    assert len(list(stream)) == 2
    assert stream.counts == {"processed": 2}


@pytest.mark.parametrize("face", FACES)
@pytest.mark.parametrize("text", ["1001", b"1001", bytearray(b"1001")], ids=type)
def test_text_is_refused(face: str, text: object) -> None:
    with pytest.raises(ConfigurationError, match="text"):
        FACES[face](text)


@pytest.mark.parametrize("face", ["enforce", "sweep", "access_report", "portability_export"])
def test_a_single_mapping_where_an_iterable_belongs_is_refused(face: str) -> None:
    with pytest.raises(ConfigurationError, match=r"single record.*\[record\]"):
        FACES[face](record())


@pytest.mark.parametrize("face", ["enforce", "sweep", "access_report", "portability_export"])
def test_something_not_iterable_is_refused(face: str) -> None:
    with pytest.raises(ConfigurationError, match="iterable"):
        FACES[face](42)


def test_the_decorator_still_takes_one_record() -> None:
    out = _decorated(record())
    assert out == {"name": "Giulia Bianchi", "email": "giulia@example.it"}
    with pytest.raises(ConfigurationError, match="not a"):
        _decorated(42)


def test_erasure_plan_takes_one_record() -> None:
    plan = erasure_plan(POLICY, record(), at=AT, consents=LEDGER)
    assert plan.delete
    with pytest.raises(ConfigurationError, match="one record"):
        erasure_plan(POLICY, [record()], at=AT, consents=LEDGER)  # type: ignore[arg-type]


def test_a_type_name_with_control_characters_is_escaped() -> None:
    odd = type("Rows\x1b[2J", (), {"__module__": "pandas.evil\n"})()
    with pytest.raises(ConfigurationError) as info:
        enforce(POLICY, odd, "newsletter", at=AT)  # type: ignore[arg-type]
    assert "\x1b" not in str(info.value)
    assert "\n" not in str(info.value)
