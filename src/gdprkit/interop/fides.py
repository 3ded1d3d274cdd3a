"""Fides (fideslang) export and import: a policy as a Fides data map, and back.

:func:`to_fides` writes a policy as a fideslang manifest, ``{"system": [...], "dataset":
[...]}``: one ``system`` (the controller's processing) with one privacy declaration per purpose,
and one ``dataset`` whose ``records`` collection holds the policy's fields with their data
categories. Categories, legal bases (Art. 6(1)), Art. 9(2) conditions and purposes are mapped
onto fideslang's default taxonomy (data categories, legal bases, data uses); the tables are
:data:`DATA_CATEGORIES`, :data:`LEGAL_BASES` and :data:`SPECIAL_CONDITIONS`. The output is
validated with fideslang's own models before it is returned.

The policy's documentation keys go where fideslang has a field for them: a purpose's
``data_subjects`` are its declaration's data subjects (declared subjects win over those inferred
from ``when`` on the subject's relationship field); the recipients that are third parties
(Art. 4(10): other controllers and authorities) are the declaration's third-party sharing
(``data_shared_with_third_parties``, ``third_parties`` as text, ``shared_categories``); the
``transfers`` are the system's ``does_international_transfers`` and
``legal_basis_for_transfers``; the ``security`` measures its ``data_security_practices`` (one a
line). Processors, the transfers' countries and references, a purpose's ``interest`` and the
controller's ``representative`` have no fideslang field: they are listed.

Nothing is dropped silently. What fideslang cannot say (retention rules, transforms, ``when``,
consent columns, the controller's country, jurisdictions...) travels in the system's
``meta["gdprkit"]`` (fideslang's free-form ``meta``): ``policy`` is the policy as written,
``data_uses`` the data use chosen for each purpose, and ``unmapped`` lists, in words, every
part of the policy with no fideslang equivalent or mapped onto a coarser one.

:func:`from_fides` reads a manifest back into a policy mapping for :func:`gdprkit.load_policy`
and a to-do list of what a person must still decide. What the Fides document says wins: legal
bases, Art. 9(2) conditions, data uses, the fields and their data categories are read from it.
The ``meta["gdprkit"]`` of an export refines them only where it still agrees with the document
(a field's gdprkit category is kept when it maps onto the field's data categories as they stand)
and adds what Fides cannot hold. A document written by hand (or edited in Fides) gives a draft
that fails closed: a declaration without a legal basis gets ``consent`` (nothing passes without
recorded consent), a field without a data category is left out of the policy (records carrying
it have it dropped), a data category with no gdprkit equivalent becomes a custom category
``fides.<key>`` that only the purposes declaring it reach; each such choice is a to-do item.

fideslang is an optional dependency (``pip install 'gdprkit[fides]'``), imported only when one
of these functions runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

from gdprkit._errors import ConfigurationError
from gdprkit._policy import Policy, Purpose, load_policy
from gdprkit._taxonomy import BUILTIN_CATEGORIES, Catalogue, covers

__all__ = [
    "DATA_CATEGORIES",
    "EXTENSION",
    "LEGAL_BASES",
    "SPECIAL_CONDITIONS",
    "TRANSFER_SAFEGUARDS",
    "from_fides",
    "to_fides",
]

#: The key of the system's ``meta`` holding what fideslang cannot say.
EXTENSION: Final = "gdprkit"
_FORMAT: Final = 1
_COLLECTION: Final = "records"

#: gdprkit category → fideslang data category. ``None``: the category has no single
#: equivalent and stands for the union of its children's (a root such as ``identity``).
#: Categories absent here (``commercial.contracts``...) have none at all: they are exported as
#: the whole ``user`` category and listed as unmapped.
DATA_CATEGORIES: Final[Mapping[str, str | None]] = MappingProxyType(
    {
        "identity": None,
        "identity.name": "user.name",
        "identity.customer_id": "user.unique_id",
        "identity.national_id": "user.government_id.national_identification_number",
        "identity.tax_id": "user.government_id",
        "identity.username": "user.account.username",
        "contact": "user.contact",
        "contact.email": "user.contact.email",
        "contact.phone": "user.contact.phone_number",
        "contact.address": "user.contact.address",
        "contact.social_account": "user.contact.url",
        "professional": None,
        "professional.company": "user.workplace",
        "professional.department": "user.workplace",
        "professional.job_title": "user.job_title",
        "demographic": "user.demographic",
        "demographic.birth_date": "user.demographic.date_of_birth",
        "demographic.age": "user.demographic.age_range",
        "demographic.gender": "user.demographic.gender",
        "demographic.education": "user.demographic",
        "demographic.interests": "user.demographic.profile",
        "commercial": None,
        "commercial.purchase_history": "user.behavior.purchase_history",
        "commercial.orders": "user.behavior.purchase_history",
        "commercial.invoices": "user.financial",
        "commercial.loyalty": "user.account",
        "commercial.contracts": "user.account",
        "financial": "user.financial",
        "financial.payment": "user.payment",
        "financial.bank_account": "user.financial.bank_account",
        "financial.card": "user.financial.credit_card",
        "online": None,
        "online.ip_address": "user.device.ip_address",
        "online.device": "user.device.device_id",
        "online.browser": "user.device",
        "online.browsing": "user.behavior.browsing_history",
        "online.funnel": "user.behavior",
        "online.cookie_id": "user.device.cookie_id",
        "online.location": "user.location",
        "inferred": "user.demographic.profile",
        "inferred.segment": "user.demographic.profile",
        "inferred.score": "user.demographic.profile",
        "inferred.preferences": "user.demographic.profile",
        "free_text": "user.content.private",
        "special": None,
        "special.racial_ethnic_origin": "user.demographic.race_ethnicity",
        "special.political_opinions": "user.demographic.political_opinion",
        "special.religious_beliefs": "user.demographic.religious_belief",
        "special.genetic": "user.health_and_medical.genetic",
        "special.biometric": "user.biometric",
        "special.health": "user.health_and_medical",
        "special.sex_life": "user.demographic.sexual_orientation",
        "criminal": "user.criminal_history",
        "criminal.convictions": "user.criminal_history",
        "criminal.offences": "user.criminal_history",
        "meta": "system.operations",
    }
)
#: What a gdprkit category with no fideslang equivalent is exported as.
_FALLBACK: Final = "user"
#: Categories mapped onto a coarser or only approximate fideslang category: listed as such.
_APPROXIMATE: Final = frozenset(
    {
        "identity.tax_id", "professional.department", "demographic.education",
        "commercial.invoices", "commercial.loyalty", "commercial.contracts", "online.browser",
        "online.funnel", "inferred", "inferred.segment", "inferred.score",
        "inferred.preferences", "free_text", "special.sex_life",
    }
)  # fmt: skip

#: fideslang data category → gdprkit category, for reading a document. A key absent here is
#: read as its nearest listed ancestor (``user.contact.address.city`` → ``contact.address``);
#: ``None`` stops the search: no gdprkit equivalent.
_FROM_FIDES: Final[Mapping[str, str | None]] = MappingProxyType(
    {
        "system": "meta",
        "system.authentication": "meta",
        "system.operations": "meta",
        "user": None,
        "user.account": "identity",
        "user.account.username": "identity.username",
        "user.account.settings": "meta",
        "user.authorization": None,
        "user.behavior": "online",
        "user.behavior.browsing_history": "online.browsing",
        "user.behavior.media_consumption": "online.browsing",
        "user.behavior.search_history": "online.browsing",
        "user.behavior.purchase_history": "commercial.purchase_history",
        "user.biometric": "special.biometric",
        "user.childrens": None,
        "user.contact": "contact",
        "user.contact.address": "contact.address",
        "user.contact.email": "contact.email",
        "user.contact.phone_number": "contact.phone",
        "user.contact.fax_number": "contact.phone",
        "user.contact.url": "contact.social_account",
        "user.contact.organization": "professional.company",
        "user.content": "free_text",
        "user.content.self_image": None,
        "user.criminal_history": "criminal",
        "user.demographic": "demographic",
        "user.demographic.age_range": "demographic.age",
        "user.demographic.date_of_birth": "demographic.birth_date",
        "user.demographic.gender": "demographic.gender",
        "user.demographic.political_opinion": "special.political_opinions",
        "user.demographic.profile": "demographic.interests",
        "user.demographic.race_ethnicity": "special.racial_ethnic_origin",
        "user.demographic.religious_belief": "special.religious_beliefs",
        "user.demographic.sexual_orientation": "special.sex_life",
        "user.device": "online.device",
        "user.device.cookie": "online.cookie_id",
        "user.device.cookie_id": "online.cookie_id",
        "user.device.device_id": "online.device",
        "user.device.ip_address": "online.ip_address",
        "user.financial": "financial",
        "user.financial.bank_account": "financial.bank_account",
        "user.financial.credit_card": "financial.card",
        "user.government_id": "identity.national_id",
        "user.government_id.national_identification_number": "identity.national_id",
        "user.health_and_medical": "special.health",
        "user.health_and_medical.genetic": "special.genetic",
        "user.job_title": "professional.job_title",
        "user.location": "online.location",
        "user.name": "identity.name",
        "user.payment": "financial.payment",
        "user.privacy_preferences": "meta",
        "user.sensor": None,
        "user.social": None,
        "user.telemetry": None,
        "user.unique_id": "identity.customer_id",
        "user.user_sensor": None,
        "user.workplace": "professional.company",
    }
)

#: Art. 6(1) legal basis → fideslang ``legal_basis_for_processing`` (one to one).
LEGAL_BASES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "consent": "Consent",
        "contract": "Contract",
        "legal_obligation": "Legal obligations",
        "vital_interests": "Vital interests",
        "public_task": "Public interest",
        "legitimate_interests": "Legitimate interests",
    }
)
#: Art. 9(2) condition → fideslang ``special_category_legal_basis`` (one to one).
SPECIAL_CONDITIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "explicit_consent": "Explicit consent",
        "employment": "Employment, social security and social protection",
        "vital_interests": "Vital interests",
        "not_for_profit": "Not-for-profit bodies",
        "made_public": "Made public by the data subject",
        "legal_claims": "Legal claims or judicial acts",
        "substantial_public_interest": (
            "Reasons of substantial public interest (with a basis in law)"
        ),
        "health_care": "Health or social care (with a basis in law)",
        "public_health": "Public health (with a basis in law)",
        "archiving_research": "Archiving, research and statistics (with a basis in law)",
    }
)
_BASIS_BACK: Final = {v: k for k, v in LEGAL_BASES.items()}
_SPECIAL_BACK: Final = {v: k for k, v in SPECIAL_CONDITIONS.items()}

#: Words of a purpose's name → the data use they suggest (first match wins), used when the
#: policy's flags and basis do not decide it.
_USE_WORDS: Final = (
    ("analytics.reporting", ("analytics", "analytic", "statistics", "stats", "reporting")),
    ("finance", ("accounting", "invoices", "invoice", "invoicing", "tax", "billing", "finance")),
    ("essential.service.operations.support", ("support", "helpdesk", "assistance", "care")),
    ("essential.fraud_detection", ("fraud",)),
    ("essential.service.security", ("security",)),
    (
        "marketing.communications",
        ("newsletter", "newsletters", "marketing", "campaign", "campaigns", "offers", "promotions"),
    ),
    (
        "essential.service.notifications",
        ("alerts", "alert", "notifications", "notification", "recall", "recalls"),
    ),
    ("essential.service.payment_processing", ("payment", "payments")),
    ("employment.recruitment", ("recruitment", "recruiting", "hiring")),
    ("employment", ("employment", "hr", "payroll", "staff")),
    ("personalize", ("personalisation", "personalization", "recommendations")),
)

#: Art. 46/47/49 safeguard of a transfer → fideslang ``legal_basis_for_transfers`` (the values
#: Fides offers). A derogation (Art. 49) has no closer value than ``Other``: listed as such.
TRANSFER_SAFEGUARDS: Final[Mapping[str, str]] = MappingProxyType(
    {"adequacy": "Adequacy Decision", "scc": "SCCs", "bcr": "BCRs", "derogation": "Other"}
)
#: Recipient roles that are third parties (Art. 4(10)): a processor is not one.
_THIRD_PARTY_ROLES: Final = ("controller", "authority")

#: Data subjects as a policy may write them (Art. 30(1)(c)) → fideslang data subject. A
#: fideslang data subject key (``supplier_vendor``) is read as itself.
_SUBJECTS: Final = MappingProxyType(
    {
        "customer": "customer", "customers": "customer", "client": "customer",
        "clients": "customer", "lead": "prospect", "leads": "prospect",
        "prospect": "prospect", "prospects": "prospect", "employee": "employee",
        "employees": "employee", "job applicant": "job_applicant",
        "job applicants": "job_applicant", "candidates": "job_applicant",
        "consultant": "consultant", "consultants": "consultant", "patient": "patient",
        "patients": "patient", "supplier": "supplier_vendor", "suppliers": "supplier_vendor",
        "vendors": "supplier_vendor", "shareholder": "shareholder",
        "shareholders": "shareholder", "visitor": "visitor", "visitors": "visitor",
        "trainee": "trainee", "trainees": "trainee", "passenger": "passenger",
        "passengers": "passenger", "next of kin": "next_of_kin", "applicants": "job_applicant",
        "commuters": "commuter", "voters": "citizen_voter", "citizens": "citizen_voter",
    }
)  # fmt: skip

#: Purpose keys that fideslang holds (flags through the data use).
_MAPPED_PURPOSE_KEYS: Final = frozenset(
    {
        "basis",
        "special",
        "categories",
        "retention",
        "data_subjects",
        "direct_marketing",
        "profiling",
    }
)
_PURPOSE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
_KEY = re.compile(r"^[a-zA-Z0-9_.<>-]+$")
_CATEGORY_SEGMENT = re.compile(r"[^a-z0-9_]")


# --------------------------------------------------------------------------------------------
# fideslang, imported when used.


def _fideslang() -> Any:  # noqa: ANN401 - the fideslang module
    """fideslang, or an ImportError naming the extra that installs it."""
    try:
        import fideslang  # noqa: PLC0415 - optional dependency, imported when used
    except ImportError:
        raise ImportError(
            "gdprkit.interop.fides needs fideslang: pip install 'gdprkit[fides]'"
        ) from None
    return fideslang


def _problems(exc: Exception) -> str:
    """The problems of a fideslang validation error: locations and messages, never the values
    (fideslang's own messages quote them after ``Value provided``)."""
    from pydantic import ValidationError  # noqa: PLC0415 - only needed on failure

    if not isinstance(exc, ValidationError):
        return type(exc).__name__
    lines = []
    for error in exc.errors(include_url=False, include_input=False)[:20]:
        where = ".".join(str(part) for part in error["loc"]) or "<document>"
        message = str(error["msg"]).split("Value provided", 1)[0].rstrip(" :.")
        lines.append(f"  - {where}: {message}")
    return "\n".join(lines)


def _validated(document: Mapping[str, Any], what: str) -> dict[str, Any]:
    """``document`` checked with fideslang's ``Taxonomy`` model and dumped back to plain data."""
    fideslang = _fideslang()
    try:
        taxonomy = fideslang.Taxonomy.model_validate(document)
    except Exception as exc:  # pydantic's ValidationError, or a fideslang assertion
        raise ConfigurationError(
            f"{what} does not validate with fideslang:\n{_problems(exc)}"
        ) from None
    dumped: dict[str, Any] = taxonomy.model_dump(mode="json")
    return dumped


def _default_keys() -> dict[str, frozenset[str]]:
    taxonomy = _fideslang().DEFAULT_TAXONOMY
    return {
        kind: frozenset(item.fides_key for item in getattr(taxonomy, kind))
        for kind in ("data_category", "data_use", "data_subject")
    }


# --------------------------------------------------------------------------------------------
# Export.


def _ancestors(category: str) -> Iterable[str]:
    parts = category.split(".")
    for i in range(len(parts), 0, -1):
        yield ".".join(parts[:i])


def _category_keys(category: str, catalogue: Catalogue) -> tuple[list[str], bool]:
    """The fideslang data categories of a gdprkit category, and whether it has an equivalent
    (itself, an ancestor, or all its children have one)."""
    if category in DATA_CATEGORIES:
        target = DATA_CATEGORIES[category]
        if target is not None:
            return [target], True
        keys: set[str] = set()
        exact = True
        for child in sorted(catalogue.names):
            if (
                child != category
                and covers(category, child)
                and child.count(".") == 1 + category.count(".")
            ):
                child_keys, child_exact = _category_keys(child, catalogue)
                keys.update(child_keys)
                exact = exact and child_exact
        return sorted(keys) or [_FALLBACK], exact and bool(keys)
    for ancestor in _ancestors(category):
        target = DATA_CATEGORIES.get(ancestor)
        if target is not None:
            return [target], True
    return [_FALLBACK], False


def _fides_key(text: str, fallback: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return key if key else fallback


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", name.lower()) if w]


def _data_use(name: str, purpose: Purpose) -> tuple[str, bool]:
    """The fideslang data use of a purpose, and whether it follows from what the policy says
    (flags and basis) rather than from the purpose's name."""
    if purpose.profiling:
        if purpose.direct_marketing is False:
            return "personalize.content.profiling", True
        return "marketing.advertising.profiling", True
    if purpose.direct_marketing:
        return "marketing.communications", True
    if purpose.basis == "legal_obligation":
        return "essential.legal_obligation", True
    words = _words(name)
    joined = "_".join(words)
    for use, choices in _USE_WORDS:
        if any(word in words or word == joined for word in choices):
            return use, False
    if purpose.basis == "contract":
        return "essential.service", True
    return "operations", False


def _retention_text(purpose: Purpose) -> str | None:
    if not purpose.retention:
        return None
    parts = []
    for rule in purpose.retention:
        scope = f"{', '.join(rule.categories)}: " if rule.categories else ""
        parts.append(f"{scope}{rule.period} from {rule.from_}, then {rule.then}")
    return "; ".join(parts)


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(repr(n) for n in names)


def _recipient_text(recipient: Mapping[str, Any]) -> str:
    """A recipient as ``third_parties`` text: ``Couriers (controller, IT)``."""
    country = recipient.get("country")
    details = f"{recipient.get('role')}, {country}" if country else str(recipient.get("role"))
    return f"{recipient.get('name')} ({details})"


def _receives(recipient: Mapping[str, Any], purpose: str) -> bool:
    purposes = recipient.get("purposes")
    return purposes is None or purpose in _as_list(purposes)


def _third_parties(recipients: Iterable[Any], purpose: str) -> str | None:
    """The ``third_parties`` text of a purpose's declaration: its recipients that are third
    parties (Art. 4(10): not its processors), or None when it has none."""
    texts = [
        _recipient_text(r)
        for r in map(_as_map, recipients)
        if r.get("role") in _THIRD_PARTY_ROLES and _receives(r, purpose)
    ]
    return "; ".join(texts) if texts else None


_RECIPIENT = re.compile(
    r"^(?P<name>\S.*?) \((?P<role>controller|authority|processor)(?:, (?P<country>[A-Z]{2}))?\)$"
)


def _read_third_parties(text: str) -> list[dict[str, Any]] | None:
    """The recipients of a ``third_parties`` text as :func:`to_fides` writes it, or None for
    other text."""
    recipients = []
    for part in text.split("; "):
        match = _RECIPIENT.match(part.strip())
        if match is None:
            return None
        recipient: dict[str, Any] = {"name": match["name"], "role": match["role"]}
        if match["country"]:
            recipient["country"] = match["country"]
        recipients.append(recipient)
    return recipients


def _transfer_bases(transfers: Iterable[Any]) -> list[str]:
    """The ``legal_basis_for_transfers`` of the policy's transfers (each once, in order)."""
    bases = [TRANSFER_SAFEGUARDS.get(str(_as_map(t).get("safeguard")), "Other") for t in transfers]
    return list(dict.fromkeys(bases))


def _security_text(measures: Iterable[Any]) -> str:
    return "\n".join(str(m) for m in measures)


def _read_security(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _unmapped_notes(
    policy: Policy,
    uses: Mapping[str, tuple[str, bool]],
    catalogue: Catalogue,
    subjects: Mapping[str, list[str]],
) -> list[str]:
    notes: list[str] = []
    used = sorted(
        {spec.category for spec in policy.fields.values()}
        | {c for p in policy.purposes.values() for c in p.categories}
    )
    for category in used:
        keys, exact = _category_keys(category, catalogue)
        if not exact:
            notes.append(
                f"category {category!r} has no fideslang equivalent: exported as {_quoted(keys)}"
            )
        elif category in _APPROXIMATE:
            notes.append(
                f"category {category!r} exported as {_quoted(keys)}, the nearest fideslang "
                "category (fideslang has none closer)"
            )
    for name, (use, decided) in uses.items():
        if not decided:
            notes.append(
                f"purpose {name!r}: data use {use!r} chosen from its name; pass "
                "data_uses={...} to to_fides to choose another"
            )
    keys_by_purpose: dict[str, list[str]] = {}
    for name, purpose in policy.purposes.items():
        for key in sorted(purpose.model_fields_set):
            if key in _MAPPED_PURPOSE_KEYS:
                continue
            keys_by_purpose.setdefault(key, []).append(name)
    for key, names in sorted(keys_by_purpose.items()):
        notes.append(
            f"purposes {_quoted(names)}: {key!r} has no fideslang field (kept in "
            f"meta.{EXTENSION}.policy)"
        )
    retained = [n for n, p in policy.purposes.items() if p.retention]
    if retained:
        notes.append(
            f"purposes {_quoted(retained)}: retention rules exported as text "
            "(retention_period); the rules themselves are kept in "
            f"meta.{EXTENSION}.policy"
        )
    unnamed = [n for n in policy.purposes if not subjects[n]]
    if unnamed:
        notes.append(
            f"purposes {_quoted(unnamed)}: no data subjects (Art. 30(1)(c)) in the policy: "
            "their privacy declarations list none"
        )
    formats = [n for n, spec in policy.fields.items() if spec.format is not None]
    if formats:
        notes.append(
            f"fields {_quoted(formats)}: 'format' has no fideslang field (kept in "
            f"meta.{EXTENSION}.policy)"
        )
    processors = [r.name for r in policy.recipients or () if r.role not in _THIRD_PARTY_ROLES]
    if processors:
        notes.append(
            f"recipients {_quoted(processors)}: processors (Art. 28) are not third parties "
            "(Art. 4(10)) and fideslang has no field for them (kept in "
            f"meta.{EXTENSION}.policy)"
        )
    if policy.transfers:
        notes.append(
            "'transfers': fideslang holds that there are some and their safeguards "
            "(does_international_transfers, legal_basis_for_transfers); their countries and "
            f"references are kept in meta.{EXTENSION}.policy"
        )
        if any(t.safeguard == "derogation" for t in policy.transfers):
            notes.append(
                "'transfers': safeguard 'derogation' (Art. 49) exported as 'Other', the "
                "nearest value Fides offers"
            )
    for key in ("recipients", "transfers", "security"):
        if getattr(policy, key) == ():
            notes.append(
                f"{key!r} declares none: fideslang cannot tell that from not declared (kept "
                f"in meta.{EXTENSION}.policy)"
            )
    top = sorted(
        key
        for key in policy.model_fields_set
        if key
        not in (
            "version",
            "controller",
            "fields",
            "purposes",
            "recipients",
            "transfers",
            "security",
        )
    )
    controller = sorted(
        key for key in policy.controller.model_fields_set if key not in ("name", "dpo")
    )
    if controller:
        top.insert(0, "controller." + "/".join(controller))
    for key in top:
        notes.append(f"{key!r} has no fideslang field (kept in meta.{EXTENSION}.policy)")
    return notes


def _subject_key(subject: object, defaults: frozenset[str]) -> str | None:
    """The fideslang data subject of a subject as a policy writes it (``Leads`` → ``prospect``,
    ``supplier_vendor`` → itself), or None."""
    text = str(subject).strip().lower()
    if text in defaults:
        return text
    return _SUBJECTS.get(re.sub(r"[\s_-]+", " ", text))


def _subjects(
    policy: Policy, purpose: Purpose, notes: list[str], name: str, defaults: frozenset[str]
) -> list[str]:
    """The fideslang data subjects of a purpose: those it declares (``data_subjects``, which
    win), else the relationships its ``when`` admits (``when: {relationship: [customer]}`` →
    ``customer``)."""
    written: Sequence[object] = purpose.data_subjects or ()
    relationship = policy.subject.relationship
    if purpose.data_subjects is None and relationship is not None and purpose.when:
        written = purpose.when.get(relationship, ())
    keys: list[str] = []
    for subject in written:
        key = _subject_key(subject, defaults)
        if key is None:
            notes.append(
                f"purpose {name!r}: data subject {str(subject)!r} has no fideslang equivalent"
            )
        elif key not in keys:
            keys.append(key)
    return keys


def to_fides(
    policy: Policy | Mapping[str, Any],
    *,
    key: str | None = None,
    data_uses: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The policy as a fideslang manifest: ``{"system": [system], "dataset": [dataset]}``.

    ``key`` is the system's ``fides_key`` (default: from the controller's name; the dataset's is
    ``<key>_records``). ``data_uses`` chooses the fideslang data use of purposes (default: from
    the purpose's flags, basis and name; see :data:`DATA_CATEGORIES` and the module docstring).
    The result validates with fideslang's models (checked before it is returned); what has no
    fideslang equivalent is listed in ``system[0]["meta"]["gdprkit"]["unmapped"]``.
    Raises ``ImportError`` without fideslang and ``ConfigurationError`` for a bad ``key`` or
    data use.
    """
    policy = load_policy(policy)
    defaults = _default_keys()
    catalogue = policy.catalogue
    system_key = key if key is not None else _fides_key(policy.controller.name, "gdprkit_system")
    if not isinstance(system_key, str) or not _KEY.match(system_key):
        raise ConfigurationError("key: a fides_key holds only letters, digits and . _ < > -")
    dataset_key = f"{system_key}_{_COLLECTION}"
    chosen = dict(data_uses or {})
    for name, use in chosen.items():
        if name not in policy.purposes:
            raise ConfigurationError(f"data_uses: unknown purpose {name!r}")
        if not isinstance(use, str) or not _KEY.match(use):
            raise ConfigurationError(f"data_uses: the data use of {name!r} is not a fides_key")
    uses = {
        name: (chosen[name], True) if name in chosen else _data_use(name, purpose)
        for name, purpose in policy.purposes.items()
    }
    subject_notes: list[str] = []
    subjects = {
        name: _subjects(policy, p, subject_notes, name, defaults["data_subject"])
        for name, p in policy.purposes.items()
    }
    notes = _unmapped_notes(policy, uses, catalogue, subjects)
    for name, (use, _decided) in uses.items():
        if use not in defaults["data_use"]:
            notes.append(
                f"purpose {name!r}: data use {use!r} is not in fideslang's default taxonomy"
            )
    notes.extend(subject_notes)
    recipients = [r.model_dump(mode="json", exclude_none=True) for r in policy.recipients or ()]
    declarations = []
    for name, purpose in policy.purposes.items():
        categories: set[str] = set()
        for category in purpose.categories:
            categories.update(_category_keys(category, catalogue)[0])
        special = purpose.special is not None or any(
            catalogue.is_special(c)
            or any(catalogue.is_special(n) for n in catalogue.names if covers(c, n))
            for c in purpose.categories
        )
        declaration: dict[str, Any] = {
            "name": name,
            "data_use": uses[name][0],
            "data_categories": sorted(categories),
            "data_subjects": subjects[name],
            "legal_basis_for_processing": LEGAL_BASES[purpose.basis],
            "flexible_legal_basis_for_processing": False,
            "processes_special_category_data": special,
            "dataset_references": [dataset_key],
        }
        if purpose.special is not None:
            declaration["special_category_legal_basis"] = SPECIAL_CONDITIONS[purpose.special]
        retention = _retention_text(purpose)
        if retention is not None:
            declaration["retention_period"] = retention
        third_parties = _third_parties(recipients, name)
        if policy.recipients is not None:  # declared: says whether it shares, or not
            declaration["data_shared_with_third_parties"] = third_parties is not None
        if third_parties is not None:
            declaration["third_parties"] = third_parties
            declaration["shared_categories"] = sorted(categories)
        declarations.append(declaration)

    fields = []
    for field_name, spec in policy.fields.items():
        entry: dict[str, Any] = {
            "name": field_name,
            "data_categories": _category_keys(spec.category, catalogue)[0],
        }
        if spec.description:
            entry["description"] = spec.description
        fields.append(entry)

    controller = policy.controller
    system: dict[str, Any] = {
        "fides_key": system_key,
        "name": controller.name,
        "description": f"Processing of personal data under the gdprkit policy of {controller.name}",
        "system_type": "Application",
        "legal_name": controller.name,
        "responsibility": ["Controller"],
        "dataset_references": [dataset_key],
        "privacy_declarations": declarations,
        "meta": {
            EXTENSION: {
                "format": _FORMAT,
                "policy": policy.model_dump(mode="json", by_alias=True, exclude_unset=True),
                "data_uses": {name: use for name, (use, _d) in uses.items()},
                "data_subjects": subjects,
                "unmapped": notes,
            }
        },
    }
    if controller.dpo:
        system["dpo"] = controller.dpo
    if policy.transfers is not None:  # declared: says whether it transfers, or not
        system["does_international_transfers"] = bool(policy.transfers)
    if policy.transfers:
        system["legal_basis_for_transfers"] = _transfer_bases(
            t.model_dump(mode="json") for t in policy.transfers
        )
    if policy.security:
        system["data_security_practices"] = _security_text(policy.security)
    dataset = {
        "fides_key": dataset_key,
        "name": f"{controller.name}: records",
        "description": "The fields a record may carry under the gdprkit policy",
        "collections": [{"name": _COLLECTION, "fields": fields}],
    }
    document = {"system": [system], "dataset": [dataset]}
    _validated(document, "the export")
    return document


# --------------------------------------------------------------------------------------------
# Import.


def _as_map(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _as_list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _custom_name(fides_category: str) -> str:
    segments = [
        _CATEGORY_SEGMENT.sub("_", part.lower()) for part in fides_category.split(".") if part
    ]
    segments = [s if s[:1].isalpha() else "x" + s for s in segments if s]
    return ".".join(["fides", *segments])


class _Reader:
    """The state of one import: the to-do list and the custom categories it needs."""

    def __init__(self, defaults: Mapping[str, frozenset[str]]) -> None:
        self.todo: list[str] = []
        self.custom: dict[str, dict[str, Any]] = {}
        self.defaults = defaults

    def category(self, fides_category: str, where: str) -> str:
        """The gdprkit category of a fideslang data category (noted when approximate)."""
        for ancestor in _ancestors(fides_category):
            if ancestor in _FROM_FIDES:
                found = _FROM_FIDES[ancestor]
                if found is None:
                    break
                if found not in BUILTIN_CATEGORIES:
                    break
                if ancestor != fides_category:
                    self.todo.append(
                        f"{where}: data category {fides_category!r} read as {found!r} (the "
                        "nearest gdprkit category): check it"
                    )
                return found
        custom = _custom_name(fides_category)
        if custom not in self.custom:
            self.custom[custom] = {
                "description": f"fideslang data category {fides_category!r} (no gdprkit equivalent)"
            }
            self.todo.append(
                f"data category {fides_category!r} has no gdprkit equivalent: declared as the "
                f"custom category {custom!r}; replace it with a gdprkit category"
            )
        return custom


def _pick(categories: Sequence[str]) -> str:
    """The category a field keeps of several: the most protective (special, criminal)."""
    catalogue = Catalogue()
    for category in categories:
        if catalogue.is_special(category) or catalogue.is_criminal(category):
            return category
    return categories[0]


def _flatten(
    fields: Iterable[Any], prefix: str, inherited: list[str]
) -> Iterable[tuple[str, list[str], Mapping[str, Any]]]:
    for raw in fields:
        field = _as_map(raw)
        name = f"{prefix}{field.get('name')}"
        categories = [c for c in _as_list(field.get("data_categories")) if isinstance(c, str)]
        yield name, categories or inherited, field
        children = _as_list(field.get("fields"))
        if children:
            yield from _flatten(children, name + ".", categories or inherited)


def _forward(category: str, catalogue: Catalogue) -> set[str]:
    return set(_category_keys(category, catalogue)[0])


def _extension(system: Mapping[str, Any], todo: list[str]) -> dict[str, Any] | None:
    meta = _as_map(system.get("meta")).get(EXTENSION)
    if meta is None:
        return None
    ext = _as_map(meta)
    policy = ext.get("policy")
    if ext.get("format") != _FORMAT or not isinstance(policy, Mapping):
        todo.append(
            f"meta.{EXTENSION} is not an export of this gdprkit (format {_FORMAT}): ignored"
        )
        return None
    return {
        "policy": dict(policy),
        "data_uses": dict(_as_map(ext.get("data_uses"))),
        "data_subjects": dict(_as_map(ext.get("data_subjects"))),
    }


def _use_flags(use: str) -> dict[str, bool]:
    if use.endswith(".profiling") or use == "personalize.content.profiled":
        if use.startswith("marketing."):
            return {"profiling": True, "direct_marketing": True}
        return {"profiling": True, "direct_marketing": False}
    if use == "marketing" or use.startswith(("marketing.", "sales")):
        return {"direct_marketing": True}
    return {}


def from_fides(
    document: Mapping[str, Any], *, system: str | None = None
) -> tuple[dict[str, Any], list[str]]:
    """A policy mapping for :func:`gdprkit.load_policy` read from a fideslang manifest, and the
    to-do list of what a person must still fill in or check.

    ``document`` is a manifest (``{"system": [...], "dataset": [...]}``, as :func:`to_fides`
    writes and Fides reads); with several systems, ``system`` names the one to read (its
    ``fides_key``). It is validated with fideslang's models first: a document that does not
    validate raises ``ConfigurationError`` naming the places, never the values. The datasets
    read are those the system references (all of the document's when it references none).
    ``from_fides(to_fides(policy))`` gives the policy back, with an empty to-do list.
    """
    if not isinstance(document, Mapping):
        raise ConfigurationError("a fides document is a mapping (a manifest: system, dataset)")
    fideslang = _fideslang()
    unknown = sorted(str(k) for k in document if k not in fideslang.model_map)
    if unknown:
        raise ConfigurationError(
            f"the fides document has unknown resource types {_quoted(unknown)}; known: "
            + ", ".join(sorted(fideslang.model_map))
        )
    data = _validated(document, "the fides document")
    systems = _as_list(data.get("system"))
    if system is not None:
        systems = [s for s in systems if _as_map(s).get("fides_key") == system]
        if not systems:
            raise ConfigurationError(f"the fides document has no system {system!r}")
    if len(systems) != 1:
        found = [_as_map(s).get("fides_key") for s in systems]
        raise ConfigurationError(
            f"the fides document holds {len(systems)} systems ({_quoted(map(str, found))}): "
            "name the one to read (system=...)"
            if systems
            else "the fides document holds no system"
        )
    chosen = _as_map(systems[0])
    reader = _Reader(_default_keys())
    todo = reader.todo
    ext = _extension(chosen, todo)
    ext_policy: dict[str, Any] = ext["policy"] if ext else {}
    ext_uses: dict[str, Any] = ext["data_uses"] if ext else {}
    ext_subjects: dict[str, Any] = ext["data_subjects"] if ext else {}
    ext_custom = _as_map(ext_policy.get("categories"))
    ext_catalogue = Catalogue(
        {k: bool(_as_map(v).get("special")) for k, v in ext_custom.items() if isinstance(k, str)}
    )

    declarations = [_as_map(d) for d in _as_list(chosen.get("privacy_declarations"))]
    referenced = set(_as_list(chosen.get("dataset_references")))
    for declaration in declarations:
        referenced.update(_as_list(declaration.get("dataset_references")))
    datasets = [_as_map(d) for d in _as_list(data.get("dataset"))]
    if referenced:
        present = {d.get("fides_key") for d in datasets}
        for missing in sorted(referenced - present):
            todo.append(
                f"dataset {missing!r} is referenced but not in the document: its fields are missing"
            )
        datasets = [d for d in datasets if d.get("fides_key") in referenced]

    # Fields.
    collections = [(d, _as_map(c)) for d in datasets for c in _as_list(d.get("collections"))]
    qualify = len(collections) > 1
    if qualify:
        todo.append(
            f"{len(collections)} collections merged into one record shape; their fields are "
            "named collection.field"
        )
    ext_fields = _as_map(ext_policy.get("fields"))
    fields: dict[str, Any] = {}
    fides_of: dict[str, list[str]] = {}
    for dataset, collection in collections:
        inherited = [
            c
            for c in _as_list(collection.get("data_categories"))
            or _as_list(dataset.get("data_categories"))
            if isinstance(c, str)
        ]
        prefix = f"{collection.get('name')}." if qualify else ""
        for name, categories, raw in _flatten(
            _as_list(collection.get("fields")), prefix, inherited
        ):
            if "." in name[len(prefix) :] and name not in ext_fields:
                todo.append(f"field {name!r}: a nested field, read as a field of its own")
            if not categories:
                todo.append(
                    f"field {name!r} has no data category: left out of the policy (records "
                    "carrying it have it dropped); declare it with its category"
                )
                continue
            if name in fields:
                todo.append(f"field {name!r} appears twice: the first is kept")
                continue
            fides_of[name] = categories
            spec = ext_fields.get(name)
            spec_map = {"category": spec} if isinstance(spec, str) else dict(_as_map(spec))
            category = spec_map.get("category")
            if isinstance(category, str) and _forward(category, ext_catalogue) == set(categories):
                fields[name] = spec_map if len(spec_map) > 1 else category
                continue
            where = f"field {name!r}"
            mapped = list(dict.fromkeys(reader.category(c, where) for c in categories))
            kept = _pick(mapped)
            if len(mapped) > 1:
                todo.append(
                    f"{where} has data categories {_quoted(categories)}; a gdprkit field has one: "
                    f"{kept!r} kept (the most protective or the first)"
                )
            if category is not None:
                todo.append(f"{where}: its data categories changed in Fides; read as {kept!r}")
            entry: dict[str, Any] = {"category": kept}
            description = raw.get("description")
            if isinstance(description, str) and description.strip():
                entry["description"] = description
            fields[name] = entry if len(entry) > 1 else kept

    for name in ext_fields:
        if name not in fides_of and not any(item.startswith(f"field {name!r}") for item in todo):
            todo.append(f"field {name!r} of the export is no longer in the Fides dataset: left out")

    # Purposes.
    ext_purposes = _as_map(ext_policy.get("purposes"))
    purposes: dict[str, Any] = {}
    shared: dict[str, tuple[bool, str | None]] = {}
    titles: dict[str, str] = {}
    for index, declaration in enumerate(declarations):
        use = str(declaration.get("data_use"))
        raw_name = declaration.get("name")
        name = raw_name if isinstance(raw_name, str) and raw_name.strip() else use
        if not _PURPOSE_NAME.match(name) and name not in ext_purposes:
            name = _fides_key(name, "purpose")
            if isinstance(raw_name, str) and raw_name.strip():
                titles[name] = raw_name.strip()
        if name in purposes:
            base, n = name, 2
            while f"{base}_{n}" in purposes:
                n += 1
            name = f"{base}_{n}"
            todo.append(f"privacy declaration {index}: its name is taken; read as purpose {name!r}")
        where = f"purpose {name!r}"
        if use not in reader.defaults["data_use"]:
            todo.append(f"{where}: data use {use!r} is not in fideslang's default taxonomy")
        ext_purpose = dict(_as_map(ext_purposes.get(name)))
        purpose: dict[str, Any] = {}
        dropped: set[str] = set()
        basis = _BASIS_BACK.get(str(declaration.get("legal_basis_for_processing")))
        if basis is None:
            basis = "consent"
            todo.append(
                f"{where}: no legal basis in Fides; 'consent' put as a placeholder (nothing "
                "passes without recorded consent): choose the basis (Art. 6(1))"
            )
        purpose["basis"] = basis
        special = _SPECIAL_BACK.get(str(declaration.get("special_category_legal_basis")))
        if special is not None:
            purpose["special"] = special
        elif declaration.get("processes_special_category_data") and not ext_purpose:
            todo.append(
                f"{where}: processes special-category data with no Art. 9(2) condition in "
                "Fides: its special fields are denied until you add 'special'"
            )
        declared = [c for c in _as_list(declaration.get("data_categories")) if isinstance(c, str)]
        ext_categories = [c for c in _as_list(ext_purpose.get("categories")) if isinstance(c, str)]
        forward = (
            set().union(*(_forward(c, ext_catalogue) for c in ext_categories))
            if ext_categories
            else set()
        )
        if ext_categories and forward == set(declared):
            categories = ext_categories
        else:
            categories = []
            for fides_category in declared:
                categories.append(reader.category(fides_category, where))
                for field, field_categories in fides_of.items():
                    if any(covers(fides_category, c) for c in field_categories):
                        spec = fields[field]
                        categories.append(spec if isinstance(spec, str) else spec["category"])
            categories = list(dict.fromkeys(categories))
            if ext_categories:
                todo.append(f"{where}: its data categories changed in Fides; read from them")
            if not categories:
                categories = ["meta"]
                todo.append(f"{where}: no data category in Fides: 'meta' put as a placeholder")
        purpose["categories"] = categories
        subjects = [s for s in _as_list(declaration.get("data_subjects")) if isinstance(s, str)]
        if ext_purpose and subjects == ext_subjects.get(name):
            pass  # as exported: the purpose's own data_subjects (or none, when inferred)
        elif subjects:
            purpose["data_subjects"] = subjects
            if ext_purpose:
                todo.append(f"{where}: its data subjects changed in Fides; read from them")
        elif "data_subjects" in ext_purpose:
            dropped.add("data_subjects")
            todo.append(
                f"{where}: its data subjects were removed in Fides: none declared (Art. "
                "30(1)(c)); name them"
            )
        if ext_purpose and ext_uses.get(name) == use:
            for key in ("direct_marketing", "profiling"):
                if key in ext_purpose:
                    purpose[key] = ext_purpose[key]
        else:
            purpose.update(_use_flags(use))
            for key, value in _as_map(ext_purpose).items():
                if key in ("direct_marketing", "profiling") and value:
                    purpose[key] = value
            if ext_purpose:
                todo.append(f"{where}: its data use changed in Fides ({use!r}): check its flags")
        for key, value in ext_purpose.items():
            if key not in purpose and key not in dropped | {"basis", "special", "categories"}:
                purpose[key] = value
        if name in titles and "description" not in purpose:
            purpose["description"] = titles[name]
            todo.append(f"privacy declaration {titles[name]!r} read as purpose {name!r}")
        shares = bool(declaration.get("data_shared_with_third_parties"))
        text = declaration.get("third_parties")
        third_parties = text if shares and isinstance(text, str) else None
        shared[name] = (shares, third_parties)
        if (shares or use.startswith("third_party_sharing")) and (
            third_parties is None or _read_third_parties(third_parties) is None
        ):
            todo.append(
                f"{where}: shares data with third parties in Fides: record the recipients "
                "(Art. 13(1)(e), Art. 30(1)(d))"
            )
        retention = declaration.get("retention_period")
        if retention and "retention" not in ext_purpose:
            rules = _retention_rules(str(retention))
            if rules is None:
                todo.append(
                    f"{where}: retention in Fides is text ({str(retention)[:80]!r}): write its "
                    "retention rules (period, from)"
                )
            else:
                purpose["retention"] = rules
                todo.append(f"{where}: retention rules read from the text of Fides: check them")
        purposes[name] = purpose
    for name in ext_purposes:
        if name not in purposes:
            todo.append(f"purpose {name!r} of the export is no longer in Fides: left out")
    if not purposes:
        todo.append("the system has no privacy declaration: add the purposes")

    recipients = _read_recipients(ext_policy, shared, todo, ext is not None)
    transfers = _read_transfers(chosen, ext_policy, todo)
    security = _read_security_of(chosen, ext_policy, todo)
    if chosen.get("uses_profiling"):
        todo.append(
            "the system profiles with legal or similar effects in Fides (Art. 22): mark the "
            "purposes that profile with 'profiling: true'"
        )
    policy: dict[str, Any] = {"version": 1}
    controller = dict(_as_map(ext_policy.get("controller")))
    if not controller:
        controller["name"] = (
            chosen.get("legal_name") or chosen.get("name") or chosen.get("fides_key")
        )
        if chosen.get("dpo"):
            controller["dpo"] = chosen["dpo"]
        todo.append("controller.country: fill in the controller's country (ISO 3166-1 alpha-2)")
        todo.append("controller.contact: fill in the controller's privacy contact")
    policy["controller"] = controller
    for key in ("settings", "subject"):
        if key in ext_policy:
            policy[key] = ext_policy[key]
    policy["fields"] = fields
    custom = {
        k: v
        for k, v in ext_custom.items()
        if any(covers(k, c) or covers(c, k) for c in _used(fields, purposes))
    }
    custom.update(reader.custom)
    if custom:
        policy["categories"] = custom
    policy["purposes"] = purposes
    for key, value in ext_policy.items():
        if key not in policy and key not in _READ_KEYS:
            policy[key] = value
    if "jurisdictions" in ext_policy:
        policy["jurisdictions"] = ext_policy["jurisdictions"]
    for key, read in (("recipients", recipients), ("transfers", transfers), ("security", security)):
        if read is not None:
            policy[key] = read
    _prune(policy, todo)
    if ext is None:
        todo.append("subject.id: name the field that identifies the person (and the other roles)")
    return policy, todo


#: Top-level policy keys from_fides builds itself (the others come from the extension as they are).
_READ_KEYS: Final = frozenset(
    {
        "version",
        "controller",
        "settings",
        "subject",
        "fields",
        "categories",
        "purposes",
        "jurisdictions",
        "recipients",
        "transfers",
        "security",
    }
)


def _read_recipients(
    ext_policy: Mapping[str, Any],
    shared: Mapping[str, tuple[bool, str | None]],
    todo: list[str],
    exported: bool,
) -> list[Any] | None:
    """The policy's recipients: the export's while the declarations' third parties are as it
    wrote them; else the third parties Fides lists (the document wins), with the export's
    processors (Fides has no field for them)."""
    ext_recipients = _as_list(ext_policy.get("recipients"))
    expected = {
        name: (text is not None, text)
        for name in shared
        for text in [_third_parties(ext_recipients, name)]
    }
    if exported and expected == dict(shared):
        return ext_recipients if "recipients" in ext_policy else None
    found: dict[tuple[str, str, str | None], list[str]] = {}
    for name, (shares, text) in shared.items():
        parsed = _read_third_parties(text) if shares and text is not None else None
        for read in parsed or ():
            key = (read["name"], read["role"], read.get("country"))
            found.setdefault(key, []).append(name)
    if not found and "recipients" not in ext_policy:
        return None
    recipients = [r for r in ext_recipients if _as_map(r).get("role") not in _THIRD_PARTY_ROLES]
    for (name, role, country), purposes in found.items():
        recipient: dict[str, Any] = {"name": name, "role": role}
        if purposes != list(shared):
            recipient["purposes"] = purposes
        if country is not None:
            recipient["country"] = country
        recipients.append(recipient)
    if exported and "recipients" in ext_policy:
        todo.append(
            "recipients: the third parties of the privacy declarations changed in Fides; read "
            "from them (processors kept from the export): check them"
        )
    else:
        todo.append(
            "recipients: read from the third parties of the privacy declarations in Fides: "
            "check them, and add the processors (Art. 28), which Fides does not list"
        )
    return recipients


def _read_transfers(
    system: Mapping[str, Any], ext_policy: Mapping[str, Any], todo: list[str]
) -> list[Any] | None:
    """The export's transfers (Fides holds neither their countries nor their references); a to-do
    item when Fides says otherwise, or says there are some and the policy has none."""
    transfers = bool(system.get("does_international_transfers"))
    bases = [str(b) for b in _as_list(system.get("legal_basis_for_transfers"))]
    if "transfers" in ext_policy:
        ext_transfers = _as_list(ext_policy.get("transfers"))
        wrote = _transfer_bases(ext_transfers)
        if transfers == bool(ext_transfers) and (not transfers or set(bases) == set(wrote)):
            return ext_transfers
        countries = [str(_as_map(t).get("country")) for t in ext_transfers]
        todo.append(
            "transfers: Fides says "
            + (f"the system transfers data outside the EEA (on {_quoted(bases)})" if transfers
               else "the system makes no international transfers")
            + (f"; the export's transfers (to {_quoted(countries)}) are kept" if countries
               else "")
            + ": record the transfers and their safeguards (Chapter V)"
        )  # fmt: skip
        return ext_transfers
    if transfers:
        todo.append(
            "the system transfers data outside the EEA in Fides"
            + (f" (on {_quoted(bases)})" if bases else "")
            + ": record the transfers and their safeguards (Chapter V)"
        )
    return None


def _read_security_of(
    system: Mapping[str, Any], ext_policy: Mapping[str, Any], todo: list[str]
) -> list[Any] | None:
    """The security measures: the export's while Fides' ``data_security_practices`` is the text
    it wrote; else that text, one measure a line (the document wins)."""
    text = system.get("data_security_practices")
    text = text if isinstance(text, str) else ""
    if "security" in ext_policy:
        ext_security = _as_list(ext_policy.get("security"))
        if text == _security_text(ext_security):
            return ext_security
        if not _read_security(text):
            todo.append(
                "security: no data_security_practices in Fides any more; the export's measures "
                "are kept: check them (Art. 32)"
            )
            return ext_security
        todo.append(
            "security: the data_security_practices changed in Fides; read from them, one "
            "measure a line: check them (Art. 32)"
        )
        return _read_security(text)
    if _read_security(text):
        todo.append(
            "security: read from the data_security_practices of Fides, one measure a line: "
            "check them (Art. 32)"
        )
        return _read_security(text)
    return None


_RULE = re.compile(
    r"^(?:(?P<categories>[a-z0-9_.]+(?:, [a-z0-9_.]+)*): )?(?P<period>P\S+) from "
    r"(?P<from>\S+), then (?P<then>delete|anonymise)$"
)


def _retention_rules(text: str) -> list[dict[str, Any]] | None:
    """The rules of a ``retention_period`` written by :func:`to_fides`, or None for other text."""
    rules = []
    for part in text.split("; "):
        match = _RULE.match(part.strip())
        if match is None:
            return None
        rule: dict[str, Any] = {"period": match["period"], "from": match["from"]}
        if match["categories"]:
            rule["categories"] = match["categories"].split(", ")
        rule["then"] = match["then"]
        rules.append(rule)
    return rules


def _used(fields: Mapping[str, Any], purposes: Mapping[str, Any]) -> set[str]:
    used = {
        spec if isinstance(spec, str) else _as_map(spec).get("category") for spec in fields.values()
    }
    for purpose in purposes.values():
        used.update(_as_list(purpose.get("categories")))
    return {c for c in used if isinstance(c, str)}


def _category_of(policy: Mapping[str, Any], field: object) -> str | None:
    """The category the policy mapping gives ``field`` (short form or mapping)."""
    spec = _as_map(policy.get("fields")).get(field) if isinstance(field, str) else None
    found = spec if isinstance(spec, str) else _as_map(spec).get("category")
    return found if isinstance(found, str) else None


def _listed(category: str | None, listed: list[str]) -> bool:
    """Whether a purpose listing ``listed`` covers ``category`` (unknown: kept, load decides)."""
    return category is None or any(covers(c, category) for c in listed)


def _prune(policy: dict[str, Any], todo: list[str]) -> None:
    """Drop what names a field or purpose the imported policy no longer has (an item of the
    extension whose field was removed in Fides), each with a to-do item."""
    fields = set(_as_map(policy.get("fields")))

    def gone(value: object) -> bool:
        return isinstance(value, str) and value not in fields

    subject = dict(_as_map(policy.get("subject")))
    for role, field in list(subject.items()):
        if gone(field):
            del subject[role]
            todo.append(f"subject.{role}: field {field!r} is not in the Fides dataset: removed")
    if "subject" in policy:
        policy["subject"] = subject
    for name, purpose in _as_map(policy.get("purposes")).items():
        where = f"purpose {name!r}"
        if "requires" in purpose:
            kept = [f for f in _as_list(purpose["requires"]) if not gone(f)]
            if len(kept) != len(_as_list(purpose["requires"])):
                todo.append(f"{where}: 'requires' named fields not in the Fides dataset: removed")
            listed = [c for c in _as_list(purpose.get("categories")) if isinstance(c, str)]
            covered = [f for f in kept if _listed(_category_of(policy, f), listed)]
            for field in kept:
                if field not in covered:
                    todo.append(
                        f"{where}: requires field {field!r}, whose category in the Fides "
                        "dataset the purpose does not list: removed from 'requires'"
                    )
            purpose["requires"] = covered
        for key in ("transform", "when"):
            if key in purpose:
                mapping = {k: v for k, v in _as_map(purpose[key]).items() if not gone(k)}
                if len(mapping) != len(_as_map(purpose[key])):
                    todo.append(f"{where}: {key!r} named fields not in the Fides dataset: removed")
                purpose[key] = mapping
        if "consent" in purpose:
            consent = dict(_as_map(purpose["consent"]))
            for key in ("field", "at", "explicit", "parental"):
                if gone(consent.get(key)):
                    todo.append(
                        f"{where}: consent.{key} names a field not in the Fides dataset: removed"
                    )
                    del consent[key]
            if "field" not in consent and "at" in consent:
                del consent["at"]
            purpose["consent"] = consent
        if "retention" in purpose:
            rules = [r for r in _as_list(purpose["retention"]) if not gone(_as_map(r).get("from"))]
            if len(rules) != len(_as_list(purpose["retention"])):
                todo.append(
                    f"{where}: retention rules counted from fields not in the Fides dataset: "
                    "removed; write them again"
                )
            purpose["retention"] = rules
        if "sources" in purpose and "source" not in subject:
            del purpose["sources"]
            todo.append(f"{where}: 'sources' needs subject.source: removed")
    known = Catalogue(
        {k: bool(_as_map(v).get("special")) for k, v in _as_map(policy.get("categories")).items()}
    )
    for name, purpose in _as_map(policy.get("purposes")).items():
        rules = []
        for rule in _as_list(purpose.get("retention")):
            categories = _as_list(_as_map(rule).get("categories"))
            if any(c not in known for c in categories):
                todo.append(
                    f"purpose {name!r}: a retention rule names categories the imported policy "
                    "does not have: removed; write it again"
                )
                continue
            rules.append(rule)
        if "retention" in purpose:
            purpose["retention"] = rules
    purposes = set(_as_map(policy.get("purposes")))
    if "recipients" in policy:
        recipients = []
        for raw in _as_list(policy["recipients"]):
            recipient = _as_map(raw)
            targets = _as_list(recipient.get("purposes"))
            kept_targets = [t for t in targets if t in purposes]
            if len(kept_targets) != len(targets):
                todo.append(
                    f"recipient {recipient.get('name')!r}: purposes not in Fides removed"
                    + ("" if kept_targets else "; it receives nothing now: removed")
                )
                if not kept_targets:
                    continue
                raw = {**recipient, "purposes": kept_targets}  # noqa: PLW2901 - the pruned copy
            recipients.append(raw)
        policy["recipients"] = recipients
    for country, settings in _as_map(policy.get("jurisdictions")).items():
        extensions = _as_list(_as_map(settings).get("extensions"))
        kept = [e for e in extensions if _as_map(e).get("purpose") in purposes]
        if len(kept) != len(extensions) and isinstance(settings, dict):
            todo.append(f"jurisdictions.{country}: extensions of purposes not in Fides: removed")
            settings["extensions"] = kept
