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
from frame_data import ENGINES, assert_equivalent
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
    if _ledger_based(policy, purpose) or data.draw(st.booleans()):
        consents = ConsentLedger()
        subjects = [r.get(policy.subject.id) for r in records] if policy.subject.id else []
        _fill(consents, data.draw(ledger_events(subjects, purpose)), purpose)
    assert_equivalent(engine, policy, records, purpose, at=AT, keys=KEYS, consents=consents)


@pytest.mark.parametrize("engine", ENGINES)
def test_the_consent_source_has_the_last_word_over_consent_columns(engine: str) -> None:
    """Column consent at day -100; the source: a withdrawal after it, one before it, an
    objection naming the purpose, a later consent, nothing."""
    column_at = AT - timedelta(days=100)
    ledger = ConsentLedger()
    ledger.withdraw("C1", "newsletter", at=AT - timedelta(days=10))
    ledger.withdraw("C2", "newsletter", at=AT - timedelta(days=200))
    ledger.object("C3", at=AT - timedelta(days=5), purpose="newsletter")
    ledger.withdraw("C4", "newsletter", at=AT - timedelta(days=50))
    ledger.give("C4", "newsletter", at=AT - timedelta(days=20), evidence=Evidence("app"))
    records = [
        {
            "customer_id": cid,
            "email": f"{cid.lower()}@example.it",
            "source": "web_form",
            "consent_marketing": "sì",
            "consent_marketing_at": column_at,
            "last_purchase_at": AT - timedelta(days=30),
        }
        for cid in ("C1", "C2", "C3", "C4", "C5")
    ]
    result = assert_equivalent(
        engine, CRM, records, "newsletter", at=AT, keys=KEYS, consents=ledger
    )
    # C1 withdrew after the column's moment; C3 objected (newsletter is direct marketing);
    # C2 withdrew before it, C4 consented again in the source, C5: the columns stand.
    assert result.counts == {
        "consent.withdrawn": 1,
        "objection.direct_marketing": 1,
        "processed": 3,
    }


@pytest.mark.parametrize("engine", ["pandas", "arrow"])
def test_bulk_consent_calls_in_chunks(engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ledger is asked in bounded chunks; every subject still gets its own state."""
    from gdprkit.frames import _plan

    monkeypatch.setattr(_plan, "_BULK", 2)
    ledger = ConsentLedger()
    asked: list[int] = []
    bulk = ledger.states

    class Counting:
        def state(self, subject: str, purpose: str, *, at: datetime) -> object:
            return ledger.state(subject, purpose, at=at)

        def states(self, subjects: list[str], purpose: str, *, at: datetime) -> object:
            asked.append(len(subjects))
            return bulk(subjects, purpose, at=at)

    for i in range(5):
        if i % 2 == 0:
            ledger.give(
                f"C{i}", "profiling", at=AT - timedelta(days=30), evidence=Evidence("web_form")
            )
    records = [
        {"customer_id": f"C{i}", "last_purchase_at": AT - timedelta(days=3)} for i in range(5)
    ]
    result = assert_equivalent(
        engine, CRM, records, "profiling", at=AT, keys=KEYS, consents=Counting()
    )
    assert asked[:3] == [2, 2, 1]  # the frame engine; then the row path asks for its own check
    assert result.counts == {"processed": 3, "consent.missing": 2}


def _typed_frames(records: list[dict[str, object]]) -> list[object]:
    """The records as natively typed frames: datetime64 (naive and aware), polars Date and
    Datetime, Arrow timestamps, categoricals, nullable integers."""
    import pandas as pd
    import polars as pl
    import pyarrow as pa

    df = pd.DataFrame(records)
    df["last_purchase_at"] = pd.to_datetime(df["last_purchase_at"], utc=True)
    df["consent_marketing_at"] = pd.to_datetime(df["consent_marketing_at"])  # naive: policy tz
    df["source"] = df["source"].astype("category")
    df["purchases_total"] = df["purchases_total"].astype("Int64")
    return [df, pl.from_pandas(df), pa.Table.from_pandas(df, preserve_index=False)]


def test_natively_typed_columns_read_as_the_row_path_reads_them() -> None:
    from frame_data import assert_rows_equal, rows_of

    base = AT.replace(tzinfo=None)
    records = [
        {
            "customer_id": f"C{i}",
            "email": f"c{i}@example.it",
            "source": ["web_form", "social_network", "store"][i % 3],
            "relationship": "customer",
            "last_purchase_at": base - timedelta(days=200 * i, hours=i),
            "purchases_total": None if i % 4 == 0 else 10 * i,
            "consent_marketing": i % 5 != 0,
            "consent_marketing_at": None if i % 7 == 0 else base - timedelta(days=90 * i),
            "birth_date": None,
        }
        for i in range(12)
    ]
    for frame in _typed_frames(records):
        for purpose in ("newsletter", "contract", "analytics", "accounting"):
            result = frames.enforce(CRM, frame, purpose, at=AT, keys=KEYS)
            rows = rows_of(frame)
            want = []
            codes = []
            for i, row in enumerate(rows):
                decision = gdprkit.decide(CRM, row, purpose, at=AT)
                if decision.allowed:
                    want.append(decision.apply(row, KEYS))
                else:
                    codes.append((i, decision.reasons[0].code))
            assert_rows_equal(rows_of(result.allowed), want)
            assert [(r["row"], r["code"]) for r in rows_of(result.rejected)] == codes, purpose


@pytest.mark.parametrize("engine", ["pandas", "polars", "arrow"])
def test_subject_ids_are_canonical_as_the_row_path_reads_them(engine: str) -> None:
    """'1001.0', ' 1001 ' and '1001' are one subject: the ledger's erasure request for 1001
    reaches every spelling (a shortcut for ASCII text once missed '1001.0')."""
    ledger = ConsentLedger()
    ledger.request_erasure("1001", at=AT - timedelta(days=1))
    records = [
        {"customer_id": cid, "email": "a@example.it", "last_purchase_at": AT - timedelta(days=3)}
        for cid in ("1001.0", " 1001 ", "1001", "1002")
    ]
    result = assert_equivalent(engine, CRM, records, "analytics", at=AT, keys=KEYS, consents=ledger)
    assert result.counts == {"erasure.requested": 3, "processed": 1}
