"""polars: factorise columns for the executor, build the result frames."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from gdprkit._errors import ConfigurationError
from gdprkit.frames._hash import arrow_tokens, column_tokens, series_tokens
from gdprkit.frames._plan import Factor, Kept, Outcome

if TYPE_CHECKING:
    from gdprkit._pseudonymise import KeyRing

__all__ = ["PolarsBackend"]

_CODE = "__gdprkit_code"


class PolarsBackend:
    """A polars ``DataFrame`` as the executor reads it."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self.rows = frame.height
        self._distinct: dict[str, Any] = {}  # name -> its factor's distinct values (natively)

    def labels(self) -> list[object]:
        return list(self.frame.columns)

    def factor(self, name: str) -> Factor:
        series = self.frame.get_column(name)
        if series.dtype == pl.Object:
            raise ConfigurationError(f"column {name!r} holds Python objects: give it a polars type")
        fast = _by_arrow(series)
        if fast is not None:
            factor, self._distinct[name] = fast
            return factor
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
        self._distinct[name] = uniques
        return Factor(codes.to_numpy().astype(np.intp), uniques.to_list())

    def arrow(self, name: str) -> Any:  # noqa: ANN401 - a pyarrow array or None
        """Column ``name`` as an Arrow array (text and integer columns), or ``None``."""
        series = self.frame.get_column(name)
        if not (series.dtype in (pl.String, pl.Utf8) or series.dtype.is_integer()):
            return None
        try:
            return series.to_arrow()
        except (ImportError, pl.exceptions.PolarsError):  # no pyarrow: factorised instead
            return None

    def row_tokens(
        self, name: str, rows: np.ndarray, keys: KeyRing, domain: str, category: str | None
    ) -> Any:  # noqa: ANN401 - a pyarrow array or None
        """Whole-column tokens of ``name`` in the rows where ``rows`` holds, then one null, or
        ``None`` (a column type or category the whole-column path does not read)."""
        series = self.frame.get_column(name)
        if not (series.dtype in (pl.String, pl.Utf8) or series.dtype.is_integer()):
            return None
        return series_tokens(series.filter(pl.Series(rows)), keys, domain, category)

    def tokens(self, name: str, keys: KeyRing, domain: str, category: str | None) -> Any:  # noqa: ANN401
        """Whole-column tokens of ``factor(name)``'s values, then one null, or ``None``."""
        distinct = self._distinct.get(name)
        if distinct is None:
            return None
        if isinstance(distinct, pl.Series):
            return column_tokens(distinct, keys, domain, category)
        return arrow_tokens(distinct, keys, domain, category)

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
            elif col.native is not None:
                table = col.native if isinstance(col.native, pl.Series) else pl.Series(col.native)
                if col.in_order:  # the rows' own values: no gather, null where dropped
                    values = table.head(len(col.codes)).rename(col.name)
                    dropped = col.codes != np.arange(len(col.codes))
                    if dropped.any():
                        values = values.set(pl.Series(dropped), None)
                    columns.append(values)
                    continue
                gathered = table.gather(pl.Series(col.codes, dtype=pl.UInt32))
                columns.append(gathered.rename(col.name))
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


def _by_arrow(series: pl.Series) -> tuple[Factor, Any] | None:
    """Text columns through Arrow's dictionary encoding (several times faster than a join),
    when pyarrow is installed; ``None`` otherwise (the caller joins)."""
    if series.dtype not in (pl.String, pl.Utf8):
        return None
    try:
        import pyarrow as pa  # noqa: PLC0415 - optional: only a faster path
        import pyarrow.compute as pc  # noqa: PLC0415
    except ImportError:
        return None
    try:
        array = series.to_arrow()
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        encoded = pc.dictionary_encode(array, null_encoding="mask")
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):  # a text layout Arrow cannot encode
        return None
    values: list[object] = encoded.dictionary.to_pylist()
    values.append(None)
    indices = encoded.indices.fill_null(len(values) - 1)
    codes = np.asarray(indices.to_numpy(zero_copy_only=False), dtype=np.intp)
    return Factor(codes, values), encoded.dictionary
