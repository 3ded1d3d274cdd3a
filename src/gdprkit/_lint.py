"""The policy linter: a policy that loads may still not mean what its author thinks.

``load_policy`` refuses what cannot be a policy (unknown keys, bad periods, dangling names).
:func:`lint` reports what loads but will not behave as it reads: a retention period the engine
will cut to a national cap, purchase details under a cap with no rule naming them (always
dropped), special or criminal data listed without the condition that lets it through, a
consent purpose with no way to find its consents, a purpose without any retention rule
(Art. 5(1)(e)); and what the law forbids or asks of a purpose as written (design §16): e-mail or
phone marketing without consent (Dir. 2002/58/EC art. 13, Codice privacy art. 130), a soft
opt-in beyond e-mail to customers (art. 130(4)), marketing or profiling on contract
(Art. 6(1)(b)), a legitimate interest left unnamed (Art. 13(1)(d)), purchase details aging from a
field every purchase moves (Garante, 24 February 2005), a DPIA that is likely needed (Art. 35(3)),
free text reaching a purpose untransformed (Art. 5(1)(c), Art. 9(1)).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from gdprkit._jurisdictions import caps_in_force
from gdprkit._policy import Policy, Purpose
from gdprkit._policy_file import segment, shown
from gdprkit._taxonomy import Catalogue, LegalBasis, covers
from gdprkit._time import Period, parse_period

__all__ = ["Finding", "lint"]

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the linter found: a stable ``code``, where, and why (no personal data)."""

    code: str
    location: str
    message: str
    severity: Severity = "warning"

    def __str__(self) -> str:
        return f"{self.severity}: {self.location}: {self.message} [{self.code}]"


def lint(policy: Policy) -> list[Finding]:
    """What in ``policy`` will not behave as it reads, in the order of the policy file."""
    findings: list[Finding] = []
    catalogue = policy.catalogue
    for name, purpose in policy.purposes.items():
        where, pname = f"purposes.{segment(name)}", shown(name)
        listed = purpose.categories
        used = {
            fname: spec.category
            for fname, spec in policy.fields.items()
            if any(covers(c, spec.category) for c in listed)
        }
        if not purpose.retention:
            findings.append(
                Finding(
                    "purpose.no_retention",
                    f"{where}.retention",
                    f"purpose {pname} has no retention rule: storage limitation (Art. 5(1)(e)) "
                    "is then left to other purposes and sweeps",
                )
            )
        elif all(rule.categories is not None for rule in purpose.retention):
            findings.append(
                Finding(
                    "retention.no_record_rule",
                    f"{where}.retention",
                    f"purpose {pname} has retention rules on categories only: while it may "
                    "process a record, sweeps keep the record (only the covered fields go)",
                )
            )
        for fname, category in used.items():
            fshown = shown(fname)
            if catalogue.is_special(category) and purpose.special is None:
                findings.append(
                    Finding(
                        "special.no_condition",
                        f"{where}.categories",
                        f"field {fshown} is special-category data and purpose {pname} names no "
                        "Art. 9(2) condition: it is always dropped",
                    )
                )
            if catalogue.is_criminal(category) and purpose.criminal is None:
                findings.append(
                    Finding(
                        "criminal.not_authorised",
                        f"{where}.categories",
                        f"field {fshown} is criminal-offence data and purpose {pname} records "
                        "no legal authorisation (Art. 10): it is always dropped",
                    )
                )
        ledger_consent = purpose.consent is None or purpose.consent.field is None
        if purpose.basis is LegalBasis.CONSENT and ledger_consent and policy.subject.id is None:
            findings.append(
                Finding(
                    "consent.no_source",
                    f"{where}.consent",
                    f"purpose {pname} reads consent from a ledger but the policy declares no "
                    "subject.id to look subjects up by: every record is denied",
                    "error",
                )
            )
        if purpose.basis is LegalBasis.LEGITIMATE_INTERESTS and purpose.special is not None:
            findings.append(
                Finding(
                    "basis.review",
                    f"{where}.basis",
                    f"purpose {pname} processes special-category data on legitimate interests: "
                    "check that its Art. 9(2) condition really applies",
                )
            )
        # National caps (e.g. the Garante's 12/24 months on purchase details in Italy).
        for cap in caps_in_force(policy, name):
            limit = cap.period
            capped_fields = [
                fname
                for fname, category in used.items()
                if any(covers(c, category) for c in cap.categories)
            ]
            # A record-level rule caps the purchase details too (design §5): they get the
            # shorter of its period and the cap, the rest of the record keeps its own period.
            naming = [
                (i, rule)
                for i, rule in enumerate(purpose.retention)
                if rule.categories is None or cap.binds(rule.categories)
            ]
            for i, rule in naming:
                if _longer(parse_period(rule.period), limit):
                    rest = (
                        " on them; the rest of the record keeps this period"
                        if rule.categories is None
                        else ""
                    )
                    findings.append(
                        Finding(
                            "retention.capped",
                            f"{where}.retention.{i}.period",
                            f"period {rule.period} exceeds the cap of {limit.text} that applies to "
                            f"{', '.join(cap.categories)} in {flag_name(cap.flag)} purposes "
                            f"({_prose(cap.reference)}): the cap is enforced{rest}",
                        )
                    )
            if capped_fields and not naming:
                findings.append(
                    Finding(
                        "retention.anchor_missing",
                        f"{where}.retention",
                        f"fields {', '.join(map(shown, sorted(capped_fields)))} fall under a cap of"
                        f" {limit.text} ({_prose(cap.reference)}) and no retention rule of purpose "
                        f"{pname} names them or covers the whole record: they are always dropped",
                        "error",
                    )
                )
        findings.extend(_law(policy, name, purpose, used))
    return findings


