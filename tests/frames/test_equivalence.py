"""The frame engines give the row path's answer, row for row (design.md §15).

Hypothesis draws records with ``gdprkit.testing.strategies.records`` (values that sometimes meet
a purpose's conditions and sometimes not, blanks, mixed spellings); each is put into a pandas,
polars (eager and lazy) and pyarrow frame, and ``gdprkit.frames.enforce`` must equal ``decide``
+ ``Decision.apply`` on that frame's own rows: the same rows allowed, the same non-null values,
tokens byte for byte, the same rejected rows with their code and article, the same counts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from frame_data import ENGINES, assert_equivalent, build
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gdprkit
from gdprkit import ConsentLedger, Evidence, KeyRing, frames
from gdprkit.testing import strategies as gst

ROOT = Path(__file__).resolve().parents[2]
CRM = gdprkit.load_policy(ROOT / "examples" / "crm" / "policy.yaml")
DESIGN = gdprkit.load_policy(ROOT / "tests" / "data" / "design_policy.yaml")
RULES = gdprkit.load_policy(ROOT / "tests" / "data" / "rules_policy.yaml")
KEYS = KeyRing({"k1": bytes(range(32))}, active="k1")
AT = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)

POLICIES = {"crm": CRM, "design": DESIGN, "rules": RULES}
CASES = [(name, purpose) for name, policy in POLICIES.items() for purpose in policy.purposes]

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _ledger_based(policy: gdprkit.Policy, purpose: str) -> bool:
    p = policy.purpose(purpose)
    return (p.basis.value == "consent" or p.special is not None) and (
        p.consent is None or p.consent.field is None
    )


def _column_consent(policy: gdprkit.Policy, purpose: str) -> bool:
    consent = policy.purpose(purpose).consent
    return consent is not None and consent.field is not None


@st.composite
def ledger_events(draw: st.DrawFn, subjects: list[object], purpose: str) -> list[tuple]:
    """Events for some of ``subjects``: consents (explicit or not, with evidence or not),
    withdrawals, objections, restrictions, erasure requests."""
    events = []
    for subject in subjects:
        kinds = draw(
            st.lists(
                st.sampled_from(
                    [
                        "give",
                        "give",
                        "give_explicit",
                        "give_bare",
                        "withdraw",
                        "object_dm",
                        "object",
                        "restrict",
                        "erase",
                    ]
                ),
                max_size=3,
            )
        )
        for kind in kinds:
            days = draw(st.integers(1, 2000))
            events.append((kind, subject, AT - timedelta(days=days)))
    return events


def _fill(ledger: ConsentLedger, events: list[tuple], purpose: str) -> None:
    evidence = Evidence("web_form", notice_version="v1")
    for kind, subject, at in events:
        try:
            if kind == "give":
                ledger.give(subject, purpose, at=at, evidence=evidence)
            elif kind == "give_explicit":
                ledger.give(subject, purpose, at=at, evidence=evidence, explicit=True)
            elif kind == "give_bare":
                ledger.give(subject, purpose, at=at)
            elif kind == "withdraw":
                ledger.withdraw(subject, purpose, at=at)
            elif kind == "object_dm":
                ledger.object(subject, at=at)
            elif kind == "object":
                ledger.object(subject, at=at, purpose=purpose)
            elif kind == "restrict":
                ledger.restrict(subject, at=at)
            else:
                ledger.request_erasure(subject, at=at)
        except (ValueError, TypeError, gdprkit.GdprkitError):
            continue  # a subject id the ledger refuses: nothing recorded


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("policy_name", "purpose"), CASES)
@SETTINGS
@given(data=st.data())
def test_frame_equals_row_path(
    engine: str, policy_name: str, purpose: str, data: st.DataObject
) -> None:
    policy = POLICIES[policy_name]
    records = data.draw(st.lists(gst.records(policy, purpose), min_size=0, max_size=12))
    # A few duplicates: the same values in several rows must still be read row by row.
    if records:
        records = records + data.draw(st.lists(st.sampled_from(records), max_size=4))
    consents = None
    if _ledger_based(policy, purpose) or (
        not _column_consent(policy, purpose) and data.draw(st.booleans())
    ):
        consents = ConsentLedger()
        subjects = [r.get(policy.subject.id) for r in records] if policy.subject.id else []
        _fill(consents, data.draw(ledger_events(subjects, purpose)), purpose)
    assert_equivalent(engine, policy, records, purpose, at=AT, keys=KEYS, consents=consents)


@pytest.mark.parametrize("engine", ENGINES)
def test_column_consent_with_a_consent_source_fails_closed(engine: str) -> None:
    """Not vectorised yet (the source's withdrawals after the column's moment): an error before
    any row, never an answer that could differ from the row path."""
    record = {"customer_id": "C1", "email": "a@example.it", "consent_marketing": True}
    with pytest.raises(NotImplementedError, match="consent source"):
        frames.enforce(
            CRM, build(engine, [record]), "newsletter", at=AT, keys=KEYS, consents=ConsentLedger()
        )
