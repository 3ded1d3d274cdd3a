"""Hostile policy files are refused quickly with a ``PolicyError``, never a crash or a hang.

Issue 8: a 1 KB YAML alias tree ("billion laughs") made ``gdprkit check`` use 7 GB and time out
(messages ``repr()``-ed whole values); deeply nested JSON, YAML and TOML policies raised
``RecursionError``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from gdprkit import PolicyError, load_policy

HEADER = """\
version: 1
controller: {name: Acme, country: IT, contact: privacy@acme.example}
fields: {email: contact.email}
"""


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    """The classic: each anchor a list of ``width`` aliases to the one before."""
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def problems_of(path: Path) -> list[str]:
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    return [str(p) for p in info.value.problems]


def with_bomb(bomb: str, where: str) -> str:
    """A policy whose anchors are defined under an unknown key and used at ``where``."""
    anchors = "".join("    " + line + "\n" for line in bomb.splitlines())
    last = f"*a{len(bomb.splitlines()) - 1}"
    use = {
        "categories": f"    categories: [contact, {last}]\n",  # read as category names
        "when": f"    categories: [contact]\n    when: {{email: {last}}}\n",  # read as values
        "unknown": "    categories: [contact]\n",  # never read
    }[where]
    return HEADER + "purposes:\n  p:\n    basis: consent\n    bomb:\n" + anchors + use


@pytest.mark.parametrize("where", ["categories", "when", "unknown"])
def test_a_billion_laughs_is_refused_within_a_second(tmp_path: Path, where: str) -> None:
    bomb = billion_laughs()
    assert len(bomb) < 1024
    path = tmp_path / "bomb.yaml"
    path.write_text(with_bomb(bomb, where))
    started = time.perf_counter()
    found = problems_of(path)
    assert time.perf_counter() - started < 1.0
    assert any("more than 50000 values" in p for p in found), found
    assert sum(len(p) for p in found) < 2000  # no value printed whole


def test_the_bomb_costs_little_memory(tmp_path: Path) -> None:
    """In a fresh process limited to 512 MB, so the measure is this load's own peak (the old
    loader expanded the tree into messages: 7 GB, here a MemoryError)."""
    path = tmp_path / "bomb.yaml"
    path.write_text(with_bomb(billion_laughs(12, 10), "categories"))  # 10^13 values expanded
    code = (
        "import resource, sys\n"
        "from gdprkit import PolicyError, load_policy\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        f"    load_policy({str(path)!r})\n"
        "except PolicyError as exc:\n"
        "    print(len(str(exc)))\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)\n"
    )
    limit = 512 * 1024 * 1024
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    message_length, grown_kb = (int(x) for x in result.stdout.split())
    assert message_length < 1000
    assert grown_kb < 50 * 1024  # under 50 MB


def test_an_alias_that_contains_itself_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text(HEADER + "purposes: &p {p: {basis: consent, categories: [contact]}, q: *p}\n")
    found = problems_of(path)
    assert any("refers to itself" in p for p in found), found


def test_a_few_aliases_still_load(tmp_path: Path) -> None:
    """Anchors, aliases and merge keys are YAML a policy may use: only their excess is refused."""
    path = tmp_path / "ok.yaml"
    path.write_text(
        HEADER
        + "purposes:\n"
        + "  a: &base {basis: consent, categories: [contact]}\n"
        + "  b: {<<: *base, description: the same}\n"
        + "  c: *base\n"
    )
    policy = load_policy(path)
    assert policy.purposes["b"].categories == policy.purposes["c"].categories == ("contact",)


@pytest.mark.parametrize("depth", [40, 900, 100_000])
@pytest.mark.parametrize("fmt", ["yaml", "json", "toml"])
def test_deep_nesting_is_a_policy_error_in_every_format(
    tmp_path: Path, fmt: str, depth: int
) -> None:
    deep = "[" * depth + "]" * depth
    path = tmp_path / f"deep.{fmt}"
    if fmt == "yaml":
        path.write_text(HEADER + f"purposes: {{p: {{basis: consent, categories: {deep}}}}}\n")
    elif fmt == "json":
        path.write_text('{"version": 1, "purposes": {"p": {"categories": ' + deep + "}}}")
    else:
        path.write_text(f"version = 1\n[purposes.p]\ncategories = {deep}\n")
    started = time.perf_counter()
    found = problems_of(path)
    assert time.perf_counter() - started < 2.0
    assert any("nested deeper than 32 levels" in p for p in found), found


@pytest.mark.parametrize("depth", [40, 5000])
def test_deep_block_yaml_and_dotted_toml_keys_are_refused(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(
        HEADER + "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "x\n"
    )
    assert any("nested deeper" in p for p in problems_of(path))
    toml = tmp_path / "deep.toml"
    toml.write_text("version = 1\n" + ".".join(f"k{i}" for i in range(depth)) + " = 1\n")
    assert any("nested deeper" in p for p in problems_of(toml))


def test_a_deep_or_cyclic_mapping_is_a_policy_error() -> None:
    deep: dict[str, Any] = {}
    inner = deep
    for _ in range(5000):
        inner["x"] = {}
        inner = inner["x"]
    cyclic: dict[str, Any] = {"version": 1}
    cyclic["purposes"] = cyclic
    for document in (deep, cyclic):
        with pytest.raises(PolicyError, match="nested deeper than 32 levels"):
            load_policy(document)


def test_a_mapping_sharing_one_list_a_billion_times_is_refused() -> None:
    shared: Any = ["x"] * 10
    for _ in range(9):
        shared = [shared] * 10
    document = {"version": 1, "categories": {"a": shared}}
    started = time.perf_counter()
    with pytest.raises(PolicyError, match="more than 50000 values"):
        load_policy(document)
    assert time.perf_counter() - started < 1.0


def test_json_bomb_of_many_keys_reports_a_bounded_message(tmp_path: Path) -> None:
    """Many problems are listed up to a limit, then counted."""
    path = tmp_path / "many.json"
    document = {
        "version": 1,
        "controller": {"name": "Acme", "country": "IT", "contact": "privacy@acme.example"},
        "fields": {f"f{i}": "nothing.known" for i in range(5000)},
        "purposes": {"p": {"basis": "consent", "categories": ["contact"]}},
    }
    path.write_text(json.dumps(document))
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert len(info.value.problems) == 201
    assert info.value.problems[-1].message == "... and 4800 more problems"


def test_long_values_are_cut_and_containers_described(tmp_path: Path) -> None:
    path = tmp_path / "long.yaml"
    path.write_text(
        HEADER
        + "purposes:\n  p:\n    basis: consent\n"
        + f"    categories: [{'x' * 100_000}, {{a: [1, 2, 3]}}]\n"
    )
    found = problems_of(path)
    text = "\n".join(found)
    assert "(100000 characters)" in text
    assert "a mapping of 1" in text
    assert len(text) < 1000


def test_a_long_chain_of_aliases_is_refused(tmp_path: Path) -> None:
    """Each anchor a list holding the one before: shallow as written, 5000 levels expanded."""
    lines = ["a0: &a0 [x]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, 5000)]
    path = tmp_path / "chain.yaml"
    path.write_text(
        HEADER
        + "categories:\n"
        + "".join(f"  {line}\n" for line in lines)
        + "purposes:\n  p:\n    basis: consent\n    categories: [*a4999]\n"
    )
    found = problems_of(path)
    assert any("nested deeper than 32 levels" in p for p in found), found
