"""The weekly review, the pure part: why a claim needs attention, where a
deferred due date lands, which quarter is which, and when a resolve is stale.

The queue itself (reading the ledger) is :mod:`claimtrack.services.review`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from claimtrack.domain.errors import InvalidInput

# why a claim is in the queue, in queue order
REASONS = ("overdue", "due", "stale", "draft")
DEFAULT_STALE_DAYS = 30
MAX_STALE_DAYS = 3650
DEFER_ACCEPTED = "use +1w (a week), +1m (a month) or a date such as 2027-03-31 or 'in 3 months'"
_WEEK = frozenset({"w", "1w", "+1w", "week", "+week", "+1 week", "1 week", "a week"})
_MONTH = frozenset({"m", "1m", "+1m", "month", "+month", "+1 month", "1 month", "a month", "1mo", "+1mo"})


def stale_days(value: object) -> int:
    """The configured age (in days) after which your last forecast on an open
    claim is stale: a whole number of days from 1 to 3650 (``14`` or ``14d``)."""
    if value is None or value == "":
        return DEFAULT_STALE_DAYS
    if isinstance(value, bool):
        raise InvalidInput(f"invalid stale_days '{value}': use a whole number of days from 1 to {MAX_STALE_DAYS}")
    text = str(value).strip().lower().removesuffix("days").removesuffix("d").strip()
    try:
        days = int(text)
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_STALE_DAYS:
        raise InvalidInput(f"invalid stale_days '{value}': use a whole number of days from 1 to {MAX_STALE_DAYS}")
    return days


def _days(delta: timedelta) -> int:
    return max(0, delta.days)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def why_overdue(due: datetime, now: datetime) -> str:
    days = _days(now - due)
    return "overdue since today" if days == 0 else f"overdue by {_plural(days, 'day')}"


def why_due(due: datetime, now: datetime) -> str:
    days = _days(due - now)
    return "due within a day" if days == 0 else f"due in {_plural(days, 'day')}"


def why_stale(last_forecast: datetime, now: datetime, limit_days: int) -> str:
    return (f"your last forecast is {_plural(_days(now - last_forecast), 'day')} old "
            f"(stale after {_plural(limit_days, 'day')})")


def why_draft(source: str | None) -> str:
    return f"a draft in the inbox (from {source})" if source else "a draft in the inbox"


def _add_months(local: datetime, months: int) -> datetime:
    import calendar

    month0 = local.month - 1 + months
    year, month = local.year + month0 // 12, month0 % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


def defer_target(choice: str, current_due: datetime | None, now: datetime, tz: tzinfo) -> datetime:
    """Where a deferred due date lands, in UTC.

    ``+1w`` and ``+1m`` count from the current due date, or from now when that
    is already past (a claim overdue by five months deferred by a week is due
    a week from today, not still overdue); anything else is a date read as a
    due date (the end of that day).  The new date must be in the future."""
    from claimtrack.domain.dates import parse_date, to_utc

    text = " ".join(str(choice or "").lower().split())
    if not text:
        raise InvalidInput(f"no date to defer to: {DEFER_ACCEPTED}")
    base = max(to_utc(current_due), now) if current_due is not None else now
    if text in _WEEK:
        target = base + timedelta(days=7)
    elif text in _MONTH:
        target = to_utc(_add_months(base.astimezone(tz), 1))
    else:
        try:
            target = parse_date(text, role="due", now=now, tz=tz)
        except InvalidInput:
            raise InvalidInput(f"invalid defer date '{choice}': {DEFER_ACCEPTED}") from None
    if target <= now:
        raise InvalidInput(f"cannot defer to {target:%Y-%m-%d}: it is not in the future; {DEFER_ACCEPTED}")
    return target


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def previous_quarter_start(day: date) -> date:
    start = quarter_start(day)
    return date(start.year - 1, 10, 1) if start.month == 1 else date(start.year, start.month - 3, 1)


def quarter_label(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def resolve_is_stale(expected_revision: int | None, seen_forecasts: int | None,
                     revision: int, n_forecasts: int) -> bool:
    """Whether a resolve, prepared against ``expected_revision``, is stale.

    Every change bumps a claim's revision, forecasts included.  A resolve is
    about the claim and its resolution, so new forecasts (anyone's) since it
    was prepared do not make it stale: when the caller also says how many
    forecasts it saw, a revision that moved on by exactly the number of
    forecasts added since is still current (each forecast bumps the revision
    by one).  Without ``seen_forecasts`` any change is stale, as before."""
    if expected_revision is None or revision == expected_revision:
        return False
    if seen_forecasts is None:
        return True
    added = n_forecasts - seen_forecasts
    return added <= 0 or revision - expected_revision != added


SINCE_ACCEPTED = "use 1w, 2w, 30d, 3m, 1y (that long ago) or a date such as 2026-11-01"
_SINCE_UNITS = {"d": 1, "day": 1, "days": 1, "w": 7, "wk": 7, "week": 7, "weeks": 7}


def since_start(text: str, now: datetime, tz: tzinfo) -> datetime:
    """The start of a digest's window: ``1w``, ``2w``, ``30d`` (that long
    before now), ``3m``/``1y`` (calendar months/years back), or a date
    (its start in your zone).  Must be in the past."""
    import re

    from claimtrack.domain.dates import parse_date

    s = " ".join(str(text or "").lower().split())
    match = re.fullmatch(r"([0-9]{1,4}) ?([a-z]+)", s)
    start = None
    if match:
        n, unit = int(match.group(1)), match.group(2)
        if unit in _SINCE_UNITS:
            start = now - timedelta(days=n * _SINCE_UNITS[unit])
        elif unit in ("m", "mo", "month", "months", "y", "yr", "year", "years"):
            months = n if unit.startswith("m") else 12 * n
            try:
                start = _add_months(now.astimezone(tz), -months).astimezone(now.tzinfo)
            except ValueError:
                start = None
    if start is None:
        try:
            start = parse_date(s, role="made", now=now, tz=tz)
        except InvalidInput:
            raise InvalidInput(f"invalid --since '{text}': {SINCE_ACCEPTED}") from None
    if start >= now:
        raise InvalidInput(f"--since '{text}' is not in the past: {SINCE_ACCEPTED}")
    return start
