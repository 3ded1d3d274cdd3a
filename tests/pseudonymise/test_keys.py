"""KeyRing: loading, exporting, rotating, deriving; and never showing a secret byte."""

from __future__ import annotations

import base64
import copy
import os
import pickle
import sys
import warnings
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import given
from hypothesis import strategies as st

from gdprkit import ConfigurationError, GdprkitError, KeyRing, MissingKeyError
from gdprkit._pseudonymise._keys import KeyFileWarning

KEY1 = bytes(range(32))
KEY2 = bytes(range(100, 140))
# A recognisable key that must never surface in any message.
SECRET = b"correct horse battery staple!!!!"


def b64url(key: bytes, *, pad: bool = False) -> str:
    text = base64.urlsafe_b64encode(key).decode()
    return text if pad else text.rstrip("=")


def secret_forms(key: bytes) -> list[str]:
    """Every form in which a key could leak into text."""
    return [
        key.hex(),
        key.hex().upper(),
        b64url(key),
        base64.b64encode(key).decode().rstrip("="),
        repr(key),
        key.decode("latin-1"),
    ]


def assert_no_secret(text: str, *keys: bytes) -> None:
    for key in keys:
        for form in secret_forms(key):
            assert form not in text


def messages(exc: BaseException) -> str:
    return f"{exc}\n{exc!r}"


# ---------------------------------------------------------------------------------------------
# Making rings.


def test_generate_makes_one_active_random_key() -> None:
    ring = KeyRing.generate()
    assert ring.active == "k1"
    assert ring.ids == ("k1",)
    assert len(ring) == 1
    assert "k1" in ring
    assert "k2" not in ring
    assert KeyRing.generate("main").ids == ("main",)
    # Two generated rings hold different keys (so derive different subkeys).
    assert KeyRing.generate().derive("token", "d") != ring.derive("token", "d")


def test_generated_key_is_32_bytes() -> None:
    exported = KeyRing.generate().export()
    key_id, _, encoded = exported.partition(":")
    assert key_id == "k1"
    assert len(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))) == 32


def test_first_key_is_active_unless_named() -> None:
    assert KeyRing({"a": KEY1, "b": KEY2}).active == "a"
    ring = KeyRing({"a": KEY1, "b": KEY2}, active="b")
    assert ring.active == "b"
    assert ring.ids == ("a", "b")


def test_bytes_like_keys_are_accepted() -> None:
    ring = KeyRing({"k1": bytearray(KEY1)})  # type: ignore[dict-item]
    assert ring.derive("token", "d") == KeyRing({"k1": KEY1}).derive("token", "d")


@pytest.mark.parametrize(
    ("keys", "active", "error", "says"),
    [
        ({}, None, ConfigurationError, "at least one key"),
        ({"k1": KEY1[:31]}, None, ConfigurationError, "at least 32 bytes"),
        ({"k1": b""}, None, ConfigurationError, "at least 32 bytes"),
        ({"k1": KEY1.hex()}, None, ConfigurationError, "must be bytes"),
        ({"bad id": KEY1}, None, ConfigurationError, "[A-Za-z0-9_-]{1,64}"),
        ({"k:1": KEY1}, None, ConfigurationError, "[A-Za-z0-9_-]{1,64}"),
        ({"k" * 65: KEY1}, None, ConfigurationError, "[A-Za-z0-9_-]{1,64}"),
        ({"": KEY1}, None, ConfigurationError, "[A-Za-z0-9_-]{1,64}"),
        ({"k1": KEY1}, "k2", MissingKeyError, "'k2'"),
    ],
)
def test_bad_rings_are_refused(
    keys: dict[str, bytes], active: str | None, error: type[Exception], says: str
) -> None:
    with pytest.raises(error) as info:
        KeyRing(keys, active=active)
    assert says in str(info.value)
    assert isinstance(info.value, GdprkitError)
    for key in keys.values():
        if isinstance(key, bytes) and key:
            assert_no_secret(messages(info.value), key)


def test_missing_active_key_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        KeyRing({"k1": KEY1}, active="k9")


