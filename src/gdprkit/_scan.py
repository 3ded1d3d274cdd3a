"""Find identifiers in free text: ``scan_text`` and ``redact_text`` (design.md §17).

A CRM's notes field holds what shop staff type: a phone number to call back, an IBAN for a
refund, a codice fiscale for an invoice. ``scan_text(text)`` finds them and says where they are;
``redact_text(text)`` replaces each by its kind in brackets (``[email]``, ``[iban]``).

Kinds, each confirmed by its own check before it counts (a shape alone is never enough):

==================  ======================================================================
kind                found when
==================  ======================================================================
``email``           local part, ``@``, domain: ``gdprkit._formats.is_email`` accepts it
``phone``           ``+``/``00`` and 8-15 digits, or an Italian mobile (``3xx`` + 6-7
                    digits) or landline (``0`` + area code + 4-8 digits, ``(06)`` too);
                    single spaces, dots, dashes between digits (``/`` after the prefix);
                    ``is_phone`` accepts it; not a date (``02.03.2024``) nor a number in
                    thousands (``350.000.000``)
``codice_fiscale``  16 characters, any case: ``is_codice_fiscale`` (month, day, birth date
                    and check character) accepts it
``partita_iva``     11 digits, optionally ``IT``: ``is_partita_iva`` (office code and check
                    digit); an entity's 11-digit codice fiscale is the same number and is
                    reported as ``partita_iva``
``iban``            a SEPA country's IBAN (``IBAN_COUNTRIES``), single spaces or dashes
                    anywhere: the country's length and BBAN character types, check digits
                    02-98, ISO 7064 mod 97-10
``card``            13-19 digits starting 2-6 (the card networks' ranges), single spaces or
                    dashes between digits, Luhn check; a longer run of groups is searched
                    for whole groups that pass
``ip``              IPv4 dotted quad or IPv6 (``::`` and an IPv4 tail allowed) that
                    ``ipaddress.ip_address`` reads
==================  ======================================================================

Boundaries: a match never starts or ends inside a word or a number (``X3331234567`` and
``33312345678901`` hold no phone), and a digit kind never starts right after a digit and one
separator (the tail of a longer number is not taken for a number of its own), except a whole
ten-digit Italian mobile after a space (``dopo le 18 3331234567``).

Overlaps between kinds are resolved deterministically: the longest candidate wins; at equal
length the more specific kind, in the order of ``KINDS`` (``iban``, ``card``,
``codice_fiscale``, ``partita_iva``, ``email``, ``ip``, ``phone``); a losing candidate is
dropped, never shortened. An 11-digit string that passes the partita IVA check is therefore a
``partita_iva`` even where it could also be a landline.

Characters whose Unicode compatibility form (NFKC) is one ASCII character are read as that
character (full-width digits and at sign, no-break spaces), and typographic dashes as ``-``;
positions are always those of the text given.

Every pattern is compiled once and runs in linear time: each can start only where the previous
character cannot continue it, and every repetition is bounded or unambiguous. A ``Match`` holds
a kind and a position, never the text; no error message quotes the text.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal, TypeAlias

from gdprkit._formats import (
    _type_name,
    is_codice_fiscale,
    is_email,
    is_ip,
    is_partita_iva,
    is_phone,
)

__all__ = [
    "IBAN_COUNTRIES",
    "KINDS",
    "Kind",
    "Match",
    "is_iban",
    "luhn_ok",
    "redact_text",
    "redact_value",
    "scan_text",
]

Kind: TypeAlias = Literal["iban", "card", "codice_fiscale", "partita_iva", "email", "ip", "phone"]

#: Every kind, most specific first: the order that breaks ties between overlapping candidates
#: of equal length.
KINDS: Final[tuple[Kind, ...]] = (
    "iban",
    "card",
    "codice_fiscale",
    "partita_iva",
    "email",
    "ip",
    "phone",
)
_RANK: Final[Mapping[str, int]] = MappingProxyType({k: i for i, k in enumerate(KINDS)})


@dataclass(frozen=True, slots=True)
class Match:
    """An identifier found in a text: its ``kind`` and where it is (``text[start:end]``).

    It never holds the identifier itself, so its ``repr`` and ``str`` carry no personal data.
    """

    kind: Kind
    start: int
    end: int


# --- folding: read compatibility characters as ASCII, keeping every position --------------

_DASHES: Final = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"


@functools.cache
def _fold_table() -> Mapping[int, str]:
    """Characters whose NFKC form is one printable ASCII character, and typographic dashes.

    Built on the first text that is not ASCII (it takes some tens of milliseconds).
    """
    table: dict[int, str] = {}
    for cp in range(0x80, 0x30000):
        if 0xD800 <= cp < 0xE000:  # surrogates
            continue
        folded = unicodedata.normalize("NFKC", chr(cp))
        if len(folded) == 1 and folded.isascii() and folded.isprintable():
            table[cp] = folded
    for ch in _DASHES:
        table[ord(ch)] = "-"
    return MappingProxyType(table)


_NON_ASCII: Final = re.compile(r"[^\x00-\x7f]+")


def _fold(text: str) -> str:
    """``text`` with compatibility characters folded; same length, same positions."""
    if text.isascii():
        return text
    table = _fold_table()
    return _NON_ASCII.sub(lambda m: m[0].translate(table), text)


# --- check digits --------------------------------------------------------------------------

#: SEPA countries: IBAN length and BBAN character types (``n`` digit, ``a`` letter, ``c``
#: letter or digit), from the SWIFT IBAN registry.
IBAN_COUNTRIES: Final[Mapping[str, tuple[int, str]]] = MappingProxyType(
    {
        cc: (length, "".join(t * int(n) for n, t in re.findall(r"(\d+)!([nac])", spec)))
        for cc, length, spec in (
            ("AD", 24, "4!n4!n12!c"),
            ("AT", 20, "5!n11!n"),
            ("BE", 16, "3!n7!n2!n"),
            ("BG", 22, "4!a4!n2!n8!c"),
            ("CH", 21, "5!n12!c"),
            ("CY", 28, "3!n5!n16!c"),
            ("CZ", 24, "4!n6!n10!n"),
            ("DE", 22, "8!n10!n"),
            ("DK", 18, "4!n9!n1!n"),
            ("EE", 20, "2!n2!n11!n1!n"),
            ("ES", 24, "4!n4!n1!n1!n10!n"),
            ("FI", 18, "3!n11!n"),
            ("FR", 27, "5!n5!n11!c2!n"),
            ("GB", 22, "4!a6!n8!n"),
            ("GI", 23, "4!a15!c"),
            ("GR", 27, "3!n4!n16!c"),
            ("HR", 21, "7!n10!n"),
            ("HU", 28, "3!n4!n1!n15!n1!n"),
            ("IE", 22, "4!a6!n8!n"),
            ("IS", 26, "4!n2!n6!n10!n"),
            ("IT", 27, "1!a5!n5!n12!c"),
            ("LI", 21, "5!n12!c"),
            ("LT", 20, "5!n11!n"),
            ("LU", 20, "3!n13!c"),
            ("LV", 21, "4!a13!c"),
            ("MC", 27, "5!n5!n11!c2!n"),
            ("MT", 31, "4!a5!n18!c"),
            ("NL", 18, "4!a10!n"),
            ("NO", 15, "4!n6!n1!n"),
            ("PL", 28, "8!n16!n"),
            ("PT", 25, "4!n4!n11!n2!n"),
            ("RO", 24, "4!a16!c"),
            ("SE", 24, "3!n16!n1!n"),
            ("SI", 19, "5!n8!n2!n"),
            ("SK", 24, "4!n6!n10!n"),
            ("SM", 27, "1!a5!n5!n12!c"),
            ("VA", 22, "3!n15!n"),
        )
    }
)

_DIGITS: Final = frozenset("0123456789")
_LETTERS: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_ALNUM: Final = _DIGITS | _LETTERS
_BBAN_CHARS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {"n": _DIGITS, "a": _LETTERS, "c": _ALNUM}
)


def _mod97(compact: str) -> int:
    """ISO 7064 mod 97-10 of an IBAN (upper-case ASCII letters and digits, no spaces)."""
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97


def is_iban(value: str) -> bool:
    """Whether ``value`` (spaces allowed, any case) is the IBAN of a country of ``IBAN_COUNTRIES``.

    The country's length and BBAN character types, check digits 02-98 and mod 97 = 1.
    """
    if not isinstance(value, str) or len(value) > 64 or not value.isascii():
        return False
    compact = value.replace(" ", "").upper()
    spec = IBAN_COUNTRIES.get(compact[:2])
    if spec is None or len(compact) != spec[0]:
        return False
    if not (compact[2:4].isdigit() and 2 <= int(compact[2:4]) <= 98):
        return False
    if any(ch not in _BBAN_CHARS[t] for ch, t in zip(compact[4:], spec[1], strict=True)):
        return False
    return _mod97(compact) == 1


def luhn_ok(digits: str) -> bool:
    """Whether the ASCII digit string ``digits`` passes the Luhn check (ISO/IEC 7812-1)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# --- patterns ------------------------------------------------------------------------------

