"""``TCString.valid`` and ``problems``: the TCF v2.2 rules, one row per rule (design.md §17).

IAB Tech Lab, "Consent string and vendor list formats v2" (TCF v2.2): a string with a policy
version below 4 is invalid after 30 September 2023; ``IsServiceSpecific`` must be 1; purpose 1
needs consent; legitimate interest for purposes 3 to 6 was withdrawn ("Bits 2 to 5 are
required to be set to 0").
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from typing import Any

import pytest
from _tcf_encoder import encode

from gdprkit.interop.tcf import TCString, decode

# GDPR::IAB::TCFv2 t/05-tcf-v23.t: a real TCF v2.3 string (policy version 5, service specific,
# legitimate interest for purposes 2 and 7 to 11 only)
V23 = (
    "CP188cAQKFpAAAHABBENBSFsAP_gAEPgAAiQKqNX_H__bW9r8X73aft0eY1P9_j77uQxBhfJE-4FzLvW_JwXx2ExNA36tq"
    "IKmRIEu3bBIQNlHJHUTVigaogVryHMak2cpTNKJ6BkiFMRM2dYCF5vm4tj-QKY5_r993dx2D-t_dv83dzyz81Hn3f5_2e"
    "0eLCdQ5-tDfv9bROb-9IPd_78v4v8_l_rk2_eT1n_tevr7D_-ft8__XW_9_fff_9Pn_-uB_-_3_vf_EFUwCTDQqIA-wJC"
    "Qg0DCKBACoKwgIoFAQAAJA0QEAJgwKdgYALrCRACAFAAMEAIAAQZAAgAAAgAQiACQAoEAAEAgUAAYAEAwEABAwAAgAsBA"
    "IAAQHQMUwIIFAsIEjMioUwIQoEggJbKhBICgQVwhCLPAIgERMFAAgAAAVgACAsFgcSSAlQkECXUG0AABAAgFEIFQgk9MA"
    "AwJmy1B4MG0ZWmAYPmCRDTAMgCIIyEAAAA.f_wACHwAAAAA"
)


def valid_base() -> TCString:
    tc = decode(V23)
    assert tc.policy_version == 5
    assert tc.is_service_specific
    assert tc.purposes_li_transparency == {2, 7, 8, 9, 10, 11}
    return tc


RULES: list[tuple[str, dict[str, Any], bool, str | None]] = [
    # (situation, changes to a valid v2.3 string, valid, a phrase of the problem)
    ("v2.3 string as published", {}, True, None),
    ("policy version 4 (TCF v2.2)", {"policy_version": 4}, True, None),
    ("policy version 3 (TCF v2.1)", {"policy_version": 3}, False, "policy version 3"),
    ("policy version 2 (TCF v2.0)", {"policy_version": 2}, False, "older than 4"),
    ("global scope (not service specific)", {"is_service_specific": False}, False, "service"),
    ("LI for purpose 1", {"purposes_li_transparency": frozenset({1, 2})}, False, "purpose 1"),
    ("LI for purpose 3", {"purposes_li_transparency": frozenset({3})}, False, "3"),
    ("LI for purpose 4", {"purposes_li_transparency": frozenset({4, 7})}, False, "4"),
    ("LI for purpose 5", {"purposes_li_transparency": frozenset({5})}, False, "5"),
    ("LI for purpose 6", {"purposes_li_transparency": frozenset({6})}, False, "6"),
    ("LI for purposes 2, 7-11", {"purposes_li_transparency": frozenset({2, 7, 11})}, True, None),
    ("consent for purposes 1-11", {"purposes_consent": frozenset(range(1, 12))}, True, None),
    (
        "publisher LI for purpose 3",
        {"publisher_purposes_li_transparency": frozenset({3})},
        True,
        None,
    ),
    ("no purpose at all", {"purposes_consent": frozenset()}, True, None),
    ("a future policy version", {"policy_version": 6}, True, None),
]


@pytest.mark.parametrize(
    ("changes", "valid", "phrase"),
    [row[1:] for row in RULES],
    ids=[row[0] for row in RULES],
)
def test_v22_rules(changes: dict[str, Any], valid: bool, phrase: str | None) -> None:
    tc = replace(valid_base(), **changes)
    assert tc.valid is valid
    assert (tc.problems == []) is valid
    if phrase is not None:
        assert any(phrase in problem for problem in tc.problems), tc.problems
    # the same through a string: decode reads what the rules judge
    assert decode(encode(tc)).problems == tc.problems


def test_every_broken_rule_is_listed() -> None:
    tc = replace(
        valid_base(),
        policy_version=2,
        is_service_specific=False,
        purposes_li_transparency=frozenset({1, 3, 4}),
    )
    assert len(tc.problems) == 4
    assert "3, 4" in tc.problems[3]


def test_problems_name_rules_not_the_string() -> None:
    tc = replace(valid_base(), policy_version=2, purposes_li_transparency=frozenset({1, 3}))
    for problem in tc.problems:
        assert V23[:12] not in problem


def test_a_tc_string_is_frozen_and_hashable() -> None:
    tc = valid_base()
    with pytest.raises(FrozenInstanceError):
        tc.cmp_id = 1  # type: ignore[misc]
    assert {tc: 1}[decode(V23)] == 1


def test_the_repr_summarises_the_vendor_sets() -> None:
    text = repr(valid_base())
    assert "cmp_id=7" in text
    assert "vendors>" in text
    assert len(text) < 1000
