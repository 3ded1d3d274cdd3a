"""Reports a privacy officer hands over, written from the policy itself (Art. 5(2)).

* :func:`processing_register` — the record of processing activities of Art. 30(1), one
  activity per purpose, as JSON-ready data; :func:`render_register` renders it as Markdown.
* :func:`privacy_notice` — the information of Art. 13 (and Art. 14: categories and sources)
  for data subjects, as Markdown.

Both say only what the policy says. What a policy does not declare (recipients, transfers to
third countries, security measures beyond pseudonymisation) is named as "not declared in the
policy", never invented: the officer completes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from gdprkit._jurisdictions import caps_in_force
from gdprkit._policy import Policy, Purpose
from gdprkit._taxonomy import BUILTIN_CATEGORIES, LegalBasis, SpecialCondition, covers
from gdprkit._time import Period, parse_period

__all__ = ["privacy_notice", "processing_register", "render_register"]

BASIS_ARTICLES: Final[Mapping[LegalBasis, str]] = {
    LegalBasis.CONSENT: "Art. 6(1)(a)",
    LegalBasis.CONTRACT: "Art. 6(1)(b)",
    LegalBasis.LEGAL_OBLIGATION: "Art. 6(1)(c)",
    LegalBasis.VITAL_INTERESTS: "Art. 6(1)(d)",
    LegalBasis.PUBLIC_TASK: "Art. 6(1)(e)",
    LegalBasis.LEGITIMATE_INTERESTS: "Art. 6(1)(f)",
}
BASIS_TEXT: Final[Mapping[LegalBasis, str]] = {
    LegalBasis.CONSENT: "your consent",
    LegalBasis.CONTRACT: (
        "the performance of a contract with you, or steps you asked for before one"
    ),
    LegalBasis.LEGAL_OBLIGATION: "a legal obligation of the controller",
    LegalBasis.VITAL_INTERESTS: "the protection of your or another person's vital interests",
    LegalBasis.PUBLIC_TASK: "a task carried out in the public interest",
    LegalBasis.LEGITIMATE_INTERESTS: "the legitimate interests of the controller",
}
CONDITION_ARTICLES: Final[Mapping[SpecialCondition, str]] = {
    condition: f"Art. 9(2)({letter})"
    for condition, letter in zip(SpecialCondition, "abcdefghij", strict=True)
}
#: Supervisory authorities by the controller's country (Art. 13(2)(d)); others: "the authority".
AUTHORITIES: Final[Mapping[str, str]] = {
    "IT": "the Garante per la protezione dei dati personali (garanteprivacy.it)",
    "FR": "the CNIL (cnil.fr)",
    "DE": "the competent Land authority or the BfDI",
    "ES": "the AEPD (aepd.es)",
    "IE": "the Data Protection Commission (dataprotection.ie)",
    "NL": "the Autoriteit Persoonsgegevens",
}
NOT_DECLARED: Final = "not declared in the policy"


def _describe(policy: Policy, category: str) -> str:
    custom = policy.categories.get(category)
    if custom is not None and custom.description:
        return custom.description
    return BUILTIN_CATEGORIES.get(category, category)


def _fields_of(policy: Policy, purpose: Purpose) -> dict[str, str]:
    return {
        name: spec.category
        for name, spec in policy.fields.items()
        if any(covers(c, spec.category) for c in purpose.categories)
    }


def _cap(policy: Policy, name: str, categories: tuple[str, ...]) -> str | None:
    """The national cap (or the extension replacing it) on a rule's categories, as text."""
    for cap in caps_in_force(policy, name):
        if cap.binds(categories):
            return f"{cap.period.text} ({cap.reference})"
    return None


def _period_text(period: str) -> str:
    parsed: Period = parse_period(period)
    if parsed.is_calendar_only():
        months = parsed.months
        if months % 12 == 0:
            years = months // 12
            return f"{years} year" + ("s" if years != 1 else "")
        return f"{months} month" + ("s" if months != 1 else "")
    return period


