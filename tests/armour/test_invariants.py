"""The fail-closed invariants of design.md §2 and §6, as hypothesis properties.

Everything is generated: policies (``policies()``: every optional setting, custom and special
categories, caps and extensions), records valid for them (``records()``, some built to be
allowed), consent histories replayed on a ledger, and moments in assorted time zones. Each
property states its invariant in its docstring. Examples per property: the ``ci`` profile
(100) unless ``GDPRKIT_HYPOTHESIS=thorough`` (2 000); see conftest.py.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import event, given, note, settings
from hypothesis import strategies as st

from gdprkit import (
    ARTICLES,
    ConsentLedger,
    Decision,
    Evidence,
    KeyRing,
    Policy,
    decide,
    enforce,
    load_policy,
    validate,
)
from gdprkit._decision import compile_plan, is_missing
from gdprkit._enforce import takes_consent_from_source
from gdprkit._errors import ConfigurationError
from gdprkit.testing.strategies import (
    HistoryEvent,
    consent_histories,
    moments,
    policies,
    policy_documents,
    records,
)

# The profiles are registered by this directory's conftest.py (ci or thorough).
PROPERTY = settings.get_profile(f"gdprkit-armour-{os.environ.get('GDPRKIT_HYPOTHESIS', 'ci')}")
KEYS = KeyRing.generate()
EVIDENCE = Evidence("web_form", "v1")


@dataclass
class World:
    """A policy, a purpose, a record, a moment and a consent ledger about the record's subject."""

    policy: Policy
    purpose: str
    record: dict[str, Any]
    at: datetime
    ledger: ConsentLedger | None
    history: list[HistoryEvent]
    lawful: bool  # drawn with records(..., allowed=True)

    @property
    def subject(self) -> str | None:
        sid = self.policy.subject.id
        if sid is None or sid not in self.record or is_missing(self.record[sid]):
            return None
        return str(self.record[sid])

    def decide(self, record: dict[str, Any] | None = None, **kw: Any) -> Decision:
        options: dict[str, Any] = {"at": self.at, "consents": self.ledger, **kw}
        return decide(
            self.policy, self.record if record is None else record, self.purpose, **options
        )


@st.composite
def worlds(draw: st.DrawFn, *, lawful: bool | None = None, ledger: bool | None = None) -> World:
    policy = draw(policies(), label="policy")
    purpose = draw(st.sampled_from(sorted(policy.purposes)), label="purpose")
    at = draw(moments(datetime(2019, 1, 1), datetime(2031, 1, 1)), label="at")
    want_lawful = draw(st.booleans()) if lawful is None else lawful
    record = None
    if want_lawful:
        try:
            strategy = records(policy, purpose, at=at, allowed=True)
        except ValueError:  # this purpose can allow no record at all
            want_lawful = False
        else:
            record = draw(strategy, label="record")
    if record is None:
        record = draw(records(policy, purpose), label="record")
    history: list[HistoryEvent] = []
    consents: ConsentLedger | None = None
    with_ledger = draw(st.booleans()) if ledger is None else ledger
    if with_ledger and policy.subject.id is not None:
        consents = ConsentLedger()
        sid = record.get(policy.subject.id)
        if sid is not None and not is_missing(sid):
            history = draw(
                consent_histories([str(sid), "someone-else"], policy, max_events=6), label="history"
            )
            for item in history:
                item.apply(consents)
    event(f"lawful={want_lawful} ledger={consents is not None}")
    return World(policy, purpose, record, at, consents, history, want_lawful)


def _consenting_ledger(world: World, *, explicit: bool = True) -> ConsentLedger:
    ledger = ConsentLedger()
    if world.subject is not None:
        ledger.give(world.subject, world.purpose, at=world.at, evidence=EVIDENCE, explicit=explicit)
    return ledger


def _ledger_consent(world: World) -> bool:
    spec = world.policy.purposes[world.purpose]
    return spec.basis == "consent" and (spec.consent is None or spec.consent.field is None)


