"""design.md §12: ``Decision``, ``Reason`` and ``ProcessingDenied`` pickle, so that
multiprocessing, Dask and Spark can ship them; ``apply`` works after a round trip (the compiled
plan is rebuilt from the policy and the purpose, never pickled itself).
"""

from __future__ import annotations

import copy
import multiprocessing
import pickle
from typing import Any

import pytest
from engine_data import AT, POLICY_X, customer, fresh_policy

from gdprkit import Decision, KeyRing, ProcessingDenied, Reason, decide

PROTOCOLS = range(2, pickle.HIGHEST_PROTOCOL + 1)


def trip(value: Any, protocol: int = pickle.DEFAULT_PROTOCOL) -> Any:
    """``value`` through a pickle round trip."""
    return pickle.loads(pickle.dumps(value, protocol))  # noqa: S301 - our own bytes


def _same(a: Decision, b: Decision) -> None:
    assert b == a
    assert (b.allowed, b.purpose, b.basis, b.fields, b.reasons, b.valid_until, b.at) == (
        a.allowed,
        a.purpose,
        a.basis,
        a.fields,
        a.reasons,
        a.valid_until,
        a.at,
    )
    assert dict(b.dropped) == dict(a.dropped)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_reason_round_trip(protocol: int) -> None:
    reason = Reason.of("consent.child", "the subject is under the age", "birth_date")
    back = trip(reason, protocol)
    assert back == reason
    assert str(back) == str(reason)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_allowed_decision_round_trip_and_apply(protocol: int) -> None:
    policy = fresh_policy()
    record = customer(loyalty_tier="gold")
    decision = decide(policy, record, "profiling_tokens", at=AT)
    assert decision.allowed
    keys = KeyRing.generate()
    before = decision.apply(record, keys=keys)
    back = trip(decision, protocol)
    _same(decision, back)
    assert back.dropped["loyalty_tier"].code == "field.undeclared"
    with pytest.raises(TypeError):
        back.dropped["x"] = decision.reasons  # type: ignore[index]
    assert back.apply(record, keys=keys) == before
    assert "name" not in before  # the drop transform still applies after the trip


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_decision_pickles_after_the_policy_was_used(protocol: int) -> None:
    policy = fresh_policy()
    record = customer()
    for purpose in ("contract", "newsletter", "profiling_tokens"):
        decide(policy, record, purpose, at=AT)
    decision = decide(policy, record, "contract", at=AT)
    list(decision.apply(record))
    back = trip(decision, protocol)
    assert back.apply(record) == decision.apply(record)


def test_denied_decision_round_trip() -> None:
    record = customer(last_purchase_at="2024-01-01")
    decision = decide(POLICY_X, record, "reminders", at=AT)
    assert not decision.allowed
    back = trip(decision)
    _same(decision, back)
    assert back.dropped["purchases_total"].code == "retention.expired"
    assert back.apply(record) == {}


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_processing_denied_round_trip(protocol: int) -> None:
    decision = decide(POLICY_X, customer(source="social_network"), "newsletter", at=AT)
    error = ProcessingDenied(decision)
    back = trip(error, protocol)
    assert isinstance(back, ProcessingDenied)
    assert str(back) == str(error)
    assert back.args == error.args
    _same(decision, back.decision)
    assert back.decision.reasons[0].code == "source.not_allowed"


def test_copies_behave_as_round_trips() -> None:
    record = customer()
    decision = decide(fresh_policy(), record, "contract", at=AT)
    for twin in (copy.copy(decision), copy.deepcopy(decision)):
        _same(decision, twin)
        assert twin.apply(record) == decision.apply(record)


def _apply_in_worker(payload: bytes) -> dict[str, Any]:
    decision, record = pickle.loads(payload)  # noqa: S301 - our own bytes
    return decision.apply(record)  # type: ignore[no-any-return]


def test_a_decision_applies_in_another_process() -> None:
    record = customer()
    decision = decide(fresh_policy(), record, "contract", at=AT)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        out = pool.apply(_apply_in_worker, (pickle.dumps((decision, record)),))
    assert out == decision.apply(record)


@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
def test_an_explicit_direct_marketing_false_survives_shipping(how: str) -> None:
    """Check 4 tells ``direct_marketing: false`` from unset (``model_fields_set``): a shipped
    policy must keep telling them apart."""
    from datetime import timedelta

    from gdprkit import ConsentLedger

    shipped = trip(POLICY_X) if how == "pickle" else copy.deepcopy(POLICY_X)
    ledger = ConsentLedger()
    ledger.object("1001", at=AT - timedelta(days=1))
    spared = decide(shipped, customer(), "fraud_scoring", at=AT, consents=ledger)
    stopped = decide(shipped, customer(), "scoring", at=AT, consents=ledger)
    assert spared.allowed
    assert [r.code for r in stopped.reasons] == ["objection.direct_marketing"]