def processing_register(policy: Policy) -> dict[str, Any]:
    """The Art. 30(1) record of processing activities: one activity per purpose, JSON-ready.

    Shape: ``{"controller": {...}, "activities": [{"purpose", "description", "basis",
    "basis_article", "special_condition", "criminal_authorisation", "applies_to",
    "categories_of_data": [{"category", "description", "special", "fields"}], "sources",
    "retention": [{"categories", "period", "from", "then", "cap"}], "pseudonymisation",
    "direct_marketing", "profiling", "recipients", "transfers"}]}``.
    """
    catalogue = policy.catalogue
    controller = policy.controller
    activities = []
    for name, purpose in policy.purposes.items():
        fields = _fields_of(policy, purpose)
        by_category: dict[str, list[str]] = {}
        for fname, category in fields.items():
            by_category.setdefault(category, []).append(fname)
        activities.append(
            {
                "purpose": name,
                "description": purpose.description,
                "basis": purpose.basis.value,
                "basis_article": BASIS_ARTICLES[purpose.basis],
                "special_condition": (
                    None
                    if purpose.special is None
                    else {
                        "condition": purpose.special.value,
                        "article": CONDITION_ARTICLES[purpose.special],
                    }
                ),
                "criminal_authorisation": purpose.criminal,
                "applies_to": {k: list(v) for k, v in (purpose.when or {}).items()},
                "categories_of_data": [
                    {
                        "category": category,
                        "description": _describe(policy, category),
                        "special": catalogue.is_special(category),
                        "fields": names,
                    }
                    for category, names in by_category.items()
                ],
                "sources": list(purpose.sources) if purpose.sources is not None else None,
                "retention": [
                    {
                        "categories": list(rule.categories) if rule.categories else None,
                        "period": rule.period,
                        "from": rule.from_,
                        "then": rule.then,
                        "cap": (
                            None
                            if rule.categories is None  # caps bind rules on categories only
                            else _cap(policy, name, rule.categories)
                        ),
                    }
                    for rule in purpose.retention
                ],
                "pseudonymisation": {f: t.method for f, t in purpose.transform.items()},
                "direct_marketing": purpose.direct_marketing is True,
                "profiling": purpose.profiling,
                "recipients": NOT_DECLARED,
                "transfers": NOT_DECLARED,
            }
        )
    return {
        "controller": {
            "name": controller.name,
            "country": controller.country,
            "contact": controller.contact,
            "dpo": controller.dpo,
            "representative": controller.representative,
        },
        "activities": activities,
    }


def render_register(register: Mapping[str, Any]) -> str:
    """The register of :func:`processing_register` as a Markdown document."""
    c = register["controller"]
    lines = [
        "# Record of processing activities (Art. 30(1) GDPR)",
        "",
        f"**Controller:** {c['name']} ({c['country']}), {c['contact']}",
        f"**Data protection officer:** {c['dpo'] or NOT_DECLARED}",
        "",
    ]
    for a in register["activities"]:
        lines += [f"## {a['purpose']}", ""]
        if a["description"]:
            lines += [a["description"], ""]
        lines.append(f"* **Legal basis:** {a['basis']} ({a['basis_article']})")
        if a["special_condition"]:
            sc = a["special_condition"]
            lines.append(f"* **Special categories condition:** {sc['condition']} ({sc['article']})")
        if a["criminal_authorisation"]:
            lines.append(f"* **Art. 10 authorisation:** {a['criminal_authorisation']}")
        if a["applies_to"]:
            cond = "; ".join(f"{k} in {', '.join(map(str, v))}" for k, v in a["applies_to"].items())
            lines.append(f"* **Applies to:** {cond}")
        cats = ", ".join(
            f"{d['category']}{' (special)' if d['special'] else ''}"
            for d in a["categories_of_data"]
        )
        lines.append(f"* **Categories of data:** {cats or 'none of the declared fields'}")
        if a["sources"] is not None:
            lines.append(f"* **Sources:** {', '.join(a['sources'])}")
        if a["retention"]:
            lines.append("* **Erasure time limits:**")
            for r in a["retention"]:
                what = ", ".join(r["categories"]) if r["categories"] else "the whole record"
                cap = f"; capped at {r['cap']}" if r["cap"] else ""
                lines.append(f"  * {what}: {r['period']} from `{r['from']}`, then {r['then']}{cap}")
        else:
            lines.append("* **Erasure time limits:** no retention rule in the policy")
        if a["pseudonymisation"]:
            pseudo = ", ".join(f"{f} ({m})" for f, m in a["pseudonymisation"].items())
            lines.append(f"* **Pseudonymisation:** {pseudo}")
        lines.append(f"* **Recipients:** {a['recipients']}")
        lines.append(f"* **Transfers to third countries:** {a['transfers']}")
        lines.append("")
    return "\n".join(lines)


