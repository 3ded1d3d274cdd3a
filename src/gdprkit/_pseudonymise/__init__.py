"""Pseudonymisation: keys, tokens, reversible encryption, masks and generalisation.

Two layers, as in pyca/cryptography. The safe face is :func:`pseudonymise` / :func:`reveal`
and :func:`make_transform` (normalise, then tokenise or encrypt with a per-domain key). Below
it sit the building blocks other engines reproduce byte for byte: :meth:`KeyRing.derive`,
:func:`token_function`, :func:`encrypt_function` and the normalisers.
"""

from gdprkit._pseudonymise._keys import (
    DEFAULT_ENV_VAR,
    KEY_ID_PATTERN,
    MIN_KEY_BYTES,
    KeyFileWarning,
    KeyRing,
)
from gdprkit._pseudonymise._normalise import (
    NORMALISERS,
    WHITESPACE,
    Normaliser,
    normalise_codice_fiscale,
    normalise_default,
    normalise_email,
    normalise_ip,
    normalise_name,
    normalise_partita_iva,
    normalise_phone,
    normaliser_for,
    normaliser_kind,
    to_text,
)
from gdprkit._pseudonymise._tokens import (
    CIPHERTEXT_PATTERN,
    PSEUDONYMISE_METHODS,
    TOKEN_PATTERN,
    encrypt_function,
    key_id_of,
    pseudonymise,
    reveal,
    token_function,
)
from gdprkit._pseudonymise._transforms import (
    DROP,
    KEYED_METHODS,
    TRANSFORM_METHODS,
    Drop,
    Transform,
    make_transform,
)

__all__ = [
    "CIPHERTEXT_PATTERN",
    "DEFAULT_ENV_VAR",
    "DROP",
    "KEYED_METHODS",
    "KEY_ID_PATTERN",
    "MIN_KEY_BYTES",
    "NORMALISERS",
    "PSEUDONYMISE_METHODS",
    "TOKEN_PATTERN",
    "TRANSFORM_METHODS",
    "WHITESPACE",
    "Drop",
    "KeyFileWarning",
    "KeyRing",
    "Normaliser",
    "Transform",
    "encrypt_function",
    "key_id_of",
    "make_transform",
    "normalise_codice_fiscale",
    "normalise_default",
    "normalise_email",
    "normalise_ip",
    "normalise_name",
    "normalise_partita_iva",
    "normalise_phone",
    "normaliser_for",
    "normaliser_kind",
    "pseudonymise",
    "reveal",
    "to_text",
    "token_function",
]
