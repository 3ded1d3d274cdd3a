"""mkdocs hooks of the gdprkit site (mkdocs.yml: ``hooks``). One source of truth: the pages that
list codes and the API reference are generated from the code at every build.

* ``reference/codes.md``: the decision codes (``gdprkit.ARTICLES``), the rights codes
  (``gdprkit.RIGHTS_ARTICLES``) and the linter's codes with their severity (read from the
  ``Finding(...)`` calls of ``src/gdprkit/_lint.py``, so a code added there appears here).
* ``api/<module>.md``: one page per public module (no ``_`` in its dotted name), rendered by
  mkdocstrings from the docstrings, listed under "API reference" in the navigation.
* The hand-written tables (``reference/reason-codes.md``, the linter table of
  ``reference/cli.md``) are checked against the code: a code missing there, or an article or a
  severity that differs, is a warning, which ``mkdocs build --strict`` turns into a failure.
* A link from a page to a repository file outside ``docs/`` (an example) points to the
  repository's copy of that file on the site.
"""

from __future__ import annotations

import ast
import logging
import posixpath
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mkdocs.structure.files import Files

log = logging.getLogger("mkdocs.hooks.gdprkit")

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "gdprkit"
#: modules documented elsewhere than in the API reference: the command has its own page
NOT_API = {"gdprkit.cli"}


def public_modules() -> list[str]:
    """The dotted names of gdprkit's public modules: no part starts with ``_``."""
    names = []
    for path in sorted(SRC.rglob("*.py")):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        if any(p.startswith("_") for p in parts):
            continue
        name = ".".join(parts)
        if name not in NOT_API:
            names.append(name)
    return sorted(names, key=lambda n: (n != "gdprkit", n))


def lint_codes() -> dict[str, str]:
    """Every code the linter can report, with its severity, from the ``Finding(...)`` calls of
    ``_lint.py`` (a code passed as anything but a string literal is a warning: it could not be
    listed)."""
    tree = ast.parse((SRC / "_lint.py").read_text("utf-8"))
    default = "warning"
    for node in ast.walk(tree):  # the dataclass field's default: severity: Severity = "warning"
        if isinstance(node, ast.ClassDef) and node.name == "Finding":
            for item in node.body:
                if (
                    isinstance(item, ast.AnnAssign)
                    and isinstance(item.target, ast.Name)
                    and item.target.id == "severity"
                    and isinstance(item.value, ast.Constant)
                ):
                    default = str(item.value.value)
    codes: dict[str, str] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Finding"):
            continue
        code = (
            node.args[0]
            if node.args
            else next((k.value for k in node.keywords if k.arg == "code"), None)
        )
        if not (isinstance(code, ast.Constant) and isinstance(code.value, str)):
            log.warning("_lint.py line %s: a Finding whose code is not a literal", node.lineno)
            continue
        severity = next((k.value for k in node.keywords if k.arg == "severity"), None)
        if severity is None and len(node.args) > 3:
            severity = node.args[3]
        if severity is None:
            level = default
        elif isinstance(severity, ast.Constant):
            level = str(severity.value)
        else:
            level = "warning or error"
        if codes.get(code.value, level) != level:
            level = "warning or error"
        codes[code.value] = level
    return dict(sorted(codes.items()))


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def codes_page() -> str:
    from gdprkit import ARTICLES, RIGHTS_ARTICLES  # noqa: PLC0415 - the built package

    out = [
        "# Codes, from the code",
        "",
        "Generated at every build of this site from gdprkit itself: `gdprkit.ARTICLES`,",
        "`gdprkit.RIGHTS_ARTICLES` and the linter's `Finding` codes. What each code means, and",
        "in which order `decide` checks them: [reason codes](reason-codes.md) and",
        "[`gdprkit check`](cli.md#gdprkit-check-policy---strict). A code listed here and missing",
        "there fails the documentation build.",
        "",
        "## Decision codes",
        "",
        "`Reason.code` of `decide`, `enforce` and the frame and Spark engines.",
        "",
        "| code | article |",
        "|---|---|",
        *(f"| `{code}` | {_cell(article)} |" for code, article in sorted(ARTICLES.items())),
        "",
        "## Sweep and rights codes",
        "",
        "| code | article |",
        "|---|---|",
        *(f"| `{code}` | {_cell(article)} |" for code, article in sorted(RIGHTS_ARTICLES.items())),
        "",
        "## Linter codes",
        "",
        "`Finding.code` of `gdprkit.lint` and `gdprkit check`. Errors make `gdprkit check` exit 1;",
        "with `--strict`, warnings too.",
        "",
        "| code | severity |",
        "|---|---|",
        *(f"| `{code}` | {level} |" for code, level in lint_codes().items()),
        "",
    ]
    return "\n".join(out)


