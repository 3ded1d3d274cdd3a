"""Reading rules as Arrow compute kernels, for columns where a Python call per value would be
most of the work (a million distinct customer ids).

Each function here equals its rule in :mod:`gdprkit._values` value for value: the kernels handle
the common case (ASCII text, integers) and hand every other value to the rule itself, so the
rule stays in one place. ``tests/frames/test_vector.py`` holds each equal to its rule by
hypothesis properties. A function answers ``None`` for a column type it does not read; the
executor then factorises the column and calls the rule once per distinct value.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gdprkit._values import subject_key

__all__ = ["canonical_keys", "missing_keys"]

#: What ``str.strip()`` removes from ASCII text (``str.isspace``: also the separators 0x1c-0x1f).
ASCII_WHITESPACE: Final = "".join(chr(c) for c in range(128) if chr(c).isspace())
#: ``subject_key``'s ``_ZERO_FRACTION`` (``1001.0`` is the subject ``1001``), as RE2.
_ZERO_FRACTION: Final = r"^([0-9]+)\.0+$"


def _text(array: Any) -> Any | None:  # noqa: ANN401 - pyarrow objects
    """``array`` as one plain ``string`` array, or ``None`` when it does not hold text."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    kind = array.type
    if pa.types.is_dictionary(kind):
        array = array.cast(kind.value_type)
        kind = array.type
    if pa.types.is_string(kind):
        return array
    if pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        return array.cast(pa.string())
    return None


def canonical_keys(array: Any) -> Any | None:  # noqa: ANN401 - pyarrow objects
    """:func:`gdprkit._values.subject_key` of each value of ``array`` (null: no id), as a
    ``string`` array; ``None`` for a column type not read here (floats, dates, bools...)."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_integer(array.type):
        digits: Any = pc.cast(array, pa.string())  # int.__repr__: the decimal digits
        return digits
    text = _text(array)
    if text is None:
        return None
    trimmed = pc.utf8_trim(text, characters=ASCII_WHITESPACE)
    fixed = pc.replace_substring_regex(trimmed, pattern=_ZERO_FRACTION, replacement=r"\1")
    keys = pc.if_else(pc.equal(pc.binary_length(fixed), 0), pa.scalar(None, pa.string()), fixed)
    wide = pc.invert(pc.fill_null(pc.string_is_ascii(text), fill_value=True))
    if pc.any(wide).as_py():
        # Text that is not ASCII: the rule itself (Unicode whitespace, NFC), those values only.
        found = [subject_key(v) for v in pc.filter(text, wide).to_pylist()]
        keys = pc.replace_with_mask(keys, wide, pa.array(found, type=pa.string()))
    return keys


def missing_keys(array: Any) -> np.ndarray[Any, np.dtype[np.bool_]] | None:  # noqa: ANN401
    """Whether :func:`gdprkit._values.subject_key` of each value of ``array`` is ``None`` (no
    id), without making the keys; ``None`` for a column type not read here."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_integer(array.type):
        nulls: np.ndarray[Any, np.dtype[np.bool_]] = np.asarray(
            array.is_null().to_numpy(zero_copy_only=False), dtype=np.bool_
        )
        return nulls
    text = _text(array)
    if text is None:
        return None
    # "1001.0" becomes "1001", never blank: only the trimmed text's length matters.
    trimmed = pc.utf8_trim(text, characters=ASCII_WHITESPACE)
    blank = pc.fill_null(pc.equal(pc.binary_length(trimmed), 0), fill_value=True)
    missing = np.asarray(blank.to_numpy(zero_copy_only=False), dtype=np.bool_).copy()
    wide = pc.invert(pc.fill_null(pc.string_is_ascii(text), fill_value=True))
    if pc.any(wide).as_py():
        where = np.flatnonzero(np.asarray(wide.to_numpy(zero_copy_only=False), dtype=np.bool_))
        values = pc.filter(text, wide).to_pylist()
        missing[where] = [subject_key(v) is None for v in values]
    return missing
