"""Hypothesis strategies that generate what a CRM pipeline meets: records, consents, policies.

::

    from hypothesis import given
    from gdprkit.testing.strategies import records

    @given(records(policy, "newsletter"))
    def test_campaign_only_sees_consenting_contacts(record): ...

* :func:`records` draws records that pass :func:`gdprkit.validate` for a policy, with
  realistic values per category and format (Italian names, e-mail addresses, Italian phone
  numbers, codici fiscali and partite IVA with correct check characters, dates in every shape
  the policy reads, IP addresses); ``allowed=True`` draws records a purpose allows at a given
  moment, ``invalid=True`` records that break the policy on purpose.
* :func:`values` draws the values of one field; :func:`emails`, :func:`phones`,
  :func:`codici_fiscali`, :func:`partite_iva`, :func:`ip_addresses`, :func:`dates` the
  values of one format.
* :func:`consent_histories` draws ledger events (:class:`HistoryEvent`); :func:`ledgers`
  replays one into a fresh in-memory :class:`~gdprkit.ConsentLedger`.
* :func:`moments` draws aware datetimes in assorted time zones (``at`` values).
* :func:`policies` draws whole policies that load; :func:`policy_documents` their raw
  mappings.

Needs ``hypothesis`` (``pip install 'gdprkit[testing]'``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "gdprkit.testing.strategies needs hypothesis: pip install 'gdprkit[testing]'"
    ) from exc

from gdprkit._consent import ConsentLedger, Evidence
from gdprkit._decision import compile_plan
from gdprkit._formats import COUNTRIES, check_value
from gdprkit._policy import Policy, load_policy
from gdprkit._taxonomy import LegalBasis, SpecialCondition, covers, root
from gdprkit._validation import _formats
from gdprkit._values import choice_key

__all__ = [
    "INVALID_KINDS",
    "HistoryEvent",
    "codici_fiscali",
    "consent_histories",
    "dates",
    "emails",
    "ip_addresses",
    "ledgers",
    "moments",
    "partite_iva",
    "phones",
    "policies",
    "policy_documents",
    "records",
    "values",
]

Record = dict[str, Any]
S = st.SearchStrategy

# --------------------------------------------------------------------------------------------
# Realistic values.

FIRST_NAMES: Final = (
    "Luca", "Giulia", "Marco", "Francesca", "Alessandro", "Chiara", "Andrea", "Sara", "Matteo",
    "Martina", "Lorenzo", "Elena", "Davide", "Valentina", "Riccardo", "Federica", "Paolo",
    "Anna", "Giorgio", "Ilaria", "Niccolo", "Beatrice", "Ugo", "Ida", "Jo",
)  # fmt: skip
LAST_NAMES: Final = (
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
    "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo",
    "Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Fo", "Re",
    "D'Angelo",
)  # fmt: skip
_DOMAINS: Final = (
    "gmail.com", "libero.it", "outlook.it", "hotmail.it", "yahoo.it", "virgilio.it",
    "tiscali.it", "alice.it", "fastwebnet.it", "pec.it", "example.it", "bottegaverdi.it",
    "posta.example.com", "mail.de", "orange.fr",
)  # fmt: skip
# Codici catastali (Belfiore): Roma, Milano, Napoli, Torino, Palermo, Bologna, Firenze, Bari,
# Venezia, Genova, Cagliari, Trento; Z codes for births abroad (Germany, France, Albania).
_BELFIORE: Final = (
    "H501", "F205", "F839", "L219", "G273", "A944", "D612", "A662", "L736", "D969", "B354",
    "L378", "Z112", "Z110", "Z100",
)  # fmt: skip
_CF_MONTHS: Final = "ABCDEHLMPRST"
_OMOCODIA: Final = "LMNPQRSTUV"
_CF_ODD: Final = (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10,
                  22, 25, 24, 23)  # fmt: skip
_EU: Final = ("IT", "IT", "IT", "DE", "FR", "ES", "AT", "NL", "BE", "PT", "GR", "IE", "SE", "PL")
_SOURCES: Final = ("web_form", "app", "store", "paper_form", "business_card", "social_network")
_FLAGS_TRUE: Final = (True, 1, "true", "True", "yes", "YES", "sì", "Sì", "si", "SI", "1")
_FLAGS_FALSE: Final = (False, 0, "false", "no", "No", "0")
_ZONES: Final[tuple[tzinfo, ...]] = (
    UTC,
    ZoneInfo("Europe/Rome"),
    ZoneInfo("Europe/London"),
    ZoneInfo("America/New_York"),
    ZoneInfo("Asia/Kolkata"),
    timezone(timedelta(hours=-3, minutes=-30)),
    timezone(timedelta(hours=14)),
)
_EPOCH_MIN: Final = datetime(1930, 1, 1)
_EPOCH_MAX: Final = datetime(2035, 12, 31)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _letters(text: str) -> str:
    return "".join(ch for ch in _ascii(text).upper() if "A" <= ch <= "Z")


def emails() -> S[str]:
    """Realistic, valid e-mail addresses: names, digits, ``+tags``, Italian and EU domains."""
    local = st.builds(
        lambda first, last, sep, n, tag: (
            _ascii(first).lower() + sep + _letters(last).lower() + n + tag
        ),
        st.sampled_from(FIRST_NAMES),
        st.sampled_from(LAST_NAMES),
        st.sampled_from([".", "_", "", "-"]),
        st.one_of(st.just(""), st.integers(1, 99).map(str)),
        st.one_of(st.just(""), st.just(""), st.sampled_from(["+news", "+shop"])),
    )
    address = st.builds(lambda lp, d: f"{lp}@{d}", local, st.sampled_from(_DOMAINS))
    return st.one_of(
        address,
        address.map(str.upper),
        address.map(lambda a: f" {a} "),
    )


def phones() -> S[str]:
    """Italian phone numbers as CRMs hold them: mobiles and landlines, with or without
    ``+39``/``0039``, spaces, dashes, dots or parentheses."""
    mobile = st.builds(
        lambda p, rest: ("3" + f"{p:02d}", f"{rest:07d}"),
        st.integers(20, 93),
        st.integers(0, 9_999_999),
    )
    landline = st.builds(
        lambda area, rest: ("0" + area, rest),
        st.sampled_from(["2", "6", "11", "81", "51", "55", "40", "461", "771"]),
        st.integers(10_000, 9_999_999).map(str),
    )

    def shape(parts: tuple[str, str], prefix: str, style: int) -> str:
        head, tail = parts
        national = {
            0: f"{head} {tail}",
            1: f"{head}{tail}",
            2: f"{head}-{tail}",
            3: f"({head}) {tail}",
            4: f"{head}.{tail[:3]}.{tail[3:]}",
        }[style]
        return f"{prefix}{national}"

    return st.builds(
        shape,
        st.one_of(mobile, landline),
        st.sampled_from(["", "", "+39 ", "+39", "0039 ", "0039"]),
        st.integers(0, 4),
    )


def _cf_check(first_fifteen: str) -> str:
    total = 0
    for i, ch in enumerate(first_fifteen):
        index = ord(ch) - (48 if ch.isdigit() else 65)
        total += _CF_ODD[index] if i % 2 == 0 else index
    return chr(65 + total % 26)


def _cf_surname(last: str) -> str:
    letters = _letters(last)
    consonants = [c for c in letters if c not in "AEIOU"]
    vowels = [c for c in letters if c in "AEIOU"]
    return "".join([*consonants, *vowels, "X", "X", "X"])[:3]


def _cf_name(first: str) -> str:
    letters = _letters(first)
    consonants = [c for c in letters if c not in "AEIOU"]
    if len(consonants) >= 4:
        return consonants[0] + consonants[2] + consonants[3]
    vowels = [c for c in letters if c in "AEIOU"]
    return "".join([*consonants, *vowels, "X", "X", "X"])[:3]


def codice_fiscale(
    first: str, last: str, born: date, *, female: bool, place: str, omocodia: int = 0
) -> str:
    """The codice fiscale of a person (DM 23/12/1976), with ``omocodia`` digits replaced."""
    day = born.day + (40 if female else 0)
    body = (
        _cf_surname(last)
        + _cf_name(first)
        + f"{born.year % 100:02d}"
        + _CF_MONTHS[born.month - 1]
        + f"{day:02d}"
        + place
    )
    chars = list(body)
    digit_positions = [i for i, ch in enumerate(chars) if ch.isdigit()]
    for i in reversed(digit_positions[len(digit_positions) - omocodia :] if omocodia else []):
        chars[i] = _OMOCODIA[int(chars[i])]
    body = "".join(chars)
    return body + _cf_check(body)


def codici_fiscali() -> S[str]:
    """Codici fiscali of natural persons with correct month, day and check character;
    sometimes with omocodia letters, in lower case or with spaces."""
    code = st.builds(
        lambda first, last, born, female, place, omo: codice_fiscale(
            first, last, born, female=female, place=place, omocodia=omo
        ),
        st.sampled_from(FIRST_NAMES),
        st.sampled_from(LAST_NAMES),
        st.dates(min_value=date(1920, 1, 1), max_value=date(2020, 12, 31)),
        st.booleans(),
        st.sampled_from(_BELFIORE),
        st.sampled_from([0, 0, 0, 0, 1, 2, 7]),
    )
    return st.one_of(
        code,
        code,
        code.map(str.lower),
        code.map(lambda c: f"{c[:6]} {c[6:11]} {c[11:]}"),
    )


def _piva_check(first_ten: str) -> str:
    total = 0
    for i, ch in enumerate(first_ten):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def partite_iva() -> S[str]:
    """Partite IVA with a correct check digit (company number, provincial office code),
    sometimes with the ``IT`` prefix."""
    body = st.builds(
        lambda n, office: f"{n:07d}{office:03d}",
        st.integers(1, 9_999_999),
        st.one_of(st.integers(1, 100), st.sampled_from([120, 121, 888, 999])),
    )
    code = body.map(lambda b: b + _piva_check(b))
    return st.one_of(code, code.map(lambda c: "IT" + c))


def ip_addresses() -> S[str]:
    """IPv4 and IPv6 addresses as text."""
    return st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)).map(str)


def moments(
    min_value: datetime = datetime(2015, 1, 1),
    max_value: datetime = datetime(2032, 1, 1),
    *,
    zones: Iterable[tzinfo] | None = None,
) -> S[datetime]:
    """Aware datetimes between two naive bounds (read as local wall time), in assorted zones:
    UTC, Europe/Rome and others with daylight saving, odd fixed offsets."""
    return st.datetimes(
        min_value=min_value,
        max_value=max_value,
        timezones=st.sampled_from(tuple(zones) if zones is not None else _ZONES),
    )


def dates(
    *,
    dayfirst: bool = False,
    min_value: date = date(1930, 1, 1),
    max_value: date = date(2035, 12, 31),
) -> S[object]:
    """Dates in every shape gdprkit reads: ``date``, naive and aware ``datetime``, ISO 8601
    text (with or without time and offset) and ``dd/mm/yyyy`` (``mm/dd/yyyy`` unless
    ``dayfirst``) text."""
    day = st.dates(min_value=min_value, max_value=max_value)
    lo = datetime.combine(min_value, datetime.min.time())
    hi = datetime.combine(max_value, datetime.min.time())
    naive = st.datetimes(min_value=lo, max_value=hi)
    aware = moments(lo, hi)
    order = "%d/%m/%Y" if dayfirst else "%m/%d/%Y"
    return st.one_of(
        day,
        naive,
        aware,
        day.map(date.isoformat),
        aware.map(datetime.isoformat),
        naive.map(lambda d: d.isoformat(timespec="seconds")),
        day.map(lambda d: d.strftime(order)),
        day.map(lambda d: d.strftime(order.replace("/", "."))),
    )


_VALUES_BY_CATEGORY: Final[Mapping[str, Callable[[], S[Any]]]] = {
    "identity.name": lambda: st.one_of(
        st.sampled_from(FIRST_NAMES),
        st.sampled_from(LAST_NAMES),
        st.builds(
            lambda f, la: f"{f} {la}", st.sampled_from(FIRST_NAMES), st.sampled_from(LAST_NAMES)
        ),
    ),
    "identity.customer_id": lambda: st.one_of(
        st.integers(1, 9_999_999).map(lambda n: f"BV-{n:07d}"),
        st.integers(1, 999_999).map(lambda n: f"C{n}"),
        st.integers(1000, 99_999_999),
    ),
    "identity.username": lambda: st.builds(
        lambda f, n: f"{_ascii(f).lower()}{n}", st.sampled_from(FIRST_NAMES), st.integers(1, 999)
    ),
    "contact.address": lambda: st.builds(
        lambda street, n, cap, city: f"{street} {n}, {cap:05d} {city}",
        st.sampled_from(["Via Roma", "Corso Italia", "Piazza Garibaldi", "Viale Mazzini"]),
        st.integers(1, 250),
        st.integers(10, 98_168),
        st.sampled_from(["Milano", "Roma", "Torino", "Napoli", "Bologna", "Trento"]),
    ),
    "contact.social_account": lambda: st.builds(
        lambda f, la: f"@{_ascii(f).lower()}_{_letters(la).lower()}",
        st.sampled_from(FIRST_NAMES),
        st.sampled_from(LAST_NAMES),
    ),
    "professional": lambda: st.sampled_from(
        ["Acme S.p.A.", "Vendite", "Responsabile acquisti", "Ufficio tecnico", "Studio Rossi"]
    ),
    "demographic.age": lambda: st.integers(0, 110),
    "demographic.gender": lambda: st.sampled_from(["F", "M", "X", "non specificato"]),
    "demographic": lambda: st.sampled_from(["laurea", "diploma", "cucina", "sport", "viaggi"]),
    "commercial": lambda: st.one_of(
        st.floats(min_value=0, max_value=100_000, allow_nan=False).map(lambda x: round(x, 2)),
        st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False),
        st.integers(0, 10_000),
        st.integers(1, 999_999).map(lambda n: f"ORD-{n:06d}"),
    ),
    "financial": lambda: st.sampled_from(
        ["IT60X0542811101000000123456", "**** **** **** 4242", "paypal", "bonifico"]
    ),
    "online": lambda: st.one_of(
        st.uuids().map(str),
        st.sampled_from(["Firefox 128", "Safari iOS", "Milano", "checkout", "/prodotti/olio"]),
    ),
    "free_text": lambda: st.one_of(
        st.sampled_from(
            ["preferisce il mattino", "ha chiesto un rimborso", "cliente storico", "—"]
        ),
        st.text(min_size=1, max_size=40).filter(lambda s: bool(s.strip())),
    ),
    "special": lambda: st.sampled_from(["arachidi", "glutine", "lattosio", "celiachia"]),
    "criminal": lambda: st.sampled_from(["none recorded", "sanzione 2019"]),
    "meta": lambda: st.sampled_from(["csv", "crm", "v2", "import-2024", "ok"]),
}


def _generic() -> S[Any]:
    return st.one_of(
        st.text(min_size=1, max_size=20).filter(lambda s: bool(s.strip())),
        st.integers(-1000, 1000),
        st.booleans(),
    )


def _by_category(category: str) -> S[Any]:
    parts = category.split(".")
    for i in range(len(parts), 0, -1):
        factory = _VALUES_BY_CATEGORY.get(".".join(parts[:i]))
        if factory is not None:
            return factory()
    return _generic()


def _by_format(fmt: str, dayfirst: bool) -> S[Any]:
    if fmt == "email":
        return emails()
    if fmt == "phone":
        return phones()
    if fmt == "codice_fiscale":
        return codici_fiscali()
    if fmt == "partita_iva":
        return partite_iva()
    if fmt == "country":
        return st.one_of(st.sampled_from(_EU), st.sampled_from(sorted(COUNTRIES)), st.just("it"))
    if fmt == "ip":
        return ip_addresses()
    return dates(dayfirst=dayfirst)


# Invalid values by format: each one fails check_value for its format, whatever dayfirst says.
_INVALID_BY_FORMAT: Final[Mapping[str, tuple[object, ...]]] = {
    "email": ("luca.rossi.example.it", "luca@@example.it", "@example.it", "luca@example"),
    "phone": ("chiamami", "+0039 333 1234567", "12", "333 12((34))"),
    "codice_fiscale": ("RSSMRA80A01H501A", "RSSMRA80Z01H501U", "ABC", "12345678901"),
    "partita_iva": ("12345678901", "IT1234567890", "00000000000", "partita"),
    "country": ("XX", "ITA", "Italia", "1T"),
    "ip": ("999.1.1.1", "10.0.0", "fe80::zz", "localhost"),
    "date": ("not a date", "31/02/2024", "2024-13-45", "yesterday"),
}
#: The ways :func:`records` can break a record on purpose (``invalid=...``).
INVALID_KINDS: Final = ("value", "type", "undeclared", "subject")


def values(policy: Policy, field: str, *, valid: bool = True) -> S[Any]:
    """Values of ``field`` under ``policy``: by its format (declared, implied by its category,
    or ``date`` for retention anchors and consent times), else by its category.

    With ``valid=False``: values that :func:`gdprkit.validate` reports (``value.invalid``);
    for a field without a format, values of an unsupported type.
    """
    if field not in policy.fields:
        raise ValueError(f"field {field!r} is not declared in the policy")
    fmt = _formats(policy)[field]
    if not valid:
        if fmt is None:
            return _bad_types()
        return st.one_of(st.sampled_from(_INVALID_BY_FORMAT[fmt]), _bad_types())
    if fmt is not None:
        return _by_format(fmt, policy.settings.dayfirst)
    return _by_category(policy.fields[field].category)


def _bad_types() -> S[Any]:
    return st.one_of(
        st.lists(st.integers(), min_size=1, max_size=3),
        st.dictionaries(st.sampled_from(["a", "b"]), st.integers(), min_size=1, max_size=2),
        st.binary(min_size=1, max_size=8),
        st.frozensets(st.integers(), min_size=1, max_size=2),
        st.builds(object),
    )


# --------------------------------------------------------------------------------------------
# Records.


@dataclass(frozen=True, slots=True)
class _FieldGen:
    name: str
    strategy: S[Any]
    always: bool  # present in every record
    blank_ok: bool  # may be None or blank (absent value)


def _valid_choices(policy: Policy, field: str, choices: Iterable[object]) -> list[object]:
    fmt = _formats(policy).get(field)
    out = []
    for choice in choices:
        if fmt is None or check_value(fmt, choice, dayfirst=policy.settings.dayfirst) is None:
            out.append(choice)
    return list(dict.fromkeys(out))


def _other_choices(policy: Policy, field: str) -> list[object]:
    """Values of a condition field (source, ``when``) that some purpose names, plus others."""
    found: list[object] = []
    if field == policy.subject.source:
        found.extend(_SOURCES)
    for purpose in policy.purposes.values():
        if field == policy.subject.source and purpose.sources:
            found.extend(purpose.sources)
        if purpose.when and field in purpose.when:
            found.extend(purpose.when[field])
    if field == policy.subject.relationship:
        found.extend(["customer", "lead", "prospect"])
    return _valid_choices(policy, field, found)


def _roles(policy: Policy) -> dict[str, S[Any]]:
    """Strategies for fields whose meaning a purpose reads: consent columns, sources, when."""
    roles: dict[str, S[Any]] = {}
    for purpose in policy.purposes.values():
        consent = purpose.consent
        if consent is not None:
            for column in (consent.field, consent.explicit, consent.parental):
                if column is not None and _formats(policy)[column] is None:
                    roles[column] = st.sampled_from(_FLAGS_TRUE + _FLAGS_FALSE)
    for field in {policy.subject.source, policy.subject.relationship} | {
        f for p in policy.purposes.values() for f in (p.when or {})
    }:
        if field is not None and field in policy.fields:
            choices = _other_choices(policy, field)
            if choices:
                roles[field] = st.one_of(st.sampled_from(choices), values(policy, field))
    return roles


def _decision_fields(policy: Policy, purpose: str) -> set[str]:
    """The fields ``decide`` reads for ``purpose`` (beyond those it passes through)."""
    p = policy.purposes[purpose]
    subject = policy.subject
    names: set[str] = set(p.requires)
    names.update(p.when or {})
    if p.sources is not None and subject.source is not None:
        names.add(subject.source)
    if p.consent is not None:
        names.update(
            c
            for c in (p.consent.field, p.consent.at, p.consent.explicit, p.consent.parental)
            if c is not None
        )
    names.update(rule.from_ for rule in p.retention)
    if p.basis is LegalBasis.CONSENT and subject.birth_date is not None:
        names.add(subject.birth_date)
        if subject.country is not None:
            names.add(subject.country)
    return names & set(policy.fields)


def _covered(policy: Policy, purpose: str) -> set[str]:
    listed = policy.purposes[purpose].categories
    return {f for f, spec in policy.fields.items() if any(covers(c, spec.category) for c in listed)}


def _gens(policy: Policy, purpose: str | None) -> list[_FieldGen]:
    roles = _roles(policy)
    sid = policy.subject.id
    decision = _decision_fields(policy, purpose) if purpose is not None else set()
    required = set(policy.purposes[purpose].requires) if purpose is not None else set()
    gens = []
    for name in policy.fields:
        strategy = roles[name] if name in roles else values(policy, name)
        always = name == sid or name in decision
        gens.append(_FieldGen(name, strategy, always, name != sid and name not in required))
    return gens


def _instant_text(moment: datetime, style: int) -> object:
    """An exact instant as a record holds it: aware datetime or ISO text with offset."""
    return moment if style == 0 else moment.isoformat()


def _spans(policy: Policy, purpose: str, at: datetime) -> dict[str, timedelta]:
    """Per date field a purpose counts from, how far back an instant stays within every
    retention rule (caps included) and consent validity: half the shortest period."""
    plan = compile_plan(policy, purpose)
    rules = list(plan.record_rules)
    for fp in plan.fields.values():
        rules.extend(fp.retention)
    spans: dict[str, timedelta] = {}
    for rule in rules:
        end = rule.deadline(at)
        if end is None:
            continue
        span = (end - at) / 2
        spans[rule.anchor] = min(spans.get(rule.anchor, span), span)
    consent_at = plan.consent_at
    if consent_at is not None:
        span = timedelta(days=3650)
        if plan.valid_for is not None:
            end = plan.valid_for.after(at)
            if end is not None:
                span = (end - at) / 2
        spans[consent_at] = min(spans.get(consent_at, span), span)
    return spans


def _before(at: datetime, span: timedelta) -> S[datetime]:
    """Instants in ``[at - span, at]``, computed in UTC (wall-clock arithmetic on a time in a
    daylight-saving gap or fold would move it), shown in ``at``'s zone."""
    utc = at.astimezone(UTC)
    return st.floats(min_value=0, max_value=1).map(lambda f: (utc - span * f).astimezone(at.tzinfo))


