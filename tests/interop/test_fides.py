"""gdprkit.interop.fides: a policy as a Fides data map (fideslang), and back (design.md §17)."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdprkit import ConfigurationError, LegalBasis, SpecialCondition, load_policy
from gdprkit._taxonomy import BUILTIN_CATEGORIES
from gdprkit.interop import fides
from gdprkit.interop.fides import (
    DATA_CATEGORIES,
    LEGAL_BASES,
    SPECIAL_CONDITIONS,
    TRANSFER_SAFEGUARDS,
    from_fides,
    to_fides,
)
from gdprkit.testing.strategies import policy_documents

fideslang = pytest.importorskip("fideslang")  # the test extra installs it; never skipped there

ROOT = Path(__file__).parent.parent.parent
EXAMPLE_POLICIES = sorted(
    p
    for p in (ROOT / "examples").rglob("*.yaml")
    if "build" not in p.parts and "version:" in p.read_text("utf-8")
)
DEFAULT = {
    kind: {item.fides_key for item in getattr(fideslang.DEFAULT_TAXONOMY, kind)}
    for kind in ("data_category", "data_use", "data_subject")
}


def _same(original: Any, loaded: Any) -> None:
    """Same purposes, bases, Art. 9(2) conditions, purpose categories and field categories,
    and the same documentation keys (data subjects, interest, recipients, transfers, security,
    representative)."""
    assert set(loaded.purposes) == set(original.purposes)
    for name, purpose in original.purposes.items():
        back = loaded.purposes[name]
        assert back.basis == purpose.basis, name
        assert back.special == purpose.special, name
        assert back.categories == purpose.categories, name
        assert back.data_subjects == purpose.data_subjects, name
        assert back.interest == purpose.interest, name
    assert {f: s.category for f, s in loaded.fields.items()} == {
        f: s.category for f, s in original.fields.items()
    }
    assert loaded.recipients == original.recipients
    assert loaded.transfers == original.transfers
    assert loaded.security == original.security
    assert loaded.controller.representative == original.controller.representative


SUBJECT_TEXTS = ["customers", "Leads", "prospects", "employees", "supplier_vendor", "walk-ins"]
RECIPIENT_NAMES = [
    "Couriers",
    "Tax authorities (Agenzia delle Entrate)",
    "Banca X, S.p.A.",
    "Cloud",
]
MEASURES = ["Encryption at rest (AES-256)", "Access logs; reviewed monthly", "Backups in the EU"]


@st.composite
def documented_policy_documents(draw: st.DrawFn) -> dict[str, Any]:
    """Generated policies with the documentation keys of design.md §5 drawn too: purposes'
    data_subjects and interest, recipients (every role, some limited to purposes), transfers,
    security and the controller's representative; each absent, empty or filled."""
    raw: dict[str, Any] = draw(policy_documents())
    names = list(raw["purposes"])
    for name in names:
        purpose = raw["purposes"][name]
        if draw(st.booleans()):
            purpose["data_subjects"] = draw(
                st.lists(st.sampled_from(SUBJECT_TEXTS), max_size=3, unique=True)
            )
        if draw(st.booleans()):
            purpose["interest"] = "Knowing which products sell where"
    recipient = st.fixed_dictionaries(
        {
            "name": st.sampled_from(RECIPIENT_NAMES),
            "role": st.sampled_from(["processor", "controller", "authority"]),
        },
        optional={
            "purposes": st.lists(st.sampled_from(names), min_size=1, unique=True),
            "country": st.sampled_from(["IT", "US", "CH"]),
        },
    )
    transfer = st.fixed_dictionaries(
        {
            "country": st.sampled_from(["US", "CH", "IN"]),
            "safeguard": st.sampled_from(sorted(TRANSFER_SAFEGUARDS)),
        },
        optional={"reference": st.just("Commission decision")},
    )
    for key, items in (
        ("recipients", recipient),
        ("transfers", transfer),
        ("security", st.sampled_from(MEASURES)),
    ):
        if draw(st.booleans()):
            raw[key] = draw(st.lists(items, max_size=3, unique_by=repr))
    if draw(st.booleans()):
        raw["controller"] = {**raw["controller"], "representative": "Rep GmbH, Berlin"}
    return raw


# -- mapping tables ---------------------------------------------------------------------------

