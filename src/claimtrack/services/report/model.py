"""What a calibration report holds: options in, a :class:`Report` out.

Plain frozen dataclasses; every renderer (text, Markdown, HTML, JSON) reads
only these.  Scores are the domain's :class:`ScoreSummary` objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.scoring import LOG_CLIP, RelativeScore, ScoreSummary
from claimtrack.domain.scoring.basic import check_n_bins

if TYPE_CHECKING:  # (the choice and quantity scoring loads only when a report has such claims)
    from claimtrack.domain.scoring.by_kind import ByKind

SCORINGS = ("final", "time-weighted")
# "source": each source scored on its own calls (forecasts of kind stated,
# implied or asserted, under the source's name); "claim-source": everyone's
# forecasts on the claims each source made (how predictable its claims were)
GROUPS = ("forecaster", "source", "claim-source", "tag", "period")
GROUP_NOTES = {
    "source": "each source scored on its own calls (what it stated, implied or asserted), not on others' forecasts",
    "claim-source": "everyone's forecasts on the claims each source made: how predictable its claims were, "
                    "not how well the source itself called them",
}
PERIODS = ("month", "quarter", "year")
FORMATS = ("text", "md", "html", "json")
DEFAULT_PERIOD = "quarter"
DEFAULT_MAX_CLAIMS = 100
NO_SOURCE = "(no source)"
NO_TAG = "(no tag)"


def _choice(value: str | None, accepted: tuple[str, ...], option: str) -> str | None:
    if value is None:
        return None
    cleaned = str(value).strip().lower()
    if cleaned not in accepted:
        raise InvalidInput(f"invalid {option} '{value}': use one of {', '.join(accepted)}")
    return cleaned


@dataclass(frozen=True)
class ReportOptions:
    """What to score.  ``since``/``until`` bound the claims' resolution time.

    ``since_saved`` marks ``--since last``: then ``since`` is the end of the
    previous saved report, the bound is exclusive, and a claim whose
    resolution was *logged* after it counts even if dated earlier.
    """

    scoring: str = "final"
    group: str | None = None
    period: str = DEFAULT_PERIOD
    forecaster: str | None = None
    source: str | None = None
    tags: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    since_saved: bool = False
    exclude_backfilled: bool = False
    n_bins: int = 10
    max_claims: int = DEFAULT_MAX_CLAIMS
    now: datetime | None = None  # fixed clock for tests
    you: str | None = None  # the user: their group and comparison rows come first

    def __post_init__(self) -> None:
        from claimtrack.domain.text import name_form

        for name in ("forecaster", "source"):  # matched in the form names are stored in
            object.__setattr__(self, name, name_form(getattr(self, name)))
        object.__setattr__(self, "scoring", _choice(self.scoring, SCORINGS, "--scoring"))
        object.__setattr__(self, "group", _choice(self.group, GROUPS, "--group"))
        object.__setattr__(self, "period", _choice(self.period, PERIODS, "--period"))
        try:
            check_n_bins(self.n_bins)
        except InvalidInput:
            raise InvalidInput(
                f"invalid --bins '{self.n_bins}': use a number that divides 100 (5, 10, 20, 25...)"
            ) from None
        if isinstance(self.max_claims, bool) or not isinstance(self.max_claims, int) or self.max_claims < 0:
            raise InvalidInput(f"invalid --max-claims '{self.max_claims}': use a whole number >= 0")
        if self.since and self.until and self.since > self.until:
            raise InvalidInput("--since is after --until: no resolution can fall between them")


@dataclass(frozen=True)
class Scores:
    """A score summary with the counts reports show next to it."""

    summary: ScoreSummary
    n_excluded: int  # forecasts that would count, on claims resolved ambiguous or void
    n_backfilled: int  # of summary.n


@dataclass(frozen=True)
class GroupRow:
    key: str
    scores: Scores


@dataclass(frozen=True)
class PeriodRow:
    key: str  # 2024-03, 2024-Q1, 2024
    start: datetime
    end: datetime
    scores: Scores


@dataclass(frozen=True)
class ScoredForecast:
    forecaster: str
    probability: float
    backfilled: bool


@dataclass(frozen=True)
class ClaimLine:
    """A claim in the report's lists (resolved in the period, or overdue)."""

    id: int
    uuid: str
    statement: str
    source: str | None
    source_url: str | None
    tags: tuple[str, ...]
    resolve_by: datetime | None
    outcome: str | None
    resolved_at: datetime | None
    forecasts: tuple[ScoredForecast, ...]  # resolved: the scored (final) ones; overdue: the current ones
    # resolved: the current resolution's note and evidence link
    resolution_note: str | None = None
    evidence_url: str | None = None

    @property
    def scored(self) -> bool:
        return self.outcome in ("yes", "no")


@dataclass(frozen=True)
class Report:
    options: ReportOptions
    generated_at: datetime
    period_start: datetime | None
    period_end: datetime
    overall: Scores
    contemporaneous: ScoreSummary
    backfilled: ScoreSummary
    n_after_resolution: int  # forecasts logged as made after the resolution: never scored
    groups: tuple[GroupRow, ...]
    periods: tuple[PeriodRow, ...]
    relative: tuple[RelativeScore, ...]
    resolved_claims: tuple[ClaimLine, ...]
    n_resolved_claims: int
    overdue_claims: tuple[ClaimLine, ...]
    n_overdue_claims: int
    log_clip: tuple[float, float] = LOG_CLIP
    # options.you's own final forecasts, and everyone else's, side by side (None without options.you)
    you: ScoreSummary | None = None
    others: ScoreSummary | None = None
    # (chain, head hash) of each hash chain when the report was made, printed
    # so that a shared report pins them (``claimtrack verify --expect``)
    chain_heads: tuple[tuple[str, str], ...] = ()
    # options.you's own scores per period with any (the headline's trend); () without options.you
    you_periods: tuple[PeriodRow, ...] = ()
    # choice questions and quantities, scored by their own rules (issue 12); None or empty: no section
    by_kind: ByKind | None = None
