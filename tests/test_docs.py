"""The docs say what the code does: every reason code is documented, docs examples run."""

from __future__ import annotations

import re
import tempfile
import unicodedata
from pathlib import Path

import pytest

from gdprkit import ARTICLES

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"


def test_every_reason_code_is_documented_with_its_article() -> None:
    text = (DOCS / "reference" / "reason-codes.md").read_text("utf-8")
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\| (?:\d+|\u2013) \| `([a-z_.]+)`[^|]*\| ([^|]+) \|", text, re.M)
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
    meant only to be read are fenced ```py instead), as a reader pastes it: from the project
    root, with no environment prepared (the scratch directories the guides make with
    ``tempfile`` land in this test's own directory)."""
    monkeypatch.chdir(DOCS.parent)
    monkeypatch.delenv("GDPRKIT_DOCS_TMP", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    blocks = re.findall(r"```python\n(.*?)```", path.read_text("utf-8"), re.S)
    namespace: dict[str, object] = {"print": lambda *a, **k: None}
    for i, block in enumerate(blocks):
        try:
            exec(compile(block, f"{path.name} block {i + 1}", "exec"), namespace)  # noqa: S102
        except Exception as exc:  # pragma: no cover - the message says which block failed
            raise AssertionError(f"{path.name} block {i + 1} failed: {exc!r}") from exc


def _run_blocks(path: Path, text: str) -> None:
    namespace: dict[str, object] = {"print": lambda *a, **k: None}
    for i, block in enumerate(re.findall(r"```python\n(.*?)```", text, re.S)):
        exec(compile(block, f"{path.name} block {i + 1}", "exec"), namespace)  # noqa: S102


def test_the_etl_erasure_check_is_about_the_erased_person(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The ETL guide's check fails when the erasure recorded is another person's: it looks for
    the erased customer's token, not for a raw id the output never holds."""
    monkeypatch.chdir(DOCS.parent)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    path = DOCS / "how-to" / "etl-script.md"
    text = path.read_text("utf-8")
    erasure = 'ledger.request_erasure("BV-0000001",'
    assert text.count(erasure) == 1
    _run_blocks(path, text)
    with pytest.raises((AssertionError, KeyError)):
        _run_blocks(path, text.replace(erasure, 'ledger.request_erasure("BV-0000002",'))


# Links: every relative link of the docs and the README reaches a file, and its #anchor a heading.

PAGES = sorted([ROOT / "README.md", *DOCS.rglob("*.md")])
_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.S | re.M)
_CODE = re.compile(r"(`+).+?\1", re.S)
_INLINE_LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)"
)
_REF_LINK = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
_HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.M)
_EXPLICIT_ANCHOR = re.compile(r"<a\s+(?:name|id)=\"([^\"]+)\"")


def _prose(text: str) -> str:
    """The text without fenced blocks and inline code (links there are examples, not links)."""
    return _CODE.sub("", _FENCE.sub("", text))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: its text, lowercase, without punctuation but ``-`` and
    ``_``, spaces as ``-``."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link: its text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").lower()
    kept = "".join(ch for ch in text if ch in " -_" or unicodedata.category(ch)[0] in "LMN")
    return kept.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """The anchors of a page: one per heading (repeats numbered ``-1``, ``-2``), and explicit
    ``<a id=...>`` ones."""
    text = _FENCE.sub("", page.read_text("utf-8"))
    found: set[str] = set(_EXPLICIT_ANCHOR.findall(text))
    seen: dict[str, int] = {}
    for heading in _HEADING.findall(text):
        base = slug(heading)
        n = seen.get(base, 0)
        seen[base] = n + 1
        found.add(base if n == 0 else f"{base}-{n}")
    return found


def links(page: Path) -> list[str]:
    """The link targets of a page (inline and reference definitions), outside code."""
    text = _prose(page.read_text("utf-8"))
    return _INLINE_LINK.findall(text) + _REF_LINK.findall(text)


def test_slugs_follow_github() -> None:
    assert slug("3. Verify the trail, and keep its head elsewhere") == (
        "3-verify-the-trail-and-keep-its-head-elsewhere"
    )
    assert slug("`gdprkit enforce`: the file contract") == "gdprkit-enforce-the-file-contract"
    assert slug("Perché sì") == "perché-sì"
    assert slug("[Reason codes](x.md) & articles") == "reason-codes--articles"


def test_the_link_checker_sees_a_broken_link(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# Top\n\nSee [codes](../reason-codes.md), [top](#top), [x][r] and `[no](nowhere.md)`.\n"
        "\n```md\n[example](missing.md)\n```\n\n[r]: other.md#part\n",
        "utf-8",
    )
    assert links(page) == ["../reason-codes.md", "#top", "other.md#part"]
    assert anchors(page) == {"top"}


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_relative_link_resolves(page: Path) -> None:
    """A relative link names an existing file or directory of the repository; a ``#anchor``
    names a heading of the page it points to."""
    broken = []
    for target in links(page):
        if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I):  # https:, mailto: ...: not checked
            continue
        path_part, _, anchor = target.partition("#")
        dest = (page.parent / path_part).resolve() if path_part else page
        if not dest.exists():
            broken.append(f"{target}: no such file")
        elif anchor and dest.is_file() and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{target}: no heading with anchor #{anchor}")
        elif ROOT.resolve() not in (dest.resolve(), *dest.resolve().parents):
            broken.append(f"{target}: outside the repository")
    assert broken == []