def _reads_the_ledger(world: World) -> bool:
    """Whether the purpose reads the ledger's consent: to rest on it, or (any basis) for the
    explicit consent its Art. 9(2)(a) condition needs."""
    spec = world.policy.purposes[world.purpose]
    from_ledger = spec.consent is None or spec.consent.field is None
    return from_ledger and (spec.basis == "consent" or spec.special == "explicit_consent")


# --------------------------------------------------------------------------------------------


@PROPERTY
@given(world=worlds())
def test_a_decision_is_a_partition_or_a_single_reason(world: World) -> None:
    """§6 Decision: an allowed decision splits the record's fields into allowed and dropped
    (disjoint, nothing else), allows only declared fields, gives every dropped field a reason
    with its article, and `apply` outputs at most the allowed fields. A denial has exactly one
    reason with a known code and article, no fields, no `valid_until`, and applies to nothing.
    """
    decision = world.decide()
    for reason in (*decision.reasons, *decision.dropped.values()):
        assert ARTICLES[reason.code] == reason.article
    if decision.allowed:
        assert decision.reasons == ()
        assert decision.fields | set(decision.dropped) == set(world.record)
        assert decision.fields.isdisjoint(decision.dropped)
        assert decision.fields <= set(world.policy.fields)
        assert set(decision.apply(world.record, KEYS)) <= decision.fields
    else:
        assert len(decision.reasons) == 1
        assert decision.fields == frozenset()
        assert decision.valid_until is None
        assert decision.apply(world.record, KEYS) == {}


@PROPERTY
@given(world=worlds(lawful=True), name=st.sampled_from(["ssn", "Email", "loyalty tier", "_x"]))
def test_an_undeclared_field_is_dropped_and_changes_nothing_else(world: World, name: str) -> None:
    """§2.1, check 13: a field the policy does not declare is never allowed; it is dropped with
    `field.undeclared` and the rest of the answer is the same as without it."""
    if name in world.policy.fields:
        return
    before = world.decide()
    after = world.decide({**world.record, name: "value"})
    assert after.allowed == before.allowed
    assert after.fields == before.fields
    if after.allowed:
        assert after.dropped[name].code == "field.undeclared"


@PROPERTY
@given(world=worlds())
def test_allowed_fields_pass_every_static_check(world: World) -> None:
    """Checks 14, 15, 17: every allowed field's category is one the purpose lists; special data
    only under an Art. 9(2) condition; criminal data only with an Art. 10 authorisation."""
    decision = world.decide()
    spec = world.policy.purposes[world.purpose]
    catalogue = world.policy.catalogue
    for name in decision.fields:
        category = world.policy.fields[name].category
        assert catalogue.covered(category, spec.categories)
        if catalogue.is_special(category):
            assert spec.special is not None
        if catalogue.is_criminal(category):
            assert spec.criminal is not None


@PROPERTY
@given(world=worlds())
def test_special_data_under_explicit_consent_needs_explicit_consent(world: World) -> None:
    """Check 16: under `special: explicit_consent`, a special field is allowed only when the
    consent is explicit: the explicit column reads true, or the ledger's consent is explicit."""
    spec = world.policy.purposes[world.purpose]
    if spec.special != "explicit_consent":
        return
    catalogue = world.policy.catalogue
    event("checked")
    special = {f for f in world.record if catalogue.is_special(world.policy.fields[f].category)}
    ledger = _consenting_ledger(world, explicit=False)
    decision = world.decide(consents=ledger if world.subject is not None else None)
    if spec.consent is not None and spec.consent.field is not None:
        column = spec.consent.explicit
        from gdprkit._decision import read_flag

        if column is None or not read_flag(world.record.get(column)):
            assert not (decision.fields & special)
    else:
        assert not (decision.fields & special)


