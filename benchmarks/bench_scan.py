"""Benchmark: ``gdprkit.scan_text`` / ``redact_text`` on realistic CRM notes (MB/s, recall per
kind), and the same notes through Presidio's ``AnalyzerEngine`` (issue 12).

The notes are generated, seeded, in the shape shop staff write them: Italian prose with dates,
times, prices, order and ticket numbers, postcodes and floors (the distractors), and the
identifiers that must be found, written the ways people write them (a mobile as ``347 555
0192``, ``347-5550192`` or ``+39 3475550192``; an IBAN grouped by four or not; a codice fiscale
in upper or lower case...). Every identifier has valid check digits and its position is kept:
that is the ground truth recall is measured against. ``--mb`` sets the size (default 20 MB of
UTF-8 text).

Measured for gdprkit, best of ``--rounds``: ``scan_text`` and ``redact_text`` over every note
(one call per note, as a ``free_text`` field is read), in MB/s of UTF-8 text; recall per kind:
``exact`` (a finding of its kind with exactly its span), ``kind⊇`` (a finding of its kind
covers it) and ``any⊇`` (a finding of any kind covers it: what redaction needs); a partita
IVA counts as covered when its 11 digits are (an ``IT`` prefix left in place reveals nothing);
and findings that overlap no identifier (false positives, by the finding's kind).

``--presidio``: the same first ``--presidio-mb`` MB of notes (default 1) through Presidio's
``AnalyzerEngine`` and through gdprkit, in one run. Presidio runs only in the benchmark's own
environment (``.venv-bench``, ``benchmarks/requirements-presidio.txt``), never in ``.venv``:

    .venv/bin/python benchmarks/bench_scan.py --mb 20
    .venv-bench/bin/python benchmarks/bench_scan.py --mb 20 --presidio --presidio-mb 1

How Presidio is configured (no model can be downloaded on this machine, only packages from
PyPI): its NLP engine is spaCy with a *blank* Italian pipeline (``spacy.blank("it")`` saved to a
temporary folder and loaded by path: a tokenizer, no NER, no lemmas), so only its pattern
recognizers run; they are the ones for the kinds measured, all for language ``it``:
``EmailRecognizer``, ``PhoneRecognizer`` (regions IT, FR, DE, ES, GB, CH, US: the countries the
notes hold), ``IbanRecognizer``, ``CreditCardRecognizer``, ``IpRecognizer``,
``ItFiscalCodeRecognizer``, ``ItVatCodeRecognizer``. Score threshold 0: every result counts
(the most favourable reading of Presidio's recall). ``tldextract`` (used by the e-mail
recognizer) is told to use its bundled suffix list, so nothing is fetched from the network.
Entity types read as kinds: EMAIL_ADDRESS email, PHONE_NUMBER phone, IT_FISCAL_CODE
codice_fiscale, IT_VAT_CODE partita_iva, IBAN_CODE iban, CREDIT_CARD card, IP_ADDRESS ip.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import string
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from gdprkit import scan_text  # noqa: E402
from gdprkit._formats import _cf_check_character, _piva_check_digit  # noqa: E402
from gdprkit._scan import KINDS, _mod97, luhn_ok, redact_text  # noqa: E402

Truth = tuple[str, int, int]  # kind, start, end
Note = tuple[str, list[Truth]]

# --- the notes ------------------------------------------------------------------------------

NAMES = [
    ("Giulia", "Ferrari"), ("Marco", "Rossi"), ("Laura", "Bianchi"), ("Paolo", "Esposito"),
    ("Chiara", "Romano"), ("Luca", "Colombo"), ("Sara", "Ricci"), ("Davide", "Marino"),
    ("Elena", "Greco"), ("Andrea", "Bruno"), ("Francesca", "Gallo"), ("Matteo", "Conti"),
]  # fmt: skip
DOMAINS = ["gmail.com", "libero.it", "hotmail.it", "example.it", "tiscali.it", "pec.it", "yahoo.it"]
SHOPS = ["arredamentirossi", "mobilificio-verdi", "casabella", "studioferrari"]
PROSE = [
    "Cliente passata in negozio per vedere i divani in pelle, ha chiesto un preventivo.",
    "Il montaggio è stato rimandato perché il corriere non ha trovato nessuno in casa.",
    "Lamenta un graffio sul piano del tavolo: mandate le foto all'ufficio reclami.",
    "Vuole cambiare il colore delle ante, da bianco opaco a rovere naturale.",
    "Ha chiesto se il materasso può essere reso entro trenta giorni.",
    "Molto gentile, ma preferisce essere contattata solo di pomeriggio.",
    "Richiede la consegna al piano senza ascensore: supplemento da confermare.",
    "Già cliente, ha ricevuto la newsletter di marzo e chiede lo sconto fedeltà.",
    "Si è lamentato dei tempi di consegna: tre settimane di ritardo sul previsto.",
    "Interessata alla cucina componibile in esposizione, chiede se è scontata.",
    "Il figlio ritirerà la merce in magazzino sabato mattina.",
    "Pagamento in tre rate senza interessi, pratica di finanziamento avviata.",
]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _group(compact: str, size: int, sep: str) -> str:
    return sep.join(compact[i : i + size] for i in range(0, len(compact), size))


def make_email(rng: random.Random) -> str:
    first, last = rng.choice(NAMES)
    if rng.random() < 0.15:
        return f"{rng.choice(['info', 'amministrazione', 'ordini'])}@{rng.choice(SHOPS)}.it"
    local = rng.choice(
        [f"{first}.{last}", f"{first[0]}.{last}", f"{first}{last}{rng.randint(60, 99)}"]
    )
    return f"{local.lower()}@{rng.choice(DOMAINS)}"


def make_phone(rng: random.Random) -> str:
    shape = rng.random()
    if shape < 0.55:  # mobile
        body = "3" + _digits(rng, 9)
        return rng.choice(
            [
                f"{body[:3]} {body[3:6]} {body[6:]}",
                f"{body[:3]}-{body[3:]}",
                body,
                f"+39 {body[:3]} {body[3:6]} {body[6:]}",
                f"+39{body}",
                f"0039 {body[:3]} {body[3:]}",
                f"{body[:3]}.{body[3:6]}.{body[6:]}",
            ]
        )
    if shape < 0.9:  # landline
        area = rng.choice(["02", "06", "011", "041", "051", "055", "081", "0471", "0521"])
        number = _digits(rng, 10 - len(area))
        return rng.choice(
            [
                f"{area} {number}",
                f"({area}) {number}",
                f"+39 {area} {number}",
                f"{area}/{number}",
                f"{area} {number[:4]} {number[4:]}",
            ]
        )
    prefix, n = rng.choice(
        [("+33 1", 8), ("+49 30", 7), ("+34 91", 7), ("+41 44", 7), ("+44 20", 8)]
    )
    return f"{prefix} {_group(_digits(rng, n), 2, ' ')}"


def make_codice_fiscale(rng: random.Random) -> str:
    consonants = "BCDFGHLMNPRSTVZ"
    head = "".join(rng.choice(consonants) for _ in range(6))
    year = f"{rng.randint(40, 99):02d}"
    month = rng.choice("ABCDEHLMPRST")
    day = rng.randint(1, 28) + rng.choice([0, 40])
    place = rng.choice("ABCDEFGHLM") + _digits(rng, 3)
    first15 = f"{head}{year}{month}{day:02d}{place}"
    code = first15 + _cf_check_character(first15)
    return code.lower() if rng.random() < 0.1 else code


def make_partita_iva(rng: random.Random) -> str:
    first10 = f"{rng.randint(1, 9_999_999):07d}{rng.choice([*range(1, 101), 120, 121]):03d}"
    number = first10 + str(_piva_check_digit(first10))
    return rng.choice(["", "", "IT", "IT "]) + number


IBAN_BBAN = {
    "IT": "a" + "n" * 10 + "c" * 12, "DE": "n" * 18, "FR": "n" * 10 + "c" * 11 + "n" * 2,
    "ES": "n" * 20, "NL": "aaaa" + "n" * 10, "BE": "n" * 12, "AT": "n" * 16,
}  # fmt: skip


def make_iban(rng: random.Random) -> str:
    country = "IT" if rng.random() < 0.7 else rng.choice(sorted(IBAN_BBAN))
    chars = {"n": string.digits, "a": string.ascii_uppercase, "c": string.digits}
    bban = "".join(rng.choice(chars[t]) for t in IBAN_BBAN[country])
    check = 98 - _mod97(country + "00" + bban)
    compact = f"{country}{check:02d}{bban}"
    return _group(compact, 4, " ") if rng.random() < 0.6 else compact


def make_card(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.2:  # American Express, 15 digits, 4-6-5
        body = rng.choice(["34", "37"]) + _digits(rng, 12)
        number = body + next(d for d in string.digits if luhn_ok(body + d))
        sep = rng.choice([" ", "-", ""])
        return sep.join([number[:4], number[4:10], number[10:]])
    body = rng.choice(["4", "51", "52", "53", "54", "55"])
    body += _digits(rng, 15 - len(body))
    number = body + next(d for d in string.digits if luhn_ok(body + d))
    sep = rng.choice([" ", " ", "-", ""])
    return _group(number, 4, sep) if sep else number


def make_ip(rng: random.Random) -> str:
    if rng.random() < 0.8:
        return ".".join(str(rng.randint(1, 254)) for _ in range(4))
    groups = [f"{rng.randint(0, 0xFFFF):x}" for _ in range(rng.randint(2, 4))]
    return "2001:db8:" + ":".join(groups[:-1]) + "::" + groups[-1]


MAKERS: dict[str, Callable[[random.Random], str]] = {
    "email": make_email,
    "phone": make_phone,
    "codice_fiscale": make_codice_fiscale,
    "partita_iva": make_partita_iva,
    "iban": make_iban,
    "card": make_card,
    "ip": make_ip,
}
SENTENCES: dict[str, list[str]] = {
    "email": [
        "Mail: {}.",
        "Scrivere a {} per la conferma.",
        "Nuovo indirizzo e-mail {} (aggiornare).",
    ],
    "phone": [
        "Richiamare al {} dopo le 18.",
        "Tel. {} (chiedere della moglie).",
        "Numero aggiornato: {}.",
        "Ha lasciato il numero {} per la consegna.",
    ],
    "codice_fiscale": ["CF {} per la fattura.", "Codice fiscale: {}.", "Intestare a lei, C.F. {}."],
    "partita_iva": ["Fattura alla ditta, P.IVA {}.", "Dati aziendali: partita IVA {}."],
    "iban": ["Rimborso su IBAN {} intestato al cliente.", "Accredito sull'IBAN {}."],
    "card": ["Acconto pagato con carta {}, scad. 09/27.", "Carta {} (NON annotare il CVV)."],
    "ip": ["Ordine online dall'IP {}.", "Accesso al portale da {} segnalato come sospetto."],
}
WEIGHTS = {
    "email": 5,
    "phone": 8,
    "codice_fiscale": 3,
    "partita_iva": 2,
    "iban": 2,
    "card": 1,
    "ip": 1,
}


QUARTERS = ["00", "15", "30", "45"]


def distractor(rng: random.Random) -> str:
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2019, 2026)
    price = f"{rng.randint(100, 9999):,}".replace(",", ".")
    return rng.choice(
        [
            f"Chiamata del {d:02d}/{m:02d}/{y} ore {rng.randint(8, 19)}:{rng.choice(QUARTERS)}.",
            f"Consegna prevista il {d:02d}.{m:02d}.{y} tra le 9.30 e le 12.30.",
            f"Ordine {y}-{rng.randint(1, 999_999):06d} del {d}/{m}, totale € {price},00.",
            f"Ticket #{rng.randint(10000, 99999)}, tessera n. {rng.randint(1000, 99999)}.",
            f"Indirizzo: via Roma {rng.randint(1, 200)}, {rng.randint(10010, 98168)} Milano, "
            f"piano {rng.randint(0, 9)}.",
            f"Valore merce {rng.randint(1, 999)}.{rng.randint(0, 999):03d}.000 lire (listino {y}).",
            f"Sconto del {rng.randint(5, 40)}% su {rng.randint(2, 6)} articoli.",
        ]
    )


def make_note(rng: random.Random) -> Note:
    text = ""
    truth: list[Truth] = []
    kinds = list(WEIGHTS)
    weights = list(WEIGHTS.values())
    first, last = rng.choice(NAMES)
    text = f"{rng.choice(['Sig.', 'Sig.ra', 'Cliente'])} {first} {last}. "
    for _ in range(rng.randint(2, 7)):
        roll = rng.random()
        if roll < 0.35:
            text += rng.choice(PROSE) + " "
        elif roll < 0.6:
            text += distractor(rng) + " "
        else:
            kind = rng.choices(kinds, weights)[0]
            written = MAKERS[kind](rng)
            before, after = rng.choice(SENTENCES[kind]).split("{}")
            start = len(text) + len(before)
            truth.append((kind, start, start + len(written)))
            text += before + written + after + " "
    return text.rstrip(), truth


def notes(megabytes: float, seed: int = 12) -> list[Note]:
    rng = random.Random(seed)
    out: list[Note] = []
    size = 0
    while size < megabytes * 1_000_000:
        note = make_note(rng)
        out.append(note)
        size += len(note[0].encode("utf-8"))
    return out


# --- measuring ------------------------------------------------------------------------------


def mb(texts: Sequence[str]) -> float:
    return sum(len(t.encode("utf-8")) for t in texts) / 1_000_000


def best_seconds(work: Callable[[], object], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def score(
    found: Iterable[list[tuple[str, int, int]]], all_truth: Iterable[list[Truth]]
) -> dict[str, Any]:
    """Recall per kind (exact span and kind; covered by any finding) and false positives."""
    total: Counter[str] = Counter()
    exact: Counter[str] = Counter()
    covered: Counter[str] = Counter()
    same_kind_covers: Counter[str] = Counter()
    false_positives: Counter[str] = Counter()
    for results, truth in zip(found, all_truth, strict=True):
        for kind, start, end in truth:
            total[kind] += 1
            if (kind, start, end) in results:
                exact[kind] += 1
            # A partita IVA's "IT" prefix left in place reveals nothing: its 11 digits count.
            core = end - 11 if kind == "partita_iva" else start
            if any(s <= core and e >= end and k == kind for k, s, e in results):
                same_kind_covers[kind] += 1
            if any(s <= core and e >= end for _, s, e in results):
                covered[kind] += 1
        for kind, start, end in results:
            if not any(s < end and start < e for _, s, e in truth):
                false_positives[kind] += 1
    return {
        kind: {
            "identifiers": total[kind],
            "recall_exact": round(exact[kind] / total[kind], 4) if total[kind] else None,
            "recall_same_kind": round(same_kind_covers[kind] / total[kind], 4)
            if total[kind]
            else None,
            "covered_by_any": round(covered[kind] / total[kind], 4) if total[kind] else None,
            "false_positives": false_positives[kind],
        }
        for kind in KINDS
    }


def run_gdprkit(batch: list[Note], rounds: int) -> dict[str, Any]:
    texts = [t for t, _ in batch]
    size = mb(texts)
    scan_s = best_seconds(lambda: [scan_text(t) for t in texts], rounds)
    redact_s = best_seconds(lambda: [redact_text(t) for t in texts], rounds)
    found = [[(m.kind, m.start, m.end) for m in scan_text(t)] for t in texts]
    return {
        "notes": len(texts),
        "mb": round(size, 3),
        "scan_mb_per_s": round(size / scan_s, 2),
        "redact_mb_per_s": round(size / redact_s, 2),
        "per_kind": score(found, [truth for _, truth in batch]),
    }


PRESIDIO_KINDS = {
    "EMAIL_ADDRESS": "email",
    "PHONE_NUMBER": "phone",
    "IT_FISCAL_CODE": "codice_fiscale",
    "IT_VAT_CODE": "partita_iva",
    "IBAN_CODE": "iban",
    "CREDIT_CARD": "card",
    "IP_ADDRESS": "ip",
}


def presidio_analyzer() -> Any:
    """Presidio's AnalyzerEngine with a blank Italian spaCy pipeline and pattern recognizers."""
    os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""  # the bundled list: no network
    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
        IbanRecognizer,
        IpRecognizer,
        ItFiscalCodeRecognizer,
        ItVatCodeRecognizer,
        PhoneRecognizer,
    )

    folder = tempfile.mkdtemp(prefix="bench-scan-spacy-")
    spacy.blank("it").to_disk(folder)
    nlp = SpacyNlpEngine(models=[{"lang_code": "it", "model_name": folder}])
    nlp.load()
    registry = RecognizerRegistry(supported_languages=["it"])
    for recognizer in (
        EmailRecognizer(supported_language="it"),
        PhoneRecognizer(
            supported_language="it", supported_regions=("IT", "FR", "DE", "ES", "GB", "CH", "US")
        ),
        IbanRecognizer(supported_language="it"),
        CreditCardRecognizer(supported_language="it"),
        IpRecognizer(supported_language="it"),
        ItFiscalCodeRecognizer(supported_language="it"),
        ItVatCodeRecognizer(supported_language="it"),
    ):
        registry.add_recognizer(recognizer)
    return AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["it"])


