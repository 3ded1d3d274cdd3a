# ruff: noqa: S101, S311 - a fuzz target asserts its oracles; its randomness is not security
"""Fuzz target for load_policy, validate, decide, enforce, the CLI's readers and sweep_table.

Each input is read by a small byte consumer (:class:`Bytes`). Its first byte chooses the target
(``% 8``):

* 0, 4 ``load``: the rest is a policy document (YAML, JSON or TOML by the second byte), loaded
  from a file through ``load_policy``. Only :class:`gdprkit.PolicyError` may come out. A policy
  that loads is then used for the record targets below.
* 1, 5 ``record``: a record built from the bytes (declared and undeclared keys; text, numbers,
  NaN, None, bytes, nested containers, dates, naive and aware datetimes) goes through
  ``validate``, ``decide`` (every purpose, with and without a ledger), ``Decision.apply`` and
  ``enforce`` against the example CRM policy. Nothing may raise (but ``ConfigurationError``
  when a purpose takes consent from a consent source and none was given), and the invariants of
  design.md §6 are checked: a denial has exactly one known reason and no fields; allowed fields
  are declared ones; no reason or violation quotes a text value of the record.
* 2, 6 ``cli``: a CSV or JSON Lines file built from the bytes (delimiters ``,`` ``;`` tab,
  BOM, quoting right and wrong, CR/LF, Latin-1 and broken UTF-8, duplicate and undeclared
  columns, non-object JSON lines) goes through ``gdprkit enforce`` (``gdprkit.cli.main``) in a
  private directory, for a purpose of the example policy, with or without ``--rejected`` and a
  SQLite ``--ledger``. 3 ``cli-raw``: the rest of the bytes *are* the file.
  Oracle: ``main`` returns (or exits) 0, 1 or 2 and raises nothing else; stderr holds no
  traceback, no raw control character and no value of the file (a cell or JSON value of eight
  characters or more with an ``@`` or four digits in a row, or one of the planted
  identifiers).
* 7 ``sweep``: a SQLite table in a private directory (some declared columns, maybe an
  undeclared one, a text, integer or no primary key) with rows of fuzzed values (text, numbers,
  blobs, NULL, blank ids, text that is not UTF-8) goes through ``sweep_table`` (dry run or not,
  with or without a ledger and an anonymous table). Only a ``GdprkitError`` may come out, and
  neither it (message, repr, chained causes) nor the report quotes a value of the table.

Run (``make fuzz``)::

    python fuzz/fuzz_gdprkit.py .fuzz/corpus fuzz/corpus -runs=20000      # atheris (libFuzzer)
    python fuzz/fuzz_gdprkit.py --random 5000 [--seed 1]                  # no atheris needed
    python fuzz/fuzz_gdprkit.py --replay fuzz/corpus                      # re-run saved inputs
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import random
import re
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

PURE = "--random" in sys.argv or "--replay" in sys.argv
try:
    import atheris
except ImportError:  # the pure-Python modes below work without it
    atheris = None

if PURE:
    atheris = None  # no instrumentation: plain Python speed

if atheris is not None:
    with atheris.instrument_imports(include=["gdprkit"]):
        from gdprkit import (
            ARTICLES,
            ConfigurationError,
            ConsentLedger,
            Evidence,
            GdprkitError,
            KeyRing,
            Policy,
            PolicyError,
            decide,
            enforce,
            load_policy,
            validate,
        )
        from gdprkit.cli import main as cli_main
        from gdprkit.integrations.sqlalchemy import sweep_table
else:
    from gdprkit import (
        ARTICLES,
        ConfigurationError,
        ConsentLedger,
        Evidence,
        GdprkitError,
        KeyRing,
        Policy,
        PolicyError,
        decide,
        enforce,
        load_policy,
        validate,
    )
    from gdprkit.cli import main as cli_main
    from gdprkit.integrations.sqlalchemy import sweep_table

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_PATH = ROOT / "examples" / "crm" / "policy.yaml"
EXAMPLE = load_policy(EXAMPLE_PATH)
KEYS = KeyRing({"k1": bytes(range(32))})
ZONES = (UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-11, minutes=-30)))
SUFFIXES = (".yaml", ".json", ".toml", ".yml")
# A private directory (mkdtemp: mode 0700) in memory where there is one: a file per input.
SHM = Path("/dev/shm")  # noqa: S108 - only the parent of a private mkdtemp directory
TMP = Path(tempfile.mkdtemp(prefix="gdprkit-fuzz-", dir=SHM if SHM.is_dir() else None))
LEDGER = ConsentLedger()
LEDGER.give("C-1", "profiling", at=datetime(2024, 1, 1, tzinfo=UTC), evidence=Evidence("app"))
LEDGER.give("C-1", "allergen_alerts", at=datetime(2024, 1, 1, tzinfo=UTC), explicit=True)
LEDGER.object("C-2", at=datetime(2024, 1, 1, tzinfo=UTC))
LEDGER.request_erasure("C-3", at=datetime(2024, 1, 1, tzinfo=UTC))
IDENTIFIER = re.compile(r"@|[0-9]{4}")
WORDS = (
    "customer_id", "email", "phone", "source", "relationship", "country", "store", "web_form",
    "customer", "lead", "sì", "true", "1", "IT", "2025-01-01", "01/02/2025", "C-1", "C-2", "C-3",
    "luca@example.it", "+39 333 1234567", "RSSMRA85T10A562S", "P12M", "consent", "contract",
)  # fmt: skip


class Bytes:
    """Consumes fuzz input: the same reading in atheris and in the random modes."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def byte(self) -> int:
        if self.pos >= len(self.data):
            return 0
        self.pos += 1
        return self.data[self.pos - 1]

    def int(self, size: int = 4) -> int:
        value = 0
        for _ in range(size):
            value = value << 8 | self.byte()
        return value

    def text(self, limit: int = 40) -> str:
        n = self.byte() % (limit + 1)
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk.decode("utf-8", "surrogateescape" if self.byte() & 1 else "replace")

    def rest(self) -> bytes:
        chunk = self.data[self.pos :]
        self.pos = len(self.data)
        return chunk

    def pick(self, items: tuple[Any, ...] | list[Any]) -> Any:  # noqa: ANN401 - any item type
        return items[self.byte() % len(items)]


