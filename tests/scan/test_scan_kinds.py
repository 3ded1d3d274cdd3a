"""scan_text, kind by kind: what is found (with its exact position) and what is not.

Each table row is a sentence and the identifier in it; the expected span is where that
identifier stands in the sentence. Near misses (a wrong check digit, too short, too long,
inside a word) must find nothing at all — not even part of them as another kind.
"""

from __future__ import annotations

import itertools
import pickle

import pytest

import gdprkit
from gdprkit import Match, scan_text
from gdprkit._scan import IBAN_COUNTRIES, KINDS, is_iban, luhn_ok, redact_text, redact_value

# --- true positives: (sentence, identifier, kind) ------------------------------------------

FOUND = [
    # e-mail
    ("scrivere a mario.rossi@example.it per la fattura", "mario.rossi@example.it", "email"),
    ("mail: laura+crm@negozio.co.uk.", "laura+crm@negozio.co.uk", "email"),
    ("indirizzo <info@arredamentirossi.it>", "info@arredamentirossi.it", "email"),
    ("e-mail 'g.verdi@pec.studio-verdi.it' confermata", "g.verdi@pec.studio-verdi.it", "email"),
    ("(anna_bianchi99@libero.it)", "anna_bianchi99@libero.it", "email"),
    ("contatto josé@dominio.es oggi", "josé@dominio.es", "email"),
    ("scrive da mario@rossi.it.Poi", "mario@rossi.it.Poi", "email"),  # Poi reads as a TLD
    # phone
    ("richiamare il +39 333 123 4567 domani", "+39 333 123 4567", "phone"),
    ("cell. 333-1234567", "333-1234567", "phone"),
    ("cell 3331234567, ore pasti", "3331234567", "phone"),
    ("tel. 333.123.4567", "333.123.4567", "phone"),
    ("numero 0039 333 1234567", "0039 333 1234567", "phone"),
    ("ufficio +39 06 1234 5678", "+39 06 1234 5678", "phone"),
    ("fisso 06 1234 5678 (Roma)", "06 1234 5678", "phone"),
    ("fisso (06) 12345678", "(06) 12345678", "phone"),
    ("fax 02/12345678", "02/12345678", "phone"),
    ("Bolzano 0471 123456", "0471 123456", "phone"),
    ("cliente francese +33 1 23 45 67 89", "+33 1 23 45 67 89", "phone"),
    ("cell 333 1234567 2 volte", "333 1234567", "phone"),
    ("dopo le 18 3331234567", "3331234567", "phone"),  # a whole mobile after a number
    ("interno 2 333 1234567", "333 1234567", "phone"),
    # codice fiscale
    ("CF RSSMRA85T10A562S allegato", "RSSMRA85T10A562S", "codice_fiscale"),
    ("cf: rssmra85t10a562s", "rssmra85t10a562s", "codice_fiscale"),
    ("omocodia RSSMRA85T10A56NH", "RSSMRA85T10A56NH", "codice_fiscale"),
    ("lei: BNCLRA92E55F205G.", "BNCLRA92E55F205G", "codice_fiscale"),
    # partita IVA
    ("P.IVA 00743110157", "00743110157", "partita_iva"),
    ("P.IVA IT00743110157", "IT00743110157", "partita_iva"),
    ("VAT IT 00743110157;", "IT 00743110157", "partita_iva"),
    ("ditta 12345670017 srl", "12345670017", "partita_iva"),
    # IBAN
    (
        "IBAN IT60 X054 2811 1010 0000 0123 456 intestato",
        "IT60 X054 2811 1010 0000 0123 456",
        "iban",
    ),
    ("IBAN: IT60X0542811101000000123456.", "IT60X0542811101000000123456", "iban"),
    ("iban IT 60 X 05428 11101 000000123456", "IT 60 X 05428 11101 000000123456", "iban"),
    ("conto it60x0542811101000000123456", "it60x0542811101000000123456", "iban"),
    ("DE DE89 3704 0044 0532 0130 00 ok", "DE89 3704 0044 0532 0130 00", "iban"),
    ("FR FR14 2004 1010 0505 0001 3M02 606", "FR14 2004 1010 0505 0001 3M02 606", "iban"),
    ("UK GB29 NWBK 6016 1331 9268 19", "GB29 NWBK 6016 1331 9268 19", "iban"),
    ("ES ES91 2100 0418 4502 0005 1332", "ES91 2100 0418 4502 0005 1332", "iban"),
    ("NL NL91ABNA0417164300", "NL91ABNA0417164300", "iban"),
    ("IBAN IT60-X054-2811-1010-0000-0123-456", "IT60-X054-2811-1010-0000-0123-456", "iban"),
    # card
    ("carta 4111 1111 1111 1111 scad 12/27", "4111 1111 1111 1111", "card"),
    ("carta 4111-1111-1111-1111", "4111-1111-1111-1111", "card"),
    ("carta 4111111111111111", "4111111111111111", "card"),
    ("MC 5555 5555 5555 4444", "5555 5555 5555 4444", "card"),
    ("Amex 3782 822463 10005", "3782 822463 10005", "card"),
    ("Visa 4111111111119", "4111111111119", "card"),  # 13 digits
    ("ordine 12 4111 1111 1111 1111", "4111 1111 1111 1111", "card"),  # whole groups found
    # IP
    ("accesso da 192.168.1.10 alle 10:30", "192.168.1.10", "ip"),
    ("IP 10.0.0.1.", "10.0.0.1", "ip"),
    ("IPv6 2001:db8::1 bloccato", "2001:db8::1", "ip"),
    ("loopback ::1", "::1", "ip"),
    ("link fe80::1ff:fe23:4567:890a ok", "fe80::1ff:fe23:4567:890a", "ip"),
    ("mapped ::ffff:192.0.2.128 ok", "::ffff:192.0.2.128", "ip"),
    ("[2001:db8::1]:8080", "2001:db8::1", "ip"),
]


