"""The rules of design.md §6 as a table of article situations: one row per situation.

Each row names a purpose, how the record differs from a well-formed adult customer, what the
ledger holds, and what the law says must happen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from gdprkit import ConsentLedger, Evidence, decide, load_policy

POLICY = load_policy(Path(__file__).parent / "data" / "rules_policy.yaml")
AT = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
EVIDENCE = Evidence("web_form", notice_version="2025-01")


def base_record() -> dict[str, Any]:
    return {
        "customer_id": "C-1001",
        "name": "Giulia Bianchi",
        "email": "giulia.bianchi@example.it",
        "phone": "+39 333 1234567",
        "birth_date": "12/05/1990",
        "country": "IT",
        "source": "web_form",
        "relationship": "customer",
        "last_purchase_at": "2025-03-10",
        "purchases_total": 412.5,
        "invoice_total": 120.0,
        "invoice_date": "2024-11-30",
        "consent_marketing": "sì",
        "consent_marketing_at": "2025-01-15T10:00:00+01:00",
        "consent_explicit": "yes",
    }


Ledger = Callable[[ConsentLedger], None]


def given(purpose: str, *, at: datetime = AT - timedelta(days=30), **kw: Any) -> Ledger:
    kw.setdefault("evidence", EVIDENCE)
    return lambda ledger: ledger.give("C-1001", purpose, at=at, **kw)  # type: ignore[no-any-return]


def then(*steps: Ledger) -> Ledger:
    def run(ledger: ConsentLedger) -> None:
        for step in steps:
            step(ledger)

    return run


@dataclass
class Case:
    id: str
    purpose: str
    change: dict[str, Any] = field(default_factory=dict)
    remove: tuple[str, ...] = ()
    ledger: Ledger | None = None
    at: datetime = AT
    denied: str | None = None  # expected denial code
    dropped: dict[str, str] = field(default_factory=dict)  # field -> expected drop code
    kept: tuple[str, ...] = ()  # fields that must be allowed


CASES = [
    # 1. Art. 5(1)(d): a record without the subject id it declares.
    Case("1 subject id missing", "contract", remove=("customer_id",), denied="record.invalid"),
    Case("1 subject id blank", "contract", change={"customer_id": "  "}, denied="record.invalid"),
    # 2. Art. 17(1): erasure requested; Art. 17(3)(b): a legal obligation goes on.
    Case(
        "2 erasure stops contract",
        "contract",
        ledger=lambda lg: lg.request_erasure("C-1001", at=AT - timedelta(days=1)),
        denied="erasure.requested",
    ),
    Case(
        "2 erasure keeps accounting",
        "accounting",
        ledger=lambda lg: lg.request_erasure("C-1001", at=AT - timedelta(days=1)),
        kept=("invoice_total", "customer_id"),
    ),
    Case(
        "2 erasure requested after the moment",
        "contract",
        ledger=lambda lg: lg.request_erasure("C-1001", at=AT + timedelta(days=1)),
        kept=("email",),
    ),
    # 3. Art. 18: restriction, and its lifting.
    Case(
        "3 restricted",
        "accounting",
        ledger=lambda lg: lg.restrict("C-1001", at=AT - timedelta(days=2)),
        denied="subject.restricted",
    ),
    Case(
        "3 restriction lifted",
        "accounting",
        ledger=then(
            lambda lg: lg.restrict("C-1001", at=AT - timedelta(days=2)),
            lambda lg: lg.lift_restriction("C-1001", at=AT - timedelta(days=1)),
        ),
        kept=("invoice_total",),
    ),
    # 4. Art. 21(3): objection to direct marketing is absolute, whatever the basis.
    Case(
        "4 objection to direct marketing, consent basis",
        "newsletter",
        ledger=lambda lg: lg.object("C-1001", at=AT - timedelta(days=1)),
        denied="objection.direct_marketing",
    ),
    Case(
        "4 objection to direct marketing, legitimate interests",
        "soft_spam",
        ledger=lambda lg: lg.object("C-1001", at=AT - timedelta(days=1)),
        denied="objection.direct_marketing",
    ),
    Case(
        "4 objection does not touch contract",
        "contract",
        ledger=lambda lg: lg.object("C-1001", at=AT - timedelta(days=1)),
        kept=("email",),
    ),
    Case(
        "4 objection to direct marketing stops profiling (Art. 21(2))",
        "profiling",
        ledger=then(given("profiling"), lambda lg: lg.object("C-1001", at=AT - timedelta(days=1))),
        denied="objection.direct_marketing",
    ),
    Case(
        "4 objection to direct marketing stops profiling on legitimate interests",
        "capped_without_rule",
        ledger=lambda lg: lg.object("C-1001", at=AT - timedelta(days=1)),
        denied="objection.direct_marketing",
    ),
    # 5. Art. 21(1): objection naming a purpose resting on (e) or (f).
    Case(
        "5 objection to legitimate interests",
        "analytics",
        ledger=lambda lg: lg.object("C-1001", at=AT - timedelta(days=1), purpose="analytics"),
        denied="objection.processing",
    ),
    Case(
        "5 objection to public task",
        "public_service",
        ledger=lambda lg: lg.object("C-1001", at=AT - timedelta(days=1), purpose="public_service"),
        denied="objection.processing",
    ),
    Case(
        "5 objection naming another purpose",
        "analytics",
        ledger=lambda lg: lg.object("C-1001", at=AT - timedelta(days=1), purpose="public_service"),
        kept=("customer_id",),
    ),
    Case(
        "5 objection naming a consent purpose is a withdrawal (check 9)",
        "yearly_newsletter",
        ledger=lambda lg: lg.object(
            "C-1001", at=AT - timedelta(days=1), purpose="yearly_newsletter"
        ),
        denied="consent.withdrawn",
    ),
    # 6. Art. 5(1)(a), Art. 14: sources.
    Case(
        "6 lead from a social network",
        "newsletter",
        change={"source": "social_network"},
        denied="source.not_allowed",
    ),
    Case("6 source missing", "newsletter", remove=("source",), denied="source.not_allowed"),
    Case("6 source case-insensitive", "newsletter", change={"source": " Store "}, kept=("email",)),
    # 7. Art. 6(1): the basis applies only to customers.
    Case(
        "7 lead is no contract",
        "contract",
        change={"relationship": "lead"},
        denied="basis.not_applicable",
    ),
    Case(
        "7 relationship missing",
        "contract",
        remove=("relationship",),
        denied="basis.not_applicable",
    ),
    # 8. Art. 6(1)(a): consent.
    Case(
        "8 flag false", "newsletter", change={"consent_marketing": "no"}, denied="consent.missing"
    ),
    Case(
        "8 flag unreadable",
        "newsletter",
        change={"consent_marketing": "maybe"},
        denied="consent.missing",
    ),
    Case(
        "8 consent given after the moment",
        "newsletter",
        change={"consent_marketing_at": "2025-07-01"},
        denied="consent.missing",
    ),
    Case("8 no ledger entry", "profiling", denied="consent.missing"),
    Case(
        "8 ledger consent given later",
        "profiling",
        ledger=given("profiling", at=AT + timedelta(days=1)),
        denied="consent.missing",
    ),
    Case(
        "8 ledger consent for another purpose",
        "profiling",
        ledger=given("newsletter"),
        denied="consent.missing",
    ),
    Case(
        "8 consent flag true (1)",
        "newsletter",
        change={"consent_marketing": 1},
        kept=("email",),
    ),
    # 9. Art. 7(3): withdrawal.
    Case(
        "9 withdrawn before the moment",
        "profiling",
        ledger=then(
            given("profiling"),
            lambda lg: lg.withdraw("C-1001", "profiling", at=AT - timedelta(days=1)),
        ),
        denied="consent.withdrawn",
    ),
    Case(
        "9 withdrawn at the very moment",
        "profiling",
        ledger=then(given("profiling"), lambda lg: lg.withdraw("C-1001", "profiling", at=AT)),
        denied="consent.withdrawn",
    ),
    Case(
        "9 withdrawn after the moment",
        "profiling",
        ledger=then(
            given("profiling"),
            lambda lg: lg.withdraw("C-1001", "profiling", at=AT + timedelta(seconds=1)),
        ),
        kept=("customer_id",),
    ),
    Case(
        "9 the consent source has the last word over consent columns",
        "newsletter",
        ledger=lambda lg: lg.withdraw("C-1001", "newsletter", at=AT - timedelta(days=1)),
        denied="consent.withdrawn",
    ),
    Case(
        "9 a column consent newer than the source's withdrawal",
        "newsletter",
        ledger=lambda lg: lg.withdraw("C-1001", "newsletter", at=datetime(2024, 12, 1, tzinfo=UTC)),
        kept=("email",),
    ),
    Case(
        "9 consent given again in the source after its withdrawal",
        "newsletter",
        ledger=then(
            lambda lg: lg.withdraw("C-1001", "newsletter", at=AT - timedelta(days=10)),
            given("newsletter", at=AT - timedelta(days=5)),
        ),
        kept=("email",),
    ),
    # 10. Art. 7(1): consent older than its validity.
    Case(
        "10 consent expired",
        "profiling",
        ledger=given("profiling", at=AT - timedelta(days=400)),
        denied="consent.expired",
    ),
    # 11. Art. 7(1): demonstrable consent.
    Case(
        "11 ledger consent without evidence",
        "profiling",
        ledger=given("profiling", evidence=None),
        denied="consent.unproven",
    ),
    Case(
        "11 column flag without timestamp",
        "newsletter",
        remove=("consent_marketing_at",),
        denied="consent.unproven",
    ),
    Case(
        "11 column flag without timestamp, consent with a validity period",
        "yearly_newsletter",
        remove=("consent_marketing_at",),
        denied="consent.unproven",
    ),
    Case(
        "10 column consent older than its validity period",
        "yearly_newsletter",
        change={"consent_marketing_at": "2024-05-31T12:00:00+00:00"},
        denied="consent.expired",
    ),
    Case(
        "10 column consent within its validity period",
        "yearly_newsletter",
        change={"consent_marketing_at": "2024-06-02T12:00:00+00:00"},
        kept=("email",),
    ),
    Case(
        "11 column timestamp unreadable",
        "newsletter",
        change={"consent_marketing_at": "ieri"},
        denied="consent.unproven",
    ),
    # 12. Art. 8(1): children (Italy: 14; France overridden by the policy to 13).
    Case(
        "12 Italian 13-year-old",
        "newsletter",
        change={"birth_date": "2012-01-01"},
        denied="consent.child",
    ),
    Case(
        "12 Italian 14-year-old is of age",
        "newsletter",
        change={"birth_date": "2011-01-01"},
        kept=("email",),
    ),
    Case(
        "12 Italian child with parental authorisation",
        "newsletter",
        change={"birth_date": "2012-01-01", "consent_parental": True},
        kept=("email",),
    ),
    Case(
        "12 German 15-year-old (default 16)",
        "newsletter",
        change={"birth_date": "2010-01-01", "country": "DE"},
        denied="consent.child",
    ),
    Case(
        "12 French 13-year-old under the policy's override",
        "newsletter",
        change={"birth_date": "2012-01-01", "country": "FR"},
        kept=("email",),
    ),
    Case(
        "12 15-year-old from a country the table lacks: 16, not the controller's 14",
        "newsletter",
        change={"birth_date": "2010-01-01", "country": "ZZ"},
        denied="consent.child",
    ),
    Case(
        "12 15-year-old whose country is blank: the controller's age (IT, 14)",
        "newsletter",
        change={"birth_date": "2010-01-01", "country": ""},
        kept=("email",),
    ),
    Case(
        "12 birth date present but unreadable (30 February)",
        "newsletter",
        change={"birth_date": "30/02/2015"},
        denied="consent.child",
    ),
    Case(
        "12 birth date in the future",
        "newsletter",
        change={"birth_date": "01/01/2030"},
        denied="consent.child",
    ),
    Case(
        "12 birth date unknown",
        "newsletter",
        remove=("birth_date",),
        kept=("email",),
    ),
    Case(
        "12 ledger child with parental consent",
        "profiling",
        change={"birth_date": "2013-01-01"},
        ledger=given("profiling", parental=True),
        kept=("customer_id",),
    ),
    Case(
        "12 ledger child without parental consent",
        "profiling",
        change={"birth_date": "2013-01-01"},
        ledger=given("profiling"),
        denied="consent.child",
    ),
    Case(
        "12 not a consent basis",
        "contract",
        change={"birth_date": "2013-01-01"},
        kept=("email",),
    ),
    # 13. Art. 5(1)(c): undeclared fields.
    Case(
        "13 undeclared field",
        "contract",
        change={"loyalty_tier": "gold"},
        dropped={"loyalty_tier": "field.undeclared"},
        kept=("email",),
    ),
    # 14. Art. 5(1)(c): fields the purpose does not need.
    Case(
        "14 not needed",
        "newsletter",
        dropped={"phone": "field.not_needed", "customer_id": "field.not_needed"},
        kept=("email", "name"),
    ),
    Case(
        "14 free text reaches only purposes that list it",
        "contract",
        change={"notes": "called about a refund"},
        dropped={"notes": "field.not_needed"},
    ),
    # 15. Art. 9(1): special data without a condition.
    Case(
        "15 health without condition",
        "health_without_condition",
        change={"allergies": "nuts"},
        dropped={"allergies": "special.no_condition"},
        kept=("name",),
    ),
    # 16. Art. 9(2)(a): explicit consent.
    Case(
        "16 explicit consent",
        "allergy_alerts",
        change={"allergies": "nuts"},
        kept=("allergies", "email"),
    ),
    Case(
        "16 consent not explicit",
        "allergy_alerts",
        change={"allergies": "nuts", "consent_explicit": "no"},
        dropped={"allergies": "consent.not_explicit"},
        kept=("email",),
    ),
    # 17. Art. 10: criminal data.
    Case(
        "17 criminal data without authorisation",
        "background_checks",
        change={"convictions": "none"},
        dropped={"convictions": "criminal.not_authorised"},
    ),
    Case(
        "17 criminal data with authorisation",
        "authorised_checks",
        change={"convictions": "none"},
        kept=("convictions",),
    ),
    # 18. Art. 5(1)(e): field retention, with the Garante's caps (IT: 12/24 months).
    Case(
        "18 purchase details past the marketing cap (24 of 36 months)",
        "newsletter",
        change={"last_purchase_at": "2023-05-01"},
        dropped={"last_purchase_at": "retention.expired", "purchases_total": "retention.expired"},
        kept=("email",),
    ),
    Case(
        "18 purchase details within the marketing cap",
        "newsletter",
        change={"last_purchase_at": "2023-07-01"},
        kept=("email", "last_purchase_at", "purchases_total"),
    ),
    Case(
        "18 purchase details past the profiling rule",
        "profiling",
        change={"last_purchase_at": "2024-05-31"},
        ledger=given("profiling"),
        dropped={"last_purchase_at": "retention.expired"},
        kept=("customer_id", "birth_date"),
    ),
    # 19. Art. 5(1)(e): anchors missing or unreadable; capped data without a rule.
    Case(
        "19 anchor missing",
        "newsletter",
        remove=("last_purchase_at",),
        dropped={"purchases_total": "retention.anchor_missing"},
        kept=("email",),
    ),
    Case(
        "19 anchor unreadable",
        "newsletter",
        change={"last_purchase_at": "not a date"},
        dropped={
            "purchases_total": "retention.anchor_missing",
            "last_purchase_at": "retention.anchor_missing",
        },
    ),
    Case(
        "19 capped data without a rule",
        "capped_without_rule",
        dropped={
            "purchases_total": "retention.anchor_missing",
            "last_purchase_at": "retention.anchor_missing",
        },
        kept=("customer_id",),
    ),
    # 20. Art. 5(1)(e): record-level retention.
    Case(
        "20 contract retention over",
        "contract",
        change={"last_purchase_at": "2015-05-31"},
        denied="retention.expired",
    ),
    Case(
        "20 record anchor missing",
        "contract",
        remove=("last_purchase_at",),
        denied="retention.anchor_missing",
    ),
    Case(
        "20 consent-anchored retention over",
        "accounting",
        change={"invoice_date": "2015-01-01"},
        denied="retention.expired",
    ),
    # 21. Art. 5(1)(c): required fields.
    Case(
        "21 required e-mail missing",
        "newsletter",
        remove=("email",),
        denied="purpose.required_field_missing",
    ),
    Case(
        "21 required e-mail of a child's record is not reached (check 12 first)",
        "newsletter",
        change={"email": "", "birth_date": "31/04/2012"},
        denied="consent.child",
    ),
    Case(
        "21 required e-mail empty",
        "newsletter",
        change={"email": ""},
        denied="purpose.required_field_missing",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule(case: Case) -> None:
    record = base_record()
    for name in case.remove:
        del record[name]
    record.update(case.change)
    ledger = None
    if case.ledger is not None:
        ledger = ConsentLedger()
        case.ledger(ledger)
    decision = decide(POLICY, record, case.purpose, at=case.at, consents=ledger)

    if case.denied is not None:
        assert not decision.allowed
        assert [r.code for r in decision.reasons] == [case.denied]
        assert decision.fields == frozenset()
        assert decision.valid_until is None
        assert decision.apply(record) == {}
        return
    assert decision.allowed, [str(r) for r in decision.reasons]
    assert decision.reasons == ()
    for name, code in case.dropped.items():
        assert name not in decision.fields
        assert decision.dropped[name].code == code
    for name in case.kept:
        assert name in decision.fields, (name, dict(decision.dropped))
    assert decision.fields.isdisjoint(decision.dropped)
    assert decision.fields | set(decision.dropped) == set(record)


def test_reasons_cite_the_article_of_their_code() -> None:
    from gdprkit import ARTICLES

    record = base_record()
    record["source"] = "social_network"
    decision = decide(POLICY, record, "newsletter", at=AT)
    (reason,) = decision.reasons
    assert reason.article == ARTICLES[reason.code] == "Art. 5(1)(a), Art. 14"
    assert reason.field == "source"


@pytest.mark.parametrize(
    ("flag", "consented"),
    [
        (True, True),
        (1, True),
        (1.0, True),
        ("true", True),
        ("TRUE", True),
        ("yes", True),
        ("Yes", True),
        ("sì", True),
        ("SÌ", True),
        ("si", True),
        ("1", True),
        (" 1 ", True),
        (False, False),
        (0, False),
        (2, False),
        ("false", False),
        ("no", False),
        ("0", False),
        ("y", False),
        ("ok", False),
        ("", False),
        (None, False),
        (float("nan"), False),
        (["yes"], False),
    ],
)
def test_consent_flags_read_only_the_listed_forms(flag: object, consented: bool) -> None:
    """§6: a flag is a boolean, 0/1, or true/false, yes/no, sì/si/no, 1/0 in any case; anything
    else is no consent (check 8)."""
    record = base_record()
    record["consent_marketing"] = flag
    decision = decide(POLICY, record, "newsletter", at=AT)
    if consented:
        assert decision.allowed, decision.reasons
    else:
        assert [r.code for r in decision.reasons] == ["consent.missing"]
