"""enforce and requires_purpose: streams, rejects, counts, transforms, misconfiguration."""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from gdprkit import (
    ConfigurationError,
    ConsentLedger,
    ConsentState,
    Decision,
    Evidence,
    KeyRing,
    ProcessingDenied,
    decide,
    enforce,
    load_policy,
    pseudonymise,
    requires_purpose,
)

POLICY = load_policy(Path(__file__).parent / "data" / "rules_policy.yaml")
AT = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
KEYS = KeyRing.generate()


def customer(i: int, **change: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "customer_id": f"C-{i}",
        "name": "Marco Esposito",
        "email": f"marco{i}@example.it",
        "phone": "+39 333 0000000",
        "source": "store",
        "relationship": "customer",
        "last_purchase_at": "2025-01-10",
        "purchases_total": 10.0 * i,
        "consent_marketing": True,
        "consent_marketing_at": "2025-02-01",
        "country": "IT",
    }
    record.update(change)
    return record


class Untouchable:
    """An iterable that fails the test if anything reads from it."""

    def __iter__(self) -> Iterator[Any]:
        raise AssertionError("records were touched")


def test_enforce_yields_allowed_fields_and_rejects_the_rest() -> None:
    records = [
        customer(1),
        customer(2, consent_marketing="no"),
        customer(3, source="social_network"),
        customer(4, email=None),
        customer(5),
    ]
    rejected: list[tuple[Any, Decision]] = []
    stream = enforce(POLICY, records, "newsletter", at=AT, rejected=rejected)
    out = list(stream)
    assert [o["email"] for o in out] == ["marco1@example.it", "marco5@example.it"]
    assert all(set(o) == {"name", "email", "last_purchase_at", "purchases_total"} for o in out)
    assert [r["customer_id"] for r, _ in rejected] == ["C-2", "C-3", "C-4"]
    assert [d.reasons[0].code for _, d in rejected] == [
        "consent.missing",
        "source.not_allowed",
        "purpose.required_field_missing",
    ]
    assert all(not d.allowed for _, d in rejected)
    assert stream.counts == {
        "processed": 2,
        "consent.missing": 1,
        "source.not_allowed": 1,
        "purpose.required_field_missing": 1,
    }
    assert (stream.processed, stream.denied) == (2, 3)


def test_enforce_agrees_with_decide_record_by_record() -> None:
    ledger = ConsentLedger()
    ledger.give("C-2", "profiling", at=AT - timedelta(days=3), evidence=Evidence("app"))
    records = [customer(i, birth_date="1980-04-05") for i in range(1, 4)]
    out = list(enforce(POLICY, records, "profiling", at=AT, consents=ledger, keys=KEYS))
    expected = [
        d.apply(r, KEYS)
        for r in records
        if (d := decide(POLICY, r, "profiling", at=AT, consents=ledger)).allowed
    ]
    assert out == expected
    assert len(out) == 1
    assert out[0]["customer_id"] == pseudonymise("C-2", keys=KEYS, category="identity.customer_id")


def test_rejected_callable_and_lazy_streaming() -> None:
    seen: list[str] = []
    infinite = (customer(i, consent_marketing=i % 2 == 0) for i in itertools.count())
    stream = enforce(
        POLICY, infinite, "newsletter", at=AT, rejected=lambda r, d: seen.append(d.reasons[0].code)
    )
    first = list(itertools.islice(stream, 3))
    assert len(first) == 3  # records 0, 2 and 4: only as many read as needed
    assert seen == ["consent.missing"] * 2


def test_missing_keys_raise_before_any_record_is_touched() -> None:
    with pytest.raises(ConfigurationError, match="keys"):
        enforce(POLICY, Untouchable(), "profiling", at=AT)  # type: ignore[arg-type]


