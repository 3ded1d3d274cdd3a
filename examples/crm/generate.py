"""A deterministic generator of Italian CRM records (fake people, realistic mess).

Used by the demo (≈1 000 records, ``customers.csv``), by the benchmark (1 000 000 records,
streamed) and by the tests. Dates come in the shapes CRM exports really hold (ISO 8601,
``dd/mm/yyyy``), consent flags in several spellings (``sì``, ``true``, ``1``), some values are
missing. Nothing here is a real person.

    python examples/crm/generate.py 1000 > customers.csv
"""

from __future__ import annotations

import csv
import random
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

#: The moment the sample data describes (the demo decides as of this date).
REFERENCE = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)

COLUMNS = (
    "customer_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "birth_date",
    "country",
    "source",
    "relationship",
    "last_purchase_at",
    "purchases_total",
    "consent_marketing",
    "consent_marketing_at",
    "allergies",
)
#: The 11-field shape the benchmark streams (design.md §14).
BENCH_COLUMNS = (
    "customer_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "birth_date",
    "country",
    "source",
    "last_purchase_at",
    "purchases_total",
    "allergies",
)

#: The orders table (one row per purchase, each aging from its own date: design.md §5).
ORDER_COLUMNS = ("order_id", "customer_id", "ordered_at", "order_total", "order_items")

FIRST = [
    "Giulia",
    "Marco",
    "Francesca",
    "Luca",
    "Chiara",
    "Matteo",
    "Sara",
    "Alessandro",
    "Elena",
    "Davide",
    "Martina",
    "Andrea",
    "Valentina",
    "Lorenzo",
    "Federica",
    "Simone",
    "Alessia",
    "Gabriele",
    "Giorgia",
    "Riccardo",
    "Anna",
    "Paolo",
    "Laura",
    "Stefano",
]
LAST = [
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Romano",
    "Colombo",
    "Ricci",
    "Marino",
    "Greco",
    "Bruno",
    "Gallo",
    "Conti",
    "De",
    "Luca",
    "Mancini",
    "Costa",
    "Giordano",
    "Rizzo",
    "Lombardi",
    "Moretti",
    "Barbieri",
    "Fontana",
    "Santoro",
    "Mariani",
]
DOMAINS = ("gmail.com", "libero.it", "yahoo.it", "hotmail.it", "outlook.it", "tiscali.it")
SOURCES = (
    ("web_form", 35),
    ("store", 30),
    ("app", 15),
    ("paper_form", 8),
    ("business_card", 4),
    ("social_network", 8),
)
COUNTRIES = (("IT", 90), ("DE", 3), ("FR", 3), ("ES", 2), ("AT", 2))
ALLERGENS = ("arachidi", "glutine", "lattosio", "frutta a guscio", "crostacei", "sedano")
YES = ("sì", "si", "true", "1", "yes", "SI")


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _date_text(rng: random.Random, moment: datetime | date) -> str:
    """The shapes CRM exports hold: ISO 8601 mostly, Italian day-first sometimes."""
    roll = rng.random()
    if roll < 0.6:
        return moment.isoformat()
    if roll < 0.9:
        return moment.strftime("%d/%m/%Y")
    return moment.strftime("%Y-%m-%d")


def records(n: int, *, seed: int = 2026) -> Iterator[dict[str, Any]]:
    """``n`` CRM records, the same for the same seed; streamed, constant memory."""
    rng = random.Random(seed)
    for i in range(1, n + 1):
        first = rng.choice(FIRST)
        last = rng.choice(LAST)
        customer = rng.random() < 0.8
        age_days = int(rng.triangular(11 * 365, 85 * 365, 38 * 365))
        birth = (REFERENCE - timedelta(days=age_days)).date()
        email_local = f"{first}.{last}".lower().replace(" ", "")
        email = (
            f"{email_local}{rng.randint(1, 99) if rng.random() < 0.4 else ''}@{rng.choice(DOMAINS)}"
        )
        if rng.random() < 0.1:
            email = email.upper() if rng.random() < 0.5 else f" {email} "
        if rng.random() < 0.05:
            email = ""
        mobile = f"3{rng.randint(20, 99)}{rng.randint(1_000_000, 9_999_999)}"
        phone = rng.choice((f"+39 {mobile[:3]} {mobile[3:]}", mobile, f"0039{mobile}", ""))
        last_purchase: str = ""
        total: str = ""
        if customer:
            bought = REFERENCE - timedelta(days=int(rng.expovariate(1 / 500)) % (12 * 365))
            last_purchase = _date_text(rng, bought)
            total = f"{rng.lognormvariate(4.5, 1.0):.2f}"
        consent, consent_at = "", ""
        roll = rng.random()
        if roll < 0.55:
            consent = rng.choice(YES)
            when = REFERENCE - timedelta(days=rng.randint(1, 5 * 365), minutes=rng.randint(0, 1440))
            consent_at = _date_text(rng, when) if rng.random() < 0.96 else ""
        elif roll < 0.8:
            consent = rng.choice(("no", "false", "0"))
        yield {
            "customer_id": f"BV-{i:07d}",
            "first_name": first,
            "last_name": last,
            "email": email,
            "phone": phone,
            "birth_date": _date_text(rng, birth),
            "country": _pick(rng, COUNTRIES),
            "source": _pick(rng, SOURCES),
            "relationship": "customer" if customer else "lead",
            "last_purchase_at": last_purchase,
            "purchases_total": total,
            "consent_marketing": consent,
            "consent_marketing_at": consent_at,
            "allergies": rng.choice(ALLERGENS) if rng.random() < 0.06 else "",
        }


