"""Metaculus API questions that are not binary: multiple choice, numeric, discrete and date.

Decisions (the binary rules of :mod:`.metaculus_api` hold otherwise: the
claim, its keys, the aggregate forecasters and ``my_forecasts``):

* **multiple_choice**: the options are ``question.options`` (the current
  list, in Metaculus' order; not ordered).  A forecast is an entry's
  ``forecast_values``, one probability per option; an entry whose length
  differs (options changed since, see ``options_history``) or that holds a
  null is skipped.  Within one point of 100% the values are normalised.
  The resolution is the label of the realised option; ``annulled`` -> void,
  ``ambiguous`` -> ambiguous.
* **numeric / discrete / date**: values are mapped from Metaculus' unscaled
  [0, 1] axis with ``question.scaling`` (``range_min``, ``range_max``,
  ``zero_point``; a question-level ``range_min``/``range_max`` is read too):
  linear, or logarithmic when ``zero_point`` is set (then the claim is
  ``log_scale``).  A forecast is the 5/10/25/50/75/90/95% quantiles read
  off its CDF (``forecast_values``, evenly spaced on the unscaled axis;
  levels the CDF reaches only beyond an open bound are left out); an entry
  without a CDF gives its quartiles (``interval_lower_bounds[0]``,
  ``centers[0]``, ``interval_upper_bounds[0]`` at 25/50/75%).  Date values are
  unix timestamps, stored as day numbers.  The resolution is the true value
  (a number, or a date for date questions); ``above_upper_bound`` and
  ``below_lower_bound`` do not give the value, so such a question is
  imported open, with a skipped entry saying why.
* The unit is ``question.unit`` when present.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from claimtrack.domain.records import VALUE_OUTCOME, ClaimIn, ForecastIn, ResolutionIn
from claimtrack.importers import _json as j
from claimtrack.importers._base import KeyRegistry, Options, Skipped, check_name, make_key, short
from claimtrack.importers._dates import from_epoch_or_iso, parse_when
from claimtrack.importers._kinds import (
    choice_distribution, day_number, quantile_set, quantiles_from_cdf, timestamp_days,
)
from claimtrack.importers.metaculus_csv import AGGREGATE_METHODS, RESOLUTIONS, aggregate_name, resolution_key

KINDS = {"multiple_choice": "choice", "numeric": "numeric", "discrete": "numeric", "date": "date"}
_TIME = (int, float, str)
_NUM = (int, float)


def scaling(path: Path, q: dict, where: str) -> tuple[float, float, float | None]:
    """(range_min, range_max, zero_point) of a continuous question; ValueError when absent."""
    block = j.get(path, q, "scaling", where, (dict,)) or q
    bwhere = f"{where}.scaling" if block is not q else where
    lo = j.get(path, block, "range_min", bwhere, _NUM)
    hi = j.get(path, block, "range_max", bwhere, _NUM)
    zero = j.get(path, block, "zero_point", bwhere, _NUM)
    if lo is None or hi is None or not hi > lo:
        raise ValueError("the question has no usable scaling (range_min < range_max)")
    if zero is not None and lo <= zero <= hi:
        raise ValueError(f"zero_point {zero!r} lies inside the range: not a log scale Metaculus can have")
    return float(lo), float(hi), None if zero is None else float(zero)


def value_map(lo: float, hi: float, zero: float | None) -> Callable[[float], float]:
    """Metaculus' unscaled location x in [0, 1] to the nominal value."""
    if zero is None:
        return lambda x: lo + (hi - lo) * x
    ratio = (hi - zero) / (lo - zero)
    return lambda x: lo + (hi - lo) * (ratio ** x - 1.0) / (ratio - 1.0)


def apply(path: Path, q: dict, where: str, claim: ClaimIn, qtype: str) -> ClaimIn:
    """Fill in the claim's kind (options, unit, scale); ValueError when the question cannot be used."""
    kind = KINDS[qtype]
    unit = j.get(path, q, "unit", where, (str,))
    if kind == "choice":
        options = j.get(path, q, "options", where, (list,)) or []
        labels = tuple(o.strip() for o in options if isinstance(o, str) and o.strip())
        if len(labels) != len(options) or len(labels) < 2 or len(set(labels)) != len(labels):
            raise ValueError("the question's options are not 2 or more distinct labels")
        claim.question_type, claim.options = "choice", labels
        return claim
    try:
        lo, hi, zero = scaling(path, q, where)
    except ValueError as exc:
        raise ValueError(f"question is of type {short(qtype)} but {exc}") from None
    claim.question_type = kind
    claim.log_scale = zero is not None
    claim.unit = unit.strip() if unit and unit.strip() and kind == "numeric" else None
    return claim


