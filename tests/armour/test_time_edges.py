"""Regressions found by the armour's properties at daylight-saving transitions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from gdprkit import decide, enforce, load_policy

ROME = ZoneInfo("Europe/Rome")
POLICY = load_policy(
    {
        "version": 1,
        "controller": {"name": "X", "country": "IT", "contact": "privacy@x.it"},
        "settings": {"timezone": "Europe/Rome"},
        "fields": {"email": "contact.email", "seen_at": "meta"},
        "purposes": {
            "p": {
                "basis": "contract",
                "categories": ["contact"],
                "retention": [{"period": "PT1H", "from": "seen_at"}],
            }
        },
    }
)
# 26 October 2025, Rome falls back from 03:00 CEST to 02:00 CET: 02:00-03:00 happens twice.
ANCHOR = datetime(2025, 10, 26, 1, 30, tzinfo=ROME)  # 23:30 UTC; +1 h of wall clock: 02:30 CEST
END = datetime(2025, 10, 26, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("at", "allowed"),
    [
        (datetime(2025, 10, 26, 2, 10, fold=0, tzinfo=ROME), True),  # 00:10 UTC, before the end
        (datetime(2025, 10, 26, 2, 10, fold=1, tzinfo=ROME), False),  # 01:10 UTC, 40 min after
        (END - timedelta(microseconds=1), True),
        (END, False),
        (END.astimezone(ROME), False),
    ],
)
def test_retention_compares_instants_not_wall_clocks(at: datetime, allowed: bool) -> None:
    """Regression (armour): with `at` in the policy's own zone, Python compared it with the
    deadline by wall clock, so in the repeated hour a record stayed allowed 40 minutes after its
    retention ended. decide and enforce now compare instants (UTC)."""
    record = {"email": "a@example.it", "seen_at": ANCHOR}
    assert decide(POLICY, record, "p", at=at).allowed is allowed
    stream = enforce(POLICY, [record], "p", at=at)
    assert len(list(stream)) == int(allowed)


def test_decision_at_keeps_the_callers_moment() -> None:
    at = datetime(2025, 10, 26, 2, 10, fold=1, tzinfo=ROME)
    decision = decide(POLICY, {"email": "a@example.it", "seen_at": ANCHOR}, "p", at=at)
    assert decision.at is at
