"""Storage limitation and the rights of data subjects: sweeps, erasure plans, access, portability.

Everything here is answered by the decision engine itself: each purpose's compiled plan says,
for a record at a moment, which fields it may process and until when. Nothing here decides a
rule again. On top of that:

* :func:`sweep` (Art. 5(1)(e)): a field stays while *some* purpose may process it, or while the
  subject's processing is restricted (Art. 18); otherwise it goes, into an anonymous copy where a
  retention rule covering it says ``then: anonymise``, else erased. A record left with no
  personal field is deleted.
* :func:`erasure_plan` (Art. 17): what an erasure request at a moment erases now, and what a
  ``legal_obligation`` purpose keeps, until when (Art. 17(3)(b)).
* :func:`access_report` (Art. 15) and :func:`portability_export` (Art. 20): JSON-ready data in
  the stable shapes of ``docs/reference/rights.md``.

Choices where design.md §11 is silent (documented in ``docs/reference/rights.md``):

* A sweep never acts on what it cannot judge (design.md §11): a record without a readable
  subject id, or that is no mapping, is left unchanged (``record.invalid``); a subject under a
  legal hold is left unchanged (``retention.legal_hold``, Art. 17(3)(e)).
* Fields a purpose that keeps the record *reads* to decide stay with the fields it keeps: the
  subject id, the source, ``when`` fields, consent columns, retention anchors, and the country
  and birth date of the Art. 8 check. Erasing them would change tomorrow's decision (the second
  sweep would erase more; without a birth date the Art. 8 check does not apply, so a minor
  would pass) and lose the date a deadline is counted from. For the same reason the country
  and birth date stay in a record that is kept while a purpose denies it ``consent.child``:
  erasing them would turn that denial into an allowance.
* Undeclared fields are personal data of unknown kind: they are erased (``field.undeclared``),
  never copied.
* The anonymous copy holds only the fields that leave under an anonymise rule, never identity,
  contact, online, special, criminal, free-text, card or bank-account data; dates, birth dates
  included, become the month (``YYYY-MM``, design §11), other values are kept as they are.
"""

from __future__ import annotations

import base64
import dataclasses
import math
import re
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from decimal import Decimal
from itertools import islice
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from gdprkit._decision import (
    ARTICLES,
    ConsentLookup,
    Reason,
    _Plan,
    compile_plan,
    is_missing,
    valid_until,
)
from gdprkit._enforce import check_records, require_consent_source
from gdprkit._errors import ConfigurationError
from gdprkit._taxonomy import PERSONAL_ROOTS_NEVER_ANONYMOUS, LegalBasis, covers, root
from gdprkit._time import parse_instant, require_aware, zone
from gdprkit._validation import _formats
from gdprkit._values import subject_key

if TYPE_CHECKING:
    from gdprkit._consent import ConsentState
    from gdprkit._policy import Policy

__all__ = [
    "RIGHTS_ARTICLES",
    "ErasurePlan",
    "SweepAction",
    "access_report",
    "erasure_plan",
    "jsonable",
    "portability_export",
    "sweep",
]

_LEGAL_HOLD: Final = "retention.legal_hold"
_HOLD_ARTICLE: Final = "Art. 17(3)(e)"

#: The reason codes this module adds to :data:`gdprkit.ARTICLES`, with their articles.
RIGHTS_ARTICLES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "erasure.exception": "Art. 17(3)(b)",
        "record.no_personal_data": "Art. 5(1)(e)",
        _LEGAL_HOLD: _HOLD_ARTICLE,
    }
)

# Which cause explains best why a field may no longer be stored, when purposes disagree: what the
# subject did first, then time running out, then what was never there.
_PRECEDENCE: Final = (
    "record.invalid",
    "erasure.requested",
    "objection.direct_marketing",
    "objection.processing",
    "consent.withdrawn",
    "retention.expired",
    "consent.expired",
    "retention.anchor_missing",
    "consent.missing",
    "consent.unproven",
    "consent.child",
    "consent.not_explicit",
    "purpose.required_field_missing",
    "source.not_allowed",
    "basis.not_applicable",
    "special.no_condition",
    "criminal.not_authorised",
    "field.not_needed",
    "field.undeclared",
)
_RANK: Final = {code: i for i, code in enumerate(_PRECEDENCE)}
#: Categories never copied into an anonymous copy besides the roots of the taxonomy's list.
_NEVER_ANONYMOUS_CATEGORIES: Final = ("financial.card", "financial.bank_account")
_DATE_TEXT: Final = re.compile(r"^\s*(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4})")
_CHUNK: Final = 1024
_MAX_CACHE: Final = 4096

