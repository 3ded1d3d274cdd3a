"""The exceptions gdprkit raises.

Every exception derives from one root, and mixes in the standard type it resembles::

    GdprkitError
    ├── PolicyError         (ValueError)  a policy that cannot be loaded: lists every problem
    ├── ConfigurationError  (ValueError)  a call that cannot run as configured (missing keys...)
    ├── ProcessingDenied                  the domain signal: a record may not be processed
    ├── LedgerError                       a consent ledger that cannot answer or does not verify
    ├── AuditError                        an audit trail that cannot be written or does not verify
    ├── CryptoError         (ValueError)  a token or ciphertext that cannot be opened (opaque)
    └── MissingKeyError     (KeyError)    a key id that the key ring does not hold

Messages name fields, purposes, codes and articles, never values of records, and never keys.
Bad *records* are not exceptions in a stream: they are denials with reasons.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from gdprkit._decision import Decision

__all__ = [
    "AuditError",
    "ConfigurationError",
    "CryptoError",
    "GdprkitError",
    "LedgerError",
    "MissingKeyError",
    "PolicyError",
    "PolicyProblem",
    "ProcessingDenied",
]


class GdprkitError(Exception):
    """The root of every exception raised by gdprkit."""


class PolicyProblem(NamedTuple):
    """One problem in a policy: where it is (``purposes.profiling.retention.0.period``) and what."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location or '<policy>'}: {self.message}"


class PolicyError(GdprkitError, ValueError):
    """A policy that cannot be loaded. ``problems`` lists every problem found, not the first."""

    problems: tuple[PolicyProblem, ...]

    def __init__(self, problems: Iterable[PolicyProblem], source: str | None = None) -> None:
        self.problems = tuple(problems)
        self.source = source
        where = f" in {source}" if source else ""
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''}{where}"
        super().__init__(head + ":\n" + "\n".join(f"  - {p}" for p in self.problems))


class ConfigurationError(GdprkitError, ValueError):
    """A call that cannot run as configured, raised before any record is touched."""


class ProcessingDenied(GdprkitError):  # noqa: N818 - a domain signal, not an error (style.md §3)
    """A record may not be processed for a purpose. ``decision`` says why."""

    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        codes = ", ".join(f"{r.code} ({r.article})" for r in decision.reasons) or "denied"
        super().__init__(f"processing for purpose {decision.purpose!r} denied: {codes}")

    def __reduce__(self) -> tuple[type[ProcessingDenied], tuple[Decision]]:
        """Pickle with the decision (design.md §12), which the message is built from again."""
        return (type(self), (self.decision,))


class LedgerError(GdprkitError):
    """A consent ledger that cannot be reached, written, or verified."""


class AuditError(GdprkitError):
    """An audit trail that cannot be written, or does not verify.

    ``line`` is the 1-based number of the first broken line (for a cut-off tail, the line after
    the last one) and ``kind`` what was found there: ``"edited"``, ``"deleted"``,
    ``"inserted"``, ``"reordered"``, ``"unlinked"`` (a line that does not link to the one before
    it), ``"torn"`` (an incomplete last line: a write was interrupted) or ``"cut_off"``. Both are
    ``None`` for an error that is not a broken chain. The message never quotes a line.
    """

    def __init__(self, message: str, *, line: int | None = None, kind: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.kind = kind


class CryptoError(GdprkitError, ValueError):
    """A token or ciphertext that cannot be opened. Deliberately opaque."""


class MissingKeyError(GdprkitError, KeyError):
    """A key id that the key ring does not hold."""

    def __str__(self) -> str:  # KeyError quotes its argument; keep the message readable
        return str(self.args[0]) if self.args else "missing key"
