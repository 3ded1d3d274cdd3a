"""§9 CLI faces and §13 commands/packaging (static and cheap checks only)."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from .conftest import DATA

ROOT = Path(__file__).resolve().parents[2]
GDPRKIT = [sys.executable, "-m", "gdprkit.cli"]


def run(*args):
    return subprocess.run(
        [*GDPRKIT, *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_readme_quick_start_two_commands():
    text = (ROOT / "README.md").read_text()
    assert "make demo" in text
    assert "make test" in text
    first_block = text.split("```")[1]
    cmds = [ln.split("#")[0].strip() for ln in first_block.splitlines()[1:] if ln.strip()]
    assert cmds == ["make demo", "make test"]


def test_makefile_targets_and_ci():
    mk = (ROOT / "Makefile").read_text()
    assert "\ndemo:" in mk
    assert "\ntest:" in mk
    assert (ROOT / ".ci" / "run").exists()


def test_pyproject_extras_and_core_deps():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert py["build-system"]["build-backend"].startswith("hatchling")
    deps = " ".join(py["project"]["dependencies"]).lower()
    for d in ("pydantic", "python-dateutil", "cryptography", "pyyaml"):
        assert d in deps
    extras = py["project"]["optional-dependencies"]
    for e in ("sql", "pandas", "polars", "arrow", "spark", "testing", "all"):
        assert e in extras
    # design §13 (revision 2): no extra that maps to no code; the project's own tools in a
    # dependency group (PEP 735), not in an extra users install
    assert "cli" not in extras
    assert "test" not in extras
    tools = " ".join(str(d) for group in py["dependency-groups"].values() for d in group)
    for tool in ("mypy", "ruff", "pytest"):
        assert tool in tools
    assert not any("mypy" in d or "ruff" in d for extra in extras.values() for d in extra)
    assert "gdprkit" in py["project"]["entry-points"]["pytest11"]


def test_changelog_keep_a_changelog():
    text = (ROOT / "CHANGELOG.md").read_text()
    assert "Keep a Changelog" in text
    assert "## [Unreleased]" in text


def test_cli_check_and_schema():
    r = run("check", str(DATA))
    assert r.returncode == 0, r.stderr
    r = run("schema")
    assert r.returncode == 0
    assert isinstance(json.loads(r.stdout), dict)


def test_cli_check_bad_policy(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(DATA.read_text().replace("version: 1", "version: 1\nversoin: 2"))
    r = run("check", str(bad))
    assert r.returncode != 0


@pytest.mark.parametrize(
    "command", ["check", "enforce", "sweep", "ropa", "notice", "keys", "schema"]
)
def test_cli_commands_exist(command):
    r = run(command, "--help")
    assert r.returncode == 0, r.stderr


def test_cli_audit_verify_exists():
    r = run("audit", "verify", "--help")
    assert r.returncode == 0, r.stderr
