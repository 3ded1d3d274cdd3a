"""``PersonalDataGuard``: fail a test when personal data reaches a sink (private module).

A sink is where data leaves the code under test: an analytics export, a log, a third-party
API. The guard records what reaches each sink it watches and, on :meth:`check`, fails when any
of it is personal data: the raw value of an identifying field of the input records it was
given, or, by shape alone, an e-mail address, a codice fiscale or an IP address.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from types import TracebackType
from typing import Any, Final, Self

from gdprkit._policy import Policy
from gdprkit.testing._values import DETECTORS, RawValues, detect, walk

__all__ = ["PersonalDataGuard", "Sink"]

_MAX_FINDINGS: Final = 20


class Sink:
    """A place data leaves to; records everything it receives.

    Use it as a list (``append``, ``extend``), a file (``write``, ``writelines``), a CSV
    writer (``writerow``, ``writerows``) or a callable (every call is recorded with its
    arguments). With ``forward`` it passes each call on (a spy on a real function).
    """

    __slots__ = ("_forward", "items", "name")

    def __init__(self, name: str, forward: Callable[..., object] | None = None) -> None:
        self.name = name
        self.items: list[object] = []
        self._forward = forward

    def __call__(self, *args: object, **kwargs: object) -> object:
        __tracebackhide__ = True  # pytest hides this frame: it holds record values
        self.items.append({"args": list(args), "kwargs": dict(kwargs)})
        return None if self._forward is None else self._forward(*args, **kwargs)

    def append(self, item: object) -> None:
        """Record one item."""
        self.items.append(item)

    def extend(self, items: Iterable[object]) -> None:
        """Record each of ``items``."""
        self.items.extend(items)

    write = append
    writerow = append
    writelines = extend
    writerows = extend

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[object]:
        return iter(self.items)

    def __repr__(self) -> str:
        return f"Sink({self.name!r}, items={len(self.items)})"


def _resolve(target: str) -> tuple[object, str]:
    """``"package.module:attr.attr"`` or ``"package.module.attr"`` → (owner, attribute)."""
    if ":" in target:
        module_name, _, path = target.partition(":")
        owner: object = importlib.import_module(module_name)
    else:
        module_name, _, path = target.rpartition(".")
        if not module_name:
            raise ValueError(f"sink target {target!r}: use 'package.module:function'")
        try:
            owner = importlib.import_module(module_name)
        except ImportError:  # "package.module.Class.method": import the module part
            head, _, cls = module_name.rpartition(".")
            owner = getattr(importlib.import_module(head), cls)
    *parents, attribute = path.split(".")
    for part in parents:
        owner = getattr(owner, part)
    if not hasattr(owner, attribute):
        raise AttributeError(f"sink target {target!r}: no attribute {attribute!r}")
    return owner, attribute


class PersonalDataGuard:
    """Watch sinks and fail when personal data reaches one.

    ``policy`` and ``inputs`` (records fed to the code under test; more with
    :meth:`add_inputs`) let the guard recognise the raw values of their identifying fields
    (identity, contact, online, special, criminal), whole or inside a longer text. ``detect``
    names the identifiers recognised by shape alone: ``"email"``, ``"codice_fiscale"``,
    ``"ip"`` (all by default; ``()`` for none). Tokens, ciphertexts, masks (``m***@...``) and
    generalisations (``192.168.1.0/24``) pass.

    ::

        guard = PersonalDataGuard(policy, inputs=crm_rows)
        export = guard.sink("analytics export")
        run_export(crm_rows, write=export.append)
        guard.check()  # AssertionError naming the sink, the item and what was found

    As a context manager it restores patched functions on exit and checks when the block
    raised nothing.
    """

    def __init__(
        self,
        policy: Policy | None = None,
        *,
        inputs: Iterable[Mapping[str, Any]] = (),
        detect: Collection[str] = DETECTORS,
    ) -> None:
        __tracebackhide__ = True  # pytest hides this frame: it holds record values
        unknown = set(detect) - set(DETECTORS)
        if unknown:
            raise ValueError(
                f"unknown detector(s) {sorted(unknown)}; choose among {', '.join(DETECTORS)}"
            )
        if policy is not None and not isinstance(policy, Policy):
            raise TypeError("policy must be a gdprkit Policy (load_policy) or None")
        self.policy = policy
        self._detect = tuple(d for d in DETECTORS if d in detect)
        self._raw = RawValues(policy) if policy is not None else None
        self._sinks: list[Sink] = []
        self._patched: list[tuple[object, str, object]] = []
        self.add_inputs(inputs)

    def add_inputs(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Remember the identifying values of ``records`` (needs the policy)."""
        __tracebackhide__ = True  # pytest hides this frame: it holds record values
        if self._raw is None:
            if isinstance(records, Mapping) or any(True for _ in records):
                raise ValueError("inputs need the policy that says which fields identify")
            return
        self._raw.add(records)

    def sink(self, name: str = "sink") -> Sink:
        """A new :class:`Sink` the guard watches."""
        sink = Sink(name)
        self._sinks.append(sink)
        return sink

    def watch(
        self, target: str | object, attribute: str | None = None, *, forward: bool = True
    ) -> Sink:
        """Patch a function so that every call to it is recorded, until :meth:`restore`.

        ``target`` is ``"package.module:function"`` (or ``"package.module.function"``,
        ``"package.module:Class.method"``), or an object with ``attribute`` naming the
        function. With ``forward`` (default) the real function still runs.
        """
        if attribute is None:
            if not isinstance(target, str):
                raise TypeError("watch(target) takes 'package.module:function' or obj, 'name'")
            owner, attribute = _resolve(target)
            name = target
        else:
            owner, name = target, attribute
        original = getattr(owner, attribute)
        if not callable(original):
            raise TypeError(f"sink target {name!r} is not callable")
        sink = Sink(name)
        real = original if forward else None

        def spy(*args: object, **kwargs: object) -> object:
            __tracebackhide__ = True  # pytest hides this frame: it holds record values
            sink.items.append({"args": list(args), "kwargs": dict(kwargs)})
            return None if real is None else real(*args, **kwargs)

        # Keep the descriptor as found (a staticmethod, say) so restore puts it back exactly.
        found = vars(owner).get(attribute, original) if hasattr(owner, "__dict__") else original
        replacement: object = spy
        if isinstance(owner, type) and isinstance(found, staticmethod | classmethod):
            replacement = staticmethod(spy)  # the original is already bound (or unbound)
        self._patched.append((owner, attribute, found))
        setattr(owner, attribute, replacement)
        self._sinks.append(sink)
        return sink

    def restore(self) -> None:
        """Put every patched function back (latest first)."""
        while self._patched:
            owner, attribute, original = self._patched.pop()
            setattr(owner, attribute, original)

    @property
    def sinks(self) -> tuple[Sink, ...]:
        """The sinks watched so far."""
        return tuple(self._sinks)

    def findings(self) -> list[str]:
        """Where personal data reached a sink, one line each (no values), at most 20."""
        __tracebackhide__ = True  # pytest hides this frame: it holds record values
        found: list[str] = []
        for sink in self._sinks:
            for i, item in enumerate(sink.items):
                for path, value in walk(item):
                    what = self._what(value)
                    if what is not None:
                        found.append(f"sink {sink.name!r} item #{i}{path}: {what}")
                        if len(found) >= _MAX_FINDINGS:
                            return found
        return found

    def _what(self, value: object) -> str | None:
        __tracebackhide__ = True  # pytest hides this frame: it holds record values
        if self._raw is not None:
            source = self._raw.match(value, contained=True)
            if source is not None:
                return f"the raw value of input field {source!r}"
        if self._detect and isinstance(value, str):
            return detect(value, self._detect)
        return None

    def check(self) -> None:
        """Fail (``AssertionError``) when personal data reached any watched sink."""
        __tracebackhide__ = True  # pytest hides this frame: it holds record values
        found = self.findings()
        if found:
            raise AssertionError(
                "expected no personal data in the watched sinks, found:\n  " + "\n  ".join(found)
            )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        __tracebackhide__ = True  # pytest hides this frame: it holds record values
        self.restore()
        if exc_type is None:
            self.check()

    def __repr__(self) -> str:
        return f"PersonalDataGuard(sinks={len(self._sinks)}, detect={list(self._detect)})"