#: Purchase details the Garante's 2005 limits count (whatever the table holds them).
_PURCHASE_DETAILS = ("commercial.purchase_history", "commercial.orders")
#: ``when`` values that name no customer: a soft opt-in limited to them is not limited at all.
_NOT_CUSTOMERS = frozenset({"lead", "leads", "prospect", "prospects"})


def _touches(listed: tuple[str, ...], category: str) -> bool:
    """Whether categories ``listed`` reach ``category``: a prefix of it, it, or under it."""
    return any(covers(c, category) or covers(category, c) for c in listed)


def _law(policy: Policy, name: str, purpose: Purpose, used: dict[str, str]) -> list[Finding]:
    """The findings of design §16 that rest on the law itself (marketing, bases, DPIA...)."""
    out: list[Finding] = []
    where, pname = f"purposes.{segment(name)}", shown(name)
    listed, basis = purpose.categories, purpose.basis
    marketing = purpose.direct_marketing is True
    if marketing and basis is not LegalBasis.CONSENT and not purpose.soft_opt_in:
        if _touches(listed, "contact.email"):
            out.append(
                Finding(
                    "marketing.electronic_without_consent",
                    f"{where}.basis",
                    f"direct-marketing purpose {pname} covers e-mail addresses on basis "
                    f"{basis.value}: marketing by e-mail needs consent (Dir. 2002/58/EC "
                    "art. 13(1); Codice privacy art. 130(1)-(2)), or a soft opt-in to customers "
                    "(soft_opt_in: true, art. 130(4))",
                    "error",
                )
            )
        if _touches(listed, "contact.phone"):
            out.append(
                Finding(
                    "marketing.phone_without_consent",
                    f"{where}.basis",
                    f"direct-marketing purpose {pname} covers phone numbers on basis "
                    f"{basis.value}: SMS, MMS and automated calls need consent; calls by an "
                    "operator in Italy need a check of the Registro pubblico delle opposizioni "
                    "(Codice privacy art. 130(1)-(3-bis))",
                )
            )
    if purpose.soft_opt_in:
        beyond = sorted(
            c for c in listed if covers("contact", c) and not covers("contact.email", c)
        )
        if beyond:
            out.append(
                Finding(
                    "marketing.soft_opt_in_scope",
                    f"{where}.categories",
                    f"soft opt-in purpose {pname} covers {', '.join(map(shown, beyond))}: the "
                    "soft opt-in covers e-mail addresses only, never SMS or calls (Codice privacy "
                    "art. 130(4))",
                    "error",
                )
            )
        if not _customers_only(policy, purpose):
            out.append(
                Finding(
                    "marketing.soft_opt_in_scope",
                    f"{where}.when",
                    f"soft opt-in purpose {pname} has no 'when' condition on the subject's "
                    "relationship (subject.relationship) limiting it to customers: the soft "
                    "opt-in covers addresses given in the sale of a product or service (Codice "
                    "privacy art. 130(4))",
                    "error",
                )
            )
    if basis is LegalBasis.CONTRACT and (marketing or purpose.profiling):
        what = "direct marketing" if marketing else "profiling"
        out.append(
            Finding(
                "basis.contract_for_marketing",
                f"{where}.basis",
                f"purpose {pname} does {what} on basis contract: a contract covers what its "
                "performance, or steps the subject asked for before it, need, not marketing or "
                "profiling for it (Art. 6(1)(b); EDPB Guidelines 2/2019): use consent or "
                "legitimate interests",
                "error",
            )
        )
    if basis is LegalBasis.LEGITIMATE_INTERESTS and not (purpose.interest or "").strip():
        out.append(
            Finding(
                "basis.interest_undeclared",
                f"{where}.interest",
                f"purpose {pname} rests on legitimate interests and does not say which "
                "(interest): the notice must name them (Art. 13(1)(d))",
            )
        )
    capped = bool(caps_in_force(policy, name))
    for i, rule in enumerate(purpose.retention):
        if not rule.from_.casefold().startswith("last_"):
            continue
        if rule.categories is None:
            if not (capped and any(_touches(listed, c) for c in _PURCHASE_DETAILS)):
                continue
        elif not any(_touches(rule.categories, c) for c in _PURCHASE_DETAILS):
            continue
        out.append(
            Finding(
                "retention.moving_anchor",
                f"{where}.retention.{i}.from",
                f"purchase details of purpose {pname} age from {shown(rule.from_)}, a field "
                "every new purchase moves: older details never expire. Count each purchase "
                "from its own date, as rows of an orders table (Art. 5(1)(e); Garante, "
                "24 February 2005)",
            )
        )
    out.extend(_dpia(policy.catalogue, where, pname, purpose, used))
    loose = sorted(
        fname
        for fname, category in used.items()
        if covers("free_text", category) and fname not in purpose.transform
    )
    if loose:
        out.append(
            Finding(
                "free_text.in_purpose",
                f"{where}.categories",
                f"purpose {pname} receives free text ({', '.join(map(shown, loose))}) without a "
                "transform: notes may hold anything, special-category data included (Art. "
                "5(1)(c), Art. 9(1)): drop or redact it, or leave free_text out",
            )
        )
    return out


