"""Tests of gdprkit.testing: the plugin is exercised in scratch projects through pytester."""

from __future__ import annotations

pytest_plugins = ["pytester"]