Outcome = tuple[Reason | None, tuple[str, ...], Mapping[str, Reason], list[Any]]


# --------------------------------------------------------------------------------------------
# Results.


@dataclass(frozen=True, slots=True)
class SweepAction:
    """What storage limitation requires of one record now (design.md §11).

    ``delete``: the whole record goes (no personal field is left). ``erase``: the fields whose
    values must be removed from the record (only fields holding a value; the fields whose value
    moves to ``anonymous`` are among them). ``anonymous``: the anonymous copy (original field
    names, values generalised) that may be kept for statistics, or ``None``. ``reasons``: why,
    one :class:`~gdprkit.Reason` per field that goes (and one for the record when deleted, or
    left unchanged: restricted ``subject.restricted``, under a legal hold
    ``retention.legal_hold``, not judged ``record.invalid``). ``review_at``: the next moment
    something in the record expires; ``None`` when deleted, left unchanged, or when nothing
    expires.
    """

    subject: Any
    delete: bool
    erase: frozenset[str]
    anonymous: dict[str, Any] | None
    reasons: tuple[Reason, ...]
    review_at: datetime | None

    @property
    def changed(self) -> bool:
        """Whether applying the action changes the record."""
        return self.delete or bool(self.erase)

    def __repr__(self) -> str:  # the subject id is personal data: never shown
        return (
            f"SweepAction(delete={self.delete}, erase={sorted(self.erase)!r}, "
            f"anonymous={None if self.anonymous is None else sorted(self.anonymous)!r}, "
            f"reasons={[r.code for r in self.reasons]!r}, review_at={self.review_at!r})"
        )


@dataclass(frozen=True, slots=True)
class ErasurePlan:
    """What an erasure request (Art. 17) at a moment means for one record.

    ``erase``: the personal fields holding a value to erase now. ``keep``: field → the moment
    until which a ``legal_obligation`` purpose still needs it (Art. 17(3)(b)), ``None`` where no
    rule bounds it. ``reasons``: one ``erasure.exception`` reason per kept field. ``delete``:
    nothing personal is kept, so the whole record goes (its ``meta`` fields with it).
    """

    subject: Any
    erase: frozenset[str]
    keep: Mapping[str, datetime | None]
    reasons: tuple[Reason, ...]
    delete: bool

    def __repr__(self) -> str:
        return (
            f"ErasurePlan(delete={self.delete}, erase={sorted(self.erase)!r}, "
            f"keep={sorted(self.keep)!r})"
        )


# --------------------------------------------------------------------------------------------
# What a policy says about storage, compiled once per policy.


