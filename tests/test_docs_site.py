"""The documentation site's generated pages (docs/_gen/hooks.py) come from the code, and the
hand-written tables are held to it: a code missing there, or listed with another article or
severity, is a warning, which ``mkdocs build --strict`` (make docs, CI) turns into a failure."""

from __future__ import annotations

import importlib.util
import logging
import shutil
from pathlib import Path

import pytest

from gdprkit import ARTICLES, RIGHTS_ARTICLES

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"

_spec = importlib.util.spec_from_file_location("gdprkit_docs_hooks", DOCS / "_gen" / "hooks.py")
assert _spec is not None
assert _spec.loader is not None
hooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hooks)


def test_the_codes_page_lists_every_code_from_the_code() -> None:
    page = hooks.codes_page()
    for code, article in [*ARTICLES.items(), *RIGHTS_ARTICLES.items()]:
        assert f"| `{code}` | {article} |" in page, code
    codes = hooks.lint_codes()
    assert codes["retention.anchor_missing"] == "error"
    assert codes["purpose.no_retention"] == "warning"
    for code, level in codes.items():
        assert f"| `{code}` | {level} |" in page, code


def test_the_linter_codes_are_read_from_the_finding_calls(tmp_path: Path) -> None:
    """A code added to _lint.py appears without anyone editing the docs (one source)."""
    src = tmp_path / "gdprkit"
    src.mkdir()
    (src / "_lint.py").write_text(
        "from dataclasses import dataclass\n"
        "@dataclass\nclass Finding:\n    code: str\n    severity: str = 'warning'\n"
        "def lint(p):\n"
        "    yield Finding('new.code', 'x', 'm')\n"
        "    yield Finding('other.code', 'x', 'm', severity='error')\n",
        "utf-8",
    )
    old = hooks.SRC
    hooks.SRC = src
    try:
        assert hooks.lint_codes() == {"new.code": "warning", "other.code": "error"}
    finally:
        hooks.SRC = old


def test_the_hand_written_tables_agree_with_the_code(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        hooks.check_hand_written(DOCS)
    assert caplog.records == []


@pytest.mark.parametrize(
    "case",
    [
        ("reason-codes.md", "| Art. 7(3) |", "| Art. 7(2) |", "'consent.withdrawn'"),
        ("reason-codes.md", "`erasure.exception`", "`erasure.exemption`", "'erasure.exception'"),
        (
            "cli.md",
            "| `consent.no_source` | error |",
            "| `consent.no_source` | warning |",
            "'consent.no_source'",
        ),
        ("cli.md", "| `dpia.likely` |", "| `dpia.maybe` |", "'dpia.likely'"),
    ],
)
def test_a_contradicting_hand_written_table_is_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, case: tuple[str, str, str, str]
) -> None:
    page, old, new, expected = case
    shutil.copytree(DOCS / "reference", tmp_path / "reference")
    path = tmp_path / "reference" / page
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    with caplog.at_level(logging.WARNING):
        hooks.check_hand_written(tmp_path)
    assert any(expected in r.getMessage() for r in caplog.records), caplog.text


def test_one_api_page_per_public_module() -> None:
    modules = hooks.public_modules()
    assert modules[0] == "gdprkit"
    for name in (
        "gdprkit.frames",
        "gdprkit.spark",
        "gdprkit.testing",
        "gdprkit.integrations.sqlalchemy",
        "gdprkit.integrations.postgresql",
        "gdprkit.interop.fides",
        "gdprkit.interop.tcf",
    ):
        assert name in modules
    assert not any("._" in m for m in modules)
    assert "gdprkit.cli" not in modules  # the command has its own page


def test_links_out_of_docs_point_to_the_repository() -> None:
    md = "[ex](../../examples/crm_tests/) [code](../../README.md#x) [in](../reference/cli.md)"
    out = hooks._outside_links(md, "how-to/page.md", DOCS, "https://example.org/r")
    assert out == (
        "[ex](https://example.org/r/tree/main/examples/crm_tests) "
        "[code](https://example.org/r/blob/main/README.md#x) [in](../reference/cli.md)"
    )
