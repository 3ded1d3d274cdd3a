"""How the testing helpers compare and recognise personal values (private).

Two questions: *is this output value the raw value of an identifying input field?* (compared by
a normalised text key) and *does this text hold something that is an identifier by its shape?*
(an e-mail address, a codice fiscale, an IP address). Neither answer ever quotes a value.
"""

from __future__ import annotations

import ipaddress
import math
import re
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Final

from gdprkit._formats import is_codice_fiscale, is_email
from gdprkit._policy import Policy
from gdprkit._taxonomy import root

__all__ = [
    "DETECTORS",
    "IDENTIFYING_ROOTS",
    "RawValues",
    "detect",
    "is_identifying",
    "text_key",
    "walk",
]

#: Roots whose raw values must not reach an output (design.md §12): identity, contact, online,
#: special and criminal. Custom categories declared ``special: true`` count as special.
IDENTIFYING_ROOTS: Final = frozenset({"identity", "contact", "online", "special", "criminal"})

#: What :func:`detect` can recognise by shape alone.
DETECTORS: Final = ("email", "codice_fiscale", "ip")

_MAX_TEXT: Final = 1_000_000  # longer text is compared by equality only, not searched
_MAX_DEPTH: Final = 32
_MIN_CONTAINED: Final = 5  # an input value shorter than this is only compared whole
_MIN_COMPARED: Final = 3  # "De", "IT", "F": too common to identify anyone
_PHONE_MIN_DIGITS: Final = 6


def is_identifying(policy: Policy, field: object) -> bool:
    """Whether ``field`` is declared with an identity, contact, online, special or criminal
    category (custom special categories included)."""
    if not isinstance(field, str):
        return False
    category = policy.category_of(field)
    if category is None:
        return False
    catalogue = policy.catalogue
    return (
        root(category) in IDENTIFYING_ROOTS
        or catalogue.is_special(category)
        or catalogue.is_criminal(category)
    )


def text_key(value: object) -> str | None:
    """The text two values are compared by: trimmed, NFKC, case-folded.

    Numbers compare by their decimal text (``1001`` and ``"1001"`` are the same), dates by ISO
    text. ``None``, booleans, NaN, blank text and text shorter than three characters (``De``,
    ``IT``) give ``None``: they are not compared (too common to identify anyone).
    """
    __tracebackhide__ = True  # pytest hides this frame: it holds record values
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = str.__str__(value)
    elif isinstance(value, int):
        try:
            text = str(int(value))
        except ValueError:  # beyond the int-to-text digit limit: not an identifier
            return None
    elif isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            return None
        text = str(value)
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        return None
    if len(text) > _MAX_TEXT:
        return text  # compared whole, never normalised: bounded work on hostile sizes
    key = unicodedata.normalize("NFKC", text.strip()).casefold()
    return key if len(key) >= _MIN_COMPARED else None


def phone_keys(value: object) -> tuple[str, ...]:
    """The digit strings a phone number is compared by: all its digits without a leading
    ``00``, and the national number after an Italian ``39`` prefix."""
    __tracebackhide__ = True  # pytest hides this frame: it holds record values
    if not isinstance(value, str) or len(value) > 64:
        return ()
    text = value.strip()
    if not text or any(not (ch.isdigit() or ch in " +-./()") for ch in text):
        return ()
    digits = "".join(ch for ch in text if ch.isascii() and ch.isdigit()).removeprefix("00")
    if len(digits) < _PHONE_MIN_DIGITS:
        return ()
    if digits.startswith("39") and len(digits) > 10:
        return (digits, digits[2:])
    return (digits,)


