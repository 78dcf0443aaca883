"""The report's section per question kind: choice questions and quantities.

Pure (standard library only).  The report service hands in one
:class:`ChoiceItem` / :class:`QuantityItem` per forecaster's final forecast on
a resolved claim (the binary report's selection rules); :func:`build_by_kind`
scores them and returns a :class:`ByKind` that every renderer reads and whose
:meth:`ByKind.to_json` is the JSON report's ``by_kind`` value
(docs/report-json.md documents each key).

What is aggregated, and why (see :data:`NOTES`):

* **Choice questions.**  The multi-category Brier score (0-2), the log score
  (bits) and the RPS (0-1, ordered questions only) are on probability scales
  that do not depend on the question, so their plain means are shown, with n.
  The one-vs-rest option events get their own calibration table; they are not
  mixed into the binary claims' calibration.
* **Quantities.**  Pinball, interval, WIS and CRPS carry the quantity's unit
  (parameters, dollars, days), so they are shown per claim and never averaged
  across claims.  The scale-free aggregates are:

  - **relative WIS against your own first forecast**: on each claim where the
    forecaster made an earlier quantile set, ``WIS(final) / WIS(first)``
    (below 1: the updates helped); aggregated by the geometric mean of the
    ratios, the usual mean for ratios (the COVID-19 Forecast Hub's relative
    WIS does the same), with the skill ``1 - geometric mean``.  Where either
    set has no WIS (neither a median nor a central interval) both use the
    CRPS approximation instead.  Ratios with a zero WIS are undefined and
    counted apart;
  - **mean log10 WIS** over log-scale claims, in orders of magnitude: the
    same unit whatever the quantity;
  - **coverage** of the 50/80/90% central intervals and the PIT histogram.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.scoring import choice as ch
from claimtrack.domain.scoring import quantity as qt
from claimtrack.domain.scoring.accumulator import ScoreSummary, score
from claimtrack.domain.scoring.basic import LOG_CLIP, wilson_interval

NOTES: dict[str, str] = {
    "brier": "multi-category Brier score: sum over the options of (p - o)^2, 0-2 scale (lower is better); "
             "a 2-option question scores as the binary claim's 0-2 Brier",
    "log_score": f"log score: log2 of the probability given to the option that happened, in bits "
                 f"(<= 0, higher is better), clipped to [{LOG_CLIP[0]}, {LOG_CLIP[1]}]",
    "rps": "ranked probability score, ordered questions only: mean over the K-1 cut points of the squared "
           "difference of cumulative forecast and outcome, 0-1 (lower is better)",
    "option_events": "each option as a yes/no event (this option happened): the events of one question are not "
                     "independent (exactly one happens), so they are shown apart from the binary calibration",
    "quantity_scores": "pinball, interval score, WIS and CRPS are in the quantity's unit (days for dates; lower "
                       "is better) and are never averaged across claims",
    "crps": "CRPS is approximated as twice the mean pinball loss over the given quantile levels: an "
            "approximation, coarse with few levels",
    "wis": "weighted interval score (Bracher et al. 2021): (|y - m|/2 + sum of alpha/2 x interval score) / "
           "(K + 1/2) over the median m and the K central intervals",
    "log10": "log-scale quantities are also scored on log10 of the values, in orders of magnitude",
    "relative_wis": "relative WIS: WIS of the final forecast divided by WIS of the forecaster's first forecast "
                    "on the same claim, combined by geometric mean (below 1: the updates helped); "
                    "skill = 1 - relative WIS",
    "coverage": "coverage: how often the truth fell inside the central 50/80/90% intervals, with a 95% Wilson "
                "interval; 'too narrow' when that interval lies below the nominal rate, 'too wide' when above",
    "pit": "where each outcome fell between the quantiles, against the share expected there; a truth exactly "
           "on a quantile counts half on each side",
}

YOU, OTHERS, ALL = "you", "everyone else", "all"
_POSSESSIVE = {YOU: "your", OTHERS: "everyone else's", ALL: "the"}


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True)
class ChoiceItem:
    """One forecaster's final forecast on one resolved choice question."""

    claim_id: int
    statement: str
    forecaster: str
    mine: bool
    options: tuple[str, ...]
    probs: tuple[float, ...]  # one per option, sums to 1
    realised: int  # index of the option that happened
    ordered: bool


@dataclass(frozen=True)
class QuantityItem:
    """One forecaster's final quantile set on one resolved numeric/date claim."""

    claim_id: int
    statement: str
    forecaster: str
    mine: bool
    quantiles: tuple[tuple[float, float], ...]  # (level, value), increasing in both
    truth: float
    is_date: bool  # values are day numbers (days since 1970-01-01)
    log_scale: bool
    unit: str | None
    earlier: tuple[tuple[tuple[float, float], ...], ...] = ()  # earlier quantile sets, oldest first


# --------------------------------------------------------------- outputs


@dataclass(frozen=True)
class ChoiceScore:
    item: ChoiceItem
    brier: float  # 0-2
    log_score_bits: float
    rps: float | None  # ordered questions only