# E-mail: found from each "@": the local part is read leftwards (at most 64 characters),
# the domain rightwards by this pattern (labels of at most 63, at most 127 of them).
_LOCAL_PUNCT: Final = frozenset(".!#$%&'*+/=?^`{|}~-")
_LOCAL_MAX: Final = 64
_DOMAIN: Final = re.compile(r"[\w-]{1,63}(?:\.[\w-]{1,63}){1,126}")
_EMAIL_TRIM_LABELS: Final = 2  # trailing labels tried off (``mario@rossi.it.Poi``)

# Digit kinds start only where no word character (nor "+") precedes, nor a digit and one
# separator (the tail of a longer number is not a number of its own). Each pattern consumes
# its first character before looking behind it, so that the regular expression engine skips,
# in C, every position that cannot start a match.
_AFTER_FIRST: Final = r"(?<![\w+](?s:.))(?<![0-9][ .\-/](?s:.))"
# A whole Italian mobile (3 and 9 digits) may follow a number and a space ("dopo le 18
# 3331234567"): spaced groups of 4 (an IBAN, a card) never end a tail of exactly 10 digits.
_AFTER_FIRST_MOBILE: Final = r"(?<![\w+](?s:.))(?<![0-9][.\-/](?s:.))"
_DIGIT_END: Final = r"(?!\w)(?![.\-/][0-9])"

