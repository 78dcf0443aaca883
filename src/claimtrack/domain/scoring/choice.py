"""Scores of a multiple-choice forecast (K options, exactly one comes true).

A forecast is ``probs``: one probability per option, in option order,
summing to 1 (within :data:`SUM_TOLERANCE`).  ``realised`` is the index of
the option that happened.  Lower is better for Brier and RPS; the log score
is higher-is-better (at most 0), as for binary claims.

* **Multi-category Brier score** (Brier 1950's original form):
  ``BS = sum_k (p_k - o_k)^2`` with ``o_k = 1`` for the realised option and
  0 otherwise.  Range 0 (all on the right option) to 2 (all on a wrong
  one).  With K = 2 it is the binary claim's two-category score: exactly
  ``2 * (p - o)^2``, i.e. twice the 0-1 Brier score
  (:func:`claimtrack.domain.scoring.basic.brier`) and equal to
  :func:`~claimtrack.domain.scoring.basic.brier_0_2`.  This module uses
  the 0-2 scale only, and says so wherever it is shown.
* **Log score** in bits: ``log2 p_r``, the probability given to the
  realised option, clipped to :data:`~claimtrack.domain.scoring.basic.LOG_CLIP`
  ([0.001, 0.999]) exactly as binary claims are.  With K = 2 it is the
  binary log score of the same forecast.
* **Ranked probability score** for ordered options (Epstein 1969; Murphy
  1971): ``RPS = (1/(K-1)) sum_{k=1..K-1} (P_k - O_k)^2`` with ``P_k`` and
  ``O_k`` the cumulative sums of forecast and outcome over the first k
  options.  Normalised by K-1, so it runs from 0 to 1 whatever K is; with
  K = 2 it equals the 0-1 Brier score.  It rewards mass near the realised
  option; it is meaningless for unordered options, and None there.
* **One-vs-rest events** (:func:`one_vs_rest`): each option as a binary
  event "this option comes true" with the probability given to it, for a
  calibration table.  The K events of one question are not independent
  (exactly one of them happens), so reports show them apart from the
  binary claims' calibration and say so.

All three scores are strictly proper: the expected score under a true
distribution q is best when the forecast is q (tested with Hypothesis).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.scoring.basic import LOG_CLIP, check_clip, check_probability

SUM_TOLERANCE = 1e-6  # the parser normalises; stored forecasts sum to 1 up to rounding


def check_choice(probs: Sequence[float], realised: int | None = None) -> tuple[float, ...]:
    """The probabilities as floats, checked: at least 2, each 0-1, summing to 1."""
    if isinstance(probs, (str, bytes)):
        raise InvalidInput("a choice forecast is one probability per option, not text")
    values = tuple(check_probability(p) for p in probs)
    if len(values) < 2:
        raise InvalidInput(f"a choice forecast needs at least 2 options, got {len(values)}")
    total = math.fsum(values)
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise InvalidInput(f"choice probabilities add up to {total:.6g}, not 1: give a full distribution")
    if realised is not None and (isinstance(realised, bool) or not isinstance(realised, int)
                                 or not 0 <= realised < len(values)):
        raise InvalidInput(f"realised option {realised!r} is not one of the {len(values)} options (0-based index)")
    return values


def brier_multi(probs: Sequence[float], realised: int) -> float:
    """Multi-category Brier score ``sum_k (p_k - o_k)^2``, 0-2 scale (lower is better)."""
    p = check_choice(probs, realised)
    return math.fsum((pk - (1.0 if k == realised else 0.0)) ** 2 for k, pk in enumerate(p))


def log_score_choice_bits(probs: Sequence[float], realised: int,
                          clip: tuple[float, float] = LOG_CLIP) -> float:
    """``log2`` of the realised option's probability, clipped to ``clip`` (<= 0, higher is better)."""
    lo, hi = check_clip(clip)
    p = check_choice(probs, realised)[realised]
    return math.log2(lo if p < lo else hi if p > hi else p)


def rps(probs: Sequence[float], realised: int) -> float:
    """Ranked probability score normalised by K-1: 0 to 1, lower is better."""
    p = check_choice(probs, realised)
    k_options = len(p)
    terms = []
    cum = 0.0
    for k in range(k_options - 1):
        cum += p[k]
        outcome_cum = 1.0 if realised <= k else 0.0
        terms.append((cum - outcome_cum) ** 2)
    return math.fsum(terms) / (k_options - 1)


def one_vs_rest(probs: Sequence[float], realised: int) -> tuple[tuple[float, int], ...]:
    """``(p_k, o_k)`` for each option: the binary events of a calibration table."""
    p = check_choice(probs, realised)
    return tuple((min(1.0, max(0.0, pk)), 1 if k == realised else 0) for k, pk in enumerate(p))
