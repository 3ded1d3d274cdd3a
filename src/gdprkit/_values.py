"""How a value of a record is read: missing, flags, subject keys, choices, numbers.

One module owns these rules (design.md §6 "Reading values") and every face and engine uses it:
the row engine, ``validate``, ``enforce``, sweeps, ``sweep_table``, ``import_consents``, the
ledgers and the columnar engines. Dates are read by :mod:`gdprkit._time` with the same rules
(missing means missing, nothing completed from the clock).

* **Missing means missing**, whatever spells it: ``None``, NaN, pandas ``NaT`` and ``NA``, empty or
  whitespace-only text.
* numpy and pandas scalars read as their Python values (:func:`plain`): a ``numpy.bool_`` true
  flag is a true flag. Neither library is imported here: their scalars are recognised by type.
* **One canonical subject key** (:func:`subject_key`): text trimmed and in Unicode NFC; an
  integral number as its decimal digits. ``1001``, ``1001.0``, ``"1001"`` and ``" 1001\\n"`` are
  one subject; a bool, a non-integral number or a missing value is no id.
* **One flag reader** (:func:`read_flag`, :func:`flag_value`): ``True``/1 or text
  ``true/yes/sì/si/1`` in any case; ``False``/0 or ``false/no/0``; Unicode compatibility forms
  (a long s before ``i``) are not folded into yes.

No function here runs a method of a ``str`` subclass or a hostile ``__str__``: text is read as
plain ``str`` data.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Final
from uuid import UUID

__all__ = [
    "MISSING_TYPES",
    "choice_key",
    "flag_value",
    "is_missing",
    "plain",
    "plain_text",
    "read_flag",
    "subject_key",
]

# Type names of the missing-value singletons of pandas (and numpy's NaT), by module prefix, so
# that neither library is imported to recognise them.
MISSING_TYPES: Final = frozenset({"NaTType", "NAType"})


def _foreign(value: object) -> bool:
    """Whether ``value`` is a numpy/pandas scalar (its type lives in one of those libraries)."""
    module = type(value).__module__
    return module.startswith(("numpy", "pandas"))


def plain(value: object) -> object:
    """``value`` as a plain Python value: numpy/pandas scalars unwrapped, their missing values
    (``NaT``, ``NA``, ``numpy.datetime64('NaT')``) as ``None``. Anything else as it is.

    ``pandas.Timestamp`` is a ``datetime`` and stays one (``NaT`` does not: it is missing).
    """
    if not _foreign(value):
        return value
    cls = type(value)
    if cls.__name__ in MISSING_TYPES:
        return None
    if isinstance(value, datetime):  # pandas.Timestamp (NaT was handled above)
        return value
    name = cls.__name__
    try:
        if name == "datetime64":
            if value != value:  # noqa: PLR0124 - numpy NaT compares unequal to itself
                return None
            return value.astype("datetime64[us]").item()  # type: ignore[attr-defined]
        if name == "timedelta64":
            return None if value != value else value  # noqa: PLR0124 - NaT
        item = getattr(value, "item", None)
        if item is None:
            return value
        result = item()
    except Exception:  # a scalar that cannot be read as a Python value: unreadable, not a guess
        return value
    if isinstance(result, float) and math.isnan(result):
        return None
    return result


def plain_text(value: str) -> str:
    """The plain text of a ``str`` or ``str`` subclass (none of the subclass's methods run)."""
    return value if type(value) is str else str.__str__(value)


def is_missing(value: object) -> bool:
    """Whether a record value counts as absent: ``None``, NaN, ``NaT``, ``NA``, blank text."""
    if value is None:
        return True
    cls = type(value)
    if cls is str:
        return not value.strip()  # type: ignore[attr-defined]
    if cls is int or cls is bool or cls is datetime or cls is date:
        return False
    if cls is float:
        return math.isnan(value)  # type: ignore[arg-type]
    if isinstance(value, str):
        return not str.__str__(value).strip()
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, Decimal):
        return value.is_nan()
    if _foreign(value):
        return plain(value) is None
    return False


# --------------------------------------------------------------------------------------------
# Subject keys.


#: No subject id is longer than this many digits (a Decimal such as 1E+999999 is not an id, and
#: turning it into an int would take minutes).
_MAX_ID_DIGITS: Final = 256


# Text of an integer with a zero fraction, as spreadsheets and pandas write an integer column
# that has a gap (it became a float column): ``1001.0`` is the subject ``1001``.
_ZERO_FRACTION: Final = re.compile(r"[0-9]+\.0+")


