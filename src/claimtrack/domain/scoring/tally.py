"""Unit-weight scoring from counts: :class:`TallyAccumulator`.

A report's final forecasts take few distinct values (whole percents, a few
thousand at most), so instead of adding every forecast's terms one by one,
this accumulator counts how often each ``(p, outcome)`` pair occurs and
computes each pair's terms once, exactly as
:class:`~claimtrack.domain.scoring.accumulator.ScoreAccumulator` computes
them per forecast (``p``, ``p*p``, ``(p-o)^2`` and ``log2`` of the clipped
``p_y``).

Every total is the *correctly rounded* sum of the individual terms: each
term is a float, ``count * term`` is summed exactly as an integer multiple
of 2**-1074, and the total is divided back once (Python's int division
rounds correctly).  So the result does not depend on the order forecasts
arrive in, nor on how tallies were merged, and equals ``math.fsum`` over
every forecast's term.

Memory stays bounded whatever the number of distinct probabilities: past
:data:`FLUSH_AT` distinct pairs, the counts are folded into the exact sums.
"""

from __future__ import annotations

import math

from claimtrack.domain.scoring.accumulator import ScoreSummary, summary_from_totals
from claimtrack.domain.scoring.basic import LOG_CLIP, check_clip, check_n_bins, check_outcome, check_probability
from claimtrack.domain.scoring.calibration import PercentTotals

_HALF = 0.5 + 1e-9  # as basic.to_percent
_CELLS = 202  # whole percents 0..100, times outcome 0/1
_SCALE = 1074  # every finite float is an integer multiple of 2**-1074
_ONE = 1 << _SCALE
FLUSH_AT = 4096  # distinct (p, o) pairs held before folding them into the sums


def _exact(x: float) -> int:
    """``x * 2**1074`` as an exact integer."""
    num, den = x.as_integer_ratio()
    return num * (_ONE // den)


def _float(total: int) -> float:
    """The integer sum back to the nearest float."""
    return total / _ONE


class TallyAccumulator:
    """Counts ``(p, o)`` pairs; :meth:`result` gives the same ScoreSummary
    fields as ScoreAccumulator, from correctly rounded sums."""

    __slots__ = ("n_bins", "log_clip", "_counts", "_cnt", "_sp", "_sq", "_bs", "_lg")

    def __init__(self, n_bins: int = 10, log_clip: tuple[float, float] = LOG_CLIP) -> None:
        self.n_bins = check_n_bins(n_bins)
        self.log_clip = check_clip(log_clip)
        self._counts: dict[tuple[float, int], int] = {}
        self._cnt = [0] * _CELLS  # folded counts per cell
        self._sp = [0] * _CELLS  # exact sums of p, per cell (scaled by 2**1074)
        self._sq = [0] * _CELLS  # ... of p*p
        self._bs = 0  # exact sum of (p-o)^2
        self._lg = 0  # exact sum of log2(p_y)

    @property
    def n(self) -> int:
        return sum(self._cnt) + sum(self._counts.values())

    def add(self, p: float, o: int, count: int = 1) -> None:
        """Add ``count`` forecasts of probability ``p`` with outcome ``o`` (0 or 1)."""
        if p.__class__ is not float or not 0.0 <= p <= 1.0:
            p = check_probability(p)
        if o.__class__ is not int or (o != 0 and o != 1):
            o = check_outcome(o)
        if count.__class__ is not int or count < 0:
            from claimtrack.domain.errors import InvalidInput

            raise InvalidInput(f"count {count!r} is invalid; give a whole number >= 0")
        key = (p, o)
        counts = self._counts
        counts[key] = counts.get(key, 0) + count
        if len(counts) > FLUSH_AT:
            self._fold()

    def add_counts(self, counts) -> TallyAccumulator:
        """Add ``{(p, o): count}`` (or an iterable of such items); returns self."""
        items = counts.items() if hasattr(counts, "items") else counts
        for (p, o), k in items:
            self.add(p, o, k)
        return self

    def _fold(self) -> None:
        lo, hi = self.log_clip
        cnt, sp, sq = self._cnt, self._sp, self._sq
        bs = lg = 0
        for (p, o), k in self._counts.items():
            if not k:
                continue
            c = int(p * 100.0 + _HALF) * 2 + o
            d = 1.0 - p if o == 1 else p
            py = p if o == 1 else 1.0 - p
            py = lo if py < lo else hi if py > hi else py
            cnt[c] += k
            sp[c] += k * _exact(p)
            sq[c] += k * _exact(p * p)
            bs += k * _exact(d * d)
            lg += k * _exact(math.log2(py))
        self._bs += bs
        self._lg += lg
        self._counts = {}

    def merge(self, other: TallyAccumulator) -> TallyAccumulator:
        """A new accumulator holding both inputs' forecasts."""
        from claimtrack.domain.errors import InvalidInput

        if not isinstance(other, TallyAccumulator):
            raise InvalidInput(f"cannot merge {type(other).__name__} into a TallyAccumulator; give a TallyAccumulator")
        if (self.n_bins, self.log_clip) != (other.n_bins, other.log_clip):
            raise InvalidInput(
                f"cannot merge accumulators with n_bins/log clip {self.n_bins}/{self.log_clip} and "
                f"{other.n_bins}/{other.log_clip}; give accumulators built with the same settings"
            )
        self._fold()
        other._fold()
        out = TallyAccumulator(self.n_bins, self.log_clip)
        out._cnt = [a + b for a, b in zip(self._cnt, other._cnt)]
        out._sp = [a + b for a, b in zip(self._sp, other._sp)]
        out._sq = [a + b for a, b in zip(self._sq, other._sq)]
        out._bs = self._bs + other._bs
        out._lg = self._lg + other._lg
        return out

    def percent_totals(self) -> list[PercentTotals]:
        """Per-whole-percent sums (101 rows), each correctly rounded."""
        self._fold()
        cnt, sp, sq = self._cnt, self._sp, self._sq
        cells = []
        for pct in range(101):
            n0, n1 = cnt[2 * pct], cnt[2 * pct + 1]
            if not n0 and not n1:
                cells.append(PercentTotals(pct, 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, False))
                continue
            cells.append(PercentTotals(
                pct=pct, n=n0 + n1, n_yes=n1, w=float(n0 + n1), w_yes=float(n1),
                sp=_float(sp[2 * pct] + sp[2 * pct + 1]), sp_yes=_float(sp[2 * pct + 1]),
                sq=_float(sq[2 * pct] + sq[2 * pct + 1]), w2=float(n0 + n1), weighted=False,
            ))
        return cells

    def result(self) -> ScoreSummary:
        cells = self.percent_totals()
        return summary_from_totals(cells, _float(self._bs), _float(self._lg), self.n_bins, self.log_clip)