def _allowed_values(policy: Policy, purpose: str, at: datetime) -> dict[str, S[Any]]:
    """Strategies for the fields a record needs for ``decide`` to allow it at ``at``."""
    plan = compile_plan(policy, purpose)
    p = policy.purposes[purpose]
    subject = policy.subject
    out: dict[str, S[Any]] = {}
    choices: dict[str, list[object]] = {}

    def restrict(field: str, allowed: Iterable[object]) -> None:
        wanted = list(allowed)
        norm = {choice_key(v) for v in wanted} - {None}
        current = choices.get(field, wanted)
        choices[field] = [v for v in current if choice_key(v) in norm]

    if p.sources is not None and subject.source is not None:
        restrict(subject.source, p.sources)
    for field, when_values in (p.when or {}).items():
        restrict(field, when_values)
    for field, candidates in choices.items():
        valid = _valid_choices(policy, field, candidates)
        if not valid:
            raise ValueError(
                f"purpose {purpose!r} can allow no record: the conditions on field {field!r} "
                "admit no valid value"
            )
        out[field] = st.sampled_from(valid)
    if (
        plan.needs_consent
        and plan.consent_field is not None
        and plan.consent_at is None
        and (plan.demonstrable or plan.valid_for is not None)
    ):
        raise ValueError(
            f"purpose {purpose!r} can allow no record: its consent column has no 'at' column, "
            "so no consent read from it is demonstrable (consent.unproven)"
        )
    if plan.needs_consent and plan.consent_field is None and subject.id is None:
        raise ValueError(
            f"purpose {purpose!r} can allow no record: its consent comes from a consent source, "
            "which needs subject.id to ask about a record"
        )
    if plan.consent_field is not None and plan.needs_consent:
        out[plan.consent_field] = st.sampled_from(_FLAGS_TRUE)
        if plan.consent_explicit is not None:
            out[plan.consent_explicit] = st.sampled_from(_FLAGS_TRUE)
    for field, span in _spans(policy, purpose, at).items():
        if field in out:
            continue
        out[field] = st.builds(_instant_text, _before(at, span), st.integers(0, 1))
    if plan.check_child and subject.birth_date is not None:
        today = at.date()
        out[subject.birth_date] = st.dates(
            min_value=date(today.year - 90, 1, 1), max_value=date(today.year - 18, 1, 1)
        ).map(date.isoformat)
    for field in p.requires:
        fp = plan.fields[field]
        if fp.drop is not None:
            raise ValueError(
                f"purpose {purpose!r} can allow no record: it requires field {field!r}, "
                f"which it always drops ({fp.drop.code})"
            )
        if field not in out:
            out[field] = values(policy, field)
    return out


