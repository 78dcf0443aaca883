"""Parse the dates users type; format datetimes for people.

Every parsed value is a timezone-aware UTC datetime.  Input without an
explicit offset is read in the user's time zone: ``$CLAIMTRACK_TZ`` (an IANA
name such as ``Europe/Paris``) if set, else the system's local zone.

Accepted (case-insensitive):

* ``now``, ``today``, ``yesterday``, ``tomorrow``;
* ``in 3 months``, ``in 2 weeks``, ``in 10 days``, ``in a year``,
  ``3 days ago``, and short forms ``2w``, ``3d``, ``1m`` (a month), ``1y``,
  ``3wks``, ``10days``.  Months and years are calendar months and years
  (Jan 31 + 1 month = Feb 28/29); all offsets keep the wall-clock time;
* ``eod``, ``eow`` (Sunday), ``eom``, ``eoq``, ``eoy`` (also spelled
  ``end of week`` etc.): the last instant of the current day, week, month,
  quarter or year;
* weekday names: ``friday`` and ``next friday`` both mean the next Friday
  after today (never today); ``last friday`` is the latest Friday before today;
* ``2024-03-05``, ``2024-03`` (a month), ``2023`` (a year), ``Nov 18 2023``,
  ``18 November 2023``, ``Nov 2023``, ``12/31/11`` and ``12/31/2011``
  (always month/day/year, US order; ``13/12/2020`` is refused, never swapped;
  a two-digit year is the one within 50 years of now), optionally followed
  by a time (``2023-11-27 7:44 AM``, ``2024-01-01T10:00:00+02:00``,
  ``Nov 18 2023 3pm UTC``).  Epoch numbers are not dates here.

What a date without a time means:

* a due date ("resolve by") is the END of that day, 23:59:59.999999 in the
  user's zone: the claim may resolve at any time that day;
* a made date ("forecast made on") and any other date is the START of that
  day, 00:00 in the user's zone;
* a month (``2024-03``, ``Nov 2023``) or a year (``2023``) is its last
  instant as a due date and its first instant otherwise;
* ``eod``/``eow``/``eom``/``eoq``/``eoy`` are the ends of those periods
  whatever the role;
* relative offsets (``2w``, ``in 3 months``, ``3 days ago``) keep the current
  time of day, except as a due date, where they mean the end of that day;
* a date with an explicit time is that time in the user's zone, or at the
  offset given (``Z``, ``UTC``, ``+02:00``); zone names such as ``EST`` are
  refused because they are ambiguous;
* a day without a year (``Nov 18``, ``11/18``) is in the current year,
  except that a made date never lies in the future (it means last year's day
  if this year's is still to come) and a due date never lies in the past (it
  means next year's day if this year's has gone).

Wall-clock times that do not exist (skipped by a DST change) move forward
by the length of the gap; times that occur twice mean the first occurrence.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Literal

from claimtrack.domain.errors import InvalidInput

# python-dateutil and zoneinfo are imported where a date is parsed or a zone
# looked up, and the patterns below are compiled on first use (``re`` caches
# them): a command that only stamps "now" pays for none of it.

__all__ = ["Role", "user_timezone", "utcnow", "to_utc", "parse_date", "in_range", "EARLIEST", "LATEST"]
# (formatting: domain.datefmt)

Role = Literal["made", "due", "at"]
ROLES: tuple[str, ...] = ("made", "due", "at")
ACCEPTED_FORMS = "use YYYY-MM-DD, 'Nov 18 2023', today, tomorrow, 'in 3 months', 2w, eom or eoy"

# spelling -> relativedelta argument / weekday number / period
_UNIT_SPELLINGS = {"days": "d day days", "weeks": "w wk wks week weeks",
                   "months": "m mo mos month months", "years": "y yr yrs year years"}
_UNITS = {word: unit for unit, words in _UNIT_SPELLINGS.items() for word in words.split()}
_WEEKDAY_SPELLINGS = ("monday mon", "tuesday tue tues", "wednesday wed",
                      "thursday thu thur thurs", "friday fri", "saturday sat", "sunday sun")
_WEEKDAYS = {word: n for n, words in enumerate(_WEEKDAY_SPELLINGS) for word in words.split()}
_PERIODS = ("day", "week", "month", "quarter", "year")
_PERIOD_ENDS = {**{f"eo{k[0]}": k for k in _PERIODS}, **{f"end of {k}": k for k in _PERIODS}}

_COUNT = r"([0-9]{1,6}|an?)"
_REL_IN = rf"in {_COUNT} ?([a-z]+)"
_REL_AGO = rf"{_COUNT} ?([a-z]+) ago"
_REL_SHORT = r"([0-9]{1,6}) ?([a-z]+)"
_WEEKDAY_RE = r"(?:(next|last) )?([a-z]+)"
_YEAR = r"([0-9]{4})"
_YEAR_MONTH = r"([0-9]{4})-([0-9]{1,2})"
_NUMERIC_DATE = (
    r"(?:([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
    r"|([0-9]{1,2})/([0-9]{1,2})(?:/([0-9]{4}|[0-9]{2}))?)"
    r"(?:(?:t|,? (?:at )?)(.+))?"
)
_TIME = (
    r"([0-9]{1,2})(?::([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]{1,6}))?)?)?"
    r" ?(am|pm|a\.m\.|p\.m\.)?"
    r" ?(z|utc|gmt|[+-][0-9]{2}(?::?[0-9]{2}(?::?[0-9]{2})?)?)?"
)
_MONTH_WORD = r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"


# The dates the ledger accepts, whatever the way in (typed or imported):
# from 1900 (no forecasting record is older) to the end of 8999 (long-range
# bets name deadlines centuries away; PredictionBook holds some in 3017).
# Far enough inside datetime's years 1-9999 that any date shown in any zone
# (UTC-14 to UTC+14) stays a valid date.
EARLIEST = datetime(1900, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(8999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc)
RANGE_TEXT = "dates from 1900-01-01 to 8999-12-31 are accepted"


def in_range(dt: datetime) -> bool:
    """Whether an aware datetime lies in the accepted range (EARLIEST..LATEST)."""
    return EARLIEST <= dt <= LATEST


# ----------------------------------------------------------- time zones


def user_timezone() -> tzinfo:
    """``$CLAIMTRACK_TZ`` (an IANA name) if set, else the system's zone."""
    name = os.environ.get("CLAIMTRACK_TZ", "").strip()
    if not name:
        from dateutil import tz as du_tz

        return du_tz.tzlocal()
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    shown = repr(name if len(name) <= 40 else name[:40] + "...")
    try:
        if len(name) > 255:  # no zone name is this long; the file lookup would fail on it
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name the file system refuses
        raise InvalidInput(
            f"invalid CLAIMTRACK_TZ {shown}: use an IANA zone name like Europe/Paris or UTC"
        ) from None


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def to_utc(dt: datetime) -> datetime:
    """Aware datetimes are converted to UTC; naive ones are taken as UTC."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


# -------------------------------------------------------------- helpers


def _invalid(text: str, why: str = "") -> InvalidInput:
    text = text.strip()
    shown = text if len(text) <= 60 else text[:57] + "..."
    reason = f"{why}; " if why else ""
    return InvalidInput(f"invalid date {shown!r}: {reason}{ACCEPTED_FORMS}")


def _local(d: date, t: time, tz: tzinfo) -> datetime:
    """Wall-clock ``d t`` in ``tz``, moved past a DST gap if it does not exist."""
    from dateutil import tz as du_tz

    return du_tz.resolve_imaginary(datetime.combine(d, t, tzinfo=tz))


def _start(d: date, tz: tzinfo) -> datetime:
    return _local(d, time(0), tz)


def _end(d: date, tz: tzinfo) -> datetime:
    return _local(d, time(23, 59, 59, 999999), tz)


def _span(first: date, last: date, role: str, tz: tzinfo) -> datetime:
    """A day, month or year given without a time, read for ``role``."""
    return _end(last, tz) if role == "due" else _start(first, tz)


def _period_end(kind: str, today: date, tz: tzinfo) -> datetime:
    if kind == "day":
        return _end(today, tz)
    if kind == "week":
        return _end(today + timedelta(days=6 - today.weekday()), tz)
    if kind == "month":
        last_month = today.month
    elif kind == "quarter":
        last_month = (today.month - 1) // 3 * 3 + 3
    else:
        last_month = 12
    from dateutil.relativedelta import relativedelta

    first_of_next = date(today.year, last_month, 1) + relativedelta(months=1)
    return _end(first_of_next - timedelta(days=1), tz)


def _year_for(month: int, day: int, role: str, today: date) -> int:
    """The year of a day given without one (see the module docstring)."""
    if role == "made" and (month, day) > (today.month, today.day):
        return today.year - 1
    if role == "due" and (month, day) < (today.month, today.day):
        return today.year + 1
    return today.year


class _NoSuchDay(ValueError):
    pass


def _date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _NoSuchDay from None


def _two_digit_year(yy: int, today: date) -> int:
    year = today.year - today.year % 100 + yy
    if year > today.year + 49:
        year -= 100
    elif year < today.year - 50:
        year += 100
    return year


def _parse_time(text: str) -> tuple[time, tzinfo | None] | None:
    m = re.fullmatch(_TIME, text)
    if m is None:
        return None
    hour_s, minute_s, second_s, frac, ampm, offset = m.groups()
    if minute_s is None and ampm is None:
        return None  # a lone number is not a time
    hour = int(hour_s)
    if ampm is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    micro = int((frac or "0").ljust(6, "0"))
    t = time(hour, int(minute_s or 0), int(second_s or 0), micro)
    if offset is None:
        return t, None
    if offset in ("z", "utc", "gmt"):
        return t, timezone.utc
    digits = offset[1:].replace(":", "")
    seconds = int(digits[:2]) * 3600 + int(digits[2:4] or 0) * 60 + int(digits[4:6] or 0)
    sign = -1 if offset[0] == "-" else 1
    return t, timezone(timedelta(seconds=sign * seconds))


def _at(d: date, clock: tuple[time, tzinfo | None] | None, role: str, tz: tzinfo) -> datetime:
    if clock is None:
        return _span(d, d, role, tz)
    t, offset = clock
    if offset is not None:
        return datetime.combine(d, t, tzinfo=offset)
    return _local(d, t, tz)


# -------------------------------------------------------------- parsing


def _relative(s: str, role: str, now: datetime, tz: tzinfo) -> datetime | None:
    for pattern, sign in ((_REL_IN, 1), (_REL_AGO, -1), (_REL_SHORT, 1)):
        m = re.fullmatch(pattern, s)
        if m and m.group(2) in _UNITS:
            from dateutil import tz as du_tz
            from dateutil.relativedelta import relativedelta

            count = 1 if m.group(1) in ("a", "an") else int(m.group(1))
            target = now + relativedelta(**{_UNITS[m.group(2)]: sign * count})
            if role == "due":
                return _end(target.date(), tz)
            return du_tz.resolve_imaginary(target)
    return None


def _vocabulary(s: str, role: str, now: datetime, tz: tzinfo) -> datetime | None:
    today = now.date()
    if s == "now":
        return now
    days = {"yesterday": -1, "today": 0, "tomorrow": 1}.get(s)
    if days is not None:
        d = today + timedelta(days=days)
        return _span(d, d, role, tz)
    if s in _PERIOD_ENDS:
        return _period_end(_PERIOD_ENDS[s], today, tz)
    m = re.fullmatch(_WEEKDAY_RE, s)
    if m and m.group(2) in _WEEKDAYS:
        wd = _WEEKDAYS[m.group(2)]
        if m.group(1) == "last":
            d = today - timedelta(days=(today.weekday() - wd - 1) % 7 + 1)
        else:
            d = today + timedelta(days=(wd - today.weekday() - 1) % 7 + 1)
        return _span(d, d, role, tz)
    return _relative(s, role, now, tz)


def _numeric(s: str, role: str, today: date, tz: tzinfo) -> datetime | None:
    """Years, months and days written in digits, with an optional time."""
    if m := re.fullmatch(_YEAR, s):
        year = int(m.group(1))
        return _span(date(year, 1, 1), date(year, 12, 31), role, tz)
    if m := re.fullmatch(_YEAR_MONTH, s):
        from dateutil.relativedelta import relativedelta

        first = date(int(m.group(1)), int(m.group(2)), 1)
        return _span(first, first + relativedelta(months=1, days=-1), role, tz)
    m = re.fullmatch(_NUMERIC_DATE, s)
    if m is None:
        return None
    iso_y, iso_m, iso_d, us_m, us_d, us_y, clock_text = m.groups()
    if iso_y is not None:
        d = _date(int(iso_y), int(iso_m), int(iso_d))
    else:
        month, day = int(us_m), int(us_d)
        if us_y is None:
            year = _year_for(month, day, role, today)
        elif len(us_y) == 2:
            year = _two_digit_year(int(us_y), today)
        else:
            year = int(us_y)
        d = _date(year, month, day)
    clock = None
    if clock_text is not None:
        clock = _parse_time(clock_text.strip())
        if clock is None:
            return None
    return _at(d, clock, role, tz)


def _worded(original: str, role: str, today: date, tz: tzinfo) -> datetime | None:
    """Dates with a month name, through python-dateutil (never fuzzy)."""
    # The private _parse (stable since dateutil 2.7) returns only the fields the
    # text sets, so nothing is silently filled in from today's date.
    from dateutil import parser as du_parser
    from dateutil.relativedelta import relativedelta

    res, _ = du_parser.parser()._parse(original)
    if res is None or res.month is None:
        return None
    if res.tzname is not None and res.tzoffset is None:
        raise _invalid(original, f"unknown time zone {res.tzname!r}, give an offset like +02:00")
    offset = None if res.tzoffset is None else timezone(timedelta(seconds=res.tzoffset))
    has_time = res.hour is not None or res.minute is not None
    if res.day is None:  # a whole month, e.g. "Nov 2023"
        if res.year is None or has_time or res.weekday is not None:
            return None
        first = date(res.year, res.month, 1)
        return _span(first, first + relativedelta(months=1, days=-1), role, offset or tz)
    year = res.year if res.year is not None else _year_for(res.month, res.day, role, today)
    d = _date(year, res.month, res.day)
    if res.weekday is not None and res.weekday != d.weekday():
        raise _invalid(original, f"{d.isoformat()} is a {d.strftime('%A')}")
    if not has_time:
        return _span(d, d, role, offset or tz)
    t = time(res.hour or 0, res.minute or 0, res.second or 0, res.microsecond or 0)
    return _at(d, (t, offset), role, tz)


def parse_date(
    text: str,
    *,
    role: Role = "at",
    now: datetime | None = None,
    tz: tzinfo | None = None,
) -> datetime:
    """Parse ``text`` as a date for ``role``; see the module docstring."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, not {role!r}")
    if not isinstance(text, str):
        raise _invalid(str(text))
    tz = tz if tz is not None else user_timezone()
    local_now = to_utc(now if now is not None else utcnow()).astimezone(tz)
    s = " ".join(text.lower().split())
    try:
        result = _vocabulary(s, role, local_now, tz) or _numeric(s, role, local_now.date(), tz)
        if result is None and re.search(_MONTH_WORD, s):
            result = _worded(" ".join(text.split()), role, local_now.date(), tz)
        if result is None:
            raise _invalid(text)
        result = to_utc(result)
        if not in_range(result):
            raise _invalid(text, f"outside the accepted range ({RANGE_TEXT})")
        return result
    except InvalidInput:
        raise
    except _NoSuchDay:
        raise _invalid(text, "no such day") from None
    except (ValueError, OverflowError, ArithmeticError, IndexError, TypeError) as exc:
        if isinstance(exc, OverflowError) or "out of range" in str(exc):  # e.g. 'in 9000 years'
            raise _invalid(text, f"outside the accepted range ({RANGE_TEXT})") from None
        raise _invalid(text) from None
