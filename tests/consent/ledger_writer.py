"""A writer process for the multi-process tests (run as a script, not collected by pytest).

    python ledger_writer.py URL PREFIX COUNT

Opens the ledger at URL, prints ``ready``, waits for a line on stdin, then appends COUNT
consents (0: until killed) for subjects ``PREFIX-0``, ``PREFIX-1``, ... and, after each call
returned, prints ``seq hash subject`` and flushes: a printed event is an acknowledged one.
"""

from __future__ import annotations

import itertools
import sys
from datetime import UTC, datetime, timedelta

from gdprkit import ConsentLedger, Evidence


def main() -> None:
    url, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    at = datetime(2025, 1, 1, tzinfo=UTC)
    evidence = Evidence("web_form", notice_version="2025-01", reference=prefix)
    numbers = itertools.count() if count == 0 else range(count)
    with ConsentLedger(url) as ledger:
        print("ready", flush=True)
        sys.stdin.readline()
        for i in numbers:
            event = ledger.give(
                f"{prefix}-{i}", "newsletter", at=at + timedelta(seconds=i), evidence=evidence
            )
            sys.stdout.write(f"{event.seq} {event.hash} {event.subject}\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
