"""Fixtures shared by the whole suite: real database servers, never mocks.

PostgreSQL tests read the server URL from ``GDPRKIT_TEST_POSTGRES_URL`` (``.ci/run`` starts a
server on loopback and exports it: ``eval "$(.ci/postgres)"``). Without it they skip on a
developer machine, and fail under ``CI=true``: CI must never go green by skipping them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest


def _postgres_base_url() -> str:
    url = os.environ.get("GDPRKIT_TEST_POSTGRES_URL")
    if url:
        return url
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but GDPRKIT_TEST_POSTGRES_URL is not set: .ci/run starts PostgreSQL")
    pytest.skip('no PostgreSQL server: run  eval "$(.ci/postgres)"  to start one')


@pytest.fixture(scope="session")
def postgresql_server_url() -> str:
    """The URL of the test PostgreSQL database (skips or fails as described above)."""
    return _postgres_base_url()


@pytest.fixture
def postgresql_url(postgresql_server_url: str) -> Iterator[str]:
    """A URL whose connections see a fresh, empty schema of their own (dropped afterwards).

    Each test gets its own PostgreSQL schema through ``options=-csearch_path=...``, so tests
    never see each other's tables and need no cleanup of their own.
    """
    sqlalchemy = pytest.importorskip("sqlalchemy")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(postgresql_server_url)
    with admin.begin() as conn:
        conn.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in postgresql_server_url else "?"
    try:
        yield f"{postgresql_server_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
