"""The faces of the engine for pipelines: ``enforce`` streams records, ``requires_purpose`` guards
a function. Both read the clock once per run and compile the plan once.
"""

from __future__ import annotations

import functools
import inspect
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from itertools import islice
from os import PathLike
from typing import TYPE_CHECKING, Any, Final, Literal, ParamSpec, TypeVar

from gdprkit._decision import (
    ConsentLookup,
    Decision,
    _Plan,
    compile_plan,
    decide,
    is_missing,
    subject_key,
)
from gdprkit._errors import ConfigurationError, ProcessingDenied
from gdprkit._policy import Policy, load_policy
from gdprkit._time import in_utc, require_aware

if TYPE_CHECKING:
    from gdprkit._consent import ConsentState
    from gdprkit._pseudonymise import KeyRing, Transform

__all__ = [
    "Enforcement",
    "Rejected",
    "check_records",
    "enforce",
    "require_consent_source",
    "requires_purpose",
]

Rejected = Callable[[Mapping[str, Any], Decision], object] | list[tuple[Any, Decision]]

# --------------------------------------------------------------------------------------------
# What every face refuses before touching a record (design.md §9).

#: Libraries whose frames iterate as column names, not records: recognised by the module of the
#: value's type, so that none of them is imported here.
_FRAME_LIBRARIES: Final = frozenset({"pandas", "polars", "pyarrow", "pyspark", "modin", "dask"})
_FRAME_HINT: Final = (
    "gdprkit.frames reads pandas, polars and Arrow frames, gdprkit.spark Spark DataFrames"
)


def _type_name(value: object) -> str:
    cls = type(value)
    return repr(f"{cls.__module__}.{cls.__qualname__}")


def _frame_library(value: object) -> str | None:
    """The frame library ``value``'s type comes from, ``None`` for any other value."""
    module = type(value).__module__
    library = module.partition(".")[0] if isinstance(module, str) else ""
    return library if library in _FRAME_LIBRARIES else None


def check_records(records: object, face: str, *, single: bool = False) -> None:
    """Raise :class:`ConfigurationError` when ``records`` cannot be read as records.

    Refused, by type alone (nothing is read from ``records``): a pandas, polars, Arrow or Spark
    frame (it iterates as its column names); text or bytes; a single mapping where an iterable of
    records belongs (``single=False``); anything that is not iterable. With ``single=True`` one
    mapping (one record) is what belongs.
    """
    library = _frame_library(records)
    if library is not None:
        raise ConfigurationError(
            f"{face} reads records (mappings), not a {library} frame or column "
            f"({_type_name(records)}): {_FRAME_HINT}"
        )
    if isinstance(records, str | bytes | bytearray | memoryview):
        raise ConfigurationError(
            f"{face} was given text ({_type_name(records)}), not records (mappings)"
        )
    if single:
        if not isinstance(records, Mapping):
            raise ConfigurationError(
                f"{face} takes one record (a mapping), not a {_type_name(records)}"
            )
        return
    if isinstance(records, Mapping):
        raise ConfigurationError(
            f"{face} was given a single record (a mapping) where an iterable of records "
            "belongs: pass [record]"
        )
    if not isinstance(records, Iterable):
        raise ConfigurationError(
            f"{face} takes an iterable of records (mappings), not a {_type_name(records)}"
        )


def takes_consent_from_source(plan: _Plan) -> bool:
    """Whether ``plan``'s purpose reads consent from a consent source (no ``consent.field``)."""
    return (plan.needs_consent or plan.needs_explicit) and plan.consent_field is None


def require_consent_source(
    plans: Iterable[_Plan], consents: ConsentLookup | None, face: str
) -> None:
    """Raise :class:`ConfigurationError` when a purpose in ``plans`` takes its consent from a
    consent source and ``consents`` is ``None``: every record would be denied
    ``consent.missing`` (a sweep would erase the data of people who consented)."""
    if consents is not None:
        return
    names = [plan.purpose for plan in plans if takes_consent_from_source(plan)]
    if names:
        which = ", ".join(repr(n) for n in names)
        raise ConfigurationError(
            f"{face}: purpose{'s' if len(names) > 1 else ''} {which} take"
            f"{'' if len(names) > 1 else 's'} consent from a consent source (basis consent "
            "without consent.field) and none was given: pass consents= (a ConsentLedger)"
        )


#: Records whose consent states are fetched together from a source with a bulk path.
_CHUNK = 1024
#: Output shapes remembered per run (records with ever-new key sets must not grow memory).
_MAX_PROJECTORS = 256


class Counted:
    """``processed`` and ``denied``, read off ``counts`` (``processed`` and denials by code):
    the same view for ``enforce``'s stream and the DataFrame engines' results."""

    __slots__ = ()
    counts: Counter[str]

    @property
    def processed(self) -> int:
        """How many records (rows) were allowed."""
        return self.counts["processed"]

    @property
    def denied(self) -> int:
        """How many records (rows) were denied."""
        return sum(n for code, n in self.counts.items() if code != "processed")


