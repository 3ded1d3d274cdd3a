# ruff: noqa: S608 - table and column names come from the test itself
"""``sweep_table`` on real SQLite files (design.md §6, §9, §11): canonical subject ids, rows it
cannot judge left alone and counted in ``needs_review``, undeclared columns refused before any
change, a row of bad UTF-8 skipped without blocking the table or being quoted."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from faces_policies import AT, COLUMNS_ONLY, POLICY, record

from gdprkit import ConfigurationError, ConsentLedger, Evidence

sa = pytest.importorskip("sqlalchemy")
from gdprkit.integrations.sqlalchemy import SweepError, sweep_table  # noqa: E402

COLUMNS = list(POLICY.fields)


def make(path: Path, rows: list[dict[str, Any]], *, extra: str = "", pk: bool = True) -> str:
    """A table ``customers`` with a surrogate integer key (or none) and the policy's columns
    (no declared type: SQLite keeps each value as it was written)."""
    con = sqlite3.connect(path)
    key = "id INTEGER PRIMARY KEY, " if pk else ""
    con.execute(f"CREATE TABLE customers ({key}{', '.join(COLUMNS)}{extra})")
    for row in rows:
        names = list(row)
        con.execute(
            f"INSERT INTO customers ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            [row[n] for n in names],
        )
    con.commit()
    con.close()
    return f"sqlite:///{path}"


def dump(path: Path) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(path)
    con.text_factory = bytes
    try:
        return con.execute("SELECT * FROM customers ORDER BY rowid").fetchall()
    finally:
        con.close()


def ids(path: Path) -> list[Any]:
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute("SELECT customer_id FROM customers ORDER BY rowid")]
    finally:
        con.close()


# -- canonical subject ids -------------------------------------------------------------------


@pytest.mark.parametrize("spelling", [1001, 1001.0, "1001.0", " 1001", "1001\n", "1001 "], ids=repr)
def test_an_erased_subject_is_found_whatever_the_row_spells(tmp_path: Path, spelling: Any) -> None:
    ledger = ConsentLedger()
    ledger.request_erasure("1001", at=AT - timedelta(days=1))
    url = make(tmp_path / "crm.db", [record(customer_id=spelling), record(customer_id="1002")])
    report = sweep_table(url, "customers", POLICY, at=AT, consents=ledger)
    assert report.deleted == 1
    assert report.reasons["erasure.requested"] >= 1
    assert ids(tmp_path / "crm.db") == ["1002"]


def test_a_pandas_export_with_a_gap_in_its_integer_ids(tmp_path: Path) -> None:
    """pandas writes an integer column with a missing value as REAL: 1001.0."""
    rows = [record(customer_id=1001), record(customer_id=1002), record(customer_id=None)]
    frame = pd.DataFrame(rows)
    assert frame["customer_id"].dtype == "float64"
    path = tmp_path / "crm.db"
    con = sqlite3.connect(path)
    frame.to_sql("customers", con, index=False)
    con.close()
    ledger = ConsentLedger()
    ledger.request_erasure("1001", at=AT - timedelta(days=1))
    report = sweep_table(f"sqlite:///{path}", "customers", POLICY, at=AT, consents=ledger)
    assert (report.deleted, report.needs_review) == (1, 1)
    assert ids(path) == [1002.0, None]  # the row without an id is left as it was


# -- rows it cannot judge ------------------------------------------------------------------


def test_rows_without_a_readable_subject_id_are_left_and_counted(tmp_path: Path) -> None:
    lead: dict[str, Any] = {"relationship": "lead", "consent_marketing": "no"}
    rows = [
        record(customer_id=None, **lead),
        record(customer_id="   ", **lead),
        record(customer_id="1003", **lead),  # judged: no purpose keeps it
        record(customer_id="1004"),
    ]
    path = tmp_path / "crm.db"
    url = make(path, rows)
    before = dump(path)
    dry = sweep_table(url, "customers", COLUMNS_ONLY, at=AT, dry_run=True)
    assert (dry.deleted, dry.erased, dry.kept, dry.needs_review) == (1, 0, 3, 2)
    report = sweep_table(url, "customers", COLUMNS_ONLY, at=AT)
    assert (report.deleted, report.erased, report.kept, report.needs_review) == (1, 0, 3, 2)
    assert report.reasons["record.invalid"] == 2
    assert dump(path) == [before[0], before[1], before[3]]


def test_rows_without_a_subject_id_in_a_table_without_a_key(tmp_path: Path) -> None:
    rows = [record(customer_id=None, relationship="lead", consent_marketing="no")] * 3
    rows += [record(customer_id=str(1000 + i)) for i in range(5)]
    path = tmp_path / "crm.db"
    url = make(path, rows, pk=False)
    before = dump(path)
    report = sweep_table(url, "customers", COLUMNS_ONLY, at=AT, batch_size=2)
    assert (report.rows, report.needs_review) == (8, 3)
    assert dump(path) == before


# -- undeclared columns --------------------------------------------------------------------


def test_undeclared_columns_are_refused_before_any_change(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    rows = [record(customer_id=str(i), relationship="lead", consent_marketing="no") for i in (1, 2)]
    url = make(path, rows, extra=', loyalty_card, "tag\x1b[2J"')
    before = dump(path)
    with pytest.raises(ConfigurationError) as info:
        sweep_table(url, "customers", COLUMNS_ONLY, at=AT, anonymous_table="anon")
    message = str(info.value)
    assert "'loyalty_card'" in message
    assert "\x1b" not in message  # names go through repr()
    assert "undeclared='erase'" in message
    assert dump(path) == before
    con = sqlite3.connect(path)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    con.close()
    assert tables == {"customers"}  # not even the anonymous table was created


def test_undeclared_erase_and_keep(tmp_path: Path) -> None:
    rows = [
        record(customer_id="1", loyalty_card="X-1"),
        record(customer_id="2", relationship="lead", consent_marketing="no", loyalty_card="X-2"),
    ]
    path = tmp_path / "crm.db"
    url = make(path, rows, extra=", loyalty_card")
    kept = sweep_table(url, "customers", COLUMNS_ONLY, at=AT, undeclared="keep", dry_run=True)
    assert (kept.deleted, kept.erased, kept.kept) == (1, 0, 1)
    assert "loyalty_card" not in kept.fields
    erased = sweep_table(url, "customers", COLUMNS_ONLY, at=AT, undeclared="erase")
    assert (erased.deleted, erased.erased, erased.kept) == (1, 1, 0)
    assert erased.fields["loyalty_card"] == 2  # erased in one row, deleted with the other
    con = sqlite3.connect(path)
    assert con.execute("SELECT customer_id, loyalty_card FROM customers").fetchall() == [
        ("1", None)
    ]
    con.close()


def test_undeclared_keep_leaves_the_column_alone(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    url = make(path, [record(customer_id="1", notes_x="call")], extra=", notes_x")
    report = sweep_table(url, "customers", COLUMNS_ONLY, at=AT, undeclared="keep")
    assert report.kept == 1
    con = sqlite3.connect(path)
    assert con.execute("SELECT notes_x FROM customers").fetchall() == [("call",)]
    con.close()


def test_a_bad_undeclared_option_is_refused(tmp_path: Path) -> None:
    url = make(tmp_path / "crm.db", [record()])
    with pytest.raises(ConfigurationError, match="undeclared"):
        sweep_table(url, "customers", COLUMNS_ONLY, at=AT, undeclared="drop")  # type: ignore[arg-type]


# -- bad UTF-8 -------------------------------------------------------------------------------

BAD = "C3284142"  # 0xC3 0x28: not UTF-8


def _insert_bad(path: Path, column: str, customer_id: str, *, consent: str = "no") -> None:
    con = sqlite3.connect(path)
    con.execute(
        f"INSERT INTO customers (customer_id, {column}, relationship, consent_marketing)"
        f" VALUES (?, CAST(x'{BAD}' AS TEXT), 'lead', ?)"
        if column != "customer_id"
        else f"INSERT INTO customers (customer_id, relationship, consent_marketing)"
        f" VALUES (CAST(x'{BAD}' AS TEXT), 'lead', ?)",
        [customer_id, consent] if column != "customer_id" else [consent],
    )
    con.commit()
    con.close()


def test_a_row_of_bad_utf8_is_skipped_counted_and_never_quoted(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    lead = {"relationship": "lead", "consent_marketing": "no"}
    url = make(path, [record(customer_id="1", **lead), record(customer_id="2")])
    _insert_bad(path, "name", "3")
    make_more = [record(customer_id="4", **lead)]
    con = sqlite3.connect(path)
    for row in make_more:
        con.execute(
            f"INSERT INTO customers ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            list(row.values()),
        )
    con.commit()
    con.close()
    # the engine's own connection fails on that row, quoting it
    with pytest.raises(sqlite3.OperationalError, match="decode"):
        sqlite3.connect(path).execute("SELECT * FROM customers").fetchall()
    for batch_size in (1, 2, 1000):
        report = sweep_table(
            url, "customers", COLUMNS_ONLY, at=AT, batch_size=batch_size, dry_run=True
        )
        assert (report.rows, report.deleted, report.needs_review) == (4, 2, 1)
    report = sweep_table(url, "customers", COLUMNS_ONLY, at=AT, batch_size=2)
    assert (report.rows, report.deleted, report.kept, report.needs_review) == (4, 2, 2, 1)
    assert [r[1] for r in dump(path)] == [b"2", b"3"]
    bad = dump(path)[1]
    assert bytes.fromhex(BAD) in bad  # the unreadable row is exactly as it was
    again = sweep_table(url, "customers", COLUMNS_ONLY, at=AT)
    assert (again.rows, again.kept, again.needs_review) == (2, 2, 1)


def test_bad_utf8_in_the_key_does_not_stop_the_paging(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    lead = {"relationship": "lead", "consent_marketing": "no"}
    rows = [record(customer_id=c, **lead) for c in ("A", "B", "Y", "Z")]
    url = make(path, rows, pk=False)
    _insert_bad(path, "customer_id", "")  # sorts between 'B' and 'Y' (0xC3 > 'Z')
    for batch_size in (1, 2, 3):
        report = sweep_table(
            url, "customers", COLUMNS_ONLY, at=AT, batch_size=batch_size, dry_run=True
        )
        assert (report.rows, report.deleted, report.needs_review) == (5, 4, 1), batch_size
    report = sweep_table(url, "customers", COLUMNS_ONLY, at=AT, batch_size=1)
    assert (report.deleted, report.needs_review) == (4, 1)
    assert len(dump(path)) == 1


def test_a_failing_database_error_never_chains_the_driver_text(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    url = make(path, [record(customer_id="1", relationship="lead", consent_marketing="no")])
    con = sqlite3.connect(path)
    con.execute(
        "CREATE TRIGGER no_delete BEFORE DELETE ON customers "
        "BEGIN SELECT RAISE(ABORT, 'giulia@example.it may not go'); END"
    )
    con.commit()
    con.close()
    with pytest.raises(SweepError) as info:
        sweep_table(url, "customers", COLUMNS_ONLY, at=AT)
    error = info.value
    assert error.__cause__ is None
    assert error.__context__ is None
    assert "giulia" not in str(error)
    assert "IntegrityError" in str(error) or "Error" in str(error)


# -- what the face refuses -------------------------------------------------------------------


def test_a_purpose_needing_the_consent_source_without_one_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    url = make(path, [record(customer_id="1", relationship="lead", consent_marketing="no")])
    before = dump(path)
    with pytest.raises(ConfigurationError, match=r"sweep_table.*'profiling'"):
        sweep_table(url, "customers", POLICY, at=AT)
    assert dump(path) == before
    ledger = ConsentLedger()
    ledger.give("1", "profiling", at=AT - timedelta(days=2), evidence=Evidence("app"))
    report = sweep_table(url, "customers", POLICY, at=AT, consents=ledger)
    assert report.deleted == 0  # profiling keeps what the ledger says it may


def test_a_frame_is_not_a_table(tmp_path: Path) -> None:
    url = make(tmp_path / "crm.db", [record()])
    with pytest.raises(ConfigurationError, match=r"gdprkit\.frames"):
        sweep_table(url, pd.DataFrame([record()]), COLUMNS_ONLY, at=AT)  # type: ignore[arg-type]


def test_progress_is_told_the_rows_read(tmp_path: Path) -> None:
    url = make(tmp_path / "crm.db", [record(customer_id=str(i)) for i in range(5)])
    seen: list[int] = []
    sweep_table(url, "customers", COLUMNS_ONLY, at=AT, batch_size=2, progress=seen.append)
    assert seen == [2, 4, 5]