def test_short_key_message_never_shows_the_key() -> None:
    short = SECRET[:20]
    with pytest.raises(ConfigurationError) as info:
        KeyRing({"k1": short})
    assert "32" in str(info.value)
    assert_no_secret(messages(info.value), short)


def test_a_malformed_active_id_is_not_echoed() -> None:
    with pytest.raises(MissingKeyError) as info:
        KeyRing({"k1": KEY1}, active="Mario Rossi <mario@example.it>")
    assert "Mario" not in messages(info.value)


# ---------------------------------------------------------------------------------------------
# The text format: environment, file, string, export.


def test_from_env_reads_every_key_first_active() -> None:
    env = {"GDPRKIT_KEYS": f"k2:{b64url(KEY2)},k1:{b64url(KEY1)}"}
    ring = KeyRing.from_env(environ=env)
    assert ring.active == "k2"
    assert ring.ids == ("k2", "k1")
    assert ring.derive("token", "d", key_id="k1") == KeyRing({"k1": KEY1}).derive("token", "d")


def test_from_env_tolerates_padding_and_whitespace() -> None:
    text = f"  k1 : {b64url(KEY1, pad=True)} ,\n\tk2:{b64url(KEY2)}  \n"
    ring = KeyRing.from_env("MY_KEYS", environ={"MY_KEYS": text})
    assert ring.ids == ("k1", "k2")
    assert ring.export() == f"k1:{b64url(KEY1)},k2:{b64url(KEY2)}"


def test_from_env_accepts_standard_base64_too() -> None:
    key = bytes([0xFB, 0xFF] * 16)  # encodes with '+' and '/' in standard base64
    standard = base64.b64encode(key).decode()
    assert "+" in standard or "/" in standard
    ring = KeyRing.from_string(f"k1:{standard}")
    assert ring.export() == f"k1:{b64url(key)}"


def test_from_env_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GDPRKIT_KEYS", f"k1:{b64url(KEY1)}")
    assert KeyRing.from_env().ids == ("k1",)


def test_missing_variable_is_named_not_valued() -> None:
    with pytest.raises(ConfigurationError) as info:
        KeyRing.from_env("GDPRKIT_TEST_KEYS", environ={"OTHER": b64url(SECRET)})
    assert "GDPRKIT_TEST_KEYS" in str(info.value)
    assert_no_secret(messages(info.value), SECRET)