# One row per legal basis of Art. 6(1) GDPR: gdprkit's name and fideslang's
# legal_basis_for_processing (fideslang.models.LegalBasisForProcessingEnum).
BASES = [
    ("consent", "Consent"),  # 6(1)(a)
    ("contract", "Contract"),  # 6(1)(b)
    ("legal_obligation", "Legal obligations"),  # 6(1)(c)
    ("vital_interests", "Vital interests"),  # 6(1)(d)
    ("public_task", "Public interest"),  # 6(1)(e)
    ("legitimate_interests", "Legitimate interests"),  # 6(1)(f)
]
# One row per condition of Art. 9(2)(a)-(j): fideslang's special_category_legal_basis
# (fideslang.models.SpecialCategoryLegalBasisEnum).
CONDITIONS = [
    ("explicit_consent", "Explicit consent"),  # 9(2)(a)
    ("employment", "Employment, social security and social protection"),  # 9(2)(b)
    ("vital_interests", "Vital interests"),  # 9(2)(c)
    ("not_for_profit", "Not-for-profit bodies"),  # 9(2)(d)
    ("made_public", "Made public by the data subject"),  # 9(2)(e)
    ("legal_claims", "Legal claims or judicial acts"),  # 9(2)(f)
    ("substantial_public_interest", "Reasons of substantial public interest (with a basis in law)"),
    ("health_care", "Health or social care (with a basis in law)"),  # 9(2)(h)
    ("public_health", "Public health (with a basis in law)"),  # 9(2)(i)
    ("archiving_research", "Archiving, research and statistics (with a basis in law)"),  # 9(2)(j)
]
# gdprkit category -> the fideslang data category a field of it is exported with.
CATEGORIES = [
    ("identity.name", ["user.name"]),
    ("identity.customer_id", ["user.unique_id"]),
    ("identity.national_id", ["user.government_id.national_identification_number"]),
    ("identity.tax_id", ["user.government_id"]),
    ("identity.username", ["user.account.username"]),
    ("contact", ["user.contact"]),
    ("contact.email", ["user.contact.email"]),
    ("contact.phone", ["user.contact.phone_number"]),
    ("contact.address", ["user.contact.address"]),
    ("contact.social_account", ["user.contact.url"]),
    ("professional.company", ["user.workplace"]),
    ("professional.job_title", ["user.job_title"]),
    ("demographic.birth_date", ["user.demographic.date_of_birth"]),
    ("demographic.age", ["user.demographic.age_range"]),
    ("demographic.gender", ["user.demographic.gender"]),
    ("commercial.purchase_history", ["user.behavior.purchase_history"]),
    ("commercial.orders", ["user.behavior.purchase_history"]),
    ("financial.bank_account", ["user.financial.bank_account"]),
    ("financial.card", ["user.financial.credit_card"]),
    ("financial.payment", ["user.payment"]),
    ("online.ip_address", ["user.device.ip_address"]),
    ("online.cookie_id", ["user.device.cookie_id"]),
    ("online.device", ["user.device.device_id"]),
    ("online.location", ["user.location"]),
    ("online.browsing", ["user.behavior.browsing_history"]),
    ("free_text", ["user.content.private"]),
    ("special.health", ["user.health_and_medical"]),
    ("special.genetic", ["user.health_and_medical.genetic"]),
    ("special.biometric", ["user.biometric"]),
    ("special.racial_ethnic_origin", ["user.demographic.race_ethnicity"]),
    ("special.political_opinions", ["user.demographic.political_opinion"]),
    ("special.religious_beliefs", ["user.demographic.religious_belief"]),
    ("special.sex_life", ["user.demographic.sexual_orientation"]),
    ("special.trade_union", ["user"]),  # no fideslang equivalent: the whole user category
    ("criminal", ["user.criminal_history"]),
    ("criminal.convictions", ["user.criminal_history"]),
    ("meta", ["system.operations"]),
    (
        "identity",  # a root with no single equivalent: the union of its children's
        [
            "user.account.username",
            "user.government_id",
            "user.government_id.national_identification_number",
            "user.name",
            "user.unique_id",
        ],
    ),
]


def _policy(category: str = "contact.email", **purpose: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"basis": "consent", "categories": [category], **purpose}
    return {
        "version": 1,
        "controller": {"name": "Bottega Verdi S.r.l.", "country": "IT", "contact": "privacy@x.it"},
        "fields": {"value": category},
        "purposes": {"purpose": spec},
    }


def _declaration(document: dict[str, Any]) -> dict[str, Any]:
    (declaration,) = document["system"][0]["privacy_declarations"]
    return declaration


def _unmapped(document: dict[str, Any]) -> list[str]:
    notes: list[str] = document["system"][0]["meta"]["gdprkit"]["unmapped"]
    return notes


@pytest.mark.parametrize(("basis", "expected"), BASES)
def test_legal_basis_maps_to_fideslang(basis: str, expected: str) -> None:
    document = to_fides(_policy(basis=basis))
    assert _declaration(document)["legal_basis_for_processing"] == expected
    policy, _todo = from_fides(document)
    assert policy["purposes"]["purpose"]["basis"] == basis


@pytest.mark.parametrize(("condition", "expected"), CONDITIONS)
def test_special_condition_maps_to_fideslang(condition: str, expected: str) -> None:
    document = to_fides(_policy("special.health", special=condition))
    declaration = _declaration(document)
    assert declaration["special_category_legal_basis"] == expected
    assert declaration["processes_special_category_data"] is True
    policy, _todo = from_fides(document)
    assert policy["purposes"]["purpose"]["special"] == condition


def test_the_tables_cover_gdprkit_and_fideslang_one_to_one() -> None:
    assert dict(BASES) == dict(LEGAL_BASES)
    assert set(LEGAL_BASES) == {b.value for b in LegalBasis}
    assert set(LEGAL_BASES.values()) == {
        e.value for e in fideslang.models.LegalBasisForProcessingEnum
    }
    assert dict(CONDITIONS) == dict(SPECIAL_CONDITIONS)
    assert set(SPECIAL_CONDITIONS) == {c.value for c in SpecialCondition}
    assert set(SPECIAL_CONDITIONS.values()) == {
        e.value for e in fideslang.models.SpecialCategoryLegalBasisEnum
    }


@pytest.mark.parametrize(("category", "expected"), CATEGORIES)
def test_field_category_maps_to_fideslang(category: str, expected: list[str]) -> None:
    document = to_fides(_policy(category))
    (field,) = document["dataset"][0]["collections"][0]["fields"]
    assert field["data_categories"] == expected
    assert set(expected) <= DEFAULT["data_category"]


def test_every_builtin_category_has_a_row_and_every_target_is_in_the_default_taxonomy() -> None:
    # Only trade union membership has no fideslang data category (exported as `user`, listed).
    assert set(BUILTIN_CATEGORIES) - set(DATA_CATEGORIES) == {"special.trade_union"}
    for category in BUILTIN_CATEGORIES:
        document = to_fides(_policy(category))
        fields = document["dataset"][0]["collections"][0]["fields"]
        assert set(fields[0]["data_categories"]) <= DEFAULT["data_category"], category
    assert {v for v in DATA_CATEGORIES.values() if v} <= DEFAULT["data_category"]


@pytest.mark.parametrize(("category", "_expected"), CATEGORIES)
def test_an_exported_category_reads_back_without_the_extension(
    category: str, _expected: list[str]
) -> None:
    """Read from fideslang alone, a field's category maps onto the same data categories."""
    document = to_fides(_policy(category))
    del document["system"][0]["meta"]
    policy, _todo = from_fides(document)
    loaded = load_policy({**policy, "controller": _policy()["controller"]})
    again = to_fides(loaded)
    fields = again["dataset"][0]["collections"][0]["fields"]
    for key in fields[0]["data_categories"]:
        assert any(_under(key, e) for e in _expected), key
    if category not in fides._APPROXIMATE and len(_expected) == 1 and _expected != ["user"]:
        assert fields[0]["data_categories"] == _expected


