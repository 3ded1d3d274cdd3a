"""The pytest plugin, run in scratch CRM projects (pytester): configuration, fixtures, marker.

Each scratch project is what a CRM team writes: an ini file naming its policy, tests using the
fixtures. Runs are in-process (fast) except where the interpreter's state is the point.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import hypothesis.strategies  # noqa: F401 - imported once here: in-process runs would re-import it
import pytest

ROOT = Path(__file__).parents[2]
POLICY = (ROOT / "examples" / "crm" / "policy.yaml").read_text("utf-8")

USES_THE_POLICY = """
from gdprkit import Policy

def test_policy(gdpr_policy):
    assert isinstance(gdpr_policy, Policy)
    assert gdpr_policy.controller.name == "Bottega Verdi S.r.l."
    assert "newsletter" in gdpr_policy.purposes
"""


def _project(pytester: pytest.Pytester, ini: str, *, ini_dir: str = ".") -> Path:
    """A scratch project: the policy under policies/, the ini file in ``ini_dir``."""
    (pytester.path / "policies").mkdir()
    (pytester.path / "policies" / "policy.yaml").write_text(POLICY, "utf-8")
    where = pytester.path / ini_dir
    where.mkdir(exist_ok=True)
    (where / "pytest.ini").write_text(ini, "utf-8")
    return where / "pytest.ini"


def test_the_ini_option_alone_configures_the_policy(pytester: pytest.Pytester) -> None:
    _project(pytester, "[pytest]\ngdpr_policy = policies/policy.yaml\n")
    pytester.makepyfile(USES_THE_POLICY)
    pytester.runpytest("--strict-config").assert_outcomes(passed=1)


def test_a_relative_ini_path_is_relative_to_the_ini_file(pytester: pytest.Pytester) -> None:
    """Run from the project root with the ini file in config/: the path is read from there."""
    ini = _project(pytester, "[pytest]\ngdpr_policy = ../policies/policy.yaml\n", ini_dir="config")
    pytester.makepyfile(USES_THE_POLICY)
    pytester.runpytest("-c", str(ini), "--rootdir", str(pytester.path)).assert_outcomes(passed=1)


def test_pyproject_configuration_works_too(pytester: pytest.Pytester) -> None:
    (pytester.path / "policy.yaml").write_text(POLICY, "utf-8")
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\ngdpr_policy = "policy.yaml"\n')
    pytester.makepyfile(USES_THE_POLICY)
    pytester.runpytest().assert_outcomes(passed=1)


def test_the_flag_overrides_the_ini_option(pytester: pytest.Pytester) -> None:
    _project(pytester, "[pytest]\ngdpr_policy = policies/missing.yaml\n")
    pytester.makepyfile(USES_THE_POLICY)
    result = pytester.runpytest("--gdpr-policy", "policies/policy.yaml")
    result.assert_outcomes(passed=1)
    absolute = str(pytester.path / "policies" / "policy.yaml")
    pytester.runpytest(f"--gdpr-policy={absolute}").assert_outcomes(passed=1)


def test_without_configuration_the_fixture_says_how_to_configure(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini("[pytest]\n")
    pytester.makepyfile(USES_THE_POLICY)
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*set `gdpr_policy = path/to/policy.yaml`*--gdpr-policy PATH*"])


def test_a_broken_policy_fails_listing_its_problems(pytester: pytest.Pytester) -> None:
    _project(pytester, "[pytest]\ngdpr_policy = policies/policy.yaml\n")
    broken = POLICY.replace("basis: contract", "basis: contrat").replace(
        "requires: [email]", "requires: [e_mail]"
    )
    (pytester.path / "policies" / "policy.yaml").write_text(broken, "utf-8")
    pytester.makepyfile(USES_THE_POLICY)
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*cannot load the policy*", "*purposes.contract.basis*", "*requires.0*e_mail*"]
    )


def test_a_missing_policy_file_is_reported(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ngdpr_policy = nowhere.yaml\n")
    pytester.makepyfile(USES_THE_POLICY)
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*cannot load the policy*", "*nowhere.yaml*", "*file not found*"])
    assert "During handling" not in result.stdout.str()


def test_the_policy_is_loaded_once_per_session(pytester: pytest.Pytester) -> None:
    _project(pytester, "[pytest]\ngdpr_policy = policies/policy.yaml\n")
    pytester.makepyfile(
        test_a="def test_a(gdpr_policy):\n    import sys\n    sys._gdpr_seen = gdpr_policy\n",
        test_b="def test_b(gdpr_policy):\n    import sys\n    assert sys._gdpr_seen is gdpr_policy\n",  # noqa: E501 - one line of test source
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_the_ledger_and_keys_are_fresh_for_every_test(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\n")  # neither fixture needs a policy
    pytester.makepyfile(
        """
        from datetime import datetime, UTC
        import pytest
        from gdprkit import ConsentLedger, KeyRing, pseudonymise

        SEEN = []

        @pytest.mark.parametrize("n", [1, 2])
        def test_fresh(gdpr_ledger, gdpr_keys, n):
            assert isinstance(gdpr_ledger, ConsentLedger)
            assert isinstance(gdpr_keys, KeyRing)
            assert gdpr_ledger.events("C-1") == []
            gdpr_ledger.give("C-1", "newsletter", at=datetime(2025, 1, 1, tzinfo=UTC))
            SEEN.append(pseudonymise("luca@example.it", keys=gdpr_keys))

        def test_different_keys():
            assert len(SEEN) == 2 and SEEN[0] != SEEN[1]
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=3)


