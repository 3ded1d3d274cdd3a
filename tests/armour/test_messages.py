"""No message quotes a record value or prints a raw control character (design.md principle 7,
style.md: messages name fields, purposes, codes and articles; field names go through repr()).

Records come from gdprkit.testing.strategies (realistic values for the example CRM policy) with
values and undeclared field names full of control characters (terminal escapes, bidi
overrides, NUL, line separators) added; policies get field and purpose names spelt the same
way. Everything a person reads is checked: ``str`` and ``repr`` of every ``Reason``,
``Decision``, ``Violation``, of ``PolicyError`` (and its problems), ``ConfigurationError`` and
``ProcessingDenied``, and what ``gdprkit enforce`` prints.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from gdprkit import (
    ARTICLES,
    RIGHTS_ARTICLES,
    ConfigurationError,
    ConsentLedger,
    Decision,
    Evidence,
    GdprkitError,
    KeyRing,
    PolicyError,
    ProcessingDenied,
    Reason,
    Violation,
    decide,
    enforce,
    load_policy,
    requires_purpose,
    sweep,
    validate,
)
from gdprkit.cli import main as cli_main
from gdprkit.testing.strategies import records

PROPERTY = settings.get_profile(f"gdprkit-armour-{os.environ.get('GDPRKIT_HYPOTHESIS', 'ci')}")
ROOT = Path(__file__).parents[2]
POLICY_PATH = ROOT / "examples" / "crm" / "policy.yaml"
POLICY = load_policy(POLICY_PATH)
POLICY_TEXT = POLICY_PATH.read_text("utf-8")
PURPOSES = sorted(POLICY.purposes)
AT = datetime(2026, 3, 1, 9, tzinfo=UTC)
KEYS = KeyRing({"k1": bytes(range(32))})

# Characters that must never reach a terminal or a log raw: C0 (newline aside, checked where a
# message is one line), DEL, C1, the bidi overrides and isolates, line and paragraph separators.
CONTROL = frozenset(
    [chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))]
    + [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029)]
)
# Words gdprkit's messages use themselves (a flag column "holds neither yes nor no (true/false)").
FLAG_WORDS = ("true/false", "yes/no", "sì/no", "1/0")
HOSTILE = ("\x1b[2J", "\x1b]0;owned\x07", "\x00", "\r", "\n", "\u202e", "\u2028", "\x85", "\t")

hostile_bits = st.sampled_from(HOSTILE) | st.sampled_from(sorted(CONTROL))
# A value the CRM holds: something that identifies, with control characters inside.
planted = st.builds(
    lambda head, bit, tail: f"{head}{bit}{tail}",
    st.sampled_from(["ottavia.ferraris@example.it", "FRRTTV85T50A662C", "+39 347 9988776"]),
    hostile_bits,
    st.sampled_from(["", "Via Roma 12", "7700431"]),
)
# A field name with control characters (never in the policy: an undeclared column).
hostile_names = st.builds(
    lambda head, bit, tail: f"{head}{bit}{tail}",
    st.sampled_from(["note", "email", "x", ""]),
    hostile_bits,
    st.sampled_from(["", "s", "_extra"]),
)


def _texts(value: object) -> Iterator[str]:
    """The texts a value shows when quoted (dates and numbers as their usual text too)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int | float | Decimal):
        yield str(value)
    elif isinstance(value, datetime | date):
        yield value.isoformat()
        yield str(value)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _texts(item)


def values_of(records: Iterable[Mapping[str, Any]]) -> set[str]:
    """The pieces of record values a message must not hold: every printable run of five
    characters or more, but those the policy, the field names or the vocabulary spell
    (``customer``, ``web_form``: the policy's own words, quoted when it names a condition)."""
    names = {str(k) for record in records for k in record}
    vocabulary = "\n".join([POLICY_TEXT, *names, *ARTICLES, *RIGHTS_ARTICLES, *FLAG_WORDS])
    pieces: set[str] = set()
    for record in records:
        for value in record.values():
            for text in _texts(value):
                run = ""
                for ch in [*text, "\x00"]:
                    if ch in CONTROL or (ch.isspace() and ch != " "):
                        run = run.strip()
                        if len(run) >= 5 and run not in vocabulary:
                            pieces.add(run)
                        run = ""
                    else:
                        run += ch
    return pieces


def assert_clean(text: str, values: set[str], *, lines: bool = False) -> None:
    """``text`` holds no record value and no raw control character (a newline only where the
    text is several lines by nature: ``lines``)."""
    allowed = {"\n"} if lines else set()
    raw = sorted({ch for ch in text if ch in CONTROL} - allowed)
    assert raw == [], f"raw control characters {raw!r} in {text!r}"
    quoted = sorted(v for v in values if v in text)
    assert quoted == [], f"record values {quoted!r} quoted in {text!r}"


def reason_texts(reason: Reason) -> list[str]:
    return [str(reason), repr(reason), reason.message]


def decision_texts(decision: Decision) -> list[str]:
    texts = [repr(decision)]
    for reason in (*decision.reasons, *decision.dropped.values()):
        texts += reason_texts(reason)
    return texts


