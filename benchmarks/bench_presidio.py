"""Benchmark: gdprkit against Microsoft Presidio on the same records and the same work, one run
(design §14, §15; issue 9 "Performance": ≥ 40 x presidio-structured, ≥ 12 x ``AnonymizerEngine``).

Run it in the benchmark's own environment, where Presidio is installed (never in ``.venv``, never
in ``pyproject.toml``): ``make bench-presidio`` builds ``.venv-bench`` from
``benchmarks/requirements-presidio.txt`` and the project with its polars, pandas and arrow extras.

    .venv-bench/bin/python benchmarks/bench_presidio.py --records 200000

The task (§14). The records are ``N`` distinct generated CRM records of the 11-field shape
(``bench_frames.columns_of``: ``examples/crm/generate.py``, seed 11). The purpose is ``analytics``
of ``examples/crm/policy.yaml``: it drops 4 fields (``first_name``, ``last_name``,
``birth_date``, ``allergies``), tokenises 3 (``customer_id`` in the ``default`` domain,
``email`` and ``phone`` in the ``analytics`` domain, each normalised first: stripped; stripped
and lower case; digits without a leading ``00``), keeps ``country`` and ``source`` as they are,
and keeps ``last_purchase_at`` and ``purchases_total`` only within 24 months of the last
purchase (Europe/Rome, day-first dates), as of ``generate.REFERENCE``. A record without a
subject id is denied (none is missing here). It is a legitimate-interests purpose: no consent is
read, so consent filtering costs nothing in any engine.

Engines, each timed on the same ``N`` records (best of ``--rounds``; inputs built before timing).
gdprkit's frame engines take under a second a round, Presidio's 25 to 60 s: on a shared machine
one burst of load can spoil every short round, while a long round averages it in. So the frame
engines run ``--gdprkit-rounds`` rounds (default 5), their best kept:

* ``gdprkit_polars`` (and ``gdprkit_pandas``): ``gdprkit.frames.enforce`` on a polars (pandas)
  DataFrame; tokens by whole columns when ``polars-hash`` and ``pyarrow`` are installed.
* ``gdprkit_row_path``: ``gdprkit.enforce`` over the records as dicts, consumed.
* ``presidio_structured_*``: ``presidio_structured.StructuredEngine()`` (its default
  ``PandasDataProcessor``) on a pandas DataFrame, with the analysis given explicitly as
  ``StructuredAnalysis({"customer_id": "CUSTOMER_ID", "email": "EMAIL_ADDRESS",
  "phone": "PHONE_NUMBER"})``: no ``AnalyzerEngine``, no ``PandasAnalysisBuilder``, so no spaCy
  model is loaded (none can be downloaded here; spaCy is imported by ``presidio_analyzer`` but no
  pipeline is built). Only the 3 tokenised columns are mapped: Presidio operates on nothing
  else. Its input frame has ``object`` columns: the processor writes cell by cell
  (``DataFrame.at``), which on pandas 3's default string dtype (Arrow-backed where pyarrow is
  installed) slows down as the column grows (about 1 500 records/s at 200 000 records, twenty
  times slower than on ``object`` columns), so ``object`` is its fastest input and the one used.
  What Presidio does not do, pandas does, in the cheapest vectorised form: rows without a
  subject id removed (boolean mask), the 4 dropped columns removed (``DataFrame.drop``, before
  Presidio, so it never touches them), and retention as a vectorised mask (the three date shapes
  parsed with ``pd.to_datetime`` by explicit formats, ``+ pd.DateOffset(months=24)`` in
  Europe/Rome, compared with the reference instant) that nulls the two purchase cells.
* ``presidio_anonymizer_*``: ``presidio_anonymizer.AnonymizerEngine()`` called once per record,
  as a user without an analyzer would: the record's 11 values joined by ``|`` into one text, a
  ``RecognizerResult`` (score 1.0) for every non-empty span to change, built from the known field
  positions: ``redact`` for the 4 dropped fields (and for the two purchase fields of a record past
  retention, the mask computed by the same vectorised pandas function over the batch, inside the
  timing), the token operator for the 3 tokenised fields. The output is the anonymised text per
  record (not parsed back into fields, which would only add work on Presidio's side).

Presidio's token operator, two configurations, both measured (the ratios use the faster one):

* ``custom``: ``OperatorConfig("custom", {"lambda": f})`` with ``f`` the fastest honest token
  function a Presidio user can write: the value normalised as above, HMAC-SHA256 with the
  per-domain token key of design §7 (``KeyRing.token_key(domain)``), the HMAC state keyed once and
  ``.copy()``-ed per value, ``key_id:`` + the first 16 bytes in hex. Same work as gdprkit and the
  same tokens, byte for byte: the outputs are checked equal to the row path's, value for value.
  (``custom`` must return text: a missing value gives ``""``, read as missing.)
* ``hash``: Presidio's built-in ``OperatorConfig("hash", {"hash_type": "sha256", "salt": k})``
  with ``k`` the same per-domain token key as salt (``SHA-256(text || salt)``: one SHA-256 pass
  where HMAC takes two, and no key id: cheaper than gdprkit's work, so it favours Presidio). The
  values are normalised first (pandas string methods for presidio-structured, Python per value for
  ``AnonymizerEngine``); the built-in operator cannot read a missing value, so the structured
  path fills them with ``""`` and restores them afterwards. Its tokens differ from gdprkit's
  bytes, so the check is that every other value equals the row path's and that its tokens stand
  one-to-one for the row path's tokens.

Ratios are records/s over records/s in this run: ``gdprkit_polars_over_presidio_structured`` and
``gdprkit_polars_over_presidio_anonymizer`` (targets ≥ 40 and ≥ 12), and the row path's.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import sys
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import bench_frames
from generate import BENCH_COLUMNS, REFERENCE

from gdprkit import KeyRing, enforce, frames, load_policy
from gdprkit._values import is_missing
from gdprkit.frames import _hash as frames_hash

try:
    import pandas as pd
    from presidio_anonymizer import AnonymizerEngine
    from presidio_anonymizer.entities import OperatorConfig, RecognizerResult
    from presidio_structured import StructuredAnalysis, StructuredEngine
except ImportError as missing:  # pragma: no cover - the benchmark's own environment has them
    raise SystemExit(
        f"{missing.name!r} is not installed: run `make bench-presidio` (it builds .venv-bench)"
    ) from None

PURPOSE = bench_frames.PURPOSE
DROPPED = ("first_name", "last_name", "birth_date", "allergies")
#: column -> (Presidio entity type, gdprkit pseudonymisation domain)
TOKENISED = {
    "customer_id": ("CUSTOMER_ID", "default"),
    "email": ("EMAIL_ADDRESS", "analytics"),
    "phone": ("PHONE_NUMBER", "analytics"),
}
RETAINED = ("last_purchase_at", "purchases_total")  # P24M from last_purchase_at
ANCHOR = "last_purchase_at"
MONTHS = 24
ZONE = "Europe/Rome"
#: AnonymizerEngine entity types of the spans that are removed (redact)
REDACTED = {
    "first_name": "PERSON",
    "last_name": "PERSON",
    "birth_date": "DATE_TIME",
    "allergies": "MEDICAL_CONDITION",
}
EXPIRED = "EXPIRED_PURCHASE"
SEP = "|"  # not whitespace: Presidio merges same-type spans separated by whitespace only


# --- what a Presidio user writes: normalisers and token functions -----------------------------


def _strip(text: str) -> str:
    return text.strip()


def _email(text: str) -> str:
    return text.strip().lower()


def _phone(text: str) -> str:
    digits = "".join(ch for ch in text if ch.isdigit())
    return digits[2:] if text.lstrip().startswith("00") else digits


NORMALISE: dict[str, Callable[[str], str]] = {
    "customer_id": _strip,
    "email": _email,
    "phone": _phone,
}


def hmac_token(keys: KeyRing, domain: str, normalise: Callable[[str], str]) -> Callable[[Any], str]:
    """The custom operator's lambda: normalise, HMAC-SHA256 keyed once and copied per value."""
    base = hmac.new(keys.token_key(domain), digestmod=hashlib.sha256)
    prefix = keys.active + ":"

    def token(value: Any) -> str:
        if not isinstance(value, str):  # None, or NaN from a pandas text column
            return ""
        text = normalise(value)
        if not text:
            return ""
        h = base.copy()
        h.update(text.encode())
        return prefix + h.digest()[:16].hex()

    return token


