"""docs/reference/scan-text.md: its examples run, and it documents every kind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gdprkit import scan_text
from gdprkit._scan import KINDS

DOC = Path(__file__).parents[2] / "docs" / "reference" / "scan-text.md"


def test_the_examples_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text("utf-8"), re.S)
    assert blocks
    namespace: dict[str, object] = {}
    for i, block in enumerate(blocks):
        exec(compile(block, f"scan-text.md block {i + 1}", "exec"), namespace)  # noqa: S102


def test_every_kind_is_documented_and_the_tie_order_is_that_of_kinds() -> None:
    text = DOC.read_text("utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+)` \| ", text, re.M)) & set(KINDS)
    assert documented == set(KINDS)
    assert ", ".join(f"`{k}`" for k in KINDS) in " ".join(text.split())


def test_the_documented_error_message() -> None:
    with pytest.raises(TypeError, match=r"^scan_text takes text \(str\), got bytes$"):
        scan_text(b"3331234567")  # type: ignore[arg-type]
