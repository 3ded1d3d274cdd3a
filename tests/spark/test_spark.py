# ruff: noqa: RUF001 - full-width letters and digits are test values (NFKC normalisers)
"""gdprkit.spark gives the row path's answer, row for row, on a real local Spark session.

One ``local[2]`` session for the module. For several purposes of the CRM policy and the test
policies, ``gdprkit.spark.enforce`` must equal ``decide`` + ``Decision.apply`` on the
DataFrame's own rows (``df.collect()``): the same allowed rows with the same non-null values,
tokens byte for byte on both token paths (Spark's built-in ``hmac`` and the Arrow executor),
the same rejected subjects with their code and article, the same counts. Spark keeps no row
order, so rows are compared as multisets. Executors receive derived keys only.

Skipped when pyspark or Java is missing on a developer machine; under ``CI=true`` that is a
failure (CI installs both: ``.ci/java``, the ``test`` extra).
"""

from __future__ import annotations

import importlib.util
import math
import os
import pickle
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import gdprkit
from gdprkit import ConfigurationError, ConsentLedger, Evidence, KeyRing
from gdprkit._decision import compile_plan
from gdprkit._values import subject_key


def _require_spark() -> None:
    missing = [m for m in ("pyspark", "pyarrow") if importlib.util.find_spec(m) is None]
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        missing.append("java")
    if not missing:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {', '.join(missing)} is missing: .ci/run installs them")
    pytest.skip(
        f"no {', '.join(missing)}: pip install 'gdprkit[spark]' and a JDK", allow_module_level=True
    )


_require_spark()

import pyarrow as pa  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402, N812

from gdprkit import spark as gspark  # noqa: E402
from gdprkit.testing import strategies as gst  # noqa: E402

pytestmark = pytest.mark.filterwarnings(
    "ignore:PySpark does not yet fully support pandas:FutureWarning",
    "ignore::DeprecationWarning:pyspark",
)

