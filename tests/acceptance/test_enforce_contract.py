"""§9 / §12 faces: enforce and requires_purpose."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta

import pytest

import gdprkit

from .conftest import AT, customer, evidence, utc


def test_enforce_yields_processed_and_counts(policy):
    recs = [
        customer(customer_id="A", codice_fiscale="RSSMRA85T10A562S"),
        customer(customer_id="B", consent_marketing="no"),
        customer(customer_id="C", source="purchased_list"),
        customer(customer_id="D", consent_marketing="no"),
    ]
    it = gdprkit.enforce(policy, recs, "direct_marketing", at=AT)
    out = list(it)
    assert len(out) == 1
    assert out[0]["email"] == "mario.rossi@example.it"
    assert "codice_fiscale" not in out[0]
    assert "customer_id" not in out[0]
    counts = it.counts
    assert counts["processed"] == 1
    assert counts["consent.missing"] == 2
    assert counts["source.not_allowed"] == 1


def test_enforce_is_lazy_generator(policy):
    pulled = []

    def gen():
        for i in range(1000):
            pulled.append(i)
            yield customer(customer_id=str(i))

    it = gdprkit.enforce(policy, gen(), "direct_marketing", at=AT)
    first = next(iter(it))
    assert first["email"]
    assert len(pulled) < 1000


def test_enforce_rejected_list(policy):
    bad = customer(customer_id="B", consent_marketing=False)
    rejected = []
    out = list(
        gdprkit.enforce(policy, [customer(), bad], "direct_marketing", at=AT, rejected=rejected)
    )
    assert len(out) == 1
    assert len(rejected) == 1
    record, decision = rejected[0]
    assert record == bad
    assert decision.allowed is False
    assert decision.reasons[0].code == "consent.missing"


def test_enforce_rejected_callable(policy):
    calls = []
    list(
        gdprkit.enforce(
            policy,
            [customer(consent_marketing=False)],
            "direct_marketing",
            at=AT,
            rejected=lambda r, d: calls.append((r, d)),
        )
    )
    assert len(calls) == 1
    assert calls[0][1].reasons[0].code == "consent.missing"


def test_enforce_rejects_non_mapping_records(policy):
    rejected = []
    out = list(gdprkit.enforce(policy, [42, customer()], "contract", at=AT, rejected=rejected))
    assert len(out) == 1
    assert rejected[0][1].reasons[0].code == "record.invalid"


def test_enforce_transforms_and_consents(policy, ledger, keys):
    ledger.give("C001", "profiling", at=utc(2025, 1, 1), evidence=evidence())
    recs = [customer(birth_date="1980-05-17"), customer(customer_id="C002")]
    it = gdprkit.enforce(policy, recs, "profiling", at=AT, consents=ledger, keys=keys)
    out = list(it)
    assert len(out) == 1
    assert out[0]["customer_id"] == gdprkit.pseudonymise(
        "C001", keys=keys, category="identity.customer_id"
    )
    assert str(out[0]["birth_date"]) == "1980"
    assert it.counts["processed"] == 1
    assert it.counts["consent.missing"] == 1


def test_enforce_missing_keys_configuration_error_before_any_record(policy, ledger):
    pulled = []

    def gen():
        pulled.append(1)
        yield customer()

    with pytest.raises(gdprkit.ConfigurationError):
        list(gdprkit.enforce(policy, gen(), "profiling", at=AT, consents=ledger))
    assert pulled == []


def test_enforce_naive_at_is_error(policy):
    with pytest.raises((gdprkit.GdprkitError, ValueError, TypeError)):
        list(gdprkit.enforce(policy, [customer()], "contract", at=datetime(2025, 1, 1)))


def test_enforce_unknown_purpose(policy):
    with pytest.raises((gdprkit.GdprkitError, KeyError, ValueError)):
        list(gdprkit.enforce(policy, [customer()], "nope", at=AT))


# ---------------------------------------------------------------- requires_purpose


def fresh(**over):
    now = datetime.now(UTC)
    return customer(
        consent_marketing_at=now - timedelta(days=30),
        last_purchase_at=now - timedelta(days=10),
        **over,
    )


def test_requires_purpose_skip_filters(policy):
    @gdprkit.requires_purpose("direct_marketing", policy=policy)
    def send(contacts, campaign="spring"):
        """Send a campaign."""
        return list(contacts)

    out = send([fresh(customer_id="A"), fresh(customer_id="B", consent_marketing=False)])
    assert len(out) == 1
    assert "customer_id" not in out[0]  # only the allowed fields, never the raw record
    assert out[0]["email"] == "mario.rossi@example.it"


def test_requires_purpose_wraps(policy):
    def send(contacts, campaign="spring", *, dry=False):
        """Send a campaign."""
        return list(contacts)

    wrapped = gdprkit.requires_purpose("direct_marketing", policy=policy)(send)
    assert wrapped.__name__ == "send"
    assert wrapped.__doc__ == "Send a campaign."
    assert inspect.signature(wrapped) == inspect.signature(send)


def test_requires_purpose_raise_on_iterable(policy):
    @gdprkit.requires_purpose("direct_marketing", policy=policy, on_denied="raise")
    def send(contacts):
        return list(contacts)

    with pytest.raises(gdprkit.ProcessingDenied):
        send([fresh(), fresh(consent_marketing=False)])
    assert len(send([fresh(), fresh()])) == 2


def test_requires_purpose_single_mapping(policy):
    @gdprkit.requires_purpose("direct_marketing", policy=policy)
    def send_one(contact):
        return contact

    out = send_one(fresh(codice_fiscale="RSSMRA85T10A562S"))
    assert isinstance(out, dict)
    assert "codice_fiscale" not in out
    assert "email" in out
    with pytest.raises(gdprkit.ProcessingDenied) as ei:
        send_one(fresh(consent_marketing=False))
    assert isinstance(ei.value, gdprkit.GdprkitError)


def test_requires_purpose_arg(policy):
    @gdprkit.requires_purpose("direct_marketing", policy=policy, arg="contacts")
    def send(campaign, contacts):
        return campaign, list(contacts)

    campaign, out = send("spring", [fresh(), fresh(consent_marketing=False)])
    assert campaign == "spring"
    assert len(out) == 1
    campaign, out = send("summer", contacts=[fresh()])
    assert campaign == "summer"
    assert len(out) == 1


def test_requires_purpose_keys_and_consents(policy, ledger, keys):
    ledger.give("C001", "profiling", at=datetime.now(UTC) - timedelta(days=1), evidence=evidence())

    @gdprkit.requires_purpose("profiling", policy=policy, consents=ledger, keys=keys)
    def score(rows):
        return list(rows)

    out = score([fresh(), fresh(customer_id="C002")])
    assert len(out) == 1
    assert out[0]["customer_id"] == gdprkit.pseudonymise(
        "C001", keys=keys, category="identity.customer_id"
    )
