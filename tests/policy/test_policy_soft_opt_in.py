"""``soft_opt_in`` and ``settings.invalid_values`` in the policy format (design §5)."""

from __future__ import annotations

from typing import Any

import pytest

import gdprkit
from gdprkit import PolicyError


def _doc(**purpose: Any) -> dict[str, Any]:
    return {
        "version": 1,
        "controller": {"name": "Test S.r.l.", "country": "IT", "contact": "privacy@example.it"},
        "subject": {"id": "id"},
        "fields": {"id": "identity.customer_id", "email": "contact.email"},
        "purposes": {"offers": {"categories": ["identity", "contact"], **purpose}},
    }


@pytest.mark.parametrize(
    ("basis", "direct_marketing", "loads"),
    [
        ("legitimate_interests", True, True),
        ("legitimate_interests", None, False),
        ("legitimate_interests", False, False),
        ("consent", True, False),
        ("contract", True, False),
    ],
)
def test_soft_opt_in_only_on_legitimate_interests_direct_marketing(
    basis: str, direct_marketing: bool | None, loads: bool
) -> None:
    doc = _doc(basis=basis, soft_opt_in=True, direct_marketing=direct_marketing)
    if loads:
        assert gdprkit.load_policy(doc).purposes["offers"].soft_opt_in is True
        return
    with pytest.raises(PolicyError) as info:
        gdprkit.load_policy(doc)
    assert "purposes.offers.soft_opt_in" in str(info.value)
    assert "130(4)" in str(info.value)


def test_soft_opt_in_defaults_to_false() -> None:
    assert gdprkit.load_policy(_doc(basis="contract")).purposes["offers"].soft_opt_in is False


@pytest.mark.parametrize("choice", ["keep", "drop", "deny"])
def test_invalid_values_choices(choice: str) -> None:
    doc = {**_doc(basis="contract"), "settings": {"invalid_values": choice}}
    assert gdprkit.load_policy(doc).settings.invalid_values == choice


def test_invalid_values_default_and_refusal() -> None:
    assert gdprkit.load_policy(_doc(basis="contract")).settings.invalid_values == "keep"
    doc = {**_doc(basis="contract"), "settings": {"invalid_values": "dorp"}}
    with pytest.raises(PolicyError, match="did you mean 'drop'"):
        gdprkit.load_policy(doc)
