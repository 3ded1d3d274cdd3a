"""The words of the accountability documents, in English and Italian.

The Italian is written as an Italian privacy officer writes a notice and a register, in the
vocabulary of the Garante per la protezione dei dati personali and of the Italian text of the
GDPR ("titolare del trattamento", "base giuridica", "termini ultimi previsti per la
cancellazione"...), not translated word for word. Articles are cited in each language's own way:
``Art. 6(1)(a)`` in English, ``art. 6, par. 1, lett. a)`` in Italian.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

from gdprkit._taxonomy import LegalBasis, SpecialCondition

__all__ = [
    "AUTHORITIES",
    "BASES",
    "BASES_REGISTER",
    "CATEGORIES_IT",
    "CONDITIONS",
    "COUNTRIES",
    "EEA",
    "METHODS",
    "PROVIDING",
    "REFERENCES_IT",
    "ROLES",
    "SAFEGUARDS",
    "SOURCES",
    "TEXT",
    "UNITS",
    "Language",
    "article",
]

Language = Literal["en", "it"]


def article(language: Language, number: str, paragraph: str = "", letter: str = "") -> str:
    """An article of the GDPR cited as each language cites it: ``Art. 6(1)(a) GDPR`` or
    ``art. 6, par. 1, lett. a), GDPR``."""
    if language == "it":
        text = f"art. {number}"
        if paragraph:
            text += f", par. {paragraph}"
        if letter:
            text += f", lett. {letter})"
        return text + (", GDPR" if letter else " GDPR")
    text = f"Art. {number}"
    if paragraph:
        text += f"({paragraph})"
    if letter:
        text += f"({letter})"
    return text + " GDPR"


#: Member states of the European Economic Area: transfers go to countries outside it.
# fmt: off
EEA: Final = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
})
# fmt: on

#: Supervisory authorities by the controller's country (Art. 13(2)(d), Art. 77), by name.
AUTHORITIES: Final[Mapping[str, str]] = {
    "IT": "Garante per la protezione dei dati personali (www.garanteprivacy.it)",
    "AT": "Österreichische Datenschutzbehörde (www.dsb.gv.at)",
    "BE": "Autorité de protection des données / Gegevensbeschermingsautoriteit",
    "BG": "Commission for Personal Data Protection (www.cpdp.bg)",
    "HR": "Agencija za zaštitu osobnih podataka (azop.hr)",
    "CY": "Commissioner for Personal Data Protection (www.dataprotection.gov.cy)",
    "CZ": "Úřad pro ochranu osobních údajů (uoou.gov.cz)",
    "DK": "Datatilsynet (www.datatilsynet.dk)",
    "EE": "Andmekaitse Inspektsioon (www.aki.ee)",
    "FI": "Tietosuojavaltuutetun toimisto (tietosuoja.fi)",
    "FR": "Commission nationale de l'informatique et des libertés, CNIL (www.cnil.fr)",
    "DE": "the data protection authority of the Land concerned, or the BfDI (www.bfdi.bund.de)",
    "GR": "Hellenic Data Protection Authority (www.dpa.gr)",
    "HU": "Nemzeti Adatvédelmi és Információszabadság Hatóság, NAIH (naih.hu)",
    "IE": "Data Protection Commission (www.dataprotection.ie)",
    "LV": "Datu valsts inspekcija (www.dvi.gov.lv)",
    "LT": "Valstybinė duomenų apsaugos inspekcija (vdai.lrv.lt)",
    "LU": "Commission nationale pour la protection des données, CNPD (cnpd.public.lu)",
    "MT": "Information and Data Protection Commissioner (idpc.org.mt)",
    "NL": "Autoriteit Persoonsgegevens (autoriteitpersoonsgegevens.nl)",
    "PL": "Prezes Urzędu Ochrony Danych Osobowych, UODO (uodo.gov.pl)",
    "PT": "Comissão Nacional de Proteção de Dados, CNPD (www.cnpd.pt)",
    "RO": "Autoritatea Națională de Supraveghere a Prelucrării Datelor cu Caracter Personal",
    "SK": "Úrad na ochranu osobných údajov (dataprotection.gov.sk)",
    "SI": "Informacijski pooblaščenec (www.ip-rs.si)",
    "ES": "Agencia Española de Protección de Datos, AEPD (www.aepd.es)",
    "SE": "Integritetsskyddsmyndigheten, IMY (www.imy.se)",
    "IS": "Persónuvernd (www.personuvernd.is)",
    "LI": "Datenschutzstelle Liechtenstein (www.datenschutzstelle.li)",
    "NO": "Datatilsynet (www.datatilsynet.no)",
    "GB": "Information Commissioner's Office, ICO (ico.org.uk)",
}

COUNTRIES: Final[Mapping[Language, Mapping[str, str]]] = {
    "en": {
        "IT": "Italy", "FR": "France", "DE": "Germany", "ES": "Spain", "IE": "Ireland",
        "NL": "the Netherlands", "BE": "Belgium", "AT": "Austria", "PT": "Portugal",
        "SE": "Sweden", "DK": "Denmark", "FI": "Finland", "PL": "Poland", "LU": "Luxembourg",
        "GR": "Greece", "US": "the United States", "GB": "the United Kingdom",
        "CH": "Switzerland", "CA": "Canada", "JP": "Japan", "KR": "South Korea", "IN": "India",
        "CN": "China", "BR": "Brazil", "AU": "Australia", "IL": "Israel", "NZ": "New Zealand",
        "AR": "Argentina", "UY": "Uruguay", "NO": "Norway", "IS": "Iceland",
        "LI": "Liechtenstein",
    },
    "it": {
        "IT": "Italia", "FR": "Francia", "DE": "Germania", "ES": "Spagna", "IE": "Irlanda",
        "NL": "Paesi Bassi", "BE": "Belgio", "AT": "Austria", "PT": "Portogallo",
        "SE": "Svezia", "DK": "Danimarca", "FI": "Finlandia", "PL": "Polonia",
        "LU": "Lussemburgo", "GR": "Grecia", "US": "Stati Uniti", "GB": "Regno Unito",
        "CH": "Svizzera", "CA": "Canada", "JP": "Giappone", "KR": "Corea del Sud",
        "IN": "India", "CN": "Cina", "BR": "Brasile", "AU": "Australia", "IL": "Israele",
        "NZ": "Nuova Zelanda", "AR": "Argentina", "UY": "Uruguay", "NO": "Norvegia",
        "IS": "Islanda", "LI": "Liechtenstein",
    },
}  # fmt: skip

#: (text, article) per legal basis.
BASES: Final[Mapping[Language, Mapping[LegalBasis, tuple[str, str]]]] = {
    "en": {
        LegalBasis.CONSENT: ("your consent", "a"),
        LegalBasis.CONTRACT: (
            "the performance of a contract with you, or steps you asked us to take before one",
            "b",
        ),
        LegalBasis.LEGAL_OBLIGATION: ("a legal obligation to which we are subject", "c"),
        LegalBasis.VITAL_INTERESTS: (
            "the protection of your vital interests or those of another person",
            "d",
        ),
        LegalBasis.PUBLIC_TASK: (
            "a task carried out in the public interest or in the exercise of official authority",
            "e",
        ),
        LegalBasis.LEGITIMATE_INTERESTS: ("our legitimate interest", "f"),
    },
    "it": {
        LegalBasis.CONSENT: ("il consenso dell'interessato", "a"),
        LegalBasis.CONTRACT: (
            "l'esecuzione di un contratto di cui lei è parte o di misure precontrattuali "
            "adottate su sua richiesta",
            "b",
        ),
        LegalBasis.LEGAL_OBLIGATION: (
            "l'adempimento di un obbligo legale al quale è soggetto il titolare del trattamento",
            "c",
        ),
        LegalBasis.VITAL_INTERESTS: (
            "la salvaguardia degli interessi vitali suoi o di un'altra persona fisica",
            "d",
        ),
        LegalBasis.PUBLIC_TASK: (
            "l'esecuzione di un compito di interesse pubblico o connesso all'esercizio di "
            "pubblici poteri",
            "e",
        ),
        LegalBasis.LEGITIMATE_INTERESTS: (
            "il perseguimento del legittimo interesse del titolare del trattamento",
            "f",
        ),
    },
}

#: The bases as a register states them: of the data subject, in the third person.
BASES_REGISTER: Final[Mapping[Language, Mapping[LegalBasis, str]]] = {
    "en": {
        LegalBasis.CONSENT: "consent of the data subject",
        LegalBasis.CONTRACT: (
            "performance of a contract with the data subject, or pre-contractual steps at the "
            "data subject's request"
        ),
        LegalBasis.LEGAL_OBLIGATION: "compliance with a legal obligation of the controller",
        LegalBasis.VITAL_INTERESTS: (
            "vital interests of the data subject or of another natural person"
        ),
        LegalBasis.PUBLIC_TASK: (
            "task carried out in the public interest or in the exercise of official authority"
        ),
        LegalBasis.LEGITIMATE_INTERESTS: "legitimate interests of the controller",
    },
    "it": {
        LegalBasis.CONSENT: "consenso dell'interessato",
        LegalBasis.CONTRACT: (
            "esecuzione di un contratto di cui l'interessato è parte o di misure "
            "precontrattuali adottate su richiesta dello stesso"
        ),
        LegalBasis.LEGAL_OBLIGATION: (
            "adempimento di un obbligo legale al quale è soggetto il titolare del trattamento"
        ),
        LegalBasis.VITAL_INTERESTS: (
            "salvaguardia degli interessi vitali dell'interessato o di un'altra persona fisica"
        ),
        LegalBasis.PUBLIC_TASK: (
            "esecuzione di un compito di interesse pubblico o connesso all'esercizio di "
            "pubblici poteri"
        ),
        LegalBasis.LEGITIMATE_INTERESTS: (
            "perseguimento del legittimo interesse del titolare del trattamento"
        ),
    },
}

CONDITIONS: Final[Mapping[Language, Mapping[SpecialCondition, str]]] = {
    "en": {
        SpecialCondition.EXPLICIT_CONSENT: "your explicit consent",
        SpecialCondition.EMPLOYMENT: "obligations of employment and social security law",
        SpecialCondition.VITAL_INTERESTS: "vital interests, where you cannot give consent",
        SpecialCondition.NOT_FOR_PROFIT: (
            "the legitimate activities of a not-for-profit body towards its members"
        ),
        SpecialCondition.MADE_PUBLIC: "data you have manifestly made public",
        SpecialCondition.LEGAL_CLAIMS: "the establishment, exercise or defence of legal claims",
        SpecialCondition.SUBSTANTIAL_PUBLIC_INTEREST: "reasons of substantial public interest",
        SpecialCondition.HEALTH_CARE: (
            "preventive or occupational medicine, health or social care"
        ),
        SpecialCondition.PUBLIC_HEALTH: "reasons of public interest in public health",
        SpecialCondition.ARCHIVING_RESEARCH: (
            "archiving in the public interest, scientific or historical research or statistics"
        ),
    },
    "it": {
        SpecialCondition.EXPLICIT_CONSENT: "il suo consenso esplicito",
        SpecialCondition.EMPLOYMENT: (
            "l'assolvimento di obblighi in materia di diritto del lavoro e della sicurezza sociale"
        ),
        SpecialCondition.VITAL_INTERESTS: (
            "la tutela di un interesse vitale, se lei non è in grado di prestare il consenso"
        ),
        SpecialCondition.NOT_FOR_PROFIT: (
            "le legittime attività di un organismo senza scopo di lucro nei confronti dei suoi "
            "membri"
        ),
        SpecialCondition.MADE_PUBLIC: "dati da lei resi manifestamente pubblici",
        SpecialCondition.LEGAL_CLAIMS: (
            "l'accertamento, l'esercizio o la difesa di un diritto in sede giudiziaria"
        ),
        SpecialCondition.SUBSTANTIAL_PUBLIC_INTEREST: "motivi di interesse pubblico rilevante",
        SpecialCondition.HEALTH_CARE: (
            "finalità di medicina preventiva o di medicina del lavoro, di assistenza sanitaria "
            "o sociale"
        ),
        SpecialCondition.PUBLIC_HEALTH: (
            "motivi di interesse pubblico nel settore della sanità pubblica"
        ),
        SpecialCondition.ARCHIVING_RESEARCH: (
            "l'archiviazione nel pubblico interesse, la ricerca scientifica o storica o fini "
            "statistici"
        ),
    },
}

#: Whether providing the data is required, and what follows if not (Art. 13(2)(e)).
PROVIDING: Final[Mapping[Language, Mapping[LegalBasis, str]]] = {
    "en": {
        LegalBasis.CONSENT: (
            "optional: if you do not give the data or your consent, we do not use them for "
            "this purpose, with no other consequence for you"
        ),
        LegalBasis.CONTRACT: (
            "a contractual requirement: without these data we cannot conclude or perform the "
            "contract"
        ),
        LegalBasis.LEGAL_OBLIGATION: (
            "a statutory requirement: without these data we cannot meet our legal obligation"
        ),
        LegalBasis.VITAL_INTERESTS: (
            "not a requirement: the data are used only to protect vital interests"
        ),
        LegalBasis.PUBLIC_TASK: (
            "required by the law that assigns us the task: without these data we cannot "
            "carry it out"
        ),
        LegalBasis.LEGITIMATE_INTERESTS: (
            "not asked of you: we use data we already hold, and you may object as set out below"
        ),
    },
    "it": {
        LegalBasis.CONSENT: (
            "facoltativo. Il mancato conferimento dei dati o del consenso non ha alcuna "
            "conseguenza, salvo l'impossibilità di perseguire nei suoi confronti questa finalità"
        ),
        LegalBasis.CONTRACT: (
            "necessario per la conclusione e l'esecuzione del contratto. Il mancato "
            "conferimento comporta l'impossibilità di concluderlo o di eseguirlo"
        ),
        LegalBasis.LEGAL_OBLIGATION: (
            "obbligatorio per legge. Il mancato conferimento comporta l'impossibilità di "
            "adempiere agli obblighi di legge"
        ),
        LegalBasis.VITAL_INTERESTS: (
            "non obbligatorio. I dati sono trattati solo per la salvaguardia di interessi vitali"
        ),
        LegalBasis.PUBLIC_TASK: (
            "previsto dalla norma che attribuisce il compito. Il mancato conferimento ne "
            "impedisce lo svolgimento"
        ),
        LegalBasis.LEGITIMATE_INTERESTS: (
            "non richiesto. Trattiamo dati già in nostro possesso, e lei può opporsi come "
            "indicato di seguito"
        ),
    },
}

ROLES: Final[Mapping[Language, Mapping[str, str]]] = {
    "en": {
        "processor": "processor acting on our behalf under Art. 28 GDPR",
        "controller": "independent controller",
        "authority": "public authority",
    },
    "it": {
        "processor": "responsabile del trattamento ai sensi dell'art. 28 GDPR",
        "controller": "titolare autonomo del trattamento",
        "authority": "autorità pubblica",
    },
}

SAFEGUARDS: Final[Mapping[Language, Mapping[str, str]]] = {
    "en": {
        "adequacy": f"an adequacy decision of the European Commission ({article('en', '45')})",
        "scc": (
            "standard data protection clauses adopted by the European Commission "
            f"({article('en', '46', '2', 'c')})"
        ),
        "bcr": f"binding corporate rules ({article('en', '47')})",
        "derogation": f"a derogation for specific situations ({article('en', '49')})",
    },
    "it": {
        "adequacy": (
            f"una decisione di adeguatezza della Commissione europea ({article('it', '45')})"
        ),
        "scc": (
            "clausole tipo di protezione dei dati adottate dalla Commissione europea "
            f"({article('it', '46', '2', 'c')})"
        ),
        "bcr": f"norme vincolanti d'impresa ({article('it', '47')})",
        "derogation": f"una deroga in specifiche situazioni ({article('it', '49')})",
    },
}

#: Collection channels in plain words, and whether the data come from the subject.
SOURCES: Final[Mapping[str, tuple[bool, str, str]]] = {
    "web_form": (True, "forms on our website", "moduli sul nostro sito web"),
    "website": (True, "our website", "il nostro sito web"),
    "online_shop": (True, "our online shop", "il nostro negozio online"),
    "ecommerce": (True, "our online shop", "il nostro negozio online"),
    "app": (True, "our app", "la nostra app"),
    "store": (True, "our stores", "i nostri punti vendita"),
    "shop": (True, "our stores", "i nostri punti vendita"),
    "paper_form": (True, "paper forms", "moduli cartacei"),
    "phone": (True, "telephone calls", "contatti telefonici"),
    "email": (True, "e-mails you send us", "e-mail che ci invia"),
    "business_card": (True, "business cards you give us", "biglietti da visita che ci consegna"),
    "event": (True, "events and trade fairs", "eventi e fiere"),
    "social_network": (
        False,
        "social networks (contact forms of our advertising campaigns)",
        "social network (moduli di contatto delle nostre campagne pubblicitarie)",
    ),
    "purchased_list": (
        False,
        "lists acquired from third parties",
        "liste di contatti acquisite da terzi",
    ),
    "partner": (False, "our business partners", "i nostri partner commerciali"),
    "referral": (False, "people who recommended us to you", "persone che le hanno segnalato noi"),
    "public_register": (
        False,
        "public registers (publicly accessible sources)",
        "pubblici registri (fonti accessibili al pubblico)",
    ),
}

METHODS: Final[Mapping[Language, Mapping[str, str]]] = {
    "en": {
        "token": "keyed pseudonym",
        "encrypt": "encryption",
        "mask": "masking",
        "drop": "removal",
        "redact": "redaction of identifiers in the text",
        "generalise": "generalisation",
    },
    "it": {
        "token": "pseudonimo con chiave",
        "encrypt": "cifratura",
        "mask": "mascheramento",
        "drop": "eliminazione",
        "redact": "oscuramento degli identificativi nel testo",
        "generalise": "generalizzazione",
    },
}

#: Units of a period: (singular, plural).
UNITS: Final[Mapping[Language, Mapping[str, tuple[str, str]]]] = {
    "en": {
        "Y": ("year", "years"),
        "M": ("month", "months"),
        "W": ("week", "weeks"),
        "D": ("day", "days"),
        "H": ("hour", "hours"),
        "MIN": ("minute", "minutes"),
        "S": ("second", "seconds"),
    },
    "it": {
        "Y": ("anno", "anni"),
        "M": ("mese", "mesi"),
        "W": ("settimana", "settimane"),
        "D": ("giorno", "giorni"),
        "H": ("ora", "ore"),
        "MIN": ("minuto", "minuti"),
        "S": ("secondo", "secondi"),
    },
}

#: The bundled national caps' references, in Italian.
REFERENCES_IT: Final[Mapping[str, str]] = {
    "Garante, fidelity cards, provision of 24 February 2005 (doc. web 1103045)": (
        "Garante per la protezione dei dati personali, provvedimento generale sulle carte di "
        "fidelizzazione del 24 febbraio 2005 (doc. web n. 1103045)"
    ),
}

CATEGORIES_IT: Final[Mapping[str, str]] = {
    "identity": "Dati identificativi",
    "identity.name": "Nome e cognome",
    "identity.customer_id": "Codice cliente",
    "identity.national_id": "Codice fiscale o altro numero di identificazione nazionale",
    "identity.tax_id": "Partita IVA o codice fiscale dell'impresa",
    "identity.username": "Nome utente dell'account",
    "contact": "Dati di contatto",
    "contact.email": "Indirizzo e-mail",
    "contact.phone": "Numero di telefono",
    "contact.address": "Indirizzo postale",
    "contact.social_account": "Profilo o account sui social network",
    "professional": "Dati professionali",
    "professional.company": "Datore di lavoro o società",
    "professional.department": "Reparto o ufficio",
    "professional.job_title": "Qualifica o mansione",
    "demographic": "Dati anagrafici e demografici",
    "demographic.birth_date": "Data di nascita",
    "demographic.age": "Età o fascia d'età",
    "demographic.gender": "Genere",
    "demographic.education": "Titolo di studio",
    "demographic.interests": "Interessi dichiarati",
    "commercial": "Dati relativi al rapporto commerciale",
    "commercial.purchase_history": "Dettaglio degli acquisti (prodotti, date e importi)",
    "commercial.orders": "Ordini",
    "commercial.invoices": "Fatture e scritture contabili",
    "commercial.contracts": "Contratti",
    "commercial.loyalty": "Dati del programma fedeltà",
    "financial": "Dati di pagamento",
    "financial.payment": "Metodi di pagamento e transazioni",
    "financial.bank_account": "Coordinate bancarie (IBAN)",
    "financial.card": "Carta di pagamento",
    "online": "Identificativi e comportamento online",
    "online.ip_address": "Indirizzo IP",
    "online.device": "Identificativi del dispositivo",
    "online.browser": "Dati del browser",
    "online.browsing": "Dati di navigazione",
    "online.funnel": "Eventi del percorso di acquisto online",
    "online.cookie_id": "Identificativi dei cookie",
    "online.location": "Dati di localizzazione",
    "free_text": "Note e altri campi a testo libero (possono contenere qualsiasi dato)",
    "special": "Categorie particolari di dati personali (art. 9, par. 1, GDPR)",
    "special.racial_ethnic_origin": "Origine razziale o etnica",
    "special.political_opinions": "Opinioni politiche",
    "special.religious_beliefs": "Convinzioni religiose o filosofiche",
    "special.trade_union": "Appartenenza sindacale",
    "special.genetic": "Dati genetici",
    "special.biometric": "Dati biometrici intesi a identificare in modo univoco una persona",
    "special.health": "Dati relativi alla salute",
    "special.sex_life": "Vita sessuale o orientamento sessuale",
    "criminal": "Dati relativi a condanne penali e reati (art. 10 GDPR)",
    "criminal.convictions": "Condanne penali",
    "criminal.offences": "Reati",
    "meta": "Dati tecnici non personali (fonte, codice del paese, indicatori del consenso)",
}

#: The template's words. Keys are stable; ``{}`` fields are filled by the renderer.
TEXT: Final[Mapping[Language, Mapping[str, str]]] = {
    "en": {
        "notice_title": "Information on the processing of your personal data",
        "notice_intro": (
            "Under Articles 13 and 14 of Regulation (EU) 2016/679 (GDPR), this notice tells "
            "you who processes your personal data, why, on which legal basis, for how long, "
            "who receives them and what rights you have."
        ),
        "h_controller": "Who is the controller",
        "controller": "Controller:",
        "contact": "Contact details:",
        "representative": "Representative in the Union (Art. 27 GDPR):",
        "dpo": "Data protection officer:",
        "h_purposes": "Why we process your data, and on which legal basis",
        "basis": "Legal basis:",
        "special": "Special categories of data:",
        "special_text": "processed under {article}: {condition}",
        "criminal": "Data relating to criminal convictions and offences (Art. 10 GDPR):",
        "interest": "Legitimate interest pursued:",
        "interest_missing": "not declared in the policy (to be completed)",
        "data": "Categories of personal data:",
        "no_data": "none of the declared data",
        "source": "Where the data come from:",
        "source_subject": "from you, when you give them to us or use our services",
        "source_any": "from you or through any of our channels ({channels})",
        "informed": "When we inform you:",
        "informed_text": (
            "where we did not obtain the data from you, within a reasonable period and at the "
            "latest within one month of obtaining them, or at our first communication with you, "
            "or before we first disclose them to another recipient (Art. 14(3) GDPR)"
        ),
        "retention": "How long we keep them:",
        "no_retention": "not declared in the policy (to be completed)",
        "recipients": "Who receives them:",
        "no_recipients": "nobody: the data are not disclosed to anyone",
        "not_declared": "not declared in the policy",
        "transfers": "Transfers outside the European Economic Area:",
        "no_transfers": "none: the data are processed within the European Economic Area",
        "transfer_text": "to {country}, on the basis of {safeguard}",
        "transfer_unsafe": "to {country}: safeguard not declared in the policy",
        "transfer_reference": "reference: {reference}",
        "transfer_copy": "a copy may be obtained by writing to {contact}",
        "providing": "Is providing the data required?",
        "profiling": "Profiling:",
        "profiling_text": (
            "your data are used to build a profile of your preferences and purchasing habits"
        ),
        "purpose_rights": "Your rights for this purpose:",
        "right_portability": (
            "to receive the data you gave us in a structured, commonly used and "
            "machine-readable format, and to have them transmitted to another controller "
            "(Art. 20 GDPR)"
        ),
        "right_withdraw": (
            "to withdraw your consent at any time, as easily as you gave it, without affecting "
            "the lawfulness of processing based on consent before its withdrawal "
            "(Art. 7(3) GDPR)"
        ),
        "right_object": (
            "to object at any time, on grounds relating to your particular situation "
            "(Art. 21(1) GDPR)"
        ),
        "right_object_marketing": (
            "to object at any time and free of charge to the use of your data for direct "
            "marketing, including related profiling: we then stop (Art. 21(2)-(3) GDPR)"
        ),
        "h_rights": "Your rights",
        "rights_all": (
            "You may ask us at any time for access to your personal data (Art. 15 GDPR), their "
            "rectification (Art. 16) or erasure (Art. 17), and the restriction of their "
            "processing (Art. 18)."
        ),
        "rights_portability": (
            "For the data processed on the basis of your consent or of a contract you also have "
            "the right to data portability (Art. 20)."
        ),
        "rights_withdraw": (
            "Where we rely on your consent, you may withdraw it at any time, without affecting "
            "the lawfulness of processing based on consent before its withdrawal (Art. 7(3))."
        ),
        "rights_object": (
            "Where we rely on our legitimate interest or on a task in the public interest, you "
            "may object to the processing on grounds relating to your particular situation "
            "(Art. 21(1))."
        ),
        "rights_object_marketing": (
            "You may object at any time, free of charge, to the use of your data for direct "
            "marketing, including the profiling related to it; we will then stop "
            "(Art. 21(2)-(3))."
        ),
        "rights_how": "To exercise your rights, write to {contact}.",
        "rights_how_dpo": "You may also contact our data protection officer at {dpo}.",
        "complaint": (
            "You have the right to lodge a complaint with the supervisory authority, "
            "{authority} (Art. 77 GDPR)."
        ),
        "complaint_unknown": (
            "You have the right to lodge a complaint with the supervisory authority of the "
            "Member State of your habitual residence, place of work or place of the alleged "
            "infringement (Art. 77 GDPR)."
        ),
        "h_automated": "Automated decisions and profiling",
        "automated_profiling": "We use your data for profiling for: {purposes}.",
        "automated_none_profiling": "We do not use your data for profiling.",
        "automated_art22": (
            "We take no decision based solely on automated processing, including profiling, "
            "which produces legal effects concerning you or similarly significantly affects "
            "you (Art. 22 GDPR)."
        ),
        "your_data": "your data",
        "all_data": "all the data",
        "then_delete": "then deleted",
        "then_anonymise": "then anonymised",
        "capped_by": "the limit set by {reference}",
        "shorter_of": "whichever ends first of {periods}",
        "also_capped": "{what}: at most {period}, the limit set by {reference}",
        "from_consent": "from when you gave your consent",
        "from_consent_r": "from when consent was given",
        "from_last_purchase_r": "from the last purchase",
        "from_birth_r": "from the date of birth",
        "from_last_purchase": "from your last purchase",
        "from_purchase": "from the purchase",
        "from_birth": "from your date of birth",
        "from_described": "counted from the date recorded as “{description}”",
        "and": "and",
        "none": "none",
        "yes": "yes",
        "no": "no",
        "not_applicable": "not applicable",
        # The register.
        "register_title": "Record of processing activities (Art. 30(1) GDPR)",
        "r_controller": "Controller",
        "r_contact": "Contact details",
        "r_representative": "Representative (Art. 27 GDPR)",
        "r_dpo": "Data protection officer",
        "r_purpose": "Purpose of the processing",
        "r_basis": "Legal basis",
        "r_interest": "Legitimate interest",
        "r_special": "Special categories: condition (Art. 9(2)) or authorisation (Art. 10)",
        "r_subjects": "Categories of data subjects",
        "r_data": "Categories of personal data",
        "r_sources": "Sources of the data",
        "r_recipients": "Categories of recipients",
        "r_transfers": "Transfers to third countries and safeguards",
        "r_retention": "Time limits for erasure",
        "r_security": "Technical and organisational security measures",
        "r_profiling": "Profiling and direct marketing",
        "r_missing": "Not declared in the policy (to be completed)",
        "r_pseudonymised": "for this purpose: {items}",
        "r_profiling_yes": "profiling",
        "r_marketing_yes": "direct marketing",
        "sources_any": "any source (the policy does not restrict them)",
        "not_eu_needed": "not needed (controller established in the Union)",
        # Missing elements.
        "m_controller.dpo": "data protection officer (Art. 30(1)(a))",
        "m_controller.representative": "representative in the Union (Art. 27, Art. 30(1)(a))",
        "m_recipients": "recipients (Art. 30(1)(d))",
        "m_transfers": "transfers to third countries (Art. 30(1)(e))",
        "m_transfer_country": "safeguards for the transfer to {country} (Art. 30(1)(e))",
        "m_security": "security measures (Art. 30(1)(g))",
        "m_data_subjects": "categories of data subjects of “{purpose}” (Art. 30(1)(c))",
        "m_retention": "time limits for erasure of “{purpose}” (Art. 30(1)(f))",
        "m_interest": "legitimate interest of “{purpose}” (Art. 13(1)(d))",
    },
    "it": {
        "notice_title": "Informativa sul trattamento dei dati personali",
        "notice_intro": (
            "Ai sensi degli articoli 13 e 14 del Regolamento (UE) 2016/679 (GDPR), la "
            "informiamo su chi tratta i suoi dati personali, per quali finalità, su quale base "
            "giuridica, per quanto tempo, a chi sono comunicati e quali diritti le spettano."
        ),
        "h_controller": "Titolare del trattamento",
        "controller": "Titolare del trattamento:",
        "contact": "Dati di contatto:",
        "representative": "Rappresentante nell'Unione (art. 27 GDPR):",
        "dpo": "Responsabile della protezione dei dati (RPD):",
        "h_purposes": "Finalità e base giuridica del trattamento",
        "basis": "Base giuridica:",
        "special": "Categorie particolari di dati:",
        "special_text": "trattate in base all'{article}: {condition}",
        "criminal": "Dati relativi a condanne penali e reati (art. 10 GDPR):",
        "interest": "Legittimo interesse perseguito:",
        "interest_missing": "non indicato nella policy (da completare)",
        "data": "Categorie di dati personali:",
        "no_data": "nessuno dei dati dichiarati",
        "source": "Fonte dei dati:",
        "source_subject": (
            "raccolti presso di lei, quando ce li fornisce o utilizza i nostri servizi"
        ),
        "source_any": "raccolti presso di lei o tramite i nostri canali ({channels})",
        "informed": "Quando la informiamo:",
        "informed_text": (
            "se i dati non sono raccolti presso di lei, entro un termine ragionevole e al più "
            "tardi entro un mese dal loro ottenimento, oppure al momento della prima "
            "comunicazione con lei, o comunque prima della prima comunicazione dei dati a un "
            "altro destinatario (art. 14, par. 3, GDPR)"
        ),
        "retention": "Periodo di conservazione:",
        "no_retention": "non indicato nella policy (da completare)",
        "recipients": "Destinatari:",
        "no_recipients": "nessuno; i dati non sono comunicati a terzi",
        "not_declared": "non indicato nella policy",
        "transfers": "Trasferimento verso paesi terzi:",
        "no_transfers": "nessuno; i dati sono trattati all'interno dello Spazio economico europeo",
        "transfer_text": "{country}, sulla base di {safeguard}",
        "transfer_unsafe": "{country}, garanzie non indicate nella policy",
        "transfer_reference": "riferimento: {reference}",
        "transfer_copy": "può ottenerne copia scrivendo a {contact}",
        "providing": "Natura del conferimento:",
        "profiling": "Profilazione:",
        "profiling_text": (
            "i suoi dati sono utilizzati per definire un profilo delle sue preferenze e "
            "abitudini di acquisto"
        ),
        "purpose_rights": "Diritti specifici per questa finalità:",
        "right_portability": (
            "ricevere in un formato strutturato, di uso comune e leggibile da dispositivo "
            "automatico i dati che ci ha fornito, e trasmetterli a un altro titolare "
            "(art. 20 GDPR)"
        ),
        "right_withdraw": (
            "revocare il consenso in qualsiasi momento senza pregiudicare la liceità del "
            "trattamento basata sul consenso prima della revoca (art. 7, par. 3, GDPR); "
            "revocarlo è facile quanto prestarlo"
        ),
        "right_object": (
            "opporsi in qualsiasi momento, per motivi connessi alla sua situazione particolare "
            "(art. 21, par. 1, GDPR)"
        ),
        "right_object_marketing": (
            "opporsi in qualsiasi momento e gratuitamente al trattamento per finalità di "
            "marketing diretto, compresa la profilazione connessa: in tal caso i dati non sono "
            "più trattati per tali finalità (art. 21, par. 2 e 3, GDPR)"
        ),
        "h_rights": "Diritti dell'interessato",
        "rights_all": (
            "Lei può chiederci in qualsiasi momento l'accesso ai suoi dati personali "
            "(art. 15 GDPR), la rettifica (art. 16) o la cancellazione (art. 17) degli stessi e "
            "la limitazione del trattamento (art. 18)."
        ),
        "rights_portability": (
            "Per i dati trattati sulla base del consenso o di un contratto ha inoltre diritto "
            "alla portabilità dei dati (art. 20)."
        ),
        "rights_withdraw": (
            "Per le finalità basate sul consenso, ha il diritto di revocare il consenso in "
            "qualsiasi momento senza pregiudicare la liceità del trattamento basata sul "
            "consenso prima della revoca (art. 7, par. 3)."
        ),
        "rights_object": (
            "Per i trattamenti fondati sul legittimo interesse del titolare o sull'esecuzione "
            "di un compito di interesse pubblico, può opporsi al trattamento per motivi "
            "connessi alla sua situazione particolare (art. 21, par. 1)."
        ),
        "rights_object_marketing": (
            "Può opporsi in qualsiasi momento e gratuitamente al trattamento dei suoi dati per "
            "finalità di marketing diretto, compresa la profilazione connessa: in tal caso i "
            "dati non saranno più trattati per tali finalità (art. 21, par. 2 e 3)."
        ),
        "rights_how": "Per esercitare i suoi diritti può scrivere a {contact}.",
        "rights_how_dpo": (
            "Può inoltre contattare il responsabile della protezione dei dati all'indirizzo {dpo}."
        ),
        "complaint": (
            "Ha il diritto di proporre reclamo al {authority}, ai sensi dell'art. 77 del GDPR."
        ),
        "complaint_other": (
            "Ha il diritto di proporre reclamo all'autorità di controllo competente, "
            "{authority}, ai sensi dell'art. 77 del GDPR."
        ),
        "complaint_unknown": (
            "Ha il diritto di proporre reclamo all'autorità di controllo dello Stato membro in "
            "cui risiede abitualmente, lavora oppure del luogo ove si è verificata la presunta "
            "violazione (art. 77 GDPR)."
        ),
        "h_automated": "Processi decisionali automatizzati e profilazione",
        "automated_profiling": (
            "I suoi dati sono utilizzati per attività di profilazione per le seguenti "
            "finalità: {purposes}."
        ),
        "automated_none_profiling": "I suoi dati non sono utilizzati per attività di profilazione.",
        "automated_art22": (
            "Non adottiamo decisioni basate unicamente sul trattamento automatizzato, compresa "
            "la profilazione, che producano effetti giuridici che la riguardano o che incidano "
            "in modo analogo significativamente sulla sua persona (art. 22 GDPR)."
        ),
        "your_data": "i suoi dati",
        "all_data": "tutti i dati",
        "then_delete": "decorso tale termine i dati sono cancellati",
        "then_anonymise": "decorso tale termine i dati sono resi anonimi",
        "capped_by": "limite fissato da: {reference}",
        "shorter_of": "il più breve tra {periods}",
        "also_capped": "{what}: al massimo {period}, limite fissato da: {reference}",
        "from_consent": "dalla prestazione del consenso",
        "from_last_purchase": "dall'ultimo acquisto",
        "from_purchase": "dall'acquisto",
        "from_birth": "dalla data di nascita",
        "from_described": "a decorrere dalla data registrata come «{description}»",
        "and": "e",
        "none": "nessuno",
        "yes": "sì",
        "no": "no",
        "not_applicable": "non applicabile",
        "register_title": "Registro delle attività di trattamento (art. 30, par. 1, GDPR)",
        "r_controller": "Titolare del trattamento",
        "r_contact": "Dati di contatto",
        "r_representative": "Rappresentante (art. 27 GDPR)",
        "r_dpo": "Responsabile della protezione dei dati (RPD)",
        "r_purpose": "Finalità del trattamento",
        "r_basis": "Base giuridica",
        "r_interest": "Legittimo interesse",
        "r_special": (
            "Categorie particolari: condizione (art. 9, par. 2) o autorizzazione (art. 10)"
        ),
        "r_subjects": "Categorie di interessati",
        "r_data": "Categorie di dati personali",
        "r_sources": "Fonte dei dati",
        "r_recipients": "Categorie di destinatari",
        "r_transfers": "Trasferimenti verso paesi terzi e garanzie",
        "r_retention": "Termini ultimi previsti per la cancellazione",
        "r_security": "Misure di sicurezza tecniche e organizzative",
        "r_profiling": "Profilazione e marketing diretto",
        "r_missing": "Elementi non indicati nella policy (da completare)",
        "r_pseudonymised": "per questa finalità: {items}",
        "r_profiling_yes": "profilazione",
        "r_marketing_yes": "marketing diretto",
        "sources_any": "qualsiasi fonte (la policy non le limita)",
        "not_eu_needed": "non necessario (titolare stabilito nell'Unione)",
        "m_controller.dpo": "responsabile della protezione dei dati (art. 30, par. 1, lett. a))",
        "m_controller.representative": (
            "rappresentante nell'Unione (art. 27 e art. 30, par. 1, lett. a))"
        ),
        "m_recipients": "destinatari (art. 30, par. 1, lett. d))",
        "m_transfers": "trasferimenti verso paesi terzi (art. 30, par. 1, lett. e))",
        "m_transfer_country": (
            "garanzie per il trasferimento verso {country} (art. 30, par. 1, lett. e))"
        ),
        "m_security": "misure di sicurezza (art. 30, par. 1, lett. g))",
        "m_data_subjects": "categorie di interessati di «{purpose}» (art. 30, par. 1, lett. c))",
        "m_retention": (
            "termini ultimi per la cancellazione di «{purpose}» (art. 30, par. 1, lett. f))"
        ),
        "m_interest": "legittimo interesse di «{purpose}» (art. 13, par. 1, lett. d))",
    },
}
