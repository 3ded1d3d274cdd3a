"""Reading time: ISO 8601 durations as calendar periods, and lenient instants from records.

Records from CRMs carry dates as ``datetime``, ``date`` or text in many shapes. ISO 8601 text is
read as ISO 8601 whatever the policy's ``dayfirst`` says; only other text (``03/04/2025``) is read
with ``dayfirst``. Naive values are read in the policy's time zone. Anything unreadable is
``None``: callers fail closed on ``None``.
"""

from __future__ import annotations

import math
import re
from calendar import monthrange
from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as _dateutil_parser
from dateutil.parser import isoparse
from dateutil.relativedelta import relativedelta

from gdprkit._values import plain

__all__ = [
    "Period",
    "in_utc",
    "parse_date",
    "parse_instant",
    "parse_period",
    "require_aware",
    "utc_now",
    "zone",
]

_DURATION: Final = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)
# Years beyond this are not dates any CRM holds; they are refused rather than overflowing later.
_MAX_PERIOD_YEARS: Final = 1000


class Period:
    """An ISO 8601 duration applied with calendar arithmetic (``P12M`` from 31 Jan is 31 Jan)."""

    __slots__ = ("_calendar", "_days", "_delta", "_months", "text")

    def __init__(self, text: str, delta: relativedelta) -> None:
        self.text = text
        self._delta = delta
        # Months and days for a static comparison where one is possible.
        self._months = delta.years * 12 + delta.months
        self._days = delta.days
        self._calendar = not (delta.days or delta.hours or delta.minutes or delta.seconds)

    def after(self, anchor: datetime) -> datetime | None:
        """The instant this period after ``anchor``; ``None`` if it falls outside the calendar.

        Whole months and years take a fast path with the same result as ``relativedelta``:
        the month moves, the day is clipped to the month's length, the wall-clock time stays.
        """
        if self._calendar:
            month0 = anchor.month - 1 + self._months
            year = anchor.year + month0 // 12
            if year > 9999:
                return None
            month = month0 % 12 + 1
            day = anchor.day
            if day > 28:
                day = min(day, monthrange(year, month)[1])
            return anchor.replace(year=year, month=month, day=day)
        try:
            return anchor + self._delta
        except (OverflowError, ValueError):
            return None

    def is_calendar_only(self) -> bool:
        """Whether the period is whole months or years (so two such periods compare statically)."""
        return self._calendar

    @property
    def months(self) -> int:
        return self._months

    def __repr__(self) -> str:
        return f"Period({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Period) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


@lru_cache(maxsize=256)
def parse_period(text: str) -> Period:
    """Parse an ISO 8601 duration (``P12M``, ``P10Y``, ``P30D``, ``P1Y6M``, ``PT12H``).

    Raises ``ValueError`` for anything else, for a zero duration and for absurd lengths.
    """
    if not isinstance(text, str):
        raise TypeError("a period is an ISO 8601 duration string such as 'P12M'")
    m = _DURATION.match(text.strip().upper())
    if m is None:
        raise ValueError("not an ISO 8601 duration (examples: P12M, P10Y, P30D)")
    parts = {k: int(v) for k, v in m.groupdict().items() if v is not None}
    if not any(parts.values()):
        raise ValueError("a retention period must be longer than zero")
    if parts.get("years", 0) + parts.get("months", 0) // 12 + parts.get("days", 0) // 366 > (
        _MAX_PERIOD_YEARS
    ):
        raise ValueError(
            f"a period longer than {_MAX_PERIOD_YEARS} years is not a retention period"
        )
    delta = relativedelta(
        years=parts.get("years", 0),
        months=parts.get("months", 0),
        days=parts.get("weeks", 0) * 7 + parts.get("days", 0),
        hours=parts.get("hours", 0),
        minutes=parts.get("minutes", 0),
        seconds=parts.get("seconds", 0),
    )
    return Period(text.strip().upper(), delta)


