"""Field transforms: what a policy's ``transform:`` can name for a field, built once per plan.

:func:`make_transform` turns a method name into a function of one value. Every such function
maps ``None`` to ``None`` and never raises on a bad value: an unreadable value becomes ``None``
(it is not let through), so a stream never stops half-way. Configuration problems (keys
missing, no reference time for ages, an unknown method) raise :class:`ConfigurationError`
when the transform is made, before any record is touched.

=======================  ===================================================================
method                   result
=======================  ===================================================================
``token``                keyed token of the normalised value (``k1:`` + 32 hex digits)
``encrypt``              deterministic ciphertext of the normalised value (``k1.`` + base64url)
``mask``                 e-mail ``m***@example.it``; phone ``**********67``; else ``M***``
``generalise.year``      the year of a date (``int``)
``generalise.month``     ``"YYYY-MM"``
``generalise.decade``    the decade (``int``: 1987 → 1980)
``generalise.age_band``  the age band at ``at``: ``"0-13"``, ``"14-17"``, ... ``"65+"``
``generalise.postcode``  the outward code (``"SW1A 1AA"`` → ``"SW1A"``) or 3 characters
``generalise.ip``        IPv4 ``/24`` network, IPv6 ``/48`` network
``drop``                 :data:`DROP`: the caller omits the field
=======================  ===================================================================
"""

from __future__ import annotations

import bisect
import enum
import hashlib
import hmac
import ipaddress
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Final, TypeAlias

from gdprkit._errors import ConfigurationError
from gdprkit._pseudonymise._keys import KeyRing
from gdprkit._pseudonymise._normalise import (
    NORMALISERS,
    WHITESPACE,
    exact_text,
    normalise_phone,
    normaliser_kind,
    to_text,
)
from gdprkit._pseudonymise._tokens import encrypt_function
from gdprkit._taxonomy import KEYED_METHODS, TRANSFORM_METHODS
from gdprkit._time import parse_date

__all__ = ["DROP", "KEYED_METHODS", "TRANSFORM_METHODS", "Drop", "Transform", "make_transform"]

#: A field transform: one value in, the transformed value (or ``None``) out.
Transform: TypeAlias = Callable[[object], object]


class Drop(enum.Enum):
    """The type of :data:`DROP`."""

    DROP = "drop"

    def __repr__(self) -> str:
        return "DROP"


#: What the ``drop`` transform returns: the caller omits the field from its output.
DROP: Final = Drop.DROP

_WHITESPACE_RUN: Final = re.compile(f"[{re.escape(WHITESPACE)}]+")
# Lower bounds of the age bands, and their labels (band i covers [_AGE_FROM[i], next)).
_AGE_FROM: Final = (0, 14, 18, 25, 35, 45, 55, 65)
_AGE_BANDS: Final = ("0-13", "14-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+")
# A phone number this short is masked entirely: two digits of four say too much.
_PHONE_SHOW_FROM: Final = 5
_IPV4_24: Final = 0xFFFF_FF00
_IPV6_HOST_BITS_48: Final = 128 - 48


def make_transform(
    method: str,
    *,
    category: str | None,
    domain: str = "default",
    keys: KeyRing | None,
    at: datetime | None,
    dayfirst: bool = False,
) -> Transform:
    """The transform ``method`` for values of ``category``, with keys and time bound.

    ``keys`` is needed by ``token`` and ``encrypt``, ``at`` (the time ages are computed at) by
    ``generalise.age_band``; ``dayfirst`` says how to read ``03/04/2025`` in date transforms.
    Raises :class:`ConfigurationError` for an unknown method or a missing argument.
    """
    if not isinstance(method, str) or method not in TRANSFORM_METHODS:
        raise ConfigurationError(
            "unknown transform; one of " + ", ".join(sorted(TRANSFORM_METHODS))
        )
    kind = normaliser_kind(category)
    if not isinstance(domain, str):
        raise ConfigurationError("a pseudonymisation domain must be text")
    if method in KEYED_METHODS:
        if keys is None:
            raise ConfigurationError(f"transform {method!r} needs keys (pass keys=KeyRing(...))")
        if not isinstance(keys, KeyRing):
            raise ConfigurationError("keys must be a KeyRing")
        if method == "token":
            return _token_transform(keys, domain, NORMALISERS[kind])
        return _encrypt_transform(keys, domain, exact_text)  # reversible: the exact text
    if method == "drop":
        return _drop
    if method == "redact":
        from gdprkit._scan import redact_value  # noqa: PLC0415 - the scanner loads when used

        return redact_value
    if method == "mask":
        return _mask_email if kind == "email" else _mask_phone if kind == "phone" else _mask
    if method == "generalise.postcode":
        return _postcode
    if method == "generalise.ip":
        return _ip_network
    if method == "generalise.age_band":
        if at is None:
            raise ConfigurationError(
                "transform 'generalise.age_band' needs at= (the time ages are computed at)"
            )
        if not isinstance(at, date):
            raise ConfigurationError("at must be a datetime")
        return _age_band(at.date() if isinstance(at, datetime) else at, dayfirst)
    return _date_transform(method, dayfirst)


# ------------------------------------------------------------------------------------------
# Keyed transforms.


