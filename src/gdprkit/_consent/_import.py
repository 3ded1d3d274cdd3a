"""Import consents from a CRM export (CSV) into a ledger, with a report of every row left out.

A CRM holds consents as rows: who, for what, when, how, under which notice. ``import_consents``
reads such an export with a column mapping given by the caller and appends one ``give`` event
per row to the ledger (``recorded_at`` is the moment of the import; ``at`` the moment the row
says). A row that cannot be a demonstrable consent is not imported and is reported: its row
number, the column and a stable code, **never a value** (the report is meant to be logged and
mailed around).

Rows are appended in batches, each in one transaction. Re-running an import is safe: a row whose
consent (same subject, purpose and moment) is already in the ledger is counted as a duplicate
and not appended again, so an import that stopped half-way can simply be run again.
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from gdprkit._consent._model import EventDraft, EventKind, Evidence
from gdprkit._errors import ConfigurationError
from gdprkit._time import parse_instant, utc_now, zone
from gdprkit._values import flag_value

if TYPE_CHECKING:
    from gdprkit._consent._ledger import ConsentLedger

__all__ = ["IMPORT_ROLES", "ImportReport", "RejectedRow", "import_consents"]

#: What a CSV column can hold, and whether the mapping must name it.
IMPORT_ROLES: Final = {
    "subject": "the subject id (required)",
    "at": "when the consent was given (required)",
    "purpose": "the purpose consented to (or pass purpose=...)",
    "method": "how it was collected: the evidence (or pass method=...)",
    "notice_version": "the privacy notice shown (or pass notice_version=...)",
    "reference": "where the proof is kept (a form id, an archive number)",
    "explicit": "a flag: explicit consent (Art. 9(2)(a))",
    "parental": "a flag: given or authorised by the holder of parental responsibility",
    "given": "a flag: a row whose flag says no is skipped, not imported",
}


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A row left out of an import: where and why, never what it held.

    ``row`` is the row number as a spreadsheet shows it (the header is row 1), ``column`` the
    CSV column at fault (``None`` for the row as a whole), ``code`` a stable code
    (``subject.missing``, ``purpose.missing``, ``purpose.unknown``, ``at.missing``,
    ``at.invalid``, ``method.missing``, ``value.invalid``, ``row.malformed``) and ``message``
    the same in words. ``value.invalid`` is a flag that is neither yes nor no (``x``, ``S``,
    ``y``: spreadsheet conventions the import does not guess at), or a subject id or purpose
    that is not valid text.
    """

    row: int
    column: str | None
    code: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.message} ({self.code})"


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did. Every data row is counted exactly once:
    ``rows == imported + duplicates + not_given + len(rejected)``.

    ``imported`` rows became ``give`` events; ``duplicates`` were already in the ledger (same
    subject, purpose and moment) or earlier in the file; ``not_given`` rows had a ``given``
    flag saying no; ``rejected`` lists the rest with their reasons.
    """

    rows: int
    imported: int
    duplicates: int
    not_given: int
    rejected: tuple[RejectedRow, ...]

    @property
    def counts(self) -> Counter[str]:
        """Rejected rows by code."""
        return Counter(r.code for r in self.rejected)

    def __str__(self) -> str:
        why = ", ".join(f"{code}: {n}" for code, n in sorted(self.counts.items()))
        return (
            f"{self.rows} rows: {self.imported} imported, {self.duplicates} duplicates, "
            f"{self.not_given} not given, {len(self.rejected)} rejected"
            + (f" ({why})" if why else "")
        )


class _Rejected(Exception):  # noqa: N818 - internal signal, becomes a RejectedRow
    def __init__(self, column: str | None, code: str, message: str) -> None:
        super().__init__(code)
        self.column, self.code, self.message = column, code, message


def _flag(value: str | None, column: str) -> bool:
    """A flag cell read as ``decide`` reads a consent column (:func:`gdprkit._values.flag_value`):
    yes is ``true/yes/sì/si/1``, no is ``false/no/0`` (any case); an empty cell is no. Anything
    else (``x``, ``S``, ``y``, ``forse``) is not guessed at: the row is rejected."""
    if value is None:
        return False
    flag = flag_value(value)
    if flag is None:
        raise _Rejected(
            column, "value.invalid", f"column {column!r} is not a yes/no flag (yes, sì, no...)"
        )
    return flag


class _Reader:
    """Turns one CSV row into a consent draft, or says why not."""

    def __init__(
        self,
        header: list[str],
        columns: Mapping[str, str],
        *,
        purpose: str | None,
        method: str | None,
        notice_version: str | None,
        allowed: frozenset[str] | None,
        tz: tzinfo,
        dayfirst: bool,
        recorded: datetime,
    ) -> None:
        self.columns = columns
        self.index = {role: header.index(name) for role, name in columns.items()}
        self.width = len(header)
        self.purpose, self.method, self.notice_version = purpose, method, notice_version
        self.allowed, self.tz, self.dayfirst, self.recorded = allowed, tz, dayfirst, recorded

    def cell(self, values: list[str], role: str) -> str | None:
        position = self.index.get(role)
        if position is None:
            return None
        return values[position].strip() or None

    def draft(self, values: list[str]) -> EventDraft | None:
        """The consent of ``values``; ``None`` when its ``given`` flag says no."""
        from gdprkit._consent._ledger import _purpose, _subject  # noqa: PLC0415 - no cycle

        columns = self.columns
        if len(values) != self.width:
            raise _Rejected(
                None,
                "row.malformed",
                f"the row has {len(values)} fields where the header has {self.width}",
            )
        if "given" in columns and not _flag(self.cell(values, "given"), columns["given"]):
            return None
        subject = self.cell(values, "subject")
        if subject is None:
            raise _Rejected(columns["subject"], "subject.missing", "no subject id")
        purpose = self.cell(values, "purpose") or self.purpose
        if purpose is None:
            raise _Rejected(columns.get("purpose"), "purpose.missing", "no purpose")
        if self.allowed is not None and purpose not in self.allowed:
            raise _Rejected(
                columns.get("purpose"), "purpose.unknown", "a purpose the policy does not declare"
            )
        raw_at = self.cell(values, "at")
        if raw_at is None:
            raise _Rejected(columns["at"], "at.missing", "no moment of consent")
        at = parse_instant(raw_at, self.tz, self.dayfirst)
        if at is None:
            raise _Rejected(columns["at"], "at.invalid", "the moment of consent is not a date")
        method = self.cell(values, "method") or self.method
        notice = self.cell(values, "notice_version") or self.notice_version
        reference = self.cell(values, "reference")
        if method is None and "method" in columns:
            raise _Rejected(columns["method"], "method.missing", "no collection method")
        explicit = "explicit" in columns and _flag(
            self.cell(values, "explicit"), columns["explicit"]
        )
        parental = "parental" in columns and _flag(
            self.cell(values, "parental"), columns["parental"]
        )
        try:
            sid = _subject(subject)
        except ValueError:
            raise _Rejected(columns["subject"], "value.invalid", "not a valid subject id") from None
        try:
            name = _purpose(purpose)
        except ValueError:
            raise _Rejected(
                columns.get("purpose"), "value.invalid", "not a valid purpose"
            ) from None
        evidence = None if method is None else Evidence(method, notice, reference)
        return EventDraft(
            kind=EventKind.GIVEN,
            subject=sid,
            purpose=name,
            at=at.astimezone(UTC),
            recorded_at=self.recorded,
            explicit=explicit,
            parental=parental,
            evidence=evidence,
        )


def import_consents(
    ledger: ConsentLedger,
    source: str | os.PathLike[str] | Iterable[str],
    *,
    columns: Mapping[str, str],
    purpose: str | None = None,
    method: str | None = None,
    notice_version: str | None = None,
    purposes: Collection[str] | None = None,
    timezone: str = "UTC",
    dayfirst: bool = False,
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
    batch_size: int = 1000,
) -> ImportReport:
    """Append the consents of a CSV export to ``ledger``; report the rows left out, and why.

    ``source`` is a path, or an open text file (any iterable of lines). ``columns`` maps a
    role to the CSV column holding it (see :data:`IMPORT_ROLES`): ``subject`` and ``at`` are
    required; ``purpose`` and ``method`` come from a column or, for every row, from the
    arguments of the same name (a column's empty cell falls back to the argument).
    ``notice_version`` likewise. Without any method the consents are imported without
    evidence (a policy requiring demonstrable consent will deny them ``consent.unproven``).

    ``purposes`` (e.g. ``policy.purposes``) lists the purposes a row may name; others are
    rejected ``purpose.unknown``. Times without an offset are read in ``timezone`` (IANA name);
    ``dayfirst`` reads ``03/04/2025`` as 3 April. A moment is read as every date in gdprkit is
    (:func:`gdprkit._time.parse_instant`): a date without its year, month or day (``1 Mar``,
    ``15/01``), a time alone (``00:00``) or a two-digit year (``1/7/45``) is rejected
    ``at.invalid``, never completed from the clock. Subject ids are stored in their canonical
    form (:func:`gdprkit._values.subject_key`: ``" 1001 "`` is ``1001``). Flags are read as
    ``decide`` reads consent columns: ``x``, ``S`` or ``y`` is neither yes nor no, and the row
    is rejected ``value.invalid``. Rows are appended ``batch_size`` at a time,
    each batch in one transaction; a failure of the ledger (:class:`~gdprkit.LedgerError`)
    leaves the batches before it imported, and running the import again completes it.

    A mapping naming an unknown role, or a column the file lacks, is a
    :class:`~gdprkit.ConfigurationError` before anything is imported.
    """
    unknown = sorted(set(columns) - set(IMPORT_ROLES))
    if unknown:
        raise ConfigurationError(
            f"unknown import roles {unknown}: the roles are {sorted(IMPORT_ROLES)}"
        )
    for required in ("subject", "at"):
        if required not in columns:
            raise ConfigurationError(f"the column mapping must name the {required!r} column")
    if "purpose" not in columns and purpose is None:
        raise ConfigurationError("map a 'purpose' column or pass purpose=... for every row")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    allowed = None if purposes is None else frozenset(purposes)
    if purpose is not None and allowed is not None and purpose not in allowed:
        raise ConfigurationError(f"purpose {purpose!r} is not among the allowed purposes")
    if method is not None:
        Evidence(method, notice_version)  # a bad default fails here, before any row
    settings = {
        "purpose": purpose,
        "method": method,
        "notice_version": notice_version,
        "allowed": allowed,
        "tz": zone(timezone),
        "dayfirst": dayfirst,
    }
    if isinstance(source, str | os.PathLike):
        with Path(source).open(newline="", encoding=encoding) as handle:
            return _import(
                ledger, handle, columns, settings, delimiter=delimiter, batch_size=batch_size
            )
    return _import(ledger, source, columns, settings, delimiter=delimiter, batch_size=batch_size)


def _import(
    ledger: ConsentLedger,
    lines: Iterable[str],
    columns: Mapping[str, str],
    settings: dict[str, Any],
    *,
    delimiter: str,
    batch_size: int,
) -> ImportReport:
    records = csv.reader(iter(lines), delimiter=delimiter)
    try:
        header = [name.strip() for name in next(records)]
    except StopIteration:
        raise ConfigurationError("the CSV is empty: it has no header row") from None
    missing = sorted(name for name in columns.values() if name not in header)
    if missing:
        raise ConfigurationError(f"the CSV has no column(s) {missing}")
    reader = _Reader(header, columns, recorded=utc_now(), **settings)
    store = ledger._store()

    rows = imported = duplicates = not_given = 0
    rejected: list[RejectedRow] = []
    batch: list[EventDraft] = []
    in_batch: set[tuple[str, str | None, datetime]] = set()

    def flush() -> None:
        nonlocal imported, duplicates
        if not batch:
            return
        known = store.events_for_subjects({d.subject for d in batch})
        present = {
            (subject, e.purpose, e.at)  # keyed by the canonical id the look-up was made with
            for subject, events in known.items()
            for e in events
            if e.kind is EventKind.GIVEN
        }
        fresh = [d for d in batch if (d.subject, d.purpose, d.at) not in present]
        duplicates += len(batch) - len(fresh)
        store.append_many(fresh)
        imported += len(fresh)
        batch.clear()
        in_batch.clear()

    number = 1
    for values in records:
        number += 1
        if not values:
            continue  # a blank line is no row
        rows += 1
        try:
            draft = reader.draft(values)
        except _Rejected as why:
            rejected.append(RejectedRow(number, why.column, why.code, why.message))
            continue
        if draft is None:
            not_given += 1
            continue
        key = (draft.subject, draft.purpose, draft.at)
        if key in in_batch:
            duplicates += 1
            continue
        in_batch.add(key)
        batch.append(draft)
        if len(batch) >= batch_size:
            flush()
    flush()
    return ImportReport(rows, imported, duplicates, not_given, tuple(rejected))
