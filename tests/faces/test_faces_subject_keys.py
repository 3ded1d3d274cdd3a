"""Every face finds what the consent source says of a subject whatever the record's spelling of
its id (design.md §6), through the bulk path of a ledger (``states``) and the one-by-one path."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from faces_policies import AT, POLICY, record

from gdprkit import ConsentLedger, ConsentState, enforce, sweep

SPELLINGS = [
    1001,
    1001.0,
    "1001.0",
    " 1001",
    "1001\n",
    Decimal("1001.00"),
    np.int64(1001),
    np.float64(1001.0),
]


class OneByOne:
    """A consent source without a bulk path."""

    def __init__(self, ledger: ConsentLedger) -> None:
        self.ledger = ledger

    def state(self, subject: str, purpose: str, *, at: datetime) -> ConsentState:
        return self.ledger.state(subject, purpose, at=at)


def _ledger() -> ConsentLedger:
    ledger = ConsentLedger()
    ledger.request_erasure("1001", at=AT - timedelta(days=1))
    return ledger


SOURCES = {"bulk": _ledger, "one by one": lambda: OneByOne(_ledger())}


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("spelling", SPELLINGS, ids=repr)
def test_enforce_denies_an_erased_subject_whatever_the_spelling(
    spelling: object, source: str
) -> None:
    rejected: list[tuple[Any, Any]] = []
    consents = SOURCES[source]()
    out = list(
        enforce(
            POLICY,
            [record(customer_id=spelling), record(customer_id="1002")],
            "contract",
            at=AT,
            consents=consents,
            rejected=rejected,
        )
    )
    assert len(out) == 1
    assert [d.reasons[0].code for _, d in rejected] == ["erasure.requested"]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("spelling", SPELLINGS, ids=repr)
def test_sweep_erases_an_erased_subject_whatever_the_spelling(
    spelling: object, source: str
) -> None:
    (action,) = sweep(POLICY, [record(customer_id=spelling)], at=AT, consents=SOURCES[source]())
    assert action.delete