@PROPERTY
@given(world=worlds(lawful=True), bad=st.sampled_from([None, "", "not a date", "31/02/2024", 7]))
def test_an_unreadable_retention_anchor_counts_as_expired(world: World, bad: Any) -> None:
    """§2.1, checks 19-20: a retention rule whose `from` field is missing or unreadable counts
    as expired: a whole-record rule denies, a field rule drops the fields it covers."""
    spec = world.policy.purposes[world.purpose]
    if not spec.retention:
        return
    event("checked")
    anchor = spec.retention[0].from_
    decision = world.decide({**world.record, anchor: bad})
    for rule in spec.retention:
        if rule.from_ != anchor:
            continue
        if rule.categories is None:
            assert not decision.allowed
        else:
            for name in decision.fields:
                category = world.policy.fields[name].category
                assert not world.policy.catalogue.covered(category, rule.categories)


@PROPERTY
@given(world=worlds(), later=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)))
def test_the_answer_holds_until_valid_until_and_changes_at_it(
    world: World, later: timedelta
) -> None:
    """§6 valid_until: the answer stays the same until `valid_until` (checked at a moment in
    between and just before it) and at `valid_until` something has expired: the record is
    denied or fewer fields are allowed. (`valid_until` speaks of time: the consent source is
    used only when it holds no event after `at`, which would change the answer by itself.)"""
    settled = all(e.at <= world.at for e in world.history)
    consents = world.ledger if settled else None
    decision = world.decide(consents=consents)
    if not decision.allowed or decision.valid_until is None:
        return
    event("checked")
    until = decision.valid_until
    assert until > world.at
    between = min(world.at + later, until - timedelta(microseconds=1))
    for moment in (between, until - timedelta(microseconds=1)):
        again = world.decide(at=moment, consents=consents)
        assert (again.allowed, again.fields) == (True, decision.fields)
    after = world.decide(at=until, consents=consents)
    assert not after.allowed or after.fields < decision.fields


@PROPERTY
@given(world=worlds(), flag=st.sampled_from([False, "no", 0, None, "maybe", "", "false"]))
def test_without_consent_a_consent_purpose_never_allows(world: World, flag: Any) -> None:
    """§2.1, check 8: a consent-based purpose never allows a record without consent: a false or
    absent consent column, or a consent source that knows nothing of the subject."""
    spec = world.policy.purposes[world.purpose]
    if spec.basis != "consent":
        return
    record = dict(world.record)
    if spec.consent is not None and spec.consent.field is not None:
        record[spec.consent.field] = flag
        consents = world.ledger
    else:
        consents = ConsentLedger() if world.policy.subject.id is not None else None
    decision = world.decide(record, consents=consents)
    assert not decision.allowed


@PROPERTY
@given(world=worlds(lawful=True, ledger=True))
def test_a_withdrawal_stops_ledger_consent(world: World) -> None:
    """Check 9, Art. 7(3): whatever the history, a withdrawal at or before `at` (the latest
    event) leaves a ledger-consent purpose denied, and the ledger says so at that moment."""
    if not _ledger_consent(world) or world.ledger is None or world.subject is None:
        return
    world.ledger.give(
        world.subject, world.purpose, at=world.at - timedelta(days=1), evidence=EVIDENCE
    )
    event("checked")
    world.ledger.withdraw(world.subject, world.purpose, at=world.at)
    decision = world.decide()
    assert not decision.allowed
    assert world.ledger.state(world.subject, world.purpose, at=world.at).status == "withdrawn"


