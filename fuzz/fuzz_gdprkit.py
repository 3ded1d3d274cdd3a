# ruff: noqa: S101, S311 - a fuzz target asserts its oracles; its randomness is not security
"""Fuzz target for load_policy, validate, decide and enforce (atheris, or pure-Python random).

Each input is read by a small byte consumer (:class:`Bytes`). Its first byte chooses the target:

* ``load``: the rest is a policy document (YAML, JSON or TOML by the second byte), loaded from a
  file through ``load_policy``. Only :class:`gdprkit.PolicyError` may come out. A policy that
  loads is then used for the record targets below.
* ``record``: a record built from the bytes (declared and undeclared keys; text, numbers, NaN,
  None, bytes, nested containers, dates, naive and aware datetimes) goes through ``validate``,
  ``decide`` (every purpose, with and without a ledger), ``Decision.apply`` and ``enforce``
  against the example CRM policy. Nothing may raise, and the invariants of design.md §6 are
  checked: a denial has exactly one known reason and no fields; allowed fields are declared
  ones; no reason or violation quotes a text value of the record.

Run (``make fuzz``)::

    python fuzz/fuzz_gdprkit.py .fuzz/corpus fuzz/corpus -runs=20000      # atheris (libFuzzer)
    python fuzz/fuzz_gdprkit.py --random 5000 [--seed 1]                  # no atheris needed
    python fuzz/fuzz_gdprkit.py --replay fuzz/corpus                      # re-run saved inputs
"""

from __future__ import annotations

import math
import random
import re
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
            ConsentLedger,
            Evidence,
            KeyRing,
            Policy,
            PolicyError,
            decide,
            enforce,
            load_policy,
            validate,
        )
else:
    from gdprkit import (
        ARTICLES,
        ConsentLedger,
        Evidence,
        KeyRing,
        Policy,
        PolicyError,
        decide,
        enforce,
        load_policy,
        validate,
    )

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = load_policy(ROOT / "examples" / "crm" / "policy.yaml")
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
        stream = enforce(
            policy,
            [rec, rec],
            purpose,
            at=at,
            consents=consents,
            keys=KEYS if needs or b.byte() & 1 else None,
        )
        assert len(list(stream)) == stream.processed
        assert stream.processed + stream.denied == 2


def test_one_input(data: bytes) -> None:
    b = Bytes(data)
    mode = b.byte() % 4
    if mode == 0:
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
