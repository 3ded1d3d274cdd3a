"""The decision engine: may this record be processed for this purpose at this moment?

A policy and a purpose compile once into a :class:`_Plan`: the static verdict on every declared
field (not needed, special without a condition, criminal without an authorisation, capped data
without a retention rule), the retention checks with national caps folded in, the record-level
checks that apply, and the reasons, built once. Per record only what depends on the record runs.

The checks run in the order of design.md §6; the first record-level failure denies, field-level
failures drop the field. The engine reads no clock and does no I/O except asking the consent
source it was given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol

from gdprkit._errors import ConfigurationError
from gdprkit._formats import check_value, field_format
from gdprkit._jurisdictions import bundled, caps_in_force, country_key
from gdprkit._taxonomy import KEYED_METHODS, LegalBasis, SpecialCondition, covers
from gdprkit._time import (
    Period,
    in_utc,
    parse_date,
    parse_instant,
    parse_period,
    require_aware,
    zone,
)
from gdprkit._values import choice_key, is_missing, plain, plain_text, read_flag, subject_key

if TYPE_CHECKING:
    from gdprkit._consent import ConsentState
    from gdprkit._policy import Policy, Purpose
    from gdprkit._pseudonymise import KeyRing

__all__ = [
    "ARTICLES",
    "ConsentLookup",
    "Decision",
    "Reason",
    "compile_plan",
    "decide",
    "is_missing",
    "read_flag",
    "subject_key",
]

#: Every reason code gdprkit gives, with the article it rests on.
ARTICLES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "record.invalid": "Art. 5(1)(d)",
        "erasure.requested": "Art. 17(1)",
        "subject.restricted": "Art. 18",
        "objection.direct_marketing": "Art. 21(3)",
        "objection.processing": "Art. 21(1)",
        "source.not_allowed": "Art. 5(1)(a), Art. 14",
        "basis.not_applicable": "Art. 6(1)",
        "consent.missing": "Art. 6(1)(a)",
        "consent.withdrawn": "Art. 7(3)",
        "consent.expired": "Art. 7(1)",
        "consent.unproven": "Art. 7(1)",
        "consent.child": "Art. 8(1)",
        "field.undeclared": "Art. 5(1)(c)",
        "field.not_needed": "Art. 5(1)(c)",
        "special.no_condition": "Art. 9(1)",
        "consent.not_explicit": "Art. 9(2)(a)",
        "criminal.not_authorised": "Art. 10",
        "retention.expired": "Art. 5(1)(e)",
        "retention.anchor_missing": "Art. 5(1)(e)",
        "purpose.required_field_missing": "Art. 5(1)(c)",
        "value.invalid": "Art. 5(1)(d)",
    }
)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a record was denied or a field dropped: a stable code, its article, the field if any.

    The message names fields, purposes and rules, never a value of the record.
    """

    code: str
    article: str
    field: str | None
    message: str

    @classmethod
    def of(cls, code: str, message: str, field: str | None = None) -> Reason:
        return cls(code, ARTICLES[code], field, message)

    def __str__(self) -> str:
        where = f" [{printable_name(self.field)}]" if self.field is not None else ""
        return f"{self.code} ({self.article}){where}: {self.message}"


def printable_name(name: str) -> str:
    """A field name as a message shows it bare: itself when printable, else its ``repr`` (no raw
    control character reaches a terminal or a log)."""
    text = str.__str__(name) if isinstance(name, str) else repr(name)
    return text if text.isprintable() else str.__repr__(text)


class ConsentLookup(Protocol):
    """What the engine needs of a consent source: the state of one subject for one purpose."""

    def state(self, subject: str, purpose: str, *, at: datetime) -> ConsentState: ...


_EMPTY: Final[Mapping[str, Reason]] = MappingProxyType({})
_NO_DEADLINES: Final[list[Any]] = []  # shared by denials, never appended to
Transform = Callable[[object], object]
Deadlines = list[tuple[datetime, tuple[str, ...] | None]]