SECRET_TEXT = b64url(SECRET)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n",
        SECRET_TEXT,  # no id
        f":{SECRET_TEXT}",  # empty id
        f"k1={SECRET_TEXT}",  # wrong separator
        f"my key:{SECRET_TEXT}",  # id with a space
        f"k1:{SECRET_TEXT}!",  # not base64
        f"k1:{SECRET_TEXT[:-1]}@{SECRET_TEXT[-1]}",
        f"k1:{SECRET_TEXT}AA",  # 45 characters: a length no base64 text has
        f"k1:{b64url(SECRET[:16])}",  # too short
        f"k1:{SECRET_TEXT},k1:{SECRET_TEXT}",  # repeated id
        f"k1:{SECRET_TEXT},",  # empty entry
        f"k1:{SECRET_TEXT};k2:{SECRET_TEXT}",  # wrong list separator
        f"k1:{SECRET_TEXT}===",
    ],
)
def test_malformed_text_is_refused_without_echo(text: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        KeyRing.from_env("GDPRKIT_KEYS", environ={"GDPRKIT_KEYS": text})
    shown = messages(info.value)
    assert "GDPRKIT_KEYS" in shown
    assert_no_secret(shown, SECRET)
    assert_no_secret(shown, SECRET[:16])
    if text.strip():
        assert text.strip() not in shown
    # No foreign exception (binascii's, say) rides along in the chain.
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__ or info.value.__context__ is None


def private_file(path: Path, content: str | bytes) -> Path:
    """Write ``content`` to ``path``, readable by its owner only (as a key file should be)."""
    path.touch(mode=0o600)
    path.chmod(0o600)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_from_file_reads_the_same_format(tmp_path: Path) -> None:
    path = private_file(tmp_path / "keys", f"k1:{b64url(KEY1)},k2:{b64url(KEY2)}\n")
    ring = KeyRing.from_file(path)
    assert ring.ids == ("k1", "k2")
    assert KeyRing.from_file(str(path)).export() == ring.export()


def test_from_file_errors_name_the_file_not_the_content(tmp_path: Path) -> None:
    path = private_file(tmp_path / "keys", f"k1:{SECRET_TEXT}!")
    with pytest.raises(ConfigurationError) as info:
        KeyRing.from_file(path)
    assert str(path) in str(info.value)
    assert_no_secret(messages(info.value), SECRET)
    with pytest.raises(ConfigurationError, match="cannot read key file"):
        KeyRing.from_file(tmp_path / "absent")
    private_file(path, b"\xff\xfe" + SECRET)
    with pytest.raises(ConfigurationError, match="not UTF-8") as info:
        KeyRing.from_file(path)
    assert_no_secret(messages(info.value), SECRET)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
@pytest.mark.parametrize(
    ("mode", "warns"),
    [
        (0o600, False),
        (0o400, False),
        (0o700, False),
        (0o640, True),  # group may read
        (0o604, True),  # world may read
        (0o644, True),  # what a default umask gives
        (0o620, True),  # group may write: may swap the keys
        (0o601, True),
    ],
    ids=oct,
)
def test_from_file_warns_when_others_may_read_the_keys(
    tmp_path: Path, mode: int, warns: bool
) -> None:
    path = private_file(tmp_path / "keys", f"k1:{b64url(SECRET)}")
    os.chmod(path, mode)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ring = KeyRing.from_file(path)
    assert ring.ids == ("k1",)  # loaded all the same
    found = [w for w in caught if issubclass(w.category, KeyFileWarning)]
    assert len(found) == (1 if warns else 0)
    assert [w for w in caught if w not in found] == []
    if warns:
        shown = str(found[0].message)
        assert str(path) in shown
        assert f"{mode:03o}" in shown
        assert "chmod 600" in shown
        assert_no_secret(shown, SECRET)
        assert found[0].filename == __file__  # points at the caller
        assert issubclass(KeyFileWarning, UserWarning)


@given(
    keys=st.dictionaries(
        st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True),
        st.binary(min_size=32, max_size=96),
        min_size=1,
        max_size=4,
    ),
    data=st.data(),
)
def test_export_round_trips(keys: dict[str, bytes], data: st.DataObject) -> None:
    active = data.draw(st.sampled_from(sorted(keys)))
    ring = KeyRing(keys, active=active)
    again = KeyRing.from_string(ring.export())
    assert again.active == ring.active
    assert set(again.ids) == set(ring.ids)
    assert again.export() == ring.export()
    for key_id in ring.ids:
        assert again.derive("token", "x", key_id=key_id) == ring.derive("token", "x", key_id=key_id)


def test_export_puts_the_active_key_first() -> None:
    ring = KeyRing({"a": KEY1, "b": KEY2}, active="b")
    assert ring.export() == f"b:{b64url(KEY2)},a:{b64url(KEY1)}"


# ---------------------------------------------------------------------------------------------
# Rotation.


def test_rotate_adds_a_fresh_active_key_and_keeps_the_old() -> None:
    ring = KeyRing({"k1": KEY1})
    rotated = ring.rotate()
    assert rotated.active == "k2"
    assert rotated.ids == ("k2", "k1")
    assert ring.ids == ("k1",)  # the old ring is unchanged
    assert rotated.derive("token", "d", key_id="k1") == ring.derive("token", "d")
    assert rotated.derive("token", "d") != ring.derive("token", "d")
    assert rotated.rotate().active == "k3"


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        (("k1",), "k2"),
        (("prod",), "k2"),
        (("k1", "k7"), "k8"),
        (("k2", "k1"), "k3"),
        (("k01",), "k2"),
        (("kx", "k10"), "k11"),
        (("k" + "9" * 18, "k1" + "0" * 18), "k1" + "0" * 17 + "1"),  # ids too long to count
    ],
)
def test_rotate_names_the_new_key_after_the_highest(ids: tuple[str, ...], expected: str) -> None:
    ring = KeyRing(dict.fromkeys(ids, KEY1))
    assert ring.rotate().active == expected