class RawValues:
    """The raw values of the identifying fields of some input records, by normalised key."""

    __slots__ = ("_contained", "_keys", "_phones", "policy")

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._keys: dict[str, str] = {}
        self._phones: dict[str, str] = {}
        self._contained: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._keys) + len(self._phones)

    def add(self, records: object) -> None:
        """Remember the identifying values of ``records`` (an iterable of mappings, or one)."""
        __tracebackhide__ = True  # pytest hides this frame: it holds record values
        if isinstance(records, Mapping):
            records = [records]
        try:
            iterator = iter(records)  # type: ignore[call-overload]
        except TypeError:
            return
        for record in iterator:
            if not isinstance(record, Mapping):
                continue
            for name, value in record.items():
                if not is_identifying(self.policy, name):
                    continue
                for scalar in _scalars(value, 0):
                    key = text_key(scalar)
                    if key is None:
                        continue
                    self._keys.setdefault(key, name)
                    if _MIN_CONTAINED <= len(key) <= _MAX_TEXT:
                        self._contained.setdefault(key, name)
                    if self.policy.category_of(name) == "contact.phone":
                        for digits in phone_keys(scalar):
                            self._phones.setdefault(digits, name)

    def match(self, value: object, *, contained: bool = False) -> str | None:
        """The input field whose raw value ``value`` is (or, with ``contained``, holds)."""
        __tracebackhide__ = True  # pytest hides this frame: it holds record values
        key = text_key(value)
        if key is None:
            return None
        found = self._keys.get(key)
        if found is not None:
            return found
        for digits in phone_keys(value):
            found = self._phones.get(digits)
            if found is not None:
                return found
        if contained and isinstance(value, str) and len(key) <= _MAX_TEXT:
            best: tuple[int, str] | None = None  # the longest value found names the field
            for raw, name in self._contained.items():
                if raw in key and (best is None or len(raw) > best[0]):
                    best = (len(raw), name)
            if best is not None:
                return best[1]
        return None


def _scalars(value: object, depth: int) -> Iterator[object]:
    __tracebackhide__ = True  # pytest hides this frame: it holds record values
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _scalars(item, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _scalars(item, depth + 1)
    else:
        yield value


def walk(value: object, path: str = "", depth: int = 0) -> Iterator[tuple[str, object]]:
    """Every scalar inside ``value`` (mapping keys included) with a printable path to it.

    Paths name mapping keys that look like field names; any other key is shown as ``[…]``
    (a key may itself be personal: a mapping keyed by e-mail address).
    """
    __tracebackhide__ = True  # pytest hides this frame: it holds record values
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield (f"{path}[key]", key)
            shown = f"[{key!r}]" if isinstance(key, str) and _SAFE_KEY.fullmatch(key) else "[…]"
            yield from walk(item, path + shown, depth + 1)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from walk(item, f"{path}[{i}]", depth + 1)
    elif isinstance(value, set | frozenset):
        for item in value:
            yield from walk(item, f"{path}[…]", depth + 1)
    elif isinstance(value, bytes | bytearray | memoryview):
        yield (path, bytes(value[:_MAX_TEXT]).decode("utf-8", "replace"))
    else:
        yield (path, value)


_SAFE_KEY: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,39}")
_EMAIL_CANDIDATE: Final = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[^\s@<>()\[\],;:\"']{1,190}"
)
_CF_CANDIDATE: Final = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{6}[0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{2}"
    r"[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{3}[A-Za-z](?![A-Za-z0-9])"
)
_IPV4_CANDIDATE: Final = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.]|/\d)")
_IPV6_CANDIDATE: Final = re.compile(
    r"(?<![0-9A-Fa-f:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![0-9A-Fa-f:]|/\d)"
)
_LABELS: Final = {
    "email": "an e-mail address",
    "codice_fiscale": "a codice fiscale",
    "ip": "an IP address",
}


def _is_personal_ip(candidate: str) -> bool:
    try:
        ip = ipaddress.ip_address(candidate)
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_unspecified)


def detect(text: str, kinds: tuple[str, ...] = DETECTORS) -> str | None:
    """What identifier ``text`` holds by its shape (``"an e-mail address"``...), or ``None``.

    Masked addresses (``m***@example.it``), networks (``192.168.1.0/24``), loopback and
    unspecified addresses are not identifiers.
    """
    __tracebackhide__ = True  # pytest hides this frame: it holds record values
    if len(text) > _MAX_TEXT:
        text = text[:_MAX_TEXT]
    if "email" in kinds and "@" in text:
        for m in _EMAIL_CANDIDATE.finditer(text):
            candidate = m.group().strip(".")
            if "***" not in candidate and is_email(candidate):
                return _LABELS["email"]
    if "codice_fiscale" in kinds:
        for m in _CF_CANDIDATE.finditer(text):
            if is_codice_fiscale(m.group()):
                return _LABELS["codice_fiscale"]
    if "ip" in kinds:
        if "." in text:
            for m in _IPV4_CANDIDATE.finditer(text):
                if _is_personal_ip(m.group()):
                    return _LABELS["ip"]
        if ":" in text:
            for m in _IPV6_CANDIDATE.finditer(text):
                if m.group().count(":") >= 2 and _is_personal_ip(m.group()):
                    return _LABELS["ip"]
    return None
