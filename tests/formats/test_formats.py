"""Value formats, one table of cases per format, then the invariants as properties.

Check characters and check digits are computed here by an implementation written from the
rules (DM 23/12/1976 for the codice fiscale, DPR 633/1972 art. 35 for the partita IVA) without
looking at ``gdprkit._formats``: a valid case is built from its first characters, an invalid one
by changing a single character.
"""

from __future__ import annotations

import math
import string
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib import resources
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from gdprkit import _formats
from gdprkit._formats import (
    COUNTRIES,
    EU_ALIASES,
    FORMAT_BY_CATEGORY,
    FORMATS,
    ROLE_EMAIL_LOCAL_PARTS,
    check_value,
    is_codice_fiscale,
    is_country,
    is_email,
    is_ip,
    is_partita_iva,
    is_phone,
    is_role_email,
)
from gdprkit._taxonomy import BUILTIN_CATEGORIES, FORMAT_NAMES

MESSAGES = _formats._MESSAGES
TEXT_FORMATS = tuple(f for f in FORMATS if f != "date")
PREDICATES = {
    "email": is_email,
    "phone": is_phone,
    "codice_fiscale": is_codice_fiscale,
    "partita_iva": is_partita_iva,
    "country": is_country,
    "ip": is_ip,
}

# --- an independent codice fiscale and partita IVA -------------------------------------------

# DM 23/12/1976, table for characters in odd positions (1st, 3rd ... 15th).
ODD = {
    "0": 1, "1": 0, "2": 5, "3": 7, "4": 9, "5": 13, "6": 15, "7": 17, "8": 19, "9": 21,
    "A": 1, "B": 0, "C": 5, "D": 7, "E": 9, "F": 13, "G": 15, "H": 17, "I": 19, "J": 21,
    "K": 2, "L": 4, "M": 18, "N": 20, "O": 11, "P": 3, "Q": 6, "R": 8, "S": 12, "T": 14,
    "U": 16, "V": 10, "W": 22, "X": 25, "Y": 24, "Z": 23,
}  # fmt: skip
OMOCODIA = dict(zip("0123456789", "LMNPQRSTUV", strict=True))
# Digit positions (0-based), in the order omocodia replaces them: from the right.
DIGIT_POSITIONS = (14, 13, 12, 10, 9, 7, 6)


def even_value(ch: str) -> int:
    """DM 23/12/1976, even positions: digits count as themselves, letters A-Z as 0-25."""
    return int(ch) if ch.isdigit() else string.ascii_uppercase.index(ch)


def cf(first15: str) -> str:
    """``first15`` followed by its check character."""
    assert len(first15) == 15
    total = sum(
        ODD[ch] if position % 2 == 1 else even_value(ch)
        for position, ch in enumerate(first15, start=1)
    )
    return first15 + string.ascii_uppercase[total % 26]


def piva(first10: str) -> str:
    """``first10`` followed by its partita IVA check digit."""
    assert len(first10) == 10
    odd = sum(int(first10[i]) for i in range(0, 10, 2))
    even = 0
    for i in range(1, 10, 2):
        doubled = int(first10[i]) * 2
        even += doubled - 9 if doubled > 9 else doubled
    return first10 + str((10 - (odd + even) % 10) % 10)


def fullwidth(text: str) -> str:
    """``text`` in fullwidth forms (U+FF01-U+FF5E), the look-alikes of ASCII."""
    return "".join(chr(ord(ch) + 0xFEE0) for ch in text)


def other_characters(code: str, position: int, alphabet: str) -> list[str]:
    """``code`` with the character at ``position`` replaced by every other one of ``alphabet``."""
    return [code[:position] + ch + code[position + 1 :] for ch in alphabet if ch != code[position]]


MARIO = "RSSMRA85T10A562S"  # the textbook example: Mario Rossi, born in Rome on 10 Dec 1985


def test_the_independent_implementation_agrees_with_the_textbook_example() -> None:
    assert cf(MARIO[:15]) == MARIO
    assert piva("0123456789") == "01234567897"


# --- the contract ----------------------------------------------------------------------------


def test_exports() -> None:
    assert sorted(_formats.__all__) == [
        "COUNTRIES",
        "EU_ALIASES",
        "EU_ALIAS_OF",
        "FORMATS",
        "FORMAT_BY_CATEGORY",
        "ROLE_EMAIL_LOCAL_PARTS",
        "check_value",
        "field_format",
        "is_codice_fiscale",
        "is_country",
        "is_email",
        "is_ip",
        "is_partita_iva",
        "is_phone",
        "is_role_email",
    ]
    for name in _formats.__all__:
        exported = getattr(_formats, name)
        assert not callable(exported) or exported.__doc__


