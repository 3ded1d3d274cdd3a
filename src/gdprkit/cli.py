"""The ``gdprkit`` command.

    gdprkit check POLICY... [--format text|json|github] [--strict]
                                         load and lint policies (exit 1 on errors)
    gdprkit schema                       the JSON Schema of the policy format, for editors
    gdprkit ropa POLICY [--format markdown|html|csv|json] [--language en|it]
                                         the Art. 30 record of processing activities
    gdprkit notice POLICY [--purpose P] [--format markdown|html] [--language en|it]
                                         the Art. 13/14 information notice
    gdprkit enforce POLICY PURPOSE IN OUT [--rejected F [--rejected-records]] [--at ISO]
                    [--ledger URL] [--audit F] [--delimiter D] [--encoding E]
                                         stream CSV, JSON Lines or Parquet through a purpose
    gdprkit sweep POLICY URL TABLE [--dry-run] [--at ISO] [--anonymous-table T] [--audit F]
                                         storage limitation over a database table
    gdprkit keys generate [--id k1]      a new key ring, in the GDPRKIT_KEYS format
    gdprkit keys rotate                  the ring in $GDPRKIT_KEYS with a new active key
    gdprkit audit verify FILE [--expected-head HASH]
                                         check an audit trail (exit 1 at the first broken line)
    gdprkit audit show FILE              print an audit trail's events as JSON Lines
    gdprkit fides export POLICY [-o OUT]  the policy as a Fides (fideslang) system and dataset
    gdprkit fides import DOC [-o OUT]     a fideslang manifest as a draft policy and its to-do list

The command reads the clock once per run (``--at`` overrides it), keys from the environment
(``GDPRKIT_KEYS``, or ``--keys-file``), and prints counts, codes and places, never record values.
Exit status: 0 done, 1 a policy or data problem, 2 a usage or file problem (§9 of the design);
no traceback reaches the user, and nothing printed carries a raw control character.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter, deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from gdprkit._audit import AuditLog, policy_digest
from gdprkit._cli_docs import add_notice_arguments, add_ropa_arguments, run_notice, run_ropa
from gdprkit._cli_fides import add_parser as add_fides_parser
from gdprkit._cli_io import (
    DATA_PROBLEM,
    USAGE_PROBLEM,
    CliError,
    Output,
    Progress,
    RecordWriter,
    Row,
    check_distinct,
    clean,
    open_source,
    require_database_file,
    require_extra,
    require_url_driver,
)
from gdprkit._consent import ConsentLedger
from gdprkit._decision import Decision, Reason, compile_plan
from gdprkit._enforce import enforce
from gdprkit._errors import AuditError, GdprkitError, PolicyError
from gdprkit._lint import lint
from gdprkit._policy import Policy, load_policy
from gdprkit._policy_file import Document, read_document
from gdprkit._pseudonymise import KeyRing
from gdprkit._values import subject_key

if TYPE_CHECKING:
    from gdprkit._cli_columnar import Chunk, ColumnarSource

__all__ = ["main"]

_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
#: The exit status of a command whose reader went away (``gdprkit ropa | head``): 128 + SIGPIPE,
#: what a Unix tool killed by the signal reports.
_BROKEN_PIPE = 141
_INTERRUPTED = 130


def _say(message: str) -> None:
    """One line on stderr, prefixed, with control characters escaped."""
    print(clean(f"gdprkit: {message}"), file=sys.stderr)


def _out(text: str) -> None:
    """Text on stdout (a document, findings, JSON) with control characters escaped."""
    print(clean(text))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status: 0 done, 1 a policy or data problem, 2 a
    usage or file problem."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        status = int(args.run(args))
        sys.stdout.flush()
    except BrokenPipeError:
        return _broken_pipe()
    except KeyboardInterrupt:
        _say("interrupted")
        return _INTERRUPTED
    except CliError as exc:
        _say(str(exc))
        return exc.status
    except PolicyError as exc:
        problems = len(exc.problems)
        _say(f"the policy cannot be loaded ({problems} problem{'s' * (problems != 1)}):")
        for problem in exc.problems:
            print(clean(f"  {problem}"), file=sys.stderr)
        return DATA_PROBLEM
    except GdprkitError as exc:
        _say(str(exc))
        return USAGE_PROBLEM
    except OSError as exc:
        where = f"{str(exc.filename)!r}: " if exc.filename is not None else ""
        _say(f"{where}{exc.strerror or type(exc).__name__}")
        return USAGE_PROBLEM
    except Exception as exc:  # no traceback: it may quote record values
        _say(f"unexpected {type(exc).__name__} (details withheld: they may quote record values)")
        return DATA_PROBLEM
    return status


def _broken_pipe() -> int:
    """Stdout's reader went away: stop quietly, as Unix tools do (no message, no traceback,
    nothing more written: stdout now points at the null device so the final flush succeeds)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # pragma: no cover - stdout without a file descriptor
        pass
    return _BROKEN_PIPE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gdprkit", description="GDPR policy enforcement for data pipelines."
    )
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    check = sub.add_parser("check", help="load and lint a policy")
    check.add_argument(
        "policy", type=Path, nargs="+", help="policy files (pre-commit passes several)"
    )
    check.add_argument("--strict", action="store_true", help="warnings fail too")
    check.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="text (default), json (a list of findings with their lines) or github "
        "(GitHub Actions annotations)",
    )
    check.set_defaults(run=_check)

    schema = sub.add_parser("schema", help="the JSON Schema of the policy format")
    schema.set_defaults(run=_schema)

    ropa = sub.add_parser("ropa", help="the Art. 30 record of processing activities")
    add_ropa_arguments(ropa)
    ropa.set_defaults(run=run_ropa)

    notice = sub.add_parser("notice", help="the Art. 13/14 information notice")
    add_notice_arguments(notice)
    notice.set_defaults(run=run_notice)

    run = sub.add_parser("enforce", help="stream a file of records through a purpose")
    run.add_argument("policy", type=Path)
    run.add_argument("purpose")
    run.add_argument("input", help="CSV, JSON Lines or Parquet file ('-': JSON Lines on stdin)")
    run.add_argument("output", help="CSV, JSON Lines or Parquet file ('-': JSON Lines on stdout)")
    run.add_argument(
        "--rejected",
        help="JSON Lines file receiving, per denied record, its row, subject id and reasons",
    )
    run.add_argument(
        "--rejected-records",
        action="store_true",
        help="also write each denied record whole into --rejected (it holds personal data)",
    )
    run.add_argument("--at", help="the moment to decide at (ISO 8601 with offset); default now")
    run.add_argument("--ledger", help="consent ledger URL (e.g. sqlite:///consents.db)")
    run.add_argument("--keys-file", type=Path, help="key ring file (default: $GDPRKIT_KEYS)")
    run.add_argument("--delimiter", help="CSV input delimiter (default: sniffed among , ; tab |)")
    run.add_argument("--encoding", help="CSV input encoding (default: UTF-8, BOM dropped)")
    run.add_argument("--quiet", action="store_true", help="no progress on stderr")
    run.add_argument("--audit", type=Path, help="audit trail (JSON Lines) recording the run")
    run.set_defaults(run=_enforce)

    sweep = sub.add_parser("sweep", help="apply storage limitation to a database table")
    sweep.add_argument("policy", type=Path)
    sweep.add_argument("url", help="SQLAlchemy database URL (sqlite:///crm.db, postgresql+...)")
    sweep.add_argument("table")
    sweep.add_argument("--dry-run", action="store_true", help="report, change nothing")
    sweep.add_argument("--at", help="the moment to sweep at (ISO 8601 with offset); default now")
    sweep.add_argument("--ledger", help="consent ledger URL")
    sweep.add_argument("--anonymous-table", help="table receiving the anonymous copies")
    sweep.add_argument("--batch-size", type=int, default=1000)
    sweep.add_argument(
        "--undeclared",
        choices=["error", "erase", "keep"],
        default="error",
        help="columns the policy does not declare: refuse the table (default), erase or keep them",
    )
    sweep.add_argument("--quiet", action="store_true", help="no progress on stderr")
    sweep.add_argument("--audit", type=Path, help="audit trail (JSON Lines) recording the run")
    sweep.set_defaults(run=_sweep)

    keys = sub.add_parser("keys", help="generate or rotate a key ring")
    keys_sub = keys.add_subparsers(required=True, metavar="ACTION")
    generate = keys_sub.add_parser("generate", help="print a new key ring")
    generate.add_argument("--id", default="k1", help="the key id (default k1)")
    generate.set_defaults(run=_keys_generate)
    rotate = keys_sub.add_parser("rotate", help="print $GDPRKIT_KEYS with a new active key")
    rotate.add_argument("--keys-file", type=Path)
    rotate.set_defaults(run=_keys_rotate)

    audit = sub.add_parser("audit", help="verify or show an audit trail")
    audit_sub = audit.add_subparsers(required=True, metavar="ACTION")
    verify = audit_sub.add_parser("verify", help="check that an audit trail was not edited")
    verify.add_argument("file", type=Path)
    verify.add_argument("--expected-head", help="a head hash kept elsewhere: catches a cut tail")
    verify.set_defaults(run=_audit_verify)
    show = audit_sub.add_parser("show", help="print the events as JSON Lines")
    show.add_argument("file", type=Path)
    show.set_defaults(run=_audit_show)
    add_fides_parser(sub)
    return parser


