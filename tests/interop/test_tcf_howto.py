"""docs/how-to/tcf-consents.md runs as written, and prints what it shows.

Every ``python`` block runs, in order, in one namespace, from a scratch directory; each ``text``
block the guide shows is printed, in the guide's order. ``tests/test_docs.py`` runs the
``python`` blocks of every how-to too.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "tcf-consents.md"


def test_the_tcf_guide_runs_and_prints_what_it_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    text = GUIDE.read_text("utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 7
    namespace: dict[str, object] = {}
    printed = io.StringIO()
    for i, block in enumerate(blocks):
        with contextlib.redirect_stdout(printed):
            try:
                exec(compile(block, f"guide block {i + 1}", "exec"), namespace)  # noqa: S102
            except Exception as exc:  # pragma: no cover - the message says which block failed
                raise AssertionError(f"guide block {i + 1} failed: {exc!r}") from exc
    output = printed.getvalue()
    shown = re.findall(r"```text\n(.*?)```", text, re.S)
    assert len(shown) >= 6
    position = 0
    for expected in shown:
        found = output.find(expected, position)
        assert found >= 0, expected
        position = found + len(expected)
    assert position == len(output)  # nothing printed that the guide does not show
    assert not (tmp_path / "consents.db").exists()  # the guide made its own directory
