"""Spark: the compiled plan on every Arrow record batch, with the row engine's answer.

``enforce(policy, df, purpose, *, at=None, consents=None, keys=None) -> SparkResult``
(design.md §15). One ``mapInArrow`` stage runs :mod:`gdprkit.frames`' columnar executor (the
same compiled plan as :func:`gdprkit.decide`) on each Arrow record batch of ``df``; the result is
split, lazily, into ``allowed`` and ``rejected``. Nothing runs until an action on them.

* **Keys.** Executors never receive the :class:`KeyRing`. The driver binds the plan's transforms
  once, records which derived keys they use (``KeyRing.derive(label, domain)``) and ships only
  those, as a :class:`DerivedKeys` (picklable, no key bytes in its ``repr``).
* **Tokens.** ``tokens="builtin"`` (the default where ``pyspark.sql.functions.hmac`` exists,
  pyspark >= 4.3): the executor writes each token field's *normalised text* (the frames
  engine's whole-column normalisers, or the row path's own normaliser per value; null where the
  row path makes no token) and Spark's built-in ``hmac`` makes the token from it:
  ``key_id || ':' || lower(hex(substring(hmac(k, text), 1, 16))``. Nothing is re-expressed in
  Spark SQL but the token encoding. The derived key reaches ``hmac`` as a column of the stage's
  output, never as a literal, so it appears in no query plan, ``explain()`` or Spark UI.
  ``tokens="arrow"``: the executor makes the tokens with the row path's transform. Both give
  the row path's tokens byte for byte.
* **Consents.** A states table: the driver reads the distinct subject ids once, asks the consent
  source in bulk for their canonical ids (``states(subjects, purpose, at=)``), and joins the
  states (a broadcast join) to the rows on the subject id; each batch reads its rows' states
  from that column. A state the batch lacks is an error, never "no consent".
* ``import gdprkit`` never imports pyspark; this module imports it when :func:`enforce` runs.
"""

from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, NoReturn

from gdprkit._errors import ConfigurationError, MissingKeyError
from gdprkit._pseudonymise._keys import KeyRing, hex_key
from gdprkit._time import in_utc, require_aware

if TYPE_CHECKING:
    from gdprkit._consent import ConsentState
    from gdprkit._decision import ConsentLookup, Transform, _Plan
    from gdprkit._policy import Policy

__all__ = ["DerivedKeys", "SparkResult", "enforce"]

_PREFIX: Final = "__gdprkit_"
_CODE: Final = _PREFIX + "code"
_ARTICLE: Final = _PREFIX + "article"
_SUBJECT: Final = _PREFIX + "subject"
_KEY: Final = _PREFIX + "key"
_STATE: Final = _PREFIX + "state"
_RAW: Final = _PREFIX + "raw"
_TOKEN_BYTES: Final = 16
#: Transforms whose output is an integer; every other transform writes text.
_INTEGER_METHODS: Final = frozenset({"generalise.year", "generalise.decade"})
_TOKEN_PATHS: Final = frozenset({"auto", "builtin", "arrow"})


# ------------------------------------------------------------------------------------------
# Keys for executors.