@PROPERTY
@given(
    world=worlds(lawful=True, ledger=True), earlier=st.timedeltas(timedelta(0), timedelta(days=900))
)
def test_erasure_and_restriction_stop_processing(world: World, earlier: timedelta) -> None:
    """Checks 2-3, Art. 17-18: after an erasure request only a `legal_obligation` purpose goes
    on; while processing is restricted (no lifting since), no purpose does."""
    if world.ledger is None or world.subject is None:
        return
    # In UTC: arithmetic on a local time in a DST gap or fold would move it (Python resets fold).
    event("checked")
    world.ledger.request_erasure(world.subject, at=world.at.astimezone(UTC) - earlier)
    erased = world.decide()
    if world.policy.purposes[world.purpose].basis != "legal_obligation":
        assert not erased.allowed
        assert erased.reasons[0].code in {"erasure.requested", "subject.restricted"}
    world.ledger.restrict(world.subject, at=world.at)  # the latest event: not lifted since
    assert not world.decide().allowed


@PROPERTY
@given(world=worlds(lawful=True, ledger=True), named=st.booleans())
def test_objections_are_honoured(world: World, named: bool) -> None:
    """Checks 4-5, Art. 21: after an objection to direct marketing no `direct_marketing`
    purpose allows; after an objection naming a purpose, that purpose is denied when it is
    direct marketing or rests on legitimate interests or a public task."""
    if world.ledger is None or world.subject is None:
        return
    spec = world.policy.purposes[world.purpose]
    event("checked")
    world.ledger.object(world.subject, at=world.at, purpose=world.purpose if named else None)
    decision = world.decide()
    if spec.direct_marketing or (named and spec.basis in ("legitimate_interests", "public_task")):
        assert not decision.allowed


@PROPERTY
@given(
    world=worlds(lawful=True),
    source=st.sampled_from(["social_network", "purchased_list", "", None, 3]),
)
def test_records_from_other_sources_are_denied(world: World, source: Any) -> None:
    """Check 6, Art. 14: a purpose that lists `sources` denies a record whose source is not
    one of them (or is missing)."""
    spec = world.policy.purposes[world.purpose]
    field = world.policy.subject.source
    if spec.sources is None or field is None:
        return
    if isinstance(source, str) and source.casefold() in {s.casefold() for s in spec.sources}:
        return
    event("checked")
    decision = world.decide({**world.record, field: source})
    assert not decision.allowed


@PROPERTY
@given(world=worlds(lawful=True), value=st.sampled_from(["prospect", "ex-customer", "", None, 0]))
def test_records_outside_the_when_conditions_are_denied(world: World, value: Any) -> None:
    """Check 7, Art. 6(1): a record that does not meet a purpose's `when` condition is
    denied."""
    spec = world.policy.purposes[world.purpose]
    if not spec.when:
        return
    field, allowed = next(iter(spec.when.items()))
    if value in allowed:
        return
    event("checked")
    assert not world.decide({**world.record, field: value}).allowed


@PROPERTY
@given(world=worlds())
def test_an_allowed_record_carries_every_required_field(world: World) -> None:
    """Check 21: when allowed, every field the purpose `requires` is present, not blank, and
    among the allowed fields."""
    decision = world.decide()
    if decision.allowed:
        for name in world.policy.purposes[world.purpose].requires:
            assert name in decision.fields
            assert not is_missing(world.record[name])


@PROPERTY
@given(world=worlds(lawful=True))
def test_allowed_records_are_allowed_and_fail_at_the_first_broken_check(world: World) -> None:
    """§6 order (and the strategy's promise): a record drawn to be allowed is allowed (given
    the subject's consent where the purpose reads it from the ledger); with its consent column
    made false the only reason is `consent.missing`, the first check that fails."""
    if not world.lawful:
        return
    ledger = _consenting_ledger(world) if _reads_the_ledger(world) else None
    decision = world.decide(consents=ledger)
    assert decision.allowed, decision.reasons
    spec = world.policy.purposes[world.purpose]
    if spec.basis == "consent" and spec.consent is not None and spec.consent.field is not None:
        denied = world.decide({**world.record, spec.consent.field: "no"}, consents=None)
        assert [r.code for r in denied.reasons] == ["consent.missing"]


