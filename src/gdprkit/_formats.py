"""Value formats: does a record value look like an e-mail, a phone, a codice fiscale ...?

``check_value(fmt, value)`` answers ``None`` when ``value`` fits ``fmt`` and otherwise a short
message drawn from a fixed vocabulary (plus, for a value of the wrong type, the type's name).
A message never quotes the value or any part of it: it ends up in violations and logs.

The checks are syntactic and pragmatic, not registry look-ups: an address that fits may not
exist, a codice fiscale whose check character matches may belong to nobody. Each check guards
the length first, so a 10 MB string costs no more than a short one, and none of them raises on
any value: bytes, NaN, nested containers, ``str`` subclasses with hostile methods, confusable
Unicode characters.

Formats (the names a policy uses in ``format:``):

- ``email``: one ``@``; a local part of 1-64 octets (UTF-8) of ``A-Z a-z 0-9``,
  ``.!#$%&'*+/=?^_`{|}~-`` and, as RFC 6531 allows, non-ASCII letters, marks and digits (no
  spaces, controls or invisible format characters; no leading, trailing or doubled dot); a
  domain of dot-separated
  labels of letters (IDN Unicode letters included), digits and inner hyphens, ending in a
  top-level domain of two or more letters (or an ``xn--`` A-label); 254 characters at most.
- ``phone``: ``+``, digits, spaces and ``- . ( ) /``; ``+`` only at the start and not followed
  by ``0``; parentheses balanced and not nested; 6-15 digits (E.164), or up to 17 after a
  leading ``00`` international prefix.
- ``codice_fiscale``: a natural person's 16-character code, omocodia letters (``LMNPQRSTUV``
  for ``0-9``) accepted, with month letter (``ABCDEHLMPRST``), day of birth (1-31, 41-71 for
  women) and check character verified (DM 23/12/1976) and a birth date that exists (no 30
  February, no 31 April; 29 February only in a year whose two digits are a multiple of 4); or
  an 11-digit numeric code (legal entities) checked as a partita IVA.
- ``partita_iva``: 11 digits, optional ``IT`` prefix: a company number that is not all zeros
  (digits 1-7), an office code that exists (digits 8-10: 001-100, 120, 121, 888, 999, as
  python-stdnum checks) and the Luhn-style check digit.
- ``country``: an ISO 3166-1 alpha-2 code (``COUNTRIES``) or an EU alias (``EU_ALIASES``).
- ``date``: a ``date`` or ``datetime``, or text ``gdprkit._time.parse_date`` can read.
- ``ip``: an IPv4 or IPv6 address as ``ipaddress.ip_address`` reads it.

Text formats take ``str`` only: a phone or partita IVA stored as ``int`` has lost its leading
zeros, so it is reported (``expected text, got int``) rather than guessed back. Surrounding
whitespace is tolerated everywhere; spaces inside are removed for codice fiscale and partita IVA.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date
from types import MappingProxyType
from typing import Final

from gdprkit._time import parse_date

__all__ = [
    "COUNTRIES",
    "EU_ALIASES",
    "EU_ALIAS_OF",
    "FORMATS",
    "FORMAT_BY_CATEGORY",
    "ROLE_EMAIL_LOCAL_PARTS",
    "check_value",
    "field_format",
    "is_codice_fiscale",
    "is_country",
    "is_email",
    "is_ip",
    "is_partita_iva",
    "is_phone",
    "is_role_email",
]

FORMATS: Final[tuple[str, ...]] = (
    "email",
    "phone",
    "codice_fiscale",
    "partita_iva",
    "country",
    "date",
    "ip",
)

FORMAT_BY_CATEGORY: Final[Mapping[str, str]] = MappingProxyType(
    {
        "contact.email": "email",
        "contact.phone": "phone",
        "online.ip_address": "ip",
        "demographic.birth_date": "date",
        "identity.national_id": "codice_fiscale",
        "identity.tax_id": "partita_iva",
    }
)
"""The default format of a field of each category; a field's own ``format:`` overrides it."""