@st.composite
def _record(
    draw: st.DrawFn,
    policy: Policy,
    gens: list[_FieldGen],
    fixed: Mapping[str, S[Any]],
    blanks: bool,
) -> Record:
    record: Record = {}
    for gen in gens:
        if not gen.always and draw(st.integers(0, 9)) >= 6:
            continue
        strategy = fixed.get(gen.name, gen.strategy)
        if blanks and gen.blank_ok and gen.name not in fixed and draw(st.integers(0, 19)) == 0:
            record[gen.name] = draw(st.sampled_from([None, "", "  "]))
        else:
            record[gen.name] = draw(strategy)
    if not record:  # a record carries at least one field
        gen = draw(st.sampled_from(gens))
        record[gen.name] = draw(fixed.get(gen.name, gen.strategy))
    return record


def _undeclared_name(policy: Policy) -> S[str]:
    return st.one_of(
        st.sampled_from(["ssn", "loyalty_tier", "Email", "email ", "codice fiscale", "ip"]),
        st.text(min_size=1, max_size=12),
    ).filter(lambda n: n not in policy.fields)


@st.composite
def _break(draw: st.DrawFn, record: Record, policy: Policy, kinds: tuple[str, ...]) -> Record:
    """``record`` with at least one violation of one of ``kinds``."""
    record = dict(record)
    sid = policy.subject.id
    formats = _formats(policy)
    possible = list(kinds)
    if sid is None and "subject" in possible:
        possible.remove("subject")
    formatted = [f for f in policy.fields if formats[f] is not None and f != sid]
    if not formatted and "value" in possible:
        possible.remove("value")
    if not possible:
        raise ValueError(f"invalid={kinds!r}: the policy gives no way to break a record so")
    kind = draw(st.sampled_from(possible))
    if kind == "value":
        field = draw(st.sampled_from(formatted))
        record[field] = draw(st.sampled_from(_INVALID_BY_FORMAT[formats[field]]))  # type: ignore[index]
    elif kind == "type":
        field = draw(st.sampled_from(sorted(policy.fields)))
        record[field] = draw(_bad_types())
    elif kind == "undeclared":
        record[draw(_undeclared_name(policy))] = draw(_generic())
    else:
        assert sid is not None  # noqa: S101 - "subject" was removed above when there is none
        if draw(st.booleans()):
            record.pop(sid, None)
        else:
            record[sid] = draw(st.sampled_from([None, "", "   ", float("nan")]))
    return record


