"""Fixtures for the command's tests."""

from __future__ import annotations

import pytest

from gdprkit import KeyRing


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> KeyRing:
    """A fresh key ring in ``GDPRKIT_KEYS`` (inherited by the command run as a subprocess)."""
    ring = KeyRing.generate()
    monkeypatch.setenv("GDPRKIT_KEYS", ring.export())
    return ring
