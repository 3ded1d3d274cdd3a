"""Test helpers for projects that process personal data with gdprkit. Importable without pytest.

::

    from gdprkit.testing import assert_denied, assert_no_raw_identifiers
    assert_denied(decide(policy, lead, "newsletter", at=at), "source.not_allowed")
    assert_no_raw_identifiers(exported_rows, crm_rows, policy)

Every failure is an :class:`AssertionError` whose message says what was expected and what was
found: purposes, reason codes, articles and field names, never a value of a record.

* :func:`assert_allowed`, :func:`assert_denied`, :func:`assert_dropped` check a
  :class:`~gdprkit.Decision`.
* :func:`assert_no_raw_identifiers` checks that outputs hold no raw value of an identifying
  input field.
* :class:`PersonalDataGuard` watches sinks (a list, a callable, a function patched for the
  duration) and fails when personal data reaches one.
* :mod:`gdprkit.testing.strategies` (needs hypothesis) generates records, consent histories
  and policies; :mod:`gdprkit.testing.plugin` is the pytest plugin.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from gdprkit._decision import ARTICLES, Decision
from gdprkit._policy import Policy
from gdprkit.testing._guard import PersonalDataGuard, Sink
from gdprkit.testing._values import RawValues, walk

__all__ = [
    "PersonalDataGuard",
    "Sink",
    "assert_allowed",
    "assert_denied",
    "assert_dropped",
    "assert_no_raw_identifiers",
]


def _check_decision(decision: object, helper: str) -> Decision:
    __tracebackhide__ = True  # pytest hides this frame: it holds record values
    if not isinstance(decision, Decision):
        raise TypeError(f"{helper} takes a gdprkit Decision, got {type(decision).__name__}")
    return decision


def _reasons(decision: Decision) -> str:
    __tracebackhide__ = True  # pytest hides this frame: it holds record values
    return ", ".join(
        f"{r.code} ({r.article})" + (f" on field {r.field!r}" if r.field else "")
        for r in decision.reasons
    )


def _unknown(code: str) -> str:
    return "" if code in ARTICLES else f" ({code!r} is not a gdprkit reason code)"


def assert_allowed(decision: Decision) -> None:
    """Fail unless ``decision`` allows processing.

    The message names the purpose and the reason of the denial (code, article, field).
    """
    __tracebackhide__ = True  # pytest hides this frame: it holds record values
    d = _check_decision(decision, "assert_allowed")
    if not d.allowed:
        raise AssertionError(
            f"expected purpose {d.purpose!r} to be allowed, it was denied: {_reasons(d)}"
        )


def assert_denied(decision: Decision, code: str | None = None) -> None:
    """Fail unless ``decision`` denies processing, with reason ``code`` when one is given.

    ``code`` is a reason code of design.md §6 (``"consent.missing"``, ``"source.not_allowed"``).
    """
    __tracebackhide__ = True  # pytest hides this frame: it holds record values
    d = _check_decision(decision, "assert_denied")
    if code is not None and not isinstance(code, str):
        raise TypeError("assert_denied: code is a reason code such as 'consent.missing'")
    if d.allowed:
        dropped = ", ".join(f"{f} ({r.code})" for f, r in sorted(d.dropped.items()))
        raise AssertionError(
            f"expected purpose {d.purpose!r} to be denied"
            + (f" with {code!r}{_unknown(code)}" if code else "")
            + f", it was allowed for fields {sorted(d.fields)}"
            + (f"; dropped: {dropped}" if dropped else "")
        )
    if code is not None and code not in {r.code for r in d.reasons}:
        raise AssertionError(
            f"expected purpose {d.purpose!r} to be denied with {code!r}{_unknown(code)}, "
            f"it was denied with {_reasons(d)}"
        )


def assert_dropped(decision: Decision, field: str, code: str | None = None) -> None:
    """Fail unless ``field`` was dropped from ``decision``, for reason ``code`` when given.

    A denied decision drops nothing field by field (the whole record is refused), so it fails
    too, saying why the record was denied.
    """
    __tracebackhide__ = True  # pytest hides this frame: it holds record values
    d = _check_decision(decision, "assert_dropped")
    if code is not None and not isinstance(code, str):
        raise TypeError("assert_dropped: code is a reason code such as 'field.not_needed'")
    expected = f"expected field {field!r} to be dropped" + (
        f" with {code!r}{_unknown(code)}" if code else ""
    )
    if not d.allowed:
        raise AssertionError(
            f"{expected} by purpose {d.purpose!r}, but the whole record was denied: {_reasons(d)}"
        )
    reason = d.dropped.get(field)
    if reason is None:
        state = "allowed" if field in d.fields else "not in the record"
        raise AssertionError(f"{expected} by purpose {d.purpose!r}, it was {state}")
    if code is not None and reason.code != code:
        raise AssertionError(
            f"{expected} by purpose {d.purpose!r}, it was dropped with {reason.code!r} "
            f"({reason.article})"
        )


def assert_no_raw_identifiers(
    outputs: Iterable[Mapping[str, Any]],
    inputs: Iterable[Mapping[str, Any]],
    policy: Policy,
    *,
    contained: bool = False,
) -> None:
    """Fail when an output holds the raw value of an identifying input field.

    Identifying: a field whose category is under ``identity``, ``contact``, ``online``,
    ``special`` or ``criminal`` (and custom categories declared special). Every value of every
    output (nested mappings and lists too, mapping keys included) is compared with every such
    input value: trimmed, NFKC-normalised and case-folded text, numbers by their decimal text,
    phone numbers also by their digits (``+39 333 1234567`` is ``3331234567``). ``None``,
    booleans and text shorter than three characters are not compared. With ``contained=True`` an
    output text that *contains* an input value of five characters or more fails too (a log
    line, a mail body).

    Tokens, ciphertexts, masks and generalisations pass; a value copied through fails. The
    message names the output (by position) and the fields, never the value.
    """
    __tracebackhide__ = True  # pytest hides this frame: it holds record values
    if not isinstance(policy, Policy):
        raise TypeError(
            f"assert_no_raw_identifiers takes a gdprkit Policy third, got {type(policy).__name__}"
        )
    raw = RawValues(policy)
    raw.add(inputs)
    if isinstance(outputs, Mapping):
        outputs = [outputs]
    for i, output in enumerate(outputs):
        for path, value in walk(output):
            source = raw.match(value, contained=contained)
            if source is not None:
                where = path or "itself"
                raise AssertionError(
                    f"expected no raw identifier in the outputs; output #{i} {where} holds "
                    f"the raw value of identifying input field {source!r} "
                    f"(category {policy.category_of(source)!r})"
                )