def violation_texts(violation: Violation) -> list[str]:
    return [str(violation), repr(violation), violation.message]


@st.composite
def hostile_records(draw: st.DrawFn, purpose: str) -> dict[str, Any]:
    """A realistic record for ``purpose``, with control characters in some values and some
    undeclared fields whose names hold control characters."""
    record: dict[str, Any] = draw(records(POLICY, purpose, blanks=False))
    for name in draw(st.lists(st.sampled_from(sorted(record)), max_size=4, unique=True)):
        value = record[name]
        if isinstance(value, str) and name != POLICY.subject.id:
            record[name] = draw(st.sampled_from(["", value])) + draw(hostile_bits) + value
    for _ in range(draw(st.integers(0, 3))):
        record[draw(hostile_names)] = draw(planted)
    return record


# --------------------------------------------------------------------------------------------
# The engine: decide, validate, enforce, sweep, the decorator.


@PROPERTY
@given(data=st.data(), purpose=st.sampled_from(PURPOSES))
def test_decisions_and_violations_quote_no_value_and_escape_names(
    data: st.DataObject, purpose: str
) -> None:
    record = data.draw(hostile_records(purpose))
    record["note\x1b[2J"] = "ottavia@example.it"  # str(Reason) once printed '[note<ESC>[2J]'
    values = values_of([record])
    note(repr(record))
    ledger = ConsentLedger()
    ledger.give(
        record[POLICY.subject.id], purpose, at=AT.replace(year=2025), evidence=Evidence("app"),
        explicit=True,
    )  # fmt: skip
    decision = decide(POLICY, record, purpose, at=AT, consents=ledger)
    for text in decision_texts(decision):
        assert_clean(text, values)
    for violation in validate(POLICY, record):
        for text in violation_texts(violation):
            assert_clean(text, values)


@PROPERTY
@given(data=st.data(), purpose=st.sampled_from(PURPOSES))
def test_enforce_and_sweep_reasons_quote_no_value(data: st.DataObject, purpose: str) -> None:
    batch = data.draw(st.lists(hostile_records(purpose), min_size=1, max_size=4))
    values = values_of(batch)
    ledger = ConsentLedger()
    seen: list[Decision] = []
    stream = enforce(
        POLICY, batch, purpose, at=AT, consents=ledger, keys=KEYS,
        rejected=lambda _record, decision: seen.append(decision),
    )  # fmt: skip
    list(stream)
    assert_clean(repr(stream), values)
    assert_clean(str(dict(stream.counts)), values)
    for decision in seen:
        for text in decision_texts(decision):
            assert_clean(text, values)
    for action in sweep(POLICY, batch, at=AT.replace(year=2031), consents=ledger):
        for reason in action.reasons:
            for text in reason_texts(reason):
                assert_clean(text, values)


@PROPERTY
@given(data=st.data())
def test_processing_denied_quotes_no_value(data: st.DataObject) -> None:
    record = data.draw(hostile_records("newsletter"))
    record["source"] = "social_network"  # a lead from a social network: always denied
    values = values_of([record])

    @requires_purpose("newsletter", policy=POLICY, on_denied="raise", at=AT)
    def send(customer: dict[str, Any]) -> None:
        raise AssertionError("a denied record reached the function")

    with pytest.raises(ProcessingDenied) as info:
        send(record)
    error = info.value
    for text in (str(error), repr(error), *decision_texts(error.decision)):
        assert_clean(text, values)


# --------------------------------------------------------------------------------------------
# Policies whose own names hold control characters.

POLICY_BASE: dict[str, Any] = {
    "version": 1,
    "controller": {"name": "X", "country": "IT", "contact": "privacy@x.it"},
    "subject": {"id": "customer_id"},
}


@st.composite
def hostile_policies(draw: st.DrawFn) -> tuple[dict[str, Any], str, str, str]:
    """(policy document, purpose name, e-mail field name, consent field name), the names
    holding control characters, some of them placed wrong on purpose (an unknown category, a
    required field that is not declared)."""
    email = draw(hostile_names)
    flag = draw(hostile_names.filter(lambda n: n != email))
    purpose = draw(hostile_names)
    doc = {
        **POLICY_BASE,
        "fields": {
            "customer_id": "identity.customer_id",
            email: draw(st.sampled_from(["contact.email", "contact.e\x1bmail"])),
            flag: "meta",
        },
        "purposes": {
            purpose: {
                "basis": "consent",
                "consent": {"field": flag},
                "categories": ["contact.email"],
                "requires": [draw(st.sampled_from([email, email + "\x1b", "\u202emissing"]))],
            }
        },
    }
    return doc, purpose, email, flag


