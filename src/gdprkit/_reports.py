"""Documents a privacy officer signs, written from the policy itself (Art. 5(2)).

* :func:`processing_register` — the record of processing activities of Art. 30(1), one
  activity per purpose, as JSON-ready data with a ``missing`` list of what the policy does not
  declare; :func:`render_register` renders it as Markdown, HTML or CSV.
* :func:`privacy_notice` — the information of Art. 13 and, for purposes fed by sources other
  than the data subject, Art. 14, as Markdown or HTML.

Both come in English (``language="en"``) and Italian (``"it"``) and say only what the policy
says: what it does not declare is named as such ("not declared in the policy"), never invented.
Retention is the one the engine enforces: the shorter of the policy's period and a national cap
(:func:`gdprkit._jurisdictions.caps_in_force`, the engine's own source). Field names never
appear in a rendered document: a field is described by its ``description``, its role or its
category. Every text coming from the policy is escaped for the format (Markdown, HTML), and a
CSV cell that a spreadsheet would read as a formula is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, Literal

from gdprkit._decision import _shortest  # the engine's own choice of the binding periods
from gdprkit._errors import ConfigurationError
from gdprkit._jurisdictions import caps_in_force
from gdprkit._policy import Policy, Purpose, RetentionRule
from gdprkit._reports_text import (
    AUTHORITIES,
    BASES,
    BASES_REGISTER,
    CATEGORIES_IT,
    CONDITIONS,
    COUNTRIES,
    EEA,
    METHODS,
    PROVIDING,
    REFERENCES_IT,
    ROLES,
    SAFEGUARDS,
    SOURCES,
    TEXT,
    UNITS,
    Language,
    article,
)
from gdprkit._taxonomy import BUILTIN_CATEGORIES, LegalBasis, SpecialCondition, covers
from gdprkit._time import Period, parse_period

__all__ = ["privacy_notice", "processing_register", "render_register"]

NoticeFormat = Literal["markdown", "html"]
RegisterFormat = Literal["markdown", "html", "csv"]
_LANGUAGES: Final = ("en", "it")
_PURCHASES: Final = ("commercial.purchase_history", "commercial.orders")
_SUBJECT_ROLES: Final[Mapping[str, tuple[str, str]]] = {
    "id": ("customer identifier", "identificativo del cliente"),
    "country": ("country", "paese"),
    "birth_date": ("date of birth", "data di nascita"),
    "source": ("source of the data", "fonte dei dati"),
    "relationship": ("relationship with us", "rapporto con noi"),
}
_ISO_PART = re.compile(r"(\d+)([YMWDHS])")

#: Kept for callers of the first release: the English texts of the Art. 6(1) bases.
BASIS_ARTICLES: Final[Mapping[LegalBasis, str]] = {
    basis: f"Art. 6(1)({letter})" for basis, (_, letter) in BASES["en"].items()
}
CONDITION_ARTICLES: Final[Mapping[SpecialCondition, str]] = {
    condition: f"Art. 9(2)({letter})"
    for condition, letter in zip(SpecialCondition, "abcdefghij", strict=True)
}
NOT_DECLARED: Final = TEXT["en"]["not_declared"]


def _language(language: object) -> Language:
    if language == "en":
        return "en"
    if language == "it":
        return "it"
    raise ConfigurationError(f"unknown language {language!r}; one of 'en', 'it'")


# --------------------------------------------------------------------------------------------
# Words from the policy.


def _category(policy: Policy, category: str, lang: Language) -> str:
    custom = policy.categories.get(category)
    if custom is not None and custom.description:
        return custom.description
    if lang == "it" and category in CATEGORIES_IT:
        return CATEGORIES_IT[category]
    if category in BUILTIN_CATEGORIES:
        return BUILTIN_CATEGORIES[category]
    return category.replace("_", " ").replace(".", ": ")


def _consent_columns(policy: Policy) -> set[str]:
    return {
        p.consent.at for p in policy.purposes.values() if p.consent is not None and p.consent.at
    }


def _field(policy: Policy, name: str, lang: Language) -> str:
    """A field in words: its description, its role as a subject field, or its category."""
    spec = policy.fields[name]
    if spec.description:
        return spec.description
    for role, (en, it) in _SUBJECT_ROLES.items():
        if getattr(policy.subject, role) == name:
            return it if lang == "it" else en
    return _category(policy, spec.category, lang)


def _anchor(policy: Policy, name: str, lang: Language, *, register: bool = False) -> str:
    """Where a retention period starts, in words (never the column's name); the register
    speaks of the data subject in the third person."""
    t = TEXT[lang]

    def said(key: str) -> str:
        return t.get(f"{key}_r", t[key]) if register else t[key]

    spec = policy.fields[name]
    if spec.description:
        return t["from_described"].format(description=spec.description)
    if name in _consent_columns(policy):
        return said("from_consent")
    if any(covers(c, spec.category) for c in _PURCHASES):
        # A field every new purchase moves (last_*) counts from the last one.
        return said("from_last_purchase") if name.startswith("last_") else said("from_purchase")
    if covers("demographic.birth_date", spec.category) or policy.subject.birth_date == name:
        return said("from_birth")
    return t["from_described"].format(description=_field(policy, name, lang))


def _period(period: Period, lang: Language) -> str:
    """``P24M`` as "24 months" / "24 mesi"; ``P1Y6M`` as "1 year and 6 months"."""
    text = period.text
    date_part, _, time_part = text[1:].partition("T")
    parts = [(int(n), unit) for n, unit in _ISO_PART.findall(date_part)]
    parts += [(int(n), "MIN" if unit == "M" else unit) for n, unit in _ISO_PART.findall(time_part)]
    words = [
        f"{n} {UNITS[lang][unit][0] if n == 1 else UNITS[lang][unit][1]}" for n, unit in parts if n
    ]
    if not words:
        return text
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + f" {TEXT[lang]['and']} " + words[-1]


def _reference(reference: str, lang: Language) -> str:
    return REFERENCES_IT.get(reference, reference) if lang == "it" else reference


def _country(code: str, lang: Language) -> str:
    return COUNTRIES[lang].get(code, code)


def _join(items: Iterable[str], lang: Language) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {TEXT[lang]['and']} " + items[-1]


def _title(name: str, purpose: Purpose) -> str:
    return purpose.description or name.replace("_", " ").capitalize()


def _basis(purpose: Purpose, lang: Language) -> str:
    text, letter = BASES[lang][purpose.basis]
    return f"{text} ({article(lang, '6', '1', letter)})"


def _special(purpose: Purpose, lang: Language) -> str | None:
    if purpose.special is None:
        return None
    letter = "abcdefghij"[list(SpecialCondition).index(purpose.special)]
    return TEXT[lang]["special_text"].format(
        condition=CONDITIONS[lang][purpose.special], article=article(lang, "9", "2", letter)
    )


def _data_categories(policy: Policy, purpose: Purpose) -> dict[str, list[str]]:
    """The declared fields a purpose covers, by category (in the policy's order)."""
    by_category: dict[str, list[str]] = {}
    for fname, spec in policy.fields.items():
        if any(covers(c, spec.category) for c in purpose.categories):
            by_category.setdefault(spec.category, []).append(fname)
    return by_category


def _data_words(policy: Policy, purpose: Purpose, lang: Language) -> list[str]:
    words: list[str] = []
    for category, names in _data_categories(policy, purpose).items():
        if category == "meta":
            continue  # technical fields: no personal data to describe
        described = [policy.fields[n].description for n in names]
        for text in [d for d in described if d] or [_category(policy, category, lang)]:
            if text not in words:
                words.append(text)
    return words


def _sources(policy: Policy, purpose: Purpose, lang: Language) -> tuple[str, bool]:
    """The sources of a purpose in words, and whether any is other than the subject (Art. 14).
    A source gdprkit does not know is taken as another source (the notice then says more)."""
    t = TEXT[lang]
    listed = purpose.sources
    if listed is None:
        channels: list[str] = []
        for p in policy.purposes.values():
            for s in p.sources or ():
                if s not in channels:
                    channels.append(s)
        if not channels:
            return t["source_subject"], False
        words, indirect = _source_words(channels, lang)
        return t["source_any"].format(channels=words), indirect
    return _source_words(list(listed), lang)


def _source_words(codes: Sequence[str], lang: Language) -> tuple[str, bool]:
    words, indirect = [], False
    for code in codes:
        known = SOURCES.get(code.lower())
        if known is None:
            words.append(code.replace("_", " "))
            indirect = True
        else:
            words.append(known[2] if lang == "it" else known[1])
            indirect = indirect or not known[0]
    return "; ".join(words), indirect


def _retention(policy: Policy, name: str, lang: Language, *, register: bool = False) -> list[str]:
    """Each retention rule of a purpose as enforced: the engine's binding periods (the shorter
    of the rule's and a national cap's, :func:`_shortest`), from its anchor in words."""
    t = TEXT[lang]
    purpose = policy.purposes[name]
    caps = caps_in_force(policy, name)
    out = []
    for rule in purpose.retention:
        what = (
            t["all_data" if register else "your_data"]
            if rule.categories is None
            else ", ".join(_category(policy, c, lang).lower() for c in rule.categories)
        )
        own = parse_period(rule.period)
        binding = [] if rule.categories is None else [c for c in caps if c.binds(rule.categories)]
        periods = _shortest([own, *(c.period for c in binding)])
        if len(periods) == 1:
            how_long = _period(periods[0], lang)
        else:
            how_long = t["shorter_of"].format(
                periods=_join((_period(p, lang) for p in periods), lang)
            )
        then = t["then_anonymise"] if rule.then == "anonymise" else t["then_delete"]
        text = f"{what}: {how_long} {_anchor(policy, rule.from_, lang, register=register)}, {then}"
        limiting = [c for c in binding if c.period in periods and c.period != own]
        if limiting:
            text += (
                " ("
                + t["capped_by"].format(reference=_reference(limiting[0].reference, lang))
                + ")"
            )
        out.append(text)
        if rule.categories is None:
            out.extend(_record_rule_caps(policy, name, rule, lang))
    return out


def _record_rule_caps(policy: Policy, name: str, rule: RetentionRule, lang: Language) -> list[str]:
    """A record-level rule in a capped purpose: its purchase details keep at most the cap."""
    purpose = policy.purposes[name]
    out = []
    for cap in caps_in_force(policy, name):
        covered = [
            c
            for c in cap.categories
            if any(covers(p, c) or covers(c, p) for p in purpose.categories)
        ]
        if not covered:
            continue
        periods = _shortest([parse_period(rule.period), cap.period])
        if len(periods) == 1 and periods[0] == parse_period(rule.period):
            continue  # the record's own period is already the shorter
        out.append(
            TEXT[lang]["also_capped"].format(
                what=", ".join(_category(policy, c, lang).lower() for c in covered),
                period=_period(cap.period, lang),
                reference=_reference(cap.reference, lang),
            )
        )
    return out


def _recipients_of(policy: Policy, name: str) -> list[Any] | None:
    if policy.recipients is None:
        return None
    return [r for r in policy.recipients if r.purposes is None or name in r.purposes]


def _recipient_words(policy: Policy, name: str, lang: Language) -> str:
    t = TEXT[lang]
    chosen = _recipients_of(policy, name)
    if chosen is None:
        return t["not_declared"]
    if not chosen:
        return t["no_recipients"]
    items = []
    for r in chosen:
        where = f", {_country(r.country, lang)}" if r.country else ""
        items.append(f"{r.name} ({ROLES[lang][r.role]}{where})")
    return "; ".join(items)


def _transfer_words(policy: Policy, name: str | None, lang: Language) -> str:
    """The transfers that concern purpose ``name`` (all of them for ``None``)."""
    t = TEXT[lang]
    abroad: list[str] = []
    recipients = (policy.recipients or ()) if name is None else (_recipients_of(policy, name) or [])
    for r in recipients:
        if r.country and r.country not in EEA and r.country not in abroad:
            abroad.append(r.country)
    if policy.transfers is None:
        if not abroad:
            return t["not_declared"]
        return "; ".join(t["transfer_unsafe"].format(country=_country(c, lang)) for c in abroad)
    declared = {tr.country for tr in policy.transfers}
    recipient_countries = {r.country for r in policy.recipients or () if r.country}
    items = []
    for tr in policy.transfers:
        # A transfer tied to a recipient concerns that recipient's purposes; one without a
        # recipient in that country concerns every purpose.
        if tr.country in recipient_countries and tr.country not in abroad:
            continue
        text = t["transfer_text"].format(
            country=_country(tr.country, lang), safeguard=SAFEGUARDS[lang][tr.safeguard]
        )
        if tr.reference:
            text += "; " + t["transfer_reference"].format(reference=tr.reference)
        if tr.safeguard in ("scc", "bcr"):
            text += "; " + t["transfer_copy"].format(contact=policy.controller.contact)
        items.append(text)
    items += [
        t["transfer_unsafe"].format(country=_country(c, lang)) for c in abroad if c not in declared
    ]
    return "; ".join(items) if items else t["no_transfers"]


def _pseudonymisation(policy: Policy, purpose: Purpose, lang: Language) -> list[str]:
    out = []
    for fname, spec in purpose.transform.items():
        method = METHODS[lang].get(spec.method, METHODS[lang].get(spec.method.split(".")[0]))
        out.append(f"{_field(policy, fname, lang)} ({method or spec.method})")
    return out


# --------------------------------------------------------------------------------------------
# The register.


def _missing(policy: Policy) -> list[str]:
    c = policy.controller
    missing: list[str] = []
    if c.dpo is None:
        missing.append("controller.dpo")
    if c.representative is None and c.country not in EEA:
        missing.append("controller.representative")  # Art. 27: controllers outside the Union
    for name, purpose in policy.purposes.items():
        if purpose.data_subjects is None or not purpose.data_subjects:
            missing.append(f"purposes.{name}.data_subjects")
        if purpose.basis is LegalBasis.LEGITIMATE_INTERESTS and not purpose.interest:
            missing.append(f"purposes.{name}.interest")
        if not purpose.retention:
            missing.append(f"purposes.{name}.retention")
    if policy.recipients is None:
        missing.append("recipients")
    if policy.transfers is None:
        missing.append("transfers")
    declared = {t.country for t in policy.transfers or ()}
    for r in policy.recipients if policy.transfers is not None and policy.recipients else ():
        country = r.country
        if country and country not in EEA and country not in declared:
            where = f"transfers.{country}"
            if where not in missing:
                missing.append(where)
    if not policy.security:
        missing.append("security")
    return missing


def _missing_words(policy: Policy, where: str, lang: Language) -> str:
    t = TEXT[lang]
    parts = where.split(".")
    if parts[0] == "purposes":
        purpose = policy.purposes[parts[1]]
        return t[f"m_{parts[2]}"].format(purpose=_title(parts[1], purpose))
    if parts[0] == "transfers" and len(parts) == 2:
        return t["m_transfer_country"].format(country=_country(parts[1], lang))
    return t[f"m_{where}"]


def processing_register(policy: Policy, *, language: str = "en") -> dict[str, Any]:
    """The Art. 30(1) record of processing activities: one activity per purpose, JSON-ready.

    ``language`` (``"en"`` or ``"it"``) is the language of the texts in ``rows`` and
    ``missing_text``, which :func:`render_register` prints. Shape: ``{"language", "title",
    "controller": {...}, "controller_rows": [[label, text]], "recipients", "transfers",
    "security", "activities": [{"purpose", "description", "basis", "basis_article",
    "special_condition", "criminal_authorisation", "interest", "data_subjects", "applies_to",
    "categories_of_data": [{"category", "description", "special", "fields"}], "sources",
    "retention": [{"categories", "period", "from", "then", "cap", "enforced"}],
    "pseudonymisation", "direct_marketing", "profiling", "recipients", "transfers",
    "rows": [[label, text]]}], "missing": ["recipients", "purposes.x.data_subjects", ...],
    "missing_text": [...]}``. ``missing`` names, by their place in the policy, each Art. 30(1)
    element the policy does not declare (and the Art. 13(1)(d) interest of a legitimate
    interests purpose); the representative only for a controller outside the EEA.
    """
    lang = _language(language)
    t = TEXT[lang]
    catalogue = policy.catalogue
    controller = policy.controller
    security = list(policy.security) if policy.security is not None else None
    activities = []
    for name, purpose in policy.purposes.items():
        caps = caps_in_force(policy, name)
        retention = []
        for rule in purpose.retention:
            binding = (
                [] if rule.categories is None else [c for c in caps if c.binds(rule.categories)]
            )
            periods = _shortest([parse_period(rule.period), *(c.period for c in binding)])
            retention.append(
                {
                    "categories": list(rule.categories) if rule.categories else None,
                    "period": rule.period,
                    "from": rule.from_,
                    "then": rule.then,
                    "cap": (
                        None
                        if not binding
                        else f"{binding[0].period.text} ({binding[0].reference})"
                    ),
                    "enforced": [p.text for p in periods],
                }
            )
        special = _special(purpose, lang)
        special_cell = "; ".join(
            x
            for x in (
                special,
                f"{t['criminal']} {purpose.criminal}" if purpose.criminal else None,
            )
            if x
        )
        measures = list(security or [])
        pseudo = _pseudonymisation(policy, purpose, lang)
        if pseudo:
            measures.append(t["r_pseudonymised"].format(items="; ".join(pseudo)))
        flags = [
            t[key]
            for key, on in (
                ("r_profiling_yes", purpose.profiling),
                ("r_marketing_yes", purpose.direct_marketing is True),
            )
            if on
        ]
        source_words = (
            _sources(policy, purpose, lang)[0] if purpose.sources is not None else t["sources_any"]
        )
        data_words = _data_words(policy, purpose, lang)
        rows = [
            [t["r_purpose"], _title(name, purpose)],
            [
                t["r_basis"],
                f"{BASES_REGISTER[lang][purpose.basis]} "
                f"({article(lang, '6', '1', BASES[lang][purpose.basis][1])})",
            ],
            [
                t["r_interest"],
                (purpose.interest or t["not_declared"])
                if purpose.basis is LegalBasis.LEGITIMATE_INTERESTS
                else t["not_applicable"],
            ],
            [t["r_special"], special_cell or t["not_applicable"]],
            [
                t["r_subjects"],
                "; ".join(purpose.data_subjects) if purpose.data_subjects else t["not_declared"],
            ],
            [t["r_data"], "; ".join(data_words) or t["no_data"]],
            [t["r_sources"], source_words],
            [t["r_recipients"], _recipient_words(policy, name, lang)],
            [t["r_transfers"], _transfer_words(policy, name, lang)],
            [
                t["r_retention"],
                "; ".join(_retention(policy, name, lang, register=True)) or t["not_declared"],
            ],
            [t["r_security"], "; ".join(measures) or t["not_declared"]],
            [t["r_profiling"], _join(flags, lang) or t["no"]],
        ]
        recipients = _recipients_of(policy, name)
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
                "interest": purpose.interest,
                "data_subjects": (
                    list(purpose.data_subjects) if purpose.data_subjects is not None else None
                ),
                "applies_to": {k: list(v) for k, v in (purpose.when or {}).items()},
                "categories_of_data": [
                    {
                        "category": category,
                        "description": _category(policy, category, lang),
                        "special": catalogue.is_special(category),
                        "fields": names,
                    }
                    for category, names in _data_categories(policy, purpose).items()
                ],
                "sources": list(purpose.sources) if purpose.sources is not None else None,
                "retention": retention,
                "pseudonymisation": {f: s.method for f, s in purpose.transform.items()},
                "direct_marketing": purpose.direct_marketing is True,
                "profiling": purpose.profiling,
                "recipients": (
                    t["not_declared"]
                    if recipients is None
                    else [r.model_dump(mode="json", exclude_none=True) for r in recipients]
                ),
                "transfers": _transfer_words(policy, name, lang),
                "rows": rows,
            }
        )
    missing = _missing(policy)
    controller_rows = [
        [t["r_controller"], controller.name],
        [t["r_contact"], controller.contact],
        [
            t["r_representative"],
            controller.representative
            or (t["not_eu_needed"] if controller.country in EEA else t["not_declared"]),
        ],
        [t["r_dpo"], controller.dpo or t["not_declared"]],
    ]
    return {
        "language": lang,
        "title": t["register_title"],
        "controller": {
            "name": controller.name,
            "country": controller.country,
            "contact": controller.contact,
            "dpo": controller.dpo,
            "representative": controller.representative,
        },
        "controller_rows": controller_rows,
        "recipients": (
            None
            if policy.recipients is None
            else [r.model_dump(mode="json", exclude_none=True) for r in policy.recipients]
        ),
        "transfers": (
            None
            if policy.transfers is None
            else [tr.model_dump(mode="json", exclude_none=True) for tr in policy.transfers]
        ),
        "security": security,
        "activities": activities,
        "missing": missing,
        "missing_text": [_missing_words(policy, m, lang) for m in missing],
    }


