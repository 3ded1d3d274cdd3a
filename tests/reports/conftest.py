"""Fixtures of the document tests: the complete policy of ``report_policies``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from report_policies import TEXTS, complete_policy

__all__ = ["TEXTS", "complete_policy"]


@pytest.fixture(scope="session")
def complete() -> Callable[[str], dict[str, Any]]:
    return complete_policy