class DerivedKeys:
    """The per-domain keys a plan's transforms use, derived from one key of a ring.

    What executors receive instead of the :class:`KeyRing`: the active key id and, for each
    ``(label, domain, length)`` the transforms asked :meth:`KeyRing.derive` for, its bytes.
    The ring's own keys are not in it, so an executor can make tokens and ciphertexts for these
    domains and nothing else. It pickles (that is its purpose: ship it over a channel fit for
    secrets); its ``repr`` names the key id and the uses, never bytes.
    """

    __slots__ = ("_derived", "_key_id")

    _key_id: str
    _derived: dict[tuple[str, str, int], bytes]

    def __init__(self, key_id: str, derived: Mapping[tuple[str, str, int], bytes]) -> None:
        if not isinstance(key_id, str):
            raise ConfigurationError("a key id must be text")
        checked: dict[tuple[str, str, int], bytes] = {}
        for use, key in derived.items():
            label, domain, length = use
            if not isinstance(key, bytes) or len(key) != length:
                raise ConfigurationError(f"derived key for {(label, domain)!r} has the wrong size")
            checked[(label, domain, length)] = key
        object.__setattr__(self, "_key_id", key_id)
        object.__setattr__(self, "_derived", checked)

    @classmethod
    def export(cls, keys: KeyRing, uses: Iterable[tuple[str, str, int]]) -> DerivedKeys:
        """The keys ``keys.derive(label, domain, length=length)`` gives for each of ``uses``,
        with ``keys``' active key."""
        if not isinstance(keys, KeyRing):
            raise ConfigurationError("keys must be a KeyRing")
        derived = {
            (label, domain, length): keys.derive(label, domain, length=length)
            for label, domain, length in uses
        }
        return cls(keys.active, derived)

    @property
    def key_id(self) -> str:
        """The id of the key the derived keys come from (the ring's active key)."""
        return self._key_id

    @property
    def uses(self) -> tuple[tuple[str, str, int], ...]:
        """Each ``(label, domain, length)`` held, sorted."""
        return tuple(sorted(self._derived))

    def derive(
        self, label: str, domain: str, *, key_id: str | None = None, length: int = 32
    ) -> bytes:
        """The derived key for ``(label, domain, length)``, as :meth:`KeyRing.derive` gives it;
        :class:`MissingKeyError` for a use or key id this export does not hold."""
        if key_id is not None and key_id != self._key_id:
            raise MissingKeyError("the derived keys hold no key with that id")
        found = self._derived.get((label, domain, length))
        if found is None:
            raise MissingKeyError(f"no derived key for {label!r} in domain {domain!r}")
        return found

    def token_key(self, domain: str) -> bytes:
        """The HMAC key of tokens in ``domain``, as :meth:`KeyRing.token_key` gives it."""
        return hex_key(self.derive("token", domain))

    def ring(self) -> KeyRing:
        """A key ring that derives only these keys (for the plan's transforms on an executor)."""
        return _DerivedRing(self)

    def __repr__(self) -> str:
        uses = [(label, domain) for label, domain, _ in self.uses]
        return f"DerivedKeys(key_id={self._key_id!r}, uses={uses!r})"

    __str__ = __repr__

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("DerivedKeys is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (DerivedKeys, (self._key_id, dict(self._derived)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DerivedKeys):
            return NotImplemented
        return self._key_id == other._key_id and self._derived == other._derived

    def __hash__(self) -> int:
        return hash((self._key_id, tuple(sorted(self._derived))))


class _DerivedRing(KeyRing):
    """A :class:`KeyRing` face for :class:`DerivedKeys`: ``derive`` and ``active`` only."""

    __slots__ = ("_export",)

    _export: DerivedKeys

    def __init__(self, export: DerivedKeys) -> None:
        object.__setattr__(self, "_keys", {})
        object.__setattr__(self, "_active", export.key_id)
        object.__setattr__(self, "_cache", {})
        object.__setattr__(self, "_export", export)

    def derive(
        self, label: str, domain: str, *, key_id: str | None = None, length: int = 32
    ) -> bytes:
        return self._export.derive(label, domain, key_id=key_id, length=length)

    def __repr__(self) -> str:
        return f"KeyRing(derived, active={self._active!r})"


class _RecordingRing(KeyRing):
    """A :class:`KeyRing` face that derives from ``inner`` and records each use."""

    __slots__ = ("_inner", "_seen")

    _inner: KeyRing
    _seen: set[tuple[str, str, int]]

    def __init__(self, inner: KeyRing) -> None:
        object.__setattr__(self, "_keys", {})
        object.__setattr__(self, "_active", inner.active)
        object.__setattr__(self, "_cache", {})
        object.__setattr__(self, "_inner", inner)
        object.__setattr__(self, "_seen", set())

    def derive(
        self, label: str, domain: str, *, key_id: str | None = None, length: int = 32
    ) -> bytes:
        if key_id is not None and key_id != self._active:
            raise ConfigurationError("gdprkit.spark ships keys derived from the active key only")
        found = self._inner.derive(label, domain, length=length)
        self._seen.add((label, domain, length))
        return found

    def export(self) -> str:
        raise ConfigurationError("not exported")

    def derived(self) -> DerivedKeys:
        return DerivedKeys.export(self._inner, self._seen)


# ------------------------------------------------------------------------------------------
# Result.


@dataclass(frozen=True, slots=True)
class SparkResult:
    """What :func:`enforce` returns: two lazy Spark DataFrames.

    ``allowed``: the rows ``decide`` allows; its columns are the input's columns the purpose may
    process at all (input order), transformed; a field dropped for one row only is null there.
    ``rejected``: one row per denied row: the subject id column (its input value, null when the
    row has none), ``code`` and ``article``; no other value. ``tokens`` says which path made the
    tokens (``"builtin"``: Spark's ``hmac``; ``"arrow"``: the executor).
    Spark keeps no row order: compare rows by content, or by the subject id.
    """

    allowed: Any
    rejected: Any
    tokens: str

    def counts(self) -> Counter[str]:
        """``processed`` and denials by code, as :attr:`gdprkit.Enforcement.counts` (runs two
        Spark jobs)."""
        found: Counter[str] = Counter()
        processed = int(self.allowed.count())
        if processed:
            found["processed"] = processed
        for row in self.rejected.groupBy("code").count().collect():
            found[str(row["code"])] += int(row["count"])
        return found

    def __repr__(self) -> str:
        return f"SparkResult(tokens={self.tokens!r})"


# ------------------------------------------------------------------------------------------
# The executor (runs on Spark's Python workers).


@dataclass(frozen=True, slots=True)
class _Job:
    """Everything an executor needs; pickled into the ``mapInArrow`` function."""

    policy: Policy
    purpose: str
    at: datetime
    keys: DerivedKeys | None
    inputs: tuple[str, ...]  # the input columns, in order
    subject: str | None  # the subject id column, when present in the input
    with_states: bool
    outputs: tuple[tuple[str, Any], ...]  # allowed columns and their Arrow types
    builtin: tuple[str, ...]  # token columns whose HMAC Spark computes
    key_columns: tuple[tuple[str, str], ...]  # (column, token domain) carrying derived keys
    subject_type: Any  # the Arrow type of the subject column (or string)


class _BatchStates:
    """The consent states the join brought to one batch, as a consent source."""

    def __init__(self, states: Mapping[str, ConsentState]) -> None:
        self._states = states

    def states(
        self, subjects: Iterable[str], purpose: str, *, at: datetime
    ) -> dict[str, ConsentState]:
        found: dict[str, ConsentState] = {}
        for subject in subjects:
            state = self._states.get(subject)
            if state is None:  # fail closed: never "no consent" for a state the join lost
                raise ConfigurationError(
                    "gdprkit.spark: a subject's consent state did not reach its batch"
                )
            found[subject] = state
        return found

    def state(self, subject: str, purpose: str, *, at: datetime) -> ConsentState:
        return self.states([subject], purpose, at=at)[subject]


def _normalising(category: str | None) -> Transform:
    """A built-in token column's transform: the normalised text that the row path's token
    transform would HMAC (UTF-8), or ``None`` where it makes no token (a value its normaliser
    refuses or cannot read). Its ``columnar`` form does the same to a whole Arrow column with
    the frames engine's normalisers (:func:`gdprkit.frames._hash.arrow_normalised`); the
    executor uses it when it can, else this function per distinct value."""
    from gdprkit._pseudonymise._normalise import normaliser_for  # noqa: PLC0415
    from gdprkit.frames._hash import arrow_normalised  # noqa: PLC0415

    normalise = normaliser_for(category)

    def text(value: object) -> str | None:
        if value is None:
            return None
        try:  # as the row path's token transform: a value it cannot read has no token
            found = normalise(value)
            if found is not None:
                found.encode()  # what the HMAC reads; text that has no UTF-8 has no token
        except Exception:  # the row path's transform catches every error too
            return None
        return found

    def columnar(array: Any) -> Any:  # noqa: ANN401 - pyarrow arrays
        return arrow_normalised(array, category)

    text.columnar = columnar  # type: ignore[attr-defined]
    return text


def _transforms(job: _Job, plan: _Plan) -> tuple[dict[str, Transform], KeyRing | None]:
    """The plan's transforms bound on the executor (with the derived keys only), and the key
    ring the executor's batch HMAC may use (none when Spark's ``hmac`` makes the tokens: the
    token columns then carry normalised text, see :func:`_normalising`)."""
    ring = None if job.keys is None else job.keys.ring()
    transforms = dict(plan.bind(ring, job.at))
    for name in job.builtin:
        transforms[name] = _normalising(plan.fields[name].category)
    return transforms, (None if job.builtin else ring)


def _executor(job: _Job) -> Callable[[Iterator[Any]], Iterator[Any]]:
    def execute(batches: Iterator[Any]) -> Iterator[Any]:
        from gdprkit._decision import compile_plan  # noqa: PLC0415

        plan = compile_plan(job.policy, job.purpose)
        transforms, ring = _transforms(job, plan)
        for batch in batches:
            yield _one_batch(job, plan, transforms, ring, batch)

    return execute


def _one_batch(
    job: _Job,
    plan: _Plan,
    transforms: Mapping[str, Transform],
    ring: KeyRing | None,
    batch: Any,  # noqa: ANN401 - pyspark/pyarrow objects
) -> Any:  # noqa: ANN401 - pyspark/pyarrow objects
    import pyarrow as pa  # noqa: PLC0415

    from gdprkit.frames._arrow import ArrowBackend  # noqa: PLC0415
    from gdprkit.frames._plan import run  # noqa: PLC0415

    table = pa.Table.from_batches([batch])
    consents = None
    if job.with_states:
        keys = table.column(_KEY).to_pylist()
        blobs = table.column(_STATE).to_pylist()
        states: dict[str, ConsentState] = {}
        for key, blob in zip(keys, blobs, strict=True):
            if key is not None and blob is not None and key not in states:
                states[key] = pickle.loads(blob)  # noqa: S301 - made by the driver, see enforce
        consents = _BatchStates(states)
    table = table.select(list(job.inputs))
    backend = ArrowBackend(table)
    outcome = run(
        plan,
        backend,
        at=job.at,
        instant=in_utc(job.at),
        consents=consents,
        transforms=transforms,
        keys=ring,
    )
    allowed, rejected = backend.result(outcome)
    n_allowed, n_denied = allowed.num_rows, rejected.num_rows
    names = [name for name, _ in job.outputs]
    if list(allowed.column_names) != names:  # the driver's schema and the executor disagree
        raise ConfigurationError("gdprkit.spark: the batch's columns differ from the plan's")
    arrays: list[Any] = []
    for name, kind in job.outputs:
        part = allowed.column(name).combine_chunks()
        if part.type != kind:
            part = part.cast(kind)
        arrays.append(pa.concat_arrays([part, pa.nulls(n_denied, kind)]))
    codes = rejected.column("code").combine_chunks()
    articles = rejected.column("article").combine_chunks()
    arrays.append(pa.concat_arrays([pa.nulls(n_allowed, pa.string()), codes]))
    arrays.append(pa.concat_arrays([pa.nulls(n_allowed, pa.string()), articles]))
    if job.subject is not None:
        ids = table.column(job.subject).take(rejected.column("row")).combine_chunks()
        if ids.type != job.subject_type:
            ids = ids.cast(job.subject_type)
    else:
        ids = pa.nulls(n_denied, job.subject_type)
    arrays.append(pa.concat_arrays([pa.nulls(n_allowed, job.subject_type), ids]))
    assert job.keys is not None or not job.key_columns  # noqa: S101 - set together by the driver
    for _, domain in job.key_columns:
        key = job.keys.token_key(domain) if job.keys is not None else b""
        arrays.append(
            pa.concat_arrays([_repeated(key, n_allowed), pa.nulls(n_denied, pa.binary())])
        )
    out_names = [*names, _CODE, _ARTICLE, _SUBJECT, *(c for c, _ in job.key_columns)]
    return pa.RecordBatch.from_arrays(arrays, names=out_names)


def _repeated(value: bytes, n: int) -> Any:  # noqa: ANN401 - a pyarrow array
    """An Arrow binary array of ``n`` copies of ``value``, built from its buffers."""
    import numpy as np  # noqa: PLC0415
    import pyarrow as pa  # noqa: PLC0415

    offsets = np.arange(n + 1, dtype=np.int32) * np.int32(len(value))
    return pa.Array.from_buffers(
        pa.binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(value * n)]
    )


