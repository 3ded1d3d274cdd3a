"""A complete policy for the accountability documents, in the language its texts are written in.

Every element of Art. 13(1)-(2), Art. 14(1)-(2) and Art. 30(1) is declared: controller,
representative and DPO; purposes on four bases (one fed by social networks and purchased lists,
so Art. 14 applies); a legitimate interest; recipients, one in the United States; a transfer
with its safeguard; security measures; data subjects. The newsletter keeps purchase details for
five years and profiling for three: the Garante's caps (24 and 12 months) must win.
"""

from __future__ import annotations

import copy
from typing import Any

TEXTS: dict[str, dict[str, Any]] = {
    "en": {
        "sales": "Orders, delivery and after-sales service",
        "newsletter": "Newsletter with offers by e-mail",
        "leads": "Contacting prospective customers found on social networks",
        "profiling": "Purchase profiles for personalised offers",
        "interest": "Finding new customers for our hardware shops",
        "subjects_sales": ["customers"],
        "subjects_newsletter": ["customers", "subscribers"],
        "subjects_leads": ["prospective customers"],
        "subjects_profiling": ["loyalty card holders"],
        "collected": "when we obtained the contact",
        "courier": "Express courier",
        "mailer": "Newsletter platform",
        "tax": "Revenue agency",
        "security": ["Encryption of stored data", "Individual accounts with access logs"],
        "scc": "Standard contractual clauses of 4 June 2021",
        "representative": "Rep Services, Via Roma 1, Milano",
    },
    "it": {
        "sales": "Gestione degli ordini, consegne e assistenza post vendita",
        "newsletter": "Invio della newsletter con offerte via posta elettronica",
        "leads": "Contatto di potenziali clienti reperiti sui social network",
        "profiling": "Profili di acquisto per offerte personalizzate",
        "interest": "Acquisire nuovi clienti per i nostri negozi di ferramenta",
        "subjects_sales": ["clienti"],
        "subjects_newsletter": ["clienti", "iscritti alla newsletter"],
        "subjects_leads": ["potenziali clienti"],
        "subjects_profiling": ["titolari della carta fedeltà"],
        "collected": "acquisizione del contatto",
        "courier": "Corriere espresso",
        "mailer": "Piattaforma di invio della newsletter",
        "tax": "Agenzia delle Entrate",
        "security": ["Cifratura dei dati archiviati", "Credenziali individuali e registro accessi"],
        "scc": "Clausole contrattuali tipo del 4 giugno 2021",
        "representative": "Rappresentanze Servizi, Via Roma 1, Milano",
    },
}


def complete_policy(language: str = "en") -> dict[str, Any]:
    """The complete policy as a mapping, its free texts in ``language``."""
    t = TEXTS[language]
    return copy.deepcopy(
        {
            "version": 1,
            "controller": {
                "name": "Ferramenta Bianchi S.p.A.",
                "country": "IT",
                "contact": "privacy@ferramentabianchi.it",
                "dpo": "dpo@ferramentabianchi.it",
                "representative": t["representative"],
            },
            "subject": {"id": "customer_id", "source": "source", "relationship": "relationship"},
            "fields": {
                "customer_id": "identity.customer_id",
                "full_name": "identity.name",
                "email": "contact.email",
                "phone": "contact.phone",
                "purchases": "commercial.purchase_history",
                "last_order_at": "commercial.purchase_history",
                "consent_news": "meta",
                "consent_news_at": "meta",
                "collected_at": {"category": "meta", "description": t["collected"]},
                "source": "meta",
                "relationship": "meta",
            },
            "purposes": {
                "sales": {
                    "description": t["sales"],
                    "basis": "contract",
                    "categories": ["identity", "contact", "commercial", "meta"],
                    "data_subjects": t["subjects_sales"],
                    "retention": [{"period": "P10Y", "from": "last_order_at"}],
                },
                "newsletter": {
                    "description": t["newsletter"],
                    "basis": "consent",
                    "direct_marketing": True,
                    "consent": {"field": "consent_news", "at": "consent_news_at"},
                    "sources": ["web_form", "store"],
                    "categories": [
                        "identity.name",
                        "contact.email",
                        "commercial.purchase_history",
                    ],
                    "data_subjects": t["subjects_newsletter"],
                    "retention": [
                        {"period": "P24M", "from": "consent_news_at"},
                        {
                            "categories": ["commercial.purchase_history"],
                            "period": "P5Y",
                            "from": "last_order_at",
                        },
                    ],
                },
                "leads": {
                    "description": t["leads"],
                    "basis": "legitimate_interests",
                    "interest": t["interest"],
                    "sources": ["social_network", "purchased_list"],
                    "categories": ["identity.name", "contact.email"],
                    "data_subjects": t["subjects_leads"],
                    "retention": [{"period": "P6M", "from": "collected_at"}],
                },
                "profiling": {
                    "description": t["profiling"],
                    "basis": "consent",
                    "profiling": True,
                    "categories": ["identity.customer_id", "commercial.purchase_history"],
                    "data_subjects": t["subjects_profiling"],
                    "transform": {"customer_id": "token"},
                    "retention": [
                        {
                            "categories": ["commercial.purchase_history"],
                            "period": "P36M",
                            "from": "last_order_at",
                            "then": "anonymise",
                        }
                    ],
                },
            },
            "recipients": [
                {
                    "name": t["courier"],
                    "role": "controller",
                    "purposes": ["sales"],
                    "country": "IT",
                },
                {
                    "name": t["mailer"],
                    "role": "processor",
                    "purposes": ["newsletter"],
                    "country": "US",
                },
                {"name": t["tax"], "role": "authority", "purposes": ["sales"], "country": "IT"},
            ],
            "transfers": [{"country": "US", "safeguard": "scc", "reference": t["scc"]}],
            "security": t["security"],
        }
    )
