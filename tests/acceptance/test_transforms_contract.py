"""§5 purpose transforms and §7 methods, applied through Decision.apply."""

from __future__ import annotations

import pytest

import gdprkit

from .conftest import AT, KEY1, customer, make_policy


@pytest.fixture(scope="module")
def tpolicy():
    def mutate(data):
        data["fields"]["ip"] = "online.ip_address"
        data["fields"]["ip6"] = "online.ip_address"
        data["purposes"]["contract"]["categories"] += ["demographic", "online"]
        data["purposes"]["contract"]["transform"] = {
            "email": "mask",
            "birth_date": "generalise.year",
            "ip": "generalise.ip",
            "ip6": "generalise.ip",
            "last_name": "encrypt",
            "codice_fiscale": "drop",
            "customer_id": {"method": "token", "domain": "crm"},
        }

    return make_policy(mutate)


@pytest.fixture(scope="module")
def out(tpolicy):
    keys = gdprkit.KeyRing({"k1": KEY1}, active="k1")
    rec = customer(
        codice_fiscale="RSSMRA85T10A562S",
        birth_date="1985-12-10",
        ip="192.168.1.77",
        ip6="2001:db8:abcd:12::1",
    )
    d = gdprkit.decide(tpolicy, rec, "contract", at=AT)
    assert d.allowed
    return d.apply(rec, keys=keys), keys


def test_mask_email(out):
    assert out[0]["email"] == "m***@example.it"


def test_generalise_ip(out):
    assert out[0]["ip"] == "192.168.1.0/24"
    assert out[0]["ip6"] == "2001:db8:abcd::/48"


def test_generalise_year(out):
    assert str(out[0]["birth_date"]) == "1985"


def test_drop(out):
    assert "codice_fiscale" not in out[0]


def test_token_domain_from_transform(out):
    result, keys = out
    expected = gdprkit.pseudonymise(
        "C001", keys=keys, domain="crm", category="identity.customer_id"
    )
    assert result["customer_id"] == expected


def test_encrypt_reveals(out):
    result, keys = out
    assert result["last_name"] != "Rossi"
    assert gdprkit.reveal(result["last_name"], keys=keys).lower() == "rossi"


def test_encrypt_reveals_exact_value(out):
    result, keys = out
    assert gdprkit.reveal(result["last_name"], keys=keys) == "Rossi"
