"""PersonalDataGuard: what reaches a sink is personal when it is a raw identifying input
value (whole or inside a text) or an identifier by its shape; tokens, masks and networks
are not. Messages name sinks and paths, never values."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pytest

from gdprkit import KeyRing, load_policy, pseudonymise
from gdprkit.testing import PersonalDataGuard, Sink

POLICY = load_policy(Path(__file__).parents[2] / "examples" / "crm" / "policy.yaml")
ROW = {
    "customer_id": "BV-0000042",
    "first_name": "Giulia",
    "email": "giulia.bianchi@libero.it",
    "phone": "+39 333 1234567",
    "country": "IT",
    "allergies": "arachidi",
}


@pytest.mark.parametrize(
    ("item", "found"),
    [
        ("write to luca.rossi@example.it today", "an e-mail address"),
        ({"cf": "RSSMRA85T10A562S"}, "a codice fiscale"),
        ({"cf": "rssmra85t10a562s"}, "a codice fiscale"),
        (["login from 93.44.12.7"], "an IP address"),
        ({"ip": "2001:db8:85a3::8a2e:370:7334"}, "an IP address"),
        (b"bytes: someone@example.org", "an e-mail address"),
        ({"luca.rossi@example.it": 3}, "an e-mail address"),  # in a key
    ],
)
def test_identifiers_are_recognised_by_shape(item: object, found: str) -> None:
    guard = PersonalDataGuard()
    guard.sink("log").append(item)
    with pytest.raises(AssertionError, match=found) as info:
        guard.check()
    assert "example" not in str(info.value)
    assert "RSSMRA" not in str(info.value).upper()
    assert "93.44" not in str(info.value)


@pytest.mark.parametrize(
    "item",
    [
        "g***@libero.it",  # masked e-mail
        "192.168.1.0/24",  # generalised IPv4
        "2001:db8:85a3::/48",  # generalised IPv6
        "connected to 127.0.0.1 at 12:30:45",  # loopback, a time
        "RSSMRA85T10A562X",  # a codice fiscale shape with the wrong check character
        {"total": 12.5, "country": "IT", "version": "1.2.3"},
        "user@localhost",  # no top-level domain: not an address
    ],
)
def test_non_identifiers_pass(item: object) -> None:
    guard = PersonalDataGuard()
    guard.sink().append(item)
    guard.check()


def test_raw_input_values_are_found_whole_and_inside_text() -> None:
    guard = PersonalDataGuard(POLICY, inputs=[ROW], detect=())
    sink = guard.sink("crm push")
    sink.append({"name": "GIULIA"})
    sink.write("allergy alert: arachidi")
    sink({"tel": "3331234567"})
    findings = guard.findings()
    assert findings == [
        "sink 'crm push' item #0['name']: the raw value of input field 'first_name'",
        "sink 'crm push' item #1: the raw value of input field 'allergies'",
        "sink 'crm push' item #2['args'][0]['tel']: the raw value of input field 'phone'",
    ]


def test_tokens_of_identifiers_pass() -> None:
    keys = KeyRing.generate()
    guard = PersonalDataGuard(POLICY, inputs=[ROW])
    guard.sink().append({k: pseudonymise(v, keys=keys) for k, v in ROW.items() if k != "country"})
    guard.check()


def test_inputs_need_a_policy_and_detectors_must_exist() -> None:
    with pytest.raises(ValueError, match="need the policy"):
        PersonalDataGuard(inputs=[ROW])
    with pytest.raises(ValueError, match="unknown detector"):
        PersonalDataGuard(detect=("email", "iban"))


@pytest.fixture
def jobs() -> Any:
    module = types.ModuleType("scratch_jobs")

    def upload(rows: list[Any]) -> int:
        return len(rows)

    class Client:
        def send(self, payload: Any) -> str:
            return "ok"

        @staticmethod
        def ping(payload: Any) -> str:
            return "pong"

    module.upload = upload  # type: ignore[attr-defined]
    module.Client = Client  # type: ignore[attr-defined]
    sys.modules["scratch_jobs"] = module
    yield module
    del sys.modules["scratch_jobs"]


def test_watch_records_calls_forwards_them_and_restores(jobs: Any) -> None:
    original = jobs.upload
    guard = PersonalDataGuard()
    sink = guard.watch("scratch_jobs:upload")
    assert jobs.upload([1, 2]) == 2  # the real function ran
    assert sink.items == [{"args": [[1, 2]], "kwargs": {}}]
    guard.restore()
    assert jobs.upload is original


def test_watch_methods_static_methods_and_without_forwarding(jobs: Any) -> None:
    guard = PersonalDataGuard()
    send = guard.watch("scratch_jobs.Client.send")
    ping = guard.watch(jobs.Client, "ping", forward=False)
    client = jobs.Client()
    assert client.send("mail for a@example.com") == "ok"
    assert jobs.Client.ping("x") is None
    assert len(send) == 1
    assert len(ping) == 1
    with pytest.raises(AssertionError, match=r"scratch_jobs.Client.send' item #0\['args'\]\[1\]"):
        guard.check()
    guard.restore()
    assert jobs.Client.ping("x") == "pong"
    assert isinstance(vars(jobs.Client)["ping"], staticmethod)


def test_as_a_context_manager_it_restores_and_checks(jobs: Any) -> None:
    with (  # noqa: PT012 - the guarded block is the subject of the test
        pytest.raises(AssertionError, match="an e-mail address"),
        PersonalDataGuard() as guard,
    ):
        guard.watch("scratch_jobs:upload")
        jobs.upload(["someone@example.org"])
    assert jobs.upload.__name__ == "upload"


def test_bad_targets_are_refused(jobs: Any) -> None:
    guard = PersonalDataGuard()
    with pytest.raises(AttributeError, match="no attribute"):
        guard.watch("scratch_jobs:nothing")
    with pytest.raises(ValueError, match=r"package\.module:function"):
        guard.watch("upload")


def test_sink_is_list_file_and_writer_like() -> None:
    sink = Sink("out")
    sink.append(1)
    sink.extend([2, 3])
    sink.write("4")
    sink.writerow(["5"])
    sink.writelines(["6"])
    sink("7", key="8")
    assert len(sink) == 7
    assert list(sink)[-1] == {"args": ["7"], "kwargs": {"key": "8"}}
    assert repr(sink) == "Sink('out', items=7)"


def test_findings_are_bounded_and_repr_holds_no_value() -> None:
    guard = PersonalDataGuard()
    guard.sink().extend([f"user{i}@example.org" for i in range(100)])
    assert len(guard.findings()) == 20
    assert "example" not in repr(guard)
