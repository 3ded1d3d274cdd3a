"""Invariants of scan_text and redact_text (hypothesis).

A valid identifier of any kind, generated with python-stdnum's check digits and written as
people write it, inserted into filler text that holds no identifier, is found exactly where it
was put, with its kind; redacting the text leaves none of its characters.
"""

from __future__ import annotations

import itertools
import string

from _scan_samples import IDENTIFIERS
from hypothesis import given
from hypothesis import strategies as st
from stdnum.it import iva

from gdprkit import Match, scan_text
from gdprkit._scan import KINDS, redact_text

# Filler: Italian letters, spaces and punctuation; no digit, no "@", no ":" ("::" is an IPv6
# address), so it can hold no identifier of its own.
FILLER = st.text(alphabet=string.ascii_letters + "àèéìòùÀÈ ,;.!?()'\"\n", max_size=80)
KIND = st.sampled_from(sorted(IDENTIFIERS))


def _expected_kind(kind: str, written: str) -> str:
    # Documented tie: an 11-digit landline that passes the partita IVA check is a partita IVA.
    if kind == "phone" and written.isdigit() and len(written) == 11 and iva.is_valid(written):
        return "partita_iva"
    return kind


@given(data=st.data(), left=FILLER, right=FILLER, kind=KIND)
def test_an_inserted_identifier_is_found_where_it_was_put(
    data: st.DataObject, left: str, right: str, kind: str
) -> None:
    written = data.draw(IDENTIFIERS[kind], label=kind)
    text = f"{left} {written} {right}"
    start = len(left) + 1
    expected = Match(_expected_kind(kind, written), start, start + len(written))  # type: ignore[arg-type]
    assert scan_text(text) == [expected]


@given(data=st.data(), left=FILLER, right=FILLER, kind=KIND)
def test_redaction_leaves_none_of_the_identifier(
    data: st.DataObject, left: str, right: str, kind: str
) -> None:
    written = data.draw(IDENTIFIERS[kind], label=kind)
    redacted = redact_text(f"{left} {written} {right}")
    assert redacted == f"{left} [{_expected_kind(kind, written)}] {right}"
    assert not any(
        ch.isdigit() for ch in redacted
    )  # the filler has none: all were the identifier's


@given(parts=st.lists(st.tuples(FILLER, KIND), min_size=1, max_size=5), data=st.data())
def test_several_identifiers_are_each_found(
    parts: list[tuple[str, str]], data: st.DataObject
) -> None:
    text = ""
    expected = []
    for filler, kind in parts:
        written = data.draw(IDENTIFIERS[kind], label=kind)
        text += f"{filler} "
        expected.append(Match(_expected_kind(kind, written), len(text), len(text) + len(written)))  # type: ignore[arg-type]
        text += f"{written} "
    assert scan_text(text) == expected


@given(st.text(max_size=300))
def test_any_text_gives_sorted_disjoint_matches_in_bounds(text: str) -> None:
    found = scan_text(text)
    assert all(0 <= m.start < m.end <= len(text) and m.kind in KINDS for m in found)
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
    redacted = redact_text(text)
    rebuilt, last = [], 0
    for m in found:
        rebuilt += [text[last : m.start], f"[{m.kind}]"]
        last = m.end
    assert redacted == "".join([*rebuilt, text[last:]])


@given(st.text(alphabet="0123456789 +-./():@abcdefIT", max_size=200))
def test_digit_soup_never_breaks_the_invariants(text: str) -> None:
    found = scan_text(text)
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
    assert scan_text(text) == found  # deterministic
