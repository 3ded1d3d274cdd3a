"""Round trip: whatever the encoder written for the tests (``_tcf_encoder``, from the
specification's tables) writes, ``decode`` reads back, whatever the encodings chosen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from _tcf_encoder import encode, ranges_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdprkit.interop.tcf import PublisherRestriction, TCString, decode

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

instants = st.integers(0, (1 << 36) - 1).map(lambda ds: EPOCH + timedelta(milliseconds=100 * ds))
letters = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2)


def ids(top: int, max_size: int = 40) -> st.SearchStrategy[frozenset[int]]:
    return st.frozensets(st.integers(1, top), max_size=max_size)


# vendor ids: mostly the ids of today's vendor list, sometimes anywhere in the 16-bit space
vendor_ids = st.one_of(ids(1500, 80), ids(65535, 6))
# runs of consecutive ids, which range encoding writes as one entry
vendor_runs = st.lists(st.tuples(st.integers(1, 3000), st.integers(0, 60)), max_size=5).map(
    lambda runs: frozenset(i for start, length in runs for i in range(start, start + length + 1))
)
vendors = st.one_of(vendor_ids, vendor_runs)


@st.composite
def restrictions(draw: st.DrawFn) -> tuple[PublisherRestriction, ...]:
    keys = draw(st.lists(st.tuples(st.integers(0, 63), st.integers(0, 3)), max_size=6, unique=True))
    return tuple(
        PublisherRestriction(purpose, kind, tuple(ranges_of(draw(vendors))))
        for purpose, kind in sorted(keys)
    )


@st.composite
def tc_strings(draw: st.DrawFn) -> TCString:
    with_publisher = draw(st.booleans())
    return TCString(
        version=2,
        created=draw(instants),
        last_updated=draw(instants),
        cmp_id=draw(st.integers(0, 4095)),
        cmp_version=draw(st.integers(0, 4095)),
        consent_screen=draw(st.integers(0, 63)),
        consent_language=draw(letters),
        vendor_list_version=draw(st.integers(0, 4095)),
        policy_version=draw(st.integers(0, 63)),
        is_service_specific=draw(st.booleans()),
        use_non_standard_texts=draw(st.booleans()),
        special_feature_optins=draw(ids(12)),
        purposes_consent=draw(ids(24)),
        purposes_li_transparency=draw(ids(24)),
        purpose_one_treatment=draw(st.booleans()),
        publisher_cc=draw(letters),
        vendor_consents=draw(vendors),
        vendor_legitimate_interests=draw(vendors),
        disclosed_vendors=draw(vendors),
        publisher_purposes_consent=draw(ids(24)) if with_publisher else frozenset(),
        publisher_purposes_li_transparency=draw(ids(24)) if with_publisher else frozenset(),
        publisher_restrictions=draw(restrictions()),
        publisher_custom_purposes_consent=draw(ids(63)) if with_publisher else frozenset(),
        publisher_custom_purposes_li_transparency=draw(ids(63)) if with_publisher else frozenset(),
    )


encodings = st.sampled_from(["bits", "range", "auto"])


options = st.fixed_dictionaries(
    {
        "consents": encodings,
        "legitimate_interests": encodings,
        "disclosed": encodings,
        "order": st.sampled_from(["disclosed_first", "publisher_first"]),
        "pad_to": st.sampled_from([6, 8, 24]),
        "split_restrictions": st.booleans(),
    }
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tc=tc_strings(), chosen=options, extra_custom=st.integers(0, 3))
def test_decode_reads_what_the_encoder_writes(
    tc: TCString, chosen: dict[str, Any], extra_custom: int
) -> None:
    custom = max(
        tc.publisher_custom_purposes_consent | tc.publisher_custom_purposes_li_transparency,
        default=0,
    )
    text = encode(
        tc,
        custom_purposes=min(63, custom + extra_custom),
        equals=chosen["pad_to"] == 8,
        **chosen,
    )
    decoded = decode(text)
    assert decoded == tc
    assert hash(decoded) == hash(tc)
    assert decoded.created.tzinfo is UTC


@settings(max_examples=50, deadline=None)
@given(tc=tc_strings())
def test_segments_left_out_decode_as_empty(tc: TCString) -> None:
    from dataclasses import replace

    bare = replace(
        tc,
        disclosed_vendors=frozenset(),
        publisher_purposes_consent=frozenset(),
        publisher_purposes_li_transparency=frozenset(),
        publisher_custom_purposes_consent=frozenset(),
        publisher_custom_purposes_li_transparency=frozenset(),
    )
    assert decode(encode(bare, disclosed=None, publisher=False)) == bare


@settings(max_examples=100, deadline=None)
@given(tc=tc_strings(), vendor=st.integers(0, 65536))
def test_a_restriction_contains_exactly_its_vendors(tc: TCString, vendor: int) -> None:
    for restriction in decode(encode(tc)).publisher_restrictions:
        assert (vendor in restriction) == (vendor in restriction.vendors)
