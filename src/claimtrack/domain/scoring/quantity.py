"""Scores of a quantile forecast of a number or a date.

A forecast is a quantile set ``((tau_1, q_1), ..., (tau_n, q_n))``: levels
strictly between 0 and 1 and strictly increasing, values finite and strictly
increasing with the level (:func:`check_quantiles`; anything else is an
:class:`InvalidInput` naming the first offending pair).  ``y`` is the true
value.  Every score here is a loss (lower is better, 0 is perfect) in the
quantity's own unit: dates are day numbers, so date scores are in days.

* **Quantile (pinball) loss** at level tau: ``(y - q)(tau - [y < q])``;
  strictly proper for the tau-quantile (Koenker & Bassett 1978; Gneiting &
  Raftery 2007, section 9).
* **Interval score** of a central (1 - alpha) interval [l, u]
  (Gneiting & Raftery 2007, eq. 43):
  ``(u - l) + (2/alpha)(l - y)[y < l] + (2/alpha)(y - u)[y > u]``.
  A central interval is a pair of levels tau and 1 - tau of the set (10% and
  90% make the 80% interval, alpha = 0.2); other levels make none.
* **Weighted interval score** (Bracher, Ray, Gneiting & Reich 2021, eq. 3):
  ``WIS = (w0 |y - m| + sum_k w_k IS_alpha_k) / (K + 1/2)`` with the median
  m, the K central intervals, ``w0 = 1/2`` and ``w_k = alpha_k / 2``.  With a
  median and only symmetric pairs it equals ``2/(2K + 1)`` times the sum of
  the pinball losses.  Without a median the w0 term is dropped and the sum is
  divided by K instead (Bracher et al.'s WIS_{alpha_{1:K}}); levels without a
  partner (a lone 80%) do not enter WIS, and a set with neither a median nor a
  pair has no WIS (None).  (scoringrules 0.10/0.11's
  ``weighted_interval_score`` adds ``w0 * m`` instead of ``w0 |y - m|``; it
  is wrong and not used as a reference.)
* **CRPS, approximated** as twice the mean pinball loss over the given
  levels: ``(2/n) sum_i pinball_i`` (scoringrules' ``crps_quantile``).  It is
  an approximation of the CRPS of the forecaster's full distribution, good
  when the levels are many and evenly spread; with 3 levels it is coarse.

**Log scale.**  A quantity marked ``log_scale`` spans orders of magnitude,
where an error of 2x matters alike at 1M and 1T.  Such claims are scored on
the values as given (in the unit) AND on ``log10`` of the values and the
truth (:func:`log10_quantiles`): the log10 scores are in orders of magnitude
(decades), free of the unit, and so comparable between log-scale claims.
Quantiles are invariant under monotone maps, so the log10 set is the
forecaster's set on that scale.  A log-scale claim with a value <= 0 (in
the set or the truth) has no log10 scores.

**Calibration** (:func:`coverage`, :func:`pit_bin`): whether the truth fell
inside the 50%, 80% and 90% central intervals, and which inter-quantile bin
it fell in (a discrete PIT histogram; Gneiting, Balabdaoui & Raftery 2007):
bin 0 is below ``q_1``, bin i is between ``q_i`` and ``q_{i+1}``, bin n is
above ``q_n``; the expected mass of bin i is ``tau_{i+1} - tau_i`` (with
``tau_0 = 0`` and ``tau_{n+1} = 1``).  A truth exactly on a quantile counts
half in each of the two bins beside it (otherwise ties, common with dates,
would lean to one side).  Interval ends count as inside.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from claimtrack.domain.errors import InvalidInput

Quantiles = tuple[tuple[float, float], ...]

LEVEL_TOLERANCE = 1e-9  # tau and 1 - tau are partners when they add up to 1 within this
NOMINAL_COVERAGES: tuple[float, ...] = (0.5, 0.8, 0.9)


def _number(value: object, what: str) -> float:
    if isinstance(value, (str, bytes, bool)):
        raise InvalidInput(f"{what} {value!r} is not a number")
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidInput(f"{what} {value!r} is not a number") from None
    if not math.isfinite(x):
        raise InvalidInput(f"{what} {value!r} is not a finite number")
    return x


def check_quantiles(quantiles: Sequence[tuple[float, float]]) -> Quantiles:
    """The quantile set as float pairs, or InvalidInput naming the first problem.

    Levels strictly between 0 and 1 and strictly increasing; values finite
    and strictly increasing with the level."""
    if isinstance(quantiles, (str, bytes)):
        raise InvalidInput("a quantile set is a list of (level, value) pairs, not text")
    out: list[tuple[float, float]] = []
    for pair in quantiles:
        try:
            tau, q = pair
        except (TypeError, ValueError):
            raise InvalidInput(f"quantile {pair!r} is not a (level, value) pair") from None
        tau, q = _number(tau, "quantile level"), _number(q, "quantile value")
        if not 0.0 < tau < 1.0:
            raise InvalidInput(f"quantile level {tau!r} must be strictly between 0 and 1")
        if out and tau <= out[-1][0]:
            raise InvalidInput(f"quantile levels out of order: {tau!r} after {out[-1][0]!r}; levels must increase")
        if out and q <= out[-1][1]:
            raise InvalidInput(f"quantiles out of order: the {tau:g} quantile ({q:g}) is not above the "
                               f"{out[-1][0]:g} quantile ({out[-1][1]:g}); values must increase with the level")
        out.append((tau, q))
    if not out:
        raise InvalidInput("no quantiles to score: give at least one (level, value) pair")
    return tuple(out)


def _sum(values) -> float:
    """``math.fsum`` of non-negative losses; inf when the total passes the float range (values near 1e308)."""
    try:
        return math.fsum(values)
    except OverflowError:
        return math.inf


def check_truth(y: object) -> float:
    return _number(y, "true value")


# ----------------------------------------------------------------- scores


def pinball(q: float, tau: float, y: float) -> float:
    """Quantile loss ``(y - q)(tau - [y < q])`` of quantile ``q`` at level ``tau``."""
    return (y - q) * (tau - (1.0 if y < q else 0.0))


def pinball_losses(quantiles: Sequence[tuple[float, float]], y: float) -> tuple[tuple[float, float], ...]:
    """``(level, loss)`` for each quantile of the set."""
    qs, y = check_quantiles(quantiles), check_truth(y)
    return tuple((tau, pinball(q, tau, y)) for tau, q in qs)


def interval_score(lo: float, hi: float, alpha: float, y: float) -> float:
    """Gneiting & Raftery (2007) interval score of the central (1 - alpha) interval [lo, hi]."""
    lo, hi, y = _number(lo, "interval end"), _number(hi, "interval end"), check_truth(y)
    alpha = _number(alpha, "alpha")
    if not 0.0 < alpha < 1.0:
        raise InvalidInput(f"alpha {alpha!r} must be strictly between 0 and 1 (0.2 for an 80% interval)")
    if hi < lo:
        raise InvalidInput(f"interval [{lo:g}, {hi:g}] runs backwards: the lower end must come first")
    below = (2.0 / alpha) * (lo - y) if y < lo else 0.0
    above = (2.0 / alpha) * (y - hi) if y > hi else 0.0
    return (hi - lo) + below + above


def central_intervals(quantiles: Sequence[tuple[float, float]]) -> tuple[tuple[float, float, float], ...]:
    """``(alpha, lo, hi)`` of every central interval in the set, widest first.

    Levels tau < 0.5 and 1 - tau (within :data:`LEVEL_TOLERANCE`) make the
    central (1 - alpha) interval with ``alpha = 2 tau``."""
    qs = check_quantiles(quantiles)
    out = []
    for tau, lo in qs:
        if tau >= 0.5 - LEVEL_TOLERANCE:
            break
        for tau2, hi in qs:
            if abs(tau + tau2 - 1.0) <= LEVEL_TOLERANCE:
                out.append((2.0 * tau, lo, hi))
                break
    return tuple(out)


def median_of(quantiles: Sequence[tuple[float, float]]) -> float | None:
    """The 50% quantile when the set has one."""
    for tau, q in check_quantiles(quantiles):
        if abs(tau - 0.5) <= LEVEL_TOLERANCE:
            return q
    return None


def interval_scores(quantiles: Sequence[tuple[float, float]], y: float) -> tuple[tuple[float, float, float, float], ...]:
    """``(nominal, lo, hi, interval score)`` of each central interval (nominal = 1 - alpha)."""
    y = check_truth(y)
    return tuple((1.0 - alpha, lo, hi, interval_score(lo, hi, alpha, y))
                 for alpha, lo, hi in central_intervals(quantiles))


def wis(quantiles: Sequence[tuple[float, float]], y: float) -> float | None:
    """Weighted interval score (Bracher et al. 2021); None without a median or an interval."""
    y = check_truth(y)
    intervals = central_intervals(quantiles)
    m = median_of(quantiles)
    terms = [(alpha / 2.0) * interval_score(lo, hi, alpha, y) for alpha, lo, hi in intervals]
    if m is not None:
        terms.append(0.5 * abs(y - m))
        return _sum(terms) / (len(intervals) + 0.5)
    if not intervals:
        return None
    return _sum(terms) / len(intervals)


def crps_approx(quantiles: Sequence[tuple[float, float]], y: float) -> float:
    """CRPS approximated as twice the mean pinball loss over the set's levels (an approximation)."""
    losses = pinball_losses(quantiles, y)
    return 2.0 * _sum(loss for _tau, loss in losses) / len(losses)


