"""Fixtures of the CRM's own tests; gdpr_policy, gdpr_ledger and gdpr_keys come from gdprkit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from crm_jobs import read_customers


@pytest.fixture(scope="session")
def customers() -> list[dict[str, Any]]:
    """Rows of the CRM export."""
    return read_customers()


@pytest.fixture(scope="session")
def now() -> datetime:
    """The moment the jobs run at: fixed, so that the tests do not age."""
    return datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
