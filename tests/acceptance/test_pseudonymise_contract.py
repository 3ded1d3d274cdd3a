"""§7 and §12: pseudonymise, reveal, KeyRing."""

from __future__ import annotations

import base64
import pickle
import re

import pytest

import gdprkit

from .conftest import KEY1, KEY2

HEX32 = re.compile(r"[0-9a-f]{32}")


def ring():
    return gdprkit.KeyRing({"k1": KEY1}, active="k1")


def split_token(token: str, key_id: str) -> str:
    assert token.startswith(key_id)
    rest = token[len(key_id) :]
    assert len(rest) == 33, token
    assert not rest[0].isalnum(), "a separator follows the key id"
    return rest[1:]


def test_token_format():
    t = gdprkit.pseudonymise("C001", keys=ring())
    assert isinstance(t, str)
    assert HEX32.fullmatch(split_token(t, "k1"))


def test_token_deterministic_and_keyed():
    a = gdprkit.pseudonymise("C001", keys=ring())
    assert a == gdprkit.pseudonymise("C001", keys=ring())
    other = gdprkit.KeyRing({"k1": KEY2}, active="k1")
    assert a != gdprkit.pseudonymise("C001", keys=other)
    assert a != gdprkit.pseudonymise("C002", keys=ring())


def test_token_domains_unlinkable():
    a = gdprkit.pseudonymise("C001", keys=ring(), domain="default")
    b = gdprkit.pseudonymise("C001", keys=ring(), domain="analytics")
    assert a != b
    assert split_token(a, "k1") != split_token(b, "k1")
    assert gdprkit.pseudonymise("C001", keys=ring()) == a  # default domain is "default"


def test_token_is_not_plain_hash():
    import hashlib

    t = split_token(gdprkit.pseudonymise("C001", keys=ring()), "k1")
    assert t != hashlib.sha256(b"C001").hexdigest()[:32]
    assert t != hashlib.md5(b"C001").hexdigest()  # noqa: S324


@pytest.mark.parametrize(
    ("category", "a", "b"),
    [
        ("contact.email", " Mario.Rossi@Example.IT ", "mario.rossi@example.it"),
        ("contact.phone", "+39 333 123 4567", "+393331234567"),
        ("contact.phone", "+39-333-123-4567", "+39 (333) 1234567"),
        ("identity.national_id", "rssmra85t10a562s", "RSSMRA85T10A562S"),
    ],
)
def test_normalisation(category, a, b):
    k = ring()
    assert gdprkit.pseudonymise(a, keys=k, category=category) == gdprkit.pseudonymise(
        b, keys=k, category=category
    )


def test_rotation_keeps_old_keys():
    k = ring()
    r = k.rotate()
    assert r.active != k.active
    assert k.active == "k1"
    t_new = gdprkit.pseudonymise("C001", keys=r)
    assert t_new.startswith(r.active)
    assert t_new != gdprkit.pseudonymise("C001", keys=k)
    ct = gdprkit.pseudonymise("Mario", keys=k, method="encrypt")
    assert gdprkit.reveal(ct, keys=r) == "Mario"


def test_active_and_generate():
    g = gdprkit.KeyRing.generate()
    assert isinstance(g.active, str)
    assert g.active
    t = gdprkit.pseudonymise("x", keys=g)
    assert HEX32.fullmatch(split_token(t, g.active))
    assert gdprkit.KeyRing.generate().active is not None


def test_pickling_refused():
    with pytest.raises((TypeError, pickle.PicklingError, gdprkit.GdprkitError)):
        pickle.dumps(ring())


def test_short_keys_refused():
    with pytest.raises((ValueError, gdprkit.GdprkitError)):
        gdprkit.KeyRing({"k1": b"x" * 31}, active="k1")


def test_secrets_not_in_repr():
    k = ring()
    for text in (repr(k), str(k)):
        assert KEY1.hex() not in text
        assert base64.urlsafe_b64encode(KEY1).decode().rstrip("=") not in text
        assert str(KEY1) not in text


def _b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).decode()


def test_from_env(monkeypatch):
    monkeypatch.setenv("GDPRKIT_KEYS", f"k1:{_b64(KEY1)},k2:{_b64(KEY2)}")
    env = gdprkit.KeyRing.from_env()
    assert env.active == "k1"
    assert gdprkit.pseudonymise("C001", keys=env) == gdprkit.pseudonymise("C001", keys=ring())
    ct = gdprkit.pseudonymise(
        "x", keys=gdprkit.KeyRing({"k2": KEY2}, active="k2"), method="encrypt"
    )
    assert gdprkit.reveal(ct, keys=env) == "x"


def test_from_env_named_and_unpadded(monkeypatch):
    monkeypatch.setenv("MY_KEYS", f"k2:{_b64(KEY2).rstrip('=')},k1:{_b64(KEY1).rstrip('=')}")
    env = gdprkit.KeyRing.from_env(name="MY_KEYS")
    assert env.active == "k2"


def test_from_env_missing(monkeypatch):
    monkeypatch.delenv("GDPRKIT_KEYS", raising=False)
    with pytest.raises(gdprkit.GdprkitError):
        gdprkit.KeyRing.from_env()


def test_from_file(tmp_path):
    p = tmp_path / "keys"
    p.write_text(f"k1:{_b64(KEY1)},k2:{_b64(KEY2)}\n")
    p.chmod(0o600)
    f = gdprkit.KeyRing.from_file(p)
    assert f.active == "k1"
    assert gdprkit.pseudonymise("C001", keys=f) == gdprkit.pseudonymise("C001", keys=ring())


def test_encrypt_reveal_roundtrip():
    k = ring()
    ct = gdprkit.pseudonymise("mario.rossi@example.it", keys=k, method="encrypt", domain="crm")
    assert isinstance(ct, str)
    assert "mario" not in ct
    assert ct == gdprkit.pseudonymise(
        "mario.rossi@example.it", keys=k, method="encrypt", domain="crm"
    )
    assert gdprkit.reveal(ct, keys=k, domain="crm") == "mario.rossi@example.it"


def test_reveal_wrong_domain_fails():
    k = ring()
    ct = gdprkit.pseudonymise("Mario", keys=k, method="encrypt", domain="crm")
    with pytest.raises(gdprkit.GdprkitError):
        gdprkit.reveal(ct, keys=k, domain="other")


def test_reveal_default_domain():
    k = ring()
    ct = gdprkit.pseudonymise("Mario", keys=k, method="encrypt")
    assert gdprkit.reveal(ct, keys=k) == "Mario"


def test_reveal_unknown_key():
    ct = gdprkit.pseudonymise("Mario", keys=ring(), method="encrypt")
    other = gdprkit.KeyRing({"k9": KEY2}, active="k9")
    with pytest.raises(gdprkit.GdprkitError):
        gdprkit.reveal(ct, keys=other)


def test_missing_key_error_is_keyerror_like():
    assert issubclass(gdprkit.MissingKeyError, gdprkit.GdprkitError)
    assert issubclass(gdprkit.MissingKeyError, KeyError)