def _token_transform(
    keys: KeyRing, domain: str, normalise: Callable[[object], str | None]
) -> Transform:
    # The token encoding of ``token_function``, inlined: this is the hot path of ``enforce``.
    base = hmac.new(keys.token_key(domain), digestmod=hashlib.sha256)
    prefix = keys.active + ":"

    def token(value: object) -> str | None:
        if value is None:
            return None
        try:
            text = normalise(value)
            if text is None:
                return None
            # .copy() clones the already-keyed HMAC state: the key schedule is paid once.
            h = base.copy()
            h.update(text.encode())
            return prefix + h.digest()[:16].hex()
        except Exception:  # a stream must not stop on one bad value
            return None

    return token


def _encrypt_transform(
    keys: KeyRing, domain: str, normalise: Callable[[object], str | None]
) -> Transform:
    encrypt = encrypt_function(keys, domain)

    def encrypted(value: object) -> str | None:
        if value is None:
            return None
        try:
            text = normalise(value)
            return None if text is None else encrypt(text)
        except Exception:  # a stream must not stop on one bad value
            return None

    return encrypted


def _drop(value: object) -> Drop:
    """The ``drop`` transform: the caller omits the field."""
    return DROP


# ------------------------------------------------------------------------------------------
# Masks.


def _stripped(value: object) -> str | None:
    s = to_text(value)
    return None if s is None else (s.strip(WHITESPACE) or None)


def _mask(value: object) -> str | None:
    """First character, then ``***``: ``Mario Rossi`` → ``M***``."""
    try:
        s = _stripped(value)
        return None if s is None else s[0] + "***"
    except Exception:  # a stream must not stop on one bad value
        return None


def _mask_email(value: object) -> str | None:
    """First character of the local part, ``***``, the domain: ``m***@example.it``."""
    try:
        s = _stripped(value)
        if s is None:
            return None
        local, at, domain = s.rpartition("@")
        if not at:
            return s[0] + "***"
        return f"{local[:1]}***@{domain}"
    except Exception:  # a stream must not stop on one bad value
        return None


def _mask_phone(value: object) -> str | None:
    """Every digit but the last two as ``*``, other characters dropped: ``**********67``.

    A value that is not a telephone number (``n/a``, ``+39 333 1234567 ext 12``) masks to
    ``None``: nothing of it is shown.
    """
    try:
        digits = normalise_phone(value)
        if digits is None or not (digits.isascii() and digits.isdigit()):
            return None
        shown = 2 if len(digits) >= _PHONE_SHOW_FROM else 0
        return "*" * (len(digits) - shown) + digits[len(digits) - shown :]
    except Exception:  # a stream must not stop on one bad value
        return None


# ------------------------------------------------------------------------------------------
# Generalisations.


def _date_transform(method: str, dayfirst: bool) -> Transform:
    def year(value: object) -> int | None:
        text = str.__str__(value).strip() if isinstance(value, str) else ""
        if len(text) == 4 and text.isascii() and text.isdigit():  # a year: nothing is guessed
            return int(text)
        d = _date(value, dayfirst)
        return None if d is None else d.year

    def month(value: object) -> str | None:
        d = _date(value, dayfirst)
        return None if d is None else f"{d.year:04d}-{d.month:02d}"

    def decade(value: object) -> int | None:
        d = _date(value, dayfirst)
        return None if d is None else d.year // 10 * 10

    transforms: dict[str, Transform] = {
        "generalise.year": year,
        "generalise.month": month,
        "generalise.decade": decade,
    }
    return transforms[method]


def _date(value: object, dayfirst: bool) -> date | None:
    if value is None:
        return None
    try:
        return parse_date(value, dayfirst)
    except Exception:  # a stream must not stop on one bad value
        return None


def _age_band(today: date, dayfirst: bool) -> Transform:
    def age_band(value: object) -> str | None:
        born = _date(value, dayfirst)
        if born is None or born > today:
            return None
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        return _AGE_BANDS[bisect.bisect_right(_AGE_FROM, age) - 1]

    return age_band


def _postcode(value: object) -> str | None:
    """Whitespace collapsed, upper case; the part before a space, else the first 3 characters."""
    try:
        s = to_text(value)
        if s is None:
            return None
        s = _WHITESPACE_RUN.sub(" ", s).strip(" ").upper()
        if not s:
            return None
        outward, space, _ = s.partition(" ")
        return outward if space else s[:3]
    except Exception:  # a stream must not stop on one bad value
        return None


def _ip_network(value: object) -> str | None:
    """IPv4 → ``a.b.c.0/24``; IPv6 → its ``/48`` network; an IPv4-mapped IPv6 as IPv4."""
    try:
        s = _stripped(value)
        if s is None:
            return None
        ip = ipaddress.ip_address(s)
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if isinstance(ip, ipaddress.IPv4Address):
            return str(ipaddress.IPv4Network((int(ip) & _IPV4_24, 24)))
        network = int(ip) >> _IPV6_HOST_BITS_48 << _IPV6_HOST_BITS_48
        return ipaddress.IPv6Network((network, 48)).compressed
    except Exception:  # a stream must not stop on one bad value
        return None