def value(b: Bytes, depth: int = 0) -> object:
    kind = b.byte() % 20
    if kind == 0:
        return None
    if kind == 1:
        return b.text()
    if kind == 2:
        return b.pick(WORDS)
    if kind == 3:
        return b.int(8) - 2**63
    if kind == 4:
        return b.pick((math.nan, math.inf, -0.0, 1.0, 0.5, 1e308))
    if kind == 5:
        return bool(b.byte() & 1)
    if kind == 6:
        return b.text().encode("utf-8", "surrogatepass")
    if kind == 7 and depth < 4:
        return [value(b, depth + 1) for _ in range(b.byte() % 3)]
    if kind == 8 and depth < 4:
        return {b.pick(WORDS): value(b, depth + 1) for _ in range(b.byte() % 3)}
    if kind == 9:
        return date.fromordinal(1 + b.int(3) % date.max.toordinal())
    if kind == 10:
        moment = datetime.min + timedelta(seconds=b.int(5) % 315_537_897_599)
        return moment.replace(tzinfo=b.pick(ZONES)) if b.byte() & 1 else moment
    if kind == 11:
        return 10 ** (4000 + b.byte() * 10)  # beyond Python's int-to-text limit
    if kind == 12:
        return b.pick(WORDS) + b.text(8)
    if kind == 13:
        return "x" * (b.int(3) % 2_000_000)
    if kind == 14:
        return f"{b.byte() % 40:02d}/{b.byte() % 15:02d}/{b.int(2) % 10000:04d}"
    if kind == 15:
        return datetime(2000 + b.byte() % 40, 1 + b.byte() % 12, 1 + b.byte() % 28).isoformat()
    return b.text(12)