def operators(variant: str, keys: KeyRing, *, redact: bool) -> dict[str, OperatorConfig]:
    ops: dict[str, OperatorConfig] = {}
    for column, (entity, domain) in TOKENISED.items():
        if variant == "custom":
            fn = hmac_token(keys, domain, NORMALISE[column])
            ops[entity] = OperatorConfig("custom", {"lambda": fn})
        else:
            salt = keys.token_key(domain)
            ops[entity] = OperatorConfig("hash", {"hash_type": "sha256", "salt": salt})
    if redact:
        for entity in {*REDACTED.values(), EXPIRED}:
            ops[entity] = OperatorConfig("redact")
    return ops


# --- retention with pandas (Presidio has none) -------------------------------------------------


def kept_by_retention(anchor: pd.Series, at: datetime) -> Any:
    """Whether each row is still within ``MONTHS`` months of its anchor (missing or unreadable
    anchor: not kept), vectorised: the three date shapes of the data, each by its format."""
    text = anchor.astype(object).where(anchor.notna(), None)
    slash = text.str.contains("/", regex=False, na=False)
    timed = text.str.len().gt(10).fillna(False).astype(bool)
    plain = text.notna() & ~slash & ~timed
    parts = [
        pd.to_datetime(text[timed], format="ISO8601", utc=True, errors="coerce").dt.tz_convert(
            ZONE
        ),
        pd.to_datetime(text[slash], format="%d/%m/%Y", errors="coerce").dt.tz_localize(ZONE),
        pd.to_datetime(text[plain], format="%Y-%m-%d", errors="coerce").dt.tz_localize(ZONE),
    ]
    start = pd.concat([p.astype(f"datetime64[us, {ZONE}]") for p in parts]).reindex(anchor.index)
    end = start + pd.DateOffset(months=MONTHS)
    return (end > pd.Timestamp(at)).fillna(False).to_numpy(dtype=bool)


