"""What a ``PolicyError`` says to the person who wrote the policy (design §5, issue 11).

pydantic's own phrases ("Input should be a valid dictionary", "Field required", "Extra inputs
are not permitted") once reached the user; every problem now speaks of keys, lists, mappings
and text, names its line in a YAML file (nested keys, list items, short forms included), and
says which known name a near miss is close to (keys, bases, categories, purpose names...).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdprkit import ConfigurationError, PolicyError, load_policy
from gdprkit.testing.strategies import policy_documents

POLICY = """\
version: 1
controller:
  name: Bottega Verdi S.r.l.
  country: IT
  contact: privacy@bottegaverdi.it
subject:
  id: customer_id
  relationship: relationship
fields:
  customer_id: identity.customer_id
  email: contact.email
  relationship: meta
  last_purchase_at: commercial.purchase_history
purposes:
  contract:
    basis: contract
    categories: [identity, contact, commercial, meta]
    retention:
      - {period: P10Y, from: last_purchase_at}
  newsletter:
    basis: consent
    direct_marketing: true
    categories:
      - identity.customer_id
      - contact.email
    transform:
      customer_id: token
    retention:
      - period: P24M
        from: last_purchase_at
"""

JARGON = ("Input should", "Field required", "Extra inputs", "pydantic", "type=",
          "For further information", "instance of", "Tuple should", "String should",
          "valid dictionary", "constrained-str", "[key]")  # fmt: skip


def problems_of(tmp_path: Path, text: str) -> list[tuple[str, str]]:
    path = tmp_path / "policy.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    for word in JARGON:
        assert word not in str(info.value), word
    return [(p.location, p.message) for p in info.value.problems]


def edit(old: str, new: str) -> str:
    assert POLICY.count(old) == 1, old
    return POLICY.replace(old, new)


def test_the_policy_loads(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY, "utf-8")
    load_policy(path)


# (what, the edited policy, location, line, words the message holds)
MISTAKES = [
    (
        "controller as text",
        edit(
            "controller:\n  name: Bottega Verdi S.r.l.\n  country: IT\n"
            "  contact: privacy@bottegaverdi.it\n",
            "controller: Bottega Verdi\n",
        ),
        "controller",
        2,
        "expected a mapping (key: value), found text",
    ),
    (
        "missing basis",
        edit("    basis: consent\n", ""),
        "purposes.newsletter.basis",
        20,
        "missing required key 'basis'",
    ),
    (
        "missing top-level key",
        edit("version: 1\n", ""),
        "version",
        1,
        "missing required key 'version'",
    ),
    (
        "unknown key",
        edit("    basis: contract\n", "    basis: contract\n    retension: []\n"),
        "purposes.contract.retension",
        17,
        "unknown key (a typo would silently weaken the policy); did you mean 'retention'?",
    ),
    (
        "field as a list",
        edit("  email: contact.email", "  email: [contact.email]"),
        "fields.email",
        11,
        "expected a category (contact.email) or a mapping {category, format, "
        "description}, found a list",
    ),
    (
        "transform as a number",
        edit("      customer_id: token", "      customer_id: 3"),
        "purposes.newsletter.transform.customer_id",
        27,
        "expected a transform method",
    ),
    (
        "version 2",
        edit("version: 1", "version: 2"),
        "version",
        1,
        "unsupported format version (this gdprkit reads version: 1)",
    ),
    (
        "a flag in words",
        edit("    direct_marketing: true", "    direct_marketing: maybe"),
        "purposes.newsletter.direct_marketing",
        22,
        "expected true or false, found text",
    ),
    (
        "categories as text",
        edit("[identity, contact, commercial, meta]", "identity"),
        "purposes.contract.categories",
        17,
        "expected a list (one item is written [item]), found text",
    ),
    (
        "no categories",
        edit("[identity, contact, commercial, meta]", "[]"),
        "purposes.contract.categories",
        17,
        "needs at least 1 item",
    ),
    (
        "retention as a mapping",
        edit("      - {period: P10Y, from: last_purchase_at}", "      period: P10Y"),
        "purposes.contract.retention",
        18,
        "expected a list, found a mapping",
    ),
    (
        "a period as a number",
        edit("period: P10Y", "period: 10"),
        "purposes.contract.retention.0.period",
        19,
        "expected text, found a number",
    ),
    (
        "a period in words",
        edit("period: P24M", "period: two years"),
        "purposes.newsletter.retention.0.period",
        29,
        "not an ISO 8601 duration",
    ),
    (
        "an age below 13",
        POLICY + "jurisdictions:\n  DE: {age_of_digital_consent: 12}\n",
        "jurisdictions.DE.age_of_digital_consent",
        32,
        "must be at least 13",
    ),
    (
        "an age in words",
        POLICY + "jurisdictions:\n  DE: {age_of_digital_consent: sixteen}\n",
        "jurisdictions.DE.age_of_digital_consent",
        32,
        "expected a whole number, found text",
    ),
    (
        "an empty name",
        edit("  name: Bottega Verdi S.r.l.", "  name: ''"),
        "controller.name",
        3,
        "must not be empty",
    ),
    (
        "a when value as a mapping",
        edit("    basis: contract\n", "    basis: contract\n    when: {relationship: {a: 1}}\n"),
        "purposes.contract.when.relationship",
        17,
        "expected text, a number or true/false, found a mapping",
    ),
    (
        "a field name as a number",
        edit("  relationship: meta\n", "  relationship: meta\n  3: meta\n"),
        "fields.3",
        13,
        "a name here is text, found a number",
    ),
    (
        "a basis typo",
        edit("    basis: contract\n", "    basis: contrat\n"),
        "purposes.contract.basis",
        16,
        "unknown legal basis (Art. 6(1)) 'contrat'; one of: consent,"
        " contract, legal_obligation, vital_interests, public_task, legitimate_interests; did you "
        "mean 'contract'?",
    ),
    (
        "a format typo",
        edit("  email: contact.email", "  email: {category: contact.email, format: emial}"),
        "fields.email.format",
        11,
        "unknown format 'emial'; one of: email, phone, codice_fiscale, "
        "partita_iva, country, date, ip; did you mean 'email'?",
    ),
    (
        "a then typo",
        edit(
            "        from: last_purchase_at\n",
            "        from: last_purchase_at\n        then: delet\n",
        ),
        "purposes.newsletter.retention.0.then",
        31,
        "did you mean 'delete'?",
    ),
    (
        "a recipient without role",
        POLICY + "recipients:\n  - {name: Couriers}\n",
        "recipients.0.role",
        32,
        "missing required key 'role'",
    ),
    (
        "a policy that is a list",
        "- version: 1\n",
        "",
        1,
        "a policy is a mapping at the top level, found a list",
    ),
]


@pytest.mark.parametrize(
    ("text", "where", "line", "words"),
    [m[1:] for m in MISTAKES],
    ids=[m[0] for m in MISTAKES],
)
def test_typical_mistakes_speak_the_policys_words_and_name_their_line(
    tmp_path: Path, text: str, where: str, line: int, words: str
) -> None:
    found = problems_of(tmp_path, text)
    assert (where, f"line {line}: ") in [(w, m[: len(f"line {line}: ")]) for w, m in found]
    message = next(m for w, m in found if w == where)
    assert words in message


def test_every_problem_of_a_yaml_file_names_its_line(tmp_path: Path) -> None:
    """All problems at once, in nested keys, list items and short forms."""
    text = (
        edit("  email: contact.email", "  email: contact.emial")  # short form
        .replace("      - contact.email\n", "      - contact.emial\n")  # a list item
        .replace("        from: last_purchase_at\n", "        from: last_purchase\n")  # nested
        .replace("      customer_id: token", "      customer_id: tokn")  # short-form transform
        .replace("    basis: consent\n", "    basis: consnt\n    requires: [emial]\n")
    )
    found = problems_of(tmp_path, text)
    assert len(found) >= 6
    for where, message in found:
        assert message.startswith("line "), (where, message)
    assert ("fields.email.category", "line 11: unknown category 'contact.emial'; did you mean "
            "'contact.email'?") in found  # fmt: skip
    assert ("purposes.newsletter.categories.1", "line 26: unknown category 'contact.emial'; "
            "did you mean 'contact.email'?") in found  # fmt: skip


@pytest.mark.parametrize(
    ("text", "where", "suggested"),
    [
        (edit("  name: Bottega", "  nmae: Bottega"), "controller.nmae", "'name'"),
        (
            edit("    basis: consent\n", "    basis: Consent\n"),
            "purposes.newsletter.basis",
            "'consent'",
        ),
        (
            edit("  email: contact.email", "  email: contact.mail"),
            "fields.email.category",
            "'contact.email'",
        ),
        (
            edit("[identity, contact, commercial, meta]", "[identity, contact, comercial, meta]"),
            "purposes.contract.categories.2",
            "'commercial'",
        ),
        (
            POLICY + "recipients:\n  - {name: Couriers, role: processor, purposes: [newsleter]}\n",
            "recipients.0.purposes.0",
            "'newsletter'",
        ),
        (
            POLICY + "jurisdictions:\n  IT:\n    extensions:\n"
            "      - {purpose: contrat, period: P7Y, reference: Garante}\n",
            "jurisdictions.IT.extensions.0.purpose",
            "'contract'",
        ),
        (
            POLICY + "recipients:\n  - {name: Couriers, role: procesor}\n",
            "recipients.0.role",
            "'processor'",
        ),
        (
            edit("      customer_id: token", "      customer_id: tokne"),
            "purposes.newsletter.transform.customer_id.method",
            "'token'",
        ),
        (
            edit("  relationship: relationship", "  relationship: relationshp"),
            "subject.relationship",
            "'relationship'",
        ),
    ],
)
def test_near_misses_say_which_name_was_meant(
    tmp_path: Path, text: str, where: str, suggested: str
) -> None:
    found = dict(problems_of(tmp_path, text))
    assert where in found, found
    assert found[where].endswith(f"did you mean {suggested}?"), found[where]


def test_an_unknown_purpose_asked_of_a_policy_says_which_was_meant(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY, "utf-8")
    policy = load_policy(path)
    with pytest.raises(ConfigurationError) as info:
        policy.purpose("newsleter")
    assert "unknown purpose 'newsleter'; did you mean 'newsletter'?" in str(info.value)
    with pytest.raises(ConfigurationError) as info:
        policy.purpose("payroll")
    assert "did you mean" not in str(info.value)


def test_mapping_sources_get_the_same_words() -> None:
    """A mapping passed to load_policy (no lines) speaks the same words."""
    with pytest.raises(PolicyError) as info:
        load_policy({"version": 1, "controller": "Acme", "fields": [], "purposes": {}})
    text = str(info.value)
    for word in JARGON:
        assert word not in text
    assert "missing required key" not in text or "controller" in text
    locations = {p.location: p.message for p in info.value.problems}
    assert locations["controller"] == "expected a mapping (key: value), found text"
    assert locations["fields"] == "expected a mapping (key: value), found a list"
    assert locations["purposes"] == "needs at least 1 entry"


# -- every problem of any YAML policy names its line (a property) ----------------------------

_BREAKS = [
    ("purposes", "basis", "consnt"),
    ("purposes", "categories", "identity"),
    ("purposes", "retension", []),
    ("purposes", "when", {"relationship": {"a": 1}}),
    ("purposes", "transform", {"email": 3}),
    ("purposes", "requires", ["emial"]),
    ("purposes", "profiling", "maybe"),
    ("fields", "email", ["contact.email"]),
    ("fields", "notes", "free.text"),
    ("controller", "country", "XX"),
    ("controller", "nmae", "x"),
    ("top", "version", 2),
    ("top", "categories", {"special.x": {}}),
    ("top", "recipients", [{"name": "Couriers"}]),
]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    document=policy_documents(),
    breaks=st.lists(st.sampled_from(_BREAKS), min_size=1, max_size=4),
    data=st.data(),
)
def test_every_problem_of_any_yaml_policy_names_its_line(
    tmp_path_factory: pytest.TempPathFactory,
    document: dict[str, Any],
    breaks: list[tuple[str, str, object]],
    data: st.DataObject,
) -> None:
    for where, key, value in breaks:
        if where == "purposes":
            name = data.draw(st.sampled_from(sorted(document["purposes"])))
            document["purposes"][name][key] = value
        elif where == "top":
            document[key] = value
        else:
            document[where][key] = value
    path = tmp_path_factory.mktemp("p") / "policy.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), "utf-8")
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    for problem in info.value.problems:
        assert re.match(r"line \d+: ", problem.message), str(problem)
        assert not any(word in problem.message for word in JARGON), str(problem)
