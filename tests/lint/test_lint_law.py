"""The linter codes of design §16 that rest on the law (issue 10): one table per code, each row
a purpose as a policy may write it, with the article, and the findings it gives (an empty set
is a non-finding: the purpose is lawful as written)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdprkit import load_policy
from gdprkit._lint import lint
from gdprkit.cli import main

NEW_CODES = frozenset(
    {
        "marketing.electronic_without_consent",
        "marketing.phone_without_consent",
        "marketing.soft_opt_in_scope",
        "basis.contract_for_marketing",
        "basis.interest_undeclared",
        "retention.moving_anchor",
        "dpia.likely",
        "free_text.in_purpose",
    }
)
ERRORS = frozenset(
    {
        "marketing.electronic_without_consent",
        "marketing.soft_opt_in_scope",
        "basis.contract_for_marketing",
    }
)
#: What the message of each code cites (design §16, "rests on").
ARTICLES = {
    "marketing.electronic_without_consent": ("Dir. 2002/58/EC art. 13(1)", "art. 130(1)-(2)"),
    "marketing.phone_without_consent": ("art. 130(1)-(3-bis)", "Registro pubblico"),
    "marketing.soft_opt_in_scope": ("art. 130(4)",),
    "basis.contract_for_marketing": ("Art. 6(1)(b)", "EDPB Guidelines 2/2019"),
    "basis.interest_undeclared": ("Art. 13(1)(d)",),
    "retention.moving_anchor": ("Art. 5(1)(e)", "Garante, 24 February 2005"),
    "dpia.likely": ("Art. 35(3)",),
    "free_text.in_purpose": ("Art. 5(1)(c)", "Art. 9(1)"),
}

LI = {"basis": "legitimate_interests", "interest": "Offers on products like those bought"}
DM = {**LI, "direct_marketing": True}
SOFT = {**DM, "soft_opt_in": True, "when": {"relationship": ["customer"]}}
KEEP = [{"period": "P24M", "from": "consent_at"}]


def policy(purpose: dict[str, Any], *, country: str = "IT", relationship: bool = True) -> Any:
    subject: dict[str, str] = {"id": "customer_id", "source": "source"}
    if relationship:
        subject["relationship"] = "relationship"
    return load_policy(
        {
            "version": 1,
            "controller": {"name": "Bottega", "country": country, "contact": "privacy@b.it"},
            "subject": subject,
            "fields": {
                "customer_id": "identity.customer_id",
                "name": "identity.name",
                "email": "contact.email",
                "phone": "contact.phone",
                "address": "contact.address",
                "source": "meta",
                "relationship": "meta",
                "consent_at": "meta",
                "last_purchase_at": "commercial.purchase_history",
                "ordered_at": "commercial.orders",
                "order_total": "commercial.orders",
                "notes": "free_text",
                "allergies": "special.health",
                "convictions": "criminal.convictions",
            },
            "purposes": {"p": {"retention": KEEP, **purpose}},
        }
    )


def found(purpose: dict[str, Any], **kwargs: Any) -> set[tuple[str, str]]:
    """The new-code findings of purpose ``p``: (code, location below ``purposes.p``)."""
    return {
        (f.code, f.location.removeprefix("purposes.p"))
        for f in lint(policy(purpose, **kwargs))
        if f.code in NEW_CODES
    }


def case(purpose: dict[str, Any], expected: set[tuple[str, str]], why: str) -> Any:
    return pytest.param(purpose, expected, id=why)


EMAIL = ["identity.name", "contact.email"]
ELECTRONIC = ("marketing.electronic_without_consent", ".basis")
PHONE = ("marketing.phone_without_consent", ".basis")


@pytest.mark.parametrize(
    ("purpose", "expected"),
    [
        # Dir. 2002/58/EC art. 13(1); Codice privacy art. 130(1)-(2): e-mail marketing needs consent
        case({**DM, "categories": EMAIL}, {ELECTRONIC}, "e-mail on legitimate interests"),
        case({**DM, "categories": ["contact"]}, {ELECTRONIC, PHONE}, "all contacts on LI"),
        case(
            {**DM, "categories": ["contact.email", "contact.address"]},
            {ELECTRONIC},
            "paper mail is not electronic (art. 130(3-bis) opposition register)",
        ),
        case(
            {"basis": "consent", "direct_marketing": True, "categories": ["contact"]},
            set(),
            "consent: art. 130(1) satisfied",
        ),
        case({**SOFT, "categories": EMAIL}, set(), "soft opt-in, e-mail to customers (130(4))"),
        case({**LI, "categories": EMAIL}, set(), "not direct marketing (service e-mails)"),
        case(
            {**LI, "direct_marketing": False, "categories": EMAIL},
            set(),
            "direct_marketing: false",
        ),
        case(
            {"basis": "legal_obligation", "direct_marketing": True, "categories": EMAIL},
            {ELECTRONIC},
            "any basis but consent",
        ),
        # Codice privacy art. 130(1)-(3-bis): SMS, MMS, automated calls need consent
        case({**DM, "categories": ["contact.phone"]}, {PHONE}, "SMS on legitimate interests"),
        case(
            {"basis": "consent", "direct_marketing": True, "categories": ["contact.phone"]},
            set(),
            "SMS on consent",
        ),
        case({**DM, "categories": ["contact.address"]}, set(), "paper mail only"),
    ],
)
def test_marketing_by_e_mail_and_phone(purpose: dict[str, Any], expected: set[Any]) -> None:
    assert found(purpose) == expected


SCOPE_CATEGORIES = ("marketing.soft_opt_in_scope", ".categories")
SCOPE_WHEN = ("marketing.soft_opt_in_scope", ".when")


@pytest.mark.parametrize(
    ("purpose", "expected"),
    [
        # Codice privacy art. 130(4): e-mail given in a sale, to customers, nothing else
        case({**SOFT, "categories": EMAIL}, set(), "e-mail, customers only"),
        case({**SOFT, "categories": ["contact"]}, {SCOPE_CATEGORIES}, "every contact"),
        case({**SOFT, "categories": ["contact.phone"]}, {SCOPE_CATEGORIES}, "SMS"),
        case(
            {**SOFT, "categories": ["contact.email", "contact.social_account"]},
            {SCOPE_CATEGORIES},
            "social accounts",
        ),
        case(
            {**SOFT, "categories": ["contact.email", "identity.customer_id"]},
            set(),
            "identifiers are not contact data",
        ),
        case({**SOFT, "when": None, "categories": EMAIL}, {SCOPE_WHEN}, "no when: leads too"),
        case(
            {**SOFT, "when": {"source": ["store"]}, "categories": EMAIL},
            {SCOPE_WHEN},
            "when on another field",
        ),
        case(
            {**SOFT, "when": {"relationship": ["customer", "lead"]}, "categories": EMAIL},
            {SCOPE_WHEN},
            "customers and leads",
        ),
        case(
            {**SOFT, "when": {"relationship": ["Prospect"]}, "categories": EMAIL},
            {SCOPE_WHEN},
            "prospects",
        ),
        case(
            {**SOFT, "when": {"relationship": ["cliente"]}, "categories": EMAIL},
            set(),
            "customers in Italian",
        ),
        case(
            {**SOFT, "when": None, "categories": ["contact.phone"]},
            {SCOPE_WHEN, SCOPE_CATEGORIES},
            "both wrong",
        ),
    ],
)
def test_soft_opt_in_scope(purpose: dict[str, Any], expected: set[Any]) -> None:
    purpose = {k: v for k, v in purpose.items() if v is not None}
    assert found(purpose) == expected


def test_soft_opt_in_without_a_relationship_field_is_out_of_scope() -> None:
    # Codice privacy art. 130(4): without subject.relationship no `when` can say "customers"
    assert found({**SOFT, "when": {"source": ["store"]}, "categories": EMAIL}, relationship=False)
    assert SCOPE_WHEN in found(
        {**SOFT, "when": {"source": ["store"]}, "categories": EMAIL}, relationship=False
    )


CONTRACT = ("basis.contract_for_marketing", ".basis")


@pytest.mark.parametrize(
    ("purpose", "expected"),
    [
        # Art. 6(1)(b), EDPB Guidelines 2/2019: a contract is no basis for marketing or profiling
        case(
            {"basis": "contract", "direct_marketing": True, "categories": ["contact.address"]},
            {CONTRACT},
            "marketing by post on contract",
        ),
        case(
            {"basis": "contract", "direct_marketing": True, "categories": EMAIL},
            {CONTRACT, ELECTRONIC},
            "e-mail marketing on contract",
        ),
        case(
            {"basis": "contract", "profiling": True, "categories": ["commercial.orders"]},
            {CONTRACT, ("dpia.likely", ".profiling")},
            "profiling on contract",
        ),
        case(
            {"basis": "contract", "categories": ["identity", "contact", "commercial"]},
            set(),
            "the contract itself (a quote a prospect asked for included)",
        ),
        case(
            {"basis": "consent", "profiling": True, "categories": ["commercial.orders"]},
            {("dpia.likely", ".profiling")},
            "profiling on consent",
        ),
    ],
)
def test_contract_for_marketing(purpose: dict[str, Any], expected: set[Any]) -> None:
    assert found(purpose) == expected


INTEREST = ("basis.interest_undeclared", ".interest")


@pytest.mark.parametrize(
    ("purpose", "expected"),
    [
        # Art. 13(1)(d): the notice names the legitimate interests pursued
        case({"basis": "legitimate_interests", "categories": ["meta"]}, {INTEREST}, "no interest"),
        case(
            {"basis": "legitimate_interests", "interest": "  ", "categories": ["meta"]},
            {INTEREST},
            "a blank interest",
        ),
        case({**LI, "categories": ["meta"]}, set(), "interest named"),
        case({"basis": "consent", "categories": ["meta"]}, set(), "consent needs none"),
    ],
)
def test_interest_undeclared(purpose: dict[str, Any], expected: set[Any]) -> None:
    assert found(purpose) == expected


def moving(i: int) -> tuple[str, str]:
    return ("retention.moving_anchor", f".retention.{i}.from")


ON_LAST = {"period": "P24M", "from": "last_purchase_at"}
ON_ORDER = {"period": "P24M", "from": "ordered_at"}
CONSENT_DM = {"basis": "consent", "direct_marketing": True}


@pytest.mark.parametrize(
    ("purpose", "country", "expected"),
    [
        # Garante 24 Feb 2005 (each purchase detail ages from its recording); Art. 5(1)(e)
        (
            {
                **CONSENT_DM,
                "categories": ["commercial.purchase_history"],
                "retention": [{**ON_LAST, "categories": ["commercial.purchase_history"]}],
            },
            "IT",
            {moving(0)},
        ),
        (
            {
                **CONSENT_DM,
                "categories": ["commercial"],
                "retention": [{**ON_LAST, "categories": ["commercial"]}],
            },
            "IT",
            {moving(0)},
        ),
        (
            {
                **CONSENT_DM,
                "categories": ["commercial.orders"],
                "retention": [{**ON_ORDER, "categories": ["commercial.orders"]}],
            },
            "IT",
            set(),
        ),
        (  # a record-level rule caps purchase details in a capped purpose (design §5)
            {**CONSENT_DM, "categories": ["commercial.orders"], "retention": [ON_LAST]},
            "IT",
            {moving(0)},
        ),
        (  # ... but not where no cap binds: a contract keeps its records from the last entry
            {"basis": "contract", "categories": ["commercial"], "retention": [ON_LAST]},
            "IT",
            set(),
        ),
        (
            {**CONSENT_DM, "categories": ["commercial.orders"], "retention": [ON_LAST]},
            "DE",
            set(),
        ),
        (  # a rule naming purchase details says what it keeps, capped or not
            {
                **LI,
                "categories": ["commercial.orders"],
                "retention": [KEEP[0], {**ON_LAST, "categories": ["commercial.orders"]}],
            },
            "DE",
            {moving(1)},
        ),
        (  # the anchor of other data is no concern of this code
            {
                **CONSENT_DM,
                "categories": ["contact.address"],
                "retention": [{**ON_LAST, "categories": ["contact.address"]}],
            },
            "IT",
            set(),
        ),
    ],
)
def test_moving_anchor(purpose: dict[str, Any], country: str, expected: set[Any]) -> None:
    assert found(purpose, country=country) == expected


DPIA_PROFILING = ("dpia.likely", ".profiling")
DPIA_SPECIAL = ("dpia.likely", ".categories")
HEALTH = {"basis": "consent", "special": "explicit_consent"}


@pytest.mark.parametrize(
    ("purpose", "expected"),
    [
        # Art. 35(3)(a): profiling; 35(3)(b): special or criminal data at the controller's scale
        case(
            {"basis": "consent", "profiling": True, "categories": ["meta"]}, {DPIA_PROFILING}, "p"
        ),
        case(
            {**HEALTH, "profiling": True, "categories": ["special.health"]},
            {DPIA_PROFILING},
            "profiling health data",
        ),
        case({**HEALTH, "categories": ["special.health"]}, {DPIA_SPECIAL}, "health, every source"),
        case(
            {**HEALTH, "categories": ["special"]},
            {DPIA_SPECIAL},
            "every special category",
        ),
        case(
            {**HEALTH, "categories": ["special.health"], "sources": ["store"]},
            set(),
            "health from the store's own form",
        ),
        case(
            {"basis": "consent", "criminal": "D.lgs. 231/2001", "categories": ["criminal"]},
            {DPIA_SPECIAL},
            "criminal data, every source",
        ),
        case({"basis": "consent", "categories": EMAIL}, set(), "neither"),
    ],
)
def test_dpia_likely(purpose: dict[str, Any], expected: set[Any]) -> None:
    assert found(purpose) == expected


FREE = ("free_text.in_purpose", ".categories")


@pytest.mark.parametrize(
    ("purpose", "expected"),
    [
        # Art. 5(1)(c) minimisation; Art. 9(1): notes may hold special-category data
        case({"basis": "consent", "categories": ["free_text"]}, {FREE}, "notes as they are"),
        case(
            {"basis": "consent", "categories": ["free_text"], "transform": {"notes": "drop"}},
            set(),
            "notes dropped",
        ),
        case(
            {"basis": "consent", "categories": ["free_text"], "transform": {"notes": "redact"}},
            set(),
            "notes redacted",
        ),
        case({"basis": "consent", "categories": ["identity", "contact"]}, set(), "no free text"),
    ],
)
def test_free_text_in_purpose(purpose: dict[str, Any], expected: set[Any]) -> None:
    assert found(purpose) == expected


@pytest.mark.parametrize(
    "purpose",
    [
        {**DM, "categories": ["contact"]},
        {**SOFT, "when": {"source": ["store"]}, "categories": ["contact"]},
        {"basis": "contract", "profiling": True, "categories": ["commercial.orders"]},
        {"basis": "legitimate_interests", "categories": ["free_text"]},
        {
            **CONSENT_DM,
            "categories": ["commercial.orders", "special.health"],
            "special": "explicit_consent",
            "retention": [ON_LAST],
        },
    ],
)
def test_severity_and_articles_as_design_16_says(purpose: dict[str, Any]) -> None:
    findings = [f for f in lint(policy(purpose)) if f.code in NEW_CODES]
    assert findings
    for finding in findings:
        assert finding.severity == ("error" if finding.code in ERRORS else "warning")
        for article in ARTICLES[finding.code]:
            assert article in finding.message, (finding.code, article)
        assert "Bottega" not in str(finding)


@pytest.mark.parametrize(
    "purpose",
    [
        {**DM, "categories": EMAIL},
        {**SOFT, "categories": ["contact.phone"]},
        {**SOFT, "when": {"source": ["store"]}, "categories": EMAIL},
        {"basis": "contract", "direct_marketing": True, "categories": ["contact.address"]},
        {"basis": "contract", "profiling": True, "categories": ["meta"]},
    ],
)
def test_check_exits_1_on_each_new_error(
    purpose: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = policy(purpose).model_dump(by_alias=True, exclude_none=True)
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(data), "utf-8")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert any(f"[{code}]" in out for code in ERRORS)


@pytest.mark.parametrize(
    "purpose",
    [
        {**DM, "categories": ["contact.phone"]},
        {"basis": "legitimate_interests", "categories": ["free_text"]},
        {"basis": "consent", "profiling": True, "categories": ["meta"]},
    ],
)
def test_check_exits_0_on_warnings_and_1_with_strict(
    purpose: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = policy(purpose).model_dump(by_alias=True, exclude_none=True)
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(data), "utf-8")
    assert main(["check", str(path)]) == 0
    assert main(["check", "--strict", str(path)]) == 1
    capsys.readouterr()


def test_the_example_crm_lints_without_errors(capsys: pytest.CaptureFixture[str]) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "crm" / "policy.yaml"
    assert main(["check", str(example)]) == 0
    assert "0 errors" in capsys.readouterr().out


def located(purpose: dict[str, Any], **kwargs: Any) -> set[tuple[str, str]]:
    return {
        (f.code, f.location.removeprefix("purposes.p")) for f in lint(policy(purpose, **kwargs))
    }


@pytest.mark.parametrize(
    ("retention", "expected", "absent"),
    [
        # design §5: a record-level rule in a capped purpose caps its purchase details (Garante
        # 24 Feb 2005: 24 months in marketing): no longer "always dropped"
        ([ON_ORDER], set(), {("retention.anchor_missing", ".retention")}),
        (
            [{**ON_ORDER, "period": "P10Y"}],
            {("retention.capped", ".retention.0.period")},
            {("retention.anchor_missing", ".retention")},
        ),
        ([], {("retention.anchor_missing", ".retention")}, set()),
        (
            [{**ON_ORDER, "categories": ["contact.email"]}],
            {("retention.anchor_missing", ".retention")},
            set(),
        ),
    ],
)
def test_record_level_rules_under_a_cap(
    retention: list[Any], expected: set[Any], absent: set[Any]
) -> None:
    purpose = {**CONSENT_DM, "categories": ["contact.email", "commercial.orders"]}
    got = located({**purpose, "retention": retention})
    assert expected <= got
    assert not absent & got
    for finding in lint(policy({**purpose, "retention": retention})):
        if finding.code == "retention.capped":
            assert "the rest of the record keeps this period" in finding.message


CATEGORY_CHOICES = [
    "contact",
    "contact.email",
    "contact.phone",
    "contact.address",
    "contact.social_account",
    "identity.name",
    "identity.customer_id",
    "commercial.orders",
]
WHEN_CHOICES: list[tuple[dict[str, list[str]] | None, bool]] = [
    (None, False),
    ({"relationship": ["customer"]}, True),
    ({"relationship": ["customer", "cliente"]}, True),
    ({"relationship": ["customer", "lead"]}, False),
    ({"relationship": ["prospect"]}, False),
    ({"source": ["store"]}, False),
]


@settings(max_examples=60, deadline=None)
@given(
    categories=st.lists(st.sampled_from(CATEGORY_CHOICES), min_size=1, max_size=4, unique=True),
    when=st.sampled_from(WHEN_CHOICES),
)
def test_soft_opt_in_scope_property(
    categories: list[str], when: tuple[dict[str, list[str]] | None, bool]
) -> None:
    """Codice privacy art. 130(4): a soft-opt-in purpose is in scope exactly when it covers no
    contact channel but e-mail and its `when` admits customers only; it is never reported as
    e-mail marketing without consent."""
    condition, customers_only = when
    purpose: dict[str, Any] = {**DM, "soft_opt_in": True, "categories": categories}
    if condition is not None:
        purpose["when"] = condition
    got = found(purpose)
    beyond_email = any(c.startswith("contact") and c != "contact.email" for c in categories)
    assert (SCOPE_CATEGORIES in got) == beyond_email
    assert (SCOPE_WHEN in got) == (not customers_only)
    assert ELECTRONIC not in got
    assert PHONE not in got