# ISO 3166-1 alpha-2, the 249 officially assigned codes (the list tzdata's iso3166.tab carries).
COUNTRIES: Final[frozenset[str]] = frozenset(
    {
        "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX",
        "AZ", "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ",
        "BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK",
        "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM",
        "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR",
        "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS",
        "GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN",
        "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN",
        "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV",
        "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ",
        "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI",
        "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM",
        "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW", "SA", "SB", "SC",
        "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST", "SV",
        "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR",
        "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
        "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
    }
)  # fmt: skip

# Exceptionally reserved by ISO 3166/MA at the EU's request and used in EU systems (VIES VAT
# prefixes, Eurostat): EL for Greece (GR), UK for the United Kingdom (GB). EU CRMs hold them,
# so the ``country`` format accepts them; they are kept apart so callers can map them.
#: The codes EU documents use beside ISO 3166-1, and the country each names.
EU_ALIAS_OF: Final[Mapping[str, str]] = MappingProxyType({"EL": "GR", "UK": "GB"})
EU_ALIASES: Final[frozenset[str]] = frozenset(EU_ALIAS_OF)

ROLE_EMAIL_LOCAL_PARTS: Final[frozenset[str]] = frozenset(
    {
        # RFC 2142 (mailbox names for common services, roles and functions)
        "info", "marketing", "sales", "support", "abuse", "noc", "security",
        "postmaster", "hostmaster", "usenet", "news", "webmaster", "www", "uucp", "ftp",
        # mixmax-derived (mixmaxhq/role-based-email-addresses; SendGrid's role list is a subset)
        "admin", "contact", "hello", "office", "privacy", "billing", "hr", "jobs", "legal",
        "team", "help", "orders", "noreply",
        "amministrazione", "assistenza", "commerciale", "comunicazione", "contabilita",
        "direzione", "ordini", "protocollo", "redazione",
        # project-curated (common Italian and spelling variants; no public source found)
        "ufficio", "segreteria", "vendite", "acquisti", "fatturazione", "personale", "clienti",
        "magazzino", "spedizioni", "tecnico", "preventivi", "dpo", "no-reply",
    }
)  # fmt: skip
"""Local parts that name a function rather than a person (``info@``, ``segreteria@``).

Matched whole and case-insensitively, after dropping a ``+tag``. A role address is not thereby
anonymous: a sole trader's ``info@mariorossi.it`` is still personal data (CJEU *Schecke*).
"""

# --- messages: a closed vocabulary, so no message can carry any part of a value ---------------

_BLANK: Final = "empty text"
_BAD_EMAIL: Final = "not a valid e-mail address"
_BAD_PHONE: Final = "not a valid phone number"
_PHONE_DIGITS: Final = "a phone number has 6 to 15 digits (17 after a leading 00)"
_BAD_CF: Final = "not a valid codice fiscale (16 characters, or 11 digits for an entity)"
_CF_MONTH: Final = "codice fiscale month letter is not valid"
_CF_DAY: Final = "codice fiscale day of birth is not valid"
_CF_CHECK: Final = "codice fiscale check character does not match"
_CF_NUMERIC_CHECK: Final = "numeric codice fiscale check digit does not match"
_BAD_PIVA: Final = "not a valid partita IVA (11 digits, optionally prefixed by IT)"
_PIVA_CHECK: Final = "partita IVA check digit does not match"
_ZEROS: Final = "a number of all zeros is a placeholder, not a code"
_CF_DATE: Final = "codice fiscale birth date does not exist"
_PIVA_OFFICE: Final = "partita IVA office code is not valid"
_BAD_COUNTRY: Final = "not an ISO 3166-1 alpha-2 country code"
_BAD_DATE: Final = "not a readable date"
_BAD_IP: Final = "not a valid IP address"

_MESSAGES: Final[frozenset[str]] = frozenset(
    {
        _BLANK,
        _BAD_EMAIL,
        _BAD_PHONE,
        _PHONE_DIGITS,
        _BAD_CF,
        _CF_MONTH,
        _CF_DAY,
        _CF_CHECK,
        _CF_NUMERIC_CHECK,
        _BAD_PIVA,
        _PIVA_CHECK,
        _ZEROS,
        _CF_DATE,
        _PIVA_OFFICE,
        _BAD_COUNTRY,
        _BAD_DATE,
        _BAD_IP,
    }
)
"""Every message a text value can produce (wrong types add only the type's name)."""

