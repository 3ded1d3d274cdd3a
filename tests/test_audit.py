"""The audit trail (Art. 5(2) accountability): what ran, when, under which policy, with what
outcome, and proof that the trail was not edited.

Invariants:

* a trail written by ``AuditLog`` verifies, and reads back the same events after reopening;
* any edit of the file (any single byte, a deleted, inserted, duplicated or moved line, a torn
  last line, a cut-off tail given the head kept elsewhere) fails ``verify`` naming the line;
* several processes appending at once lose no event and leave one valid chain;
* no value of an enforced record (identifier, name, e-mail, phone) reaches the trail.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import enum
import itertools
import json
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdprkit import ConsentLedger, KeyRing, enforce, load_policy
from gdprkit._audit import AuditEvent, AuditLog, policy_digest
from gdprkit._errors import AuditError, GdprkitError
from gdprkit.cli import main

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "examples" / "crm" / "policy.yaml"
CUSTOMERS = ROOT / "examples" / "crm" / "customers.csv"
AT = datetime(2026, 6, 1, tzinfo=UTC)
GENESIS = "0" * 64


def _fill(log: AuditLog, n: int = 5) -> list[AuditEvent]:
    return [
        log.record("enforce", at=AT + timedelta(hours=i), purpose="newsletter", processed=i)
        for i in range(n)
    ]


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


# -- append, reopen, verify -----------------------------------------------------------------


def test_a_file_trail_reads_back_and_verifies_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    written = _fill(AuditLog(path))
    reopened = AuditLog(path)
    assert reopened.events() == written
    assert [e.seq for e in written] == [1, 2, 3, 4, 5]
    assert written[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(written))
    assert reopened.head() == written[-1].hash == reopened.verify()
    assert reopened.verify(expected_head=written[2].hash) == written[-1].hash
    more = reopened.record("sweep", at=AT, deleted=1)
    assert more.seq == 6
    assert more.prev_hash == written[-1].hash
    assert AuditLog(path).verify(expected_head=written[-1].hash) == more.hash  # a kept head


def test_an_event_is_a_line_of_canonical_json(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    event = AuditLog(path).record(
        "enforce", at=datetime(2026, 6, 1, 2, tzinfo=UTC), purpose="newsletter", n=3
    )
    (line,) = path.read_text("utf-8").splitlines()
    data = json.loads(line)
    assert data == event.as_dict()
    assert line == event.to_json()
    assert data["at"] == "2026-06-01T02:00:00.000000+00:00"
    assert data["payload"] == {"n": 3, "purpose": "newsletter"}
    assert list(data) == sorted(data)


def test_an_empty_or_missing_trail_has_the_genesis_head(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "none.jsonl")
    assert log.head() == GENESIS == log.verify()
    assert log.events() == []
    with pytest.raises(AuditError) as caught:
        log.verify(expected_head="a" * 64)
    assert (caught.value.line, caught.value.kind) == (1, "cut_off")


def test_the_memory_trail_chains_and_verifies() -> None:
    log = AuditLog()
    events = _fill(log, 3)
    assert log.events() == events
    assert log.head() == events[-1].hash == log.verify(events[0].hash)
    assert repr(log) == "AuditLog(memory)"


def test_events_are_frozen() -> None:
    event = AuditLog().record("enforce", at=AT, counts={"processed": 1})
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.kind = "sweep"  # type: ignore[misc]
    with pytest.raises(TypeError):
        event.payload["counts"] = {}  # type: ignore[index]


def test_enum_codes_and_counts_are_recorded_as_their_plain_values() -> None:
    class Code(enum.StrEnum):
        MISSING = "consent.missing"

        def __str__(self) -> str:
            return "Code.MISSING"

    class Count(enum.IntEnum):
        THREE = 3

    log = AuditLog()
    event = log.record("enforce", at=AT, counts={Code.MISSING: Count.THREE}, code=Code.MISSING)
    assert event.to_json().count('"consent.missing"') == 2
    assert type(event.payload["code"]) is str
    assert type(event.payload["counts"]["consent.missing"]) is int
    assert log.verify() == event.hash
    assert {event, *log.events()} == {event}  # hashable, equal to what reads back


@pytest.mark.parametrize(
    ("kind", "at", "payload", "error"),
    [
        ("enforce", datetime(2026, 1, 1), {}, ValueError),
        ("enforce", "2026-01-01", {}, TypeError),
        ("Enforce!", AT, {}, ValueError),
        ("", AT, {}, ValueError),
        ("enforce", AT, {"value": b"secret-bytes"}, TypeError),
        ("enforce", AT, {"value": {"secret-set"}}, TypeError),
        ("enforce", AT, {"value": float("nan")}, TypeError),
        ("enforce", AT, {"value": {1: "x"}}, TypeError),
    ],
)
def test_record_refuses_what_cannot_be_an_audit_event(
    kind: str, at: object, payload: dict[str, object], error: type[Exception]
) -> None:
    log = AuditLog()
    with pytest.raises(error) as caught:
        log.record(kind, at=at, **payload)  # type: ignore[arg-type]
    assert "secret" not in str(caught.value)
    assert log.events() == []


# -- tampering with the file ----------------------------------------------------------------


def _edit_value(lines: list[bytes], _tmp: Path) -> list[bytes]:
    lines[2] = lines[2].replace(b'"processed":2', b'"processed":7')
    return lines


def _delete(lines: list[bytes], _tmp: Path) -> list[bytes]:
    del lines[1]
    return lines


def _swap(lines: list[bytes], _tmp: Path) -> list[bytes]:
    lines[1], lines[2] = lines[2], lines[1]
    return lines


def _insert_forged(lines: list[bytes], tmp: Path) -> list[bytes]:
    """A forger copies the first two lines and appends a well-formed event after them."""
    forged = tmp / "forged.jsonl"
    forged.write_bytes(b"".join(lines[:2]))
    AuditLog(forged).record("enforce", at=AT, purpose="newsletter", processed=99)
    lines.insert(2, _lines(forged)[2])
    return lines


def _replay(lines: list[bytes], _tmp: Path) -> list[bytes]:
    lines.insert(3, lines[1])
    return lines


def _rewrite_one(lines: list[bytes], tmp: Path) -> list[bytes]:
    """A forger rewrites line 2 consistently (content and its own hash)."""
    forged = tmp / "forged.jsonl"
    forged.write_bytes(lines[0])
    AuditLog(forged).record("enforce", at=AT, purpose="newsletter", processed=42)
    lines[1] = _lines(forged)[1]
    return lines


def _tear(lines: list[bytes], _tmp: Path) -> list[bytes]:
    lines[-1] = lines[-1][: len(lines[-1]) // 2]
    return lines


def _reformat(lines: list[bytes], _tmp: Path) -> list[bytes]:
    """Same content, other spacing: still an edit of the file."""
    lines[3] = json.dumps(json.loads(lines[3])).encode() + b"\n"
    return lines


TAMPERING: list[tuple[str, Callable[[list[bytes], Path], list[bytes]], int, str]] = [
    ("payload value edited", _edit_value, 3, "edited"),
    ("line deleted", _delete, 2, "deleted"),
    ("two lines swapped", _swap, 2, "reordered"),
    ("forged line inserted", _insert_forged, 4, "inserted"),
    ("line replayed", _replay, 4, "inserted"),
    ("line rewritten with its own hash", _rewrite_one, 3, "unlinked"),
    ("last line torn mid-way", _tear, 5, "torn"),
    ("line re-spaced", _reformat, 4, "edited"),
]


@pytest.mark.parametrize(
    ("tamper", "line", "kind"), [t[1:] for t in TAMPERING], ids=[t[0] for t in TAMPERING]
)
def test_verify_names_the_first_broken_line(
    tmp_path: Path,
    tamper: Callable[[list[bytes], Path], list[bytes]],
    line: int,
    kind: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "audit.jsonl"
    _fill(AuditLog(path))
    assert AuditLog(path).verify()
    path.write_bytes(b"".join(tamper(_lines(path), tmp_path)))
    with pytest.raises(AuditError) as caught:
        AuditLog(path).verify()
    assert (caught.value.line, caught.value.kind) == (line, kind)
    assert f"line {line}" in str(caught.value)
    assert isinstance(caught.value, GdprkitError)
    assert main(["audit", "verify", str(path)]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out == {"ok": False, "line": line, "kind": kind}


def test_a_cut_off_tail_fails_against_the_head_kept_elsewhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "audit.jsonl"
    _fill(AuditLog(path))
    head = AuditLog(path).head()
    path.write_bytes(b"".join(_lines(path)[:3]))
    assert AuditLog(path).verify()  # without the head, a shorter chain is still a chain
    with pytest.raises(AuditError) as caught:
        AuditLog(path).verify(expected_head=head)
    assert (caught.value.line, caught.value.kind) == (4, "cut_off")
    assert main(["audit", "verify", str(path), "--expected-head", head]) == 1
    assert json.loads(capsys.readouterr().out)["kind"] == "cut_off"


def test_a_torn_tail_blocks_appending_until_recovered(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    events = _fill(AuditLog(path), 3)
    with path.open("ab") as handle:
        handle.write(b'{"at":"2026-06-01T00:00:00.0')  # a crash mid-write
    log = AuditLog(path)
    with pytest.raises(AuditError) as caught:
        log.record("enforce", at=AT, processed=1)
    assert (caught.value.line, caught.value.kind) == (4, "torn")
    with pytest.raises(AuditError):
        log.head()
    assert log.events() == events  # the complete lines are still readable
    assert log.recover() == len(b'{"at":"2026-06-01T00:00:00.0')
    assert log.recover() == 0
    assert log.verify() == events[-1].hash
    assert log.record("enforce", at=AT, processed=1).seq == 4
    assert log.verify()


def test_an_edited_last_line_blocks_appending(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _fill(AuditLog(path), 3)
    path.write_bytes(path.read_bytes().replace(b'"processed":2', b'"processed":3'))
    with pytest.raises(AuditError) as caught:
        AuditLog(path).record("enforce", at=AT, processed=1)
    assert (caught.value.line, caught.value.kind) == (3, "edited")
    assert len(_lines(path)) == 3


@pytest.fixture(scope="module")
def trail(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("trail") / "audit.jsonl"
    log = AuditLog(path)
    _fill(log, 3)
    log.record("sweep", at=AT, reasons={"retention.expired": 2}, note="città")  # non-ASCII too
    return path.read_bytes()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_single_byte_edit_of_any_line_is_detected(
    trail: bytes, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    """Invariant: changing any one byte of the file to any other value fails ``verify``."""
    index = data.draw(st.integers(0, len(trail) - 1), label="index")
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != trail[index]), label="byte")
    edited = bytearray(trail)
    edited[index] = byte
    path = tmp_path_factory.getbasetemp() / "edited.jsonl"
    path.write_bytes(bytes(edited))
    with pytest.raises(AuditError) as caught:
        AuditLog(path).verify()
    assert caught.value.line is not None
    assert caught.value.kind is not None


# -- several processes ----------------------------------------------------------------------

_WORKER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timezone
    from gdprkit._audit import AuditLog

    log = AuditLog(sys.argv[1])
    worker = int(sys.argv[2])
    at = datetime(2026, 6, 1, tzinfo=timezone.utc)
    for n in range(int(sys.argv[3])):
        log.record("enforce", at=at, worker=worker, n=n)
    """
)


