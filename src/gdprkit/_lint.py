"""The policy linter: a policy that loads may still not mean what its author thinks.

``load_policy`` refuses what cannot be a policy (unknown keys, bad periods, dangling names).
:func:`lint` reports what loads but will not behave as it reads: a retention period the engine
will cut to a national cap, purchase details under a cap with no rule naming them (always
dropped), special or criminal data listed without the condition that lets it through, a
consent purpose with no way to find its consents, a purpose without any retention rule
(Art. 5(1)(e)).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from gdprkit._jurisdictions import caps_in_force
from gdprkit._policy import Policy
from gdprkit._policy_file import segment, shown
from gdprkit._taxonomy import LegalBasis, covers
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
            naming = [
                (i, rule)
                for i, rule in enumerate(purpose.retention)
                if rule.categories is not None and cap.binds(rule.categories)
            ]
            for i, rule in naming:
                if _longer(parse_period(rule.period), limit):
                    findings.append(
                        Finding(
                            "retention.capped",
                            f"{where}.retention.{i}.period",
                            f"period {rule.period} exceeds the cap of {limit.text} that applies to "
                            f"{', '.join(cap.categories)} in {flag_name(cap.flag)} purposes "
                            f"({_prose(cap.reference)}): the cap is enforced",
                        )
                    )
            if capped_fields and not naming:
                findings.append(
                    Finding(
                        "retention.anchor_missing",
                        f"{where}.retention",
                        f"fields {', '.join(map(shown, sorted(capped_fields)))} fall under a cap of"
                        f" {limit.text} ({_prose(cap.reference)}) and no retention rule of purpose "
                        f"{pname} names them: they are always dropped",
                        "error",
                    )
                )
    return findings


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
