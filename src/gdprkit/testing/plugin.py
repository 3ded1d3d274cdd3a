"""The gdprkit pytest plugin (registered under ``pytest11``): fixtures over gdprkit.testing.

* ``gdpr_policy``: the policy named by the ini option ``gdpr_policy`` or ``--gdpr-policy``
  (a relative path is relative to the ini file, or to the invocation directory for the flag).
* ``gdpr_ledger``: a fresh in-memory consent ledger.
* ``gdpr_keys``: a fresh key ring.

Nothing heavy is imported until a fixture is used.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from gdprkit import ConsentLedger, KeyRing, Policy

__all__ = ["gdpr_keys", "gdpr_ledger", "gdpr_policy", "pytest_addoption"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gdprkit")
    group.addoption(
        "--gdpr-policy",
        dest="gdpr_policy",
        default=None,
        help="path of the gdprkit policy for the gdpr_policy fixture",
    )
    parser.addini("gdpr_policy", "path of the gdprkit policy for the gdpr_policy fixture")


@pytest.fixture(scope="session")
def gdpr_policy(pytestconfig: pytest.Config) -> Policy:
    """The project's gdprkit policy, loaded once per session."""
    from gdprkit import load_policy  # noqa: PLC0415 - heavy imports only when used

    flag = pytestconfig.getoption("gdpr_policy")
    if flag:
        path = Path(flag)
        if not path.is_absolute():
            path = Path(pytestconfig.invocation_params.dir) / path
    else:
        value = pytestconfig.getini("gdpr_policy")
        if not value:
            pytest.fail(
                "gdpr_policy fixture: set the ini option gdpr_policy or pass --gdpr-policy",
                pytrace=False,
            )
        path = Path(str(value))
        if not path.is_absolute():
            base = pytestconfig.inipath.parent if pytestconfig.inipath else pytestconfig.rootpath
            path = base / path
    return load_policy(path)


@pytest.fixture
def gdpr_ledger() -> ConsentLedger:
    """A fresh in-memory consent ledger."""
    from gdprkit import ConsentLedger  # noqa: PLC0415

    return ConsentLedger()


@pytest.fixture
def gdpr_keys() -> KeyRing:
    """A fresh key ring with one generated key."""
    from gdprkit import KeyRing  # noqa: PLC0415

    return KeyRing.generate()
