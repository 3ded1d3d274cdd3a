"""Columnar enforcement: pandas, polars and pyarrow frames, with the row engine's answer.

``enforce(policy, frame, purpose, *, at=None, consents=None, keys=None) -> FrameResult``
(design.md §15) reads the same compiled plan as :func:`gdprkit.decide` and turns its checks into
vectorised masks (see :mod:`gdprkit.frames._plan`). The frame libraries are imported only when a
frame of theirs is passed: ``import gdprkit`` and ``import gdprkit.frames`` import none of them.
"""

from __future__ import annotations

import importlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType
from typing import TYPE_CHECKING, Any

from gdprkit._enforce import Counted
from gdprkit._errors import ConfigurationError
from gdprkit._time import in_utc, require_aware

if TYPE_CHECKING:
    from gdprkit._decision import ConsentLookup
    from gdprkit._policy import Policy
    from gdprkit._pseudonymise import KeyRing
    from gdprkit.frames._stream import BatchResult, FrameStream, enforce_batches, enforce_parquet

__all__ = [
    "BatchResult",
    "FrameResult",
    "FrameStream",
    "enforce",
    "enforce_batches",
    "enforce_parquet",
]

#: Streaming (bounded memory) names, from gdprkit.frames._stream, imported on first use: it
#: imports pyarrow, which ``import gdprkit.frames`` must not.
_STREAM = frozenset({"BatchResult", "FrameStream", "enforce_batches", "enforce_parquet"})


def __getattr__(name: str) -> object:
    if name in _STREAM:
        try:
            module = importlib.import_module("gdprkit.frames._stream")
        except ImportError as error:
            raise ImportError(
                "gdprkit.frames streaming needs pyarrow and numpy: pip install 'gdprkit[arrow]' "
                f"({error.name or 'a module'} is missing)"
            ) from error
        return getattr(module, name)
    raise AttributeError(f"module 'gdprkit.frames' has no attribute {name!r}")


@dataclass(frozen=True, slots=True)
class FrameResult(Counted):
    """What :func:`enforce` returns.

    ``allowed``: the rows ``decide`` allows, in input order, as a frame of the input's library;
    its columns are the input's columns the purpose may process at all (input order), with the
    purpose's transforms applied; a field dropped for one row only is null in that row.
    ``rejected``: one row per denied input row, columns ``row`` (0-based input position),
    ``code`` and ``article``, no other value. ``counts``: ``processed`` and denials by code,
    as :attr:`gdprkit.Enforcement.counts`.
    """

    allowed: Any
    rejected: Any
    counts: Counter[str] = field(default_factory=Counter)

    def __repr__(self) -> str:
        return f"FrameResult(counts={dict(self.counts)!r})"


_EXTRAS = {"pandas": "pandas", "polars": "polars", "pyarrow": "arrow"}
_MODULES = {"pandas": "pandas", "polars": "polars", "pyarrow": "arrow"}


def _library(frame: object) -> str | None:
    module = type(frame).__module__.split(".", 1)[0]
    return module if module in _EXTRAS else None


def _import_backend(library: str) -> ModuleType:
    try:
        return importlib.import_module(f"gdprkit.frames._{_MODULES[library]}")
    except ImportError as error:
        extra = _EXTRAS[library]
        raise ImportError(
            f"gdprkit.frames needs {library} and numpy for this frame: "
            f"pip install 'gdprkit[{extra}]' ({error.name or 'a module'} is missing)"
        ) from error


def enforce(
    policy: Policy,
    frame: object,
    purpose: str,
    *,
    at: datetime | None = None,
    consents: ConsentLookup | None = None,
    keys: KeyRing | None = None,
) -> FrameResult:
    """Enforce ``purpose`` of ``policy`` on a whole frame: what ``gdprkit.enforce`` does to its
    rows, row for row, at columnar speed.

    ``frame`` is a pandas ``DataFrame``, a polars ``DataFrame`` or ``LazyFrame`` (collected;
    the results are lazy again), or a pyarrow ``Table``. ``at`` is an aware datetime (``None``:
    now, UTC, read once). ``consents`` is a consent source, asked once for all subjects (its bulk
    ``states`` when it has one). Raises :class:`ConfigurationError` before reading any row when
    a transform needs keys that were not given or a purpose takes consent from a consent source
    and none was given (as :func:`gdprkit.enforce`).
    """
    from gdprkit._decision import compile_plan  # noqa: PLC0415 - keeps this import light
    from gdprkit._enforce import require_consent_source  # noqa: PLC0415

    library = _library(frame)
    if library is None:
        raise ConfigurationError(
            f"gdprkit.frames.enforce takes a pandas DataFrame, a polars DataFrame or LazyFrame, "
            f"or a pyarrow Table, not {type(frame).__name__}"
        )
    plan = compile_plan(policy, purpose)
    when = require_aware(at)
    transforms = plan.bind(keys, when)
    require_consent_source((plan,), consents, "frames.enforce")  # as the row path's face
    if consents is not None and plan.subject_id is None:
        raise ConfigurationError(
            "a consent source was given but the policy names no subject.id field to ask it about"
        )
    backend_module = _import_backend(library)
    from gdprkit.frames._plan import run  # noqa: PLC0415 - needs numpy

    lazy = False
    if library == "pandas":
        backend = backend_module.PandasBackend(frame)
    elif library == "polars":
        import polars as pl  # noqa: PLC0415

        if isinstance(frame, pl.LazyFrame):
            frame, lazy = frame.collect(), True
        if not isinstance(frame, pl.DataFrame):
            raise ConfigurationError(f"not a polars frame: {type(frame).__name__}")
        backend = backend_module.PolarsBackend(frame)
    else:
        import pyarrow as pa  # noqa: PLC0415

        if isinstance(frame, pa.RecordBatch):
            frame = pa.Table.from_batches([frame])
        if not isinstance(frame, pa.Table):
            raise ConfigurationError(f"not a pyarrow Table: {type(frame).__name__}")
        backend = backend_module.ArrowBackend(frame)
    if library == "pandas" and type(frame).__name__ != "DataFrame":
        raise ConfigurationError(f"not a pandas DataFrame: {type(frame).__name__}")
    outcome = run(
        plan,
        backend,
        at=when,
        instant=in_utc(when),
        consents=consents,
        transforms=transforms,
        keys=keys,
    )
    allowed, rejected = backend.result(outcome)
    if lazy:
        allowed, rejected = allowed.lazy(), rejected.lazy()
    return FrameResult(allowed, rejected, outcome.counts)