def test_formats_are_the_vocabulary_policies_accept() -> None:
    assert FORMATS == ("email", "phone", "codice_fiscale", "partita_iva", "country", "date", "ip")
    assert set(FORMATS) == set(FORMAT_NAMES)


def test_default_format_of_each_category() -> None:
    assert dict(FORMAT_BY_CATEGORY) == {
        "contact.email": "email",
        "contact.phone": "phone",
        "online.ip_address": "ip",
        "demographic.birth_date": "date",
        "identity.national_id": "codice_fiscale",
        "identity.tax_id": "partita_iva",
    }
    assert set(FORMAT_BY_CATEGORY) <= set(BUILTIN_CATEGORIES)
    assert set(FORMAT_BY_CATEGORY.values()) <= set(FORMATS)
    assert isinstance(FORMAT_BY_CATEGORY, MappingProxyType)  # nobody changes the defaults


@pytest.mark.parametrize("fmt", ["e-mail", "EMAIL", "", "iban", None, 3, ["email"]])
def test_an_unknown_format_is_a_programming_error(fmt: Any) -> None:
    with pytest.raises(ValueError, match="unknown value format"):
        check_value(fmt, "mario.rossi@example.it")
    with pytest.raises(ValueError, match="unknown value format"):
        check_value(fmt, None)  # even when there is no value to check


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_values_are_left_to_the_caller(fmt: str) -> None:
    assert check_value(fmt, None) is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_blank_text_is_reported_as_empty(fmt: str) -> None:
    assert check_value(fmt, "") == "empty text"
    assert check_value(fmt, " \t\n") == "empty text"


# --- e-mail ----------------------------------------------------------------------------------


def address_of_length(length: int) -> str:
    """A valid-looking address of ``length`` characters: four 60-letter labels, then a TLD."""
    start = "m@" + ".".join(["a" * 60] * 4) + "."
    return start + "x" * (length - len(start))


VALID_EMAILS = [
    "mario.rossi@example.it",
    "  mario.rossi@example.it \n",  # surrounding whitespace from a spreadsheet
    "MARIO.ROSSI@EXAMPLE.IT",
    "mario+newsletter@example.com",
    "o'brien@example.ie",
    "first_last-1@sub-domain.example.travel",
    "a@b.co",
    "!#$%&'*+/=?^_`{|}~-@example.org",
    "x" * 64 + "@example.com",
    "info@xn--mnchen-3ya.de",  # IDN as an A-label
    "info@münchen.de",  # IDN as Unicode
    "info@пример.рф",  # Cyrillic domain and top-level domain
    "info@пример.xn--p1ai",
    "info@เว็บไซต์.ไทย",  # Thai: letters with combining marks
    "mario@" + "a" * 63 + ".it",
    address_of_length(254),
    # RFC 6531: internationalised local parts (issue 8: these were refused)
    "josé@example.es",
    "mariò@example.it",
    "m\u0430rio@example.it",  # a Cyrillic a: letters of any script, as in the domain
    "иван.петров@пример.рф",
    "用户@例子.广告",
    "ü" * 32 + "@example.de",  # 64 octets of UTF-8
    "zoë+news@example.nl",
    "e\u0301lodie@example.fr",  # a combining mark after its base letter
]