_AREA_REST: Final = r"(?:[26]|[1-9][0-9]{1,2})"  # after the 0: 02 Milano, 06 Roma, 3-4 digits
_MOBILE_REST: Final = r"[0-9]{2}[ .\-/]?[0-9](?:[ .\-]?[0-9]){5,6}"  # after the 3
_SUBSCRIBER: Final = r"[0-9](?:[ .\-]?[0-9]){3,8}"
_NATIONAL: Final = rf"(?:3{_MOBILE_REST}|0{_AREA_REST}[ .\-/]?{_SUBSCRIBER})"
_PHONE: Final = re.compile(
    r"(?:"
    + rf"\+{_AFTER_FIRST}39[ .\-]?{_NATIONAL}"  # +39 333 123 4567
    + rf"|0{_AFTER_FIRST}039[ .\-]?{_NATIONAL}"  # 0039 06 1234 5678
    + rf"|\+{_AFTER_FIRST}[1-9](?:[ .\-]?[0-9]){{7,14}}"  # +33 1 23 45 67 89
    + rf"|0{_AFTER_FIRST}0[1-9](?:[ .\-]?[0-9]){{7,14}}"  # 0033 1 23 45 67 89
    + rf"|3{_AFTER_FIRST_MOBILE}[0-9]{{2}}[ .\-/]?[0-9](?:[ .\-]?[0-9]){{6}}"  # 333-1234567
    + rf"|3{_AFTER_FIRST}{_MOBILE_REST}"  # 333 123456 (nine digits)
    + rf"|0{_AFTER_FIRST}{_AREA_REST}[ .\-/]?{_SUBSCRIBER}"  # 06 1234 5678
    + rf"|\({_AFTER_FIRST}0{_AREA_REST}\)[ ]?{_SUBSCRIBER}"  # (06) 12345678
    + r")"
    + _DIGIT_END
)
_DATE_LIKE: Final = re.compile(r"[0-9]{1,2}([./-])[0-9]{1,2}\1[0-9]{2,4}")
_THOUSANDS: Final = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")

