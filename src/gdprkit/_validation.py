"""``validate``: is a record well formed against the policy? Reports, never raises.

Codes: ``record.invalid`` (not a mapping), ``field.undeclared``, ``subject.missing``,
``value.invalid`` (a value that does not fit its format or type). Messages name fields and
formats, never values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from gdprkit._decision import is_missing
from gdprkit._formats import FORMAT_BY_CATEGORY, check_value
from gdprkit._policy import Policy

__all__ = ["Violation", "validate"]


@dataclass(frozen=True, slots=True)
class Violation:
    """One way a record does not fit the policy. ``field`` is ``None`` for the whole record."""

    field: str | None
    code: str
    message: str

    def __str__(self) -> str:
        where = f"[{self.field}] " if self.field is not None else ""
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
            fmt = spec.format or FORMAT_BY_CATEGORY.get(spec.category)
            if fmt is None and name in dates:
                fmt = "date"
            cached[name] = fmt
        policy._formats = cached
    return cached


def validate(policy: Policy, record: Mapping[str, Any]) -> list[Violation]:
    """Check ``record`` against ``policy``: undeclared fields, a missing subject id, values that
    do not fit their category or format (e-mail, phone, codice fiscale, partita IVA, country,
    dates, IP addresses) and values of unsupported types. Returns the violations found (empty
    when the record is well formed); never raises on a bad record.
    """
    if not isinstance(record, Mapping):
        return [Violation(None, "record.invalid", "a record is a mapping of field names to values")]
    formats = _formats(policy)
    dayfirst = policy.settings.dayfirst
    violations: list[Violation] = []
    subject_id = policy.subject.id
    if subject_id is not None and is_missing(record.get(subject_id)):
        violations.append(
            Violation(
                subject_id, "subject.missing", f"the subject id field {subject_id!r} is empty"
            )
        )
    for key, value in record.items():
        if not isinstance(key, str) or key not in formats:
            name = key if isinstance(key, str) else f"<{type(key).__name__} key>"
            violations.append(
                Violation(name, "field.undeclared", f"field {name!r} is not declared in the policy")
            )
            continue
        if is_missing(value):
            continue
        if not isinstance(value, _SCALARS):
            violations.append(
                Violation(
                    key,
                    "value.invalid",
                    f"field {key!r} holds a {type(value).__name__}; expected a plain value",
                )
            )
            continue
        fmt = formats[key]
        if fmt is not None:
            problem = check_value(fmt, value, dayfirst=dayfirst)
            if problem is not None:
                violations.append(Violation(key, "value.invalid", f"field {key!r}: {problem}"))
    return violations