ROOT = Path(__file__).resolve().parents[2]
CRM = gdprkit.load_policy(ROOT / "examples" / "crm" / "policy.yaml")
DESIGN = gdprkit.load_policy(ROOT / "tests" / "data" / "design_policy.yaml")
RULES = gdprkit.load_policy(ROOT / "tests" / "data" / "rules_policy.yaml")
MASTER = bytes(range(32))
KEYS = KeyRing({"k1": MASTER}, active="k1")
AT = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
PATHS = ("builtin", "arrow")


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("gdprkit-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


# ------------------------------------------------------------------------------------------
# Building DataFrames and comparing with the row path.


def _cell(value: Any) -> Any:
    """A value as a typed column can hold it: times and other odd values as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return str(value)


def frame(spark: Any, records: Sequence[Mapping[str, Any]]) -> Any:
    """A DataFrame of ``records`` (absent keys null; one type per column, mixed ones as text)."""
    names: dict[str, None] = {}
    for record in records:
        names.update(dict.fromkeys(record))
    arrays = {}
    for name in names:
        values = [_cell(r.get(name)) for r in records]
        kinds = {type(v) for v in values if v is not None}
        if len(kinds) > 1:
            values = [None if v is None else str(v) for v in values]
        try:
            array = pa.array(values)
        except (TypeError, ValueError, OverflowError, pa.ArrowException):
            array = pa.array([None if v is None else str(v) for v in values])
        if pa.types.is_null(array.type):
            array = array.cast(pa.string())
        arrays[name] = array
    if not arrays:
        arrays["customer_id"] = pa.nulls(len(records), pa.string())
    return spark.createDataFrame(pa.table(arrays))


def _present(record: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """The non-missing values of a record, comparable across engines (numbers as numbers)."""
    out = []
    for k, value in record.items():
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        if isinstance(value, Decimal | float) and float(value).is_integer():
            out.append((k, repr(int(value))))
        else:
            out.append((k, repr(value)))
    return tuple(sorted(out))


def assert_equivalent(
    spark: Any,
    policy: gdprkit.Policy,
    df: Any,
    purpose: str,
    *,
    consents: Any = None,
    tokens: str = "auto",
) -> gspark.SparkResult:
    """``gdprkit.spark.enforce`` equals ``decide`` + ``apply`` on the DataFrame's own rows."""
    result = gspark.enforce(policy, df, purpose, at=AT, consents=consents, keys=KEYS, tokens=tokens)
    rows = [r.asDict() for r in df.collect()]
    sid = policy.subject.id
    want_allowed: Counter[tuple[Any, ...]] = Counter()
    want_rejected: Counter[tuple[Any, ...]] = Counter()
    counts: Counter[str] = Counter()
    for row in rows:
        decision = gdprkit.decide(policy, row, purpose, at=AT, consents=consents)
        if decision.allowed:
            counts["processed"] += 1
            want_allowed[_present(decision.apply(row, KEYS))] += 1
        else:
            reason = decision.reasons[0]
            counts[reason.code] += 1
            want_rejected[(row.get(sid), reason.code, reason.article)] += 1
    got_allowed = Counter(_present(r.asDict()) for r in result.allowed.collect())
    got_rejected = Counter((r[sid], r["code"], r["article"]) for r in result.rejected.collect())
    assert got_allowed == want_allowed
    assert got_rejected == want_rejected
    assert result.rejected.columns == [sid, "code", "article"]
    if want_allowed:
        union = {k for r in want_allowed for k, _ in r}
        assert union <= set(result.allowed.columns)
    return result


def _ledger(events: Sequence[tuple[str, str, str, int]]) -> ConsentLedger:
    ledger = ConsentLedger()
    evidence = Evidence("web_form", notice_version="v1")
    for kind, subject, purpose, days in events:
        at = AT - timedelta(days=days)
        if subject_key(subject) is None:
            continue
        if kind == "give":
            ledger.give(subject, purpose, at=at, evidence=evidence)
        elif kind == "give_explicit":
            ledger.give(subject, purpose, at=at, evidence=evidence, explicit=True)
        elif kind == "withdraw":
            ledger.withdraw(subject, purpose, at=at)
        elif kind == "object_dm":
            ledger.object(subject, at=at)
        elif kind == "object":
            ledger.object(subject, at=at, purpose=purpose)
        elif kind == "restrict":
            ledger.restrict(subject, at=at)
        elif kind == "erase":
            ledger.request_erasure(subject, at=at)
    return ledger


def _customer(i: int, **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "customer_id": f"C{i}",
        "first_name": "Mario",
        "last_name": "Rossi",
        "email": f" Mario.Rossi{i}@Example.IT ",
        "phone": "+39 333 123 45 67",
        "birth_date": "03/04/1980",
        "country": "IT",
        "source": "web_form",
        "relationship": "customer",
        "last_purchase_at": "2025-01-10",
        "purchases_total": "120.50",
        "consent_marketing": "true",
        "consent_marketing_at": "2025-02-01",
        "allergies": "peanuts",
    }
    record.update(extra)
    return record


CUSTOMERS = [
    _customer(1),
    _customer(2, customer_id=" C2\n", source="social_network"),  # another spelling of C2
    _customer(3, relationship="lead", consent_marketing="false"),
    _customer(4, last_purchase_at="2012-01-01", consent_marketing_at="2021-01-01"),
    _customer(5, birth_date="2015-05-05", email=None),
    _customer(6, customer_id=None),
    _customer(7, allergies=None, phone="ext 12"),
    _customer(8, first_name="Ünïcode  Näme", email="ＦＵＬＬ@example.it", phone="００３９ ３３３"),
    _customer(9, consent_marketing=None, last_purchase_at="not a date"),
    _customer(10, customer_id="C2", country="FR", birth_date="2010-01-01"),
    _customer(11),
    _customer(12),
]
LEDGER_EVENTS = [
    ("give", "C1", "profiling", 30),
    ("give_explicit", "C1", "allergen_alerts", 30),
    ("give", "C2", "profiling", 900),  # older than the profiling consent's P24M validity
    ("give_explicit", "C2", "allergen_alerts", 5),
    ("give", "C4", "profiling", 10),
    ("give", "C4", "allergen_alerts", 10),  # not explicit
    ("give", "C5", "profiling", 10),
    ("give_explicit", "C5", "allergen_alerts", 10),
    ("give", "C7", "profiling", 100),
    ("withdraw", "C7", "profiling", 50),
    ("give", "C8", "profiling", 5),
    ("give_explicit", "C8", "allergen_alerts", 5),
    ("object", "C8", "profiling", 2),
    ("give", "C9", "profiling", 5),
    ("restrict", "C9", "profiling", 3),
    ("give", "C11", "profiling", 5),
    ("erase", "C11", "profiling", 2),
    ("give", "C12", "allergen_alerts", 5),
    ("object_dm", "C12", "newsletter", 1),
]


# ------------------------------------------------------------------------------------------
# The CRM policy's purposes, both token paths.


CRM_CASES = [(purpose, "builtin") for purpose in sorted(CRM.purposes)] + [
    ("analytics", "arrow"),
    ("profiling", "arrow"),
]


@pytest.mark.parametrize(("purpose", "tokens"), CRM_CASES)
def test_crm_purpose_equals_row_path(spark: Any, purpose: str, tokens: str) -> None:
    df = frame(spark, CUSTOMERS)
    consents = _ledger(LEDGER_EVENTS)
    if purpose in ("newsletter",):  # column consent: no consent source (see fail-closed test)
        consents = None
    result = assert_equivalent(spark, CRM, df, purpose, consents=consents, tokens=tokens)
    assert result.tokens == tokens


def test_without_the_subject_id_column_every_row_is_invalid(spark: Any) -> None:
    df = frame(spark, [{k: v for k, v in c.items() if k != "customer_id"} for c in CUSTOMERS])
    result = assert_equivalent(spark, CRM, df, "contract")
    assert result.counts() == {"record.invalid": len(CUSTOMERS)}


@pytest.mark.parametrize("kind", ["bigint", "double"])
def test_consent_states_join_on_numeric_subject_ids(spark: Any, kind: str) -> None:
    """Numeric ids meet the ledger's canonical text ids (1001 and 1001.0 are "1001")."""
    rows = [_customer(i, customer_id=1000 + i) for i in range(1, 6)]
    df = frame(spark, rows).withColumn("customer_id", F.col("customer_id").cast(kind))
    ledger = _ledger(
        [
            ("give", "1001", "profiling", 10),
            ("give", "1002", "profiling", 10),
            ("erase", "1002", "profiling", 1),
            ("give", "1003", "profiling", 10),
        ]
    )
    result = assert_equivalent(spark, CRM, df, "profiling", consents=ledger)
    codes = {float(r["customer_id"]): r["code"] for r in result.rejected.collect()}
    assert codes[1002.0] == "erasure.requested"
    assert codes[1004.0] == "consent.missing"
    assert 1001.0 not in codes


def test_crm_rejected_codes(spark: Any) -> None:
    """The denials the fixed customers must meet, by subject: erasure, restriction, objection,
    withdrawal, expired and non-explicit consent, unreadable id."""
    df = frame(spark, CUSTOMERS)
    result = gspark.enforce(CRM, df, "profiling", at=AT, consents=_ledger(LEDGER_EVENTS), keys=KEYS)
    rejected = {(r["customer_id"], r["code"]) for r in result.rejected.collect()}
    assert (None, "record.invalid") in rejected
    assert ("C11", "erasure.requested") in rejected
    assert ("C9", "subject.restricted") in rejected
    assert ("C8", "objection.direct_marketing") in rejected  # profiling is direct marketing
    assert ("C5", "consent.child") in rejected
    assert (" C2\n", "consent.expired") in rejected  # the id as the input spells it
    assert ("C7", "consent.withdrawn") in rejected
    assert ("C3", "consent.missing") in rejected
    counts = result.counts()
    assert counts["processed"] + sum(v for k, v in counts.items() if k != "processed") == 12
    alerts = gspark.enforce(
        CRM, df, "allergen_alerts", at=AT, consents=_ledger(LEDGER_EVENTS), keys=KEYS
    )
    codes = {(r["customer_id"], r["code"]) for r in alerts.rejected.collect()}
    assert ("C4", "purpose.required_field_missing") in codes  # allergies need explicit consent


def test_column_consent_with_a_consent_source(spark: Any) -> None:
    """Consent columns and a ledger's objections and withdrawals together: the row path's
    answer (the consent source has the last word, in every engine)."""
    df = frame(spark, CUSTOMERS)
    assert_equivalent(spark, CRM, df, "newsletter", consents=_ledger(LEDGER_EVENTS))


# ------------------------------------------------------------------------------------------
# Tokens, byte for byte.

TOKEN_POLICY = gdprkit.load_policy(
    {
        "version": 1,
        "controller": {"name": "Test S.r.l.", "country": "IT", "contact": "privacy@test.it"},
        "subject": {"id": "customer_id"},
        "fields": {
            "customer_id": "identity.customer_id",
            "name": "identity.name",
            "email": "contact.email",
            "phone": "contact.phone",
            "cf": "identity.national_id",
            "piva": "identity.tax_id",
            "ip": "online.ip_address",
        },
        "purposes": {
            "analytics": {
                "basis": "legitimate_interests",
                "categories": ["identity", "contact", "online"],
                "transform": {
                    "customer_id": "token",
                    "name": "token",
                    "email": {"method": "token", "domain": "crm"},
                    "phone": {"method": "token", "domain": "crm"},
                    "cf": "token",
                    "piva": "token",
                    "ip": "token",
                },
            }
        },
    }
)
TOKEN_VALUES = [
    {
        "customer_id": "\t1003 \x0b",
        "name": "\t Mario \x0b\x0c  ROSSI\r\n",
        "email": "\x1f a@B.it",
        "phone": "(+39) 333.12-34 [5]",
        "cf": "  rss mra\t80 ",
        "piva": "it 123",
        "ip": " 10.0.0.1 ",
    },
    {
        "customer_id": "1004",
        "name": "a\x1cb",
        "email": "\n",
        "phone": "0039-333\n",
        "cf": "x",
        "piva": "ITIT1",
        "ip": "::ffff:10.0.0.1",
    },
    {
        "customer_id": "1005",
        "name": "O'Brien-Smith",
        "email": "A@B",
        "phone": "+ 39 +1",
        "cf": "\x1f",
        "piva": "IT",
        "ip": None,
    },
    {"customer_id": "1006", "phone": "12a"},
    {"customer_id": "1007", "phone": "+"},
    {"customer_id": "1008", "phone": "00"},
    {
        "customer_id": " 1001\n",
        "name": "  Mario\u00a0 ROSSI ",
        "email": " Mario.Rossi@Example.IT",
        "phone": "+39 333 1234567",
        "cf": "rssmra80a01h501u",
        "piva": "IT 01234567890",
        "ip": "2001:DB8::1",
    },
    {
        "customer_id": "Ünïcode-ＩＤ",
        "name": "Zoë\u2003Ångström",
        "email": "ＦＵＬＬ@example.it",
        "phone": "００３９ ３３３ ４４",
        "cf": "\u3000abc",
        "piva": "it99",
        "ip": "not an ip",
    },
    {
        "customer_id": "1002",
        "name": "   ",
        "email": "",
        "phone": "ext 12",
        "cf": None,
        "piva": "\u2028",
        "ip": "192.168.000.1",
    },
]


@pytest.mark.parametrize("tokens", PATHS)
def test_tokens_byte_for_byte(spark: Any, tokens: str) -> None:
    df = frame(spark, TOKEN_VALUES)
    result = assert_equivalent(spark, TOKEN_POLICY, df, "analytics", tokens=tokens)
    got = {r["customer_id"]: r.asDict() for r in result.allowed.collect()}
    for record in TOKEN_VALUES:
        row = got[gdprkit.pseudonymise(record["customer_id"], keys=KEYS, category="identity.id")]
        try:
            expected = gdprkit.pseudonymise(
                record.get("email"), keys=KEYS, domain="crm", category="contact.email"
            )
        except ConfigurationError:  # blank or missing: no token
            expected = None
        assert row["email"] == expected


#: Characters each normaliser treats specially, ASCII and not (Unicode whitespace, dashes,
#: full-width digits, letters whose case or NFC/NFKC form changes).
_ALPHABET = (
    "\t\n\x0b\x0c\r\x1c\x1f +-.()[]0019aAiItTzZ@/x:"
    "\x85\xa0\u2028\u2010\u2212\uff11\u00e9e\u0301\u00df\u0130"
)
_TEXTS = st.text(st.sampled_from(_ALPHABET), max_size=10) | st.none()
_TOKEN_FIELDS = ("name", "email", "phone", "cf", "piva", "ip")


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(values=st.lists(st.tuples(*(_TEXTS for _ in _TOKEN_FIELDS)), min_size=1, max_size=40))
def test_builtin_tokens_of_generated_text_equal_row_path(
    spark: Any, values: list[tuple[str | None, ...]]
) -> None:
    """Spark's ``hmac`` over the executor's normalised text gives the row path's token of every
    drawn value of every normaliser (ASCII or not, blank, unreadable: no token)."""
    records = [
        {"customer_id": str(1000 + i), **dict(zip(_TOKEN_FIELDS, row, strict=True))}
        for i, row in enumerate(values)
    ]
    assert_equivalent(spark, TOKEN_POLICY, frame(spark, records), "analytics", tokens="builtin")


def test_builtin_and_arrow_tokens_join(spark: Any) -> None:
    """A table tokenised by either path joins with the other on the tokens."""
    df = frame(spark, TOKEN_VALUES)
    builtin = gspark.enforce(TOKEN_POLICY, df, "analytics", at=AT, keys=KEYS, tokens="builtin")
    arrow = gspark.enforce(TOKEN_POLICY, df, "analytics", at=AT, keys=KEYS, tokens="arrow")
    assert sorted(map(tuple, builtin.allowed.collect())) == sorted(
        map(tuple, arrow.allowed.collect())
    )


def test_builtin_path_keeps_keys_out_of_the_plan(spark: Any) -> None:
    df = frame(spark, TOKEN_VALUES)
    result = gspark.enforce(TOKEN_POLICY, df, "analytics", at=AT, keys=KEYS, tokens="builtin")
    plan = result.allowed._jdf.queryExecution().toString()
    assert "hmac" in plan.lower()
    for key in (MASTER, KEYS.derive("token", "default"), KEYS.derive("token", "crm")):
        assert key.hex() not in plan.lower()
        assert key.hex().upper() not in plan


# ------------------------------------------------------------------------------------------
# Keys: executors get derived keys only.


def test_executors_receive_derived_keys_only() -> None:
    ring = gspark._RecordingRing(KEYS)
    compile_plan(TOKEN_POLICY, "analytics").bind(ring, AT)
    derived = ring.derived()
    assert derived.uses == (("token", "crm", 32), ("token", "default", 32))
    assert derived.derive("token", "crm") == KEYS.derive("token", "crm")
    blob = pickle.dumps(derived)
    assert MASTER not in blob
    assert pickle.loads(blob) == derived  # noqa: S301 - our own bytes
    text = repr(derived) + str(derived)
    for key in (MASTER, KEYS.derive("token", "crm")):
        assert key.hex() not in text
        assert repr(key) not in text
    with pytest.raises(gdprkit.MissingKeyError):
        derived.derive("encrypt", "crm", length=64)
    with pytest.raises(gdprkit.MissingKeyError):
        derived.derive("token", "crm", key_id="k0")
    with pytest.raises(TypeError):
        pickle.dumps(derived.ring())  # a KeyRing face: refuses pickling like any ring


def test_the_shipped_executor_holds_no_key_ring(spark: Any) -> None:
    """What Spark pickles for the executors: the policy, the derived keys, no master key."""
    from pyspark import cloudpickle

    df = frame(spark, TOKEN_VALUES)
    ring = gspark._RecordingRing(KEYS)
    compile_plan(TOKEN_POLICY, "analytics").bind(ring, AT)
    job = gspark._Job(
        policy=TOKEN_POLICY,
        purpose="analytics",
        at=AT,
        keys=ring.derived(),
        inputs=tuple(df.columns),
        subject="customer_id",
        with_states=False,
        outputs=(),
        builtin=(),
        key_columns=(),
        subject_type=pa.string(),
    )
    blob = cloudpickle.dumps(gspark._executor(job))
    assert MASTER not in blob
    assert KEYS.derive("token", "crm") in blob  # what the executor needs, and only that


# ------------------------------------------------------------------------------------------
# Failing closed, before any row is read.


def test_fails_closed(spark: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    df = frame(spark, CUSTOMERS[:2])
    with pytest.raises(ConfigurationError, match="keys"):
        gspark.enforce(CRM, df, "analytics", at=AT)
    with pytest.raises(ConfigurationError, match="consent source"):
        gspark.enforce(CRM, df, "profiling", at=AT, keys=KEYS)
    with pytest.raises(ConfigurationError, match="DataFrame"):
        gspark.enforce(CRM, CUSTOMERS, "contract", at=AT)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="__gdprkit_"):
        gspark.enforce(CRM, df.withColumn("__gdprkit_code", df["email"]), "contract", at=AT)
    with pytest.raises(ConfigurationError, match="tokens"):
        gspark.enforce(CRM, df, "analytics", at=AT, keys=KEYS, tokens="sql")
    with pytest.raises(ConfigurationError, match=r"naive|aware|timezone|time zone"):
        gspark.enforce(CRM, df, "contract", at=datetime(2025, 1, 1))
    no_subject = gdprkit.load_policy(
        {
            "version": 1,
            "controller": {"name": "T", "country": "IT", "contact": "p@t.it"},
            "fields": {"email": "contact.email"},
            "purposes": {"contract": {"basis": "contract", "categories": ["contact"]}},
        }
    )
    with pytest.raises(ConfigurationError, match="subject"):
        gspark.enforce(no_subject, df, "contract", at=AT)
    from pyspark.sql import functions

    monkeypatch.delattr(functions, "hmac")  # a pyspark without the built-in (< 4.3)
    with pytest.raises(ConfigurationError, match="hmac"):
        gspark.enforce(CRM, df, "analytics", at=AT, keys=KEYS, tokens="builtin")
    assert gspark.enforce(CRM, df, "analytics", at=AT, keys=KEYS).tokens == "arrow"


def test_how_to_spark_job_runs(spark: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/how-to/spark-job.md: its blocks (fenced ```py, since the docs test has no Spark) run
    in order, in one namespace, on this module's session, and their asserts hold."""
    import re

    monkeypatch.chdir(ROOT)
    text = (ROOT / "docs" / "how-to" / "spark-job.md").read_text("utf-8")
    blocks = re.findall(r"```py\n(.*?)```", text, re.S)
    assert len(blocks) >= 4
    namespace: dict[str, object] = {}
    for i, block in enumerate(blocks):
        exec(compile(block, f"spark-job.md block {i + 1}", "exec"), namespace)  # noqa: S102
    assert namespace["spark"] is spark


def test_import_gdprkit_does_not_import_pyspark() -> None:
    code = "import sys, gdprkit, gdprkit.spark; print('pyspark' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


# ------------------------------------------------------------------------------------------
# A property: generated records, the row path's answer (few examples: Spark is slow).

PROPERTY_CASES = [
    (CRM, "analytics"),
    (CRM, "profiling"),
    (CRM, "newsletter"),
    (DESIGN, "direct_marketing"),
    (RULES, "allergy_alerts"),
]


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)  # fmt: skip
@given(data=st.data())
def test_generated_records_equal_row_path(spark: Any, data: st.DataObject) -> None:
    policy, purpose = data.draw(st.sampled_from(PROPERTY_CASES))
    records = data.draw(st.lists(gst.records(policy, purpose), min_size=1, max_size=10))
    if data.draw(st.booleans()):
        records = records + data.draw(st.lists(st.sampled_from(records), max_size=3))
    consents = None
    p = policy.purpose(purpose)
    column_consent = p.consent is not None and p.consent.field is not None
    if not column_consent and (
        p.basis.value == "consent" or p.special is not None or data.draw(st.booleans())
    ):
        subjects = sorted({str(r.get(policy.subject.id)) for r in records})
        kinds = ["give", "give_explicit", "withdraw", "object_dm", "object", "restrict", "erase"]
        events = []
        for subject in subjects:
            for kind in data.draw(st.lists(st.sampled_from(kinds), max_size=2)):
                events.append((kind, subject, purpose, data.draw(st.integers(1, 1500))))
        consents = _ledger(events)
    tokens = data.draw(st.sampled_from(PATHS))
    df = frame(spark, records)
    assert_equivalent(spark, policy, df, purpose, consents=consents, tokens=tokens)
