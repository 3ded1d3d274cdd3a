"""pyarrow: factorise columns for the executor, build the result tables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gdprkit._errors import ConfigurationError
from gdprkit.frames._hash import arrow_tokens
from gdprkit.frames._plan import Factor, Kept, Outcome

if TYPE_CHECKING:
    from gdprkit._pseudonymise import KeyRing

__all__ = ["ArrowBackend"]


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

    def tokens(self, name: str, keys: KeyRing, domain: str, category: str | None) -> Any:  # noqa: ANN401
        """Whole-column tokens of ``factor(name)``'s values, then one null, or ``None``."""
        distinct = self._distinct.get(name)
        return None if distinct is None else arrow_tokens(distinct, keys, domain, category)

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
            elif col.native is not None:
                arrays.append(col.native.take(pa.array(col.codes, type=pa.int64())))
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
