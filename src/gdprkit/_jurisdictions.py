"""Member-state rules bundled with gdprkit: Art. 8 ages of digital consent and retention caps.

The data lives in ``data/jurisdictions.yaml`` and is read once, lazily. A policy overrides it
(``jurisdictions.XX.age_of_digital_consent``, ``jurisdictions.XX.extensions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

__all__ = ["Jurisdictions", "NationalCap", "bundled"]


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
        return self.ages.get(country.upper(), self.default_age)

    def caps_for(self, country: str) -> tuple[NationalCap, ...]:
        """The retention caps for controllers established in ``country``."""
        return self.caps.get(country.upper(), ())


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
