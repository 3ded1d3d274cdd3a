"""``import_consents`` reads values as ``decide`` does: one flag reader, one date reader, one id.

Before, the import had flags of its own: ``y`` and ``x`` (and so ``X``) were consent given where
``decide`` reads them as no consent, so an Italian export ticking ``x`` or ``S`` became consents
in the ledger. Dates without a year (``1 Mar``), times alone (``00:00``) and two-digit years were
completed from the wall clock and written into the hash chain. Now a flag that is neither yes nor
no, and a moment that is not a whole date, is a rejected row with its row and column, never its
value; subject ids are stored in their canonical form.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from gdprkit import ConsentLedger, Evidence
from gdprkit._consent import EventDraft, EventKind, ImportReport, RejectedRow, import_consents

AT = datetime(2025, 6, 1, tzinfo=UTC)
LATER = AT + timedelta(days=30)
COLUMNS = {"subject": "id", "at": "when", "given": "consent", "explicit": "explicit"}


def run(ledger: ConsentLedger, *rows: str) -> ImportReport:
    text = "\n".join(("id,when,consent,explicit", *rows)) + "\n"
    return import_consents(
        ledger,
        io.StringIO(text),
        columns=COLUMNS,
        purpose="newsletter",
        method="web_form",
        dayfirst=True,
    )


#: A ``given`` cell -> what the import does with the row: imported, not given, or rejected.
GIVEN_FLAGS: list[tuple[str, str]] = [
    ("sì", "imported"),
    ("SI", "imported"),
    ("si", "imported"),
    ("yes", "imported"),
    ("Yes", "imported"),
    ("true", "imported"),
    ("TRUE", "imported"),
    ("1", "imported"),
    (" yes ", "imported"),
    ("no", "not given"),
    ("NO", "not given"),
    ("false", "not given"),
    ("0", "not given"),
    ("", "not given"),  # an empty cell is no consent
    ("  ", "not given"),
    # neither yes nor no: spreadsheet conventions that are not guessed at
    ("x", "rejected"),
    ("X", "rejected"),
    ("S", "rejected"),
    ("s", "rejected"),
    ("y", "rejected"),
    ("Y", "rejected"),
    ("n", "rejected"),
    ("N", "rejected"),
    ("ok", "rejected"),
    ("forse", "rejected"),
    ("\u017fi", "rejected"),  # long s: casefold would make it "si"
    ("\u2713", "rejected"),  # a tick mark
    ("2", "rejected"),
]


@pytest.mark.parametrize(("cell", "outcome"), GIVEN_FLAGS, ids=[repr(c) for c, _ in GIVEN_FLAGS])
def test_the_given_flag_is_read_as_decide_reads_a_consent_column(
    cell: str, outcome: str, ledger: ConsentLedger
) -> None:
    report = run(ledger, f"C-1,2025-06-01,{cell},no")
    assert report.rows == 1
    if outcome == "imported":
        assert report.imported == 1
        assert ledger.state("C-1", "newsletter", at=LATER).status == "given"
    elif outcome == "not given":
        assert (report.imported, report.not_given, report.rejected) == (0, 1, ())
    else:
        assert report.imported == report.not_given == 0
        assert report.rejected == (
            RejectedRow(2, "consent", "value.invalid", report.rejected[0].message),
        )
        shown = f"{report}\n{report.rejected[0]}"
        assert "'consent'" in shown  # the column, by name
        if cell.strip() not in ("", "n", "N", "s", "S", "y", "Y", "x", "X", "2"):
            assert cell.strip() not in shown  # never the value
        assert ledger.events("C-1") == []


@pytest.mark.parametrize("cell", ["x", "X", "S", "y", "forse"])
def test_an_explicit_flag_that_is_neither_yes_nor_no_rejects_the_row(
    cell: str, ledger: ConsentLedger
) -> None:
    report = run(ledger, f"C-1,2025-06-01,sì,{cell}", "C-2,2025-06-01,sì,sì", "C-3,2025-06-01,sì,")
    assert report.imported == 2
    assert [(r.row, r.column, r.code) for r in report.rejected] == [
        (2, "explicit", "value.invalid")
    ]
    assert ledger.state("C-2", "newsletter", at=LATER).explicit
    assert not ledger.state("C-3", "newsletter", at=LATER).explicit


#: Moments that lack part of a date: unreadable, never completed from the clock.
PARTIAL_MOMENTS = [
    "1 Mar",
    "15/01",
    "01/15",
    "00:00",
    "12:30",
    "1/7/45",  # a two-digit year
    "01/06/25",
    "Mar 2025",
    "2025-06",
    "2025",
    "1 Mar 12:00",
    "marzo",
]


@pytest.mark.parametrize("moment", PARTIAL_MOMENTS)
def test_a_moment_lacking_its_year_month_or_day_is_rejected_not_completed(
    moment: str, ledger: ConsentLedger
) -> None:
    report = run(ledger, f"C-1,{moment},sì,no", "C-2,1 marzo 2025,sì,no")
    assert [(r.row, r.column, r.code) for r in report.rejected] == [(2, "when", "at.invalid")]
    assert moment not in str(report.rejected[0])
    assert ledger.events("C-1") == []
    # A whole date in words is read (Italian month names included).
    assert ledger.state("C-2", "newsletter", at=LATER).given_at == datetime(2025, 3, 1, tzinfo=UTC)


def test_subject_ids_are_stored_canonical_and_spellings_are_duplicates(
    ledger: ConsentLedger,
) -> None:
    report = run(
        ledger,
        "1001,2025-06-01,sì,no",
        " 1001 ,2025-06-01,sì,no",  # the same consent, another spelling
        "  ,2025-06-01,sì,no",  # a blank id
    )
    assert (report.imported, report.duplicates) == (1, 1)
    assert [(r.row, r.column, r.code) for r in report.rejected] == [(4, "id", "subject.missing")]
    assert [e.subject for e in ledger.events(1001)] == ["1001"]
    assert ledger.state(1001.0, "newsletter", at=LATER).status == "given"
    again = run(ledger, "1001\t,2025-06-01,sì,no")
    assert (again.imported, again.duplicates) == (0, 1)


def test_an_import_knows_consents_stored_by_an_older_version_under_another_spelling(
    sql_url: str, open_ledger: Callable[[str | None], ConsentLedger]
) -> None:
    old = open_ledger(sql_url)
    old._backend.append(
        EventDraft(
            kind=EventKind.GIVEN,
            subject=" 1001",  # as an older gdprkit stored it
            purpose="newsletter",
            at=AT,
            recorded_at=AT,
            evidence=Evidence("web_form"),
        )
    )
    old.close()
    ledger = open_ledger(sql_url)
    report = run(ledger, "1001,2025-06-01,sì,no")
    assert (report.imported, report.duplicates) == (0, 1)
