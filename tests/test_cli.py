"""The ``gdprkit`` command: check, schema, enforce, keys."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gdprkit import ConsentLedger, KeyRing, enforce, load_policy
from gdprkit.cli import main

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "examples" / "crm" / "policy.yaml"
CUSTOMERS = ROOT / "examples" / "crm" / "customers.csv"
AT = "2026-06-01T00:00:00+00:00"


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> KeyRing:
    ring = KeyRing.generate()
    monkeypatch.setenv("GDPRKIT_KEYS", ring.export())
    return ring


def test_check_accepts_a_good_policy(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(POLICY)]) == 0
    out = capsys.readouterr().out
    assert "0 errors" in out


def test_check_lists_every_problem_of_a_bad_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    text = POLICY.read_text("utf-8")
    text = text.replace("basis: consent", "basis: consnet", 1).replace("P24M", "24 months", 1)
    bad.write_text(text, "utf-8")
    assert main(["check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "basis" in err
    assert "period" in err


def test_check_fails_on_lint_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = load_policy(POLICY).model_dump(by_alias=True, exclude_none=True)
    data["purposes"]["profiling"]["retention"] = []
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data), "utf-8")
    assert main(["check", str(path)]) == 1
    assert "retention.anchor_missing" in capsys.readouterr().out


def test_schema_is_json_schema_of_the_policy(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "purposes" in schema["properties"]
    assert schema["additionalProperties"] is False


def test_enforce_csv_to_jsonl_matches_the_library(
    tmp_path: Path, keys: KeyRing, capsys: pytest.CaptureFixture[str]
) -> None:
    out, rejected = tmp_path / "out.jsonl", tmp_path / "rejected.jsonl"
    status = main(
        [
            *("enforce", str(POLICY), "newsletter", str(CUSTOMERS), str(out)),
            *("--rejected", str(rejected), "--at", AT, "--quiet"),
        ]
    )
    assert status == 0
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    denied = [json.loads(line) for line in rejected.read_text("utf-8").splitlines()]
    with CUSTOMERS.open(encoding="utf-8", newline="") as handle:
        source = [{k: (v or None) for k, v in r.items()} for r in csv.DictReader(handle)]
    from datetime import datetime

    expected = list(
        enforce(load_policy(POLICY), source, "newsletter", at=datetime.fromisoformat(AT), keys=keys)
    )
    assert rows == expected
    assert len(rows) + len(denied) == len(source)  # nothing lost
    assert all(d["reasons"] and d["reasons"][0]["code"] for d in denied)
    summary = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert summary["processed"] == len(rows)


def test_enforce_csv_output_has_every_possible_column(tmp_path: Path, keys: KeyRing) -> None:
    out = tmp_path / "out.csv"
    assert main(["enforce", str(POLICY), "analytics", str(CUSTOMERS), str(out), "--at", AT]) == 0
    with out.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames is not None
    assert "first_name" not in reader.fieldnames
    assert "purchases_total" in reader.fieldnames
    assert all(r["customer_id"].startswith(keys.active + ":") for r in rows)


def test_enforce_without_keys_for_a_tokenising_purpose_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GDPRKIT_KEYS", raising=False)
    out = tmp_path / "out.jsonl"
    assert main(["enforce", str(POLICY), "analytics", str(CUSTOMERS), str(out)]) == 2
    assert "keys" in capsys.readouterr().err
    assert not out.exists() or out.read_text() == ""


def test_enforce_denies_unreadable_json_lines(tmp_path: Path, keys: KeyRing) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"customer_id": "C1", "email": "a@b.it"}\nnot json\n[1, 2]\n', "utf-8")
    out, rejected = tmp_path / "out.jsonl", tmp_path / "rej.jsonl"
    args = ["enforce", str(POLICY), "analytics", str(src), str(out), "--rejected", str(rejected)]
    assert main(args) == 0
    assert len(out.read_text().splitlines()) == 1
    codes = [json.loads(x)["reasons"][0]["code"] for x in rejected.read_text().splitlines()]
    assert codes == ["record.invalid", "record.invalid"]


def test_keys_generate_and_rotate(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keys", "generate", "--id", "2026a"]) == 0
    text = capsys.readouterr().out.strip()
    ring = KeyRing.from_string(text)
    assert ring.active == "2026a"
    monkeypatch.setenv("GDPRKIT_KEYS", text)
    assert main(["keys", "rotate"]) == 0
    rotated = KeyRing.from_string(capsys.readouterr().out.strip())
    assert rotated.active != "2026a"
    assert "2026a" in rotated


def test_the_installed_command_runs() -> None:
    exe = shutil.which("gdprkit", path=str(Path(sys.executable).parent))
    assert exe is not None
    done = subprocess.run([exe, "check", str(POLICY)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_ropa_markdown_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ropa", str(POLICY)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("# Record of processing activities (Art. 30(1) GDPR)")
    assert "## profiling" in text
    assert main(["ropa", str(POLICY), "--json"]) == 0
    register = json.loads(capsys.readouterr().out)
    assert [a["purpose"] for a in register["activities"]] == list(load_policy(POLICY).purposes)


def test_notice_for_chosen_purposes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notice", str(POLICY), "--purpose", "newsletter"]) == 0
    text = capsys.readouterr().out
    assert "Art. 6(1)(a)" in text
    assert "Art. 6(1)(b)" not in text  # the contract purpose was not asked for
    assert main(["notice", str(POLICY), "--purpose", "nope"]) == 2


def test_sweep_a_sqlite_table_dry_run_then_for_real(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sqlalchemy = pytest.importorskip("sqlalchemy")
    db = tmp_path / "crm.db"
    engine = sqlalchemy.create_engine(f"sqlite:///{db}")
    with CUSTOMERS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))[:200]
    columns = list(rows[0])
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE customers (" + ", ".join(f'"{c}" TEXT' for c in columns) + ")"
        )
        conn.execute(
            sqlalchemy.text(
                "INSERT INTO customers VALUES ("  # noqa: S608 - our own column names
                + ", ".join(f":{c}" for c in columns)
                + ")"
            ),
            [{c: (r[c] or None) for c in columns} for r in rows],
        )
    engine.dispose()
    url = f"sqlite:///{db}"
    ledger = f"sqlite:///{tmp_path / 'ledger.db'}"
    ConsentLedger(ledger).close()  # a sweep evaluates every purpose: it needs a consent source
    at = "2028-06-01T00:00:00+00:00"
    sweep = ["sweep", str(POLICY), url, "customers", "--ledger", ledger, "--at", at]
    assert main([*sweep, "--dry-run"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert dry["rows"] == 200
    assert dry["deleted"] + dry["erased"] + dry["kept"] == 200
    assert dry["deleted"] + dry["erased"] > 0  # two years on, something must go
    assert main(sweep) == 0
    real = json.loads(capsys.readouterr().out)
    assert (real["deleted"], real["erased"]) == (dry["deleted"], dry["erased"])
    assert main(sweep) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["deleted"], again["erased"]) == (0, 0)  # idempotent
    assert again["rows"] == 200 - real["deleted"]
