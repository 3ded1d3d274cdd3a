"""No traceback reaches the user for bad input, and no message quotes a value (design §9).

Bad input is a one-line message naming the file and the place (exit 1 for a data problem, 2 for
a usage or file problem), or, for one unreadable record, a denial ``record.invalid``. A missing
optional dependency is one line naming the extra, checked before any input is read. Messages
escape control characters.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import (
    AT,
    CUSTOMERS,
    POLICY,
    customers,
    empty_ledger,
    one_line,
    run_gdprkit,
    write_csv,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdprkit import KeyRing
from gdprkit._cli_io import clean
from gdprkit.cli import main

UNSAFE = {chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))} | {
    "\u202e",
    "\u2066",
}


def _rejected_codes(path: Path) -> list[tuple[int, str]]:
    entries = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    return [(e["line"], e["reasons"][0]["code"]) for e in entries]


# -- JSON Lines: an unreadable line is a denied record --------------------------------------


def test_unreadable_json_lines_are_denied_with_their_line_and_the_run_goes_on(
    tmp_path: Path, keys: KeyRing
) -> None:
    good = '{"customer_id": "C1", "email": "a@b.it"}'
    lines = [
        b"\xef\xbb\xbf" + good.encode(),  # 1: a byte-order mark is dropped: read
        b"not json",  # 2
        b"[" * 100_000 + b"]" * 100_000,  # 3: deeper than the parser's stack
        b'{"customer_id": "C2", "customer_id": "C3"}',  # 4: which id holds cannot be told
        b'{"customer_id": "C4", "email": "\xff\xfe"}',  # 5: not UTF-8
        b"",  # 6: blank, skipped
        b"[1, 2]",  # 7: JSON, not a record
        good.replace("C1", "C5").encode(),  # 8
        b'{"customer_id": "C6", "email": "a\\udcdb@b.it"}',  # 9: a lone surrogate (fuzz find)
        b'{"customer_id": "C7", "x": ["\\ud800"]}',  # 10: one in a list
        b'{"customer_id\\udfff": "C8"}',  # 11: one in a key
    ]
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    out, rejected = tmp_path / "out.jsonl", tmp_path / "rejected.jsonl"
    done = run_gdprkit(
        "enforce", POLICY, "analytics", source, out, "--rejected", rejected, "--at", AT
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert len(out.read_text("utf-8").splitlines()) == 2
    assert _rejected_codes(rejected) == [(n, "record.invalid") for n in (2, 3, 4, 5, 7, 9, 10, 11)]


# -- CSV and Parquet that cannot be read ------------------------------------------------------


def test_a_csv_cell_beyond_the_reader_limit_is_a_one_line_data_problem(
    tmp_path: Path, keys: KeyRing
) -> None:
    rows = customers(80)
    rows[70][2] = "x" * 200_000  # beyond csv.field_size_limit()
    source = write_csv(tmp_path / "in.csv", rows)
    out = tmp_path / "out.jsonl"
    done = run_gdprkit("enforce", POLICY, "analytics", source, out, "--at", AT)
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert "line 71" in line
    assert "xxxx" not in line
    assert not out.exists()


def test_a_file_that_is_not_parquet_is_a_one_line_file_problem(
    tmp_path: Path, keys: KeyRing
) -> None:
    pytest.importorskip("pyarrow")
    source = tmp_path / "in.parquet"
    source.write_bytes(CUSTOMERS.read_bytes())
    done = run_gdprkit("enforce", POLICY, "analytics", source, tmp_path / "out.jsonl")
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert "not a readable Parquet file" in line
    assert "BV-" not in line


def test_corrupt_parquet_data_is_a_one_line_data_problem_naming_no_value(
    tmp_path: Path, keys: KeyRing
) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    emails = [f"person{i}@example.it" for i in range(5000)]
    table = pa.table({"customer_id": [f"C{i}" for i in range(5000)], "email": emails})
    source = tmp_path / "in.parquet"
    pq.write_table(table, source, row_group_size=1000)
    data = bytearray(source.read_bytes())
    middle = len(data) // 3
    data[middle : middle + 2000] = bytes(2000)  # the footer is intact, the pages are not
    source.write_bytes(bytes(data))
    out = tmp_path / "out.jsonl"
    done = run_gdprkit("enforce", POLICY, "analytics", source, out, "--at", AT)
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert "cannot be read" in line
    assert "@example.it" not in line
    assert not out.exists()


def test_parquet_output_errors_quote_no_value(tmp_path: Path, keys: KeyRing) -> None:
    """pyarrow's own message here is "Could not convert '<value>' ...": never shown."""
    pytest.importorskip("pyarrow")
    secret = "Mario Rossi, via Roma 1"
    source = tmp_path / "in.jsonl"
    records = [
        {"customer_id": "C1", "purchases_total": 12.5, "last_purchase_at": "2025-05-01"},
        {"customer_id": "C2", "purchases_total": secret, "last_purchase_at": "2025-05-01"},
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    out = tmp_path / "out.parquet"
    done = run_gdprkit("enforce", POLICY, "analytics", source, out, "--at", AT)
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert "'purchases_total'" in line
    assert "Mario" not in line
    assert not out.exists()


# -- missing extras: one line, before any input is read ----------------------------------------


def _without(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The command run in a Python where ``module`` cannot be imported."""
    code = (
        "import sys\n"
        f"sys.modules[{module!r}] = None\n"
        "from gdprkit.cli import main\n"
        f"sys.exit(main({list(args)!r}))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


def test_parquet_without_pyarrow_names_the_extra_before_reading_the_input(
    tmp_path: Path,
) -> None:
    missing_input = str(tmp_path / "not-there.csv")  # read first, it would be the complaint
    out = str(tmp_path / "out.parquet")
    done = _without("pyarrow", "enforce", str(POLICY), "analytics", missing_input, out)
    assert done.returncode == 2
    assert "pip install 'gdprkit[arrow]'" in one_line(done.stderr)
    assert not Path(out).exists()


def test_sweep_without_sqlalchemy_names_the_extra_before_reading_anything(
    tmp_path: Path,
) -> None:
    missing_policy = str(tmp_path / "not-there.yaml")
    done = _without("sqlalchemy", "sweep", missing_policy, "sqlite:///x.db", "customers")
    assert done.returncode == 2
    assert "pip install 'gdprkit[sql]'" in one_line(done.stderr)


def test_a_ledger_without_sqlalchemy_names_the_extra(tmp_path: Path) -> None:
    args = ["enforce", str(POLICY), "newsletter", str(CUSTOMERS), str(tmp_path / "o.jsonl")]
    done = _without("sqlalchemy", *args, "--ledger", f"sqlite:///{tmp_path / 'l.db'}")
    assert done.returncode == 2
    assert "pip install 'gdprkit[sql]'" in one_line(done.stderr)


# -- files that are not there ------------------------------------------------------------------


@pytest.mark.parametrize("command", ["check", "ropa", "notice", "enforce", "sweep"])
def test_a_missing_policy_file_is_named_with_exit_2(tmp_path: Path, command: str) -> None:
    pytest.importorskip("sqlalchemy")
    missing = tmp_path / "polcy.yaml"
    db = tmp_path / "crm.db"
    sqlite3.connect(db).close()
    rest = {
        "enforce": ["analytics", str(CUSTOMERS), str(tmp_path / "out.jsonl")],
        "sweep": [f"sqlite:///{db}", "customers"],
    }.get(command, [])
    done = run_gdprkit(command, missing, *rest)
    assert done.returncode == 2
    assert repr(str(missing)) in one_line(done.stderr)


@pytest.mark.parametrize(
    "where", ["typo.db", "no-such-dir/crm.db"], ids=["mistyped-file", "mistyped-directory"]
)
def test_sweep_over_a_mistyped_sqlite_url_creates_nothing(tmp_path: Path, where: str) -> None:
    pytest.importorskip("sqlalchemy")
    db = tmp_path / where
    done = run_gdprkit("sweep", POLICY, f"sqlite:///{db}", "customers", "--dry-run")
    assert done.returncode == 2
    assert repr(str(db)) in one_line(done.stderr)
    assert not db.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_enforce_with_a_mistyped_ledger_url_creates_nothing(tmp_path: Path, keys: KeyRing) -> None:
    pytest.importorskip("sqlalchemy")
    ledger = tmp_path / "consnets.db"
    out = tmp_path / "out.jsonl"
    done = run_gdprkit(
        "enforce", POLICY, "profiling", CUSTOMERS, out, "--ledger", f"sqlite:///{ledger}"
    )
    assert done.returncode == 2
    assert repr(str(ledger)) in one_line(done.stderr)
    assert not ledger.exists()
    assert not out.exists()


# -- control characters are escaped ------------------------------------------------------------


def _policy_with_field(name: str, category: str) -> dict[str, object]:
    return {
        "version": 1,
        "controller": {"name": "X S.r.l.", "country": "IT", "contact": "privacy@x.it"},
        "subject": {"id": "customer_id"},
        "fields": {"customer_id": "identity.customer_id", name: category},
        "purposes": {
            "service": {
                "description": "the service",
                "basis": "contract",
                "categories": ["identity", "special"],
                "retention": [{"period": "P1Y", "from": "customer_id"}],
            }
        },
    }


def test_a_field_name_with_control_characters_is_printed_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(_policy_with_field("x\x07\x1b[2J", "no.such")), "utf-8")
    assert main(["check", str(path)]) == 1
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "x\\x07\\x1b[2J" in text
    assert not UNSAFE & set(text)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.text(min_size=1, max_size=12).filter(lambda n: n != "customer_id"),
    category=st.sampled_from(["special.health", "no.such", "contact.email"]),
)
def test_no_output_of_check_holds_a_raw_control_character(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, category: str
) -> None:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(_policy_with_field(name, category)), "utf-8")
    for args in (["check", str(path)], ["ropa", str(path)], ["notice", str(path)]):
        main(args)
        captured = capsys.readouterr()
        text = captured.out + captured.err
        assert not UNSAFE & set(text), args


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(
        st.one_of(
            st.text(min_size=1, max_size=20).map(lambda text: "v§" + text),  # findable
            st.integers(),
            st.floats(allow_nan=False),
        ),
        min_size=2,
        max_size=5,
    ),
)
def test_no_message_of_enforce_quotes_a_record_value(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    values: list[object],
) -> None:
    """Whatever the records hold (here: values of mixed types, which Parquet cannot store in
    one column), the command's messages name places and columns, never a value."""
    monkeypatch.setenv("GDPRKIT_KEYS", KeyRing.generate().export())
    source = tmp_path / "in.jsonl"
    records = [
        {"customer_id": f"C{i}", "purchases_total": v, "last_purchase_at": "2025-05-01"}
        for i, v in enumerate(values)
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    main(["enforce", str(POLICY), "analytics", str(source), str(tmp_path / "o.parquet")])
    err = capsys.readouterr().err
    assert not UNSAFE & set(err)
    for value in values:
        if isinstance(value, str):
            assert value not in err


def test_clean_escapes_controls_and_keeps_text() -> None:
    assert clean("a\x1b[31mb\u202ec\nd\te é") == "a\\x1b[31mb\\u202ec\nd\te é"


def test_sweep_reads_a_plain_postgresql_url_with_the_driver_the_extra_installs(
    tmp_path: Path,
) -> None:
    """``postgresql://`` means psycopg 3 (the ``sql`` extra), as for the consent ledger, whatever
    SQLAlchemy's default driver; here no server listens: one line, no traceback."""
    pytest.importorskip("psycopg")
    ledger = empty_ledger(tmp_path / "ledger.db")
    url = "postgresql://nobody@127.0.0.1:9/nothing?connect_timeout=2"
    done = run_gdprkit("sweep", POLICY, url, "customers", "--ledger", ledger, "--dry-run")
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert "psycopg2" not in line
    assert "nobody" not in line  # the URL is never quoted


def test_sweep_without_the_database_driver_names_the_extra(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:9/nothing"
    done = _without("psycopg", "sweep", str(POLICY), url, "customers")
    assert done.returncode == 2
    assert "pip install 'gdprkit[sql]'" in one_line(done.stderr)
