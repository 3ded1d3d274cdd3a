"""The assertion helpers: each passes on the right decision and fails, saying what was
expected and what was found (codes, fields, never values), on the wrong one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from gdprkit import KeyRing, decide, enforce, load_policy
from gdprkit.testing import (
    assert_allowed,
    assert_denied,
    assert_dropped,
    assert_no_raw_identifiers,
)

POLICY = load_policy(Path(__file__).parents[2] / "examples" / "crm" / "policy.yaml")
AT = datetime(2025, 6, 1, tzinfo=UTC)
CUSTOMER: dict[str, Any] = {
    "customer_id": "BV-0000042",
    "first_name": "Giulia",
    "email": "giulia.bianchi@libero.it",
    "phone": "+39 333 1234567",
    "country": "IT",
    "source": "store",
    "relationship": "customer",
    "last_purchase_at": "2025-01-10",
    "purchases_total": 120.5,
    "consent_marketing": "sì",
    "consent_marketing_at": "2025-01-10",
    "allergies": "arachidi",
}
LEAD = {**CUSTOMER, "source": "social_network", "relationship": "lead"}
VALUES = [v for v in CUSTOMER.values() if isinstance(v, str)]


def _no_values(message: str) -> None:
    for value in VALUES:
        if len(value) > 3 and value not in ("store", "customer"):  # vocabulary, not data
            assert value not in message


def test_assert_allowed_passes_on_an_allowed_decision() -> None:
    assert_allowed(decide(POLICY, CUSTOMER, "newsletter", at=AT))


def test_assert_allowed_fails_naming_the_denial() -> None:
    with pytest.raises(AssertionError) as info:
        assert_allowed(decide(POLICY, LEAD, "newsletter", at=AT))
    message = str(info.value)
    assert "expected purpose 'newsletter' to be allowed" in message
    assert "source.not_allowed (Art. 5(1)(a), Art. 14)" in message
    _no_values(message)


def test_assert_denied_passes_with_the_right_code_and_without_one() -> None:
    decision = decide(POLICY, LEAD, "newsletter", at=AT)
    assert_denied(decision)
    assert_denied(decision, "source.not_allowed")


@pytest.mark.parametrize(
    ("record", "code", "expected"),
    [
        (CUSTOMER, "consent.missing", "it was allowed for fields"),
        (CUSTOMER, None, "it was allowed for fields"),
        (LEAD, "consent.missing", "it was denied with source.not_allowed"),
        (LEAD, "consent.mising", "'consent.mising' is not a gdprkit reason code"),
    ],
)
def test_assert_denied_fails_saying_what_it_found(
    record: dict[str, Any], code: str | None, expected: str
) -> None:
    with pytest.raises(AssertionError) as info:
        assert_denied(decide(POLICY, record, "newsletter", at=AT), code)
    assert expected in str(info.value)
    assert "expected purpose 'newsletter' to be denied" in str(info.value)
    _no_values(str(info.value))


def test_assert_denied_lists_the_allowed_and_dropped_fields() -> None:
    with pytest.raises(AssertionError) as info:
        assert_denied(decide(POLICY, CUSTOMER, "newsletter", at=AT), "consent.missing")
    message = str(info.value)
    assert "'email'" in message
    assert "allergies (field.not_needed)" in message


def test_assert_dropped_passes_with_and_without_a_code() -> None:
    decision = decide(POLICY, CUSTOMER, "newsletter", at=AT)
    assert_dropped(decision, "allergies")
    assert_dropped(decision, "allergies", "field.not_needed")


@pytest.mark.parametrize(
    ("record", "field", "code", "expected"),
    [
        (CUSTOMER, "email", None, "it was allowed"),
        (CUSTOMER, "codice_fiscale", None, "it was not in the record"),
        (CUSTOMER, "allergies", "special.no_condition", "dropped with 'field.not_needed'"),
        (LEAD, "allergies", None, "the whole record was denied: source.not_allowed"),
    ],
)
def test_assert_dropped_fails_saying_what_it_found(
    record: dict[str, Any], field: str, code: str | None, expected: str
) -> None:
    with pytest.raises(AssertionError) as info:
        assert_dropped(decide(POLICY, record, "newsletter", at=AT), field, code)
    assert f"expected field {field!r} to be dropped" in str(info.value)
    assert expected in str(info.value)
    _no_values(str(info.value))


@pytest.mark.parametrize("helper", [assert_allowed, assert_denied])
def test_the_helpers_refuse_what_is_not_a_decision(helper: Any) -> None:
    with pytest.raises(TypeError, match="takes a gdprkit Decision"):
        helper({"allowed": True})


def test_tokenised_outputs_hold_no_raw_identifiers() -> None:
    inputs = [CUSTOMER, {**CUSTOMER, "customer_id": "BV-7", "email": "luca@gmail.com"}]
    outputs = list(enforce(POLICY, inputs, "analytics", at=AT, keys=KeyRing.generate()))
    assert len(outputs) == 2
    assert_no_raw_identifiers(outputs, inputs, POLICY)


@pytest.mark.parametrize(
    ("output", "field"),
    [
        ({"email": "giulia.bianchi@libero.it"}, "email"),
        ({"contact": " GIULIA.BIANCHI@LIBERO.IT "}, "email"),  # case and spaces do not hide it
        ({"phone": "3331234567"}, "phone"),  # the same number without +39 and spaces
        ({"rows": [{"id": "BV-0000042"}]}, "customer_id"),  # nested
        ({"BV-0000042": 1}, "customer_id"),  # a mapping keyed by the identifier
        ({"diet": "arachidi"}, "allergies"),  # special category
        ({"name": "Giulia"}, "first_name"),
    ],
)
def test_a_copied_identifier_fails_naming_fields_not_values(
    output: dict[str, Any], field: str
) -> None:
    with pytest.raises(AssertionError) as info:
        assert_no_raw_identifiers([{"ok": 1}, output], [CUSTOMER], POLICY)
    message = str(info.value)
    assert f"identifying input field {field!r}" in message
    assert "output #1" in message
    _no_values(message)


def test_meta_and_commercial_values_are_not_identifiers() -> None:
    output = {"country": "IT", "source": "store", "total": 120.5, "at": "2025-01-10"}
    assert_no_raw_identifiers([output], [CUSTOMER], POLICY)


def test_masks_and_generalisations_pass() -> None:
    outputs = [{"email": "g***@libero.it", "phone": "**********67", "name": "G***"}]
    assert_no_raw_identifiers(outputs, [CUSTOMER], POLICY)


def test_contained_values_fail_only_when_asked() -> None:
    outputs = [{"log": "sent offer to giulia.bianchi@libero.it"}]
    assert_no_raw_identifiers(outputs, [CUSTOMER], POLICY)
    with pytest.raises(AssertionError, match="input field 'email'"):
        assert_no_raw_identifiers(outputs, [CUSTOMER], POLICY, contained=True)


def test_numbers_compare_by_their_text() -> None:
    policy = POLICY
    with pytest.raises(AssertionError, match="'customer_id'"):
        assert_no_raw_identifiers([{"id": "100042"}], [{"customer_id": 100042}], policy)
    assert_no_raw_identifiers([{"n": 7, "ok": True}], [{"customer_id": 7}], policy)


def test_the_policy_must_be_a_policy() -> None:
    with pytest.raises(TypeError, match="Policy"):
        assert_no_raw_identifiers([], [], "policy.yaml")  # type: ignore[arg-type]
