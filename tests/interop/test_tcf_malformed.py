"""Malformed TC strings raise ``TCStringError`` (a ``GdprkitError`` and a ``ValueError``) that
never echoes the string, and no string makes ``decode`` allocate or work beyond its length."""

from __future__ import annotations

import time
import tracemalloc
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from _tcf_encoder import ALPHABET, BitWriter, core_writer, encode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdprkit import GdprkitError
from gdprkit.interop.tcf import MAX_LENGTH, TCString, TCStringError, decode

# GDPR::IAB::TCFv2 t/01-parse.t: a core with a bit field, with a publisher TC segment
FULL = (
    "CLcVDxRMWfGmWAVAHCENAXCkAKDAADnAABRgA5mdfCKZuYJez-NQm0TBMYA4oCAAGQYIAAAAAAEAIAEgAA"
    ".argAC0gAAAAAAAAAAAA"
)
# the same suite: a core whose vendor sections are ranges, and one with publisher restrictions
RANGES = "COyfVVoOyfVVoADACHENAwCAAAAAAAAAAAAAE5QBgALgAqgD8AQACSwEygJyAnSAMABgAFkAgQCDASeAmYBOgAA"
RESTRICTED = (
    "COxPe2TOxPe2TALABAENAPCgAAAAAAAAAAAAAFAAAAoAAA4IACACAIABgACAFA4ADACAAIygAGADwAQBIAIAIB0AEAEB"
    "SACACAA"
)


def base() -> TCString:
    return decode(FULL)


def fails(tc_string: str, match: str | None = None) -> TCStringError:
    """``decode`` raises TCStringError, a GdprkitError and a ValueError, not quoting the string."""
    with pytest.raises(TCStringError, match=match) as caught:
        decode(tc_string)
    error = caught.value
    assert isinstance(error, GdprkitError)
    assert isinstance(error, ValueError)
    assert error.__cause__ is None
    if len(tc_string) >= 4:
        assert tc_string not in str(error)
        assert tc_string not in repr(error)
        assert tc_string not in str(error.args)
    for segment in tc_string.split("."):
        if len(segment) >= 8:
            assert segment not in str(error)
    return error


def test_the_error_is_a_gdprkit_error_and_a_value_error() -> None:
    assert issubclass(TCStringError, GdprkitError)
    assert issubclass(TCStringError, ValueError)


# -- truncated at every length ------------------------------------------------------------------


@pytest.mark.parametrize("full", [FULL, RANGES, RESTRICTED], ids=["bitfield", "ranges", "restr"])
def test_truncated_at_every_length(full: str) -> None:
    """Every prefix raises, or decodes the same as the string it was cut from: only when what
    was cut is zero padding (``A``) or the whole of a later segment."""
    whole = decode(full)
    for length in range(len(full)):
        prefix = full[:length]
        cut = full[length:]
        tc, error = attempt(prefix)
        if error is not None:
            if len(prefix) >= 4:
                assert prefix not in str(error)
            continue
        assert tc is not None
        if set(cut) <= {"A"}:
            assert tc == whole
        else:  # the later segments were cut whole, and of the core only zero padding
            core = full.split(".", maxsplit=1)[0]
            assert core.startswith(prefix)
            assert set(core[len(prefix) :]) <= {"A"}
            assert tc == decode(core)


def attempt(text: str) -> tuple[TCString | None, TCStringError | None]:
    try:
        return decode(text), None
    except TCStringError as error:
        return None, error


def test_a_bit_field_cut_short_is_named() -> None:
    error = fails(FULL[:60])
    assert "truncated" in str(error)
    assert "core" in str(error)


# -- bad characters -----------------------------------------------------------------------------

BAD = ["+", "/", "!", " ", "\n", "\t", "\x00", "é", "\uff21", "=", "%", "*", "\u200b"]


@pytest.mark.parametrize("bad", BAD, ids=[repr(b) for b in BAD])
def test_a_bad_character_anywhere_raises(bad: str) -> None:
    for position in range(0, len(FULL), 7):
        if FULL[position] == ".":
            continue
        text = FULL[:position] + bad + FULL[position + 1 :]
        error = fails(text)
        if bad != "=":
            assert "base64url" in str(error)


