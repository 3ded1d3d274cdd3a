"""The published token test vector (docs/explanation/engines.md): every engine gives it.

Key bytes ``00 01 02 ... 1f`` (32 bytes) under key id ``k1``. A value is first normalised for its
category (design.md §7), then ``k1:`` + the first 16 bytes, in lowercase hex, of
HMAC-SHA256(k, text) with k the lowercase hex text (64 ASCII bytes) of
HKDF-SHA256(key, salt=None, info=b"gdprkit/token/v1/" + domain).
"""

from __future__ import annotations

import pytest
from frame_data import ENGINES, build, rows_of

import gdprkit
from gdprkit import KeyRing, frames, pseudonymise
from gdprkit._pseudonymise._tokens import token_batch, token_function
from gdprkit._values import is_missing

KEY = bytes(range(32))
KEYS = KeyRing({"k1": KEY}, active="k1")

#: (domain, category, value, token): the vector published in docs/explanation/engines.md.
VECTOR = [
    ("default", "contact.email", "mario.rossi@example.it", "k1:0a693beedae1b5579dd8100fb67dabcc"),
    ("default", "contact.email", " Mario.Rossi@Example.IT ", "k1:0a693beedae1b5579dd8100fb67dabcc"),
    ("crm", "contact.email", "mario.rossi@example.it", "k1:50a07bff0db210d3fae21daabb5bfcee"),
    ("default", "identity.customer_id", "C-1", "k1:17a880cd159243d0d2027ff1daaac685"),
    ("crm", "identity.customer_id", "C-1", "k1:74cb747605a0a19547da27d1e9679fc4"),
    ("analytics", "contact.phone", "+39 333 123 4567", "k1:c461ae6415474bf23650883812021636"),
    ("analytics", "contact.phone", "0039 333 1234567", "k1:c461ae6415474bf23650883812021636"),
]


def _policy(domain: str, category: str) -> gdprkit.Policy:
    return gdprkit.load_policy(
        {
            "version": 1,
            "controller": {"name": "Test S.r.l.", "country": "IT", "contact": "privacy@example.it"},
            "subject": {"id": "id"},
            "fields": {"id": "identity.customer_id", "value": category},
            "purposes": {
                "vector": {
                    "basis": "legitimate_interests",
                    "categories": ["identity", "contact"],
                    "transform": {"value": {"method": "token", "domain": domain}},
                }
            },
        }
    )


@pytest.mark.parametrize(("domain", "category", "value", "token"), VECTOR)
def test_row_path_gives_the_vector(domain: str, category: str, value: str, token: str) -> None:
    assert pseudonymise(value, keys=KEYS, domain=domain, category=category) == token
    policy = _policy(domain, category)
    [out] = gdprkit.enforce(policy, [{"id": "1", "value": value}], "vector", keys=KEYS)
    assert out["value"] == token


@pytest.mark.parametrize(("domain", "category", "value", "token"), VECTOR)
def test_batch_path_gives_the_vector(domain: str, category: str, value: str, token: str) -> None:
    normalised = gdprkit._pseudonymise.normaliser_for(category)(value)
    assert normalised is not None
    assert token_batch(KEYS, domain)([normalised]) == [token]
    assert token_function(KEYS, domain)(normalised) == token


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("domain", "category", "value", "token"), VECTOR)
def test_every_frame_engine_gives_the_vector(
    engine: str, domain: str, category: str, value: str, token: str
) -> None:
    policy = _policy(domain, category)
    frame = build(engine, [{"id": "1", "value": value}, {"id": "2", "value": None}])
    result = frames.enforce(policy, frame, "vector", keys=KEYS)
    got = [r["value"] for r in rows_of(result.allowed)]
    # A missing token is the library's own missing value (pandas' ``str`` dtype: NaN).
    assert [None if is_missing(v) else v for v in got] == [token, None]
    assert got[0] == token
