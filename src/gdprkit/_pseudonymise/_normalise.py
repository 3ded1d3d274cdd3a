"""Normalisers: the text a value is tokenised as, so one person gives one token everywhere.

``" Mario.Rossi@Example.IT "`` in a CRM export and ``"mario.rossi@example.it"`` in a web form
must tokenise alike, in every engine. Each normaliser is therefore two steps, both chosen to be
reproducible in Spark SQL and polars expressions:

1. **Scalar to text** (:func:`to_text`): ``str`` as is; ``bool`` → ``"true"``/``"false"``;
   ``int`` → decimal digits; ``float`` → NaN/inf unreadable, integral → ``str(int(f))``, else
   ``repr(f)``; ``Decimal`` → ``str``; ``date``/``datetime`` → ``isoformat()``. Anything else
   (``None``, bytes, lists, dicts, objects) is unreadable: ``None``, and callers fail closed.
   Non-ASCII text is then put in Unicode NFKC (``unicodedata.normalize("NFKC", s)``: a
   full-width digit is a digit, a Kelvin sign a K, design.md §7; polars
   ``str.normalize("NFKC")``; the columnar and Spark engines hand non-ASCII text to this
   function, so only ASCII text, which NFKC leaves unchanged, is normalised in expressions).
2. **Per kind** (chosen from the field's category by :func:`normaliser_kind`): see each
   function's docstring for the Spark and polars expression that matches it.

"Whitespace" is exactly the Unicode ``White_Space`` property (:data:`WHITESPACE`): what polars
(Rust) ``\\s`` and ``str.strip_chars()`` and Spark (Java) ``(?U)\\s`` mean. Python's own
``str.strip()`` also strips ``\\x1c``-``\\x1f``, so it is not used. A value whose normalised
text is empty is unreadable (``None``), as blank text counts as missing everywhere in gdprkit:
the SQL form of every normaliser ends in ``nullif(..., '')``.
"""

from __future__ import annotations

import ipaddress
import math
import numbers
import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Final, TypeAlias

from gdprkit._errors import ConfigurationError

__all__ = [
    "NORMALISERS",
    "WHITESPACE",
    "Normaliser",
    "exact_text",
    "normalise_codice_fiscale",
    "normalise_default",
    "normalise_email",
    "normalise_ip",
    "normalise_name",
    "normalise_partita_iva",
    "normalise_phone",
    "normaliser_for",
    "normaliser_kind",
    "to_text",
]

#: A normaliser: a value to its canonical text, or ``None`` when the value is unreadable.
Normaliser: TypeAlias = Callable[[object], str | None]

#: The characters of the Unicode ``White_Space`` property.
WHITESPACE: Final = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
_WHITESPACE_RUN: Final = re.compile(f"[{re.escape(WHITESPACE)}]+")
_NON_DIGIT: Final = re.compile(r"[^0-9]+")
_WS_CLASS: Final = re.escape(WHITESPACE)
#: What a telephone number may be written with (after NFKC): ASCII digits, whitespace, dots,
#: dashes, brackets, and one ``+`` before any digit, dot or dash (``(+39) 333``).
_PHONE_SHAPE: Final = re.compile(
    rf"[{_WS_CLASS}(\[]*\+?[0-9{_WS_CLASS}.\-\u2010-\u2015\u2212()\[\]]*"
)


def exact_text(value: object) -> str | None:
    """``value`` as the exact text to encrypt, so that ``reveal`` gives it back unchanged: text
    as it is (no case folding, no Unicode normalisation), other scalars as :func:`to_text`
    writes them; ``None`` for blank text and for what is not a readable scalar."""
    if isinstance(value, str):
        s = value if type(value) is str else str.__str__(value)
        return s if s.strip(WHITESPACE) else None
    return to_text(value)