class _Storage:
    """The plans of every purpose of a policy and the static facts a sweep needs."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.names = tuple(policy.purposes)
        self.plans: tuple[_Plan, ...] = tuple(compile_plan(policy, p) for p in self.names)
        settings = policy.settings
        self.tz: tzinfo = zone(settings.timezone)
        self.dayfirst = settings.dayfirst
        subject = policy.subject
        self.subject_id = subject.id
        self.source_field = subject.source
        categories = {name: spec.category for name, spec in policy.fields.items()}
        self.categories = categories
        #: declared fields that are personal (not ``meta``)
        self.meta = frozenset(n for n, c in categories.items() if root(c) == "meta")
        #: declared fields the controller derived (``inferred.*``): not portable (Art. 20)
        self.inferred = frozenset(n for n, c in categories.items() if root(c) == "inferred")
        # Fields covered by a retention rule that says ``then: anonymise``.
        anonymise: set[str] = set()
        for purpose in policy.purposes.values():
            for rule in purpose.retention:
                if rule.then != "anonymise":
                    continue
                listed = purpose.categories if rule.categories is None else rule.categories
                anonymise.update(
                    n for n, c in categories.items() if any(covers(x, c) for x in listed)
                )
        self.anonymise = frozenset(anonymise)
        # How each field enters an anonymous copy: None (never), "month", "value".
        formats = _formats(policy)
        kinds: dict[str, str | None] = {}
        for name, category in categories.items():
            if root(category) in PERSONAL_ROOTS_NEVER_ANONYMOUS or any(
                covers(c, category) for c in _NEVER_ANONYMOUS_CATEGORIES
            ):
                kinds[name] = None
            elif (
                name == subject.birth_date
                or covers("demographic.birth_date", category)
                or formats.get(name) == "date"
            ):
                # design §11: "dates generalised to the month", birth dates included
                kinds[name] = "month"
            else:
                kinds[name] = "value"
        self.anon_kind = kinds
        # Per field, the purposes that list its category (those whose verdict explains it).
        self.listing: dict[str, tuple[int, ...]] = {
            name: tuple(i for i, plan in enumerate(self.plans) if _needed(plan, name))
            for name in categories
        }
        # Fields each plan reads whatever it keeps (the record-level checks).
        self.reads: tuple[frozenset[str], ...] = tuple(self._reads(plan) for plan in self.plans)
        self._deps: dict[tuple[int, tuple[str, ...]], frozenset[str]] = {}
        self._reasons: dict[tuple[Any, ...], Reason] = {}
        # What stays for a combination of per-plan answers (kept fields, or None when denied).
        self._stays: dict[tuple[Any, ...], tuple[frozenset[str], frozenset[str]]] = {}

    @staticmethod
    def _reads(plan: _Plan) -> frozenset[str]:
        names: set[str | None] = {plan.subject_id}
        if plan.sources is not None:
            names.add(plan.source_field)
        names.update(f for f, _ in plan.when)
        names.update((plan.consent_field, plan.consent_at, plan.consent_explicit))
        names.add(plan.consent_parental)
        names.update(r.anchor for r in plan.record_rules)
        names.update(_child_reads(plan))
        return frozenset(n for n in names if n is not None)

    def deps(self, i: int, kept: tuple[str, ...]) -> frozenset[str]:
        """The fields plan ``i`` reads to keep ``kept``: they stay with them."""
        key = (i, kept)
        found = self._deps.get(key)
        if found is None:
            plan = self.plans[i]
            anchors = {r.anchor for name in kept for r in plan.fields[name].retention}
            found = self.reads[i] | anchors
            if len(self._deps) < _MAX_CACHE:
                self._deps[key] = found
        return found

    def personal(self, name: object) -> bool:
        return name not in self.meta

    # -- reasons ---------------------------------------------------------------------------

    def field_reason(self, name: str, outcomes: list[Outcome | None], anonymised: bool) -> Reason:
        """Why no purpose may process field ``name`` any more: the most telling cause."""
        best: tuple[int, int, Reason] | None = None
        for i in self.listing.get(name, ()):
            outcome = outcomes[i]
            if outcome is None:
                continue
            denial, _kept, dropped, _ = outcome
            cause = denial if denial is not None else dropped.get(name)
            if cause is None:
                continue
            rank = _RANK.get(cause.code, len(_RANK))
            if best is None or rank < best[0]:
                best = (rank, i, cause)
        key = (
            name,
            None if best is None else best[1],
            None if best is None else best[2],
            anonymised,
        )
        reason = self._reasons.get(key)
        if reason is not None:
            return reason
        what = "moves to the anonymous copy" if anonymised else "is erased"
        label = name
        if best is None:
            if name in self.categories:
                reason = Reason.of(
                    "field.not_needed",
                    f"field {label!r} {what}: no purpose of the policy needs its category",
                    label,
                )
            else:
                reason = Reason.of(
                    "field.undeclared",
                    f"field {label!r} {what}: it is not declared in the policy",
                    label,
                )
        else:
            _, i, cause = best
            reason = Reason(
                cause.code,
                cause.article,
                label,
                f"field {label!r} {what}: no purpose may process it now; for purpose "
                f"{self.names[i]!r}: {cause.message}",
            )
        if len(self._reasons) < _MAX_CACHE:
            self._reasons[key] = reason
        return reason

    # -- the anonymous copy ----------------------------------------------------------------

    def generalise(self, name: str, value: object) -> object:
        """``value`` of field ``name`` as it may enter the anonymous copy (``None``: it may not)."""
        kind = self.anon_kind.get(name)
        if kind is None:
            return None
        if kind == "value":
            if isinstance(value, datetime | date) or (
                isinstance(value, str) and _DATE_TEXT.match(value)
            ):
                kind = "month"
            else:
                return value
        instant = parse_instant(value, self.tz, self.dayfirst)
        if instant is None:
            return None  # an unreadable date may be anything: never copied
        local = instant.astimezone(self.tz)
        return f"{local.year:04d}-{local.month:02d}"


def _child_reads(plan: _Plan) -> tuple[str | None, ...]:
    """The fields the Art. 8 check of ``plan`` reads: the birth date (without it the check does
    not apply, so erasing it would let a minor pass) and the country (it sets the age)."""
    return (plan.subject_birth, plan.subject_country) if plan.check_child else ()


_CHILD: Final = "consent.child"


def _answer(outcome: Outcome | None) -> object:
    """What a plan's outcome means for what stays: the fields it keeps, or ``None`` when denied
    (:data:`_CHILD` for a ``consent.child`` denial: the Art. 8 fields stay)."""
    if outcome is None:
        return None
    denial = outcome[0]
    if denial is None:
        return outcome[1]
    return _CHILD if denial.code == _CHILD else None


def _needed(plan: _Plan, name: str) -> bool:
    """Whether the purpose of ``plan`` lists the category of field ``name``."""
    drop = plan.fields[name].drop
    return drop is None or drop.code != "field.not_needed"


_STORAGE: dict[int, tuple[Policy, _Storage]] = {}


def _storage(policy: Policy) -> _Storage:
    """The compiled storage facts of ``policy`` (built once, then cached)."""
    found = _STORAGE.get(id(policy))
    if found is not None and found[0] is policy:
        return found[1]
    storage = _Storage(policy)
    if len(_STORAGE) >= 32:
        _STORAGE.clear()
    _STORAGE[id(policy)] = (policy, storage)
    return storage


# --------------------------------------------------------------------------------------------
# Consent lookups, chunked so that a ledger answers many subjects in one call.

Lookup = Callable[[str], "ConsentState | None"]


def _subject_key(record: object, sid_field: str | None) -> str | None:
    """The canonical subject id of ``record`` (``1001.0`` and ``" 1001"`` are ``"1001"``)."""
    if sid_field is None or not isinstance(record, Mapping):
        return None
    return subject_key(record.get(sid_field))


def _with_lookups(
    storage: _Storage,
    records: Iterable[Any],
    consents: ConsentLookup | None,
    at: datetime,
    plans: tuple[int, ...],
    *,
    adjust: Callable[[ConsentState], ConsentState] | None = None,
) -> Iterator[tuple[Any, list[Lookup | None]]]:
    """Each record with, per plan index, the consent lookup the engine asks."""
    none: list[Lookup | None] = [None] * len(storage.plans)
    if consents is None:
        for record in records:
            yield record, none
        return
    if storage.subject_id is None:
        raise ConfigurationError(
            "a consent source was given but the policy names no subject.id field to ask it about"
        )
    from gdprkit._consent import NO_CONSENT  # noqa: PLC0415 - the ledger loads only when used

    bulk = getattr(consents, "states", None)
    names = storage.names
    iterator = iter(records)
    while chunk := list(islice(iterator, _CHUNK)):
        lookups: list[Lookup | None] = list(none)
        if bulk is not None:
            subjects = {
                s for s in (_subject_key(r, storage.subject_id) for r in chunk) if s is not None
            }
            for i in plans:
                states: Mapping[str, ConsentState] = (
                    bulk(subjects, names[i], at=at) if subjects else {}
                )
                lookups[i] = _bulk_lookup(states, NO_CONSENT, adjust)
        else:
            for i in plans:
                lookups[i] = _single_lookup(consents, names[i], at, adjust)
        for record in chunk:
            yield record, lookups


def _bulk_lookup(
    states: Mapping[str, ConsentState],
    default: ConsentState,
    adjust: Callable[[ConsentState], ConsentState] | None,
) -> Lookup:
    def get(subject: str) -> ConsentState:
        found = states.get(subject)
        if found is None:
            # asked with another spelling than the canonical key the states are stored under
            key = subject_key(subject)
            found = states.get(key) if key is not None and key != subject else None
        return default if found is None else found

    if adjust is None:
        return get
    return lambda subject: adjust(get(subject))


def _single_lookup(
    consents: ConsentLookup,
    purpose: str,
    at: datetime,
    adjust: Callable[[ConsentState], ConsentState] | None,
) -> Lookup:
    state = consents.state
    if adjust is None:
        return lambda subject: state(subject, purpose, at=at)
    return lambda subject: adjust(state(subject, purpose, at=at))


def _held(state: ConsentState | None) -> bool:
    """Whether a legal hold is in force (a source without holds has none)."""
    return state is not None and getattr(state, "held", False) is True


# --------------------------------------------------------------------------------------------
# The resolution of one record: which fields stay, which go, how.


@dataclass(slots=True)
class _Resolution:
    delete: bool
    erase: frozenset[str]
    anonymous: dict[str, Any] | None
    reasons: tuple[Reason, ...]
    staying: dict[str, list[int]] = field(default_factory=dict)  # field -> plans keeping it
    deps: dict[str, list[int]] = field(default_factory=dict)  # field -> plans reading it


_R_DELETE: Final = Reason(
    "record.no_personal_data",
    RIGHTS_ARTICLES["record.no_personal_data"],
    None,
    "no personal field of the record may be kept: the record is deleted",
)
_R_RESTRICTED: Final = Reason.of(
    "subject.restricted",
    "processing of the subject's data is restricted: the record is only stored, nothing erased",
)
_R_HELD: Final = Reason(
    _LEGAL_HOLD,
    _HOLD_ARTICLE,
    None,
    "a legal hold is in force for the subject (establishment, exercise or defence of legal "
    "claims): the record is kept unchanged",
)
_R_NO_SUBJECT: Final = Reason.of(
    "record.invalid",
    "the record has no readable subject id: a sweep cannot judge it and leaves it unchanged "
    "(review it)",
)
_R_NOT_A_RECORD: Final = Reason.of(
    "record.invalid",
    "the record is not a mapping: a sweep cannot judge it and leaves it unchanged (review it)",
)


def _holders(
    storage: _Storage, outcomes: list[Outcome | None]
) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Per field, the plans that keep it, and the plans that read it to keep something."""
    staying: dict[str, list[int]] = {}
    deps: dict[str, list[int]] = {}
    for i, outcome in enumerate(outcomes):
        if outcome is None:
            continue
        if outcome[0] is not None:
            if outcome[0].code == _CHILD:
                # a minor denied by this purpose: erasing the birth date (or country) would
                # turn the denial into an allowance, so they stay while the record is kept
                for name in _child_reads(storage.plans[i]):
                    if name is not None:
                        deps.setdefault(name, []).append(i)
            continue
        kept = outcome[1]
        for name in kept:
            staying.setdefault(name, []).append(i)
        for name in storage.deps(i, kept):
            deps.setdefault(name, []).append(i)
    return staying, deps


