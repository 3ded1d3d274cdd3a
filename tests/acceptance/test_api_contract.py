"""§12 public API surface, import hygiene, ledger concurrency, sweep_table edges."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading

import pytest

import gdprkit

from .conftest import AT, customer, evidence, utc

CONTRACT_NAMES = [
    "load_policy",
    "Policy",
    "validate",
    "decide",
    "enforce",
    "requires_purpose",
    "KeyRing",
    "pseudonymise",
    "reveal",
    "ConsentLedger",
    "Evidence",
    "sweep",
    "erasure_plan",
    "access_report",
    "portability_export",
    "SweepAction",
    "ErasurePlan",
    "ConsentState",
    "GdprkitError",
    "PolicyError",
    "ConfigurationError",
    "ProcessingDenied",
    "LedgerError",
    "MissingKeyError",
]


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_public_names(name):
    assert hasattr(gdprkit, name)
    assert name in gdprkit.__all__


def _py(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


def test_import_gdprkit_loads_no_optional_dependency():
    r = _py(
        "import sys, gdprkit\n"
        "opt = ('sqlalchemy', 'pandas', 'polars', 'pyarrow', 'pyspark', 'hypothesis', 'pytest')\n"
        "bad = [m for m in opt if m in sys.modules]\n"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_testing_importable_without_pytest():
    r = _py(
        "import sys\n"
        "sys.modules['pytest'] = None\n"
        "import gdprkit.testing as t\n"
        "assert callable(t.assert_denied)\n"
    )
    assert r.returncode == 0, r.stderr


def test_ledger_two_handles_same_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'l.db'}"
    a = gdprkit.ConsentLedger(url)
    b = gdprkit.ConsentLedger(url)
    for i in range(5):
        a.give(f"S{i}", "p", at=utc(2025, 1, 1 + i), evidence=evidence())
        b.withdraw(f"S{i}", "p", at=utc(2025, 2, 1 + i))
    a.verify()
    b.verify()
    assert a.head() == b.head()
    assert len(list(a.events("S3"))) == 2
    assert b.state("S0", "p", at=utc(2025, 1, 15)).status == "given"


def test_ledger_threads_append(tmp_path):
    led = gdprkit.ConsentLedger(f"sqlite:///{tmp_path / 'l.db'}")

    def work(n):
        for i in range(10):
            led.give(f"T{n}-{i}", "p", at=utc(2025, 1, 1), evidence=evidence())

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    led.verify()
    assert sum(len(list(led.events(f"T{n}-{i}"))) for n in range(4) for i in range(10)) == 40


def test_sweep_erasure_requested_deletes(policy, ledger):
    ledger.request_erasure("C001", at=utc(2025, 6, 1))
    (a,) = gdprkit.sweep(policy, [customer(notes="x")], at=AT, consents=ledger)
    assert a.delete is True
    assert a.review_at is None


def _db(path):
    con = sqlite3.connect(path)
    con.execute(
        "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, first_name TEXT, relationship TEXT,"
        " source TEXT, last_purchase_at TEXT, purchases_total TEXT)"
    )
    con.execute(
        "INSERT INTO customers VALUES ('C', 'Carla', 'prospect', 'store', '2025-03-10', '45')"
    )
    con.commit()
    con.close()


def test_sweep_table_dry_run_creates_nothing(tmp_path, policy):
    from gdprkit.integrations.sqlalchemy import sweep_table

    path = tmp_path / "crm.db"
    _db(path)
    rep = sweep_table(
        f"sqlite:///{path}",
        "customers",
        policy,
        at=AT,
        consents=gdprkit.ConsentLedger(),
        dry_run=True,
        anonymous_table="anon",
    )
    assert rep.deleted == 1
    con = sqlite3.connect(path)
    tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
    n = con.execute("select count(*) from customers").fetchone()[0]
    con.close()
    assert tables == {"customers"}
    assert n == 1


def test_sweep_table_without_anonymous_table_counts_no_anonymised(tmp_path, policy):
    from gdprkit.integrations.sqlalchemy import sweep_table

    path = tmp_path / "crm.db"
    _db(path)
    rep = sweep_table(
        f"sqlite:///{path}", "customers", policy, at=AT, consents=gdprkit.ConsentLedger()
    )
    assert rep.deleted == 1
    assert rep.anonymised == 0  # "rows whose anonymous copy was written": none was


def test_sweep_table_anonymous_copy_values(tmp_path, policy):
    from gdprkit.integrations.sqlalchemy import sweep_table

    path = tmp_path / "crm.db"
    _db(path)
    rep = sweep_table(
        f"sqlite:///{path}",
        "customers",
        policy,
        at=AT,
        consents=gdprkit.ConsentLedger(),
        anonymous_table="anon",
    )
    assert rep.anonymised == 1
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    (row,) = [dict(r) for r in con.execute("select * from anon")]
    con.close()
    assert "customer_id" not in row or row["customer_id"] is None
    assert "first_name" not in row or row["first_name"] is None
    assert str(row["last_purchase_at"]).startswith("2025-03")
    assert "10" not in str(row["last_purchase_at"])[7:]


def test_validate_anchor_and_consent_at_read_as_dates(policy):
    v = gdprkit.validate(policy, customer(consent_marketing_at="garbage", last_purchase_at="later"))
    got = {(x.field, x.code) for x in v}
    assert ("consent_marketing_at", "value.invalid") in got
    assert ("last_purchase_at", "value.invalid") in got


def test_criminal_cannot_be_redefined():
    from .conftest import design_dict

    data = design_dict()
    data["categories"] = {"criminal.minor": {"description": "x", "special": False}}
    with pytest.raises(gdprkit.PolicyError):
        gdprkit.load_policy(data)


def test_keyword_names_to_the_letter(tmp_path, policy):
    led = gdprkit.ConsentLedger(url=f"sqlite:///{tmp_path / 'k.db'}")
    ev = gdprkit.Evidence(method="app", notice_version="1", reference="r")
    led.give("C001", "profiling", at=utc(2025, 1, 1), evidence=ev, explicit=False, parental=False)
    assert led.state("C001", "profiling", at=AT).status == "given"
    assert gdprkit.ConsentLedger(url=None).state("x", "y", at=AT).status == "none"
    keys = gdprkit.KeyRing({"k1": bytes(range(32))}, active="k1")
    gdprkit.pseudonymise("v", keys=keys, method="token", domain="default", category=None)
    ct = gdprkit.pseudonymise("v", keys=keys, method="encrypt", domain="d")
    assert gdprkit.reveal(ct, keys=keys, domain="d") == "v"
    d = gdprkit.decide(policy, customer(), "profiling", at=AT, consents=led)
    assert d.apply(customer(), keys=keys)["customer_id"] != "C001"
    it = gdprkit.enforce(
        policy, [customer()], "profiling", at=AT, consents=led, keys=keys, rejected=None
    )
    assert len(list(it)) == 1
    deco = gdprkit.requires_purpose(
        "profiling", policy=policy, consents=led, keys=keys, on_denied="skip", arg=None
    )
    assert callable(deco)
    path = tmp_path / "keys.txt"
    path.write_text("k1:" + "A" * 43)
    path.chmod(0o600)
    assert gdprkit.KeyRing.from_file(str(path)).active == "k1"
    assert list(gdprkit.sweep(policy, [customer()], at=AT, consents=led))
    gdprkit.erasure_plan(policy, customer(), at=AT, consents=None)


_APPEND = """
import sys
from datetime import UTC, datetime
import gdprkit
led = gdprkit.ConsentLedger(sys.argv[1])
for i in range(15):
    led.give(f"{sys.argv[2]}-{i}", "p", at=datetime(2025, 1, 1, tzinfo=UTC),
             evidence=gdprkit.Evidence("app"))
"""


def test_ledger_several_processes_append(tmp_path):
    url = f"sqlite:///{tmp_path / 'mp.db'}"
    gdprkit.ConsentLedger(url).verify()  # create
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _APPEND, url, f"P{n}"], stderr=subprocess.PIPE, text=True
        )
        for n in range(3)
    ]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    led = gdprkit.ConsentLedger(url)
    led.verify()
    assert sum(len(list(led.events(f"P{n}-{i}"))) for n in range(3) for i in range(15)) == 45
