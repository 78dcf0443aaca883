"""Pieces of the selection and comparison rules shaped for one streaming pass.

Reports read a claim's forecasts from the database already sorted (by
forecaster, then time, then recording order) and must keep each forecast's
own flags (backfilled or not) next to its weight.  These helpers apply the
same rules as :mod:`.selection` and :mod:`.peer` (the tests check that they
agree) without holding more than one claim at a time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from claimtrack.domain.scoring.basic import LOG_CLIP, check_clip, check_outcome, check_probability
from claimtrack.domain.scoring.peer import RelativeScore


def time_weights(made_ats: Sequence[datetime], resolved_at: datetime) -> list[float]:
    """Weights of ONE forecaster's forecasts on one claim (see :func:`.selection.time_weighted`).

    ``made_ats`` must be sorted (ties in recording order) and none may be
    after ``resolved_at``.  Each forecast weighs the time it stood (until the
    next one or the resolution) over the time from the first forecast to the
    resolution; the weights sum to 1.  A forecast replaced at the same
    instant weighs 0.  When the first forecast is at the resolution instant
    the last forecast gets weight 1.
    """
    n = len(made_ats)
    if n == 0:
        return []
    span = resolved_at - made_ats[0]
    if not span:
        return [0.0] * (n - 1) + [1.0]
    out = []
    for i, made_at in enumerate(made_ats):
        until = made_ats[i + 1] if i + 1 < n else resolved_at
        out.append((until - made_at) / span)
    return out


class RelativeAccumulator:
    """:func:`.peer.relative_scores`, one claim at a time, in O(forecasters) memory.

    Feed ``add_claim({forecaster: p}, outcome)`` for every scored claim;
    claims with fewer than two forecasters are ignored, as there.
    """

    __slots__ = ("clip", "_sums", "_terms")

    def __init__(self, clip: tuple[float, float] = LOG_CLIP) -> None:
        self.clip = check_clip(clip)
        self._sums: dict[Any, list] = {}  # forecaster -> [claims, sum of Brier - median, sum of peer terms]
        self._terms: dict[tuple[float, int], tuple[float, float]] = {}  # (p, o) -> ((p - o)^2, ln p_y clipped)

    def _term(self, p: float, o: int) -> tuple[float, float]:
        if p.__class__ is not float or not 0.0 <= p <= 1.0:
            p = check_probability(p)
        lo, hi = self.clip
        py = p if o == 1 else 1.0 - p
        term = ((p - o) ** 2, math.log(lo if py < lo else hi if py > hi else py))
        if len(self._terms) < 100_000:  # (few distinct probabilities in practice; bounded anyway)
            self._terms[(p, o)] = term
        return term

    def _of(self, name) -> list:
        acc = self._sums.get(name)
        if acc is None:
            acc = self._sums[name] = [0, 0.0, 0.0]
        return acc

    def add_claim(self, probs: Mapping[Any, float], outcome: int) -> None:
        n = len(probs)
        if n < 2:
            return
        o = outcome if outcome.__class__ is int and (outcome == 0 or outcome == 1) else check_outcome(outcome)
        terms = self._terms
        if n == 2:  # the common case, in closed form: median = mean, others = the one other
            (a, pa), (b, pb) = probs.items()
            ba, la = terms.get((pa, o)) or self._term(pa, o)
            bb, lb = terms.get((pb, o)) or self._term(pb, o)
            half = (ba - bb) / 2.0
            gap = 100.0 * (la - lb)
            for name, d, g in ((a, half, gap), (b, -half, -gap)):
                acc = self._of(name)
                acc[0] += 1
                acc[1] += d
                acc[2] += g
            return
        names, briers, logs = [], [], []
        for name, p in probs.items():
            b, ln = terms.get((p, o)) or self._term(p, o)
            names.append(name)
            briers.append(b)
            logs.append(ln)
        # as peer.relative_scores: the median Brier of all forecasters on the
        # claim (statistics.median: the middle one, or the mean of the middle
        # two), and peer.claim_peer_scores: own ln p_y minus the others' mean
        ranked = sorted(briers)
        half = n // 2
        median = ranked[half] if n % 2 else (ranked[half - 1] + ranked[half]) / 2
        total = math.fsum(logs)
        others = n - 1
        fsum = math.fsum
        of = self._of
        for name, b, ln in zip(names, briers, logs):
            acc = of(name)
            acc[0] += 1
            acc[1] += b - median
            acc[2] += 100.0 * (ln - fsum((total, -ln)) / others)

    def result(self) -> dict[Any, RelativeScore]:
        return {
            name: RelativeScore(
                forecaster=name,
                n_claims=self._sums[name][0],
                brier_vs_median=self._sums[name][1] / self._sums[name][0],
                peer_score=self._sums[name][2] / self._sums[name][0],
            )
            for name in sorted(self._sums)
        }

