"""``gdprkit check --format text|json|github`` and the pre-commit hook (issue 11).

json: a list of findings ``{file, code, severity, location, message, line}``, the line being
the YAML line the finding's location stands on (as a ``PolicyError`` names it); a policy that
does not load gives its problems as ``policy.invalid`` errors. github: one workflow command per
finding, escaped as GitHub's toolkit escapes them. Exit 1 on any error, and on warnings with
``--strict``.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from gdprkit import lint, load_policy
from gdprkit.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "crm" / "policy.yaml"


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict[str, Any]]]:
    status = main(["check", "--format", "json", *argv])
    return status, json.loads(capsys.readouterr().out)


def test_json_lists_every_lint_finding_with_its_yaml_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, found = run_json(capsys, str(EXAMPLE))
    expected = lint(load_policy(EXAMPLE))
    assert status == (1 if any(f.severity == "error" for f in expected) else 0)
    assert [(f["code"], f["severity"], f["location"], f["message"]) for f in found] == [
        (f.code, f.severity, f.location, f.message) for f in expected
    ]
    lines = EXAMPLE.read_text("utf-8").splitlines()
    assert found
    assert all(isinstance(f["line"], int) for f in found)
    for finding in found:
        # the line holds one of the location's keys (the nearest one the file writes)
        keys = [k for k in finding["location"].split(".") if not k.isdigit()]
        text = lines[finding["line"] - 1]
        assert any(re.search(rf"\b{re.escape(k)}\b", text) for k in keys), (finding, text)
        assert set(finding) == {"file", "code", "severity", "location", "message", "line"}


def test_json_of_a_policy_that_does_not_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "policy.yaml"
    text = EXAMPLE.read_text("utf-8")
    path.write_text(text.replace("    basis: contract\n", "    basis: contrat\n", 1), "utf-8")
    line = text.splitlines().index("    basis: contract") + 1
    status, found = run_json(capsys, str(path))
    assert status == 1
    assert found == [
        {
            "file": str(path),
            "code": "policy.invalid",
            "severity": "error",
            "location": "purposes.contract.basis",
            "message": "unknown legal basis (Art. 6(1)) 'contrat'; one of: consent, contract, "
            "legal_obligation, vital_interests, public_task, legitimate_interests; did you "
            "mean 'contract'?",
            "line": line,
        }
    ]


def test_json_of_a_yaml_syntax_error_has_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("version: 1\ncontroller: [\n", "utf-8")
    status, found = run_json(capsys, str(path))
    assert status == 1
    assert [(f["code"], f["line"]) for f in found] == [("policy.invalid", 3)]


def test_json_policies_have_no_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(yaml.safe_load(EXAMPLE.read_text("utf-8"))), "utf-8")
    _, found = run_json(capsys, str(path))
    assert found
    assert all(f["line"] is None for f in found)


def test_several_files_at_once_as_pre_commit_passes_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "policy.yaml"
    bad.write_text("version: 1\n", "utf-8")
    status, found = run_json(capsys, str(EXAMPLE), str(bad))
    assert status == 1
    assert {f["file"] for f in found} == {str(EXAMPLE), str(bad)}
    assert {f["location"] for f in found if f["file"] == str(bad)} >= {"controller", "fields"}


def test_warnings_fail_only_with_strict(capsys: pytest.CaptureFixture[str]) -> None:
    status, found = run_json(capsys, str(EXAMPLE))
    assert found
    assert {f["severity"] for f in found} == {"warning"}
    assert status == 0
    assert main(["check", "--format", "github", str(EXAMPLE)]) == 0
    assert main(["check", "--format", "github", "--strict", str(EXAMPLE)]) == 1


# -- github ---------------------------------------------------------------------------------

ANNOTATION = re.compile(
    r"^::(error|warning) file=(?P<file>[^,:]*)(,line=(?P<line>\d+))?,title=(?P<title>[^,:]+)"
    r"::(?P<message>[^\r\n]*)$"
)


def _unescape(text: str) -> str:
    return (
        text.replace("%2C", ",").replace("%3A", ":").replace("%0A", "\n").replace("%0D", "\r")
        .replace("%25", "%")
    )  # fmt: skip


def test_github_annotations_one_per_finding(capsys: pytest.CaptureFixture[str]) -> None:
    _, found = run_json(capsys, str(EXAMPLE))
    main(["check", "--format", "github", str(EXAMPLE)])
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(found)
    for line, finding in zip(out, found, strict=True):
        match = ANNOTATION.match(line)
        assert match, line
        assert match.group(1) == finding["severity"]
        assert _unescape(match.group("file")) == finding["file"]
        assert int(match.group("line")) == finding["line"]
        assert match.group("title") == finding["code"]
        assert _unescape(match.group("message")) == f"{finding['location']}: {finding['message']}"


def test_github_escapes_properties_and_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GitHub's rules: % \\r \\n in the message; also : and , in properties (file, title)."""
    folder = tmp_path / "a,b:c%d"
    folder.mkdir()
    path = folder / "policy.yaml"
    text = EXAMPLE.read_text("utf-8").replace("    basis: contract\n", "    basis: 50%\n", 1)
    path.write_text(text, "utf-8")
    assert main(["check", "--format", "github", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1
    match = ANNOTATION.match(out[0])
    assert match, out[0]
    assert "a%2Cb%3Ac%25d" in match.group("file")
    assert _unescape(match.group("file")) == str(path)
    assert "'50%25'" in match.group("message")
    assert match.group("title") == "policy.invalid"


def test_github_message_newlines_are_escaped() -> None:
    from gdprkit.cli import _annotation

    finding = {
        "file": "p.yaml",
        "code": "x.y",
        "severity": "warning",
        "location": "purposes.a",
        "message": "one\ntwo\r100%",
        "line": 3,
    }
    assert _annotation(finding) == (
        "::warning file=p.yaml,line=3,title=x.y::purposes.a: one%0Atwo%0D100%25"
    )


def test_text_format_is_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(EXAMPLE)]) == 0
    assert main(["check", "--format", "text", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out.splitlines()
    half = len(out) // 2
    assert out[:half] == out[half:]
    assert out[half - 1].startswith(f"{EXAMPLE}: ")


# -- pre-commit -----------------------------------------------------------------------------


def test_the_pre_commit_hook_runs_gdprkit_check_on_policy_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "gdprkit-check"]
    assert hook["entry"] == "gdprkit check"
    assert hook["language"] == "python"
    files = re.compile(hook["files"])
    for name in ("examples/crm/policy.yaml", "tests/data/design_policy.yaml", "policy.json",
                 "gdpr/policies.toml"):  # fmt: skip
        assert files.search(name), name
    for name in ("README.md", "examples/crm/customers.csv", ".github/workflows/ci.yml"):
        assert not files.search(name), name
    # what pre-commit runs: the entry, then the staged files that match
    good = tmp_path / "policy.yaml"
    shutil.copy(EXAMPLE, good)
    bad = tmp_path / "other-policy.yaml"
    bad.write_text("version: 1\nversoin: 1\n", "utf-8")
    argv = hook["entry"].split()[1:]
    assert main([*argv, str(good)]) == 0
    assert main([*argv, str(good), str(bad)]) == 1
    capsys.readouterr()
