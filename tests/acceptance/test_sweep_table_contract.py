# ruff: noqa: S608 - table names come from the test itself
"""§11 gdprkit.integrations.sqlalchemy.sweep_table on SQLite."""

from __future__ import annotations

import sqlite3

import pytest

from .conftest import AT

pytest.importorskip("sqlalchemy")
from gdprkit import ConsentLedger
from gdprkit.integrations.sqlalchemy import sweep_table

COLUMNS = (
    "customer_id",
    "first_name",
    "email",
    "relationship",
    "source",
    "last_purchase_at",
    "purchases_total",
    "notes",
    "consent_marketing",
    "consent_marketing_at",
)
ROWS = [
    # kept: contract applies, nothing to erase
    ("A", "Anna", "anna@example.it", "customer", "web_form", "2025-01-10", "120", None, "no", None),
    # erased: contract applies, notes has no purpose
    (
        "B",
        "Bruno",
        "bruno@example.it",
        "customer",
        "store",
        "2025-02-10",
        "80",
        "likes red",
        "no",
        None,
    ),
    # deleted: no purpose; purchase history anonymised
    ("C", "Carla", "carla@example.it", "prospect", "store", "2025-03-10", "45.5", None, "no", None),
]


def make_db(path, primary_key=True):
    con = sqlite3.connect(path)
    cols = ", ".join(
        f"{c} TEXT PRIMARY KEY" if (c == "customer_id" and primary_key) else f"{c} TEXT"
        for c in COLUMNS
    )
    con.execute(f"CREATE TABLE customers ({cols})")
    con.executemany(f"INSERT INTO customers VALUES ({', '.join('?' * len(COLUMNS))})", ROWS)
    con.commit()
    con.close()


def rows(path, table="customers"):
    con = sqlite3.connect(path)
    try:
        con.row_factory = sqlite3.Row
        return {r["customer_id"]: dict(r) for r in con.execute(f"SELECT * FROM {table}")}
    finally:
        con.close()


def test_sweep_table_counts_dry_run_and_idempotence(tmp_path, policy):
    path = tmp_path / "crm.db"
    make_db(path)
    url = f"sqlite:///{path}"
    before = rows(path)

    dry = sweep_table(
        url,
        "customers",
        policy,
        consents=ConsentLedger(),
        at=AT,
        dry_run=True,
        anonymous_table="anon",
    )
    assert (dry.deleted, dry.erased, dry.kept) == (1, 1, 1)
    assert dry.deleted + dry.erased + dry.kept == len(ROWS)
    assert rows(path) == before

    rep = sweep_table(
        url, "customers", policy, consents=ConsentLedger(), at=AT, anonymous_table="anon"
    )
    assert (rep.deleted, rep.erased, rep.kept, rep.anonymised) == (1, 1, 1, 1)
    assert dry.anonymised == rep.anonymised
    after = rows(path)
    assert set(after) == {"A", "B"}
    assert after["A"] == before["A"]
    assert after["B"]["notes"] is None
    assert after["B"]["email"] == "bruno@example.it"

    con = sqlite3.connect(path)
    anon = con.execute("SELECT * FROM anon").fetchall()
    names = [d[0] for d in con.execute("SELECT * FROM anon").description]
    con.close()
    assert len(anon) == 1
    for forbidden in ("customer_id", "first_name", "email", "notes"):
        assert forbidden not in names or all(r[names.index(forbidden)] is None for r in anon)
    assert "purchases_total" in names

    again = sweep_table(
        url, "customers", policy, consents=ConsentLedger(), at=AT, anonymous_table="anon"
    )
    assert (again.deleted, again.erased, again.kept, again.anonymised) == (0, 0, 2, 0)
    assert rows(path) == after


def test_sweep_table_without_anonymous_table(tmp_path, policy):
    path = tmp_path / "crm.db"
    make_db(path)
    rep = sweep_table(
        f"sqlite:///{path}", "customers", policy, consents=ConsentLedger(), at=AT, batch_size=1
    )
    assert (rep.deleted, rep.erased, rep.kept) == (1, 1, 1)
    con = sqlite3.connect(path)
    tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
    con.close()
    assert tables == {"customers"}


def test_sweep_table_engine_and_no_primary_key(tmp_path, policy):
    sqlalchemy = pytest.importorskip("sqlalchemy")
    path = tmp_path / "crm.db"
    make_db(path, primary_key=False)
    engine = sqlalchemy.create_engine(f"sqlite:///{path}")
    try:
        rep = sweep_table(engine, "customers", policy, consents=ConsentLedger(), at=AT)
    finally:
        engine.dispose()
    assert (rep.deleted, rep.erased, rep.kept) == (1, 1, 1)
    after = rows(path)
    assert set(after) == {"A", "B"}
    assert after["B"]["notes"] is None


def test_sweep_table_reads_text_as_typed_values(tmp_path, policy):
    """Consent flag 'yes' and ISO dates held in text columns count as such."""
    path = tmp_path / "crm.db"
    con = sqlite3.connect(path)
    con.execute(
        "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, first_name TEXT, email TEXT, "
        "relationship TEXT, source TEXT, consent_marketing TEXT, consent_marketing_at TEXT)"
    )
    con.execute(
        "INSERT INTO customers VALUES "
        "('P', 'Pia', 'pia@example.it', 'prospect', 'app', 'yes', '2025-01-05')"
    )
    con.execute(
        "INSERT INTO customers VALUES "
        "('Q', 'Quinto', 'q@example.it', 'prospect', 'app', 'no', '2025-01-05')"
    )
    con.commit()
    con.close()
    rep = sweep_table(f"sqlite:///{path}", "customers", policy, consents=ConsentLedger(), at=AT)
    # P: direct marketing by consent keeps name and e-mail (customer_id is the key column)
    assert rep.deleted == 1
    assert set(rows(path)) == {"P"}
    assert rows(path)["P"]["email"] == "pia@example.it"
