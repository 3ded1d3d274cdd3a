# ruff: noqa: S608 - the tests tamper by hand: SQL built from the module's constant table names
"""What only the SQL ledgers do: persist, refuse rewrites, catch tampering, survive writers.

Every test runs on a real SQLite file and, where it takes ``sql_url``, on the real PostgreSQL
server too. Tampering is done the way an intruder with access to the database would do it: by
hand, with the database's own tools (``sqlite3`` on the file, SQL on the server), after
dropping or disabling the triggers that refuse it. Writers are real processes
(``ledger_writer.py``), killed with ``SIGKILL``.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import traceback
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gdprkit import (
    ConfigurationError,
    ConsentLedger,
    Evidence,
    KeyRing,
    LedgerError,
    enforce,
    load_policy,
)
from gdprkit._consent import NO_CONSENT, ConsentEvent
from gdprkit._consent._chain import GENESIS_HASH, canonical, chain_hash
from gdprkit._consent._sql import EVENTS, META, SCHEMA_VERSION

AT = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
WEB = Evidence("web_form", notice_version="2025-01", reference="form-17")
SUBJECT = "C-1001"
WRITER = Path(__file__).with_name("ledger_writer.py")
ROOT = Path(__file__).resolve().parents[2]

Opener = Callable[[str | None], ConsentLedger]


def fill(ledger: ConsentLedger, n: int = 6) -> list[ConsentEvent]:
    """``n`` events of several kinds, with evidence, for two subjects."""
    events: list[ConsentEvent] = []
    for i in range(n):
        subject = f"{SUBJECT}-{i % 2}"
        if i % 3 == 2:
            events.append(ledger.withdraw(subject, "newsletter", at=AT + i * DAY))
        else:
            events.append(
                ledger.give(subject, "newsletter", at=AT + i * DAY, evidence=WEB, explicit=i == 0)
            )
    return events


def sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite:///")


@contextmanager
def by_hand(url: str) -> Iterator[Callable[[str], Any]]:
    """A raw connection to the ledger's database with its append-only triggers out of the way;
    yields ``run(sql)``. Committed at the end."""
    if url.startswith("sqlite"):
        con = sqlite3.connect(sqlite_path(url), isolation_level=None)
        con.execute("PRAGMA ignore_check_constraints = ON")
        triggers = [
            r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        ]
        for name in triggers:
            con.execute(f'DROP TRIGGER "{name}"')
        try:
            yield con.execute
        finally:
            con.close()
        return
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"ALTER TABLE {EVENTS} DISABLE TRIGGER USER")
            yield conn.exec_driver_sql
            if conn.exec_driver_sql("SELECT to_regclass(%s)", (EVENTS,)).scalar() is not None:
                conn.exec_driver_sql(f"ALTER TABLE {EVENTS} ENABLE TRIGGER USER")
    finally:
        engine.dispose()


def broken_at(ledger: ConsentLedger, expected_head: str | None = None) -> str:
    with pytest.raises(LedgerError) as info:
        ledger.verify(expected_head)
    message = str(info.value)
    assert message.startswith("ledger chain broken at event #"), message
    assert SUBJECT not in message
    assert "newsletter" not in message
    return message.split("#", 1)[1].split(":", 1)[0]


# -- persistence and schema ---------------------------------------------------------------------


def test_a_reopened_ledger_has_every_event_its_head_and_its_answers(
    sql_url: str, open_ledger: Opener
) -> None:
    first = open_ledger(sql_url)
    written = fill(first)
    head = first.head()
    first.close()
    again = open_ledger(sql_url)
    assert again.head() == head
    assert again.events(f"{SUBJECT}-0") == [e for e in written if e.subject == f"{SUBJECT}-0"]
    state = again.state(f"{SUBJECT}-0", "newsletter", at=AT + 10 * DAY)
    assert (state.status, state.given_at, state.evidence) == ("given", AT + 4 * DAY, WEB)
    again.verify(expected_head=head)
    event = again.give(SUBJECT, "profiling", at=AT)
    assert (event.seq, event.prev_hash) == (7, head)
    again.verify(expected_head=head)


def test_the_schema_is_created_on_first_use_with_its_version(
    sql_url: str, open_ledger: Opener
) -> None:
    open_ledger(sql_url)
    open_ledger(sql_url)  # a second open finds it and creates nothing
    engine = sa.create_engine(sql_url)
    try:
        with engine.connect() as conn:
            version = conn.execute(
                sa.text(f"SELECT value FROM {META} WHERE key = 'schema_version'")
            ).scalar_one()
            assert version == str(SCHEMA_VERSION) == "1"
            assert conn.execute(sa.text(f"SELECT count(*) FROM {EVENTS}")).scalar_one() == 0
    finally:
        engine.dispose()


def test_a_newer_schema_version_is_refused(sql_url: str, open_ledger: Opener) -> None:
    open_ledger(sql_url).close()
    engine = sa.create_engine(sql_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f"UPDATE {META} SET value = '2' WHERE key = 'schema_version'"))
    finally:
        engine.dispose()
    with pytest.raises(LedgerError, match="schema version 2; this gdprkit reads version 1"):
        ConsentLedger(sql_url)


def test_the_sqlite_file_is_in_wal_mode(sqlite_url: str, open_ledger: Opener) -> None:
    open_ledger(sqlite_url)
    con = sqlite3.connect(sqlite_path(sqlite_url))
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        con.close()


@pytest.mark.parametrize(
    "statement",
    [
        f"UPDATE {EVENTS} SET subject = 'C-9999' WHERE seq = 2",
        f"DELETE FROM {EVENTS} WHERE seq = 2",
        f"DELETE FROM {EVENTS}",
    ],
    ids=["update", "delete one", "delete all"],
)
def test_the_database_itself_refuses_to_rewrite_an_event(
    sql_url: str, open_ledger: Opener, statement: str
) -> None:
    ledger = open_ledger(sql_url)
    fill(ledger, 3)
    engine = sa.create_engine(sql_url)
    try:
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as conn:
            conn.exec_driver_sql(statement)
    finally:
        engine.dispose()
    ledger.verify()
    assert len(ledger.events(f"{SUBJECT}-1")) == 1


def test_postgresql_refuses_truncate(postgresql_url: str, open_ledger: Opener) -> None:
    fill(open_ledger(postgresql_url), 2)
    engine = sa.create_engine(postgresql_url)
    try:
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {EVENTS}")
    finally:
        engine.dispose()


# -- tampering by hand ----------------------------------------------------------------------------

#: (what the intruder does to event #3 of 6, by SQL) -> the link verify() names.
EDITS: list[tuple[str, str, str]] = [
    ("subject", "UPDATE {t} SET subject = 'C-9999' WHERE seq = 3", "3"),
    ("purpose", "UPDATE {t} SET purpose = 'profiling' WHERE seq = 3", "3"),
    ("purpose removed", "UPDATE {t} SET purpose = NULL WHERE seq = 3", "3"),
    ("kind", "UPDATE {t} SET kind = 'given' WHERE seq = 3", "3"),
    ("kind unknown", "UPDATE {t} SET kind = 'consented' WHERE seq = 3", "3"),
    ("at", "UPDATE {t} SET at = '2024-06-04T12:00:00.000000+00:00' WHERE seq = 3", "3"),
    ("at, same instant spelt otherwise", "UPDATE {t} SET at = replace(at, '.000000', '') "
     "WHERE seq = 3", "3"),
    ("at unreadable", "UPDATE {t} SET at = 'yesterday' WHERE seq = 3", "3"),
    ("recorded_at", "UPDATE {t} SET recorded_at = NULL WHERE seq = 3", "3"),
    ("explicit", "UPDATE {t} SET explicit = 1 WHERE seq = 2", "2"),
    ("evidence method", "UPDATE {t} SET evidence_method = 'paper_form' WHERE seq = 2", "2"),
    ("evidence removed", "UPDATE {t} SET evidence_method = NULL, evidence_notice_version = NULL, "
     "evidence_reference = NULL WHERE seq = 2", "2"),
    ("evidence added", "UPDATE {t} SET evidence_method = 'web_form' WHERE seq = 3", "3"),
    ("hash", "UPDATE {t} SET hash = '" + "e" * 64 + "' WHERE seq = 3", "3"),
    ("prev_hash", "UPDATE {t} SET prev_hash = '" + "f" * 64 + "' WHERE seq = 3", "3"),
    ("deleted", "DELETE FROM {t} WHERE seq = 3", "3"),
    ("first deleted", "DELETE FROM {t} WHERE seq = 1", "1"),
    ("renumbered", "UPDATE {t} SET seq = 30 WHERE seq = 3", "3"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "statement", "position"), EDITS, ids=[e[0] for e in EDITS])
def test_an_event_edited_or_deleted_by_hand_breaks_the_chain_there(
    sql_url: str, open_ledger: Opener, what: str, statement: str, position: str
) -> None:
    ledger = open_ledger(sql_url)
    fill(ledger)
    ledger.verify()
    with by_hand(sql_url) as run:
        run(statement.format(t=EVENTS))
    assert broken_at(ledger) == position
    assert broken_at(open_ledger(sql_url)) == position  # and for whoever opens it next


@pytest.mark.parametrize(
    ("what", "statement"),
    [
        ("flag not 0 or 1", f"UPDATE {EVENTS} SET explicit = 2 WHERE seq = 3"),
        ("flag as text", f"UPDATE {EVENTS} SET parental = 'no' WHERE seq = 3"),
        ("subject as a number", f"UPDATE {EVENTS} SET subject = 42 WHERE seq = 3"),
        ("seq as a fraction", f"UPDATE {EVENTS} SET seq = 3.5 WHERE seq = 3"),
    ],
    ids=lambda v: v if " " in v and not v.startswith("UPDATE") else "",
)
def test_a_value_of_the_wrong_type_written_into_sqlite_is_a_broken_link(
    sqlite_url: str, open_ledger: Opener, what: str, statement: str
) -> None:
    ledger = open_ledger(sqlite_url)
    fill(ledger)
    with by_hand(sqlite_url) as run:
        run(statement)
    assert broken_at(ledger) == "3", what


def _rows(url: str) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {EVENTS} ORDER BY seq")]
    finally:
        engine.dispose()


def _rewrite(url: str, rows: list[tuple[Any, ...]]) -> None:
    """Replace the whole table by ``rows`` (as an intruder with full write access would)."""
    marks = ", ".join("?" if url.startswith("sqlite") else "%s" for _ in rows[0])
    with by_hand(url) as run:
        run(f"DELETE FROM {EVENTS}")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"INSERT INTO {EVENTS} VALUES ({marks})", rows)
    finally:
        engine.dispose()


def test_two_events_swapped_break_the_chain_at_the_first(sql_url: str, open_ledger: Opener) -> None:
    ledger = open_ledger(sql_url)
    fill(ledger)
    rows = _rows(sql_url)
    rows[1], rows[2] = (rows[2][0] - 1, *rows[2][1:]), (rows[1][0] + 1, *rows[1][1:])
    _rewrite(sql_url, rows)
    assert broken_at(ledger) == "2"


def test_a_forged_event_inserted_in_the_middle_breaks_the_chain_after_it(
    sql_url: str, open_ledger: Opener
) -> None:
    ledger = open_ledger(sql_url)
    fill(ledger)
    rows = _rows(sql_url)
    names = [
        "seq", "kind", "subject", "purpose", "at", "recorded_at", "explicit", "parental",
        "evidence_method", "evidence_notice_version", "evidence_reference", "prev_hash", "hash",
    ]  # fmt: skip
    # A forged consent that links perfectly to event #2, with a correct hash of its own.
    template = next(e for e in ledger.events(f"{SUBJECT}-0") if e.seq == 1)
    forged = ConsentEvent(
        3, template.kind, "C-0666", "newsletter", AT, None, True, False, WEB, rows[1][-1], ""
    )
    forged_hash = chain_hash(forged.prev_hash, canonical(forged))
    values = dict.fromkeys(names)
    values.update(
        seq=3, kind="given", subject="C-0666", purpose="newsletter",
        at=AT.isoformat(timespec="microseconds"), explicit=1, parental=0,
        evidence_method=WEB.method, evidence_notice_version=WEB.notice_version,
        evidence_reference=WEB.reference, prev_hash=rows[1][-1], hash=forged_hash,
    )  # fmt: skip
    shifted = [(r[0] + 1, *r[1:]) for r in rows[2:]]
    _rewrite(sql_url, [*rows[:2], tuple(values[n] for n in names), *shifted])
    assert broken_at(ledger) == "4"


def test_a_cut_off_tail_is_caught_with_the_head_kept_elsewhere(
    sql_url: str, open_ledger: Opener
) -> None:
    ledger = open_ledger(sql_url)
    fill(ledger)
    kept = ledger.head()
    with by_hand(sql_url) as run:
        run(f"DELETE FROM {EVENTS} WHERE seq >= 5")
    ledger.verify()  # what remains is a valid chain...
    assert ledger.head() != kept
    assert broken_at(ledger, kept) == "5"  # ...but not the one whose head was kept


# -- errors ---------------------------------------------------------------------------------------


def _whole(exc: BaseException) -> str:
    """Every message of the exception and of those chained to it (what a log would show)."""
    messages: list[str] = []
    seen: BaseException | None = exc
    while seen is not None:
        messages += traceback.format_exception_only(seen)
        seen = seen.__cause__ or (None if seen.__suppress_context__ else seen.__context__)
    return "".join(messages)


def test_an_unreachable_server_is_an_error_at_construction_that_keeps_the_password() -> None:
    url = "postgresql+psycopg://gdpr:s3cret-pw@127.0.0.1:9/consents?connect_timeout=3"
    with pytest.raises(LedgerError, match="could not open the ledger") as info:
        ConsentLedger(url)
    assert "s3cret" not in _whole(info.value)
    assert "s3cret" not in str(info.value)
    assert "127.0.0.1" not in str(info.value)


def test_a_sqlite_file_that_cannot_be_opened_is_an_error_at_construction(
    tmp_path: Path,
) -> None:
    (tmp_path / "not-a-database.db").write_bytes(b"Mario Rossi, mario@example.it\n" * 100)
    with pytest.raises(LedgerError, match="could not open the ledger") as info:
        ConsentLedger(f"sqlite:///{tmp_path}/not-a-database.db")
    assert "Mario" not in _whole(info.value)


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("mysql://gdpr:s3cret-pw@db.example.it/consents", "not on mysql"),
        ("oracle+oracledb://gdpr:s3cret-pw@db/x", "not on oracle"),
        ("just some text s3cret-pw", "not a database URL"),
        ("sqlite://", "must name its file"),
        ("sqlite:///", "must name its file"),
        ("sqlite:///:memory:", "in-memory SQLite"),
        ("sqlite:///consents.db?mode=memory", "in-memory SQLite"),
    ],
)
def test_a_url_of_another_kind_is_a_configuration_error_without_the_url(
    url: str, match: str
) -> None:
    with pytest.raises(ConfigurationError, match=match) as info:
        ConsentLedger(url)
    assert "s3cret" not in _whole(info.value)


def test_a_postgresql_role_that_may_only_insert_and_select_can_append(
    postgresql_url: str, open_ledger: Opener
) -> None:
    """The guide advises an appending role without UPDATE or DELETE: it must be enough."""
    owner = open_ledger(postgresql_url)
    owner.give(SUBJECT, "newsletter", at=AT)
    role = f"appender_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(postgresql_url)
    try:
        with engine.begin() as conn:
            schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
            conn.exec_driver_sql(f'CREATE ROLE "{role}" LOGIN')
            conn.exec_driver_sql(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"')
            conn.exec_driver_sql(f'GRANT SELECT, INSERT ON {EVENTS} TO "{role}"')
            conn.exec_driver_sql(f'GRANT SELECT ON {META} TO "{role}"')
        url = sa.engine.make_url(postgresql_url).set(username=role)
        appender = open_ledger(url.render_as_string(hide_password=False))
        appender.give("C-2002", "newsletter", at=AT, evidence=WEB)
        appender.verify()
        assert owner.state("C-2002", "newsletter", at=AT).status == "given"
        appender.close()
        direct = sa.create_engine(url)
        try:
            with (
                pytest.raises(sa.exc.ProgrammingError, match="permission denied"),
                direct.begin() as conn,
            ):
                conn.exec_driver_sql(f"UPDATE {EVENTS} SET subject = 'x'")
        finally:
            direct.dispose()
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP OWNED BY "{role}"')
            conn.exec_driver_sql(f'DROP ROLE "{role}"')
        engine.dispose()


def test_a_plain_postgresql_url_means_psycopg(postgresql_url: str, open_ledger: Opener) -> None:
    plain = postgresql_url.replace("postgresql+psycopg://", "postgresql://", 1)
    assert plain != postgresql_url
    ledger = open_ledger(plain)
    ledger.give(SUBJECT, "newsletter", at=AT)
    assert open_ledger(postgresql_url).events(SUBJECT)[0].subject == SUBJECT


def test_a_database_failing_later_is_a_ledger_error_without_personal_data(
    sql_url: str, open_ledger: Opener
) -> None:
    ledger = open_ledger(sql_url)
    fill(ledger, 2)
    with by_hand(sql_url) as run:
        run(f"DROP TABLE {EVENTS}")
    calls: list[Callable[[], object]] = [
        lambda: ledger.give("Mario.Rossi", "newsletter", at=AT, evidence=WEB),
        lambda: ledger.state("Mario.Rossi", "newsletter", at=AT),
        lambda: ledger.states(["Mario.Rossi"], "newsletter", at=AT),
        lambda: ledger.events("Mario.Rossi"),
        ledger.head,
        ledger.verify,
    ]
    for call in calls:
        with pytest.raises(LedgerError, match=r"consent ledger \(\w+\): could not") as info:
            call()
        assert "Mario" not in _whole(info.value)


# -- the bulk path ----------------------------------------------------------------------------


@contextmanager
def counting(ledger: ConsentLedger) -> Iterator[list[str]]:
    """The statements the ledger sends to its database meanwhile."""
    statements: list[str] = []
    engine = ledger._backend._engine  # type: ignore[attr-defined]

    def note(*args: Any) -> None:
        statements.append(args[2])

    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)


def test_states_asks_one_query_whatever_the_number_of_subjects(
    sql_url: str, open_ledger: Opener
) -> None:
    ledger = open_ledger(sql_url)
    fill(ledger)
    subjects = [f"{SUBJECT}-{i}" for i in range(5000)]
    with counting(ledger) as statements:
        states = ledger.states(subjects, "newsletter", at=AT + 10 * DAY)
    assert len([s for s in statements if EVENTS in s]) == 1
    assert len(states) == 5000
    assert states[f"{SUBJECT}-0"].status == "given"
    assert states[f"{SUBJECT}-1"].status == "withdrawn"
    assert states[f"{SUBJECT}-7"] is NO_CONSENT


def test_enforce_asks_the_ledger_once_per_chunk_and_decides_as_in_memory(
    sql_url: str, open_ledger: Opener
) -> None:
    policy = load_policy(ROOT / "examples" / "crm" / "policy.yaml")
    records = [
        {"customer_id": f"BV-{i:05d}", "birth_date": "1980-01-01", "country": "IT"}
        for i in range(2500)
    ]
    keys = KeyRing.generate()
    sql, memory = open_ledger(sql_url), open_ledger(None)
    for ledger in (sql, memory):
        for i in range(0, 2500, 3):
            ledger.give(f"BV-{i:05d}", "profiling", at=AT - DAY, evidence=WEB if i % 2 else None)
        for i in range(0, 2500, 7):
            ledger.withdraw(f"BV-{i:05d}", "profiling", at=AT - DAY / 2)
        for i in range(0, 2500, 11):
            ledger.object(f"BV-{i:05d}", at=AT - 3 * DAY, purpose="profiling")
    with counting(sql) as statements:
        out_sql = enforce(policy, records, "profiling", at=AT, consents=sql, keys=keys)
        rows_sql = list(out_sql)
    assert len([s for s in statements if EVENTS in s]) == 3  # 2500 records, 1024 per chunk
    out_memory = enforce(policy, records, "profiling", at=AT, consents=memory, keys=keys)
    assert [r["birth_date"] for r in rows_sql] == [r["birth_date"] for r in out_memory]
    assert out_sql.counts == out_memory.counts
    assert out_sql.counts["processed"] > 0
    assert out_sql.counts["consent.withdrawn"] > 0


@pytest.mark.parametrize("purpose", [None, "newsletter"])
@pytest.mark.parametrize("until", [None, AT + 2 * DAY])
def test_the_bulk_path_filters_as_the_memory_backend_does(
    sql_url: str, open_ledger: Opener, purpose: str | None, until: datetime | None
) -> None:
    sql, memory = open_ledger(sql_url), open_ledger(None)
    for ledger in (sql, memory):
        fill(ledger)
        ledger.give(f"{SUBJECT}-0", "profiling", at=AT)
        ledger.object(f"{SUBJECT}-1", at=AT + DAY)
        ledger.restrict(f"{SUBJECT}-1", at=AT + 5 * DAY)

    def shape(found: Any) -> dict[str, list[tuple[int, str, str | None, datetime]]]:
        return {s: [(e.seq, e.kind, e.purpose, e.at) for e in es] for s, es in found.items()}

    subjects = [f"{SUBJECT}-0", f"{SUBJECT}-1", "nobody"]
    got = sql._backend.events_for_subjects(subjects, purpose=purpose, until=until)
    want = memory._backend.events_for_subjects(subjects, purpose=purpose, until=until)
    assert shape(got) == shape(want)
    assert got  # something is found either way


# -- several processes ----------------------------------------------------------------------------


def _writers(
    url: str, n: int, count: int, *, create_first: bool = True
) -> list[subprocess.Popen[str]]:
    if create_first:
        ConsentLedger(url).close()  # else the writers race to create the schema
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    procs = [
        subprocess.Popen(
            [sys.executable, str(WRITER), url, f"W{w}", str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for w in range(n)
    ]
    for proc in procs:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
    for proc in procs:  # go, all at once
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    return procs


def _acknowledged(lines: list[str]) -> dict[int, tuple[str, str]]:
    acks: dict[int, tuple[str, str]] = {}
    for line in lines:
        seq, digest, subject = line.split()
        assert int(seq) not in acks, "two writers were given the same place in the chain"
        acks[int(seq)] = (digest, subject)
    return acks


def _stored(ledger: ConsentLedger) -> dict[int, tuple[str, str]]:
    return {e.seq: (e.hash, e.subject) for e in ledger._backend.all_events()}


def test_several_processes_appending_at_once_keep_one_chain_and_lose_nothing(
    sql_url: str, open_ledger: Opener
) -> None:
    writers, count = 4, 40
    procs = _writers(sql_url, writers, count)
    lines: list[str] = []
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        lines += out.splitlines()
    acks = _acknowledged(lines)
    assert len(acks) == writers * count
    ledger = open_ledger(sql_url)
    ledger.verify()
    assert _stored(ledger) == acks
    assert sorted(acks) == list(range(1, writers * count + 1))
    for w in range(writers):  # each writer's events in its own order
        seqs = [s for s, (_, subject) in sorted(acks.items()) if subject.startswith(f"W{w}-")]
        subjects = [acks[s][1] for s in seqs]
        assert subjects == [f"W{w}-{i}" for i in range(count)]


def test_processes_opening_a_new_ledger_at_once_create_it_once(
    sql_url: str, open_ledger: Opener
) -> None:
    procs = _writers(sql_url, 4, 10, create_first=False)
    for proc in procs:
        proc.communicate(timeout=120)
        assert proc.returncode == 0
    ledger = open_ledger(sql_url)
    ledger.verify()
    assert len(_stored(ledger)) == 40


def test_writers_killed_mid_stream_lose_no_acknowledged_event(
    sql_url: str, open_ledger: Opener
) -> None:
    procs = _writers(sql_url, 2, 0)  # append until killed
    lines: list[str] = []
    for proc in procs:
        assert proc.stdout is not None
        lines += [proc.stdout.readline() for _ in range(25)]
    for proc in procs:
        os.kill(proc.pid, signal.SIGKILL)
    for proc in procs:
        assert proc.stdout is not None
        lines += proc.stdout.readlines()  # printed before the kill: acknowledged too
        assert proc.wait(timeout=30) == -signal.SIGKILL
        for pipe in (proc.stdin, proc.stdout):
            assert pipe is not None
            pipe.close()
    # A line cut short by the kill is not an acknowledgement: the parent never got it whole.
    acks = _acknowledged([line for line in lines if line.endswith("\n")])
    assert len(acks) >= 50
    ledger = open_ledger(sql_url)
    stored = _stored(ledger)
    missing = [seq for seq, ack in acks.items() if stored.get(seq) != ack]
    assert missing == []
    ledger.verify()
    last = max(acks)
    ledger.verify(expected_head=acks[last][0])
    # The ledger goes on where the killed writers left it.
    event = ledger.give(SUBJECT, "newsletter", at=AT, evidence=WEB)
    assert event.seq == len(stored) + 1
    ledger.verify(expected_head=acks[last][0])


def test_a_ledger_opened_before_a_fork_serves_parent_and_child(
    sql_url: str, open_ledger: Opener
) -> None:
    """multiprocessing forks on Linux: the child must not reuse the parent's connections."""
    ledger = open_ledger(sql_url)
    ledger.give(SUBJECT, "newsletter", at=AT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads, Python 3.12+
        pid = os.fork()
    if pid == 0:  # the child: append through the inherited ledger, then leave at once
        code = 0
        try:
            for i in range(20):
                ledger.give(f"K-{i}", "newsletter", at=AT)
        except BaseException:  # any failure: reported through the exit code
            code = 1
        os._exit(code)
    mine = [ledger.give(f"P-{i}", "newsletter", at=AT) for i in range(20)]
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    ledger.verify()
    stored = _stored(ledger)
    assert len(stored) == 41
    assert all(stored[e.seq] == (e.hash, e.subject) for e in mine)
    assert ledger.state("K-19", "newsletter", at=AT).status == "given"


def test_threads_and_a_process_share_one_sqlite_file(sqlite_url: str, open_ledger: Opener) -> None:
    """A ledger in this process and a writer process append to the same file at once."""
    procs = _writers(sqlite_url, 1, 30)
    ledger = open_ledger(sqlite_url)
    mine = [ledger.give(f"M-{i}", "newsletter", at=AT) for i in range(30)]
    out, _ = procs[0].communicate(timeout=60)
    acks = _acknowledged(out.splitlines())
    stored = _stored(ledger)
    assert len(stored) == 60
    assert all(stored[e.seq] == (e.hash, e.subject) for e in mine)
    assert all(stored[s] == a for s, a in acks.items())
    ledger.verify()


def test_the_stored_rows_hold_no_more_than_the_event(sqlite_url: str, open_ledger: Opener) -> None:
    """What is stored is exactly the event: the canonical times, 0/1 flags, the hash."""
    ledger = open_ledger(sqlite_url)
    event = ledger.give(SUBJECT, "newsletter", at=AT, evidence=WEB, explicit=True)
    con = sqlite3.connect(sqlite_path(sqlite_url))
    try:
        con.row_factory = sqlite3.Row
        row = dict(con.execute(f"SELECT * FROM {EVENTS}").fetchone())
    finally:
        con.close()
    assert row["at"] == "2025-06-01T12:00:00.000000+00:00"
    assert (row["explicit"], row["parental"]) == (1, 0)
    assert row["prev_hash"] == GENESIS_HASH
    assert row["hash"] == event.hash
    body = json.loads(canonical(event))
    assert {k: row[k] for k in ("subject", "purpose", "kind", "seq")} == {
        k: body[k] for k in ("subject", "purpose", "kind", "seq")
    }


def test_without_sqlalchemy_a_sql_url_says_which_extra_to_install() -> None:
    code = (
        "import sys; sys.modules['sqlalchemy'] = None\n"
        "from gdprkit import ConsentLedger\n"
        "ConsentLedger()\n"
        "try:\n"
        "    ConsentLedger('sqlite:///never-created.db')\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert "pip install 'gdprkit[sql]'" in done.stdout
    assert not (ROOT / "never-created.db").exists()