def record(b: Bytes, policy: Policy) -> object:
    if b.byte() % 16 == 0:
        return value(b)  # not a mapping at all
    names = sorted(policy.fields)
    out: dict[Any, Any] = {}
    for _ in range(b.byte() % 16):
        key = b.pick(names) if b.byte() % 4 else b.pick((b.text(10), b.byte(), None, (1, 2)))
        out[key] = value(b)
    return out


def moment(b: Bytes) -> datetime:
    seconds = b.int(5) % 315_537_897_599
    base = datetime.min.replace(tzinfo=UTC) + timedelta(seconds=seconds)
    if b.byte() & 1:
        base = datetime(2015, 1, 1, tzinfo=UTC) + timedelta(seconds=b.int(4))
    return base.astimezone(b.pick(ZONES)) if base.year not in (1, 9999) else base


def check_decision(
    policy: Policy, rec: object, purpose: str, at: datetime, consents: ConsentLedger | None
) -> None:
    decision = decide(policy, rec, purpose, at=at, consents=consents)
    texts = [str(r) for r in (*decision.reasons, *decision.dropped.values())]
    for reason in (*decision.reasons, *decision.dropped.values()):
        assert ARTICLES[reason.code] == reason.article, reason.code
    if decision.allowed:
        assert decision.reasons == ()
        assert all(isinstance(f, str) and f in policy.fields for f in decision.fields)
        out = decision.apply(rec, KEYS)
        assert set(out) <= decision.fields
    else:
        assert len(decision.reasons) == 1
        assert decision.fields == frozenset()
        assert decision.apply(rec, KEYS) == {}
    if isinstance(rec, dict):
        # Values shaped like identifiers (an "@", or four digits in a row) must never appear in
        # a reason: messages are built from field and purpose names, codes and articles only.
        names = " ".join(str(k) for k in rec)
        for v in rec.values():
            if isinstance(v, str) and IDENTIFIER.search(v) and v not in names:
                for text in texts:
                    assert v.strip() not in text, "a reason quotes a value"


def exercise(policy: Policy, b: Bytes) -> None:
    rec = record(b, policy)
    violations = validate(policy, rec)
    assert isinstance(violations, list)
    at = moment(b)
    for purpose in sorted(policy.purposes):
        consents = LEDGER if b.byte() & 1 and policy.subject.id is not None else None
        check_decision(policy, rec, purpose, at, consents)
        needs = any(
            t.method in ("token", "encrypt") for t in policy.purposes[purpose].transform.values()
        )
        try:
            stream = enforce(
                policy,
                [rec, rec],
                purpose,
                at=at,
                consents=consents,
                keys=KEYS if needs or b.byte() & 1 else None,
            )
        except ConfigurationError as exc:
            # A purpose taking consent from a consent source, run without one (design.md §6).
            assert consents is None, "enforce refused a run that had its consent source"
            assert "consent" in str(exc), "an unexpected ConfigurationError"  # noqa: PT017
            continue
        assert len(list(stream)) == stream.processed
        assert stream.processed + stream.denied == 2


# -- the CLI's readers: gdprkit enforce on a fuzzed CSV or JSON Lines file -------------------

os.environ["GDPRKIT_KEYS"] = KEYS.export()  # the CLI reads its keys from the environment
AT = "2026-06-01T09:00:00+02:00"
PURPOSES = tuple(sorted(EXAMPLE.purposes))
NAMES = tuple(sorted(EXAMPLE.fields))
# Values a CRM export holds: every one identifies someone, none may ever reach a message.
PLANTED = (
    "luca.bruno@gmail.com", "RSSMRA85T10A562S", "+39 333 1234567", "BV-0000042",
    "00393783363714", "giulia.bianchi@libero.it", "Via Roma 12, 20121 Milano",
    "IT60X0542811101000000123456",
)  # fmt: skip
CELLS = (
    "", " ", "sì", "SI", "x", "X", "S", "\u017fi", "no", "true", "0", "1", "1001", "1001.0",
    " 1001\n",
    "IT", "DE", "web_form", "store", "social_network", "customer", "lead", "2025-01-10",
    "15/01/2026", "30/02/2015", "1 Mar", "00:00", "1/7/45", "1 marzo 2026", "NaN", "null",
    "2024-12-06T09:00:00+00:00", "86,40", "86.40", "\\N", "N/A",
)  # fmt: skip
CONTROL = (
    "".join(map(chr, [*range(32), 127, *range(0x80, 0xA0)]))
    .replace("\n", "")
    .replace("\r", "")
    .replace("\t", "")
)
SEPARATORS = re.compile(r"[\x00-\x20,;|:{}\[\]\"'\\]+")
SHAPED = re.compile(r"@|[0-9]{4}")
UNEXPECTED = re.compile(r"\bunexpected [A-Z][A-Za-z]*(Error|Exception)\b|Traceback")
with (ROOT / "examples" / "crm" / "customers.csv").open(encoding="utf-8", newline="") as _f:
    _rows = list(csv.reader(_f))