def privacy_notice(policy: Policy, purposes: Iterable[str] | None = None) -> str:
    """The Art. 13 information (with Art. 14's categories and sources) as Markdown.

    ``purposes`` limits the notice to those purposes (a notice per collection channel); by
    default every purpose of the policy. Unknown purposes raise ``ConfigurationError``.
    """
    names = list(policy.purposes) if purposes is None else list(purposes)
    chosen = [(name, policy.purpose(name)) for name in names]
    c = policy.controller
    authority = AUTHORITIES.get(c.country, "the supervisory authority of your Member State")
    lines = [
        "# How we use your personal data",
        "",
        f"**Who we are.** {c.name} is the controller of your personal data. "
        f"You can reach us at {c.contact}."
        + (f" Our data protection officer: {c.dpo}." if c.dpo else ""),
        "",
        "## Why we process your data, and on what ground",
        "",
    ]
    any_consent = any_contract = any_profiling = any_marketing = False
    for name, purpose in chosen:
        title = purpose.description or name.replace("_", " ").capitalize()
        ground = f"{BASIS_TEXT[purpose.basis]} ({BASIS_ARTICLES[purpose.basis]} GDPR)"
        lines.append(f"### {title}")
        lines.append("")
        lines.append(f"* **Legal ground:** {ground}.")
        if purpose.special is not None:
            lines.append(
                "* **Special categories of data** are processed on the ground of "
                f"{purpose.special.value.replace('_', ' ')} "
                f"({CONDITION_ARTICLES[purpose.special]} GDPR)."
            )
        descriptions = sorted(
            {_describe(policy, cat) for cat in _fields_of(policy, purpose).values()}
        )
        personal = [d for d in descriptions if d != BUILTIN_CATEGORIES["meta"]]
        if personal:
            lines.append(f"* **Data used:** {'; '.join(personal)}.")
        if purpose.sources is not None:
            lines.append(f"* **Where the data come from:** {', '.join(purpose.sources)}.")
        for rule in purpose.retention:
            what = (
                "your data"
                if rule.categories is None
                else ", ".join(_describe(policy, cat).lower() for cat in rule.categories)
            )
            after = "anonymised" if rule.then == "anonymise" else "deleted"
            lines.append(
                f"* **How long:** {what}: {_period_text(rule.period)} from "
                f"{rule.from_.replace('_', ' ')}, then {after}."
            )
        if not purpose.retention:
            lines.append("* **How long:** as long as needed for this purpose.")
        if purpose.basis is LegalBasis.LEGITIMATE_INTERESTS:
            lines.append("* You may **object** to this processing at any time (Art. 21(1)).")
        if purpose.direct_marketing:
            any_marketing = True
        if purpose.profiling:
            any_profiling = True
        if purpose.basis is LegalBasis.CONSENT:
            any_consent = True
        if purpose.basis is LegalBasis.CONTRACT:
            any_contract = True
        lines.append("")
    lines += ["## Your rights", ""]
    lines.append(
        "You may ask us for access to your data (Art. 15), their rectification (Art. 16) or "
        "erasure (Art. 17), the restriction of their processing (Art. 18), and to receive the "
        "data you gave us in a machine-readable format (Art. 20)."
    )
    if any_consent:
        lines.append(
            "Where we rely on your consent you may withdraw it at any time, as easily as you "
            "gave it; this does not affect processing before the withdrawal (Art. 7(3))."
        )
    if any_marketing:
        lines.append(
            "You may object at any time, free of charge, to the use of your data for direct "
            "marketing, including related profiling: we will then stop (Art. 21(2)-(3))."
        )
    if any_profiling:
        lines.append(
            "Some of your data are used to build a profile (profiling); you may object to "
            "profiling related to direct marketing, and where it rests on consent, withdraw it."
        )
    if any_contract:
        lines.append(
            "The data needed for a contract are a contractual requirement: without them we "
            "cannot perform it (Art. 13(2)(e))."
        )
    lines.append(f"You have the right to lodge a complaint with {authority} (Art. 77).")
    lines.append("")
    return "\n".join(lines)
