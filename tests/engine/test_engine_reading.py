"""design.md §6 "Reading values" in the engine: missing means missing, whatever spells it, and
numpy/pandas scalars read as their Python values.

pandas writes ``NaT`` for a missing time, ``pd.NA`` for a missing value of a nullable column,
numpy booleans and integers for flags. Each row: the record's change, the purpose, and what the
law asks (a denial code, or allowed with fields kept or dropped).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import pytest
from engine_data import AT, POLICY, customer

from gdprkit import decide


@dataclass
class Row:
    id: str
    purpose: str
    change: dict[str, Any]
    denied: str | None = None
    kept: tuple[str, ...] = ()
    dropped: dict[str, str] = field(default_factory=dict)


NAT64 = np.datetime64("NaT")

ROWS = [
    # Consent time: the evidence of column consent (check 11). NaT proves nothing.
    Row(
        "NaT consent time is no proof",
        "newsletter",
        {"consent_marketing_at": pd.NaT},
        "consent.unproven",
    ),
    Row(
        "numpy NaT consent time", "newsletter", {"consent_marketing_at": NAT64}, "consent.unproven"
    ),
    Row("pd.NA consent time", "newsletter", {"consent_marketing_at": pd.NA}, "consent.unproven"),
    Row(
        "pandas Timestamp consent time",
        "newsletter",
        {"consent_marketing_at": pd.Timestamp("2025-01-15T09:00Z")},
        kept=("email",),
    ),
    Row(
        "numpy datetime64 consent time",
        "newsletter",
        {"consent_marketing_at": np.datetime64("2025-01-15T09:00")},
        kept=("email",),
    ),
    # Consent flag (check 8).
    Row(
        "numpy.bool_ True flag",
        "newsletter",
        {"consent_marketing": np.bool_(True)},
        kept=("email",),
    ),
    Row(
        "numpy.bool_ False flag",
        "newsletter",
        {"consent_marketing": np.bool_(False)},
        "consent.missing",
    ),
    Row("numpy.int64 1 flag", "newsletter", {"consent_marketing": np.int64(1)}, kept=("email",)),
    Row("pd.NA flag", "newsletter", {"consent_marketing": pd.NA}, "consent.missing"),
    Row("NaT flag", "newsletter", {"consent_marketing": pd.NaT}, "consent.missing"),
    Row(
        "pandas boolean NA flag",
        "newsletter",
        {"consent_marketing": pd.array([None], dtype="boolean")[0]},
        "consent.missing",
    ),
    Row(
        "pandas boolean True flag",
        "newsletter",
        {"consent_marketing": pd.array([True], dtype="boolean")[0]},
        kept=("email",),
    ),
    Row("numpy str_ yes", "newsletter", {"consent_marketing": np.str_("sì")}, kept=("email",)),
    # Explicit and parental flags (checks 16, 12).
    Row(
        "numpy.bool_ explicit flag",
        "allergy_alerts",
        {"allergies": "nuts", "consent_explicit": np.bool_(True)},
        kept=("allergies",),
    ),
    Row(
        "pd.NA explicit flag is not explicit",
        "allergy_alerts",
        {"allergies": "nuts", "consent_explicit": pd.NA},
        dropped={"allergies": "consent.not_explicit"},
    ),
    Row(
        "numpy.bool_ parental flag for a child",
        "newsletter",
        {"birth_date": "2013-01-01", "consent_parental": np.bool_(True)},
        kept=("email",),
    ),
    Row(
        "pd.NA parental flag for a child",
        "newsletter",
        {"birth_date": "2013-01-01", "consent_parental": pd.NA},
        "consent.child",
    ),
    # `when` and `sources` (checks 6, 7): missing matches nothing.
    Row("pd.NA relationship", "contract", {"relationship": pd.NA}, "basis.not_applicable"),
    Row("NaT relationship", "contract", {"relationship": pd.NaT}, "basis.not_applicable"),
    Row(
        "numpy str_ relationship",
        "contract",
        {"relationship": np.str_("customer")},
        kept=("email",),
    ),
    Row("pd.NA source", "newsletter", {"source": pd.NA}, "source.not_allowed"),
    # Retention anchors (checks 18-20): NaT is a missing anchor, never "never expires".
    Row(
        "NaT field retention anchor",
        "newsletter",
        {"last_purchase_at": pd.NaT},
        dropped={
            "purchases_total": "retention.anchor_missing",
            "last_purchase_at": "retention.anchor_missing",
        },
        kept=("email",),
    ),
    Row(
        "numpy NaT field retention anchor",
        "newsletter",
        {"last_purchase_at": NAT64},
        dropped={"purchases_total": "retention.anchor_missing"},
    ),
    Row(
        "NaT record retention anchor",
        "contract",
        {"last_purchase_at": pd.NaT},
        "retention.anchor_missing",
    ),
    Row(
        "pd.NA record retention anchor",
        "contract",
        {"last_purchase_at": pd.NA},
        "retention.anchor_missing",
    ),
    Row(
        "an old pandas Timestamp anchor expires",
        "contract",
        {"last_purchase_at": pd.Timestamp("2015-05-31")},
        "retention.expired",
    ),
    Row(
        "a consent time of NaT never anchors a retention",
        "accounting",
        {"invoice_date": pd.NaT},
        "retention.anchor_missing",
    ),
    # Required fields (check 21).
    Row("pd.NA required e-mail", "newsletter", {"email": pd.NA}, "purpose.required_field_missing"),
    Row(
        "NaN required e-mail",
        "newsletter",
        {"email": np.float64("nan")},
        "purpose.required_field_missing",
    ),
    # Birth date (check 12): missing means no check, as for None.
    Row("NaT birth date", "newsletter", {"birth_date": pd.NaT}, kept=("email",)),
    Row("pd.NA birth date", "newsletter", {"birth_date": pd.NA}, kept=("email",)),
    Row(
        "pandas Timestamp birth date of a child",
        "newsletter",
        {"birth_date": pd.Timestamp("2013-01-01")},
        "consent.child",
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_reading_values(row: Row) -> None:
    record = customer(**row.change)
    decision = decide(POLICY, record, row.purpose, at=AT)
    if row.denied is not None:
        assert [r.code for r in decision.reasons] == [row.denied]
        return
    assert decision.allowed, [str(r) for r in decision.reasons]
    for name in row.kept:
        assert name in decision.fields, dict(decision.dropped)
    for name, code in row.dropped.items():
        assert decision.dropped[name].code == code


def test_a_whole_pandas_frame_row_by_row() -> None:
    """Records as pandas gives them (``to_dict("records")`` of a frame with gaps)."""
    frame = pd.DataFrame(
        {
            "customer_id": pd.array([1001, None, 1003], dtype="Int64"),
            "email": ["a@example.it", "b@example.it", None],
            "source": ["web_form", "web_form", "web_form"],
            "consent_marketing": pd.array([True, True, None], dtype="boolean"),
            "consent_marketing_at": pd.to_datetime(["2025-01-15", None, "2025-01-15"], utc=True),
        }
    )
    decisions = [
        decide(POLICY, r, "newsletter", at=datetime(2025, 6, 1, tzinfo=UTC))
        for r in frame.to_dict("records")
    ]
    assert [[r.code for r in d.reasons] for d in decisions] == [
        [],
        ["record.invalid"],
        ["consent.missing"],
    ]