HEADER, SAMPLE = _rows[0], _rows[1:41]  # the example export: records that mostly go through
LEDGER_URL = f"sqlite:///{TMP / 'ledger.db'}"
with contextlib.closing(ConsentLedger(LEDGER_URL)) as _ledger:
    _ledger.give(
        "BV-0000001", "profiling", at=datetime(2024, 1, 1, tzinfo=UTC), evidence=Evidence("app")
    )
    _ledger.request_erasure("BV-0000002", at=datetime(2024, 1, 1, tzinfo=UTC))
    _ledger.object("1001", at=datetime(2024, 1, 1, tzinfo=UTC))


def cell(b: Bytes) -> str:
    kind = b.byte() % 8
    if kind == 0:
        return b.pick(PLANTED)
    if kind == 1:
        return b.pick(PLANTED) + b.text(6)
    if kind == 2:
        return b.text(24)
    if kind == 3:  # quotes, separators and control characters inside a value
        return (
            b.pick(CELLS)
            + b.pick(('"', ";", ",", "\n", "\r\n", "\x1b[2J", "\x00", "\t"))
            + b.text(6)
        )
    return b.pick(CELLS)


def csv_file(b: Bytes) -> tuple[bytes, list[str], list[str]]:
    """A CSV export: (bytes, column names, data values)."""
    delimiter = b.pick((",", ";", "\t", "|", ","))
    newline = b.pick(("\n", "\r\n", "\r", "\n"))
    quote_all = b.byte() % 3 == 0

    def line(cells: list[str]) -> str:
        out = []
        for c in cells:
            needs = quote_all or any(ch in c for ch in (delimiter, '"', "\n", "\r"))
            # now and then a value is not quoted as it should be
            out.append('"' + c.replace('"', '""') + '"' if needs and b.byte() % 16 else c)
        return delimiter.join(out)

    sample = b.byte() % 3 != 0  # rows of the example export, some cells replaced
    width = len(HEADER) if sample else 1 + b.byte() % 8
    names = (
        list(HEADER)
        if sample
        else [b.pick(NAMES) if b.byte() % 6 else b.text(8) for _ in range(width)]
    )
    values: list[str] = []
    lines = [line(names)]
    for _ in range(b.byte() % 6):
        cells = list(b.pick(SAMPLE)) if sample else [cell(b) for _ in range(width)]
        for _ in range(b.byte() % 4):
            cells[b.byte() % width] = cell(b)
        cells = cells[: width + b.pick((0, 0, 0, 0, -1))] + [cell(b)] * (b.byte() % 8 == 0)
        values += cells
        lines.append(line(cells))
    text = newline.join(lines) + (newline if b.byte() & 1 else "")
    encoding = b.pick(("utf-8", "utf-8", "utf-8-sig", "cp1252", "utf-16"))
    data = text.encode(encoding, "replace")
    if b.byte() % 8 == 0:  # a byte that is not UTF-8 somewhere
        at = b.int(2) % (len(data) + 1)
        data = data[:at] + b.pick((b"\xff", b"\xc3", b"\x80", b"\xed\xa0\x80")) + data[at:]
    return data, names, values


