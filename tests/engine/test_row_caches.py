"""The row engine's caches change no answer (design.md §14: speed without a second rule).

A retention rule remembers the deadline of each anchor text it has read (bounded), and a record
shape remembers its kept/dropped outcome for each combination of failing field-level checks.
Both are pure memos: a plan that has seen many records decides exactly as a fresh one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from engine_data import AT, DATA, POLICY_X, customer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gdprkit.testing.strategies as gst
from gdprkit import Policy, decide, enforce, load_policy
from gdprkit._decision import _MAX_ANCHOR_TEXT, _MAX_ENDS, compile_plan

PURPOSES = ("contract", "newsletter", "yearly_newsletter", "reminders", "allergy_reminders")


def _forget(policy: Policy, purpose: str) -> None:
    """Empty every memo of the compiled plan: what follows is decided cold."""
    plan = compile_plan(policy, purpose)
    for rule in plan.record_rules:
        rule.ends.clear()
    for fp in plan.fields.values():
        for rule in fp.retention:
            rule.ends.clear()
    for shape in plan._shapes.values():
        shape.outcomes.clear()


def _answer(policy: Policy, record: dict[str, Any], purpose: str) -> tuple[Any, ...]:
    d = decide(policy, record, purpose, at=AT)
    return (d.allowed, d.fields, dict(d.dropped), d.reasons, d.valid_until)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), purpose=st.sampled_from(PURPOSES))
def test_a_warm_plan_decides_as_a_cold_one(data: st.DataObject, purpose: str) -> None:
    rows = data.draw(st.lists(gst.records(POLICY_X, purpose), min_size=1, max_size=12))
    warm = [_answer(POLICY_X, r, purpose) for r in rows]
    again = [_answer(POLICY_X, r, purpose) for r in rows]  # every memo hit now
    cold = []
    for r in rows:
        _forget(POLICY_X, purpose)
        cold.append(_answer(POLICY_X, r, purpose))
    assert warm == again == cold
    # enforce reads the same memos
    out = list(enforce(POLICY_X, rows, purpose, at=AT, consents=None, keys=None, rejected=[]))
    allowed = [r for r, a in zip(rows, cold, strict=True) if a[0]]
    assert len(out) == len(allowed)


def _reminders(dayfirst: bool, timezone: str) -> Policy:
    data = yaml.safe_load((DATA / "rules_policy.yaml").read_text(encoding="utf-8"))
    data["settings"]["dayfirst"] = dayfirst
    data["settings"]["timezone"] = timezone
    data["purposes"]["reminders"] = {
        "basis": "legitimate_interests",
        "categories": ["identity.customer_id", "commercial.purchase_history"],
        "retention": [
            {"categories": ["commercial.purchase_history"], "period": "P12M", "from": "x_at"}
        ],
    }
    data["fields"]["x_at"] = "commercial.purchase_history"
    return load_policy(data)


def test_one_anchor_text_is_read_by_each_plan_s_own_rules() -> None:
    """``03/04/2025`` is 3 April with dayfirst, 4 March without; midnight in each plan's zone.
    A memo shared between plans would answer the second with the first's deadline."""
    record = {"customer_id": "1001", "x_at": "03/04/2025", "purchases_total": 1.0}
    at = datetime(2025, 6, 1, tzinfo=UTC)
    ends = []
    for dayfirst, tz in ((True, "Europe/Rome"), (False, "Europe/Rome"), (True, "UTC")):
        d = decide(_reminders(dayfirst, tz), record, "reminders", at=at)
        assert d.allowed
        ends.append(d.valid_until)
    rome = ZoneInfo("Europe/Rome")
    assert ends == [
        datetime(2026, 4, 3, tzinfo=rome),
        datetime(2026, 3, 4, tzinfo=rome),
        datetime(2026, 4, 3, tzinfo=UTC),
    ]


def test_the_anchor_memo_is_bounded() -> None:
    policy = _reminders(True, "UTC")
    rows = (
        {
            "customer_id": str(i),
            "x_at": f"2025-01-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}",
        }
        for i in range(_MAX_ENDS + 500)
    )
    out = list(enforce(policy, rows, "reminders", at=datetime(2025, 6, 1, tzinfo=UTC)))
    assert len(out) == _MAX_ENDS + 500
    plan = compile_plan(policy, "reminders")
    (rule,) = plan.fields["x_at"].retention
    assert 0 < len(rule.ends) <= _MAX_ENDS


def test_outcomes_of_one_shape_keep_their_own_reasons() -> None:
    """Expired, unreadable and met anchors in turn, in one shape: each record its own reasons."""
    policy = POLICY_X
    cases = [
        ("2020-01-01", "retention.expired"),
        ("not a date", "retention.anchor_missing"),
        ("2025-05-01", None),
        ("2020-01-01", "retention.expired"),
        ("30/02/2025", "retention.anchor_missing"),
    ]
    for text, code in cases:
        d = decide(policy, customer(last_purchase_at=text), "reminders", at=AT)
        if code is None:
            assert d.allowed
            assert "purchases_total" in d.fields
        else:
            assert not d.allowed
            assert d.reasons[0].code == "purpose.required_field_missing"
            assert code in d.reasons[0].message
            assert d.dropped["purchases_total"].code == code


def test_long_anchor_texts_are_not_kept() -> None:
    """Megabytes of text in an anchor field are read (and found unreadable), never memoised."""
    policy = _reminders(True, "UTC")
    at = datetime(2025, 6, 1, tzinfo=UTC)
    padded = " " * 200 + "2025-01-01" + " " * 200  # readable: the date inside the blanks
    for text, kept in (("x" * 1_000_000, False), (padded, True)):
        record = {"customer_id": "1", "x_at": text, "purchases_total": 1}
        d = decide(policy, record, "reminders", at=at)
        assert ("purchases_total" in d.fields) is kept
        if not kept:
            assert d.dropped["purchases_total"].code == "retention.anchor_missing"
    (rule,) = compile_plan(policy, "reminders").fields["x_at"].retention
    assert all(len(text) <= _MAX_ANCHOR_TEXT for text in rule.ends)