def log10_quantiles(quantiles: Sequence[tuple[float, float]], y: float) -> tuple[Quantiles, float] | None:
    """The set and truth on the log10 scale; None when any value is <= 0 (or two log10 values round equal)."""
    qs, y = check_quantiles(quantiles), check_truth(y)
    if y <= 0.0 or qs[0][1] <= 0.0:
        return None
    logged = tuple((tau, math.log10(q)) for tau, q in qs)
    if any(b[1] <= a[1] for a, b in zip(logged, logged[1:])):
        return None  # distinct values so close that their log10 rounds equal: no log10 set to score
    return logged, math.log10(y)


# ------------------------------------------------------------ calibration


def covered(quantiles: Sequence[tuple[float, float]], y: float, nominal: float) -> bool | None:
    """Whether ``y`` lies in the set's central ``nominal`` interval (ends included); None if it has none."""
    y = check_truth(y)
    for alpha, lo, hi in central_intervals(quantiles):
        if abs((1.0 - alpha) - nominal) <= LEVEL_TOLERANCE:
            return lo <= y <= hi
    return None


def pit_bin(quantiles: Sequence[tuple[float, float]], y: float) -> tuple[float, ...]:
    """How much of the outcome falls in each of the n + 1 inter-quantile bins.

    One bin gets 1.0; a truth exactly on quantile i gives 0.5 to bin i and 0.5
    to bin i + 1 (see the module doc)."""
    qs, y = check_quantiles(quantiles), check_truth(y)
    counts = [0.0] * (len(qs) + 1)
    below = sum(1 for _tau, q in qs if q < y)
    ties = sum(1 for _tau, q in qs if q == y)  # 0 or 1: values are strictly increasing
    if ties:
        counts[below] += 0.5
        counts[below + 1] += 0.5
    else:
        counts[below] += 1.0
    return tuple(counts)


def expected_masses(levels: Sequence[float]) -> tuple[float, ...]:
    """Expected share of outcomes in each inter-quantile bin: tau_1, tau_2 - tau_1, ..., 1 - tau_n."""
    edges = [0.0, *levels, 1.0]
    return tuple(edges[i + 1] - edges[i] for i in range(len(edges) - 1))