# ------------------------------------------------------------------------------------------
# The driver.


def _builtin_hmac() -> bool:
    from pyspark.sql import functions  # noqa: PLC0415

    return hasattr(functions, "hmac")


def enforce(
    policy: Policy,
    df: Any,  # noqa: ANN401 - pyspark/pyarrow objects
    purpose: str,
    *,
    at: datetime | None = None,
    consents: ConsentLookup | None = None,
    keys: KeyRing | None = None,
    tokens: str = "auto",
) -> SparkResult:
    """Enforce ``purpose`` of ``policy`` on a Spark DataFrame: the row path's answer, row for
    row, as two lazy DataFrames (see :class:`SparkResult`).

    ``at`` is an aware datetime (``None``: now, UTC, read once on the driver). ``consents`` is a
    consent source, asked once, in bulk, for the distinct subject ids (a Spark job runs then).
    ``keys`` is the :class:`KeyRing`; executors receive only the keys derived from it that the
    purpose's transforms use (:class:`DerivedKeys`). ``tokens``: ``"builtin"`` (Spark's ``hmac``,
    pyspark >= 4.3), ``"arrow"`` (the executor) or ``"auto"`` (builtin where available).

    Raises :class:`ConfigurationError` before any row is read when the policy names no subject
    id field (rejected rows are named by it), for input columns named ``__gdprkit_...``, for keys
    or consent sources that are missing or unusable, and for ``tokens="builtin"`` without
    Spark's ``hmac`` (never a silent wrong answer).
    """
    from pyspark.sql import DataFrame  # noqa: PLC0415

    from gdprkit._decision import compile_plan  # noqa: PLC0415

    if not isinstance(df, DataFrame):
        raise ConfigurationError(
            f"gdprkit.spark.enforce takes a pyspark.sql.DataFrame, not {type(df).__name__}"
        )
    if tokens not in _TOKEN_PATHS:
        raise ConfigurationError("tokens must be 'auto', 'builtin' or 'arrow'")
    has_hmac = _builtin_hmac()
    if tokens == "builtin" and not has_hmac:
        raise ConfigurationError(
            "tokens='builtin' needs pyspark.sql.functions.hmac (pyspark >= 4.3); use 'arrow'"
        )
    path = "builtin" if tokens == "auto" and has_hmac else "arrow" if tokens == "auto" else tokens
    plan = compile_plan(policy, purpose)
    when = require_aware(at)
    if plan.subject_id is None:
        raise ConfigurationError(
            "gdprkit.spark names rejected rows by their subject id: the policy declares no "
            "subject.id field"
        )
    inputs = tuple(df.columns)
    if len(set(inputs)) != len(inputs):
        raise ConfigurationError("the DataFrame has more than one column of the same name")
    for name in inputs:
        if name.startswith(_PREFIX):
            raise ConfigurationError(f"column {name!r}: names starting {_PREFIX!r} are gdprkit's")
    from gdprkit import _enforce  # noqa: PLC0415

    require = getattr(_enforce, "require_consent_source", None)
    if require is not None:  # the row path's guard: the same configuration errors
        require((plan,), consents, "spark.enforce")

    # Bind on the driver (missing keys fail here) and record the derived keys the binding uses.
    recording = None if keys is None else _RecordingRing(_check_ring(keys))
    transforms = plan.bind(recording, when)
    derived = None if recording is None else recording.derived()

    schema = df.schema
    arrow_schema = _arrow_schema(schema)
    outputs, builtin, read = _outputs(
        plan,
        schema,
        arrow_schema,
        transforms=transforms,
        when=when,
        consents=consents,
        path=path,
    )
    # Ship to the Python workers only what the executor reads or outputs (a dropped column
    # never leaves the JVM).
    shipped = read | {name for name, _, _ in outputs}
    if len(shipped) < len(inputs):
        inputs = tuple(name for name in inputs if name in shipped)
        df = df.select(*(_quoted(name) for name in inputs))
    subject = plan.subject_id if plan.subject_id in inputs else None
    if subject is not None:
        subject_type, subject_spark = arrow_schema.field(subject).type, schema[subject].dataType
    else:
        from pyspark.sql.types import StringType  # noqa: PLC0415

        subject_type, subject_spark = _pa().string(), StringType()

    frame = df
    with_states = False
    if consents is not None and subject is not None:
        frame = _join_states(df, subject, consents, plan.purpose, when)
        with_states = True

    domains = sorted({plan.fields[name].transform[1] for name in builtin})  # type: ignore[index]
    key_columns = tuple((f"{_KEY}{i}", domain) for i, domain in enumerate(domains))
    job = _Job(
        policy=policy,
        purpose=purpose,
        at=when,
        keys=derived,
        inputs=inputs,
        subject=subject,
        with_states=with_states,
        outputs=tuple((name, kind) for name, kind, _ in outputs),
        builtin=tuple(builtin),
        key_columns=key_columns,
        subject_type=subject_type,
    )
    out_schema = _spark_schema(job, outputs, subject_spark)
    mapped = frame.mapInArrow(_executor(job), out_schema)

    from pyspark.sql import functions as F  # noqa: N812, PLC0415

    key_of = {domain: column for column, domain in key_columns}
    selected = []
    for name, _, _ in outputs:
        if name in builtin:
            domain = plan.fields[name].transform[1]  # type: ignore[index]
            column = _token_column(F, name, key_of[domain], job.keys)
            selected.append(column.alias(name))
        else:
            selected.append(F.col(_quoted(name)))
    allowed = mapped.where(F.col(_CODE).isNull()).select(*selected)
    rejected = mapped.where(F.col(_CODE).isNotNull()).select(
        F.col(_SUBJECT).alias(plan.subject_id),
        F.col(_CODE).alias("code"),
        F.col(_ARTICLE).alias("article"),
    )
    return SparkResult(allowed, rejected, path)