def _under(key: str, ancestor: str) -> bool:
    """The fideslang data category ``key`` is ``ancestor`` or below it."""
    return key == ancestor or key.startswith(ancestor + ".")


# One row per purpose setting: the fideslang data use it gets.
USES = [
    ({"basis": "consent", "direct_marketing": True}, "newsletter", "marketing.communications"),
    ({"basis": "consent", "profiling": True}, "profiles", "marketing.advertising.profiling"),
    (
        {"basis": "consent", "profiling": True, "direct_marketing": True},
        "profiles",
        "marketing.advertising.profiling",
    ),
    (
        {"basis": "consent", "profiling": True, "direct_marketing": False},
        "profiles",
        "personalize.content.profiling",
    ),
    ({"basis": "legal_obligation"}, "records", "essential.legal_obligation"),
    ({"basis": "contract"}, "orders", "essential.service"),
    ({"basis": "legitimate_interests"}, "analytics", "analytics.reporting"),
    ({"basis": "legal_obligation"}, "accounting", "essential.legal_obligation"),
    ({"basis": "contract"}, "accounting", "finance"),
    ({"basis": "consent"}, "allergen_alerts", "essential.service.notifications"),
    ({"basis": "legitimate_interests"}, "fraud_checks", "essential.fraud_detection"),
    ({"basis": "legitimate_interests"}, "misc", "operations"),
]


@pytest.mark.parametrize(("settings_", "name", "use"), USES)
def test_purpose_maps_to_a_data_use(settings_: dict[str, Any], name: str, use: str) -> None:
    raw = _policy()
    raw["purposes"] = {name: {**settings_, "categories": ["contact.email"]}}
    document = to_fides(raw)
    assert _declaration(document)["data_use"] == use
    assert use in DEFAULT["data_use"]
    guessed = any(f"purpose {name!r}: data use" in note for note in _unmapped(document))
    assert guessed == (use in ("analytics.reporting", "essential.service.notifications",
                               "essential.fraud_detection", "operations", "finance"))  # fmt: skip


def test_data_uses_chooses_the_data_use() -> None:
    document = to_fides(_policy(), data_uses={"purpose": "marketing.communications.email"})
    assert _declaration(document)["data_use"] == "marketing.communications.email"
    with pytest.raises(ConfigurationError, match="unknown purpose 'nope'"):
        to_fides(_policy(), data_uses={"nope": "marketing"})
    with pytest.raises(ConfigurationError, match="not a fides_key"):
        to_fides(_policy(), data_uses={"purpose": "mark eting"})


# -- validated, nothing dropped ------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLE_POLICIES, ids=[p.parent.name for p in EXAMPLE_POLICIES])
def test_example_policies_export_validate_and_round_trip(path: Path) -> None:
    policy = load_policy(path)
    document = to_fides(policy)
    taxonomy = fideslang.Taxonomy.model_validate(document)
    assert [s.fides_key for s in taxonomy.system] == ["bottega_verdi_s_r_l"]
    # Every key the export uses is in fideslang's default taxonomy.
    for declaration in document["system"][0]["privacy_declarations"]:
        assert declaration["data_use"] in DEFAULT["data_use"]
        assert set(declaration["data_categories"]) <= DEFAULT["data_category"]
    mapping, todo = from_fides(document)
    loaded = load_policy(mapping)
    _same(policy, loaded)
    assert loaded == policy
    assert todo == []


def test_the_example_lists_what_has_no_fideslang_equivalent() -> None:
    document = to_fides(load_policy(ROOT / "examples" / "crm" / "policy.yaml"))
    notes = "\n".join(_unmapped(document))
    for expected in (
        "'transform' has no fideslang field",
        "'when' has no fideslang field",
        "'consent' has no fideslang field",
        "'sources' has no fideslang field",
        "'requires' has no fideslang field",
        "retention rules exported as text",
        "controller.contact/country/information_society_service",
        "'settings' has no fideslang field",
        "'subject' has no fideslang field",
        "purposes 'analytics', 'customer_offers': 'interest' has no fideslang field "
        "(kept in meta.gdprkit.policy)",
        "recipients 'IT and cloud hosting providers', 'E-mail and SMS delivery service': "
        "processors (Art. 28) are not third parties (Art. 4(10)) and fideslang has no field "
        "for them (kept in meta.gdprkit.policy)",
        "'transfers': fideslang holds that there are some and their safeguards "
        "(does_international_transfers, legal_basis_for_transfers); their countries and "
        "references are kept in meta.gdprkit.policy",
        "fields 'country': 'format'",
        "purpose 'analytics': data use 'analytics.reporting' chosen from its name",
    ):
        assert expected in notes
    # Every purpose declares its data subjects, and what fideslang holds is not listed.
    assert "no data subjects" not in notes
    for key in ("recipients", "transfers", "security", "data_subjects"):
        assert f"{key!r} has no fideslang field" not in notes


