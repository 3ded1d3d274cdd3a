"""gdprkit's own armour: invariants as hypothesis properties, and a corpus of hostile inputs.

Two hypothesis profiles, chosen by the environment variable ``GDPRKIT_HYPOTHESIS``:
``ci`` (default: 100 examples per property, a few seconds each) and ``thorough`` (2 000
examples per property, for a long run by hand:
``GDPRKIT_HYPOTHESIS=thorough .venv/bin/python -m pytest tests/armour``).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILES = {"ci": 100, "thorough": 2000}

for _name, _examples in PROFILES.items():
    settings.register_profile(
        f"gdprkit-armour-{_name}",
        max_examples=_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        database=None,
    )

PROFILE = os.environ.get("GDPRKIT_HYPOTHESIS", "ci")
if PROFILE not in PROFILES:
    raise ValueError(f"GDPRKIT_HYPOTHESIS must be one of {sorted(PROFILES)}, not {PROFILE!r}")
