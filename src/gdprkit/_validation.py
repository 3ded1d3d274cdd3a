"""``validate``: is a record well formed against the policy? Reports, never raises.

Codes: ``record.invalid`` (not a mapping), ``field.undeclared``, ``subject.missing``,
``value.invalid`` (a value that does not fit its format or type, a subject id that is no id, a
consent column holding neither yes nor no). Messages name fields and formats, never values.

Values are read by :mod:`gdprkit._values` as the engine reads them (design.md §6 "Reading
values"): missing means missing (``None``, NaN, ``NaT``, ``NA``, blank text), numpy and pandas
scalars are their plain Python values, field names are their plain text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from gdprkit._decision import printable_name
from gdprkit._formats import check_value, field_format
from gdprkit._policy import Policy
from gdprkit._values import flag_value, is_missing, plain, plain_text, subject_key

__all__ = ["Violation", "validate"]


@dataclass(frozen=True, slots=True)
class Violation:
    """One way a record does not fit the policy. ``field`` is ``None`` for the whole record."""

    field: str | None
    code: str
    message: str

    def __str__(self) -> str:
        where = f"[{printable_name(self.field)}] " if self.field is not None else ""
        return f"{where}{self.code}: {self.message}"


_SCALARS: Final = (str, int, float, bool, Decimal, date, datetime)


def _formats(policy: Policy) -> dict[str, str | None]:
    """Field → the format its values must fit: the declared one, else the category's default."""
    cached = policy._formats
    if cached is None:
        cached = {}
        dates = {r.from_ for p in policy.purposes.values() for r in p.retention}
        dates |= {p.consent.at for p in policy.purposes.values() if p.consent and p.consent.at}
        for name, spec in policy.fields.items():
            fmt = field_format(spec)
            if fmt is None and name in dates:
                fmt = "date"
            cached[name] = fmt
        policy._formats = cached
    return cached


def _flag_columns(policy: Policy) -> frozenset[str]:
    """The columns some purpose reads a consent flag from (``field``, ``explicit``,
    ``parental`` of its ``consent`` setting)."""
    names: set[str] = set()
    for purpose in policy.purposes.values():
        consent = purpose.consent
        if consent is not None:
            names.update(n for n in (consent.field, consent.explicit, consent.parental) if n)
    return frozenset(names)


def validate(policy: Policy, record: Mapping[str, Any]) -> list[Violation]:
    """Check ``record`` against ``policy``: undeclared fields, a missing subject id, values that
    do not fit their category or format (e-mail, phone, codice fiscale, partita IVA, country,
    dates, IP addresses), consent columns holding neither yes nor no (``x``, ``S``: an export's
    convention the engine reads as no consent) and values of unsupported types. Returns the
    violations found (empty when the record is well formed); never raises on a bad record.
    """
    if not isinstance(record, Mapping):
        return [Violation(None, "record.invalid", "a record is a mapping of field names to values")]
    formats = _formats(policy)
    flags = _flag_columns(policy)
    dayfirst = policy.settings.dayfirst
    violations: list[Violation] = []
    subject_id = policy.subject.id
    if subject_id is not None:
        sid = record.get(subject_id)
        if is_missing(sid):
            violations.append(
                Violation(
                    subject_id, "subject.missing", f"the subject id field {subject_id!r} is empty"
                )
            )
        elif subject_key(sid) is None:
            violations.append(
                Violation(
                    subject_id,
                    "value.invalid",
                    f"field {subject_id!r} holds no subject id (text or an integral number)",
                )
            )
    for key, raw in record.items():
        name = plain_text(key) if isinstance(key, str) else None
        if name is None or name not in formats:
            shown = name if name is not None else f"<{type(key).__name__} key>"
            violations.append(
                Violation(
                    shown, "field.undeclared", f"field {shown!r} is not declared in the policy"
                )
            )
            continue
        if name == subject_id:
            continue  # read above, as the engine reads it
        value = plain(raw)
        if is_missing(value):
            continue
        if not isinstance(value, _SCALARS):
            violations.append(
                Violation(
                    name,
                    "value.invalid",
                    f"field {name!r} holds a {type(value).__name__}; expected a plain value",
                )
            )
            continue
        if name in flags and flag_value(value) is None:
            violations.append(
                Violation(
                    name,
                    "value.invalid",
                    f"field {name!r} is a consent flag and holds neither yes nor no "
                    "(true/false, yes/no, sì/no, 1/0): gdprkit reads it as no consent",
                )
            )
            continue
        fmt = formats[name]
        if fmt is not None:
            problem = check_value(fmt, value, dayfirst=dayfirst)
            if problem is not None:
                violations.append(Violation(name, "value.invalid", f"field {name!r}: {problem}"))
    return violations
