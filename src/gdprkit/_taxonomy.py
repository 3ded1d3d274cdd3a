"""The vocabulary of a policy: legal bases, Art. 9(2) conditions and the category catalogue.

Categories are dotted names. A purpose that lists a prefix (``contact``) covers every category
under it (``contact.email``). ``special.*`` (Art. 9(1)) and ``criminal`` (Art. 10) are special by
nature: a policy may add categories under them only as special ones, never redefine them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final

__all__ = [
    "BUILTIN_CATEGORIES",
    "FORMAT_NAMES",
    "KEYED_METHODS",
    "PERSONAL_ROOTS_NEVER_ANONYMOUS",
    "TRANSFORM_METHODS",
    "Catalogue",
    "LegalBasis",
    "SpecialCondition",
    "covers",
    "root",
]


class LegalBasis(StrEnum):
    """The six lawful bases of Art. 6(1) GDPR."""

    CONSENT = "consent"  # 6(1)(a)
    CONTRACT = "contract"  # 6(1)(b)
    LEGAL_OBLIGATION = "legal_obligation"  # 6(1)(c)
    VITAL_INTERESTS = "vital_interests"  # 6(1)(d)
    PUBLIC_TASK = "public_task"  # 6(1)(e)
    LEGITIMATE_INTERESTS = "legitimate_interests"  # 6(1)(f)


class SpecialCondition(StrEnum):
    """The conditions of Art. 9(2)(a)-(j) under which special-category data may be processed."""

    EXPLICIT_CONSENT = "explicit_consent"  # 9(2)(a)
    EMPLOYMENT = "employment"  # 9(2)(b)
    VITAL_INTERESTS = "vital_interests"  # 9(2)(c)
    NOT_FOR_PROFIT = "not_for_profit"  # 9(2)(d)
    MADE_PUBLIC = "made_public"  # 9(2)(e)
    LEGAL_CLAIMS = "legal_claims"  # 9(2)(f)
    SUBSTANTIAL_PUBLIC_INTEREST = "substantial_public_interest"  # 9(2)(g)
    HEALTH_CARE = "health_care"  # 9(2)(h)
    PUBLIC_HEALTH = "public_health"  # 9(2)(i)
    ARCHIVING_RESEARCH = "archiving_research"  # 9(2)(j)


#: The built-in catalogue: category → description. Roots are categories too.
BUILTIN_CATEGORIES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "identity": "Who the person is",
        "identity.name": "First, last or full name",
        "identity.customer_id": "Customer number or CRM identifier",
        "identity.national_id": "National identification number (codice fiscale)",
        "identity.tax_id": "Tax or VAT number (partita IVA)",
        "identity.username": "Account or user name",
        "contact": "How to reach the person",
        "contact.email": "E-mail address",
        "contact.phone": "Telephone number",
        "contact.address": "Postal address",
        "contact.social_account": "Social network account or handle",
        "professional": "Work context",
        "professional.company": "Employer or company",
        "professional.department": "Department",
        "professional.job_title": "Job title",
        "demographic": "Demographic traits",
        "demographic.birth_date": "Date of birth",
        "demographic.age": "Age or age band",
        "demographic.gender": "Gender",
        "demographic.education": "Education",
        "demographic.interests": "Declared interests",
        "commercial": "Commercial relationship",
        "commercial.purchase_history": "Purchase details (what, when, how much)",
        "commercial.orders": "Orders",
        "commercial.invoices": "Invoices and accounting records",
        "commercial.contracts": "Contracts",
        "commercial.loyalty": "Loyalty programme data",
        "financial": "Payment data",
        "financial.payment": "Payment method and transactions",
        "financial.bank_account": "Bank account (IBAN)",
        "financial.card": "Payment card",
        "online": "Online identifiers and behaviour",
        "online.ip_address": "IP address",
        "online.device": "Device identifiers",
        "online.browser": "Browser data",
        "online.browsing": "Browsing behaviour",
        "online.funnel": "Conversion funnel events",
        "online.cookie_id": "Cookie identifiers",
        "online.location": "Location",
        "inferred": (
            "What the controller derived about the person (profiling output), never provided by "
            "the person (Art. 20)"
        ),
        "inferred.segment": "Segment or cluster the person was put in",
        "inferred.score": "Score (propensity, churn, credit-like ratings)",
        "inferred.preferences": "Preferences inferred from behaviour",
        "free_text": "Notes and other free text: may hold anything, special data included",
        "special": "Special categories of personal data (Art. 9(1))",
        "special.racial_ethnic_origin": "Racial or ethnic origin",
        "special.political_opinions": "Political opinions",
        "special.religious_beliefs": "Religious or philosophical beliefs",
        "special.trade_union": "Trade union membership",
        "special.genetic": "Genetic data",
        "special.biometric": "Biometric data for unique identification",
        "special.health": "Data concerning health",
        "special.sex_life": "Sex life or sexual orientation",
        "criminal": "Criminal convictions and offences (Art. 10)",
        "criminal.convictions": "Criminal convictions",
        "criminal.offences": "Offences",
        "meta": "Technical, non-personal fields (source, country code, consent flags)",
    }
)

#: Roots whose values never enter an anonymous copy (identifiers and sensitive data).
PERSONAL_ROOTS_NEVER_ANONYMOUS: Final = frozenset(
    {"identity", "contact", "online", "special", "criminal", "free_text"}
)


def covers(prefix: str, category: str) -> bool:
    """Whether the listed category ``prefix`` covers ``category`` (itself or anything below it)."""
    return category == prefix or category.startswith(prefix + ".")


def root(category: str) -> str:
    """The root of a dotted category: ``contact`` for ``contact.email``."""
    return category.split(".", 1)[0]


class Catalogue:
    """The categories a policy may use: the built-in ones plus the policy's own.

    ``special`` holds every category treated as special (Art. 9): everything under ``special``
    and any custom category declared ``special: true``. ``criminal`` likewise for Art. 10.
    """

    __slots__ = ("_criminal", "_known", "_special")

    def __init__(self, custom: Mapping[str, bool] | None = None) -> None:
        known = set(BUILTIN_CATEGORIES)
        special = {c for c in BUILTIN_CATEGORIES if covers("special", c)}
        criminal = {c for c in BUILTIN_CATEGORIES if covers("criminal", c)}
        for name, is_special in (custom or {}).items():
            parts = name.split(".")
            known.update(".".join(parts[: i + 1]) for i in range(len(parts)))
            if is_special:
                special.add(name)
        self._known = frozenset(known)
        self._special = frozenset(special)
        self._criminal = frozenset(criminal)

    def __contains__(self, category: object) -> bool:
        return category in self._known

    @property
    def names(self) -> frozenset[str]:
        """Every category this catalogue knows (roots included)."""
        return self._known

    def is_special(self, category: str) -> bool:
        """Art. 9(1) data: under ``special``, or a custom category declared special."""
        return covers("special", category) or any(covers(s, category) for s in self._special)

    def is_criminal(self, category: str) -> bool:
        """Art. 10 data."""
        return covers("criminal", category)

    def covered(self, category: str, listed: Iterable[str]) -> bool:
        """Whether any of the ``listed`` categories covers ``category``."""
        return any(covers(p, category) for p in listed)


#: The transforms a purpose may name for a field (``transform: {email: token}``).
TRANSFORM_METHODS: Final = frozenset(
    {
        "token",
        "encrypt",
        "mask",
        "generalise.year",
        "generalise.month",
        "generalise.decade",
        "generalise.age_band",
        "generalise.postcode",
        "generalise.ip",
        "redact",
        "drop",
    }
)
#: Transforms that need a key ring.
KEYED_METHODS: Final = frozenset({"token", "encrypt"})
#: Value formats a field may declare (``format: email``).
FORMAT_NAMES: Final = ("email", "phone", "codice_fiscale", "partita_iva", "country", "date", "ip")