SCRATCH_JOBS = """
SENT = []

def upload(rows):
    SENT.extend(rows)

def export(rows):
    upload([{"id": r["customer_id"], "total": r["purchases_total"]} for r in rows])

def export_emails(rows):
    upload([{"to": r["email"]} for r in rows])
"""

SINK_TESTS = """
import pytest
import jobs

ROWS = [{"customer_id": "BV-0000001", "email": "luca.bruno@gmail.com", "purchases_total": 12.5}]

@pytest.fixture
def rows():
    return ROWS

@pytest.mark.gdpr_sink("jobs:upload", inputs="rows")
def test_leaks_the_customer_id(rows):
    jobs.export(rows)

@pytest.mark.gdpr_sink("jobs:upload")
def test_leaks_an_email_by_shape():
    jobs.export_emails(ROWS)

@pytest.mark.gdpr_sink("jobs:upload", inputs="rows")
def test_sends_nothing_personal(rows):
    jobs.upload([{"total": 12.5, "country": "IT"}])
    assert jobs.SENT  # the real function still ran

def test_the_function_is_restored():
    assert jobs.upload.__name__ == "upload"

def test_the_guard_fixture(gdpr_guard):
    sink = gdpr_guard.sink("log")
    sink.write("mail sent to someone@example.org")
"""


def test_the_sink_marker_fails_a_test_when_personal_data_reaches_the_sink(
    pytester: pytest.Pytester,
) -> None:
    _project(pytester, "[pytest]\ngdpr_policy = policies/policy.yaml\naddopts = --strict-markers\n")
    pytester.makepyfile(jobs=SCRATCH_JOBS, test_sinks=SINK_TESTS)
    pytester.syspathinsert()
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2, failed=3)
    out = result.stdout.str()
    assert (
        "sink 'jobs:upload' item #0['args'][0][0]['id']: the raw value of input field "
        "'customer_id'" in out
    )
    assert "sink 'jobs:upload' item #0['args'][0][0]['to']: an e-mail address" in out
    assert "sink 'log' item #0: an e-mail address" in out
    result.stdout.fnmatch_lines(
        ["*test_leaks_the_customer_id*", "*test_leaks_an_email_by_shape*", "*guard_fixture*"]
    )
    assert "luca.bruno@gmail.com" not in result.stdout.str()
    assert "BV-0000001" not in result.stdout.str()


def test_the_marker_is_registered_and_checked(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\naddopts = --strict-markers\n")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.gdpr_sink()
        def test_no_target():
            pass
        """
    )
    result = pytester.runpytest()
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*gdpr_sink needs at least one*"])
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.gdpr_sink(*"])


def test_importing_the_plugin_imports_nothing_heavy() -> None:
    """The plugin loads in every pytest run of a project that installs gdprkit: no hypothesis,
    no ledger storage, no key generation until a fixture is used."""
    code = (
        "import sys, gdprkit.testing.plugin;"
        "heavy = [m for m in ('hypothesis', 'sqlalchemy', 'gdprkit.testing.strategies')"
        " if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_gdprkit_testing_imports_without_pytest() -> None:
    code = (
        "import sys; sys.modules['pytest'] = None; sys.modules['_pytest'] = None;"
        "import gdprkit.testing as t; print(sorted(t.__all__))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "assert_no_raw_identifiers" in out


def test_the_example_crm_test_suite_passes(tmp_path: Path) -> None:
    """examples/crm_tests is what docs/how-to/test-your-crm.md shows; it runs in CI from here,
    in a copy (so hypothesis and pytest leave nothing in the source tree)."""
    shutil.copytree(ROOT / "examples" / "crm", tmp_path / "crm")
    shutil.copytree(
        ROOT / "examples" / "crm_tests",
        tmp_path / "crm_tests",
        ignore=shutil.ignore_patterns("__pycache__", ".hypothesis", ".pytest_cache"),
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path / "crm_tests",
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
    assert "failed" not in result.stdout