# Text longer than this is refused before any other work (strip, regex, parse): no value of any
# format comes near it, even padded with whitespace.
_MAX_RAW: Final = 1024

# --- e-mail ---------------------------------------------------------------------------------

_EMAIL_MAX: Final = 254  # RFC 5321 path limit less the angle brackets
_LOCAL_MAX: Final = 64  # RFC 5321 §4.5.3.1.1
_LABEL_MAX: Final = 63  # RFC 1035 §2.3.4
_ATEXT: Final = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL: Final = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*", re.ASCII)
_LOCAL_CATEGORIES: Final = frozenset("LMN")  # letters, marks, digits (RFC 6531 UTF8-non-ascii)
_ASCII_LABEL: Final = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?", re.ASCII)
_ASCII_TLD: Final = re.compile(r"[A-Za-z]{2,}|xn--[A-Za-z0-9-]*[A-Za-z0-9]", re.ASCII)


def _idn_char(ch: str, *, first: bool) -> bool:
    """Whether a non-ASCII ``ch`` may stand in an IDN label: letters, and marks after a base."""
    category = unicodedata.category(ch)
    return category[0] == "L" or (not first and category[0] == "M")


def _is_label(label: str, *, tld: bool) -> bool:
    if not label or len(label) > _LABEL_MAX:
        return False
    if label.isascii():
        pattern = _ASCII_TLD if tld else _ASCII_LABEL
        return pattern.fullmatch(label) is not None
    if label[0] == "-" or label[-1] == "-":
        return False
    for i, ch in enumerate(label):
        if ch.isascii():
            if not (ch.isalpha() or (ch.isdigit() and not tld) or (ch == "-" and not tld)):
                return False
        elif not _idn_char(ch, first=i == 0):
            return False
    return not tld or len(label) >= 2  # a TLD has at least two letters


def _is_local_part(local: str) -> bool:
    """An RFC 5322 dot-atom, with the non-ASCII letters, marks and digits RFC 6531 adds.

    Other non-ASCII characters stay out: spaces (U+00A0, U+3000), controls, and the invisible
    format characters (zero-width joiner, bidi overrides) that make two addresses look alike.
    """
    if local.isascii():
        return len(local) <= _LOCAL_MAX and _LOCAL.fullmatch(local) is not None
    if len(local.encode("utf-8", "surrogatepass")) > _LOCAL_MAX:  # RFC 6531 keeps octets
        return False
    ascii_twin = "".join(
        "a" if not ch.isascii() and unicodedata.category(ch)[0] in _LOCAL_CATEGORIES else ch
        for ch in local
    )
    if not ascii_twin.isascii() or unicodedata.category(local[0])[0] == "M":
        return False  # a character outside the three classes, or a leading combining mark
    return _LOCAL.fullmatch(ascii_twin) is not None


def _email_problem(s: str) -> str | None:
    if s.count("@") != 1 or len(s) > _EMAIL_MAX:
        return _BAD_EMAIL
    local, domain = s.split("@")
    if not _is_local_part(local):
        return _BAD_EMAIL
    labels = domain.split(".")
    if len(labels) < 2:  # a domain and its top-level domain
        return _BAD_EMAIL
    *names, tld = labels
    if not all(_is_label(name, tld=False) for name in names) or not _is_label(tld, tld=True):
        return _BAD_EMAIL
    return None


# --- phone ----------------------------------------------------------------------------------

_PHONE_MAX: Final = 32  # 17 digits with generous separators
_PHONE_CHARS: Final = re.compile(r"\+?[0-9 ()./-]+", re.ASCII)
_PHONE_SEPARATORS: Final = str.maketrans("", "", " ()./-")
_E164_MIN: Final = 6
_E164_MAX: Final = 15
_E164_MAX_WITH_00: Final = 17


