"""A small-footprint accumulator for reports that score many groups at once.

:class:`~claimtrack.domain.scoring.accumulator.ScoreAccumulator` keeps
compensated sums as Python floats, about 50 KB once its cells are in use.
A report grouped by forecaster over a ledger with thousands of forecasters
needs one accumulator per group, so :class:`CompactAccumulator` keeps the
same per-percent cells in flat ``array`` buffers (about 10 KB, no objects
per cell) and plain sums.  Its results equal the exact accumulator's to
rounding (the tests check 1e-12); reports use it for groups and periods and
the exact one for the overall figures.

Everything else (bins, folded view, Murphy terms) comes from
:mod:`claimtrack.domain.scoring.calibration`, so the rules live in one place.
"""

from __future__ import annotations

import math
from array import array

from claimtrack.domain.scoring.accumulator import ScoreSummary, summary_from_totals
from claimtrack.domain.scoring.basic import (
    LOG_CLIP,
    check_clip,
    check_n_bins,
    check_outcome,
    check_probability,
)
from claimtrack.domain.scoring.calibration import PercentTotals

_HALF = 0.5 + 1e-9  # as basic.to_percent
_CELLS = 202  # whole percents 0..100, times outcome 0/1
_log2 = math.log2


def _zeros(code: str) -> array:
    return array(code, bytes(8 * _CELLS))


class CompactAccumulator:
    """Streams ``(p, o[, weight])``; :meth:`result` gives a ScoreSummary."""

    __slots__ = ("n_bins", "log_clip", "_lo", "_hi", "_cnt", "_wcnt", "_w", "_w2",
                 "_sp", "_sq", "_bs", "_lg")

    def __init__(self, n_bins: int = 10, log_clip: tuple[float, float] = LOG_CLIP) -> None:
        self.n_bins = check_n_bins(n_bins)
        self.log_clip = check_clip(log_clip)
        self._lo, self._hi = self.log_clip
        self._cnt = _zeros("q")  # all rows
        self._wcnt = _zeros("q")  # rows whose weight was not 1
        self._w = _zeros("d")  # sum of those rows' weights
        self._w2 = _zeros("d")  # ... and of their squares
        self._sp = _zeros("d")  # sum of w*p
        self._sq = _zeros("d")  # sum of w*p*p
        self._bs = 0.0  # sum of w*(p-o)^2
        self._lg = 0.0  # sum of w*log2(p_y)

    @property
    def n(self) -> int:
        return sum(self._cnt)

    def add(self, p: float, o: int, weight: float = 1.0) -> None:
        if p.__class__ is not float or not 0.0 <= p <= 1.0:
            p = check_probability(p)
        if o != 0 and o != 1:
            o = check_outcome(o)
        c = int(p * 100.0 + _HALF) * 2 + (1 if o == 1 else 0)
        py = p if o == 1 else 1.0 - p
        py = self._lo if py < self._lo else self._hi if py > self._hi else py
        d = p - o
        if weight == 1.0:
            self._sp[c] += p
            self._sq[c] += p * p
            self._bs += d * d
            self._lg += _log2(py)
        else:
            weight = float(weight)
            if not 0.0 <= weight < math.inf:
                from claimtrack.domain.errors import InvalidInput

                raise InvalidInput(f"weight {weight!r} is invalid; give a finite number >= 0")
            self._wcnt[c] += 1
            self._w[c] += weight
            self._w2[c] += weight * weight
            self._sp[c] += weight * p
            self._sq[c] += weight * p * p
            self._bs += weight * d * d
            self._lg += weight * _log2(py)
        self._cnt[c] += 1

    def percent_totals(self) -> list[PercentTotals]:
        cells = []
        for pct in range(101):
            n0, n1 = self._cnt[2 * pct], self._cnt[2 * pct + 1]
            unit0 = n0 - self._wcnt[2 * pct]
            unit1 = n1 - self._wcnt[2 * pct + 1]
            w0 = unit0 + self._w[2 * pct]
            w1 = unit1 + self._w[2 * pct + 1]
            cells.append(PercentTotals(
                pct=pct, n=n0 + n1, n_yes=n1, w=w0 + w1, w_yes=w1,
                sp=self._sp[2 * pct] + self._sp[2 * pct + 1], sp_yes=self._sp[2 * pct + 1],
                sq=self._sq[2 * pct] + self._sq[2 * pct + 1],
                w2=unit0 + unit1 + self._w2[2 * pct] + self._w2[2 * pct + 1],
                weighted=(self._wcnt[2 * pct] + self._wcnt[2 * pct + 1]) > 0,
            ))
        return cells

    def result(self) -> ScoreSummary:
        return summary_from_totals(self.percent_totals(), self._bs, self._lg, self.n_bins, self.log_clip)
