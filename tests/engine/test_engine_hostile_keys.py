"""Field names never reach generated code except as plain ``str`` literals of the policy's own
declared names (design.md §6: values are never interpolated into generated code).

A record whose keys are a ``StrEnum`` (or any ``str`` subclass) used to poison the plan's shape
cache: every later plain record failed with ``SyntaxError`` from the generated projector. A key
whose ``__repr__`` returns code ran that code inside ``apply()``.
"""

from __future__ import annotations

import builtins
from enum import StrEnum
from typing import Any

import pytest
from engine_data import AT, customer, fresh_policy

from gdprkit import KeyRing, decide, enforce

MARK = "_GDPRKIT_TEST_PWNED"


class Column(StrEnum):
    CUSTOMER_ID = "customer_id"
    EMAIL = "email"
    NAME = "name"
    SOURCE = "source"
    RELATIONSHIP = "relationship"
    LAST_PURCHASE_AT = "last_purchase_at"


class Evil(str):
    """A key that equals a declared name and whose repr is code."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"__import__('builtins').__dict__.__setitem__({MARK!r}, 1) or 'email'"

    def __str__(self) -> str:
        return f"__import__('builtins').__dict__.__setitem__({MARK!r}, 2) or 'email'"


def _enum_record() -> dict[Any, Any]:
    plain = customer()
    return {member: plain[member.value] for member in Column}


def _plain_keys(out: dict[Any, Any]) -> bool:
    return all(type(k) is str for k in out)


def test_strenum_keys_do_not_poison_the_shape_cache() -> None:
    policy = fresh_policy()
    enum_record = _enum_record()
    plain_record = {m.value: v for m, v in enum_record.items()}
    first = decide(policy, enum_record, "contract", at=AT)
    assert first.allowed
    out = first.apply(enum_record)
    assert out == plain_record
    assert _plain_keys(out)
    assert all(type(f) is str for f in first.fields)
    # The plain record with the same keys hits the same cache entry: it must work too.
    second = decide(policy, plain_record, "contract", at=AT)
    assert second.apply(plain_record) == plain_record
    assert _plain_keys(second.apply(plain_record))


def test_strenum_keys_in_enforce_then_plain_records() -> None:
    policy = fresh_policy()
    enum_record = _enum_record()
    plain_record = {m.value: v for m, v in enum_record.items()}
    out = list(enforce(policy, [enum_record, plain_record, enum_record], "contract", at=AT))
    assert out == [plain_record] * 3
    assert all(_plain_keys(o) for o in out)
    assert list(enforce(policy, [plain_record], "contract", at=AT)) == [plain_record]


@pytest.mark.parametrize("purpose", ["contract", "profiling_tokens"])
def test_a_key_whose_repr_is_code_runs_nothing(purpose: str) -> None:
    policy = fresh_policy()
    record: dict[Any, Any] = customer()
    record[Evil("email")] = record.pop("email")
    keys = KeyRing.generate()
    try:
        decision = decide(policy, record, purpose, at=AT)
        out = decision.apply(record, keys=keys)
        out2 = list(enforce(policy, [record], purpose, at=AT, keys=keys))
        for result in (out, *out2):
            assert _plain_keys(result)
        assert not hasattr(builtins, MARK)
    finally:
        if hasattr(builtins, MARK):
            delattr(builtins, MARK)


def test_undeclared_str_subclass_key_is_named_by_its_plain_text() -> None:
    policy = fresh_policy()
    record: dict[Any, Any] = customer()
    record[Evil("loyalty")] = "gold"
    decision = decide(policy, record, "contract", at=AT)
    names = set(decision.dropped)
    assert "loyalty" in names
    assert all(type(n) is str for n in names)
    assert not hasattr(builtins, MARK)