def _phone_problem(s: str) -> str | None:
    if len(s) > _PHONE_MAX or _PHONE_CHARS.fullmatch(s) is None:
        return _BAD_PHONE
    depth = 0
    for ch in s:
        if ch == "(":
            depth += 1
            if depth > 1:
                return _BAD_PHONE
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return _BAD_PHONE
    if depth:
        return _BAD_PHONE
    digits = s.translate(_PHONE_SEPARATORS)
    plus = digits.startswith("+")
    digits = digits.removeprefix("+")
    if plus and digits.startswith("0"):  # no E.164 country code starts with 0 (+0039 typo)
        return _BAD_PHONE
    limit = _E164_MAX_WITH_00 if not plus and digits.startswith("00") else _E164_MAX
    if not _E164_MIN <= len(digits) <= limit:
        return _PHONE_DIGITS
    return None


# --- partita IVA and the numeric codice fiscale ---------------------------------------------

_ELEVEN_DIGITS: Final = re.compile(r"[0-9]{11}", re.ASCII)
# Digits 8-10 name the issuing office: 001-100 the provincial offices, 120 and 121 the
# Agenzia's central codes, 888 and 999 special codes (python-stdnum's stdnum.it.iva rule).
_OFFICES: Final = frozenset({120, 121, 888, 999})


def _piva_check_digit(first_ten: str) -> int:
    """The check digit of an 11-digit partita IVA (or numeric codice fiscale) from its first 10.

    Odd positions (1st, 3rd ... 9th) count as they are; even positions (2nd ... 10th) are
    doubled, less 9 when the double exceeds 9.
    """
    total = 0
    for i, ch in enumerate(first_ten):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:  # digit sum of a doubled digit
                d -= 9
        total += d
    return (10 - total % 10) % 10


def _eleven_digit_problem(digits: str, *, check_message: str) -> str | None:
    if digits[:7] == "0000000":  # no company number: a placeholder
        return _ZEROS
    office = int(digits[7:10])
    if not (1 <= office <= 100 or office in _OFFICES):
        return _PIVA_OFFICE
    if _piva_check_digit(digits[:10]) != ord(digits[10]) - 48:
        return check_message
    return None


def _compact(s: str) -> str | None:
    """``s`` without spaces, upper case; ``None`` if it holds anything but ASCII.

    ASCII is checked before upper-casing: the long s (U+017F) upper-cases to ``S`` and the
    ligature ff (U+FB00) to ``FF``, and a confusable must not turn into a valid code.
    """
    if not s.isascii():
        return None
    return s.replace(" ", "").upper()


def _piva_problem(s: str) -> str | None:
    compact = _compact(s)
    if compact is None:
        return _BAD_PIVA
    compact = compact.removeprefix("IT")
    if _ELEVEN_DIGITS.fullmatch(compact) is None:
        return _BAD_PIVA
    return _eleven_digit_problem(compact, check_message=_PIVA_CHECK)


# --- codice fiscale -------------------------------------------------------------------------

# Shape only; the month letter and the day are checked separately for a precise message.
_CF_SHAPE: Final = re.compile(
    r"[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]", re.ASCII
)
_CF_MONTH_LETTERS: Final = "ABCDEHLMPRST"  # January ... December
_CF_MONTHS: Final = frozenset(_CF_MONTH_LETTERS)
_MONTH_DAYS: Final = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# Omocodia: a digit replaced by a letter to tell apart people whose codes would coincide.
_OMOCODIA: Final = str.maketrans("LMNPQRSTUV", "0123456789")
# DM 23/12/1976, odd positions (1st, 3rd ... 15th): the value of 0-9 equals that of A-J.
_CF_ODD_LETTERS: Final = (
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
)  # fmt: skip
_CF_ODD: Final[Mapping[str, int]] = MappingProxyType(
    {
        **{chr(65 + i): v for i, v in enumerate(_CF_ODD_LETTERS)},
        **{chr(48 + i): _CF_ODD_LETTERS[i] for i in range(10)},
    }
)
# Even positions (2nd, 4th ... 14th): digits 0-9 count 0-9, letters A-Z count 0-25.
_CF_EVEN: Final[Mapping[str, int]] = MappingProxyType(
    {**{chr(65 + i): i for i in range(26)}, **{chr(48 + i): i for i in range(10)}}
)
_CF_LENGTH: Final = 16
_NUMERIC_CF_LENGTH: Final = 11