def _check_ring(keys: object) -> KeyRing:
    if not isinstance(keys, KeyRing) or isinstance(keys, _DerivedRing | _RecordingRing):
        raise ConfigurationError("keys must be a KeyRing (KeyRing.from_env(), KeyRing.generate())")
    return keys


def _pa() -> Any:  # noqa: ANN401 - pyspark/pyarrow objects
    import pyarrow as pa  # noqa: PLC0415

    return pa


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _arrow_schema(schema: Any) -> Any:  # noqa: ANN401 - pyspark/pyarrow objects
    from pyspark.sql.pandas.types import to_arrow_schema  # noqa: PLC0415

    try:
        return to_arrow_schema(schema)
    except TypeError as error:
        raise ConfigurationError(
            "gdprkit.spark cannot read a column type of this DataFrame through Arrow"
        ) from error


def _outputs(
    plan: _Plan,
    spark_schema: Any,  # noqa: ANN401 - pyspark/pyarrow objects
    arrow_schema: Any,  # noqa: ANN401 - pyspark/pyarrow objects
    *,
    transforms: Mapping[str, Transform],
    when: datetime,
    consents: ConsentLookup | None,
    path: str,
) -> tuple[list[tuple[str, Any, Any]], list[str], frozenset[str]]:
    """The allowed columns with their Arrow and Spark types, found by running the executor on
    no rows (so the driver fails closed on what the executor cannot read), the columns whose
    tokens Spark's ``hmac`` makes, and the input columns the executor reads."""
    from pyspark.sql.types import LongType, StringType  # noqa: PLC0415

    from gdprkit.frames._arrow import ArrowBackend  # noqa: PLC0415
    from gdprkit.frames._plan import Kept, run  # noqa: PLC0415

    pa = _pa()
    empty = ArrowBackend(arrow_schema.empty_table())
    outcome = run(
        plan, empty, at=when, instant=in_utc(when), consents=consents, transforms=transforms
    )
    outputs: list[tuple[str, Any, Any]] = []
    builtin: list[str] = []
    for col in outcome.columns:
        if isinstance(col, Kept):
            outputs.append(
                (col.name, arrow_schema.field(col.name).type, spark_schema[col.name].dataType)
            )
            continue
        method = plan.fields[col.name].transform[0]  # type: ignore[index]
        if method in _INTEGER_METHODS:
            outputs.append((col.name, pa.int64(), LongType()))
        else:
            outputs.append((col.name, pa.string(), StringType()))
        if method == "token" and path == "builtin":
            builtin.append(col.name)
    return outputs, builtin, outcome.read


