"""Invariants of the sweep, stated as hypothesis properties.

Records are drawn from a policy's fields (plus undeclared ones) with valid, malformed and
hostile values; ledgers from random histories of consents, withdrawals, objections,
restrictions and erasure requests; moments from a decade.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rights_policies import DESIGN, WITH_ACCOUNTING

from gdprkit import ConsentLedger, Evidence, Policy, decide, load_policy
from gdprkit._decision import is_missing
from gdprkit._rights import erasure_plan, sweep
from gdprkit._taxonomy import PERSONAL_ROOTS_NEVER_ANONYMOUS, root

RULES = load_policy(Path(__file__).resolve().parent.parent / "data" / "rules_policy.yaml")
POLICIES = (DESIGN, WITH_ACCOUNTING, RULES)
SUBJECTS = ("C-1", "C-2")

moments = st.datetimes(
    min_value=datetime(2018, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
)
dates = st.dates(min_value=date(1930, 1, 1), max_value=date(2030, 1, 1))
dates_as_text = st.one_of(
    dates.map(str),
    dates.map(lambda d: d.strftime("%d/%m/%Y")),
    moments.map(datetime.isoformat),
    dates,
)
hostile = st.one_of(
    st.none(),
    st.just(""),
    st.text(max_size=12),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
)
TEXT = st.sampled_from(
    ["Giulia", "Rossi", "giulia@example.it", "+39 333 1234567", "BNCGLI90E52H501X", "note"]
)
BY_CATEGORY_ROOT: dict[str, st.SearchStrategy[Any]] = {
    "identity": TEXT,
    "contact": TEXT,
    "free_text": TEXT,
    "special": TEXT,
    "criminal": TEXT,
    "commercial": st.one_of(st.floats(min_value=0, max_value=1e4), dates_as_text),
    "demographic": dates_as_text,
}
SPECIAL_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "customer_id": st.sampled_from(SUBJECTS),
    "relationship": st.sampled_from(["customer", "lead"]),
    "source": st.sampled_from(["web_form", "store", "social_network"]),
    "country": st.sampled_from(["IT", "DE", "FR"]),
    "consent_marketing": st.sampled_from(["sì", "no", "true", "0"]),
    "consent_explicit": st.sampled_from(["yes", "no"]),
    "consent_parental": st.sampled_from(["yes", "no"]),
}


def _value(policy: Policy, name: str) -> st.SearchStrategy[Any]:
    if name in SPECIAL_VALUES:
        return st.one_of(SPECIAL_VALUES[name], st.none())
    if name.endswith("_at") or name.endswith("_date"):
        return st.one_of(dates_as_text, hostile)
    return st.one_of(BY_CATEGORY_ROOT.get(root(policy.fields[name].category), TEXT), hostile)


@st.composite
def records(draw: st.DrawFn, policy: Policy) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(sorted(policy.fields)), unique=True, min_size=1))
    record = {name: draw(_value(policy, name)) for name in names}
    record["customer_id"] = draw(st.sampled_from(SUBJECTS))
    if draw(st.booleans()):
        record["loyalty_card"] = draw(TEXT)  # undeclared
    return record


@st.composite
def ledgers(draw: st.DrawFn, policy: Policy) -> ConsentLedger:
    ledger = ConsentLedger()
    purposes = sorted(policy.purposes)
    for _ in range(draw(st.integers(0, 6))):
        subject = draw(st.sampled_from(SUBJECTS))
        at = draw(moments)
        kind = draw(st.sampled_from(["give", "give", "withdraw", "object", "restrict", "erase"]))
        if kind == "give":
            ledger.give(
                subject,
                draw(st.sampled_from(purposes)),
                at=at,
                evidence=Evidence("web_form"),
                explicit=draw(st.booleans()),
            )
        elif kind == "withdraw":
            ledger.withdraw(subject, draw(st.sampled_from(purposes)), at=at)
        elif kind == "object":
            ledger.object(subject, at=at)
        elif kind == "restrict":
            ledger.restrict(subject, at=at)
        else:
            ledger.request_erasure(subject, at=at)
    return ledger


@st.composite
def situations(draw: st.DrawFn) -> tuple[Policy, list[dict[str, Any]], ConsentLedger, datetime]:
    policy = draw(st.sampled_from(POLICIES))
    rows = draw(st.lists(records(policy), min_size=1, max_size=4))
    return policy, rows, draw(ledgers(policy)), draw(moments)


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(situations())
def test_a_sweep_never_erases_a_field_some_purpose_may_process(
    situation: tuple[Policy, list[dict[str, Any]], ConsentLedger, datetime],
) -> None:
    """For every purpose that may process the record now, none of the valued personal fields
    it may process is erased, and the record is not deleted while one of them holds a value."""
    policy, rows, ledger, at = situation
    for record, action in zip(rows, sweep(policy, rows, at=at, consents=ledger), strict=True):
        for purpose in policy.purposes:
            decision = decide(policy, record, purpose, at=at, consents=ledger)
            if not decision.allowed:
                continue
            needed = {
                f
                for f in decision.fields
                if root(policy.fields[f].category) != "meta" and not is_missing(record[f])
            }
            assert needed.isdisjoint(action.erase), (purpose, needed & action.erase)
            if needed:
                assert not action.delete, purpose


@PROPERTY
@given(situations())
def test_the_anonymous_copy_never_holds_an_identifier(
    situation: tuple[Policy, list[dict[str, Any]], ConsentLedger, datetime],
) -> None:
    """An anonymous copy holds no identity, contact, online, special, criminal or free-text
    field (nor an undeclared one); each value is its own field's, as it was or generalised."""
    policy, rows, ledger, at = situation
    for record, action in zip(rows, sweep(policy, rows, at=at, consents=ledger), strict=True):
        if action.anonymous is None:
            continue
        assert action.anonymous  # never an empty copy
        assert set(action.anonymous) <= action.erase
        identifying = {
            str(v)
            for f, v in record.items()
            if f not in policy.fields
            or root(policy.fields[f].category) in PERSONAL_ROOTS_NEVER_ANONYMOUS
        }
        for name, value in action.anonymous.items():
            assert name in policy.fields
            assert root(policy.fields[name].category) not in PERSONAL_ROOTS_NEVER_ANONYMOUS
            # the value comes from the field itself: kept as it was, or generalised (a year, a
            # month); never from an identifying field (a hostile value may coincide with one)
            original = record[name]
            if value != original:
                assert isinstance(value, int) or (
                    isinstance(value, str) and len(value) == 7 and value[4] == "-"
                ), value
                assert str(value) not in identifying


