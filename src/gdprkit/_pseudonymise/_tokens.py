"""Tokens (keyed, irreversible) and deterministic encryption (reversible), per domain.

The encodings here are a contract that Spark, polars and pyarrow reproduce byte for byte:

* **token** — ``f"{key_id}:{HMAC-SHA256(k, text.encode('utf-8'))[:16].hex()}"`` with
  ``k = ring.token_key(domain)``, the lowercase hex text of ``ring.derive("token", domain)``
  as 64 ASCII bytes (so an HMAC that takes a text key reproduces it): the key id, a colon, 32
  lowercase hex digits (128 bits).
* **ciphertext** — ``f"{key_id}.{base64url_without_padding(AES-SIV(k, text, ad))}"`` with the
  64-byte ``k = ring.derive("encrypt", domain, length=64)`` and associated data
  ``[b"gdprkit/v1", domain.encode("utf-8")]``. Deterministic: equal text, equal ciphertext.

``text`` is the value after its category's normaliser (:mod:`._normalise`). Two domains derive
unrelated keys, so their tokens cannot be linked (EDPB Guidelines 01/2025). Each output names
its key id, so it can still be read (ciphertexts) or recognised (tokens) after rotation.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Callable, Sequence
from typing import Final

from gdprkit._errors import ConfigurationError, CryptoError, MissingKeyError
from gdprkit._pseudonymise._keys import KeyRing
from gdprkit._pseudonymise._normalise import exact_text, normaliser_for, normaliser_kind, to_text

__all__ = [
    "CIPHERTEXT_PATTERN",
    "PSEUDONYMISE_METHODS",
    "TOKEN_PATTERN",
    "encrypt_function",
    "key_id_of",
    "pseudonymise",
    "reveal",
    "token_batch",
    "token_function",
]

#: What a token looks like.
TOKEN_PATTERN: Final = re.compile(r"([A-Za-z0-9_-]{1,64}):([0-9a-f]{32})")
#: What a ciphertext from ``encrypt`` looks like (a 16-byte SIV tag, then the text).
CIPHERTEXT_PATTERN: Final = re.compile(r"([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{22,})")
#: The methods :func:`pseudonymise` offers.
PSEUDONYMISE_METHODS: Final = frozenset({"token", "encrypt"})

_TOKEN_BYTES: Final = 16
_AD_VERSION: Final = b"gdprkit/v1"
_SIV_TAG_BYTES: Final = 16
_REVEAL_FAILED: Final = "cannot reveal value"


def _check_ring(keys: object) -> KeyRing:
    if not isinstance(keys, KeyRing):
        raise ConfigurationError("keys must be a KeyRing (KeyRing.from_env(), KeyRing.generate())")
    return keys


def _check_domain(domain: object) -> str:
    if not isinstance(domain, str):
        raise ConfigurationError("a pseudonymisation domain must be text")
    return domain


def token_function(keys: KeyRing, domain: str = "default") -> Callable[[str], str]:
    """A function from normalised text to its token under the active key, for hot loops.

    The per-domain key is derived and the HMAC keyed once, here; each call costs one copy
    of that state and one HMAC over the value.
    """
    ring = _check_ring(keys)
    base = hmac.new(ring.token_key(_check_domain(domain)), digestmod=hashlib.sha256)
    prefix = ring.active + ":"

    def token(text: str) -> str:
        # .copy() clones the already-keyed inner/outer state: no re-keying per value.
        h = base.copy()
        h.update(text.encode())
        return prefix + h.digest()[:16].hex()

    return token


def token_batch(
    keys: KeyRing, domain: str = "default"
) -> Callable[[Sequence[str | None]], list[str | None]]:
    """A function from many normalised texts (``None`` stays ``None``) to their tokens.

    Byte for byte :func:`token_function`'s tokens, for the columnar engines: HMAC-SHA256
    (RFC 2104) written out as its two SHA-256 passes, the inner and outer states keyed once and
    copied per value (C calls only, no ``hmac`` wrapper per value).
    """
    ring = _check_ring(keys)
    key = ring.token_key(_check_domain(domain))
    block = hashlib.sha256().block_size
    if len(key) > block:  # RFC 2104: a long key is hashed first (token keys are 64 bytes)
        key = hashlib.sha256(key).digest()
    padded = key.ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))
    prefix = ring.active + ":"

    def tokens(texts: Sequence[str | None]) -> list[str | None]:
        inner_copy, outer_copy = inner.copy, outer.copy
        out: list[str | None] = []
        append = out.append
        for text in texts:
            if text is None:
                append(None)
                continue
            h = inner_copy()
            h.update(text.encode())
            o = outer_copy()
            o.update(h.digest())
            append(prefix + o.digest()[:_TOKEN_BYTES].hex())
        return out

    return tokens


def encrypt_function(keys: KeyRing, domain: str = "default") -> Callable[[str], str]:
    """A function from normalised text to its deterministic ciphertext under the active key."""
    from cryptography.hazmat.primitives.ciphers.aead import AESSIV  # noqa: PLC0415 - lazy

    ring = _check_ring(keys)
    domain = _check_domain(domain)
    seal = AESSIV(ring.derive("encrypt", domain, length=64)).encrypt
    associated = [_AD_VERSION, domain.encode("utf-8")]
    prefix = ring.active + "."
    encode = base64.urlsafe_b64encode

    def encrypt(text: str) -> str:
        return prefix + encode(seal(text.encode(), associated)).rstrip(b"=").decode("ascii")

    return encrypt


def key_id_of(token: str) -> str | None:
    """The key id a token or ciphertext names, or ``None`` when it is neither."""
    if not isinstance(token, str):
        return None
    m = TOKEN_PATTERN.fullmatch(token) or CIPHERTEXT_PATTERN.fullmatch(token)
    return None if m is None else m.group(1)


def reveal(token: str, *, keys: KeyRing, domain: str = "default") -> str:
    """The normalised text that ``encrypt`` turned into ``token``, for whoever holds the key.

    Works after rotation while the ring still holds the key the ciphertext names.
    Raises :class:`MissingKeyError` (naming the key id only) when the ring lacks that key,
    and an opaque :class:`CryptoError` for anything else: another domain, altered or
    malformed text, a token (tokens are irreversible).
    """
    ring = _check_ring(keys)
    domain = _check_domain(domain)
    m = CIPHERTEXT_PATTERN.fullmatch(token) if isinstance(token, str) else None
    if m is None or len(m.group(2)) % 4 == 1:
        raise CryptoError(_REVEAL_FAILED)
    key_id, body = m.groups()
    if key_id not in ring:
        raise MissingKeyError(f"the key ring has no key {key_id!r}")
    from cryptography.exceptions import InvalidTag  # noqa: PLC0415 - lazy: see encrypt_function
    from cryptography.hazmat.primitives.ciphers.aead import AESSIV  # noqa: PLC0415

    try:
        sealed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        # One ciphertext, one spelling: base64 text whose unused low bits are set decodes to
        # the same bytes; only the canonical encoding is accepted.
        if base64.urlsafe_b64encode(sealed).rstrip(b"=").decode("ascii") != body:
            raise CryptoError(_REVEAL_FAILED)
        aead = AESSIV(ring.derive("encrypt", domain, key_id=key_id, length=64))
        plain = aead.decrypt(sealed, [_AD_VERSION, domain.encode("utf-8")])
        return plain.decode("utf-8")
    except (InvalidTag, binascii.Error, ValueError):
        # Opaque on purpose: which check failed is a hint to an attacker, and neither the
        # input nor cryptography's text belongs in a log.
        raise CryptoError(_REVEAL_FAILED) from None


def pseudonymise(
    value: object,
    *,
    keys: KeyRing,
    method: str = "token",
    domain: str = "default",
    category: str | None = None,
) -> str:
    """``value`` tokenised (normalised for its ``category`` first) or encrypted (as it is).

    ``method="token"`` (default): keyed, deterministic, irreversible. ``method="encrypt"``:
    deterministic and reversible with :func:`reveal`. Both use the active key of ``keys`` and
    the per-``domain`` key derived from it; equal values in one domain give equal outputs,
    and two domains give unlinkable ones. There is no unsalted hash: it would be reversible by
    dictionary. A value that cannot be normalised (``None``, NaN, bytes, a list, blank text,
    a phone number without digits) raises :class:`ConfigurationError` naming its type or kind,
    never the value.
    """
    ring = _check_ring(keys)
    if not isinstance(method, str) or method not in PSEUDONYMISE_METHODS:
        raise ConfigurationError("method must be 'token' or 'encrypt'")
    domain = _check_domain(domain)
    # Tokens: the value normalised for its category (the same person, the same token from
    # every source). Encryption: the exact text, so that reveal gives the value back.
    text = normaliser_for(category)(value) if method == "token" else exact_text(value)
    if text is None:
        if to_text(value) is None:
            problem = f"unsupported type {type(value).__name__}"
        else:
            problem = f"blank or not a valid {normaliser_kind(category)} value"
        raise ConfigurationError(f"value cannot be pseudonymised: {problem}")
    make = token_function if method == "token" else encrypt_function
    try:
        return make(ring, domain)(text)
    except UnicodeEncodeError:  # lone surrogates; the exception would quote the text
        raise ConfigurationError(
            "value cannot be pseudonymised: text is not valid Unicode"
        ) from None