@pytest.mark.parametrize(
    "text",
    [
        "",
        ".",
        FULL + ".",
        "." + FULL,
        FULL.replace(".", ".."),
        FULL + "===",
        " " + FULL,
        FULL + "\n",
    ],
    ids=["empty", "dot", "trailing-dot", "leading-dot", "double-dot", "three-equals", "lead", "nl"],
)
def test_empty_segments_and_surrounding_text_raise(text: str) -> None:
    fails(text)


@pytest.mark.parametrize(
    "value", [None, b"COtybn4PA_zT4KjACBENAPCIAEBAAECAAIAAAAAAAAAA", 12, ["C"]]
)
def test_not_text_is_a_type_error(value: object) -> None:
    with pytest.raises(TypeError):
        decode(value)  # type: ignore[arg-type]


# -- padding ------------------------------------------------------------------------------------


@pytest.mark.parametrize("pad_to", [6, 8, 24])
def test_padding_is_accepted(pad_to: int) -> None:
    tc = base()
    assert decode(encode(tc, pad_to=pad_to)) == tc
    if pad_to == 8:
        assert decode(encode(tc, pad_to=pad_to, equals=True)) == tc


def test_long_zero_padding_is_padding() -> None:
    core, publisher = FULL.split(".")
    assert decode(f"{core}{'A' * 400}.{publisher}AAAA") == base()


# -- wrong version ------------------------------------------------------------------------------


@pytest.mark.parametrize("version", [0, 1, 3, 4, 31, 63])
def test_a_version_other_than_2_raises(version: int) -> None:
    text = core_writer(replace(base(), version=version)).base64url()
    error = fails(text, match=f"version {version}")
    assert "TCF v2" in str(error)


# -- overlong -----------------------------------------------------------------------------------


def test_a_string_longer_than_the_limit_raises_before_decoding() -> None:
    text = FULL.split(".", maxsplit=1)[0] + "A" * MAX_LENGTH
    started = time.perf_counter()
    error = fails(text, match="longer than")
    assert time.perf_counter() - started < 0.5
    assert str(MAX_LENGTH) in str(error)


@pytest.mark.parametrize("extra", ["1", "000001", "1" * 30])
def test_data_after_the_last_field_raises(extra: str) -> None:
    core = core_writer(base()).raw(extra).base64url()
    fails(core, match="after its last field")
    writer = BitWriter().int(3, 3).raw("0" * 54).raw(extra)  # a publisher TC, then data
    fails(f"{core_writer(base()).base64url()}.{writer.base64url()}", match="after its last")


def test_a_second_publisher_segment_raises() -> None:
    fails(FULL + "." + FULL.split(".")[1], match="two publisher TC segments")


def test_unknown_segment_types_are_ignored() -> None:
    """Types 2 (allowed vendors, retired) and 4 to 7 (not defined yet), and a later type 0."""
    for segment_type in (0, 2, 4, 5, 6, 7):
        other = BitWriter().int(segment_type, 3).raw("1" * 40).base64url()
        assert decode(f"{FULL}.{other}") == base()


# -- ranges and letters -------------------------------------------------------------------------


def vendor_section(
    max_vendor_id: int, entries: list[tuple[int, int]], count: int | None = None
) -> str:
    """A core with ``tc``'s fields, whose vendor consents are the given range entries."""
    tc = base()
    out = core_writer(replace(tc, vendor_consents=frozenset()), consents="bits")
    # rebuild: the fixed fields, then the hand-made vendor consent section
    fixed = "".join(out.bits)[:213]
    writer = BitWriter().raw(fixed).int(max_vendor_id, 16).flag(True)
    writer.int(len(entries) if count is None else count, 12)
    for first, last in entries:
        writer.flag(first != last).int(first, 16)
        if first != last:
            writer.int(last, 16)
    writer.int(0, 16).flag(False).int(0, 12)  # no legitimate interests, no restrictions
    return writer.base64url()


def test_a_well_formed_range_section() -> None:
    tc = decode(vendor_section(100, [(3, 5), (9, 9), (4, 10)]))
    assert tc.vendor_consents == set(range(3, 11))


