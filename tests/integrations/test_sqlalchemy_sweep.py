"""``sweep_table`` over real tables: SQLite files and the PostgreSQL server, never mocks.

The expected result of every run is what :func:`gdprkit.sweep` says of the same rows, applied
by hand: rows deleted, erased fields null, anonymous copies as text.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

sa = pytest.importorskip("sqlalchemy")

from gdprkit import ConfigurationError, ConsentLedger, Policy, load_policy  # noqa: E402
from gdprkit._decision import read_flag  # noqa: E402
from gdprkit._rights import sweep  # noqa: E402
from gdprkit._time import parse_instant  # noqa: E402
from gdprkit.integrations.sqlalchemy import SweepReport, sweep_table  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "data"
POLICY = load_policy(DATA / "design_policy.yaml")
ROME = ZoneInfo("Europe/Rome")
AT = datetime(2027, 6, 1, 12, 0, tzinfo=ROME)  # two years after the data were collected
COLUMNS = list(POLICY.fields)
ANONYMOUS = ("last_purchase_at", "purchases_total")


def crm_rows(n: int, seed: int = 5) -> list[dict[str, Any]]:
    """Rows of the design policy's CRM as a text export holds them (every value text)."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        customer = rng.random() < 0.5
        bought = date(2025, 6, 1) - timedelta(days=rng.randint(0, 6 * 365))
        consent = rng.random() < 0.6
        consent_at = datetime(2025, 6, 1, 10, 30, tzinfo=ROME) - timedelta(
            days=rng.randint(0, 3 * 365)
        )
        rows.append(
            {
                "customer_id": f"C-{i:04d}",
                "first_name": rng.choice(["Giulia", "Marco", None]),
                "last_name": rng.choice(["Rossi", "Bianchi"]),
                "email": rng.choice([f"user{i}@example.it", None]),
                "phone": rng.choice(["+39 333 1234567", None]),
                "codice_fiscale": rng.choice(["BNCGLI90E52H501X", None]),
                "birth_date": rng.choice(["12/05/1990", "1975-07-12", None]),
                "country": "IT",
                "source": rng.choice(["web_form", "store", "social_network"]),
                "relationship": "customer" if customer else "lead",
                "last_purchase_at": rng.choice([bought.isoformat(), bought.strftime("%d/%m/%Y")])
                if customer or rng.random() < 0.5
                else None,
                "purchases_total": f"{rng.uniform(5, 900):.2f}" if customer else None,
                "notes": rng.choice([None, None, "call after 6"]),
                "allergies": rng.choice([None, None, "arachidi"]),
                "consent_marketing": rng.choice(["sì", "true", "1", "SI"]) if consent else "no",
                "consent_marketing_at": consent_at.isoformat() if consent else None,
            }
        )
    return rows


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'crm.db'}"
    url: str = request.getfixturevalue("postgresql_url")
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Any]:
    eng = sa.create_engine(db_url)
    yield eng
    eng.dispose()


def create(
    engine: Any,
    rows: list[dict[str, Any]],
    *,
    name: str = "customers",
    types: dict[str, Any] | None = None,
    pk: str | tuple[str, ...] | None = "customer_id",
    extra: list[Any] | None = None,
) -> Any:
    keys = (pk,) if isinstance(pk, str) else (pk or ())
    meta = sa.MetaData()
    table = sa.Table(
        name,
        meta,
        *(extra or []),
        *(sa.Column(c, (types or {}).get(c, sa.Text), primary_key=(c in keys)) for c in COLUMNS),
    )
    meta.create_all(engine)
    if rows:
        with engine.begin() as conn:
            conn.execute(table.insert(), rows)
    return table


def dump(engine: Any, name: str = "customers", key: str = "customer_id") -> list[dict[str, Any]]:
    table = sa.Table(name, sa.MetaData(), autoload_with=engine)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(table).order_by(table.c[key]))]


