"""What the command says on a terminal and in a pipe (design §9).

Progress (rows, rows/s, elapsed) shows on a terminal for ``enforce`` and ``sweep`` and nowhere
else; a run where every record was denied for the same reason says so; a reader that goes away
(``gdprkit ropa | head``) ends the command quietly.
"""

from __future__ import annotations

import os
import pty
import subprocess
from pathlib import Path

import pytest
from cli_helpers import (
    AT,
    CUSTOMERS,
    POLICY,
    customers,
    customers_db,
    empty_ledger,
    executable,
    run_gdprkit,
    write_csv,
)

from gdprkit import KeyRing


def _on_a_terminal(*args: str | Path) -> tuple[int, str]:
    """Run the command with its stderr on a pseudo-terminal; its status and what it showed."""
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(
            [executable(), *map(str, args)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=follower,
        )
    finally:
        os.close(follower)
    chunks = []
    try:
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the command closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    return proc.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


# -- progress ----------------------------------------------------------------------------------


def test_enforce_shows_rows_rate_and_elapsed_on_a_terminal(tmp_path: Path, keys: KeyRing) -> None:
    out = tmp_path / "out.jsonl"
    status, shown = _on_a_terminal("enforce", POLICY, "analytics", CUSTOMERS, out, "--at", AT)
    assert status == 0, shown
    assert "enforce: 1,000 rows" in shown
    assert "rows/s" in shown
    assert "s elapsed" in shown


def test_enforce_shows_no_progress_off_a_terminal_or_when_quiet(
    tmp_path: Path, keys: KeyRing
) -> None:
    out = tmp_path / "out.jsonl"
    piped = run_gdprkit("enforce", POLICY, "analytics", CUSTOMERS, out, "--at", AT)
    assert piped.returncode == 0
    assert "rows/s" not in piped.stderr
    status, shown = _on_a_terminal(
        "enforce", POLICY, "analytics", CUSTOMERS, out, "--at", AT, "--quiet"
    )
    assert status == 0
    assert "rows/s" not in shown


def test_sweep_shows_rows_rate_and_elapsed_on_a_terminal(tmp_path: Path) -> None:
    url = customers_db(tmp_path / "crm.db", 200)
    args = ["sweep", POLICY, url, "customers", "--dry-run", "--at", "2028-06-01T00:00:00+00:00"]
    args += ["--ledger", empty_ledger(tmp_path / "ledger.db")]
    status, shown = _on_a_terminal(*args)
    assert status == 0, shown
    assert "sweep: 200 rows" in shown
    assert "rows/s" in shown
    assert "s elapsed" in shown
    piped = run_gdprkit(*args)
    assert piped.returncode == 0
    assert "rows/s" not in piped.stderr


# -- every record denied for one reason --------------------------------------------------------


def test_every_row_unreadable_ends_loudly_with_exit_1(tmp_path: Path, keys: KeyRing) -> None:
    """An Italian export read with the wrong delimiter: no record can be read at all."""
    source = write_csv(tmp_path / "in.csv", customers(50), delimiter=";")
    out = tmp_path / "out.csv"
    done = run_gdprkit("enforce", POLICY, "analytics", source, out, "--delimiter", ",", "--at", AT)
    assert done.returncode == 1
    warning = done.stderr.splitlines()[-1]
    assert "all 50 rows were denied with code 'record.invalid'" in warning
    assert "delimiter ','" in warning
    assert "format problem" in warning


def test_every_row_denied_for_one_decision_ends_loudly_with_exit_0(
    tmp_path: Path, keys: KeyRing
) -> None:
    """Every record was read and decided (nobody consented): exit 0, but said out loud."""
    header, *body = customers(30)
    flag = header.index("consent_marketing")
    source_column = header.index("source")
    body = [[*r[:flag], "no", *r[flag + 1 :]] for r in body if r[source_column] != "social_network"]
    source = write_csv(tmp_path / "in.csv", [header, *body])
    done = run_gdprkit("enforce", POLICY, "newsletter", source, tmp_path / "o.csv", "--at", AT)
    assert done.returncode == 0, done.stderr
    warning = done.stderr.splitlines()[-1]
    assert f"all {len(body)} rows were denied with code 'consent.missing'" in warning


def test_a_run_with_several_outcomes_says_nothing_more(tmp_path: Path, keys: KeyRing) -> None:
    done = run_gdprkit("enforce", POLICY, "newsletter", CUSTOMERS, tmp_path / "o.csv", "--at", AT)
    assert done.returncode == 0
    assert "warning" not in done.stderr


# -- a reader that goes away -------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["ropa", str(POLICY)], ["schema"], ["enforce", str(POLICY), "analytics", str(CUSTOMERS), "-"]],
    ids=["ropa", "schema", "enforce"],
)
def test_a_closed_pipe_ends_the_command_quietly(keys: KeyRing, args: list[str]) -> None:
    reader, writer = os.pipe()
    os.close(reader)  # the reader is gone before the first byte
    try:
        done = subprocess.run(
            [executable(), *args],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(writer)
    assert done.stderr == ""
    assert done.returncode == 141  # 128 + SIGPIPE, as a Unix tool killed by it


def test_ropa_piped_into_head_prints_no_error() -> None:
    done = subprocess.run(
        ["/bin/sh", "-c", f"'{executable()}' ropa '{POLICY}' | head -n 1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout.startswith("# Record of processing activities")
    assert done.stderr == ""
