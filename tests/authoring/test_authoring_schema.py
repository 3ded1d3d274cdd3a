"""The JSON Schema of the policy file accepts exactly what ``load_policy`` accepts (design §5).

Checked with a real JSON Schema validator (``jsonschema``, draft 2020-12) against every policy
in the repository (examples, test data, the docs' YAML blocks and the policies their Python
examples load), against generated policies, and against a table of documented mistakes.
"""

from __future__ import annotations

import ast
import copy
import json
import re
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdprkit import Policy, PolicyError, load_policy
from gdprkit._policy_file import PolicyYamlLoader
from gdprkit._taxonomy import BUILTIN_CATEGORIES, TRANSFORM_METHODS, LegalBasis, SpecialCondition
from gdprkit.cli import main
from gdprkit.testing.strategies import policy_documents

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = Policy.model_json_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def schema_errors(document: object) -> list[str]:
    return [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message[:120]}"
        for e in VALIDATOR.iter_errors(document)
    ]


def read_yaml(text: str) -> Any:
    return yaml.load(text, Loader=PolicyYamlLoader)  # noqa: S506 - the policy's own SafeLoader


def example() -> dict[str, Any]:
    data = read_yaml((ROOT / "examples/crm/policy.yaml").read_text("utf-8"))
    assert isinstance(data, dict)
    return data


# -- the schema itself -----------------------------------------------------------------------


def test_schema_is_valid_draft_2020_12_with_an_id() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"] == "https://gdprkit.dev/schema/policy-1.json"


def test_gdprkit_schema_prints_the_same_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == SCHEMA


def _properties(node: object, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for key, value in node.get("properties", {}).items():
            yield f"{where}.{key}", value
        for key, value in node.items():
            if key != "properties":
                yield from _properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _properties(value, f"{where}/{i}")


def test_every_key_has_a_description() -> None:
    keys = [
        (where, prop)
        for where, prop in _properties(SCHEMA)
        if "/if" not in where and "/then" not in where
    ]
    assert len(keys) > 60
    missing = [where for where, prop in keys if not prop.get("description")]
    assert missing == []


def test_choices_come_from_the_catalogue() -> None:
    defs = SCHEMA["$defs"]
    assert defs["LegalBasis"]["enum"] == [b.value for b in LegalBasis]
    assert defs["SpecialCondition"]["enum"] == [c.value for c in SpecialCondition]
    assert set(defs["TransformMethod"]["anyOf"][0]["enum"]) == set(TRANSFORM_METHODS)
    assert set(defs["Category"]["anyOf"][0]["enum"]) == set(BUILTIN_CATEGORIES)
    assert "IT" in defs["Country"]["anyOf"][0]["enum"]


def test_the_example_was_refused_by_pydantics_own_schema() -> None:
    """The regression: pydantic's schema of the models refused the short forms (16 errors on
    the example CRM); the published one accepts it."""
    raw = jsonschema.Draft202012Validator(super(Policy, Policy).model_json_schema())
    assert len(list(raw.iter_errors(example()))) >= 10
    assert schema_errors(example()) == []


# -- every policy of the repository ----------------------------------------------------------


def _policy_files() -> list[Path]:
    found = []
    for folder in ("examples", "tests/data", "docs"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in (".yaml", ".yml", ".json", ".toml") and path.is_file():
                text = path.read_text("utf-8", errors="replace")
                if re.search(r"^\W*version\W*[:=]\s*1", text, re.M) and "purposes" in text:
                    found.append(path)
    return found


POLICY_FILES = _policy_files()


def test_the_repository_has_policy_files() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in POLICY_FILES}
    assert {"examples/crm/policy.yaml", "tests/data/design_policy.yaml"} <= names


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_policy_file_in_the_repository_validates(path: Path) -> None:
    load_policy(path)  # the premise: load_policy accepts it
    text = path.read_text("utf-8")
    if path.suffix == ".json":
        data = json.loads(text)
    elif path.suffix == ".toml":
        import tomllib

        data = tomllib.loads(text)
    else:
        data = read_yaml(text)
    assert schema_errors(data) == []


def _doc_blocks(language: str) -> Iterator[tuple[str, str]]:
    for path in sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]):
        text = path.read_text("utf-8")
        for match in re.finditer(rf"^([ \t]*)```{language}\n(.*?)^[ \t]*```", text, re.M | re.S):
            line = text[: match.start()].count("\n") + 1
            yield f"{path.relative_to(ROOT).as_posix()}:{line}", textwrap.dedent(match.group(2))


def _yaml_fragments() -> list[tuple[str, str, Any]]:
    """(where, top-level key or '' for a whole policy, value) of the docs' YAML blocks that
    hold a policy or a part of one (its top-level keys)."""
    found = []
    for where, block in _doc_blocks("yaml"):
        data = read_yaml(block)
        if not isinstance(data, dict):
            continue
        if "version" in data and "purposes" in data:
            found.append((where, "", data))
            continue
        for key, value in data.items():
            if key in SCHEMA["properties"]:
                found.append((where, key, value))
    return found


YAML_FRAGMENTS = _yaml_fragments()