def _resolve(
    storage: _Storage,
    record: object,
    outcomes: list[Outcome | None],
    *,
    anonymise: bool,
    track: bool = False,
) -> _Resolution:
    """Apply storage limitation to ``record`` given what each purpose's plan answered."""
    if not isinstance(record, Mapping):
        return _Resolution(True, frozenset(), None, (_R_DELETE,))
    staying: Collection[str]
    deps: Collection[str]
    holders: tuple[dict[str, list[int]], dict[str, list[int]]] | None = None
    if track:
        holders = _holders(storage, outcomes)
        staying, deps = holders
    else:
        key = tuple(_answer(o) for o in outcomes)
        found = storage._stays.get(key)
        if found is None:
            by_field, by_dep = _holders(storage, outcomes)
            found = (frozenset(by_field), frozenset(by_dep))
            if len(storage._stays) < _MAX_CACHE:
                storage._stays[key] = found
        staying, deps = found
    meta = storage.meta
    keep_record = False
    leaving: list[Any] = []
    for name, value in record.items():
        if name in meta or is_missing(value):
            continue
        if name in staying:
            keep_record = True
        elif name not in deps:
            leaving.append(name)
    if not keep_record:
        leaving = [n for n, v in record.items() if n not in meta and not is_missing(v)]
    anonymous: dict[str, Any] | None = None
    reasons: list[Reason] = [] if keep_record else [_R_DELETE]
    for name in leaving:
        moved = False
        if anonymise and name in storage.anonymise:
            copied = storage.generalise(name, record[name])
            if copied is not None:
                if anonymous is None:
                    anonymous = {}
                anonymous[name] = copied
                moved = True
        label = name if isinstance(name, str) else f"<{type(name).__name__} key>"
        reasons.append(storage.field_reason(label, outcomes, moved))
    resolution = _Resolution(not keep_record, frozenset(leaving), anonymous, tuple(reasons))
    if holders is not None:
        resolution.staying, resolution.deps = holders
    return resolution


