"""``settings.invalid_values`` (design §5): keep, drop or deny a value that fails its format,
as a table of situations on the row path and as a hypothesis property on every frame engine."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from frame_data import assert_equivalent
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gdprkit
from gdprkit._values import is_missing

AT = datetime(2026, 6, 1, tzinfo=UTC)


def _policy(invalid_values: str, *, requires: tuple[str, ...] = ()) -> gdprkit.Policy:
    return gdprkit.load_policy(
        {
            "version": 1,
            "controller": {"name": "Test S.r.l.", "country": "IT", "contact": "privacy@example.it"},
            "settings": {"invalid_values": invalid_values},
            "subject": {"id": "id"},
            "fields": {
                "id": "identity.customer_id",
                "email": "contact.email",
                "phone": "contact.phone",
                "cf": {"category": "identity.national_id", "format": "codice_fiscale"},
                "note": "free_text",
            },
            "purposes": {
                "campaign": {
                    "basis": "legitimate_interests",
                    "categories": ["identity", "contact", "free_text"],
                    "requires": list(requires),
                }
            },
        }
    )


GOOD = {"id": "C1", "email": "mario@example.it", "phone": "+39 333 1234567", "cf": None}


@pytest.mark.parametrize(
    ("setting", "record", "allowed", "kept", "code"),
    [
        ("keep", {**GOOD, "email": "mario at gmail"}, True, {"id", "email", "phone"}, None),
        ("drop", {**GOOD, "email": "mario at gmail"}, True, {"id", "phone"}, "value.invalid"),
        ("drop", {**GOOD, "phone": "n.d."}, True, {"id", "email"}, "value.invalid"),
        (
            "drop",
            {**GOOD, "cf": "RSSMRA85T10A562X"},
            True,
            {"id", "email", "phone"},
            "value.invalid",
        ),
        ("drop", GOOD, True, {"id", "email", "phone"}, None),  # a missing value is not invalid
        ("drop", {**GOOD, "email": "  "}, True, {"id", "phone"}, None),  # blank is missing
        ("drop", {**GOOD, "note": "anything"}, True, {"id", "email", "phone", "note"}, None),
        ("deny", {**GOOD, "phone": "n.d."}, False, set(), "value.invalid"),
        ("deny", {**GOOD, "email": "x", "phone": "n.d."}, False, set(), "value.invalid"),
        ("deny", GOOD, True, {"id", "email", "phone"}, None),
    ],
)
def test_invalid_values_table(
    setting: str, record: dict[str, Any], allowed: bool, kept: set[str], code: str | None
) -> None:
    decision = gdprkit.decide(_policy(setting), record, "campaign", at=AT)
    assert decision.allowed is allowed
    if allowed:
        blank = {k for k, v in record.items() if is_missing(v)}
        assert set(decision.fields) - blank == kept
        found = {r.code for r in decision.dropped.values()}
        assert (code in found) if code else ("value.invalid" not in found)
        if code:
            [reason] = [r for r in decision.dropped.values() if r.code == code]
            assert reason.article == "Art. 5(1)(d)"
            assert "mario" not in reason.message
            assert "n.d." not in reason.message
    else:
        assert decision.reasons[0].code == code
        # the first failing field in the record's order gives the reason
        assert decision.reasons[0].field == ("email" if record["email"] == "x" else "phone")


def test_a_required_field_dropped_as_invalid_denies_naming_the_cause() -> None:
    policy = _policy("drop", requires=("phone",))
    decision = gdprkit.decide(policy, {**GOOD, "phone": "n.d."}, "campaign", at=AT)
    assert not decision.allowed
    assert decision.reasons[0].code == "purpose.required_field_missing"
    assert "value.invalid" in decision.reasons[0].message


VALUES = {
    "email": st.sampled_from(["mario@example.it", "mario at gmail", "", None, " A@B.IT "]),
    "phone": st.sampled_from(["+39 333 1234567", "n.d.", "333-1234567", None, "12"]),
    "cf": st.sampled_from(["RSSMRA85T10A562S", "RSSMRA85T10A562X", None, "abc"]),
    "id": st.sampled_from(["C1", "C2", None, " 7 "]),
}
records = st.lists(st.fixed_dictionaries(VALUES), max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=records,
    setting=st.sampled_from(["keep", "drop", "deny"]),
    requires=st.sampled_from([(), ("phone",)]),
    engine=st.sampled_from(["pandas", "polars", "arrow"]),
)
def test_every_frame_engine_reads_invalid_values_as_the_row_path(
    rows: list[dict[str, Any]], setting: str, requires: tuple[str, ...], engine: str
) -> None:
    assert_equivalent(engine, _policy(setting, requires=requires), rows, "campaign", at=AT)