INVALID_EMAILS = [
    "mario.rossi",
    "mario@rossi@example.it",
    "@example.it",
    "mario@",
    ".mario@example.it",
    "mario.@example.it",
    "mario..rossi@example.it",
    "mario rossi@example.it",
    "mario@example",
    "mario@example.c",
    "mario@example.123",
    "mario@example.i7",
    "mario@-example.it",
    "mario@example-.it",
    "mario@example.-it",
    "mario@example..it",
    "mario@.example.it",
    "mario@example.it.",
    "mario@exa_mple.it",
    "mario@exam ple.it",
    "mario@[192.168.0.1]",  # address literals are not pragmatic
    "<mario@example.it>",
    "Mario Rossi <mario@example.it>",
    "ü" * 33 + "@example.de",  # 66 octets: RFC 6531 keeps the 64-octet limit
    "jos\u00e9 rossi@example.es",  # a space inside a Unicode local part
    "jos\u00e9\u00a0@example.es",  # a no-break space
    "jos\u00e9\u3000@example.es",  # an ideographic space
    "jos\u00e9\u0007@example.es",  # a control character
    "jos\u00e9\u0085@example.es",  # a C1 control (next line)
    "jos\u00e9\u200b@example.es",  # a zero-width space
    "jos\u00e9\u202e@example.es",  # a right-to-left override
    "\u0301jos\u00e9@example.es",  # a local part starting with a combining mark
    "jos\u00e9\ud800@example.es",  # a lone surrogate
    "jos\u00e9\ue000@example.es",  # a private-use character
    "jos\u00e9\u2022@example.es",  # a bullet: punctuation outside the RFC's atext
    ".jos\u00e9@example.es",
    "jos\u00e9..rossi@example.es",
    "jos\u00e9",
    "jos\u00e9@",
    "jos\u00e9@example",
    "jos\u00e9@exa mple.es",
    "mario\uff20example.it",  # fullwidth commercial at
    "mario﹫example.it",  # small commercial at (U+FE6B)
    "mario@example.it\u200b",  # zero-width space: not whitespace, not stripped
    "mario@exa\u200dmple.it",  # zero-width joiner inside a label
    "info@\u0301abc.it",  # a label starting with a combining mark
    "mario@example.١٢",  # Arabic-Indic digits as a top-level domain
    "x" * 65 + "@example.com",  # local part over 64
    "mario@" + "a" * 64 + ".it",  # label over 63
    address_of_length(255),
]


@pytest.mark.parametrize("value", VALID_EMAILS)
def test_valid_emails(value: str) -> None:
    assert check_value("email", value) is None
    assert is_email(value)


@pytest.mark.parametrize("value", INVALID_EMAILS)
def test_invalid_emails(value: str) -> None:
    assert check_value("email", value) == "not a valid e-mail address"
    assert not is_email(value)


# --- phone -----------------------------------------------------------------------------------

VALID_PHONES = [
    "+39 02 1234 5678",
    "02 12345678",
    "+39 333 123 4567",
    "(02) 1234-5678",
    "+39 (0)2 12345678",
    "+1 (555) 123-4567",
    "+44 20 7946 0958",
    "333/1234567",
    "333.123.4567",
    "0039 02 12345678",
    "123456",  # six digits: the shortest accepted
    "+123456789012345",  # fifteen digits: E.164's longest
    "00123456789012345",  # seventeen digits after an international 00 prefix
    " +39 02 1234 5678\n",
]

INVALID_PHONES = [
    ("12345", "a phone number has 6 to 15 digits (17 after a leading 00)"),
    ("+1234567890123456", "a phone number has 6 to 15 digits (17 after a leading 00)"),
    ("1234567890123456", "a phone number has 6 to 15 digits (17 after a leading 00)"),
    ("001234567890123456", "a phone number has 6 to 15 digits (17 after a leading 00)"),
    ("+ ( ) - . /", "a phone number has 6 to 15 digits (17 after a leading 00)"),
    ("39+021234567", "not a valid phone number"),
    ("++39021234567", "not a valid phone number"),
    ("+0039 02 1234567", "not a valid phone number"),
    ("(02 12345678", "not a valid phone number"),
    ("02) 12345678", "not a valid phone number"),
    (")02( 12345678", "not a valid phone number"),
    ("((02)) 12345678", "not a valid phone number"),
    ("02 1234567 ext. 12", "not a valid phone number"),
    ("tel. 021234567", "not a valid phone number"),
    ("02\t12345678", "not a valid phone number"),
    ("02\u00a012345678", "not a valid phone number"),  # no-break space
    (fullwidth("0212345678"), "not a valid phone number"),
    ("٠٢١٢٣٤٥٦٧٨", "not a valid phone number"),  # Arabic-Indic digits
    ("0 2 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5", "not a valid phone number"),  # over 32 characters
]


@pytest.mark.parametrize("value", VALID_PHONES)
def test_valid_phones(value: str) -> None:
    assert check_value("phone", value) is None
    assert is_phone(value)


@pytest.mark.parametrize(("value", "message"), INVALID_PHONES)
def test_invalid_phones(value: str, message: str) -> None:
    assert check_value("phone", value) == message
    assert not is_phone(value)


# --- codice fiscale --------------------------------------------------------------------------

VALID_CODICI_FISCALI = [
    MARIO,
    MARIO.lower(),
    "RSS MRA 85T10 A562S",
    f"  {MARIO}\n",
    cf("RSSMRA85T10A56N"),  # omocodia: the last digit replaced (2 → N)
    cf("RSSMRAURTMLARSN"),  # omocodia: every digit replaced
    cf("BNCLRA90A41H501"),  # a woman born on 1 January (day + 40)
    cf("BNCLRA90A71H501"),  # day 71: 31 January + 40 (B71, 31 February, was accepted)
    cf("BNCLRA00B69H501"),  # 29 February 2000, a woman
    cf("RSSMRA84B29A562"),  # 29 February 1984
    cf("VRDGPP13R10B293"),
    cf("RSSMRA85T10Z404"),  # born abroad (Z + country code)
    piva("0048496058"),  # an entity's 11-digit numeric code
]

