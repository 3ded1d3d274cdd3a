"""The columnar executor: the row engine's compiled plan, read as vectorised masks.

:func:`gdprkit._decision.compile_plan` says what to check, in which order, with which reasons
and transforms. :func:`run` reads that same plan for a whole frame at once:

* every column a check reads is *factorised* by its backend (integer codes per row, the distinct
  values once), so each reading rule of :mod:`gdprkit._values` and :mod:`gdprkit._time` runs
  once per distinct value, never once per row, and its answer is spread to the rows by indexing;
* checks that read several columns (consent, Art. 8) run once per distinct combination of their
  columns, with the plan's own methods (``_consent``, ``_is_child``), so the rule is not copied;
* the checks are merged in the order of design.md §6: a row's denial is the first check that
  fails for it;
* transforms run once per distinct value of a column (the same functions as the row path, so
  tokens are byte for byte the same) and are spread to the allowed rows.

``tests/frames`` hold the executor equal to ``decide`` + ``Decision.apply`` by hypothesis
properties over generated frames: a rule changed in the plan and not here fails them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from gdprkit._decision import Reason, _drop, _Plan, _Retention
from gdprkit._errors import ConfigurationError
from gdprkit._values import choice_key, is_missing, read_flag, subject_key

if TYPE_CHECKING:
    from gdprkit._consent import ConsentState
    from gdprkit._decision import ConsentLookup, Transform
    from gdprkit._pseudonymise import KeyRing

__all__ = ["Backend", "Factor", "Kept", "Mapped", "Outcome", "run"]

Codes = "np.ndarray[Any, np.dtype[np.intp]]"
Mask = "np.ndarray[Any, np.dtype[np.bool_]]"


@dataclass(frozen=True, slots=True)
class Factor:
    """A column factorised: ``codes[i]`` indexes ``values`` for row ``i``.

    Missing cells may share one code whose value is ``None``; equal values may also have several
    codes (only more work, never a different answer). Values are what the row path would read
    for the cell (Python or numpy/pandas scalars; the reading rules accept both).
    """

    codes: np.ndarray[Any, np.dtype[np.intp]]
    values: list[object]


@dataclass(frozen=True, slots=True)
class Kept:
    """An output column as it is in the input, null where ``nulls`` (allowed rows only)."""

    name: str
    nulls: np.ndarray[Any, np.dtype[np.bool_]] | None


class Mapped:
    """An output column built from ``values[codes]`` (allowed rows only; ``None`` is null).

    ``native``, when set, is the same values as an array the backend made in its own library
    (whole-column tokens, :mod:`gdprkit.frames._hash`: a pyarrow array, or a polars series for
    the polars backend); ``values`` is then read from it when first asked.
    """

    __slots__ = ("_values", "codes", "in_order", "name", "native")

    def __init__(
        self,
        name: str,
        codes: np.ndarray[Any, np.dtype[np.intp]],
        values: list[object] | None = None,
        native: Any = None,  # noqa: ANN401 - a pyarrow array or a polars series
        *,
        in_order: bool = False,
    ) -> None:
        self.name = name
        self.codes = codes
        self._values = values
        self.native = native
        #: ``native`` holds the allowed rows' values in order (then the null): ``codes`` is
        #: the identity except in rows where the field is dropped (they point at the null).
        self.in_order = in_order

    @property
    def values(self) -> list[object]:
        if self._values is None:
            native = self.native
            if native is None:
                self._values = []
            else:
                read = getattr(native, "to_pylist", None) or native.to_list
                self._values = list(read())
        return self._values


class Backend(Protocol):
    """What the executor needs of a frame library."""

    rows: int

    def labels(self) -> list[object]:
        """The column labels, in input order."""
        ...

    def factor(self, name: str) -> Factor:
        """The column ``name`` factorised (the label is known to be present)."""
        ...


def _native_tokens(backend: Backend, name: str, keys: KeyRing, domain: str, category: str) -> Any:  # noqa: ANN401 - a pyarrow array or None
    """The backend's whole-column tokens of ``factor(name).values`` then one null (an optional
    backend method, ``tokens``), or ``None``: the executor makes them value by value."""
    make = getattr(backend, "tokens", None)
    return None if make is None else make(name, keys, domain, category)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What :func:`run` found: which rows are allowed, what to output, denials and counts."""

    allowed: np.ndarray[Any, np.dtype[np.bool_]]
    columns: list[Kept | Mapped]
    denied_rows: np.ndarray[Any, np.dtype[np.intp]]
    denied_codes: list[str]
    denied_articles: list[str]
    counts: Counter[str]
    #: The input columns the checks and transforms read (an engine that ships columns to
    #: workers, Spark, sends these and the output columns only).
    read: frozenset[str] = frozenset()
    #: Per output column, over the allowed rows: the cells dropped for that row alone (checks
    #: 16, 18, 19 and ``value.invalid``: the row path leaves the field out of that record).
    #: A column with no such cell is not in it.
    dropped: dict[str, np.ndarray[Any, np.dtype[np.bool_]]] = field(default_factory=dict)