def records(
    policy: Policy,
    purpose: str | None = None,
    *,
    at: datetime | None = None,
    allowed: bool = False,
    invalid: bool | Collection[str] = False,
    blanks: bool = True,
) -> S[Record]:
    """Records (plain dicts) that pass :func:`gdprkit.validate` against ``policy``.

    Values are realistic for each field's format or category (see the module docstring); the
    subject id is always present. Without ``purpose``, any declared fields appear. With
    ``purpose``, every record also carries the fields ``decide`` reads for it (its required
    fields, ``when`` and source conditions, consent columns, retention anchors, birth date and
    country for Art. 8), with values that sometimes meet the conditions and sometimes not, so
    that both answers occur. ``blanks`` lets optional fields be ``None`` or blank now and then.

    ``allowed=True`` (needs ``purpose`` and an aware ``at``): records that
    ``decide(policy, record, purpose, at=at)`` allows: sources and ``when`` conditions met,
    consent columns true and recent, retention anchors recent enough for every rule and
    national cap, adult birth dates, required fields present. A purpose whose consent comes
    from a ledger also needs the subject's consent there (``ledger.give(record[id], purpose,
    at=..., evidence=Evidence(...), explicit=True)``). ``ValueError`` when the purpose can
    allow no record at all.

    ``invalid=True``: every record breaks the policy at least once (a malformed value, a value
    of an unsupported type, an undeclared field, a missing subject id), so ``validate`` reports
    it; pass a collection of :data:`INVALID_KINDS` to choose the ways.
    """
    if not isinstance(policy, Policy):
        raise TypeError("records() takes a gdprkit Policy (load_policy) first")
    if purpose is not None:
        policy.purpose(purpose)  # ConfigurationError for an unknown purpose
    fixed: Mapping[str, S[Any]] = {}
    if allowed:
        if purpose is None or at is None:
            raise ValueError("records(allowed=True) needs a purpose and an aware 'at'")
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("records(allowed=True): 'at' must be an aware datetime")
        fixed = _allowed_values(policy, purpose, at)
    gens = _gens(policy, purpose)
    if allowed:
        gens = [_FieldGen(g.name, g.strategy, g.always or g.name in fixed, g.blank_ok)
                for g in gens]  # fmt: skip
    strategy = _record(policy, gens, fixed, blanks and not allowed)
    if invalid:
        kinds = INVALID_KINDS if invalid is True else tuple(invalid)
        unknown = set(kinds) - set(INVALID_KINDS)
        if unknown:
            raise ValueError(f"unknown invalid kind(s) {sorted(unknown)}; use {INVALID_KINDS}")
        return strategy.flatmap(lambda r: _break(r, policy, kinds))
    return strategy