CF_SHAPE = "not a valid codice fiscale (16 characters, or 11 digits for an entity)"
CF_CHECK = "codice fiscale check character does not match"
CF_DATE = "codice fiscale birth date does not exist"
INVALID_CODICI_FISCALI = [
    ("RSSMRA85T10A562T", CF_CHECK),
    (MARIO[:15] + "Z", CF_CHECK),
    ("SRSMRA85T10A562S", CF_CHECK),  # two letters swapped
    ("RSSMRA85T10A526S", CF_CHECK),  # two digits swapped
    (cf("RSSMRA85T10A56N")[:15] + "S", CF_CHECK),  # omocodia without recomputing the check
    (cf("RSSMRA85F10A562"), "codice fiscale month letter is not valid"),
    (cf("RSSMRA85Z10A562"), "codice fiscale month letter is not valid"),
    (cf("RSSMRA85T00A562"), "codice fiscale day of birth is not valid"),
    (cf("RSSMRA85T32A562"), "codice fiscale day of birth is not valid"),
    (cf("RSSMRA85T40A562"), "codice fiscale day of birth is not valid"),
    (cf("RSSMRA85T72A562"), "codice fiscale day of birth is not valid"),
    (cf("RSSMRA85TVVA562"), "codice fiscale day of birth is not valid"),  # omocodia 99
    # birth dates that do not exist (issue 8: these passed; python-stdnum refuses them)
    (cf("RSSMRA85B30A562"), CF_DATE),  # 30 February
    (cf("RSSMRA85B70A562"), CF_DATE),  # 30 February, a woman
    (cf("RSSMRA85D31A562"), CF_DATE),  # 31 April
    (cf("RSSMRA85H71A562"), CF_DATE),  # 31 June, a woman
    (cf("RSSMRA85P31A562"), CF_DATE),  # 31 September
    (cf("RSSMRA85S31A562"), CF_DATE),  # 31 November
    (cf("RSSMRA85B29A562"), CF_DATE),  # 29 February 1985
    (cf("RSSMRA85BN9A562"), CF_DATE),  # 29 February 1985, the day in omocodia
    (cf("RSSMRA8RBN9A562"), CF_DATE),  # 29 February 1985, year and day in omocodia
    (cf("RSSMRA8AT10A562"), CF_SHAPE),  # A is not an omocodia letter
    (cf("RSSMR485T10A562"), CF_SHAPE),  # a digit among the name letters
    (MARIO[:15], CF_SHAPE),
    (MARIO + "X", CF_SHAPE),
    ("RSSMRA85\tT10A562S", CF_SHAPE),  # only spaces are removed inside
    ("RSSMRA85\u042210A562S", CF_SHAPE),  # Cyrillic capital te for T
    ("RSSMRA85T10A562\u017f", CF_SHAPE),  # long s upper-cases to S: still refused
    (fullwidth(MARIO), CF_SHAPE),
    ("RSSMRA-85T10-A562S", CF_SHAPE),
    ("0048496058", CF_SHAPE),
    ("IT00484960588", CF_SHAPE),  # the IT prefix belongs to the partita IVA
    ("00484960589", "numeric codice fiscale check digit does not match"),
    ("00000000000", "a number of all zeros is a placeholder, not a code"),
]


@pytest.mark.parametrize("value", VALID_CODICI_FISCALI)
def test_valid_codici_fiscali(value: str) -> None:
    assert check_value("codice_fiscale", value) is None
    assert is_codice_fiscale(value)


@pytest.mark.parametrize(("value", "message"), INVALID_CODICI_FISCALI)
def test_invalid_codici_fiscali(value: str, message: str) -> None:
    assert check_value("codice_fiscale", value) == message
    assert not is_codice_fiscale(value)


def test_every_other_check_character_fails() -> None:
    for wrong in other_characters(MARIO, 15, string.ascii_uppercase):
        assert check_value("codice_fiscale", wrong) == CF_CHECK


LETTERS = st.text(alphabet=string.ascii_uppercase, min_size=1, max_size=1)