@pytest.mark.parametrize(
    "entries",
    [[(0, 0)], [(0, 5)], [(7, 3)], [(5, 101)], [(101, 101)], [(1, 2), (2, 65535)]],
    ids=["zero", "from-zero", "descending", "beyond-max", "single-beyond-max", "second-bad"],
)
def test_a_bad_range_raises(entries: list[tuple[int, int]]) -> None:
    fails(vendor_section(100, entries), match="range entry")


def test_a_huge_range_count_without_entries_is_truncated() -> None:
    fails(vendor_section(65535, [], count=4095), match="truncated")


def test_huge_ranges_are_bounded_by_the_vendor_id_space() -> None:
    """4095 entries, each 1..65535: the set holds 65535 ids, built once (ranges are merged
    before they are expanded), in little time and memory."""
    text = vendor_section(65535, [(1, 65535)] * 4095)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        tc = decode(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 5
    assert tc.vendor_consents == frozenset(range(1, 65536))
    assert peak < 40 * 1024 * 1024


def test_publisher_restrictions_keep_ranges_whatever_their_number() -> None:
    """4095 restrictions of every vendor id for 256 (purpose, type) pairs: the restrictions
    keep merged ranges, not 4095 x 65535 ids."""
    tc = base()
    writer = core_writer(replace(tc, publisher_restrictions=()))
    bits = "".join(writer.bits)[:-12]  # drop NumPubRestrictions = 0
    out = BitWriter().raw(bits).int(4095, 12)
    for entry in range(4095):
        out.int(entry % 64, 6).int(entry // 64 % 4, 2).int(1, 12).flag(True).int(1, 16)
        out.int(65535, 16)
    text = out.base64url()
    assert len(text) < MAX_LENGTH
    tracemalloc.start()
    started = time.perf_counter()
    try:
        decoded = decode(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 5
    assert peak < 40 * 1024 * 1024
    assert len(decoded.publisher_restrictions) == 256
    assert all(r.vendor_ranges == ((1, 65535),) for r in decoded.publisher_restrictions)
    assert 65535 in decoded.publisher_restrictions[0]
    assert 0 not in decoded.publisher_restrictions[0]


@pytest.mark.parametrize("field", ["consent_language", "publisher_cc"])
def test_letters_outside_a_to_z_raise(field: str) -> None:
    writer = core_writer(base())
    bits = "".join(writer.bits)
    start = 108 if field == "consent_language" else 201  # their offsets in the core
    broken = bits[:start] + format(26, "06b") + bits[start + 6 :]
    fails(BitWriter().raw(broken).base64url(), match="two letters")


def test_the_letter_offsets_used_above() -> None:
    bits = "".join(core_writer(base()).bits)
    assert int(bits[108:114], 2) == ord(base().consent_language[0]) - ord("A")
    assert int(bits[201:207], 2) == ord(base().publisher_cc[0]) - ord("A")


# -- fuzz: nothing but the documented error ------------------------------------------------------

B64URL_TEXT = st.text(alphabet=ALPHABET + ".=", max_size=300)


def check(text: str) -> None:
    tc, error = attempt(text)
    if error is not None:
        if len(text) >= 12:
            assert text not in str(error)
            # the repr less the class name (text drawn from the base64url alphabet can spell it)
            assert text not in repr(error).removeprefix(type(error).__name__)
        return
    assert tc is not None
    assert tc.version == 2
    assert tc.created.tzinfo is UTC
    for ids, top in [
        (tc.purposes_consent, 24),
        (tc.purposes_li_transparency, 24),
        (tc.special_feature_optins, 12),
        (tc.vendor_consents, 65535),
        (tc.vendor_legitimate_interests, 65535),
        (tc.disclosed_vendors, 65535),
        (tc.publisher_custom_purposes_consent, 63),
    ]:
        assert all(1 <= i <= top for i in ids)
    assert isinstance(tc.created, datetime)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_random_text_raises_only_the_documented_error(text: str) -> None:
    check(text)


@settings(max_examples=300, deadline=None)
@given(B64URL_TEXT)
def test_random_base64url_raises_only_the_documented_error(text: str) -> None:
    check(text)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([FULL, RANGES, RESTRICTED]),
    st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(ALPHABET + ".=!")), max_size=4),
)
def test_mutated_strings_raise_only_the_documented_error(
    text: str, edits: list[tuple[int, str]]
) -> None:
    chars = list(text)
    for position, char in edits:
        chars[position % len(chars)] = char
    check("".join(chars))