def _evaluate_all(
    storage: _Storage,
    record: object,
    at: datetime,
    lookups: list[Lookup | None],
    plans: Iterable[int],
) -> list[Outcome | None]:
    outcomes: list[Outcome | None] = [None] * len(storage.plans)
    all_plans = storage.plans
    for i in plans:
        outcomes[i] = all_plans[i].evaluate(record, at, lookups[i])
    return outcomes


def _field_until(deadlines: list[Any], name: str) -> datetime | None:
    best: datetime | None = None
    for end, names in deadlines:
        if (names is None or name in names) and (best is None or end < best):
            best = end
    return best


# --------------------------------------------------------------------------------------------
# The faces.


def sweep(
    policy: Policy,
    records: Iterable[Mapping[str, Any]],
    *,
    at: datetime | None = None,
    consents: ConsentLookup | None = None,
) -> Iterator[SweepAction]:
    """What storage limitation (Art. 5(1)(e)) requires of each record at ``at``: one
    :class:`SweepAction` per record, in order, streamed (constant memory).

    A field stays while some purpose may process it (``decide`` allows the record for that
    purpose and keeps the field) or while the subject's processing is restricted (Art. 18);
    the fields a keeping purpose reads to decide (subject id, consent columns, retention
    anchors...) stay with it. Otherwise the field goes: into the anonymous copy where a
    retention rule covering it says ``then: anonymise``, else erased. ``meta`` fields are never
    erased on their own; a record left with no personal field is deleted.

    A sweep never acts on what it cannot judge: a record that is no mapping or has no
    readable subject id is left unchanged (``record.invalid``), and so is a subject under a
    legal hold (``retention.legal_hold``, Art. 17(3)(e)).

    ``at`` is an aware datetime, ``None`` for now (read once). ``consents`` is a consent source
    (a :class:`~gdprkit.ConsentLedger`); it is asked about restrictions, legal holds and
    erasure requests. Raises :class:`ConfigurationError` before touching a record when a
    purpose takes consent from a consent source and none was given (a sweep evaluates every
    purpose: it would erase the data of people who consented), or when ``records`` is not an
    iterable of records (a DataFrame, text, a single mapping).
    """
    storage = _storage(policy)
    when = require_aware(at)
    if consents is not None and storage.subject_id is None:
        raise ConfigurationError(
            "a consent source was given but the policy names no subject.id field to ask it about"
        )
    require_consent_source(storage.plans, consents, "sweep")
    check_records(records, "sweep")
    return _sweep(storage, records, when, consents)