def test_the_example_documentation_keys_map_onto_fideslang_fields() -> None:
    """data_subjects, third-party recipients, transfers and security measures of the example
    CRM land in fideslang's own fields (design.md §5 keys, §17)."""
    document = to_fides(load_policy(ROOT / "examples" / "crm" / "policy.yaml"))
    system = document["system"][0]
    declarations = {d["name"]: d for d in system["privacy_declarations"]}
    assert {name: d["data_subjects"] for name, d in declarations.items()} == {
        "contract": ["customer"],
        "accounting": ["customer"],
        "newsletter": ["customer", "prospect"],
        "profiling": ["customer"],
        "allergen_alerts": ["customer"],
        "analytics": ["customer", "prospect"],  # customers, leads
        "customer_offers": ["customer"],
        "sms_offers": ["customer", "prospect"],
        "order_bookkeeping": ["customer"],
        "order_offers": ["customer"],
    }
    # Third parties (Art. 4(10)): the courier (a controller) and the tax authority; the
    # processors (hosting, e-mail delivery) are not third parties.
    assert {name: d.get("third_parties") for name, d in declarations.items()} == {
        "contract": "Couriers delivering orders (controller, IT)",
        "accounting": "Tax authorities (Agenzia delle Entrate) (authority, IT)",
        "newsletter": None,
        "profiling": None,
        "allergen_alerts": None,
        "analytics": None,
        "customer_offers": None,
        "sms_offers": None,
        "order_bookkeeping": None,
        "order_offers": None,
    }
    for name, declaration in declarations.items():
        shares = name in ("contract", "accounting")
        assert declaration.get("data_shared_with_third_parties", False) is shares, name
        assert declaration.get("shared_categories", []) == (
            declaration["data_categories"] if shares else []
        ), name
    assert system["does_international_transfers"] is True
    assert system["legal_basis_for_transfers"] == ["Adequacy Decision"]
    assert system["data_security_practices"].splitlines() == [
        "Keyed pseudonyms (tokens) in place of customer numbers, e-mail addresses and phone "
        "numbers for analytics and profiling",
        "Encryption of data in transit (TLS) and at rest",
        "Individual accounts with role-based access, and access logs",
        "Daily backups kept in the EU, with restores tested every quarter",
    ]
    # What fideslang holds is read back from fideslang alone (the meta removed).
    del system["meta"]
    mapping, todo = from_fides(document)
    assert mapping["purposes"]["newsletter"]["data_subjects"] == ["customer", "prospect"]
    assert sorted(mapping["recipients"], key=lambda r: r["name"]) == [
        {
            "name": "Couriers delivering orders",
            "role": "controller",
            "purposes": ["contract"],
            "country": "IT",
        },
        {
            "name": "Tax authorities (Agenzia delle Entrate)",
            "role": "authority",
            "purposes": ["accounting"],
            "country": "IT",
        },
    ]
    assert (
        tuple(mapping["security"])
        == load_policy(ROOT / "examples" / "crm" / "policy.yaml").security
    )
    assert "transfers" not in mapping
    assert (
        "the system transfers data outside the EEA in Fides (on 'Adequacy Decision'): record "
        "the transfers and their safeguards (Chapter V)"
    ) in todo
    assert (
        "recipients: read from the third parties of the privacy declarations in Fides: check "
        "them, and add the processors (Art. 28), which Fides does not list"
    ) in todo


# One row per transfer safeguard (Chapter V): fideslang's legal_basis_for_transfers, as the
# values Fides offers ("Adequacy Decision", "SCCs", "BCRs", "Supplementary Measures", "Other").
SAFEGUARDS = [
    ("adequacy", "Adequacy Decision"),  # Art. 45
    ("scc", "SCCs"),  # Art. 46(2)(c)
    ("bcr", "BCRs"),  # Art. 47
    ("derogation", "Other"),  # Art. 49: no closer value, listed
]


@pytest.mark.parametrize(("safeguard", "expected"), SAFEGUARDS)
def test_transfer_safeguard_maps_to_fideslang(safeguard: str, expected: str) -> None:
    raw = _policy()
    raw["transfers"] = [{"country": "US", "safeguard": safeguard, "reference": "ref"}]
    document = to_fides(raw)
    system = document["system"][0]
    assert system["does_international_transfers"] is True
    assert system["legal_basis_for_transfers"] == [expected]
    notes = _unmapped(document)
    assert any(n.startswith("'transfers': fideslang holds that there are some") for n in notes)
    assert (
        "'transfers': safeguard 'derogation' (Art. 49) exported as 'Other', the nearest value "
        "Fides offers" in notes
    ) == (safeguard == "derogation")
    mapping, todo = from_fides(document)
    assert mapping["transfers"] == raw["transfers"]
    assert todo == []


def test_the_safeguard_table_covers_every_safeguard() -> None:
    assert dict(SAFEGUARDS) == dict(TRANSFER_SAFEGUARDS)
    from gdprkit._policy import Transfer

    assert set(TRANSFER_SAFEGUARDS) == set(
        Transfer.model_json_schema()["properties"]["safeguard"]["enum"]
    )


# One row per recipient setting: which declarations share with it as a third party.
RECIPIENTS = [
    (
        {"name": "Couriers", "role": "controller"},
        {"a": "Couriers (controller)", "b": "Couriers (controller)"},
    ),
    (
        {"name": "Couriers", "role": "controller", "purposes": ["b"], "country": "FR"},
        {"b": "Couriers (controller, FR)"},
    ),
    ({"name": "Police", "role": "authority", "purposes": ["a"]}, {"a": "Police (authority)"}),
    ({"name": "Hosting", "role": "processor"}, {}),  # a processor is not a third party
]  # fmt: skip


@pytest.mark.parametrize(("recipient", "expected"), RECIPIENTS)
def test_third_party_recipients_are_the_declarations_third_party_sharing(
    recipient: dict[str, Any], expected: dict[str, str]
) -> None:
    raw = _policy()
    raw["purposes"] = {
        "a": {"basis": "contract", "categories": ["contact.email"]},
        "b": {"basis": "consent", "categories": ["identity.name"]},
    }
    raw["fields"] = {"email": "contact.email", "name": "identity.name"}
    raw["recipients"] = [recipient]
    document = to_fides(raw)
    declarations = {d["name"]: d for d in document["system"][0]["privacy_declarations"]}
    for name, declaration in declarations.items():
        assert declaration.get("third_parties") == expected.get(name), name
        assert declaration["data_shared_with_third_parties"] is (name in expected), name
        if name in expected:
            assert declaration["shared_categories"] == declaration["data_categories"]
    processor_note = any("processors (Art. 28)" in n for n in _unmapped(document))
    assert processor_note == (recipient["role"] == "processor")
    mapping, todo = from_fides(document)
    assert mapping["recipients"] == [recipient]
    assert todo == []
    del document["system"][0]["meta"]
    mapping, _todo = from_fides(document)
    if recipient["role"] == "processor":
        assert "recipients" not in mapping
    else:
        back = {k: v for k, v in recipient.items() if k != "purposes" or v != ["a", "b"]}
        assert mapping["recipients"] == [back]


