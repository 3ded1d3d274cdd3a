"""pyarrow: factorise columns for the executor, build the result tables."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gdprkit._errors import ConfigurationError
from gdprkit.frames._plan import Factor, Kept, Outcome

__all__ = ["ArrowBackend"]


class ArrowBackend:
    """A pyarrow ``Table`` as the executor reads it."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table
        self.rows = int(table.num_rows)

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
        return Factor(codes, values)

    def result(self, outcome: Outcome) -> tuple[Any, Any]:
        allowed = self.table.filter(pa.array(outcome.allowed, type=pa.bool_()))
        names: list[str] = []
        arrays: list[Any] = []
        for col in outcome.columns:
            names.append(col.name)
            if isinstance(col, Kept):
                array = allowed.column(col.name)
                if col.nulls is not None:
                    array = pc.if_else(
                        pa.array(col.nulls, type=pa.bool_()), pa.scalar(None, array.type), array
                    )
                arrays.append(array)
            else:
                table = pa.array(col.values)
                arrays.append(table.take(pa.array(col.codes, type=pa.int64())))
        out = pa.table(arrays, names=names) if names else allowed.select([])
        rejected = pa.table(
            {
                "row": pa.array(outcome.denied_rows, type=pa.int64()),
                "code": pa.array(outcome.denied_codes, type=pa.string()),
                "article": pa.array(outcome.denied_articles, type=pa.string()),
            }
        )
        return out, rejected
