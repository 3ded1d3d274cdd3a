"""polars: factorise columns for the executor, build the result frames."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from gdprkit._errors import ConfigurationError
from gdprkit.frames._plan import Factor, Kept, Outcome

__all__ = ["PolarsBackend"]

_CODE = "__gdprkit_code"


class PolarsBackend:
    """A polars ``DataFrame`` as the executor reads it."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self.rows = frame.height

    def labels(self) -> list[object]:
        return list(self.frame.columns)

    def factor(self, name: str) -> Factor:
        series = self.frame.get_column(name)
        if series.dtype == pl.Object:
            raise ConfigurationError(f"column {name!r} holds Python objects: give it a polars type")
        uniques = series.unique(maintain_order=True)
        joined = series.to_frame(name).join(
            uniques.to_frame(name).with_row_index(_CODE),
            on=name,
            how="left",
            nulls_equal=True,
            maintain_order="left",
        )
        codes = joined.get_column(_CODE)
        if joined.height != self.rows or codes.null_count():
            raise ConfigurationError(f"column {name!r} cannot be read value by value")
        return Factor(codes.to_numpy().astype(np.intp), uniques.to_list())

    def result(self, outcome: Outcome) -> tuple[pl.DataFrame, pl.DataFrame]:
        mask = pl.Series(outcome.allowed)
        allowed = self.frame.filter(mask)
        columns: list[Any] = []
        for col in outcome.columns:
            if isinstance(col, Kept):
                series = allowed.get_column(col.name)
                if col.nulls is not None:
                    series = (
                        series.to_frame()
                        .select(
                            pl.when(pl.Series(col.nulls))
                            .then(None)
                            .otherwise(pl.col(col.name))
                            .alias(col.name)
                        )
                        .get_column(col.name)
                    )
                columns.append(series)
            else:
                table = pl.Series(col.name, col.values)
                columns.append(table.gather(pl.Series(col.codes, dtype=pl.UInt32)))
        # A frame without columns still has its rows (each allowed row, no field to process).
        out = pl.DataFrame(columns) if columns else pl.DataFrame(height=allowed.height)
        rejected = pl.DataFrame(
            {
                "row": pl.Series(outcome.denied_rows, dtype=pl.Int64),
                "code": pl.Series(outcome.denied_codes, dtype=pl.String),
                "article": pl.Series(outcome.denied_articles, dtype=pl.String),
            }
        )
        return out, rejected
