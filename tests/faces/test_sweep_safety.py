"""design.md §6 and §11: a sweep finds the subject whatever the spelling of its id, and never
destroys what it cannot judge (records without a readable id, subjects under a legal hold, the
fields an Art. 8 check reads)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from faces_policies import AT, COLUMNS_ONLY, POLICY, record
from hypothesis import given
from hypothesis import strategies as st

from gdprkit import ConsentLedger, Evidence, decide, erasure_plan, sweep

SPELLINGS = [1001, 1001.0, " 1001", "1001\n", "\t1001 ", Decimal("1001.00"), np.int64(1001)]


@pytest.mark.parametrize("spelling", SPELLINGS, ids=repr)
def test_an_erasure_request_is_found_whatever_the_spelling(spelling: object) -> None:
    ledger = ConsentLedger()
    ledger.request_erasure("1001", at=AT - timedelta(days=1))
    (action,) = sweep(POLICY, [record(customer_id=spelling)], at=AT, consents=ledger)
    assert action.delete
    by_field = {r.field: r.code for r in action.reasons if r.field}
    assert by_field["email"] == by_field["customer_id"] == "erasure.requested"


@pytest.mark.parametrize("spelling", SPELLINGS, ids=repr)
def test_a_restriction_is_found_whatever_the_spelling(spelling: object) -> None:
    ledger = ConsentLedger()
    ledger.restrict("1001", at=AT - timedelta(days=1))
    lead = record(customer_id=spelling, relationship="lead", consent_marketing="no")
    (action,) = sweep(POLICY, [lead], at=AT, consents=ledger)
    assert not action.changed
    assert [r.code for r in action.reasons] == ["subject.restricted"]


@given(
    st.sampled_from(SPELLINGS),
    st.sampled_from(["", " ", "\n", "\t"]),
    st.sampled_from(["", " ", "\n"]),
)
def test_every_spelling_of_the_id_gets_the_same_action(
    spelling: object, before: str, after: str
) -> None:
    ledger = ConsentLedger()
    ledger.give("1001", "profiling", at=AT - timedelta(days=5), evidence=Evidence("app"))
    ledger.withdraw("1001", "newsletter", at=AT - timedelta(days=1))
    text = f"{before}{spelling}{after}" if isinstance(spelling, str) else spelling
    lead = record(relationship="lead")
    (want,) = sweep(POLICY, [lead], at=AT, consents=ledger)
    (got,) = sweep(POLICY, [dict(lead, customer_id=text)], at=AT, consents=ledger)
    assert (got.delete, got.erase, got.reasons) == (want.delete, want.erase, want.reasons)


class HoldingSource:
    """A consent source (the public protocol) that knows of a legal hold on one subject.

    The ledger's own ``hold`` is not part of this change; any source whose states carry
    ``held`` is asked about holds.
    """

    def __init__(self, ledger: ConsentLedger, held: str) -> None:
        self.ledger = ledger
        self.held = held

    def state(self, subject: str, purpose: str, *, at: datetime) -> Any:
        fields = dataclasses.asdict(self.ledger.state(subject, purpose, at=at))
        fields["held"] = subject == self.held
        return SimpleNamespace(**fields)


def test_a_subject_under_a_legal_hold_is_left_unchanged() -> None:
    ledger = ConsentLedger()
    ledger.request_erasure("1001", at=AT - timedelta(days=1))
    ledger.request_erasure("1002", at=AT - timedelta(days=1))
    source = HoldingSource(ledger, held="1001")
    held, other = sweep(
        POLICY, [record(customer_id=" 1001"), record(customer_id="1002")], at=AT, consents=source
    )
    assert not held.changed
    assert [(r.code, r.article) for r in held.reasons] == [
        ("retention.legal_hold", "Art. 17(3)(e)")
    ]
    assert held.review_at is None
    assert other.delete  # the erasure request, without a hold


@pytest.mark.skipif(not hasattr(ConsentLedger, "hold"), reason="the ledger has no holds yet")
def test_a_hold_in_the_ledger_leaves_the_record_unchanged_until_released() -> None:
    ledger: Any = ConsentLedger()
    ledger.request_erasure("1001", at=AT - timedelta(days=3))
    ledger.hold("1001", at=AT - timedelta(days=2), reference="case 12/2026")
    (action,) = sweep(POLICY, [record(customer_id=1001.0)], at=AT, consents=ledger)
    assert not action.changed
    assert [r.code for r in action.reasons] == ["retention.legal_hold"]
    ledger.release_hold("1001", at=AT - timedelta(days=1))
    (after,) = sweep(POLICY, [record(customer_id=1001.0)], at=AT, consents=ledger)
    assert after.delete


def test_an_erasure_plan_under_a_legal_hold_keeps_every_field() -> None:
    source = HoldingSource(ConsentLedger(), held="1001")
    rec = record(email=None)
    plan = erasure_plan(POLICY, rec, at=AT, consents=source)
    assert not plan.delete
    assert plan.erase == frozenset()
    assert dict(plan.keep) == {k: None for k, v in rec.items() if v is not None}
    assert {(r.code, r.article) for r in plan.reasons} == {("erasure.exception", "Art. 17(3)(e)")}
    assert "Giulia" not in repr(plan)


def test_a_source_without_holds_has_none() -> None:
    (action,) = sweep(POLICY, [record()], at=AT, consents=ConsentLedger())
    assert "retention.legal_hold" not in [r.code for r in action.reasons]


@pytest.mark.parametrize("sid", [None, "", "   ", float("nan"), False, 1001.5], ids=repr)
def test_a_record_without_a_readable_id_is_never_deleted(sid: object) -> None:
    lead = record(customer_id=sid, relationship="lead", consent_marketing="no")
    (action,) = sweep(POLICY, [lead], at=AT, consents=ConsentLedger())
    assert not action.changed
    assert [r.code for r in action.reasons] == ["record.invalid"]


CHILD = "2016-02-01"  # ten years old at AT


def test_the_birth_date_a_keeping_purpose_checks_stays() -> None:
    """The newsletter keeps the record and runs the Art. 8 check: erasing the birth date would
    switch the check off at the next decision."""
    adult = record(relationship="lead")
    (action,) = sweep(COLUMNS_ONLY, [adult], at=AT)
    assert "birth_date" not in action.erase
    assert "country" not in action.erase


def test_a_minor_kept_by_the_contract_keeps_the_birth_date_that_denies_the_newsletter() -> None:
    child = record(birth_date=CHILD)
    (action,) = sweep(COLUMNS_ONLY, [child], at=AT)
    assert not action.delete
    assert "birth_date" not in action.erase
    # ... so that the next sweep still sees a minor: nothing changes, the newsletter still denies
    after = {k: v for k, v in child.items() if k not in action.erase}
    (again,) = sweep(COLUMNS_ONLY, [after], at=AT)
    assert not again.changed
    assert decide(COLUMNS_ONLY, after, "newsletter", at=AT).reasons[0].code == "consent.child"


def test_without_a_keeping_purpose_the_birth_date_goes_with_the_record() -> None:
    lead = record(relationship="lead", birth_date=CHILD)
    (action,) = sweep(COLUMNS_ONLY, [lead], at=AT)
    assert action.delete
    assert "birth_date" in action.erase


NO_IDS = st.one_of(
    st.none(),
    st.booleans(),
    st.just(float("nan")),
    st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: not x.is_integer()),
    st.text(alphabet=" \t\n\r\x0b\x0c\u00a0\u2003\u3000", max_size=6),
)


@given(sid=NO_IDS, lead=st.booleans(), consent=st.sampled_from(["sì", "no", None]))
def test_property_a_record_without_an_id_is_never_changed(
    sid: object, lead: bool, consent: str | None
) -> None:
    ledger = ConsentLedger()
    ledger.request_erasure("1001", at=AT - timedelta(days=1))
    rec = record(
        customer_id=sid,
        relationship="lead" if lead else "customer",
        consent_marketing=consent,
        notes_undeclared="anything",
    )
    (action,) = sweep(POLICY, [rec], at=AT, consents=ledger)
    assert not action.changed
    assert action.anonymous is None
    assert [r.code for r in action.reasons] == ["record.invalid"]