def to_text(value: object) -> str | None:
    """``value`` as text in Unicode NFKC (design.md §7: a full-width digit is a digit, a Kelvin
    sign a K, a ligature its letters), or ``None`` when it is not a readable scalar (step 1
    above)."""
    cls = type(value)
    if cls is str:
        s: str = value  # type: ignore[assignment]
    elif cls is bool:
        return "true" if value else "false"
    elif isinstance(value, str):  # a str subclass (a StrEnum, say): its plain text
        s = str.__str__(value)
    elif isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return str(int(value)) if value.is_integer() else repr(float(value))
    elif isinstance(value, numbers.Integral):  # int, IntEnum, numpy integers
        try:
            return str(int(value))
        except ValueError:  # beyond sys.get_int_max_str_digits(): not an identifier
            return None
    elif isinstance(value, Decimal):
        return None if value.is_nan() or value.is_infinite() else str(value)
    elif isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    else:
        return None
    if not s.isascii():  # ASCII text is already NFKC: keep the common path fast
        s = unicodedata.normalize("NFKC", s)
    return s


def normalise_default(value: object) -> str | None:
    """Text with surrounding whitespace removed.

    polars ``str.strip_chars()``; Spark ``regexp_replace(c, '(?U)^\\s+|\\s+$', '')``.
    """
    s = value if type(value) is str and value.isascii() else to_text(value)
    if s is None:
        return None
    return s.strip(WHITESPACE) or None


def normalise_email(value: object) -> str | None:
    """An e-mail address: surrounding whitespace removed, lower case.

    polars ``str.strip_chars().str.to_lowercase()``; Spark
    ``lower(regexp_replace(c, '(?U)^\\s+|\\s+$', ''))``.
    """
    s = value if type(value) is str and value.isascii() else to_text(value)
    if s is None:
        return None
    return s.strip(WHITESPACE).lower() or None


def normalise_phone(value: object) -> str | None:
    """A telephone number: its digits, without a leading ``00`` international prefix; a value
    that is not a telephone number: its text (as :func:`normalise_default`), never shortened.

    The text is first brought to Unicode NFKC (a full-width digit is a digit, a no-break space a
    space). It is a telephone number when it holds only ASCII digits, whitespace, dots, dashes
    (``-`` and the Unicode hyphens and dashes U+2010-U+2015, U+2212), round or square brackets,
    and at most one ``+``, before every digit, dot and dash (:data:`_PHONE_SHAPE`). A leading
    ``+`` goes with the other non-digits, so ``+39 333 1234567`` and ``0039 3331234567`` are both
    ``393331234567``. Anything else (``ext 12``, a letter, a ``/``, digits of another script,
    which NFKC leaves as they are) makes the value text: ``"+39 333 1234567 ext 12"`` and
    ``"+39 3331234567 12"`` tokenise apart, where dropping the letters made them one. Text always
    holds a character no number does, so it never tokenises like a number. No country code is
    added to national numbers (that needs a default region, which is policy, not normalisation).

    polars: ``t = c.str.normalize("NFKC")``, then
    ``when(t.str.contains(f"^{_PHONE_SHAPE.pattern}$"))``
    ``.then(t.str.replace_all('[^0-9]+', '').str.replace('^00', ''))``
    ``.otherwise(t.str.strip_chars())``; Spark the same with ``regexp_replace`` and an NFKC UDF
    (or data already in NFKC).
    """
    s = value if type(value) is str and value.isascii() else to_text(value)
    if s is None:
        return None
    if not s.isascii():
        s = unicodedata.normalize("NFKC", s)
    if _PHONE_SHAPE.fullmatch(s) is None:
        return s.strip(WHITESPACE) or None  # not a phone number: its text, whole
    return _NON_DIGIT.sub("", s).removeprefix("00") or None


def normalise_codice_fiscale(value: object) -> str | None:
    """An Italian codice fiscale: every whitespace character removed, upper case.

    polars ``str.replace_all('\\s+', '').str.to_uppercase()``; Spark
    ``upper(regexp_replace(c, '(?U)\\s+', ''))``.
    """
    s = value if type(value) is str and value.isascii() else to_text(value)
    if s is None:
        return None
    return _WHITESPACE_RUN.sub("", s).upper() or None