def test_several_processes_append_to_one_file(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    workers, each = 4, 75
    procs = [
        subprocess.Popen([sys.executable, "-c", _WORKER, str(path), str(w), str(each)])
        for w in range(workers)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0] * workers
    log = AuditLog(path)
    log.verify()
    events = log.events()
    assert [e.seq for e in events] == list(range(1, workers * each + 1))
    seen = sorted((e.payload["worker"], e.payload["n"]) for e in events)
    assert seen == [(w, n) for w in range(workers) for n in range(each)]
    for w in range(workers):  # each process's own events stay in its order
        ns = [e.payload["n"] for e in events if e.payload["worker"] == w]
        assert ns == list(range(each))


@pytest.mark.parametrize("where", ["memory", "file"])
def test_several_threads_append_to_one_log(tmp_path: Path, where: str) -> None:
    log = AuditLog() if where == "memory" else AuditLog(tmp_path / "audit.jsonl")

    def work(worker: int) -> None:
        for n in range(40):
            log.record("enforce", at=AT, worker=worker, n=n)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    events = log.events()
    assert [e.seq for e in events] == list(range(1, 161))
    assert len({(e.payload["worker"], e.payload["n"]) for e in events}) == 160
    assert log.verify() == events[-1].hash


# -- policy digest, enforce and sweep -------------------------------------------------------


def test_policy_digest_ties_a_run_to_the_exact_policy(tmp_path: Path) -> None:
    policy = load_policy(POLICY)
    digest = policy_digest(policy)
    assert len(digest) == 64
    assert int(digest, 16) >= 0
    as_json = tmp_path / "policy.json"
    as_json.write_text(json.dumps(policy.model_dump(mode="json", by_alias=True), indent=4))
    assert policy_digest(load_policy(as_json)) == digest  # same content, other layout
    data = policy.model_dump(mode="json", by_alias=True)
    data["purposes"]["newsletter"]["description"] += "."
    assert policy_digest(load_policy(data)) != digest


def _customers() -> list[dict[str, str | None]]:
    with CUSTOMERS.open(encoding="utf-8", newline="") as handle:
        return [{k: (v or None) for k, v in r.items()} for r in csv.DictReader(handle)]


def test_enforce_runs_are_recorded_without_any_value_of_the_records(tmp_path: Path) -> None:
    policy = load_policy(POLICY)
    records = _customers()
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path)
    keys = KeyRing.generate()
    runs = {}
    for purpose in policy.purposes:
        # A purpose whose consent lives in a ledger needs one (an empty ledger: no consent).
        stream = enforce(policy, records, purpose, at=AT, keys=keys, consents=ConsentLedger())
        outputs = list(stream)
        runs[purpose] = (len(outputs), dict(stream.counts))
        log.record_enforce(policy, stream)
    events = AuditLog(path).events()
    assert [e.payload["purpose"] for e in events] == list(policy.purposes)
    for event in events:
        processed, counts = runs[event.payload["purpose"]]
        assert event.kind == "enforce"
        assert event.at == AT
        assert event.payload["processed"] == processed
        assert event.payload["counts"] == counts
        assert event.payload["denied"] == sum(counts.values()) - counts.get("processed", 0)
        assert event.payload["policy_sha256"] == policy_digest(policy)
    text = path.read_text("utf-8")
    identifying = ("customer_id", "first_name", "last_name", "email", "phone")
    values = {r[f] for r in records for f in identifying if r[f]}
    assert len(values) > 1000
    leaked = sorted(v for v in values if v in text)
    assert leaked == []


