"""§9 / §12 gdprkit.testing: assertions, strategies, plugin fixtures."""

from __future__ import annotations

import pytest

import gdprkit
from gdprkit import testing

from .conftest import AT, customer


def test_assert_allowed(policy):
    ok = gdprkit.decide(policy, customer(), "direct_marketing", at=AT)
    testing.assert_allowed(ok)
    no = gdprkit.decide(policy, customer(consent_marketing=False), "direct_marketing", at=AT)
    with pytest.raises(AssertionError):
        testing.assert_allowed(no)


def test_assert_denied(policy):
    no = gdprkit.decide(policy, customer(consent_marketing=False), "direct_marketing", at=AT)
    testing.assert_denied(no, "consent.missing")
    with pytest.raises(AssertionError):
        testing.assert_denied(no, "source.not_allowed")
    ok = gdprkit.decide(policy, customer(), "direct_marketing", at=AT)
    with pytest.raises(AssertionError):
        testing.assert_denied(ok, "consent.missing")


def test_assert_dropped(policy):
    d = gdprkit.decide(
        policy, customer(codice_fiscale="RSSMRA85T10A562S"), "direct_marketing", at=AT
    )
    testing.assert_dropped(d, "codice_fiscale", "field.not_needed")
    with pytest.raises(AssertionError):
        testing.assert_dropped(d, "codice_fiscale", "field.undeclared")
    with pytest.raises(AssertionError):
        testing.assert_dropped(d, "email", "field.not_needed")


def test_assert_no_raw_identifiers(policy, keys):
    inputs = [customer()]
    raw = [{"email": "mario.rossi@example.it", "purchases_total": 250}]
    with pytest.raises(AssertionError):
        testing.assert_no_raw_identifiers(raw, inputs, policy)
    token = gdprkit.pseudonymise("mario.rossi@example.it", keys=keys, category="contact.email")
    safe = [{"email": token, "purchases_total": 250, "country": "IT"}]
    testing.assert_no_raw_identifiers(safe, inputs, policy)


def test_assert_no_raw_identifiers_any_output_field(policy):
    inputs = [customer(phone="+39 333 999 0000")]
    with pytest.raises(AssertionError):
        testing.assert_no_raw_identifiers([{"x": "+39 333 999 0000"}], inputs, policy)


def test_strategies_records(policy):
    hypothesis = pytest.importorskip("hypothesis")
    from gdprkit.testing import strategies

    declared = set(policy.fields) if isinstance(policy.fields, dict) else None
    seen = []

    @hypothesis.settings(max_examples=15, deadline=None, database=None)
    @hypothesis.given(strategies.records(policy, purpose="direct_marketing"))
    def check(rec):
        assert isinstance(rec, dict)
        if declared is not None:
            assert set(rec) <= declared
        gdprkit.decide(policy, rec, "direct_marketing", at=AT)
        seen.append(rec)

    check()
    assert seen

    @hypothesis.settings(max_examples=5, deadline=None, database=None)
    @hypothesis.given(strategies.records(policy))
    def check_any(rec):
        assert isinstance(rec, dict)

    check_any()


def test_plugin_fixtures(gdpr_ledger, gdpr_keys):
    assert isinstance(gdpr_ledger, gdprkit.ConsentLedger)
    assert isinstance(gdpr_keys, gdprkit.KeyRing)
    assert list(gdpr_ledger.events("anyone")) == []


INNER = """
import gdprkit

def test_fixture(gdpr_policy):
    assert isinstance(gdpr_policy, gdprkit.Policy)
    assert "direct_marketing" in gdpr_policy.purposes
"""


def _run_inner(tmp_path, ini: str | None, extra: list[str]):
    import shutil
    import subprocess
    import sys

    from .conftest import DATA

    proj = tmp_path / "proj"
    (proj / "conf").mkdir(parents=True)
    (proj / "tests").mkdir()
    shutil.copy(DATA, proj / "conf" / "policy.yaml")
    (proj / "tests" / "test_inner.py").write_text(INNER)
    if ini is not None:
        (proj / "pytest.ini").write_text(ini)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(proj),
            str(proj / "tests"),
            *extra,
        ],
        check=False,
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_plugin_gdpr_policy_from_ini_relative_to_ini(tmp_path):
    r = _run_inner(tmp_path, "[pytest]\ngdpr_policy = conf/policy.yaml\n", [])
    assert r.returncode == 0, r.stdout + r.stderr


def test_plugin_gdpr_policy_from_flag(tmp_path):
    r = _run_inner(
        tmp_path, "[pytest]\n", ["--gdpr-policy", str(tmp_path / "proj" / "conf" / "policy.yaml")]
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_assert_no_raw_identifiers_ignores_other_categories(policy):
    """Only identity, contact, online, special and criminal inputs count as raw identifiers."""
    inputs = [customer(notes="prefers mornings", birth_date="1980-05-17")]
    outputs = [{"notes": "prefers mornings", "birth_date": "1980-05-17", "purchases_total": 250}]
    testing.assert_no_raw_identifiers(outputs, inputs, policy)


def test_assert_no_raw_identifiers_special_field(policy):
    inputs = [customer(allergies="peanut allergy")]
    with pytest.raises(AssertionError):
        testing.assert_no_raw_identifiers([{"a": "peanut allergy"}], inputs, policy)