def _policy(path: Path) -> Policy:
    """The policy at ``path``; a missing file is a file problem naming the path (exit 2)."""
    if not path.exists():
        raise CliError(f"no policy file at {str(path)!r}")
    if not path.is_file():
        raise CliError(f"the policy {str(path)!r} is not a file")
    return load_policy(path)


# -- check, schema ------------------------------------------------------------------------


#: The code of a finding that is a problem ``load_policy`` refused (``check --format json``).
_POLICY_INVALID = "policy.invalid"


def _check(args: argparse.Namespace) -> int:
    """Load and lint each policy; exit 1 on any error (and on warnings with ``--strict``)."""
    failed = False
    found: list[dict[str, Any]] = []
    for path in args.policy:
        findings = _check_one(path, args.format)
        errors = sum(f["severity"] == "error" for f in findings)
        warnings = len(findings) - errors
        failed = failed or bool(errors or (args.strict and warnings))
        found.extend(findings)
        if args.format == "github":
            for finding in findings:
                _out(_annotation(finding))
    if args.format == "json":
        print(json.dumps(found, indent=2))
    return 1 if failed else 0


def _check_one(path: Path, fmt: str) -> list[dict[str, Any]]:
    """The findings of the policy at ``path`` as mappings (``code``, ``severity``,
    ``location``, ``message``, ``line``, ``file``); in text format, printed as before."""
    try:
        policy = _policy(path)
    except PolicyError as exc:
        if fmt == "text":
            problems = len(exc.problems)
            _say(f"the policy cannot be loaded ({problems} problem{'s' * (problems != 1)}):")
            for problem in exc.problems:
                print(clean(f"  {problem}"), file=sys.stderr)
        return [_problem_finding(path, p.location, p.message) for p in exc.problems]
    findings = lint(policy)
    if fmt == "text":
        for finding in findings:
            _out(str(finding))
        errors = sum(f.severity == "error" for f in findings)
        _out(
            f"{path}: {len(policy.purposes)} purposes, {len(policy.fields)} fields; "
            f"{errors} errors, {len(findings) - errors} warnings"
        )
    document = _lines_of(path)
    return [
        {
            "file": str(path),
            "code": f.code,
            "severity": f.severity,
            "location": f.location,
            "message": f.message,
            "line": document.line_of(f.location) if document is not None else None,
        }
        for f in findings
    ]


