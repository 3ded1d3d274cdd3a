"""The package's metadata fits the ecosystem (design §13): valid classifiers, project URLs, a
licence file, and extras that each map to code that imports them."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
SRC = ROOT / "src" / "gdprkit"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
EXTRAS = PROJECT["optional-dependencies"]


def test_classifiers_are_valid_trove_classifiers() -> None:
    trove = pytest.importorskip("trove_classifiers")
    assert [c for c in PROJECT["classifiers"] if c not in trove.classifiers] == []
    for wanted in (
        "Framework :: Pytest",
        "Framework :: Hypothesis",
        "Framework :: Pydantic :: 2",
        "Typing :: Typed",
        "Topic :: Security :: Cryptography",
        "Topic :: Database",
        "Operating System :: POSIX",
    ):
        assert wanted in PROJECT["classifiers"]


def test_licence_and_urls() -> None:
    assert PROJECT["license"] == "MIT"
    assert "MIT License" in (ROOT / "LICENSE").read_text("utf-8")
    assert set(PROJECT["urls"]) == {"Homepage", "Documentation", "Changelog", "Issues", "Source"}


def _imports() -> set[str]:
    """Every top-level module name that gdprkit's code imports, anywhere: ``import`` statements,
    ``importlib.import_module("name")`` and the database drivers SQLAlchemy loads for a URL
    gdprkit writes (``postgresql+psycopg``)."""
    names: set[str] = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
            elif (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", None) == "import_module"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                names.add(node.args[0].value.split(".")[0])
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names.update(
                    w.partition("+")[2].split(":")[0]
                    for w in node.value.split()
                    if w.startswith("postgresql+")
                )
    return names


#: distribution name -> the module it provides
MODULE = {
    "python-stdnum": "stdnum",
    "polars-hash": "polars_hash",
    "pyyaml": "yaml",
    "psycopg[binary]": "psycopg",
}


@pytest.mark.parametrize("extra", sorted(set(EXTRAS) - {"all"}))
def test_every_extra_maps_to_code(extra: str) -> None:
    """An extra that no module of gdprkit imports is not offered (design §13)."""
    assert EXTRAS[extra], f"{extra} installs nothing"  # `cli = []` was one
    imported = _imports()
    for requirement in EXTRAS[extra]:
        name = requirement.split(">")[0].split("=")[0].split(";")[0].strip().lower()
        module = MODULE.get(name, name.split("[")[0].replace("-", "_"))
        assert module in imported, (extra, requirement)


def test_all_is_every_extra_that_maps_to_code() -> None:
    (requirement,) = EXTRAS["all"]
    listed = set(requirement.partition("[")[2].rstrip("]").split(","))
    assert listed == set(EXTRAS) - {"all", "postgres-binary"}


def test_no_extra_installs_the_projects_own_tools() -> None:
    for extra, requirements in EXTRAS.items():
        for tool in ("mypy", "ruff", "types-", "pytest-cov", "build", "twine", "mkdocs"):
            assert not any(r.startswith(tool) for r in requirements), (extra, tool)


def test_a_postgresql_ledger_without_its_driver_names_the_binary_extra() -> None:
    """``sql`` installs psycopg, which needs the system's libpq: without a usable psycopg the
    error names both extras."""
    code = (
        "import sys; sys.modules['psycopg'] = None\n"
        "from gdprkit import ConsentLedger\n"
        "try:\n"
        "    ConsentLedger('postgresql+psycopg://gdprkit@127.0.0.1:1/none')\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert "pip install 'gdprkit[sql]'" in done.stdout
    assert "'gdprkit[sql,postgres-binary]'" in done.stdout


def test_the_command_names_the_binary_extra_for_postgresql(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['psycopg'] = None\n"
        "from gdprkit.cli import main\n"
        "sys.exit(main(['sweep', sys.argv[1], 'postgresql://u@127.0.0.1:1/db', 't']))\n"
    )
    policy = ROOT / "examples" / "crm" / "policy.yaml"
    done = subprocess.run(
        [sys.executable, "-c", code, str(policy)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "'gdprkit[sql,postgres-binary]'" in done.stderr