class _Columns:
    """The frame's columns as the plan reads them, each factorised at most once."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.rows = backend.rows
        labels = backend.labels()
        seen: set[object] = set()
        for label in labels:
            if label in seen:
                raise ConfigurationError(
                    f"the frame has more than one column named {label!r}: a record cannot"
                )
            seen.add(label)
        self.labels = labels
        self.present = {label for label in labels if isinstance(label, str)}
        self._factors: dict[str, Factor] = {}
        self._instants: dict[str, list[Any]] = {}
        self.read: set[str] = set()

    def factor(self, name: str | None) -> Factor:
        """Column ``name`` factorised; an absent column reads as ``None`` in every row."""
        if name is None or name not in self.present:
            return Factor(np.zeros(self.rows, dtype=np.intp), [None])
        self.read.add(name)
        found = self._factors.get(name)
        if found is None:
            found = self._factors[name] = self.backend.factor(name)
        return found

    def instants(self, name: str | None, read: Callable[[object], datetime | None]) -> list[Any]:
        """``read`` (the plan's reading of a time value) of each distinct value of column
        ``name``, in the order of its factor's values; computed once per column and run."""
        found = self._instants.get(name) if name is not None else None
        if found is None:
            found = [read(v) for v in self.factor(name).values]
            if name is not None:
                self._instants[name] = found
        return found

    def factored(self, name: str) -> Factor | None:
        """Column ``name`` factorised if a check already did it, else ``None``."""
        return self._factors.get(name)

    def arrow(self, name: str) -> Any:  # noqa: ANN401 - a pyarrow array or None
        """Column ``name`` as one Arrow array, or ``None`` (no pyarrow, an absent column, or a
        column the backend cannot hand over as it is: the executor factorises it instead)."""
        if name not in self.present:
            return None
        self.read.add(name)
        make = getattr(self.backend, "arrow", None)
        return None if make is None else make(name)

    def per_row(self, name: str | None, fn: Callable[[object], bool]) -> np.ndarray[Any, Any]:
        """``fn`` of each row's value of ``name``, computed once per distinct value."""
        col = self.factor(name)
        table = np.array([fn(v) for v in col.values], dtype=bool)
        found: np.ndarray[Any, Any] = table[col.codes]
        return found

    def combos(
        self, names: Sequence[str | None], *extra: Factor
    ) -> tuple[np.ndarray, list[tuple[object, ...]]]:
        """Codes of each row's combination of values of ``names`` (then of ``extra``
        factorisations), and each combination once."""
        factors = [self.factor(n) for n in names] + list(extra)
        key = np.zeros(self.rows, dtype=np.int64)
        for f in factors:
            key = key * max(len(f.values), 1) + f.codes
            _, key = np.unique(key, return_inverse=True)  # compact: no overflow however many
        uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        del uniq
        combos = [tuple(f.values[f.codes[row]] for f in factors) for row in first.tolist()]
        return inverse.astype(np.intp, copy=False), combos


class _Denials:
    """Each row's first denial, merged check by check in §6 order."""

    def __init__(self, rows: int) -> None:
        self.index = np.zeros(rows, dtype=np.int32)  # 0: not denied
        self.reasons: list[Reason | None] = [None]
        self._ids: dict[int, int] = {}

    def _id(self, reason: Reason) -> int:
        found = self._ids.get(id(reason))
        if found is None:
            found = self._ids[id(reason)] = len(self.reasons)
            self.reasons.append(reason)
        return found

    def deny(self, mask: np.ndarray, reason: Reason) -> None:
        """Deny ``reason`` where ``mask`` holds and no earlier check denied."""
        self.index[mask & (self.index == 0)] = self._id(reason)

    def deny_each(self, codes: np.ndarray, per_value: Sequence[Reason | None]) -> None:
        """Deny ``per_value[codes[i]]`` in row ``i`` (``None``: this check passes)."""
        table = np.array([0 if r is None else self._id(r) for r in per_value], dtype=np.int32)
        found = table[codes]
        free = self.index == 0
        self.index[free] = found[free]

    @property
    def open(self) -> np.ndarray[Any, Any]:
        found: np.ndarray[Any, Any] = self.index == 0
        return found


#: Subjects asked about per bulk call of a consent source (bounded queries, bounded memory).
_BULK = 65_536


def _states(
    consents: ConsentLookup, purpose: str, at: datetime, keys: Sequence[str]
) -> Mapping[str, ConsentState]:
    """The consent states of ``keys``: bulk calls when the source offers them (``states``)."""
    from gdprkit._consent import NO_CONSENT  # noqa: PLC0415 - the ledger loads only when used

    bulk = getattr(consents, "states", None)
    if bulk is None:
        return {k: consents.state(k, purpose, at=at) for k in keys}
    found: dict[str, ConsentState] = {}
    for start in range(0, len(keys), _BULK):
        chunk = keys[start : start + _BULK]
        answered: Mapping[str, ConsentState] = bulk(chunk, purpose, at=at)
        for k in chunk:
            found[k] = answered.get(k, NO_CONSENT)
    return found


def run(
    plan: _Plan,
    backend: Backend,
    *,
    at: datetime,
    instant: datetime,
    consents: ConsentLookup | None,
    transforms: Mapping[str, Transform],
    keys: KeyRing | None = None,
) -> Outcome:
    """Decide every row of ``backend`` for ``plan`` (``at`` as given, ``instant`` in UTC)."""
    cols = _Columns(backend)
    rows = cols.rows
    denials = _Denials(rows)

    # 1-5. The subject, and what the subject asked for (from the consent source).
    state_codes: np.ndarray | None = None
    state_values: list[ConsentState | None] = []
    if plan.subject_id is not None:
        # 1. One canonical subject key (gdprkit._values); none: record.invalid.
        subjects, ids = _subjects(cols, plan.subject_id, need_keys=consents is not None)
        denials.deny_each(subjects.codes, [plan.r_no_subject if k is None else None for k in ids])
        if consents is not None:
            states = _states(consents, plan.purpose, at, sorted({k for k in ids if k is not None}))
            state_values = [None if k is None else states[k] for k in ids]
            state_codes = subjects.codes
            denials.deny_each(state_codes, [_request(plan, s) for s in state_values])
    elif consents is not None:
        raise ConfigurationError(
            "a consent source was given but the policy names no subject.id field to ask it about"
        )

    # 6. Source.
    if plan.sources is not None:
        if plan.source_field is None:
            denials.deny(np.ones(rows, dtype=bool), plan.r_source)
        else:
            denials.deny(cols.per_row(plan.source_field, _outside(plan.sources)), plan.r_source)
    # 7. Conditions of the legal basis.
    for wfield, accepted in plan.when:
        denials.deny(
            cols.per_row(wfield, _outside(accepted)),
            plan.r_when[wfield],
        )

    # 8-12. Consent.
    explicit = np.zeros(rows, dtype=bool)
    if plan.needs_consent or plan.needs_explicit:
        explicit = _consent(
            plan, cols, denials, instant=instant, state_codes=state_codes, state_values=state_values
        )

    # 13-19. Fields: the static verdicts, then explicit consent and retention per row.
    kept_names: list[str] = []
    dropped_rows: dict[str, np.ndarray] = {}
    anchors: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # rule -> (deadline ok, no end)

    def deadline(rule: _Retention) -> tuple[np.ndarray, np.ndarray]:
        """Per row: whether ``rule``'s deadline is after ``instant``, and whether it has none."""
        memo = id(rule)
        found = anchors.get(memo)
        if found is None:
            col = cols.factor(rule.anchor)
            ok, missing = [], []
            for start in cols.instants(rule.anchor, plan.instant):
                end = None if start is None else rule.deadline(start)
                ok.append(end is not None and instant < end)
                missing.append(end is None)
            found = (np.array(ok, dtype=bool)[col.codes], np.array(missing, dtype=bool)[col.codes])
            anchors[memo] = found
        return found

    for label in cols.labels:
        if not isinstance(label, str):
            continue
        fp = plan.fields.get(label)
        if fp is None or fp.drop is not None:
            continue
        kept_names.append(label)
        drop = np.zeros(rows, dtype=bool)
        if fp.explicit:
            drop |= ~explicit
        for rule in fp.retention:
            ok, _missing = deadline(rule)
            drop |= ~ok
        dropped_rows[label] = drop

    # settings.invalid_values: the plan's own test per distinct value, on the cells the checks
    # above kept; a denial goes to the first such field in column order, as in the row path.
    for name in kept_names:
        if name not in plan.value_formats:
            continue
        bad = cols.per_row(name, partial(plan.invalid_value, name)) & ~dropped_rows[name]
        if plan.deny_invalid:
            denials.deny(bad, plan.r_value_invalid[name])
        else:
            dropped_rows[name] |= bad

    # 20. Record-level retention.
    for rule in plan.record_rules:
        ok, missing = deadline(rule)
        denials.deny(missing, plan.r_record_anchor[rule.anchor])
        denials.deny(~ok & ~missing, plan.r_record_expired[rule.anchor])

    # 21. Required fields.
    for rfield in plan.requires:
        fp = plan.fields.get(rfield)
        if rfield not in cols.present or fp is None or fp.drop is not None:
            denials.deny(np.ones(rows, dtype=bool), plan.r_required[rfield])
            continue
        gone = cols.per_row(rfield, is_missing) | dropped_rows[rfield]
        denials.deny(gone, plan.r_required[rfield])

    # Output: the allowed rows, their columns transformed, per-row drops null.
    allowed = denials.open
    columns: list[Kept | Mapped] = []
    dropped: dict[str, np.ndarray] = {}
    for name in kept_names:
        fn = transforms.get(name)
        if fn is _drop:
            continue
        drop = dropped_rows[name][allowed]
        if drop.any():
            dropped[name] = drop
        if fn is None:
            columns.append(Kept(name, drop if drop.any() else None))
            continue
        spec = plan.fields[name].transform
        if spec is not None and spec[0] == "token" and keys is not None:
            category = plan.fields[name].category
            by_row = _row_tokens(cols, name, allowed, keys, spec[1], category)
            if by_row is not None:
                codes = np.arange(len(drop), dtype=np.intp)
                codes[drop] = len(by_row) - 1  # the null after the tokens
                columns.append(Mapped(name, codes, None, by_row, in_order=True))
                continue
        columnar = getattr(fn, "columnar", None)  # a transform's own whole-column form
        if columnar is not None and cols.factored(name) is None:
            array = cols.arrow(name)
            found = None
            if array is not None:
                import pyarrow as pa  # noqa: PLC0415 - cols.arrow answered: pyarrow is here

                if isinstance(array, pa.ChunkedArray):
                    array = array.combine_chunks()
                found = columnar(array.filter(pa.array(allowed, type=pa.bool_())))
            if found is not None:
                import pyarrow as pa  # noqa: PLC0415

                native = pa.concat_arrays([found, pa.nulls(1, type=found.type)])
                codes = np.arange(len(drop), dtype=np.intp)
                codes[drop] = len(native) - 1
                columns.append(Mapped(name, codes, None, native))
                continue
        col = cols.factor(name)
        native = None
        if spec is not None and spec[0] == "token" and keys is not None:
            native = _native_tokens(backend, name, keys, spec[1], category)
            values = [] if native is not None else _tokens(col.values, keys, spec[1], category)
        else:
            values = [fn(v) for v in col.values]
        codes = col.codes[allowed].copy()
        if native is not None:
            codes[drop] = len(native) - 1  # the null after the tokens
            columns.append(Mapped(name, codes, None, native))
            continue
        values.append(None)
        codes[drop] = len(values) - 1
        columns.append(Mapped(name, codes, values))

    denied_rows = np.flatnonzero(~allowed)
    which = denials.index[denied_rows]
    reasons = denials.reasons
    codes_out = [_code(reasons[i]) for i in which.tolist()]
    articles = [reasons[i].article for i in which.tolist() if reasons[i] is not None]
    counts: Counter[str] = Counter()
    processed = int(allowed.sum())
    if processed:
        counts["processed"] = processed
    for i, n in zip(*np.unique(which, return_counts=True), strict=True):
        counts[_code(reasons[int(i)])] += int(n)
    return Outcome(
        allowed,
        columns,
        denied_rows.astype(np.intp),
        codes_out,
        articles,
        counts,
        frozenset(cols.read),
        dropped,
    )


def _subjects(cols: _Columns, name: str, *, need_keys: bool) -> tuple[Factor, list[str | None]]:
    """Each row's canonical subject key, factorised: the codes, and the key of each code
    (``None``: no id). Text and integer columns go through the Arrow kernels of
    :mod:`gdprkit.frames._vector` (the keys themselves factorised only when a consent source
    needs them); other columns are factorised and read by :func:`subject_key` per value."""
    array = cols.arrow(name)
    keyed = None
    if array is not None:
        from gdprkit.frames._vector import canonical_keys, missing_keys  # noqa: PLC0415

        if not need_keys:  # only whether each row has an id: code 0 has one, code 1 has none
            missing = missing_keys(array)
            if missing is not None:
                return Factor(missing.astype(np.intp), ["", None]), ["", None]
        keyed = canonical_keys(array)
    if keyed is None:
        subjects = cols.factor(name)
        return subjects, [subject_key(v) for v in subjects.values]
    import pyarrow.compute as pc  # noqa: PLC0415 - canonical_keys answered: pyarrow is here

    encoded = pc.dictionary_encode(keyed, null_encoding="mask")
    ids: list[str | None] = list(encoded.dictionary.to_pylist())
    ids.append(None)
    indices = encoded.indices.fill_null(len(ids) - 1)
    codes = np.asarray(indices.to_numpy(zero_copy_only=False), dtype=np.intp)
    return Factor(codes, list(ids)), ids


#: A column with fewer distinct values than one in this many rows is tokenised per distinct
#: value (its factorisation is already there); otherwise per row, which costs no hash table.
_FEW_DISTINCT = 4


def _row_tokens(  # noqa: PLR0917 - private, one caller
    cols: _Columns,
    name: str,
    allowed: np.ndarray[Any, np.dtype[np.bool_]],
    keys: KeyRing,
    domain: str,
    category: str | None,
) -> Any:  # noqa: ANN401 - a pyarrow array or None
    """The ``token`` transform of column ``name`` in each allowed row, in order, then one null
    (whole-column HMACs, :mod:`gdprkit.frames._hash`); ``None`` when the column is better (or
    only) tokenised per distinct value."""
    found = cols.factored(name)
    if found is not None and len(found.values) * _FEW_DISTINCT < int(allowed.sum()):
        return None
    make = getattr(cols.backend, "row_tokens", None)
    if make is None or name not in cols.present:
        return None
    return make(name, allowed, keys, domain, category)


def _tokens(values: Sequence[object], keys: KeyRing, domain: str, category: str) -> list[object]:
    """The ``token`` transform of each value: what the row path's transform gives, byte for byte
    (the category's normaliser, ``None`` for a value it cannot read), the HMAC in one batch."""
    from gdprkit._pseudonymise._normalise import normaliser_for  # noqa: PLC0415 - lazy: crypto
    from gdprkit._pseudonymise._tokens import token_batch  # noqa: PLC0415

    normalise = normaliser_for(category)
    texts: list[str | None] = []
    for value in values:
        try:
            text = None if value is None else normalise(value)
            if text is not None:
                text.encode()  # lone surrogates: no token, as in the row path
        except Exception:  # as the row path: a value that cannot be read has no token
            text = None
        texts.append(text)
    return list(token_batch(keys, domain)(texts))


def _code(reason: Reason | None) -> str:
    assert reason is not None  # noqa: S101 - index 0 (no denial) is never read here
    return reason.code


def _outside(accepted: frozenset[str]) -> Callable[[object], bool]:
    """Whether a value is not among ``accepted`` (the choices of ``sources`` or ``when``)."""

    def outside(value: object) -> bool:
        return choice_key(value) not in accepted

    return outside


def _request(plan: _Plan, state: ConsentState | None) -> Reason | None:
    """Checks 2-5 for one subject's state (the row engine's rules, in its order)."""
    if state is None:
        return None
    if state.erasure_requested and not plan.erasure_exempt:
        return plan.r_erasure
    if state.restricted:
        return plan.r_restricted
    if plan.direct_marketing and (state.objected_direct_marketing or state.objected):
        return plan.r_objection_dm
    if plan.objectionable and state.objected:
        return plan.r_objection
    return None


def _consent(
    plan: _Plan,
    cols: _Columns,
    denials: _Denials,
    *,
    instant: datetime,
    state_codes: np.ndarray | None,
    state_values: Sequence[ConsentState | None],
) -> np.ndarray:
    """Checks 8-12: deny where consent fails; each row's explicit flag (for check 16)."""
    rows = cols.rows
    if plan.consent_field is not None:
        # Each distinct cell of the consent columns read once (the plan's readers), then the
        # plan's rule once per distinct combination of what was read and the consent source's
        # state (it has the last word). Where the flag is not given nothing else is read.
        flag = _flags(cols, plan.consent_field)
        when = Factor(
            np.where(flag.codes == 1, cols.factor(plan.consent_at).codes, 0),
            cols.instants(plan.consent_at, plan.instant) if plan.consent_at else [None],
        )
        read = [flag, when]
        for name in (plan.consent_explicit, plan.consent_parental):
            found = _flags(cols, name)
            read.append(Factor(found.codes * flag.codes, found.values))
        if state_codes is not None:
            read.append(Factor(state_codes, list(state_values)))
        codes, combos = cols.combos((), *read)
        outcomes = [
            plan.column_consent(
                c[0],  # type: ignore[arg-type]
                c[1],  # type: ignore[arg-type]
                c[2],  # type: ignore[arg-type]
                c[3],  # type: ignore[arg-type]
                instant,
                c[4] if state_codes is not None else None,  # type: ignore[arg-type]
            )
            for c in combos
        ]
    elif state_codes is not None:
        codes = state_codes
        outcomes = [plan._consent(_getter({}), instant, s) for s in state_values]
    else:
        codes = np.zeros(rows, dtype=np.intp)
        outcomes = [plan._consent(_getter({}), instant, None)]

    failed = [o if isinstance(o, Reason) else None for o in outcomes]
    if plan.needs_consent:
        denials.deny_each(codes, failed)
    given = [
        (False, False) if isinstance(o, Reason) else (bool(o[0]), bool(o[1])) for o in outcomes
    ]
    explicit = np.array([g[0] for g in given], dtype=np.bool_)[codes]
    parental = np.array([g[1] for g in given], dtype=np.bool_)[codes]
    passed = np.array([f is None for f in failed], dtype=np.bool_)[codes]

    # 12. Art. 8: a child's consent without parental authorisation.
    if plan.check_child:
        # The plan's three steps: each birth date read once, each country's age once, the age
        # compared once per distinct (date, age) pair.
        births = cols.factor(plan.subject_birth)
        born = [plan.birth(v) for v in births.values]
        countries = cols.factor(plan.subject_country)
        limits = [plan.age_limit(v) for v in countries.values]
        limit_values = sorted(set(limits))
        limit_codes = np.array([limit_values.index(x) for x in limits], dtype=np.intp)
        pair = births.codes.astype(np.int64) * len(limit_values) + limit_codes[countries.codes]
        pairs, inverse = np.unique(pair, return_inverse=True)
        verdicts = []
        for key in pairs.tolist():
            b = born[key // len(limit_values)]
            limit = limit_values[key % len(limit_values)]
            if b is None or b is True:  # no birth date: no check; unreadable: a child's
                verdicts.append(b is True)
            else:
                verdicts.append(plan.under_age(b, limit, instant))
        is_child = np.array(verdicts, dtype=bool)[inverse.reshape(-1)]
        denials.deny(passed & ~parental & is_child, plan.r_child)
    result: np.ndarray = explicit
    return result


def _flags(cols: _Columns, name: str | None) -> Factor:
    """Column ``name`` read as a flag (``read_flag``, once per distinct cell): codes 0 (not
    given, or no such field) and 1 (given), values ``[False, True]``."""
    col = cols.factor(name)
    given = np.array([name is not None and read_flag(v) for v in col.values], dtype=np.intp)
    return Factor(given[col.codes], [False, True])


def _getter(record: dict[str, object]) -> Callable[[str], object]:
    """``record.get`` as the plan's methods take it (a field name in, its value or ``None``)."""

    def get(name: str) -> object:
        return record.get(name)

    return get
