"""§6 decision rules: the 21 checks, their codes, articles and order."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta

import gdprkit

from .conftest import AT, ROME, codes, customer, evidence, make_policy, utc

ARTICLES = {
    "record.invalid": "Art. 5(1)(d)",
    "erasure.requested": "Art. 17(1)",
    "subject.restricted": "Art. 18",
    "objection.direct_marketing": "Art. 21(3)",
    "objection.processing": "Art. 21(1)",
    "source.not_allowed": "Art. 5(1)(a), Art. 14",
    "basis.not_applicable": "Art. 6(1)",
    "consent.missing": "Art. 6(1)(a)",
    "consent.withdrawn": "Art. 7(3)",
    "consent.expired": "Art. 7(1)",
    "consent.unproven": "Art. 7(1)",
    "consent.child": "Art. 8(1)",
    "field.undeclared": "Art. 5(1)(c)",
    "field.not_needed": "Art. 5(1)(c)",
    "special.no_condition": "Art. 9(1)",
    "consent.not_explicit": "Art. 9(2)(a)",
    "criminal.not_authorised": "Art. 10",
    "retention.expired": "Art. 5(1)(e)",
    "retention.anchor_missing": "Art. 5(1)(e)",
    "purpose.required_field_missing": "Art. 5(1)(c)",
}


def denied(decision, code):
    assert decision.allowed is False
    assert decision.reasons, "a denial carries reasons"
    first = decision.reasons[0]
    assert first.code == code, codes(decision)
    assert first.article == ARTICLES[code]
    assert isinstance(first.message, str)
    assert first.message
    assert decision.valid_until is None
    assert decision.fields == frozenset() or isinstance(decision.fields, frozenset)
    return first


def dropped(decision, field, code):
    assert field not in decision.fields
    reason = decision.dropped[field]
    assert reason.code == code
    assert reason.article == ARTICLES[code]
    assert reason.field == field
    return reason


def extra_purposes(data):
    data["purposes"]["invoicing"] = {
        "basis": "legal_obligation",
        "categories": ["identity", "commercial", "meta"],
        "retention": [{"period": "P10Y", "from": "last_purchase_at"}],
    }
    data["purposes"]["analytics"] = {
        "basis": "legitimate_interests",
        "categories": ["identity.customer_id", "commercial"],
        "retention": [{"period": "P10Y", "from": "last_purchase_at"}],
    }


@pytest.fixture(scope="module")
def xpolicy():
    return make_policy(extra_purposes)


# ---------------------------------------------------------------- check 1


def test_01_record_not_a_mapping(policy):
    d = gdprkit.decide(policy, ["not", "a", "mapping"], "contract", at=AT)
    denied(d, "record.invalid")


def test_01_subject_id_missing(policy):
    rec = customer()
    del rec["customer_id"]
    denied(gdprkit.decide(policy, rec, "contract", at=AT), "record.invalid")


def test_allowed_baseline_contract(policy):
    d = gdprkit.decide(policy, customer(), "contract", at=AT)
    assert d.allowed is True
    assert d.reasons == ()
    assert d.purpose == "contract"
    assert d.basis == "contract"
    assert isinstance(d.fields, frozenset)
    assert {"customer_id", "email", "phone", "last_purchase_at"} <= d.fields
    # consent flags are meta, contract lists meta
    assert "consent_marketing" in d.fields


# ---------------------------------------------------------------- checks 2-5


def test_02_erasure_requested(policy, ledger):
    ledger.request_erasure("C001", at=utc(2025, 6, 1))
    denied(
        gdprkit.decide(policy, customer(), "contract", at=AT, consents=ledger), "erasure.requested"
    )


def test_02_erasure_not_for_legal_obligation(xpolicy, ledger):
    ledger.request_erasure("C001", at=utc(2025, 6, 1))
    d = gdprkit.decide(xpolicy, customer(), "invoicing", at=AT, consents=ledger)
    assert d.allowed is True, codes(d)


def test_02_erasure_request_after_at_is_not_seen(policy, ledger):
    ledger.request_erasure("C001", at=utc(2025, 7, 1))
    d = gdprkit.decide(policy, customer(), "contract", at=AT, consents=ledger)
    assert d.allowed is True, codes(d)


def test_03_restricted(policy, ledger):
    ledger.restrict("C001", at=utc(2025, 6, 1))
    denied(
        gdprkit.decide(policy, customer(), "contract", at=AT, consents=ledger), "subject.restricted"
    )


def test_03_restriction_lifted(policy, ledger):
    ledger.restrict("C001", at=utc(2025, 6, 1))
    ledger.lift_restriction("C001", at=utc(2025, 6, 10))
    d = gdprkit.decide(policy, customer(), "contract", at=AT, consents=ledger)
    assert d.allowed is True, codes(d)


def test_04_objection_direct_marketing(policy, ledger):
    ledger.object("C001", at=utc(2025, 6, 1))
    denied(
        gdprkit.decide(policy, customer(), "direct_marketing", at=AT, consents=ledger),
        "objection.direct_marketing",
    )


def test_04_objection_to_direct_marketing_does_not_stop_contract(policy, ledger):
    ledger.object("C001", at=utc(2025, 6, 1))
    d = gdprkit.decide(policy, customer(), "contract", at=AT, consents=ledger)
    assert d.allowed is True, codes(d)


def test_05_objection_processing_legitimate_interests(xpolicy, ledger):
    ledger.object("C001", at=utc(2025, 6, 1), purpose="analytics")
    denied(
        gdprkit.decide(xpolicy, customer(), "analytics", at=AT, consents=ledger),
        "objection.processing",
    )


def test_05_objection_naming_contract_purpose_does_not_deny(policy, ledger):
    ledger.object("C001", at=utc(2025, 6, 1), purpose="contract")
    d = gdprkit.decide(policy, customer(), "contract", at=AT, consents=ledger)
    assert d.allowed is True, codes(d)


# ---------------------------------------------------------------- checks 6-7


def test_06_source_not_allowed(policy):
    d = gdprkit.decide(policy, customer(source="purchased_list"), "direct_marketing", at=AT)
    denied(d, "source.not_allowed")


def test_06_source_missing_is_not_allowed(policy):
    rec = customer()
    del rec["source"]
    denied(gdprkit.decide(policy, rec, "direct_marketing", at=AT), "source.not_allowed")


def test_07_when_not_met(policy):
    d = gdprkit.decide(policy, customer(relationship="prospect"), "contract", at=AT)
    denied(d, "basis.not_applicable")


def test_07_when_field_missing(policy):
    rec = customer()
    del rec["relationship"]
    denied(gdprkit.decide(policy, rec, "contract", at=AT), "basis.not_applicable")


# ---------------------------------------------------------------- checks 8-11 (columns)


def test_direct_marketing_allowed_from_columns(policy):
    d = gdprkit.decide(policy, customer(), "direct_marketing", at=AT)
    assert d.allowed is True, codes(d)
    assert d.basis == "consent"
    assert {"first_name", "email", "phone", "purchases_total", "last_purchase_at"} <= d.fields


@pytest.mark.parametrize(
    "flag", [True, 1, "true", "TRUE", "True", "yes", "YES", "sì", "SÌ", "Sì", "si", "SI", "1"]
)
def test_08_truthy_flag_forms(policy, flag):
    d = gdprkit.decide(policy, customer(consent_marketing=flag), "direct_marketing", at=AT)
    assert d.allowed is True, (flag, codes(d))


@pytest.mark.parametrize(
    "flag", [False, 0, "false", "FALSE", "no", "No", "0", "", "maybe", "y", 2, 0.5, None, [True]]
)
def test_08_falsy_or_unknown_flag_is_no_consent(policy, flag):
    d = gdprkit.decide(policy, customer(consent_marketing=flag), "direct_marketing", at=AT)
    denied(d, "consent.missing")


def test_08_flag_absent(policy):
    rec = customer()
    del rec["consent_marketing"]
    denied(gdprkit.decide(policy, rec, "direct_marketing", at=AT), "consent.missing")


def test_08_ledger_purpose_without_ledger(policy):
    d = gdprkit.decide(policy, customer(), "profiling", at=AT)
    denied(d, "consent.missing")


def test_08_ledger_purpose_never_given(policy, ledger):
    d = gdprkit.decide(policy, customer(), "profiling", at=AT, consents=ledger)
    denied(d, "consent.missing")


def test_08_ledger_consent_given_after_at(policy, ledger):
    ledger.give("C001", "profiling", at=utc(2025, 7, 1), evidence=evidence())
    denied(
        gdprkit.decide(policy, customer(), "profiling", at=AT, consents=ledger), "consent.missing"
    )


def test_09_withdrawn(policy, ledger):
    ledger.give("C001", "profiling", at=utc(2025, 1, 1), evidence=evidence())
    ledger.withdraw("C001", "profiling", at=utc(2025, 3, 1))
    denied(
        gdprkit.decide(policy, customer(), "profiling", at=AT, consents=ledger), "consent.withdrawn"
    )


def test_09_withdrawn_exactly_at(policy, ledger):
    ledger.give("C001", "profiling", at=utc(2025, 1, 1), evidence=evidence())
    ledger.withdraw("C001", "profiling", at=AT)
    denied(
        gdprkit.decide(policy, customer(), "profiling", at=AT, consents=ledger), "consent.withdrawn"
    )


def test_09_withdrawn_after_at_still_given(policy, ledger):
    ledger.give("C001", "profiling", at=utc(2025, 1, 1), evidence=evidence())
    ledger.withdraw("C001", "profiling", at=AT + timedelta(seconds=1))
    d = gdprkit.decide(policy, customer(), "profiling", at=AT, consents=ledger)
    assert d.allowed is True, codes(d)


def test_ledger_profiling_allowed(policy, ledger):
    ledger.give("C001", "profiling", at=utc(2025, 1, 1), evidence=evidence())
    d = gdprkit.decide(
        policy, customer(birth_date="1980-05-17"), "profiling", at=AT, consents=ledger
    )
    assert d.allowed is True, codes(d)
    assert {"customer_id", "birth_date", "purchases_total"} <= d.fields


def _valid_for(period, ledger_based=False):
    def mutate(data):
        c = data["purposes"]["direct_marketing"]["consent"]
        c["valid_for"] = period
        if ledger_based:
            data["purposes"]["profiling"]["consent"] = {"valid_for": period}

    return make_policy(mutate)


def test_10_consent_expired_columns():
    pol = _valid_for("P6M")
    rec = customer(consent_marketing_at=utc(2024, 12, 1))
    denied(gdprkit.decide(pol, rec, "direct_marketing", at=AT), "consent.expired")


def test_10_consent_within_valid_for_columns_and_valid_until():
    pol = _valid_for("P6M")
    rec = customer(consent_marketing_at=utc(2025, 3, 1))
    d = gdprkit.decide(pol, rec, "direct_marketing", at=AT)
    assert d.allowed is True, codes(d)
    assert d.valid_until == utc(2025, 9, 1)


def test_10_consent_expired_ledger(ledger):
    pol = _valid_for("P6M", ledger_based=True)
    ledger.give("C001", "profiling", at=utc(2024, 12, 1), evidence=evidence())
    denied(gdprkit.decide(pol, customer(), "profiling", at=AT, consents=ledger), "consent.expired")


def test_11_flag_without_timestamp_is_unproven(policy):
    rec = customer()
    del rec["consent_marketing_at"]
    denied(gdprkit.decide(policy, rec, "direct_marketing", at=AT), "consent.unproven")


@pytest.mark.parametrize("bad", [None, "", "not a date", "2025-13-45"])
def test_11_flag_with_unreadable_timestamp_is_unproven(policy, bad):
    rec = customer(consent_marketing_at=bad)
    denied(gdprkit.decide(policy, rec, "direct_marketing", at=AT), "consent.unproven")


def test_11_ledger_consent_without_evidence_is_unproven(policy, ledger):
    ledger.give("C001", "profiling", at=utc(2025, 1, 1))
    denied(
        gdprkit.decide(policy, customer(), "profiling", at=AT, consents=ledger), "consent.unproven"
    )


def test_11_demonstrable_consent_false(ledger):
    pol = make_policy(lambda d: d["settings"].__setitem__("demonstrable_consent", False))
    ledger.give("C001", "profiling", at=utc(2025, 1, 1))
    d = gdprkit.decide(pol, customer(), "profiling", at=AT, consents=ledger)
    assert d.allowed is True, codes(d)


# ---------------------------------------------------------------- check 12 (Art. 8)


def _born(years_before_at: int, days: int = 0) -> str:
    b = AT.date() - relativedelta(years=years_before_at) + timedelta(days=days)
    return b.isoformat()


def test_12_child_under_italian_age(policy, ledger):
    ledger.give("C001", "profiling", at=utc(2025, 1, 1), evidence=evidence())
    rec = customer(birth_date=_born(14, days=1))  # 13 years old
    denied(gdprkit.decide(policy, rec, "profiling", at=AT, consents=ledger), "consent.child")


def test_12_fourteen_in_italy_is_old_enough(policy, ledger):
    ledger.give("C001", "profiling", at=utc(2025, 1, 1), evidence=evidence())
    rec = customer(birth_date=_born(14, days=-1))
    d = gdprkit.decide(policy, rec, "profiling", at=AT, consents=ledger)
    assert d.allowed is True, codes(d)


def test_12_parental_authorisation(policy, ledger):
    ledger.give("C001", "profiling", at=utc(2025, 1, 1), evidence=evidence(), parental=True)
    rec = customer(birth_date=_born(10))
    d = gdprkit.decide(policy, rec, "profiling", at=AT, consents=ledger)
    assert d.allowed is True, codes(d)


def test_12_subject_country_wins(policy, ledger):
    ledger.give("C001", "profiling", at=utc(2025, 1, 1), evidence=evidence())
    rec = customer(birth_date=_born(15), country="DE")  # DE: 16
    denied(gdprkit.decide(policy, rec, "profiling", at=AT, consents=ledger), "consent.child")


def test_12_controller_country_when_subject_country_absent(policy, ledger):
    ledger.give("C001", "profiling", at=utc(2025, 1, 1), evidence=evidence())
    rec = customer(birth_date=_born(15))
    del rec["country"]
    d = gdprkit.decide(policy, rec, "profiling", at=AT, consents=ledger)
    assert d.allowed is True, codes(d)  # IT: 14


def test_12_birth_date_unknown_no_check(policy, ledger):
    ledger.give("C001", "profiling", at=utc(2025, 1, 1), evidence=evidence())
    d = gdprkit.decide(policy, customer(), "profiling", at=AT, consents=ledger)
    assert d.allowed is True, codes(d)


def test_12_override_age(ledger):
    pol = make_policy(lambda d: d["jurisdictions"]["IT"].__setitem__("age_of_digital_consent", 16))
    ledger.give("C001", "profiling", at=utc(2025, 1, 1), evidence=evidence())
    rec = customer(birth_date=_born(15))
    denied(gdprkit.decide(pol, rec, "profiling", at=AT, consents=ledger), "consent.child")


def test_12_no_information_society_service(ledger):
    pol = make_policy(lambda d: d["controller"].__setitem__("information_society_service", False))
    ledger.give("C001", "profiling", at=utc(2025, 1, 1), evidence=evidence())
    rec = customer(birth_date=_born(10))
    d = gdprkit.decide(pol, rec, "profiling", at=AT, consents=ledger)
    assert d.allowed is True, codes(d)


def test_12_child_with_column_consent(policy):
    rec = customer(birth_date=_born(10))
    denied(gdprkit.decide(policy, rec, "direct_marketing", at=AT), "consent.child")


def test_12_not_applied_to_contract(policy):
    rec = customer(birth_date=_born(10))
    d = gdprkit.decide(policy, rec, "contract", at=AT)
    assert d.allowed is True, codes(d)


# ---------------------------------------------------------------- checks 13-19 (fields)


def test_13_undeclared_field_dropped(policy):
    d = gdprkit.decide(policy, customer(shoe_size=42), "contract", at=AT)
    assert d.allowed is True
    dropped(d, "shoe_size", "field.undeclared")


def test_14_not_needed_dropped(policy):
    d = gdprkit.decide(
        policy, customer(codice_fiscale="RSSMRA85T10A562S"), "direct_marketing", at=AT
    )
    assert d.allowed is True, codes(d)
    dropped(d, "codice_fiscale", "field.not_needed")
    dropped(d, "customer_id", "field.not_needed")
    dropped(d, "country", "field.not_needed")


def test_14_free_text_only_where_listed(policy):
    d = gdprkit.decide(policy, customer(notes="called twice"), "contract", at=AT)
    dropped(d, "notes", "field.not_needed")


def test_14_before_15_special_not_listed(policy):
    d = gdprkit.decide(policy, customer(allergies="nuts"), "contract", at=AT)
    dropped(d, "allergies", "field.not_needed")


def test_15_special_without_condition():
    def mutate(data):
        data["purposes"]["contract"]["categories"].append("special.health")

    pol = make_policy(mutate)
    d = gdprkit.decide(pol, customer(allergies="nuts"), "contract", at=AT)
    assert d.allowed is True, codes(d)
    dropped(d, "allergies", "special.no_condition")


def test_16_consent_not_explicit(policy, ledger):
    ledger.give("C001", "allergy_alerts", at=utc(2025, 1, 1), evidence=evidence(), explicit=False)
    d = gdprkit.decide(policy, customer(allergies="nuts"), "allergy_alerts", at=AT, consents=ledger)
    assert d.allowed is True, codes(d)
    dropped(d, "allergies", "consent.not_explicit")
    assert "email" in d.fields


def test_16_explicit_consent_keeps_special(policy, ledger):
    ledger.give("C001", "allergy_alerts", at=utc(2025, 1, 1), evidence=evidence(), explicit=True)
    d = gdprkit.decide(policy, customer(allergies="nuts"), "allergy_alerts", at=AT, consents=ledger)
    assert d.allowed is True, codes(d)
    assert "allergies" in d.fields


def _criminal(authorised):
    def mutate(data):
        data["fields"]["convictions"] = "criminal"
        data["purposes"]["contract"]["categories"].append("criminal")
        if authorised:
            data["purposes"]["contract"]["criminal"] = "D.lgs. 231/2001 art. 1"

    return make_policy(mutate)


def test_17_criminal_not_authorised():
    d = gdprkit.decide(_criminal(False), customer(convictions="x"), "contract", at=AT)
    assert d.allowed is True, codes(d)
    dropped(d, "convictions", "criminal.not_authorised")


def test_17_criminal_authorised():
    d = gdprkit.decide(_criminal(True), customer(convictions="x"), "contract", at=AT)
    assert "convictions" in d.fields


def test_18_field_retention_expired(policy):
    rec = customer(last_purchase_at=utc(2023, 1, 1))
    d = gdprkit.decide(policy, rec, "direct_marketing", at=AT)
    assert d.allowed is True, codes(d)
    dropped(d, "purchases_total", "retention.expired")
    dropped(d, "last_purchase_at", "retention.expired")
    assert "email" in d.fields


def test_19_field_anchor_missing(policy):
    rec = customer()
    del rec["last_purchase_at"]
    d = gdprkit.decide(policy, rec, "direct_marketing", at=AT)
    assert d.allowed is True, codes(d)
    dropped(d, "purchases_total", "retention.anchor_missing")


def test_19_field_anchor_unreadable(policy):
    rec = customer(last_purchase_at="someday")
    d = gdprkit.decide(policy, rec, "direct_marketing", at=AT)
    assert d.allowed is True, codes(d)
    dropped(d, "purchases_total", "retention.anchor_missing")


# ---------------------------------------------------------------- checks 20-21


def test_20_record_retention_expired(policy):
    rec = customer(last_purchase_at=utc(2014, 1, 1))
    denied(gdprkit.decide(policy, rec, "contract", at=AT), "retention.expired")


def test_20_record_retention_expired_direct_marketing(policy):
    rec = customer(consent_marketing_at=utc(2023, 6, 1), last_purchase_at=utc(2025, 1, 1))
    denied(gdprkit.decide(policy, rec, "direct_marketing", at=AT), "retention.expired")


def test_20_record_anchor_missing(policy):
    rec = customer()
    del rec["last_purchase_at"]
    denied(gdprkit.decide(policy, rec, "contract", at=AT), "retention.anchor_missing")


def test_20_record_anchor_missing_ledger_purpose(policy, ledger):
    ledger.give("C001", "allergy_alerts", at=utc(2025, 1, 1), evidence=evidence(), explicit=True)
    rec = customer()
    del rec["consent_marketing_at"]
    d = gdprkit.decide(policy, rec, "allergy_alerts", at=AT, consents=ledger)
    denied(d, "retention.anchor_missing")


def test_21_required_field_missing(policy):
    rec = customer()
    del rec["email"]
    denied(gdprkit.decide(policy, rec, "direct_marketing", at=AT), "purpose.required_field_missing")


def test_21_required_field_dropped():
    def mutate(data):
        data["purposes"]["direct_marketing"]["requires"] = ["email", "purchases_total"]

    pol = make_policy(mutate)
    rec = customer(last_purchase_at=utc(2022, 1, 1))  # purchases_total dropped: retention.expired
    d = gdprkit.decide(pol, rec, "direct_marketing", at=AT)
    denied(d, "purpose.required_field_missing")


# ---------------------------------------------------------------- order


def test_order_erasure_before_restriction_before_objection(policy, ledger):
    ledger.object("C001", at=utc(2025, 5, 1))
    ledger.restrict("C001", at=utc(2025, 5, 2))
    d = gdprkit.decide(policy, customer(), "direct_marketing", at=AT, consents=ledger)
    assert codes(d)[0] == "subject.restricted"
    ledger.request_erasure("C001", at=utc(2025, 5, 3))
    d = gdprkit.decide(policy, customer(), "direct_marketing", at=AT, consents=ledger)
    assert codes(d)[0] == "erasure.requested"


def test_order_record_invalid_first(policy, ledger):
    ledger.request_erasure("C001", at=utc(2025, 5, 3))
    rec = customer(source="x", consent_marketing=False)
    del rec["customer_id"]
    d = gdprkit.decide(policy, rec, "direct_marketing", at=AT, consents=ledger)
    assert codes(d)[0] == "record.invalid"


def test_order_objection_before_source(policy, ledger):
    ledger.object("C001", at=utc(2025, 5, 1))
    rec = customer(source="purchased_list")
    d = gdprkit.decide(policy, rec, "direct_marketing", at=AT, consents=ledger)
    assert codes(d)[0] == "objection.direct_marketing"


def test_order_source_before_consent(policy):
    rec = customer(source="purchased_list", consent_marketing=False)
    assert codes(gdprkit.decide(policy, rec, "direct_marketing", at=AT))[0] == "source.not_allowed"


def test_order_when_before_retention(policy):
    rec = customer(relationship="prospect", last_purchase_at=utc(2000, 1, 1))
    assert codes(gdprkit.decide(policy, rec, "contract", at=AT))[0] == "basis.not_applicable"


def test_order_consent_missing_before_required_field(policy):
    rec = customer(consent_marketing="no")
    del rec["email"]
    assert codes(gdprkit.decide(policy, rec, "direct_marketing", at=AT))[0] == "consent.missing"


def test_order_withdrawn_before_unproven(policy, ledger):
    ledger.give("C001", "profiling", at=utc(2025, 1, 1))
    ledger.withdraw("C001", "profiling", at=utc(2025, 2, 1))
    d = gdprkit.decide(policy, customer(), "profiling", at=AT, consents=ledger)
    assert codes(d)[0] == "consent.withdrawn"


def test_order_unproven_before_child(policy):
    rec = customer(birth_date=_born(10))
    del rec["consent_marketing_at"]
    assert codes(gdprkit.decide(policy, rec, "direct_marketing", at=AT))[0] == "consent.unproven"


def test_order_child_before_record_retention(policy, ledger):
    ledger.give("C001", "allergy_alerts", at=utc(2025, 1, 1), evidence=evidence(), explicit=True)
    rec = customer(birth_date=_born(10), consent_marketing_at=utc(2020, 1, 1))
    d = gdprkit.decide(policy, rec, "allergy_alerts", at=AT, consents=ledger)
    assert codes(d)[0] == "consent.child"


def test_order_record_retention_before_required(policy):
    rec = customer(consent_marketing_at=utc(2020, 1, 1))
    del rec["email"]
    # consent at 2020 is five years old: record-level rule of direct_marketing expired
    assert codes(gdprkit.decide(policy, rec, "direct_marketing", at=AT))[0] == "retention.expired"


def test_unknown_purpose_is_an_error(policy):
    with pytest.raises((gdprkit.GdprkitError, KeyError, ValueError)):
        gdprkit.decide(policy, customer(), "no_such_purpose", at=AT)


def test_messages_hold_no_personal_values(policy):
    rec = customer(email="secret.person@example.it", source="leaked_list_mario")
    d = gdprkit.decide(policy, rec, "direct_marketing", at=AT)
    for r in d.reasons:
        assert "secret.person" not in r.message
        assert "leaked_list_mario" not in r.message
    rec = customer(consent_marketing_at="garbage-123-unique")
    d = gdprkit.decide(policy, rec, "direct_marketing", at=AT)
    for r in (*d.reasons, *d.dropped.values()):
        assert "garbage-123-unique" not in r.message


# ---------------------------------------------------------------- national caps


def _caps(purpose, period, country="IT", extension=None):
    def mutate(data):
        data["controller"]["country"] = country
        rules = data["purposes"][purpose]["retention"]
        for r in rules:
            if r.get("categories") == ["commercial.purchase_history"]:
                r["period"] = period
        data["jurisdictions"]["IT"]["extensions"] = (
            [{"purpose": purpose, "period": extension, "reference": "ref"}] if extension else []
        )

    return make_policy(mutate)


def _profiling_decision(pol, last_purchase, ledger):
    ledger.give("C001", "profiling", at=utc(2025, 1, 1), evidence=evidence())
    rec = customer(last_purchase_at=last_purchase)
    return gdprkit.decide(pol, rec, "profiling", at=AT, consents=ledger)


def test_cap_profiling_12_months_in_italy(ledger):
    pol = _caps("profiling", "P36M")
    d = _profiling_decision(pol, AT - relativedelta(months=13), ledger)
    assert d.allowed is True, codes(d)
    dropped(d, "purchases_total", "retention.expired")


def test_cap_profiling_within_12_months(ledger):
    pol = _caps("profiling", "P36M")
    d = _profiling_decision(pol, AT - relativedelta(months=11), ledger)
    assert "purchases_total" in d.fields
    assert d.valid_until == AT - relativedelta(months=11) + relativedelta(months=12)


def test_cap_not_applied_outside_italy(ledger):
    pol = _caps("profiling", "P36M", country="DE")
    d = _profiling_decision(pol, AT - relativedelta(months=13), ledger)
    assert "purchases_total" in d.fields, d.dropped


def test_cap_extension_replaces_cap(ledger):
    pol = _caps("profiling", "P36M", extension="P7Y")
    d = _profiling_decision(pol, AT - relativedelta(months=13), ledger)
    assert "purchases_total" in d.fields, d.dropped


def test_cap_extension_shorter_of_rule_and_extension(ledger):
    pol = _caps("profiling", "P36M", extension="P7Y")
    d = _profiling_decision(pol, AT - relativedelta(months=37), ledger)
    dropped(d, "purchases_total", "retention.expired")


def test_cap_extension_shorter_than_rule(ledger):
    pol = _caps("profiling", "P36M", extension="P18M")
    d = _profiling_decision(pol, AT - relativedelta(months=19), ledger)
    dropped(d, "purchases_total", "retention.expired")


def test_design_policy_profiling_is_12_months(policy, ledger):
    d = _profiling_decision(policy, AT - relativedelta(months=13), ledger)
    dropped(d, "purchases_total", "retention.expired")


def test_cap_direct_marketing_24_months():
    pol = _caps("direct_marketing", "P48M")
    rec = customer(last_purchase_at=AT - relativedelta(months=25))
    d = gdprkit.decide(pol, rec, "direct_marketing", at=AT)
    assert d.allowed is True, codes(d)
    dropped(d, "purchases_total", "retention.expired")
    rec = customer(last_purchase_at=AT - relativedelta(months=23))
    assert "purchases_total" in gdprkit.decide(pol, rec, "direct_marketing", at=AT).fields


def test_cap_without_rule_naming_purchase_history_fails_closed(ledger):
    def mutate(data):
        data["purposes"]["profiling"]["retention"] = []

    pol = make_policy(mutate)
    d = _profiling_decision(pol, AT - relativedelta(months=1), ledger)
    assert d.allowed is True, codes(d)
    dropped(d, "purchases_total", "retention.anchor_missing")


# ---------------------------------------------------------------- time parsing


def test_dayfirst_for_non_iso_strings(policy):
    # 03/04/2023 is 3 April 2023 -> record rule of 24 months ends 3 April 2025
    at = utc(2025, 3, 20)
    rec = customer(consent_marketing_at="03/04/2023", last_purchase_at=utc(2025, 1, 1))
    d = gdprkit.decide(policy, rec, "direct_marketing", at=at)
    assert d.allowed is True, codes(d)
    assert d.valid_until == datetime(2025, 4, 3, tzinfo=ROME)


def test_monthfirst_when_dayfirst_false():
    pol = make_policy(lambda d: d["settings"].__setitem__("dayfirst", False))
    at = utc(2025, 3, 20)
    rec = customer(consent_marketing_at="03/04/2023", last_purchase_at=utc(2025, 1, 1))
    d = gdprkit.decide(pol, rec, "direct_marketing", at=at)
    denied(d, "retention.expired")  # 4 March 2023 + 24 months < 20 March 2025


def test_iso_strings_ignore_dayfirst(policy):
    rec = customer(consent_marketing_at="2023-04-03", last_purchase_at=utc(2025, 1, 1))
    d = gdprkit.decide(policy, rec, "direct_marketing", at=utc(2025, 3, 20))
    assert d.allowed is True, codes(d)
    assert d.valid_until == datetime(2025, 4, 3, tzinfo=ROME)


def test_naive_values_in_policy_timezone(policy):
    rec = customer(consent_marketing_at="2023-04-03T00:30:00", last_purchase_at=utc(2025, 1, 1))
    d = gdprkit.decide(policy, rec, "direct_marketing", at=utc(2025, 4, 2, 22, 0))
    assert d.allowed is True, codes(d)
    assert d.valid_until == datetime(2025, 4, 3, 0, 30, tzinfo=ROME)
    d = gdprkit.decide(policy, rec, "direct_marketing", at=utc(2025, 4, 2, 23, 0))
    denied(d, "retention.expired")


def test_naive_datetime_object_in_policy_timezone(policy):
    rec = customer(
        consent_marketing_at=datetime(2023, 4, 3, 0, 30), last_purchase_at=utc(2025, 1, 1)
    )
    d = gdprkit.decide(policy, rec, "direct_marketing", at=utc(2025, 4, 2, 23, 0))
    denied(d, "retention.expired")


def test_date_object_in_policy_timezone(policy):
    rec = customer(consent_marketing_at=date(2023, 4, 3), last_purchase_at=utc(2025, 1, 1))
    d = gdprkit.decide(policy, rec, "direct_marketing", at=utc(2025, 3, 1))
    assert d.valid_until == datetime(2025, 4, 3, tzinfo=ROME)


def test_default_timezone_is_utc():
    pol = make_policy(lambda d: d.pop("settings"))
    rec = customer(consent_marketing_at="2023-04-03T00:30:00", last_purchase_at=utc(2025, 1, 1))
    d = gdprkit.decide(pol, rec, "direct_marketing", at=utc(2025, 4, 2, 23, 0))
    assert d.allowed is True, codes(d)
    assert d.valid_until == utc(2025, 4, 3, 0, 30)


def test_naive_at_is_an_error(policy):
    with pytest.raises((gdprkit.GdprkitError, ValueError, TypeError)):
        gdprkit.decide(policy, customer(), "contract", at=datetime(2025, 6, 15, 12, 0))


def test_at_none_reads_current_time(policy):
    now = datetime.now(UTC)
    rec = customer(
        last_purchase_at=now - timedelta(days=1), consent_marketing_at=now - timedelta(days=2)
    )
    assert gdprkit.decide(policy, rec, "direct_marketing").allowed is True
    rec = customer(
        last_purchase_at=now + timedelta(days=1), consent_marketing_at=now - timedelta(days=800)
    )
    d = gdprkit.decide(policy, rec, "direct_marketing")
    assert codes(d)[0] == "retention.expired"


# ---------------------------------------------------------------- Decision fields / apply


def test_valid_until_earliest_deadline(policy):
    rec = customer(consent_marketing_at=utc(2024, 1, 10), last_purchase_at=utc(2024, 6, 1))
    d = gdprkit.decide(policy, rec, "direct_marketing", at=AT)
    assert d.valid_until == utc(2026, 1, 10)
    rec = customer(consent_marketing_at=utc(2024, 6, 10), last_purchase_at=utc(2024, 1, 1))
    d = gdprkit.decide(policy, rec, "direct_marketing", at=AT)
    assert d.valid_until == utc(2026, 1, 1)


def test_valid_until_contract(policy):
    d = gdprkit.decide(policy, customer(last_purchase_at=utc(2024, 2, 29)), "contract", at=AT)
    assert d.valid_until == utc(2034, 2, 28)  # calendar arithmetic (relativedelta)


def test_valid_until_none_when_nothing_expires():
    def mutate(data):
        data["purposes"]["contract"]["retention"] = []

    pol = make_policy(mutate)
    d = gdprkit.decide(pol, customer(), "contract", at=AT)
    assert d.allowed is True, codes(d)
    assert d.valid_until is None


def test_apply_returns_allowed_fields(policy):
    rec = customer(codice_fiscale="RSSMRA85T10A562S", shoe_size=3)
    d = gdprkit.decide(policy, rec, "direct_marketing", at=AT)
    out = d.apply(rec)
    assert isinstance(out, dict)
    assert set(out) == set(d.fields) & set(rec)
    assert out["email"] == rec["email"]
    assert "codice_fiscale" not in out
    assert "shoe_size" not in out


def test_apply_transforms(policy, ledger, keys):
    ledger.give("C001", "profiling", at=utc(2025, 1, 1), evidence=evidence())
    rec = customer(birth_date="1980-05-17")
    d = gdprkit.decide(policy, rec, "profiling", at=AT, consents=ledger)
    out = d.apply(rec, keys=keys)
    assert out["customer_id"] == gdprkit.pseudonymise(
        "C001", keys=keys, category="identity.customer_id"
    )
    assert out["customer_id"] != "C001"
    assert str(out["birth_date"]) == "1980"
    assert out["purchases_total"] == 250
    assert "email" not in out


def test_apply_transform_without_keys_fails(policy, ledger):
    ledger.give("C001", "profiling", at=utc(2025, 1, 1), evidence=evidence())
    rec = customer()
    d = gdprkit.decide(policy, rec, "profiling", at=AT, consents=ledger)
    with pytest.raises(gdprkit.GdprkitError):
        d.apply(rec)


def test_transform_domain():
    def mutate(data):
        data["purposes"]["profiling"]["transform"]["customer_id"] = {
            "method": "token",
            "domain": "analytics",
        }

    pol = make_policy(mutate)
    keys = gdprkit.KeyRing({"k1": bytes(range(32))}, active="k1")
    led = gdprkit.ConsentLedger()
    led.give("C001", "profiling", at=utc(2025, 1, 1), evidence=evidence())
    rec = customer()
    out = gdprkit.decide(pol, rec, "profiling", at=AT, consents=led).apply(rec, keys=keys)
    assert out["customer_id"] == gdprkit.pseudonymise(
        "C001", keys=keys, domain="analytics", category="identity.customer_id"
    )
    assert out["customer_id"] != gdprkit.pseudonymise(
        "C001", keys=keys, category="identity.customer_id"
    )


def test_decision_denied_fields_empty(policy):
    d = gdprkit.decide(policy, customer(relationship="x"), "contract", at=AT)
    assert d.fields == frozenset()


def test_cap_rule_on_parent_category_is_capped(ledger):
    def mutate(data):
        data["purposes"]["profiling"]["retention"] = [
            {"categories": ["commercial"], "period": "P36M", "from": "last_purchase_at"}
        ]
        data["jurisdictions"]["IT"]["extensions"] = []

    d = _profiling_decision(make_policy(mutate), AT - relativedelta(months=13), ledger)
    dropped(d, "purchases_total", "retention.expired")


def test_cap_extension_only_for_its_purpose():
    def mutate(data):
        data["purposes"]["direct_marketing"]["retention"][1]["period"] = "P48M"
        data["jurisdictions"]["IT"]["extensions"] = [
            {"purpose": "profiling", "period": "P7Y", "reference": "r"}
        ]

    pol = make_policy(mutate)
    rec = customer(last_purchase_at=AT - relativedelta(months=25))
    d = gdprkit.decide(pol, rec, "direct_marketing", at=AT)
    dropped(d, "purchases_total", "retention.expired")


def test_direct_marketing_without_purchase_rule_fails_closed_in_italy():
    # Revision 2 (§5): a record-level rule also covers the purchase details, so fail closed
    # means no rule at all covers them.
    def mutate(data):
        data["purposes"]["direct_marketing"]["retention"] = []

    d = gdprkit.decide(make_policy(mutate), customer(), "direct_marketing", at=AT)
    assert d.allowed is True, codes(d)
    dropped(d, "purchases_total", "retention.anchor_missing")


def test_a_record_level_rule_caps_purchase_details_in_italy():
    # Revision 2 (§5): the purchase details get the shorter of the record rule's period and
    # the Garante's 24 months, from the rule's own anchor; the rest keeps the rule's period.
    def mutate(data):
        data["purposes"]["direct_marketing"]["retention"] = [
            {"period": "P5Y", "from": "consent_marketing_at"}
        ]

    rec = customer(consent_marketing_at=AT - relativedelta(months=25))
    d = gdprkit.decide(make_policy(mutate), rec, "direct_marketing", at=AT)
    assert d.allowed is True, codes(d)
    dropped(d, "purchases_total", "retention.expired")
    assert "email" in d.fields
    recent = customer(consent_marketing_at=AT - relativedelta(months=23))
    assert (
        "purchases_total"
        in gdprkit.decide(make_policy(mutate), recent, "direct_marketing", at=AT).fields
    )


def test_no_fail_closed_outside_italy():
    def mutate(data):
        data["controller"]["country"] = "DE"
        data["purposes"]["direct_marketing"]["retention"].pop(1)

    d = gdprkit.decide(make_policy(mutate), customer(), "direct_marketing", at=AT)
    assert "purchases_total" in d.fields, d.dropped


def test_16_column_consent_without_explicit_setting_is_not_explicit():
    def mutate(data):
        data["purposes"]["allergy_alerts"]["consent"] = {
            "field": "consent_marketing",
            "at": "consent_marketing_at",
        }

    d = gdprkit.decide(make_policy(mutate), customer(allergies="nuts"), "allergy_alerts", at=AT)
    assert d.allowed is True, codes(d)
    dropped(d, "allergies", "consent.not_explicit")


def test_15_other_special_condition_keeps_special_field():
    def mutate(data):
        data["purposes"]["care"] = {
            "basis": "contract",
            "special": "health_care",
            "categories": ["identity", "special.health"],
            "retention": [{"period": "P10Y", "from": "last_purchase_at"}],
        }

    d = gdprkit.decide(make_policy(mutate), customer(allergies="nuts"), "care", at=AT)
    assert d.allowed is True, codes(d)
    assert "allergies" in d.fields


def test_04_objection_to_direct_marketing_stops_marketing_profiling(policy, ledger):
    # Revision 2, check 4: profiling: true without an explicit direct_marketing: false is
    # profiling related to direct marketing (Art. 21(2)).
    ledger.give("C001", "profiling", at=utc(2025, 1, 1), evidence=evidence())
    ledger.object("C001", at=utc(2025, 6, 1))
    d = gdprkit.decide(policy, customer(), "profiling", at=AT, consents=ledger)
    assert d.allowed is False
    assert codes(d) == ["objection.direct_marketing"]


def test_04_objection_spares_profiling_declared_not_direct_marketing(ledger):
    def mutate(data):
        data["purposes"]["profiling"]["direct_marketing"] = False

    ledger.give("C001", "profiling", at=utc(2025, 1, 1), evidence=evidence())
    ledger.object("C001", at=utc(2025, 6, 1))
    d = gdprkit.decide(make_policy(mutate), customer(), "profiling", at=AT, consents=ledger)
    assert d.allowed is True, codes(d)


def test_04_objection_naming_the_marketing_purpose(policy, ledger):
    ledger.object("C001", at=utc(2025, 6, 1), purpose="direct_marketing")
    d = gdprkit.decide(policy, customer(), "direct_marketing", at=AT, consents=ledger)
    assert d.allowed is False


def test_05_objection_naming_consent_purpose_is_not_check_5(policy, ledger):
    ledger.give("C001", "profiling", at=utc(2025, 1, 1), evidence=evidence())
    ledger.object("C001", at=utc(2025, 6, 1), purpose="profiling")
    d = gdprkit.decide(policy, customer(), "profiling", at=AT, consents=ledger)
    assert "objection.processing" not in codes(d)


def test_05_public_task(ledger):
    def mutate(data):
        data["purposes"]["census"] = {
            "basis": "public_task",
            "categories": ["identity.customer_id"],
        }

    pol = make_policy(mutate)
    assert gdprkit.decide(pol, customer(), "census", at=AT, consents=ledger).allowed
    ledger.object("C001", at=utc(2025, 6, 1), purpose="census")
    denied(
        gdprkit.decide(pol, customer(), "census", at=AT, consents=ledger), "objection.processing"
    )


def test_05_objection_to_other_purpose_does_not_deny(xpolicy, ledger):
    ledger.object("C001", at=utc(2025, 6, 1), purpose="contract")
    assert gdprkit.decide(xpolicy, customer(), "analytics", at=AT, consents=ledger).allowed
