"""pandas: factorise columns for the executor, build the result frames."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np

from gdprkit.frames._hash import arrow_rows_tokens, arrow_tokens, available
from gdprkit.frames._plan import Factor, Kept, Outcome

if TYPE_CHECKING:
    from gdprkit._pseudonymise import KeyRing

__all__ = ["PandasBackend"]

# pandas ships no type information: it is Any at this boundary.
pd: Any = importlib.import_module("pandas")
Frame: TypeAlias = Any

_NONE = type(None)
#: The dtype pandas gives a column of text by default (``str``, Arrow-backed, from pandas 3),
#: or ``None`` where that is ``object`` (pandas 2): tokens then become Python strings.
_TEXT: Any = pd.Series(["text"]).dtype
if not isinstance(_TEXT, pd.StringDtype) or getattr(_TEXT, "storage", None) != "pyarrow":
    _TEXT = None


class PandasBackend:
    """A pandas ``DataFrame`` as the executor reads it."""

    def __init__(self, frame: Frame) -> None:
        self.frame = frame
        self.rows = len(frame)
        self._distinct: dict[str, Any] = {}  # name -> its factor's distinct values

    def labels(self) -> list[object]:
        return list(self.frame.columns)

    def factor(self, name: str) -> Factor:
        series = self.frame[name]
        if series.dtype == object:
            kinds = set(map(type, series)) - {_NONE}
            if len(kinds) > 1:
                # Values of different types may compare equal (1 == 1.0 == True) and yet read
                # differently (a bool is no subject id): distinct by type as well as value.
                return _exact(series)
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        self._distinct[name] = uniques
        values: list[object] = (
            list(uniques.tolist()) if hasattr(uniques, "tolist") else list(uniques)
        )
        values.append(None)
        out = np.asarray(codes, dtype=np.intp).copy()
        out[out < 0] = len(values) - 1
        return Factor(out, values)

    def arrow(self, name: str) -> Any:  # noqa: ANN401 - a pyarrow array or None
        """Column ``name`` as an Arrow array when it holds only text or only integers (missing
        cells aside), or ``None``: an object column of mixed types, floats, dates are
        factorised, so nothing is converted that the row path would read otherwise."""
        if not available():
            return None
        series = self.frame[name]
        kind = series.dtype
        if kind is np.dtype(object):
            kinds = set(map(type, series))
            if not (kinds <= {str, _NONE} or kinds <= {int, _NONE}):
                return None
        elif not (pd.api.types.is_string_dtype(kind) or pd.api.types.is_integer_dtype(kind)):
            return None
        import pyarrow as pa  # noqa: PLC0415 - available(): installed

        try:
            return pa.array(series, from_pandas=True)
        except (pa.ArrowException, TypeError, ValueError, OverflowError):
            return None

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
        if distinct is None or not available():
            return None
        import pyarrow as pa  # noqa: PLC0415 - available(): installed

        try:
            array = pa.array(distinct, from_pandas=True)
        except (pa.ArrowException, TypeError, ValueError, OverflowError):
            return None
        return arrow_tokens(array, keys, domain, category)

    def result(self, outcome: Outcome) -> tuple[Any, Any]:
        allowed = self.frame.loc[outcome.allowed]
        data: dict[str, Any] = {}
        for col in outcome.columns:
            if isinstance(col, Kept):
                series = allowed[col.name]
                data[col.name] = series if col.nulls is None else series.where(~col.nulls, None)
            elif col.native is not None and _TEXT is not None:
                # Tokens as pandas' own text dtype, straight from the Arrow buffers.
                tokens = col.native.take(col.codes)
                data[col.name] = pd.Series(pd.array(tokens, dtype=_TEXT), index=allowed.index)
            elif col.native is not None:
                table = col.native.to_numpy(zero_copy_only=False)
                data[col.name] = pd.Series(table[col.codes], index=allowed.index, dtype=object)
            else:
                table = np.empty(len(col.values), dtype=object)
                table[:] = col.values
                data[col.name] = pd.Series(table[col.codes], index=allowed.index, dtype=object)
        out = pd.DataFrame(data, index=allowed.index)
        if not data:
            out = pd.DataFrame(index=allowed.index)
        rejected = pd.DataFrame(
            {
                "row": pd.Series(outcome.denied_rows, dtype="int64"),
                "code": pd.Series(outcome.denied_codes, dtype=object),
                "article": pd.Series(outcome.denied_articles, dtype=object),
            }
        )
        return out, rejected


def _exact(series: Frame) -> Factor:
    """Factorise by (type, value), one pass in Python: for object columns of mixed types."""
    index: dict[tuple[type, object], int] = {}
    values: list[object] = []
    codes = np.empty(len(series), dtype=np.intp)
    for i, value in enumerate(series.tolist()):
        try:
            key = (type(value), value)
            code = index.get(key)
        except TypeError:  # unhashable: a code of its own
            code, key = None, None
        if code is None:
            code = len(values)
            values.append(value)
            if key is not None:
                index[key] = code
        codes[i] = code
    return Factor(codes, values)