@pytest.mark.parametrize(
    ("declared", "when", "subjects"),
    [
        (["customers"], None, ["customer"]),
        (["Leads", "customers", "leads"], None, ["prospect", "customer"]),
        (["employees"], ["customer"], ["employee"]),  # declared subjects win over `when`
        ([], ["customer"], []),  # declared none: none, not the inferred ones
        (["supplier_vendor", "job applicants"], None, ["supplier_vendor", "job_applicant"]),
        (["walk-in shoppers", "customers"], ["lead"], ["customer"]),  # one has no equivalent
    ],
)
def test_declared_data_subjects_are_the_declarations_data_subjects(
    declared: list[str], when: list[str] | None, subjects: list[str]
) -> None:
    raw = _policy()
    raw["fields"]["relationship"] = "meta"
    raw["subject"] = {"relationship": "relationship"}
    raw["purposes"]["purpose"]["data_subjects"] = declared
    if when is not None:
        raw["purposes"]["purpose"]["when"] = {"relationship": when}
    document = to_fides(raw)
    assert _declaration(document)["data_subjects"] == subjects
    assert set(subjects) <= DEFAULT["data_subject"]
    notes = _unmapped(document)
    if "walk-in shoppers" in declared:
        assert "purpose 'purpose': data subject 'walk-in shoppers' has no fideslang equivalent" in (
            notes
        )
    mapping, todo = from_fides(document)
    assert mapping["purposes"]["purpose"]["data_subjects"] == declared  # as written
    assert todo == []
    del document["system"][0]["meta"]
    mapping, todo = from_fides(document)
    assert mapping["purposes"]["purpose"].get("data_subjects") == (subjects or None)
    assert not any("data subjects" in item for item in todo)


@pytest.mark.parametrize(
    ("when", "subjects"),
    [
        (None, []),
        (["customer"], ["customer"]),
        (["customer", "lead"], ["customer", "prospect"]),
        (["Leads"], ["prospect"]),
        (["walk_in"], []),  # no fideslang data subject: listed
    ],
)
def test_data_subjects_follow_the_relationships_a_purpose_admits(
    when: list[str] | None, subjects: list[str]
) -> None:
    raw = _policy()
    raw["fields"]["relationship"] = "meta"
    raw["subject"] = {"relationship": "relationship"}
    if when is not None:
        raw["purposes"]["purpose"]["when"] = {"relationship": when}
    document = to_fides(raw)
    assert _declaration(document)["data_subjects"] == subjects
    assert set(subjects) <= DEFAULT["data_subject"]
    notes = _unmapped(document)
    assert ("purposes 'purpose': no data subjects (Art. 30(1)(c)) in the policy: their privacy "
            "declarations list none" in notes) == (not subjects)  # fmt: skip
    if when == ["walk_in"]:
        assert "purpose 'purpose': data subject 'walk_in' has no fideslang equivalent" in notes
    assert from_fides(document)[1] == []


def test_a_category_without_equivalent_is_listed_not_dropped() -> None:
    raw = _policy("special.trade_union", special="not_for_profit")
    document = to_fides(raw)
    assert "category 'special.trade_union' has no fideslang equivalent: exported as 'user'" in (
        _unmapped(document)
    )
    assert _declaration(document)["data_categories"] == ["user"]
    raw = _policy("loyalty.points")
    raw["categories"] = {"loyalty.points": {"description": "Points"}}
    notes = _unmapped(to_fides(raw))
    assert "category 'loyalty.points' has no fideslang equivalent: exported as 'user'" in notes


def test_a_custom_special_category_is_declared_special_in_fides() -> None:
    raw = _policy("wellbeing.diet", special="explicit_consent")
    raw["categories"] = {"wellbeing.diet": {"special": True}}
    assert _declaration(to_fides(raw))["processes_special_category_data"] is True
    raw = _policy("special", special="explicit_consent")
    assert _declaration(to_fides(raw))["processes_special_category_data"] is True


def test_a_purpose_name_that_is_not_an_identifier_round_trips() -> None:
    raw = _policy()
    raw["purposes"] = {"Orders & delivery": {"basis": "contract", "categories": ["contact"]}}
    mapping, todo = from_fides(to_fides(raw))
    assert list(mapping["purposes"]) == ["Orders & delivery"]
    assert todo == []
    document = to_fides(raw)
    del document["system"][0]["meta"]
    mapping, todo = from_fides(document)
    assert list(mapping["purposes"]) == ["orders_delivery"]
    assert mapping["purposes"]["orders_delivery"]["description"] == "Orders & delivery"
    assert "privacy declaration 'Orders & delivery' read as purpose 'orders_delivery'" in todo


def test_export_refuses_a_bad_key() -> None:
    with pytest.raises(ConfigurationError, match="fides_key"):
        to_fides(_policy(), key="no spaces")
    document = to_fides(_policy(), key="crm")
    assert document["dataset"][0]["fides_key"] == "crm_records"


# -- round trip ----------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documented_policy_documents())
def test_round_trip_keeps_purposes_bases_and_categories(raw: dict[str, Any]) -> None:
    policy = load_policy(raw)
    document = to_fides(policy)
    fideslang.Taxonomy.model_validate(document)
    mapping, todo = from_fides(document)
    loaded = load_policy(mapping)
    _same(policy, loaded)
    assert loaded == policy
    assert todo == []


def _third_party_pairs(policy: Any) -> set[tuple[str, str, str | None, str]]:
    """(name, role, country, purpose) of each third-party recipient of the policy."""
    return {
        (r.name, r.role, r.country, purpose)
        for r in policy.recipients or ()
        if r.role != "processor"
        for purpose in (r.purposes if r.purposes is not None else policy.purposes)
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documented_policy_documents())
def test_round_trip_through_fideslang_alone_keeps_purposes_and_bases(raw: dict[str, Any]) -> None:
    """Without the gdprkit extension (a Fides server that kept only fideslang's fields), the
    purposes, bases and Art. 9(2) conditions come back, every field maps onto the same
    fideslang categories, and so do what fideslang holds of the documentation keys: data
    subjects, third-party recipients, security measures; transfers are a to-do item."""
    policy = load_policy(raw)
    document = to_fides(policy)
    del document["system"][0]["meta"]
    mapping, todo = from_fides(document)
    assert any(item.startswith("controller.country") for item in todo)
    mapping["controller"] = raw["controller"]
    loaded = load_policy(mapping)
    assert set(loaded.purposes) == set(policy.purposes)
    for name, purpose in policy.purposes.items():
        assert loaded.purposes[name].basis == purpose.basis
        assert loaded.purposes[name].special == purpose.special
        if purpose.direct_marketing:
            assert loaded.purposes[name].direct_marketing
        if purpose.profiling:
            assert loaded.purposes[name].profiling
    exported = {f["name"]: set(f["data_categories"]) for f in _fields(document)}
    again = {f["name"]: set(f["data_categories"]) for f in _fields(to_fides(loaded))}
    for field, categories in exported.items():
        # As fine as fideslang says, or finer (user.government_id is read as a national id).
        for key in again[field]:
            assert any(_under(key, c) for c in categories), field
    subjects = {
        d["name"]: d["data_subjects"] for d in document["system"][0]["privacy_declarations"]
    }
    for name, purpose in loaded.purposes.items():
        assert list(purpose.data_subjects or ()) == subjects[name], name
    assert _third_party_pairs(loaded) == _third_party_pairs(policy)
    assert loaded.security == (policy.security or None)
    assert loaded.transfers is None
    assert any(item.startswith("the system transfers data outside") for item in todo) == bool(
        policy.transfers
    )