@lru_cache(maxsize=64)
def zone(name: str) -> tzinfo:
    """The time zone called ``name`` (IANA), ``UTC`` for ``"UTC"``; ``ValueError`` if unknown."""
    if name.upper() in ("UTC", "Z"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("unknown time zone (use an IANA name such as Europe/Rome)") from exc


def utc_now() -> datetime:
    """The current time, aware, in UTC. Only the faces call this, once per run."""
    return datetime.now(UTC)


def require_aware(at: datetime | None, *, name: str = "at") -> datetime:
    """``at`` itself if aware; the current UTC time if ``None``; ``ConfigurationError`` (a
    ``ValueError``) if naive; ``TypeError`` if not a datetime."""
    if at is None:
        return utc_now()
    if not isinstance(at, datetime):
        raise TypeError(f"{name} must be an aware datetime")
    if at.tzinfo is None or at.utcoffset() is None:
        from gdprkit._errors import ConfigurationError  # noqa: PLC0415 - keeps _time a leaf

        raise ConfigurationError(f"{name} must be an aware datetime (naive times are ambiguous)")
    return at


def in_utc(at: datetime) -> datetime:
    """An aware ``at`` in UTC, so that comparing it with record times compares instants.

    Python compares two datetimes that share a ``tzinfo`` by their wall clocks: in the hour a
    zone falls back (or a time in the gap it springs over) that is not the order of the
    instants, and a deadline would be read as up to an hour later than it is. In UTC every
    comparison is between instants. At the edge of the calendar (year 1 or 9999) ``at``
    itself.
    """
    try:
        return at.astimezone(UTC)
    except OverflowError:
        return at


_NUMERIC_DATE: Final = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})")
# ISO 8601 text with a whole calendar date (year, month and day): 2025-03-01, 20250301, with an
# optional time after it. ``2025``, ``2025-03`` or a week without its day lack a part of the date.
_ISO_FULL_DATE: Final = re.compile(r"[+-]?\d{4}(?:-\d{2}-\d{2}|\d{4})(?:[T ].*)?", re.DOTALL)


class _ParserInfo(_dateutil_parser.parserinfo):
    """dateutil's reader with Italian month and day names beside the English ones, and no
    two-digit years: their century would be a guess that depends on today's date."""

    # dateutil reads these class attributes; its stubs type them as pairs, it takes any tuple.
    MONTHS: list[tuple[str, ...]] = [  # type: ignore[assignment]  # noqa: RUF012
        ("Jan", "January", "gen", "gennaio"),
        ("Feb", "February", "febbraio"),
        ("Mar", "March", "marzo"),
        ("Apr", "April", "aprile"),
        ("May", "maggio", "mag"),
        ("Jun", "June", "giu", "giugno"),
        ("Jul", "July", "lug", "luglio"),
        ("Aug", "August", "ago", "agosto"),
        ("Sep", "Sept", "September", "set", "settembre"),
        ("Oct", "October", "ott", "ottobre"),
        ("Nov", "November", "novembre"),
        ("Dec", "December", "dic", "dicembre"),
    ]
    WEEKDAYS: list[tuple[str, ...]] = [  # type: ignore[assignment]  # noqa: RUF012
        ("Mon", "Monday", "lun", "lunedì", "lunedi"),
        ("Tue", "Tuesday", "martedì", "martedi"),
        ("Wed", "Wednesday", "mer", "mercoledì", "mercoledi"),
        ("Thu", "Thursday", "gio", "giovedì", "giovedi"),
        ("Fri", "Friday", "ven", "venerdì", "venerdi"),
        ("Sat", "Saturday", "sab", "sabato"),
        ("Sun", "Sunday", "dom", "domenica"),
    ]
    JUMP = [*_dateutil_parser.parserinfo.JUMP, "del", "di"]  # noqa: RUF012

    def convertyear(self, year: int, century_specified: bool = False) -> int:
        if year < 100 and not century_specified:
            raise ValueError("a two-digit year is unreadable")
        return int(super().convertyear(year, century_specified))


_PARSERINFO: Final = _ParserInfo()
# Two defaults that differ in year, month and day: a part of the date the text lacks is filled
# from them differently, and such text is unreadable (never completed from the clock).
_DEFAULT_A: Final = datetime(2000, 1, 1)  # a filler, never an instant
_DEFAULT_B: Final = datetime(2001, 2, 2)


_UTC_NAMES: Final = frozenset({"UTC", "GMT", "UT", "Z"})


