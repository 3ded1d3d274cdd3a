"""docs/how-to/test-your-crm.md says what the code does: its self-contained example runs in
a scratch project, every block compiles, and every name it shows exists."""

from __future__ import annotations

import re
from pathlib import Path

import hypothesis.strategies  # noqa: F401 - imported once here: in-process runs would re-import it
import pytest

import gdprkit.testing
from gdprkit.testing import strategies

ROOT = Path(__file__).parents[2]
HOWTO = (ROOT / "docs" / "how-to" / "test-your-crm.md").read_text("utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", HOWTO, re.S)


def test_every_python_block_compiles() -> None:
    assert len(BLOCKS) >= 5
    for i, block in enumerate(BLOCKS):
        compile(block, f"how-to block {i + 1}", "exec")


def test_the_first_example_runs_against_the_example_policy(pytester: pytest.Pytester) -> None:
    policy = ROOT / "examples" / "crm" / "policy.yaml"
    pytester.makeini(f"[pytest]\ngdpr_policy = {policy}\n")
    pytester.makepyfile(test_howto_example=BLOCKS[0])
    pytester.runpytest().assert_outcomes(passed=1)


def test_the_names_it_shows_exist() -> None:
    for name in re.findall(r"`(assert_[a-z_]+)\(", HOWTO):
        assert name in gdprkit.testing.__all__, name
    for name in re.findall(r"`([a-z_]+)\((?:policy|subjects|\)|dayfirst)", HOWTO):
        assert hasattr(strategies, name), name
    for fixture in ("gdpr_policy", "gdpr_ledger", "gdpr_keys", "gdpr_guard"):
        assert f"`{fixture}`" in HOWTO