def _problem_finding(path: Path, where: str, message: str) -> dict[str, Any]:
    """A problem of a policy that does not load, as a finding: ``line N:`` becomes its line."""
    line: int | None = None
    head, sep, rest = message.partition(": ")
    if sep and head.startswith("line ") and head[5:].isdigit():
        line, message = int(head[5:]), rest
    elif where.startswith("line ") and where[5:].partition(",")[0].isdigit():
        line = int(where[5:].partition(",")[0])  # a syntax error: "line 3, column 7"
    return {
        "file": str(path),
        "code": _POLICY_INVALID,
        "severity": "error",
        "location": where,
        "message": message,
        "line": line,
    }


def _lines_of(path: Path) -> Document | None:
    """The lines of a YAML policy's locations (None for JSON and TOML: they have none)."""
    if path.suffix.lower() not in (".yaml", ".yml"):
        return None
    try:
        return read_document(path)
    except PolicyError:  # pragma: no cover - it has just loaded
        return None


def _github_data(text: str) -> str:
    """A GitHub workflow command's message, escaped as GitHub's toolkit escapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    """A workflow command's property value (file, title): also ``:`` and ``,`` escaped."""
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


def _annotation(finding: Mapping[str, Any]) -> str:
    """``::error file=...,line=...,title=<code>::<location>: <message>``."""
    properties = [f"file={_github_property(finding['file'])}"]
    if finding["line"] is not None:
        properties.append(f"line={finding['line']}")
    properties.append(f"title={_github_property(finding['code'])}")
    text = f"{finding['location'] or '<policy>'}: {finding['message']}"
    return f"::{finding['severity']} {','.join(properties)}::{_github_data(text)}"


