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

    __slots__ = ("clip", "_n", "_diff", "_peer")

    def __init__(self, clip: tuple[float, float] = LOG_CLIP) -> None:
        self.clip = check_clip(clip)
        self._n: dict[Any, int] = {}
        self._diff: dict[Any, float] = {}
        self._peer: dict[Any, float] = {}

    def add_claim(self, probs: Mapping[Any, float], outcome: int) -> None:
        n = len(probs)
        if n < 2:
            return
        o = check_outcome(outcome)
        lo, hi = self.clip
        count, diff, peer = self._n, self._diff, self._peer
        if n == 2:  # the common case, in closed form: median = mean, others = the one other
            (a, pa), (b, pb) = probs.items()
            pa, pb = (x if x.__class__ is float and 0.0 <= x <= 1.0 else check_probability(x) for x in (pa, pb))
            ya, yb = (pa, pb) if o == 1 else (1.0 - pa, 1.0 - pb)
            half = ((pa - o) ** 2 - (pb - o) ** 2) / 2.0
            gap = 100.0 * (math.log(lo if ya < lo else hi if ya > hi else ya)
                           - math.log(lo if yb < lo else hi if yb > hi else yb))
            for name, d, g in ((a, half, gap), (b, -half, -gap)):
                count[name] = count.get(name, 0) + 1
                diff[name] = diff.get(name, 0.0) + d
                peer[name] = peer.get(name, 0.0) + g
            return
        names, briers, logs = [], [], []
        log = math.log
        for name, p in probs.items():
            if p.__class__ is not float or not 0.0 <= p <= 1.0:
                p = check_probability(p)
            py = p if o == 1 else 1.0 - p
            names.append(name)
            logs.append(log(lo if py < lo else hi if py > hi else py))
            briers.append((p - o) ** 2)
        # as peer.relative_scores: the median Brier of all forecasters on the
        # claim (statistics.median: the middle one, or the mean of the middle
        # two), and peer.claim_peer_scores: own ln p_y minus the others' mean
        ranked = sorted(briers)
        half = n // 2
        median = ranked[half] if n % 2 else (ranked[half - 1] + ranked[half]) / 2
        total = math.fsum(logs)
        others = n - 1
        fsum = math.fsum
        for name, b, ln in zip(names, briers, logs):
            count[name] = count.get(name, 0) + 1
            diff[name] = diff.get(name, 0.0) + (b - median)
            peer[name] = peer.get(name, 0.0) + 100.0 * (ln - fsum((total, -ln)) / others)

    def result(self) -> dict[Any, RelativeScore]:
        return {
            name: RelativeScore(
                forecaster=name,
                n_claims=self._n[name],
                brier_vs_median=self._diff[name] / self._n[name],
                peer_score=self._peer[name] / self._n[name],
            )
            for name in sorted(self._n)
        }

