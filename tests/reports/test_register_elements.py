"""The register (design §16): every element of Art. 30(1), a ``missing`` list of exactly what
the policy does not declare, Markdown, HTML and a CSV a spreadsheet opens."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from gdprkit import ConfigurationError, load_policy, processing_register, render_register

Complete = Callable[[str], dict[str, Any]]
DATA = Path(__file__).parent.parent / "data"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(document: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(document)
    parser.close()
    return " ".join(" ".join(parser.parts).split()), parser.tags


def rendered(complete: Complete, language: str, fmt: str) -> str:
    register = processing_register(load_policy(complete(language)), language=language)
    text = render_register(register, format=fmt)
    if fmt == "html":
        return html_text(text)[0]
    if fmt == "csv":
        return " ".join(" ".join(row) for row in csv.reader(io.StringIO(text)))
    return text.replace("\\", "").replace("*", "")


ELEMENTS = {
    "en": [
        ("30(1)(a) controller", "Ferramenta Bianchi S.p.A."),
        ("30(1)(a) contact", "privacy@ferramentabianchi.it"),
        ("30(1)(a) representative", "Rep Services, Via Roma 1, Milano"),
        ("30(1)(a) DPO", "dpo@ferramentabianchi.it"),
        ("30(1)(b) purposes", "Purpose of the processing"),
        ("30(1)(b) purpose", "Orders, delivery and after-sales service"),
        ("30(1)(b) basis", "consent of the data subject (Art. 6(1)(a) GDPR)"),
        ("30(1)(c) data subjects", "Categories of data subjects"),
        ("30(1)(c) data subjects", "customers; subscribers"),
        ("30(1)(c) categories", "First, last or full name; E-mail address"),
        ("30(1)(d) recipients", "Newsletter platform (processor acting on our behalf"),
        ("30(1)(e) transfers", "to the United States, on the basis of standard data protection"),
        ("30(1)(e) documentation", "Standard contractual clauses of 4 June 2021"),
        ("30(1)(f) erasure", "Time limits for erasure"),
        ("30(1)(f) capped", "purchase details (what, when, how much): 24 months"),
        ("30(1)(g) security", "Encryption of stored data; Individual accounts with access logs"),
        ("30(1)(g) pseudonymisation", "customer identifier (keyed pseudonym)"),
    ],
    "it": [
        ("30(1)(a) titolare", "Titolare del trattamento"),
        ("30(1)(a) nome", "Ferramenta Bianchi S.p.A."),
        ("30(1)(a) rappresentante", "Rappresentanze Servizi, Via Roma 1, Milano"),
        ("30(1)(a) RPD", "Responsabile della protezione dei dati (RPD)"),
        ("30(1)(b) finalità", "Finalità del trattamento"),
        ("30(1)(b) base giuridica", "consenso dell'interessato (art. 6, par. 1, lett. a), GDPR)"),
        ("30(1)(c) interessati", "Categorie di interessati"),
        ("30(1)(c) interessati", "clienti; iscritti alla newsletter"),
        ("30(1)(c) dati", "Categorie di dati personali"),
        ("30(1)(d) destinatari", "Categorie di destinatari"),
        ("30(1)(e) trasferimenti", "Trasferimenti verso paesi terzi e garanzie"),
        ("30(1)(e) garanzie", "Stati Uniti, sulla base di clausole tipo"),
        ("30(1)(f) cancellazione", "Termini ultimi previsti per la cancellazione"),
        ("30(1)(f) limite", "12 mesi dall'ultimo acquisto, decorso tale termine i dati sono"),
        ("30(1)(g) sicurezza", "Misure di sicurezza tecniche e organizzative"),
        ("30(1)(g) misure", "Cifratura dei dati archiviati"),
        ("30(1)(g) pseudonimi", "identificativo del cliente (pseudonimo con chiave)"),
    ],
}
CASES = [
    (language, fmt, element, phrase)
    for language, table in ELEMENTS.items()
    for element, phrase in table
    for fmt in ("markdown", "html", "csv")
]


@pytest.mark.parametrize(("language", "fmt", "element", "phrase"), CASES)
def test_register_holds_each_element(
    complete: Complete, language: str, fmt: str, element: str, phrase: str
) -> None:
    assert phrase in rendered(complete, language, fmt), element


@pytest.mark.parametrize("language", ["en", "it"])
@pytest.mark.parametrize("fmt", ["markdown", "html", "csv"])
def test_register_shows_the_capped_period_only(complete: Complete, language: str, fmt: str) -> None:
    text = rendered(complete, language, fmt)
    assert ("5 years" if language == "en" else "5 anni") not in text
    assert ("36 months" if language == "en" else "36 mesi") not in text


def test_register_data_keeps_the_policy_period_beside_the_enforced_one(complete: Complete) -> None:
    register = processing_register(load_policy(complete("en")))
    (newsletter,) = [a for a in register["activities"] if a["purpose"] == "newsletter"]
    purchase = newsletter["retention"][1]
    assert (purchase["period"], purchase["enforced"]) == ("P5Y", ["P24M"])
    assert purchase["cap"].startswith("P24M (Garante")
    assert json.loads(json.dumps(register)) == register


def _without(path: str) -> Callable[[dict[str, Any]], None]:
    def edit(raw: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = raw
        for part in parents:
            node = node[part]
        del node[last]

    return edit


def _us_recipient_without_transfer(raw: dict[str, Any]) -> None:
    raw["transfers"] = []


def _swiss_controller(raw: dict[str, Any]) -> None:
    raw["controller"]["country"] = "CH"
    del raw["controller"]["representative"]


@pytest.mark.parametrize(
    ("edit", "missing"),
    [
        (_without("controller.dpo"), ["controller.dpo"]),
        (_without("recipients"), ["recipients"]),
        (_without("transfers"), ["transfers"]),
        (_without("security"), ["security"]),
        (_without("purposes.leads.data_subjects"), ["purposes.leads.data_subjects"]),
        (_without("purposes.sales.retention"), ["purposes.sales.retention"]),
        (_without("purposes.leads.interest"), ["purposes.leads.interest"]),
        (_us_recipient_without_transfer, ["transfers.US"]),
        (_swiss_controller, ["controller.representative"]),
        # Art. 27: a controller in the Union names no representative, and none is missing.
        (_without("controller.representative"), []),
    ],
    ids=[
        "dpo", "recipients", "transfers", "security", "data_subjects", "retention",
        "interest", "transfer-safeguard", "representative-outside-eu", "representative-in-eu",
    ],
)  # fmt: skip
def test_missing_lists_exactly_the_undeclared_elements(
    complete: Complete, edit: Callable[[dict[str, Any]], None], missing: list[str]
) -> None:
    raw = complete("en")
    assert processing_register(load_policy(raw))["missing"] == []
    edit(raw)
    register = processing_register(load_policy(raw), language="it")
    assert register["missing"] == missing
    assert len(register["missing_text"]) == len(missing)
    text = render_register(register)
    if missing:
        assert "Elementi non indicati nella policy (da completare)" in text
    else:
        assert "non indicati nella policy (da completare)" not in text


def test_an_old_policy_loads_and_its_register_lists_what_it_lacks() -> None:
    register = processing_register(load_policy(DATA / "design_policy.yaml"))
    assert {"recipients", "transfers", "security"} <= set(register["missing"])
    assert "purposes.contract.data_subjects" in register["missing"]


HOSTILE = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "=1;2"]


@pytest.mark.parametrize("language", ["en", "it"])
def test_csv_parses_one_row_per_activity_and_guards_formulas(
    complete: Complete, language: str
) -> None:
    raw = complete(language)
    raw["controller"]["name"] = HOSTILE[0]
    raw["purposes"]["sales"]["description"] = HOSTILE[1]
    raw["purposes"]["leads"]["interest"] = HOSTILE[2]
    raw["purposes"]["leads"]["data_subjects"] = [HOSTILE[3]]
    raw["security"] = [HOSTILE[4]]
    raw["purposes"]["newsletter"]["description"] = HOSTILE[5]
    text = render_register(processing_register(load_policy(raw), language=language), format="csv")
    assert not text.startswith("\ufeff")  # the BOM is the command's (bytes), not the text's
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    assert len(body) == len(raw["purposes"])
    assert all(len(row) == len(header) for row in body)
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert '\'=HYPERLINK("http://evil")' in cells
    assert "'+1+1" in cells
    assert text.endswith("\r\n")


def test_csv_columns_are_the_art_30_elements_in_italian(complete: Complete) -> None:
    register = processing_register(load_policy(complete("it")), language="it")
    header = next(csv.reader(io.StringIO(render_register(register, format="csv"))))
    assert header == [
        "Titolare del trattamento",
        "Dati di contatto",
        "Rappresentante (art. 27 GDPR)",
        "Responsabile della protezione dei dati (RPD)",
        "Finalità del trattamento",
        "Base giuridica",
        "Legittimo interesse",
        "Categorie particolari: condizione (art. 9, par. 2) o autorizzazione (art. 10)",
        "Categorie di interessati",
        "Categorie di dati personali",
        "Fonte dei dati",
        "Categorie di destinatari",
        "Trasferimenti verso paesi terzi e garanzie",
        "Termini ultimi previsti per la cancellazione",
        "Misure di sicurezza tecniche e organizzative",
        "Profilazione e marketing diretto",
    ]


def test_register_html_escapes_hostile_policy_text(complete: Complete) -> None:
    raw = complete("en")
    raw["controller"]["name"] = "<script>alert(1)</script>"
    raw["security"] = ["</td></tr></table><img src=x onerror=alert(1)>"]
    document = render_register(processing_register(load_policy(raw)), format="html")
    text, tags = html_text(document)
    assert "script" not in tags
    assert "img" not in tags
    assert "<script>alert(1)</script>" in text
    assert "</td></tr></table><img src=x onerror=alert(1)>" in text


def test_register_refuses_an_unknown_format(complete: Complete) -> None:
    with pytest.raises(ConfigurationError, match="unknown format"):
        render_register(processing_register(load_policy(complete("en"))), format="xlsx")
    with pytest.raises(ConfigurationError, match="unknown language"):
        processing_register(load_policy(complete("en")), language="de")


ENGLISH = {
    "the", "and", "your", "you", "from", "then", "months", "years", "consent", "purpose",
    "controller", "processing", "retention", "recipients", "rights", "legal", "basis", "not",
    "declared", "deleted", "anonymised", "none", "object", "profiling", "transfer",
    "safeguard", "adequacy", "clauses", "who", "we", "our", "with", "for", "of", "to", "by",
    "at", "on", "or", "Art", "record", "activities", "subjects", "erasure", "measures",
    "security", "applicable", "categories",
}  # fmt: skip


@pytest.mark.parametrize("fmt", ["markdown", "html", "csv"])
def test_the_italian_register_has_no_english_left(complete: Complete, fmt: str) -> None:
    words = set(re.findall(r"[A-Za-zÀ-ÿ]+", rendered(complete, "it", fmt)))
    words -= set(complete("it")["purposes"])  # the purposes' own names head their sections
    assert not words & ENGLISH, sorted(words & ENGLISH)