def presidio_structured(
    frame: pd.DataFrame,
    engine: StructuredEngine,
    analysis: StructuredAnalysis,
    ops: dict[str, OperatorConfig],
    variant: str,
) -> pd.DataFrame:
    df = frame[frame["customer_id"].notna()].drop(columns=list(DROPPED))
    expired = ~kept_by_retention(df[ANCHOR], REFERENCE)
    df.loc[expired, list(RETAINED)] = None
    if variant == "hash":
        present = {c: df[c].notna() for c in TOKENISED}
        df["customer_id"] = df["customer_id"].str.strip()
        df["email"] = df["email"].str.strip().str.lower()
        phone = df["phone"].str.replace(r"[^0-9]+", "", regex=True)
        df["phone"] = phone.where(
            ~df["phone"].str.lstrip().str.startswith("00", na=False), phone.str[2:]
        )
        for c in TOKENISED:
            present[c] &= df[c].fillna("").str.len().gt(0)
            df[c] = df[c].fillna("")
    out = engine.anonymize(df, analysis, ops)
    if variant == "hash":
        for c in TOKENISED:
            out[c] = out[c].where(present[c], None)
    return out


def presidio_anonymizer(
    rows: Sequence[dict[str, Any]],
    engine: AnonymizerEngine,
    ops: dict[str, OperatorConfig],
    variant: str,
) -> list[str]:
    kept = kept_by_retention(pd.Series([r[ANCHOR] for r in rows], dtype=object), REFERENCE)
    entity = {c: e for c, (e, _) in TOKENISED.items()} | REDACTED
    normalise = NORMALISE if variant == "hash" else {}
    out: list[str] = []
    for r, keep in zip(rows, kept, strict=True):
        if r["customer_id"] is None:
            continue
        parts: list[str] = []
        spans: list[RecognizerResult] = []
        pos = 0
        for c in BENCH_COLUMNS:
            v = r[c]
            if v is None:
                v = ""
            elif c in normalise:
                v = normalise[c](v)
            n = len(v)
            if n:
                e = entity.get(c) or (EXPIRED if c in RETAINED and not keep else None)
                if e is not None:
                    spans.append(RecognizerResult(e, pos, pos + n, 1.0))
            parts.append(v)
            pos += n + 1
        out.append(engine.anonymize(SEP.join(parts), spans, ops).text)
    return out


# --- same work: every output against the row path's --------------------------------------------


def present(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not is_missing(v)}


def from_text(texts: Iterable[str]) -> list[dict[str, Any]]:
    return [present(dict(zip(BENCH_COLUMNS, t.split(SEP), strict=True))) for t in texts]