@pytest.mark.parametrize(("sentence", "identifier", "kind"), FOUND)
def test_found_at_its_position(sentence: str, identifier: str, kind: str) -> None:
    start = sentence.index(identifier)
    assert scan_text(sentence) == [Match(kind, start, start + len(identifier))]  # type: ignore[arg-type]


@pytest.mark.parametrize(("sentence", "identifier", "kind"), FOUND)
def test_redacted_by_its_kind(sentence: str, identifier: str, kind: str) -> None:
    assert redact_text(sentence) == sentence.replace(identifier, f"[{kind}]")


# --- near misses: nothing at all is found ---------------------------------------------------

MISSED = [
    # e-mail
    ("no TLD", "scrivere a mario@rossi"),
    ("one-letter TLD", "scrivere a mario@rossi.i"),
    ("trailing dot in the local part", "mario.@rossi.it"),
    ("double at", "mario@@rossi.it"),
    ("no local part", "@rossi.it"),
    ("local part over 64", "x" * 65 + "@rossi.it"),
    # phone
    ("too short", "cell 333 12345"),
    ("starts with 1", "codice 1234567890"),
    ("inside a word", "X3331234567"),
    ("inside a longer number", "3331234567890"),
    ("a date with dots", "nata il 02.03.2024"),
    ("a date with dashes", "nata il 06-03-2024"),
    ("a date with slashes", "nata il 02/03/2024"),
    ("thousands", "fatturato 350.000.000 euro"),
    ("+ then 0", "+0039 06 1234567"),
    ("the tail of a spaced number", "conto 1010 0000 0123 456"),
    ("time range", "aperto 09.30-12.30"),
    # codice fiscale
    ("wrong check character", "CF RSSMRA85T10A562T"),
    ("month letter that is no month", "CF RSSMRA85Z10A562S"),
    ("day 32", "CF RSSMRA85T32A562S"),
    ("15 characters", "CF RSSMRA85T10A562"),
    ("inside a word", "CF XRSSMRA85T10A562S"),
    # partita IVA
    ("wrong check digit", "P.IVA 12345670018"),
    ("office code 200", "P.IVA 12345672005"),
    ("all zeros", "P.IVA 00000000000"),
    ("10 digits", "P.IVA 1234567001"),
    ("12 digits", "P.IVA 123456700170"),
    ("inside a word", "P.IVA A00743110157"),
    ("another prefix", "P.IVA DE00743110157"),
    # IBAN
    ("wrong check digits", "IBAN IT61 X054 2811 1010 0000 0123 456"),
    ("a character short", "IBAN IT60 X054 2811 1010 0000 0123 45"),
    ("a character more", "IBAN IT60X05428111010000001234567"),
    ("not a SEPA country", "IBAN XX60X0542811101000000123456"),
    ("check digits 00", "IBAN IT00 X054 2811 1010 0000 0123 456"),
    ("digit where a letter must be", "IBAN IT60 1054 2811 1010 0000 0123 456"),
    ("inside a word", "IBANIT60X0542811101000000123456"),
    # card
    ("wrong Luhn", "carta 4111 1111 1111 1112"),
    ("too short", "carta 4111 1111 111"),
    ("too long", "carta 41111111111111111111"),
    ("starts with 9", "carta 9111111111111110"),
    ("inside a word", "carta x4111111111111111"),
    # IP
    ("octet over 255", "IP 256.1.1.1"),
    ("three octets", "IP 10.0.0"),
    ("five numbers", "versione 1.2.3.4.5"),
    ("leading zeros", "IP 01.02.03.04"),
    ("a time", "alle 10:30:45"),
    ("a MAC address", "MAC 00:1a:2b:3c:4d:5e"),
    ("inside a word", "host10.0.0.1"),
    # none
    ("prose", "La cliente è passata in negozio: vuole lo sconto del 10% sul divano."),
    ("empty", ""),
]


