"""§5 policy format, §10 errors, validate (§6, §12)."""

from __future__ import annotations

import json

import pytest

import gdprkit

from .conftest import AT, DATA, customer, design_dict, make_policy


def test_load_yaml_path_and_str(policy):
    assert isinstance(policy, gdprkit.Policy)
    assert isinstance(gdprkit.load_policy(str(DATA)), gdprkit.Policy)


def test_load_json_and_toml(tmp_path):
    data = design_dict()
    j = tmp_path / "p.json"
    j.write_text(json.dumps(data))
    assert isinstance(gdprkit.load_policy(j), gdprkit.Policy)
    tomli_w = pytest.importorskip("tomli_w")
    t = tmp_path / "p.toml"
    t.write_bytes(tomli_w.dumps(data).encode())
    assert isinstance(gdprkit.load_policy(t), gdprkit.Policy)


def test_load_toml_handwritten(tmp_path):
    t = tmp_path / "p.toml"
    t.write_text(
        """
version = 1
[controller]
name = "X"
country = "IT"
contact = "a@b.it"
[fields]
customer_id = "identity.customer_id"
[purposes.contract]
basis = "contract"
categories = ["identity"]
"""
    )
    pol = gdprkit.load_policy(t)
    d = gdprkit.decide(pol, {"customer_id": "1"}, "contract", at=AT)
    assert d.allowed


def test_policy_is_frozen(policy):
    with pytest.raises((ValueError, TypeError, AttributeError)):
        policy.version = 2


def test_json_schema():
    schema = gdprkit.Policy.model_json_schema()
    assert isinstance(schema, dict)
    json.dumps(schema)


def test_unknown_keys_all_reported():
    data = design_dict()
    data["controler_typo"] = 1
    data["purposes"]["contract"]["retension"] = []
    with pytest.raises(gdprkit.PolicyError) as ei:
        gdprkit.load_policy(data)
    text = str(ei.value)
    assert "controler_typo" in text
    assert "retension" in text
    assert isinstance(ei.value, gdprkit.GdprkitError)


def test_bad_basis_and_period():
    data = design_dict()
    data["purposes"]["contract"]["basis"] = "because"
    data["purposes"]["profiling"]["retention"][0]["period"] = "twelve months"
    with pytest.raises(gdprkit.PolicyError) as ei:
        gdprkit.load_policy(data)
    text = str(ei.value)
    assert "contract" in text
    assert "profiling" in text


def test_custom_category_under_special_refused():
    data = design_dict()
    data["categories"] = {"special.shoe_size": {"description": "x", "special": False}}
    with pytest.raises(gdprkit.PolicyError):
        gdprkit.load_policy(data)


def test_custom_category_allowed():
    def mutate(data):
        data["categories"] = {"loyalty.points": {"description": "points", "special": False}}
        data["fields"]["points"] = "loyalty.points"
        data["purposes"]["contract"]["categories"].append("loyalty")

    pol = make_policy(mutate)
    d = gdprkit.decide(pol, customer(points=10), "contract", at=AT)
    assert "points" in d.fields


def test_period_over_cap_still_loads():
    def mutate(data):
        data["purposes"]["profiling"]["retention"][0]["period"] = "P10Y"

    assert isinstance(make_policy(mutate), gdprkit.Policy)


def test_error_hierarchy():
    for name in (
        "PolicyError",
        "ConfigurationError",
        "ProcessingDenied",
        "LedgerError",
        "MissingKeyError",
    ):
        assert issubclass(getattr(gdprkit, name), gdprkit.GdprkitError)


# ---------------------------------------------------------------- validate


def vcodes(violations):
    return {(v.field, v.code) for v in violations}


def test_validate_clean(policy):
    rec = customer(codice_fiscale="RSSMRA85T10A562S", birth_date="1985-12-10")
    assert gdprkit.validate(policy, rec) == []


def test_validate_undeclared(policy):
    assert ("shoe_size", "field.undeclared") in vcodes(
        gdprkit.validate(policy, customer(shoe_size=1))
    )


def test_validate_subject_missing(policy):
    rec = customer()
    del rec["customer_id"]
    v = gdprkit.validate(policy, rec)
    assert "subject.missing" in {x.code for x in v}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("email", 42),
        ("codice_fiscale", "RSSMRA85T10A562X"),
        ("codice_fiscale", "nonsense"),
        ("birth_date", "not a date"),
        ("last_purchase_at", "someday"),
        ("phone", "call me maybe"),
    ],
)
def test_validate_invalid_values(policy, field, value):
    v = gdprkit.validate(policy, customer(**{field: value}))
    assert (field, "value.invalid") in vcodes(v)
    for x in v:
        assert str(value) not in x.message


def _formats():
    def mutate(data):
        data["fields"]["vat"] = {"category": "identity.tax_id", "format": "partita_iva"}
        data["fields"]["ip"] = "online.ip_address"
        data["fields"]["nation"] = {"category": "meta", "format": "country"}

    return make_policy(mutate)


def _piva(first10: str) -> str:
    s = 0
    for i, ch in enumerate(first10):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        s += d
    return first10 + str((10 - s % 10) % 10)


def test_validate_formats():
    pol = _formats()
    good = customer(vat=_piva("0074311015"), ip="192.168.1.10", nation="DE")
    assert gdprkit.validate(pol, good) == []
    bad_vat = _piva("0074311015")[:-1] + str((int(_piva("0074311015")[-1]) + 1) % 10)
    v = gdprkit.validate(pol, customer(vat=bad_vat, ip="999.1.1.1", nation="Germany"))
    assert {
        ("vat", "value.invalid"),
        ("ip", "value.invalid"),
        ("nation", "value.invalid"),
    } <= vcodes(v)


def test_validate_does_not_raise_on_non_mapping(policy):
    v = gdprkit.validate(policy, ["x"])
    assert isinstance(v, list)
    assert v


def test_violation_shape(policy):
    v = gdprkit.validate(policy, customer(email="bad"))[0]
    assert v.field == "email"
    assert v.code == "value.invalid"
    assert isinstance(v.message, str)