def json_value(b: Bytes, depth: int = 0) -> object:
    kind = b.byte() % 10
    if kind == 0:
        return None
    if kind == 1:
        return b.int(4) - 2**31
    if kind == 2:
        return b.pick((1.5, 1001.0, -0.0, 1e308, math.nan, math.inf))
    if kind == 3:
        return bool(b.byte() & 1)
    if kind == 4 and depth < 3:
        return [json_value(b, depth + 1) for _ in range(b.byte() % 3)]
    if kind == 5 and depth < 3:
        return {b.pick(NAMES): json_value(b, depth + 1) for _ in range(b.byte() % 3)}
    return cell(b)


def jsonl_file(b: Bytes) -> tuple[bytes, list[str], list[str]]:
    """A JSON Lines export: (bytes, keys, text values)."""
    lines: list[str] = []
    names: list[str] = []
    for _ in range(b.byte() % 6):
        kind = b.byte() % 8
        if kind == 0:
            lines.append(b.text(30))  # not JSON
        elif kind == 1:
            lines.append(json.dumps(json_value(b)))  # JSON, not an object
        elif kind == 2:
            lines.append("")
        else:
            keys = [b.pick(NAMES) if b.byte() % 6 else b.text(8) for _ in range(b.byte() % 8)]
            if kind > 4:  # a row of the example export, some values replaced or added
                keys = [*HEADER, *keys]
            names += keys
            sample = dict(zip(HEADER, b.pick(SAMPLE), strict=True))
            ascii_only = bool(b.byte() & 1)
            pairs = []
            for k in keys:
                v = sample.get(k) or None if k in sample and b.byte() % 4 else json_value(b)
                pairs.append(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=ascii_only)}")
            lines.append("{" + ", ".join(pairs) + "}")  # duplicate keys stay duplicate
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    return data, names, []


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def file_values(data: bytes, kind: str) -> tuple[set[str], set[str]]:
    """(names, values) of a file however the CLI may read it: CSV with every common delimiter
    (the first row: names), JSON Lines line by line (keys: names), words of what is neither."""
    text = data.decode("utf-8", "replace").lstrip("\ufeff")
    names: set[str] = set()
    values: set[str] = set()
    if kind == "csv":
        for delimiter in (",", ";", "\t", "|"):
            try:
                rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
            except csv.Error:
                continue
            for i, row in enumerate(rows):
                (names if i == 0 else values).update(row)
        values.update(SEPARATORS.split(text))
    else:
        for line in text.splitlines():
            try:
                parsed = json.loads(line)
            except ValueError:
                values.update(SEPARATORS.split(line))
                continue
            if isinstance(parsed, dict):
                names.update(parsed)
            values.update(_strings(parsed))
    return names, values


def secrets(values: set[str] | list[str], vocabulary: str) -> set[str]:
    """The values an output must never quote: planted identifiers, and every printable run of
    eight characters or more with an ``@`` or four digits in a row that the vocabulary (the
    policy, the command line, the column names) does not hold."""
    found = {p for p in PLANTED if any(p in v for v in values)}
    for value in values:
        for piece in re.split(r"[^\S ]|[\x00-\x1f\x7f-\x9f]", value):
            run = piece.strip()
            if len(run) >= 8 and SHAPED.search(run) and run not in vocabulary:
                found.add(run)
    return found


POLICY_TEXT = EXAMPLE_PATH.read_text("utf-8")


def check_quiet(where: str, text: str, hidden: set[str]) -> None:
    assert "Traceback" not in text, f"{where}: a traceback"
    bad = [ch for ch in text if ch in CONTROL]
    assert not bad, f"{where}: raw control characters {sorted(set(bad))!r}"
    quoted = sorted(v for v in hidden if v in text)
    assert not quoted, f"{where} quotes a value of the input: {quoted!r}"


