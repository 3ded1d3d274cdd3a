"""The hypothesis strategies: what they promise (valid, realistic, allowed, broken on purpose)
holds for every draw, on the example policy, the test policies and generated policies."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdprkit import (
    ConfigurationError,
    ConsentLedger,
    Evidence,
    Policy,
    decide,
    load_policy,
    validate,
)
from gdprkit._formats import check_value, is_codice_fiscale, is_email, is_partita_iva, is_phone
from gdprkit.testing.strategies import (
    INVALID_KINDS,
    codice_fiscale,
    codici_fiscali,
    consent_histories,
    dates,
    emails,
    ip_addresses,
    ledgers,
    moments,
    partite_iva,
    phones,
    policies,
    policy_documents,
    records,
    values,
)

ROOT = Path(__file__).parents[2]
POLICIES = {
    "example": load_policy(ROOT / "examples" / "crm" / "policy.yaml"),
    "rules": load_policy(ROOT / "tests" / "data" / "rules_policy.yaml"),
    "design": load_policy(ROOT / "tests" / "data" / "design_policy.yaml"),
}
AT = datetime(2025, 6, 1, 12, tzinfo=UTC)
SOME = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SOME
@given(st.data())
def test_format_values_fit_their_format(data: st.DataObject) -> None:
    """Every drawn e-mail, phone, codice fiscale, partita IVA and IP passes gdprkit's check."""
    assert is_email(data.draw(emails()))
    assert is_phone(data.draw(phones()))
    assert is_codice_fiscale(data.draw(codici_fiscali()))
    assert is_partita_iva(data.draw(partite_iva()))
    assert check_value("ip", data.draw(ip_addresses())) is None
    dayfirst = data.draw(st.booleans())
    assert check_value("date", data.draw(dates(dayfirst=dayfirst)), dayfirst=dayfirst) is None


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        (("Mario", "Rossi", date(1985, 12, 10), False, "A562"), "RSSMRA85T10A562S"),
        (("Maria", "Rossi", date(1985, 12, 10), True, "A562"), "RSSMRA85T50A562W"),
    ],
)
def test_codice_fiscale_is_computed_as_the_revenue_agency_does(
    person: tuple[str, str, date, bool, str], expected: str
) -> None:
    first, last, born, female, place = person
    assert codice_fiscale(first, last, born, female=female, place=place) == expected
    assert is_codice_fiscale(expected)


def test_omocodia_replaces_digits_from_the_right_and_stays_valid() -> None:
    code = codice_fiscale(
        "Mario", "Rossi", date(1985, 12, 10), female=False, place="A562", omocodia=1
    )
    assert code[:14] == "RSSMRA85T10A56"
    assert code[14] == "N"  # 2 → N
    assert is_codice_fiscale(code)


@pytest.mark.parametrize("policy_name", sorted(POLICIES))
@settings(SOME, max_examples=100)
@given(data=st.data())
def test_records_pass_validate(policy_name: str, data: st.DataObject) -> None:
    """records(policy, purpose) never draws a record validate complains about, and always
    carries the subject id, the purpose's required fields and the fields decide reads."""
    policy = POLICIES[policy_name]
    purpose = data.draw(st.sampled_from([None, *sorted(policy.purposes)]), label="purpose")
    record = data.draw(records(policy, purpose))
    assert validate(policy, record) == []
    if policy.subject.id is not None:
        assert policy.subject.id in record
    if purpose is not None:
        spec = policy.purposes[purpose]
        assert set(spec.requires) <= set(record)
        assert {r.from_ for r in spec.retention} <= set(record)
        if spec.consent is not None and spec.consent.field is not None:
            assert spec.consent.field in record


@pytest.mark.parametrize("policy_name", sorted(POLICIES))
@settings(SOME, max_examples=100)
@given(data=st.data(), at=moments(datetime(2020, 1, 1), datetime(2030, 1, 1)))
def test_allowed_records_are_allowed(policy_name: str, data: st.DataObject, at: datetime) -> None:
    """records(..., allowed=True) meets every condition a record can carry: decide allows it
    (with the subject's ledger consent where the purpose reads consent from the ledger)."""
    policy = POLICIES[policy_name]
    purpose = data.draw(st.sampled_from(sorted(policy.purposes)), label="purpose")
    record = data.draw(records(policy, purpose, at=at, allowed=True))
    assert validate(policy, record) == []
    spec = policy.purposes[purpose]
    consents = None
    if spec.basis == "consent" and (spec.consent is None or spec.consent.field is None):
        ledger = ConsentLedger()
        ledger.give(
            record[policy.subject.id],  # type: ignore[index]
            purpose,
            at=at,
            evidence=Evidence("web_form", "v1"),
            explicit=True,
        )
        consents = ledger
    decision = decide(policy, record, purpose, at=at, consents=consents)
    assert decision.allowed, decision.reasons


