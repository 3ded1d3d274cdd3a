"""Storage limitation (design.md §11) as tables of situations, one row per rule that bites.

Each row is a record of the design policy's CRM (or of a variant), what the consent ledger
holds, and what the law says a sweep must do to it at that moment: which fields go, why, what
the anonymous copy holds, whether the whole record goes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rights_policies import AT, DESIGN, SUBJECT, WITH_ACCOUNTING, customer, lead, variant

from gdprkit import ARTICLES, ConfigurationError, ConsentLedger, Evidence, Policy
from gdprkit._rights import RIGHTS_ARTICLES, erasure_plan, sweep

ROME = ZoneInfo("Europe/Rome")
EVIDENCE = Evidence("web_form", notice_version="2025-01")
Ledger = Callable[[ConsentLedger], object]

PERSONAL = frozenset(
    {
        "customer_id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "codice_fiscale",
        "birth_date",
        "last_purchase_at",
        "purchases_total",
    }
)


def profiling_consent(ledger: ConsentLedger) -> None:
    ledger.give(SUBJECT, "profiling", at=AT - timedelta(days=60), evidence=EVIDENCE)


def profiling_withdrawn(ledger: ConsentLedger) -> None:
    profiling_consent(ledger)
    ledger.withdraw(SUBJECT, "profiling", at=AT - timedelta(days=10))


def erasure(days: int = 5) -> Ledger:
    return lambda ledger: ledger.request_erasure(SUBJECT, at=AT - timedelta(days=days))


def restricted(ledger: ConsentLedger) -> None:
    ledger.restrict(SUBJECT, at=AT - timedelta(days=3))


def objection(ledger: ConsentLedger) -> None:
    ledger.object(SUBJECT, at=AT - timedelta(days=3))


def _profiling_36_months(raw: dict[str, Any]) -> None:
    raw["purposes"]["profiling"]["retention"][0]["period"] = "P36M"


def _no_extension(raw: dict[str, Any]) -> None:
    _profiling_36_months(raw)
    del raw["jurisdictions"]


#: Profiling keeps purchase details 36 months; the Garante's extension (7 years) allows it.
PROFILING_36_EXTENDED = variant(_profiling_36_months)
#: The same without the extension: the Garante's 12-month cap bites.
PROFILING_36_CAPPED = variant(_no_extension)


@dataclass
class Case:
    id: str
    record: dict[str, Any]
    policy: Policy = field(default_factory=lambda: DESIGN)
    ledger: Ledger | None = None
    at: datetime = AT
    delete: bool = False
    erase: frozenset[str] = frozenset()
    anonymous: dict[str, Any] | None = None
    codes: dict[str, str] = field(default_factory=dict)  # field -> reason code expected
    record_code: str | None = None  # the record-level reason expected
    review_at: datetime | str | None = "any"


DELETED_PURCHASES = {"last_purchase_at": "2025-03", "purchases_total": 412.5}

CASES = [
    # Lead vs customer: the contract keeps a customer's data; a lead lives on consent alone.
    Case(
        "customer: the contract keeps all it lists, the newsletter the Art. 8 fields it reads",
        customer(),
        review_at=datetime(2027, 1, 15, 10, 0, tzinfo=ZoneInfo("Europe/Rome")),
    ),
    Case(
        "customer without marketing consent: the birth date goes",
        customer(consent_marketing="no"),
        erase=frozenset({"birth_date"}),
        codes={"birth_date": "consent.missing"},
    ),
    # Art. 8: a purpose keeping the record reads the birth date and the country; erasing the
    # birth date would switch its check off, and a minor would pass tomorrow.
    Case(
        "lead with marketing consent: the birth date and country of the Art. 8 check stay",
        lead(codice_fiscale=None),
        review_at="any",
    ),
    Case(
        "a minor kept by the contract, denied the newsletter (consent.child): birth date stays",
        customer(birth_date="2015-04-01", country="IT"),
        review_at="any",
    ),
    Case(
        "customer with profiling consent: nothing goes",
        customer(),
        ledger=profiling_consent,
        review_at=datetime(2026, 3, 10, tzinfo=ROME),
    ),
    Case(
        "lead with marketing consent: what the newsletter needs stays, with its subject id",
        lead(),
        erase=frozenset({"codice_fiscale"}),
        codes={"codice_fiscale": "basis.not_applicable"},
    ),
    Case(
        "lead without consent: deleted, purchase details anonymised",
        lead(consent_marketing="no"),
        delete=True,
        erase=PERSONAL,
        anonymous=DELETED_PURCHASES,
        codes={"email": "consent.missing", "customer_id": "consent.missing"},
        record_code="record.no_personal_data",
        review_at=None,
    ),
    Case(
        "lead with fields already empty: nothing personal left, deleted",
        lead(
            consent_marketing="no",
            **dict.fromkeys(PERSONAL - {"customer_id"}),  # type: ignore[arg-type]
        ),
        delete=True,
        erase=frozenset({"customer_id"}),
        record_code="record.no_personal_data",
    ),
    # Consent withdrawn or expired (Art. 7(3), Art. 5(1)(e)).
    Case(
        "profiling consent withdrawn: the birth date goes for that reason",
        customer(consent_marketing="no"),
        ledger=profiling_withdrawn,
        erase=frozenset({"birth_date"}),
        codes={"birth_date": "consent.withdrawn"},
    ),
    Case(
        "lead whose marketing consent ran out (24 months): deleted",
        lead(consent_marketing_at="2023-01-01"),
        delete=True,
        erase=PERSONAL,
        anonymous=DELETED_PURCHASES,
        codes={"email": "retention.expired", "first_name": "retention.expired"},
    ),
    # The Garante's caps on purchase details (24 Feb 2005): 24 months for marketing.
    Case(
        "marketing: purchase details older than 24 months are anonymised",
        lead(last_purchase_at="2023-05-01"),
        erase=frozenset({"codice_fiscale", "last_purchase_at", "purchases_total"}),
        anonymous={"last_purchase_at": "2023-05", "purchases_total": 412.5},
        codes={"last_purchase_at": "retention.expired", "purchases_total": "retention.expired"},
    ),
    Case(
        "marketing: purchase details within 24 months stay",
        lead(last_purchase_at="2023-07-01"),
        erase=frozenset({"codice_fiscale"}),
        review_at=datetime(2025, 7, 1, tzinfo=ROME),
    ),
    # ... and 12 months for profiling, unless an extension replaces the cap.
    Case(
        "profiling 36 months, no extension: capped at 12, anonymised after 15",
        lead(consent_marketing="no", last_purchase_at="2024-03-01"),
        policy=PROFILING_36_CAPPED,
        ledger=profiling_consent,
        erase=frozenset(
            {
                "first_name",
                "last_name",
                "email",
                "phone",
                "codice_fiscale",
                "last_purchase_at",
                "purchases_total",
            }
        ),
        anonymous={"last_purchase_at": "2024-03", "purchases_total": 412.5},
        codes={"last_purchase_at": "retention.expired", "email": "consent.missing"},
        review_at=None,  # what stays (id, birth date) has no deadline: nothing expires
    ),
    Case(
        "profiling 36 months, Garante extension of 7 years: kept after 15",
        lead(consent_marketing="no", last_purchase_at="2024-03-01"),
        policy=PROFILING_36_EXTENDED,
        ledger=profiling_consent,
        erase=frozenset({"first_name", "last_name", "email", "phone", "codice_fiscale"}),
        review_at=datetime(2027, 3, 1, tzinfo=ROME),
    ),
    Case(
        "profiling 12 months in the design policy: the extension does not lengthen the rule",
        lead(consent_marketing="no", last_purchase_at="2024-03-01"),
        ledger=profiling_consent,
        erase=frozenset(
            {
                "first_name",
                "last_name",
                "email",
                "phone",
                "codice_fiscale",
                "last_purchase_at",
                "purchases_total",
            }
        ),
        anonymous={"last_purchase_at": "2024-03", "purchases_total": 412.5},
        review_at=None,
    ),
    # Legal hold: art. 2220 c.c., Art. 17(3)(b).
    Case(
        "erasure requested, invoices kept ten years under a legal obligation",
        customer(),
        policy=WITH_ACCOUNTING,
        ledger=erasure(),
        erase=frozenset({"email", "phone", "codice_fiscale", "birth_date"}),
        codes={
            "email": "erasure.requested",
            "phone": "erasure.requested",
            "codice_fiscale": "erasure.requested",
        },
        review_at=datetime(2035, 3, 10, tzinfo=ROME),
    ),
    Case(
        "erasure requested, the ten years are over: deleted",
        customer(last_purchase_at="2014-03-10"),
        policy=WITH_ACCOUNTING,
        ledger=erasure(),
        delete=True,
        erase=PERSONAL,
        anonymous={"last_purchase_at": "2014-03", "purchases_total": 412.5},
        codes={"email": "erasure.requested", "last_purchase_at": "erasure.requested"},
    ),
    Case(
        "legal obligation applies to customers only: a lead asking erasure goes",
        lead(),
        policy=WITH_ACCOUNTING,
        ledger=erasure(),
        delete=True,
        erase=PERSONAL,
        anonymous=DELETED_PURCHASES,
        codes={"email": "erasure.requested"},
    ),
    # Restriction (Art. 18): storage only.
    Case(
        "restricted: nothing goes, even what would be deleted",
        lead(consent_marketing="no"),
        ledger=restricted,
        record_code="subject.restricted",
        review_at=None,
    ),
    Case(
        "restricted with an erasure request: storage only until the restriction is lifted",
        customer(),
        ledger=lambda lg: (restricted(lg), erasure()(lg)),
        record_code="subject.restricted",
        review_at=None,
    ),
    # Erasure request (Art. 17(1)) without a legal obligation.
    Case(
        "erasure requested: everything goes",
        customer(),
        ledger=erasure(),
        delete=True,
        erase=PERSONAL,
        anonymous=DELETED_PURCHASES,
        codes=dict.fromkeys(PERSONAL, "erasure.requested"),
        record_code="record.no_personal_data",
    ),
    Case(
        "erasure requested after the moment of the sweep: not yet",
        customer(),
        ledger=erasure(days=-1),
    ),
    # Objection to direct marketing (Art. 21(3)).
    Case(
        "lead objecting to direct marketing: deleted",
        lead(),
        ledger=objection,
        delete=True,
        erase=PERSONAL,
        anonymous=DELETED_PURCHASES,
        codes={"email": "objection.direct_marketing"},
    ),
    # Fail closed: undeclared fields and invalid records.
    Case(
        "undeclared field is erased",
        customer(loyalty_card="X-99"),
        erase=frozenset({"loyalty_card"}),
        codes={"loyalty_card": "field.undeclared"},
    ),
    Case(
        "free text no purpose needs is erased, never anonymised",
        customer(notes="allergic to nuts, call after 6"),
        erase=frozenset({"notes"}),
        codes={"notes": "field.not_needed"},
    ),
]


def _run(case: Case) -> Any:
    ledger = ConsentLedger()
    if case.ledger is not None:
        case.ledger(ledger)
    (action,) = sweep(case.policy, [case.record], at=case.at, consents=ledger)
    return action


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_sweep(case: Case) -> None:
    action = _run(case)
    assert action.subject == case.record["customer_id"]
    assert action.delete is case.delete
    assert action.erase == case.erase
    assert action.anonymous == case.anonymous
    by_field = {r.field: r for r in action.reasons if r.field is not None}
    assert set(by_field) == set(action.erase)
    for name, code in case.codes.items():
        assert by_field[name].code == code, name
        assert by_field[name].article == ARTICLES[code]
    record_level = [r for r in action.reasons if r.field is None]
    if case.record_code is not None:
        assert [r.code for r in record_level] == [case.record_code]
    elif not case.delete:
        assert record_level == []
    if case.delete or case.record_code == "subject.restricted":
        assert action.review_at is None
    elif case.review_at != "any":
        assert action.review_at == case.review_at
    else:
        assert action.review_at is not None
        assert action.review_at > case.at
    for reason in action.reasons:  # no personal value of the record in any message
        for name in PERSONAL:
            value = case.record.get(name)
            if isinstance(value, str) and value:
                assert value not in reason.message


def test_restricted_action_changes_nothing() -> None:
    ledger = ConsentLedger()
    restricted(ledger)
    (action,) = sweep(DESIGN, [lead(consent_marketing="no")], at=AT, consents=ledger)
    assert not action.changed
    assert action.reasons[0].article == "Art. 18"


def test_order_is_kept_and_a_single_mapping_is_refused() -> None:
    records = [customer(customer_id=f"C-{i}") for i in range(5)]
    ledger = ConsentLedger()
    actions = sweep(DESIGN, records, at=AT, consents=ledger)
    assert [a.subject for a in actions] == [f"C-{i}" for i in range(5)]
    with pytest.raises(ConfigurationError, match="single record"):
        sweep(DESIGN, records[0], at=AT, consents=ledger)


@pytest.mark.parametrize("sid", [None, "", "  ", float("nan"), True, 10.5, b"C-1"], ids=repr)
def test_a_record_without_a_readable_subject_id_is_left_unchanged(sid: object) -> None:
    """design.md §11: a sweep never destroys what it cannot judge (it used to delete it)."""
    (action,) = sweep(DESIGN, [customer(customer_id=sid)], at=AT, consents=ConsentLedger())
    assert not action.changed
    assert action.anonymous is None
    assert [r.code for r in action.reasons] == ["record.invalid"]
    assert action.reasons[0].article == ARTICLES["record.invalid"]
    assert action.review_at is None


def test_a_value_that_is_no_record_is_left_alone() -> None:
    actions = list(sweep(DESIGN, [42, "not a record"], at=AT, consents=ConsentLedger()))  # type: ignore[list-item]
    assert [a.changed for a in actions] == [False, False]
    assert [[r.code for r in a.reasons] for a in actions] == [["record.invalid"]] * 2


def test_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        sweep(DESIGN, [customer()], at=datetime(2025, 1, 1))


def test_new_reason_codes_have_articles() -> None:
    assert RIGHTS_ARTICLES == {
        "erasure.exception": "Art. 17(3)(b)",
        "record.no_personal_data": "Art. 5(1)(e)",
        "retention.legal_hold": "Art. 17(3)(e)",
    }


# --------------------------------------------------------------------------------------------
# erasure_plan: Art. 17 with the exception of Art. 17(3)(b).

TEN_YEARS = datetime(2035, 3, 10, tzinfo=ROME)


@dataclass
class PlanCase:
    id: str
    record: dict[str, Any]
    policy: Policy = field(default_factory=lambda: WITH_ACCOUNTING)
    ledger: Ledger | None = None
    erase: frozenset[str] = frozenset()
    keep: dict[str, datetime | None] = field(default_factory=dict)
    delete: bool = False


KEPT_INVOICES = {
    "customer_id": TEN_YEARS,
    "first_name": TEN_YEARS,
    "last_name": TEN_YEARS,
    "last_purchase_at": TEN_YEARS,
    "purchases_total": TEN_YEARS,
}

PLAN_CASES = [
    PlanCase(
        "customer: invoices kept ten years, the rest erased",
        customer(),
        erase=frozenset({"email", "phone", "codice_fiscale", "birth_date"}),
        keep=KEPT_INVOICES,
    ),
    PlanCase(
        "restricted customer: the request supersedes the restriction, invoices kept",
        customer(),
        ledger=restricted,
        erase=frozenset({"email", "phone", "codice_fiscale", "birth_date"}),
        keep=KEPT_INVOICES,
    ),
    PlanCase(
        "customer whose ten years are over: all goes",
        customer(last_purchase_at="2014-03-10"),
        erase=PERSONAL,
        delete=True,
    ),
    PlanCase("lead: no legal obligation, all goes", lead(), erase=PERSONAL, delete=True),
    PlanCase(
        "policy without a legal-obligation purpose: all goes",
        customer(),
        policy=DESIGN,
        erase=PERSONAL,
        delete=True,
    ),
    PlanCase(
        "empty fields are neither erased nor kept",
        customer(email=None, first_name=""),
        erase=frozenset({"phone", "codice_fiscale", "birth_date"}),
        keep={k: v for k, v in KEPT_INVOICES.items() if k != "first_name"},
    ),
]


@pytest.mark.parametrize("case", PLAN_CASES, ids=[c.id for c in PLAN_CASES])
def test_erasure_plan(case: PlanCase) -> None:
    ledger = ConsentLedger()
    if case.ledger is not None:
        case.ledger(ledger)
    plan = erasure_plan(case.policy, case.record, at=AT, consents=ledger)
    assert plan.erase == case.erase
    assert dict(plan.keep) == case.keep
    assert plan.delete is case.delete
    assert plan.erase.isdisjoint(plan.keep)
    assert [r.field for r in plan.reasons] == list(plan.keep)
    for reason in plan.reasons:
        assert reason.code == "erasure.exception"
        assert reason.article == "Art. 17(3)(b)"
        assert "accounting" in reason.message


def test_erasure_plan_agrees_with_a_sweep_after_the_request() -> None:
    """The plan is what the nightly sweep does once the request is in the ledger."""
    ledger = ConsentLedger()
    erasure(days=0)(ledger)
    record = customer()
    plan = erasure_plan(WITH_ACCOUNTING, record, at=AT)
    (action,) = sweep(WITH_ACCOUNTING, [record], at=AT, consents=ledger)
    assert action.erase == plan.erase
    assert action.delete is plan.delete


def test_erasure_plan_without_a_ledger_and_without_subject_id() -> None:
    def no_subject(raw: dict[str, Any]) -> None:
        raw["subject"].pop("id")
        raw["purposes"]["accounting"] = {
            "basis": "legal_obligation",
            "categories": ["identity.customer_id"],
            "retention": [{"period": "P10Y", "from": "last_purchase_at"}],
        }

    policy = variant(no_subject)
    plan = erasure_plan(policy, customer(), at=AT)
    assert dict(plan.keep) == {"customer_id": TEN_YEARS, "last_purchase_at": TEN_YEARS}
    assert "email" in plan.erase
    assert plan.subject is None


def test_no_subject_id_or_value_in_reprs() -> None:
    ledger = ConsentLedger()
    erasure()(ledger)
    (action,) = sweep(WITH_ACCOUNTING, [customer()], at=AT, consents=ledger)
    plan = erasure_plan(WITH_ACCOUNTING, customer(), at=AT)
    for text in (repr(action), repr(plan)):
        for value in (SUBJECT, "Giulia", "giulia.bianchi@example.it", "BNCGLI90E52H501X"):
            assert value not in text
