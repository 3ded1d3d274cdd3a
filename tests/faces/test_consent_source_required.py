"""design.md §9: a purpose whose consent lives in a consent source, run without one, is a
ConfigurationError before the first record (it used to deny everyone ``consent.missing``, and
a sweep run so erased the data of people who consented). ``decide`` stays pure."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import pytest
from faces_policies import AT, COLUMNS_ONLY, POLICY, Untouchable, record

from gdprkit import (
    ConfigurationError,
    ConsentLedger,
    Evidence,
    KeyRing,
    decide,
    enforce,
    load_policy,
    requires_purpose,
    sweep,
)


def test_enforce_without_a_source_refuses_before_the_first_record() -> None:
    with pytest.raises(ConfigurationError, match=r"'profiling'.*consents="):
        enforce(POLICY, Untouchable(), "profiling", at=AT)  # type: ignore[arg-type]


def test_enforce_with_a_source_or_consent_in_columns_runs() -> None:
    ledger = ConsentLedger()
    ledger.give("1001", "profiling", at=AT - timedelta(days=3), evidence=Evidence("app"))
    out = list(enforce(POLICY, [record()], "profiling", at=AT, consents=ledger))
    assert out == [{"customer_id": "1001", "last_purchase_at": "2026-03-10"}]
    # consent from the record's columns needs no source
    assert len(list(enforce(POLICY, [record()], "newsletter", at=AT))) == 1
    # nor does a purpose without consent
    assert len(list(enforce(POLICY, [record()], "contract", at=AT))) == 1


def test_decide_stays_pure_and_denies_consent_missing() -> None:
    decision = decide(POLICY, record(), "profiling", at=AT)
    assert [r.code for r in decision.reasons] == ["consent.missing"]


def test_requires_purpose_without_a_source_fails_at_decoration() -> None:
    with pytest.raises(ConfigurationError, match=r"'profiling'.*consents="):
        requires_purpose("profiling", policy=POLICY)
    ledger = ConsentLedger()
    ledger.give("1001", "profiling", at=AT - timedelta(days=3), evidence=Evidence("app"))

    @requires_purpose("profiling", policy=POLICY, consents=ledger, at=AT)
    def ids(rows: Iterable[dict[str, Any]]) -> list[str]:
        return [r["customer_id"] for r in rows]

    assert ids([record(), record(customer_id="1002")]) == ["1001"]


def test_a_purpose_needing_explicit_consent_from_the_source_counts_too() -> None:
    raw_policy = POLICY.model_dump(by_alias=True, exclude_none=True)
    raw_policy["fields"]["allergies"] = "special.health"
    raw_policy["purposes"]["care"] = {
        "basis": "contract",
        "special": "explicit_consent",
        "categories": ["identity.name", "special.health"],
    }
    policy = load_policy(raw_policy)
    with pytest.raises(ConfigurationError, match="'care'"):
        enforce(policy, Untouchable(), "care", at=AT, keys=KeyRing.generate())  # type: ignore[arg-type]


def test_sweep_refuses_when_any_purpose_needs_the_source() -> None:
    with pytest.raises(ConfigurationError, match=r"sweep.*'profiling'"):
        sweep(POLICY, Untouchable(), at=AT)  # type: ignore[arg-type]
    # what it used to do: erase the data the profiling consent in the ledger keeps
    ledger = ConsentLedger()
    ledger.give("1002", "profiling", at=AT - timedelta(days=3), evidence=Evidence("app"))
    lead = record(customer_id="1002", relationship="lead", consent_marketing="no")
    (action,) = sweep(POLICY, [lead], at=AT, consents=ledger)
    assert "last_purchase_at" not in action.erase
    assert "customer_id" not in action.erase
    assert not action.delete


def test_sweep_without_a_source_runs_when_no_purpose_needs_one() -> None:
    (action,) = sweep(COLUMNS_ONLY, [record()], at=AT)
    assert not action.changed