def _fields(document: dict[str, Any]) -> list[dict[str, Any]]:
    fields: list[dict[str, Any]] = document["dataset"][0]["collections"][0]["fields"]
    return fields


def test_fides_wins_where_the_document_was_edited() -> None:
    """A legal basis, a data use or a field's data category changed in Fides is read from
    Fides; the extension refines only what still agrees with the document."""
    policy = load_policy(ROOT / "examples" / "crm" / "policy.yaml")
    document = to_fides(policy)
    for declaration in document["system"][0]["privacy_declarations"]:
        if declaration["name"] == "analytics":
            declaration["legal_basis_for_processing"] = "Consent"
            declaration["data_use"] = "marketing.advertising.first_party.targeted"
    for field in _fields(document):
        if field["name"] == "phone":
            field["data_categories"] = ["user.health_and_medical"]
    mapping, todo = from_fides(document)
    loaded = load_policy(mapping)
    assert loaded.purposes["analytics"].basis == "consent"
    assert loaded.purposes["analytics"].direct_marketing is True
    assert loaded.fields["phone"].category == "special.health"
    assert "field 'phone': its data categories changed in Fides; read as 'special.health'" in todo
    # a purpose that required the field under its old category no longer can: a to-do, and the
    # draft still loads (fail closed would be a policy no one can load)
    assert any("requires field 'phone'" in item for item in todo)
    assert any("purpose 'analytics': its data use changed in Fides" in item for item in todo)


def _example_declarations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in document["system"][0]["privacy_declarations"]}


def test_documentation_keys_edited_in_fides_are_read_from_fides() -> None:
    """Data subjects, third parties and security measures changed in Fides win over the
    export's, each with a to-do item; the processors (which Fides does not hold) are kept."""
    policy = load_policy(ROOT / "examples" / "crm" / "policy.yaml")
    document = to_fides(policy)
    declarations = _example_declarations(document)
    declarations["newsletter"]["data_subjects"] = ["customer"]
    declarations["profiling"]["data_subjects"] = []
    declarations["analytics"].update(
        data_shared_with_third_parties=True,
        third_parties="Market research institute (controller, CH)",
    )
    declarations["accounting"].update(data_shared_with_third_parties=False)
    document["system"][0]["data_security_practices"] = "Encryption at rest\n\nAccess logs\n"
    mapping, todo = from_fides(document)
    loaded = load_policy(mapping)
    assert loaded.purposes["newsletter"].data_subjects == ("customer",)
    assert loaded.purposes["profiling"].data_subjects is None
    assert loaded.purposes["contract"].data_subjects == ("customers",)  # unchanged: as written
    assert [(r.name, r.role, r.purposes, r.country) for r in loaded.recipients or ()] == [
        ("IT and cloud hosting providers", "processor", None, "IE"),
        ("E-mail and SMS delivery service", "processor", ("newsletter", "allergen_alerts"), "US"),
        ("Market research institute", "controller", ("analytics",), "CH"),
        ("Couriers delivering orders", "controller", ("contract",), "IT"),
    ]
    assert loaded.security == ("Encryption at rest", "Access logs")
    assert loaded.transfers == policy.transfers
    for expected in (
        "purpose 'newsletter': its data subjects changed in Fides; read from them",
        "purpose 'profiling': its data subjects were removed in Fides: none declared (Art. "
        "30(1)(c)); name them",
        "recipients: the third parties of the privacy declarations changed in Fides; read from "
        "them (processors kept from the export): check them",
        "security: the data_security_practices changed in Fides; read from them, one measure a "
        "line: check them (Art. 32)",
    ):
        assert expected in todo
    assert len(todo) == 4


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"does_international_transfers": False},
            "transfers: Fides says the system makes no international transfers; the export's "
            "transfers (to 'US') are kept: record the transfers and their safeguards (Chapter V)",
        ),
        (
            {"legal_basis_for_transfers": ["SCCs"]},
            "transfers: Fides says the system transfers data outside the EEA (on 'SCCs'); the "
            "export's transfers (to 'US') are kept: record the transfers and their safeguards "
            "(Chapter V)",
        ),
        (
            {"data_security_practices": None},
            "security: no data_security_practices in Fides any more; the export's measures are "
            "kept: check them (Art. 32)",
        ),
    ],
)
def test_what_fides_cannot_restate_is_kept_with_a_todo(
    change: dict[str, Any], expected: str
) -> None:
    """A transfer needs its country, which Fides does not hold, and an emptied security field
    is not a statement that there are no measures: the export's are kept, and checked."""
    policy = load_policy(ROOT / "examples" / "crm" / "policy.yaml")
    document = to_fides(policy)
    document["system"][0].update(change)
    mapping, todo = from_fides(document)
    loaded = load_policy(mapping)
    assert loaded.transfers == policy.transfers
    assert loaded.security == policy.security
    assert todo == [expected]


