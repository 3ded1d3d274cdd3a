"""Tokens in PostgreSQL: the row path's token, byte for byte, as an SQL expression (pgcrypto).

A warehouse that holds raw identifiers in one table and gdprkit tokens in another joins them by
computing the token in SQL::

    from sqlalchemy import create_engine, text
    from gdprkit.integrations.postgresql import token_sql

    expr = token_sql("c.email", keys=keys, category="contact.email")
    with engine.connect() as con:
        rows = con.execute(text(f"SELECT {expr.sql} AS email_token FROM customers c"),
                           expr.params)

The expression is design.md §7's construction: the category's normaliser (Unicode NFKC, then
trimming, case, whitespace runs, as :mod:`gdprkit._pseudonymise._normalise` does), then
``key_id || ':' || first 32 hex digits of HMAC-SHA256(derived key, UTF-8 text)`` with pgcrypto's
``hmac``. It needs ``CREATE EXTENSION pgcrypto`` and a UTF-8 database (``normalize`` needs one).

The derived per-domain key travels as a **bind parameter** (``expr.params``), never inside the
SQL text, so it does not land in a query plan or in a statement log that omits parameters; the
key ring itself never reaches the database. ``column`` is SQL you write (a column name or an
expression of your own): it is placed in the statement as given.

Kinds written in SQL: ``default`` (identifiers, free text), ``email``, ``name``, ``phone``,
``codice_fiscale`` and ``partita_iva``. Text and integer columns only: ``to_text`` of a float or
a date is Python's own spelling. Case mapping of non-ASCII letters (``email``, ``name``, and the
upper case of codici fiscali) follows the database's ``lower``/``upper``; with a ``C.UTF-8`` or
ICU collation it agrees with Python for the letters tested here, but compare with the row path
before relying on it for other scripts (a mismatch only fails a join, it never leaks a value).
IP addresses (canonical form by ``ipaddress``) raise :class:`ConfigurationError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from gdprkit._errors import ConfigurationError
from gdprkit._pseudonymise import KeyRing
from gdprkit._pseudonymise._normalise import WHITESPACE, normaliser_kind

__all__ = ["SqlToken", "token_sql"]

_TOKEN_HEX: Final = 32
# Unicode White_Space as a bracket expression of PostgreSQL's regular expressions (every
# character is literal inside brackets once ``]``, ``\\``, ``^`` and ``-`` are not among them).
_WS: Final = "[" + WHITESPACE + "]"
_TRIM: Final = f"^{_WS}+|{_WS}+$"
#: normalise_phone's ``_PHONE_SHAPE`` for PostgreSQL (``]`` first and ``-`` last in a bracket
#: are literal), anchored: the whole text.
_PHONE: Final = (
    "^[" + WHITESPACE + "([]*[+]?[]0-9" + WHITESPACE + ".()[\u2010-\u2015\u2212-]*$"
).replace("\\u2010", "\u2010")
_SQL_KINDS: Final = frozenset(
    {"default", "email", "name", "phone", "codice_fiscale", "partita_iva"}
)


@dataclass(frozen=True, slots=True)
class SqlToken:
    """An SQL expression and its bind parameters (the derived key among them)."""

    sql: str
    params: dict[str, Any] = field(repr=False)

    def __repr__(self) -> str:
        return f"SqlToken(sql={self.sql!r}, params=<{len(self.params)} bound, not shown>)"


def token_sql(
    column: str,
    *,
    keys: KeyRing,
    domain: str = "default",
    category: str | None = None,
    prefix: str = "gdprkit",
) -> SqlToken:
    """The token of ``column`` as a PostgreSQL expression, equal to
    ``pseudonymise(value, keys=keys, domain=domain, category=category)``.

    ``prefix`` names the bind parameters (``:gdprkit_key`` …): give each expression of one
    statement its own.
    """
    if not isinstance(keys, KeyRing):
        raise ConfigurationError("keys must be a KeyRing (KeyRing.from_env(), KeyRing.generate())")
    if not isinstance(column, str) or not column.strip():
        raise ConfigurationError("column is the SQL of a column or expression")
    if not prefix.isidentifier():
        raise ConfigurationError("prefix must be an identifier (it names bind parameters)")
    kind = normaliser_kind(category)
    if kind not in _SQL_KINDS:
        raise ConfigurationError(
            f"tokens of kind {kind!r} (category {category!r}) are not written in SQL yet: "
            "tokenise them with gdprkit (row path or gdprkit.frames)"
        )
    p = {
        "key": f"{prefix}_key",
        "kid": f"{prefix}_kid",
        "trim": f"{prefix}_trim",
        "ws": f"{prefix}_ws",
        "shape": f"{prefix}_shape",
    }
    text = f"normalize(CAST(({column}) AS text), NFKC)"
    if kind == "name":
        text = f"regexp_replace({text}, :{p['ws']}, ' ', 'g')"
        text = f"lower(btrim({text}, ' '))"
    elif kind == "phone":
        # One reference to the column: the shape decides between digits and trimmed text.
        digits = "regexp_replace(regexp_replace(t, '[^0-9]+', '', 'g'), '^00', '')"
        trimmed = f"regexp_replace(t, :{p['trim']}, '', 'g')"
        # The caller's column SQL, as documented above; every value is a bind parameter.
        text = (
            f"(SELECT CASE WHEN t ~ :{p['shape']} THEN {digits} ELSE {trimmed} END "  # noqa: S608
            f"FROM (SELECT {text} AS t) AS {prefix}_phone)"
        )
    elif kind in {"codice_fiscale", "partita_iva"}:
        text = f"upper(regexp_replace({text}, :{p['ws']}, '', 'g'))"
        if kind == "partita_iva":
            text = f"regexp_replace({text}, '^IT', '')"
    else:
        text = f"regexp_replace({text}, :{p['trim']}, '', 'g')"
        if kind == "email":
            text = f"lower({text})"
    normalised = f"nullif({text}, '')"
    digest = f"encode(hmac(convert_to({normalised}, 'UTF8'), :{p['key']}, 'sha256'), 'hex')"
    sql = f"(:{p['kid']} || ':' || substr({digest}, 1, {_TOKEN_HEX}))"
    params: dict[str, Any] = {
        p["key"]: keys.token_key(domain),
        p["kid"]: keys.active,
    }
    if kind in {"name", "codice_fiscale", "partita_iva"}:
        params[p["ws"]] = f"{_WS}+"
    else:
        params[p["trim"]] = _TRIM
    if kind == "phone":
        params[p["shape"]] = _PHONE
    return SqlToken(sql, params)
