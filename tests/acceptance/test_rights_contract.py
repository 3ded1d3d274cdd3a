"""§11 storage limitation and rights: sweep, erasure_plan, access_report, portability_export."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

import gdprkit

from .conftest import AT, customer, evidence, make_policy, utc

IDENTIFYING_ROOTS = ("identity", "contact", "online", "special", "criminal", "free_text")


def full(**over):
    rec = customer(
        consent_marketing=False,
        notes="prefers morning deliveries",
        allergies="nuts",
        birth_date="1980-05-17",
        codice_fiscale="RSSMRA85T10A562S",
    )
    rec.update(over)
    return rec


def one(policy, rec, **kw):
    # A sweep evaluates every purpose: the design policy's ledger-consent purposes need a source
    # (design.md §9), an empty ledger when the test gives none.
    kw.setdefault("consents", gdprkit.ConsentLedger())
    actions = list(gdprkit.sweep(policy, [rec], at=AT, **kw))
    assert len(actions) == 1
    a = actions[0]
    assert isinstance(a, gdprkit.SweepAction)
    return a


def test_sweep_customer_keeps_contract_fields(policy):
    a = one(policy, full())
    assert a.subject == "C001"
    assert a.delete is False
    assert isinstance(a.erase, frozenset)
    assert a.erase == {"notes", "allergies", "birth_date"}
    assert not a.anonymous
    assert a.review_at == utc(2035, 1, 10)  # contract: 10 years from last_purchase_at


def test_sweep_erase_only_fields_with_value(policy):
    a = one(policy, full(notes=None, allergies=None))
    assert a.erase == {"birth_date"}


def test_sweep_second_pass_has_nothing_to_do(policy):
    rec = full()
    a = one(policy, rec)
    after = {k: v for k, v in rec.items() if k not in a.erase}
    b = one(policy, after)
    assert b.erase == frozenset()
    assert b.delete is False
    after_none = {k: (None if k in a.erase else v) for k, v in rec.items()}
    assert one(policy, after_none).erase == frozenset()


def test_sweep_no_purpose_deletes_with_anonymous_copy(policy):
    rec = full(relationship="prospect", last_purchase_at=utc(2025, 5, 17, 10, 30))
    a = one(policy, rec)
    assert a.delete is True
    assert a.review_at is None
    anon = a.anonymous
    assert anon is not None
    assert "last_purchase_at" in anon
    assert "purchases_total" in anon
    assert "2025-05" in str(anon["last_purchase_at"])
    assert "17" not in str(anon["last_purchase_at"])
    field_cats = {
        "customer_id": "identity",
        "first_name": "identity",
        "last_name": "identity",
        "email": "contact",
        "phone": "contact",
        "codice_fiscale": "identity",
        "notes": "free_text",
        "allergies": "special",
    }
    for f in field_cats:
        assert f not in anon
    json.dumps(anon, default=str)


def test_sweep_expired_purchase_history_is_anonymised(policy):
    # a customer whose contract retention ran out long ago: everything goes
    rec = full(last_purchase_at=utc(2010, 3, 4))
    a = one(policy, rec)
    assert a.delete is True
    assert "purchases_total" in a.anonymous
    assert "2010-03" in str(a.anonymous["last_purchase_at"])


def test_sweep_without_anonymise_rule_no_anonymous_copy():
    def mutate(data):
        for p in data["purposes"].values():
            for r in p.get("retention", []):
                r.pop("then", None)

    pol = make_policy(mutate)
    a = one(pol, full(relationship="prospect"))
    assert a.delete is True
    assert not a.anonymous


def test_sweep_restricted_keeps_everything(policy, ledger):
    ledger.restrict("C001", at=utc(2025, 1, 1))
    a = one(policy, full(relationship="prospect"), consents=ledger)
    assert a.delete is False
    assert a.erase == frozenset()
    assert a.review_at is None


def test_sweep_meta_never_erased_on_its_own(policy):
    a = one(policy, full())
    for f in ("country", "source", "relationship", "consent_marketing", "consent_marketing_at"):
        assert f not in a.erase


def test_sweep_ledger_consent_keeps_fields(policy, ledger):
    ledger.give("C001", "profiling", at=utc(2025, 1, 1), evidence=evidence())
    ledger.give("C001", "allergy_alerts", at=utc(2025, 1, 1), evidence=evidence(), explicit=True)
    a = one(policy, full(consent_marketing_at=utc(2025, 1, 5)), consents=ledger)
    assert a.erase == {"notes"}


def test_sweep_is_lazy_iterator(policy):
    it = gdprkit.sweep(
        policy, iter([full(), full(customer_id="C2")]), at=AT, consents=gdprkit.ConsentLedger()
    )
    assert iter(it) is it
    assert [a.subject for a in it] == ["C001", "C2"]


# ---------------------------------------------------------------- erasure_plan


def _legal(data):
    data["purposes"]["invoicing"] = {
        "basis": "legal_obligation",
        "categories": ["identity.customer_id", "identity.name", "commercial"],
        "retention": [{"period": "P10Y", "from": "last_purchase_at"}],
    }


def test_erasure_plan_keeps_legal_obligation_fields():
    pol = make_policy(_legal)
    plan = gdprkit.erasure_plan(pol, full(), at=AT)
    assert isinstance(plan, gdprkit.ErasurePlan)
    assert isinstance(plan.erase, frozenset)
    deadline = utc(2035, 1, 10)
    for f in ("customer_id", "first_name", "last_name", "purchases_total", "last_purchase_at"):
        assert plan.keep[f] == deadline
    for f in ("email", "phone", "notes", "allergies", "birth_date", "codice_fiscale"):
        assert f in plan.erase
    assert not (set(plan.erase) & set(plan.keep))
    assert {r.field for r in plan.reasons} == set(plan.keep)
    for r in plan.reasons:
        assert r.code == "erasure.exception"
        assert r.article == "Art. 17(3)(b)"


def test_erasure_plan_without_legal_obligation(policy):
    plan = gdprkit.erasure_plan(policy, full(), at=AT)
    assert dict(plan.keep) == {}
    assert {"email", "customer_id", "notes", "purchases_total"} <= plan.erase
    assert plan.reasons == () or list(plan.reasons) == []


def test_erasure_plan_keep_none_when_unbounded():
    def mutate(data):
        data["purposes"]["register"] = {
            "basis": "legal_obligation",
            "categories": ["identity.national_id"],
        }

    pol = make_policy(mutate)
    plan = gdprkit.erasure_plan(pol, full(), at=AT)
    assert "codice_fiscale" in plan.keep
    assert plan.keep["codice_fiscale"] is None


def test_erasure_plan_only_fields_with_value():
    pol = make_policy(_legal)
    plan = gdprkit.erasure_plan(pol, full(notes=None), at=AT)
    assert "notes" not in plan.erase


# ---------------------------------------------------------------- access / portability


def test_access_report_shape(policy):
    rec = full(consent_marketing=True, consent_marketing_at=utc(2025, 1, 5))
    rep = gdprkit.access_report(policy, [rec], at=AT)
    json.dumps(rep)  # JSON-ready
    assert isinstance(rep["controller"], dict)
    assert "Arredamenti Rossi S.r.l." in json.dumps(rep["controller"])
    assert datetime.fromisoformat(rep["generated_at"]) == AT
    (r,) = rep["records"]
    assert r["subject"] == "C001"
    assert r["source"] == "web_form"
    email = r["fields"]["email"]
    assert email["value"] == "mario.rossi@example.it"
    assert email["category"] == "contact.email"
    assert set(email["purposes"]) == {"contract", "direct_marketing"}
    assert email["purposes"]["contract"]["basis"] == "contract"
    assert datetime.fromisoformat(email["purposes"]["contract"]["until"]) == utc(2035, 1, 10)
    assert email["purposes"]["direct_marketing"]["basis"] == "consent"
    assert datetime.fromisoformat(email["purposes"]["direct_marketing"]["until"]) == utc(2027, 1, 5)
    assert r["fields"]["notes"]["purposes"] == {}
    assert r["fields"]["notes"]["category"] == "free_text"
    assert isinstance(r["fields"]["last_purchase_at"]["value"], str)
    assert datetime.fromisoformat(r["fields"]["last_purchase_at"]["value"]) == utc(2025, 1, 10)


def test_access_report_several_records(policy):
    rep = gdprkit.access_report(policy, [full(), full(source="store")], at=AT)
    assert [r["source"] for r in rep["records"]] == ["web_form", "store"]


def test_portability_export(policy, ledger):
    ledger.give("C001", "profiling", at=utc(2025, 1, 1), evidence=evidence())
    rep = gdprkit.portability_export(policy, [full()], at=AT, consents=ledger)
    json.dumps(rep)
    assert isinstance(rep["controller"], dict)
    assert datetime.fromisoformat(rep["generated_at"]) == AT
    (r,) = rep["records"]
    assert r["email"] == "mario.rossi@example.it"
    assert r["customer_id"] == "C001"
    assert "birth_date" in r  # profiling (consent) may process it
    assert "notes" not in r
    assert "allergies" not in r
    assert datetime.fromisoformat(r["last_purchase_at"]) == utc(2025, 1, 10)


def test_portability_excludes_legal_obligation_only():
    pol = make_policy(_legal)
    rep = gdprkit.portability_export(pol, [full(relationship="prospect")], at=AT)
    for r in rep["records"]:
        assert "customer_id" not in r
        assert "purchases_total" not in r


@pytest.mark.parametrize("fn", [gdprkit.access_report, gdprkit.portability_export])
def test_reports_accept_at_none(policy, fn):
    rep = fn(policy, [full()])
    json.dumps(rep)


def test_sweep_anonymous_dates_generalised_to_month():
    """§11: anonymous copy has "dates generalised to the month" (birth dates included)."""

    def mutate(data):
        data["purposes"]["profiling"]["retention"].append(
            {
                "categories": ["demographic"],
                "period": "P12M",
                "from": "last_purchase_at",
                "then": "anonymise",
            }
        )

    pol = make_policy(mutate)
    a = one(pol, full(relationship="prospect", birth_date="1980-05-17"))
    assert a.delete is True
    assert "birth_date" in a.anonymous
    assert str(a.anonymous["birth_date"]) == "1980-05"


def test_sweep_without_a_source_for_ledger_consent_purposes_is_refused(policy):
    with pytest.raises(gdprkit.ConfigurationError, match="consent source"):
        list(gdprkit.sweep(policy, [full()], at=AT))