def test_the_docs_have_policy_fragments() -> None:
    keys = {key for _, key, _ in YAML_FRAGMENTS}
    assert {"fields", "categories", "purposes", "recipients", "transfers", "security"} <= keys
    assert {"jurisdictions", "version"} <= keys  # an indented block; the editors comment


def test_the_docs_show_editors_the_schema() -> None:
    text = (ROOT / "docs/reference/policy-format.md").read_text("utf-8")
    assert "# yaml-language-server: $schema=./policy.schema.json" in text
    assert "gdprkit schema > policy.schema.json" in text
    assert SCHEMA["$id"] in text


@pytest.mark.parametrize(
    ("where", "key", "value"), YAML_FRAGMENTS, ids=[f"{w}:{k}" for w, k, _ in YAML_FRAGMENTS]
)
def test_every_policy_fragment_in_the_docs_validates(where: str, key: str, value: Any) -> None:
    if key == "":
        assert schema_errors(value) == []
        return
    part = {"$defs": SCHEMA["$defs"], **SCHEMA["properties"][key]}
    errors = [e.message for e in jsonschema.Draft202012Validator(part).iter_errors(value)]
    assert errors == [], where


def _python_policies() -> list[tuple[str, dict[str, Any]]]:
    """The literal mappings the docs' Python examples pass to load_policy."""
    found = []
    for where, block in _doc_blocks("python"):
        try:
            tree = ast.parse(block)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "load_policy"
                and node.args
                and isinstance(node.args[0], ast.Dict)
            ):
                found.append((where, ast.literal_eval(node.args[0])))
    return found


PYTHON_POLICIES = _python_policies()


@pytest.mark.parametrize(("where", "data"), PYTHON_POLICIES, ids=[w for w, _ in PYTHON_POLICIES])
def test_every_policy_the_docs_load_from_python_validates(where: str, data: dict[str, Any]) -> None:
    load_policy(data)
    assert schema_errors(data) == []


# -- what load_policy accepts, the schema accepts --------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(policy_documents())
def test_every_generated_policy_validates(document: dict[str, Any]) -> None:
    load_policy(document)
    assert schema_errors(document) == []


def _respell(document: dict[str, Any], draw: st.DrawFn) -> dict[str, Any]:
    """The same policy with spellings load_policy also reads (or, now and then, refuses)."""
    doc = copy.deepcopy(document)
    flags = ["yes", "no", "On", "off", "TRUE", "f", "1", 0, 1, "maybe", 2]
    for purpose in doc["purposes"].values():
        for flag in ("direct_marketing", "profiling"):
            if flag in purpose and draw(st.booleans()):
                purpose[flag] = draw(st.sampled_from(flags))
        for key, values in (purpose.get("when") or {}).items():
            if isinstance(values, list) and len(values) == 1 and draw(st.booleans()):
                purpose["when"][key] = values[0]
        for rule in purpose.get("retention", []):
            if draw(st.booleans()):
                rule["period"] = draw(
                    st.sampled_from([rule["period"].lower(), f" {rule['period']} ", "P0M", "12M"])
                )
        for name, method in list((purpose.get("transform") or {}).items()):
            if isinstance(method, str) and draw(st.booleans()):
                purpose["transform"][name] = {"method": method}
    for name, spec in list(doc["fields"].items()):
        if isinstance(spec, str) and draw(st.integers(0, 5)) == 0:
            doc["fields"][name] = draw(st.sampled_from([f" {spec} ", f"{spec}\t", spec.upper()]))
    for purpose in doc["purposes"].values():
        if draw(st.integers(0, 3)) == 0:
            purpose["categories"] = [f" {c} " for c in purpose["categories"]]
    if draw(st.booleans()):
        doc["controller"]["country"] = draw(
            st.sampled_from(["it", " de ", "Fr", "el", "xx", "ITA"])
        )
    if draw(st.booleans()):
        doc["controller"]["information_society_service"] = draw(st.sampled_from(flags))
    if draw(st.integers(0, 3)) == 0:
        doc["jurisdictions"] = {
            draw(st.sampled_from(["IT", "it", "DE"])): {
                "age_of_digital_consent": draw(st.sampled_from([13, 16, "14", 16.0, 12, "17"]))
            }
        }
    return doc


@st.composite
def respelled(draw: st.DrawFn) -> dict[str, Any]:
    return _respell(draw(policy_documents()), draw)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(respelled())