@st.composite
def child_worlds(draw: st.DrawFn) -> tuple[Policy, dict[str, Any], datetime, bool]:
    """A generated policy given an Art. 8 purpose: an information society service, the
    subject's birth date declared, consent from columns (with a parental column or not)."""
    doc = draw(policy_documents())
    parental = draw(st.booleans())
    doc["controller"]["information_society_service"] = True
    doc["fields"].update(
        {
            "birth_date": "demographic.birth_date",
            "consent_marketing": "meta",
            "consent_marketing_at": "meta",
            "consent_parental": "meta",
        }
    )
    doc.setdefault("subject", {})["birth_date"] = "birth_date"
    consent = {"field": "consent_marketing", "at": "consent_marketing_at"}
    if parental:
        consent["parental"] = "consent_parental"
    doc["purposes"]["kids_club"] = {"basis": "consent", "categories": ["meta"], "consent": consent}
    policy = load_policy(doc)
    at = draw(moments(datetime(2019, 1, 1), datetime(2031, 1, 1)))
    record = draw(records(policy, "kids_club", at=at, allowed=True))
    return policy, record, at, parental


@PROPERTY
@given(case=child_worlds(), age=st.integers(0, 12))
def test_children_need_parental_authorisation(
    case: tuple[Policy, dict[str, Any], datetime, bool], age: int
) -> None:
    """Check 12, Art. 8(1): for a consent purpose of an information society service, a
    subject whose known birth date makes them younger than 13 (below every member state's age)
    is denied `consent.child`, unless a parental authorisation is recorded; the same record
    with an adult's birth date is allowed."""
    policy, record, at, parental = case
    assert decide(policy, record, "kids_club", at=at).allowed
    today = at.date()
    born = today.replace(year=today.year - age, day=1)  # exactly `age` years old at `at`
    child = {**record, "birth_date": born.isoformat(), "consent_parental": False}
    decision = decide(policy, child, "kids_club", at=at)
    assert not decision.allowed
    assert decision.reasons[0].code == "consent.child"
    authorised = decide(policy, {**child, "consent_parental": "sì"}, "kids_club", at=at)
    assert authorised.allowed == parental


@PROPERTY
@given(world=worlds())
def test_deciding_is_pure_and_deterministic(world: World) -> None:
    """§2.2: the same inputs give the same decision; deciding changes neither the record nor
    the ledger (no event is written)."""
    snapshot = dict(world.record)
    events = len(world.ledger.events(world.subject)) if world.ledger and world.subject else 0
    first = world.decide()
    second = world.decide()
    assert first == second
    assert world.record == snapshot
    if world.ledger and world.subject:
        assert len(world.ledger.events(world.subject)) == events


@PROPERTY
@given(world=worlds())
def test_no_reason_or_violation_quotes_a_value(world: World) -> None:
    """§2.3 and §6 validate: reasons and violations name fields, purposes, rules and articles,
    never a value of the record."""
    decision = world.decide()
    texts = [str(r) for r in (*decision.reasons, *decision.dropped.values())]
    texts += [str(v) for v in validate(world.policy, {**world.record, "undeclared": "x"})]
    vocabulary = " ".join(
        [*world.policy.fields, *world.policy.purposes, world.purpose, *ARTICLES, "undeclared"]
    ).casefold()
    for value in world.record.values():
        if not isinstance(value, str) or len(value.strip()) < 4:
            continue
        if value.strip().casefold() in vocabulary:
            continue  # part of a field or purpose name, not a leak
        for text in texts:
            assert value.strip() not in text