_CODICE_FISCALE: Final = re.compile(
    r"[A-Za-z](?<!\w(?s:.))[A-Za-z]{5}[0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z]"
    r"[0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{3}[A-Za-z](?!\w)"
)
# Eleven digits; a word character before them is allowed only as an "IT" prefix (in Python).
_ELEVEN: Final = re.compile(r"[0-9](?<![0-9_](?s:.))(?<![0-9][ .\-/](?s:.))[0-9]{10}" + _DIGIT_END)
# An IBAN is found by its check digits after two letters (and one separator at most); the
# rest is read by the country's length and BBAN character types.
_IBAN_CHECK: Final = re.compile(
    r"[0-9](?:(?<=(?<!\w)[A-Za-z]{2}[0-9])|(?<=(?<!\w)[A-Za-z]{2}[ \-][0-9]))[0-9]"
)
_IBAN_SEPARATORS: Final = " -"
# A card: a run of digits with single spaces or dashes, at least 13 digits.
_DIGIT_RUN: Final = re.compile(r"[0-9](?<!\w(?s:.))(?<![0-9][ \-](?s:.))(?:[ \-]?[0-9]){12,}(?!\w)")
_GROUP: Final = re.compile(r"[0-9]+")
_CARD_MIN: Final = 13
_CARD_MAX: Final = 19
_CARD_FIRST: Final = frozenset("23456")
_CARD_GROUPS: Final = 5  # 4 x 4, 4-6-5, 4-4-4-4-3: a card is written in at most five groups
_IPV4: Final = re.compile(
    r"[0-9](?<![\w.](?s:.))[0-9]{0,2}\.(?:[0-9]{1,3}\.){2}[0-9]{1,3}(?!\w)(?!\.[0-9])"
)
# Every IPv6 address has a "::" or at least six colons: the pattern runs only then.
_IPV6: Final = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}"
    r"(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9A-Fa-f]{0,4})"
    r"(?!\w)(?!:[0-9A-Fa-f:])(?!\.[0-9])"
)
_IPV6_MIN_COLONS: Final = 6

_Candidate: TypeAlias = tuple[int, int, Kind]


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


# --- candidates of each kind ---------------------------------------------------------------


def _emails(t: str) -> Iterator[_Candidate]:
    at = t.find("@")
    while at != -1:
        start = at
        while start > 0 and at - start <= _LOCAL_MAX:
            ch = t[start - 1]
            if not (_is_word(ch) or ch in _LOCAL_PUNCT):
                break
            start -= 1
        too_long = at - start > _LOCAL_MAX
        while start < at and t[start] in _LOCAL_PUNCT:  # quotes, dots before the address
            start += 1
        domain = None if too_long or start == at else _DOMAIN.match(t, at + 1)
        if domain is not None:
            labels = domain[0].split(".")
            for keep in range(len(labels), max(1, len(labels) - _EMAIL_TRIM_LABELS - 1), -1):
                end = at + 1 + len(".".join(labels[:keep]))
                if is_email(t[start:end]):
                    yield (start, end, "email")
                    break
        at = t.find("@", at + 1)