def _customers_only(policy: Policy, purpose: Purpose) -> bool:
    """Whether ``when`` limits ``purpose`` to customers: it names the subject's relationship
    field, with no value that names leads or prospects."""
    field = policy.subject.relationship
    if field is None or purpose.when is None or field not in purpose.when:
        return False
    values = purpose.when[field]
    return bool(values) and not any(
        isinstance(v, str) and v.strip().casefold() in _NOT_CUSTOMERS for v in values
    )


def _dpia(
    catalogue: Catalogue, where: str, pname: str, purpose: Purpose, used: dict[str, str]
) -> list[Finding]:
    """``dpia.likely``: profiling (Art. 35(3)(a)), or special-category or criminal data with
    profiling or taken from every source (no ``sources`` list: the controller's whole scale,
    Art. 35(3)(b))."""
    sensitive = any(
        catalogue.is_special(c) or catalogue.is_criminal(c)
        for c in (*purpose.categories, *used.values())
    )
    if purpose.profiling:
        why = "profiles people" + (" with special-category or criminal data" if sensitive else "")
        location = f"{where}.profiling"
    elif sensitive and purpose.sources is None:
        why = "takes special-category or criminal data from every source (no sources list)"
        location = f"{where}.categories"
    else:
        return []
    return [
        Finding(
            "dpia.likely",
            location,
            f"purpose {pname} {why}: a data protection impact assessment is likely required "
            "before it starts (Art. 35(3))",
        )
    ]


_ANCHORS = (datetime(2001, 1, 31, tzinfo=UTC), datetime(2004, 2, 29, tzinfo=UTC))


def _longer(period: Period, limit: Period) -> bool:
    """Whether ``period`` runs past ``limit`` counted from the same moment."""
    for anchor in _ANCHORS:
        end, cap = period.after(anchor), limit.after(anchor)
        if end is None or cap is None or end > cap:
            return True
    return False


def _prose(text: str) -> str:
    """Free text of the policy (an extension's reference) as a finding may show it: as written
    when printable and short, else escaped and cut."""
    return text if text.isprintable() and len(text) <= 200 else shown(text)


def flag_name(flag: str) -> str:
    """How a purpose flag reads in a message (``direct_marketing`` -> ``direct marketing``)."""
    return flag.replace("_", " ")