def _spark_schema(job: _Job, outputs: Iterable[tuple[str, Any, Any]], subject_type: Any) -> Any:  # noqa: ANN401 - pyspark/pyarrow objects
    from pyspark.sql.types import BinaryType, StringType, StructField, StructType  # noqa: PLC0415

    fields = [StructField(name, kind, True) for name, _, kind in outputs]
    fields.append(StructField(_CODE, StringType(), True))
    fields.append(StructField(_ARTICLE, StringType(), True))
    fields.append(StructField(_SUBJECT, subject_type, True))
    fields.extend(StructField(column, BinaryType(), True) for column, _ in job.key_columns)
    return StructType(fields)


def _token_column(
    functions: Any,  # noqa: ANN401 - pyspark/pyarrow objects
    name: str,
    key: str,
    keys: DerivedKeys | None,
) -> Any:  # noqa: ANN401 - a pyspark column
    """The token of the built-in token column ``name`` (normalised text, see
    :func:`_normalising`) with the derived key in column ``key``: the key id, ``:``, the first
    16 bytes of HMAC-SHA256 of its UTF-8 bytes in lowercase hex; null text, null token."""
    assert keys is not None  # noqa: S101 - built-in token columns exist only with keys
    f = functions
    mac = f.hmac(f.col(key), f.col(_quoted(name)).cast("binary"), f.lit("SHA-256"))
    return f.concat(f.lit(keys.key_id + ":"), f.lower(f.hex(f.substring(mac, 1, _TOKEN_BYTES))))