# --------------------------------------------------------------------------------------------
# Consent histories.

EventName = Literal["give", "withdraw", "object", "restrict", "lift_restriction", "request_erasure"]


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """One event of a consent history, to replay on a ledger with :meth:`apply`.

    ``purpose`` is ``None`` for events about the subject as a whole (an objection to all
    direct marketing, a restriction, its lifting, an erasure request).
    """

    kind: EventName
    subject: str
    at: datetime
    purpose: str | None = None
    explicit: bool = False
    parental: bool = False
    evidence: Evidence | None = None

    def apply(self, ledger: ConsentLedger) -> None:
        """Record this event on ``ledger``."""
        if self.kind == "give":
            assert self.purpose is not None  # noqa: S101 - built so by consent_histories
            ledger.give(
                self.subject,
                self.purpose,
                at=self.at,
                evidence=self.evidence,
                explicit=self.explicit,
                parental=self.parental,
            )
        elif self.kind == "withdraw":
            assert self.purpose is not None  # noqa: S101 - built so by consent_histories
            ledger.withdraw(self.subject, self.purpose, at=self.at)
        elif self.kind == "object":
            ledger.object(self.subject, at=self.at, purpose=self.purpose)
        elif self.kind == "restrict":
            ledger.restrict(self.subject, at=self.at)
        elif self.kind == "lift_restriction":
            ledger.lift_restriction(self.subject, at=self.at)
        else:
            ledger.request_erasure(self.subject, at=self.at)


