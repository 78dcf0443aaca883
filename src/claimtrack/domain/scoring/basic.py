"""Per-forecast scoring rules, the Wilson interval and integer-percent binning.

Conventions used across :mod:`claimtrack.domain.scoring`:

* ``p`` is the probability that the claim is true, ``o`` the outcome
  (1 happened, 0 did not).  ``p_y`` is the probability given to what actually
  happened: ``p`` when ``o == 1`` and ``1 - p`` otherwise.
* Brier score is on the 0-1 scale (scikit-learn, PredictionBook);
  ``brier_0_2`` is the two-category form (Brier 1950, GJP, Fatebook), 2x larger.
* The log score is ``log2(p_y)`` in bits: at most 0, higher is better.  The
  loss is its negative.  ``p_y`` is clipped to :data:`LOG_CLIP`, so the worst
  possible score is ``log2(0.001)``, about -9.966 bits (Metaculus' limits).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from claimtrack.domain.errors import InvalidInput

LOG_CLIP: tuple[float, float] = (0.001, 0.999)
WILSON_Z95 = 1.959963984540054

# Added before flooring p*100 + 0.5 so that float noise cannot push an exact
# half-percent (0.145 * 100 == 14.499999999999998) below the half.  p*100 is
# off by at most a few 1e-14, so 1e-9 percent is ample and moves nothing else.
_PERCENT_GUARD = 1e-9

Pair = tuple[float, int]


# ------------------------------------------------------------- validation


def check_probability(p: float) -> float:
    """Return ``p`` as a float or raise :class:`InvalidInput` (also for NaN)."""
    if isinstance(p, (str, bytes)):
        raise InvalidInput(f"probability {p!r} is not a number; give a number from 0 to 1")
    try:
        value = float(p)
    except (TypeError, ValueError):
        raise InvalidInput(f"probability {p!r} is not a number; give a number from 0 to 1") from None
    if not 0.0 <= value <= 1.0:
        raise InvalidInput(f"probability {p!r} is outside 0-1; give a number from 0 to 1")
    return value


def check_outcome(o: object) -> int:
    """Return the outcome as 0 or 1 (accepts bools and 0.0/1.0)."""
    if o == 1:
        return 1
    if o == 0:
        return 0
    raise InvalidInput(f"outcome {o!r} is not scorable; give 1 (happened) or 0 (did not)")


def check_clip(clip: tuple[float, float]) -> tuple[float, float]:
    try:
        lo, hi = (float(x) for x in clip)
    except (TypeError, ValueError):
        raise InvalidInput(f"log clip {clip!r} is not a pair of numbers; give (lo, hi) with 0 < lo < hi < 1") from None
    if not 0.0 < lo < hi < 1.0:
        raise InvalidInput(f"log clip {clip!r} is invalid; give (lo, hi) with 0 < lo < hi < 1")
    return lo, hi


def check_n_bins(n_bins: int) -> int:
    if isinstance(n_bins, bool) or not isinstance(n_bins, int) or n_bins < 1 or 100 % n_bins:
        raise InvalidInput(f"n_bins {n_bins!r} does not divide 100; give one of 1, 2, 4, 5, 10, 20, 25, 50, 100")
    return n_bins


def _pairs(pairs: Iterable[Pair]) -> list[tuple[float, int]]:
    checked = [(check_probability(p), check_outcome(o)) for p, o in pairs]
    if not checked:
        raise InvalidInput("no forecasts to score; give at least one (probability, outcome) pair")
    return checked


def p_actual(p: float, o: int, clip: tuple[float, float] | None = None) -> float:
    """Probability given to what happened, optionally clipped to ``clip``."""
    py = p if o == 1 else 1.0 - p
    if clip is not None:
        lo, hi = clip
        py = lo if py < lo else hi if py > hi else py
    return py


# ---------------------------------------------------------- scoring rules


def brier(pairs: Iterable[Pair]) -> float:
    """Mean squared error of the forecasts, 0-1 scale (lower is better)."""
    checked = _pairs(pairs)
    return math.fsum((p - o) ** 2 for p, o in checked) / len(checked)


def brier_0_2(pairs: Iterable[Pair]) -> float:
    """Two-category Brier score (0-2 scale): exactly ``2 * brier``."""
    return 2.0 * brier(pairs)


def log_score_bits(pairs: Iterable[Pair], clip: tuple[float, float] = LOG_CLIP) -> float:
    """Mean of ``log2(p_y)`` with ``p_y`` clipped to ``clip``: <= 0, higher is better."""
    clip = check_clip(clip)
    checked = _pairs(pairs)
    return math.fsum(math.log2(p_actual(p, o, clip)) for p, o in checked) / len(checked)


def log_loss_bits(pairs: Iterable[Pair], clip: tuple[float, float] = LOG_CLIP) -> float:
    """Mean of ``-log2(p_y)`` (clipped): >= 0, lower is better."""
    return -log_score_bits(pairs, clip)


def metaculus_baseline(p: float, o: int, clip: tuple[float, float] = LOG_CLIP) -> float:
    """Metaculus baseline score ``100 * (log2 p_y + 1)``; 0.5 scores 0."""
    py = p_actual(check_probability(p), check_outcome(o), check_clip(clip))
    return 100.0 * (math.log2(py) + 1.0)


# --------------------------------------------------------- Wilson interval


def wilson_interval(k: float, n: float, z: float = WILSON_Z95) -> tuple[float, float]:
    """Wilson (1927) score interval for ``k`` successes in ``n`` trials.

    ``n == 0`` gives ``(0.0, 1.0)``.  Non-integer ``k``/``n`` are accepted
    (weighted bins pass an effective sample size).  The bounds are clamped
    to [0, 1] against rounding, and are exactly 0 / 1 when k is 0 / n.
    """
    if n < 0 or k < 0 or k > n:
        raise InvalidInput(f"Wilson interval needs 0 <= k <= n, got k={k!r}, n={n!r}")
    if n == 0:
        return 0.0, 1.0
    phat = k / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (phat + z2 / (2.0 * n)) / denom
    half = z / denom * math.sqrt(phat * (1.0 - phat) / n + z2 / (4.0 * n * n))
    lo = 0.0 if k == 0 else max(0.0, centre - half)
    hi = 1.0 if k == n else min(1.0, centre + half)
    return lo, hi


# ------------------------------------------------------- integer percents


def to_percent(p: float) -> int:
    """Whole percent of ``p``: ``floor(p*100 + 0.5)``, halves round up.

    Python's ``round`` (half to even) is not used: 12.5% becomes 13%, not 12%.
    A 1e-9 guard stops float noise (0.145*100 = 14.499999999999998) from
    rounding a written half-percent down.
    """
    return int(check_probability(p) * 100.0 + (0.5 + _PERCENT_GUARD))


def bin_of_percent(pct: int, n_bins: int = 10) -> int:
    """Bin of a whole percent; bins are closed on the right, 0% joins the first."""
    width = 100 // n_bins
    return 0 if pct <= 0 else (pct - 1) // width


def bin_index(p: float, n_bins: int = 10) -> int:
    """Calibration bin of ``p`` among ``n_bins`` equal bins (n_bins divides 100).

    The bin is chosen on the whole percent (:func:`to_percent`), never on
    float edges.  With 10 bins: [0,10], (10,20], ..., (90,100] percent, so
    0% and 10% are in bin 0, 15% in bin 1, 35% in bin 3 and 100% in bin 9.
    This matches scikit-learn's ``calibration_curve(strategy="uniform")`` for
    every probability written as a whole percent; it differs (by design)
    for values within half a percent above an edge (10.4% is 10%, bin 0)
    and for float noise above an edge (1.1 - 1 = 0.10000000000000009 is 10%).
    """
    return bin_of_percent(to_percent(p), check_n_bins(n_bins))


def bin_bounds(n_bins: int = 10) -> list[tuple[float, float]]:
    """``(lo, hi)`` of each bin as fractions, e.g. (0.1, 0.2) for (10%, 20%]."""
    width = 100 // check_n_bins(n_bins)
    return [(i * width / 100.0, (i + 1) * width / 100.0) for i in range(n_bins)]