def _schema(_args: argparse.Namespace) -> int:
    print(json.dumps(Policy.model_json_schema(by_alias=True), indent=2))
    return 0


def _parse_at(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"--at {text!r} is not an ISO 8601 time") from None
    if at.tzinfo is None:
        raise CliError("--at needs an offset, e.g. 2026-01-31T00:00:00+01:00")
    return at


def _database_files(url: str | None, what: str) -> list[tuple[str, Path]]:
    """The SQLite file a URL names (it must exist), checked with its driver, as a read file."""
    if url is None:
        return []
    require_url_driver(url, what)
    path = require_database_file(url, what)
    return [] if path is None else [(what, path)]


def _progress(args: argparse.Namespace, what: str) -> Progress:
    return Progress(what, sys.stderr, enabled=not args.quiet and sys.stderr.isatty())


@contextmanager
def _line_ended(progress: Progress) -> Iterator[None]:
    """On failure, end the progress line so that the message starts on a line of its own."""
    try:
        yield
    except BaseException:
        progress.end_line()
        raise


def _sweep(args: argparse.Namespace) -> int:
    require_extra("sqlalchemy", "sql", "sweep")
    from gdprkit.integrations.sqlalchemy import sweep_table  # noqa: PLC0415 - optional extra

    database = require_url_driver(args.url, "sweep")
    reads = [
        *_database_files(args.url, "database"),
        *_database_files(args.ledger, "ledger"),
        ("policy", args.policy),
    ]
    policy = _policy(args.policy)
    if args.audit is not None:
        check_distinct(reads, [("audit trail", args.audit)])
    audit = _open_audit(args.audit)
    at = _parse_at(args.at)
    progress = _progress(args, "sweep")
    failure = {"table": args.table, "dry_run": args.dry_run}
    with (
        _failure_recorded(audit, "sweep.failed", policy, at, failure),
        _line_ended(progress),
        ExitStack() as stack,
    ):
        ledger = None
        if args.ledger:
            ledger = ConsentLedger(args.ledger)
            stack.callback(ledger.close)
        with progress.ticking():
            report = sweep_table(
                database,
                args.table,
                policy,
                at=at,
                consents=ledger,
                dry_run=args.dry_run,
                batch_size=args.batch_size,
                anonymous_table=args.anonymous_table,
                undeclared=args.undeclared,
                progress=progress.update if progress.enabled else None,
            )
    progress.finish(report.rows)
    summary = {
        "table": args.table,
        "dry_run": report.dry_run,
        "at": report.at.isoformat(),
        "rows": report.rows,
        "deleted": report.deleted,
        "erased": report.erased,
        "kept": report.kept,
        "anonymised": report.anonymised,
        "reasons": dict(sorted(report.reasons.items())),
        "fields": dict(sorted(report.fields.items())),
    }
    needs_review = getattr(report, "needs_review", None)
    if isinstance(needs_review, int):
        summary["needs_review"] = needs_review
        if report.rows and needs_review == report.rows:
            _say(
                f"warning: none of the {report.rows:,} rows could be judged (needs_review): "
                "likely a format problem (subject ids? dates?)"
            )
    if audit is not None:
        audit.record_sweep(policy, report=report, table=args.table)
    _out(json.dumps(summary, indent=2))
    return 0


# -- audit --------------------------------------------------------------------------------


def _open_audit(path: Path | None) -> AuditLog | None:
    """The audit trail a run records into, checked before the run: a run whose record cannot
    be appended (a torn or edited last line, an unwritable file, a symbolic link) does not
    start."""
    if path is None:
        return None
    log = AuditLog(path)
    log.head()
    return log


def _error_class(exc: BaseException) -> str:
    """The class of the error a failed run is recorded with: for a reported reading error,
    the reader's own (``UnicodeDecodeError``, ``ArrowInvalid``), never a message."""
    if isinstance(exc, CliError) and exc.__cause__ is not None:
        return type(exc.__cause__).__name__
    return type(exc).__name__