def valid_until(deadlines: Deadlines, dropped: Mapping[str, Reason]) -> datetime | None:
    """The earliest deadline that concerns the record or a field that was not dropped."""
    best: datetime | None = None
    for end, names in deadlines:
        if (names is None or any(n not in dropped for n in names)) and (best is None or end < best):
            best = end
    return best


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer of :func:`decide`.

    ``fields`` is what may be processed (empty when denied); ``dropped`` says why each other field
    of the record may not be; ``reasons`` why the record was denied (empty when allowed);
    ``valid_until`` the earliest moment the answer can change (a retention deadline or a consent
    expiry), ``None`` when denied or when nothing expires.
    """

    allowed: bool
    purpose: str
    basis: LegalBasis
    fields: frozenset[str]
    dropped: Mapping[str, Reason]
    reasons: tuple[Reason, ...]
    valid_until: datetime | None
    at: datetime
    _plan: _Plan = field(repr=False, compare=False)

    def __bool__(self) -> bool:
        return self.allowed

    def __reduce__(self) -> tuple[Callable[..., Decision], tuple[Any, ...]]:
        """Pickle the answer with the policy and the purpose, never the compiled plan (it holds
        generated code and bound keys): the plan is compiled again where it is unpickled, so
        :meth:`apply` works there (design.md §12)."""
        plan = self._plan
        return (
            _unpickle_decision,
            (
                self.allowed,
                self.purpose,
                self.basis,
                self.fields,
                dict(self.dropped),
                self.reasons,
                self.valid_until,
                self.at,
                plan.policy,
            ),
        )

    def apply(self, record: Mapping[str, Any], keys: KeyRing | None = None) -> dict[str, Any]:
        """The allowed fields of ``record`` with the purpose's transforms applied.

        Empty when denied. Raises :class:`ConfigurationError` when a transform needs keys.
        """
        if not self.allowed:
            return {}
        plan = self._plan
        return plan.projector(self.fields, plan.bind(keys, self.at))(record)


# Reading values: gdprkit._values owns the rules; these names stay importable from here.

_norm_choice = choice_key


# --------------------------------------------------------------------------------------------
# The compiled plan.


#: Anchor texts whose deadline a retention rule remembers (a few hundred KiB at most).
_MAX_ENDS: Final = 4096
#: Longer anchor texts are read every time, never kept (no record grows the memo's memory).
_MAX_ANCHOR_TEXT: Final = 128
_UNSET: Final[Any] = object()  # a value no deadline is


class _Retention:
    """One retention check: a deadline counted from ``anchor`` (the shortest of ``periods``)."""

    __slots__ = ("anchor", "deadline", "ends", "periods")

    def __init__(self, anchor: str, periods: tuple[Period, ...]) -> None:
        self.anchor = anchor
        self.periods = periods
        # One period (the usual case): its own method, one call less per record.
        self.deadline: Callable[[datetime], datetime | None] = (
            periods[0].after if len(periods) == 1 else self._shortest_deadline
        )
        # The deadline of an anchor given as plain text, by its text: reading a date and the
        # calendar arithmetic are pure functions of the text (the plan's zone and dayfirst are
        # fixed), and a date column repeats its values. Bounded (cleared when full), short
        # texts only.
        self.ends: dict[str, datetime | None] = {}

    def end_of(self, raw: object, tz: tzinfo, dayfirst: bool) -> datetime | None:
        """The deadline counted from the anchor value ``raw``; ``None`` when it has none."""
        if type(raw) is str and len(raw) <= _MAX_ANCHOR_TEXT:
            ends = self.ends
            known: datetime | None = ends.get(raw, _UNSET)
            if known is not _UNSET:
                return known
            start = parse_instant(raw, tz, dayfirst)
            end = None if start is None else self.deadline(start)
            if len(ends) >= _MAX_ENDS:
                ends.clear()
            ends[raw] = end
            return end
        start = parse_instant(raw, tz, dayfirst)
        return None if start is None else self.deadline(start)

    def _shortest_deadline(self, start: datetime) -> datetime | None:
        best: datetime | None = None
        for period in self.periods:
            end = period.after(start)
            if end is None:
                continue
            if best is None or end < best:
                best = end
        return best


def _shortest(periods: Iterable[Period]) -> tuple[Period, ...]:
    """Drop periods that are statically longer than another (both whole months or years)."""
    items = list(dict.fromkeys(periods))
    calendar = [p for p in items if p.is_calendar_only()]
    keep = [p for p in items if not p.is_calendar_only()]
    if calendar:
        keep.append(min(calendar, key=lambda p: p.months))
    return tuple(keep)


class _FieldPlan:
    """The static verdict on one declared field for one purpose."""

    __slots__ = ("category", "drop", "explicit", "name", "retention", "transform")

    def __init__(self, name: str, category: str) -> None:
        self.name = plain_text(name)  # a plain str: the only kind of name generated code sees
        self.category = category
        self.drop: Reason | None = None
        self.explicit = False  # special data under explicit consent: check 16 per record
        self.retention: tuple[_Retention, ...] = ()
        self.transform: tuple[str, str] | None = None  # (method, domain)


class _Shape:
    """What the plan knows about records with one set of keys.

    ``groups`` pairs each retention rule that applies to some kept field of the shape with those
    fields, so that a rule's deadline is computed once per record however many fields it covers.
    """

    __slots__ = ("dropped", "explicit", "groups", "groups_of", "kept", "outcomes")

    def __init__(
        self,
        kept: tuple[str, ...],
        dropped: Mapping[str, Reason],
        groups: tuple[tuple[_Retention, tuple[str, ...]], ...],
        explicit: tuple[str, ...],
    ) -> None:
        self.kept = kept  # every field that passes the static checks, record order
        self.dropped = dropped
        self.groups = groups
        self.groups_of = dict(groups)
        self.explicit = explicit  # special fields needing explicit consent (check 16)
        # (kept, dropped) when some field-level check fails, by which: built once each.
        self.outcomes: dict[
            tuple[bool, tuple[tuple[_Retention, bool], ...]],
            tuple[tuple[str, ...], Mapping[str, Reason]],
        ] = {}

    def outcome(
        self, unmet: bool, failed: list[tuple[_Retention, bool]] | None, plan: _Plan
    ) -> tuple[tuple[str, ...], Mapping[str, Reason]]:
        """The kept fields and the reasons of the dropped ones when explicit consent is lacking
        (``unmet``: check 16) and the retention rules in ``failed`` are not met (each with
        whether its anchor is missing or unreadable, else expired)."""
        key = (unmet, () if failed is None else tuple(failed))
        found = self.outcomes.get(key)
        if found is not None:
            return found
        extra = dict(self.dropped)
        if unmet:
            for name in self.explicit:
                extra[name] = plan.r_not_explicit[name]
        for rule, missing in key[1]:
            codes = plan.r_field_anchor if missing else plan.r_field_expired
            for name in self.groups_of[rule]:  # the first failing check gives its reason
                extra.setdefault(name, codes[name])
        found = (tuple(n for n in self.kept if n not in extra), MappingProxyType(extra))
        if len(self.outcomes) < _MAX_OUTCOMES:
            self.outcomes[key] = found
        return found


_MAX_SHAPES: Final = 512  # bounded: hostile input with random keys must not grow memory
_MAX_OUTCOMES: Final = 64  # per shape: combinations of failing field-level checks


class _Plan:
    """A policy and a purpose, compiled."""

    def __init__(self, policy: Policy, name: str) -> None:
        purpose: Purpose = policy.purpose(name)
        self.policy = policy
        self.purpose = name
        self.basis = purpose.basis
        settings = policy.settings
        self.tz: tzinfo = zone(settings.timezone)
        self.dayfirst = settings.dayfirst
        self.demonstrable = settings.demonstrable_consent
        subject = policy.subject
        self.subject_id = subject.id
        self.subject_country = subject.country
        self.subject_birth = subject.birth_date
        self.source_field = subject.source
        # Check 4: direct marketing, and profiling related to it (Art. 21(2)): a profiling
        # purpose counts as such unless the policy says so explicitly (``direct_marketing: false``;
        # unset is ``None``).
        self.marketing_profiling = purpose.direct_marketing is None and purpose.profiling
        self.direct_marketing = purpose.direct_marketing is True or self.marketing_profiling
        self.objectionable = purpose.basis in (
            LegalBasis.LEGITIMATE_INTERESTS,
            LegalBasis.PUBLIC_TASK,
        )
        self.erasure_exempt = purpose.basis is LegalBasis.LEGAL_OBLIGATION
        self.sources = (
            None
            if purpose.sources is None
            else frozenset(s for s in map(_norm_choice, purpose.sources) if s is not None)
        )
        self.when = tuple(
            (f, frozenset(v for v in map(_norm_choice, allowed) if v is not None))
            for f, allowed in (purpose.when or {}).items()
        )
        self.requires = purpose.requires

        # Consent: where it is read from, and whether this purpose needs it.
        self.needs_consent = purpose.basis is LegalBasis.CONSENT
        self.needs_explicit = purpose.special is SpecialCondition.EXPLICIT_CONSENT
        consent = purpose.consent
        self.consent_field = consent.field if consent else None
        self.consent_at = consent.at if consent else None
        self.consent_explicit = consent.explicit if consent else None
        self.consent_parental = consent.parental if consent else None
        self.valid_for = parse_period(consent.valid_for) if consent and consent.valid_for else None

        # Art. 8: ages by country, the policy's overrides first; the controller's as fallback.
        jur = bundled()
        ages = dict(jur.ages)
        for country, overrides in policy.jurisdictions.items():
            if overrides.age_of_digital_consent is not None:
                ages[country_key(country)] = overrides.age_of_digital_consent
        self.ages = ages
        controller_country = country_key(policy.controller.country)
        self.default_age = ages.get(controller_country, jur.default_age)
        self.unknown_country_age = jur.default_age
        self.check_child = (
            self.needs_consent
            and policy.controller.information_society_service
            and self.subject_birth is not None
        )

        # Retention: national caps (an extension replaces the cap), then rules.
        caps = caps_in_force(policy, name)

        def capped(rule_categories: tuple[str, ...]) -> list[Period]:
            return [cap.period for cap in caps if cap.binds(rule_categories)]

        self.record_rules: tuple[_Retention, ...] = tuple(
            _Retention(rule.from_, (parse_period(rule.period),))
            for rule in purpose.retention
            if rule.categories is None
        )
        field_rules = [
            (
                rule.categories,
                _Retention(
                    rule.from_, _shortest([parse_period(rule.period), *capped(rule.categories)])
                ),
            )
            for rule in purpose.retention
            if rule.categories is not None
        ]
        # A record-level rule also covers the purchase details under a cap (design §5): they
        # get the shorter of its period and the cap, from its own anchor; the rest of the
        # record keeps the rule's period (check 20).
        field_rules.extend(
            (
                cap.categories,
                _Retention(rule.from_, _shortest([parse_period(rule.period), cap.period])),
            )
            for rule in purpose.retention
            if rule.categories is None
            for cap in caps
        )
        cap_categories = [c for cap in caps for c in cap.categories]

        # Static verdicts on every declared field, checks 14-17 and 19 (capped, no rule).
        catalogue = policy.catalogue
        listed = purpose.categories
        p = repr(name)
        self.fields: dict[str, _FieldPlan] = {}
        for fname, spec in policy.fields.items():
            fp = _FieldPlan(fname, spec.category)
            category = spec.category
            special = catalogue.is_special(category)
            if not any(covers(c, category) for c in listed):
                fp.drop = Reason.of(
                    "field.not_needed",
                    f"category {category!r} of field {fname!r} is not among those purpose {p} "
                    "needs",
                    fname,
                )
            elif (
                purpose.soft_opt_in
                and covers("contact", category)
                and not covers("contact.email", category)
            ):
                # Soft opt-in (Codice privacy art. 130(4)) is e-mail only: never a phone
                # number, an address or a social account, whatever the purpose lists.
                fp.drop = Reason.of(
                    "field.not_needed",
                    f"field {fname!r} is not an e-mail address and purpose {p} rests on the "
                    "soft opt-in of art. 130(4) Codice privacy, which covers e-mail only",
                    fname,
                )
            elif special and purpose.special is None:
                fp.drop = Reason.of(
                    "special.no_condition",
                    f"field {fname!r} holds special-category data and purpose {p} names no "
                    "Art. 9(2) condition",
                    fname,
                )
            elif catalogue.is_criminal(category) and purpose.criminal is None:
                fp.drop = Reason.of(
                    "criminal.not_authorised",
                    f"field {fname!r} holds criminal-offence data and purpose {p} records no "
                    "legal authorisation",
                    fname,
                )
            else:
                rules = tuple(
                    r for cats, r in field_rules if any(covers(c, category) for c in cats)
                )
                if not rules and any(covers(c, category) for c in cap_categories):
                    fp.drop = Reason.of(
                        "retention.anchor_missing",
                        f"field {fname!r} is subject to a national retention cap for purpose {p} "
                        "and no retention rule of the purpose covers it",
                        fname,
                    )
                fp.retention = rules
                fp.explicit = special and self.needs_explicit
                spec_t = purpose.transform.get(fname)
                if spec_t is not None:
                    fp.transform = (spec_t.method, spec_t.domain)
            self.fields[fp.name] = fp

        self.needs_keys = any(
            fp.transform is not None and fp.transform[0] in KEYED_METHODS
            for fp in self.fields.values()
        )
        self._shapes: dict[tuple[Any, ...], _Shape] = {}
        # Which record-level checks apply at all, so that evaluate skips the others at once.
        self.gated = bool(
            self.sources is not None or self.when or self.needs_consent or self.needs_explicit
        )
        # settings.invalid_values: the kept fields whose values must fit a format (design §5).
        self.deny_invalid = settings.invalid_values == "deny"
        self.value_formats: dict[str, str] = {}
        if settings.invalid_values != "keep":
            for fname, spec in policy.fields.items():
                fmt = field_format(spec)
                fp = self.fields[plain_text(fname)]
                if fmt is not None and fp.drop is None and fname != self.subject_id:
                    self.value_formats[fp.name] = fmt
        self.r_value_invalid = {
            fname: Reason.of(
                "value.invalid",
                f"field {fname!r} does not fit its format ({fmt}): settings.invalid_values is "
                f"{settings.invalid_values!r}",
                fname,
            )
            for fname, fmt in self.value_formats.items()
        }
        self.tail = bool(self.record_rules or self.requires or self.value_formats)
        self._bound: tuple[object, datetime | None, dict[str, Transform]] | None
        self._bound = None
        self._needs_at = any(
            fp.transform is not None and fp.transform[0] == "generalise.age_band"
            for fp in self.fields.values()
        )

        # The reasons, built once.
        self.r_invalid = Reason.of("record.invalid", "the record is not a mapping")
        self.r_no_subject = Reason.of(
            "record.invalid",
            f"the subject id field {self.subject_id!r} is missing or holds no id (text or an "
            "integral number)",
            self.subject_id,
        )
        self.r_erasure = Reason.of(
            "erasure.requested", f"the subject asked for erasure; purpose {p} is not a legal duty"
        )
        self.r_restricted = Reason.of(
            "subject.restricted", "processing of the subject's data is restricted"
        )
        self.r_objection_dm = Reason.of(
            "objection.direct_marketing",
            f"the subject objected to direct marketing; purpose {p} is profiling related to "
            "direct marketing (Art. 21(2); the policy does not say direct_marketing: false)"
            if self.marketing_profiling
            else f"the subject objected to direct marketing; purpose {p} is direct marketing",
        )
        self.r_objection = Reason.of(
            "objection.processing",
            f"the subject objected to purpose {p}, which rests on {self.basis.value}",
        )
        self.r_source = Reason.of(
            "source.not_allowed",
            f"the record's source is not one purpose {p} accepts",
            self.source_field,
        )
        self.r_when = {
            f: Reason.of(
                "basis.not_applicable",
                f"field {f!r} does not meet the condition under which purpose {p} applies",
                f,
            )
            for f, _ in self.when
        }
        self.r_missing = Reason.of(
            "consent.missing", f"purpose {p} rests on consent and none was given by that moment"
        )
        self.r_withdrawn = Reason.of(
            "consent.withdrawn", f"consent for purpose {p} was withdrawn by that moment"
        )
        self.r_objected = Reason.of(
            "consent.withdrawn",
            f"the subject objected to purpose {p}, which rests on consent: the objection "
            "withdraws it",
        )
        self.r_expired = Reason.of(
            "consent.expired", f"consent for purpose {p} is older than its validity period"
        )
        self.r_unproven = Reason.of(
            "consent.unproven",
            f"consent for purpose {p} has no evidence of when or how it was given",
        )
        self.r_child = Reason.of(
            "consent.child",
            "the subject is under the age of digital consent and no parental authorisation "
            "is recorded",
            self.subject_birth,
        )
        self.r_not_explicit = {
            fname: Reason.of(
                "consent.not_explicit",
                f"field {fname!r} is special-category data and the consent for purpose {p} "
                "is not explicit",
                fname,
            )
            for fname, fp in self.fields.items()
            if fp.explicit
        }
        self.r_field_expired = {
            fname: Reason.of(
                "retention.expired",
                f"the retention period of field {fname!r} for purpose {p} has ended",
                fname,
            )
            for fname in self.fields
        }
        self.r_field_anchor = {
            fname: Reason.of(
                "retention.anchor_missing",
                f"the retention of field {fname!r} for purpose {p} is counted from a date the "
                "record lacks or that cannot be read",
                fname,
            )
            for fname in self.fields
        }
        self.r_record_expired = {
            r.anchor: Reason.of(
                "retention.expired",
                f"the retention period of purpose {p} counted from {r.anchor!r} has ended",
                r.anchor,
            )
            for r in self.record_rules
        }
        self.r_record_anchor = {
            r.anchor: Reason.of(
                "retention.anchor_missing",
                f"the retention of purpose {p} is counted from field {r.anchor!r}, which the "
                "record lacks or which cannot be read",
                r.anchor,
            )
            for r in self.record_rules
        }
        self.r_required = {
            f: Reason.of(
                "purpose.required_field_missing",
                f"purpose {p} requires field {f!r}, which is missing",
                f,
            )
            for f in self.requires
        }
        # Check 21 for a required field that was dropped: the message names the drop's code.
        self.r_required_dropped: dict[tuple[str, str], Reason] = {}

    # -- shapes -----------------------------------------------------------------------------

    def _shape(self, keys: tuple[Any, ...]) -> _Shape:
        kept: list[str] = []
        dropped: dict[str, Reason] = {}
        groups: dict[_Retention, list[str]] = {}
        explicit: list[str] = []
        # Every name the shape holds is a plain ``str``: the policy's own declared name, or the
        # plain text of an undeclared key. A key of a ``str`` subclass (a ``StrEnum``, say) is
        # matched by its text and never kept itself: the cache entry it creates is shared with
        # plain records of the same keys, and its names reach the generated projector.
        for key in keys:
            if key.__class__ is str:
                name = key
            elif isinstance(key, str):
                name = plain_text(key)
            else:
                name = f"<{type(key).__name__} key>"
                dropped[name] = Reason.of(
                    "field.undeclared", f"field {name!r} is not declared in the policy", name
                )
                continue
            fp = self.fields.get(name)
            if fp is None:
                dropped[name] = Reason.of(
                    "field.undeclared", f"field {name!r} is not declared in the policy", name
                )
                continue
            name = fp.name
            if fp.drop is not None:
                dropped[name] = fp.drop
            else:
                kept.append(name)
                if fp.explicit:
                    explicit.append(name)
                for rule in fp.retention:
                    groups.setdefault(rule, []).append(name)
        shape = _Shape(
            tuple(kept),
            MappingProxyType(dropped),
            tuple((rule, tuple(names)) for rule, names in groups.items()),
            tuple(explicit),
        )
        if len(self._shapes) < _MAX_SHAPES:
            self._shapes[keys] = shape
        return shape

    # -- evaluation --------------------------------------------------------------------------

    def evaluate(
        self,
        record: object,
        at: datetime,
        lookup: Callable[[str], ConsentState | None] | None,
    ) -> tuple[Reason | None, tuple[str, ...], Mapping[str, Reason], Deadlines]:
        """Run the checks: ``(denial, kept fields, dropped fields, deadlines)``.

        ``deadlines`` are the moments something of an allowed answer expires, each with the
        fields it concerns (``None``: the whole record); :func:`valid_until` reduces them.
        """
        # 1. The record itself.
        if type(record) is not dict and not isinstance(record, Mapping):
            return self.r_invalid, (), _EMPTY, _NO_DEADLINES
        get = record.get
        state: ConsentState | None = None
        if self.subject_id is not None:
            # One canonical key (gdprkit._values): 1001, 1001.0 and " 1001" are one subject; a
            # bool, a non-integral number or a missing value is no id.
            key = subject_key(get(self.subject_id))
            if key is None:
                return self.r_no_subject, (), _EMPTY, _NO_DEADLINES
            # 2-5. What the subject asked for, from the consent source.
            if lookup is not None:
                state = lookup(key)
                if state is not None:
                    if state.erasure_requested and not self.erasure_exempt:
                        return self.r_erasure, (), _EMPTY, _NO_DEADLINES
                    if state.restricted:
                        return self.r_restricted, (), _EMPTY, _NO_DEADLINES
                    if self.direct_marketing and (
                        state.objected_direct_marketing or state.objected
                    ):
                        return self.r_objection_dm, (), _EMPTY, _NO_DEADLINES
                    if self.objectionable and state.objected:
                        return self.r_objection, (), _EMPTY, _NO_DEADLINES
        deadlines: list[tuple[datetime, tuple[str, ...] | None]] = []
        explicit = False
        if self.gated:  # any of checks 6-12 applies to this purpose (decided once)
            # 6. Source.
            if self.sources is not None and (
                self.source_field is None
                or _norm_choice(get(self.source_field)) not in self.sources
            ):
                return self.r_source, (), _EMPTY, _NO_DEADLINES
            # 7. Conditions of the legal basis.
            for wfield, allowed in self.when:
                if _norm_choice(get(wfield)) not in allowed:
                    return self.r_when[wfield], (), _EMPTY, _NO_DEADLINES
            # 8-12. Consent.
            if self.needs_consent or self.needs_explicit:
                outcome = self._consent(get, at, state)
                if outcome.__class__ is Reason:
                    if self.needs_consent:
                        return outcome, (), _EMPTY, _NO_DEADLINES
                else:
                    explicit, parental, expiry = outcome  # type: ignore[misc]
                    if expiry is not None:
                        deadlines.append((expiry, None))
                    if self.check_child and not parental and self._is_child(get, at):
                        return self.r_child, (), _EMPTY, _NO_DEADLINES
        # 13-19. Fields.
        keys = tuple(record)
        try:
            shape = self._shapes.get(keys)
        except Exception:  # keys that cannot be hashed: a mapping no record can be
            return self.r_invalid, (), _EMPTY, _NO_DEADLINES
        if shape is None:
            shape = self._shape(keys)
        kept = shape.kept
        dropped = shape.dropped
        unmet = False
        if shape.explicit and not explicit:
            unmet = True
        failed: list[tuple[_Retention, bool]] | None = None
        if shape.groups:
            tz, dayfirst = self.tz, self.dayfirst
            for rule, names in shape.groups:
                end = rule.end_of(get(rule.anchor), tz, dayfirst)
                if end is not None and at < end:
                    deadlines.append((end, names))
                    continue
                if failed is None:
                    failed = []
                failed.append((rule, end is None))
        if unmet or failed is not None:
            kept, dropped = shape.outcome(unmet, failed, self)
        if not self.tail:  # no invalid-value check, neither check 20 nor 21 applies
            return None, kept, dropped, deadlines
        # settings.invalid_values: drop, or deny, values that do not fit their format.
        if self.value_formats:
            bad = [name for name in kept if self.invalid_value(name, get(name))]
            if bad:
                if self.deny_invalid:
                    return self.r_value_invalid[bad[0]], (), _EMPTY, _NO_DEADLINES
                extra = dict(dropped)
                for name in bad:
                    extra[name] = self.r_value_invalid[name]
                kept = tuple(n for n in kept if n not in extra)
                dropped = MappingProxyType(extra)
        # 20. Record-level retention.
        for rule in self.record_rules:
            anchor = rule.anchor
            end = rule.end_of(get(anchor), self.tz, self.dayfirst)
            if end is None:
                return self.r_record_anchor[anchor], (), _EMPTY, _NO_DEADLINES
            if at >= end:
                return self.r_record_expired[anchor], (), _EMPTY, _NO_DEADLINES
            deadlines.append((end, None))
        # 21. Required fields: a dropped one keeps its own reason in ``dropped``.
        if self.requires:
            for rfield in self.requires:
                cause = dropped.get(rfield)
                if cause is not None:
                    return self.required_dropped(rfield, cause), (), dropped, _NO_DEADLINES
                if rfield not in record or is_missing(record[rfield]):
                    return self.r_required[rfield], (), _EMPTY, _NO_DEADLINES
        return None, kept, dropped, deadlines

    def invalid_value(self, name: str, value: object) -> bool:
        """Whether field ``name``'s ``value`` fails the format ``settings.invalid_values``
        checks (missing values never do: missing is missing)."""
        fmt = self.value_formats.get(name)
        if fmt is None:
            return False
        value = plain(value)
        return not is_missing(value) and check_value(fmt, value, dayfirst=self.dayfirst) is not None

    def required_dropped(self, rfield: str, cause: Reason) -> Reason:
        """Check 21 for a required field that was dropped: the message names why it was."""
        key = (rfield, cause.code)
        reason = self.r_required_dropped.get(key)
        if reason is None:
            reason = Reason.of(
                "purpose.required_field_missing",
                f"purpose {self.purpose!r} requires field {rfield!r}, which was dropped "
                f"({cause.code})",
                rfield,
            )
            if len(self.r_required_dropped) < len(ARTICLES) * len(self.requires):
                self.r_required_dropped[key] = reason
        return reason

    def _consent(
        self, get: Callable[[str], object], at: datetime, state: ConsentState | None
    ) -> Reason | tuple[bool, bool, datetime | None]:
        """Checks 8-11: a denial, or (explicit, parental, expiry).

        ``state`` is what the consent source says (``None``: no source). It has the last word
        (design.md §6): an objection naming this purpose is a withdrawal (check 5); for consent
        read from columns, a withdrawal in the source at or after the column's ``at`` denies,
        and a consent the source recorded after the column's is the consent in force.
        """
        if self.consent_field is not None:
            flag = read_flag(get(self.consent_field))
            if not flag:  # nothing else is read
                return self.column_consent(False, None, False, False, at, state)
            return self.column_consent(
                True,
                None if self.consent_at is None else self.instant(get(self.consent_at)),
                self.consent_explicit is not None and read_flag(get(self.consent_explicit)),
                self.consent_parental is not None and read_flag(get(self.consent_parental)),
                at,
                state,
            )
        if state is None or state.status == "none":
            return self.r_missing
        if state.status != "given":
            return self.r_withdrawn
        if state.objected:
            return self.r_objected
        proven = state.evidence is not None
        return self._validity(state.given_at, state.explicit, state.parental, proven, at)

    def instant(self, raw: object) -> datetime | None:
        """A time value of a record (a consent time, a retention anchor) read as the plan reads
        it: in the policy's zone, day first or not; ``None`` when missing or unreadable."""
        return parse_instant(raw, self.tz, self.dayfirst)

    def column_consent(  # noqa: PLR0917 - the consent columns, read, then the moment and state
        self,
        flag: bool,
        given_at: datetime | None,
        explicit: bool,
        parental: bool,
        at: datetime,
        state: ConsentState | None,
    ) -> Reason | tuple[bool, bool, datetime | None]:
        """Checks 8-11 for consent read from the record's columns, once read (the flag, the
        time of consent, the explicit and parental flags; each a pure function of its cell, so
        a columnar engine reads each distinct cell once): a denial, or (explicit, parental,
        expiry)."""
        if not flag:
            return self.r_missing
        if given_at is not None and given_at > at:
            return self.r_missing
        if state is not None and (state.objected or state.status != "none"):
            if state.objected:
                return self.r_objected
            if state.status == "withdrawn":
                ended = state.withdrawn_at
                # Without a readable column time the column's consent cannot be shown to come
                # after the withdrawal.
                if given_at is None or ended is None or ended >= given_at:
                    return self.r_withdrawn
            elif state.given_at is not None and (given_at is None or state.given_at > given_at):
                # the source's later consent is the one in force
                proven = state.evidence is not None
                return self._validity(state.given_at, state.explicit, state.parental, proven, at)
        return self._validity(given_at, explicit, parental, given_at is not None, at)

    def _validity(
        self, given_at: datetime | None, explicit: bool, parental: bool, proven: bool, at: datetime
    ) -> Reason | tuple[bool, bool, datetime | None]:
        """Checks 10-11 of the consent in force."""
        expiry: datetime | None = None
        if self.valid_for is not None:
            if given_at is None:
                # No readable moment of consent: unproven where proof is required (a true flag
                # without its timestamp), else its age is unknown and it counts as expired.
                return self.r_unproven if self.demonstrable else self.r_expired
            expiry = self.valid_for.after(given_at)
            if expiry is None or at >= expiry:
                return self.r_expired
        if self.demonstrable and not proven:
            return self.r_unproven
        return explicit, parental, expiry

    def _is_child(self, get: Callable[[str], object], at: datetime) -> bool:
        """Check 12: under the age of digital consent at ``at``.

        Only when the record holds a birth date; one that is present but unreadable
        (``30/02/2015``), or in the future of ``at``, counts as a child's (fail closed).
        """
        born = self.birth(get(self.subject_birth))  # type: ignore[arg-type]
        if born is None or born is True:
            return born is True
        country = None if self.subject_country is None else get(self.subject_country)
        return self.under_age(born, self.age_limit(country), at)

    # Check 12 in three steps, so that a columnar engine runs each on the distinct values of
    # one column (birth dates, countries) and only the last on their combinations.

    def birth(self, raw: object) -> date | Literal[True] | None:
        """A birth date as check 12 reads it: ``None`` when missing (no check), ``True`` when
        present but unreadable (a child's, fail closed), else the date."""
        if is_missing(raw):
            return None
        born = parse_date(raw, self.dayfirst)
        return True if born is None else born

    def age_limit(self, country: object) -> int:
        """The age of digital consent for a subject's ``country`` value: the subject's country
        when known (a country the table lacks: 16), else the controller's."""
        code = str.__str__(country).strip() if isinstance(country, str) else ""
        if not code:
            return self.default_age
        return self.ages.get(country_key(code), self.unknown_country_age)

    def under_age(self, born: date, limit: int, at: datetime) -> bool:
        """Whether someone born on ``born`` is under ``limit`` at ``at`` (a birth date in the
        future of ``at`` counts as a child's)."""
        try:
            today = at.astimezone(self.tz).date()
        except OverflowError:  # at the edge of the calendar (year 9999): the date in UTC
            today = at.date()
        if born > today:
            return True
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        return age < limit

    # -- output ------------------------------------------------------------------------------

    def projector(
        self, fields: Iterable[str], transforms: Mapping[str, Transform]
    ) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
        """A function building the output record for ``fields``: one dict literal, the fields in
        the policy's declaration order, each through its transform; ``drop`` fields omitted.

        Generated once per set of fields, so that the per-record path is what one would write
        by hand. Only the policy's own declared names (plain ``str``) enter the source, and only
        through ``str.__repr__`` (string literals); any other name in ``fields`` is left out.
        """
        declared = self.fields
        wanted = set(fields)
        names = [fp.name for fp in declared.values() if fp.name in wanted]
        env: dict[str, Any] = {}
        items = []
        for i, name in enumerate(names):
            literal = str.__repr__(name)
            fn = transforms.get(name)
            if fn is _drop:
                continue
            if fn is None:
                items.append(f"{literal}: r[{literal}]")
            else:
                env[f"t{i}"] = fn
                items.append(f"{literal}: t{i}(r[{literal}])")
        source = f"def project(r):\n    return {{{', '.join(items)}}}\n"
        exec(compile(source, "<gdprkit projector>", "exec"), env)  # noqa: S102 - see docstring
        project: Callable[[Mapping[str, Any]], dict[str, Any]] = env["project"]
        return project

    def bind(self, keys: KeyRing | None, at: datetime | None) -> dict[str, Transform]:
        """The purpose's transforms with keys and time bound; raises if keys are needed."""
        bound_at = at if self._needs_at else None
        cached = self._bound
        if cached is not None and cached[0] is keys and cached[1] == bound_at:
            return cached[2]
        if self.needs_keys and keys is None:
            methods = sorted(
                {fp.transform[0] for fp in self.fields.values() if fp.transform} & KEYED_METHODS
            )
            raise ConfigurationError(
                f"purpose {self.purpose!r} transforms fields with {', '.join(methods)}: "
                "pass keys=KeyRing(...)"
            )
        from gdprkit._pseudonymise import make_transform  # noqa: PLC0415 - lazy: crypto

        transforms: dict[str, Transform] = {}
        for fname, fp in self.fields.items():
            if fp.transform is None or fp.drop is not None:
                continue
            method, domain = fp.transform
            if method == "drop":
                transforms[fname] = _drop
                continue
            transforms[fname] = make_transform(
                method,
                category=fp.category,
                domain=domain,
                keys=keys,
                at=at,
                dayfirst=self.dayfirst,
            )
        self._bound = (keys, bound_at, transforms)
        return transforms


