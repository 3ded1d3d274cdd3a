"""``gdprkit fides``: a policy as a Fides (fideslang) manifest, and a manifest as a draft policy.

    gdprkit fides export POLICY [-o OUT] [--key KEY] [--data-use PURPOSE=USE ...]
    gdprkit fides import DOC [-o OUT] [--system KEY]

``export`` writes the manifest of :func:`gdprkit.interop.fides.to_fides` as YAML (JSON when
``OUT`` ends in ``.json``) and says on stderr how many items have no fideslang equivalent (they
are listed in the system's ``meta.gdprkit.unmapped``). ``import`` reads a manifest (YAML or
JSON) with :func:`gdprkit.interop.fides.from_fides` and writes the draft policy as YAML, its
to-do list as comments at the top and on stderr. Outputs are written as every output of the
command is (:class:`gdprkit._cli_io.Output`: 0600, renamed into place when the run succeeds).
Exit status: 0 done, 1 a policy or document that cannot be read, 2 a usage or file problem.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from gdprkit._cli_io import (
    DATA_PROBLEM,
    CliError,
    Output,
    check_distinct,
    clean,
    require_extra,
)
from gdprkit._errors import ConfigurationError, PolicyError
from gdprkit._policy import load_policy
from gdprkit._policy_file import read_document

__all__ = ["add_parser", "run_export", "run_import"]

_DOCUMENT_SUFFIXES = (".yaml", ".yml", ".json")


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``gdprkit fides export|import`` on the command's subparsers."""
    fides = sub.add_parser("fides", help="export a policy to Fides (fideslang), or import one")
    actions = fides.add_subparsers(required=True, metavar="ACTION")

    export = actions.add_parser("export", help="the policy as a fideslang system and dataset")
    export.add_argument("policy", type=Path)
    export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    export.add_argument("--key", help="the system's fides_key (default: from the controller)")
    export.add_argument(
        "--data-use",
        action="append",
        default=[],
        metavar="PURPOSE=USE",
        help="the fideslang data use of a purpose (repeatable)",
    )
    export.set_defaults(run=run_export)

    read = actions.add_parser("import", help="a fideslang manifest as a draft policy")
    read.add_argument("document", type=Path, help="fideslang manifest (YAML or JSON)")
    read.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    read.add_argument("--system", help="the system to read, when the manifest holds several")
    read.set_defaults(run=run_import)


def _say(message: str) -> None:
    print(clean(f"gdprkit: {message}"), file=sys.stderr)


def _input(path: Path, what: str) -> None:
    if not path.exists():
        raise CliError(f"no {what} at {str(path)!r}")
    if not path.is_file():
        raise CliError(f"the {what} {str(path)!r} is not a file")


def _write(text: str, output: Path | None, source: tuple[str, Path]) -> None:
    if output is None:
        sys.stdout.write(clean(text))
        return
    check_distinct([source], [("output", output)])
    with Output(output) as out:
        out.file.write(text.encode("utf-8"))


def _data_uses(pairs: list[str]) -> dict[str, str]:
    uses: dict[str, str] = {}
    for pair in pairs:
        purpose, sep, use = pair.partition("=")
        if not sep or not purpose or not use:
            raise CliError(f"--data-use takes PURPOSE=USE, not {pair!r}")
        uses[purpose] = use
    return uses


def _dump(document: Any, output: Path | None) -> str:  # noqa: ANN401 - plain data
    if output is not None and output.suffix.lower() == ".json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    text: str = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    return text


def run_export(args: argparse.Namespace) -> int:
    """``gdprkit fides export``."""
    _input(args.policy, "policy file")
    require_extra("fideslang", "fides", "gdprkit fides export")
    from gdprkit.interop.fides import EXTENSION, to_fides  # noqa: PLC0415 - optional extra

    policy = load_policy(args.policy)
    try:
        document = to_fides(policy, key=args.key, data_uses=_data_uses(args.data_use))
    except ConfigurationError as exc:
        raise CliError(str(exc), DATA_PROBLEM) from None
    _write(_dump(document, args.output), args.output, ("policy", args.policy))
    unmapped = document["system"][0]["meta"][EXTENSION]["unmapped"]
    _say(
        f"{len(policy.purposes)} privacy declarations, {len(policy.fields)} fields; "
        f"{len(unmapped)} items with no fideslang equivalent, listed in the system's "
        f"meta.{EXTENSION}.unmapped"
    )
    return 0


def _comment(line: str) -> str:
    """One YAML comment line: nothing in it can end the comment or drive a terminal."""
    return "# " + clean(line).replace("\r", "\\r").replace("\n", "\\n")


def run_import(args: argparse.Namespace) -> int:
    """``gdprkit fides import``."""
    path: Path = args.document
    _input(path, "fides document")
    if path.suffix.lower() not in _DOCUMENT_SUFFIXES:
        raise CliError(f"the fides document {str(path)!r} is not .yaml, .yml or .json")
    require_extra("fideslang", "fides", "gdprkit fides import")
    from gdprkit.interop.fides import from_fides  # noqa: PLC0415 - optional extra

    try:
        document = read_document(path)
    except PolicyError as exc:
        details = "; ".join(str(p) for p in exc.problems)
        raise CliError(
            f"cannot read the fides document {str(path)!r}: {details}", DATA_PROBLEM
        ) from None
    if document.problems:
        details = "; ".join(str(p) for p in document.problems)
        raise CliError(f"cannot read the fides document {str(path)!r}: {details}", DATA_PROBLEM)
    if not isinstance(document.data, dict):
        raise CliError(f"the fides document {str(path)!r} is not a manifest", DATA_PROBLEM)
    try:
        policy, todo = from_fides(document.data, system=args.system)
    except ConfigurationError as exc:
        raise CliError(str(exc), DATA_PROBLEM) from None
    head = [f"Drafted by `gdprkit fides import` from {path.name!r}."]
    if todo:
        head.append("To fill in or check before use:")
        head.extend(f"  - {item}" for item in todo)
    text = "\n".join(_comment(line) for line in head) + "\n"
    text += yaml.safe_dump(policy, sort_keys=False, allow_unicode=True)
    _write(text, args.output, ("fides document", path))
    if todo:
        _say(f"{len(todo)} items to fill in or check:")
        for item in todo:
            print(clean(f"  - {item}"), file=sys.stderr)
    return 0