class Enforcement(Counted, Iterator[dict[str, Any]]):
    """The stream ``enforce`` returns: iterate it for the processed records.

    ``counts`` holds ``processed`` and, for every denied record, its reason code; it is complete
    once the stream is consumed. Denied records go to ``rejected`` as they are met.
    """

    def __init__(
        self,
        plan: _Plan,
        records: Iterable[Any],
        *,
        at: datetime,
        consents: ConsentLookup | None,
        transforms: Mapping[str, Transform],
        rejected: Callable[[Any, Decision], object] | None,
    ) -> None:
        self.purpose = plan.purpose
        self.at = at
        self.counts: Counter[str] = Counter()
        self._stream = self._run(plan, iter(records), consents, transforms, rejected)

    def __iter__(self) -> Enforcement:
        return self

    def __next__(self) -> dict[str, Any]:
        return next(self._stream)

    def __repr__(self) -> str:
        return f"Enforcement(purpose={self.purpose!r}, counts={dict(self.counts)!r})"

    def _run(
        self,
        plan: _Plan,
        records: Iterator[Any],
        consents: ConsentLookup | None,
        transforms: Mapping[str, Transform],
        rejected: Callable[[Any, Decision], object] | None,
    ) -> Iterator[dict[str, Any]]:
        at = self.at
        instant = in_utc(at)  # comparisons between instants, not wall clocks (see in_utc)
        counts = self.counts
        evaluate = plan.evaluate
        projectors: dict[tuple[str, ...], Callable[[Mapping[str, Any]], dict[str, Any]]] = {}
        purpose = plan.purpose
        basis = plan.basis
        for chunk, lookup in _chunks(plan, records, consents, at):
            for record in chunk:
                denial, kept, dropped, _until = evaluate(record, instant, lookup)
                if denial is not None:
                    counts[denial.code] += 1
                    if rejected is not None:
                        # the same Decision decide gives: what was dropped, and why, included
                        decision = Decision(
                            False, purpose, basis, frozenset(), dropped, (denial,), None, at, plan
                        )
                        rejected(record, decision)
                    continue
                project = projectors.get(kept)
                if project is None:
                    if len(projectors) >= _MAX_PROJECTORS:
                        projectors.clear()
                    project = projectors[kept] = plan.projector(kept, transforms)
                counts["processed"] += 1
                yield project(record)


def _chunks(
    plan: _Plan,
    records: Iterator[Any],
    consents: ConsentLookup | None,
    at: datetime,
) -> Iterator[tuple[Iterable[Any], Callable[[str], ConsentState | None] | None]]:
    """Records with the consent lookup to use for them.

    Without a consent source: one pass, no lookup. With a source that has a bulk ``states``
    path: chunks of records whose states are fetched in one call. Otherwise one call per record.
    """
    purpose = plan.purpose
    if consents is None:
        yield records, None
        return
    bulk = getattr(consents, "states", None)
    if bulk is None:
        state = consents.state

        def single(subject: str) -> ConsentState | None:
            return state(subject, purpose, at=at)

        yield records, single
        return
    from gdprkit._consent import NO_CONSENT  # noqa: PLC0415 - the ledger loads only when used

    sid = plan.subject_id
    assert sid is not None  # noqa: S101 - checked by _lookup_for before any record
    while chunk := list(islice(records, _CHUNK)):
        subjects = {
            key
            for record in chunk
            if isinstance(record, Mapping)
            and (value := record.get(sid)) is not None
            and not is_missing(value)
            and (key := subject_key(value)) is not None
        }
        states: Mapping[str, ConsentState] = bulk(subjects, purpose, at=at) if subjects else {}
        yield chunk, functools.partial(_state_of, states, NO_CONSENT)


def _state_of(
    states: Mapping[str, ConsentState], default: ConsentState, subject: str
) -> ConsentState:
    found = states.get(subject)
    if found is None:
        # the engine may ask with another spelling than the canonical key the states are
        # stored under: never let a spelling hide an erasure request
        key = subject_key(subject)
        found = states.get(key) if key is not None and key != subject else None
    return default if found is None else found


def _as_callback(
    rejected: Rejected | None,
) -> Callable[[Any, Decision], object] | None:
    if rejected is None or callable(rejected):
        return rejected
    if isinstance(rejected, list):
        append = rejected.append
        return lambda record, decision: append((record, decision))
    raise TypeError("rejected is a callable(record, decision) or a list")


