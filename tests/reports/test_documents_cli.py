"""``gdprkit ropa`` and ``gdprkit notice`` arguments (gdprkit._cli_docs), run as cli.py runs
them: a parser built with the module's functions, the parsed namespace passed to its runner."""

from __future__ import annotations

import argparse
import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from gdprkit._cli_docs import add_notice_arguments, add_ropa_arguments, run_notice, run_ropa

POLICY = Path(__file__).parent.parent.parent / "examples" / "crm" / "policy.yaml"


def parse(command: str, argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="gdprkit")
    sub = parser.add_subparsers(required=True)
    adders: dict[str, tuple[Callable[..., None], Callable[..., int]]] = {
        "ropa": (add_ropa_arguments, run_ropa),
        "notice": (add_notice_arguments, run_notice),
    }
    add, run = adders[command]
    add(sub_parser := sub.add_parser(command))
    sub_parser.set_defaults(run=run)
    return parser.parse_args([command, *argv])


def test_ropa_csv_in_italian_is_utf8_with_bom_and_crlf(
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    args = parse("ropa", [str(POLICY), "--format", "csv", "--language", "it"])
    assert args.run(args) == 0
    out = capsysbinary.readouterr().out
    assert out.startswith(b"\xef\xbb\xbf")
    text = out.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0][0] == "Titolare del trattamento"
    assert "Finalità del trattamento" in rows[0]
    assert len(rows) == 1 + 10  # the example's ten purposes
    assert "\r\n" in text


@pytest.mark.parametrize(
    ("argv", "check"),
    [
        ([], lambda out: out.startswith("# Record of processing activities")),
        (["--json"], lambda out: json.loads(out)["language"] == "en"),
        (["--format", "json", "--language", "it"], lambda out: json.loads(out)["language"] == "it"),
        (["--format", "html", "--language", "it"], lambda out: '<html lang="it">' in out),
    ],
)
def test_ropa_formats(
    capsys: pytest.CaptureFixture[str], argv: list[str], check: Callable[[str], bool]
) -> None:
    args = parse("ropa", [str(POLICY), *argv])
    assert args.run(args) == 0
    assert check(capsys.readouterr().out)


def test_notice_in_italian_html_for_one_purpose(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [str(POLICY), "--language", "it", "--format", "html", "--purpose", "newsletter"]
    args = parse("notice", argv)
    assert args.run(args) == 0
    out = capsys.readouterr().out
    assert "Garante per la protezione dei dati personali" in out
    assert "Informativa sul trattamento dei dati personali" in out
    assert "Purchase profiles" not in out  # the profiling purpose is not in this notice


def test_unknown_language_is_a_usage_error() -> None:
    with pytest.raises(SystemExit):
        parse("notice", [str(POLICY), "--language", "fr"])