def _sweep(
    storage: _Storage, records: Iterable[Any], at: datetime, consents: ConsentLookup | None
) -> Iterator[SweepAction]:
    every = tuple(range(len(storage.plans)))
    sid_field = storage.subject_id
    for record, lookups in _with_lookups(storage, records, consents, at, every):
        if not isinstance(record, Mapping):
            yield SweepAction(None, False, frozenset(), None, (_R_NOT_A_RECORD,), None)
            continue
        subject = record.get(sid_field) if sid_field else None
        key = subject_key(subject) if sid_field is not None else None
        if sid_field is not None and key is None:
            yield SweepAction(subject, False, frozenset(), None, (_R_NO_SUBJECT,), None)
            continue
        lookup = lookups[0] if lookups else None
        if lookup is not None and key is not None:
            # restrictions and holds concern the subject whatever the purpose
            state = lookup(key)
            if _held(state):
                yield SweepAction(subject, False, frozenset(), None, (_R_HELD,), None)
                continue
            if state is not None and state.restricted:
                yield SweepAction(subject, False, frozenset(), None, (_R_RESTRICTED,), None)
                continue
        outcomes = _evaluate_all(storage, record, at, lookups, every)
        res = _resolve(storage, record, outcomes, anonymise=True)
        review: datetime | None = None
        if not res.delete:
            for outcome in outcomes:
                if outcome is None or outcome[0] is not None or not outcome[3]:
                    continue
                until = valid_until(outcome[3], outcome[2])
                if until is not None and (review is None or until < review):
                    review = until
        yield SweepAction(subject, res.delete, res.erase, res.anonymous, res.reasons, review)


def _erasure_requested(state: ConsentState) -> ConsentState:
    """The state as if an erasure request had just arrived: it supersedes a restriction."""
    return dataclasses.replace(state, erasure_requested=True, restricted=False)


