"""pyarrow: factorise columns for the executor, build the result tables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gdprkit._errors import ConfigurationError
from gdprkit.frames._hash import arrow_rows_tokens, arrow_tokens
from gdprkit.frames._plan import Factor, Kept, Outcome

if TYPE_CHECKING:
    from gdprkit._pseudonymise import KeyRing

__all__ = ["REJECTED_SCHEMA", "ArrowBackend", "allowed_table", "rejected_table"]


class ArrowBackend:
    """A pyarrow ``Table`` as the executor reads it."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table
        self.rows = int(table.num_rows)
        self._distinct: dict[str, Any] = {}  # name -> its factor's distinct values

    def labels(self) -> list[object]:
        return list(self.table.column_names)

    def factor(self, name: str) -> Factor:
        column = self.table.column(name)
        array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
        if pa.types.is_dictionary(array.type):
            array = array.cast(array.type.value_type)
        try:
            encoded = pc.dictionary_encode(array, null_encoding="mask")
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
            raise ConfigurationError(
                f"column {name!r} has a type gdprkit.frames cannot read value by value"
            ) from None
        values: list[object] = encoded.dictionary.to_pylist()
        values.append(None)
        indices = encoded.indices.fill_null(len(values) - 1)
        codes = np.asarray(indices.to_numpy(zero_copy_only=False), dtype=np.intp)
        self._distinct[name] = encoded.dictionary
        return Factor(codes, values)

    def arrow(self, name: str) -> Any:  # noqa: ANN401 - a pyarrow array
        """Column ``name`` as it is."""
        return self.table.column(name)

    def row_tokens(
        self, name: str, rows: np.ndarray, keys: KeyRing, domain: str, category: str | None
    ) -> Any:  # noqa: ANN401 - a pyarrow array or None
        """Whole-column tokens of ``name`` in the rows where ``rows`` holds, then one null, or
        ``None`` (a column type or category the whole-column path does not read)."""
        array = self.arrow(name)
        return None if array is None else arrow_rows_tokens(array, rows, keys, domain, category)

    def tokens(self, name: str, keys: KeyRing, domain: str, category: str | None) -> Any:  # noqa: ANN401
        """Whole-column tokens of ``factor(name)``'s values, then one null, or ``None``."""
        distinct = self._distinct.get(name)
        return None if distinct is None else arrow_tokens(distinct, keys, domain, category)

    def result(self, outcome: Outcome, schema: pa.Schema | None = None) -> tuple[Any, Any]:
        """The allowed table (of ``schema`` when given: a stream's fixed output types) and the
        rejected table."""
        return allowed_table(self.table, outcome, schema), rejected_table(outcome)


#: The columns of every ``rejected`` table.
REJECTED_SCHEMA: Final = pa.schema(
    [("row", pa.int64()), ("code", pa.string()), ("article", pa.string())]
)


def allowed_table(table: pa.Table, outcome: Outcome, schema: pa.Schema | None = None) -> pa.Table:
    """The rows of ``table`` the outcome allows, its output columns: kept columns with the cells
    dropped for one row null, transformed columns from their distinct values (or the backend's
    own array of them). With ``schema``, every column takes its type."""
    kept = table.filter(pa.array(outcome.allowed, type=pa.bool_()))
    types = list(schema.types) if schema is not None else [None] * len(outcome.columns)
    names: list[str] = []
    arrays: list[Any] = []
    for col, want in zip(outcome.columns, types, strict=True):
        names.append(col.name)
        if isinstance(col, Kept):
            array = kept.column(col.name)
            if col.nulls is not None:
                null = pa.scalar(None, want if want is not None else array.type)
                array = pc.if_else(pa.array(col.nulls, type=pa.bool_()), null, array)
            arrays.append(array)
            continue
        values = col.native if col.native is not None else pa.array(col.values, type=want)
        if want is not None and values.type != want:
            values = values.cast(want)
        arrays.append(values.take(pa.array(col.codes, type=pa.int64())))
    if not arrays:
        return kept.select([])
    if schema is not None:
        return pa.Table.from_arrays(arrays, schema=schema)
    return pa.table(arrays, names=names)


def rejected_table(outcome: Outcome, start: int = 0) -> pa.Table:
    """The denied rows (``row`` counted from ``start``), their code and article."""
    rows = np.asarray(outcome.denied_rows, dtype=np.int64) + start
    return pa.Table.from_arrays(
        [
            pa.array(rows, type=pa.int64()),
            pa.array(outcome.denied_codes, type=pa.string()),
            pa.array(outcome.denied_articles, type=pa.string()),
        ],
        schema=REJECTED_SCHEMA,
    )