def _apply(record: dict[str, Any], erase: frozenset[str]) -> dict[str, Any]:
    return {k: (None if k in erase else v) for k, v in record.items()}


@PROPERTY
@given(situations())
def test_a_second_sweep_at_the_same_moment_changes_nothing(
    situation: tuple[Policy, list[dict[str, Any]], ConsentLedger, datetime],
) -> None:
    """Applying a sweep's actions (delete rows, set erased fields to null) and sweeping again
    at the same moment erases, deletes and copies nothing; review dates do not move."""
    policy, rows, ledger, at = situation
    left = []
    first = []
    for record, action in zip(rows, sweep(policy, rows, at=at, consents=ledger), strict=True):
        if not action.delete:
            left.append(_apply(record, action.erase))
            first.append(action)
    for before, again in zip(first, sweep(policy, left, at=at, consents=ledger), strict=True):
        assert not again.changed, again
        assert again.anonymous is None
        assert again.review_at == before.review_at


@PROPERTY
@given(situations())
def test_an_erasure_plan_keeps_only_what_a_legal_obligation_needs(
    situation: tuple[Policy, list[dict[str, Any]], ConsentLedger, datetime],
) -> None:
    """Erase and keep never overlap, kept deadlines lie after the moment, and a field kept
    for itself is one a legal-obligation purpose may process; with nothing kept, the plan
    erases every personal field holding a value."""
    policy, rows, ledger, at = situation
    legal = [p for p, spec in policy.purposes.items() if spec.basis.value == "legal_obligation"]
    for record in rows:
        plan = erasure_plan(policy, record, at=at, consents=ledger)
        assert plan.erase.isdisjoint(plan.keep)
        assert all(until is None or until > at for until in plan.keep.values())
        if plan.delete:
            assert not plan.keep
            assert plan.erase == {
                f
                for f, v in record.items()
                if not is_missing(v)
                and (f not in policy.fields or root(policy.fields[f].category) != "meta")
            }
        else:
            assert legal
        # every valued, non-meta field is either erased or kept (unless it stays as meta)
        for f, v in record.items():
            if is_missing(v) or (f in policy.fields and root(policy.fields[f].category) == "meta"):
                continue
            assert (f in plan.erase) != (f in plan.keep) or plan.delete


def test_sweep_streams_in_constant_memory_over_a_generator() -> None:
    """A sweep is lazy: it pulls records as actions are asked for."""
    pulled = []

    def source() -> Any:
        for i in range(10_000):
            pulled.append(i)
            yield {"customer_id": f"C-{i}", "email": "x@example.it", "relationship": "lead"}

    stream = sweep(
        DESIGN,
        source(),
        at=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(0),
        consents=ConsentLedger(),
    )
    next(stream)
    assert len(pulled) < 10_000
