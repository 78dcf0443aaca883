"""Calibration bins, the folded view and the exact Murphy decomposition.

Everything here works from :class:`PercentTotals`: per whole percent
(0..100), the count, weight and weighted sums of the forecasts given that
percent.  :class:`~claimtrack.domain.scoring.accumulator.ScoreAccumulator`
collects these in one pass; any bin layout is then a regrouping of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

from claimtrack.domain.scoring.basic import bin_bounds, bin_of_percent, wilson_interval


class PercentTotals(NamedTuple):
    """Sums over the forecasts whose whole percent is ``pct`` (internal)."""

    pct: int
    n: int  # number of forecasts
    n_yes: int  # ... of which happened
    w: float  # sum of weights
    w_yes: float  # sum of weights of those that happened
    sp: float  # sum of w*p
    sp_yes: float  # sum of w*p over those that happened
    sq: float  # sum of w*p*p
    w2: float  # sum of w*w (for the effective sample size)
    weighted: bool  # any forecast here had a weight other than 1


@dataclass(frozen=True)
class CalibrationBin:
    """One calibration bin.

    ``lo``/``hi`` are fractions.  Calibration bins are closed on the right,
    (lo, hi], except the first, which also holds ``lo`` (0%).  Folded bins
    are [lo, hi) except the last, which is exactly 100% (lo == hi == 1.0).

    ``mean_forecast`` is the (weighted) mean probability in the bin: plot the
    point there, not at the bin centre.  ``observed`` is how often the
    forecast side happened.  Both are ``None`` for an empty bin (n == 0, or
    zero total weight), whose interval is (0.0, 1.0).  The 95% interval is
    Wilson's on the count; with weights other than 1 it uses Kish's
    effective sample size ``(sum w)^2 / sum w^2``.
    """

    lo: float
    hi: float
    n: int
    mean_forecast: float | None
    observed: float | None
    ci_low: float
    ci_high: float
    sum_weights: float = 0.0

    @property
    def is_empty(self) -> bool:
        return self.mean_forecast is None


@dataclass(frozen=True)
class Murphy:
    """Stephenson, Coelho & Jolliffe (2008) decomposition of the Brier score.

    ``brier == reliability - resolution + uncertainty + within_bin_variance
    - within_bin_covariance`` exactly (to rounding), on the 0-1 scale.
    Reliability uses each bin's mean forecast, so the identity holds even
    when forecasts within a bin differ.
    """

    reliability: float
    resolution: float
    uncertainty: float
    within_bin_variance: float
    within_bin_covariance: float

    @property
    def brier(self) -> float:
        return math.fsum(
            (
                self.reliability,
                -self.resolution,
                self.uncertainty,
                self.within_bin_variance,
                -self.within_bin_covariance,
            )
        )

    @property
    def three_term_brier(self) -> float:
        """Murphy's (1973) REL - RES + UNC: exact only if bins hold one value each."""
        return self.reliability - self.resolution + self.uncertainty


class _Group(NamedTuple):
    n: int
    n_yes: int
    w: float
    w_yes: float
    sp: float
    sp_yes: float
    sq: float
    w2: float
    weighted: bool


def _group(cells: list[PercentTotals]) -> _Group:
    return _Group(
        n=sum(c.n for c in cells),
        n_yes=sum(c.n_yes for c in cells),
        w=math.fsum(c.w for c in cells),
        w_yes=math.fsum(c.w_yes for c in cells),
        sp=math.fsum(c.sp for c in cells),
        sp_yes=math.fsum(c.sp_yes for c in cells),
        sq=math.fsum(c.sq for c in cells),
        w2=math.fsum(c.w2 for c in cells),
        weighted=any(c.weighted for c in cells),
    )


def _interval(k: float, n: float) -> tuple[float, float]:
    return wilson_interval(min(max(k, 0.0), n), n)


def _make_bin(lo: float, hi: float, n: int, w: float, hit_w: float, hit_n: int,
              conf_w: float, w2: float, weighted: bool) -> CalibrationBin:
    if n == 0 or w <= 0.0:
        return CalibrationBin(lo, hi, n, None, None, 0.0, 1.0, w)
    observed = hit_w / w
    if weighted:
        # Kish's effective sample size; when squaring subnormal weights
        # underflows to 0 the weights are all negligible alike: use the count
        n_eff = w * w / w2 if w2 > 0.0 else float(n)
        ci = _interval(observed * n_eff, n_eff)
    else:
        ci = wilson_interval(hit_n, n)
    return CalibrationBin(lo, hi, n, conf_w / w, observed, ci[0], ci[1], w)