def test_unknown_purpose_and_naive_at_raise_before_any_record() -> None:
    with pytest.raises(ConfigurationError, match="unknown purpose"):
        enforce(POLICY, Untouchable(), "newsleter", at=AT)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="aware"):
        enforce(POLICY, Untouchable(), "newsletter", at=datetime(2025, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="aware"):  # ConfigurationError is a ValueError
        decide(POLICY, customer(1), "newsletter", at=datetime(2025, 1, 1))


def test_non_mapping_records_are_denied_not_crashes() -> None:
    rejected: list[tuple[Any, Decision]] = []
    out = list(
        enforce(POLICY, [None, 42, "text", customer(1)], "newsletter", at=AT, rejected=rejected)  # type: ignore[list-item]
    )
    assert len(out) == 1
    assert [d.reasons[0].code for _, d in rejected] == ["record.invalid"] * 3


class CountingSource:
    """A consent source with a bulk path, counting how it is asked."""

    def __init__(self, ledger: ConsentLedger) -> None:
        self.ledger = ledger
        self.single = 0
        self.bulk: list[int] = []

    def state(self, subject: str, purpose: str, *, at: datetime) -> ConsentState:
        self.single += 1
        return self.ledger.state(subject, purpose, at=at)

    def states(
        self, subjects: Iterable[str], purpose: str, *, at: datetime
    ) -> Mapping[str, ConsentState]:
        subjects = list(subjects)
        self.bulk.append(len(subjects))
        return self.ledger.states(subjects, purpose, at=at)


def test_enforce_uses_the_bulk_path_of_a_consent_source() -> None:
    ledger = ConsentLedger()
    for i in range(0, 3000, 3):
        ledger.give(f"C-{i}", "profiling", at=AT - timedelta(days=1), evidence=Evidence("app"))
    ledger.object("C-3", at=AT - timedelta(days=1), purpose="analytics")
    source = CountingSource(ledger)
    records = (customer(i) for i in range(3000))
    stream = enforce(POLICY, records, "profiling", at=AT, consents=source, keys=KEYS)
    assert sum(1 for _ in stream) == 1000
    assert source.single == 0
    assert len(source.bulk) == 3  # 3000 records in chunks of 1024
    assert sum(source.bulk) == 3000


def test_consents_without_subject_id_is_a_configuration_error() -> None:
    data = load_policy(Path(__file__).parent / "data" / "rules_policy.yaml").model_dump(
        by_alias=True
    )
    data["subject"]["id"] = None
    policy = load_policy(data)
    with pytest.raises(ConfigurationError, match=r"subject\.id"):
        enforce(policy, [], "analytics", at=AT, consents=ConsentLedger())


# -- requires_purpose ---------------------------------------------------------------------


def test_decorator_filters_iterables_and_preserves_the_signature() -> None:
    @requires_purpose("newsletter", policy=POLICY)
    def send(contacts: Iterable[dict[str, Any]], subject_line: str = "Offerte") -> list[str]:
        """Send the newsletter."""
        return [f"{subject_line}: {c['email']}" for c in contacts]

    records = [customer(1), customer(2, consent_marketing=False), customer(3)]
    assert send(records) == ["Offerte: marco1@example.it", "Offerte: marco3@example.it"]
    assert send.__doc__ == "Send the newsletter."
    assert send.__name__ == "send"
    assert list(inspect.signature(send).parameters) == ["contacts", "subject_line"]


def test_decorator_never_passes_the_raw_record() -> None:
    seen: list[dict[str, Any]] = []

    @requires_purpose("newsletter", policy=POLICY)
    def send_one(contact: dict[str, Any]) -> None:
        seen.append(contact)

    send_one(customer(1))
    assert set(seen[0]) == {"name", "email", "last_purchase_at", "purchases_total"}
    with pytest.raises(ProcessingDenied) as info:
        send_one(customer(2, consent_marketing="no"))
    assert info.value.decision.reasons[0].code == "consent.missing"
    assert "consent.missing" in str(info.value)
    assert "marco2" not in str(info.value)


def test_decorator_on_denied_raise_and_arg() -> None:
    @requires_purpose("newsletter", policy=POLICY, on_denied="raise", arg="contacts")
    def campaign(name: str, contacts: Iterable[dict[str, Any]]) -> int:
        return sum(1 for _ in contacts)

    assert campaign("spring", [customer(1), customer(2)]) == 2
    with pytest.raises(ProcessingDenied):
        campaign("spring", contacts=[customer(1), customer(2, source="social_network")])


def test_decorator_tokenises_with_keys() -> None:
    @requires_purpose("profiling", policy=POLICY, keys=KEYS, consents=_ledger_all())
    def profile(rows: Iterable[dict[str, Any]]) -> list[Any]:
        return [r["customer_id"] for r in rows]

    tokens = profile([customer(1)])
    assert tokens == [pseudonymise("C-1", keys=KEYS)]


def _ledger_all() -> ConsentLedger:
    ledger = ConsentLedger()
    now = datetime.now(UTC)
    ledger.give("C-1", "profiling", at=now - timedelta(days=10), evidence=Evidence("app"))
    return ledger


def test_decorator_misconfiguration_fails_at_decoration() -> None:
    with pytest.raises(ConfigurationError, match="keys"):
        requires_purpose("profiling", policy=POLICY)
    with pytest.raises(ConfigurationError, match="unknown purpose"):
        requires_purpose("nope", policy=POLICY)
    with pytest.raises(ConfigurationError, match="no parameter"):
        requires_purpose("newsletter", policy=POLICY, arg="rows")(lambda records: records)
    with pytest.raises(ConfigurationError, match="on_denied"):
        requires_purpose("newsletter", policy=POLICY, on_denied="ignore")  # type: ignore[arg-type]


def test_decorator_accepts_a_policy_path_and_reads_the_clock_at_call_time() -> None:
    @requires_purpose("newsletter", policy=Path(__file__).parent / "data" / "rules_policy.yaml")
    def count(rows: Iterable[dict[str, Any]]) -> int:
        return sum(1 for _ in rows)

    now = datetime.now(UTC)
    fresh = customer(1, consent_marketing_at=(now - timedelta(days=2)).isoformat())
    stale = customer(2, consent_marketing_at=(now - timedelta(days=800)).isoformat())
    assert count([fresh]) == 1
    assert count([stale]) == 0  # 24 months from consent are over by now