def erasure_plan(
    policy: Policy,
    record: Mapping[str, Any],
    *,
    at: datetime | None = None,
    consents: ConsentLookup | None = None,
) -> ErasurePlan:
    """What an erasure request (Art. 17) arriving at ``at`` means for ``record``.

    Every purpose stops (Art. 17(1)) except those resting on ``legal_obligation``, which keep
    what they may still process, until their retention runs out (Art. 17(3)(b)); the fields
    such a purpose reads to decide stay with it. The request supersedes a recorded
    restriction. ``erase`` holds the personal fields holding a value that go now; ``keep``
    the kept fields holding a value, each with the moment until which it is needed (``None``:
    no rule bounds it). A subject under a legal hold (in ``consents``) keeps every field, each
    with an ``erasure.exception`` reason citing Art. 17(3)(e) and ``None`` as its until.

    Raises :class:`ConfigurationError` when ``record`` is not one record (a mapping).
    """
    storage = _storage(policy)
    when = require_aware(at)
    check_records(record, "erasure_plan", single=True)
    if consents is not None:
        if storage.subject_id is None:
            raise ConfigurationError(
                "a consent source was given but the policy names no subject.id field to ask "
                "it about"
            )
        held = _held_plan(storage, record, consents, when)
        if held is not None:
            return held
    legal = tuple(
        i for i, plan in enumerate(storage.plans) if plan.basis is LegalBasis.LEGAL_OBLIGATION
    )
    source = consents
    if source is None and storage.subject_id is not None:
        from gdprkit._consent import NO_CONSENT  # noqa: PLC0415 - loads only when used

        source = _Nobody(NO_CONSENT)
    ((rec, lookups),) = _with_lookups(
        storage, (record,), source, when, legal, adjust=_erasure_requested
    )
    outcomes = _evaluate_all(storage, rec, when, lookups, legal)
    res = _resolve(storage, rec, outcomes, anonymise=False, track=True)
    subject = (
        rec.get(storage.subject_id) if storage.subject_id and isinstance(rec, Mapping) else None
    )
    if res.delete:
        return ErasurePlan(subject, res.erase, MappingProxyType({}), (), True)
    keep: dict[str, datetime | None] = {}
    reasons: list[Reason] = []
    per_plan: dict[int, list[datetime | None]] = {}
    for name, value in rec.items():
        if is_missing(value):
            continue
        holders = res.staying.get(name)
        if not holders:
            continue
        untils = []
        for i in holders:
            outcome = outcomes[i]
            assert outcome is not None  # noqa: S101 - a holder was evaluated
            until = _field_until(outcome[3], name)
            untils.append(until)
            per_plan.setdefault(i, []).append(until)
        keep[name] = _latest(untils)
        reasons.append(_exception(storage, name, holders[0]))
    for name, value in rec.items():
        if name in keep or is_missing(value) or name in res.erase:
            continue
        holders = res.deps.get(name)
        if not holders or name in storage.meta:
            continue
        keep[name] = _latest([_latest(per_plan.get(i, [None])) for i in holders])
        reasons.append(_exception(storage, name, holders[0]))
    order = {name: n for n, name in enumerate(rec)}
    reasons.sort(key=lambda r: order.get(r.field, 0))
    return ErasurePlan(subject, res.erase, MappingProxyType(keep), tuple(reasons), False)


def _held_plan(
    storage: _Storage, record: Mapping[str, Any], consents: ConsentLookup, at: datetime
) -> ErasurePlan | None:
    """The plan for a subject under a legal hold (every field kept), ``None`` without one."""
    sid_field = storage.subject_id
    key = _subject_key(record, sid_field)
    if key is None or not storage.names:
        return None
    if not _held(consents.state(key, storage.names[0], at=at)):
        return None
    keep: dict[str, datetime | None] = {}
    reasons: list[Reason] = []
    for name, value in record.items():
        if is_missing(value) or not isinstance(name, str):
            continue
        keep[name] = None
        reasons.append(
            Reason(
                "erasure.exception",
                _HOLD_ARTICLE,
                name,
                f"field {name!r} is kept after the erasure request: a legal hold is in force "
                "for the subject (establishment, exercise or defence of legal claims)",
            )
        )
    subject = record.get(sid_field) if sid_field else None
    return ErasurePlan(subject, frozenset(), MappingProxyType(keep), tuple(reasons), False)


class _Nobody:
    """A consent source that knows nothing (so that an erasure request can be simulated)."""

    def __init__(self, state: ConsentState) -> None:
        self._state = state

    def state(self, subject: str, purpose: str, *, at: datetime) -> ConsentState:
        return self._state


def _latest(untils: list[datetime | None]) -> datetime | None:
    if not untils or any(u is None for u in untils):
        return None
    return max(u for u in untils if u is not None)


