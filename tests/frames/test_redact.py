"""The ``redact`` transform: a ``free_text`` field goes out with each identifier replaced by its
kind, in every engine (design §17)."""

from __future__ import annotations

import pytest
from frame_data import build, rows_of

import gdprkit
from gdprkit import frames

NOTE = "Cliente chiama dal 333 123 4567, scrive a mario.rossi@example.it, CF RSSMRA85T10A562S."
REDACTED = "Cliente chiama dal [phone], scrive a [email], CF [codice_fiscale]."


def _policy() -> gdprkit.Policy:
    return gdprkit.load_policy(
        {
            "version": 1,
            "controller": {"name": "Test S.r.l.", "country": "IT", "contact": "privacy@example.it"},
            "subject": {"id": "id"},
            "fields": {"id": "identity.customer_id", "notes": "free_text"},
            "purposes": {
                "support": {
                    "basis": "contract",
                    "categories": ["identity", "free_text"],
                    "transform": {"notes": "redact"},
                }
            },
        }
    )


def test_row_path_redacts_the_note() -> None:
    records = [{"id": "1", "notes": NOTE}, {"id": "2", "notes": None}, {"id": "3", "notes": 7}]
    out = list(gdprkit.enforce(_policy(), records, "support"))
    assert [r.get("notes") for r in out] == [REDACTED, None, None]  # not text: not let through
    assert gdprkit.redact_text(NOTE) == REDACTED


@pytest.mark.parametrize("engine", ["pandas", "polars", "arrow"])
def test_every_frame_engine_redacts_the_note(engine: str) -> None:
    frame = build(engine, [{"id": "1", "notes": NOTE}, {"id": "2", "notes": None}])
    result = frames.enforce(_policy(), frame, "support")
    assert [r["notes"] for r in rows_of(result.allowed)] == [REDACTED, None]