def test_rotate_with_an_explicit_id() -> None:
    ring = KeyRing({"k1": KEY1}).rotate("2025-q3")
    assert ring.active == "2025-q3"
    with pytest.raises(ConfigurationError, match="already"):
        ring.rotate("k1")
    with pytest.raises(ConfigurationError):
        ring.rotate("not an id")


# ---------------------------------------------------------------------------------------------
# Derivation.


def independent_hkdf(key: bytes, label: str, domain: str, length: int = 32) -> bytes:
    info = f"gdprkit/{label}/v1/".encode() + domain.encode("utf-8")
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(key)


@pytest.mark.parametrize(
    ("label", "domain", "length"),
    [("token", "default", 32), ("token", "crm", 32), ("encrypt", "default", 64), ("x", "€", 7)],
)
def test_derive_is_hkdf_sha256_with_the_documented_info(
    label: str, domain: str, length: int
) -> None:
    ring = KeyRing({"k1": KEY1})
    derived = ring.derive(label, domain, length=length)
    assert derived == independent_hkdf(KEY1, label, domain, length)
    assert ring.derive(label, domain, length=length) == derived  # cached, same answer


def test_derive_separates_labels_domains_and_keys() -> None:
    ring = KeyRing({"k1": KEY1, "k2": KEY2})
    derived = {
        ring.derive("token", "a"),
        ring.derive("token", "b"),
        ring.derive("encrypt", "a"),
        ring.derive("token", "a", key_id="k2"),
    }
    assert len(derived) == 4


def test_derive_unknown_key_and_bad_arguments() -> None:
    ring = KeyRing({"k1": KEY1})
    with pytest.raises(MissingKeyError, match="'k9'"):
        ring.derive("token", "d", key_id="k9")
    for length in (0, -1, 255 * 32 + 1, True):
        with pytest.raises(ConfigurationError):
            ring.derive("token", "d", length=length)
    with pytest.raises(ConfigurationError):
        ring.derive("token", b"d")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Secrets stay secret.


@given(keys=st.lists(st.binary(min_size=32, max_size=64), min_size=1, max_size=3))
def test_repr_and_str_show_ids_only(keys: list[bytes]) -> None:
    ring = KeyRing({f"k{i}": key for i, key in enumerate(keys, start=1)})
    for text in (repr(ring), str(ring), f"{ring}", repr([ring])):
        assert text.startswith(("KeyRing(", "[KeyRing("))
        assert_no_secret(text, *keys)


def test_repr_format() -> None:
    ring = KeyRing({"k1": KEY1, "k2": KEY2})
    assert repr(ring) == "KeyRing(active='k1', ids=('k1', 'k2'))"
    assert str(ring) == repr(ring)


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickling_is_refused(protocol: int) -> None:
    ring = KeyRing({"k1": SECRET})
    with pytest.raises(TypeError, match=r"KeyRing cannot be pickled; use KeyRing\.export\(\)"):
        pickle.dumps(ring, protocol=protocol)
    with pytest.raises(TypeError):
        pickle.dumps({"nested": [ring]}, protocol=protocol)


def test_reduce_and_getstate_are_refused() -> None:
    ring = KeyRing({"k1": SECRET})
    with pytest.raises(TypeError):
        ring.__reduce__()
    with pytest.raises(TypeError):
        ring.__reduce_ex__(2)
    with pytest.raises(TypeError):
        ring.__getstate__()


def test_copies_are_the_ring_itself() -> None:
    ring = KeyRing({"k1": KEY1})
    assert copy.copy(ring) is ring
    assert copy.deepcopy(ring) is ring
    assert copy.deepcopy({"keys": ring})["keys"] is ring


def test_rings_are_immutable() -> None:
    ring = KeyRing({"k1": KEY1})
    with pytest.raises(AttributeError):
        ring._active = "k2"
    with pytest.raises(AttributeError):
        ring.new_attribute = 1
    with pytest.raises(AttributeError):
        del ring._keys
    assert not hasattr(ring, "__dict__")
