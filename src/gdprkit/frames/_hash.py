"""Tokens for a whole column at once: the row path's tokens, byte for byte, without a Python
call per value.

The token construction is the row path's (:mod:`gdprkit._pseudonymise._tokens`):
``key_id + ":" + hex(HMAC-SHA256(k, text)[:16])`` with ``k = keys.token_key(domain)``, the
lowercase hex text of the derived key, which is what ``polars-hash``'s ``chash.hmac_sha256``
takes as its key (design §7). The column is split into one chunk per thread of polars' pool
(polars works on the chunks in parallel). ``text`` is the category's normaliser output
(:mod:`gdprkit._pseudonymise._normalise`): for ASCII text every normaliser but the IP address
one is a string expression; text that is not ASCII is normalised by the Python normaliser,
those values only. Spark's built-in token path normalises with the same functions
(:func:`arrow_normalised`) before Spark's ``hmac``. Without ``polars`` and ``polars-hash``
(or for a column type or a category not written here) :func:`tokens` answers ``None`` and the
executor makes the tokens value by value, as before.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

from gdprkit._pseudonymise._normalise import normaliser_for, normaliser_kind

if TYPE_CHECKING:
    from gdprkit._pseudonymise import KeyRing

__all__ = [
    "arrow_normalised",
    "arrow_rows_tokens",
    "arrow_tokens",
    "available",
    "column_tokens",
    "normalised",
    "series_tokens",
    "tokens",
]

_TOKEN_HEX: Final = 32  # 16 bytes, as in the row path
_CHUNK_ROWS: Final = 16_384  # the fewest rows worth a thread of their own
#: The Unicode White_Space characters that are ASCII (the only ones ASCII text can hold).
_WS: Final = "\t\n\x0b\x0c\r "
_WS_CLASS: Final = r"[\t\n\x0B\x0C\r ]"
#: The normaliser kinds written here as string expressions (ASCII text).
_KINDS: Final = frozenset({"default", "email", "name", "phone", "codice_fiscale", "partita_iva"})
#: normalise_phone's _PHONE_SHAPE for ASCII text (the Unicode dashes cannot occur in it).
_PHONE_SHAPE: Final = r"^[\t\n\x0B\x0C\r (\[]*\+?[0-9\t\n\x0B\x0C\r .\-()\[\]]*$"
#: The characters other than digits that text of that shape can hold: removing them (one
#: Aho-Corasick pass, faster than a regex) leaves its digits.
_PHONE_MARKS: Final = (*_WS, "(", ")", "[", "]", "+", ".", "-")


def _modules() -> tuple[Any, Any, Any] | None:
    """``polars``, ``polars_hash`` and ``pyarrow``, or ``None`` when one is not installed."""
    try:
        pl = importlib.import_module("polars")
        plh = importlib.import_module("polars_hash")
        pa = importlib.import_module("pyarrow")
    except ImportError:
        return None
    return pl, plh, pa


def available() -> bool:
    """Whether whole-column tokens can be made here (``polars``, ``polars-hash``, ``pyarrow``)."""
    return _modules() is not None


def _ascii_normalised(pl: Any, text: Any, kind: str) -> Any:  # noqa: ANN401 - polars objects
    """The expression that normalises ASCII ``text`` as the Python normaliser of ``kind``."""
    if kind == "email":
        return text.str.strip_chars(_WS).str.to_lowercase()
    if kind == "name":
        return text.str.replace_all(_WS_CLASS + "+", " ").str.strip_chars(" ").str.to_lowercase()
    if kind == "codice_fiscale":
        return text.str.replace_all(_WS_CLASS + "+", "").str.to_uppercase()
    if kind == "partita_iva":
        return text.str.replace_all(_WS_CLASS + "+", "").str.to_uppercase().str.strip_prefix("IT")
    if kind == "phone":
        return (
            pl.when(text.str.contains(_PHONE_SHAPE))
            .then(_phone_digits(text))
            .otherwise(text.str.strip_chars(_WS))
        )
    return text.str.strip_chars(_WS)


def _phone_digits(text: Any) -> Any:  # noqa: ANN401 - polars objects
    """The digits of ``text`` without a leading ``00``, for text of the phone shape only."""
    marks = list(_PHONE_MARKS)
    return text.str.replace_many(marks, [""] * len(marks)).str.strip_prefix("00")


def normalised(series: Any, category: str | None) -> Any | None:  # noqa: ANN401
    """``series`` (polars) normalised for ``category`` as the row path's normaliser would (null
    for what it cannot read), or ``None`` when this module does not write that normaliser or
    reads that column type."""
    mods = _modules()
    if mods is None:
        return None
    pl = mods[0]
    kind = normaliser_kind(category)
    if kind not in _KINDS:
        return None
    dtype = series.dtype
    if dtype.is_integer():
        text = series.cast(pl.String)  # to_text: the decimal digits
        ascii_only = True
    elif dtype == pl.String:
        text = series
        ascii_only = False
    else:
        return None
    frame = pl.DataFrame({"t": text})
    col = pl.col("t")
    out = frame.select(_ascii_normalised(pl, col, kind).alias("t")).get_column("t")
    if not ascii_only:
        wide = (text.str.len_bytes() != text.str.len_chars()).fill_null(value=False)
        where = wide.arg_true()
        if len(where):
            normalise = normaliser_for(category)
            found: list[str | None] = []
            for value in text.gather(where).to_list():
                try:
                    found.append(normalise(value))
                except Exception:  # as the row path: a value it cannot read has no token
                    found.append(None)
            out = out.scatter(where, pl.Series(found, dtype=pl.String))
    blank = pl.col("t").str.len_bytes() == 0  # blank text is unreadable: no token
    return out.to_frame("t").select(pl.when(~blank).then(pl.col("t"))).get_column("t")


def _chunked(pl: Any, frame: Any) -> Any:  # noqa: ANN401 - polars objects
    """``frame`` in one chunk per thread of polars' pool: polars hashes chunks in parallel."""
    parts = max(1, min(pl.thread_pool_size(), frame.height // _CHUNK_ROWS))
    if parts == 1:
        return frame
    size = -(-frame.height // parts)
    return pl.concat([frame.slice(i, size) for i in range(0, frame.height, size)], rechunk=False)


def tokens(texts: Any, keys: KeyRing, domain: str) -> Any | None:  # noqa: ANN401
    """The token of each normalised text in ``texts`` (a polars String series; null stays null)
    as a polars String series, or ``None`` when ``polars-hash`` is not installed."""
    mods = _modules()
    if mods is None:
        return None
    pl = mods[0]
    key = keys.token_key(domain).decode("ascii")  # polars-hash keys HMAC with text: §7
    frame = _chunked(pl, texts.rename("t").to_frame())
    mac = pl.col("t").chash.hmac_sha256(key=key)  # null text: null token
    return frame.select(
        (pl.lit(keys.active + ":") + mac.str.slice(0, _TOKEN_HEX)).alias("t")
    ).get_column("t")


def _ascii_tokens(
    pl: Any,  # noqa: ANN401 - the polars module
    series: Any,  # noqa: ANN401 - a polars series
    keys: KeyRing,
    domain: str,
    category: str | None,
) -> Any | None:  # noqa: ANN401
    """:func:`normalised` then :func:`tokens` as polars expressions, when every value is ASCII
    (the common case); ``None`` otherwise (the caller takes the two steps, with the Python
    normaliser for the values that are not)."""
    kind = normaliser_kind(category)
    if kind not in _KINDS:
        return None
    if series.dtype.is_integer():
        text = series.cast(pl.String)  # to_text: the decimal digits
    elif series.dtype == pl.String:
        if (series.str.len_bytes() != series.str.len_chars()).any():  # null: not counted
            return None
        text = series
    else:
        return None
    # Split across polars' threads; one lazy query, whose common-subexpression elimination
    # normalises each value once although the text is used twice (its length, its HMAC).
    frame = _chunked(pl, text.rename("t").to_frame()).lazy()
    normal = _ascii_normalised(pl, pl.col("t"), kind)
    mac = normal.chash.hmac_sha256(key=keys.token_key(domain).decode("ascii"))
    token = pl.lit(keys.active + ":") + mac.str.slice(0, _TOKEN_HEX)
    blank = normal.str.len_bytes() == 0  # blank text is unreadable: no token
    return frame.select(pl.when(~blank).then(token).alias("t")).collect().get_column("t")


def series_tokens(series: Any, keys: KeyRing, domain: str, category: str | None) -> Any | None:  # noqa: ANN401
    """The row path's ``token`` transform of each value of ``series`` (polars), as a polars
    ``String`` series followed by one null, or ``None`` when this path cannot make them (the
    caller makes them value by value: a polars-hash that does not load in this polars, say)."""
    mods = _modules()
    if mods is None:
        return None
    pl, _plh, pa = mods
    try:
        found = _ascii_tokens(pl, series, keys, domain, category)
        if found is None:
            text = normalised(series, category)
            found = None if text is None else tokens(text, keys, domain)
        if found is None or found.null_count() == len(found):
            return None  # no token at all: the value-by-value path types that column itself
        return found.extend(pl.Series([None], dtype=pl.String))
    except (pl.exceptions.PolarsError, pa.ArrowException):
        return None


def column_tokens(series: Any, keys: KeyRing, domain: str, category: str | None) -> Any | None:  # noqa: ANN401
    """:func:`series_tokens` as an Arrow ``string`` array (the last value null), or ``None``."""
    found = series_tokens(series, keys, domain, category)
    if found is None:
        return None
    pa = importlib.import_module("pyarrow")
    return found.to_arrow().cast(pa.string())


def _plain(pa: Any, array: Any) -> Any:  # noqa: ANN401 - pyarrow objects
    """``array`` as one Arrow array of its values (chunks combined, a dictionary decoded)."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_dictionary(array.type):
        array = array.cast(array.type.value_type)
    return array


def _series(array: Any) -> Any | None:  # noqa: ANN401 - pyarrow and polars objects
    """A pyarrow array as a polars series, or ``None`` (polars not installed, or a type it
    cannot take)."""
    mods = _modules()
    if mods is None:
        return None
    pl, _plh, pa = mods
    try:
        series = pl.from_arrow(_plain(pa, array))
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return None
    return series if isinstance(series, pl.Series) else None


def arrow_tokens(array: Any, keys: KeyRing, domain: str, category: str | None) -> Any | None:  # noqa: ANN401
    """:func:`column_tokens` of a pyarrow array (the distinct values of a column)."""
    series = _series(array)
    return None if series is None else column_tokens(series, keys, domain, category)


def arrow_normalised(array: Any, category: str | None) -> Any | None:  # noqa: ANN401
    """:func:`normalised` of a pyarrow array, as an Arrow ``string`` array (null where the row
    path's token transform makes no token), or ``None`` when this module cannot (polars is not
    installed, a column type or a normaliser not written here): the caller normalises per
    value."""
    mods = _modules()
    series = None if mods is None else _series(array)
    if mods is None or series is None:
        return None
    pl, _plh, pa = mods
    try:
        found = normalised(series, category)
        return None if found is None else found.to_arrow().cast(pa.string())
    except (pl.exceptions.PolarsError, pa.ArrowException):
        return None


def arrow_rows_tokens(
    array: Any,  # noqa: ANN401 - pyarrow objects
    rows: Any,  # noqa: ANN401 - a numpy bool array
    keys: KeyRing,
    domain: str,
    category: str | None,
) -> Any | None:  # noqa: ANN401
    """:func:`column_tokens` of the values of ``array`` (pyarrow) where ``rows`` holds."""
    mods = _modules()
    if mods is None:
        return None
    pa = mods[2]
    array = _plain(pa, array)
    return arrow_tokens(array.filter(pa.array(rows, type=pa.bool_())), keys, domain, category)
