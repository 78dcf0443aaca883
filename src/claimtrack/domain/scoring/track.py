"""Track records of people: every forecaster and every source, from their
final forecasts on resolved claims.  Pure; the service feeds it rows.

Per person:

* calls: claims where the final forecast took a side (p != 0.5), and how many
  came true (p > 0.5 and yes, or p < 0.5 and no), with a Wilson interval;
* Brier (0-1) and log score (bits, clipped) over their scored forecasts, in
  all and split by kind (own, stated, implied, asserted, crowd);
* head-to-head against you on the claims you both forecast: their mean
  Brier, yours, and the mean paired difference (theirs - yours) with a 95%
  interval;
* the ranking score: the mean paired difference between their Brier and the
  median Brier of everyone on the same claim (claims with at least two
  people), with a 95% interval.  People are ranked by it, lower first, and
  only with at least :data:`MIN_RANKED` such claims.  A mean cannot grow
  better with volume, so many middling forecasts never outrank fewer,
  clearly better ones (which PredictionBook's ``Brier + 1/sqrt(n)`` does).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from claimtrack.domain.scoring.basic import LOG_CLIP, p_actual, wilson_interval

MIN_RANKED = 5  # shared claims before a person is ranked
RANK_RULE = (f"mean of (their Brier - the median Brier of everyone on the same claim) over claims with at least "
             f"two people, lower is better; unranked below {MIN_RANKED} such claims")

# two-sided 95% t critical values by degrees of freedom (1..30); 1.96 beyond
_T95 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
        2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
        2.045, 2.042)


@dataclass(frozen=True)
class MeanInterval:
    """A mean of n paired differences with its 95% t interval (None for n < 2)."""

    n: int
    mean: float
    low: float | None
    high: float | None


def mean_interval(values: list[float]) -> MeanInterval | None:
    n = len(values)
    if n == 0:
        return None
    mean = math.fsum(values) / n
    if n < 2:
        return MeanInterval(n, mean, None, None)
    sd = statistics.stdev(values)
    t = _T95[n - 2] if n - 1 <= len(_T95) else 1.96
    half = t * sd / math.sqrt(n)
    return MeanInterval(n, mean, mean - half, mean + half)


@dataclass(frozen=True)
class KindScore:
    kind: str
    n: int
    brier: float
    log_score: float  # bits, mean log2 of the probability given to what happened (<= 0)


@dataclass(frozen=True)
class HeadToHead:
    n: int  # claims both scored on
    their_brier: float
    your_brier: float
    difference: MeanInterval  # their Brier - yours, per claim; negative: they did better


@dataclass(frozen=True)
class TrackRecord:
    name: str
    is_you: bool
    n: int  # scored final forecasts (claims resolved yes/no)
    n_calls: int  # of those, ones that took a side (p != 0.5)
    n_right: int
    right_low: float
    right_high: float
    brier: float | None
    log_score: float | None
    by_kind: tuple[KindScore, ...]
    vs_you: HeadToHead | None
    vs_median: MeanInterval | None  # the ranking score
    rank: int | None  # 1 = best; None when unranked

    @property
    def right_rate(self) -> float | None:
        return self.n_right / self.n_calls if self.n_calls else None


def _log2(p: float, o: int) -> float:
    return math.log2(p_actual(p, o, LOG_CLIP))


def track_records(finals: Iterable[tuple[object, str, str, float, int]], you: str | None) -> list[TrackRecord]:
    """Records from final forecasts ``(claim, person, kind, p, outcome 0/1)``,
    one per claim and person.  ``you`` (matched without case) is marked and
    compared against.  Ranked people come first, best first; then the rest
    by number of scored forecasts."""
    you_key = you.casefold() if you else None
    per_claim: dict[object, dict[str, tuple[str, float, int]]] = {}
    for claim, person, kind, p, o in finals:
        per_claim.setdefault(claim, {})[person] = (kind, float(p), int(o))
    stats: dict[str, dict] = {}

    def entry(person: str) -> dict:
        return stats.setdefault(person, {"n": 0, "calls": 0, "right": 0, "brier": [], "log": [],
                                         "kinds": {}, "vs_you": [], "mine": [], "theirs": [], "vs_median": []})

    for claim, people in per_claim.items():
        briers = {person: (p - o) ** 2 for person, (_, p, o) in people.items()}
        median = statistics.median(briers.values()) if len(briers) > 1 else None
        your_brier = next((b for person, b in briers.items() if you_key and person.casefold() == you_key), None)
        for person, (kind, p, o) in people.items():
            e = entry(person)
            b, lg = briers[person], _log2(p, o)
            e["n"] += 1
            e["brier"].append(b)
            e["log"].append(lg)
            k = e["kinds"].setdefault(kind, ([], []))
            k[0].append(b)
            k[1].append(lg)
            if p != 0.5:
                e["calls"] += 1
                e["right"] += (p > 0.5) == (o == 1)
            if median is not None:
                e["vs_median"].append(b - median)
            if your_brier is not None and person.casefold() != you_key:
                e["theirs"].append(b)
                e["mine"].append(your_brier)
                e["vs_you"].append(b - your_brier)
    records = []
    for person, e in stats.items():
        n = e["n"]
        low, high = wilson_interval(e["right"], e["calls"])
        h2h = None
        if e["vs_you"]:
            m = len(e["vs_you"])
            h2h = HeadToHead(m, math.fsum(e["theirs"]) / m, math.fsum(e["mine"]) / m, mean_interval(e["vs_you"]))
        kinds = tuple(KindScore(kind, len(bs), math.fsum(bs) / len(bs), math.fsum(ls) / len(ls))
                      for kind, (bs, ls) in sorted(e["kinds"].items()))
        records.append(TrackRecord(
            name=person, is_you=bool(you_key) and person.casefold() == you_key, n=n,
            n_calls=e["calls"], n_right=e["right"], right_low=low, right_high=high,
            brier=math.fsum(e["brier"]) / n if n else None, log_score=math.fsum(e["log"]) / n if n else None,
            by_kind=kinds, vs_you=h2h, vs_median=mean_interval(e["vs_median"]), rank=None,
        ))
    ranked = sorted((r for r in records if r.vs_median is not None and r.vs_median.n >= MIN_RANKED),
                    key=lambda r: (r.vs_median.mean, -r.vs_median.n, r.name))
    order = {r.name: i + 1 for i, r in enumerate(ranked)}
    from dataclasses import replace

    records = [replace(r, rank=order.get(r.name)) for r in records]
    records.sort(key=lambda r: (r.rank is None, r.rank or 0, -r.n, r.name.casefold()))
    return records