def _month_days(month: int, year: int) -> int:
    """Days of ``month`` (0-based) in a year known by its last two digits ``year``.

    The century is not in the code; a multiple of 4 is a leap year in the century a person
    alive today was born in (00 read as 2000), so 29 February exists then and only then.
    """
    return 29 if month == 1 and year % 4 == 0 else _MONTH_DAYS[month]


def _cf_check_character(first_fifteen: str) -> str:
    total = sum(_CF_ODD[ch] for ch in first_fifteen[0::2])
    total += sum(_CF_EVEN[ch] for ch in first_fifteen[1::2])
    return chr(65 + total % 26)


def _codice_fiscale_problem(s: str) -> str | None:
    compact = _compact(s)
    if compact is None:
        return _BAD_CF
    if len(compact) == _NUMERIC_CF_LENGTH and _ELEVEN_DIGITS.fullmatch(compact) is not None:
        return _eleven_digit_problem(compact, check_message=_CF_NUMERIC_CHECK)
    if len(compact) != _CF_LENGTH or _CF_SHAPE.fullmatch(compact) is None:
        return _BAD_CF
    if compact[8] not in _CF_MONTHS:
        return _CF_MONTH
    day = int(compact[9:11].translate(_OMOCODIA))  # 41-71: a woman's day of birth plus 40
    if not (1 <= day <= 31 or 41 <= day <= 71):  # DPR 605/1973 day encoding
        return _CF_DAY
    month = _CF_MONTH_LETTERS.index(compact[8])
    year = int(compact[6:8].translate(_OMOCODIA))
    if day % 40 > _month_days(month, year):
        return _CF_DATE
    if _cf_check_character(compact[:15]) != compact[15]:
        return _CF_CHECK
    return None


# --- country and IP -------------------------------------------------------------------------

_IP_MAX: Final = 100  # 45 for IPv4-mapped IPv6, plus a zone id


def _country_problem(s: str) -> str | None:
    if len(s) != 2 or not s.isascii():  # ASCII first: no confusable upper-cases into a code
        return _BAD_COUNTRY
    code = s.upper()
    return None if code in COUNTRIES or code in EU_ALIASES else _BAD_COUNTRY


def _ip_problem(s: str) -> str | None:
    if len(s) > _IP_MAX:
        return _BAD_IP
    try:
        ipaddress.ip_address(s)
    except ValueError:
        return _BAD_IP
    return None


# --- public predicates ----------------------------------------------------------------------


def _text(value: object) -> str | None:
    """``value`` as an exact, stripped ``str``; ``None`` for non-text and oversized text.

    ``str.__str__`` makes an exact copy of a ``str`` subclass without running its overrides.
    ``issubclass(type(...))`` rather than ``isinstance`` so a hostile ``__class__`` is not read.
    """
    if not issubclass(type(value), str):
        return None
    s = str.__str__(value)
    if len(s) > _MAX_RAW:
        return None
    return s.strip()


def _predicate(problem: Callable[[str], str | None], s: str) -> bool:
    text = _text(s)
    return text is not None and bool(text) and problem(text) is None


def is_email(s: str) -> bool:
    """Whether ``s`` is a syntactically valid e-mail address (see the module docstring)."""
    return _predicate(_email_problem, s)


def is_phone(s: str) -> bool:
    """Whether ``s`` looks like a phone number: 6-15 digits with the usual separators."""
    return _predicate(_phone_problem, s)


def is_codice_fiscale(s: str) -> bool:
    """Whether ``s`` is a codice fiscale (16 characters or 11 digits) with a matching check."""
    return _predicate(_codice_fiscale_problem, s)


def is_partita_iva(s: str) -> bool:
    """Whether ``s`` is an Italian partita IVA (11 digits, optional ``IT``) with its check."""
    return _predicate(_piva_problem, s)


def is_country(s: str) -> bool:
    """Whether ``s`` is an ISO 3166-1 alpha-2 code (or ``EL``/``UK``), in any case."""
    return _predicate(_country_problem, s)


def is_ip(s: str) -> bool:
    """Whether ``s`` is an IPv4 or IPv6 address."""
    return _predicate(_ip_problem, s)


