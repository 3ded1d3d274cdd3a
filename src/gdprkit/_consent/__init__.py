"""Consent: the ledger, its events and states, and the protocol any consent source answers.

The public names (``ConsentLedger``, ``ConsentState``, ``Evidence``) are re-exported from
:mod:`gdprkit`. The chain primitives a storage backend needs (canonical encoding, sealing,
verification) sit a layer down, in :mod:`gdprkit._consent._chain`.
"""

from __future__ import annotations

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
    "NO_CONSENT",
    "BulkConsentSource",
    "ConsentEvent",
    "ConsentLedger",
    "ConsentSource",
    "ConsentState",
    "EventDraft",
    "EventKind",
    "Evidence",
    "LedgerBackend",
]