def _purpose_names(purposes: Policy | Iterable[str]) -> tuple[str, ...]:
    names = tuple(sorted(purposes.purposes)) if isinstance(purposes, Policy) else tuple(purposes)
    if not names:
        raise ValueError("consent histories need at least one purpose")
    return names


_EVIDENCE: Final = (
    Evidence("web_form", "v1"),
    Evidence("double_opt_in", "2024-03", "msg-1"),
    Evidence("paper_form", None, "archive-7"),
)


def consent_histories(
    subjects: Iterable[str] | S[str],
    purposes: Policy | Iterable[str],
    *,
    min_value: datetime = datetime(2018, 1, 1),
    max_value: datetime = datetime(2030, 1, 1),
    max_events: int = 12,
    evidence: bool | None = None,
) -> S[list[HistoryEvent]]:
    """Lists of consent events (:class:`HistoryEvent`), in no particular order of ``at``:
    consents given (with or without evidence, explicit, parental), withdrawn, objections to a
    purpose or to all direct marketing, restrictions and their lifting, erasure requests.

    ``subjects`` is a collection of subject ids or a strategy of them; ``purposes`` names the
    purposes (or is the policy). ``evidence=True`` gives every consent evidence, ``False`` none,
    ``None`` either.
    """
    subject_s = (
        subjects if isinstance(subjects, st.SearchStrategy) else st.sampled_from(tuple(subjects))
    )
    names = _purpose_names(purposes)
    purpose_s = st.sampled_from(names)
    at_s = moments(min_value, max_value)
    evidence_s: S[Evidence | None]
    if evidence is None:
        evidence_s = st.one_of(st.none(), st.sampled_from(_EVIDENCE))
    elif evidence:
        evidence_s = st.sampled_from(_EVIDENCE)
    else:
        evidence_s = st.none()
    event = st.one_of(
        st.builds(
            HistoryEvent,
            kind=st.just("give"),
            subject=subject_s,
            at=at_s,
            purpose=purpose_s,
            explicit=st.booleans(),
            parental=st.booleans(),
            evidence=evidence_s,
        ),
        st.builds(
            HistoryEvent,
            kind=st.just("give"),
            subject=subject_s,
            at=at_s,
            purpose=purpose_s,
            evidence=evidence_s,
        ),
        st.builds(
            HistoryEvent, kind=st.just("withdraw"), subject=subject_s, at=at_s, purpose=purpose_s
        ),
        st.builds(
            HistoryEvent,
            kind=st.just("object"),
            subject=subject_s,
            at=at_s,
            purpose=st.one_of(st.none(), purpose_s),
        ),
        st.builds(HistoryEvent, kind=st.just("restrict"), subject=subject_s, at=at_s),
        st.builds(HistoryEvent, kind=st.just("lift_restriction"), subject=subject_s, at=at_s),
        st.builds(HistoryEvent, kind=st.just("request_erasure"), subject=subject_s, at=at_s),
    )
    return st.lists(event, max_size=max_events)


