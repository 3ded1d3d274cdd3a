"""Secret keys: a named, immutable ring of keys with one active key, and key derivation.

A :class:`KeyRing` writes with its *active* key and reads with any key it holds (as
``MultiFernet`` does), so tokens and ciphertexts survive rotation: each names the id of the key
that made it. Secret bytes never appear in ``repr``, ``str``, exception messages or pickles;
:meth:`KeyRing.export` is the one explicit way out (to ship keys to Spark executors, say).

The text format (environment variable, file, :meth:`KeyRing.export`) is::

    id:base64url[,id:base64url...]        # the first key is the active one

Key ids match ``[A-Za-z0-9_-]{1,64}``; padding is optional and whitespace around entries is
ignored. Keys are at least 32 bytes.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
import stat
import sys
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Final, NoReturn, SupportsIndex

from gdprkit._errors import ConfigurationError, MissingKeyError

__all__ = [
    "DEFAULT_ENV_VAR",
    "KEY_ID_PATTERN",
    "MIN_KEY_BYTES",
    "KeyFileWarning",
    "KeyRing",
    "hex_key",
]


class KeyFileWarning(UserWarning):
    """A key file that others than its owner may read (group or world permissions set)."""


#: The shortest key accepted, in bytes (256 bits).
MIN_KEY_BYTES: Final = 32
#: What a key id looks like.
KEY_ID_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
#: The environment variable :meth:`KeyRing.from_env` reads by default.
DEFAULT_ENV_VAR: Final = "GDPRKIT_KEYS"

_GENERATED_KEY_BYTES: Final = 32
_BASE64: Final = re.compile(r"[A-Za-z0-9_+/-]+={0,2}")
_NUMBERED_ID: Final = re.compile(r"k([0-9]{1,18})")
# HKDF-SHA256 can produce at most 255 blocks of 32 bytes.
_MAX_DERIVED_BYTES: Final = 255 * 32
# Derived keys are cached per (key id, label, domain, length); a ring sees few domains, but a
# caller deriving for unbounded domains must not grow memory without limit.
_MAX_CACHED: Final = 4096
_PICKLE_REFUSED: Final = (
    "KeyRing cannot be pickled; use KeyRing.export() explicitly and KeyRing.from_string() "
    "on the other side, over a channel fit for secrets"
)


def _name_key_id(key_id: object) -> str:
    """``key_id`` quoted for a message when it is shaped like a key id; never arbitrary text."""
    if isinstance(key_id, str) and KEY_ID_PATTERN.fullmatch(key_id):
        return repr(key_id)
    return "<malformed key id>"


def _check_key_id(key_id: object) -> str:
    if not isinstance(key_id, str) or not KEY_ID_PATTERN.fullmatch(key_id):
        raise ConfigurationError("a key id must match [A-Za-z0-9_-]{1,64}")
    return key_id


def _check_key(key_id: str, key: object) -> bytes:
    if not isinstance(key, bytes | bytearray | memoryview):
        raise ConfigurationError(f"key {key_id!r} must be bytes")
    raw = bytes(key)
    if len(raw) < MIN_KEY_BYTES:
        raise ConfigurationError(
            f"key {key_id!r} is too short: keys must be at least {MIN_KEY_BYTES} bytes"
        )
    return raw


def _encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).rstrip(b"=").decode("ascii")


def _parse(text: str, *, source: str) -> dict[str, bytes]:
    """Parse ``id:base64url[,...]``; messages say where (entry number), never what."""
    if not isinstance(text, str):
        raise ConfigurationError(f"keys from {source} must be text")
    entries = text.split(",")
    keys: dict[str, bytes] = {}
    for number, raw_entry in enumerate(entries, start=1):
        entry = raw_entry.strip()
        where = f"{source}, entry {number}"
        key_id, sep, encoded = entry.partition(":")
        key_id, encoded = key_id.strip(), encoded.strip()
        if not sep or not KEY_ID_PATTERN.fullmatch(key_id):
            raise ConfigurationError(
                f"malformed keys in {where}: expected id:base64url with an id "
                "matching [A-Za-z0-9_-]{1,64}"
            )
        if not _BASE64.fullmatch(encoded):
            raise ConfigurationError(f"malformed keys in {where}: the key is not base64url")
        # Standard base64 (``openssl rand -base64 32``) is accepted too: the two alphabets
        # differ only in these two characters.
        body = encoded.rstrip("=").replace("+", "-").replace("/", "_")
        try:
            key = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError):
            raise ConfigurationError(
                f"malformed keys in {where}: the key is not base64url"
            ) from None
        if key_id in keys:
            raise ConfigurationError(f"malformed keys in {where}: key id {key_id!r} repeated")
        if len(key) < MIN_KEY_BYTES:
            raise ConfigurationError(
                f"key {key_id!r} in {where} is too short: keys must be at least "
                f"{MIN_KEY_BYTES} bytes"
            )
        keys[key_id] = key
    return keys


class KeyRing:
    """Named secret keys and the id of the active one; immutable.

    ``KeyRing({"k1": key_bytes})`` (the first key is active unless ``active`` names another),
    :meth:`generate`, :meth:`from_env`, :meth:`from_file`, :meth:`from_string`. New tokens and
    ciphertexts use the active key; any key in the ring reads old ones. :meth:`rotate` returns a
    new ring with a fresh active key and the old keys kept.

    Secret bytes are never shown: ``repr`` lists ids only, pickling raises ``TypeError``
    (use :meth:`export` explicitly). Since a ring is immutable, ``copy.copy`` and
    ``copy.deepcopy`` return the ring itself. Rings compare by identity.
    """

    __slots__ = ("__weakref__", "_active", "_cache", "_keys")

    _keys: dict[str, bytes]
    _active: str
    _cache: dict[tuple[str, str, str, int], bytes]

    def __init__(self, keys: Mapping[str, bytes], active: str | None = None) -> None:
        if not isinstance(keys, Mapping):
            raise ConfigurationError("keys must be a mapping of key id to key bytes")
        if not keys:
            raise ConfigurationError("a key ring needs at least one key")
        checked: dict[str, bytes] = {}
        for key_id, key in keys.items():
            valid_id = _check_key_id(key_id)
            checked[valid_id] = _check_key(valid_id, key)
        if active is None:
            active = next(iter(checked))
        elif active not in checked:
            raise MissingKeyError(f"the key ring has no key {_name_key_id(active)} to make active")
        object.__setattr__(self, "_keys", checked)
        object.__setattr__(self, "_active", active)
        object.__setattr__(self, "_cache", {})

    # ---------------------------------------------------------------------------------------
    # Making rings.

    @classmethod
    def generate(cls, key_id: str = "k1") -> KeyRing:
        """A ring of one fresh random 32-byte key called ``key_id``."""
        return cls({_check_key_id(key_id): secrets.token_bytes(_GENERATED_KEY_BYTES)})

    @classmethod
    def from_string(cls, text: str) -> KeyRing:
        """A ring from ``id:base64url[,id:base64url...]``; the first key is active."""
        return cls(_parse(text, source="the key text"))

    @classmethod
    def from_env(
        cls, name: str = DEFAULT_ENV_VAR, environ: Mapping[str, str] | None = None
    ) -> KeyRing:
        """A ring from the environment variable ``name`` (format as :meth:`from_string`).

        ``environ`` defaults to ``os.environ``. A missing variable or malformed text raises
        :class:`ConfigurationError` naming the variable, never its value.
        """
        env = os.environ if environ is None else environ
        text = env.get(name)
        if text is None:
            raise ConfigurationError(
                f"environment variable {name} is not set; it should hold id:base64url keys "
                "(generate one with KeyRing.generate().export())"
            )
        return cls(_parse(text, source=f"environment variable {name}"))

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> KeyRing:
        """A ring from a text file (format as :meth:`from_string`; surrounding space ignored).

        A file that its group or other users may read (``mode & 0o077``, on POSIX systems)
        gives a :class:`KeyFileWarning` naming the file and its mode: a key file should be
        ``chmod 600``. The keys are loaded all the same.
        """
        file = Path(path)
        try:
            with file.open("rb") as handle:
                mode = os.fstat(handle.fileno()).st_mode
                data = handle.read()
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigurationError(f"key file {file} is not UTF-8 text") from None
        except OSError as exc:
            raise ConfigurationError(
                f"cannot read key file {file}: {exc.strerror or type(exc).__name__}"
            ) from None
        if sys.platform != "win32" and stat.S_ISREG(mode) and mode & 0o077:
            warnings.warn(
                f"key file {file} is readable by others than its owner (mode "
                f"{stat.S_IMODE(mode):03o}): make it private with chmod 600",
                KeyFileWarning,
                stacklevel=2,
            )
        return cls(_parse(text, source=f"key file {file}"))

    def export(self) -> str:
        """The ring as ``id:base64url[,...]``, active key first. Handle it as the secret it is."""
        order = (self._active, *(k for k in self._keys if k != self._active))
        return ",".join(f"{key_id}:{_encode_key(self._keys[key_id])}" for key_id in order)

    def rotate(self, key_id: str | None = None) -> KeyRing:
        """A new ring whose active key is a fresh random key; every old key is kept.

        The new id defaults to ``k<n>``, ``n`` one more than the highest numbered ``k<n>`` id
        (at least 2), so an id is never reused for a different key. The new key comes first.
        """
        if key_id is None:
            numbers = [int(m.group(1)) for k in self._keys if (m := _NUMBERED_ID.fullmatch(k))]
            n = max([1, *numbers]) + 1
            while f"k{n}" in self._keys:  # only when an id has more digits than counted
                n += 1
            key_id = f"k{n}"
        elif _check_key_id(key_id) in self._keys:
            raise ConfigurationError(f"the key ring already holds a key {key_id!r}")
        keys = {key_id: secrets.token_bytes(_GENERATED_KEY_BYTES), **self._keys}
        return KeyRing(keys, active=key_id)

    # ---------------------------------------------------------------------------------------
    # Looking at rings (ids only).

    @property
    def active(self) -> str:
        """The id of the key that new tokens and ciphertexts use."""
        return self._active

    @property
    def ids(self) -> tuple[str, ...]:
        """The ids of every key in the ring, in order."""
        return tuple(self._keys)

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"KeyRing(active={self._active!r}, ids={self.ids!r})"

    __str__ = __repr__

    # ---------------------------------------------------------------------------------------
    # Derivation: the lower layer that tokens and encryption stand on.

    def derive(
        self, label: str, domain: str, *, key_id: str | None = None, length: int = 32
    ) -> bytes:
        """A ``length``-byte key for ``label`` (``token``, ``encrypt``) and ``domain``.

        HKDF-SHA256 of key ``key_id`` (the active one by default), no salt, ``info`` =
        ``b"gdprkit/<label>/v1/" + domain`` (UTF-8). A label holds no ``/``, so ``info`` is
        injective: two (label, domain) pairs never share it. Another engine that derives the
        same way gets the same bytes. Cached per (key id, label, domain, length).
        """
        if not isinstance(label, str) or not isinstance(domain, str):
            raise ConfigurationError("label and domain must be text")
        if not label or "/" in label:
            # ``info`` is then read back one way only: the label ends at its first "/", the
            # domain is everything after "/v1/". No (label, domain) pair runs into another.
            raise ConfigurationError("a derivation label is a non-empty word without '/'")
        if type(length) is not int or not 0 < length <= _MAX_DERIVED_BYTES:
            raise ConfigurationError(f"length must be from 1 to {_MAX_DERIVED_BYTES} bytes")
        kid = self._active if key_id is None else key_id
        if not isinstance(kid, str):
            raise MissingKeyError(f"the key ring has no key {_name_key_id(kid)}")
        cache_key = (kid, label, domain, length)
        cached = self._cache.get(cache_key)
        if cached is not None:
            return cached
        secret = self._keys.get(kid)
        if secret is None:
            raise MissingKeyError(f"the key ring has no key {_name_key_id(kid)}")
        try:
            info = f"gdprkit/{label}/v1/".encode() + domain.encode("utf-8")
        except UnicodeEncodeError:
            raise ConfigurationError("label and domain must be encodable as UTF-8") from None

        # Imported here: ``import gdprkit`` stays fast and loads cryptography only when needed.
        from cryptography.hazmat.primitives import hashes  # noqa: PLC0415 - lazy, see above
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF  # noqa: PLC0415

        derived = HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(
            secret
        )
        if len(self._cache) >= _MAX_CACHED:
            self._cache.clear()
        self._cache[cache_key] = derived
        return derived

    def token_key(self, domain: str, *, key_id: str | None = None) -> bytes:
        """The HMAC key of tokens in ``domain``: the lowercase hex text (64 ASCII bytes) of
        ``derive("token", domain)``.

        Keying HMAC with text lets every engine make the same token, including those whose
        HMAC takes only a text key (``polars-hash``); 64 bytes is SHA-256's block, so RFC 2104
        uses the key as it is. Design §7.
        """
        return hex_key(self.derive("token", domain, key_id=key_id))

    # ---------------------------------------------------------------------------------------
    # Refusals: immutability and no pickles.

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("KeyRing is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError("KeyRing is immutable")

    def __reduce_ex__(self, protocol: SupportsIndex) -> NoReturn:
        raise TypeError(_PICKLE_REFUSED)

    def __reduce__(self) -> NoReturn:
        raise TypeError(_PICKLE_REFUSED)

    def __getstate__(self) -> NoReturn:
        raise TypeError(_PICKLE_REFUSED)

    def __copy__(self) -> KeyRing:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> KeyRing:
        return self


def hex_key(derived: bytes) -> bytes:
    """A derived key as the HMAC key of tokens: its lowercase hex text, as ASCII bytes."""
    return derived.hex().encode("ascii")
