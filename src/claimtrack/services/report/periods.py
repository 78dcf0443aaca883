"""Report periods: the trend's months/quarters/years and ``--since last``.

Periods are calendar periods in the user's time zone (``$CLAIMTRACK_TZ``),
the same zone every date in the reports is shown in.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from claimtrack.db import models as m
from claimtrack.db.engine import Database
from claimtrack.domain.dates import parse_date, to_utc, user_timezone
from claimtrack.domain.errors import InvalidInput

_MONTHS = {"month": 1, "quarter": 3, "year": 12}
_LAST_INSTANT = timedelta(days=1, microseconds=-1)
MAX_FILLED_PERIODS = 240  # a trend longer than this shows only the periods with data
_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)
_LATEST = datetime.max.replace(tzinfo=timezone.utc)


def _month_index(key: str) -> int:
    """Months since year 0 of a period key (``2024-03``, ``2024-Q2``, ``2024``)."""
    year, _, rest = key.partition("-")
    if not rest:
        month = 1
    elif rest.startswith("Q"):
        month = (int(rest[1:]) - 1) * 3 + 1
    else:
        month = int(rest)
    return int(year) * 12 + month - 1


def _utc_or(day: date, tz: tzinfo, edge: datetime) -> datetime:
    """Local midnight of ``day`` in UTC; ``edge`` when that falls outside datetime's range."""
    try:
        return to_utc(datetime.combine(day, time(0), tzinfo=tz))
    except OverflowError:
        return edge


def period_start(day: date, kind: str) -> date:
    if kind == "month":
        return day.replace(day=1)
    if kind == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if kind == "year":
        return date(day.year, 1, 1)
    raise InvalidInput(f"invalid --period '{kind}': use one of month, quarter, year")


def period_key(first: date, kind: str) -> str:
    if kind == "month":
        return f"{first.year:04d}-{first.month:02d}"
    if kind == "quarter":
        return f"{first.year:04d}-Q{(first.month - 1) // 3 + 1}"
    return f"{first.year:04d}"


class PeriodKeys:
    """Maps resolution times to calendar periods; remembers each period's bounds.

    Converting every time to the local zone is slow (dateutil's local zone
    most of all), so whole UTC days that lie inside one local period are
    cached; only days that straddle a period boundary are converted.
    """

    def __init__(self, kind: str, tz: tzinfo | None = None) -> None:
        period_start(date(2000, 1, 1), kind)  # validates kind
        self.kind = kind
        self.tz = tz if tz is not None else user_timezone()
        self.bounds: dict[str, tuple[datetime, datetime]] = {}
        self._days: dict[tuple[int, int, int], str | None] = {}

    def exact(self, when: datetime) -> str:
        try:
            local = to_utc(when).astimezone(self.tz).date()
        except OverflowError:  # a time at the very edge of the calendar: its UTC day
            local = to_utc(when).date()
        first = period_start(local, self.kind)
        key = period_key(first, self.kind)
        if key not in self.bounds:
            start = _utc_or(first, self.tz, _EARLIEST)
            try:
                nxt = first + relativedelta(months=_MONTHS[self.kind])
            except (OverflowError, ValueError):
                end = _LATEST
            else:
                end = _utc_or(nxt, self.tz, _LATEST)
            self.bounds[key] = (start, end)  # [start, end)
        return key

    def day_key(self, when: datetime) -> str | None:
        """Period of the whole UTC day of ``when``; None when a period starts inside that day."""
        when = to_utc(when)
        day = (when.year, when.month, when.day)
        key = self._days.get(day, "")
        if key == "" and 2 <= day[2] <= 27:
            # any instant of this UTC day is, in any time zone (offsets within
            # a day), on the day before, the day itself or the day after: all in
            # the same month, so in the period of the UTC date.  Converting is
            # needed only once per period, to learn its bounds.
            key = period_key(period_start(date(*day), self.kind), self.kind)
            if key in self.bounds:
                self._days[day] = key
                return key
            key = ""
        if key == "":
            first = datetime(*day, tzinfo=timezone.utc)
            at_start, at_end = self.exact(first), self.exact(first + _LAST_INSTANT)
            key = self._days[day] = at_start if at_start == at_end else None
        return key

    def key(self, when: datetime) -> str:
        """Period of ``when`` (an aware datetime, normally UTC)."""
        key = self.day_key(when)
        return key if key is not None else self.exact(when)

    def span(self, keys) -> list[str]:
        """Every period from the earliest to the latest of ``keys``, gaps filled
        with empty periods, unless that would be more than MAX_FILLED_PERIODS
        periods (one stray resolution decades away): then only the periods
        that have data."""
        keys = sorted(keys)
        if not keys:
            return []
        if (_month_index(keys[-1]) - _month_index(keys[0])) // _MONTHS[self.kind] > MAX_FILLED_PERIODS:
            return keys
        out = [keys[0]]
        while out[-1] != keys[-1]:
            out.append(self.exact(self.bounds[out[-1]][1]))
        return out


def last_saved_end(db: Database) -> datetime:
    """End of the newest saved report's period; InvalidInput when none was saved."""
    with db.read() as session:
        end = session.execute(
            select(m.SavedReport.period_end).order_by(m.SavedReport.created_at.desc(), m.SavedReport.id.desc()).limit(1)
        ).scalar()
    if end is None:
        raise InvalidInput(
            "--since last needs a saved report, and none was saved yet: run 'claimtrack report --save' first"
        )
    return end


def parse_bounds(db: Database, since: str | None, until: str | None,
                 now: datetime | None = None) -> tuple[datetime | None, datetime | None, bool]:
    """``--since``/``--until`` texts to (since, until, since_saved).

    ``--since`` is the start of the day (or month, year) given; ``--until``
    the end of it, so ``--since 2024-01 --until 2024-03`` is the first
    quarter.  ``--since last`` is the end of the newest saved report.
    """
    start = end = None
    saved = False
    if since is not None:
        if since.strip().lower() == "last":
            start, saved = last_saved_end(db), True
        else:
            start = _parse(since, "made", "--since", now)
    if until is not None:
        end = _parse(until, "due", "--until", now)
    if start and end and start > end:
        raise InvalidInput(f"--since {since} is after --until {until}: no resolution can fall between them")
    return start, end, saved


def _parse(text: str, role: str, option: str, now: datetime | None) -> datetime:
    try:
        return parse_date(text, role=role, now=now)
    except InvalidInput as exc:
        raise InvalidInput(f"{option}: {exc}") from None
