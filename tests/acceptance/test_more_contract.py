"""Further §6/§8/§12 edges: explicit-consent column, boundaries, key-ring errors."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta

import gdprkit

from .conftest import AT, KEY1, codes, customer, evidence, make_policy, utc


def _explicit_columns():
    def mutate(data):
        data["fields"]["consent_health"] = "meta"
        data["fields"]["consent_health_at"] = "meta"
        data["fields"]["consent_health_explicit"] = "meta"
        data["purposes"]["allergy_alerts"]["consent"] = {
            "field": "consent_health",
            "at": "consent_health_at",
            "explicit": "consent_health_explicit",
        }

    return make_policy(mutate)


@pytest.mark.parametrize(
    ("flag", "kept"), [(True, True), ("sì", True), ("no", False), (None, False)]
)
def test_explicit_consent_from_column(flag, kept):
    pol = _explicit_columns()
    rec = customer(
        allergies="nuts",
        consent_health=True,
        consent_health_at=utc(2025, 1, 1),
        consent_health_explicit=flag,
        consent_marketing_at=utc(2025, 1, 1),
    )
    d = gdprkit.decide(pol, rec, "allergy_alerts", at=AT)
    assert d.allowed is True, codes(d)
    if kept:
        assert "allergies" in d.fields
    else:
        assert d.dropped["allergies"].code == "consent.not_explicit"


def test_column_consent_given_after_at_is_missing(policy):
    rec = customer(consent_marketing_at=AT + timedelta(days=1))
    d = gdprkit.decide(policy, rec, "direct_marketing", at=AT)
    assert codes(d)[0] == "consent.missing"


@pytest.mark.parametrize("value", [None, ""])
def test_required_field_none_or_empty_is_missing(policy, value):
    d = gdprkit.decide(policy, customer(email=value), "direct_marketing", at=AT)
    if value is None:
        assert codes(d)[0] == "purpose.required_field_missing"
    else:
        assert d.allowed is False


@pytest.mark.parametrize("sid", [None, ""])
def test_subject_id_none_or_empty_is_invalid(policy, sid):
    d = gdprkit.decide(policy, customer(customer_id=sid), "contract", at=AT)
    assert codes(d)[0] == "record.invalid"


def test_retention_boundary_exactly_at_deadline(policy):
    # a deadline is the earliest moment the answer changes: at the deadline it is expired
    rec = customer(last_purchase_at=AT - relativedelta(years=10))
    assert codes(gdprkit.decide(policy, rec, "contract", at=AT))[0] == "retention.expired"
    rec = customer(last_purchase_at=AT - relativedelta(years=10) + timedelta(seconds=1))
    assert gdprkit.decide(policy, rec, "contract", at=AT).allowed


def test_art8_birthday_today_is_old_enough(policy, ledger):
    ledger.give("C001", "profiling", at=utc(2025, 1, 1), evidence=evidence())
    born = (AT.date() - relativedelta(years=14)).isoformat()
    d = gdprkit.decide(policy, customer(birth_date=born), "profiling", at=AT, consents=ledger)
    assert d.allowed is True, codes(d)


def test_art8_unknown_country_uses_16(policy, ledger):
    ledger.give("C001", "profiling", at=utc(2025, 1, 1), evidence=evidence())
    born = (AT.date() - relativedelta(years=15)).isoformat()
    d = gdprkit.decide(
        policy, customer(birth_date=born, country="US"), "profiling", at=AT, consents=ledger
    )
    assert codes(d)[0] == "consent.child"


def test_iso_string_with_offset_is_not_reinterpreted(policy):
    rec = customer(consent_marketing_at="2023-04-03T00:30:00Z", last_purchase_at=utc(2025, 1, 1))
    d = gdprkit.decide(policy, rec, "direct_marketing", at=utc(2025, 4, 2, 23, 0))
    assert d.allowed is True, codes(d)
    assert d.valid_until == utc(2025, 4, 3, 0, 30)


def test_non_iso_with_time_dayfirst(policy):
    rec = customer(consent_marketing_at="03/04/2023 10:00", last_purchase_at=utc(2025, 1, 1))
    d = gdprkit.decide(policy, rec, "direct_marketing", at=utc(2025, 3, 20))
    assert d.allowed is True, codes(d)


def test_ledger_valid_until_consent_expiry(ledger):
    def mutate(data):
        data["purposes"]["profiling"]["consent"] = {"valid_for": "P6M"}

    pol = make_policy(mutate)
    ledger.give("C001", "profiling", at=utc(2025, 3, 1), evidence=evidence())
    d = gdprkit.decide(pol, customer(), "profiling", at=AT, consents=ledger)
    assert d.allowed is True, codes(d)
    assert d.valid_until == utc(2025, 9, 1)


def test_ledger_regive_after_withdrawal(ledger, policy):
    ledger.give("C001", "profiling", at=utc(2025, 1, 1), evidence=evidence())
    ledger.withdraw("C001", "profiling", at=utc(2025, 2, 1))
    ledger.give("C001", "profiling", at=utc(2025, 3, 1), evidence=evidence())
    s = ledger.state("C001", "profiling", at=AT)
    assert s.status == "given"
    assert s.given_at == utc(2025, 3, 1)
    assert gdprkit.decide(policy, customer(), "profiling", at=AT, consents=ledger).allowed
    assert ledger.state("C001", "profiling", at=utc(2025, 2, 15)).status == "withdrawn"


def test_keyring_active_must_exist():
    with pytest.raises((ValueError, KeyError, gdprkit.GdprkitError)):
        gdprkit.KeyRing({"k1": KEY1}, active="k2")


@pytest.mark.parametrize(
    "value", ["", "k1", "k1:!!!notbase64", f"k1:{base64.urlsafe_b64encode(b'short').decode()}"]
)
def test_from_env_bad_values(monkeypatch, value):
    monkeypatch.setenv("GDPRKIT_KEYS", value)
    with pytest.raises((ValueError, gdprkit.GdprkitError)):
        gdprkit.KeyRing.from_env()


def test_errors_never_show_key_bytes(monkeypatch):
    secret = base64.urlsafe_b64encode(b"s" * 20).decode()
    monkeypatch.setenv("GDPRKIT_KEYS", f"k1:{secret}")
    with pytest.raises((ValueError, gdprkit.GdprkitError)) as ei:
        gdprkit.KeyRing.from_env()
    assert secret.rstrip("=") not in str(ei.value)


def test_token_survives_rotation_prefix():
    k = gdprkit.KeyRing({"k1": KEY1}, active="k1")
    r = k.rotate()
    old = gdprkit.pseudonymise("C001", keys=k)
    # the token names its key: the old one still says k1 after rotation
    assert old.startswith("k1")
    assert not gdprkit.pseudonymise("C001", keys=r).startswith("k1")


def test_sweep_table_with_surrogate_primary_key(tmp_path, policy):
    import sqlite3

    pytest.importorskip("sqlalchemy")
    from gdprkit.integrations.sqlalchemy import sweep_table

    path = tmp_path / "crm.db"
    con = sqlite3.connect(path)
    con.execute(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY AUTOINCREMENT, customer_id TEXT, "
        "first_name TEXT, relationship TEXT, source TEXT, last_purchase_at TEXT, notes TEXT)"
    )
    con.execute(
        "INSERT INTO customers (customer_id, first_name, relationship, source, last_purchase_at,"
        " notes) VALUES ('A', 'Anna', 'customer', 'store', '2025-01-10', 'x')"
    )
    con.commit()
    con.close()
    rep = sweep_table(
        f"sqlite:///{path}", "customers", policy, at=AT, consents=gdprkit.ConsentLedger()
    )
    assert (rep.deleted, rep.erased, rep.kept) == (0, 1, 0)
    con = sqlite3.connect(path)
    assert con.execute("SELECT id, customer_id, notes FROM customers").fetchall() == [
        (1, "A", None)
    ]
    con.close()


def test_requires_purpose_raise_after_earlier_records(policy):
    from datetime import UTC, datetime

    now = datetime.now(UTC)

    def fresh(**over):
        return customer(
            consent_marketing_at=now - timedelta(days=30),
            last_purchase_at=now - timedelta(days=3),
            **over,
        )

    sent = []

    @gdprkit.requires_purpose("direct_marketing", policy=policy, on_denied="raise")
    def send(contacts):
        for c in contacts:
            sent.append(c)

    with pytest.raises(gdprkit.ProcessingDenied) as ei:
        send([fresh(), fresh(consent_marketing=False), fresh()])
    assert len(sent) == 1
    assert ei.value.decision.reasons[0].code == "consent.missing"


def test_aware_at_in_other_timezone(policy):
    from .conftest import ROME

    at_rome = AT.astimezone(ROME)
    a = gdprkit.decide(policy, customer(), "direct_marketing", at=AT)
    b = gdprkit.decide(policy, customer(), "direct_marketing", at=at_rome)
    assert a.allowed == b.allowed
    assert a.valid_until == b.valid_until


def test_access_report_until_none_when_unbounded():
    def mutate(data):
        data["purposes"]["contract"]["retention"] = []

    pol = make_policy(mutate)
    rep = gdprkit.access_report(pol, [customer()], at=AT)
    assert rep["records"][0]["fields"]["email"]["purposes"]["contract"]["until"] is None


def test_state_naive_at_refused(ledger):
    from datetime import datetime

    with pytest.raises((gdprkit.GdprkitError, ValueError, TypeError)):
        ledger.state("C001", "p", at=datetime(2025, 1, 1))


def test_bad_timezone_is_policy_error():
    with pytest.raises(gdprkit.PolicyError):
        make_policy(lambda d: d["settings"].__setitem__("timezone", "Mars/Olympus"))