def _drop(_value: object) -> None:
    """The ``drop`` transform: never called; the projector omits the field."""


def compile_plan(policy: Policy, purpose: str) -> _Plan:
    """The compiled plan of ``purpose`` under ``policy`` (built once, then cached)."""
    plans: dict[str, _Plan] = policy._plans
    plan = plans.get(purpose)
    if plan is None:
        plan = _Plan(policy, purpose)
        plans[purpose] = plan
    return plan


def _unpickle_decision(  # noqa: PLR0917 - a pickle's arguments are positional: one per field
    allowed: bool,
    purpose: str,
    basis: LegalBasis,
    fields: frozenset[str],
    dropped: dict[str, Reason],
    reasons: tuple[Reason, ...],
    valid_until: datetime | None,
    at: datetime,
    policy: Policy,
) -> Decision:
    """A :class:`Decision` from its pickle: the plan compiled again from the policy."""
    plan = compile_plan(policy, purpose)
    frozen = MappingProxyType(dropped) if dropped else _EMPTY
    return Decision(allowed, purpose, basis, fields, frozen, reasons, valid_until, at, plan)


def _lookup_for(
    consents: ConsentLookup | None, purpose: str, at: datetime, plan: _Plan
) -> Callable[[str], ConsentState | None] | None:
    if consents is None:
        return None
    if plan.subject_id is None:
        raise ConfigurationError(
            "a consent source was given but the policy names no subject.id field to ask it about"
        )
    state = consents.state

    def lookup(subject: str) -> ConsentState | None:
        return state(subject, purpose, at=at)

    return lookup


def decide(
    policy: Policy,
    record: Mapping[str, Any],
    purpose: str,
    *,
    at: datetime | None = None,
    consents: ConsentLookup | None = None,
) -> Decision:
    """May ``record`` be processed for ``purpose`` at ``at``, which of its fields, and why not.

    ``at`` is an aware datetime (naive is an error); ``None`` means now (UTC). ``consents`` is a
    consent source (a :class:`ConsentLedger`); it is always asked about erasure requests,
    restrictions and objections.
    """
    plan = compile_plan(policy, purpose)
    when = require_aware(at)
    denial, kept, dropped, deadlines = plan.evaluate(
        record, in_utc(when), _lookup_for(consents, purpose, when, plan)
    )
    if denial is not None:
        return Decision(
            False, purpose, plan.basis, frozenset(), dropped, (denial,), None, when, plan
        )
    until = valid_until(deadlines, dropped)
    return Decision(True, purpose, plan.basis, frozenset(kept), dropped, (), until, when, plan)
