"""Single-pass, bounded-memory scoring: :class:`ScoreAccumulator`.

The accumulator keeps, for each whole percent 0..100 and each outcome, the
count and compensated (Kahan) sums of w, w*p and w*p*p, plus two global
compensated sums, w*(p-o)^2 and w*log2(p_y).  That is 202 cells whatever
the number of forecasts, and every bin layout (10 bins, 20 bins, the folded
view) is a regrouping of the cells at :meth:`ScoreAccumulator.result` time.

Weights (for time-weighted scores) turn every mean into a weighted mean;
``n`` stays the number of forecasts added and ``sum_weights`` is shown next
to it.  Rows added with weight 1 are counted exactly as integers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.scoring.basic import (
    LOG_CLIP,
    Pair,
    check_clip,
    check_n_bins,
    check_outcome,
    check_probability,
)
from claimtrack.domain.scoring.calibration import (
    CalibrationBin,
    Murphy,
    PercentTotals,
    calibration_from_totals,
    folded_from_totals,
    murphy_from_totals,
)

_HALF = 0.5 + 1e-9  # see basic.to_percent
_CELLS = 202  # whole percents 0..100, times outcome 0/1
_INF = math.inf
_log2 = math.log2


@dataclass(frozen=True)
class ScoreSummary:
    """Scores of a set of forecasts.

    Scores are ``None`` when nothing (or only zero weight) was added.
    ``brier`` is on the 0-1 scale, ``brier_0_2`` on the 0-2 scale, and
    ``log_score_bits`` is the mean of log2(p_y) with p_y clipped to
    ``log_clip`` (<= 0, higher is better).  ``calibration`` lists every bin,
    empty ones included; ``folded`` is PredictionBook's folded view.
    """

    n: int
    brier: float | None
    brier_0_2: float | None
    log_score_bits: float | None
    murphy: Murphy | None
    calibration: tuple[CalibrationBin, ...]
    folded: tuple[CalibrationBin, ...]
    base_rate: float | None
    mean_forecast: float | None
    sum_weights: float = 0.0
    n_bins: int = 10
    log_clip: tuple[float, float] = LOG_CLIP

    @property
    def log_loss_bits(self) -> float | None:
        return None if self.log_score_bits is None else -self.log_score_bits


def _check_weight(weight: object) -> float:
    if isinstance(weight, (str, bytes)):
        raise InvalidInput(f"weight {weight!r} is not a number; give a finite number >= 0")
    try:
        w = float(weight)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidInput(f"weight {weight!r} is not a number; give a finite number >= 0") from None
    if not 0.0 <= w < _INF:
        raise InvalidInput(f"weight {weight!r} is invalid; give a finite number >= 0")
    return w


def _combine(s1: float, c1: float, s2: float, c2: float) -> tuple[float, float]:
    """Add two compensated sums (value = s + c) without losing the low parts."""
    total = math.fsum((s1, c1, s2, c2))
    return total, math.fsum((s1, c1, s2, c2, -total))


class ScoreAccumulator:
    """Streams (p, o[, weight]) in O(1) memory; see the module docstring."""

    __slots__ = ("n_bins", "log_clip", "_lo", "_hi", "_cnt", "_wcnt", "_w", "_wc",
                 "_w2", "_sp", "_spc", "_sq", "_sqc", "_bs", "_bsc", "_lg", "_lgc")

    def __init__(self, n_bins: int = 10, log_clip: tuple[float, float] = LOG_CLIP) -> None:
        self.n_bins = check_n_bins(n_bins)
        self.log_clip = check_clip(log_clip)
        self._lo, self._hi = self.log_clip
        self._cnt = [0] * _CELLS  # all rows
        self._wcnt = [0] * _CELLS  # rows whose weight was not 1
        self._w = [0.0] * _CELLS  # Kahan sum of those rows' weights ...
        self._wc = [0.0] * _CELLS  # ... and its compensation
        self._w2 = [0.0] * _CELLS  # sum of their squared weights
        self._sp = [0.0] * _CELLS  # Kahan sum of w*p
        self._spc = [0.0] * _CELLS
        self._sq = [0.0] * _CELLS  # Kahan sum of w*p*p
        self._sqc = [0.0] * _CELLS
        self._bs = self._bsc = 0.0  # Kahan sum of w*(p-o)^2
        self._lg = self._lgc = 0.0  # Kahan sum of w*log2(p_y)

    @property
    def n(self) -> int:
        return sum(self._cnt)

    def add(self, p: float, o: int, weight: float = 1.0) -> None:
        """Add one forecast: probability ``p`` in [0, 1], outcome 0 or 1."""
        try:
            if not 0.0 <= p <= 1.0:
                check_probability(p)  # raises with a message
            if o == 1:
                c = int(p * 100.0 + _HALF) * 2 + 1
                d = 1.0 - p
                py = p
            elif o == 0:
                c = int(p * 100.0 + _HALF) * 2
                d = p
                py = 1.0 - p
            else:
                check_outcome(o)  # raises
                return  # pragma: no cover
            if py < self._lo:
                py = self._lo
            elif py > self._hi:
                py = self._hi
            lg = _log2(py)
            bs = d * d
            if weight == 1.0:
                wp = p
            else:
                if weight.__class__ is not float or not 0.0 <= weight < _INF:
                    weight = _check_weight(weight)  # a float, or raises
                self._wcnt[c] += 1
                s, k = self._w, self._wc
                y = weight + k[c]
                old = s[c]
                t = old + y
                k[c] = y - (t - old)
                s[c] = t
                self._w2[c] += weight * weight
                wp = weight * p
                bs *= weight
                lg *= weight
        except TypeError:
            # not plain numbers (a Decimal, a numpy scalar, a string...): validate and retry
            return self.add(check_probability(p), check_outcome(o), _check_weight(weight))
        self._cnt[c] += 1
        s, k = self._sp, self._spc
        y = wp + k[c]
        old = s[c]
        t = old + y
        k[c] = y - (t - old)
        s[c] = t
        s, k = self._sq, self._sqc
        y = wp * p + k[c]
        old = s[c]
        t = old + y
        k[c] = y - (t - old)
        s[c] = t
        y = bs + self._bsc
        old = self._bs
        t = old + y
        self._bsc = y - (t - old)
        self._bs = t
        y = lg + self._lgc
        old = self._lg
        t = old + y
        self._lgc = y - (t - old)
        self._lg = t

    def add_many(self, pairs: Iterable[Pair]) -> ScoreAccumulator:
        """Add (p, o) or (p, o, weight) tuples; returns self."""
        add = self.add
        for row in pairs:
            add(*row)
        return self

    def merge(self, other: ScoreAccumulator) -> ScoreAccumulator:
        """A new accumulator holding both inputs' forecasts (for group-by)."""
        if not isinstance(other, ScoreAccumulator):
            raise InvalidInput(f"cannot merge {type(other).__name__} into a ScoreAccumulator; give a ScoreAccumulator")
        if (self.n_bins, self.log_clip) != (other.n_bins, other.log_clip):
            raise InvalidInput(
                f"cannot merge accumulators with n_bins/log clip {self.n_bins}/{self.log_clip} and "
                f"{other.n_bins}/{other.log_clip}; give accumulators built with the same settings"
            )
        out = ScoreAccumulator(self.n_bins, self.log_clip)
        for name in ("_cnt", "_wcnt"):
            setattr(out, name, [a + b for a, b in zip(getattr(self, name), getattr(other, name))])
        out._w2 = [math.fsum((a, b)) for a, b in zip(self._w2, other._w2)]
        for s_name, c_name in (("_w", "_wc"), ("_sp", "_spc"), ("_sq", "_sqc")):
            pairs = [
                _combine(s1, c1, s2, c2)
                for s1, c1, s2, c2 in zip(
                    getattr(self, s_name), getattr(self, c_name), getattr(other, s_name), getattr(other, c_name)
                )
            ]
            setattr(out, s_name, [s for s, _ in pairs])
            setattr(out, c_name, [c for _, c in pairs])
        out._bs, out._bsc = _combine(self._bs, self._bsc, other._bs, other._bsc)
        out._lg, out._lgc = _combine(self._lg, self._lgc, other._lg, other._lgc)
        return out

    def percent_totals(self) -> list[PercentTotals]:
        """Per-whole-percent sums (101 rows), for custom views and checks."""
        cells = []
        for pct in range(101):
            sums = []
            for c in (2 * pct, 2 * pct + 1):
                unit = self._cnt[c] - self._wcnt[c]
                sums.append(
                    (
                        self._cnt[c],
                        math.fsum((unit, self._w[c], self._wc[c])),
                        self._sp[c] + self._spc[c],
                        self._sq[c] + self._sqc[c],
                        unit + self._w2[c],
                        self._wcnt[c] > 0,
                    )
                )
            (n0, w0, sp0, sq0, w2_0, x0), (n1, w1, sp1, sq1, w2_1, x1) = sums
            cells.append(
                PercentTotals(
                    pct=pct,
                    n=n0 + n1,
                    n_yes=n1,
                    w=w0 + w1,
                    w_yes=w1,
                    sp=sp0 + sp1,
                    sp_yes=sp1,
                    sq=sq0 + sq1,
                    w2=w2_0 + w2_1,
                    weighted=x0 or x1,
                )
            )
        return cells

    def result(self) -> ScoreSummary:
        return summary_from_totals(self.percent_totals(), self._bs + self._bsc, self._lg + self._lgc,
                                   self.n_bins, self.log_clip)


