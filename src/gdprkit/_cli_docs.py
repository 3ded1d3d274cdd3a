"""``gdprkit ropa`` and ``gdprkit notice``: the accountability documents on the command line.

    gdprkit ropa POLICY [--format markdown|html|csv|json] [--language en|it] [--json]
    gdprkit notice POLICY [--purpose P]... [--format markdown|html] [--language en|it]

``cli.py`` builds the parsers with :func:`add_ropa_arguments` and :func:`add_notice_arguments`
and runs :func:`run_ropa` and :func:`run_notice`. Documents go to stdout with control
characters escaped (as every other command); the CSV register is written as UTF-8 with a
byte-order mark and CRLF line ends, so that a spreadsheet opens it with its accents right.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from gdprkit._cli_io import CliError, clean
from gdprkit._policy import Policy, load_policy
from gdprkit._reports import privacy_notice, processing_register, render_register

__all__ = ["add_notice_arguments", "add_ropa_arguments", "run_notice", "run_ropa"]

_LANGUAGES = ("en", "it")
_BOM = "\ufeff"


def add_ropa_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``gdprkit ropa`` (the Art. 30 record of processing activities)."""
    parser.add_argument("policy", type=Path)
    parser.add_argument(
        "--format",
        choices=["markdown", "html", "csv", "json"],
        default="markdown",
        help="markdown (default), html, csv (a spreadsheet, UTF-8 with BOM) or json",
    )
    parser.add_argument(
        "--json",
        action="store_const",
        const="json",
        dest="format",
        help="the same as --format json",
    )
    parser.add_argument("--language", choices=_LANGUAGES, default="en", help="en (default) or it")


def add_notice_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``gdprkit notice`` (the Art. 13/14 information notice)."""
    parser.add_argument("policy", type=Path)
    parser.add_argument(
        "--purpose", action="append", dest="purposes", help="only these purposes (repeatable)"
    )
    parser.add_argument(
        "--format", choices=["markdown", "html"], default="markdown", help="markdown or html"
    )
    parser.add_argument("--language", choices=_LANGUAGES, default="en", help="en (default) or it")


def _policy(path: Path) -> Policy:
    """The policy at ``path``; a missing file is a file problem naming the path (exit 2)."""
    if not path.exists():
        raise CliError(f"no policy file at {str(path)!r}")
    if not path.is_file():
        raise CliError(f"the policy {str(path)!r} is not a file")
    return load_policy(path)


def run_ropa(args: argparse.Namespace) -> int:
    """Print the register of ``args.policy`` in ``args.format`` and ``args.language``."""
    register = processing_register(_policy(args.policy), language=args.language)
    if args.format == "json":
        print(clean(json.dumps(register, indent=2)))
    elif args.format == "csv":
        text = render_register(register, format="csv")
        lines = [clean(line) for line in text.split("\r\n")]
        document = _BOM + "\r\n".join(lines)
        sys.stdout.flush()
        binary = getattr(sys.stdout, "buffer", None)
        if binary is None:  # a text-only stream (an embedding application's): text as it is
            sys.stdout.write(document)
        else:
            binary.write(document.encode("utf-8"))
    else:
        print(clean(render_register(register, format=args.format)))
    return 0


def run_notice(args: argparse.Namespace) -> int:
    """Print the notice of ``args.policy`` for ``args.purposes`` (all by default)."""
    text = privacy_notice(
        _policy(args.policy), args.purposes, language=args.language, format=args.format
    )
    print(clean(text))
    return 0
