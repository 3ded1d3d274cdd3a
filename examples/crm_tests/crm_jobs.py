"""The jobs of a small CRM, as its team writes them: the code the privacy tests check.

Each job goes through gdprkit, so that it only ever handles what its purpose may process.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from gdprkit import ConsentLedger, KeyRing, Policy, enforce

CUSTOMERS = Path(__file__).parent.parent / "crm" / "customers.csv"


def read_customers(path: Path = CUSTOMERS, limit: int = 200) -> list[dict[str, Any]]:
    """The first ``limit`` rows of the CRM export (empty cells as missing values)."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = []
        for i, row in enumerate(csv.DictReader(handle)):
            if i >= limit:
                break
            rows.append({k: (v if v != "" else None) for k, v in row.items()})
        return rows


def upload_to_warehouse(rows: list[dict[str, Any]]) -> None:
    """Send rows to the analytics warehouse (a third party: no raw identifiers allowed)."""
    # A real job would call the warehouse's API here.


def analytics_export(
    policy: Policy, customers: Iterable[Mapping[str, Any]], *, keys: KeyRing, at: datetime
) -> int:
    """Pseudonymised sales analytics: what the ``analytics`` purpose may see, uploaded."""
    rows = list(enforce(policy, customers, "analytics", at=at, keys=keys))
    upload_to_warehouse(rows)
    return len(rows)


def newsletter_recipients(
    policy: Policy,
    customers: Iterable[Mapping[str, Any]],
    *,
    at: datetime,
    consents: ConsentLedger | None = None,
) -> list[str]:
    """The e-mail addresses this month's newsletter goes to."""
    return [
        row["email"] for row in enforce(policy, customers, "newsletter", at=at, consents=consents)
    ]