@pytest.mark.parametrize(("why", "sentence"), MISSED, ids=[row[0] for row in MISSED])
def test_near_misses_find_nothing(why: str, sentence: str) -> None:
    assert scan_text(sentence) == []
    assert redact_text(sentence) == sentence


# --- overlaps -------------------------------------------------------------------------------


def test_a_wrong_partita_iva_starting_with_0_still_reads_as_a_landline() -> None:
    # Italian landlines are 0 + up to 10 digits: a number of that shape is redacted either way
    assert scan_text("P.IVA 00743110158") == [Match("phone", 6, 17)]
    assert scan_text("P.IVA 01234567890") == [Match("phone", 6, 17)]


def test_longest_wins_email_over_phone() -> None:
    text = "sms 3331234567@sms.example.it"
    assert scan_text(text) == [Match("email", 4, len(text))]


def test_longest_wins_ipv6_over_its_ipv4_tail() -> None:
    text = "::ffff:192.0.2.128"
    assert scan_text(text) == [Match("ip", 0, len(text))]


def test_partita_iva_wins_a_tie_with_a_landline() -> None:
    # 00743110157 is also read as a phone (00 + 9 digits): same span, partita IVA is more specific
    assert scan_text("n. 00743110157") == [Match("partita_iva", 3, 14)]


def test_kinds_are_ordered_most_specific_first() -> None:
    assert KINDS == ("iban", "card", "codice_fiscale", "partita_iva", "email", "ip", "phone")


def test_matches_are_sorted_and_disjoint() -> None:
    text = "IT60X0542811101000000123456 333 1234567 a@b.it 4111111111111111 10.0.0.1"
    found = scan_text(text)
    assert [m.kind for m in found] == ["iban", "phone", "email", "card", "ip"]
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))


def test_adjacent_identifiers_are_both_found() -> None:
    text = "3331234567,3339876543"
    assert scan_text(text) == [Match("phone", 0, 10), Match("phone", 11, 21)]


# --- Unicode: compatibility characters are read, positions stay the text's -------------------


def _full_width(ascii_text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) for ch in ascii_text)


def test_full_width_digits_and_at_sign() -> None:
    text = "cell " + _full_width("3331234567") + " mail " + _full_width("mario@rossi.it")
    assert scan_text(text) == [Match("phone", 5, 15), Match("email", 21, 35)]


def test_no_break_spaces_and_typographic_dashes() -> None:
    text = "tel. 333\u00a0123\u00a04567 o 333\u20131234567"
    assert scan_text(text) == [Match("phone", 5, 17), Match("phone", 20, 31)]
    assert redact_text(text) == "tel. [phone] o [phone]"