def _exception(storage: _Storage, name: str, i: int) -> Reason:
    return Reason(
        "erasure.exception",
        RIGHTS_ARTICLES["erasure.exception"],
        name,
        f"field {name!r} is kept after the erasure request: purpose {storage.names[i]!r} "
        "rests on a legal obligation of the controller",
    )


def _controller(policy: Policy) -> dict[str, Any]:
    c = policy.controller
    return {
        "name": c.name,
        "country": c.country,
        "contact": c.contact,
        "dpo": c.dpo,
        "representative": c.representative,
    }


def access_report(
    policy: Policy,
    records: Iterable[Mapping[str, Any]],
    *,
    at: datetime | None = None,
    consents: ConsentLookup | None = None,
) -> dict[str, Any]:
    """The Art. 15 report on a subject's ``records``, JSON-ready (dates as ISO 8601 text).

    ``{"controller": {...}, "generated_at": ..., "records": [{"subject": ..., "source": ...,
    "fields": {name: {"value": ..., "category": ..., "purposes": {purpose: {"basis": ...,
    "until": ...}}}}}]}``: every field of each record, its category (``None`` when undeclared)
    and the purposes that may process it now, with their legal basis and until when (``None``:
    nothing bounds it). See ``docs/reference/rights.md``.
    """
    storage = _storage(policy)
    when = require_aware(at)
    every = tuple(range(len(storage.plans)))
    out: list[dict[str, Any]] = []
    check_records(records, "access_report")
    for record, lookups in _with_lookups(storage, records, consents, when, every):
        outcomes = _evaluate_all(storage, record, when, lookups, every)
        if not isinstance(record, Mapping):
            out.append({"subject": None, "source": None, "fields": {}})
            continue
        fields: dict[str, Any] = {}
        for name, value in record.items():
            purposes: dict[str, Any] = {}
            for i, outcome in enumerate(outcomes):
                if outcome is None or outcome[0] is not None or name not in outcome[1]:
                    continue
                purposes[storage.names[i]] = {
                    "basis": storage.plans[i].basis.value,
                    "until": jsonable(_field_until(outcome[3], name)),
                }
            fields[str(name)] = {
                "value": jsonable(value),
                "category": storage.categories.get(name) if isinstance(name, str) else None,
                "purposes": purposes,
            }
        sid, src = storage.subject_id, storage.source_field
        out.append(
            {
                "subject": jsonable(record.get(sid)) if sid else None,
                "source": jsonable(record.get(src)) if src else None,
                "fields": fields,
            }
        )
    return {"controller": _controller(policy), "generated_at": when.isoformat(), "records": out}


_PORTABLE: Final = frozenset({LegalBasis.CONSENT, LegalBasis.CONTRACT})


def portability_export(
    policy: Policy,
    records: Iterable[Mapping[str, Any]],
    *,
    at: datetime | None = None,
    consents: ConsentLookup | None = None,
) -> dict[str, Any]:
    """The Art. 20 export of a subject's ``records``, JSON-ready.

    ``{"controller": {...}, "generated_at": ..., "records": [{field: value, ...}]}``: per
    record (in order), its fields that a purpose resting on ``consent`` or ``contract`` may
    process now, with their stored values (not transformed: the data are the subject's own),
    less what the controller inferred (``inferred.*``): Art. 20 covers the data the subject
    provided.
    """
    storage = _storage(policy)
    when = require_aware(at)
    portable = tuple(i for i, p in enumerate(storage.plans) if p.basis in _PORTABLE)
    out: list[dict[str, Any]] = []
    check_records(records, "portability_export")
    for record, lookups in _with_lookups(storage, records, consents, when, portable):
        outcomes = _evaluate_all(storage, record, when, lookups, portable)
        if not isinstance(record, Mapping):
            out.append({})
            continue
        allowed: set[str] = set()
        for outcome in outcomes:
            if outcome is not None and outcome[0] is None:
                allowed.update(outcome[1])
        allowed -= storage.inferred
        out.append({str(k): jsonable(v) for k, v in record.items() if k in allowed})
    return {"controller": _controller(policy), "generated_at": when.isoformat(), "records": out}


def jsonable(value: object) -> Any:  # noqa: ANN401 - JSON values are of any JSON type
    """``value`` as JSON can hold it: dates as ISO 8601 text, decimals as numbers, NaN as null."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return str(value)


assert set(RIGHTS_ARTICLES).isdisjoint(ARTICLES)  # noqa: S101 - one meaning per code