# --------------------------------------------------------------------------------------------
# Rendering: a document is a list of blocks, printed as Markdown or HTML.

Block = tuple[str, Any]
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    """Policy text inside Markdown: its markup characters escaped, one line."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _h(text: str) -> str:
    return html.escape(" ".join(str(text).split()), quote=True)


def _markdown(blocks: list[Block]) -> str:
    lines: list[str] = []
    for kind, body in blocks:
        if kind in ("h1", "h2", "h3"):
            lines += ["#" * int(kind[1]) + " " + _md(body), ""]
        elif kind == "p":
            lines += [_md(body), ""]
        elif kind == "items":
            lines += [f"* **{_md(label)}** {_md(text)}" for label, text in body] + [""]
        elif kind == "list":
            lines += [f"* {_md(text)}" for text in body] + [""]
    return "\n".join(lines)


def _html(blocks: list[Block], title: str, lang: Language) -> str:
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{_h(title)}</title>",
        "</head>",
        "<body>",
    ]
    for kind, body in blocks:
        if kind in ("h1", "h2", "h3"):
            out.append(f"<{kind}>{_h(body)}</{kind}>")
        elif kind == "p":
            out.append(f"<p>{_h(body)}</p>")
        elif kind == "items":
            out.append("<ul>")
            out += [f"<li><strong>{_h(label)}</strong> {_h(text)}</li>" for label, text in body]
            out.append("</ul>")
        elif kind == "list":
            out.append("<ul>")
            out += [f"<li>{_h(text)}</li>" for text in body]
            out.append("</ul>")
        elif kind == "table":
            out.append("<table>")
            out += [
                f'<tr><th scope="row">{_h(label)}</th><td>{_h(text)}</td></tr>'
                for label, text in body
            ]
            out.append("</table>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


def _csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: one that starts like a formula gets a ``'``."""
    text = "" if value is None else " ".join(str(value).split())
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def render_register(register: Mapping[str, Any], *, format: str = "markdown") -> str:
    """The register of :func:`processing_register` as ``"markdown"``, ``"html"`` or ``"csv"``.

    The CSV is the spreadsheet form of the register (as the Garante's model register): a header
    row, then one row per processing activity with one column per Art. 30(1) element (the
    controller's columns repeated on each row), comma-separated, every cell quoted where needed
    (RFC 4180), lines ending in CRLF. It is returned as text; ``gdprkit ropa --format csv``
    writes it as UTF-8 with a byte-order mark, so that a spreadsheet reads accents right.
    """
    lang = _language(register.get("language", "en"))
    t = TEXT[lang]
    controller_rows = register.get("controller_rows") or [
        [t["r_controller"], register["controller"]["name"]],
        [t["r_contact"], register["controller"]["contact"]],
    ]
    activities = register["activities"]
    if format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        rows_of = [a.get("rows") or [[t["r_purpose"], a["purpose"]]] for a in activities]
        header = [label for label, _ in controller_rows] + (
            [label for label, _ in rows_of[0]] if rows_of else []
        )
        writer.writerow([_csv_cell(h) for h in header])
        for rows in rows_of:
            writer.writerow(
                [_csv_cell(v) for _, v in controller_rows] + [_csv_cell(v) for _, v in rows]
            )
        return buffer.getvalue()
    if format not in ("markdown", "html"):
        raise ConfigurationError(f"unknown format {format!r}; one of 'markdown', 'html', 'csv'")
    title = register.get("title") or t["register_title"]
    blocks: list[Block] = [
        ("h1", title),
        (
            "table" if format == "html" else "items",
            [
                (f"{label}:" if format == "markdown" else label, text)
                for label, text in controller_rows
            ],
        ),
    ]
    for a in activities:
        rows = a.get("rows") or [[t["r_purpose"], a["purpose"]]]
        blocks.append(("h2", a["purpose"]))  # the purpose's name; its description is a row
        blocks.append(
            (
                "table" if format == "html" else "items",
                [(f"{label}:" if format == "markdown" else label, text) for label, text in rows],
            )
        )
    missing = register.get("missing_text") or []
    if missing:
        blocks += [("h2", t["r_missing"]), ("list", missing)]
    if format == "html":
        return _html(blocks, title, lang)
    return _markdown(blocks)