def test_what_load_policy_accepts_the_schema_accepts(document: dict[str, Any]) -> None:
    try:
        load_policy(document)
    except PolicyError:
        return
    assert schema_errors(document) == []


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("fields", "email"), "contact.email"),
        (("fields", "email"), {"category": "contact.email", "format": "email"}),
        (("purposes", "contract", "transform"), {"customer_id": "token"}),
        (("purposes", "contract", "transform"), {"customer_id": {"method": "token"}}),
        (("purposes", "contract", "when"), {"relationship": "customer"}),
        (("purposes", "contract", "when"), {"relationship": ["customer", "lead"]}),
        (("purposes", "contract", "profiling"), "no"),
        (("controller", "country"), "it"),
        (("purposes", "contract", "retention", 0, "period"), "p10y"),
        (("categories",), {"loyalty.points": {"description": "points"}}),
        # names and words are read with surrounding spaces stripped, keys included
        (("fields", "email"), " contact.email "),
        (("purposes", "contract", "categories"), [" identity ", "contact", "commercial", "meta"]),
        (("purposes", "profiling", "transform"), {"customer_id": " token "}),
        (("categories",), {" loyalty.points ": {}}),
        (("jurisdictions",), {" IT ": {}}),
    ],
)
def test_documented_short_forms_validate(where: tuple[Any, ...], value: object) -> None:
    doc = example()
    target: Any = doc
    for part in where[:-1]:
        target = target[part]
    target[where[-1]] = value
    load_policy(doc)
    assert schema_errors(doc) == []


# -- documented mistakes: refused by both ----------------------------------------------------


def _set(*where: Any, value: object) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        target: Any = doc
        for part in where[:-1]:
            target = target[part]
        target[where[-1]] = value

    return change


def _drop(*where: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        target: Any = doc
        for part in where[:-1]:
            target = target[part]
        del target[where[-1]]

    return change


def _soft_opt_in(*, direct_marketing: object) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        purpose = doc["purposes"]["newsletter"]
        purpose.update(basis="legitimate_interests", soft_opt_in=True, interest="offers")
        purpose["direct_marketing"] = direct_marketing

    return change


MISTAKES: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
    ("unknown top-level key", _set("retension", value=[])),
    ("unknown purpose key", _set("purposes", "contract", "retension", value=[])),
    ("a basis that is not one", _set("purposes", "contract", "basis", value="concent")),
    ("missing basis", _drop("purposes", "contract", "basis")),
    (
        "an Art. 9(2) condition that is not one",
        _set("purposes", "contract", "special", value="yes"),
    ),
    (
        "unknown transform (short form)",
        _set("purposes", "profiling", "transform", value={"customer_id": "tokn"}),
    ),
    (
        "unknown transform",
        _set("purposes", "profiling", "transform", value={"customer_id": {"method": "hash"}}),
    ),
    (
        "unknown format",
        _set("fields", "email", value={"category": "contact.email", "format": "mail"}),
    ),
    (
        "a period in words",
        _set("purposes", "contract", "retention", 0, "period", value="12 months"),
    ),
    ("a zero period", _set("purposes", "contract", "retention", 0, "period", value="P0D")),
    ("then: erase", _set("purposes", "contract", "retention", 0, "then", value="erase")),
    ("a category in capitals", _set("fields", "email", value="Contact.Email")),
    ("a custom category under special", _set("categories", value={"special.diet": {}})),
    ("a built-in category redefined", _set("categories", value={"contact.email": {}})),
    ("a jurisdiction in lower case", _set("jurisdictions", value={"it": {}})),
    ("a built-in category redefined, spaced", _set("categories", value={" contact ": {}})),
    ("a custom category under criminal", _set("categories", value={"criminal.x": {}})),
    ("a category with a space inside", _set("fields", "email", value="contact. email")),
    (
        "a transform with a space inside",
        _set("purposes", "profiling", "transform", value={"customer_id": "to ken"}),
    ),
    ("a country that is none", _set("controller", "country", value="XX")),
    (
        "consent at without field",
        _set("purposes", "newsletter", "consent", value={"at": "consent_marketing_at"}),
    ),
    ("soft opt-in on consent", _set("purposes", "newsletter", "soft_opt_in", value=True)),
    ("soft opt-in without direct marketing", _soft_opt_in(direct_marketing=False)),
    ("soft opt-in with direct marketing unset", _soft_opt_in(direct_marketing=None)),
    ("no fields", _set("fields", value={})),
    ("a purpose without categories", _set("purposes", "contract", "categories", value=[])),
    ("version 2", _set("version", value=2)),
    (
        "an age of consent of 12",
        _set("jurisdictions", value={"IT": {"age_of_digital_consent": 12}}),
    ),
    (
        "a when value that is a mapping",
        _set("purposes", "contract", "when", value={"relationship": {"a": 1}}),
    ),
    (
        "a recipient role that is none",
        _set("recipients", value=[{"name": "Couriers", "role": "vendor"}]),
    ),
    ("a blank controller name", _set("controller", "name", value="  ")),
    ("a flag that is not one", _set("purposes", "contract", "profiling", value="maybe")),
]


@pytest.mark.parametrize(("mistake", "change"), MISTAKES, ids=[m for m, _ in MISTAKES])
def test_documented_mistakes_are_refused_by_both(
    mistake: str, change: Callable[[dict[str, Any]], None]
) -> None:
    doc = example()
    change(doc)
    with pytest.raises(PolicyError):
        load_policy(doc)
    assert schema_errors(doc) != [], mistake


@pytest.mark.parametrize("direct_marketing", [True, "yes", 1])
def test_a_soft_opt_in_as_documented_validates(direct_marketing: object) -> None:
    doc = example()
    _soft_opt_in(direct_marketing=direct_marketing)(doc)
    load_policy(doc)
    assert schema_errors(doc) == []
