"""design.md §6 "Reading values": one canonical subject key in decide and enforce.

The ledger holds its events under the id ``"1001"``; the record spells the id the way a CRM
export, pandas or a hand-written script does. Whatever the spelling, decide sees the ledger's
state for that subject: an erased, restricted or objecting person never goes through. A bool, a
non-integral number or a missing value is no id at all (``record.invalid``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from engine_data import AT, EVIDENCE, POLICY, customer
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gdprkit import ConsentLedger, ConsentState, decide, enforce
from gdprkit._consent import NO_CONSENT
from gdprkit._values import subject_key

BEFORE = AT - timedelta(days=1)

SPELLINGS = [
    pytest.param(1001, id="int"),
    pytest.param(1001.0, id="float 1001.0 (pandas int column with a gap)"),
    pytest.param(" 1001", id="leading space"),
    pytest.param("1001\n", id="trailing newline"),
    pytest.param("\t1001 ", id="tab and space"),
    pytest.param("1001.0", id="text 1001.0 (CSV of an integer column with a gap)"),
    pytest.param(np.int64(1001), id="numpy.int64"),
    pytest.param(np.float64(1001.0), id="numpy.float64"),
    pytest.param(Decimal("1001"), id="Decimal"),
    pytest.param(Decimal("1001.000"), id="Decimal with zeros"),
    pytest.param(pd.array([1001], dtype="Int64")[0], id="pandas Int64 scalar"),
]

Event = Callable[[ConsentLedger], object]

# What the ledger holds for subject "1001", the purpose asked about, the denial the law asks for.
EVENTS: list[Any] = [
    pytest.param(
        lambda lg: lg.request_erasure("1001", at=BEFORE),
        "contract",
        "erasure.requested",
        id="erasure Art. 17",
    ),
    pytest.param(
        lambda lg: lg.restrict("1001", at=BEFORE), "accounting", "subject.restricted", id="Art. 18"
    ),
    pytest.param(
        lambda lg: lg.object("1001", at=BEFORE),
        "newsletter",
        "objection.direct_marketing",
        id="objection Art. 21(3)",
    ),
    pytest.param(
        lambda lg: lg.object("1001", at=BEFORE, purpose="analytics"),
        "analytics",
        "objection.processing",
        id="objection Art. 21(1)",
    ),
]


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize(("event", "purpose", "code"), EVENTS)
def test_every_spelling_of_the_id_sees_the_ledger(
    spelling: object, event: Event, purpose: str, code: str
) -> None:
    ledger = ConsentLedger()
    event(ledger)
    decision = decide(POLICY, customer(customer_id=spelling), purpose, at=AT, consents=ledger)
    assert [r.code for r in decision.reasons] == [code]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_enforce_never_lets_an_erased_subject_through(spelling: object) -> None:
    ledger = ConsentLedger()
    ledger.request_erasure("1001", at=BEFORE)
    records = [customer(customer_id=spelling), customer(customer_id="1002")]
    run = enforce(POLICY, records, "contract", at=AT, consents=ledger)
    out = list(run)
    assert [r["customer_id"] for r in out] == ["1002"]
    assert run.counts["erasure.requested"] == 1


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_sees_a_ledger_consent(spelling: object) -> None:
    ledger = ConsentLedger()
    ledger.give("1001", "profiling", at=AT - timedelta(days=30), evidence=EVIDENCE)
    decision = decide(POLICY, customer(customer_id=spelling), "profiling", at=AT, consents=ledger)
    assert decision.allowed, decision.reasons


NOT_IDS = [
    pytest.param(True, id="True"),
    pytest.param(False, id="False"),
    pytest.param(np.bool_(True), id="numpy.bool_"),
    pytest.param(1001.5, id="non-integral float"),
    pytest.param(Decimal("1001.5"), id="non-integral Decimal"),
    pytest.param(math.inf, id="inf"),
    pytest.param(math.nan, id="NaN"),
    pytest.param(pd.NaT, id="NaT"),
    pytest.param(pd.NA, id="pandas NA"),
    pytest.param(None, id="None"),
    pytest.param("", id="empty"),
    pytest.param(" \n", id="blank"),
]


@pytest.mark.parametrize("with_ledger", [False, True], ids=["no ledger", "ledger"])
@pytest.mark.parametrize("value", NOT_IDS)
def test_what_is_no_id_is_record_invalid(value: object, with_ledger: bool) -> None:
    """A bool, a non-integral number or a missing value is no id, with or without a ledger."""
    ledger = ConsentLedger() if with_ledger else None
    decision = decide(POLICY, customer(customer_id=value), "contract", at=AT, consents=ledger)
    assert [r.code for r in decision.reasons] == ["record.invalid"]
    assert decision.reasons[0].field == "customer_id"


def _spellings(n: int) -> st.SearchStrategy[object]:
    text = str(n)
    pads = st.sampled_from(["", " ", "\n", "\t", " \r\n", "\u00a0"])
    return st.one_of(
        st.just(n),
        st.just(float(n)) if abs(n) < 2**53 else st.just(n),
        st.just(np.int64(n)) if abs(n) < 2**63 else st.just(n),
        st.just(Decimal(n)),
        st.builds(lambda a, b: a + text + b, pads, pads),
    )


_KINDS = st.sampled_from(["erasure", "restriction", "objection", "objection.analytics", "consent"])


@st.composite
def _histories(draw: st.DrawFn) -> tuple[int, object, object, list[str]]:
    n = draw(st.integers(min_value=-(2**70), max_value=2**70))
    in_record = draw(_spellings(n))
    in_ledger = draw(st.sampled_from([n, str(n)]))
    kinds = draw(st.lists(_KINDS, max_size=3))
    return n, in_record, in_ledger, kinds


def _ledger(subject: object, kinds: list[str]) -> ConsentLedger:
    ledger = ConsentLedger()
    for kind in kinds:
        if kind == "erasure":
            ledger.request_erasure(subject, at=BEFORE)  # type: ignore[arg-type]
        elif kind == "restriction":
            ledger.restrict(subject, at=BEFORE)  # type: ignore[arg-type]
        elif kind == "objection":
            ledger.object(subject, at=BEFORE)  # type: ignore[arg-type]
        elif kind == "objection.analytics":
            ledger.object(subject, at=BEFORE, purpose="analytics")  # type: ignore[arg-type]
        else:
            ledger.give(subject, "profiling", at=BEFORE, evidence=EVIDENCE)  # type: ignore[arg-type]
    return ledger


_PURPOSES = st.sampled_from(["contract", "accounting", "newsletter", "analytics", "profiling"])


@settings(max_examples=60, deadline=None)
@given(_histories(), _PURPOSES)
def test_property_every_spelling_sees_the_same_state(
    history: tuple[int, object, object, list[str]], purpose: str
) -> None:
    """For every spelling of an id in the ledger and the record, decide sees the same state."""
    n, in_record, in_ledger, kinds = history
    canonical = decide(
        POLICY, customer(customer_id=str(n)), purpose, at=AT, consents=_ledger(str(n), kinds)
    )
    spelt = decide(
        POLICY, customer(customer_id=in_record), purpose, at=AT, consents=_ledger(in_ledger, kinds)
    )
    assert (spelt.allowed, spelt.reasons) == (canonical.allowed, canonical.reasons)
    assert spelt.fields == canonical.fields


@settings(max_examples=200, deadline=None)
@example("1001.0")
@example(" 1001.00 ")
@example("1001.5")
@example("1e3")
@example("\u0661\u0660\u0660\u0661")  # Arabic-Indic digits: text, not a number
@given(st.one_of(st.text(st.characters(max_codepoint=127), max_size=12), st.text(max_size=12)))
def test_property_the_engine_reads_text_ids_as_subject_key_does(text: str) -> None:
    """The engine reads a text id exactly as gdprkit._values.subject_key does."""
    key = subject_key(text)
    ledger = ConsentLedger()
    if key is not None:
        ledger.request_erasure(key, at=BEFORE)
    decision = decide(POLICY, customer(customer_id=text), "contract", at=AT, consents=ledger)
    expected = "record.invalid" if key is None else "erasure.requested"
    assert [r.code for r in decision.reasons] == [expected]


class AskedSource:
    """A consent source of its own (the protocol of design.md §8) that records the subject ids
    it is asked about, as they arrive: whatever canonicalising happens is decide's."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def state(self, subject: str, purpose: str, *, at: datetime) -> ConsentState:
        self.asked.append(subject)
        return NO_CONSENT


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_consent_source_is_asked_about_the_canonical_key(spelling: object) -> None:
    source = AskedSource()
    decide(POLICY, customer(customer_id=spelling), "contract", at=AT, consents=source)
    assert source.asked == ["1001"]


@settings(max_examples=200, deadline=None)
@example("1001.0")
@example(" 1001.00 ")
@given(st.text(max_size=12))
def test_property_a_consent_source_is_asked_about_subject_key(text: str) -> None:
    source = AskedSource()
    decide(POLICY, customer(customer_id=text), "contract", at=AT, consents=source)
    key = subject_key(text)
    assert source.asked == ([] if key is None else [key])
