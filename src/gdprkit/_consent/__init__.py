"""Consent: the ledger, its events and states, and the protocol any consent source answers.

The public names (``ConsentLedger``, ``ConsentState``, ``Evidence``, ``import_consents``,
``ImportReport``, ``RejectedRow``) are re-exported from :mod:`gdprkit`. The chain primitives a
storage backend needs (canonical encoding, sealing, verification) sit a layer down, in
:mod:`gdprkit._consent._chain`; the SQL storage in :mod:`gdprkit._consent._sql`, loaded only
when a ledger is opened with a URL.
"""

from __future__ import annotations

from gdprkit._consent._import import IMPORT_ROLES, ImportReport, RejectedRow, import_consents
from gdprkit._consent._ledger import ConsentLedger, LedgerBackend
from gdprkit._consent._model import (
    NO_CONSENT,
    BulkConsentSource,
    ConsentEvent,
    ConsentSource,
    ConsentState,
    EventDraft,
    EventKind,
    Evidence,
)

__all__ = [
    "IMPORT_ROLES",
    "NO_CONSENT",
    "BulkConsentSource",
    "ConsentEvent",
    "ConsentLedger",
    "ConsentSource",
    "ConsentState",
    "EventDraft",
    "EventKind",
    "Evidence",
    "ImportReport",
    "LedgerBackend",
    "RejectedRow",
    "import_consents",
]