@st.composite
def codici_fiscali(draw: st.DrawFn) -> str:
    """A random valid codice fiscale, omocodia included, built with the independent check."""
    names = draw(st.text(alphabet=string.ascii_uppercase, min_size=6, max_size=6))
    year = draw(st.integers(0, 99))
    month = draw(st.sampled_from("ABCDEHLMPRST"))
    days = (31, 29 if year % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    day = draw(st.integers(1, days["ABCDEHLMPRST".index(month)])) + draw(st.sampled_from((0, 40)))
    place = draw(LETTERS) + f"{draw(st.integers(0, 999)):03d}"
    code = f"{names}{year:02d}{month}{day:02d}{place}"
    for position in DIGIT_POSITIONS[: draw(st.integers(0, len(DIGIT_POSITIONS)))]:
        code = code[:position] + OMOCODIA[code[position]] + code[position + 1 :]
    return cf(code)


@given(codici_fiscali())
def test_random_codici_fiscali_validate(code: str) -> None:
    assert is_codice_fiscale(code)
    assert is_codice_fiscale(code.lower())
    assert check_value("codice_fiscale", f" {code[:6]} {code[6:11]} {code[11:]} ") is None


@given(codici_fiscali())
def test_any_change_to_the_check_character_fails(code: str) -> None:
    for wrong in other_characters(code, 15, string.ascii_uppercase + string.digits):
        assert not is_codice_fiscale(wrong)


@given(codici_fiscali(), st.integers(0, 14), st.sampled_from(string.ascii_uppercase))
def test_a_changed_letter_fails(code: str, position: int, letter: str) -> None:
    """Replacing one letter of the first 15 by another never keeps the check character.

    Both tables of the DM map the 26 letters one to one onto 0-25, so the sum modulo 26 moves.
    """
    assume(code[position].isalpha() and code[position] != letter)
    assert not is_codice_fiscale(code[:position] + letter + code[position + 1 :])


OFFICES = [*range(1, 101), 120, 121, 888, 999]  # digits 8-10: the issuing office


@given(st.integers(1, 9_999_999), st.sampled_from(OFFICES))
def test_random_numeric_codici_fiscali_and_partite_iva(number: int, office: int) -> None:
    code = piva(f"{number:07d}{office:03d}")
    assert is_partita_iva(code)
    assert is_partita_iva("IT" + code)
    assert is_codice_fiscale(code)
    for wrong in other_characters(code, 10, string.digits):
        assert check_value("partita_iva", wrong) == "partita IVA check digit does not match"
        assert not is_codice_fiscale(wrong)


# --- partita IVA -----------------------------------------------------------------------------

VALID_PARTITE_IVA = [
    "00488410010",
    "IT00488410010",
    "it00488410010",
    "IT 004 884 100 10",
    " 00488410010 ",
    "00905811006",
    "00159560366",
    piva("1234567001"),
    piva("1234567100"),
    piva("1234567120"),
    piva("1234567121"),
    piva("1234567888"),
    piva("1234567999"),
    piva("0000001001"),
]

PIVA_SHAPE = "not a valid partita IVA (11 digits, optionally prefixed by IT)"
PIVA_OFFICE = "partita IVA office code is not valid"
INVALID_PARTITE_IVA = [
    ("00488410011", "partita IVA check digit does not match"),
    ("04088410010", "partita IVA check digit does not match"),  # two digits swapped
    ("00000000000", "a number of all zeros is a placeholder, not a code"),
    (piva("0000000001"), "a number of all zeros is a placeholder, not a code"),
    # office codes that do not exist (issue 8: these passed; python-stdnum refuses them)
    (piva("1234567000"), PIVA_OFFICE),
    (piva("1234567101"), PIVA_OFFICE),
    (piva("1234567119"), PIVA_OFFICE),
    (piva("1234567122"), PIVA_OFFICE),
    (piva("1234567500"), PIVA_OFFICE),
    (piva("1234567887"), PIVA_OFFICE),
    (piva("1234567998"), PIVA_OFFICE),
    ("01234567897", PIVA_OFFICE),  # office 789
    ("0123456789", PIVA_SHAPE),
    ("012345678970", PIVA_SHAPE),
    ("IT", PIVA_SHAPE),
    ("DE01234567897", PIVA_SHAPE),
    ("ITIT01234567897", PIVA_SHAPE),
    ("0123456789A", PIVA_SHAPE),
    ("00488-410010", PIVA_SHAPE),
    (fullwidth("00488410010"), PIVA_SHAPE),
    ("٠١٢٣٤٥٦٧٨٩٧", PIVA_SHAPE),  # Arabic-Indic digits
    (MARIO, PIVA_SHAPE),  # a personal codice fiscale is not a partita IVA
]


@pytest.mark.parametrize("value", VALID_PARTITE_IVA)
def test_valid_partite_iva(value: str) -> None:
    assert check_value("partita_iva", value) is None
    assert is_partita_iva(value)


@pytest.mark.parametrize(("value", "message"), INVALID_PARTITE_IVA)
def test_invalid_partite_iva(value: str, message: str) -> None:
    assert check_value("partita_iva", value) == message
    assert not is_partita_iva(value)


# --- country ---------------------------------------------------------------------------------


def test_countries_are_the_assigned_iso_3166_codes() -> None:
    tab = resources.files("tzdata").joinpath("zoneinfo/iso3166.tab").read_text("utf-8")
    assigned = {line.split("\t")[0] for line in tab.splitlines() if line and line[0] != "#"}
    assert len(COUNTRIES) == 249
    assert assigned == COUNTRIES
    assert all(code.isupper() and len(code) == 2 for code in COUNTRIES)


def test_eu_aliases_are_kept_apart() -> None:
    assert {"EL", "UK"} == EU_ALIASES
    assert not EU_ALIASES & COUNTRIES


@pytest.mark.parametrize("value", ["IT", "it", " De ", "GB", "gr", "EL", "uk", "AX", "SS"])
def test_valid_countries(value: str) -> None:
    assert check_value("country", value) is None
    assert is_country(value)


@pytest.mark.parametrize(
    "value",
    [
        "XX",
        "EU",  # exceptionally reserved, not a country
        "YU",  # withdrawn
        "ITA",  # alpha-3
        "I",
        "Italy",
        "I T",
        "\u0399\u03a4",  # Greek capital iota and tau
        fullwidth("IT"),
        "380",  # numeric code
    ],
)
def test_invalid_countries(value: str) -> None:
    assert check_value("country", value) == "not an ISO 3166-1 alpha-2 country code"
    assert not is_country(value)


# --- date ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "dayfirst"),
    [
        ("1985-12-10", False),
        ("1985-12-10", True),  # ISO 8601 whatever dayfirst says
        ("1985-12-10T08:30:00+01:00", False),
        ("12/10/1985", False),
        ("10/12/1985", True),
        ("31/12/1990", True),
        ("31.12.1990", True),
        ("10 December 1985", False),
        # Italian month names (issue 8: these were unreadable)
        ("1 marzo 2026", False),
        ("1 marzo 2026", True),
        ("10 dicembre 1985", True),
        ("10 Dicembre 1985", False),
        ("29 febbraio 2024", True),
        (" 1985-12-10 ", False),
        (date(1985, 12, 10), False),
        (datetime(1985, 12, 10, 8, 30, tzinfo=UTC), False),
        (datetime(1985, 12, 10, 8, 30), False),  # naive, as CRMs hold them
    ],
)
def test_valid_dates(value: object, dayfirst: bool) -> None:
    assert check_value("date", value, dayfirst=dayfirst) is None