def _phones(t: str) -> Iterator[_Candidate]:
    for m in _PHONE.finditer(t):
        s = m[0]
        if _DATE_LIKE.fullmatch(s) or _THOUSANDS.fullmatch(s) or not is_phone(s):
            continue
        yield (m.start(), m.end(), "phone")


def _codici_fiscali(t: str) -> Iterator[_Candidate]:
    for m in _CODICE_FISCALE.finditer(t):
        if is_codice_fiscale(m[0]):
            yield (m.start(), m.end(), "codice_fiscale")


def _partite_iva(t: str) -> Iterator[_Candidate]:
    for m in _ELEVEN.finditer(t):
        start = m.start()
        before = t[max(0, start - 3) : start].upper()
        if before.endswith(("IT", "IT ")):  # the VAT prefix: IT01234567890, IT 01234567890
            prefixed = start - (2 if before.endswith("IT") else 3)
            if prefixed == 0 or not _is_word(t[prefixed - 1]):
                start = prefixed
        if start == m.start() and start > 0 and _is_word(t[start - 1]):
            continue  # inside a word
        if is_partita_iva(t[start : m.end()]):
            yield (start, m.end(), "partita_iva")


def _iban_end(t: str, i: int, bban: str) -> int | None:
    """Where the BBAN of types ``bban`` read from ``t[i:]`` ends, or ``None`` if it does not fit."""
    n = len(t)
    for kind in bban:
        if i < n and t[i] in _IBAN_SEPARATORS and i + 1 < n:
            i += 1
        if i >= n or t[i].upper() not in _BBAN_CHARS[kind]:
            return None
        i += 1
    if i < n and _is_word(t[i]):
        return None
    return i


def _ibans(t: str) -> Iterator[_Candidate]:
    for m in _IBAN_CHECK.finditer(t):
        start = m.start() - (3 if t[m.start() - 1] in _IBAN_SEPARATORS else 2)
        spec = IBAN_COUNTRIES.get(t[start : start + 2].upper())
        if spec is None or not 2 <= int(m[0]) <= 98:
            continue
        end = _iban_end(t, m.end(), spec[1])
        if end is None:
            continue
        compact = "".join(ch for ch in t[start:end] if ch not in _IBAN_SEPARATORS)
        if _mod97(compact.upper()) == 1:
            yield (start, end, "iban")


def _card_ok(digits: str) -> bool:
    return _CARD_MIN <= len(digits) <= _CARD_MAX and digits[0] in _CARD_FIRST and luhn_ok(digits)


def _cards(t: str) -> Iterator[_Candidate]:
    for m in _DIGIT_RUN.finditer(t):
        groups = [(g.start(), g.end()) for g in _GROUP.finditer(m[0])]
        run, base = m[0], m.start()
        counted = [0]  # counted[k]: the digits of groups[:k]
        for g in groups:
            counted.append(counted[-1] + g[1] - g[0])
        i = 0
        while i < len(groups):
            if run[groups[i][0]] not in _CARD_FIRST:
                i += 1
                continue
            # The longest window of whole groups first.
            for j in range(min(len(groups), i + _CARD_GROUPS), i, -1):
                size = counted[j] - counted[i]
                if size > _CARD_MAX:
                    continue
                if size < _CARD_MIN:
                    break
                if _card_ok("".join(run[a:b] for a, b in groups[i:j])):
                    yield (base + groups[i][0], base + groups[j - 1][1], "card")
                    i = j - 1
                    break
            i += 1


def _ips(t: str) -> Iterator[_Candidate]:
    patterns = [_IPV4]
    if "::" in t or t.count(":") >= _IPV6_MIN_COLONS:
        patterns.append(_IPV6)
    for pattern in patterns:
        for m in pattern.finditer(t):
            if is_ip(m[0]):
                yield (m.start(), m.end(), "ip")