def _distribution(path, q, entry: dict, ewhere: str, claim: ClaimIn):
    if claim.question_type == "choice":
        values = j.get(path, entry, "forecast_values", ewhere, (list,))
        if not values:
            return None
        if len(values) != len(claim.options) or any(v is None for v in values):
            raise ValueError(f"{len(values)} values for the {len(claim.options)} current options "
                             "(the options changed since): the entry is skipped")
        return choice_distribution(values)
    lo, hi, zero = scaling(path, q, "question")
    to_value = value_map(lo, hi, zero)
    if claim.question_type == "date":
        nominal = to_value
        to_value = lambda x: timestamp_days(nominal(x))  # noqa: E731
    cdf = j.get(path, entry, "forecast_values", ewhere, (list,))
    if cdf and len(cdf) > 2:
        return quantiles_from_cdf(cdf, to_value)
    quartiles = []
    for key, level in (("interval_lower_bounds", 0.25), ("centers", 0.5), ("interval_upper_bounds", 0.75)):
        values = j.get(path, entry, key, ewhere, (list,))
        if values and isinstance(values[0], _NUM) and not isinstance(values[0], bool):
            quartiles.append((level, to_value(float(values[0]))))
    return quantile_set(quartiles) if quartiles else None


def _entries(path, block: dict, where: str) -> list[tuple[str, dict]]:
    out = []
    for k, entry in enumerate(j.get(path, block, "history", where, (list,)) or []):
        out.append((f"{where}.history[{k}]", j.need_object(path, entry, f"{where}.history[{k}]")))
    latest = j.get(path, block, "latest", where, (dict,))
    if latest:
        out.append((f"{where}.latest", latest))
    return out


def dist_key(ckey: str, who: str, second: int, distribution: tuple) -> str:
    digest = hashlib.sha256(repr(distribution).encode()).hexdigest()[:16]
    return make_key("metaculus", ckey, who, second, digest)


def forecasts(path, q, where, claim: ClaimIn, opts: Options, keys: KeyRegistry, skipped, label) -> None:
    sources = []
    aggs = j.get(path, q, "aggregations", where, (dict,)) or {}
    for method in AGGREGATE_METHODS:
        block = j.get(path, aggs, method, f"{where}.aggregations", (dict,))
        if block:
            sources.append((method, aggregate_name(method), block, f"{where}.aggregations.{method}", "crowd"))
    mine = j.get(path, q, "my_forecasts", where, (dict,))
    if mine:
        sources.append(("my_forecasts", opts.forecaster or opts.default_forecaster, mine,
                        f"{where}.my_forecasts", "own"))
    for ident, who, block, bwhere, kind in sources:
        seen: set[int] = set()
        for ewhere, entry in _entries(path, block, bwhere):
            start_raw = j.get(path, entry, "start_time", ewhere, _TIME)
            try:
                dist = _distribution(path, q, entry, ewhere, claim)
                if start_raw is None or dist is None:
                    continue  # an empty aggregate
                start = from_epoch_or_iso(start_raw)
                name = check_name(who, "forecaster")
            except ValueError as exc:
                skipped.append(Skipped(f"{label} {ewhere}", str(exc)))
                continue
            second = int(start.timestamp())
            if second in seen:
                continue  # ``latest`` repeats the last history entry
            seen.add(second)
            claim.forecasts.append(ForecastIn(
                forecaster=name, probability=None, distribution=dist, made_at=start, recorded_at=start,
                import_key=keys.unique(dist_key(claim.import_key, ident, second, dist)), kind=kind,
            ))


def resolve(path, q, where, claim: ClaimIn) -> None:
    """The claim's resolution from ``question.resolution``; ValueError when it cannot be read."""
    raw = j.get(path, q, "resolution", where, (str,))
    if not raw:
        return
    when_raw = next((v for k in ("actual_resolve_time", "resolution_set_time", "scheduled_resolve_time")
                     if (v := j.get(path, q, k, where, _TIME)) is not None), None)
    when = from_epoch_or_iso(when_raw) if when_raw is not None else claim.stated_at
    value = None
    outcome = RESOLUTIONS.get(raw.strip().lower())
    if outcome in ("yes", "no"):
        outcome = None  # "yes"/"no" are not answers to these questions (unless an option is so named)
    if outcome is None:
        value = _value(raw.strip(), claim)
        outcome = VALUE_OUTCOME
    claim.resolutions.append(ResolutionIn(
        outcome=outcome, resolved_at=when, recorded_at=when, resolved_by="Metaculus", value=value,
        note="annulled on Metaculus" if raw.strip().lower() == "annulled" else None,
        import_key=resolution_key(claim.import_key, outcome if value is None else f"{outcome}:{value}"),
    ))


def _value(raw: str, claim: ClaimIn) -> str:
    if claim.question_type == "choice":
        if raw not in claim.options:
            raise ValueError(f"resolution {short(raw)} is not one of the question's options")
        return raw
    if raw.lower() in ("above_upper_bound", "below_lower_bound"):
        raise ValueError(f"resolved {raw.replace('_', ' ')}: the export does not give the true value")
    if claim.question_type == "date":
        return repr(day_number(parse_when(raw)))
    try:
        number = float(raw)
    except ValueError:
        raise ValueError(f"resolution {short(raw)} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"resolution {short(raw)} is not a finite number")
    return repr(number)