def _integral_digits(value: int | float | Decimal) -> str | None:
    """An integral number as its decimal digits; ``None`` for a non-integral or unreadable one."""
    try:
        if isinstance(value, int):
            return int.__repr__(value)
        if isinstance(value, float):
            if not math.isfinite(value) or not value.is_integer() or abs(value) >= 1e256:
                return None
            return int.__repr__(int(value))
        if not value.is_finite() or value.adjusted() > _MAX_ID_DIGITS:
            return None
        if value != value.to_integral_value():
            return None
        return int.__repr__(int(value))
    except (ValueError, OverflowError, InvalidOperation):  # beyond the int-to-text digit limit
        return None


def subject_key(value: object) -> str | None:
    """The canonical form of a subject id, as every ledger write and look-up uses it.

    Text: trimmed, Unicode NFC; digits with a zero fraction (``"1001.0"``) as the digits. An
    integral number (``int``, an integral ``float`` or ``Decimal``, numpy integers): its decimal
    digits. ``None`` (no id: the caller denies ``record.invalid``) for a missing value, a bool,
    a non-integral number, text that is not valid Unicode, and anything whose text cannot be
    read.
    """
    if value.__class__ is str and value.isascii():
        # The common case, the same rule: plain ASCII text has nothing to normalise.
        text = value.strip()
        if "." in text and _ZERO_FRACTION.fullmatch(text):
            return text[: text.index(".")]
        return text or None
    value = plain(value)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = str.__str__(value).strip()
    elif isinstance(value, int | float | Decimal):
        return _integral_digits(value)
    elif isinstance(value, UUID):
        text = str(value)
    else:  # a date, bytes, a complex number, a container: not an id a person is looked up by
        return None
    if not text:
        return None
    if _ZERO_FRACTION.fullmatch(text):  # "1001.0": an integer column with a gap, as text
        text = text[: text.index(".")]
    try:
        if not text.isascii():
            text = unicodedata.normalize("NFC", text)
        text.encode("utf-8")
    except (UnicodeError, ValueError):  # lone surrogates
        return None
    return text


# --------------------------------------------------------------------------------------------
# Flags.

_TRUE: Final = frozenset({"true", "yes", "sì", "si", "1"})
_FALSE: Final = frozenset({"false", "no", "0"})
# Letters a flag word may be spelt with before its case is folded: the words above and their
# upper case, nothing that a compatibility folding would turn into one of them (long s,
# dotless i).
_FLAG_CHARS: Final = frozenset("truefalsyesinoTRUEFALSYESINO01ìÌ")


def flag_value(value: object) -> bool | None:
    """A consent flag read strictly: ``True``, ``False``, or ``None`` when it is neither.

    Yes: ``True``, 1, text ``true/yes/sì/si/1`` in any case. No: ``False``, 0, text
    ``false/no/0``. Missing values are ``None`` too (the caller decides what missing means).
    """
    value = plain(value)
    if value is True:
        return True
    if value is False or value is None:
        return None if value is None else False
    if isinstance(value, str):
        text = str.__str__(value).strip()
        if not text.isascii():
            text = unicodedata.normalize("NFC", text)
        if not text or any(ch not in _FLAG_CHARS for ch in text):
            return None
        word = text.lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        return None
    if isinstance(value, int | float | Decimal):
        if isinstance(value, Decimal) and value.is_nan():
            return None
        if value == 1:
            return True
        if value == 0:
            return False
    return None


def read_flag(value: object) -> bool:
    """Whether a consent flag says yes. Anything that is not a yes (a no, ``x``, missing) is no."""
    if value is True:
        return True
    return flag_value(value) is True


# --------------------------------------------------------------------------------------------
# Choices (``when`` and ``sources``).


def choice_key(value: object) -> str | None:
    """How ``when`` and ``sources`` compare values: text trimmed, NFC, case-folded; numbers as
    their text; ``None`` for a missing or unreadable value (it matches no listed value)."""
    value = plain(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        text = str.__str__(value).strip()
        if not text:
            return None
        return unicodedata.normalize("NFC", text).lower()
    if isinstance(value, int | float) and not (isinstance(value, float) and math.isnan(value)):
        try:
            text = int.__repr__(value) if isinstance(value, int) else float.__repr__(value)
        except ValueError:  # an int beyond the int-to-text digit limit matches no listed value
            return None
        return text.casefold()
    return None
