"""docs/how-to/consent-ledger.md runs as written, and prints what it shows.

Every ``python`` block and every ``py`` block but the PostgreSQL one (it names a server of
the reader's) runs, in order, in one namespace, and the output the guide shows is checked.
``tests/test_docs.py`` runs the ``python`` blocks of every how-to too.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "consent-ledger.md"


def test_the_consent_ledger_guide_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the guide moves to a scratch directory of its own
    text = GUIDE.read_text("utf-8")
    blocks = re.findall(r"```py(?:thon)?\n(.*?)```", text, re.S)
    runnable = [b for b in blocks if "postgresql+psycopg://" not in b]  # needs a server
    assert len(blocks) - len(runnable) == 1
    assert len(runnable) >= 8
    namespace: dict[str, object] = {}
    printed = io.StringIO()
    for i, block in enumerate(runnable):
        with contextlib.redirect_stdout(printed):
            try:
                exec(compile(block, f"guide block {i + 1}", "exec"), namespace)  # noqa: S102
            except Exception as exc:  # pragma: no cover - the message says which block failed
                raise AssertionError(f"guide block {i + 1} failed: {exc!r}") from exc
    (shown,) = re.findall(r"```text\n(.*?)```", text, re.S)
    assert shown in printed.getvalue()
    assert Path("consents.db").exists()
    assert Path("crm-consents.csv").exists()
    assert not Path(tmp_path / "consents.db").exists()  # nothing lands where the reader stood