# --------------------------------------------------------------------------------------------
# The notice.


def _authority(country: str, lang: Language) -> str:
    t = TEXT[lang]
    name = AUTHORITIES.get(country)
    if name is None:
        return t["complaint_unknown"]
    if lang == "it" and country != "IT":
        return t["complaint_other"].format(authority=name)
    return t["complaint"].format(authority=name)


def _marketing(purpose: Purpose) -> bool:
    """Direct marketing, or profiling not declared unrelated to it (Art. 21(2): design §5)."""
    return purpose.direct_marketing is True or (
        purpose.profiling and purpose.direct_marketing is None
    )


def privacy_notice(
    policy: Policy,
    purposes: Iterable[str] | None = None,
    *,
    language: str = "en",
    format: str = "markdown",
) -> str:
    """The information of Art. 13 (and Art. 14 for purposes fed by other sources).

    ``purposes`` limits the notice to those purposes (a notice per collection channel); by
    default every purpose of the policy. Unknown purposes raise ``ConfigurationError``.
    ``language`` is ``"en"`` or ``"it"``; ``format`` is ``"markdown"`` or ``"html"`` (a whole
    HTML document, every policy text escaped).
    """
    lang = _language(language)
    if format not in ("markdown", "html"):
        raise ConfigurationError(f"unknown format {format!r}; one of 'markdown', 'html'")
    t = TEXT[lang]
    names = list(policy.purposes) if purposes is None else list(purposes)
    chosen = [(name, policy.purpose(name)) for name in names]
    c = policy.controller
    who = [(t["controller"], c.name), (t["contact"], c.contact)]
    if c.representative:
        who.append((t["representative"], c.representative))
    if c.dpo:
        who.append((t["dpo"], c.dpo))
    blocks: list[Block] = [
        ("h1", t["notice_title"]),
        ("p", t["notice_intro"]),
        ("h2", t["h_controller"]),
        ("items", who),
        ("h2", t["h_purposes"]),
    ]
    bases = {p.basis for _, p in chosen}
    marketing = any(_marketing(p) for _, p in chosen)
    profiling = [_title(n, p) for n, p in chosen if p.profiling]
    for name, purpose in chosen:
        items: list[tuple[str, str]] = [(t["basis"], _basis(purpose, lang))]
        if purpose.basis is LegalBasis.LEGITIMATE_INTERESTS:
            items.append((t["interest"], purpose.interest or t["interest_missing"]))
        special = _special(purpose, lang)
        if special:
            items.append((t["special"], special))
        if purpose.criminal:
            items.append((t["criminal"], purpose.criminal))
        items.append((t["data"], "; ".join(_data_words(policy, purpose, lang)) or t["no_data"]))
        source, indirect = _sources(policy, purpose, lang)
        items.append((t["source"], source))
        if indirect:
            items.append((t["informed"], t["informed_text"]))
        items.append(
            (t["retention"], "; ".join(_retention(policy, name, lang)) or t["no_retention"])
        )
        items.append((t["recipients"], _recipient_words(policy, name, lang)))
        items.append((t["transfers"], _transfer_words(policy, name, lang)))
        items.append((t["providing"], PROVIDING[lang][purpose.basis]))
        if purpose.profiling:
            items.append((t["profiling"], t["profiling_text"]))
        rights = []
        if purpose.basis in (LegalBasis.CONSENT, LegalBasis.CONTRACT):
            rights.append(t["right_portability"])
        if purpose.basis is LegalBasis.CONSENT:
            rights.append(t["right_withdraw"])
        if purpose.basis in (LegalBasis.LEGITIMATE_INTERESTS, LegalBasis.PUBLIC_TASK):
            rights.append(t["right_object"])
        if _marketing(purpose):
            rights.append(t["right_object_marketing"])
        if rights:
            items.append((t["purpose_rights"], "; ".join(rights)))
        blocks += [("h3", _title(name, purpose)), ("items", items)]
    rights_text = [t["rights_all"]]
    if bases & {LegalBasis.CONSENT, LegalBasis.CONTRACT}:
        rights_text.append(t["rights_portability"])
    if LegalBasis.CONSENT in bases:
        rights_text.append(t["rights_withdraw"])
    if bases & {LegalBasis.LEGITIMATE_INTERESTS, LegalBasis.PUBLIC_TASK}:
        rights_text.append(t["rights_object"])
    if marketing:
        rights_text.append(t["rights_object_marketing"])
    how = t["rights_how"].format(contact=c.contact)
    if c.dpo:
        how += " " + t["rights_how_dpo"].format(dpo=c.dpo)
    blocks += [("h2", t["h_rights"]), *[("p", r) for r in rights_text], ("p", how)]
    blocks.append(("p", _authority(c.country, lang)))
    automated = (
        t["automated_profiling"].format(purposes="; ".join(profiling))
        if profiling
        else t["automated_none_profiling"]
    )
    blocks += [("h2", t["h_automated"]), ("p", automated + " " + t["automated_art22"])]
    if format == "html":
        return _html(blocks, t["notice_title"], lang)
    return _markdown(blocks)
