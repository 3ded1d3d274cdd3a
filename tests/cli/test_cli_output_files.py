"""The files ``gdprkit enforce`` writes (design §9, "Contract for files").

Output never overwrites its own input (exit 2, input untouched); ``--rejected`` holds per
denied record its row, subject id and reasons and no other value unless ``--rejected-records``
asks for whole records; every file the command creates is readable by its owner only; a CSV
output always has its header.
"""

from __future__ import annotations

import csv
import json
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cli_helpers import AT, CUSTOMERS, POLICY, customers, one_line, run_gdprkit, write_csv

from gdprkit import KeyRing
from gdprkit.cli import main


@pytest.fixture
def umask_zero() -> Iterator[None]:
    """Whatever the umask (here none at all), the files are created 0600."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- output == input ---------------------------------------------------------------------------

Alias = Callable[[Path], Path]


def _same_path(source: Path) -> Path:
    return source


def _other_spelling(source: Path) -> Path:
    return source.parent / "sub" / ".." / source.name


def _symlink(source: Path) -> Path:
    link = source.parent / "link.csv"
    link.symlink_to(source)
    return link


def _hardlink(source: Path) -> Path:
    link = source.parent / "hard.csv"
    link.hardlink_to(source)
    return link


@pytest.mark.parametrize("alias", [_same_path, _other_spelling, _symlink, _hardlink])
@pytest.mark.parametrize("option", ["output", "--rejected"])
def test_an_output_that_is_the_input_is_refused_and_the_input_untouched(
    tmp_path: Path, keys: KeyRing, alias: Alias, option: str
) -> None:
    (tmp_path / "sub").mkdir()
    source = write_csv(tmp_path / "in.csv", customers(20))
    before = source.read_bytes()
    stamp = source.stat().st_mtime_ns
    target = alias(source)
    if option == "output":
        args = ["enforce", POLICY, "analytics", source, target]
    else:
        args = ["enforce", POLICY, "analytics", source, tmp_path / "out.csv", option, target]
    done = run_gdprkit(*args, "--at", AT)
    assert done.returncode == 2
    assert "same file" in one_line(done.stderr)
    assert source.read_bytes() == before
    assert source.stat().st_mtime_ns == stamp
    assert not (tmp_path / "out.csv").exists()  # nothing written at all


def test_the_output_cannot_be_the_policy_or_the_rejected_file(
    tmp_path: Path, keys: KeyRing
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_bytes(POLICY.read_bytes())
    as_policy = run_gdprkit("enforce", policy, "analytics", CUSTOMERS, tmp_path / "policy.yaml")
    assert as_policy.returncode == 2
    assert policy.read_bytes() == POLICY.read_bytes()
    out = tmp_path / "out.jsonl"
    twice = run_gdprkit("enforce", POLICY, "analytics", CUSTOMERS, out, "--rejected", out)
    assert twice.returncode == 2
    assert not out.exists()


# -- files created 0600 ------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_outputs_and_the_rejected_file_are_readable_by_their_owner_only(
    tmp_path: Path, keys: KeyRing, umask_zero: None, suffix: str
) -> None:
    out, rejected = tmp_path / f"out{suffix}", tmp_path / "rejected.jsonl"
    args = ["enforce", str(POLICY), "newsletter", str(CUSTOMERS), str(out)]
    assert main([*args, "--rejected", str(rejected), "--at", AT, "--quiet"]) == 0
    assert _mode(out) == 0o600
    assert _mode(rejected) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no leftovers


def test_an_existing_world_readable_output_is_replaced_by_an_owner_only_file(
    tmp_path: Path, keys: KeyRing, umask_zero: None
) -> None:
    out = tmp_path / "out.csv"
    out.write_text("old\n", "utf-8")
    out.chmod(0o644)
    assert main(["enforce", str(POLICY), "analytics", str(CUSTOMERS), str(out), "--quiet"]) == 0
    assert _mode(out) == 0o600
    assert out.read_text("utf-8") != "old\n"


def test_a_failed_run_leaves_the_previous_output_untouched_and_no_partial_file(
    tmp_path: Path, keys: KeyRing
) -> None:
    source = tmp_path / "in.csv"  # bytes that are not UTF-8 after many good rows
    source.write_bytes(CUSTOMERS.read_bytes() + b"BV-9,\xff\xfe\n")
    out = tmp_path / "out.jsonl"
    out.write_text("previous run\n", "utf-8")
    done = run_gdprkit("enforce", POLICY, "analytics", source, out, "--at", AT)
    assert done.returncode == 2
    assert "--encoding" in one_line(done.stderr)
    assert out.read_text("utf-8") == "previous run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.jsonl"]


# -- what --rejected holds ---------------------------------------------------------------------


def _rows_by_id() -> dict[str, dict[str, str]]:
    with CUSTOMERS.open(encoding="utf-8", newline="") as handle:
        return {r["customer_id"]: r for r in csv.DictReader(handle)}


def test_rejected_holds_row_subject_and_reasons_and_no_other_value(
    tmp_path: Path, keys: KeyRing
) -> None:
    out, rejected = tmp_path / "out.jsonl", tmp_path / "rejected.jsonl"
    done = run_gdprkit(
        "enforce", POLICY, "newsletter", CUSTOMERS, out, "--rejected", rejected, "--at", AT
    )
    assert done.returncode == 0, done.stderr
    entries = [json.loads(line) for line in rejected.read_text("utf-8").splitlines()]
    assert len(entries) > 100
    source = _rows_by_id()
    ids = list(source)
    for entry in entries:
        assert set(entry) == {"row", "line", "subject", "reasons"}
        assert ids[entry["row"] - 1] == entry["subject"]  # row 1 is the first record
        assert entry["line"] == entry["row"] + 1  # the header is line 1
        for reason in entry["reasons"]:
            assert set(reason) == {"code", "article", "field"}
    text = rejected.read_text("utf-8")
    values = {
        value
        for entry in entries
        for name, value in source[entry["subject"]].items()
        if name != "customer_id" and len(value) > 3
    }
    assert sorted(v for v in values if v in text) == []


def test_rejected_records_asks_for_whole_records(tmp_path: Path, keys: KeyRing) -> None:
    out, rejected = tmp_path / "out.jsonl", tmp_path / "rejected.jsonl"
    done = run_gdprkit(
        "enforce",
        *(POLICY, "newsletter", CUSTOMERS, out),
        *("--rejected", rejected, "--rejected-records", "--at", AT),
    )
    assert done.returncode == 0, done.stderr
    source = _rows_by_id()
    entries = [json.loads(line) for line in rejected.read_text("utf-8").splitlines()]
    assert entries
    for entry in entries:
        assert entry["record"] == {k: (v or None) for k, v in source[entry["subject"]].items()}


def test_rejected_records_without_rejected_is_a_usage_error(tmp_path: Path, keys: KeyRing) -> None:
    out = tmp_path / "out.jsonl"
    done = run_gdprkit("enforce", POLICY, "newsletter", CUSTOMERS, out, "--rejected-records")
    assert done.returncode == 2
    assert "--rejected" in one_line(done.stderr)
    assert not out.exists()


# -- a CSV output always has its header --------------------------------------------------------


def test_a_csv_output_without_any_allowed_row_still_has_its_header(
    tmp_path: Path, keys: KeyRing
) -> None:
    header, *body = customers(10)
    source = write_csv(tmp_path / "in.csv", [header])  # no rows at all
    source_denied = write_csv(
        tmp_path / "denied.csv",
        [header, *([*r[:-3], "no", "", ""] for r in body)],  # nobody consented
    )
    for name, given in (("empty", source), ("denied", source_denied)):
        out = tmp_path / f"{name}-out.csv"
        done = run_gdprkit("enforce", POLICY, "newsletter", given, out, "--at", AT)
        assert done.returncode == 0, done.stderr
        # The newsletter's fields (identity.name, contact.email, commercial) in the policy's
        # order (the phone is for sms_offers, its own consent).
        assert out.read_text("utf-8").splitlines() == [
            "first_name,last_name,email,last_purchase_at,purchases_total"
        ]


def test_a_parquet_output_without_rows_is_a_valid_file_with_the_columns(
    tmp_path: Path, keys: KeyRing
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    header = customers(0)[0]
    source = write_csv(tmp_path / "in.csv", [header])
    out = tmp_path / "out.parquet"
    done = run_gdprkit("enforce", POLICY, "analytics", source, out, "--at", AT)
    assert done.returncode == 0, done.stderr
    table = pq.read_table(out)
    assert table.num_rows == 0
    assert "purchases_total" in table.column_names


def test_parquet_output_keeps_a_column_the_first_record_lacks(
    tmp_path: Path, keys: KeyRing
) -> None:
    """The purchase columns are dropped from the first record (no purchase to anchor their
    retention) but not from the second: the second's values must not vanish."""
    pq = pytest.importorskip("pyarrow.parquet")
    source = tmp_path / "in.jsonl"
    records = [
        {"customer_id": "C1", "purchases_total": 10.5},
        {"customer_id": "C2", "purchases_total": 20.5, "last_purchase_at": "2025-05-01"},
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    out = tmp_path / "out.parquet"
    done = run_gdprkit("enforce", POLICY, "analytics", source, out, "--at", AT)
    assert done.returncode == 0, done.stderr
    rows = pq.read_table(out).to_pylist()
    assert [r["purchases_total"] for r in rows] == [None, 20.5]