@pytest.mark.parametrize(
    ("value", "dayfirst", "message"),
    [
        ("31/12/1990", False, "not a readable date"),
        ("not a date", False, "not a readable date"),
        ("1985-13-45", False, "not a readable date"),
        ("2025-02-30", False, "not a readable date"),
        ("30 febbraio 2026", True, "not a readable date"),
        ("1 marzo", True, "not a readable date"),  # no year: never completed from the clock
        ("marzo 2026", True, "not a readable date"),  # no day
        ("12/10/1985 in the morning of a long day", False, "not a readable date"),
        (19851210, False, "expected a date, got int"),
        (1.5, False, "expected a date, got float"),
        (math.nan, False, "expected a date, got float"),
        (True, False, "expected a date, got bool"),
        (Decimal("19851210"), False, "expected a date, got Decimal"),
        (b"1985-12-10", False, "expected a date, got bytes"),
        (["1985-12-10"], False, "expected a date, got list"),
    ],
)
def test_invalid_dates(value: object, dayfirst: bool, message: str) -> None:
    assert check_value("date", value, dayfirst=dayfirst) == message


class NotATime(datetime):
    """Like pandas' ``NaT``: a ``datetime`` subclass that is unequal to itself."""

    def __eq__(self, other: object) -> bool:
        return False

    __hash__ = datetime.__hash__


class HostileDate(date):
    def __eq__(self, other: object) -> bool:
        raise RuntimeError

    __hash__ = date.__hash__


def test_a_missing_time_marker_is_not_a_date() -> None:
    assert check_value("date", NotATime(2025, 1, 1)) == "not a readable date"
    assert check_value("date", HostileDate(2025, 1, 1)) == "not a readable date"


