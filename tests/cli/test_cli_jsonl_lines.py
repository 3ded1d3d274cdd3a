"""JSON Lines written column by column (the columnar path of ``gdprkit enforce``) are the bytes
``json.dumps`` writes row by row: escapes, nulls, integers, and fields dropped for one row."""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from gdprkit._cli_columnar import BatchWriter, _jsonl_lines

#: Characters json.dumps escapes (every control character, quote, backslash) and some it does not.
_ALPHABET = st.sampled_from(
    [chr(c) for c in range(0x20)] + ['"', "\\", "/", "\x7f", "a", " ", "é", "\u2028", "😀", "'"]
)
_TEXT = st.text(_ALPHABET, max_size=8) | st.none()
_NAMES = st.text(st.sampled_from(["a", "b", '"', "\\", "\n", "é"]), min_size=1, max_size=3)


def _by_rows(names: list[str], columns: list[list[Any]], dropped: dict[str, list[bool]]) -> bytes:
    out = []
    for i in range(len(columns[0]) if columns else 0):
        record = {
            n: col[i]
            for n, col in zip(names, columns, strict=True)
            if not dropped.get(n, [False] * (i + 1))[i]
        }
        out.append(json.dumps(record, ensure_ascii=False, default=str) + "\n")
    return "".join(out).encode("utf-8")


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_column_by_column_equals_json_dumps(data: st.DataObject) -> None:
    names = data.draw(st.lists(_NAMES, min_size=1, max_size=4, unique=True))
    rows = data.draw(st.integers(1, 12))
    columns: list[list[Any]] = []
    arrays = []
    for _ in names:
        if data.draw(st.booleans()):
            values = data.draw(st.lists(_TEXT, min_size=rows, max_size=rows))
            arrays.append(pa.array(values, type=pa.string()))
        else:
            values = data.draw(
                st.lists(st.integers(-(2**63), 2**63 - 1) | st.none(), min_size=rows, max_size=rows)
            )
            arrays.append(pa.array(values, type=pa.int64()))
        columns.append(values)
    table = pa.Table.from_arrays(arrays, names=names)
    dropped = {
        n: data.draw(st.lists(st.booleans(), min_size=rows, max_size=rows))
        for n in names
        if data.draw(st.booleans())
    }
    masks = {n: np.array(m, dtype=bool) for n, m in dropped.items()}
    got = _jsonl_lines(table, names, masks)
    assert got is not None
    assert bytes(got) == _by_rows(names, columns, dropped)

    # and through the writer, which also writes the rows of other column types row by row
    buffer = io.BytesIO()
    writer = BatchWriter("jsonl", buffer, names, table.schema)
    writer.write(table, masks)
    writer.close()
    assert buffer.getvalue() == _by_rows(names, columns, dropped)


def test_other_column_types_are_left_to_json_dumps() -> None:
    table = pa.table({"x": pa.array([1.5, None]), "y": pa.array(["a", None])})
    assert _jsonl_lines(table, ["x", "y"], {}) is None
    buffer = io.BytesIO()
    writer = BatchWriter("jsonl", buffer, ["x", "y"], table.schema)
    writer.write(table, {"y": np.array([True, False])})
    writer.close()
    assert buffer.getvalue() == b'{"x": 1.5}\n{"x": null, "y": null}\n'