def test_a_recipient_of_a_purpose_removed_in_fides_is_pruned() -> None:
    policy = load_policy(ROOT / "examples" / "crm" / "policy.yaml")
    document = to_fides(policy)
    system = document["system"][0]
    system["privacy_declarations"] = [
        d for d in system["privacy_declarations"] if d["name"] not in ("newsletter", "accounting")
    ]
    mapping, todo = from_fides(document)
    loaded = load_policy(mapping)
    assert [(r.name, r.purposes) for r in loaded.recipients or ()] == [
        ("IT and cloud hosting providers", None),
        ("E-mail and SMS delivery service", ("allergen_alerts",)),
        ("Couriers delivering orders", ("contract",)),
    ]
    assert "recipient 'E-mail and SMS delivery service': purposes not in Fides removed" in todo
    assert (
        "recipient 'Tax authorities (Agenzia delle Entrate)': purposes not in Fides removed; it "
        "receives nothing now: removed"
    ) in todo


def test_third_parties_written_by_hand_are_a_todo() -> None:
    document = yaml.safe_load(FIDESLANG_MODEL_TEST_EXAMPLE)
    declaration = document["system"][0]["privacy_declarations"][0]
    declaration.update(data_shared_with_third_parties=True, third_parties="ad networks")
    mapping, todo = from_fides(document)
    assert "recipients" not in mapping
    assert (
        "purpose 'declaration-name': shares data with third parties in Fides: record the "
        "recipients (Art. 13(1)(e), Art. 30(1)(d))"
    ) in todo
    declaration["third_parties"] = "Ad network (controller, US); Analytics Ltd (processor)"
    mapping, todo = from_fides(document)
    assert mapping["recipients"] == [
        {"name": "Ad network", "role": "controller", "country": "US"},
        {"name": "Analytics Ltd", "role": "processor"},
    ]
    assert not any("shares data with third parties" in item for item in todo)


def test_a_field_removed_in_fides_is_pruned_with_a_todo() -> None:
    policy = load_policy(ROOT / "examples" / "crm" / "policy.yaml")
    document = to_fides(policy)
    collection = document["dataset"][0]["collections"][0]
    collection["fields"] = [f for f in collection["fields"] if f["name"] != "email"]
    mapping, todo = from_fides(document)
    loaded = load_policy(mapping)
    assert "email" not in loaded.fields
    assert "field 'email' of the export is no longer in the Fides dataset: left out" in todo
    assert "email" not in loaded.purposes["newsletter"].requires
    assert "purpose 'newsletter': 'requires' named fields not in the Fides dataset: removed" in todo


# -- import of hand-written documents ---------------------------------------------------------

# The system and dataset examples of fideslang's documentation (ethyca/fideslang,
# mkdocs/docs/resources/system.md and dataset.md at commit 40394c46599745a6b8f14d069889fddfa2651409,
# CC BY 4.0), as one manifest. Their data use `improve.system` predates today's default taxonomy.
FIDESLANG_DOCS_EXAMPLE = """
system:
  - fides_key: demo_analytics_system
    name: Demo Analytics System
    description: A system used for analyzing customer behaviour.
    system_type: Service
    administrating_department: Engineering
    egress:
      - fides_key: another_demo_system
        type: system
        data_categories:
          - user.contact
    ingress:
      - fides_key: yet_another_demo_system
        type: system
        data_categories:
          - user.device.cookie_id
    privacy_declarations:
      - name: Analyze customer behaviour for improvements.
        data_categories:
          - user.contact
          - user.device.cookie_id
        data_use: improve.system
        data_subjects:
          - customer
        egress:
          - another_demo_system
        ingress:
          - yet_another_demo_system
dataset:
  - fides_key: demo_users_dataset
    name: Demo Users Dataset
    description: Data collected about users for our analytics system.
    collections:
      - name: users
        description: User information
        data_categories:
          - user
        fields:
          - name: first_name
            description: User's first name
            data_categories:
              - user.name
          - name: email
            description: User's Email
            data_categories:
              - user.contact.email
          - name: phone
            description: User's phone numbers
            data_categories:
              - user.contact.phone_number
            fields:
              - name: mobile
                description: User's mobile phone number
                data_categories:
                  - user.contact.phone_number
              - name: home
                description: User's home phone number
                data_categories:
                  - user.contact.phone_number
"""

# A privacy declaration with the GDPR fields, after the System of fideslang's own model tests
# (ethyca/fideslang, tests/fideslang/test_models.py, test_system_valid, same commit).
FIDESLANG_MODEL_TEST_EXAMPLE = """
system:
  - fides_key: test_system
    name: Exponential Interactive
    system_type: SYSTEM
    legal_name: Exponential Interactive, Inc d/b/a VDX.tv
    dpo: privacyofficertest@vdx.tv
    privacy_declarations:
      - name: declaration-name
        data_categories:
          - user.device.ip_address
          - user.device.cookie_id
          - user.behavior.purchase_history
          - user.location.imprecise
          - user.privacy_preferences
          - user.sensor
        data_use: functional.storage
        data_subjects: []
        legal_basis_for_processing: Legitimate interests
        retention_period: 3-5 years
        processes_special_category_data: true
        special_category_legal_basis: Reasons of substantial public interest (with a basis in law)
dataset: []
"""


def test_import_of_the_fideslang_docs_example_gives_a_draft_and_a_todo_list() -> None:
    mapping, todo = from_fides(yaml.safe_load(FIDESLANG_DOCS_EXAMPLE))
    purpose = mapping["purposes"]["analyze_customer_behaviour_for_improvements"]
    assert purpose["basis"] == "consent"  # the fail-closed placeholder
    assert purpose["description"] == "Analyze customer behaviour for improvements."
    assert set(purpose["categories"]) >= {"contact", "online.cookie_id", "contact.email"}
    assert mapping["fields"] == {
        "email": {"category": "contact.email", "description": "User's Email"},
        "first_name": {"category": "identity.name", "description": "User's first name"},
        "phone": {"category": "contact.phone", "description": "User's phone numbers"},
        "phone.home": {"category": "contact.phone", "description": "User's home phone number"},
        "phone.mobile": {"category": "contact.phone", "description": "User's mobile phone number"},
    }
    where = "purpose 'analyze_customer_behaviour_for_improvements'"
    for expected in (
        f"{where}: data use 'improve.system' is not in fideslang's default taxonomy",
        f"{where}: no legal basis in Fides; 'consent' put as a placeholder (nothing passes "
        "without recorded consent): choose the basis (Art. 6(1))",
        "field 'phone.mobile': a nested field, read as a field of its own",
        "controller.country: fill in the controller's country (ISO 3166-1 alpha-2)",
        "controller.contact: fill in the controller's privacy contact",
        "subject.id: name the field that identifies the person (and the other roles)",
    ):
        assert expected in todo
    assert purpose["data_subjects"] == ["customer"]
    assert not any("data subjects" in item for item in todo)
    # Not loadable until a person fills in the controller; then it loads.
    with pytest.raises(Exception, match="controller"):
        load_policy(mapping)
    mapping["controller"].update(country="US", contact="privacy@example.com")
    policy = load_policy(mapping)
    assert policy.controller.name == "Demo Analytics System"


