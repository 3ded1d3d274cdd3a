"""The gdprkit pytest plugin, registered under ``pytest11``: thin fixtures over gdprkit.testing.

Fixtures:

* ``gdpr_policy`` (session): the policy named by the ini option ``gdpr_policy`` (a relative
  path is relative to the ini file) or by ``--gdpr-policy PATH`` (which wins; relative to the
  directory pytest was started in).
* ``gdpr_ledger``: a fresh in-memory :class:`~gdprkit.ConsentLedger`, closed afterwards.
* ``gdpr_keys``: a fresh :class:`~gdprkit.KeyRing` with one generated key.
* ``gdpr_guard``: a :class:`~gdprkit.testing.PersonalDataGuard` (with the policy when one is
  configured); whatever reached its sinks is checked when the test body returns.

Marker: ``@pytest.mark.gdpr_sink("myapp.export:write_rows", ..., inputs=None, detect=...)``
patches each named function for the duration of the test (the real function still runs) and
fails the test when personal data reached one: a raw value of an identifying field of
``inputs`` (records, or the name of a fixture holding them), an e-mail address, a codice
fiscale or an IP address.

Importing the plugin imports gdprkit's core only; hypothesis, the ledger and key generation
load when a fixture or the marker is used.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from gdprkit import ConsentLedger, KeyRing, Policy
    from gdprkit.testing import PersonalDataGuard

__all__ = [
    "gdpr_guard",
    "gdpr_keys",
    "gdpr_ledger",
    "gdpr_policy",
    "pytest_addoption",
    "pytest_configure",
    "pytest_runtest_call",
]

_INI = "gdpr_policy"
_MARKER = "gdpr_sink"
_GUARD_KEY = pytest.StashKey["PersonalDataGuard"]()
_POLICY_KEY = pytest.StashKey["Policy"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--gdpr-policy`` and the ini option ``gdpr_policy``."""
    group = parser.getgroup("gdprkit", "gdprkit policy for the gdpr_* fixtures")
    group.addoption(
        "--gdpr-policy",
        dest="gdpr_policy",
        default=None,
        metavar="PATH",
        help="policy file for the gdpr_policy fixture (overrides the ini option gdpr_policy)",
    )
    parser.addini(
        _INI,
        "policy file for the gdpr_policy fixture, relative to the ini file",
        type="string",
        default="",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``gdpr_sink`` marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(*targets, inputs=None, detect=None): fail the test when personal data "
        "reaches one of the named functions ('package.module:function'), patched for the test",
    )


def _policy_path(config: pytest.Config) -> Path | None:
    """Where the policy is, from the flag or the ini option; ``None`` when neither is set."""
    flag = config.getoption("gdpr_policy", default=None)
    if flag:
        path = Path(str(flag)).expanduser()
        return path if path.is_absolute() else Path(config.invocation_params.dir) / path
    value = str(config.getini(_INI) or "").strip()
    if not value:
        return None
    path = Path(value).expanduser()
    if path.is_absolute():
        return path
    base = config.inipath.parent if config.inipath is not None else config.rootpath
    return base / path


def _load(config: pytest.Config) -> Policy:
    """The configured policy, loaded once per session; fails the test when there is none."""
    cached = config.stash.get(_POLICY_KEY, None)
    if cached is not None:
        return cached
    from gdprkit import GdprkitError, load_policy  # noqa: PLC0415 - loaded when used

    path = _policy_path(config)
    if path is None:
        pytest.fail(
            "the gdpr_policy fixture needs a policy: set `gdpr_policy = path/to/policy.yaml` "
            "in the [pytest] ini section, or pass --gdpr-policy PATH",
            pytrace=False,
        )
    try:
        policy = load_policy(path)
    except GdprkitError as exc:  # a PolicyError lists every problem with its location
        problem = str(exc)
    else:
        config.stash[_POLICY_KEY] = policy
        return policy
    pytest.fail(f"gdpr_policy: cannot load the policy:\n{problem}", pytrace=False)


@pytest.fixture(scope="session")
def gdpr_policy(pytestconfig: pytest.Config) -> Policy:
    """The project's gdprkit policy (ini option ``gdpr_policy`` or ``--gdpr-policy``), loaded
    once per session."""
    return _load(pytestconfig)


@pytest.fixture
def gdpr_ledger() -> Generator[ConsentLedger, None, None]:
    """A fresh in-memory consent ledger, closed after the test."""
    from gdprkit import ConsentLedger  # noqa: PLC0415 - loaded when used

    ledger = ConsentLedger()
    try:
        yield ledger
    finally:
        ledger.close()


@pytest.fixture
def gdpr_keys() -> KeyRing:
    """A fresh key ring with one generated 32-byte key (active id ``k1``)."""
    from gdprkit import KeyRing  # noqa: PLC0415 - loaded when used

    return KeyRing.generate()


def _new_guard(
    request: pytest.FixtureRequest,
    inputs: Iterable[Mapping[str, Any]] = (),
    detect: tuple[str, ...] | None = None,
) -> PersonalDataGuard:
    from gdprkit.testing import PersonalDataGuard  # noqa: PLC0415 - loaded when used
    from gdprkit.testing._values import DETECTORS  # noqa: PLC0415 - loaded when used

    policy = _load(request.config) if _policy_path(request.config) is not None else None
    kinds = DETECTORS if detect is None else detect
    return PersonalDataGuard(policy, inputs=inputs, detect=kinds)


@pytest.fixture
def gdpr_guard(request: pytest.FixtureRequest) -> Generator[PersonalDataGuard, None, None]:
    """A :class:`~gdprkit.testing.PersonalDataGuard` for this test.

    Its sinks are checked when the test body returns (the test fails, naming the sink and
    what reached it); functions it patched are restored afterwards.
    """
    guard = _new_guard(request)
    request.node.stash[_GUARD_KEY] = guard
    try:
        yield guard
    finally:
        guard.restore()


def _marker_guard(item: pytest.Item, marker: pytest.Mark, guards: list[PersonalDataGuard]) -> None:
    detect = marker.kwargs.get("detect")
    unknown = set(marker.kwargs) - {"inputs", "detect"}
    if unknown:
        raise pytest.UsageError(f"{_MARKER}: unknown argument(s) {sorted(unknown)}")
    inputs = marker.kwargs.get("inputs")
    request: pytest.FixtureRequest | None = getattr(item, "_request", None)
    if request is None:
        raise pytest.UsageError(f"{_MARKER} applies to test functions")
    if isinstance(inputs, str):  # the name of a fixture holding the input records
        inputs = request.getfixturevalue(inputs)
    if not marker.args:
        raise pytest.UsageError(f"{_MARKER} needs at least one 'package.module:function'")
    guard = _new_guard(
        request,
        inputs if inputs is not None else (),
        None if detect is None else tuple(detect),
    )
    guards.append(guard)
    for target in marker.args:
        guard.watch(target)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Run the test with the ``gdpr_sink`` targets patched; then check every guard."""
    guards: list[PersonalDataGuard] = []
    try:
        for marker in item.iter_markers(name=_MARKER):
            _marker_guard(item, marker, guards)
        result = yield
    finally:
        for guard in guards:
            guard.restore()
    fixture_guard = item.stash.get(_GUARD_KEY, None)
    if fixture_guard is not None:
        guards.append(fixture_guard)
    __tracebackhide__ = True
    for guard in guards:
        findings = guard.findings()
        if findings:
            pytest.fail(
                "personal data reached a watched sink:\n  " + "\n  ".join(findings),
                pytrace=False,
            )
    return result
