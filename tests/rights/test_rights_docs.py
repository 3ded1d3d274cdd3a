"""The rights docs say what the code does: their python blocks run, their codes exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gdprkit import ARTICLES
from gdprkit._rights import _PRECEDENCE, RIGHTS_ARTICLES

ROOT = Path(__file__).resolve().parent.parent.parent
DOCS = ROOT / "docs"


def test_sql_sweeps_how_to_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every python block of the how-to runs, in order, in one namespace."""
    pytest.importorskip("sqlalchemy")
    monkeypatch.chdir(ROOT)
    text = (DOCS / "how-to" / "sql-sweeps.md").read_text("utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 2
    namespace: dict[str, object] = {"print": lambda *a, **k: None}
    for i, block in enumerate(blocks):
        try:
            exec(compile(block, f"sql-sweeps block {i + 1}", "exec"), namespace)  # noqa: S102
        except Exception as exc:  # pragma: no cover - the message says which block failed
            raise AssertionError(f"sql-sweeps block {i + 1} failed: {exc!r}") from exc


def test_reference_lists_the_added_codes_with_their_articles() -> None:
    text = (DOCS / "reference" / "rights.md").read_text("utf-8")
    rows = dict(re.findall(r"^\| `([a-z_]+\.[a-z_.]+)` \| (Art\.[^|]+) \|", text, re.M))
    assert {k: v.strip() for k, v in rows.items()} == dict(RIGHTS_ARTICLES)
    # the precedence the reference states is the one the sweep applies
    stated = text.split("by this precedence:", 1)[1].split("then the static", 1)[0]
    codes = re.findall(r"`([a-z_.]+)`", stated)
    assert codes == list(_PRECEDENCE[: len(codes)])
    assert all(code in ARTICLES for code in _PRECEDENCE)
