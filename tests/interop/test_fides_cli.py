"""``gdprkit fides export|import`` (gdprkit._cli_fides), through a parser built as cli.py builds
its own: the handlers raise ``CliError`` with the exit status ``gdprkit.cli.main`` returns."""

from __future__ import annotations

import argparse
import json
import stat
from pathlib import Path

import pytest
import yaml
from test_fides import FIDESLANG_DOCS_EXAMPLE  # the examples of fideslang's docs (cited there)

from gdprkit import load_policy
from gdprkit._cli_fides import add_parser
from gdprkit._cli_io import DATA_PROBLEM, USAGE_PROBLEM, CliError

pytest.importorskip("fideslang")  # the fides extra; the test extra installs it

ROOT = Path(__file__).parent.parent.parent
POLICY = ROOT / "examples" / "crm" / "policy.yaml"


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="gdprkit")
    add_parser(parser.add_subparsers(required=True, metavar="COMMAND"))
    args = parser.parse_args(["fides", *argv])
    status: int = args.run(args)
    return status


def test_export_to_stdout_is_a_fideslang_manifest(capsys: pytest.CaptureFixture[str]) -> None:
    import fideslang

    assert run("export", str(POLICY)) == 0
    out, err = capsys.readouterr()
    document = yaml.safe_load(out)
    fideslang.Taxonomy.model_validate(document)
    assert [d["name"] for d in document["system"][0]["privacy_declarations"]] == [
        "contract", "accounting", "newsletter", "profiling", "allergen_alerts", "analytics",
        "customer_offers", "sms_offers", "order_bookkeeping", "order_offers",
    ]  # fmt: skip
    assert "10 privacy declarations, 18 fields;" in err
    assert "meta.gdprkit.unmapped" in err


def test_export_to_a_file_is_private_and_json_by_suffix(tmp_path: Path) -> None:
    out = tmp_path / "fides.json"
    assert run("export", str(POLICY), "-o", str(out), "--key", "crm") == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    document = json.loads(out.read_text("utf-8"))
    assert document["system"][0]["fides_key"] == "crm"


def test_export_data_use_option(tmp_path: Path) -> None:
    out = tmp_path / "fides.yaml"
    run("export", str(POLICY), "-o", str(out), "--data-use", "analytics=analytics")
    declarations = yaml.safe_load(out.read_text("utf-8"))["system"][0]["privacy_declarations"]
    assert {d["name"]: d["data_use"] for d in declarations}["analytics"] == "analytics"
    with pytest.raises(CliError, match="PURPOSE=USE") as caught:
        run("export", str(POLICY), "--data-use", "analytics")
    assert caught.value.status == USAGE_PROBLEM
    with pytest.raises(CliError, match="unknown purpose 'nope'") as caught:
        run("export", str(POLICY), "--data-use", "nope=analytics")
    assert caught.value.status == DATA_PROBLEM


def test_export_then_import_gives_the_policy_back(tmp_path: Path) -> None:
    manifest = tmp_path / "fides.yaml"
    draft = tmp_path / "policy.yaml"
    assert run("export", str(POLICY), "-o", str(manifest)) == 0
    assert run("import", str(manifest), "-o", str(draft)) == 0
    assert stat.S_IMODE(draft.stat().st_mode) == 0o600
    assert load_policy(draft) == load_policy(POLICY)
    assert draft.read_text("utf-8").startswith(
        "# Drafted by `gdprkit fides import` from 'fides.yaml'.\n"
    )


def test_import_writes_the_todo_list_as_comments_and_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = tmp_path / "demo.yml"
    manifest.write_text(FIDESLANG_DOCS_EXAMPLE, "utf-8")
    assert run("import", str(manifest)) == 0
    out, err = capsys.readouterr()
    assert "# To fill in or check before use:\n" in out
    assert "#   - controller.country: fill in the controller's country" in out
    assert "items to fill in or check:" in err
    draft = yaml.safe_load(out)
    assert draft["controller"] == {"name": "Demo Analytics System"}


def test_a_todo_item_cannot_break_out_of_its_comment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A declaration name is the document's text: a newline in it stays inside the comment."""
    document = yaml.safe_load(FIDESLANG_DOCS_EXAMPLE)
    document["system"][0]["privacy_declarations"][0]["name"] = "x\nversion: 2\n\x1b[31m"
    manifest = tmp_path / "demo.json"
    manifest.write_text(json.dumps(document), "utf-8")
    assert run("import", str(manifest)) == 0
    out, err = capsys.readouterr()
    assert yaml.safe_load(out)["version"] == 1
    assert "\x1b" not in out + err
    for line in out.splitlines():
        assert line.startswith("#") or not line.startswith("version: 2")


@pytest.mark.parametrize(
    ("content", "suffix", "message"),
    [
        ("system: [", ".yaml", "cannot read the fides document"),
        ("system: []\nsystem: []\n", ".yaml", "cannot read the fides document"),
        ("- 1\n", ".yaml", "is not a manifest"),
        ("system:\n  - fides_key: 'bad key'\n", ".yaml", "does not validate with fideslang"),
        ("{}", ".json", "holds no system"),
    ],
)
def test_import_of_an_unreadable_document_is_a_data_problem(
    tmp_path: Path, content: str, suffix: str, message: str
) -> None:
    manifest = tmp_path / f"doc{suffix}"
    manifest.write_text(content, "utf-8")
    with pytest.raises(CliError, match=message) as caught:
        run("import", str(manifest))
    assert caught.value.status == DATA_PROBLEM
    assert "bad key" not in str(caught.value)


def test_file_problems_are_usage_problems(tmp_path: Path) -> None:
    for argv, message in (
        (("import", str(tmp_path / "missing.yaml")), "no fides document at"),
        (("import", str(tmp_path)), "is not a file"),
        (("export", str(tmp_path / "missing.yaml")), "no policy file at"),
    ):
        with pytest.raises(CliError, match=message) as caught:
            run(*argv)
        assert caught.value.status == USAGE_PROBLEM
    text = tmp_path / "doc.txt"
    text.write_text("system: []", "utf-8")
    with pytest.raises(CliError, match=r"not \.yaml, \.yml or \.json"):
        run("import", str(text))
    with pytest.raises(CliError, match="is the same file as the policy"):
        run("export", str(POLICY), "-o", str(POLICY))


def test_a_missing_fideslang_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "fideslang", None)
    with pytest.raises(CliError, match=r"pip install 'gdprkit\[fides\]'"):
        run("export", str(POLICY))


def test_through_gdprkit_cli_main(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from gdprkit.cli import main

    manifest, draft = tmp_path / "fides.yaml", tmp_path / "draft.yaml"
    assert main(["fides", "export", str(POLICY), "-o", str(manifest)]) == 0
    assert main(["fides", "import", str(manifest), "-o", str(draft)]) == 0
    assert load_policy(draft) == load_policy(POLICY)
    bad = tmp_path / "bad.yaml"
    bad.write_text("system:\n  - fides_key: 'bad key'\n", "utf-8")
    assert main(["fides", "import", str(bad)]) == DATA_PROBLEM
    assert main(["fides", "import", str(tmp_path / "missing.yaml")]) == USAGE_PROBLEM
    err = capsys.readouterr().err
    assert "does not validate with fideslang" in err
    assert "Traceback" not in err
    assert "bad key" not in err
