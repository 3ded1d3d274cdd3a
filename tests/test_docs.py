"""The docs say what the code does: every reason code is documented, docs examples run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gdprkit import ARTICLES

DOCS = Path(__file__).parent.parent / "docs"


def test_every_reason_code_is_documented_with_its_article() -> None:
    text = (DOCS / "reference" / "reason-codes.md").read_text("utf-8")
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\| \d+ \| `([a-z_.]+)`[^|]*\| ([^|]+) \|", text, re.M)
    }
    for code, article in ARTICLES.items():
        assert code in rows, code
        assert rows[code].strip() == article, code


def test_every_rights_code_is_documented_with_its_article() -> None:
    from gdprkit import RIGHTS_ARTICLES

    text = (DOCS / "reference" / "reason-codes.md").read_text("utf-8")
    rows = dict(re.findall(r"^\| `([a-z_.]+)` \| ([^|]+?) \|", text, re.M))
    for code, article in RIGHTS_ARTICLES.items():
        assert rows.get(code) == article, code


def test_tutorial_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every python block of the tutorial runs, in order, in one namespace."""
    monkeypatch.chdir(DOCS.parent)
    text = (DOCS / "tutorial.md").read_text("utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 8
    namespace: dict[str, object] = {"print": lambda *a, **k: None}
    for i, block in enumerate(blocks):
        try:
            exec(compile(block, f"tutorial block {i + 1}", "exec"), namespace)  # noqa: S102
        except Exception as exc:  # pragma: no cover - the message says which block failed
            raise AssertionError(f"tutorial block {i + 1} failed: {exc!r}") from exc


HOW_TOS = sorted((DOCS / "how-to").glob("*.md"))


@pytest.mark.parametrize("path", HOW_TOS, ids=[p.stem for p in HOW_TOS])
def test_how_to_examples_run(path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every ```python block of a how-to runs, in order, in one namespace per guide (blocks
    meant only to be read are fenced ```py instead)."""
    monkeypatch.chdir(DOCS.parent)
    monkeypatch.setenv("GDPRKIT_DOCS_TMP", str(tmp_path))
    blocks = re.findall(r"```python\n(.*?)```", path.read_text("utf-8"), re.S)
    namespace: dict[str, object] = {"print": lambda *a, **k: None}
    for i, block in enumerate(blocks):
        try:
            exec(compile(block, f"{path.name} block {i + 1}", "exec"), namespace)  # noqa: S102
        except Exception as exc:  # pragma: no cover - the message says which block failed
            raise AssertionError(f"{path.name} block {i + 1} failed: {exc!r}") from exc