@dataclass(frozen=True)
class ChoiceAggregate:
    label: str  # "you", "everyone else" or "all"
    n: int
    brier: float | None
    log_score_bits: float | None
    n_ordered: int
    rps: float | None


@dataclass(frozen=True)
class ChoiceSection:
    questions: tuple[ChoiceScore, ...]
    aggregates: tuple[ChoiceAggregate, ...]
    option_events: ScoreSummary  # one-vs-rest binary events, scored like binary forecasts


@dataclass(frozen=True)
class IntervalResult:
    nominal: float  # 0.8 for the 10%-90% interval
    lo: float
    hi: float
    score: float
    covered: bool


@dataclass(frozen=True)
class QuantityScore:
    item: QuantityItem
    pinball: tuple[tuple[float, float], ...]  # (level, loss)
    intervals: tuple[IntervalResult, ...]  # widest first
    wis: float | None
    crps_approx: float
    log10_wis: float | None  # log-scale claims only
    log10_crps_approx: float | None
    pit: tuple[float, ...]  # share of the outcome in each inter-quantile bin
    reference_score: float | None  # the same score of the forecaster's first set on the claim
    relative_score: float | None  # final / reference (WIS, or CRPS approx where WIS is missing)


@dataclass(frozen=True)
class QuantityAggregate:
    label: str
    n: int
    n_relative: int  # claims with an earlier forecast and a defined ratio
    n_relative_undefined: int  # ... where a zero score left the ratio undefined
    relative_wis: float | None  # geometric mean of the ratios
    n_log10: int
    mean_log10_wis: float | None

    @property
    def skill(self) -> float | None:
        return None if self.relative_wis is None else 1.0 - self.relative_wis


@dataclass(frozen=True)
class CoverageRow:
    label: str  # "you", "everyone else" or "all"
    nominal: float
    n: int
    hits: int
    ci_low: float
    ci_high: float
    verdict: str  # "too narrow", "too wide", "about right"

    @property
    def rate(self) -> float:
        return self.hits / self.n

    @property
    def words(self) -> str:
        times = "time" if self.n == 1 else "times"
        return (f"{_POSSESSIVE.get(self.label, self.label)} {round(self.nominal * 100)}% intervals held "
                f"{self.hits} of {self.n} {times}: {self.verdict}")


@dataclass(frozen=True)
class PitHistogram:
    levels: tuple[float, ...]  # the quantile levels these outcomes were forecast at
    n: int
    counts: tuple[float, ...]  # outcomes per inter-quantile bin (n + 1 bins; halves on ties)
    expected: tuple[float, ...]  # n times each bin's expected mass


@dataclass(frozen=True)
class QuantitySection:
    claims: tuple[QuantityScore, ...]
    aggregates: tuple[QuantityAggregate, ...]
    coverage: tuple[CoverageRow, ...]
    pit: tuple[PitHistogram, ...]


@dataclass(frozen=True)
class ByKind:
    choice: ChoiceSection | None = None
    quantity: QuantitySection | None = None

    @property
    def is_empty(self) -> bool:
        return self.choice is None and self.quantity is None

    def to_json(self) -> dict:
        """The JSON report's ``by_kind`` value (docs/report-json.md); see :mod:`.by_kind_json`."""
        from claimtrack.domain.scoring.by_kind_json import by_kind_json

        return by_kind_json(self)


# ---------------------------------------------------------------- scoring


def _mean(values: list[float]) -> float | None:
    return qt._sum(values) / len(values) if values else None


def _groups(items: list) -> list[tuple[str, list]]:
    """("you", yours), ("everyone else", theirs), and ("all", both) when both exist."""
    mine = [x for x in items if x.item.mine]
    theirs = [x for x in items if not x.item.mine]
    out = [(label, xs) for label, xs in ((YOU, mine), (OTHERS, theirs)) if xs]
    if mine and theirs:
        out.append((ALL, items))
    return out


def score_choice(item: ChoiceItem) -> ChoiceScore:
    if len(item.options) != len(item.probs):
        raise InvalidInput(f"claim {item.claim_id}: {len(item.probs)} probabilities for {len(item.options)} options")
    return ChoiceScore(
        item=item,
        brier=ch.brier_multi(item.probs, item.realised),
        log_score_bits=ch.log_score_choice_bits(item.probs, item.realised),
        rps=ch.rps(item.probs, item.realised) if item.ordered else None,
    )


def _choice_section(items: list[ChoiceItem]) -> ChoiceSection | None:
    if not items:
        return None
    scored = sorted((score_choice(i) for i in items),
                    key=lambda s: (s.item.claim_id, not s.item.mine, s.item.forecaster))
    aggregates = []
    for label, xs in _groups(scored):
        ordered = [x.rps for x in xs if x.rps is not None]
        aggregates.append(ChoiceAggregate(label, len(xs), _mean([x.brier for x in xs]),
                                          _mean([x.log_score_bits for x in xs]), len(ordered), _mean(ordered)))
    events = score(pair for s in scored for pair in ch.one_vs_rest(s.item.probs, s.item.realised))
    return ChoiceSection(tuple(scored), tuple(aggregates), events)


