"""The public face: one namespace, one sorted ``__all__``, no optional import at import time."""

from __future__ import annotations

import subprocess
import sys

import gdprkit

#: design.md §12: the names users' code is written against.
CONTRACT = {
    "load_policy",
    "Policy",
    "validate",
    "decide",
    "enforce",
    "requires_purpose",
    "KeyRing",
    "pseudonymise",
    "reveal",
    "ConsentLedger",
    "Evidence",
    "ConsentState",
    "GdprkitError",
    "PolicyError",
    "ConfigurationError",
    "ProcessingDenied",
    "LedgerError",
    "MissingKeyError",
    "sweep",
    "erasure_plan",
    "access_report",
    "portability_export",
    "SweepAction",
    "ErasurePlan",
}


def test_every_contract_name_is_public() -> None:
    missing = CONTRACT - set(gdprkit.__all__)
    assert not missing


def test_all_is_sorted_and_every_name_exists() -> None:
    names = [n for n in gdprkit.__all__ if n != "__version__"]
    # isort style (ruff RUF022): CONSTANTS, then Classes, then functions, each alphabetical
    assert names == sorted(names, key=lambda n: (not n.isupper(), not n[0].isupper(), n))
    for name in gdprkit.__all__:
        assert hasattr(gdprkit, name), name


def test_public_modules_declare_all() -> None:
    import gdprkit.cli
    import gdprkit.testing

    for module in (gdprkit.cli, gdprkit.testing):
        assert module.__all__


def test_import_gdprkit_imports_no_optional_dependency() -> None:
    code = (
        "import sys, gdprkit\n"
        "heavy = {'sqlalchemy', 'pandas', 'polars', 'pyarrow', 'pyspark', 'hypothesis',"
        " 'pytest', 'psycopg', 'cryptography'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_version_comes_from_the_package_metadata() -> None:
    from importlib.metadata import version

    assert gdprkit.__version__ == version("gdprkit")