def summary_from_totals(cells: list[PercentTotals], brier_sum: float, log_sum: float, n_bins: int,
                        log_clip: tuple[float, float]) -> ScoreSummary:
    """A ScoreSummary from per-percent totals and the weighted sums of the two scores."""
    n = sum(c.n for c in cells)
    total_w = math.fsum(c.w for c in cells)
    calibration = calibration_from_totals(cells, n_bins)
    folded = folded_from_totals(cells)
    if total_w <= 0.0:
        return ScoreSummary(n, None, None, None, None, calibration, folded, None, None,
                            total_w, n_bins, log_clip)
    bs = brier_sum / total_w
    return ScoreSummary(
        n=n,
        brier=bs,
        brier_0_2=2.0 * bs,
        log_score_bits=log_sum / total_w,
        murphy=murphy_from_totals(cells, n_bins),
        calibration=calibration,
        folded=folded,
        base_rate=math.fsum(c.w_yes for c in cells) / total_w,
        mean_forecast=math.fsum(c.sp for c in cells) / total_w,
        sum_weights=total_w,
        n_bins=n_bins,
        log_clip=log_clip,
    )


def score(pairs: Iterable[Pair], n_bins: int = 10, log_clip: tuple[float, float] = LOG_CLIP) -> ScoreSummary:
    """Score (p, o) or (p, o, weight) tuples in one pass."""
    return ScoreAccumulator(n_bins, log_clip).add_many(pairs).result()


def calibration_bins(pairs: Iterable[Pair], n_bins: int = 10, drop_empty: bool = False) -> list[CalibrationBin]:
    """Calibration bins of (p, o[, w]) tuples; ``drop_empty`` leaves out n == 0 bins."""
    bins = score(pairs, n_bins).calibration
    return [b for b in bins if not (drop_empty and b.is_empty)]


def folded_bins(pairs: Iterable[Pair], drop_empty: bool = False) -> list[CalibrationBin]:
    """PredictionBook's folded view of (p, o[, w]) tuples (see folded_from_totals)."""
    bins = score(pairs).folded
    return [b for b in bins if not (drop_empty and b.is_empty)]


def murphy(pairs: Iterable[Pair], n_bins: int = 10) -> Murphy | None:
    """Exact Murphy decomposition of (p, o[, w]) tuples over ``n_bins`` bins."""
    return score(pairs, n_bins).murphy
