"""A TC string encoder, FOR TESTS ONLY: it writes what ``gdprkit.interop.tcf.decode`` reads.

Written from the IAB Tech Lab specification ("Transparency & Consent String with Global Vendor
& CMP List Formats", TCF v2.2/v2.3, the "TC String Format" tables), not from the decoder: the
round-trip property test checks one against the other. ``BitWriter`` also builds the malformed
strings of the robustness tests (huge range counts, bad ranges, trailing data).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Literal

from gdprkit.interop.tcf import TCString

Encoding = Literal["bits", "range", "auto"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


class BitWriter:
    """Bits appended left to right, then written as base64url (6 bits a character)."""

    def __init__(self) -> None:
        self.bits: list[str] = []

    def int(self, value: int, width: int) -> BitWriter:
        assert 0 <= value < (1 << width), (value, width)
        self.bits.append(format(value, f"0{width}b"))
        return self

    def flag(self, value: bool) -> BitWriter:
        return self.int(int(value), 1)

    def raw(self, bits: str) -> BitWriter:
        assert set(bits) <= {"0", "1"}
        self.bits.append(bits)
        return self

    def ids(self, ids: Iterable[int], width: int) -> BitWriter:
        chosen = set(ids)
        assert all(1 <= i <= width for i in chosen), (chosen, width)
        return self.raw("".join("1" if i in chosen else "0" for i in range(1, width + 1)))

    def letters(self, text: str) -> BitWriter:
        for char in text:
            self.int(ord(char) - ord("A"), 6)
        return self

    def instant(self, when: datetime) -> BitWriter:
        deciseconds, rest = divmod(round((when - EPOCH).total_seconds() * 1000), 100)
        assert rest == 0
        return self.int(deciseconds, 36)

    def __len__(self) -> int:
        return sum(len(b) for b in self.bits)

    def base64url(self, *, pad_to: int = 6) -> str:
        """The bits, padded with zeros to a multiple of ``pad_to`` (6: the shortest; 24: whole
        base64 groups, as iabtcf-es writes; 8: whole bytes), as base64url without ``=``."""
        bits = "".join(self.bits)
        bits += "0" * (-len(bits) % pad_to)
        bits += "0" * (-len(bits) % 6)
        return "".join(ALPHABET[int(bits[i : i + 6], 2)] for i in range(0, len(bits), 6))


def ranges_of(ids: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted ids as inclusive ``(first, last)`` runs."""
    runs: list[tuple[int, int]] = []
    for i in sorted(set(ids)):
        if runs and i == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def write_ranges(out: BitWriter, runs: Sequence[tuple[int, int]]) -> None:
    out.int(len(runs), 12)
    for first, last in runs:
        out.flag(first != last).int(first, 16)
        if first != last:
            out.int(last, 16)


def write_vendors(
    out: BitWriter, ids: Iterable[int], encoding: Encoding, max_vendor_id: int | None = None
) -> None:
    chosen = sorted(set(ids))
    top = max_vendor_id if max_vendor_id is not None else (chosen[-1] if chosen else 0)
    runs = ranges_of(chosen)
    if encoding == "auto":
        range_bits = 12 + sum(17 if a == b else 33 for a, b in runs)
        encoding = "range" if range_bits < top else "bits"
    out.int(top, 16)
    if encoding == "range":
        out.flag(True)
        write_ranges(out, runs)
    else:
        out.flag(False).ids(chosen, top)


def core_writer(
    tc: TCString,
    *,
    consents: Encoding = "auto",
    legitimate_interests: Encoding = "auto",
    split_restrictions: bool = False,
) -> BitWriter:
    """The core segment's bits. ``split_restrictions`` writes each range of a restriction as an
    entry of its own (the decoder merges entries of one purpose and type)."""
    out = BitWriter()
    out.int(tc.version, 6).instant(tc.created).instant(tc.last_updated)
    out.int(tc.cmp_id, 12).int(tc.cmp_version, 12).int(tc.consent_screen, 6)
    out.letters(tc.consent_language).int(tc.vendor_list_version, 12).int(tc.policy_version, 6)
    out.flag(tc.is_service_specific).flag(tc.use_non_standard_texts)
    out.ids(tc.special_feature_optins, 12).ids(tc.purposes_consent, 24)
    out.ids(tc.purposes_li_transparency, 24).flag(tc.purpose_one_treatment)
    out.letters(tc.publisher_cc)
    write_vendors(out, tc.vendor_consents, consents)
    write_vendors(out, tc.vendor_legitimate_interests, legitimate_interests)
    entries: list[tuple[int, int, list[tuple[int, int]]]] = []
    for restriction in tc.publisher_restrictions:
        runs = list(restriction.vendor_ranges)
        if split_restrictions and len(runs) > 1:
            entries.extend(
                (restriction.purpose_id, restriction.restriction_type, [r]) for r in runs
            )
        else:
            entries.append((restriction.purpose_id, restriction.restriction_type, runs))
    out.int(len(entries), 12)
    for purpose, kind, runs in entries:
        out.int(purpose, 6).int(kind, 2)
        write_ranges(out, runs)
    return out


def disclosed_writer(tc: TCString, encoding: Encoding = "auto") -> BitWriter:
    out = BitWriter().int(1, 3)
    write_vendors(out, tc.disclosed_vendors, encoding)
    return out


def publisher_writer(tc: TCString, custom_purposes: int | None = None) -> BitWriter:
    custom = set(tc.publisher_custom_purposes_consent) | set(
        tc.publisher_custom_purposes_li_transparency
    )
    count = custom_purposes if custom_purposes is not None else max(custom, default=0)
    out = BitWriter().int(3, 3)
    out.ids(tc.publisher_purposes_consent, 24).ids(tc.publisher_purposes_li_transparency, 24)
    out.int(count, 6)
    out.ids(tc.publisher_custom_purposes_consent, count)
    out.ids(tc.publisher_custom_purposes_li_transparency, count)
    return out


def encode(
    tc: TCString,
    *,
    consents: Encoding = "auto",
    legitimate_interests: Encoding = "auto",
    disclosed: Encoding | None = "auto",
    publisher: bool = True,
    custom_purposes: int | None = None,
    order: Literal["disclosed_first", "publisher_first"] = "disclosed_first",
    pad_to: int = 6,
    split_restrictions: bool = False,
    equals: bool = False,
) -> str:
    """``tc`` as a TC string. ``disclosed=None`` leaves the disclosed vendors segment out
    (then ``tc.disclosed_vendors`` must be empty); ``publisher=False`` the publisher TC (then
    its sets must be empty). ``equals`` appends base64 ``=`` padding to every segment."""
    if disclosed is None:
        assert not tc.disclosed_vendors
    if not publisher:
        assert not tc.publisher_purposes_consent
        assert not tc.publisher_purposes_li_transparency
        assert not tc.publisher_custom_purposes_consent
        assert not tc.publisher_custom_purposes_li_transparency
    core = core_writer(
        tc,
        consents=consents,
        legitimate_interests=legitimate_interests,
        split_restrictions=split_restrictions,
    )
    others: list[BitWriter] = []
    if disclosed is not None:
        others.append(disclosed_writer(tc, disclosed))
    if publisher:
        others.append(publisher_writer(tc, custom_purposes))
    if order == "publisher_first":
        others.reverse()
    parts = [w.base64url(pad_to=pad_to) for w in (core, *others)]
    if equals:  # standard padding: a length of 4k+1 has none (pad_to=8 avoids it)
        assert all(len(p) % 4 != 1 for p in parts)
        parts = [p + "=" * (-len(p) % 4) for p in parts]
    return ".".join(parts)