def test_import_of_a_declaration_with_gdpr_fields() -> None:
    mapping, todo = from_fides(yaml.safe_load(FIDESLANG_MODEL_TEST_EXAMPLE))
    purpose = mapping["purposes"]["declaration-name"]
    assert purpose["basis"] == "legitimate_interests"
    assert purpose["special"] == "substantial_public_interest"
    assert purpose["categories"] == [
        "online.ip_address",
        "online.cookie_id",
        "commercial.purchase_history",
        "online.location",
        "meta",
        "fides.user.sensor",
    ]
    assert mapping["categories"] == {
        "fides.user.sensor": {
            "description": "fideslang data category 'user.sensor' (no gdprkit equivalent)"
        }
    }
    assert mapping["controller"] == {
        "name": "Exponential Interactive, Inc d/b/a VDX.tv",
        "dpo": "privacyofficertest@vdx.tv",
    }
    assert (
        "data category 'user.sensor' has no gdprkit equivalent: declared as the custom "
        "category 'fides.user.sensor'; replace it with a gdprkit category"
    ) in todo
    assert any("retention in Fides is text ('3-5 years')" in item for item in todo)
    assert any("'user.location.imprecise' read as 'online.location'" in item for item in todo)
    mapping["controller"].update(country="ES", contact="privacy@example.com")
    mapping["fields"] = {"ip": "online.ip_address"}
    load_policy(mapping)


def test_what_a_policy_cannot_hold_yet_is_a_todo() -> None:
    """Third parties, transfers and Art. 22 profiling of a Fides system are to-do items."""
    document = yaml.safe_load(FIDESLANG_MODEL_TEST_EXAMPLE)
    system = document["system"][0]
    system.update(
        does_international_transfers=True,
        legal_basis_for_transfers=["SCCs"],
        uses_profiling=True,
    )
    system["privacy_declarations"][0]["data_shared_with_third_parties"] = True
    _mapping, todo = from_fides(document)
    assert (
        "the system transfers data outside the EEA in Fides (on 'SCCs'): record the transfers "
        "and their safeguards (Chapter V)"
    ) in todo
    assert any(
        item.startswith("the system profiles with legal or similar effects") for item in todo
    )
    assert (
        "purpose 'declaration-name': shares data with third parties in Fides: record the "
        "recipients (Art. 13(1)(e), Art. 30(1)(d))"
    ) in todo


def test_a_field_without_data_category_is_left_out() -> None:
    document = yaml.safe_load(FIDESLANG_DOCS_EXAMPLE)
    collection = document["dataset"][0]["collections"][0]
    del collection["data_categories"]
    collection["fields"].append({"name": "food_preference", "data_categories": []})
    mapping, todo = from_fides(document)
    assert "food_preference" not in mapping["fields"]
    assert any(item.startswith("field 'food_preference' has no data category") for item in todo)


def test_a_field_with_several_categories_keeps_the_most_protective() -> None:
    document = yaml.safe_load(FIDESLANG_DOCS_EXAMPLE)
    fields = document["dataset"][0]["collections"][0]["fields"]
    fields.append(
        {"name": "notes", "data_categories": ["user.content.private", "user.health_and_medical"]}
    )
    mapping, todo = from_fides(document)
    assert mapping["fields"]["notes"] == "special.health"
    assert any("field 'notes' has data categories" in item for item in todo)


# -- errors ----------------------------------------------------------------------------------


def test_an_invalid_document_is_refused_without_its_values() -> None:
    document = yaml.safe_load(FIDESLANG_DOCS_EXAMPLE)
    document["system"][0]["privacy_declarations"][0]["data_use"] = "SECRET VALUE!"
    with pytest.raises(ConfigurationError) as caught:
        from_fides(document)
    assert "does not validate with fideslang" in str(caught.value)
    assert "privacy_declarations" in str(caught.value)
    assert "SECRET" not in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "a fides document is a mapping"),
        ({"systems": []}, "unknown resource types 'systems'"),
        ({"dataset": []}, "holds no system"),
    ],
)
def test_documents_that_are_not_one_system(document: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        from_fides(document)


def test_several_systems_need_a_choice() -> None:
    one = to_fides(_policy(), key="one")
    two = to_fides(_policy(), key="two")
    document = {"system": one["system"] + two["system"], "dataset": one["dataset"] + two["dataset"]}
    with pytest.raises(ConfigurationError, match="2 systems"):
        from_fides(document)
    _mapping, todo = from_fides(document, system="two")
    assert todo == []
    with pytest.raises(ConfigurationError, match="no system 'three'"):
        from_fides(document, system="three")


def test_the_input_document_is_not_modified() -> None:
    document = to_fides(_policy())
    before = copy.deepcopy(document)
    from_fides(document)
    assert document == before


def test_import_gdprkit_does_not_import_fideslang() -> None:
    code = (
        "import sys, gdprkit, gdprkit.interop.fides; "
        "assert 'fideslang' not in sys.modules, 'imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_fideslang_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fideslang", None)  # what an uninstalled package gives
    with pytest.raises(ImportError, match=r"pip install 'gdprkit\[fides\]'"):
        to_fides(_policy())
    with pytest.raises(ImportError, match=r"gdprkit\[fides\]"):
        from_fides({"system": []})


def test_public_names() -> None:
    assert set(fides.__all__) == {
        "DATA_CATEGORIES", "EXTENSION", "LEGAL_BASES", "SPECIAL_CONDITIONS",
        "TRANSFER_SAFEGUARDS", "from_fides", "to_fides",
    }  # fmt: skip