def _split(cells: list[PercentTotals], n_bins: int) -> list[list[PercentTotals]]:
    groups: list[list[PercentTotals]] = [[] for _ in range(n_bins)]
    for c in cells:
        groups[bin_of_percent(c.pct, n_bins)].append(c)
    return groups


def calibration_from_totals(cells: list[PercentTotals], n_bins: int) -> tuple[CalibrationBin, ...]:
    """All ``n_bins`` bins, empty ones included (see :class:`CalibrationBin`)."""
    out = []
    for (lo, hi), members in zip(bin_bounds(n_bins), _split(cells, n_bins)):
        g = _group(members)
        out.append(_make_bin(lo, hi, g.n, g.w, g.w_yes, g.n_yes, g.sp, g.w2, g.weighted))
    return tuple(out)


FOLDED_BOUNDS: tuple[tuple[float, float], ...] = (
    (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.0), (1.0, 1.0),
)


def folded_from_totals(cells: list[PercentTotals]) -> tuple[CalibrationBin, ...]:
    """PredictionBook's folded view: confidence in the side predicted.

    A forecast of whole percent ``pct`` predicts "yes" when ``pct >= 50`` and
    "no" otherwise; its confidence is ``max(pct, 100 - pct)`` and it is a hit
    when the predicted side happened.  A 50% forecast is counted as
    predicting "yes" (the side is ambiguous; this is PredictionBook's choice
    too), so the 50-59% bin's hit rate is partly a base rate.  Bins are
    50-59, 60-69, 70-79, 80-89, 90-99 and exactly 100 percent; the mean
    confidence uses the exact probabilities, ``max(p, 1 - p)``.
    """
    groups: list[list[PercentTotals]] = [[] for _ in FOLDED_BOUNDS]
    for c in cells:
        if c.n == 0:
            continue
        if c.pct < 50:  # predicts "no": confidence 1 - p, a hit when o == 0
            c = c._replace(pct=100 - c.pct, n_yes=c.n - c.n_yes, w_yes=c.w - c.w_yes,
                           sp=c.w - c.sp, sp_yes=0.0, sq=0.0)
        groups[5 if c.pct == 100 else (c.pct - 50) // 10].append(c)
    out = []
    for (lo, hi), members in zip(FOLDED_BOUNDS, groups):
        g = _group(members)
        out.append(_make_bin(lo, hi, g.n, g.w, g.w_yes, g.n_yes, g.sp, g.w2, g.weighted))
    return tuple(out)


def murphy_from_totals(cells: list[PercentTotals], n_bins: int) -> Murphy | None:
    """Exact five-term decomposition over ``n_bins`` bins; None if no weight."""
    groups = [g for g in (_group(m) for m in _split(cells, n_bins)) if g.w > 0.0]
    total_w = math.fsum(g.w for g in groups)
    if total_w <= 0.0:
        return None
    base = math.fsum(g.w_yes for g in groups) / total_w
    rel, res, wbv, wbc = [], [], [], []
    for g in groups:
        fbar = g.sp / g.w
        obar = g.w_yes / g.w
        rel.append(g.w * (fbar - obar) ** 2)
        res.append(g.w * (obar - base) ** 2)
        # sum w (p - fbar)^2 = sum w p^2 - fbar * sum w p
        wbv.append(math.fsum((g.sq, -fbar * g.sp)))
        # sum w (p - fbar)(o - obar) = sum w p o - obar * sum w p
        wbc.append(math.fsum((g.sp_yes, -obar * g.sp)))
    within_var = math.fsum(wbv) / total_w
    return Murphy(
        reliability=math.fsum(rel) / total_w,
        resolution=math.fsum(res) / total_w,
        uncertainty=base * (1.0 - base),
        # a bin of identical forecasts can round to -1e-17: that is zero
        within_bin_variance=within_var if within_var > 0.0 else 0.0,
        within_bin_covariance=2.0 * math.fsum(wbc) / total_w,
    )