def api_page(module: str) -> str:
    return f"::: {module}\n    options:\n      show_root_heading: true\n      heading_level: 1\n"


def check_hand_written(docs: Path) -> None:
    """The hand-written tables agree with the code (the codes page is the source of truth)."""
    from gdprkit import ARTICLES, RIGHTS_ARTICLES  # noqa: PLC0415

    reasons = (docs / "reference" / "reason-codes.md").read_text("utf-8")
    decision_rows = {
        m.group(1): m.group(2).strip()
        for m in re.finditer(r"^\| (?:\d+|\u2013) \| `([a-z_.]+)`[^|]*\| ([^|]+) \|", reasons, re.M)
    }
    for code, article in ARTICLES.items():
        if decision_rows.get(code) != article:
            log.warning("reference/reason-codes.md: %r is not listed with %r", code, article)
    rights_rows = dict(re.findall(r"^\| `([a-z_.]+)` \| ([^|]+?) \|", reasons, re.M))
    for code, article in RIGHTS_ARTICLES.items():
        if rights_rows.get(code) != article:
            log.warning("reference/reason-codes.md: %r is not listed with %r", code, article)
    cli = (docs / "reference" / "cli.md").read_text("utf-8")
    lint_rows = dict(re.findall(r"^\| `([a-z_.]+)` \| (warning|error) \|", cli, re.M))
    for code, level in lint_codes().items():
        if code not in lint_rows:
            log.warning("reference/cli.md: the linter code %r has no row", code)
        elif level in ("warning", "error") and lint_rows[code] != level:
            log.warning("reference/cli.md: %r is a %s in the code", code, level)


_LINK = re.compile(r"(\]\()(?!https?:|mailto:|#)([^)\s]+)(\))")


def _outside_links(markdown: str, page_src: str, docs_dir: Path, repo: str) -> str:
    """Relative links that leave docs/ for a file of the repository point to the repository."""

    def fix(m: re.Match[str]) -> str:
        target, _, anchor = m.group(2).partition("#")
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(page_src), target))
        if not joined.startswith("../"):
            return m.group(0)
        path = (docs_dir / joined).resolve()
        try:
            rel = path.relative_to(ROOT).as_posix()
        except ValueError:
            return m.group(0)
        kind = "tree" if path.is_dir() else "blob"
        url = f"{repo}/{kind}/main/{rel}" + (f"#{anchor}" if anchor else "")
        return f"{m.group(1)}{url}{m.group(3)}"

    return _LINK.sub(fix, markdown)


# --- mkdocs events ------------------------------------------------------------------------


def on_config(config: Any) -> Any:  # noqa: ANN401 - mkdocs' config object
    """The API reference section of the navigation lists one page per public module; a how-to
    guide or an explanation that mkdocs.yml does not list yet is listed at the end of its
    section, by its title."""
    docs = Path(config["docs_dir"])
    for entry in config["nav"] or []:
        for section, folder in (("How-to guides", "how-to"), ("Explanation", "explanation")):
            if not (isinstance(entry, dict) and section in entry):
                continue
            pages = entry[section]
            listed = {next(iter(s.values())) for s in pages if isinstance(s, dict)}
            for path in sorted((docs / folder).glob("*.md")):
                uri = f"{folder}/{path.name}"
                if uri not in listed:
                    title = path.read_text("utf-8").partition("\n")[0].lstrip("# ").strip()
                    pages.append({title.removeprefix("How to ").capitalize(): uri})
        if isinstance(entry, dict) and "Reference" in entry:
            for sub in entry["Reference"]:
                if isinstance(sub, dict) and "API reference" in sub:
                    sub["API reference"] = [
                        *sub["API reference"],
                        *({m: f"api/{m}.md"} for m in public_modules()),
                    ]
    return config


def on_files(files: Files, config: Any) -> Files:  # noqa: ANN401
    from mkdocs.structure.files import File  # noqa: PLC0415 - the tests import this without mkdocs

    check_hand_written(Path(config["docs_dir"]))
    files.append(File.generated(config, "reference/codes.md", content=codes_page()))
    for module in public_modules():
        files.append(File.generated(config, f"api/{module}.md", content=api_page(module)))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:  # noqa: ANN401
    repo = (config.get("repo_url") or "").rstrip("/")
    return _outside_links(markdown, page.file.src_uri, Path(config["docs_dir"]), repo)


_ROLE = re.compile(r":(?:func|meth|mod|class|attr|data|exc|obj):(?=<code)")
_TILDE = re.compile(r"<code>~(?:[\w]+\.)*(\w+)</code>")


def on_page_content(html: str, page: Any, config: Any, files: Files) -> str:  # noqa: ANN401
    """The docstrings' Sphinx roles (``:func:`decide```) read as plain code on the site."""
    return _TILDE.sub(r"<code>\1</code>", _ROLE.sub("", html))