@contextmanager
def _failure_recorded(
    audit: AuditLog | None,
    kind: str,
    policy: Policy,
    at: datetime | None,
    payload: dict[str, Any],
) -> Iterator[None]:
    """Record a run that failed or was interrupted as ``kind``, with the exception's class name
    (never its message) and whatever ``payload`` holds by then (counts so far), and re-raise."""
    try:
        yield
    except BaseException as exc:
        if audit is not None:
            when = payload.pop("at", None) or at or datetime.now(UTC)
            try:
                audit.record(
                    kind,
                    at=when,
                    policy_sha256=policy_digest(policy),
                    error=_error_class(exc),
                    **payload,
                )
            except AuditError as audit_exc:  # the run's own failure is the one to report
                exc.add_note(f"gdprkit: the failure could not be recorded: {audit_exc}")
        raise


def _audit_verify(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise CliError(f"no audit trail at {str(args.file)!r}")
    log = AuditLog(args.file)
    try:
        head = log.verify(args.expected_head)
    except AuditError as exc:
        _say(f"{args.file}: {exc}")
        print(json.dumps({"ok": False, "line": exc.line, "kind": exc.kind}))
        return 1
    except ValueError as exc:  # a malformed --expected-head
        raise CliError(str(exc)) from None
    # The verified head's number (events appended since by another process are not counted).
    count = next((e.seq for e in log.events() if e.hash == head), 0)
    print(json.dumps({"ok": True, "head": head, "events": count}))
    return 0


def _audit_show(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise CliError(f"no audit trail at {str(args.file)!r}")
    for event in AuditLog(args.file).events():
        print(event.to_json())
    return 0


# -- keys ---------------------------------------------------------------------------------


def _load_keys(path: Path | None) -> KeyRing:
    return KeyRing.from_file(path) if path is not None else KeyRing.from_env()


def _keys_generate(args: argparse.Namespace) -> int:
    print(KeyRing.generate(args.id).export())
    return 0


def _keys_rotate(args: argparse.Namespace) -> int:
    print(_load_keys(args.keys_file).rotate().export())
    return 0


# -- enforce ------------------------------------------------------------------------------


def _format(name: str) -> str:
    if name == "-":
        return "jsonl"
    fmt = _FORMATS.get(Path(name).suffix.lower())
    if fmt is None:
        raise CliError(
            f"unknown file type {Path(name).suffix!r} of {name!r}: use .csv, .jsonl or .parquet"
        )
    return fmt


def _columns(policy: Policy, purpose: str) -> list[str]:
    """Every field the purpose can output, in the policy's order: the CSV header."""
    plan = compile_plan(policy, purpose)
    return [
        name
        for name, field in plan.fields.items()
        if field.drop is None and (field.transform is None or field.transform[0] != "drop")
    ]


class _Rejected:
    """The ``--rejected`` sink: per denied record its row (and line), subject id and reasons
    (code, article, field); the whole record only when ``--rejected-records`` asks for it."""

    def __init__(self, handle: IO[bytes], subject_field: str | None, *, whole: bool) -> None:
        self._handle = handle
        self._subject = subject_field
        self.whole = whole

    def __call__(self, record: object, decision: Decision) -> None:
        subject = None
        if self._subject is not None and isinstance(record, Mapping):
            subject = subject_key(record.get(self._subject))
        self.write(
            getattr(record, "row", None),
            getattr(record, "line", None),
            subject,
            decision.reasons,
            dict(record) if isinstance(record, Mapping) else None,
        )

    def write(
        self,
        row: int | None,
        line: int | None,
        subject: str | None,
        reasons: Sequence[Reason],
        record: dict[str, Any] | None,
    ) -> None:
        """One entry: ``record`` is written only with ``--rejected-records``."""
        entry: dict[str, Any] = {
            "row": row,
            "line": line,
            "subject": subject,
            "reasons": [{"code": r.code, "article": r.article, "field": r.field} for r in reasons],
        }
        if self.whole:
            entry["record"] = record
        text = json.dumps(entry, ensure_ascii=False, default=str) + "\n"
        self._handle.write(text.encode("utf-8"))


def _keys_for(args: argparse.Namespace) -> KeyRing | None:
    if args.keys_file is not None:
        return KeyRing.from_file(args.keys_file)
    try:
        return KeyRing.from_env()
    except GdprkitError:
        return None  # enforce raises ConfigurationError if the purpose needs keys


def _enforce(args: argparse.Namespace) -> int:
    fmt_in, fmt_out = _format(args.input), _format(args.output)
    if fmt_in != "csv" and (args.delimiter is not None or args.encoding is not None):
        raise CliError("--delimiter and --encoding are for CSV input")
    if args.rejected_records and not args.rejected:
        raise CliError("--rejected-records needs --rejected FILE")
    if "parquet" in (fmt_in, fmt_out):  # before any input is read
        require_extra("pyarrow", "arrow", "Parquet")
    reads: list[tuple[str, Path]] = [
        *_database_files(args.ledger, "ledger"),
        ("policy", args.policy),
    ]
    if args.input != "-":
        reads.append(("input", Path(args.input)))
    if args.keys_file is not None:
        reads.append(("key file", args.keys_file))
    writes: list[tuple[str, Path]] = []
    if args.output != "-":
        writes.append(("output", Path(args.output)))
    if args.rejected:
        writes.append(("rejected file", Path(args.rejected)))
    if args.audit is not None:
        writes.append(("audit trail", args.audit))
    check_distinct(reads, writes)
    policy = _policy(args.policy)
    at = _parse_at(args.at)
    audit = _open_audit(args.audit)
    keys = _keys_for(args)
    columns = _columns(policy, args.purpose)
    progress = _progress(args, "enforce")
    failure: dict[str, Any] = {"purpose": args.purpose}
    with (
        _failure_recorded(audit, "enforce.failed", policy, at, failure),
        _line_ended(progress),
        ExitStack() as stack,
    ):
        ledger = None
        if args.ledger:
            ledger = ConsentLedger(args.ledger)
            stack.callback(ledger.close)
        columnar = _open_columnar(args, fmt_in, stack)
        if columnar is None:
            source = open_source(
                args.input, fmt_in, stack, delimiter=args.delimiter, encoding=args.encoding
            )
            source.on_progress = progress.update
        sink: _Rejected | None = None
        if args.rejected:
            rejected_file = stack.enter_context(Output(Path(args.rejected)))
            sink = _Rejected(rejected_file.file, policy.subject.id, whole=args.rejected_records)
        if args.output == "-":
            target: IO[bytes] = sys.stdout.buffer
        else:
            target = stack.enter_context(Output(Path(args.output))).file
        if columnar is not None:
            counts = _run_columnar(
                policy,
                args.purpose,
                columnar,
                target=target,
                fmt_out=fmt_out,
                columns=columns,
                run=_Run(at=at, consents=ledger, keys=keys, sink=sink, progress=progress),
                failure=failure,
            )
            stream = None
            rows, description = columnar.rows, columnar.description
        else:
            writer = RecordWriter(fmt_out, target, columns)
            stream = enforce(
                policy, source, args.purpose, at=at, consents=ledger, keys=keys, rejected=sink
            )
            failure.update(at=stream.at, counts=stream.counts)  # counts so far, should it fail
            for row in stream:
                writer.write(row)
            writer.close()
            counts = stream.counts
            rows, description = source.rows, source.description
        if args.output == "-":
            sys.stdout.buffer.flush()
    progress.finish(rows)
    if audit is not None:
        if stream is not None:
            audit.record_enforce(policy, stream)
        else:
            audit.record_enforce(policy, args.purpose, at=failure["at"], counts=counts)
    summary = {"purpose": args.purpose, **dict(sorted(counts.items()))}
    print(json.dumps(summary), file=sys.stderr)
    return _all_denied(counts, description)


# The columnar path (CSV and Parquet input): gdprkit._cli_columnar reads and writes,
# gdprkit.frames.enforce_batches decides, batch by batch.


def _open_columnar(
    args: argparse.Namespace, fmt_in: str, stack: ExitStack
) -> ColumnarSource | None:
    """The input as batches for the columnar path; ``None`` for the row path (JSON Lines, no
    pyarrow or numpy installed, a file the columnar reader leaves to the row path, or the
    internal switch ``GDPRKIT_CLI_ENGINE=row``)."""
    if fmt_in not in ("csv", "parquet"):
        return None
    try:
        from gdprkit import _cli_columnar  # noqa: PLC0415 - needs pyarrow and numpy
        from gdprkit.frames import _stream  # noqa: PLC0415, F401
    except ImportError:
        return None
    if _cli_columnar.row_path_forced():
        return None
    return _cli_columnar.open_columnar(
        args.input, fmt_in, stack, delimiter=args.delimiter, encoding=args.encoding
    )


class _Run:
    """What a columnar run reads besides its input: the moment (``None``: now), the consent
    source, the keys, the ``--rejected`` sink and the progress line."""

    __slots__ = ("at", "consents", "keys", "progress", "sink")

    def __init__(
        self,
        *,
        at: datetime | None,
        consents: ConsentLedger | None,
        keys: KeyRing | None,
        sink: _Rejected | None,
        progress: Progress,
    ) -> None:
        self.at = at
        self.consents = consents
        self.keys = keys
        self.sink = sink
        self.progress = progress


def _run_columnar(
    policy: Policy,
    purpose: str,
    source: ColumnarSource,
    *,
    target: IO[bytes],
    fmt_out: str,
    columns: Sequence[str],
    run: _Run,
    failure: dict[str, Any],
) -> Counter[str]:
    """Enforce ``purpose`` on ``source`` batch by batch and write what the row path writes.

    Denied rows and unreadable records reach ``--rejected`` through the row path's own sink:
    each batch's denied records, read as the row path reads them, go through
    :func:`gdprkit.enforce` (their reasons are the row path's, all of them, and its consent
    source is asked in bulk); it must deny every one (the two engines agree, else the run stops).
    For JSON Lines output, a field dropped for one row alone is left out of that row's object,
    as the row path leaves it out (the stream says which cells were dropped,
    :attr:`gdprkit.frames.BatchResult.dropped`).
    """
    from gdprkit._cli_columnar import BatchWriter  # noqa: PLC0415
    from gdprkit.frames import enforce_batches  # noqa: PLC0415

    chunks: deque[Chunk] = deque()

    def tables() -> Iterator[Any]:
        for chunk in source:
            chunks.append(chunk)
            yield chunk.table

    stream = enforce_batches(
        policy,
        tables(),
        purpose,
        at=run.at,
        consents=run.consents,
        keys=run.keys,
        schema=source.schema,
    )
    counts: Counter[str] = Counter()
    failure.update(at=stream.at, counts=counts)  # counts so far, should it fail
    writer = BatchWriter(fmt_out, target, columns, stream.schema)
    plan = compile_plan(policy, purpose)
    again = _RowPath(policy, purpose, stream.at, run)
    known = _ReasonsByCode(plan, policy.subject.id)
    try:
        for result in stream:
            chunk = chunks.popleft()
            counts.update({code: n for code, n in result.counts.items() if n})
            if chunk.unreadable:
                counts["record.invalid"] += len(chunk.unreadable)
            denied = result.rejected.column("row").to_numpy() - result.start
            if run.sink is not None and (denied.size or chunk.unreadable):
                _reject(run.sink, result, chunk, denied=denied, again=again, known=known)
            if any(len(mask) != result.allowed.num_rows for mask in result.dropped.values()):
                raise _disagreement()  # never guess which cells were dropped
            writer.write(result.allowed, result.dropped)
            run.progress.update(source.rows)
    finally:
        source.close()  # the reader's threads end now, also on failure or interruption
    writer.close()
    return +counts  # no code counted zero times, as in the row path's counts


#: The plan's reasons for dropping one field of an allowed record (checks 16, 18, 19): never
#: the reason of a denial (a required field dropped is denied with the field's own reason).
_FIELD_REASONS = frozenset({"r_not_explicit", "r_field_expired", "r_field_anchor"})


class _ReasonsByCode:
    """The denial reason of a rejected row from its code and article, where the plan holds one
    denial reason (one field) for them: every reason a denial can carry is a reason of the
    plan, made when it compiled (a required field dropped: the same code, article and field as
    the field's own reason). Where two fields share a code and article (two ``when``
    conditions, say), the row path decides the row again. ``tests/cli/test_cli_columnar.py``
    holds the entries equal to the row path's, byte for byte."""

    def __init__(self, plan: Any, subject_field: str | None) -> None:  # noqa: ANN401 - a _Plan
        fields: dict[tuple[str, str], set[str | None]] = {}
        found: dict[tuple[str, str], Reason] = {}

        def add(value: object) -> None:
            if isinstance(value, Reason):
                key = (value.code, value.article)
                fields.setdefault(key, set()).add(value.field)
                found.setdefault(key, value)

        for name in dir(plan):
            if name.startswith("r_") and name not in _FIELD_REASONS:
                value = getattr(plan, name, None)
                if isinstance(value, Mapping):
                    for item in value.values():
                        add(item)
                else:
                    add(value)
        self.reasons = {key: found[key] for key, names in fields.items() if len(names) == 1}
        self.subject = subject_field


def _reject(
    sink: _Rejected,
    result: Any,  # noqa: ANN401 - a BatchResult
    chunk: Chunk,
    *,
    denied: Any,  # noqa: ANN401 - a numpy array
    again: _RowPath,
    known: _ReasonsByCode,
) -> None:
    """The ``--rejected`` entries of a batch, in row order: denied rows whose reason the code
    and article tell (:class:`_ReasonsByCode`), the others and the unreadable records through
    the row path."""
    codes = result.rejected.column("code").to_pylist()
    articles = result.rejected.column("article").to_pylist()
    reasons = [known.reasons.get((c, a)) for c, a in zip(codes, articles, strict=True)]
    told = [i for i, reason in enumerate(reasons) if reason is not None]
    untold = [i for i, reason in enumerate(reasons) if reason is None]
    entries: list[tuple[int, int | None, str | None, Sequence[Reason], dict[str, Any] | None]] = []
    if told:
        where = denied[told]
        table = chunk.table
        subjects: list[object] = (
            table.column(known.subject).take(where).to_pylist()
            if known.subject is not None and known.subject in table.column_names
            else [None] * len(told)
        )
        records: list[dict[str, Any]] | list[None] = (
            table.take(where).to_pylist() if sink.whole else [None] * len(told)
        )
        lines = chunk.lines
        numbers = chunk.numbers[where].tolist()
        at_lines = [None] * len(told) if lines is None else lines[where].tolist()
        for i, number, line, subject, record in zip(
            told, numbers, at_lines, subjects, records, strict=True
        ):
            reason = reasons[i]
            assert reason is not None  # noqa: S101 - told holds known reasons only
            entries.append((number, line, subject_key(subject), (reason,), record))
    slow: list[Any] = _records(chunk, denied[untold]) if untold else []
    slow.extend(chunk.unreadable)
    if slow:
        for item, decision in again.deny(slow):
            subject = None
            if known.subject is not None and isinstance(item, Mapping):
                subject = subject_key(item.get(known.subject))
            whole = dict(item) if sink.whole and isinstance(item, Mapping) else None
            entries.append((item.row, item.line, subject, decision.reasons, whole))
    entries.sort(key=lambda entry: entry[0])
    for entry in entries:
        sink.write(*entry)


def _records(chunk: Chunk, positions: Any) -> list[Row]:  # noqa: ANN401 - a numpy array
    """The records at ``positions`` of the chunk, as the row path reads them."""
    if not len(positions):
        return []
    values = chunk.table.take(positions).to_pylist()
    lines = chunk.lines
    return [
        Row(value, int(chunk.numbers[p]), None if lines is None else int(lines[p]))
        for value, p in zip(values, positions.tolist(), strict=True)
    ]


class _RowPath:
    """The row path on a few records of a batch, as the run would have decided them."""

    def __init__(self, policy: Policy, purpose: str, at: datetime, run: _Run) -> None:
        self._policy = policy
        self._purpose = purpose
        self._at = at
        self._run = run

    def _enforce(self, records: list[Any], rejected: Any) -> list[dict[str, Any]]:  # noqa: ANN401
        run = self._run
        stream = enforce(
            self._policy,
            records,
            self._purpose,
            at=self._at,
            consents=run.consents,
            keys=run.keys,
            rejected=rejected,
        )
        return list(stream)

    def deny(self, records: list[Any]) -> list[tuple[Any, Decision]]:
        """The row path's decisions on ``records`` (with each record), which it must deny."""
        refused: list[tuple[Any, Decision]] = []
        if self._enforce(records, lambda record, decision: refused.append((record, decision))):
            raise _disagreement()
        if len(refused) != len(records):
            raise _disagreement()
        return refused


def _disagreement() -> CliError:
    return CliError(
        "internal error: the columnar engine and the row engine disagree on a record of this "
        "input; please report it (GDPRKIT_CLI_ENGINE=row runs the row engine alone)",
        DATA_PROBLEM,
    )


def _all_denied(counts: Mapping[str, int], description: str) -> int:
    """Say loudly when every record was denied for one reason: it is almost always a format
    problem. Exit 1 (a data problem) when that reason is ``record.invalid`` (no record could
    be read at all), else 0 (every record was read and decided)."""
    denied = {code: n for code, n in counts.items() if code != "processed" and n}
    if counts.get("processed", 0) or len(denied) != 1:
        return 0
    ((code, number),) = denied.items()
    _say(
        f"warning: all {number:,} rows were denied with code {code!r}: likely a format "
        f"problem (delimiter? date format? encoding?); the input was read as {description}"
    )
    return DATA_PROBLEM if code == "record.invalid" else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