def enforce(
    policy: Policy,
    records: Iterable[Mapping[str, Any]],
    purpose: str,
    *,
    at: datetime | None = None,
    consents: ConsentLookup | None = None,
    keys: KeyRing | None = None,
    rejected: Rejected | None = None,
) -> Enforcement:
    """Stream ``records`` through the decision for ``purpose``: yield what may be processed.

    Each record that comes out holds only its allowed fields, with the purpose's transforms
    applied. Denied records go to ``rejected`` (a callable ``(record, decision)`` or a list that
    gets ``(record, decision)`` appended) and are counted by reason in ``.counts``. Constant
    memory on any input size. ``at`` is read once (now, UTC, when ``None``).

    Raises :class:`ConfigurationError` before touching any record when the purpose is unknown,
    a transform needs keys that were not given, the purpose takes consent from a consent source
    and ``consents`` is ``None``, or ``records`` is not an iterable of records (a DataFrame,
    text, a single mapping: see :func:`check_records`).
    """
    plan = compile_plan(policy, purpose)
    when = require_aware(at)
    transforms = plan.bind(keys, when)
    if consents is not None and plan.subject_id is None:
        raise ConfigurationError(
            "a consent source was given but the policy names no subject.id field to ask it about"
        )
    require_consent_source((plan,), consents, "enforce")
    check_records(records, "enforce")
    return Enforcement(
        plan,
        records,
        at=when,
        consents=consents,
        transforms=transforms,
        rejected=_as_callback(rejected),
    )


# --------------------------------------------------------------------------------------------
# The decorator.

P = ParamSpec("P")
R = TypeVar("R")


def _records_parameter(signature: inspect.Signature, arg: str | None) -> str:
    if arg is not None:
        if arg not in signature.parameters:
            raise ConfigurationError(f"the function has no parameter named {arg!r}")
        return arg
    for name, param in signature.parameters.items():
        if name in ("self", "cls"):
            continue
        if param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
            return name
        break
    raise ConfigurationError(
        "the function takes no positional argument for the records; name one with arg="
    )


def requires_purpose(
    purpose: str,
    *,
    policy: Policy | str | PathLike[str] | Mapping[str, Any],
    consents: ConsentLookup | None = None,
    keys: KeyRing | None = None,
    on_denied: Literal["skip", "raise"] = "skip",
    arg: str | None = None,
    at: datetime | None = None,
    rejected: Rejected | None = None,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Guard a function so that it only ever sees what ``purpose`` may process.

    The records are the function's first positional argument unless ``arg`` names another.
    An iterable of records is replaced by the stream :func:`enforce` yields: denied records are
    skipped (``on_denied="skip"``) or raise :class:`ProcessingDenied` at the first one
    (``"raise"``). A single mapping is replaced by its allowed, transformed fields, or raises
    :class:`ProcessingDenied` when denied. Denied records also go to ``rejected`` (as in
    :func:`enforce`: a callable ``(record, decision)`` or a list), before any raise. ``at`` is
    the moment of every call's decisions; ``None`` (the default) reads the clock once per call.

    Misconfiguration (unknown purpose, transforms without keys, a purpose taking consent from
    a consent source without ``consents``, no such argument) raises
    :class:`ConfigurationError` when the function is decorated, not when it is called. A call
    whose records argument cannot be read as records (a DataFrame, text) raises
    :class:`ConfigurationError` before any record is touched.
    """
    pol = load_policy(policy)
    plan = compile_plan(pol, purpose)
    if on_denied not in ("skip", "raise"):
        raise ConfigurationError("on_denied is 'skip' or 'raise'")
    fixed = None if at is None else require_aware(at)
    if plan.needs_keys and keys is None:
        plan.bind(None, None)  # raises ConfigurationError naming the transforms
    if consents is not None and plan.subject_id is None:
        raise ConfigurationError(
            "a consent source was given but the policy names no subject.id field to ask it about"
        )
    require_consent_source((plan,), consents, "requires_purpose")
    denied = _as_callback(rejected)
    sink = _raise_after(denied) if on_denied == "raise" else denied

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(fn)
        name = _records_parameter(signature, arg)

        def guarded(args: tuple[Any, ...], kwargs: dict[str, Any]) -> inspect.BoundArguments:
            bound = signature.bind(*args, **kwargs)
            value = bound.arguments[name]
            when = require_aware(None) if fixed is None else fixed
            if isinstance(value, Mapping) and _frame_library(value) is None:
                decision = decide(pol, value, purpose, at=when, consents=consents)
                if not decision.allowed:
                    if denied is not None:
                        denied(value, decision)
                    raise ProcessingDenied(decision)
                bound.arguments[name] = decision.apply(value, keys)
            else:
                check_records(value, f"argument {name!r} of a requires_purpose function")
                bound.arguments[name] = enforce(
                    pol,
                    value,
                    purpose,
                    at=when,
                    consents=consents,
                    keys=keys,
                    rejected=sink,
                )
            return bound

        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def async_wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:  # noqa: ANN401 - R is the awaited type
                bound = guarded(args, kwargs)
                return await fn(*bound.args, **bound.kwargs)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            bound = guarded(args, kwargs)
            return fn(*bound.args, **bound.kwargs)

        return wrapper

    return decorate


def _raise_after(
    rejected: Callable[[Any, Decision], object] | None,
) -> Callable[[Any, Decision], object]:
    """A ``rejected`` callback that hands the record to ``rejected``, then raises."""
    if rejected is None:
        return _raise_denied
    sink = rejected

    def raise_after(record: object, decision: Decision) -> None:
        sink(record, decision)
        raise ProcessingDenied(decision)

    return raise_after


def _raise_denied(_record: object, decision: Decision) -> None:
    raise ProcessingDenied(decision)
