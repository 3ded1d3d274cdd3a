"""``direct_marketing`` unset is not ``false``: a profiling purpose is marketing profiling unless
the policy says otherwise (Art. 21(2), design.md §6 check 4), also after a dump and reload."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

import gdprkit

DESIGN = Path(__file__).parents[1] / "data" / "design_policy.yaml"
AT = datetime(2025, 6, 1, tzinfo=UTC)


def _policy(direct_marketing: object) -> gdprkit.Policy:
    data = gdprkit.load_policy(DESIGN).model_dump(mode="json", by_alias=True, exclude_none=True)
    if direct_marketing is not None:
        data["purposes"]["profiling"]["direct_marketing"] = direct_marketing
    else:
        data["purposes"]["profiling"].pop("direct_marketing", None)
    return gdprkit.load_policy(data)


def _decide(policy: gdprkit.Policy) -> gdprkit.Decision:
    ledger = gdprkit.ConsentLedger()
    ledger.give(
        "C001",
        "profiling",
        at=datetime(2025, 1, 1, tzinfo=UTC),
        evidence=gdprkit.Evidence("web_form"),
    )
    ledger.object("C001", at=datetime(2025, 2, 1, tzinfo=UTC))
    record = {
        "customer_id": "C001",
        "birth_date": "1980-05-17",
        "last_purchase_at": "2025-05-01",
        "purchases_total": 10,
    }
    return gdprkit.decide(policy, record, "profiling", at=AT, consents=ledger)


@pytest.mark.parametrize(
    ("direct_marketing", "allowed"), [(None, False), (True, False), (False, True)]
)
def test_objection_to_direct_marketing_and_profiling(
    direct_marketing: bool | None, allowed: bool
) -> None:
    decision = _decide(_policy(direct_marketing))
    assert decision.allowed is allowed, decision.reasons
    if not allowed:
        assert [r.code for r in decision.reasons] == ["objection.direct_marketing"]


@pytest.mark.parametrize("direct_marketing", [None, True, False])
def test_a_dumped_and_reloaded_policy_keeps_unset_apart_from_false(
    direct_marketing: bool | None,
) -> None:
    policy = _policy(direct_marketing)
    reloaded = gdprkit.load_policy(policy.model_dump(mode="json", by_alias=True))
    assert reloaded.purposes["profiling"].direct_marketing is direct_marketing
    assert _decide(reloaded).allowed is _decide(policy).allowed
    assert gdprkit.policy_digest(reloaded) == gdprkit.policy_digest(policy)


def test_unset_and_false_have_different_digests() -> None:
    assert gdprkit.policy_digest(_policy(None)) != gdprkit.policy_digest(_policy(False))


def test_an_unknown_purpose_names_the_declared_ones_escaped() -> None:
    with pytest.raises(gdprkit.ConfigurationError) as info:
        gdprkit.decide(gdprkit.load_policy(DESIGN), {}, "no\x1bsuch", at=AT)
    assert "\x1b" not in str(info.value)
    assert "'contract'" in str(info.value)
