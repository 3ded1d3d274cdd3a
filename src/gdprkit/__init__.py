"""gdprkit: GDPR policy enforcement for data pipelines.

Declare once, in a policy, why personal data is processed (purposes), on what ground (Art. 6
bases, Art. 9(2) conditions), which data each purpose needs, for how long, and from which
sources. Then ``validate`` records, ``decide`` whether a record may be processed for a purpose
and which of its fields, ``enforce`` that over streams, and ``pseudonymise`` identifiers.
"""

from __future__ import annotations

import logging

from gdprkit._audit import AuditEvent, AuditLog, policy_digest
from gdprkit._consent import (
    ConsentLedger,
    ConsentState,
    Evidence,
    ImportReport,
    RejectedRow,
    import_consents,
)
from gdprkit._decision import ARTICLES, Decision, Reason, decide
from gdprkit._enforce import Enforcement, enforce, requires_purpose
from gdprkit._errors import (
    AuditError,
    ConfigurationError,
    CryptoError,
    GdprkitError,
    LedgerError,
    MissingKeyError,
    PolicyError,
    PolicyProblem,
    ProcessingDenied,
)
from gdprkit._formats import is_role_email
from gdprkit._lint import Finding, lint
from gdprkit._policy import Policy, Purpose, load_policy
from gdprkit._pseudonymise import KeyFileWarning, KeyRing, pseudonymise, reveal
from gdprkit._reports import privacy_notice, processing_register, render_register
from gdprkit._rights import (
    RIGHTS_ARTICLES,
    ErasurePlan,
    SweepAction,
    access_report,
    erasure_plan,
    portability_export,
    sweep,
)
from gdprkit._scan import Match, redact_text, scan_text
from gdprkit._taxonomy import LegalBasis, SpecialCondition
from gdprkit._validation import Violation, validate

# The library's logger: silent unless the application configures logging. Records name counts,
# tables, purposes and codes, never a value of a record, a subject id, a key or a URL.
logging.getLogger("gdprkit").addHandler(logging.NullHandler())


def __getattr__(name: str) -> str:
    """``__version__``, read from the package metadata on first use (importlib.metadata costs
    more to import than the rest of gdprkit: ``import gdprkit`` stays fast)."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

        try:
            found = version("gdprkit")
        except PackageNotFoundError:  # pragma: no cover - a source tree without install
            found = "0.0.0"
        globals()["__version__"] = found
        return found
    raise AttributeError(f"module 'gdprkit' has no attribute {name!r}")


__all__ = [
    "ARTICLES",
    "RIGHTS_ARTICLES",
    "AuditError",
    "AuditEvent",
    "AuditLog",
    "ConfigurationError",
    "ConsentLedger",
    "ConsentState",
    "CryptoError",
    "Decision",
    "Enforcement",
    "ErasurePlan",
    "Evidence",
    "Finding",
    "GdprkitError",
    "ImportReport",
    "KeyFileWarning",
    "KeyRing",
    "LedgerError",
    "LegalBasis",
    "Match",
    "MissingKeyError",
    "Policy",
    "PolicyError",
    "PolicyProblem",
    "ProcessingDenied",
    "Purpose",
    "Reason",
    "RejectedRow",
    "SpecialCondition",
    "SweepAction",
    "Violation",
    "__version__",
    "access_report",
    "decide",
    "enforce",
    "erasure_plan",
    "import_consents",
    "is_role_email",
    "lint",
    "load_policy",
    "policy_digest",
    "portability_export",
    "privacy_notice",
    "processing_register",
    "pseudonymise",
    "redact_text",
    "render_register",
    "requires_purpose",
    "reveal",
    "scan_text",
    "sweep",
    "validate",
]