def anonymous_rows(engine: Any, name: str = "anon") -> Counter[tuple[Any, ...]]:
    table = sa.Table(name, sa.MetaData(), autoload_with=engine)
    with engine.connect() as conn:
        return Counter(tuple(r) for r in conn.execute(sa.select(*(table.c[c] for c in ANONYMOUS))))


def expected(
    rows: list[dict[str, Any]], at: datetime = AT, consents: Any = None, policy: Policy = POLICY
) -> tuple[list[dict[str, Any]], Counter[tuple[Any, ...]], dict[str, int]]:
    """What a sweep must leave: the rows, the anonymous copies (as text), the counts."""
    left, copies = [], Counter[tuple[Any, ...]]()
    counts = Counter[str]()
    if consents is None:
        consents = ConsentLedger()  # the design policy's profiling reads consent from a source
    for row, action in zip(rows, sweep(policy, rows, at=at, consents=consents), strict=True):
        if action.anonymous:
            copies[tuple(_text(action.anonymous.get(c)) for c in ANONYMOUS)] += 1
        if action.delete:
            counts["deleted"] += 1
            continue
        counts["erased" if action.erase else "kept"] += 1
        left.append({k: (None if k in action.erase else v) for k, v in row.items()})
    return (
        sorted(left, key=lambda r: (r["customer_id"] is None, r["customer_id"] or "")),
        copies,
        counts,
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def test_sweep_table_does_what_sweep_says_dry_run_first(engine: Any) -> None:
    rows = crm_rows(120)
    create(engine, rows)
    before = dump(engine)
    left, copies, counts = expected(rows)
    # every outcome occurs in the data
    assert counts["deleted"]
    assert counts["erased"]
    assert counts["kept"]
    assert copies

    dry = sweep_table(
        engine,
        "customers",
        POLICY,
        at=AT,
        dry_run=True,
        anonymous_table="anon",
        consents=ConsentLedger(),
    )
    assert dump(engine) == before
    assert not sa.inspect(engine).has_table("anon")  # a dry run creates nothing
    assert (dry.deleted, dry.erased, dry.kept) == (
        counts["deleted"],
        counts["erased"],
        counts["kept"],
    )
    assert dry.rows == len(rows)
    assert dry.anonymised == sum(copies.values())
    assert dry.dry_run

    done = sweep_table(
        engine,
        "customers",
        POLICY,
        at=AT,
        batch_size=7,
        anonymous_table="anon",
        consents=ConsentLedger(),
    )
    assert isinstance(done, SweepReport)
    assert (done.deleted, done.erased, done.kept, done.anonymised) == (
        dry.deleted,
        dry.erased,
        dry.kept,
        dry.anonymised,
    )
    assert done.batches == -(-len(rows) // 7)
    assert dump(engine) == left
    assert anonymous_rows(engine) == copies
    anon_columns = sa.inspect(engine).get_columns("anon")
    assert [c["name"] for c in anon_columns] == list(ANONYMOUS)
    assert all(isinstance(c["type"], sa.Text) for c in anon_columns)
    assert done.reasons["record.no_personal_data"] == done.deleted
    assert done.fields["birth_date"] > 0

    again = sweep_table(
        engine, "customers", POLICY, at=AT, anonymous_table="anon", consents=ConsentLedger()
    )
    assert (again.deleted, again.erased, again.anonymised) == (0, 0, 0)
    assert again.kept == len(left)
    assert dump(engine) == left
    assert anonymous_rows(engine) == copies


def test_without_anonymous_table_copies_are_discarded(engine: Any) -> None:
    rows = crm_rows(40)
    create(engine, rows)
    left, _, counts = expected(rows)
    report = sweep_table(engine, "customers", POLICY, at=AT, consents=ConsentLedger())
    assert report.anonymised == 0
    assert report.deleted == counts["deleted"]
    assert dump(engine) == left


def _typed(row: dict[str, Any]) -> dict[str, Any]:
    """The same row as typed columns hold it: booleans, numbers, dates, timestamps."""
    out = dict(row)
    out["consent_marketing"] = read_flag(row["consent_marketing"])
    total = row["purchases_total"]
    out["purchases_total"] = None if total is None else Decimal(total)
    for name in ("last_purchase_at", "birth_date"):
        instant = parse_instant(row[name], ROME, dayfirst=True)
        out[name] = None if instant is None else instant.date()
    at = parse_instant(row["consent_marketing_at"], ROME)
    out["consent_marketing_at"] = None if at is None else at.astimezone(ROME).replace(tzinfo=None)
    return out


def test_typed_columns_and_text_columns_sweep_alike(engine: Any) -> None:
    """Text columns holding booleans, numbers and dates are read as the typed ones are."""
    rows = crm_rows(80, seed=9)
    create(engine, rows, name="as_text")
    types = {
        "consent_marketing": sa.Boolean,
        "purchases_total": sa.Numeric(10, 2),
        "last_purchase_at": sa.Date,
        "birth_date": sa.Date,
        "consent_marketing_at": sa.DateTime,
    }
    create(engine, [_typed(r) for r in rows], name="as_types", types=types)
    a = sweep_table(
        engine, "as_text", POLICY, at=AT, anonymous_table="anon_text", consents=ConsentLedger()
    )
    b = sweep_table(
        engine, "as_types", POLICY, at=AT, anonymous_table="anon_types", consents=ConsentLedger()
    )
    assert (a.deleted, a.erased, a.kept, a.anonymised) == (
        b.deleted,
        b.erased,
        b.kept,
        b.anonymised,
    )
    assert a.reasons == b.reasons
    assert a.fields == b.fields

    def shape(name: str) -> list[tuple[str, frozenset[str]]]:
        return [
            (r["customer_id"], frozenset(k for k, v in r.items() if v is None))
            for r in dump(engine, name)
        ]

    assert shape("as_text") == shape("as_types")
    months = {r[0] for r in anonymous_rows(engine, "anon_types")}
    assert months
    assert all(m is None or (len(m) == 7 and m[4] == "-") for m in months)
    totals = sorted(float(r[1]) for r in anonymous_rows(engine, "anon_types") if r[1] is not None)
    assert totals == sorted(
        float(r[1]) for r in anonymous_rows(engine, "anon_text") if r[1] is not None
    )


def test_a_table_without_primary_key_is_addressed_by_subject_id(engine: Any) -> None:
    rows = crm_rows(30, seed=3)
    # two rows of one subject that differ, and rows without a subject id (never valid)
    twin = dict(rows[0], email="other@example.it", relationship="lead", consent_marketing="no")
    orphans = [dict(rows[1], customer_id=None), dict(rows[2], customer_id=None)]
    create(engine, [*rows, twin, *orphans], pk=None)
    report = sweep_table(engine, "customers", POLICY, at=AT, batch_size=4, consents=ConsentLedger())
    assert report.rows == len(rows) + 3
    assert report.needs_review == len(orphans)
    _, _, counts = expected([*rows, twin, *orphans])
    assert report.deleted == counts["deleted"]
    remaining = dump(engine)
    # rows without a subject id cannot be judged: left as they are (design.md §11)
    assert [r for r in remaining if r["customer_id"] is None] == orphans
    left, _, _ = expected([*rows, twin])

    def order(r: dict[str, Any]) -> tuple[str, str]:
        return (r["customer_id"] or "", str(r))

    assert sorted(remaining, key=order) == sorted([*left, *orphans], key=order)
    again = sweep_table(engine, "customers", POLICY, at=AT, batch_size=4, consents=ConsentLedger())
    assert again.kept == again.rows == len(remaining)


def test_a_surrogate_primary_key_is_an_address_not_a_field(engine: Any) -> None:
    rows = crm_rows(25, seed=4)
    create(
        engine,
        rows,
        pk=None,
        extra=[sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)],
    )
    report = sweep_table(
        engine, "customers", POLICY, at=AT, batch_size=10, consents=ConsentLedger()
    )
    left, _, counts = expected(rows)
    assert report.deleted == counts["deleted"]
    assert [{k: v for k, v in r.items() if k != "id"} for r in dump(engine)] == left
    assert "id" not in report.fields


def test_a_composite_primary_key_in_small_batches(engine: Any) -> None:
    rows = crm_rows(45, seed=8)
    for i, row in enumerate(rows):
        row["country"] = ("IT", "FR", "DE")[i % 3]
    create(engine, rows, pk=("country", "customer_id"))
    left, _, counts = expected(rows)
    report = sweep_table(engine, "customers", POLICY, at=AT, batch_size=4, consents=ConsentLedger())
    assert report.rows == len(rows)
    assert report.deleted == counts["deleted"]
    assert dump(engine) == left


def test_legal_hold_and_erasure_requests_from_the_ledger(engine: Any) -> None:
    raw = yaml.safe_load((DATA / "design_policy.yaml").read_text("utf-8"))
    raw["purposes"]["accounting"] = {
        "basis": "legal_obligation",
        "when": {"relationship": ["customer"]},
        "categories": ["identity.customer_id", "identity.name", "commercial.purchase_history"],
        "retention": [{"period": "P10Y", "from": "last_purchase_at"}],
    }
    with_accounting = load_policy(raw)
    base = dict.fromkeys(COLUMNS) | {
        "first_name": "Giulia",
        "last_name": "Bianchi",
        "email": "giulia@example.it",
        "source": "web_form",
        "relationship": "customer",
        "consent_marketing": "sì",
        "consent_marketing_at": "2027-01-15T10:00:00+01:00",
    }

    def customer(**change: Any) -> dict[str, Any]:
        return base | change

    ledger = ConsentLedger()
    ledger.request_erasure("C-1", at=AT - timedelta(days=2))
    ledger.request_erasure("C-2", at=AT - timedelta(days=2))
    ledger.restrict("C-3", at=AT - timedelta(days=2))
    rows = [
        customer(customer_id="C-1", last_purchase_at="2025-03-10", purchases_total="10.00"),
        customer(customer_id="C-2", relationship="lead", purchases_total="5.00"),
        customer(customer_id="C-3", relationship="lead", consent_marketing="no"),
    ]
    create(engine, rows)
    report = sweep_table(
        engine, "customers", with_accounting, at=AT, consents=ledger, anonymous_table="anon"
    )
    assert (report.deleted, report.erased, report.kept) == (1, 1, 1)
    left = {r["customer_id"]: r for r in dump(engine)}
    assert set(left) == {"C-1", "C-3"}
    assert left["C-1"]["email"] is None  # erased: the request
    assert left["C-1"]["last_name"] == "Bianchi"  # kept: invoices, art. 2220 c.c.
    assert left["C-3"] == rows[2]  # restricted: stored only
    assert report.reasons["erasure.requested"] >= 4
    assert report.reasons["subject.restricted"] == 1


def test_errors_are_raised_before_any_row_is_touched(engine: Any) -> None:
    create(engine, crm_rows(5))
    before = dump(engine)
    with pytest.raises(ConfigurationError, match="does not exist"):
        sweep_table(engine, "no_such_table", POLICY, at=AT, consents=ConsentLedger())
    with pytest.raises(ValueError, match="aware"):
        sweep_table(engine, "customers", POLICY, at=datetime(2027, 1, 1), consents=ConsentLedger())
    with pytest.raises(ConfigurationError, match="batch_size"):
        sweep_table(engine, "customers", POLICY, at=AT, batch_size=0, consents=ConsentLedger())
    meta = sa.MetaData()
    sa.Table("narrow", meta, sa.Column("purchases_total", sa.Text))
    meta.create_all(engine)
    with pytest.raises(ConfigurationError, match="lacks columns"):
        sweep_table(
            engine, "customers", POLICY, at=AT, anonymous_table="narrow", consents=ConsentLedger()
        )
    assert dump(engine) == before


def test_a_url_is_accepted_and_its_engine_disposed(db_url: str) -> None:
    eng = sa.create_engine(db_url)
    create(eng, crm_rows(10))
    eng.dispose()
    report = sweep_table(
        db_url, "customers", DATA / "design_policy.yaml", at=AT, consents=ConsentLedger()
    )
    assert report.rows == 10


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import datetime
    from zoneinfo import ZoneInfo
    import sqlalchemy as sa
    from gdprkit import ConsentLedger, load_policy
    from gdprkit.integrations.sqlalchemy import sweep_table

    url, policy_path, kill_at = sys.argv[1], sys.argv[2], int(sys.argv[3])
    engine = sa.create_engine(url)
    writes = 0

    @sa.event.listens_for(engine, "before_cursor_execute")
    def die(conn, cursor, statement, parameters, context, executemany):
        global writes
        if statement.lstrip().upper().startswith(("UPDATE", "DELETE", "INSERT")):
            writes += 1
            if writes == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)

    at = datetime(2027, 6, 1, 12, 0, tzinfo=ZoneInfo("Europe/Rome"))
    sweep_table(engine, "customers", load_policy(policy_path), at=at, batch_size=10,
                anonymous_table="anon", consents=ConsentLedger())
    """
)


def test_killed_mid_run_the_table_is_consistent_and_a_rerun_finishes(
    engine: Any, db_url: str, tmp_path: Path
) -> None:
    rows = crm_rows(60, seed=21)
    create(engine, rows)
    left, copies, _ = expected(rows)
    final = {r["customer_id"]: r for r in left}
    original = {r["customer_id"]: r for r in rows}
    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    done = subprocess.run(
        [sys.executable, str(script), db_url, str(DATA / "design_policy.yaml"), "15"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    engine.dispose()  # new connections after the crash
    now = {r["customer_id"]: r for r in dump(engine)}
    applied = [cid for cid in original if cid in now and now[cid] == final.get(cid)]
    untouched = [cid for cid in original if now.get(cid) == original[cid]]
    deleted = [cid for cid in original if cid not in now]
    # every row is either fully swept or untouched: no half-applied batch
    assert set(applied) | set(untouched) | set(deleted) == set(original)
    assert all(cid not in final for cid in deleted)
    changed = [cid for cid in original if final.get(cid) != original[cid]]
    swept = [cid for cid in changed if cid not in untouched]
    assert swept  # some batches were committed before the kill ...
    assert [cid for cid in changed if cid in untouched]  # ... and some were not
    # batches commit in key order: the swept rows come before the untouched ones
    assert max(swept) < min(cid for cid in changed if cid in untouched)
    report = sweep_table(
        engine, "customers", POLICY, at=AT, anonymous_table="anon", consents=ConsentLedger()
    )
    assert report.rows == len(now)
    assert dump(engine) == left
    assert anonymous_rows(engine) == copies  # no copy lost, none written twice


def test_import_gdprkit_imports_no_sqlalchemy_and_a_missing_one_says_how_to_get_it() -> None:
    code = textwrap.dedent(
        """
        import sys
        import gdprkit, gdprkit._rights
        assert "sqlalchemy" not in sys.modules, "import gdprkit pulled in SQLAlchemy"
        sys.modules["sqlalchemy"] = None  # as if it were not installed
        try:
            import gdprkit.integrations.sqlalchemy
        except ImportError as exc:
            assert "pip install 'gdprkit[sql]'" in str(exc), exc
        else:
            raise AssertionError("no ImportError")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