def cli(b: Bytes, raw: bool) -> None:
    kind = b.pick(("csv", "jsonl", "csv"))
    suffix = {"csv": b.pick((".csv", ".CSV")), "jsonl": b.pick((".jsonl", ".ndjson"))}[kind]
    purpose = b.pick(PURPOSES) if b.byte() % 32 else "no_such_purpose"
    options: list[str] = []
    flags = b.byte()
    out_name = b.pick(("out.jsonl", "out.csv", "-"))
    if flags & 1:
        options += ["--rejected", str(TMP / "rejected.jsonl")]
    if flags & 6:
        options += ["--ledger", LEDGER_URL]
    if flags & 4:
        options += ["--quiet"]
    if raw:
        data = b.rest()
        names, values = file_values(data, kind)
    else:
        data, made_names, made_values = (csv_file if kind == "csv" else jsonl_file)(b)
        names, values = file_values(data, kind)
        names.update(made_names)
        values.update(made_values)
    source = TMP / f"in{suffix}"
    source.write_bytes(data)
    for leftover in ("out.jsonl", "out.csv", "rejected.jsonl"):
        (TMP / leftover).unlink(missing_ok=True)
    output = out_name if out_name == "-" else str(TMP / out_name)
    argv = ["enforce", str(EXAMPLE_PATH), purpose, str(source), output, "--at", AT, *options]
    vocabulary = "\n".join([POLICY_TEXT, *argv, *names])
    hidden = secrets(values - names, vocabulary)
    # Streams like the real ones (text over bytes, not terminals), captured.
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli_main(argv)
        except SystemExit as exc:
            code = exc.code
    assert code in (0, 1, 2), f"gdprkit enforce exited {code!r}"
    stderr = _captured(err)
    # A catch-all that names the exception instead of a problem is a crash by another name.
    assert not UNEXPECTED.search(stderr), f"the CLI hit an unexpected error: {stderr[-200:]!r}"
    check_quiet("stderr", stderr, hidden)
    if out_name != "-":
        check_quiet("stdout", _captured(out), hidden)


def _captured(stream: io.TextIOWrapper) -> str:
    stream.flush()
    raw = stream.buffer
    assert isinstance(raw, io.BytesIO)
    return raw.getvalue().decode("utf-8", "replace")


# -- sweep_table over a SQLite table of fuzzed rows ------------------------------------------


def sql_value(b: Bytes) -> tuple[str, object]:
    """(SQL expression, parameter) for one cell."""
    kind = b.byte() % 10
    if kind == 0:
        return "?", None
    if kind == 1:
        return "?", b.int(8) - 2**63
    if kind == 2:
        return "?", b.pick((1001.0, 0.5, math.inf, -0.0))
    if kind == 3:
        return "?", b.text(12).encode("utf-8", "surrogatepass")  # a BLOB
    if kind == 4:  # TEXT that is not UTF-8
        return "CAST(? AS TEXT)", b.pick(PLANTED).encode() + b.pick((b"\xff", b"\xc3(", b"\x80"))
    if kind == 5:
        return "?", b.pick(PLANTED)
    return "?", cell(b)