@PROPERTY
@given(case=hostile_policies(), data=st.data())
def test_names_with_control_characters_are_escaped_everywhere(
    case: tuple[dict[str, Any], str, str, str], data: st.DataObject
) -> None:
    doc, purpose, email, flag = case
    try:
        policy = load_policy(doc)
    except PolicyError as error:
        assert_clean(str(error), set(), lines=True)
        assert_clean(repr(error), set())
        for problem in error.problems:
            assert_clean(str(problem), set())
            assert_clean(repr(problem), set())
        return
    (purpose,) = policy.purposes  # as the loader named it
    denied: list[Decision] = []

    def rejected(_record: object, decision: Decision) -> None:
        denied.append(decision)

    value = data.draw(planted)
    record = {"customer_id": "BV-1", email: value, flag: data.draw(st.sampled_from(["x", "sì"]))}
    record[data.draw(hostile_names)] = data.draw(planted)
    values = values_of([record])
    for text in decision_texts(decide(policy, record, purpose, at=AT)):
        assert_clean(text, values)
    for violation in validate(policy, record):
        for text in violation_texts(violation):
            assert_clean(text, values)
    stream = enforce(policy, [record, record], purpose, at=AT, rejected=rejected)
    assert len(list(stream)) + stream.denied == 2
    for decision in denied:
        for text in decision_texts(decision):
            assert_clean(text, values)


def test_an_unknown_purpose_message_escapes_the_declared_names() -> None:
    """'unknown purpose ...; the policy declares: ...' once listed the declared names raw."""
    policy = load_policy(
        {
            **POLICY_BASE,
            "fields": {"customer_id": "identity.customer_id", "email": "contact.email"},
            "purposes": {"news\x1b[2Jletter": {"basis": "contract", "categories": ["contact"]}},
        }
    )
    for call in (
        lambda: policy.purpose("newsletter\x07"),
        lambda: decide(policy, {"customer_id": "BV-1"}, "newsletter\x07", at=AT),
        lambda: enforce(policy, [], "newsletter\x07", at=AT),
    ):
        with pytest.raises(ConfigurationError) as info:
            call()
        assert_clean(str(info.value), set())
        assert_clean(repr(info.value), set())


# --------------------------------------------------------------------------------------------
# The CLI: what `gdprkit enforce` prints about a CSV export.


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("cli")
    keys = where / "keys.txt"
    keys.write_text(KEYS.export(), "utf-8")
    keys.chmod(0o600)
    ledger = ConsentLedger(f"sqlite:///{where / 'ledger.db'}")  # the CLI opens existing ones
    ledger.give("BV-0000001", "profiling", at=AT.replace(year=2025), evidence=Evidence("app"))
    ledger.close()
    return where


def _run(argv: list[str]) -> tuple[int, str, str]:
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli_main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
    texts = []
    for stream in (out, err):
        stream.flush()
        assert isinstance(stream.buffer, io.BytesIO)
        texts.append(stream.buffer.getvalue().decode("utf-8", "replace"))
    return code, texts[0], texts[1]


@PROPERTY
@given(
    data=st.data(),
    purpose=st.sampled_from(PURPOSES),
    delimiter=st.sampled_from([",", ";"]),
    output=st.sampled_from(["out.jsonl", "out.csv"]),
)
def test_the_cli_prints_no_value_and_no_control_character(
    workdir: Path, data: st.DataObject, purpose: str, delimiter: str, output: str
) -> None:
    batch = data.draw(st.lists(hostile_records(purpose), min_size=1, max_size=4))
    columns = list(dict.fromkeys(name for record in batch for name in record))
    source = workdir / "in.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, delimiter=delimiter, lineterminator="\r\n")
        writer.writeheader()
        for record in batch:
            writer.writerow({k: "" if v is None else v for k, v in record.items()})
    values = values_of(batch)
    argv = ["enforce", str(POLICY_PATH), purpose, str(source), str(workdir / output)]
    argv += ["--at", AT.isoformat(), "--keys-file", str(workdir / "keys.txt")]
    argv += ["--ledger", f"sqlite:///{workdir / 'ledger.db'}"]
    code, stdout, stderr = _run(argv)
    note(stderr)
    assert code in (0, 1, 2)
    assert "Traceback" not in stderr
    assert_clean(stdout, values, lines=True)
    assert_clean(stderr, values, lines=True)


def test_the_checks_catch_a_quoted_value_and_a_raw_escape() -> None:
    """The oracle itself: a quoted value and a raw escape are caught, a repr'd name is not."""
    record = {"e\x1bmail": "ottavia.ferraris@example.it\x1b[2J", "source": "store"}
    values = values_of([record])
    assert "ottavia.ferraris@example.it" in values
    assert "store" not in values  # the policy's own word
    with pytest.raises(AssertionError, match="record values"):
        assert_clean("field.undeclared: 'ottavia.ferraris@example.it'", values)
    with pytest.raises(AssertionError, match="raw control"):
        assert_clean("field 'e\x1bmail' is not declared", values)
    assert_clean(f"field {'e' + chr(27) + 'mail'!r} is not declared", values)


def test_a_gdprkit_error_is_the_only_error() -> None:
    """The classes checked here are gdprkit's (nothing else is raised for these inputs)."""
    assert issubclass(PolicyError, GdprkitError)
    assert issubclass(ConfigurationError, GdprkitError)
    assert issubclass(ProcessingDenied, GdprkitError)
    assert unicodedata.category("\u202e") == "Cf"
