"""Legal holds in the ledger (design.md §8, Art. 17(3)(e)): ``hold`` and ``release_hold``.

Data needed for a legal claim is kept whatever retention or an erasure request would do; the
ledger records the hold (with a reference naming the claim or case, never personal data) and
its release, and ``ConsentState.held`` says whether one is in force at a moment.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gdprkit import ConsentLedger, ConsentState, Evidence, load_policy, sweep
from gdprkit._consent import NO_CONSENT, EventKind

AT = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)

POLICY = load_policy(
    {
        "version": 1,
        "controller": {"name": "Prova S.r.l.", "country": "IT", "contact": "privacy@prova.it"},
        "subject": {"id": "customer_id"},
        "fields": {
            "customer_id": "identity.customer_id",
            "email": "contact.email",
            "last_purchase_at": "commercial.purchase_history",
        },
        "purposes": {
            "contract": {
                "basis": "contract",
                "categories": ["identity", "contact", "commercial"],
                "retention": [{"period": "P1Y", "from": "last_purchase_at"}],
            },
        },
    }
)


def record(sid: object) -> dict[str, Any]:
    return {"customer_id": sid, "email": "giulia@example.it", "last_purchase_at": "2020-01-10"}


def test_a_hold_is_an_event_with_its_reference_and_the_state_says_held(
    ledger: ConsentLedger,
) -> None:
    event = ledger.hold(" 1001", at=AT - 5 * DAY, reference="case 2025/117")
    assert event.kind is EventKind.HOLD
    assert (event.subject, event.purpose) == ("1001", None)
    assert event.evidence == Evidence("legal_hold", reference="case 2025/117")
    assert ledger.state(1001, "contract", at=AT).held
    assert ledger.states([1001.0], "anything", at=AT)["1001"].held  # whatever the purpose
    assert not ledger.state(1001, "contract", at=AT - 6 * DAY).held
    released = ledger.release_hold(1001, at=AT - DAY)
    assert released.kind is EventKind.HOLD_RELEASED
    assert not ledger.state(1001, "contract", at=AT).held
    assert ledger.state(1001, "contract", at=AT - 2 * DAY).held
    ledger.verify()


def test_states_that_know_nothing_of_holds_are_not_held() -> None:
    assert NO_CONSENT.held is False
    old_style = ConsentState("none", None, None, False, False, None, False, False, False, False)
    assert old_style.held is False  # a source written before holds still builds its states


@pytest.mark.parametrize(
    ("reference", "error"),
    [(None, TypeError), (117, TypeError), ("", ValueError), ("   ", ValueError)],
)
def test_a_hold_names_its_claim_or_case(
    reference: Any, error: type[Exception], ledger: ConsentLedger
) -> None:
    with pytest.raises(error):
        ledger.hold("1001", at=AT, reference=reference)
    with pytest.raises(TypeError):
        ledger.hold("1001", at=AT)  # type: ignore[call-arg]
    assert ledger.head() == "0" * 64


def test_a_hold_survives_reopening_a_sql_ledger(
    sql_url: str, open_ledger: Callable[[str | None], ConsentLedger]
) -> None:
    first = open_ledger(sql_url)
    first.hold("1001", at=AT - DAY, reference="case 2025/117")
    first.close()
    again = open_ledger(sql_url)
    assert again.state("1001", "contract", at=AT).held
    assert again.events("1001")[0].evidence == Evidence("legal_hold", reference="case 2025/117")
    again.verify()


def test_a_sweep_leaves_a_held_subject_unchanged_whatever_the_spelling() -> None:
    ledger = ConsentLedger()
    ledger.request_erasure("1001", at=AT - 2 * DAY)
    ledger.request_erasure("1002", at=AT - 2 * DAY)
    ledger.hold(1001, at=AT - DAY, reference="case 2025/117")
    held, other = sweep(POLICY, [record(" 1001"), record(1002.0)], at=AT, consents=ledger)
    assert not held.changed
    assert [r.code for r in held.reasons] == ["retention.legal_hold"]
    assert other.delete
    ledger.release_hold("1001", at=AT - DAY / 2)
    (released,) = sweep(POLICY, [record(1001)], at=AT, consents=ledger)
    assert released.delete
