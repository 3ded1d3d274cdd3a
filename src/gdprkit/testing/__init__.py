"""Assertions for testing pipelines against a gdprkit policy. Importable without pytest.

    from gdprkit.testing import assert_denied
    assert_denied(decide(policy, lead, "newsletter", at=at), "source.not_allowed")

Failure messages say what was expected and what was found: codes and field names, never values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from gdprkit._decision import Decision
from gdprkit._policy import Policy
from gdprkit._taxonomy import PERSONAL_ROOTS_NEVER_ANONYMOUS, root

__all__ = [
    "assert_allowed",
    "assert_denied",
    "assert_dropped",
    "assert_no_raw_identifiers",
]

#: Roots whose raw values must never appear in an output (identity, contact, online, special,
#: criminal). Free text is checked too: it may hold anything.
_IDENTIFYING_ROOTS = PERSONAL_ROOTS_NEVER_ANONYMOUS


def _codes(decision: Decision) -> list[str]:
    return [r.code for r in decision.reasons]


def assert_allowed(decision: Decision) -> None:
    """Fail unless ``decision`` allows processing."""
    if not decision.allowed:
        raise AssertionError(
            f"expected purpose {decision.purpose!r} to be allowed, it was denied: "
            + ", ".join(f"{r.code} ({r.article})" for r in decision.reasons)
        )


def assert_denied(decision: Decision, code: str | None = None) -> None:
    """Fail unless ``decision`` denies processing (with reason ``code``, when given)."""
    if decision.allowed:
        raise AssertionError(
            f"expected purpose {decision.purpose!r} to be denied"
            + (f" with {code!r}" if code else "")
            + f", it was allowed for fields {sorted(decision.fields)}"
        )
    if code is not None and code not in _codes(decision):
        raise AssertionError(
            f"expected denial {code!r} for purpose {decision.purpose!r}, found {_codes(decision)}"
        )


def assert_dropped(decision: Decision, field: str, code: str | None = None) -> None:
    """Fail unless ``field`` was dropped from ``decision`` (for reason ``code``, when given)."""
    reason = decision.dropped.get(field)
    if reason is None:
        state = "allowed" if field in decision.fields else "not in the record"
        if not decision.allowed:
            state = f"not judged: the record was denied ({', '.join(_codes(decision))})"
        raise AssertionError(f"expected field {field!r} to be dropped, it was {state}")
    if code is not None and reason.code != code:
        raise AssertionError(
            f"expected field {field!r} dropped with {code!r}, it was dropped with {reason.code!r}"
        )


def _scalars(value: Any) -> Iterable[Any]:
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _scalars(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _scalars(item)
    else:
        yield value


def _key(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip().casefold()
    return value


def assert_no_raw_identifiers(
    outputs: Iterable[Mapping[str, Any]], inputs: Iterable[Mapping[str, Any]], policy: Policy
) -> None:
    """Fail when an output holds a raw value of an identifying input field.

    Identifying: fields whose category is under ``identity``, ``contact``, ``online``,
    ``special``, ``criminal`` or ``free_text``. Values are compared trimmed and case-folded;
    booleans, empty text and values shorter than 3 characters are not compared (too common to
    identify anyone). The failure names the input field and the output field, never the value.
    """
    raw: dict[Any, str] = {}
    for record in inputs:
        for name, value in record.items():
            category = policy.category_of(name) if isinstance(name, str) else None
            if category is None or root(category) not in _IDENTIFYING_ROOTS:
                continue
            if value is None or isinstance(value, bool):
                continue
            key = _key(value)
            if isinstance(key, str) and len(key) < 3:
                continue
            raw.setdefault(key, name)
    for i, output in enumerate(outputs):
        for out_name, value in output.items():
            for scalar in _scalars(value):
                if scalar is None or isinstance(scalar, bool):
                    continue
                try:
                    source = raw.get(_key(scalar))
                except TypeError:  # unhashable
                    continue
                if source is not None:
                    raise AssertionError(
                        f"output #{i} field {out_name!r} holds the raw value of identifying "
                        f"input field {source!r}"
                    )