# --- IP --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "192.168.0.1",
        " 10.0.0.1\n",
        "0.0.0.0",  # noqa: S104 - a value, not a bind address
        "::1",
        "2001:db8::1",
        "2001:DB8:0:0:8:800:200C:417A",
        "::ffff:192.0.2.128",
        "fe80::1%eth0",
    ],
)
def test_valid_ips(value: str) -> None:
    assert check_value("ip", value) is None
    assert is_ip(value)


@pytest.mark.parametrize(
    "value",
    [
        "256.1.1.1",
        "192.168.0",
        "192.168.0.01",  # leading zeros are ambiguous (octal)
        "1.2.3.4.5",
        "2001:db8:::1",
        "localhost",
        "192.168.0.1/24",
        fullwidth("192") + ".168.0.1",
        "3232235521",  # an integer in text
    ],
)
def test_invalid_ips(value: str) -> None:
    assert check_value("ip", value) == "not a valid IP address"
    assert not is_ip(value)


# --- role e-mail addresses -------------------------------------------------------------------

ITALIAN_ROLES = {
    "amministrazione", "assistenza", "commerciale", "comunicazione", "contabilita", "direzione",
    "ordini", "protocollo", "redazione", "ufficio", "segreteria", "vendite", "acquisti",
    "fatturazione", "personale", "clienti", "magazzino", "spedizioni", "tecnico", "preventivi",
}  # fmt: skip
RFC_2142 = {
    "info", "marketing", "sales", "support", "abuse", "noc", "security", "postmaster",
    "hostmaster", "usenet", "news", "webmaster", "www", "uucp", "ftp",
}  # fmt: skip


def test_role_local_parts_cover_the_sources() -> None:
    assert RFC_2142 <= ROLE_EMAIL_LOCAL_PARTS
    assert ITALIAN_ROLES <= ROLE_EMAIL_LOCAL_PARTS
    assert {"admin", "billing", "jobs", "noreply", "privacy", "dpo"} <= ROLE_EMAIL_LOCAL_PARTS
    assert all(part == part.lower().strip() for part in ROLE_EMAIL_LOCAL_PARTS)
    assert all(is_email(f"{part}@example.it") for part in ROLE_EMAIL_LOCAL_PARTS)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("info@acme.it", True),
        ("INFO@acme.it", True),
        (" Info@acme.it ", True),
        ("info+fatture@acme.it", True),
        ("segreteria@comune.example.it", True),
        ("contabilita@acme.it", True),
        ("postmaster@example.org", True),
        ("no-reply@acme.com", True),
        ("dpo@acme.eu", True),
        ("mario.rossi@acme.it", False),
        ("info.rossi@acme.it", False),  # whole local part, not a prefix
        ("myinfo@acme.it", False),  # nor a substring
        ("sales-team@acme.it", False),
        ("mario+info@acme.it", False),  # the tag is not the local part
        ("info", False),
        ("info@localhost", False),  # not a valid address: never a role address
        ("\u0456nfo@acme.it", False),  # Cyrillic i
    ],
)
def test_role_emails(value: str, expected: bool) -> None:
    assert is_role_email(value) is expected


# --- types and hostile values ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@pytest.mark.parametrize(
    ("value", "type_name"),
    [
        (3331234567, "int"),
        (1234567897, "int"),
        (1.5, "float"),
        (math.nan, "float"),
        (True, "bool"),
        (Decimal("1234567897"), "Decimal"),
        (b"mario.rossi@example.it", "bytes"),
        (bytearray(b"IT"), "bytearray"),
        (["IT"], "list"),
        ({"email": "mario.rossi@example.it"}, "dict"),
        (date(2025, 1, 1), "date"),
    ],
)
def test_text_formats_take_text_only(fmt: str, value: object, type_name: str) -> None:
    assert check_value(fmt, value) == f"expected text, got {type_name}"
    assert not PREDICATES[fmt](value)


class HostileStr(str):
    """A ``str`` subclass whose every override raises."""

    __slots__ = ()

    def strip(self, chars: str | None = None) -> str:
        raise RuntimeError

    def upper(self) -> str:
        raise RuntimeError

    def __str__(self) -> str:
        raise RuntimeError

    def __len__(self) -> int:
        raise RuntimeError

    def __eq__(self, other: object) -> bool:
        raise RuntimeError

    __hash__ = str.__hash__


