"""The Arrow kernels of ``gdprkit.frames._vector`` equal their reading rules value for value."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdprkit._values import subject_key
from gdprkit.frames._vector import ASCII_WHITESPACE, canonical_keys, missing_keys

#: Characters that meet the rule's edges: every ASCII space (0x1c-0x1f too), digits, dots,
#: signs, Unicode spaces and a combining accent (NFC), and letters.
_EDGES = ASCII_WHITESPACE + "0123456789.-+eE_aZ\u00a0\u2003\u3000\u0301\u00e9\u1680"
texts = st.one_of(st.text(alphabet=_EDGES, max_size=12), st.text(max_size=12))


@settings(deadline=None)
@given(st.lists(st.one_of(st.none(), texts), max_size=30))
def test_text_keys_equal_subject_key(values: list[str | None]) -> None:
    for kind in (pa.string(), pa.large_string(), pa.string_view()):
        got = canonical_keys(pa.array(values, type=kind))
        assert got is not None
        assert got.to_pylist() == [subject_key(v) for v in values]
        missing = missing_keys(pa.array(values, type=kind))
        assert missing is not None
        assert missing.tolist() == [subject_key(v) is None for v in values]


@settings(deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)), max_size=30))
def test_integer_keys_equal_subject_key(values: list[int | None]) -> None:
    got = canonical_keys(pa.array(values, type=pa.int64()))
    assert got is not None
    assert got.to_pylist() == [subject_key(v) for v in values]
    missing = missing_keys(pa.array(values, type=pa.int64()))
    assert missing is not None
    assert missing.tolist() == [v is None for v in values]


@pytest.mark.parametrize(
    ("value", "key"),
    [
        (" 1001.0\n", "1001"),
        ("1001.00", "1001"),
        ("1001.5", "1001.5"),
        ("\x1c\x1f", None),
        ("", None),
        ("  C-1 ", "C-1"),
        ("e\u0301", "\u00e9"),  # NFC
        ("\u3000C-2\u3000", "C-2"),  # Unicode space
    ],
)
def test_table(value: str, key: str | None) -> None:
    got = canonical_keys(pa.array([value]))
    assert got is not None
    assert got.to_pylist() == [key] == [subject_key(value)]


def test_dictionary_and_chunked_columns() -> None:
    chunked = pa.chunked_array([["1001.0", " a "], [None, "b"]]).dictionary_encode()
    got = canonical_keys(chunked)
    assert got is not None
    assert got.to_pylist() == ["1001", "a", None, "b"]


@pytest.mark.parametrize("kind", [pa.float64(), pa.bool_(), pa.date32(), pa.binary()])
def test_other_types_are_left_to_the_rule(kind: pa.DataType) -> None:
    assert canonical_keys(pa.array([None], type=kind)) is None
    assert missing_keys(pa.array([None], type=kind)) is None