def run_presidio(batch: list[Note], rounds: int) -> dict[str, Any]:
    from importlib.metadata import version

    analyzer = presidio_analyzer()
    texts = [t for t, _ in batch]
    size = mb(texts)
    analyzer.analyze(texts[0], language="it")  # warm up

    def analyse() -> list[Any]:
        return [analyzer.analyze(t, language="it", score_threshold=0.0) for t in texts]

    seconds = best_seconds(analyse, rounds)
    found = [
        [(PRESIDIO_KINDS.get(r.entity_type, r.entity_type), r.start, r.end) for r in results]
        for results in analyse()
    ]
    return {
        "presidio_analyzer": version("presidio-analyzer"),
        "spacy": version("spacy"),
        "notes": len(texts),
        "mb": round(size, 3),
        "analyze_mb_per_s": round(size / seconds, 4),
        "per_kind": score(found, [truth for _, truth in batch]),
    }


def table(title: str, per_kind: dict[str, Any]) -> str:
    lines = [title, f"  {'kind':15} {'ids':>6} {'exact':>7} {'kind⊇':>7} {'any⊇':>7} {'false+':>7}"]
    for kind, row in per_kind.items():
        if not row["identifiers"]:
            continue
        lines.append(
            f"  {kind:15} {row['identifiers']:>6} {row['recall_exact']:>7.3f} "
            f"{row['recall_same_kind']:>7.3f} {row['covered_by_any']:>7.3f} "
            f"{row['false_positives']:>7}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mb", type=float, default=20.0, help="MB of notes (UTF-8)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--presidio", action="store_true", help="also run Presidio (.venv-bench)")
    parser.add_argument("--presidio-mb", type=float, default=1.0)
    parser.add_argument("--json", type=Path, help="write the results here too")
    args = parser.parse_args(argv)

    batch = notes(args.mb, args.seed)
    result: dict[str, Any] = {
        "python": sys.version.split()[0],
        "gdprkit": run_gdprkit(batch, args.rounds),
    }
    print(
        f"gdprkit on {result['gdprkit']['mb']} MB ({result['gdprkit']['notes']} notes): "
        f"scan_text {result['gdprkit']['scan_mb_per_s']} MB/s, "
        f"redact_text {result['gdprkit']['redact_mb_per_s']} MB/s"
    )
    print(table("gdprkit recall", result["gdprkit"]["per_kind"]))
    if args.presidio:
        subset: list[Note] = []
        size = 0.0
        for note in batch:
            if size >= args.presidio_mb * 1_000_000:
                break
            subset.append(note)
            size += len(note[0].encode("utf-8"))
        same = run_gdprkit(subset, args.rounds)
        presidio = run_presidio(subset, 1)
        result["same_notes"] = {"gdprkit": same, "presidio": presidio}
        result["same_notes"]["speed_ratio"] = round(
            same["scan_mb_per_s"] / presidio["analyze_mb_per_s"], 1
        )
        print(
            f"\nsame {same['mb']} MB ({same['notes']} notes): gdprkit scan_text "
            f"{same['scan_mb_per_s']} MB/s, Presidio analyze {presidio['analyze_mb_per_s']} MB/s "
            f"({result['same_notes']['speed_ratio']}x)"
        )
        print(table("gdprkit recall (same notes)", same["per_kind"]))
        print(table("Presidio recall (same notes)", presidio["per_kind"]))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    else:
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
