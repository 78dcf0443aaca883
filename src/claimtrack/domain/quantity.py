"""Quantities and dates as users type them, and quantile sets (issue 12).

Values (:func:`parse_value`):

* a plain number: ``1800``, ``1.8e12``, ``-3.5``, ``0.25``;
* an SI suffix: ``k`` (thousand), ``M`` (million), ``B`` or ``G`` (billion),
  ``T`` (trillion): ``1.8T``, ``63M``, ``13t`` (the letter's case is ignored,
  except that a lower-case ``m`` is refused: it could mean milli);
* a leading currency sign, which is dropped: ``$63M``, ``€2.5B``, ``£10k``.

Anything else (``1.8X``, ``12 parsecs``, ``1..2``) is refused with one line
naming the accepted forms: a value is never read partly.

Dates (``is_date``: claims made with ``--when``) are held as **day numbers**,
days since 1970-01-01 (a float; ``2026-06-15`` is 20619).  A day is
``YYYY-MM-DD``; a month ``YYYY-MM`` stands for its 15th day and a year
``YYYY`` for its 1 July: the middle of the period, within a day, so that a
quantile typed to the month is off by half a month at most.  A resolution
takes a full day (:func:`parse_day`).

A quantile set is ``((level, value), ...)`` with levels strictly between 0
and 1, increasing in both level and value (:func:`quantile_set`); an
interval ``LO..HI@80%`` is the 10% and 90% quantiles.
"""

from __future__ import annotations

import math
import re
from datetime import date, timedelta

from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.probability import parse_probability