def test_record_enforce_refuses_an_unconsumed_stream() -> None:
    policy = load_policy(POLICY)
    stream = enforce(policy, _customers(), "analytics", at=AT, keys=KeyRing.generate())
    next(stream)
    log = AuditLog()
    with pytest.raises(ValueError, match="not been consumed"):
        log.record_enforce(policy, stream)
    with pytest.raises(TypeError):
        log.record_enforce(policy, stream, at=AT, counts={})
    assert log.events() == []


def test_record_enforce_with_a_purpose_and_counts() -> None:
    policy = load_policy(POLICY)
    event = AuditLog().record_enforce(
        policy, "newsletter", at=AT, counts={"processed": 3, "consent.missing": 2}
    )
    assert dict(event.payload) == {
        "purpose": "newsletter",
        "policy_sha256": policy_digest(policy),
        "processed": 3,
        "denied": 2,
        "counts": {"consent.missing": 2, "processed": 3},
    }
    with pytest.raises(TypeError):
        AuditLog().record_enforce(policy, "newsletter", at=AT, counts={"processed": -1})
    with pytest.raises(TypeError):
        AuditLog().record_enforce(policy, "newsletter", at=AT)


@dataclasses.dataclass
class _Report:
    deleted: int = 2
    erased: int = 3
    kept: int = 5
    anonymised: int = 1
    reasons: dict[str, int] = dataclasses.field(default_factory=lambda: {"retention.expired": 4})
    fields: dict[str, int] = dataclasses.field(default_factory=lambda: {"email": 3})