def is_role_email(s: str) -> bool:
    """Whether ``s`` is a valid e-mail address whose local part names a role (``info@``).

    The local part, before any ``+tag``, must equal an entry of ``ROLE_EMAIL_LOCAL_PARTS``
    (case-insensitive); ``info.rossi@`` and ``mario@`` are not role addresses. An invalid
    address is never a role address, so it stays treated as personal.
    """
    if not is_email(s):
        return False
    local = str.__str__(s).strip().split("@")[0]
    return local.split("+", 1)[0].lower() in ROLE_EMAIL_LOCAL_PARTS


# --- check_value ----------------------------------------------------------------------------

_TEXT_CHECKS: Final[Mapping[str, Callable[[str], str | None]]] = MappingProxyType(
    {
        "email": _email_problem,
        "phone": _phone_problem,
        "codice_fiscale": _codice_fiscale_problem,
        "partita_iva": _piva_problem,
        "country": _country_problem,
        "ip": _ip_problem,
    }
)
_OVERSIZED: Final[Mapping[str, str]] = MappingProxyType(
    {
        "email": _BAD_EMAIL,
        "phone": _BAD_PHONE,
        "codice_fiscale": _BAD_CF,
        "partita_iva": _BAD_PIVA,
        "country": _BAD_COUNTRY,
        "ip": _BAD_IP,
        "date": _BAD_DATE,
    }
)
_TYPE_NAME_MAX: Final = 40


def _type_name(value: object) -> str:
    """The name of ``value``'s type, read without running the value's or metaclass's code."""
    name = type.__dict__["__name__"].__get__(type(value))
    return str.__str__(name)[:_TYPE_NAME_MAX] if issubclass(type(name), str) else "object"


def _check_date(value: object, dayfirst: bool) -> str | None:
    cls = type(value)
    if issubclass(cls, date):  # date and datetime; pandas' NaT is a datetime that is not one
        try:
            real = bool(value == value)  # noqa: PLR0124 - NaT is the one date unequal to itself
        except Exception:  # a hostile __eq__ must not escape
            real = False
        return None if real else _BAD_DATE
    if not issubclass(cls, str):
        return f"expected a date, got {_type_name(value)}"
    text = str.__str__(value)
    if len(text) > _MAX_RAW:
        return _BAD_DATE
    if not text.strip():
        return _BLANK
    try:
        parsed = parse_date(text, dayfirst)
    except Exception:  # dateutil raises more than it documents; fail closed
        return _BAD_DATE
    return None if parsed is not None else _BAD_DATE


def field_format(spec: object) -> str | None:
    """The format a declared field's values must fit: its own ``format``, else its category's
    default (``contact.email`` is an e-mail address), else none. ``spec`` is a policy's
    ``FieldSpec``."""
    declared: str | None = getattr(spec, "format", None)
    return declared or FORMAT_BY_CATEGORY.get(getattr(spec, "category", ""))


def check_value(fmt: str, value: object, *, dayfirst: bool = False) -> str | None:
    """Check ``value`` against the format ``fmt`` (one of ``FORMATS``).

    Returns ``None`` when the value fits, or when it is ``None`` (the caller decides what a
    missing value means); otherwise a short message that never quotes the value, such as
    ``"not a valid e-mail address"`` or ``"expected text, got int"``. ``dayfirst`` reads
    ``03/04/2025`` as 3 April for the ``date`` format. Raises ``ValueError`` only for an unknown
    ``fmt``; never for any value.
    """
    if not issubclass(type(fmt), str) or fmt not in _OVERSIZED:
        shown = repr(str.__str__(fmt))[:_TYPE_NAME_MAX] if issubclass(type(fmt), str) else "?"
        raise ValueError(f"unknown value format {shown}; expected one of {', '.join(FORMATS)}")
    if value is None:
        return None
    if fmt == "date":
        return _check_date(value, dayfirst)
    if not issubclass(type(value), str):
        return f"expected text, got {_type_name(value)}"
    text = _text(value)
    if text is None:
        return _OVERSIZED[fmt]
    if not text:
        return _BLANK
    return _TEXT_CHECKS[fmt](text)