EPOCH = date(1970, 1, 1)
SUFFIXES: dict[str, float] = {"k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9, "t": 1e12}
CURRENCY_SIGNS = "$€£¥₹"
VALUE_FORMS = "a number (1800, 1.8e12), with an SI suffix k, M, B or G, T (1.8T, 63M) and an optional leading currency sign ($63M)"
DATE_FORMS = "a date YYYY-MM-DD, a month YYYY-MM (its 15th) or a year YYYY (its 1 July)"
_NUMBER = re.compile(r"([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z]*)", re.ASCII)
_DAY = re.compile(r"([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?", re.ASCII)
# level rounding: (1 - 0.8) / 2 is 0.09999999999999998, and is the 10% quantile
_LEVEL_DIGITS = 12


def _shown(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= 40 else text[:37] + "..."


def parse_value(text: str, *, is_date: bool = False) -> float:
    """A value as typed: a quantity, or (``is_date``) a day number."""
    if is_date:
        return parse_date_value(text)
    if not isinstance(text, str):
        raise InvalidInput(f"invalid value {text!r}: use {VALUE_FORMS}")
    s = text.strip()
    if s[:1] and s[0] in CURRENCY_SIGNS:
        s = s[1:].strip()
    m = _NUMBER.fullmatch(s)
    if m is None:
        raise InvalidInput(f"invalid value '{_shown(text)}': use {VALUE_FORMS}")
    number, suffix = m.groups()
    scale = 1.0
    if suffix:
        if suffix == "m" or suffix.lower() not in SUFFIXES or len(suffix) != 1:
            raise InvalidInput(f"unknown suffix '{_shown(suffix)}' in '{_shown(text)}': "
                               "use k (thousand), M (million), B or G (billion), T (trillion)")
        scale = SUFFIXES[suffix.lower()]
    value = float(number) * scale
    if not math.isfinite(value):
        raise InvalidInput(f"value '{_shown(text)}' is too large: use a finite number")
    return value + 0.0


def _day_number(d: date) -> float:
    return float((d - EPOCH).days)


def parse_date_value(text: str) -> float:
    """``YYYY-MM-DD``, ``YYYY-MM`` (its 15th) or ``YYYY`` (its 1 July) as a day number."""
    m = _DAY.fullmatch(str(text).strip())
    if m is None:
        raise InvalidInput(f"invalid date '{_shown(text)}': use {DATE_FORMS}")
    year, month, day = m.groups()
    try:
        if month is None:
            d = date(int(year), 7, 1)
        elif day is None:
            d = date(int(year), int(month), 15)
        else:
            d = date(int(year), int(month), int(day))
    except ValueError:
        raise InvalidInput(f"invalid date '{_shown(text)}': no such day; use {DATE_FORMS}") from None
    if not 1900 <= d.year <= 8999:
        raise InvalidInput(f"date '{_shown(text)}' is outside 1900-01-01 to 8999-12-31")
    return _day_number(d)


def parse_day(text: str) -> float:
    """A full day ``YYYY-MM-DD`` (what a date claim resolves with) as a day number."""
    s = str(text).strip()
    m = _DAY.fullmatch(s)
    if m is None or m.group(3) is None:
        raise InvalidInput(f"invalid date '{_shown(text)}': a date claim resolves with the day it happened, YYYY-MM-DD")
    return parse_date_value(s)


def day_text(day: float) -> str:
    """A day number as ``YYYY-MM-DD`` (rounded to the nearest day)."""
    try:
        return (EPOCH + timedelta(days=round(day))).isoformat()
    except (OverflowError, ValueError):
        return repr(day)


def format_value(value: float, unit: str | None = None, *, is_date: bool = False) -> str:
    """A value for people: ``1.8T``, ``63M``, ``$63M`` (a currency unit leads), ``2026-06-15``.

    Six significant digits at most, so a typed value shows as typed."""
    if is_date:
        return day_text(value)
    sign = "-" if value < 0 else ""
    size = abs(value)
    text = None
    for letter, scale in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if 1e15 > size >= scale:
            text = _digits(size / scale) + letter
            break
    if text is None:
        text = _digits(size)
    text = sign + text
    if unit and len(unit) == 1 and unit in CURRENCY_SIGNS:
        text = f"{unit}{text}" if not sign else f"-{unit}{text[1:]}"
    return text


def _digits(x: float) -> str:
    text = "%.6g" % x
    if "e" not in text and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def level(text: str) -> float:
    """A quantile level: any probability form, strictly between 0 and 1."""
    p = parse_probability(text).value
    if not 0.0 < p < 1.0:
        raise InvalidInput(f"quantile level '{_shown(text)}' must be strictly between 0% and 100%, e.g. 10%=1T")
    return round(p, _LEVEL_DIGITS)


def parse_quantile(text: str, *, is_date: bool = False) -> tuple[float, float]:
    """``10%=1T`` (any probability form before the ``=``) as (level, value)."""
    if not isinstance(text, str) or "=" not in text:
        raise InvalidInput(f"invalid quantile '{_shown(text)}': use LEVEL=VALUE, e.g. 10%=1T or 50%=2026-06")
    lvl, _, val = text.partition("=")
    return level(lvl), parse_value(val, is_date=is_date)


def parse_interval(text: str, *, is_date: bool = False) -> tuple[tuple[float, float], tuple[float, float]]:
    """``1.2T..2.4T@80%``: the central interval's ends as the 10% and 90% quantiles."""
    shown = _shown(text)
    body, at, conf = str(text).rpartition("@")
    lo, dots, hi = body.partition("..")
    if not at or not dots:
        raise InvalidInput(f"invalid interval '{shown}': use LOW..HIGH@LEVEL, e.g. 1.2T..2.4T@80%")
    c = parse_probability(conf).value
    if not 0.0 < c < 1.0:
        raise InvalidInput(f"interval level in '{shown}' must be strictly between 0% and 100%, e.g. @80%")
    low, high = parse_value(lo, is_date=is_date), parse_value(hi, is_date=is_date)
    if not low < high:
        raise InvalidInput(f"interval '{shown}' must run from the lower value to the higher one")
    return (round((1 - c) / 2, _LEVEL_DIGITS), low), (round((1 + c) / 2, _LEVEL_DIGITS), high)


def quantile_set(pairs) -> tuple[tuple[float, float], ...]:
    """Checked quantiles, sorted by level: levels in (0, 1), each level once,
    values strictly increasing with the level.  One error names the first
    pair out of order."""
    items = sorted((float(lv), float(v)) for lv, v in pairs)
    if not items:
        raise InvalidInput("no quantiles: give --q LEVEL=VALUE (e.g. --q 10%=1T --q 50%=1.8T --q 90%=3T) "
                           "or --interval LOW..HIGH@80%")
    for lv, v in items:
        if not (0.0 < lv < 1.0 and math.isfinite(lv)):
            raise InvalidInput(f"quantile level {lv!r} must be strictly between 0 and 1")
        if not math.isfinite(v):
            raise InvalidInput(f"quantile value {v!r} must be a finite number")
    for (l1, v1), (l2, v2) in zip(items, items[1:]):
        if l1 == l2:
            raise InvalidInput(f"the {_pct(l1)} quantile is given twice: give each level once")
        if not v1 < v2:
            raise InvalidInput(f"quantiles out of order: the {_pct(l1)} quantile ({v1:g}) is not below the "
                               f"{_pct(l2)} quantile ({v2:g}); values must increase with the level")
    return tuple((lv + 0.0, v + 0.0) for lv, v in items)


def _pct(p: float) -> str:
    from claimtrack.domain.probability import format_probability

    return format_probability(p)


def quantile_at(quantiles, p: float) -> float | None:
    """The value at level ``p`` by linear interpolation, None outside the set's levels."""
    for (l1, v1), (l2, v2) in zip(quantiles, quantiles[1:]):
        if l1 <= p <= l2:
            return v1 + (v2 - v1) * (p - l1) / (l2 - l1)
    if quantiles and quantiles[0][0] == p:
        return quantiles[0][1]
    return None


def summary(quantiles, unit: str | None = None, *, is_date: bool = False) -> str:
    """``median 1.8T, 80% 1.2T–2.4T``: the median (interpolated when needed)
    and the widest central interval whose two ends are given; a set with no
    such pair lists its quantiles (``10% 1T · 90% 3T``)."""
    fmt = lambda v: format_value(v, unit, is_date=is_date)  # noqa: E731
    parts = []
    median = quantile_at(quantiles, 0.5)
    if median is not None:
        parts.append(f"median {fmt(median)}")
    values = {round(lv, 9): v for lv, v in quantiles}
    central = None
    for lv, v in quantiles:
        if lv < 0.5 and round(1 - lv, 9) in values:
            central = (1 - 2 * lv, v, values[round(1 - lv, 9)])
            break
    if central is not None:
        width, lo, hi = central
        parts.append(f"{_pct(width)} {fmt(lo)}–{fmt(hi)}")
    if not parts or (central is None and len(quantiles) > 1):
        return " · ".join(f"{_pct(lv)} {fmt(v)}" for lv, v in quantiles)
    return ", ".join(parts)
