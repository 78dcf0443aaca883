"""The headline every report opens with: how you are doing, in words.

- your Brier score (0-1), n, and skill against always saying 50% (whose
  Brier is 0.25 on any yes/no question): ``1 - Brier / 0.25``;
- your trend: the latest period with scored forecasts against the one
  before it that had any;
- the calibration bins whose 95% Wilson interval excludes the diagonal
  (the bin's mean forecast), named as over- or underconfidence.

"You" is the report's user (``ReportOptions.you``) when they have scored
forecasts in it; otherwise the report's forecaster filter, or everyone.
Pure: reads only the :class:`Report`.
"""

from __future__ import annotations

from dataclasses import dataclass

from claimtrack.domain.scoring import ScoreSummary
from claimtrack.services.report.model import Report

CHANCE_BRIER = 0.25  # always saying 50%


@dataclass(frozen=True)
class BinFinding:
    label: str  # "70-80%"
    lo: float
    hi: float
    n: int
    came_true: int | None  # count (None when forecasts are weighted)
    observed: float
    mean_forecast: float
    ci_low: float
    ci_high: float
    verdict: str  # "overconfident", "underconfident", or for a bin around 50%: "too low", "too high"

    def words(self) -> str:
        happened = (f"{self.came_true} of {self.n} came true" if self.came_true is not None
                    else f"came true {self.observed:.0%} of the time (n={self.n})")
        return f"{self.label}: {happened}, {self.verdict}"


@dataclass(frozen=True)
class Trend:
    period: str
    brier: float
    n: int
    previous_period: str
    previous_brier: float
    previous_n: int

    @property
    def change(self) -> float:
        return self.brier - self.previous_brier


@dataclass(frozen=True)
class Headline:
    subject: str  # "you (tester)", "priya", "everyone"
    is_you: bool
    n: int
    brier: float | None
    skill: float | None  # against always saying 50%; positive is better
    trend: Trend | None
    n_periods: int  # periods with scored forecasts
    period: str  # month, quarter, year
    bins: tuple[BinFinding, ...]
    sentences: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


def _percent(x: float) -> str:
    return f"{round(x * 100):d}%"


def _bin_label(lo: float, hi: float) -> str:
    return f"{_percent(lo).rstrip('%')}-{_percent(hi)}"


def bin_findings(summary: ScoreSummary, weighted: bool = False) -> tuple[BinFinding, ...]:
    """The bins whose interval excludes their mean forecast, in forecast order."""
    out = []
    for b in summary.calibration:
        if b.is_empty or b.mean_forecast is None or b.observed is None:
            continue
        p = b.mean_forecast
        if b.ci_low <= p <= b.ci_high:
            continue
        happened_less = b.observed < p
        if abs(p - 0.5) < 1e-9:
            verdict = "too low" if not happened_less else "too high"
        elif p > 0.5:
            verdict = "overconfident" if happened_less else "underconfident"
        else:
            verdict = "underconfident" if happened_less else "overconfident"
        came_true = None if weighted else round(b.observed * b.n)
        out.append(BinFinding(_bin_label(b.lo, b.hi), b.lo, b.hi, b.n, came_true, b.observed, p,
                              b.ci_low, b.ci_high, verdict))
    return tuple(out)


def _subject(report: Report) -> tuple[str, bool, ScoreSummary, tuple]:
    o = report.options
    if o.you and report.you is not None and report.you.n:
        return f"you ({o.you})", True, report.you, report.you_periods
    if o.forecaster:
        return o.forecaster, False, report.overall.summary, report.periods
    return "everyone", False, report.overall.summary, report.periods


def _trend(periods) -> tuple[Trend | None, int]:
    scored = [p for p in periods if p.scores.summary.n and p.scores.summary.brier is not None]
    if len(scored) < 2:
        return None, len(scored)
    last, before = scored[-1], scored[-2]
    return Trend(last.key, last.scores.summary.brier, last.scores.summary.n, before.key,
                 before.scores.summary.brier, before.scores.summary.n), len(scored)


def build_headline(report: Report) -> Headline:
    subject, is_you, s, periods = _subject(report)
    weighted = report.options.scoring == "time-weighted"
    period = report.options.period
    whose = "Your" if is_you else ("Everyone's" if subject == "everyone" else f"{subject}'s")
    if not s.n or s.brier is None:
        nothing = ("No resolved forecasts of yours in this report yet" if report.options.you
                   else "No resolved forecasts in this report yet")
        return Headline(subject, is_you, 0, None, None, None, 0, period, (),
                        (f"{nothing}: resolve claims to see how you are doing.",))
    skill = 1.0 - s.brier / CHANCE_BRIER
    if s.brier < CHANCE_BRIER:
        versus = f"better than always saying 50% (0.250): skill {_percent(skill)}"
    elif s.brier > CHANCE_BRIER:
        versus = f"worse than always saying 50% (0.250): skill {_percent(skill)}"
    else:
        versus = "no better than always saying 50% (0.250)"
    count = f"{s.n} resolved forecast{'s' if s.n != 1 else ''}" + (" (time-weighted)" if weighted else "")
    sentences = [f"{whose} Brier score is {s.brier:.3f} over {count}, {versus}."]
    trend, n_periods = _trend(periods)
    if trend is not None:
        if abs(trend.change) < 0.0005:
            how = "the same as"
        else:
            how = "better than" if trend.change < 0 else "worse than"
        sentences.append(f"Trend: {trend.brier:.3f} in {trend.period} (n={trend.n}), {how} "
                         f"{trend.previous_brier:.3f} in {trend.previous_period} (n={trend.previous_n}).")
    else:
        sentences.append(f"Trend: only {n_periods} {period} with resolved forecasts so far, nothing to compare yet."
                         if n_periods == 1 else "Trend: no period to compare yet.")
    bins = bin_findings(s, weighted)
    if bins:
        sentences.append("Calibration: " + "; ".join(b.words() for b in bins) + ".")
    else:
        sentences.append("Calibration: every bin's 95% interval includes its mean forecast, "
                         "so nothing shows over- or underconfidence" + (" yet." if s.n < 30 else "."))
    return Headline(subject, is_you, s.n, s.brier, skill, trend, n_periods, period, bins, tuple(sentences))


def headline_dict(h: Headline) -> dict:
    """The ``headline`` key of the JSON report (docs/report-json.md)."""
    return {
        "subject": h.subject,
        "is_you": h.is_you,
        "n": h.n,
        "brier": h.brier,
        "skill_vs_50": h.skill,
        "trend": None if h.trend is None else {
            "period": h.trend.period, "brier": h.trend.brier, "n": h.trend.n,
            "previous_period": h.trend.previous_period, "previous_brier": h.trend.previous_brier,
            "previous_n": h.trend.previous_n, "change": h.trend.change,
        },
        "miscalibrated_bins": [
            {"bin": b.label, "lo": b.lo, "hi": b.hi, "n": b.n, "came_true": b.came_true, "observed": b.observed,
             "mean_forecast": b.mean_forecast, "ci_low": b.ci_low, "ci_high": b.ci_high, "verdict": b.verdict}
            for b in h.bins
        ],
        "text": h.text,
    }
