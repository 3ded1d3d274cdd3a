"""The privacy notice (design §16): every element of Art. 13(1)-(2) and, for purposes fed by
other sources, Art. 14(1)-(2), in English and Italian, Markdown and HTML."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest

from gdprkit import ConfigurationError, load_policy, privacy_notice

Complete = Callable[[str], dict[str, Any]]


class _Text(HTMLParser):
    """The text and the tags of an HTML document."""

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


def notice(complete: Complete, language: str, fmt: str = "markdown") -> str:
    text = privacy_notice(load_policy(complete(language)), language=language, format=fmt)
    if fmt == "html":
        return html_text(text)[0]
    return text.replace("\\", "")  # Markdown escapes: compare the words


# (element, phrase) for each language: the phrase must appear in the notice.
ELEMENTS = {
    "en": [
        ("13(1)(a) controller", "Ferramenta Bianchi S.p.A."),
        ("13(1)(a) contact", "privacy@ferramentabianchi.it"),
        ("13(1)(a) representative", "Representative in the Union (Art. 27 GDPR):"),
        ("13(1)(a) representative", "Rep Services, Via Roma 1, Milano"),
        ("13(1)(b) DPO", "dpo@ferramentabianchi.it"),
        ("13(1)(c) purpose", "Newsletter with offers by e-mail"),
        ("13(1)(c) basis contract", "(Art. 6(1)(b) GDPR)"),
        ("13(1)(c) basis consent", "your consent (Art. 6(1)(a) GDPR)"),
        ("13(1)(c) basis interests", "our legitimate interest (Art. 6(1)(f) GDPR)"),
        ("13(1)(d) interest", "Finding new customers for our hardware shops"),
        ("13(1)(e) recipients", "Express courier (independent controller, Italy)"),
        ("13(1)(e) processor", "Newsletter platform (processor acting on our behalf"),
        ("13(1)(e) authority", "Revenue agency (public authority, Italy)"),
        ("13(1)(f) transfer", "to the United States, on the basis of standard data protection"),
        ("13(1)(f) copy", "a copy may be obtained by writing to privacy@ferramentabianchi.it"),
        ("13(2)(a) retention", "your data: 10 years from your last purchase, then deleted"),
        ("13(2)(a) anchor", "24 months from when you gave your consent"),
        ("13(2)(b) access", "access to your personal data (Art. 15 GDPR)"),
        ("13(2)(b) rectification", "rectification (Art. 16)"),
        ("13(2)(b) erasure", "erasure (Art. 17)"),
        ("13(2)(b) restriction", "restriction of their processing (Art. 18)"),
        ("13(2)(b) portability", "right to data portability (Art. 20)"),
        ("13(2)(b) objection", "(Art. 21(1))"),
        ("13(2)(b) marketing objection", "free of charge, to the use of your data for direct"),
        ("13(2)(c) withdrawal", "withdraw your consent at any time"),
        ("13(2)(c) withdrawal effect", "without affecting the lawfulness of processing based"),
        ("13(2)(d) complaint", "lodge a complaint with the supervisory authority, Garante per"),
        ("13(2)(d) authority", "Garante per la protezione dei dati personali"),
        ("13(2)(e) contract", "a contractual requirement: without these data we cannot"),
        ("13(2)(e) consent", "optional: if you do not give the data or your consent"),
        ("13(2)(f) automated", "decision based solely on automated processing"),
        ("13(2)(f) profiling", "We use your data for profiling for: Purchase profiles"),
        ("14(1)(d) categories", "First, last or full name; E-mail address"),
        ("14(2)(f) source", "social networks (contact forms of our advertising campaigns)"),
        ("14(2)(f) purchased list", "lists acquired from third parties"),
        ("14(3) when informed", "at the latest within one month of obtaining them"),
    ],
    "it": [
        ("13(1)(a) titolare", "Titolare del trattamento: Ferramenta Bianchi S.p.A."),
        ("13(1)(a) contatti", "Dati di contatto: privacy@ferramentabianchi.it"),
        ("13(1)(a) rappresentante", "Rappresentante nell'Unione (art. 27 GDPR)"),
        ("13(1)(b) RPD", "Responsabile della protezione dei dati (RPD): dpo@ferramentabianchi"),
        ("13(1)(c) finalità", "Finalità e base giuridica del trattamento"),
        ("13(1)(c) contratto", "(art. 6, par. 1, lett. b), GDPR)"),
        ("13(1)(c) consenso", "il consenso dell'interessato (art. 6, par. 1, lett. a), GDPR)"),
        ("13(1)(c) interesse", "legittimo interesse del titolare del trattamento"),
        ("13(1)(d) interesse", "Legittimo interesse perseguito: Acquisire nuovi clienti"),
        ("13(1)(e) destinatari", "Destinatari: Corriere espresso (titolare autonomo"),
        (
            "13(1)(e) responsabile",
            "(responsabile del trattamento ai sensi dell'art. 28 GDPR, Stati",
        ),
        ("13(1)(f) trasferimento", "Trasferimento verso paesi terzi: Stati Uniti, sulla base di"),
        ("13(1)(f) garanzie", "clausole tipo di protezione dei dati adottate dalla Commissione"),
        ("13(2)(a) conservazione", "Periodo di conservazione: i suoi dati: 10 anni dall'ultimo"),
        ("13(2)(a) consenso", "24 mesi dalla prestazione del consenso"),
        ("13(2)(b) accesso", "l'accesso ai suoi dati personali (art. 15 GDPR)"),
        ("13(2)(b) rettifica", "la rettifica (art. 16)"),
        ("13(2)(b) cancellazione", "la cancellazione (art. 17)"),
        ("13(2)(b) limitazione", "la limitazione del trattamento (art. 18)"),
        ("13(2)(b) portabilità", "diritto alla portabilità dei dati (art. 20)"),
        ("13(2)(b) opposizione", "può opporsi al trattamento per motivi connessi"),
        ("13(2)(b) marketing", "gratuitamente al trattamento dei suoi dati per finalità di"),
        (
            "13(2)(c) revoca",
            "revocare il consenso in qualsiasi momento senza pregiudicare la liceità del "
            "trattamento basata sul consenso prima della revoca",
        ),
        (
            "13(2)(d) reclamo",
            "diritto di proporre reclamo al Garante per la protezione dei dati personali",
        ),
        ("13(2)(e) contratto", "Natura del conferimento: necessario per la conclusione"),
        ("13(2)(e) consenso", "Natura del conferimento: facoltativo"),
        ("13(2)(f) decisioni", "decisioni basate unicamente sul trattamento automatizzato"),
        ("13(2)(f) profilazione", "attività di profilazione per le seguenti finalità"),
        ("14(1)(d) categorie", "Categorie di dati personali: Nome e cognome; Indirizzo e-mail"),
        ("14(2)(f) fonte", "Fonte dei dati: social network (moduli di contatto"),
        ("14(2)(f) liste", "liste di contatti acquisite da terzi"),
        ("14(3) quando", "al più tardi entro un mese dal loro ottenimento"),
    ],
}
CASES = [
    (language, fmt, element, phrase)
    for language, table in ELEMENTS.items()
    for element, phrase in table
    for fmt in ("markdown", "html")
]


@pytest.mark.parametrize(("language", "fmt", "element", "phrase"), CASES)
def test_notice_holds_each_element(
    complete: Complete, language: str, fmt: str, element: str, phrase: str
) -> None:
    assert phrase in notice(complete, language, fmt).replace("*", ""), element


# The newsletter keeps purchase details 5 years, profiling 36 months: the Garante's caps
# (24 and 12 months) are what the engine enforces, and all the notice may say.
EN_PURCHASES = "purchase details (what, when, how much)"
IT_PURCHASES = "dettaglio degli acquisti (prodotti, date e importi)"


@pytest.mark.parametrize(
    ("language", "enforced", "never"),
    [
        ("en", f"{EN_PURCHASES}: 24 months from your last purchase", "5 years"),
        ("en", f"{EN_PURCHASES}: 12 months from your last purchase", "36 months"),
        ("it", f"{IT_PURCHASES}: 24 mesi dall'ultimo acquisto", "5 anni"),
        ("it", f"{IT_PURCHASES}: 12 mesi dall'ultimo acquisto", "36 mesi"),
    ],
)
def test_notice_states_the_capped_retention_never_the_longer_one(
    complete: Complete, language: str, enforced: str, never: str
) -> None:
    text = notice(complete, language)
    assert enforced in text
    assert never not in text


def test_an_extension_recorded_in_the_policy_replaces_the_cap(complete: Complete) -> None:
    raw = complete("en")
    raw["jurisdictions"] = {
        "IT": {"extensions": [{"purpose": "profiling", "period": "P24M", "reference": "Auth. 1"}]}
    }
    text = privacy_notice(load_policy(raw), ["profiling"])
    assert "24 months from your last purchase" in text
    assert "36 months" not in text


def test_a_record_level_rule_in_a_capped_purpose_caps_the_purchase_details(
    complete: Complete,
) -> None:
    raw = complete("en")
    raw["purposes"]["newsletter"]["retention"] = [{"period": "P5Y", "from": "consent_news_at"}]
    text = privacy_notice(load_policy(raw), ["newsletter"]).replace("\\", "")
    assert "your data: 5 years from when you gave your consent" in text
    assert "purchase details (what, when, how much): at most 24 months" in text


@pytest.mark.parametrize(
    ("basis", "present", "absent"),
    [
        ("consent", ["Art. 20 GDPR", "withdraw your consent"], ["Art. 21(1)"]),
        ("contract", ["Art. 20 GDPR"], ["withdraw", "Art. 21(1)"]),
        ("legitimate_interests", ["Art. 21(1)"], ["Art. 20", "withdraw"]),
        ("legal_obligation", ["statutory requirement"], ["Art. 20", "withdraw", "Art. 21(1)"]),
        ("public_task", ["Art. 21(1)"], ["Art. 20", "withdraw"]),
    ],
)
def test_rights_follow_the_basis(
    complete: Complete, basis: str, present: list[str], absent: list[str]
) -> None:
    """Art. 20 only for consent and contract; Art. 21(1) for legitimate interests and public
    task; withdrawal (Art. 7(3)) for consent."""
    raw = complete("en")
    raw["purposes"]["sales"]["basis"] = basis
    text = privacy_notice(load_policy(raw), ["sales"])
    for phrase in present:
        assert phrase in text
    for phrase in absent:
        assert phrase not in text


def test_direct_marketing_objection_only_where_there_is_marketing(complete: Complete) -> None:
    policy = load_policy(complete("en"))
    assert "Art. 21(2)-(3)" in privacy_notice(policy, ["newsletter"])
    assert "Art. 21(2)-(3)" not in privacy_notice(policy, ["sales"])


def test_art_14_timing_only_for_purposes_fed_by_other_sources(complete: Complete) -> None:
    policy = load_policy(complete("en"))
    assert "Art. 14(3)" in privacy_notice(policy, ["leads"])
    assert "Art. 14(3)" not in privacy_notice(policy, ["newsletter"])  # forms and stores


@pytest.mark.parametrize(
    ("country", "authority"),
    [
        ("IT", "Garante per la protezione dei dati personali"),
        ("FR", "CNIL"),
        ("ES", "Agencia Española de Protección de Datos"),
        ("IE", "Data Protection Commission"),
        ("CH", "Member State of your habitual residence"),
    ],
)
def test_the_authority_of_the_controllers_country_by_name(
    complete: Complete, country: str, authority: str
) -> None:
    raw = complete("en")
    raw["controller"]["country"] = country
    assert authority in privacy_notice(load_policy(raw))


def test_an_undeclared_interest_is_said_not_invented(complete: Complete) -> None:
    raw = complete("it")
    del raw["purposes"]["leads"]["interest"]
    text = privacy_notice(load_policy(raw), ["leads"], language="it")
    assert "Legittimo interesse perseguito:** non indicato nella policy" in text


def test_an_old_policy_without_the_new_keys_still_gets_a_notice(complete: Complete) -> None:
    raw = complete("en")
    for key in ("recipients", "transfers", "security"):
        del raw[key]
    del raw["controller"]["representative"]
    text = privacy_notice(load_policy(raw))
    assert "Who receives them:** not declared in the policy" in text
    assert "Representative" not in text


# English words of the template that must not be left in the Italian notice (the policy's own
# texts are Italian here).
ENGLISH = [
    "the",
    "and",
    "your",
    "you",
    "from",
    "then",
    "months",
    "years",
    "consent",
    "purpose",
    "controller",
    "processing",
    "retention",
    "recipients",
    "rights",
    "legal",
    "basis",
    "not",
    "declared",
    "deleted",
    "anonymised",
    "none",
    "object",
    "withdraw",
    "profiling",
    "transfer",
    "safeguard",
    "adequacy",
    "clauses",
    "who",
    "why",
    "how",
    "we",
    "our",
    "with",
    "for",
    "of",
    "to",
    "by",
    "at",
    "on",
    "or",
    "Art",
    "notice",
    "information",
]  # fmt: skip  ("data" and "in" are Italian words too)


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_the_italian_notice_has_no_english_left(complete: Complete, fmt: str) -> None:
    text = notice(complete, "it", fmt)
    words = set(re.findall(r"[A-Za-zÀ-ÿ]+", text))
    assert not words & set(ENGLISH), sorted(words & set(ENGLISH))


def test_notice_html_escapes_hostile_policy_text(complete: Complete) -> None:
    raw = complete("en")
    raw["controller"]["name"] = 'Evil "Corp" <script>alert(1)</script> & co'
    raw["purposes"]["newsletter"]["description"] = "<img src=x onerror=alert(1)>"
    raw["purposes"]["leads"]["interest"] = "</li></ul><iframe src=//evil>"
    document = privacy_notice(load_policy(raw), format="html", language="it")
    text, tags = html_text(document)
    assert set(tags) <= {
        "html",
        "head",
        "meta",
        "title",
        "body",
        "h1",
        "h2",
        "h3",
        "p",
        "ul",
        "li",
        "strong",
    }
    assert 'Evil "Corp" <script>alert(1)</script> & co' in text
    assert "<img src=x onerror=alert(1)>" in text
    assert "</li></ul><iframe src=//evil>" in text
    assert document.startswith('<!DOCTYPE html>\n<html lang="it">')


def test_notice_markdown_escapes_markup_in_policy_text(complete: Complete) -> None:
    raw = complete("en")
    raw["purposes"]["newsletter"]["description"] = "<script>x</script> [link](http://evil)"
    text = privacy_notice(load_policy(raw))
    assert "<script>" not in text
    assert "[link](http" not in text  # the brackets are escaped: no link
    assert "\\[link\\]" in text


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"language": "fr"}, "unknown language"), ({"format": "pdf"}, "unknown format")],
)
def test_notice_refuses_unknown_language_or_format(
    complete: Complete, kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        privacy_notice(load_policy(complete("en")), **kwargs)


def test_regression_old_api_states_the_cap_and_no_column_names(complete: Complete) -> None:
    """Issue 11: the notice stated the policy's 5 years where the engine enforces 24 months,
    and anchors as column names ("from last order at")."""
    raw = complete("en")
    for key in ("recipients", "transfers", "security"):
        del raw[key]
    for purpose in raw["purposes"].values():
        purpose.pop("interest", None)
        purpose.pop("data_subjects", None)
    del raw["controller"]["representative"]
    text = privacy_notice(load_policy(raw), ["newsletter"])
    assert "24 months from your last purchase" in text
    assert "5 years" not in text
    assert "last order at" not in text
    assert "consent news at" not in text