def test_record_sweep_takes_any_report_shaped_object() -> None:
    policy = load_policy(POLICY)
    log = AuditLog()
    event = log.record_sweep(policy, report=_Report(), at=AT, table="customers")
    assert event.kind == "sweep"
    assert dict(event.payload) == {
        "policy_sha256": policy_digest(policy),
        "deleted": 2,
        "erased": 3,
        "kept": 5,
        "anonymised": 1,
        "reasons": {"retention.expired": 4},
        "fields": {"email": 3},
        "table": "customers",
    }
    with pytest.raises(TypeError, match="needs at"):
        log.record_sweep(policy, report=_Report())
    assert log.verify() == event.hash


# -- the file: owner only, never through a symbolic link -------------------------------------


def test_a_new_trail_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    old = os.umask(0)  # whatever the umask, the trail is created 0600
    try:
        _fill(AuditLog(path), 1)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("action", ["record", "head", "verify", "events", "recover"])
def test_a_trail_path_that_is_a_symbolic_link_is_refused(tmp_path: Path, action: str) -> None:
    target = tmp_path / "elsewhere.jsonl"
    _fill(AuditLog(target), 2)
    before = target.read_bytes()
    link = tmp_path / "audit.jsonl"
    link.symlink_to(target)
    log = AuditLog(link)
    calls: dict[str, Callable[[], object]] = {
        "record": lambda: log.record("enforce", at=AT),
        "head": log.head,
        "verify": log.verify,
        "events": log.events,
        "recover": log.recover,
    }
    with pytest.raises(AuditError, match="symbolic link"):
        calls[action]()
    assert target.read_bytes() == before