def test_accented_prose_around_an_identifier() -> None:
    text = "è già più tardi: però il CF è RSSMRA85T10A562S, perché sì"
    start = text.index("RSSMRA")
    assert scan_text(text) == [Match("codice_fiscale", start, start + 16)]


# --- no value anywhere ----------------------------------------------------------------------


def test_match_holds_no_value() -> None:
    m = scan_text("chiamare 3331234567")[0]
    assert repr(m) == "Match(kind='phone', start=9, end=19)"
    assert "333" not in str(m)
    assert not hasattr(m, "__dict__")  # slots: nothing else can be attached
    with pytest.raises(AttributeError):
        m.kind = "email"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(m)) == m  # noqa: S301 - our own bytes


@pytest.mark.parametrize("value", [b"3331234567", 3331234567, None, ["3331234567"]])
def test_non_text_is_a_type_error_naming_only_the_type(value: object) -> None:
    for function in (scan_text, redact_text):
        with pytest.raises(TypeError) as info:
            function(value)  # type: ignore[arg-type]
        assert "333" not in str(info.value)
        assert "333" not in repr(info.value)


def test_a_str_subclass_is_read_as_its_exact_text() -> None:
    class Hostile(str):
        def __str__(self) -> str:
            raise AssertionError("not called")

        def __getitem__(self, key: object) -> str:
            raise AssertionError("not called")

    assert scan_text(Hostile("cell 3331234567")) == [Match("phone", 5, 15)]
    assert redact_text(Hostile("cell 3331234567")) == "cell [phone]"


# --- the check-digit helpers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("IT60X0542811101000000123456", True),
        ("IT60 X054 2811 1010 0000 0123 456", True),
        ("it60x0542811101000000123456", True),
        ("IT61X0542811101000000123456", False),
        ("IT60X054281110100000012345", False),
        ("XX60X0542811101000000123456", False),
        ("IT60X05428111010000001234\uff156", False),  # a full-width digit
        ("", False),
    ],
)
def test_is_iban(value: str, expected: bool) -> None:
    assert is_iban(value) is expected


@pytest.mark.parametrize(
    ("digits", "expected"),
    [("4111111111111111", True), ("4111111111111112", False), ("79927398713", True), ("0", True)],
)
def test_luhn(digits: str, expected: bool) -> None:
    assert luhn_ok(digits) is expected


# --- role mailboxes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("info@arredamentirossi.it", True),
        ("Amministrazione@ditta.it", True),
        ("ordini+web@ditta.it", True),
        ("mario.rossi@ditta.it", False),
        ("info.rossi@ditta.it", False),
        ("info@", False),
    ],
)
def test_role_mailbox_classification_is_public(address: str, expected: bool) -> None:
    assert gdprkit.is_role_email(address) is expected


# --- the IBAN table against python-stdnum's copy of the SWIFT registry ----------------------


@pytest.mark.parametrize("country", sorted(IBAN_COUNTRIES))
def test_iban_table_agrees_with_stdnum(country: str) -> None:
    import random
    import string

    from stdnum import iban as stdnum_iban

    length, bban_types = IBAN_COUNTRIES[country]
    assert len(bban_types) == length - 4
    chars = {
        "n": string.digits,
        "a": string.ascii_uppercase,
        "c": string.digits + string.ascii_uppercase,
    }
    rng = random.Random(country)
    for _ in range(20):
        bban = "".join(rng.choice(chars[t]) for t in bban_types)
        number = country + stdnum_iban.calc_check_digits(country + "00" + bban) + bban
        # length and BBAN structure per the registry (not the national account checks)
        assert stdnum_iban.is_valid(number, check_country=False), number
        assert is_iban(number)
        assert scan_text(f"IBAN {number} ok") == [Match("iban", 5, 5 + len(number))]


# --- redact_value: the transform a policy's ``redact`` can be wired to ----------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("cell 3331234567", "cell [phone]"),
        ("nessun dato", "nessun dato"),
        ("", ""),
        (None, None),
        (3331234567, None),  # not text: not let through
        (b"cell 3331234567", None),
        (float("nan"), None),
    ],
)
def test_redact_value(value: object, expected: str | None) -> None:
    assert redact_value(value) == expected