PRODUCTS = ("formaggi", "salumi", "vini", "pasta fresca", "olio", "dolci", "conserve", "caffè")


def _read_day(text: str) -> date | None:
    """The day of a ``last_purchase_at`` cell as :func:`records` writes it (ISO or dd/mm/yyyy)."""
    for parse in (
        lambda t: datetime.fromisoformat(t).date(),
        lambda t: datetime.strptime(t, "%d/%m/%Y").date(),
    ):
        try:
            return parse(text.strip())
        except ValueError:
            continue
    return None


def orders(customers: list[dict[str, Any]], *, seed: int = 11) -> Iterator[dict[str, Any]]:
    """The orders table of the sample customers: one row per purchase, with its own date.

    A customer's last order falls on their ``last_purchase_at``; the earlier ones go back
    up to six years before it. The same for the same customers and seed.
    """
    rng = random.Random(seed)
    n = 0
    for row in customers:
        last = _read_day(row.get("last_purchase_at") or "")
        if row.get("relationship") != "customer" or last is None:
            continue
        days = sorted(rng.randint(1, 6 * 365) for _ in range(int(rng.expovariate(1 / 3))))
        for back in [*reversed(days), 0]:
            n += 1
            bought = datetime.combine(last - timedelta(days=back), datetime.min.time(), UTC)
            bought += timedelta(hours=rng.randint(8, 20), minutes=rng.randint(0, 59))
            yield {
                "order_id": f"OR-{n:07d}",
                "customer_id": row["customer_id"],
                "ordered_at": bought.isoformat(),
                "order_total": f"{rng.lognormvariate(3.5, 0.8):.2f}",
                "order_items": "; ".join(sorted(rng.sample(PRODUCTS, rng.randint(1, 3)))),
            }


def ledger_events(customers: list[dict[str, Any]], *, seed: int = 7) -> list[tuple[Any, ...]]:
    """Consent-ledger history for the sample customers: ``(method, subject, kwargs)`` tuples.

    Profiling consents with evidence (a few withdrawn, a few without evidence), explicit
    consents for allergen alerts (a few only implicit), objections to direct marketing,
    a restriction and erasure requests; then, drawn apart so the history above stays the same,
    the consents to SMS offers (their own consent, apart from the e-mail one) and to offers
    chosen from recent orders.
    """
    rng = random.Random(seed)
    events: list[tuple[Any, ...]] = []
    for row in customers:
        subject = row["customer_id"]
        if rng.random() < 0.35:
            at = REFERENCE - timedelta(days=rng.randint(1, 4 * 365))
            evidence = rng.random() < 0.95
            events.append(("give", subject, "profiling", at, evidence, False))
            if rng.random() < 0.1:
                events.append(("withdraw", subject, "profiling", at + timedelta(days=30)))
        if row["allergies"]:
            at = REFERENCE - timedelta(days=rng.randint(1, 700))
            events.append(("give", subject, "allergen_alerts", at, True, rng.random() < 0.85))
        if rng.random() < 0.02:
            events.append(("object", subject, REFERENCE - timedelta(days=rng.randint(1, 300))))
        if rng.random() < 0.005:
            events.append(("restrict", subject, REFERENCE - timedelta(days=3)))
        if rng.random() < 0.01:
            events.append(("erase", subject, REFERENCE - timedelta(days=rng.randint(1, 60))))
    more = random.Random(seed + 1)
    for row in customers:
        subject = row["customer_id"]
        if more.random() < 0.3:
            at = REFERENCE - timedelta(days=more.randint(1, 3 * 365))
            events.append(("give", subject, "sms_offers", at, True, False))
        if row["relationship"] == "customer" and more.random() < 0.4:
            at = REFERENCE - timedelta(days=more.randint(1, 3 * 365))
            events.append(("give", subject, "order_offers", at, more.random() < 0.97, False))
    return events


def record_history(ledger: Any, customers: list[dict[str, Any]]) -> Any:
    """Append the sample consent history (:func:`ledger_events`) to ``ledger``; returns it."""
    from gdprkit import Evidence  # noqa: PLC0415 - generating data needs no gdprkit

    evidence = Evidence("web_form", notice_version="2024-03", reference="privacy notice v7")
    for event in ledger_events(customers):
        kind, subject = event[0], event[1]
        if kind == "give":
            _, _, purpose, at, proven, explicit = event
            ledger.give(
                subject, purpose, at=at, evidence=evidence if proven else None, explicit=explicit
            )
        elif kind == "withdraw":
            ledger.withdraw(subject, event[2], at=event[3])
        elif kind == "object":
            ledger.object(subject, at=event[2])
        elif kind == "restrict":
            ledger.restrict(subject, at=event[2])
        elif kind == "erase":
            ledger.request_erasure(subject, at=event[2])
    return ledger


def main(argv: list[str]) -> None:
    n = int(argv[1]) if len(argv) > 1 else 1000
    writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records(n))


if __name__ == "__main__":
    main(sys.argv)