def sweep(b: Bytes) -> None:
    path = TMP / "crm.db"
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    columns = sorted({b.pick(NAMES) for _ in range(1 + b.byte() % 10)})
    if b.byte() % 4 == 0:
        columns.append("notes")  # undeclared
    key = b.pick(("customer_id", "rowid_pk", None))
    ddl = []
    if key == "rowid_pk":
        ddl.append("rowid_pk INTEGER PRIMARY KEY")
    if key == "customer_id" and "customer_id" not in columns:
        columns.insert(0, "customer_id")
    ddl += [f"{c} TEXT PRIMARY KEY" if c == key else f"{c} TEXT" for c in columns]
    values: list[str] = []
    con = sqlite3.connect(path)
    try:
        with con:
            con.execute(f"CREATE TABLE customers ({', '.join(ddl)})")
            for _ in range(b.byte() % 8):
                cells = [sql_value(b) for _ in columns]
                cells = [  # lone surrogates cannot be stored: SQLite text is UTF-8
                    (e, v.encode("utf-8", "replace").decode() if isinstance(v, str) else v)
                    for e, v in cells
                ]
                for _, v in cells:
                    if isinstance(v, bytes):
                        values.append(v.decode("utf-8", "replace"))
                    elif isinstance(v, str):
                        values.append(v)
                marks = ", ".join(expr for expr, _ in cells)
                con.execute(
                    f"INSERT OR IGNORE INTO customers ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608 - names from the policy
                    [v for _, v in cells],
                )
    finally:
        con.close()
    hidden = secrets(values, "\n".join([POLICY_TEXT, str(path), *columns]))
    flags = b.byte()
    at = datetime(2015, 1, 1, tzinfo=UTC) + timedelta(days=b.int(2) % 8000)
    try:
        report = sweep_table(
            f"sqlite:///{path}",
            "customers",
            EXAMPLE,
            at=at,
            consents=LEDGER if flags & 3 else None,
            dry_run=bool(flags & 4),
            batch_size=1 + b.byte() % 4,
            anonymous_table="customers_anonymous" if flags & 8 else None,
        )
    except GdprkitError as exc:
        texts = []
        seen: set[int] = set()
        error: BaseException | None = exc
        while error is not None and id(error) not in seen:  # what a traceback would print
            seen.add(id(error))
            texts += [str(error), repr(error)]
            error = error.__cause__ or error.__context__
        check_quiet("sweep_table's error", "\n".join(texts), hidden)
        return
    check_quiet("sweep_table's report", f"{report}\n{report!r}", hidden)


def test_one_input(data: bytes) -> None:
    b = Bytes(data)
    mode = b.byte() % 8
    if mode in (2, 3, 6):
        cli(b, raw=mode == 3)
        return
    if mode == 7:
        sweep(b)
        return
    if mode in (0, 4):
        suffix = b.pick(SUFFIXES)
        path = TMP / f"policy{suffix}"
        path.write_bytes(b.rest())
        try:
            policy = load_policy(path)
        except PolicyError as exc:
            assert exc.problems, "a PolicyError lists its problems"  # noqa: PT017 - no pytest here
            return
        exercise(policy, Bytes(data[::-1]))
        return
    exercise(EXAMPLE, b)


def _random(runs: int, seed: int) -> int:
    rng = random.Random(seed)
    seeds = [p.read_bytes() for p in sorted((Path(__file__).parent / "corpus").glob("*"))]
    start = time.monotonic()
    for i in range(runs):
        if seeds and i % 3 == 0:  # mutate a seed: flip, insert, delete bytes
            data = bytearray(rng.choice(seeds))
            for _ in range(rng.randint(1, 8)):
                op = rng.randrange(3)
                pos = rng.randrange(len(data) + 1)
                if op == 0 and data:
                    data[pos % len(data)] = rng.randrange(256)
                elif op == 1:
                    data[pos:pos] = rng.randbytes(rng.randint(1, 8))
                elif data:
                    del data[pos % len(data)]
            payload = bytes(data)
        else:
            payload = rng.randbytes(rng.randint(0, 512))
        try:
            test_one_input(payload)
        except Exception:
            crash = Path(f".fuzz/crash-random-{seed}-{i}")
            crash.parent.mkdir(exist_ok=True)
            crash.write_bytes(payload)
            print(f"crash after {i + 1} runs; input saved to {crash}", file=sys.stderr)
            raise
    elapsed = time.monotonic() - start
    rate = runs / max(elapsed, 1e-9)
    print(f"random mode: {runs} runs, seed {seed}, {elapsed:.1f}s ({rate:.0f}/s), no crash")
    return 0


def main(argv: list[str]) -> int:
    if "--random" in argv:
        runs = int(argv[argv.index("--random") + 1])
        seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 0
        return _random(runs, seed)
    if "--replay" in argv:
        for path in sorted(Path(argv[argv.index("--replay") + 1]).glob("*")):
            test_one_input(path.read_bytes())
        print("replayed without a crash")
        return 0
    if atheris is None:
        print("atheris is not installed (pip install atheris); use --random N", file=sys.stderr)
        return 2
    atheris.Setup([argv[0], *argv[1:]], test_one_input)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
