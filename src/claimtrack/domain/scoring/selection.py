"""Which forecasts on a resolved claim are scored, and with what weight.

Forecasts are anything with ``forecaster``, ``probability`` and ``made_at``
attributes (``records.Forecast``, ``records.ForecastIn``) or plain
``(forecaster, probability, made_at)`` tuples.  Forecasts made at or after
``resolved_at`` are ignored here (they are flagged elsewhere), and so are
records flagged ``after_resolution`` (recorded after the resolution was
recorded, however close their stated date); a forecaster whose only
forecasts came after the resolution contributes nothing.  "At" counts as
after: a date-only forecast on the resolution's day (both at that day's
midnight) is not scored.

Two rules:

* **final** (the default in reports): each forecaster's last forecast made
  before the resolution.  Ties on ``made_at`` go to the one given
  later, so pass forecasts in recording order.
* **time-weighted**: each forecast is weighted by how long it stood, from
  when it was made until the same forecaster's next forecast (or the
  resolution), divided by the time from THAT forecaster's first forecast to
  the resolution.  Each forecaster's weights on a claim sum to 1, so the
  same belief held over the same share of one's own forecasting window
  scores the same whether it was first stated early or late.  (Fatebook
  divides by the claim's whole life instead, which flatters late
  forecasters.)  A forecaster whose first forecast is at the resolution
  instant is not scored (made at the resolution = after it).  Zero-weight forecasts
  (replaced at the same instant) are left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.scoring.basic import check_probability


def _fields(item: Any) -> tuple[str, float, datetime]:
    try:
        forecaster, probability, made_at = item.forecaster, item.probability, item.made_at
    except AttributeError:
        try:
            forecaster, probability, made_at = item[0], item[1], item[2]
        except (TypeError, IndexError, KeyError):
            raise InvalidInput(
                f"forecast {item!r} is not usable; give (forecaster, probability, made_at) or a Forecast record"
            ) from None
    if not isinstance(made_at, datetime):
        raise InvalidInput(f"forecast time {made_at!r} is not a datetime; give a timezone-aware datetime")
    return forecaster, check_probability(probability), made_at


def _before(made_at: datetime, resolved_at: datetime) -> bool:
    try:
        return made_at < resolved_at
    except TypeError:
        raise InvalidInput(
            f"cannot compare forecast time {made_at.isoformat()} with resolution time "
            f"{resolved_at.isoformat()}; give both timezone-aware (UTC)"
        ) from None


def _by_forecaster(forecasts: Iterable[Any], resolved_at: datetime | None) -> dict[str, list[tuple[int, float, datetime, Any]]]:
    groups: dict[str, list[tuple[int, float, datetime, Any]]] = {}
    for order, item in enumerate(forecasts):
        forecaster, p, made_at = _fields(item)
        if resolved_at is not None and (not _before(made_at, resolved_at) or getattr(item, "after_resolution", False)):
            continue
        groups.setdefault(forecaster, []).append((order, p, made_at, item))
    for rows in groups.values():
        rows.sort(key=lambda r: (r[2], r[0]))  # by time, then input order
    return groups


def final_forecasts(forecasts: Iterable[Any], resolved_at: datetime | None) -> list[Any]:
    """Each forecaster's last forecast made at or before ``resolved_at``.

    Returns the given items themselves (one per forecaster, sorted by
    forecaster).  ``resolved_at=None`` applies no cut-off (current beliefs
    on an open claim).
    """
    groups = _by_forecaster(forecasts, resolved_at)
    return [groups[name][-1][3] for name in sorted(groups)]


def final_probabilities(forecasts: Iterable[Any], resolved_at: datetime | None) -> dict[str, float]:
    """``{forecaster: probability}`` of :func:`final_forecasts`."""
    groups = _by_forecaster(forecasts, resolved_at)
    return {name: groups[name][-1][1] for name in sorted(groups)}


def time_weighted(forecasts: Iterable[Any], resolved_at: datetime) -> list[tuple[str, float, float]]:
    """``(forecaster, p, weight)`` rows; each forecaster's weights sum to 1.

    Feed them to ``ScoreAccumulator.add(p, o, weight)``: each forecaster
    then counts once per claim, with the time-average of their scores.
    """
    if not isinstance(resolved_at, datetime):
        raise InvalidInput(f"resolution time {resolved_at!r} is not a datetime; time weighting needs when the claim resolved")
    out: list[tuple[str, float, float]] = []
    groups = _by_forecaster(forecasts, resolved_at)
    for name in sorted(groups):
        rows = groups[name]
        span = resolved_at - rows[0][2]
        if not span:
            out.append((name, rows[-1][1], 1.0))
            continue
        for i, (_, p, made_at, _) in enumerate(rows):
            until = rows[i + 1][2] if i + 1 < len(rows) else resolved_at
            stood = until - made_at
            if stood:
                out.append((name, p, stood / span))
    return out
