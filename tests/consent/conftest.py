"""Ledgers on every backend: the same behaviour tests run in memory, on SQLite and on PostgreSQL.

``ledger_url`` is ``None`` (memory), a SQLite file in the test's temporary directory, or the
PostgreSQL URL of a fresh schema (skipped without a server, failed under ``CI=true``: see
``tests/conftest.py``). ``open_ledger()`` opens (or reopens) the ledger at that URL; every ledger
it opened is closed after the test. ``ledger`` is one fresh ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gdprkit import ConsentLedger

BACKENDS = ["memory", "sqlite", "postgresql"]
SQL_BACKENDS = ["sqlite", "postgresql"]


def _url(name: str, request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    if name == "memory":
        return None
    if name == "sqlite":
        return f"sqlite:///{tmp_path / 'consents.db'}"
    url: str = request.getfixturevalue("postgresql_url")
    return url


@pytest.fixture(params=BACKENDS)
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    """The URL of an empty ledger on each backend in turn (``None``: memory)."""
    return _url(request.param, request, tmp_path)


@pytest.fixture(params=SQL_BACKENDS)
def sql_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty SQL ledger, SQLite then PostgreSQL."""
    url = _url(request.param, request, tmp_path)
    assert url is not None
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """The URL of an empty SQLite ledger file."""
    return f"sqlite:///{tmp_path / 'consents.db'}"


@pytest.fixture
def open_ledger() -> Iterator[Callable[[str | None], ConsentLedger]]:
    """Open a ledger at a URL; closed at the end of the test."""
    opened: list[ConsentLedger] = []

    def open_(url: str | None) -> ConsentLedger:
        ledger = ConsentLedger(url)
        opened.append(ledger)
        return ledger

    yield open_
    for ledger in opened:
        ledger.close()


@pytest.fixture
def ledger(
    ledger_url: str | None, open_ledger: Callable[[str | None], ConsentLedger]
) -> ConsentLedger:
    """A fresh, empty ledger on each backend in turn."""
    return open_ledger(ledger_url)
