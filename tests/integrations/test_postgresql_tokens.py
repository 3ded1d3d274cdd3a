"""A PostgreSQL expression (pgcrypto) gives the row path's tokens byte for byte, so a warehouse
can join raw identifiers with gdprkit tokens (issue 9). Against a real server (CI starts one)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdprkit import ConfigurationError, KeyRing, pseudonymise
from gdprkit._pseudonymise._normalise import WHITESPACE
from gdprkit.integrations.postgresql import token_sql

sqlalchemy = pytest.importorskip("sqlalchemy")

RING = KeyRing({"k1": bytes(range(32)), "k0": bytes(range(1, 33))}, active="k1")
# Letters whose NFKC and lower case Python and PostgreSQL agree on, full-width and ligature
# forms (NFKC), and every Unicode white space character.
ALPHABET = st.sampled_from(
    list("abcXYZ019 .-_@+'")
    + list("àèéìòùÀÈÉÌÒÙçÇñÑß")
    + ["\uff21", "\uff41", "\uff11", "\ufb01", "\u212a", "\u2126", "\u00b5"]
    + list(WHITESPACE)
)
# What telephone numbers are written with (and what makes a value not one): digits, brackets,
# every dash the normaliser accepts, a full-width digit and plus (NFKC), letters and slashes.
PHONE_ALPHABET = st.sampled_from(
    [
        *"0123456789+()[]-./x ",
        *("\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212"),
        *("\uff11", "\uff0b", "\u00a0", "\u3000", "\u0663"),
    ]
)
CATEGORIES = [
    None,
    "identity.customer_id",
    "contact.email",
    "identity.name",
    "free_text",
    "contact.phone",
    "identity.national_id",
    "identity.tax_id",
]
#: Upper case (codici fiscali, partite IVA): letters whose upper case Python and PostgreSQL
#: agree on (``ß`` is ``SS`` in Python, itself in PostgreSQL: not an Italian code's letter).
UPPER_CASED = {"identity.national_id", "identity.tax_id"}


@pytest.fixture(scope="module")
def engine(postgresql_server_url: str) -> Iterator[object]:
    eng = sqlalchemy.create_engine(postgresql_server_url)
    with eng.begin() as con:
        con.execute(sqlalchemy.text("CREATE EXTENSION IF NOT EXISTS pgcrypto"))
    yield eng
    eng.dispose()


def _sql_token(engine: object, value: object, category: str | None, domain: str) -> object:
    expr = token_sql("CAST(:v AS text)", keys=RING, domain=domain, category=category)
    with engine.connect() as con:  # type: ignore[attr-defined]
        return con.execute(
            sqlalchemy.text(f"SELECT {expr.sql}"), {**expr.params, "v": value}
        ).scalar()


def _row_token(value: object, category: str | None, domain: str) -> str | None:
    try:
        return pseudonymise(value, keys=RING, domain=domain, category=category)
    except ConfigurationError:  # blank: no token (SQL gives NULL)
        return None


@pytest.mark.parametrize("category", CATEGORIES)
@pytest.mark.parametrize(
    "value",
    [
        "C-1001",
        "  Mario.Rossi@Example.IT ",
        "Mario  Rossi",
        "\uff21\uff22\uff23\uff11\uff12\uff13",
        "\ufb01le",
        "",
        "  ",
    ],
)
def test_sql_tokens_equal_the_row_path(engine: object, value: str, category: str | None) -> None:
    assert _sql_token(engine, value, category, "default") == _row_token(value, category, "default")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    value=st.text(ALPHABET, max_size=20),
    category=st.sampled_from(CATEGORIES),
    domain=st.sampled_from(["default", "analytics", "crm/eu"]),
)
def test_sql_tokens_equal_the_row_path_for_drawn_text(
    engine: object, value: str, category: str | None, domain: str
) -> None:
    if category in UPPER_CASED:
        value = value.replace("ß", "s")
    assert _sql_token(engine, value, category, domain) == _row_token(value, category, domain)


def test_a_warehouse_join_on_tokens(engine: object) -> None:
    """Raw ids in one table, tokens (made by gdprkit) in another: the SQL token joins them."""
    with engine.begin() as con:  # type: ignore[attr-defined]
        con.execute(sqlalchemy.text("CREATE TEMP TABLE crm (customer_id text, email text)"))
        con.execute(sqlalchemy.text("CREATE TEMP TABLE facts (customer_token text, amount int)"))
        raw = [("C-1", "a@x.it"), ("C-2", "b@x.it"), ("C-3", "c@x.it")]
        con.execute(
            sqlalchemy.text("INSERT INTO crm VALUES (:i, :e)"), [{"i": i, "e": e} for i, e in raw]
        )
        facts = [{"t": pseudonymise(i, keys=RING), "a": n} for n, (i, _) in enumerate(raw, 1)]
        con.execute(sqlalchemy.text("INSERT INTO facts VALUES (:t, :a)"), facts)
        expr = token_sql("crm.customer_id", keys=RING)
        joined = con.execute(
            sqlalchemy.text(
                "SELECT crm.email, facts.amount FROM crm JOIN facts"  # noqa: S608 - our expression
                f" ON facts.customer_token = {expr.sql} ORDER BY facts.amount"
            ),
            expr.params,
        ).all()
    assert [tuple(r) for r in joined] == [("a@x.it", 1), ("b@x.it", 2), ("c@x.it", 3)]


def test_the_key_is_a_parameter_never_sql_text() -> None:
    expr = token_sql("customer_id", keys=RING)
    key = RING.token_key("default")  # the derived key's hex text, as the HMAC's key
    assert key.decode() not in expr.sql
    assert key not in expr.sql.encode("latin-1", "ignore")
    assert key in expr.params.values()
    assert key.decode() not in repr(expr)
    assert key.decode() not in str(expr.params.keys())
    assert "not shown" in repr(expr)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=st.text(PHONE_ALPHABET, max_size=20), domain=st.sampled_from(["default", "analytics"]))
def test_sql_phone_tokens_equal_the_row_path(engine: object, value: str, domain: str) -> None:
    assert _sql_token(engine, value, "contact.phone", domain) == _row_token(
        value, "contact.phone", domain
    )


@pytest.mark.parametrize(
    ("value", "category"),
    [
        ("+39 333 123 4567", "contact.phone"),
        ("0039 (333) 123\u20124567", "contact.phone"),
        ("+39 333 1234567 ext 12", "contact.phone"),
        (" rssmra85t10a562s ", "identity.national_id"),
        ("IT 01234567890", "identity.tax_id"),
    ],
)
def test_italian_identifiers_in_sql(engine: object, value: str, category: str) -> None:
    got = _sql_token(engine, value, category, "analytics")
    assert got is not None
    assert got == _row_token(value, category, "analytics")


@pytest.mark.parametrize("category", ["online.ip_address"])
def test_kinds_not_written_in_sql_are_refused(category: str) -> None:
    with pytest.raises(ConfigurationError, match="not written in SQL"):
        token_sql("x", keys=RING, category=category)