class HostileObject:
    """An object whose class, name, equality and representations raise."""

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        raise RuntimeError

    def __eq__(self, other: object) -> bool:
        raise RuntimeError

    def __repr__(self) -> str:
        raise RuntimeError

    __str__ = __repr__
    __hash__ = object.__hash__


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_str_subclasses_are_read_as_their_text(fmt: str) -> None:
    valid = {
        "email": "mario.rossi@example.it",
        "phone": "+39 02 1234 5678",
        "codice_fiscale": MARIO,
        "partita_iva": "00488410010",
        "country": "IT",
        "ip": "::1",
    }[fmt]
    assert check_value(fmt, HostileStr(f" {valid} ")) is None
    assert PREDICATES[fmt](HostileStr(valid))
    assert check_value(fmt, HostileStr("?")) in MESSAGES


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_objects_do_not_raise(fmt: str) -> None:
    assert check_value(fmt, HostileObject()) == (
        "expected a date, got HostileObject"
        if fmt == "date"
        else "expected text, got HostileObject"
    )
    assert check_value("date", HostileStr("1985-12-10")) is None


TEN_MB = 10 * 1024 * 1024
HUGE = [
    "a" * TEN_MB,
    "1" * TEN_MB,
    " " * TEN_MB + "x",
    "x" * TEN_MB + "@example.com",
    " " * TEN_MB + "mario.rossi@example.it",
    "+" + "1" * TEN_MB,
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_huge_text_costs_nothing(fmt: str) -> None:
    started = time.perf_counter()
    for value in HUGE:
        assert check_value(fmt, value) in MESSAGES
        if fmt != "date":
            assert not PREDICATES[fmt](value)
    assert time.perf_counter() - started < 0.5  # each call only reads the length


# --- properties ------------------------------------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.fractions(),
    st.complex_numbers(),
    st.text(),
    st.binary(),
    st.dates(),
    st.datetimes(),
    st.timedeltas(),
)
ANY_VALUE = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=5), inner, max_size=3),
        st.frozensets(st.integers(), max_size=3),
    ),
    max_leaves=8,
)
# Text near each format, so the properties reach past the first check.
NEAR_TEXT = st.one_of(
    st.text(),
    st.text(alphabet="0123456789 +-.()/", min_size=3, max_size=40),
    st.text(alphabet="ABCDEHLMNPQRSTUVZ0123456789 ", min_size=3, max_size=20),
    st.text(alphabet="abcIT0123456789", min_size=3, max_size=15),
    st.from_regex(r"[a-z.+]{1,8}@[a-zé-]{1,8}(\.[a-z0-9]{1,4}){1,2}", fullmatch=True),
    st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,3}){3}|[0-9a-f:]{2,20}", fullmatch=True),
    st.from_regex(r"[0-9]{1,4}[-/. ][0-9]{1,2}[-/. ][0-9]{1,4}", fullmatch=True),
    codici_fiscali().map(lambda code: code[:-1] + "A"),
)
VOCABULARY = " ".join(MESSAGES)


@given(st.sampled_from(FORMATS), ANY_VALUE, st.booleans())
def test_check_value_never_raises(fmt: str, value: object, dayfirst: bool) -> None:
    message = check_value(fmt, value, dayfirst=dayfirst)
    assert message is None or isinstance(message, str)


@given(st.sampled_from(FORMATS), NEAR_TEXT, st.booleans())
@example("phone", "+39 02 1234 5678 9", False)
@example("email", "mario.rossi@example", False)
@example("codice_fiscale", MARIO[:15] + "T", False)
def test_messages_about_text_never_quote_it(fmt: str, value: str, dayfirst: bool) -> None:
    message = check_value(fmt, value, dayfirst=dayfirst)
    if message is None:
        return
    assert message in MESSAGES  # a closed vocabulary: no room for any part of the value
    if len(value.strip()) >= 3 and value.strip() not in VOCABULARY:
        assert value.strip() not in message


@given(st.sampled_from(FORMATS), ANY_VALUE.filter(lambda v: not isinstance(v, str)))
def test_messages_about_other_values_name_only_their_type(fmt: str, value: object) -> None:
    message = check_value(fmt, value)
    if message is None:
        return
    expected = "a date" if fmt == "date" else "text"
    assert message in (f"expected {expected}, got {type(value).__name__}", *MESSAGES)
    shown = repr(value)
    assert len(shown) < 3 or shown not in message


@given(st.sampled_from(TEXT_FORMATS), NEAR_TEXT)
def test_predicates_agree_with_check_value(fmt: str, value: str) -> None:
    assume(value.strip())
    assert PREDICATES[fmt](value) == (check_value(fmt, value) is None)
    assert isinstance(is_role_email(value), bool)
