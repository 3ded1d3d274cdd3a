"""What a ``PolicyError`` says (design §5): keys given twice, lines, ``did you mean``, no raw
control characters.

Issue 8: a second ``basis:`` in a purpose silently won (it switched a purpose from consent to
legitimate interests); problems of a YAML file did not say on which line they were; messages
printed raw control characters from names (terminal and log injection).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gdprkit import PolicyError, load_policy

DESIGN = Path(__file__).parents[1] / "data" / "design_policy.yaml"

POLICY = """\
version: 1
controller:
  name: Acme
  country: IT
  contact: privacy@acme.example
fields:
  email: contact.email
  seen_at: meta
purposes:
  newsletter:
    basis: consent
    categories: [contact]
    retention:
      - {period: P24M, from: seen_at}
"""


def problems(source: Any) -> list[tuple[str, str]]:
    with pytest.raises(PolicyError) as info:
        load_policy(source)
    return [(p.location, p.message) for p in info.value.problems]


def write(tmp_path: Path, text: str, name: str = "policy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# --- keys given twice ---------------------------------------------------------------------


def test_a_second_basis_in_a_yaml_purpose_is_refused(tmp_path: Path) -> None:
    text = POLICY.replace(
        "    basis: consent\n", "    basis: consent\n    basis: legitimate_interests\n"
    )
    found = problems(write(tmp_path, text))
    assert found == [
        (
            "purposes.newsletter.basis",
            "line 12: key 'basis' given twice in one mapping (first at line 11): the last one"
            " would silently win",
        )
    ]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("version: 1\nversion: 1\n", "version"),
        ("fields:\n  email: contact.email\n  email: contact.phone\n", "fields.email"),
        (
            "purposes:\n  newsletter: {basis: consent, basis: contract}\n",
            "purposes.newsletter.basis",
        ),
        ('"version": 1\nversion: 1\n', "version"),  # quoted or not, the same key
    ],
)
def test_any_yaml_key_given_twice_is_refused(tmp_path: Path, text: str, where: str) -> None:
    found = problems(write(tmp_path, text))
    assert any(loc == where and "given twice" in msg for loc, msg in found), found


def test_a_merge_key_overridden_is_not_a_duplicate(tmp_path: Path) -> None:
    text = POLICY + "  copy:\n    <<: *n\n    basis: legitimate_interests\n"
    text = text.replace("  newsletter:\n", "  newsletter: &n\n")
    policy = load_policy(write(tmp_path, text))
    assert policy.purposes["copy"].basis.value == "legitimate_interests"


def test_a_second_basis_in_a_json_purpose_is_refused(tmp_path: Path) -> None:
    document = yaml.safe_load(POLICY)
    text = json.dumps(document).replace(
        '"basis": "consent"', '"basis": "consent", "basis": "legitimate_interests"'
    )
    found = problems(write(tmp_path, text, "policy.json"))
    assert found == [
        (
            "purposes.newsletter.basis",
            "key 'basis' given twice in one mapping: the last one would silently win",
        )
    ]


def test_json_keys_twice_anywhere_are_each_reported(tmp_path: Path) -> None:
    text = '{"version": 1, "version": 1, "fields": {"a": "meta", "a": "meta", "a": "meta"}}'
    found = problems(write(tmp_path, text, "policy.json"))
    twice = [loc for loc, msg in found if "given twice" in msg]
    assert twice == ["version", "fields.a", "fields.a"]


def test_toml_refuses_a_key_given_twice(tmp_path: Path) -> None:
    text = 'version = 1\n[purposes.p]\nbasis = "consent"\nbasis = "contract"\n'
    found = problems(write(tmp_path, text, "policy.toml"))
    assert found == [
        ("line 4", "not a valid toml document: a key given twice (the last one would silently win)")
    ]


# --- lines ----------------------------------------------------------------------------------


def test_every_problem_of_a_yaml_file_names_its_line(tmp_path: Path) -> None:
    text = (
        POLICY.replace("basis: consent", "basis: consnet")
        .replace("from: seen_at", "from: seen")
        .replace("  seen_at: meta\n", "  seen_at: meta\n  phone: contact.phnoe\n")
        + "    retentoin: []\n"
    )
    found = dict(problems(write(tmp_path, text)))
    assert found["purposes.newsletter.basis"].startswith("line 12: ")
    assert found["purposes.newsletter.basis"].endswith("; did you mean 'consent'?")
    assert found["purposes.newsletter.retentoin"] == (
        "line 16: unknown key (a typo would silently weaken the policy); did you mean 'retention'?"
    )
    assert found["purposes.newsletter.retention.0.from"] == (
        "line 15: names undeclared field 'seen'; did you mean 'seen_at'?"
    )
    assert found["fields.phone.category"] == (
        "line 9: unknown category 'contact.phnoe'; did you mean 'contact.phone'?"
    )


def test_lines_of_the_design_policy_file(tmp_path: Path) -> None:
    lines = DESIGN.read_text("utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == "basis: contract") + 1
    lines[at - 1] = lines[at - 1].replace("contract", "contrat")
    path = write(tmp_path, "\n".join(lines) + "\n")
    assert problems(path) == [
        ("purposes.contract.basis", f"line {at}: " + problems_message(path)),
    ]


def problems_message(path: Path) -> str:
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    message = info.value.problems[0].message
    assert "did you mean 'contract'?" in message
    return message.partition(": ")[2]


def test_json_and_mappings_name_no_line(tmp_path: Path) -> None:
    document = yaml.safe_load(POLICY)
    document["purposes"]["newsletter"]["retentoin"] = []
    for source in (document, write(tmp_path, json.dumps(document), "p.json")):
        assert problems(source) == [
            (
                "purposes.newsletter.retentoin",
                "unknown key (a typo would silently weaken the policy); did you mean 'retention'?",
            )
        ]


# --- did you mean ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "where", "suggestion"),
    [
        (lambda d: d.update(controler=d.pop("controller")), "controler", "controller"),
        (lambda d: d["controller"].update(contcat="x"), "controller.contcat", "contact"),
        (
            lambda d: d["purposes"]["newsletter"].update(basis="Consent"),
            "purposes.newsletter.basis",
            "consent",
        ),
        (
            lambda d: d["purposes"]["newsletter"]["retention"][0].update(then="anonymize"),
            "purposes.newsletter.retention.0.then",
            "anonymise",
        ),
        (
            lambda d: d["purposes"]["newsletter"].update(categories=["contct"]),
            "purposes.newsletter.categories.0",
            "contact",
        ),
        (
            lambda d: d["purposes"]["newsletter"].update(requires=["emial"]),
            "purposes.newsletter.requires.0",
            "email",
        ),
        (
            lambda d: d["purposes"]["newsletter"].update(transform={"email": "tokn"}),
            "purposes.newsletter.transform.email.method",
            "token",
        ),
        (
            lambda d: d["fields"].update(email={"category": "contact.email", "formt": "email"}),
            "fields.email.formt",
            "format",
        ),
        (
            lambda d: d.update(
                jurisdictions={
                    "IT": {
                        "extensions": [{"purpose": "newsleter", "period": "P1Y", "reference": "x"}]
                    }
                }
            ),
            "jurisdictions.IT.extensions.0.purpose",
            "newsletter",
        ),
    ],
)
def test_a_name_close_to_a_known_one_says_which(change: Any, where: str, suggestion: str) -> None:
    document = yaml.safe_load(POLICY)
    change(document)
    found = dict(problems(document))
    assert found[where].endswith(f"did you mean {suggestion!r}?"), found


def test_a_name_far_from_every_known_one_gets_no_guess() -> None:
    document = yaml.safe_load(POLICY)
    document["purposes"]["newsletter"]["zzzz"] = 1
    document["purposes"]["newsletter"]["basis"] = "because"
    for message in dict(problems(document)).values():
        assert "did you mean" not in message


# --- no raw control characters, no values -----------------------------------------------------


@pytest.mark.parametrize(
    "name", ["e\x1b[31mmail", "a\nb", "x\ry", "\u202eevil", "bell\x07", "z\u200b"]
)
def test_names_in_locations_and_messages_are_escaped(name: str) -> None:
    document = yaml.safe_load(POLICY)
    document["fields"][name] = "contact.nowhere"
    document["purposes"]["newsletter"]["requires"] = [name]
    document["purposes"][name] = {
        "basis": "consent",
        "categories": ["contact"],
        "when": {name: [1]},
    }
    with pytest.raises(PolicyError) as info:
        load_policy(document)
    text = str(info.value)
    assert name not in text
    assert repr(name) in text
    assert all(ch.isprintable() or ch == "\n" for ch in text)


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=20))
def test_no_message_holds_a_raw_control_character(name: str) -> None:
    document = yaml.safe_load(POLICY)
    document["fields"][name] = "contact.nowhere"
    document["purposes"]["newsletter"]["requires"] = [name]
    document["controller"][name] = 1
    with pytest.raises(PolicyError) as info:
        load_policy(document)
    for problem in info.value.problems:
        assert str(problem).isprintable(), problem


def test_a_bad_yaml_file_with_control_characters_in_names_reports_them_escaped(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, POLICY + '    "bad\\e[2Jkey": 1\n')
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    text = str(info.value)
    assert "\x1b" not in text
    assert "'bad\\x1b[2Jkey'" in text


def test_plain_names_of_any_script_stay_as_written() -> None:
    document = yaml.safe_load(POLICY)
    document["fields"]["città"] = "nowhere"
    document["fields"]["first name"] = "nowhere"
    found = dict(problems(document))
    assert "fields.città.category" in found
    assert "fields.'first name'.category" in found


def test_a_path_with_control_characters_is_shown_escaped(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as info:
        load_policy(tmp_path / "policy\x1b[2J.yaml")
    assert "\x1b" not in str(info.value)
    assert "policy\\x1b[2J.yaml" in str(info.value)
    assert info.value.problems == (("", "file not found"),)