def same_work(
    name: str, got: list[dict[str, Any]], want: list[dict[str, Any]], variant: str
) -> None:
    if len(got) != len(want):
        raise SystemExit(f"{name}: {len(got)} records where the row path yields {len(want)}")
    if variant != "hash":
        if got != want:
            raise SystemExit(f"{name}: the output differs from the row path's")
        return
    # Presidio's own hash: other values equal; its tokens one-to-one with gdprkit's tokens.
    pairs: set[tuple[str, str]] = set()
    for g, w in zip(got, want, strict=True):
        if g.keys() != w.keys() or any(g[k] != w[k] for k in g if k not in TOKENISED):
            raise SystemExit(f"{name}: the output differs from the row path's")
        pairs.update((w[k], g[k]) for k in g if k in TOKENISED)
    if len({a for a, _ in pairs}) != len(pairs) or len({b for _, b in pairs}) != len(pairs):
        raise SystemExit(f"{name}: its tokens do not stand one-to-one for the row path's")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=2, help="rounds per engine, best kept")
    parser.add_argument(
        "--gdprkit-rounds",
        type=int,
        default=5,
        help="rounds of gdprkit's engines (under a second each), best kept",
    )
    parser.add_argument("--variants", default="custom,hash", help="Presidio token operators")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    variants = [v for v in args.variants.split(",") if v]
    if not variants or set(variants) - {"custom", "hash"}:
        parser.error("--variants: custom, hash or both")

    policy = load_policy(bench_frames.ROOT / "examples" / "crm" / "policy.yaml")
    keys = KeyRing.generate()
    n = args.records
    cols = bench_frames.columns_of(n)
    rows = [dict(zip(cols, values, strict=True)) for values in zip(*cols.values(), strict=True)]
    want = [present(r) for r in enforce(policy, rows, PURPOSE, at=REFERENCE, keys=keys)]

    figures: dict[str, Any] = {
        "records": n,
        "yielded": len(want),
        "whole_column_tokens": frames_hash.available(),
    }
    last: list[Any] = [None]

    def timed(name: str, work: Callable[[], Any], rounds: int | None = None) -> Any:
        def run() -> None:
            last[0] = None
            last[0] = work()

        best = bench_frames.best_of(rounds or args.rounds, run)
        figures[f"{name}_rec_per_s"] = round(n / best)
        print(f"{name:<40}  {figures[f'{name}_rec_per_s']}", file=sys.stderr, flush=True)
        return last[0]

    def row_path() -> None:
        deque(enforce(policy, rows, PURPOSE, at=REFERENCE, keys=keys), maxlen=0)

    timed("gdprkit_row_path", row_path)
    for lib in ("polars", "pandas"):
        frame = bench_frames.build(lib, cols)
        result = timed(
            f"gdprkit_{lib}",
            lambda f=frame: frames.enforce(policy, f, PURPOSE, at=REFERENCE, keys=keys),
            args.gdprkit_rounds,
        )
        same_work(
            f"gdprkit_{lib}", [present(r) for r in bench_frames.rows_of(result.allowed)], want, ""
        )
        del frame, result

    analysis = StructuredAnalysis({c: e for c, (e, _) in TOKENISED.items()})
    structured, anonymizer = StructuredEngine(), AnonymizerEngine()
    # object columns: the fastest input for the processor's cell-by-cell writes (see above)
    pandas_frame = pd.DataFrame(cols, dtype=object)
    for variant in variants:
        ops = operators(variant, keys, redact=False)
        name = f"presidio_structured_{variant}"
        out = timed(
            name,
            lambda f=pandas_frame, o=ops, v=variant: presidio_structured(
                f, structured, analysis, o, v
            ),
        )
        same_work(name, [present(r) for r in bench_frames.rows_of(out)], want, variant)
        del out
    del pandas_frame
    for variant in variants:
        ops = operators(variant, keys, redact=True)
        name = f"presidio_anonymizer_{variant}"
        texts = timed(name, lambda o=ops, v=variant: presidio_anonymizer(rows, anonymizer, o, v))
        same_work(name, from_text(texts), want, variant)
        del texts

    best_structured = max(figures[f"presidio_structured_{v}_rec_per_s"] for v in variants)
    best_anonymizer = max(figures[f"presidio_anonymizer_{v}_rec_per_s"] for v in variants)
    for ours in ("gdprkit_polars", "gdprkit_pandas", "gdprkit_row_path"):
        mine = figures[f"{ours}_rec_per_s"]
        figures[f"{ours}_over_presidio_structured"] = round(mine / best_structured, 1)
        figures[f"{ours}_over_presidio_anonymizer"] = round(mine / best_anonymizer, 1)
    figures["presidio_versions"] = {
        p: version(p) for p in ("presidio-structured", "presidio-anonymizer", "presidio-analyzer")
    }

    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
