"""Member-state rules bundled with gdprkit: Art. 8 ages of digital consent and retention caps.

The data lives in ``data/jurisdictions.yaml`` and is read once, lazily. A policy overrides it
(``jurisdictions.XX.age_of_digital_consent``, ``jurisdictions.XX.extensions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from gdprkit._formats import EU_ALIAS_OF
from gdprkit._taxonomy import covers
from gdprkit._time import Period, parse_period

if TYPE_CHECKING:
    from gdprkit._policy import Policy

__all__ = [
    "CapInForce",
    "Jurisdictions",
    "NationalCap",
    "bundled",
    "caps_in_force",
    "country_key",
]


def country_key(code: str) -> str:
    """A country code as the bundled data keys it: upper case, ``EL`` as ``GR`` (Greece, as EU
    documents write it) and ``UK`` as ``GB``."""
    upper = code.strip().upper()
    return EU_ALIAS_OF.get(upper, upper)


@dataclass(frozen=True, slots=True)
class NationalCap:
    """A national limit on retention for purposes carrying ``flag`` (``profiling`` ...)."""

    country: str
    flag: str
    categories: tuple[str, ...]
    period: str
    reference: str


@dataclass(frozen=True, slots=True)
class Jurisdictions:
    """The bundled member-state data."""

    default_age: int
    ages: dict[str, int]
    caps: dict[str, tuple[NationalCap, ...]]

    def age_of_digital_consent(self, country: str | None) -> int:
        """The Art. 8 age for ``country``; the default (16) where the country is unknown."""
        if not country:
            return self.default_age
        return self.ages.get(country_key(country), self.default_age)

    def caps_for(self, country: str) -> tuple[NationalCap, ...]:
        """The retention caps for controllers established in ``country``."""
        return self.caps.get(country_key(country), ())


@cache
def bundled() -> Jurisdictions:
    """The jurisdiction data shipped with gdprkit (read once)."""
    text = resources.files("gdprkit").joinpath("data/jurisdictions.yaml").read_text("utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    ages = {str(k): int(v["age"]) for k, v in raw["age_of_digital_consent"].items()}
    caps = {
        str(country): tuple(
            NationalCap(
                country=str(country),
                flag=str(c["flag"]),
                categories=tuple(c["categories"]),
                period=str(c["period"]),
                reference=str(c["reference"]),
            )
            for c in entries
        )
        for country, entries in raw["retention_caps"].items()
    }
    return Jurisdictions(int(raw["default_age_of_digital_consent"]), ages, caps)


@dataclass(frozen=True, slots=True)
class CapInForce:
    """A national cap on one purpose as it binds: the cap's period and reference, or those of
    the longest extension the policy records for the purpose (an extension replaces the cap)."""

    categories: tuple[str, ...]
    flag: str
    period: Period
    reference: str

    def binds(self, rule_categories: tuple[str, ...]) -> bool:
        """Whether a retention rule on ``rule_categories`` falls under this cap (either side
        may be the broader category)."""
        return any(covers(r, c) or covers(c, r) for r in rule_categories for c in self.categories)


def caps_in_force(policy: Policy, name: str) -> tuple[CapInForce, ...]:
    """The caps that bind purpose ``name`` of ``policy`` (the controller's country's caps for
    the flags the purpose sets), each with the period in force. The one place that rule lives:
    the engine, the linter and the reports all ask here."""
    purpose = policy.purposes[name]
    country = policy.controller.country
    home = country_key(country)
    overrides = next(
        (o for code, o in policy.jurisdictions.items() if country_key(code) == home), None
    )
    granted = sorted(
        (
            (parse_period(ext.period), ext.reference)
            for ext in (overrides.extensions if overrides is not None else ())
            if ext.purpose == name
        ),
        key=lambda pair: (pair[0].months, pair[0].text),
    )
    out = []
    for cap in bundled().caps_for(country):
        if getattr(purpose, cap.flag, False) is not True:
            continue
        period, reference = granted[-1] if granted else (parse_period(cap.period), cap.reference)
        out.append(CapInForce(cap.categories, cap.flag, period, reference))
    return tuple(out)
