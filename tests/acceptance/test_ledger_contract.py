# ruff: noqa: S608 - table names come from the test itself
"""§8 / §12 ConsentLedger."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest

import gdprkit

from .conftest import AT, customer, evidence, utc


@pytest.fixture(params=["memory", "sqlite"])
def any_ledger(request, tmp_path):
    if request.param == "memory":
        return gdprkit.ConsentLedger()
    return gdprkit.ConsentLedger(f"sqlite:///{tmp_path / 'ledger.db'}")


def test_state_lifecycle(any_ledger):
    led = any_ledger
    s = led.state("C1", "newsletter", at=AT)
    assert isinstance(s, gdprkit.ConsentState)
    assert s.status == "none"
    assert s.given_at is None
    assert s.withdrawn_at is None
    ev = evidence()
    led.give("C1", "newsletter", at=utc(2025, 1, 1), evidence=ev, explicit=True, parental=True)
    s = led.state("C1", "newsletter", at=utc(2025, 2, 1))
    assert s.status == "given"
    assert s.given_at == utc(2025, 1, 1)
    assert s.explicit is True
    assert s.parental is True
    assert s.evidence is not None
    assert s.evidence.method == "web_form"
    assert s.evidence.notice_version == "v3"
    led.withdraw("C1", "newsletter", at=utc(2025, 3, 1))
    s = led.state("C1", "newsletter", at=utc(2025, 4, 1))
    assert s.status == "withdrawn"
    assert s.withdrawn_at == utc(2025, 3, 1)
    # history stays answerable
    assert led.state("C1", "newsletter", at=utc(2025, 2, 1)).status == "given"
    assert led.state("C1", "newsletter", at=utc(2024, 12, 31)).status == "none"
    # another purpose/subject untouched
    assert led.state("C1", "other", at=utc(2025, 2, 1)).status == "none"
    assert led.state("C2", "newsletter", at=utc(2025, 2, 1)).status == "none"


def test_state_flags(any_ledger):
    led = any_ledger
    led.object("C1", at=utc(2025, 1, 1))
    led.object("C1", at=utc(2025, 1, 2), purpose="analytics")
    led.restrict("C1", at=utc(2025, 1, 3))
    led.request_erasure("C1", at=utc(2025, 1, 4))
    s = led.state("C1", "analytics", at=utc(2025, 2, 1))
    assert s.objected_direct_marketing is True
    assert s.objected is True
    assert s.restricted is True
    assert s.erasure_requested is True
    s = led.state("C1", "other", at=utc(2025, 2, 1))
    assert s.objected is False
    assert s.objected_direct_marketing is True
    s = led.state("C1", "analytics", at=utc(2024, 12, 1))
    assert not (s.objected)
    assert not (s.objected_direct_marketing)
    assert not (s.restricted)
    assert not (s.erasure_requested)
    led.lift_restriction("C1", at=utc(2025, 3, 1))
    assert led.state("C1", "analytics", at=utc(2025, 3, 2)).restricted is False
    assert led.state("C1", "analytics", at=utc(2025, 2, 2)).restricted is True


def test_state_is_frozen(any_ledger):
    s = any_ledger.state("C1", "p", at=AT)
    with pytest.raises((dataclasses.FrozenInstanceError, AttributeError, TypeError, ValueError)):
        s.status = "given"


def test_events_oldest_first(any_ledger):
    led = any_ledger
    led.give("C1", "p", at=utc(2025, 1, 1), evidence=evidence())
    led.withdraw("C1", "p", at=utc(2025, 2, 1))
    led.give("C2", "p", at=utc(2025, 1, 1))
    led.restrict("C1", at=utc(2025, 3, 1))
    ev = list(led.events("C1"))
    assert len(ev) == 3
    assert len(list(led.events("C2"))) == 1
    assert list(led.events("nobody")) == []


def test_verify_and_head(any_ledger):
    led = any_ledger
    led.verify()
    h0 = led.head()
    led.give("C1", "p", at=utc(2025, 1, 1), evidence=evidence())
    h1 = led.head()
    assert isinstance(h1, str)
    assert h1
    assert h1 != h0
    led.verify()
    led.verify(expected_head=h1)
    led.give("C1", "q", at=utc(2025, 1, 2))
    assert led.head() != h1
    with pytest.raises(gdprkit.LedgerError):
        led.verify(expected_head="f" * 64)


def test_naive_at_refused(any_ledger):
    from datetime import datetime

    with pytest.raises((gdprkit.GdprkitError, ValueError, TypeError)):
        any_ledger.give("C1", "p", at=datetime(2025, 1, 1))


def test_sqlite_persistence(tmp_path):
    url = f"sqlite:///{tmp_path / 'l.db'}"
    led = gdprkit.ConsentLedger(url)
    led.give("C1", "profiling", at=utc(2025, 1, 1), evidence=evidence(), explicit=True)
    led.object("C1", at=utc(2025, 2, 1))
    head = led.head()
    del led
    again = gdprkit.ConsentLedger(url)
    s = again.state("C1", "profiling", at=utc(2025, 3, 1))
    assert s.status == "given"
    assert s.explicit
    assert s.objected_direct_marketing
    assert s.evidence.method == "web_form"
    assert again.head() == head
    again.verify(expected_head=head)
    assert len(list(again.events("C1"))) == 2


def _event_table(path):
    con = sqlite3.connect(path)
    # verify() must not rely on the database enforcing append-only: remove any triggers
    for (name,) in con.execute("select name from sqlite_master where type='trigger'").fetchall():
        con.execute(f'drop trigger "{name}"')
    con.commit()
    tables = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
    best = max(tables, key=lambda t: con.execute(f'select count(*) from "{t}"').fetchone()[0])
    return con, best


def _populate(path):
    led = gdprkit.ConsentLedger(f"sqlite:///{path}")
    led.give("C1", "p", at=utc(2025, 1, 1), evidence=evidence())
    led.give("C2", "p", at=utc(2025, 1, 2), evidence=evidence())
    led.withdraw("C1", "p", at=utc(2025, 1, 3))
    return led


def test_sqlite_tamper_edit_detected(tmp_path):
    path = tmp_path / "l.db"
    _populate(path).verify()
    con, table = _event_table(path)
    cols = [r[1] for r in con.execute(f'pragma table_info("{table}")')]
    rows = con.execute(f'select rowid, * from "{table}" order by rowid').fetchall()
    # change a subject value in the middle row
    changed = False
    for i, c in enumerate(cols, start=1):
        if rows[1][i] == "C2":
            con.execute(f'update "{table}" set "{c}" = ? where rowid = ?', ("C9", rows[1][0]))
            changed = True
            break
    assert changed
    con.commit()
    con.close()
    with pytest.raises(gdprkit.LedgerError):
        gdprkit.ConsentLedger(f"sqlite:///{path}").verify()


def test_sqlite_deleted_row_detected(tmp_path):
    path = tmp_path / "l.db"
    _populate(path)
    con, table = _event_table(path)
    rid = con.execute(f'select rowid from "{table}" order by rowid').fetchall()[1][0]
    con.execute(f'delete from "{table}" where rowid = ?', (rid,))
    con.commit()
    con.close()
    with pytest.raises(gdprkit.LedgerError):
        gdprkit.ConsentLedger(f"sqlite:///{path}").verify()


def test_sqlite_cut_tail_detected_with_expected_head(tmp_path):
    path = tmp_path / "l.db"
    led = _populate(path)
    head = led.head()
    del led
    con, table = _event_table(path)
    rid = con.execute(f'select max(rowid) from "{table}"').fetchone()[0]
    con.execute(f'delete from "{table}" where rowid = ?', (rid,))
    con.commit()
    con.close()
    cut = gdprkit.ConsentLedger(f"sqlite:///{path}")
    cut.verify()  # the remaining chain is intact
    with pytest.raises(gdprkit.LedgerError):
        cut.verify(expected_head=head)


def test_ledger_as_consents_for_decide(policy, any_ledger):
    any_ledger.give("C001", "profiling", at=utc(2025, 1, 1), evidence=evidence())
    assert gdprkit.decide(policy, customer(), "profiling", at=AT, consents=any_ledger).allowed


def test_custom_consent_source(policy):
    """Any object answering state(subject, purpose, *, at) -> ConsentState-like works."""

    class Source:
        def state(self, subject, purpose, *, at):
            return gdprkit.ConsentState(
                status="given",
                given_at=utc(2025, 1, 1),
                withdrawn_at=None,
                explicit=False,
                parental=False,
                evidence=evidence(),
                objected=False,
                objected_direct_marketing=False,
                restricted=False,
                erasure_requested=False,
            )

    assert gdprkit.decide(policy, customer(), "profiling", at=AT, consents=Source()).allowed


def test_evidence_fields():
    e = gdprkit.Evidence("paper_form", notice_version="2024-01", reference="scan-1")
    assert e.method == "paper_form"
    assert e.notice_version == "2024-01"
    assert e.reference == "scan-1"
    e = gdprkit.Evidence("app")
    assert e.notice_version is None
    assert e.reference is None