@pytest.mark.parametrize("kind", INVALID_KINDS)
@SOME
@given(data=st.data())
def test_invalid_records_break_the_policy_in_the_way_asked(kind: str, data: st.DataObject) -> None:
    policy = POLICIES["example"]
    record = data.draw(records(policy, invalid=[kind]))
    codes = {v.code for v in validate(policy, record)}
    expected = {
        "value": "value.invalid",
        "type": "value.invalid",
        "undeclared": "field.undeclared",
        "subject": "subject.missing",
    }[kind]
    assert expected in codes


@SOME
@given(data=st.data())
def test_invalid_records_always_have_a_violation(data: st.DataObject) -> None:
    policy = POLICIES[data.draw(st.sampled_from(sorted(POLICIES)))]
    record = data.draw(records(policy, invalid=True))
    assert validate(policy, record) != []


@SOME
@given(data=st.data())
def test_invalid_values_of_a_field_are_reported(data: st.DataObject) -> None:
    policy = POLICIES["example"]
    field = data.draw(st.sampled_from(sorted(policy.fields)))
    record = {"customer_id": "BV-1", field: data.draw(values(policy, field, valid=False))}
    assert any(v.field == field and v.code == "value.invalid" for v in validate(policy, record))


def test_wrong_arguments_are_refused() -> None:
    policy = POLICIES["example"]
    with pytest.raises(ConfigurationError, match="unknown purpose"):
        records(policy, "nope")
    with pytest.raises(ValueError, match="needs a purpose and an aware 'at'"):
        records(policy, "newsletter", allowed=True)
    with pytest.raises(ValueError, match="aware"):
        records(policy, "newsletter", allowed=True, at=datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="unknown invalid kind"):
        records(policy, invalid=["typo"])
    with pytest.raises(TypeError, match="Policy"):
        records({"version": 1})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not declared"):
        values(policy, "nope")


def test_a_purpose_that_can_allow_nothing_is_reported() -> None:
    doc: dict[str, Any] = {
        "version": 1,
        "controller": {"name": "X", "country": "IT", "contact": "p@x.it"},
        "subject": {"source": "source"},
        "fields": {"email": "contact.email", "source": {"category": "meta", "format": "country"}},
        "purposes": {"p": {"basis": "contract", "categories": ["contact"], "sources": ["web"]}},
    }
    with pytest.raises(ValueError, match="admit no valid value"):
        records(load_policy(doc), "p", at=AT, allowed=True)


@SOME
@given(history=consent_histories(["C-1", "C-2"], POLICIES["rules"]))
def test_consent_histories_replay_on_a_ledger(history: list[Any]) -> None:
    ledger = ConsentLedger()
    for event in history:
        event.apply(ledger)
    assert len(ledger.events("C-1")) + len(ledger.events("C-2")) == len(history)
    ledger.verify()


@SOME
@given(ledger=ledgers(st.sampled_from(["C-1"]), ["newsletter"], evidence=True, max_events=5))
def test_ledgers_hold_a_history(ledger: ConsentLedger) -> None:
    assert all(e.evidence is not None for e in ledger.events("C-1") if e.kind == "given")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policy=policies(), data=st.data())
def test_generated_policies_load_and_their_records_validate(
    policy: Policy, data: st.DataObject
) -> None:
    purpose = data.draw(st.sampled_from([None, *sorted(policy.purposes)]))
    record = data.draw(records(policy, purpose))
    assert validate(policy, record) == []


@settings(max_examples=30, deadline=None)
@given(document=policy_documents())
def test_policy_documents_are_plain_mappings(document: dict[str, Any]) -> None:
    assert document["version"] == 1
    assert isinstance(load_policy(document), Policy)


@pytest.mark.parametrize("fold", [0, 1])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_allowed_records_at_a_daylight_saving_gap(fold: int, data: st.DataObject) -> None:
    """Regression: at 02:00 on the night New York springs forward (an imaginary local time),
    anchors computed by local arithmetic landed an hour after `at`; they are computed in UTC."""
    from zoneinfo import ZoneInfo

    policy = POLICIES["design"]
    at = datetime(2020, 3, 8, 2, 0, fold=fold, tzinfo=ZoneInfo("America/New_York"))
    record = data.draw(records(policy, "direct_marketing", at=at, allowed=True))
    assert decide(policy, record, "direct_marketing", at=at).allowed