def _comparable(quantiles, y: float) -> tuple[float | None, str]:
    w = qt.wis(quantiles, y)
    return (w, "wis") if w is not None else (qt.crps_approx(quantiles, y), "crps")


def score_quantity(item: QuantityItem) -> QuantityScore:
    qs, y = qt.check_quantiles(item.quantiles), qt.check_truth(item.truth)
    intervals = tuple(IntervalResult(nominal, lo, hi, s, lo <= y <= hi)
                      for nominal, lo, hi, s in qt.interval_scores(qs, y))
    log_wis = log_crps = None
    if item.log_scale:
        logged = qt.log10_quantiles(qs, y)
        if logged is not None:
            log_wis, log_crps = qt.wis(*logged), qt.crps_approx(*logged)
    final_wis = qt.wis(qs, y)
    reference = relative = None
    if item.earlier:
        first = qt.check_quantiles(item.earlier[0])
        first_wis = qt.wis(first, y)
        if final_wis is not None and first_wis is not None:
            final, reference = final_wis, first_wis
        else:
            final, reference = qt.crps_approx(qs, y), qt.crps_approx(first, y)
        if 0.0 < reference < math.inf and 0.0 < final < math.inf:
            relative = final / reference
            if not 0.0 < relative < math.inf:  # over- or underflow: undefined, as for a zero score
                relative = None
        elif reference == 0.0 and final == 0.0:
            relative = 1.0
    return QuantityScore(
        item=item, pinball=qt.pinball_losses(qs, y), intervals=intervals, wis=final_wis,
        crps_approx=qt.crps_approx(qs, y), log10_wis=log_wis, log10_crps_approx=log_crps,
        pit=qt.pit_bin(qs, y), reference_score=reference, relative_score=relative,
    )


def _geomean(ratios: list[float]) -> float | None:
    if not ratios:
        return None
    try:
        return math.exp(math.fsum(math.log(r) for r in ratios) / len(ratios))
    except OverflowError:
        return math.inf


def _verdict(lo: float, hi: float, nominal: float) -> str:
    if hi < nominal:
        return "too narrow"
    if lo > nominal:
        return "too wide"
    return "about right"


def _coverage(scored: list[QuantityScore]) -> list[CoverageRow]:
    mine = [s for s in scored if s.item.mine]
    theirs = [s for s in scored if not s.item.mine]
    rows = []
    for label, xs in ((YOU, mine), (OTHERS if mine else ALL, theirs)):
        for nominal in qt.NOMINAL_COVERAGES:
            hits = [iv.covered for s in xs for iv in s.intervals if abs(iv.nominal - nominal) <= qt.LEVEL_TOLERANCE]
            if not hits:
                continue
            lo, hi = wilson_interval(sum(hits), len(hits))
            rows.append(CoverageRow(label, nominal, len(hits), sum(hits), lo, hi, _verdict(lo, hi, nominal)))
    return rows


def _pit(scored: list[QuantityScore]) -> list[PitHistogram]:
    by_levels: dict[tuple[float, ...], list[QuantityScore]] = {}
    for s in scored:
        levels = tuple(round(tau, 9) for tau, _q in s.item.quantiles)
        by_levels.setdefault(levels, []).append(s)
    out = []
    for levels, xs in sorted(by_levels.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        counts = tuple(math.fsum(s.pit[i] for s in xs) for i in range(len(levels) + 1))
        out.append(PitHistogram(levels, len(xs), counts, tuple(len(xs) * m for m in qt.expected_masses(levels))))
    return out


def _quantity_section(items: list[QuantityItem]) -> QuantitySection | None:
    if not items:
        return None
    scored = sorted((score_quantity(i) for i in items),
                    key=lambda s: (s.item.claim_id, not s.item.mine, s.item.forecaster))
    aggregates = []
    for label, xs in _groups(scored):
        with_ref = [x for x in xs if x.reference_score is not None]
        ratios = [x.relative_score for x in with_ref if x.relative_score is not None]
        logs = [x.log10_wis for x in xs if x.log10_wis is not None]
        aggregates.append(QuantityAggregate(label, len(xs), len(ratios), len(with_ref) - len(ratios),
                                            _geomean(ratios), len(logs), _mean(logs)))
    return QuantitySection(tuple(scored), tuple(aggregates), tuple(_coverage(scored)), tuple(_pit(scored)))


def day_iso(day: float) -> str:
    """The ISO date of a day number (days since 1970-01-01, rounded to the nearest day)."""
    from datetime import date, timedelta

    try:
        return (date(1970, 1, 1) + timedelta(days=round(day))).isoformat()
    except (OverflowError, ValueError):
        return repr(day)


def build_by_kind(choice: Iterable[ChoiceItem], quantity: Iterable[QuantityItem]) -> ByKind:
    """Score every item; a kind with no items gets no section (None)."""
    return ByKind(_choice_section(list(choice)), _quantity_section(list(quantity)))
