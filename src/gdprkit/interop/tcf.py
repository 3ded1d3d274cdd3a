"""IAB TCF v2 consent strings (TC strings): decode them, check them, record them in the ledger.

A website's consent management platform (CMP) keeps what a visitor chose in a *TC string*, the
format of IAB Tech Lab's "Transparency & Consent String with Global Vendor & CMP List Formats"
(TCF v2.2 and v2.3). :func:`decode` reads one into a frozen :class:`TCString`;
:attr:`TCString.valid` and :attr:`TCString.problems` say whether it obeys the TCF v2.2 rules;
:func:`record` writes, for each policy purpose, a consent or a withdrawal into a
:class:`~gdprkit.ConsentLedger`, so that ``decide`` sees website consent and CRM consent alike.

What is read (design.md §17): the core segment (with the vendor consents and legitimate
interests, in bit-field or range encoding, and the publisher restrictions), the disclosed
vendors segment and the publisher TC segment (with its custom purposes). Segments of other
types (the retired "allowed vendors", and any type defined later) are ignored; a trailing
``=`` (base64 padding) is accepted.

A string that cannot be read raises :class:`TCStringError`, a :class:`~gdprkit.GdprkitError`
and a ``ValueError``. Its message says what is wrong and where (a segment, a field, a
position), never the string or any part of it. The work done and the memory taken are bounded
by the length of the string (at most :data:`MAX_LENGTH` characters): vendor ids are 16-bit
(at most 65535), ranges are merged before they are expanded, and publisher restrictions keep
their vendors as ranges.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import chain
from typing import Final

from gdprkit._consent._ledger import ConsentLedger, SubjectId, _at, _purpose, _subject
from gdprkit._consent._model import ConsentEvent, EventDraft, EventKind, Evidence
from gdprkit._errors import ConfigurationError, GdprkitError
from gdprkit._time import utc_now

__all__ = [
    "MAX_LENGTH",
    "NOT_ALLOWED",
    "REQUIRE_CONSENT",
    "REQUIRE_LEGITIMATE_INTEREST",
    "PublisherRestriction",
    "TCString",
    "TCStringError",
    "decode",
    "record",
]

#: The longest TC string :func:`decode` reads, in characters. A core segment with both vendor
#: sections as full bit fields for every possible vendor id is about 22 000 characters.
MAX_LENGTH: Final = 100_000

#: Publisher restriction types (the ``RestrictionType`` field; 3 is undefined).
NOT_ALLOWED: Final = 0
REQUIRE_CONSENT: Final = 1
REQUIRE_LEGITIMATE_INTEREST: Final = 2

#: The TCF purposes: 1 to 24 is the space of the ``PurposesConsent`` field.
_PURPOSES: Final = range(1, 25)
#: Purposes for which TCF v2.2 forbids legitimate interest (3 to 6), besides purpose 1.
_NO_LI_SINCE_2_2: Final = frozenset({3, 4, 5, 6})
_MIN_POLICY_VERSION: Final = 4
_MAX_VENDOR_ID: Final = 65535
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)

_ALPHABET: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_NOT_BASE64URL: Final = re.compile(r"[^A-Za-z0-9_-]")

_CORE: Final = 0
_DISCLOSED_VENDORS: Final = 1
_PUBLISHER_TC: Final = 3
_SEGMENT_NAMES: Final = {_DISCLOSED_VENDORS: "disclosed vendors", _PUBLISHER_TC: "publisher TC"}


class TCStringError(GdprkitError, ValueError):
    """A TC string that cannot be read, or that :func:`record` may not use.

    The message names the segment, the field or the rule; it never quotes the string.
    """


@dataclass(frozen=True, slots=True)
class PublisherRestriction:
    """A publisher's restriction of the vendors in ``vendor_ranges`` for one purpose.

    ``restriction_type`` is :data:`NOT_ALLOWED` (0), :data:`REQUIRE_CONSENT` (1) or
    :data:`REQUIRE_LEGITIMATE_INTEREST` (2); 3 is undefined in the specification and is kept
    as read. ``vendor_ranges`` holds inclusive ``(first, last)`` vendor id ranges, sorted and
    merged (entries of one purpose and type spread over the string are merged into one).
    ``vendor_id in restriction`` tests one vendor; :attr:`vendors` expands the ranges.
    """

    purpose_id: int
    restriction_type: int
    vendor_ranges: tuple[tuple[int, int], ...]

    def __contains__(self, vendor_id: object) -> bool:
        if not isinstance(vendor_id, int) or isinstance(vendor_id, bool):
            return False
        return any(first <= vendor_id <= last for first, last in self.vendor_ranges)

    @property
    def vendors(self) -> frozenset[int]:
        """The restricted vendor ids (at most 65535 of them)."""
        return _expand(self.vendor_ranges)


@dataclass(frozen=True, slots=True, repr=False)
class TCString:
    """A decoded TC string (TCF v2): what a visitor chose, through which CMP, and when.

    The fields follow the specification's, in its order (design.md §17): ``created`` and
    ``last_updated`` are aware UTC datetimes (day-level since TCF v2.2); ``consent_language``
    and ``publisher_cc`` two capital letters (``"EN"``, ``"IT"``); the sets hold the ids whose
    bit is set: purposes (1-24), special features (1-12), vendors (1-65535), custom purposes.
    ``disclosed_vendors`` is empty when the string has no disclosed vendors segment, and the
    ``publisher_*`` sets when it has no publisher TC segment.

    Beyond the fields the contract names, it keeps ``publisher_restrictions`` (one
    :class:`PublisherRestriction` per purpose and type, sorted) and the publisher TC's custom
    purposes (``publisher_custom_purposes_consent``,
    ``publisher_custom_purposes_li_transparency``).

    :attr:`valid` and :attr:`problems` say whether it obeys the TCF v2.2 rules. Its ``repr``
    shows the header fields and how many vendors each set holds.
    """

    version: int
    created: datetime
    last_updated: datetime
    cmp_id: int
    cmp_version: int
    consent_screen: int
    consent_language: str
    vendor_list_version: int
    policy_version: int
    is_service_specific: bool
    use_non_standard_texts: bool
    special_feature_optins: frozenset[int]
    purposes_consent: frozenset[int]
    purposes_li_transparency: frozenset[int]
    purpose_one_treatment: bool
    publisher_cc: str
    vendor_consents: frozenset[int]
    vendor_legitimate_interests: frozenset[int]
    disclosed_vendors: frozenset[int]
    publisher_purposes_consent: frozenset[int]
    publisher_purposes_li_transparency: frozenset[int]
    publisher_restrictions: tuple[PublisherRestriction, ...] = ()
    publisher_custom_purposes_consent: frozenset[int] = frozenset()
    publisher_custom_purposes_li_transparency: frozenset[int] = frozenset()

    @property
    def problems(self) -> list[str]:
        """What breaks the TCF v2.2 rules (empty when none does).

        TCF policy version 4 or later; a service-specific string (``IsServiceSpecific`` 1);
        no legitimate interest for purpose 1 (storing or accessing information on a device
        needs consent) nor for purposes 3 to 6 (personalised ads and content profiles and
        their selection, consent only since v2.2).
        """
        found: list[str] = []
        if self.policy_version < _MIN_POLICY_VERSION:
            found.append(
                f"TCF policy version {self.policy_version} is older than "
                f"{_MIN_POLICY_VERSION} (TCF v2.2)"
            )
        if not self.is_service_specific:
            found.append("the string is not service-specific (IsServiceSpecific must be 1)")
        if 1 in self.purposes_li_transparency:
            found.append(
                "legitimate interest is signalled for purpose 1, which only consent can support"
            )
        forbidden = sorted(self.purposes_li_transparency & _NO_LI_SINCE_2_2)
        if forbidden:
            listed = ", ".join(str(p) for p in forbidden)
            found.append(
                f"legitimate interest is signalled for purpose(s) {listed}, "
                "which only consent can support since TCF v2.2"
            )
        return found

    @property
    def valid(self) -> bool:
        """Whether the string obeys the TCF v2.2 rules (:attr:`problems` is empty)."""
        return not self.problems

    def __repr__(self) -> str:
        return (
            f"TCString(version={self.version}, created={self.created.isoformat()}, "
            f"cmp_id={self.cmp_id}, cmp_version={self.cmp_version}, "
            f"vendor_list_version={self.vendor_list_version}, "
            f"policy_version={self.policy_version}, "
            f"purposes_consent={sorted(self.purposes_consent)}, "
            f"purposes_li_transparency={sorted(self.purposes_li_transparency)}, "
            f"vendor_consents=<{len(self.vendor_consents)} vendors>, "
            f"vendor_legitimate_interests=<{len(self.vendor_legitimate_interests)} vendors>, "
            f"disclosed_vendors=<{len(self.disclosed_vendors)} vendors>, "
            f"publisher_restrictions=<{len(self.publisher_restrictions)}>)"
        )


# -- reading bits -------------------------------------------------------------------------------


class _Bits:
    """The bits of one segment, read left to right; reading past the end is an error."""

    __slots__ = ("_bits", "_pos", "_segment")

    def __init__(self, text: str, segment: str) -> None:
        # ``text`` holds base64url characters only (checked by the caller). The standard
        # library decodes whole groups of 4 characters: pad with "A" (six zero bits), then keep
        # exactly the 6 bits of each character given.
        padded = text + "A" * (-len(text) % 4)
        try:
            raw = base64.urlsafe_b64decode(padded)
        except (binascii.Error, ValueError):  # pragma: no cover - the alphabet was checked
            raise TCStringError(f"the {segment} segment is not base64url") from None
        width = 6 * len(text)
        self._bits = format(int.from_bytes(raw, "big"), f"0{8 * len(raw)}b")[:width]
        self._pos = 0
        self._segment = segment

    def _take(self, count: int, what: str) -> str:
        end = self._pos + count
        if end > len(self._bits):
            raise TCStringError(
                f"the TC string is truncated: its {self._segment} segment ends inside {what}"
            )
        chunk = self._bits[self._pos : end]
        self._pos = end
        return chunk

    def number(self, count: int, what: str) -> int:
        return int(self._take(count, what), 2)

    def flag(self, what: str) -> bool:
        return self._take(1, what) == "1"

    def ids(self, count: int, what: str) -> frozenset[int]:
        """The 1-based positions of the set bits among the next ``count``."""
        chunk = self._take(count, what)
        found: list[int] = []
        index = chunk.find("1")
        while index != -1:
            found.append(index + 1)
            index = chunk.find("1", index + 1)
        return frozenset(found)

    def letters(self, what: str) -> str:
        first, second = self.number(6, what), self.number(6, what)
        if first > 25 or second > 25:
            raise TCStringError(f"{what} in the {self._segment} segment is not two letters A-Z")
        return chr(ord("A") + first) + chr(ord("A") + second)

    def datetime(self, what: str) -> datetime:
        deciseconds = self.number(36, what)
        return _EPOCH + timedelta(milliseconds=100 * deciseconds)

    @property
    def rest(self) -> str:
        return self._bits[self._pos :]

    def need(self, count: int, what: str) -> None:
        """At least ``count`` bits must remain (a count read from the string is checked
        against the string's length before anything is read for it)."""
        if self._pos + count > len(self._bits):
            raise TCStringError(
                f"the TC string is truncated: its {self._segment} segment ends inside {what}"
            )


def _ranges(bits: _Bits, what: str, limit: int) -> list[tuple[int, int]]:
    """The ``NumEntries`` range entries of a range section, each ``(first, last)``.

    Every id lies in 1..``limit`` and every range is ascending, else :class:`TCStringError`.
    Each entry takes at least 17 bits: a count that the rest of the string cannot hold is
    refused before the first entry is read.
    """
    count = bits.number(12, f"the number of range entries of {what}")
    bits.need(17 * count, f"the range entries of {what}")  # 17 bits each at the least
    found: list[tuple[int, int]] = []
    for entry in range(1, count + 1):
        is_range = bits.flag(f"range entry {entry} of {what}")
        first = bits.number(16, f"range entry {entry} of {what}")
        last = bits.number(16, f"range entry {entry} of {what}") if is_range else first
        if first < 1 or last > limit or first > last:
            raise TCStringError(
                f"range entry {entry} of {what} is not an ascending range of vendor ids "
                f"within 1..{limit}"
            )
        found.append((first, last))
    return found


def _merge(ranges: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            if last > merged[-1][1]:
                merged[-1] = (merged[-1][0], last)
        else:
            merged.append((first, last))
    return tuple(merged)


def _expand(ranges: Iterable[tuple[int, int]]) -> frozenset[int]:
    """The ids of merged (disjoint) ranges: at most 65535, whatever the number of entries."""
    return frozenset(chain.from_iterable(range(first, last + 1) for first, last in ranges))


def _vendors(bits: _Bits, what: str) -> frozenset[int]:
    """A vendor section: ``MaxVendorId``, ``IsRangeEncoding``, then a bit field or ranges."""
    max_vendor_id = bits.number(16, f"the MaxVendorId of {what}")
    if bits.flag(f"the IsRangeEncoding bit of {what}"):
        return _expand(_merge(_ranges(bits, what, max_vendor_id)))
    return bits.ids(max_vendor_id, f"the bit field of {what}")


def _restrictions(bits: _Bits) -> tuple[PublisherRestriction, ...]:
    count = bits.number(12, "the number of publisher restrictions")
    grouped: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for entry in range(1, count + 1):
        what = f"publisher restriction {entry}"
        purpose = bits.number(6, f"the purpose of {what}")
        kind = bits.number(2, f"the restriction type of {what}")
        grouped.setdefault((purpose, kind), []).extend(_ranges(bits, what, _MAX_VENDOR_ID))
    return tuple(
        PublisherRestriction(purpose, kind, _merge(ranges))
        for (purpose, kind), ranges in sorted(grouped.items())
    )


def _end(bits: _Bits, segment: str) -> None:
    """What follows the last field may only be padding: zero bits."""
    if "1" in bits.rest:
        raise TCStringError(f"the {segment} segment has data after its last field")


# -- decoding -----------------------------------------------------------------------------------


def _segments(tc_string: str) -> list[str]:
    """The base64url bodies of the segments, each without its trailing ``=`` padding."""
    if not tc_string:
        raise TCStringError("the TC string is empty")
    if len(tc_string) > MAX_LENGTH:
        raise TCStringError(f"the TC string is longer than {MAX_LENGTH} characters")
    bodies: list[str] = []
    offset = 0
    for number, part in enumerate(tc_string.split("."), start=1):
        body = part.removesuffix("=").removesuffix("=")
        if not body:
            raise TCStringError(f"segment {number} of the TC string is empty")
        bad = _NOT_BASE64URL.search(body)
        if bad is not None:
            raise TCStringError(
                f"the TC string has a character that is not base64url at position "
                f"{offset + bad.start() + 1} (segment {number})"
            )
        bodies.append(body)
        offset += len(part) + 1
    return bodies


def decode(tc_string: str) -> TCString:
    """Read a TC string (IAB TCF v2.2 or v2.3; v2.0 strings share the format).

    The core segment comes first; a disclosed vendors and a publisher TC segment may follow,
    in any order, each at most once; segments of other types are ignored. Each segment is
    base64url without padding, but a trailing ``=`` or ``==`` is accepted. Anything else that
    does not follow the format (a character outside base64url, a version other than 2, a
    string that ends inside a field, a range of vendor ids that is not ascending or exceeds
    ``MaxVendorId``, letters outside A-Z, data after the last field, more than
    :data:`MAX_LENGTH` characters) raises :class:`TCStringError` (a ``ValueError``) without
    quoting the string. A string that is not ``str`` is a ``TypeError``.

    Decoding does not judge: :attr:`TCString.valid` says whether the string obeys the TCF v2.2
    rules.
    """
    if not isinstance(tc_string, str):
        raise TypeError("a TC string must be text (str)")
    core_text, *others = _segments(tc_string)

    core = _Bits(core_text, "core")
    version = core.number(6, "the version")
    if version != 2:
        raise TCStringError(
            f"TC string version {version} is not supported: TCF v2 strings have version 2"
        )
    created = core.datetime("Created")
    last_updated = core.datetime("LastUpdated")
    cmp_id = core.number(12, "CmpId")
    cmp_version = core.number(12, "CmpVersion")
    consent_screen = core.number(6, "ConsentScreen")
    consent_language = core.letters("ConsentLanguage")
    vendor_list_version = core.number(12, "VendorListVersion")
    policy_version = core.number(6, "TcfPolicyVersion")
    is_service_specific = core.flag("IsServiceSpecific")
    use_non_standard_texts = core.flag("UseNonStandardTexts")
    special_feature_optins = core.ids(12, "SpecialFeatureOptIns")
    purposes_consent = core.ids(24, "PurposesConsent")
    purposes_li_transparency = core.ids(24, "PurposesLITransparency")
    purpose_one_treatment = core.flag("PurposeOneTreatment")
    publisher_cc = core.letters("PublisherCC")
    vendor_consents = _vendors(core, "the vendor consents")
    vendor_legitimate_interests = _vendors(core, "the vendor legitimate interests")
    publisher_restrictions = _restrictions(core)
    _end(core, "core")

    disclosed: frozenset[int] = frozenset()
    pub_consent: frozenset[int] = frozenset()
    pub_li: frozenset[int] = frozenset()
    custom_consent: frozenset[int] = frozenset()
    custom_li: frozenset[int] = frozenset()
    seen: set[int] = set()
    for text in others:
        segment_type = _ALPHABET.index(text[0]) >> 3  # the first 3 of its 6 bits
        name = _SEGMENT_NAMES.get(segment_type)
        if name is None:
            continue  # allowed vendors (retired), a second core, or a type defined later
        if segment_type in seen:
            raise TCStringError(f"the TC string has two {name} segments")
        seen.add(segment_type)
        bits = _Bits(text, name)
        bits.number(3, "the segment type")
        if segment_type == _DISCLOSED_VENDORS:
            disclosed = _vendors(bits, "the disclosed vendors")
        else:
            pub_consent = bits.ids(24, "PubPurposesConsent")
            pub_li = bits.ids(24, "PubPurposesLITransparency")
            custom = bits.number(6, "NumCustomPurposes")
            custom_consent = bits.ids(custom, "CustomPurposesConsent")
            custom_li = bits.ids(custom, "CustomPurposesLITransparency")
        _end(bits, name)

    return TCString(
        version=version,
        created=created,
        last_updated=last_updated,
        cmp_id=cmp_id,
        cmp_version=cmp_version,
        consent_screen=consent_screen,
        consent_language=consent_language,
        vendor_list_version=vendor_list_version,
        policy_version=policy_version,
        is_service_specific=is_service_specific,
        use_non_standard_texts=use_non_standard_texts,
        special_feature_optins=special_feature_optins,
        purposes_consent=purposes_consent,
        purposes_li_transparency=purposes_li_transparency,
        purpose_one_treatment=purpose_one_treatment,
        publisher_cc=publisher_cc,
        vendor_consents=vendor_consents,
        vendor_legitimate_interests=vendor_legitimate_interests,
        disclosed_vendors=disclosed,
        publisher_purposes_consent=pub_consent,
        publisher_purposes_li_transparency=pub_li,
        publisher_restrictions=publisher_restrictions,
        publisher_custom_purposes_consent=custom_consent,
        publisher_custom_purposes_li_transparency=custom_li,
    )


# -- recording ----------------------------------------------------------------------------------


def _tcf_purposes(purposes: Mapping[str, Collection[int]]) -> dict[str, frozenset[int]]:
    """``purposes`` checked: policy purpose -> a non-empty set of TCF purposes (1-24)."""
    if not isinstance(purposes, Mapping):
        raise TypeError("purposes must map each policy purpose to the TCF purposes it needs")
    if not purposes:
        raise ConfigurationError("purposes is empty: name at least one policy purpose")
    checked: dict[str, frozenset[int]] = {}
    for name, numbers in purposes.items():
        purpose = _purpose(name)
        if isinstance(numbers, str | bytes) or not isinstance(numbers, Iterable):
            raise ConfigurationError(
                f"the TCF purposes of {purpose!r} must be a collection of numbers 1-24"
            )
        wanted = list(numbers)
        if not wanted:
            raise ConfigurationError(
                f"{purpose!r} names no TCF purpose: a consent would rest on nothing"
            )
        for number in wanted:
            if isinstance(number, bool) or not isinstance(number, int) or number not in _PURPOSES:
                raise ConfigurationError(
                    f"the TCF purposes of {purpose!r} must be numbers 1-24 (TCF purposes)"
                )
        checked[purpose] = frozenset(wanted)
    return checked


def _evidence(tc: TCString) -> Evidence:
    created = tc.created.isoformat().replace("+00:00", "Z")
    return Evidence(
        "tcf",
        notice_version=f"TCF policy {tc.policy_version}, vendor list {tc.vendor_list_version}",
        reference=f"CMP {tc.cmp_id}, TC string created {created}",
    )


def record(
    ledger: ConsentLedger,
    subject: SubjectId,
    tc: TCString | str,
    *,
    purposes: Mapping[str, Collection[int]],
    at: datetime,
) -> list[ConsentEvent]:
    """Record what a TC string says about ``subject``'s policy purposes in ``ledger``.

    ``purposes`` maps a policy purpose to the TCF purposes it needs (``{"personalised_ads":
    [1, 3, 4]}``). For each policy purpose: a consent when the string's ``PurposesConsent``
    has every one of them (evidence method ``"tcf"``, its ``reference`` naming the CMP id and
    the string's created time, its ``notice_version`` the TCF policy and vendor list
    versions), else a withdrawal. ``at`` (aware) is when the string was received; the
    string's own times come from the visitor's device and are kept only in the evidence.
    ``tc`` is a decoded :class:`TCString` or a string to decode.

    All the events are appended in one transaction: all of them or none. A string that breaks
    the TCF v2.2 rules (:attr:`TCString.problems`) records nothing and raises
    :class:`TCStringError`; so does one that cannot be decoded. Bad arguments raise before
    anything is written: a ``ValueError`` (:class:`~gdprkit.ConfigurationError` or plain) for
    a subject id, a purpose, a TCF purpose number or an ``at`` that is not one, ``TypeError``
    for a wrong type. Returns the events appended, in the order of ``purposes``.
    """
    if not isinstance(ledger, ConsentLedger):
        raise TypeError("ledger must be a ConsentLedger")
    wanted = _tcf_purposes(purposes)
    sid = _subject(subject)
    when = _at(at)
    if isinstance(tc, str):
        tc = decode(tc)
    elif not isinstance(tc, TCString):
        raise TypeError("tc must be a TCString or a TC string to decode")
    problems = tc.problems
    if problems:
        raise TCStringError(
            "the TC string does not obey the TCF v2.2 rules, so nothing was recorded: "
            + "; ".join(problems)
        )
    evidence = _evidence(tc)
    recorded_at = utc_now()
    drafts = [
        EventDraft(
            kind=EventKind.GIVEN if needed <= tc.purposes_consent else EventKind.WITHDRAWN,
            subject=sid,
            purpose=purpose,
            at=when,
            recorded_at=recorded_at,
            evidence=evidence if needed <= tc.purposes_consent else None,
        )
        for purpose, needed in wanted.items()
    ]
    return ledger._store().append_many(drafts)  # one transaction, as import_consents does
