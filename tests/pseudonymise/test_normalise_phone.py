"""Phone numbers: NFKC first, and a value that is not a phone number is text, never shortened.

design.md §7: text is first brought to NFKC (a full-width digit is a digit); a phone value with
non-digit characters other than spaces, dots, dashes, brackets and a leading ``+`` or ``00`` is
not a phone number: it is tokenised as text. Before, every non-digit was dropped, so
``"+39 333 1234567 ext 12"`` and ``"+39 3331234567 12"`` shared a token, and digits of other
scripts vanished without a word.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gdprkit import KeyRing, pseudonymise
from gdprkit._pseudonymise._normalise import WHITESPACE, normalise_phone
from gdprkit._pseudonymise._transforms import Transform, make_transform

RING = KeyRing({"k1": bytes(range(32))})


def phone_mask() -> Transform:
    return make_transform("mask", category="contact.phone", keys=None, at=None)


def token(value: object) -> str:
    return pseudonymise(value, keys=RING, category="contact.phone")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # telephone numbers: digits, spaces, dots, dashes, brackets, a leading + or 00
        ("+39 333 1234567", "393331234567"),
        ("0039 333 1234567", "393331234567"),
        ("(+39) 333.123-4567", "393331234567"),
        ("[+39] 333 1234567", "393331234567"),
        ("02 1234567", "021234567"),
        ("+39\u00a0333\u2009123\u20114567", "393331234567"),  # no-break/thin spaces, a hyphen
        (
            "\uff0b\uff13\uff19 \uff13\uff13\uff13 \uff11\uff12\uff13\uff14\uff15\uff16\uff17",
            "393331234567",
        ),  # full width
        ("+39 333 123\u22124567", "393331234567"),  # minus sign
        (3331234567, "3331234567"),
        # not telephone numbers: their text, whole (trimmed, NFKC)
        ("+39 333 1234567 ext 12", "+39 333 1234567 ext 12"),
        ("  +39 333 1234567 int. 3 ", "+39 333 1234567 int. 3"),
        ("+39 \u0663\u0663\u0663 1234567", "+39 \u0663\u0663\u0663 1234567"),  # Arabic-Indic digits
        (
            "+39 333 \u0967\u0968\u0969\u096a\u096b\u096c\u096d",
            "+39 333 \u0967\u0968\u0969\u096a\u096b\u096c\u096d",
        ),
        ("02/1234567", "02/1234567"),
        ("39+333", "39+333"),  # a + that does not lead
        ("++39 333", "++39 333"),
        ("n/a", "n/a"),
        ("tel: +39 333 1234567", "tel: +39 333 1234567"),
        ("\uff54\uff45\uff4c 333", "tel 333"),  # full-width letters are letters
        # no digits and nothing else: unreadable, as before
        ("+", None),
        ("( )", None),
        ("   ", None),
    ],
)
def test_phone_normalisation(value: object, expected: str | None) -> None:
    assert normalise_phone(value) == expected


def test_an_extension_is_not_dropped_into_the_number() -> None:
    # The reported collision: one token for two different values.
    with_extension = "+39 333 1234567 ext 12"
    longer_number = "+39 3331234567 12"
    assert token(with_extension) != token(longer_number)
    mask = phone_mask()
    assert mask(with_extension) != mask(longer_number)


def test_digits_of_another_script_are_not_silently_dropped() -> None:
    arabic = "+39 \u0663\u0663\u0663 1234567"  # NFKC leaves Arabic-Indic digits as they are
    assert token(arabic) != token("+39 1234567")
    assert token(arabic) != token("+39 333 1234567")
    mask = phone_mask()
    assert mask(arabic) != mask("+39 1234567")


def test_full_width_digits_are_digits() -> None:
    full_width = "\uff0b\uff13\uff19 \uff13\uff13\uff13 \uff11\uff12\uff13\uff14\uff15\uff16\uff17"
    assert token(full_width) == token("+39 333 1234567")
    mask = phone_mask()
    assert mask(full_width) == mask("+39 333 1234567") == "**********67"


_PHONE_CHARS = "0123456789 .-()[]\u00a0\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_FOREIGN = st.characters(
    exclude_categories=("Cs",),
    exclude_characters=_PHONE_CHARS + "+" + WHITESPACE,
)


@given(
    head=st.text(alphabet=_PHONE_CHARS, max_size=12),
    odd=_FOREIGN,
    tail=st.text(alphabet=_PHONE_CHARS, max_size=12),
)
def test_a_value_with_any_other_character_is_never_shortened(
    head: str, odd: str, tail: str
) -> None:
    value = f"+{head}{odd}{tail}"
    text = unicodedata.normalize("NFKC", value)
    result = normalise_phone(value)
    if result is not None and result.isdigit():
        # Only NFKC can make ``odd`` a phone character (a full-width digit or dash).
        assert all(ch in _PHONE_CHARS + "+" or ch in WHITESPACE for ch in text)
        assert result == "".join(ch for ch in text if ch in "0123456789").removeprefix("00")
    else:
        assert result == text.strip(WHITESPACE)


@given(
    digits=st.text(alphabet="0123456789", min_size=1, max_size=15),
    odd=_FOREIGN,
)
def test_digits_with_anything_else_never_share_a_number_token(digits: str, odd: str) -> None:
    text = unicodedata.normalize("NFKC", digits + odd)
    if all(ch in _PHONE_CHARS or ch in WHITESPACE for ch in text):
        return  # NFKC made it a phone character
    assert normalise_phone(digits + odd) != normalise_phone(digits)


@pytest.mark.parametrize(
    ("compat", "plain", "category"),
    [
        ("\uff21\uff22\uff23\uff11\uff12\uff13", "ABC123", None),  # full-width letters, digits
        ("\u212aappa", "Kappa", "identity.name"),  # Kelvin sign
        ("\ufb01le-42", "file-42", None),  # ligature fi
        ("M\uff41rio@Example.IT", "mario@example.it", "contact.email"),
        ("\uff13\uff13\uff13 1234567", "333 1234567", "contact.phone"),
    ],
)
def test_text_is_tokenised_in_nfkc(compat: str, plain: str, category: str | None) -> None:
    """design.md §7: text is first brought to Unicode NFKC before tokenising, so a compatibility
    spelling of a value gives the value's token (it gave another token: NFC only)."""
    ring = KeyRing({"k1": bytes(range(32))}, active="k1")
    assert pseudonymise(compat, keys=ring, category=category) == pseudonymise(
        plain, keys=ring, category=category
    )