# Each finder with the least number of ASCII digits a text must hold for it to find anything
# (a cheap gate: most notes hold few digits). A codice fiscale may in theory have every digit
# replaced by an omocodia letter, so its finder runs whenever a 16-character word is present.
_GATED: Final = (
    (_ibans, 2),
    (_cards, _CARD_MIN),
    (_partite_iva, 11),
    (_ips, 0),  # an IPv6 address may be written without a digit (``fe80::abcd``)
    (_phones, 6),
)
_CF_WORD: Final = 16


# --- overlaps ------------------------------------------------------------------------------


def _resolve(candidates: list[_Candidate]) -> list[Match]:
    """Non-overlapping matches in text order: longest first, then by ``KINDS``, then leftmost."""
    candidates.sort(key=lambda c: (c[0], c[1]))
    chosen: list[_Candidate] = []
    cluster: list[_Candidate] = []
    reach = -1
    for c in candidates:
        if cluster and c[0] >= reach:
            chosen.extend(_pick(cluster))
            cluster = []
        cluster.append(c)
        reach = max(reach, c[1])
    if cluster:
        chosen.extend(_pick(cluster))
    chosen.sort()
    return [Match(kind, start, end) for start, end, kind in chosen]


def _pick(cluster: list[_Candidate]) -> list[_Candidate]:
    """The greedy choice within a cluster of transitively overlapping candidates."""
    if len(cluster) == 1:
        return cluster
    starts: list[int] = []
    ends: list[int] = []
    kept: list[_Candidate] = []
    for c in sorted(cluster, key=lambda c: (c[0] - c[1], _RANK[c[2]], c[0])):
        i = bisect.bisect_right(starts, c[0])
        if (i and ends[i - 1] > c[0]) or (i < len(starts) and starts[i] < c[1]):
            continue
        starts.insert(i, c[0])
        ends.insert(i, c[1])
        kept.append(c)
    return kept


# --- the public functions ------------------------------------------------------------------


def _exact_text(text: object, function: str) -> str:
    if not issubclass(type(text), str):
        raise TypeError(f"{function} takes text (str), got {_type_name(text)}")
    return str.__str__(text)  # an exact str: no subclass override runs


def scan_text(text: str) -> list[Match]:
    """The identifiers in ``text``, in order, as ``Match(kind, start, end)`` (no values).

    Kinds are those of ``KINDS``; each was confirmed by its check digits or by its validator
    (see the module documentation for the rules and how overlaps are resolved). Raises
    ``TypeError`` (naming only the type) for anything but ``str``.
    """
    t = _fold(_exact_text(text, "scan_text"))
    candidates: list[_Candidate] = []
    if "@" in t:
        candidates.extend(_emails(t))
    if len(t) >= _CF_WORD and max(map(len, t.split()), default=0) >= _CF_WORD:
        candidates.extend(_codici_fiscali(t))
    digits = sum(map(t.count, "0123456789"))
    for finder, least in _GATED:
        if digits >= least:
            candidates.extend(finder(t))
    return _resolve(candidates) if candidates else []


def redact_text(text: str) -> str:
    """``text`` with each identifier ``scan_text`` finds replaced by its kind: ``[email]``."""
    exact = _exact_text(text, "redact_text")
    parts: list[str] = []
    last = 0
    for m in scan_text(exact):
        parts.append(exact[last : m.start])
        parts.append(f"[{m.kind}]")
        last = m.end
    parts.append(exact[last:])
    return "".join(parts)


def redact_value(value: object) -> str | None:
    """A field transform (the contract of ``gdprkit._pseudonymise._transforms``): text is
    redacted by :func:`redact_text`; ``None`` and anything that is not text give ``None``
    (an unreadable value is not let through). Never raises."""
    if not issubclass(type(value), str):
        return None
    return redact_text(str.__str__(value))
