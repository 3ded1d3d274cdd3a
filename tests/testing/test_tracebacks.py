"""A failing helper shows no record value in pytest's traceback, even with ``--showlocals``.

The helpers' messages name fields and codes only; their frames hold the records, the outputs and
the value that matched, so they are hidden from tracebacks (``__tracebackhide__``). Each scratch
test below fails on purpose; the records live at module level (pytest shows neither module source
nor module globals), so any value in the report came from a gdprkit frame.
"""

from __future__ import annotations

from pathlib import Path

import hypothesis.strategies  # noqa: F401 - imported once here: in-process runs would re-import it
import pytest

ROOT = Path(__file__).parents[2]
POLICY = ROOT / "examples" / "crm" / "policy.yaml"

VALUES = (
    "BV-7700431",
    "Ottavia",
    "ottavia.ferraris@example.it",
    "+39 347 9988776",
    "sedano e frutta a guscio",
    "FRRTTV85T50A662C",
)

SCRATCH = f"""
from datetime import UTC, datetime
from gdprkit import decide, load_policy
from gdprkit.testing import (
    PersonalDataGuard, assert_allowed, assert_denied, assert_dropped, assert_no_raw_identifiers,
)

POLICY = load_policy({str(POLICY)!r})
AT = datetime(2025, 6, 1, tzinfo=UTC)
CUSTOMER = {{
    "customer_id": {VALUES[0]!r},
    "first_name": {VALUES[1]!r},
    "email": {VALUES[2]!r},
    "phone": {VALUES[3]!r},
    "country": "IT",
    "source": "store",
    "relationship": "customer",
    "last_purchase_at": "2025-01-10",
    "consent_marketing": "sì",
    "consent_marketing_at": "2025-01-10",
    "allergies": {VALUES[4]!r},
    "notes": {VALUES[5]!r},
}}
LEAD = {{**CUSTOMER, "source": "social_network", "relationship": "lead"}}
COPIED = [{{"contact": CUSTOMER["email"], "who": CUSTOMER["first_name"]}}]


def test_allowed():
    assert_allowed(decide(POLICY, LEAD, "newsletter", at=AT))


def test_denied():
    assert_denied(decide(POLICY, CUSTOMER, "newsletter", at=AT))


def test_denied_with_code():
    assert_denied(decide(POLICY, LEAD, "newsletter", at=AT), "consent.missing")


def test_dropped():
    assert_dropped(decide(POLICY, CUSTOMER, "newsletter", at=AT), "email")


def test_dropped_denied():
    assert_dropped(decide(POLICY, LEAD, "newsletter", at=AT), "email")


def test_no_raw_identifiers():
    assert_no_raw_identifiers(COPIED, [CUSTOMER], POLICY)


def test_no_raw_identifiers_contained():
    assert_no_raw_identifiers(["mail to " + CUSTOMER["email"]], [CUSTOMER], POLICY, contained=True)


def test_guard_check():
    guard = PersonalDataGuard(POLICY, inputs=[CUSTOMER])
    guard.sink("export").extend(COPIED)
    guard.check()


def test_guard_findings_by_shape():
    guard = PersonalDataGuard()
    guard.sink("log").write("sent to " + CUSTOMER["email"] + " cf " + CUSTOMER["notes"])
    guard.check()


def test_wrong_argument():
    assert_no_raw_identifiers(COPIED, [CUSTOMER], "policy.yaml")


def test_guard_as_context_manager():
    with PersonalDataGuard(POLICY, inputs=[CUSTOMER]) as guard:
        guard.sink("export")(CUSTOMER["phone"], name=CUSTOMER["first_name"])
"""

FAILING = 11


@pytest.mark.parametrize("showlocals", [True, False], ids=["showlocals", "plain"])
@pytest.mark.parametrize("style", ["long", "short", "auto", "native"])
def test_failing_helpers_show_no_record_value(
    pytester: pytest.Pytester, style: str, showlocals: bool
) -> None:
    """``--tb=long`` prints each frame's arguments even without ``-l``; ``-l`` its locals."""
    pytester.makeini("[pytest]\n")
    pytester.makepyfile(test_scratch=SCRATCH)
    flags = ["-l"] if showlocals else []
    result = pytester.runpytest(*flags, f"--tb={style}", "-p", "no:randomly")
    result.assert_outcomes(failed=FAILING)
    out = result.stdout.str() + result.stderr.str()
    assert "AssertionError" in out
    leaked = [value for value in VALUES if value in out]
    assert leaked == [], style


def test_the_messages_still_say_what_failed(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\n")
    pytester.makepyfile(test_scratch=SCRATCH)
    result = pytester.runpytest("-l", "-p", "no:randomly")
    result.assert_outcomes(failed=FAILING)
    result.stdout.fnmatch_lines_random(
        [
            "*expected purpose 'newsletter' to be allowed*source.not_allowed*",
            "*output #0*'contact'*identifying input field 'email'*",
            "*expected no personal data in the watched sinks*",
            "*sink 'export' item #0*the raw value of input field*",
        ]
    )
