"""``Policy`` pickles before and after use (design §12): its caches are rebuilt, not pickled.

Issue 8: after the first ``decide`` or ``validate`` the policy held compiled plans and a
read-only view of its formats, and ``pickle.dumps`` failed (``cannot pickle 'mappingproxy'``),
so multiprocessing, Dask and Spark could not ship a policy that had been used.
"""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from gdprkit import ConsentLedger, KeyRing, Policy, decide, enforce, load_policy, sweep, validate

DESIGN = Path(__file__).parents[1] / "data" / "design_policy.yaml"
AT = datetime(2026, 3, 1, 12, tzinfo=UTC)
RECORDS: list[dict[str, Any]] = [
    {
        "customer_id": 1001,
        "first_name": "Mario",
        "email": "mario@example.it",
        "codice_fiscale": "RSSMRA85T10A562S",
        "birth_date": "1985-12-10",
        "country": "IT",
        "relationship": "customer",
        "last_purchase_at": "2025-11-02",
        "consent_marketing": "yes",
        "consent_marketing_at": "2025-06-01T10:00:00+02:00",
        "source": "web_form",
    },
    {
        "customer_id": 1002,
        "email": "not an address",
        "relationship": "lead",
        "consent_marketing": "no",
    },
]


def answers(policy: Policy) -> list[tuple[Any, ...]]:
    """Everything a decision says, for every record and purpose."""
    keys = KEYS
    out = []
    for record in RECORDS:
        for purpose in sorted(policy.purposes):
            d = decide(policy, record, purpose, at=AT, consents=LEDGER)
            out.append(
                (
                    purpose,
                    d.allowed,
                    sorted(d.fields),
                    sorted((f, r.code) for f, r in d.dropped.items()),
                    [r.code for r in d.reasons],
                    d.valid_until,
                    sorted(d.apply(record, keys)) if d.allowed else None,
                )
            )
    return out


KEYS = KeyRing.generate()
LEDGER = ConsentLedger()


def use(policy: Policy) -> None:
    """Fill every cache a policy has: decisions, validation, enforce, sweep."""
    answers(policy)
    for record in RECORDS:
        validate(policy, record)
    list(enforce(policy, RECORDS, "contract", at=AT, keys=KEYS, consents=LEDGER))
    list(sweep(policy, RECORDS, at=AT, consents=LEDGER))


def roundtrip(policy: Policy, protocol: int = pickle.DEFAULT_PROTOCOL) -> Policy:
    again: Policy = pickle.loads(pickle.dumps(policy, protocol))  # noqa: S301 - our own bytes
    return again


def test_a_fresh_policy_pickles() -> None:
    policy = load_policy(DESIGN)
    again = roundtrip(policy)
    assert again == policy
    assert answers(again) == answers(policy)


@pytest.mark.parametrize("protocol", range(2, pickle.HIGHEST_PROTOCOL + 1))
def test_a_used_policy_pickles_and_decides_identically(protocol: int) -> None:
    policy = load_policy(DESIGN)
    use(policy)
    again = roundtrip(policy, protocol)
    assert again == policy
    assert answers(again) == answers(policy)
    use(again)  # the unpickled policy rebuilds its caches and can be shipped again
    assert answers(roundtrip(again)) == answers(policy)


def test_pickling_leaves_the_caches_of_the_original_in_place() -> None:
    policy = load_policy(DESIGN)
    use(policy)
    before = dict(policy.__pydantic_private__ or {})
    pickle.dumps(policy)
    assert policy.__pydantic_private__ == before
    assert answers(policy) == answers(load_policy(DESIGN))


def test_a_used_policy_copies() -> None:
    policy = load_policy(DESIGN)
    use(policy)
    for duplicate in (copy.copy(policy), copy.deepcopy(policy)):
        assert duplicate == policy
        assert answers(duplicate) == answers(policy)


def test_a_changed_copy_of_a_used_policy_does_not_reuse_its_plans() -> None:
    """``model_copy(update=...)`` used to carry the compiled plans of the original along: the
    copy decided by what the original said."""
    policy = load_policy(DESIGN)
    use(policy)
    contract = policy.purposes["contract"]
    narrower = contract.model_copy(update={"categories": ("identity",)})
    changed = policy.model_copy(update={"purposes": {**policy.purposes, "contract": narrower}})
    record = RECORDS[0]
    before = decide(policy, record, "contract", at=AT, consents=LEDGER)
    after = decide(changed, record, "contract", at=AT, consents=LEDGER)
    assert "email" in before.fields
    assert "email" not in after.fields
