"""The ``gdprkit`` command.

    gdprkit check POLICY                 load and lint a policy (exit 1 on errors)
    gdprkit schema                       the JSON Schema of the policy format, for editors
    gdprkit ropa POLICY [--json]         the Art. 30 record of processing activities
    gdprkit notice POLICY [--purpose P]  the Art. 13 information notice, in Markdown
    gdprkit enforce POLICY PURPOSE IN OUT [--rejected F] [--at ISO] [--ledger URL] [--audit F]
                                         stream CSV, JSON Lines or Parquet through a purpose
    gdprkit sweep POLICY URL TABLE [--dry-run] [--at ISO] [--anonymous-table T] [--audit F]
                                         storage limitation over a database table
    gdprkit keys generate [--id k1]      a new key ring, in the GDPRKIT_KEYS format
    gdprkit keys rotate                  the ring in $GDPRKIT_KEYS with a new active key
    gdprkit audit verify FILE [--expected-head HASH]
                                         check an audit trail (exit 1 at the first broken line)
    gdprkit audit show FILE              print an audit trail's events as JSON Lines

The command reads the clock once per run (``--at`` overrides it), keys from the environment
(``GDPRKIT_KEYS``, or ``--keys-file``), and prints counts and codes, never record values.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from gdprkit._audit import AuditLog, policy_digest
from gdprkit._consent import ConsentLedger
from gdprkit._decision import Decision, compile_plan
from gdprkit._enforce import enforce
from gdprkit._errors import AuditError, GdprkitError, PolicyError
from gdprkit._lint import lint
from gdprkit._policy import Policy, load_policy
from gdprkit._pseudonymise import KeyRing
from gdprkit._reports import privacy_notice, processing_register, render_register

__all__ = ["main"]

_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status (0 ok, 1 findings or denials asked for, 2 usage)."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except PolicyError as exc:
        print(
            f"gdprkit: the policy cannot be loaded ({len(exc.problems)} problems):", file=sys.stderr
        )
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except (GdprkitError, OSError, ValueError) as exc:
        print(f"gdprkit: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gdprkit", description="GDPR policy enforcement for data pipelines."
    )
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    check = sub.add_parser("check", help="load and lint a policy")
    check.add_argument("policy", type=Path)
    check.add_argument("--strict", action="store_true", help="warnings fail too")
    check.set_defaults(run=_check)

    schema = sub.add_parser("schema", help="the JSON Schema of the policy format")
    schema.set_defaults(run=_schema)

    ropa = sub.add_parser("ropa", help="the Art. 30 record of processing activities")
    ropa.add_argument("policy", type=Path)
    ropa.add_argument("--json", action="store_true", help="JSON instead of Markdown")
    ropa.set_defaults(run=_ropa)

    notice = sub.add_parser("notice", help="the Art. 13 information notice (Markdown)")
    notice.add_argument("policy", type=Path)
    notice.add_argument(
        "--purpose", action="append", dest="purposes", help="only these purposes (repeatable)"
    )
    notice.set_defaults(run=_notice)

    run = sub.add_parser("enforce", help="stream a file of records through a purpose")
    run.add_argument("policy", type=Path)
    run.add_argument("purpose")
    run.add_argument("input", help="CSV, JSON Lines or Parquet file ('-': JSON Lines on stdin)")
    run.add_argument("output", help="CSV, JSON Lines or Parquet file ('-': JSON Lines on stdout)")
    run.add_argument("--rejected", help="JSON Lines file receiving denied records' reasons")
    run.add_argument("--at", help="the moment to decide at (ISO 8601 with offset); default now")
    run.add_argument("--ledger", help="consent ledger URL (e.g. sqlite:///consents.db)")
    run.add_argument("--keys-file", type=Path, help="key ring file (default: $GDPRKIT_KEYS)")
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
    return parser


# -- check, schema ------------------------------------------------------------------------


def _check(args: argparse.Namespace) -> int:
    policy = load_policy(args.policy)
    findings = lint(policy)
    for finding in findings:
        print(finding)
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    print(
        f"{args.policy}: {len(policy.purposes)} purposes, {len(policy.fields)} fields; "
        f"{errors} errors, {warnings} warnings"
    )
    return 1 if errors or (args.strict and warnings) else 0


def _schema(_args: argparse.Namespace) -> int:
    print(json.dumps(Policy.model_json_schema(by_alias=True), indent=2))
    return 0


def _ropa(args: argparse.Namespace) -> int:
    register = processing_register(load_policy(args.policy))
    print(json.dumps(register, indent=2) if args.json else render_register(register))
    return 0


def _notice(args: argparse.Namespace) -> int:
    print(privacy_notice(load_policy(args.policy), args.purposes))
    return 0


def _parse_at(text: str | None) -> datetime | None:
    if text is None:
        return None
    at = datetime.fromisoformat(text)
    if at.tzinfo is None:
        raise ValueError("--at needs an offset, e.g. 2026-01-31T00:00:00+01:00")
    return at


def _sweep(args: argparse.Namespace) -> int:
    from gdprkit.integrations.sqlalchemy import sweep_table  # noqa: PLC0415 - optional extra

    policy = load_policy(args.policy)
    audit = _open_audit(args.audit)
    at = _parse_at(args.at)
    failure = {"table": args.table, "dry_run": args.dry_run}
    with _failure_recorded(audit, "sweep.failed", policy, at, failure), ExitStack() as stack:
        ledger = None
        if args.ledger:
            ledger = ConsentLedger(args.ledger)
            stack.callback(ledger.close)
        report = sweep_table(
            args.url,
            args.table,
            policy,
            at=at,
            consents=ledger,
            dry_run=args.dry_run,
            batch_size=args.batch_size,
            anonymous_table=args.anonymous_table,
        )
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
    if audit is not None:
        audit.record_sweep(policy, report=report, table=args.table)
    print(json.dumps(summary, indent=2))
    return 0


# -- audit --------------------------------------------------------------------------------


def _open_audit(path: Path | None) -> AuditLog | None:
    """The audit trail a run records into, checked before the run: a run whose record cannot
    be appended (a torn or edited last line, an unwritable file) does not start."""
    if path is None:
        return None
    log = AuditLog(path)
    log.head()
    return log


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
                    error=type(exc).__name__,
                    **payload,
                )
            except AuditError as audit_exc:  # the run's own failure is the one to report
                exc.add_note(f"gdprkit: the failure could not be recorded: {audit_exc}")
        raise


def _audit_verify(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise OSError(f"no audit trail at {str(args.file)!r}")
    log = AuditLog(args.file)
    try:
        head = log.verify(args.expected_head)
    except AuditError as exc:
        print(f"gdprkit: {args.file}: {exc}", file=sys.stderr)
        print(json.dumps({"ok": False, "line": exc.line, "kind": exc.kind}))
        return 1
    # The verified head's number (events appended since by another process are not counted).
    count = next((e.seq for e in log.events() if e.hash == head), 0)
    print(json.dumps({"ok": True, "head": head, "events": count}))
    return 0


def _audit_show(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise OSError(f"no audit trail at {str(args.file)!r}")
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
        raise ValueError(f"unknown file type {Path(name).suffix!r}: use .csv, .jsonl or .parquet")
    return fmt


def _read(name: str, stack: ExitStack) -> Iterator[Any]:
    fmt = _format(name)
    if fmt == "parquet":
        return _read_parquet(name)
    handle: IO[str] = (
        sys.stdin if name == "-" else stack.enter_context(open(name, encoding="utf-8", newline=""))  # noqa: SIM115 - closed by the stack
    )
    if fmt == "csv":
        return (_blank_to_none(row) for row in csv.DictReader(handle))
    return _read_jsonl(handle)


def _blank_to_none(row: Mapping[str, Any]) -> dict[str, Any]:
    """CSV has no null: an empty cell is an absent value."""
    return {k: (None if v == "" else v) for k, v in row.items()}


def _read_jsonl(handle: IO[str]) -> Iterator[Any]:
    for number, line in enumerate(handle, 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            # The record cannot be read: it goes on as a non-mapping, denied record.invalid.
            yield _Unreadable(number)
            continue
        yield value


class _Unreadable:
    """A JSON Lines line that is not JSON: not a mapping, so denied ``record.invalid``."""

    __slots__ = ("line",)

    def __init__(self, line: int) -> None:
        self.line = line

    def __repr__(self) -> str:
        return f"<unreadable line {self.line}>"


def _read_parquet(name: str) -> Iterator[dict[str, Any]]:
    try:
        import pyarrow.parquet as pq  # noqa: PLC0415 - optional extra
    except ImportError as exc:  # pragma: no cover - depends on the extra
        raise ImportError("Parquet needs pyarrow: pip install 'gdprkit[arrow]'") from exc
    for batch in pq.ParquetFile(name).iter_batches():
        yield from batch.to_pylist()


class _Writer:
    """Writes records to CSV (columns from the first record), JSON Lines or Parquet."""

    def __init__(self, name: str, stack: ExitStack, columns: Sequence[str]) -> None:
        self.fmt = _format(name)
        self.columns = list(columns)
        self.name = name
        self._csv: csv.DictWriter[str] | None = None
        self._rows: list[dict[str, Any]] = []
        self._parquet: Any = None
        if self.fmt == "parquet":
            self.handle: IO[str] = io.StringIO()
            stack.callback(self._close_parquet)
        elif name == "-":
            self.handle = sys.stdout
        else:
            self.handle = stack.enter_context(open(name, "w", encoding="utf-8", newline=""))  # noqa: SIM115 - closed by the stack

    def write(self, row: Mapping[str, Any]) -> None:
        if self.fmt == "jsonl":
            self.handle.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        elif self.fmt == "csv":
            if self._csv is None:
                self._csv = csv.DictWriter(
                    self.handle, fieldnames=self.columns, lineterminator="\n"
                )
                self._csv.writeheader()
            self._csv.writerow(row)
        else:
            self._rows.append(dict(row))
            if len(self._rows) >= 65_536:
                self._flush_parquet()

    def _flush_parquet(self) -> None:
        import pyarrow as pa  # noqa: PLC0415 - optional extra
        import pyarrow.parquet as pq  # noqa: PLC0415 - optional extra

        if not self._rows:
            return
        table = pa.Table.from_pylist(self._rows)
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self.name, table.schema)
        self._parquet.write_table(table)
        self._rows.clear()

    def _close_parquet(self) -> None:
        self._flush_parquet()
        if self._parquet is not None:
            self._parquet.close()


def _columns(policy: Policy, purpose: str) -> list[str]:
    """Every field the purpose can output, in the policy's order: the CSV header."""
    plan = compile_plan(policy, purpose)
    return [
        name
        for name, field in plan.fields.items()
        if field.drop is None and (field.transform is None or field.transform[0] != "drop")
    ]