def _tzinfos(name: str | None, offset: int | None) -> int | None:
    """How dateutil reads a zone in free-form text: an explicit offset (``+01:00``) or a name of
    UTC. Any other name (``CET``, ``D``) is unreadable: dateutil would otherwise read it as the
    machine's local zone or drop it with a warning, a guess either way."""
    if name is None or name.upper() in _UTC_NAMES:
        return 0 if name is not None and offset is None else offset
    raise ValueError("a time zone name other than UTC is unreadable")


def _dateutil_read(s: str, dayfirst: bool) -> datetime | None:
    """Free-form text (``1 marzo 2026``, ``March 1, 2026``) read by dateutil, only when the text
    itself gives year, month and day."""
    try:
        a = _dateutil_parser.parse(
            s,
            parserinfo=_PARSERINFO,
            dayfirst=dayfirst,
            fuzzy=False,
            default=_DEFAULT_A,
            tzinfos=_tzinfos,
        )
        b = _dateutil_parser.parse(
            s,
            parserinfo=_PARSERINFO,
            dayfirst=dayfirst,
            fuzzy=False,
            default=_DEFAULT_B,
            tzinfos=_tzinfos,
        )
    except (ValueError, OverflowError, TypeError, LookupError):
        return None
    if a.date() != b.date():  # year, month or day came from the default: the text lacks it
        return None
    return a


def _parse_text(text: str, tz: tzinfo, dayfirst: bool) -> datetime | None:
    s = text.strip()
    if not s or len(s) > 64:
        return None
    if _ISO_FULL_DATE.fullmatch(s):
        try:
            value = datetime.fromisoformat(s)
        except ValueError:
            try:
                value = isoparse(s)
            except (ValueError, OverflowError):
                return None
    else:
        numeric = _NUMERIC_DATE.fullmatch(s)
        if numeric is not None:  # 03/04/2025: the common CRM shape, without dateutil's cost
            a, _, b, year = numeric.groups()
            day, month = (int(a), int(b)) if dayfirst else (int(b), int(a))
            try:
                return datetime(int(year), month, day, tzinfo=tz)
            except ValueError:
                return None
        if not any(ch.isdigit() for ch in s):
            return None
        parsed = _dateutil_read(s, dayfirst)
        if parsed is None:
            return None
        value = parsed
    if value.tzinfo is None:
        return value.replace(tzinfo=tz)
    return value


def parse_instant(value: object, tz: tzinfo = UTC, dayfirst: bool = False) -> datetime | None:
    """Read ``value`` as an aware instant, or ``None`` when it is missing or unreadable.

    ``datetime`` (naive: read in ``tz``), ``date`` (midnight in ``tz``), or text. Numbers, bytes
    and anything else are unreadable: an epoch number is ambiguous (seconds or milliseconds?).
    Text that lacks its year, month or day (``1 Mar``, ``15/01``, ``00:00``) or has a two-digit
    year is unreadable: nothing is completed from the clock. numpy/pandas scalars read as their
    Python values; ``NaT`` is missing.
    """
    cls = type(value)
    if cls is str:
        return _parse_text(value, tz, dayfirst)  # type: ignore[arg-type]
    if cls is datetime:
        v: datetime = value  # type: ignore[assignment]
        return v if v.tzinfo is not None and v.utcoffset() is not None else v.replace(tzinfo=tz)
    if cls.__module__.startswith(("numpy", "pandas")):
        value = plain(value)
        if value is None:
            return None
        if type(value) is not datetime and isinstance(value, datetime):
            try:  # pandas.Timestamp: as a plain datetime (nanoseconds dropped)
                value = value.to_pydatetime()  # type: ignore[attr-defined]
            except Exception:  # an unreadable timestamp
                return None
        return parse_instant(value, tz, dayfirst) if type(value) is not cls else None
    if isinstance(value, datetime):
        v = value
        return v if v.tzinfo is not None and v.utcoffset() is not None else v.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=tz)
    if isinstance(value, str):  # str subclasses: their plain text, none of their methods run
        return _parse_text(str.__str__(value), tz, dayfirst)
    return None


def parse_date(value: object, dayfirst: bool = False) -> date | None:
    """Read ``value`` as a calendar date (a birth date, say), or ``None`` when unreadable."""
    value = plain(value)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and math.isnan(value):
        return None
    instant = parse_instant(value, UTC, dayfirst)
    return None if instant is None else instant.date()