@PROPERTY
@given(batch=st.data())
def test_enforce_yields_exactly_what_decide_allows(batch: st.DataObject) -> None:
    """§9 enforce: never yields a denied record, never loses an allowed one, yields what
    decide + apply give, sends every denied record to `rejected` and counts it by reason."""
    world = batch.draw(worlds())
    more = batch.draw(st.lists(records(world.policy, world.purpose), max_size=6))
    rows = [world.record, *more]
    rejected: list[Any] = []
    if world.ledger is None and takes_consent_from_source(
        compile_plan(world.policy, world.purpose)
    ):
        # §9: a purpose whose consent lives in a source is refused without one, before any record
        with pytest.raises(ConfigurationError, match="consent source"):
            enforce(world.policy, rows, world.purpose, at=world.at, keys=KEYS)
        return
    stream = enforce(
        world.policy, rows, world.purpose, at=world.at, consents=world.ledger, keys=KEYS,
        rejected=rejected,
    )  # fmt: skip
    out = list(stream)
    decisions = [world.decide(r) for r in rows]
    assert out == [d.apply(r, KEYS) for r, d in zip(rows, decisions, strict=True) if d.allowed]
    assert [r for r, _ in rejected] == [r for r, d in zip(rows, decisions, strict=True) if not d]
    assert [d.reasons for _, d in rejected] == [d.reasons for d in decisions if not d]
    assert stream.processed == len(out)
    assert stream.denied == len(rejected)
    assert sum(stream.counts.values()) == len(rows)


@PROPERTY
@given(
    ids=st.lists(
        st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True), min_size=1, max_size=3, unique=True
    )
)
def test_keys_never_show(ids: list[str]) -> None:
    """§2.6: a key ring never shows its secret bytes in `repr` or `str`, and refuses to be
    pickled."""
    ring = KeyRing({i: bytes(range(32)) for i in ids}, active=ids[0])
    exported = ring.export()
    secrets = [part.split(":", 1)[1] for part in exported.split(",")]
    for text in (repr(ring), str(ring)):
        for secret in secrets:
            assert secret not in text
        assert "000102030405" not in text
    with pytest.raises(Exception):  # noqa: B017, PT011 - any refusal will do
        pickle.dumps(ring)


def _reference_state(
    history: list[HistoryEvent], subject: str, purpose: str, at: datetime
) -> tuple[str, bool, bool, bool, bool]:
    """What §8 says the ledger answers, computed the naive way from the events."""
    relevant = [(e.at, i, e) for i, e in enumerate(history) if e.subject == subject and e.at <= at]
    status, objected, objected_dm, restricted, erasure = "none", False, False, False, False
    for _, _, e in sorted(relevant, key=lambda t: (t[0], t[1])):
        if e.kind == "give" and e.purpose == purpose:
            status = "given"
        elif e.kind == "withdraw" and e.purpose == purpose and status == "given":
            status = "withdrawn"
        elif e.kind == "object":
            if e.purpose is None:
                objected_dm = True
            elif e.purpose == purpose:
                objected = True
        elif e.kind == "restrict":
            restricted = True
        elif e.kind == "lift_restriction":
            restricted = False
        elif e.kind == "request_erasure":
            erasure = True
    return status, objected, objected_dm, restricted, erasure


@PROPERTY
@given(
    history=consent_histories(["C-1", "C-2"], ["newsletter", "profiling"], max_events=10),
    at=moments(datetime(2017, 1, 1), datetime(2031, 1, 1)),
    purpose=st.sampled_from(["newsletter", "profiling"]),
)
def test_the_ledger_answers_as_its_history_says(
    history: list[HistoryEvent], at: datetime, purpose: str
) -> None:
    """§8: the state at a moment follows from the events at or before it, in the order of
    their time (ties: the order appended): the last consent or withdrawal for the purpose, and
    any objection, restriction not lifted since, or erasure request. The chain verifies."""
    ledger = ConsentLedger()
    for item in history:
        item.apply(ledger)
    ledger.verify()
    state = ledger.state("C-1", purpose, at=at)
    status, objected, objected_dm, restricted, erasure = _reference_state(
        history, "C-1", purpose, at
    )
    note(f"reference: {status} {objected} {objected_dm} {restricted} {erasure}")
    assert (state.status == "given") == (status == "given")
    assert state.objected == objected
    assert state.objected_direct_marketing == objected_dm
    assert state.restricted == restricted
    assert state.erasure_requested == erasure