def test_a_dangling_symbolic_link_is_not_followed_to_create_its_target(tmp_path: Path) -> None:
    target = tmp_path / "created-through-the-link.jsonl"
    link = tmp_path / "audit.jsonl"
    link.symlink_to(target)
    with pytest.raises(AuditError, match="symbolic link"):
        AuditLog(link).record("enforce", at=AT)
    assert not target.exists()


def test_cli_refuses_an_audit_trail_that_is_a_symbolic_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GDPRKIT_KEYS", KeyRing.generate().export())
    target = tmp_path / "elsewhere.jsonl"
    link = tmp_path / "audit.jsonl"
    link.symlink_to(target)
    out = tmp_path / "out.jsonl"
    args = ["enforce", str(POLICY), "analytics", str(CUSTOMERS), str(out), "--quiet"]
    assert main([*args, "--audit", str(link)]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert not target.exists()
    assert not out.exists()


# -- the command ----------------------------------------------------------------------------


def test_cli_enforce_records_its_run_and_audit_verifies_and_shows_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GDPRKIT_KEYS", KeyRing.generate().export())
    audit = tmp_path / "audit.jsonl"
    for purpose in ("newsletter", "analytics"):
        out = tmp_path / f"{purpose}.jsonl"
        args = ["enforce", str(POLICY), purpose, str(CUSTOMERS), str(out)]
        assert main([*args, "--at", AT.isoformat(), "--quiet", "--audit", str(audit)]) == 0
    summary = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    events = AuditLog(audit).events()
    assert [e.payload["purpose"] for e in events] == ["newsletter", "analytics"]
    assert events[1].payload["processed"] == summary["processed"]
    assert events[1].at == AT

    assert main(["audit", "verify", str(audit)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result == {"ok": True, "head": events[-1].hash, "events": 2}
    assert main(["audit", "verify", str(audit), "--expected-head", events[0].hash]) == 0
    capsys.readouterr()

    assert main(["audit", "show", str(audit)]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert shown == audit.read_text("utf-8").splitlines()

    assert main(["audit", "verify", str(tmp_path / "missing.jsonl")]) == 2
    assert main(["audit", "verify", str(audit), "--expected-head", "nope"]) == 2


def test_cli_enforce_does_not_start_when_its_audit_trail_is_broken(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GDPRKIT_KEYS", KeyRing.generate().export())
    audit = tmp_path / "audit.jsonl"
    _fill(AuditLog(audit), 2)
    out = tmp_path / "out.jsonl"
    args = ["enforce", str(POLICY), "analytics", str(CUSTOMERS), str(out), "--quiet"]
    assert main([*args, "--audit", str(audit)]) == 0  # the trail is fine: the run works
    out.unlink()
    with audit.open("ab") as handle:
        handle.write(b'{"at":')  # torn
    assert main([*args, "--audit", str(audit)]) == 2
    assert "line 4" in capsys.readouterr().err
    assert not out.exists()  # no data processed without its record


def test_cli_sweep_records_its_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sqlalchemy = pytest.importorskip("sqlalchemy")
    db = tmp_path / "crm.db"
    engine = sqlalchemy.create_engine(f"sqlite:///{db}")
    rows = _customers()[:100]
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
            rows,
        )
    engine.dispose()
    audit = tmp_path / "audit.jsonl"
    at = "2028-06-01T00:00:00+00:00"
    url = f"sqlite:///{db}"
    ledger = f"sqlite:///{tmp_path / 'ledger.db'}"
    ConsentLedger(ledger).close()  # a sweep evaluates every purpose: it needs a consent source
    for extra in (["--dry-run"], []):
        cmd = ["sweep", str(POLICY), url, "customers", "--at", at, "--audit", str(audit)]
        cmd += ["--ledger", ledger]
        assert main([*cmd, *extra]) == 0
    real = json.loads(capsys.readouterr().out.split("\n}\n")[1] + "\n}")
    dry_event, real_event = AuditLog(audit).events()
    assert dry_event.payload["dry_run"] is True
    assert real_event.payload["dry_run"] is False
    assert real_event.payload["table"] == "customers"
    for key in ("deleted", "erased", "kept", "anonymised", "reasons", "fields"):
        assert real_event.payload[key] == real[key], key
    assert real_event.at == datetime.fromisoformat(at)
    text = audit.read_text("utf-8")
    assert not [r["email"] for r in rows if r["email"] and r["email"] in text]
    assert AuditLog(audit).verify() == real_event.hash


def test_cli_records_a_failed_run_with_the_error_class_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GDPRKIT_KEYS", raising=False)
    audit = tmp_path / "audit.jsonl"
    out = tmp_path / "out.jsonl"
    args = ["enforce", str(POLICY), "analytics", str(CUSTOMERS), str(out), "--quiet"]
    assert main([*args, "--at", AT.isoformat(), "--audit", str(audit)]) == 2  # no keys
    (event,) = AuditLog(audit).events()
    assert event.kind == "enforce.failed"
    assert event.at == AT
    assert dict(event.payload) == {
        "purpose": "analytics",
        "policy_sha256": policy_digest(load_policy(POLICY)),
        "error": "ConfigurationError",
    }


def test_cli_records_a_stream_that_failed_midway_with_its_counts_so_far(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GDPRKIT_KEYS", KeyRing.generate().export())
    audit = tmp_path / "audit.jsonl"
    bad = tmp_path / "in.csv"  # bytes that are not UTF-8 at the end: reading fails midway
    bad.write_bytes(CUSTOMERS.read_bytes() + b"BV-9,\xff\xfe\n")
    args = ["enforce", str(POLICY), "newsletter", str(bad), str(tmp_path / "out.csv")]
    assert main([*args, "--quiet", "--at", AT.isoformat(), "--audit", str(audit)]) == 2
    (event,) = AuditLog(audit).events()
    assert event.kind == "enforce.failed"
    assert event.payload["error"] == "UnicodeDecodeError"
    assert 0 < sum(event.payload["counts"].values()) < 1000


def test_cli_records_a_failed_sweep(tmp_path: Path) -> None:
    pytest.importorskip("sqlalchemy")
    audit = tmp_path / "audit.jsonl"
    db = tmp_path / "other.db"
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("CREATE TABLE other (x TEXT)")  # a database without the swept table
    url = f"sqlite:///{db}"
    assert main(["sweep", str(POLICY), url, "customers", "--audit", str(audit)]) == 2
    (event,) = AuditLog(audit).events()
    assert event.kind == "sweep.failed"
    assert event.payload["table"] == "customers"
    assert event.payload["dry_run"] is False
    assert event.payload["error"]
    assert "sqlite" not in audit.read_text("utf-8")  # not even the URL


_CRASHING_WRITER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timezone
    from gdprkit._audit import AuditLog

    log = AuditLog(sys.argv[1])
    at = datetime(2026, 6, 1, tzinfo=timezone.utc)
    while True:
        event = log.record("enforce", at=at, purpose="newsletter", padding="x" * 4000)
        print(event.seq, event.hash, flush=True)
    """
)


def test_a_writer_killed_mid_run_loses_no_acknowledged_event(tmp_path: Path) -> None:
    """Invariant: after SIGKILL, every event whose ``record`` returned is in the file, the
    chain verifies up to a torn last line at worst, and ``recover`` makes it appendable."""
    path = tmp_path / "audit.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-c", _CRASHING_WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    acknowledged = [proc.stdout.readline() for _ in range(30)]
    proc.kill()
    proc.wait(timeout=30)
    acknowledged += proc.stdout.readlines()
    proc.stdout.close()
    log = AuditLog(path)
    data = path.read_bytes()
    if data.endswith(b"\n"):  # killed between two writes
        log.verify()
    else:  # killed mid-write
        with pytest.raises(AuditError) as caught:
            log.verify()
        assert (caught.value.kind, caught.value.line) == ("torn", data.count(b"\n") + 1)
        assert log.recover() > 0
    kept = {e.seq: e.hash for e in log.events()}
    for line in acknowledged:
        seq, hash_ = line.split()
        assert kept[int(seq)] == hash_
    last = acknowledged[-1].split()[1]
    assert log.verify(expected_head=last)
    assert log.record("enforce", at=AT).seq == len(kept) + 1