def ledgers(
    subjects: Iterable[str] | S[str],
    purposes: Policy | Iterable[str],
    **options: Any,  # noqa: ANN401 - the keyword options of consent_histories, passed on
) -> S[ConsentLedger]:
    """Fresh in-memory ledgers holding a history drawn by :func:`consent_histories`."""
    return consent_histories(subjects, purposes, **options).map(_replay)


def _replay(history: list[HistoryEvent]) -> ConsentLedger:
    ledger = ConsentLedger()
    for event in history:
        event.apply(ledger)
    return ledger


# --------------------------------------------------------------------------------------------
# Policies.

# (field name, category, format or None); the pool a generated policy draws its fields from.
_FIELD_POOL: Final = (
    ("customer_id", "identity.customer_id", None),
    ("first_name", "identity.name", None),
    ("last_name", "identity.name", None),
    ("email", "contact.email", None),
    ("phone", "contact.phone", None),
    ("address", "contact.address", None),
    ("codice_fiscale", "identity.national_id", None),
    ("partita_iva", "identity.tax_id", None),
    ("birth_date", "demographic.birth_date", None),
    ("gender", "demographic.gender", None),
    ("country", "meta", "country"),
    ("source", "meta", None),
    ("relationship", "meta", None),
    ("last_purchase_at", "commercial.purchase_history", None),
    ("purchases_total", "commercial.purchase_history", None),
    ("invoice_date", "commercial.invoices", "date"),
    ("ip", "online.ip_address", None),
    ("device", "online.device", None),
    ("notes", "free_text", None),
    ("allergies", "special.health", None),
    ("religion", "special.religious_beliefs", None),
    ("convictions", "criminal.convictions", None),
    ("points", "loyalty.points", None),
    ("diet", "wellbeing.diet", None),
    ("consent_marketing", "meta", None),
    ("consent_marketing_at", "meta", None),
    ("consent_explicit", "meta", None),
    ("consent_parental", "meta", None),
)
# What nearly every CRM holds: drawn into a generated policy more often than the rest.
_CORE_FIELDS: Final = frozenset(
    {"customer_id", "email", "source", "relationship", "birth_date", "country",
     "last_purchase_at", "consent_marketing", "consent_marketing_at"}
)  # fmt: skip
_CUSTOM: Final = {"loyalty.points": False, "wellbeing.diet": True}
_PERIODS: Final = ("P1M", "P6M", "P12M", "P24M", "P36M", "P10Y", "P30D", "P1Y6M", "P2W", "PT12H")
_PURPOSE_NAMES: Final = (
    "contract", "newsletter", "profiling", "analytics", "accounting", "alerts", "support",
)  # fmt: skip
_ALL_CATEGORIES: Final = (
    "identity", "identity.name", "identity.customer_id", "contact", "contact.email",
    "contact.phone", "demographic", "demographic.birth_date", "commercial",
    "commercial.purchase_history", "commercial.invoices", "online", "online.ip_address",
    "free_text", "special", "special.health", "criminal", "meta", "financial", "professional",
)  # fmt: skip


