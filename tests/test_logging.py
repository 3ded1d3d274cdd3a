"""gdprkit's logger: silent by default (a NullHandler on ``gdprkit``), and where it speaks (a
sweep batch committed, a ledger schema created, subject ids in an older spelling read) its
records name counts, tables and codes, never a value of a record or a subject id."""

from __future__ import annotations

import logging
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from gdprkit import ConsentLedger, Evidence, load_policy
from gdprkit._consent import EventDraft, EventKind

sa = pytest.importorskip("sqlalchemy")

from gdprkit.integrations.sqlalchemy import sweep_table  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
POLICY = load_policy(DATA / "design_policy.yaml")
AT = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
#: fields whose values identify someone or say something about them (not codes like "IT")
PERSONAL = (
    "customer_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "codice_fiscale",
    "birth_date",
    "purchases_total",
    "notes",
    "allergies",
)


def rows(n: int) -> list[dict[str, Any]]:
    rng = random.Random(13)
    out = []
    for i in range(n):
        customer = i % 2 == 0
        bought = date(2025, 6, 1) - timedelta(days=rng.randint(0, 6 * 365))
        out.append(
            {
                "customer_id": f"C-{i:04d}",
                "first_name": f"Giulia{i}",
                "last_name": f"Rossi{i}",
                "email": f"user{i}@example.it",
                "phone": f"+39 333 12{i:05d}",
                "codice_fiscale": "BNCGLI90E52H501X",
                "birth_date": "12/05/1990",
                "country": "IT",
                "source": rng.choice(["web_form", "store"]),
                "relationship": "customer" if customer else "lead",
                "last_purchase_at": bought.isoformat() if customer else None,
                "purchases_total": f"{rng.uniform(5, 900):.2f}" if customer else None,
                "notes": f"call after {i} pm",
                "allergies": "arachidi",
                "consent_marketing": "sì" if rng.random() < 0.5 else "no",
                "consent_marketing_at": "2025-01-15T10:00:00+00:00",
            }
        )
    return out


def assert_no_value(records: list[logging.LogRecord], values: set[str]) -> None:
    for record in records:
        text = record.getMessage() + repr(record.args)
        leaked = sorted(v for v in values if v in text)
        assert leaked == [], (record.getMessage(), leaked)


def test_the_library_logger_is_silent_by_default() -> None:
    handlers = logging.getLogger("gdprkit").handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)


def test_a_sweep_logs_each_batch_and_a_summary_without_values(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'crm.db'}")
    data = rows(25)
    meta = sa.MetaData()
    table = sa.Table(
        "customers",
        meta,
        *(sa.Column(c, sa.Text, primary_key=c == "customer_id") for c in POLICY.fields),
    )
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(table.insert(), data)
    with caplog.at_level(logging.DEBUG, logger="gdprkit"):
        report = sweep_table(
            engine, "customers", POLICY, at=AT, batch_size=10, consents=ConsentLedger()
        )
    engine.dispose()
    ours = [r for r in caplog.records if r.name == "gdprkit.integrations.sqlalchemy"]
    batches = [r for r in ours if r.levelno == logging.DEBUG]
    assert len(batches) == report.batches == 3
    assert all("committed" in r.getMessage() for r in batches)
    (summary,) = [r for r in ours if r.levelno == logging.INFO]
    assert summary.getMessage().startswith("sweep of table 'customers': 3 batches, ")
    assert f"{report.deleted} rows deleted, {report.erased} erased" in summary.getMessage()
    assert_no_value(ours, {str(r[f]) for r in data for f in PERSONAL if r[f] is not None})


def test_a_new_ledger_logs_its_schema_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path / 'consents.db'}"
    with caplog.at_level(logging.INFO, logger="gdprkit"):
        ConsentLedger(url).close()
        ConsentLedger(url).close()  # opened again: nothing created
    created = [r for r in caplog.records if "schema version" in r.getMessage()]
    assert len(created) == 1
    assert created[0].name == "gdprkit._consent._sql"
    assert "consents.db" not in created[0].getMessage()  # never the URL


def test_ids_in_an_older_spelling_are_a_warning_without_the_ids(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path / 'consents.db'}"
    old = ConsentLedger(url)
    web = Evidence("web_form", notice_version="2025-01")
    old._backend.append_many(
        [
            EventDraft(
                kind=EventKind.GIVEN,
                subject=" 70031",
                purpose="newsletter",
                at=AT,
                recorded_at=AT,
                evidence=web,
            ),
            EventDraft(
                kind=EventKind.OBJECTION,
                subject="70031\n",
                purpose=None,
                at=AT,
                recorded_at=AT,
                evidence=None,
            ),
            EventDraft(
                kind=EventKind.GIVEN,
                subject="C-88",
                purpose="newsletter",
                at=AT,
                recorded_at=AT,
                evidence=web,
            ),
        ]
    )
    old.close()
    with caplog.at_level(logging.INFO, logger="gdprkit"):
        ConsentLedger(url).close()
    (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "2 subject ids (of 1 subjects)" in warning.getMessage()
    assert_no_value([warning], {"70031", "C-88"})
