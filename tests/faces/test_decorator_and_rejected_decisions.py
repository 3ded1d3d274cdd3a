"""``requires_purpose`` takes ``at=`` and ``rejected=`` as ``enforce`` does (design.md §9), and
the decision ``enforce`` hands to ``rejected`` is the one ``decide`` gives, ``dropped`` included
(check 21: a required field that was dropped keeps its own reason)."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import pytest
from faces_policies import AT, RAW, record

from gdprkit import (
    ConfigurationError,
    ConsentLedger,
    Decision,
    Policy,
    ProcessingDenied,
    decide,
    enforce,
    load_policy,
    requires_purpose,
)


def _with_email_retention() -> Policy:
    raw = copy.deepcopy(RAW)
    del raw["purposes"]["profiling"]
    raw["purposes"]["newsletter"]["retention"] = [
        {"categories": ["contact.email"], "period": "P24M", "from": "consent_marketing_at"}
    ]
    return load_policy(raw)


POLICY = _with_email_retention()
LATER = datetime(2037, 1, 1, tzinfo=UTC)  # the contract's ten years from 2026-03-10 are over


def emails(rows: Iterable[dict[str, Any]]) -> list[str]:
    return [r["email"] for r in rows]


def test_at_fixes_the_moment_of_every_call() -> None:
    now = requires_purpose("contract", policy=POLICY, at=AT)(emails)
    later = requires_purpose("contract", policy=POLICY, at=LATER)(emails)
    assert now([record()]) == ["giulia@example.it"]
    assert later([record()]) == []  # retention.expired at that moment, whatever the clock says


def test_a_naive_at_is_refused_at_decoration() -> None:
    with pytest.raises(ConfigurationError, match="aware"):
        requires_purpose("contract", policy=POLICY, at=datetime(2026, 1, 1))


def test_rejected_list_gets_each_denied_record_with_its_decision() -> None:
    rejected: list[tuple[Any, Decision]] = []
    send = requires_purpose("newsletter", policy=POLICY, at=AT, rejected=rejected)(emails)
    denied = record(customer_id="1002", consent_marketing="no")
    assert send([record(), denied]) == ["giulia@example.it"]
    assert [(r["customer_id"], d.reasons[0].code) for r, d in rejected] == [
        ("1002", "consent.missing")
    ]


def test_rejected_callable_sees_the_record_before_on_denied_raise() -> None:
    seen: list[str] = []

    @requires_purpose(
        "newsletter",
        policy=POLICY,
        at=AT,
        on_denied="raise",
        rejected=lambda r, d: seen.append(d.reasons[0].code),
    )
    def send(rows: Iterable[dict[str, Any]]) -> list[str]:
        return emails(rows)

    with pytest.raises(ProcessingDenied):
        send([record(), record(customer_id="1002", source=None, consent_marketing="no")])
    assert seen == ["consent.missing"]


def test_a_single_denied_record_goes_to_rejected_and_raises() -> None:
    rejected: list[tuple[Any, Decision]] = []

    @requires_purpose("newsletter", policy=POLICY, at=AT, rejected=rejected)
    def send_one(contact: dict[str, Any]) -> str:
        return str(contact["email"])

    assert send_one(record()) == "giulia@example.it"
    with pytest.raises(ProcessingDenied):
        send_one(record(consent_marketing="no"))
    assert [d.reasons[0].code for _, d in rejected] == ["consent.missing"]


def test_a_bad_rejected_is_refused_at_decoration() -> None:
    with pytest.raises(TypeError, match="rejected"):
        requires_purpose("newsletter", policy=POLICY, rejected="nope")  # type: ignore[arg-type]


RECORDS = [
    record(),
    record(customer_id="1002", consent_marketing="no"),
    record(customer_id="1003", email=None),
    # the email is dropped (retention.expired): the denial must keep that reason in dropped
    record(customer_id="1004", consent_marketing_at="2023-01-15"),
    record(customer_id="1005", source=None, unknown="x"),
    record(customer_id="  "),
]


def test_enforce_rejects_with_the_decision_decide_gives() -> None:
    rejected: list[tuple[Any, Decision]] = []
    out = list(enforce(POLICY, RECORDS, "newsletter", at=AT, rejected=rejected))
    assert len(out) + len(rejected) == len(RECORDS)
    for rec, got in rejected:
        want = decide(POLICY, rec, "newsletter", at=AT)
        assert not want.allowed
        assert got.reasons == want.reasons
        assert dict(got.dropped) == dict(want.dropped)
        assert got.allowed is False
        assert got.at == want.at


def test_a_dropped_required_field_keeps_its_reason_through_enforce() -> None:
    rejected: list[tuple[Any, Decision]] = []
    list(enforce(POLICY, [RECORDS[3]], "newsletter", at=AT, rejected=rejected))
    ((_, decision),) = rejected
    assert decision.reasons[0].code == "purpose.required_field_missing"
    assert decision.dropped["email"].code == "retention.expired"


def test_a_source_without_a_subject_id_field_fails_at_decoration() -> None:
    raw = copy.deepcopy(RAW)
    del raw["subject"]["id"]
    del raw["purposes"]["profiling"]
    with pytest.raises(ConfigurationError, match=r"subject\.id"):
        requires_purpose("newsletter", policy=load_policy(raw), consents=ConsentLedger())
