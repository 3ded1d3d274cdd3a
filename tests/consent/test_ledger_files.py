"""The files of a SQLite ledger: owner-only, and never made where a mistyped URL points.

design.md §9: files gdprkit creates (ledgers included) are readable by their owner only (0600).
A ledger holds who consented to what and who asked to be erased; before, SQLite created the
file and its ``-wal``/``-shm`` with the default 0644 (world-readable). And a mistyped SQLite URL
(``sqlite://x.db``, ``sqlite:///tmp/x.db`` meant as absolute, a directory that does not exist)
either made an empty ledger somewhere unexpected or failed without saying where.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gdprkit import ConfigurationError, ConsentLedger, Evidence

AT = datetime(2025, 6, 1, tzinfo=UTC)
SIDE_FILES = ("", "-wal", "-shm", "-gdprkit-lock")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")


@pytest.fixture(params=[0o022, 0o002, 0o000], ids=oct)
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """Run under each umask: the mode must not depend on the umask being strict."""
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_ledger_and_its_side_files_are_readable_by_their_owner_only(
    tmp_path: Path, umask: int
) -> None:
    path = tmp_path / "consents.db"
    with ConsentLedger(f"sqlite:///{path}") as ledger:
        ledger.give("C-1", "newsletter", at=AT, evidence=Evidence("web_form"))
        ledger.request_erasure("C-2", at=AT)
        for suffix in SIDE_FILES:
            side = Path(f"{path}{suffix}")
            assert side.exists(), suffix
            assert _mode(side) == 0o600, (suffix, oct(_mode(side)))
    with ConsentLedger(f"sqlite:///{path}") as again:  # reopened: still private
        assert again.state("C-2", "newsletter", at=AT).erasure_requested
        for suffix in SIDE_FILES:
            side = Path(f"{path}{suffix}")
            if side.exists():
                assert _mode(side) == 0o600, suffix


def test_an_existing_ledger_file_keeps_the_mode_its_owner_gave_it(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    path.touch()
    path.chmod(0o640)  # shared with a group on purpose
    with ConsentLedger(f"sqlite:///{path}") as ledger:
        ledger.give("C-1", "newsletter", at=AT)
    assert _mode(path) == 0o640


def test_a_relative_path_is_read_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    with ConsentLedger("sqlite:///data/consents.db") as ledger:
        ledger.give("C-1", "newsletter", at=AT)
    assert (tmp_path / "data" / "consents.db").is_file()
    assert _mode(tmp_path / "data" / "consents.db") == 0o600


#: (mistyped URL, relative to a working directory holding only ``data/``) -> what the error
#: says (a path named, or the URL form to use).
MISTYPED: list[tuple[str, str, str]] = [
    ("missing directory", "sqlite:///data/missing/consents.db", "'data/missing/consents.db'"),
    ("absolute meant, relative", "sqlite:///srv/gdpr/consents.db", "'srv/gdpr/consents.db'"),
    ("a home directory is not expanded", "sqlite:///~/consents.db", "'~/consents.db'"),
    ("two slashes: a host", "sqlite://consents.db", "names a file, not a host"),
    ("two slashes and a path", "sqlite://data/consents.db", "names a file, not a host"),
    ("no path", "sqlite://", "must name its file"),
    ("an empty path", "sqlite:///", "must name its file"),
    ("a directory", "sqlite:///data", "'data' is a directory"),
    ("one slash", "sqlite:/data/consents.db", "not a database URL"),
    ("no slash", "sqlite:consents.db", "not a database URL"),
    ("URI filename", "sqlite:///file:data/consents.db?uri=true", "URI filenames"),
    ("in memory", "sqlite:///data/consents.db?mode=memory", "in-memory"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "url", "says"), MISTYPED, ids=[m[0] for m in MISTYPED])
def test_a_mistyped_sqlite_url_is_refused_and_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, what: str, url: str, says: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with pytest.raises(ConfigurationError) as info:
        ConsentLedger(url)
    assert says in str(info.value), what
    assert "sqlite:////absolute" in str(info.value) or "not a database URL" in str(info.value)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