def normalise_partita_iva(value: object) -> str | None:
    """An Italian partita IVA: whitespace removed, upper case, a leading ``IT`` removed.

    polars ``str.replace_all('\\s+', '').str.to_uppercase().str.replace('^IT', '')``; Spark
    ``regexp_replace(upper(regexp_replace(c, '(?U)\\s+', '')), '^IT', '')``.
    """
    s = value if type(value) is str and value.isascii() else to_text(value)
    if s is None:
        return None
    return _WHITESPACE_RUN.sub("", s).upper().removeprefix("IT") or None


def normalise_ip(value: object) -> str | None:
    """An IP address in its canonical form (``ipaddress.ip_address(s).compressed``).

    IPv4 stays dotted decimal (leading zeros are invalid), IPv6 is lower case and compressed
    (RFC 5952). Not a plain string expression: for text already canonical (as most logs
    write it), polars ``str.strip_chars().str.to_lowercase()`` and Spark ``lower(trim(c))``
    agree; otherwise canonicalise with a UDF. Invalid addresses are unreadable.
    """
    s = value if type(value) is str and value.isascii() else to_text(value)
    if s is None:
        return None
    try:
        return ipaddress.ip_address(s.strip(WHITESPACE)).compressed
    except ValueError:
        return None


def normalise_name(value: object) -> str | None:
    """A person's name: runs of whitespace made one space, stripped, lower case.

    ``lower()`` rather than ``casefold()``: Spark and polars have no case folding, and a name
    must tokenise alike in every engine. polars
    ``str.replace_all('\\s+', ' ').str.strip_chars(' ').str.to_lowercase()``; Spark
    ``lower(trim(regexp_replace(c, '(?U)\\s+', ' ')))``.
    """
    s = value if type(value) is str and value.isascii() else to_text(value)
    if s is None:
        return None
    return _WHITESPACE_RUN.sub(" ", s).strip(" ").lower() or None


#: The normaliser of each kind, by the name :func:`normaliser_kind` gives.
NORMALISERS: Final[Mapping[str, Normaliser]] = MappingProxyType(
    {
        "email": normalise_email,
        "phone": normalise_phone,
        "codice_fiscale": normalise_codice_fiscale,
        "partita_iva": normalise_partita_iva,
        "ip": normalise_ip,
        "name": normalise_name,
        "default": normalise_default,
    }
)

# A category at or below the prefix takes the kind (``contact.email.work`` is an e-mail).
_KIND_BY_PREFIX: Final = (
    ("contact.email", "email"),
    ("contact.phone", "phone"),
    ("identity.national_id", "codice_fiscale"),
    ("identity.tax_id", "partita_iva"),
    ("online.ip_address", "ip"),
    ("identity.name", "name"),
)


def normaliser_kind(category: str | None) -> str:
    """The kind of normalisation for ``category``: a key of :data:`NORMALISERS`.

    ``contact.email`` → ``email``, ``contact.phone`` → ``phone``, ``identity.national_id`` →
    ``codice_fiscale``, ``identity.tax_id`` → ``partita_iva``, ``online.ip_address`` → ``ip``,
    ``identity.name`` → ``name`` (each with its subcategories); anything else ``default``.
    """
    if category is None:
        return "default"
    if not isinstance(category, str):
        raise ConfigurationError("a category is a dotted name such as 'contact.email'")
    for prefix, kind in _KIND_BY_PREFIX:
        if category == prefix or category.startswith(prefix + "."):
            return kind
    return "default"


def normaliser_for(category: str | None) -> Normaliser:
    """The normaliser for values of ``category`` (see :func:`normaliser_kind`)."""
    return NORMALISERS[normaliser_kind(category)]