@st.composite
def _purpose_document(
    draw: st.DrawFn, fields: Mapping[str, str], subject: Mapping[str, str]
) -> dict[str, Any]:
    used = sorted(set(fields.values()))
    categories = draw(
        st.lists(
            st.one_of(
                st.sampled_from(used),
                st.sampled_from(used).map(root),
                st.sampled_from(_ALL_CATEGORIES),
            ),
            min_size=1,
            max_size=6,
            unique=True,
        )
    )
    basis = draw(st.sampled_from([b.value for b in LegalBasis]))
    doc: dict[str, Any] = {"basis": basis, "categories": categories}
    if draw(st.booleans()):
        doc["description"] = draw(st.sampled_from(["Orders", "Offers by e-mail", "Statistics"]))
    if draw(st.integers(0, 3)) == 0:
        doc["special"] = draw(st.sampled_from([c.value for c in SpecialCondition]))
    if draw(st.integers(0, 4)) == 0:
        doc["criminal"] = "D.lgs. 231/2001"
    for flag in ("direct_marketing", "profiling"):
        if draw(st.integers(0, 3)) == 0:
            doc[flag] = True
    covered = [f for f, c in fields.items() if any(covers(p, c) for p in categories)]
    if draw(st.booleans()) and covered:
        doc["requires"] = draw(st.lists(st.sampled_from(covered), max_size=2, unique=True))
    if "relationship" in fields and draw(st.integers(0, 3)) == 0:
        when: list[object] = [["customer"], "customer", ["customer", "lead"]]
        doc["when"] = {"relationship": draw(st.sampled_from(when))}
    if "source" in subject and draw(st.integers(0, 3)) == 0:
        doc["sources"] = draw(st.lists(st.sampled_from(_SOURCES), min_size=1, unique=True))
    if basis == "consent" and draw(st.booleans()):
        consent: dict[str, Any] = {}
        if "consent_marketing" in fields and draw(st.booleans()):
            consent["field"] = "consent_marketing"
            if "consent_marketing_at" in fields and draw(st.integers(0, 3)) > 0:
                consent["at"] = "consent_marketing_at"
            if "consent_explicit" in fields and draw(st.booleans()):
                consent["explicit"] = "consent_explicit"
            if "consent_parental" in fields and draw(st.booleans()):
                consent["parental"] = "consent_parental"
        if draw(st.booleans()):
            consent["valid_for"] = draw(st.sampled_from(_PERIODS))
        doc["consent"] = consent
    anchors = [
        f for f in ("last_purchase_at", "consent_marketing_at", "invoice_date") if f in fields
    ]
    if anchors:
        rules = []
        for _ in range(draw(st.integers(0, 3))):
            rule: dict[str, Any] = {
                "period": draw(st.sampled_from(_PERIODS)),
                "from": draw(st.sampled_from(anchors)),
            }
            if draw(st.booleans()):
                rule["categories"] = draw(
                    st.lists(st.sampled_from(used), min_size=1, max_size=2, unique=True)
                )
            if draw(st.booleans()):
                rule["then"] = draw(st.sampled_from(["delete", "anonymise"]))
            rules.append(rule)
        if rules:
            doc["retention"] = rules
    if draw(st.booleans()):
        methods = ["token", "encrypt", "mask", "generalise.year", "generalise.month",
                   "generalise.decade", "generalise.age_band", "generalise.postcode",
                   "generalise.ip", "redact", "drop"]  # fmt: skip
        transform = {}
        for name in draw(st.lists(st.sampled_from(sorted(fields)), max_size=3, unique=True)):
            method = draw(st.sampled_from(methods))
            transform[name] = (
                {"method": method, "domain": draw(st.sampled_from(["default", "analytics"]))}
                if draw(st.booleans())
                else method
            )
        doc["transform"] = transform
    return doc


@st.composite
def _policy_document(draw: st.DrawFn, max_purposes: int) -> dict[str, Any]:
    pool = [
        spec
        for spec in _FIELD_POOL
        if draw(st.integers(0, 9)) < (8 if spec[0] in _CORE_FIELDS else 3)
    ] or [_FIELD_POOL[0]]
    fields: dict[str, Any] = {}
    categories: dict[str, str] = {}
    for name, category, fmt in pool:
        categories[name] = category
        fields[name] = {"category": category, "format": fmt} if fmt else category
    subject: dict[str, str] = {}
    for role, name in (
        ("id", "customer_id"),
        ("country", "country"),
        ("birth_date", "birth_date"),
        ("source", "source"),
        ("relationship", "relationship"),
    ):
        if name in fields and draw(st.integers(0, 9)) > 0:
            subject[role] = name
    names = draw(
        st.lists(st.sampled_from(_PURPOSE_NAMES), min_size=1, max_size=max_purposes, unique=True)
    )
    purposes = {n: draw(_purpose_document(categories, subject)) for n in names}
    doc: dict[str, Any] = {
        "version": 1,
        "controller": {
            "name": "Bottega Verdi S.r.l.",
            "country": draw(st.sampled_from(["IT", "IT", "DE", "FR", "ES", "it"])),
            "contact": "privacy@bottegaverdi.it",
            "information_society_service": draw(st.booleans()),
        },
        "fields": fields,
        "purposes": purposes,
    }
    if draw(st.booleans()):
        doc["settings"] = {
            "timezone": draw(st.sampled_from(["UTC", "Europe/Rome", "America/New_York"])),
            "dayfirst": draw(st.booleans()),
            "demonstrable_consent": draw(st.sampled_from([True, True, False])),
            "invalid_values": draw(st.sampled_from(["keep", "keep", "drop", "deny"])),
        }
    if subject:
        doc["subject"] = subject
    custom = {c: s for c, s in _CUSTOM.items() if c in categories.values()}
    if custom:
        doc["categories"] = {c: {"special": True} if s else {} for c, s in custom.items()}
    if draw(st.integers(0, 3)) == 0:
        country = draw(st.sampled_from(["IT", "FR", "DE"]))
        settings: dict[str, Any] = {}
        if draw(st.booleans()):
            settings["age_of_digital_consent"] = draw(st.integers(13, 16))
        if draw(st.booleans()):
            settings["extensions"] = [
                {"purpose": draw(st.sampled_from(names)), "period": "P7Y", "reference": "Garante"}
            ]
        doc["jurisdictions"] = {country: settings}
    return doc


def policy_documents(*, max_purposes: int = 4) -> S[dict[str, Any]]:
    """Raw policy mappings, as a YAML file would hold them, that :func:`gdprkit.load_policy`
    accepts: fields drawn from a CRM's (some with custom and special categories), a subject
    block, one to ``max_purposes`` purposes with every optional setting (``when``, sources,
    consent columns and validity, ``requires``, retention rules, transforms, special and
    criminal authorisations), settings and jurisdiction overrides."""
    return _policy_document(max_purposes)


def policies(*, max_purposes: int = 4) -> S[Policy]:
    """Policies loaded from :func:`policy_documents`."""
    return policy_documents(max_purposes=max_purposes).map(load_policy)