_JOINABLE: Final = frozenset(
    {"StringType", "ByteType", "ShortType", "IntegerType", "LongType", "FloatType", "DoubleType"}
)


def _join_states(df: Any, subject: str, consents: ConsentLookup, purpose: str, at: datetime) -> Any:  # noqa: ANN401 - pyspark/pyarrow objects
    """``df`` with each row's consent state (columns ``__gdprkit_key``: the canonical subject id,
    ``__gdprkit_state``: the state, pickled) joined on the subject id column.

    The distinct subject ids are read once (a Spark job); the consent source is asked once for
    their canonical ids (its bulk ``states``); the table of states, one row per spelling of an
    id, is broadcast-joined to the rows."""
    from pyspark.sql import functions as F  # noqa: N812, PLC0415
    from pyspark.sql.types import BinaryType, StringType, StructField, StructType  # noqa: PLC0415

    from gdprkit._values import subject_key  # noqa: PLC0415
    from gdprkit.frames._plan import _states  # noqa: PLC0415 - the frames engine's bulk read

    kind = df.schema[subject].dataType
    if type(kind).__name__ not in _JOINABLE:
        raise ConfigurationError(
            f"gdprkit.spark joins consent states on the subject id column {subject!r}: it must "
            "be text or a number"
        )
    spellings = [row[0] for row in df.select(F.col(_quoted(subject))).distinct().collect()]
    canonical = {raw: subject_key(raw) for raw in spellings if raw is not None}
    wanted = sorted({key for key in canonical.values() if key is not None})
    states = _states(consents, purpose, at, wanted)
    blobs = {key: pickle.dumps(states[key]) for key in wanted}
    rows = [(raw, key, blobs[key]) for raw, key in canonical.items() if key is not None]
    table_schema = StructType(
        [
            StructField(_RAW, kind, True),
            StructField(_KEY, StringType(), True),
            StructField(_STATE, BinaryType(), True),
        ]
    )
    table = df.sparkSession.createDataFrame(rows, table_schema)
    joined = df.join(F.broadcast(table), df[_quoted(subject)] == table[_RAW], "left")
    return joined.drop(_RAW)
