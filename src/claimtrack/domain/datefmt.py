"""Datetimes for people: dates and times in the user's zone, short relative ages."""

from __future__ import annotations

from datetime import datetime, tzinfo

from claimtrack.domain.dates import to_utc, user_timezone, utcnow



def local_time(dt: datetime, tz: tzinfo | None = None) -> datetime:
    """``dt`` in ``tz`` (default: the user's zone).  Never raises for a stored
    value at the edge of the calendar (year 1 west of UTC, 9999-12-31 east of
    it, which the accepted range keeps out but an old or hand-edited ledger
    may hold): such a time is shown in UTC instead."""
    utc = to_utc(dt)
    try:
        return utc.astimezone(tz if tz is not None else user_timezone())
    except (OverflowError, ValueError):
        return utc


def format_date(dt: datetime, tz: tzinfo | None = None) -> str:
    """``YYYY-MM-DD`` of ``dt`` in ``tz`` (default: the user's zone)."""
    local = local_time(dt, tz)
    return f"{local.year:04d}-{local.month:02d}-{local.day:02d}"


def format_datetime(dt: datetime, tz: tzinfo | None = None) -> str:
    """``YYYY-MM-DD HH:MM`` of ``dt`` in ``tz`` (default: the user's zone)."""
    local = local_time(dt, tz)
    return f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"


def humanize_delta(dt: datetime, now: datetime | None = None, tz: tzinfo | None = None) -> str:
    """Short relative text: ``today``, ``in 3d``, ``5d ago``, ``2w``, ``3mo``, ``2y``.

    Counts calendar days in ``tz`` (default: the user's zone); weeks from 14
    days, months of 30 days from 60 days, years of 365 days from 730 days.
    """
    zone = tz if tz is not None else user_timezone()
    now = now if now is not None else utcnow()
    days = (local_time(dt, zone).date() - local_time(now, zone).date()).days
    if days == 0:
        return "today"
    n = abs(days)
    if n >= 730:
        text = f"{n // 365}y"
    elif n >= 60:
        text = f"{n // 30}mo"
    elif n >= 14:
        text = f"{n // 7}w"
    else:
        text = f"{n}d"
    return f"in {text}" if days > 0 else f"{text} ago"