def _enforce(args: argparse.Namespace) -> int:
    policy = load_policy(args.policy)
    at = _parse_at(args.at)
    audit = _open_audit(args.audit)
    keys: KeyRing | None = None
    if args.keys_file is not None:
        keys = KeyRing.from_file(args.keys_file)
    else:
        try:
            keys = KeyRing.from_env()
        except GdprkitError:
            keys = None  # enforce raises ConfigurationError if the purpose needs keys
    failure: dict[str, Any] = {"purpose": args.purpose}
    with _failure_recorded(audit, "enforce.failed", policy, at, failure), ExitStack() as stack:
        ledger = None
        if args.ledger:
            ledger = ConsentLedger(args.ledger)
            stack.callback(ledger.close)
        out = _Writer(args.output, stack, _columns(policy, args.purpose))
        rejected_out = None
        if args.rejected:
            rejected_out = stack.enter_context(open(args.rejected, "w", encoding="utf-8"))

        def rejected(record: object, decision: Decision) -> None:
            # The rejected sink holds the records themselves (nothing is lost): a file the
            # operator named, like the output, never a log or a message.
            if rejected_out is not None:
                reasons = [
                    {"code": r.code, "article": r.article, "field": r.field, "message": r.message}
                    for r in decision.reasons
                ]
                entry = {"record": record, "reasons": reasons}
                rejected_out.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")

        stream = enforce(
            policy,
            _read(args.input, stack),
            args.purpose,
            at=at,
            consents=ledger,
            keys=keys,
            rejected=rejected,
        )
        failure.update(at=stream.at, counts=stream.counts)  # counts so far, should it fail
        progress = not args.quiet and sys.stderr.isatty()
        for row in stream:
            out.write(row)
            if progress and stream.processed % 100_000 == 0:
                print(f"\r{stream.processed:,} processed", end="", file=sys.stderr)
        counts = stream.counts
    if audit is not None:
        audit.record_enforce(policy, stream)
    if progress:
        print(file=sys.stderr)
    summary = {"purpose": args.purpose, **dict(sorted(counts.items()))}
    print(json.dumps(summary), file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
