"""Scores relative to the other forecasters on the same claims.

Only claims with at least two forecasters count.  Per forecaster:

* ``brier_vs_median``: mean over claims of (own Brier - median Brier of all
  forecasters on that claim, the forecaster included), 0-1 scale; negative
  is better than the typical forecaster.
* ``peer_score``: Metaculus' peer score, mean over claims of
  ``100 * (ln p_y - mean of ln p_y over the OTHER forecasters)``, with p_y
  clipped to the log clip.  Higher is better; on each claim the peer scores
  of all its forecasters sum to zero.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from claimtrack.domain.scoring.basic import (
    LOG_CLIP,
    check_clip,
    check_outcome,
    check_probability,
    p_actual,
)


@dataclass(frozen=True)
class RelativeScore:
    forecaster: str
    n_claims: int  # claims with >= 2 forecasters that this forecaster was on
    brier_vs_median: float
    peer_score: float


def claim_peer_scores(probs: Mapping[Any, float], outcome: int,
                      clip: tuple[float, float] = LOG_CLIP) -> dict[Any, float]:
    """Peer score of each forecaster on one claim (empty if fewer than two)."""
    clip = check_clip(clip)
    o = check_outcome(outcome)
    if len(probs) < 2:
        return {}
    logs = {name: math.log(p_actual(check_probability(p), o, clip)) for name, p in probs.items()}
    total = math.fsum(logs.values())
    others = len(logs) - 1
    return {name: 100.0 * (ln - math.fsum((total, -ln)) / others) for name, ln in logs.items()}


def relative_scores(claims: Iterable[tuple[Mapping[Any, float], int]],
                    clip: tuple[float, float] = LOG_CLIP) -> dict[Any, RelativeScore]:
    """Relative scores per forecaster, from ``({forecaster: p}, outcome)`` claims.

    Returns ``{forecaster: RelativeScore}`` sorted by forecaster; forecasters
    never on a claim with someone else are absent.
    """
    clip = check_clip(clip)
    diffs: dict[Any, list[float]] = {}
    peers: dict[Any, list[float]] = {}
    for probs, outcome in claims:
        if len(probs) < 2:
            continue
        o = check_outcome(outcome)
        briers = {name: (check_probability(p) - o) ** 2 for name, p in probs.items()}
        median = statistics.median(briers.values())
        for name, peer in claim_peer_scores(probs, o, clip).items():
            diffs.setdefault(name, []).append(briers[name] - median)
            peers.setdefault(name, []).append(peer)
    return {
        name: RelativeScore(
            forecaster=name,
            n_claims=len(diffs[name]),
            brier_vs_median=math.fsum(diffs[name]) / len(diffs[name]),
            peer_score=math.fsum(peers[name]) / len(peers[name]),
        )
        for name in sorted(diffs)
    }
