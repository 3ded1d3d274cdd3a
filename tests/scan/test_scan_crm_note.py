"""A realistic CRM note (fictional people, numbers with valid check digits) scanned and redacted.

The note is what shop staff type after a call: prose in Italian, dates, times, prices, order
and ticket numbers, and the identifiers that must not travel with it.
"""

from __future__ import annotations

from gdprkit import Match, scan_text
from gdprkit._scan import redact_text

NOTE = """\
14/03/2025 ore 10:45 - Chiamata della sig.ra Giulia Ferrari (cliente dal 2019, tessera n. 48213).
Chiede il rimborso dell'ordine 2025-000318 (divano 3 posti, € 1.249,00): accredito su
IBAN IT33 Q030 6909 6061 0000 0012 345 intestato a lei, CF FRRGLI78D45L736V.
Preferisce essere richiamata al 347 555 0192 oppure al fisso 041 5238871 dopo le 18.
Mail: giulia.ferrari78@example.it (NON usare info@arredamentirossi.it per rispondere).
Fattura da intestare allo studio del marito, P.IVA IT04567890126.
Ha pagato l'acconto con carta 5454 5454 5454 5454, scad. 09/27 - NON annotare il CVV!
Ticket #88123 aperto dal portale, IP 93.184.216.34; consegna prevista il 02.04.2025 tra le
9.30 e le 12.30, piano 3, scala B. Valore merce 1.249.000 lire (vecchio listino).
"""

EXPECTED = """\
14/03/2025 ore 10:45 - Chiamata della sig.ra Giulia Ferrari (cliente dal 2019, tessera n. 48213).
Chiede il rimborso dell'ordine 2025-000318 (divano 3 posti, € 1.249,00): accredito su
IBAN [iban] intestato a lei, CF [codice_fiscale].
Preferisce essere richiamata al [phone] oppure al fisso [phone] dopo le 18.
Mail: [email] (NON usare [email] per rispondere).
Fattura da intestare allo studio del marito, P.IVA [partita_iva].
Ha pagato l'acconto con carta [card], scad. 09/27 - NON annotare il CVV!
Ticket #88123 aperto dal portale, IP [ip]; consegna prevista il 02.04.2025 tra le
9.30 e le 12.30, piano 3, scala B. Valore merce 1.249.000 lire (vecchio listino).
"""

IDENTIFIERS = [
    ("iban", "IT33 Q030 6909 6061 0000 0012 345"),
    ("codice_fiscale", "FRRGLI78D45L736V"),
    ("phone", "347 555 0192"),
    ("phone", "041 5238871"),
    ("email", "giulia.ferrari78@example.it"),
    ("email", "info@arredamentirossi.it"),
    ("partita_iva", "IT04567890126"),
    ("card", "5454 5454 5454 5454"),
    ("ip", "93.184.216.34"),
]


def test_the_note_is_scanned_kind_by_kind_in_order() -> None:
    expected = []
    for kind, written in IDENTIFIERS:
        start = NOTE.index(written)
        expected.append(Match(kind, start, start + len(written)))  # type: ignore[arg-type]
    assert scan_text(NOTE) == expected


def test_the_note_is_redacted_and_keeps_everything_else() -> None:
    assert redact_text(NOTE) == EXPECTED


def test_no_identifier_survives_redaction() -> None:
    redacted = redact_text(NOTE)
    for _, written in IDENTIFIERS:
        assert written not in redacted
    for fragment in ("0192", "5238871", "5454", "FRRGLI", "ferrari78", "216.34", "4567890126"):
        assert fragment not in redacted
