"""Helpers the importers share for choice, numeric and date claims (issue 12).

Values that are wrong raise ValueError (the caller skips the record with the
message); they never raise InvalidInput, which is for files of the wrong shape.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date, datetime, timezone

from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.scoring.quantity import check_quantiles

SUM_SLACK = 0.01  # within one percentage point of 100%, a distribution is normalised (as the CLI does)
# the levels read off a full CDF: the 50/80/90% central intervals and the median
CDF_LEVELS: tuple[float, ...] = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
EPOCH = date(1970, 1, 1)


def choice_distribution(probs: Sequence[object]) -> tuple[float, ...]:
    """One probability per option, each 0-1, adding up to 1 (normalised when within 1 point)."""
    values = []
    for p in probs:
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not math.isfinite(p):
            raise ValueError(f"option probability {p!r} is not a number")
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"option probability {p!r} is outside 0-1")
        values.append(float(p))
    if len(values) < 2:
        raise ValueError("a choice forecast needs at least 2 options")
    total = math.fsum(values)
    if abs(total - 1.0) > SUM_SLACK:
        raise ValueError(f"option probabilities add up to {total * 100:.4g}%, not 100%")
    return tuple(v / total for v in values)


def quantile_set(pairs: Sequence[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    """A quantile set increasing in level and value, or ValueError."""
    try:
        return check_quantiles(pairs)
    except InvalidInput as exc:
        raise ValueError(str(exc)) from None


def quantiles_from_cdf(cdf: Sequence[float], to_value: Callable[[float], float],
                       levels: Sequence[float] = CDF_LEVELS) -> tuple[tuple[float, float], ...]:
    """Quantiles read off a CDF given at evenly spaced points of [0, 1] (Metaculus' unscaled axis).

    Linear interpolation between points; a level the CDF does not reach inside
    the range (mass beyond an open bound) is left out.  ``to_value`` maps an
    unscaled location to the question's value."""
    points = [float(c) for c in cdf]
    if len(points) < 2 or any(not math.isfinite(c) for c in points):
        raise ValueError("the forecast's CDF is not a list of numbers")
    if any(b < a for a, b in zip(points, points[1:])):
        raise ValueError("the forecast's CDF decreases")
    step = 1.0 / (len(points) - 1)
    out = []
    for level in levels:
        if level < points[0] or level > points[-1]:
            continue
        for i in range(len(points) - 1):
            lo, hi = points[i], points[i + 1]
            if lo <= level <= hi and hi > lo:
                x = (i + (level - lo) / (hi - lo)) * step
                out.append((level, to_value(x)))
                break
    if not out:
        raise ValueError("the forecast's CDF puts its mass outside the question's range")
    return quantile_set(out)


def day_number(when: datetime | date) -> float:
    """Days since 1970-01-01 (the date part in UTC), as a float."""
    if isinstance(when, datetime):
        when = when.astimezone(timezone.utc).date() if when.tzinfo else when.date()
    return float((when - EPOCH).days)


def timestamp_days(seconds: float) -> float:
    """A unix timestamp as a (fractional) day number: date claims are scored in days."""
    return float(seconds) / 86400.0
