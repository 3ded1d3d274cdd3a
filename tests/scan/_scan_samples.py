"""Valid identifiers for the scan tests, with check digits computed by python-stdnum.

python-stdnum is the independent oracle: gdprkit's own check-digit code is never used to make
the samples it is tested on.
"""

from __future__ import annotations

import string

from hypothesis import strategies as st
from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.it import codicefiscale

MONTHS = "ABCDEHLMPRST"
OMOCODIA = "LMNPQRSTUV"  # 0-9
OFFICES = [*range(1, 101), 120, 121, 888, 999]

#: BBAN character types of some SEPA countries (as the SWIFT registry gives them).
BBAN = {
    "IT": "a" + "n" * 10 + "c" * 12,
    "SM": "a" + "n" * 10 + "c" * 12,
    "DE": "n" * 18,
    "FR": "n" * 10 + "c" * 11 + "n" * 2,
    "ES": "n" * 20,
    "NL": "aaaa" + "n" * 10,
    "BE": "n" * 12,
    "AT": "n" * 16,
    "GB": "aaaa" + "n" * 14,
    "PT": "n" * 21,
    "CH": "n" * 5 + "c" * 12,
    "MT": "aaaa" + "n" * 5 + "c" * 18,
}
_CHARS = {
    "n": string.digits,
    "a": string.ascii_uppercase,
    "c": string.digits + string.ascii_uppercase,
}


def codice_fiscale(first15: str) -> str:
    return first15 + codicefiscale.calc_check_digit(first15)


def partita_iva(first10: str) -> str:
    return first10 + luhn.calc_check_digit(first10)


def iban(country: str, bban: str) -> str:
    return country + stdnum_iban.calc_check_digits(country + "00" + bban) + bban


def card(body: str) -> str:
    return body + luhn.calc_check_digit(body)


def grouped(compact: str, size: int = 4, sep: str = " ") -> str:
    return sep.join(compact[i : i + size] for i in range(0, len(compact), size))


# --- hypothesis strategies: (text as written, kind) -------------------------------------------


@st.composite
def codici_fiscali(draw: st.DrawFn) -> str:
    letters = st.sampled_from(string.ascii_uppercase)
    digit_or_omocodia = st.sampled_from(string.digits + OMOCODIA)
    name = "".join(draw(st.lists(letters, min_size=6, max_size=6)))
    year = "".join(draw(st.lists(digit_or_omocodia, min_size=2, max_size=2)))
    month = draw(st.sampled_from(MONTHS))
    day = draw(st.integers(1, 28)) + draw(st.sampled_from([0, 40]))
    place = draw(letters) + "".join(draw(st.lists(digit_or_omocodia, min_size=3, max_size=3)))
    code = codice_fiscale(f"{name}{year}{month}{day:02d}{place}")
    return code.lower() if draw(st.booleans()) else code


@st.composite
def partite_iva(draw: st.DrawFn) -> str:
    company = draw(st.integers(1, 9_999_999))
    office = draw(st.sampled_from(OFFICES))
    number = partita_iva(f"{company:07d}{office:03d}")
    return draw(st.sampled_from(["", "IT", "IT "])) + number


@st.composite
def ibans(draw: st.DrawFn) -> str:
    country = draw(st.sampled_from(sorted(BBAN)))
    bban = "".join(draw(st.sampled_from(_CHARS[t])) for t in BBAN[country])
    compact = iban(country, bban)
    return grouped(compact) if draw(st.booleans()) else compact


@st.composite
def cards(draw: st.DrawFn) -> str:
    length = draw(st.integers(13, 19))
    first = draw(st.sampled_from("23456"))
    rest = "".join(
        draw(st.lists(st.sampled_from(string.digits), min_size=length - 2, max_size=length - 2))
    )
    number = card(first + rest)
    sep = draw(st.sampled_from(["", " ", "-"]))
    return grouped(number, 4, sep) if sep else number


@st.composite
def phones(draw: st.DrawFn) -> str:
    digit = st.sampled_from(string.digits)

    def digits(n: int) -> str:
        return "".join(draw(st.lists(digit, min_size=n, max_size=n)))

    form = draw(st.sampled_from(["mobile", "landline", "foreign"]))
    if form == "foreign":
        country = draw(st.sampled_from(["33", "49", "34", "41", "44", "1", "353"]))
        return f"+{country} " + grouped(digits(9 - len(country) + 2), 3)
    prefix = draw(st.sampled_from(["", "+39 ", "+39", "0039 "]))
    if form == "mobile":
        body = "3" + digits(2)
        rest = digits(draw(st.sampled_from([6, 7])))
        sep = draw(st.sampled_from(["", " ", "-"]))
        return prefix + body + sep + (grouped(rest, 3) if sep == " " and len(rest) == 7 else rest)
    area = draw(st.sampled_from(["02", "06", "011", "055", "081", "0471", "0541"]))
    subscriber = digits(draw(st.integers(6, 11 - len(area))))
    if prefix == "" and draw(st.booleans()):
        return f"({area}) {subscriber}"
    sep = draw(st.sampled_from(["", " ", "-"]))
    return prefix + area + sep + subscriber


@st.composite
def emails(draw: st.DrawFn) -> str:
    word = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=10)
    local = draw(st.lists(word, min_size=1, max_size=3))
    sep = draw(st.sampled_from([".", "_", "-", "+"]))
    labels = draw(
        st.lists(
            st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=12),
            min_size=1,
            max_size=3,
        )
    )
    tld = draw(st.text(string.ascii_lowercase, min_size=2, max_size=6))
    return sep.join(local) + "@" + ".".join([*labels, tld])


def ips() -> st.SearchStrategy[str]:
    return st.ip_addresses().map(str)


#: kind -> strategy of identifiers of that kind, as they may be written in a note.
IDENTIFIERS = {
    "codice_fiscale": codici_fiscali(),
    "partita_iva": partite_iva(),
    "iban": ibans(),
    "card": cards(),
    "phone": phones(),
    "email": emails(),
    "ip": ips(),
}
