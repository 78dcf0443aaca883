"""Dates as they appear in export files, read fast (results are cached).

Accepted, in this order:

* epoch numbers of 9 or more digits: seconds, or milliseconds when above 1e11;
* ISO 8601 with or without an offset (``2024-07-12T00:00:00+00:00``,
  ``2011-08-31 16:20:13``, ``2023-01-21 23:17:34.344+00:00``), and the same
  with unpadded parts (Fatebook writes ``2024-12-09 01:12:2``);
* ``M/D/YY`` and ``M/D/YYYY`` (US order, as GJP writes them), optionally with
  a time; two-digit years 00-69 are 2000-2069 and 70-99 are 1970-1999;
* a leading partial date ``2023``, ``2023-01`` or ``2023-01-05`` followed by
  a space or bracket and anything else: ``2023-01 (blind mode)`` is read as
  ``2023-01`` and the suffix ignored;
* worded dates with a four-digit year (``Nov 18 2023``, ``18 November 2023``).

A time without an offset is taken as UTC (exports come from servers).  A value
that names only a day, month or year is its first instant, or with
``end=True`` (due dates) its last instant.
"""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import datetime, timedelta, timezone

from dateutil import parser as _du_parser

from claimtrack.domain.dates import RANGE_TEXT, in_range

UTC = timezone.utc
_MIN_YEAR, _MAX_YEAR = 1, 9999  # datetime's own range, for building values; then:
# every result must lie in the ledger's accepted range (domain.dates.in_range)

_EPOCH = re.compile(r"-?\d{9,}(?:\.\d+)?")
_ISO_LOOSE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?",
    re.IGNORECASE,
)
_MDY = re.compile(
    r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)?)?",
    re.IGNORECASE,
)
_PARTIAL = re.compile(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?(?=$|[\s(\[{,;])")
_FOUR_DIGIT_YEAR = re.compile(r"\b(1[89]\d\d|2[01]\d\d)\b")
_HAS_TIME = re.compile(r"\d[T ]\d{1,2}:\d")

ACCEPTED = "use ISO 8601 like 2024-03-05 or 2024-03-05T10:00:00+00:00, M/D/YY, or epoch seconds"

_cache: dict[tuple[str, bool], datetime | str] = {}


def _offset(text: str | None) -> timezone:
    if not text or text.upper() in ("Z", "UTC"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _span(year: int, month: int | None, day: int | None, end: bool) -> datetime:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise ValueError(f"year {year} is out of range {_MIN_YEAR}-{_MAX_YEAR}")
    if not end:
        return datetime(year, month or 1, day or 1, tzinfo=UTC)
    month = month or 12
    day = day or monthrange(year, month)[1]
    return datetime(year, month, day, 23, 59, 59, tzinfo=UTC)


def _two_digit(yy: str) -> int:
    y = int(yy)
    if len(yy) == 4:
        return y
    return 2000 + y if y < 70 else 1900 + y


def _parse(s: str, end: bool) -> datetime:
    if _EPOCH.fullmatch(s):
        x = float(s)
        if abs(x) >= 1e11:
            x /= 1000.0
        return datetime.fromtimestamp(x, UTC)
    if len(s) >= 10 and s[4] == "-":
        try:
            dt = datetime.fromisoformat(s)
        except ValueError:
            dt = None
        if dt is not None:
            if len(s) == 10 and end:
                return _span(dt.year, dt.month, dt.day, True)
            if not _MIN_YEAR <= dt.year <= _MAX_YEAR:
                raise ValueError(f"year {dt.year} is out of range {_MIN_YEAR}-{_MAX_YEAR}")
            return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    if m := _ISO_LOOSE.fullmatch(s):
        y, mo, d, hh, mi, ss, frac, off = m.groups()
        if hh is None:
            return _span(int(y), int(mo), int(d), end)
        micro = int((frac or "0")[:6].ljust(6, "0"))
        dt = datetime(int(y), int(mo), int(d), int(hh), int(mi), int(ss or 0), micro, tzinfo=_offset(off))
        return dt.astimezone(UTC)
    if m := _MDY.fullmatch(s):
        mo, d, y, hh, mi, ss, ampm = m.groups()
        year = _two_digit(y)
        if hh is None:
            return _span(year, int(mo), int(d), end)
        hour = int(hh)
        if ampm:
            if not 1 <= hour <= 12:
                raise ValueError(f"hour {hour} with {ampm}")
            hour = hour % 12 + (12 if ampm.upper() == "PM" else 0)
        return datetime(year, int(mo), int(d), hour, int(mi), int(ss or 0), tzinfo=UTC)
    if m := _PARTIAL.match(s):
        y, mo, d = m.groups()
        return _span(int(y), int(mo) if mo else None, int(d) if d else None, end)
    if _FOUR_DIGIT_YEAR.search(s) and any(c.isalpha() for c in s):
        res, _ = _du_parser.parser()._parse(s)
        if res is not None and res.year is not None and res.month is not None:
            if res.hour is None and res.tzoffset is None:
                return _span(res.year, res.month, res.day, end)
            off = timezone(timedelta(seconds=res.tzoffset)) if res.tzoffset is not None else UTC
            dt = datetime(res.year, res.month, res.day or 1, res.hour or 0, res.minute or 0,
                          res.second or 0, tzinfo=off)
            return dt.astimezone(UTC)
    raise ValueError("not a date")


def parse_when(value: str, *, end: bool = False) -> datetime:
    """A UTC datetime from an export's date text; ValueError naming the value otherwise."""
    key = (value, end)
    hit = _cache.get(key)
    if hit is None:
        s = " ".join(value.split())
        try:
            hit = _parse(s, end)
            if not in_range(hit):
                raise ValueError(RANGE_TEXT.replace("are accepted", "are accepted, not " + hit.date().isoformat()))
        except (ValueError, OverflowError, OSError) as exc:
            why = str(exc)
            shown = s if len(s) <= 40 else s[:37] + "..."
            hit = f"date '{shown}' is not understood ({why}): {ACCEPTED}" if why != "not a date" else (
                f"date '{shown}' is not understood: {ACCEPTED}")
        if len(_cache) > 200_000:
            _cache.clear()
        _cache[key] = hit
    if isinstance(hit, str):
        raise ValueError(hit)
    return hit


def has_time(value: str) -> bool:
    return bool(_HAS_TIME.search(value))


def from_epoch_ms(value: object) -> datetime:
    """Manifold's epoch milliseconds (int or float); ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected epoch milliseconds, got {type(value).__name__}")
    try:
        dt = datetime.fromtimestamp(value / 1000.0, UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"epoch milliseconds {value!r} out of range") from None
    if not in_range(dt):
        raise ValueError(f"epoch milliseconds {value!r} out of range: {RANGE_TEXT}")
    return dt


def from_epoch_or_iso(value: object) -> datetime:
    """Metaculus API times: epoch seconds (number) or ISO text; ValueError/TypeError otherwise."""
    if isinstance(value, bool):
        raise TypeError("expected a time, got a boolean")
    if isinstance(value, (int, float)):
        try:
            dt = datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            raise ValueError(f"epoch seconds {value!r} out of range") from None
        if not in_range(dt):
            raise ValueError(f"epoch seconds {value!r} out of range: {RANGE_TEXT}")
        return dt
    if isinstance(value, str):
        return parse_when(value)
    raise TypeError(f"expected a time, got {type(value).__name__}")
