"""Importing consents from a CRM export: what goes in, what is left out and why, on every backend.

The rejection table has one row per situation a CRM export really holds; each names the code
and the column the report must give. No report ever shows a value of the file.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdprkit import ConfigurationError, ConsentLedger, Evidence
from gdprkit._consent import IMPORT_ROLES, ImportReport, RejectedRow, import_consents

COLUMNS = {
    "subject": "customer_id",
    "purpose": "purpose",
    "at": "consent_at",
    "method": "method",
    "notice_version": "notice",
    "explicit": "explicit",
}
HEADER = "customer_id,purpose,consent_at,method,notice,explicit"
AT = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
LATER = AT + timedelta(days=30)


def csv_of(*rows: str, header: str = HEADER) -> io.StringIO:
    return io.StringIO("\n".join((header, *rows)) + "\n")


def run(ledger: ConsentLedger, *rows: str, **kw: object) -> ImportReport:
    options: dict[str, object] = {"columns": COLUMNS, **kw}
    return import_consents(ledger, csv_of(*rows), **options)  # type: ignore[arg-type]


def test_a_clean_export_becomes_demonstrable_consents(ledger: ConsentLedger) -> None:
    report = run(
        ledger,
        "C-1,newsletter,2025-06-01T12:00:00+00:00,web_form,2025-01,no",
        "C-2,profiling,2025-05-01T08:30:00+02:00,paper_form,2024-03,sì",
        "C-3,newsletter,01/06/2025,double_opt_in,,",
        dayfirst=True,
        timezone="Europe/Rome",
    )
    assert report == ImportReport(rows=3, imported=3, duplicates=0, not_given=0, rejected=())
    one = ledger.state("C-1", "newsletter", at=LATER)
    assert (one.status, one.given_at, one.explicit) == ("given", AT, False)
    assert one.evidence == Evidence("web_form", notice_version="2025-01")
    two = ledger.state("C-2", "profiling", at=LATER)
    assert (two.given_at, two.explicit) == (datetime(2025, 5, 1, 6, 30, tzinfo=UTC), True)
    three = ledger.state("C-3", "newsletter", at=LATER)
    rome_midnight = datetime(2025, 6, 1, tzinfo=timezone(timedelta(hours=2)))
    assert three.given_at == rome_midnight  # naive: read in the time zone given, day first
    assert three.evidence == Evidence("double_opt_in")
    event = ledger.events("C-1")[0]
    assert event.recorded_at is not None
    assert event.recorded_at > event.at  # recorded when imported, not when it claims
    ledger.verify()


#: (the row, as the CRM exported it) -> (code, column) the report must give.
REJECTIONS: list[tuple[str, str, str, str | None]] = [
    ("no subject", ",newsletter,2025-06-01,web_form,v1,no", "subject.missing", "customer_id"),
    ("blank subject", "  ,newsletter,2025-06-01,web_form,v1,no", "subject.missing", "customer_id"),
    ("no purpose", "C-1,,2025-06-01,web_form,v1,no", "purpose.missing", "purpose"),
    ("unknown purpose", "C-1,newsleter,2025-06-01,web_form,v1,no", "purpose.unknown", "purpose"),
    ("no moment", "C-1,newsletter,,web_form,v1,no", "at.missing", "consent_at"),
    ("unreadable moment", "C-1,newsletter,ieri,web_form,v1,no", "at.invalid", "consent_at"),
    ("impossible date", "C-1,newsletter,31/02/2025,web_form,v1,no", "at.invalid", "consent_at"),
    ("no method", "C-1,newsletter,2025-06-01,,v1,no", "method.missing", "method"),
    ("flag not yes or no", "C-1,newsletter,2025-06-01,web_form,v1,forse", "value.invalid",
     "explicit"),
    ("too few fields", "C-1,newsletter,2025-06-01", "row.malformed", None),
    ("too many fields", "C-1,newsletter,2025-06-01,web_form,v1,no,extra", "row.malformed", None),
    ("subject not text", "C-\udc80,newsletter,2025-06-01,web_form,v1,no", "value.invalid",
     "customer_id"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("what", "row", "code", "column"), REJECTIONS, ids=[r[0] for r in REJECTIONS]
)
def test_a_row_that_cannot_be_a_consent_is_rejected_with_its_row_column_and_code(
    ledger: ConsentLedger, what: str, row: str, code: str, column: str | None
) -> None:
    report = run(
        ledger,
        "C-0,newsletter,2025-06-01,web_form,v1,no",
        row,
        "C-9,newsletter,2025-06-01,web_form,v1,no",
        purposes={"newsletter", "profiling"},
        dayfirst=True,
    )
    assert report.imported == 2, what
    assert report.rejected == (RejectedRow(3, column, code, report.rejected[0].message),)
    rejected = report.rejected[0]
    assert str(rejected).startswith("row 3: ")
    for value in row.split(","):
        if len(value.strip()) > 2:
            assert value.strip() not in str(rejected), "a value of the file in the report"
            assert value.strip() not in str(report)
    assert report.counts == {code: 1}
    assert ledger.events("C-1") == []


def test_rows_whose_given_flag_says_no_are_skipped_not_rejected(ledger: ConsentLedger) -> None:
    columns = {"subject": "id", "at": "when", "given": "consent_marketing"}
    text = "id,when,consent_marketing\nC-1,2025-06-01,sì\nC-2,2025-06-01,no\nC-3,2025-06-01,\n"
    report = import_consents(
        ledger, io.StringIO(text), columns=columns, purpose="newsletter", method="store"
    )
    assert (report.imported, report.not_given, report.rejected) == (1, 2, ())
    assert ledger.state("C-1", "newsletter", at=LATER).evidence == Evidence("store")
    assert ledger.events("C-2") == ledger.events("C-3") == []


def test_importing_again_appends_nothing_new(ledger: ConsentLedger) -> None:
    rows = [f"C-{i},newsletter,2025-06-{1 + i % 28:02d},web_form,v1,no" for i in range(40)]
    first = run(ledger, *rows, batch_size=7)
    head = ledger.head()
    again = run(ledger, *rows, "C-99,newsletter,2025-06-01,web_form,v1,no", batch_size=7)
    assert (first.imported, first.duplicates) == (40, 0)
    assert (again.imported, again.duplicates) == (1, 40)
    assert ledger.events("C-0")[0].hash != head
    ledger.verify(expected_head=head)


def test_the_same_consent_twice_in_one_file_is_imported_once(ledger: ConsentLedger) -> None:
    row = "C-1,newsletter,2025-06-01T12:00:00+00:00,web_form,v1,no"
    same_instant = "C-1,newsletter,2025-06-01T14:00:00+02:00,paper_form,v2,no"
    report = run(ledger, row, row, same_instant, "C-1,profiling,2025-06-01,web_form,v1,no")
    assert (report.rows, report.imported, report.duplicates) == (4, 2, 2)
    assert len(ledger.events("C-1")) == 2


def test_a_file_on_disk_with_a_byte_order_mark_and_semicolons(
    tmp_path: Path, ledger: ConsentLedger
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "\ufeffcustomer_id;purpose;consent_at;method;notice;explicit\n"
        "C-1;newsletter;2025-06-01;web_form;v1;no\n\n",
        encoding="utf-8",
    )
    report = import_consents(ledger, path, columns=COLUMNS, delimiter=";")
    assert (report.rows, report.imported) == (1, 1)
    assert import_consents(ledger, str(path), columns=COLUMNS, delimiter=";").duplicates == 1


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda lg: run(lg, columns={**COLUMNS, "email": "email"}), "unknown import roles"),
        (lambda lg: run(lg, columns={"subject": "customer_id"}), "name the 'at' column"),
        (
            lambda lg: run(lg, columns={"subject": "customer_id", "at": "consent_at"}),
            "purpose=",
        ),
        (lambda lg: run(lg, columns={**COLUMNS, "reference": "form_id"}), r"no column\(s\)"),
        (lambda lg: import_consents(lg, io.StringIO(""), columns=COLUMNS), "no header row"),
        (lambda lg: run(lg, purpose="spam", purposes={"newsletter"}), "not among the allowed"),
    ],
    ids=["unknown role", "no at", "no purpose", "missing column", "empty file", "bad default"],
)
def test_a_mapping_that_does_not_fit_is_refused_before_anything_is_imported(
    ledger: ConsentLedger, call: Callable[[ConsentLedger], object], match: str
) -> None:
    with pytest.raises(ConfigurationError, match=match):
        call(ledger)
    assert ledger.head() == "0" * 64


def test_an_unknown_time_zone_is_refused(ledger: ConsentLedger) -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        run(ledger, timezone="Europe/Atlantis")


def test_the_roles_are_documented() -> None:
    assert {"subject", "at", "purpose", "method", "notice_version"} <= set(IMPORT_ROLES)


CELL = st.sampled_from(["", " ", "C-1", "C-2", "newsletter", "x", "2025-06-01", "ieri", "sì"])


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rows=st.lists(st.lists(CELL, min_size=4, max_size=7), max_size=25))
def test_every_row_is_counted_once_and_no_value_reaches_the_report(
    rows: list[list[str]], ledger: ConsentLedger
) -> None:
    """Invariant: rows == imported + duplicates + not_given + rejected, the ledger grew by
    ``imported``, and no report message quotes a cell of the file."""
    before = sum(1 for _ in ledger._backend.all_events())
    text = "\n".join(",".join(r) for r in rows)
    report = run(ledger, *text.splitlines(), purposes={"newsletter"}, dayfirst=True)
    nonblank = sum(1 for r in rows if ",".join(r) != "")
    assert report.rows == nonblank
    assert report.rows == (
        report.imported + report.duplicates + report.not_given + len(report.rejected)
    )
    assert sum(1 for _ in ledger._backend.all_events()) == before + report.imported
    for rejected in report.rejected:
        assert "ieri" not in str(rejected)
        assert "C-1" not in str(rejected)
    ledger.verify()
