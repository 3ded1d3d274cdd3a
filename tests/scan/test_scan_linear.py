"""scan_text runs in linear time, whatever the text (no catastrophic backtracking).

Adversarial texts (runs of "a@", digits, separators, colons, half identifiers) are scanned at
two sizes; eight times the text must cost about eight times the time, not sixty-four (a
quadratic pattern). The bound is a ratio of two timings of the same code on the same machine,
never a wall-clock limit, and a generous one: a shared machine is noisy. A second check puts
the cost of one megabyte against a plain regular-expression pass over the same text.
"""

from __future__ import annotations

import gc
import re
import time
from collections.abc import Callable

import pytest

from gdprkit._scan import redact_text, scan_text

SMALL = 32 * 1024
LARGE = 8 * SMALL  # 256 KiB
GROWTH_BOUND = 32  # linear: ~8 (up to ~15 seen on a busy machine); quadratic: ~64
PLAIN = re.compile(r"[0-9@:.+\- ]")  # touches every character a finder may start on

UNITS = {
    "a@": "a@",
    "a@b.": "a@b.",
    "at signs": "@",
    "local part run": "a" * 200 + ".",
    "digits": "1",
    "digit space": "1 ",
    "digit dash": "3-",
    "zero dash": "0-",
    "digit dot": "1.",
    "plus three": "+3",
    "colons": ":",
    "hex colon": "a:",
    "IBAN heads": "IT60 ",
    "card groups": "4111 ",
    "codice fiscale heads": "RSSMRA85T10",
    "dotted quads": "1.1.1.1.",
    "mixed": "a@1.2:3-4 ",
}


def _text(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def _best(function: Callable[[], object], repeat: int = 3) -> float:
    """The best of ``repeat`` timings, the cyclic garbage collector paused: its passes grow
    with the number of live objects (a long list of matches) and are not the scanner's time."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            function()
            best = min(best, time.perf_counter() - start)
        finally:
            gc.enable()
    return max(best, 1e-6)


@pytest.mark.parametrize("unit", UNITS.values(), ids=list(UNITS))
def test_eight_times_the_text_costs_about_eight_times(unit: str) -> None:
    small, large = _text(unit, SMALL), _text(unit, LARGE)
    scan_text(small)  # warm up (the folding table, caches)
    # the short run is timed more often: a few milliseconds are easily cut by the scheduler
    ratio = _best(lambda: scan_text(large)) / _best(lambda: scan_text(small), repeat=7)
    assert ratio < GROWTH_BOUND, f"{ratio:.1f}x for 8x the text"


@pytest.mark.parametrize("unit", ["a@", "digits", "digit space", "mixed"])
def test_a_megabyte_against_a_plain_scan(unit: str) -> None:
    text = _text(UNITS[unit], 1024 * 1024)
    plain = _best(lambda: PLAIN.findall(text))
    scanned = _best(lambda: redact_text(text), repeat=1)
    assert scanned / plain < 2000, f"{scanned / plain:.0f}x a plain scan"


def test_the_growth_measure_catches_a_quadratic_pattern() -> None:
    # The naive e-mail pattern, without a boundary before the local part, rescans a long run
    # of local-part characters from every position: the measure above must see that.
    naive = re.compile(r"[\w.]+@[\w-]+\.\w+")
    small, large = _text("a.", 1024), _text("a.", 8 * 1024)
    ratio = _best(lambda: naive.findall(large)) / _best(lambda: naive.findall(small))
    assert ratio > GROWTH_BOUND
