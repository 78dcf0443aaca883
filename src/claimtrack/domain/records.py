"""Plain dataclasses that cross layer boundaries.

Services hand these upward (never ORM rows); importers hand ``*In`` records
downward to the import service.  All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

OUTCOMES: tuple[str, ...] = ("yes", "no", "ambiguous", "void")
SCORED_OUTCOMES: tuple[str, ...] = ("yes", "no")

# What a claim asks (issue 12).  "binary": yes/no, a forecast is one
# probability.  "choice": one of several fixed options, a forecast is a full
# distribution over them.  "numeric": a quantity, a forecast is a set of
# quantiles.  "date": a numeric claim whose values are dates, held as day
# numbers (days since 1970-01-01, as floats) and scored in days.
QUESTION_TYPES: tuple[str, ...] = ("binary", "choice", "numeric", "date")
# the outcome of a non-binary claim resolved with a value (the realised
# option, the true quantity or the date); ambiguous and void stay as they are
VALUE_OUTCOME = "value"

CLAIM_STATUSES: tuple[str, ...] = ("active", "draft", "rejected")

# A forecast recorded more than this long after it was made is "backfilled":
# typed in from old notes, so open to hindsight.  Reports show such forecasts
# apart and can exclude them.
BACKFILL_THRESHOLD_HOURS = 24


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True)
class ForecastIn:
    forecaster: str
    probability: float | None  # None for choice, numeric and date claims
    made_at: datetime
    rationale: str | None = None
    recorded_at: datetime | None = None  # None: now
    uuid: str | None = None
    import_key: str | None = None
    kind: str = "own"  # see domain.kinds
    basis: str | None = None  # the claimant's word, for kind "implied"
    recorded_by: str | None = None  # who typed in a forecast made on someone else's behalf
    # choice: one probability per option, in option order, summing to 1;
    # numeric/date: ((level, value), ...) increasing in both; binary: None
    distribution: tuple | None = None


@dataclass(frozen=True)
class ResolutionIn:
    outcome: str
    resolved_at: datetime
    note: str | None = None
    evidence_url: str | None = None
    resolved_by: str | None = None
    recorded_at: datetime | None = None
    uuid: str | None = None
    import_key: str | None = None
    # with outcome VALUE_OUTCOME: the realised option's label (choice), or
    # the true value as repr(float) (numeric; date as a day number)
    value: str | None = None


@dataclass(frozen=True)
class EditIn:
    """One entry of a claim's edit history (used by lossless import)."""

    field: str
    old_value: str | None
    new_value: str | None
    edited_at: datetime
    edited_by: str | None = None


@dataclass
class ClaimIn:
    statement: str
    stated_at: datetime
    source: str | None = None
    source_url: str | None = None
    details: str | None = None
    resolve_by: datetime | None = None
    tags: tuple[str, ...] = ()
    status: str = "active"
    uuid: str | None = None
    recorded_at: datetime | None = None
    import_key: str | None = None
    forecasts: list[ForecastIn] = field(default_factory=list)
    resolutions: list[ResolutionIn] = field(default_factory=list)
    edits: list[EditIn] = field(default_factory=list)
    question_type: str = "binary"  # see QUESTION_TYPES
    options: tuple[str, ...] = ()  # choice: the option labels, in order
    ordered: bool = False  # choice: the options form a scale (RPS applies)
    unit: str | None = None  # numeric: the unit's name ("parameters", "$")
    log_scale: bool = False  # numeric: the quantity spans orders of magnitude


# --------------------------------------------------------------- outputs


@dataclass(frozen=True)
class Forecast:
    id: int
    uuid: str
    claim_id: int
    forecaster: str
    probability: float
    made_at: datetime
    recorded_at: datetime
    rationale: str | None
    backfilled: bool
    after_resolution: bool
    kind: str = "own"
    basis: str | None = None
    recorded_by: str | None = None
    distribution: tuple | None = None  # as ForecastIn.distribution


@dataclass(frozen=True)
class Resolution:
    id: int
    uuid: str
    claim_id: int
    outcome: str
    resolved_at: datetime
    note: str | None
    evidence_url: str | None
    resolved_by: str | None
    recorded_at: datetime
    value: str | None = None  # as ResolutionIn.value


@dataclass(frozen=True)
class Edit:
    id: int
    claim_id: int
    field: str
    old_value: str | None
    new_value: str | None
    edited_at: datetime
    edited_by: str | None


@dataclass(frozen=True)
class ClaimSummary:
    """One row of a claim list: the claim and its current state."""

    id: int
    uuid: str
    statement: str
    source: str | None
    source_url: str | None
    stated_at: datetime
    recorded_at: datetime
    resolve_by: datetime | None
    status: str
    tags: tuple[str, ...]
    probability: float | None  # newest forecast on the claim, any forecaster
    forecaster: str | None  # who made that newest forecast
    n_forecasts: int
    outcome: str | None  # current resolution, None when open
    resolved_at: datetime | None
    revision: int  # bumps on every change; used to refuse stale writes
    # whose numbers, filled in by the list queries (None where not asked):
    # your current forecast, the claimant's current call (its kind beside
    # it), and the median of everyone else's current forecasts
    mine: float | None = None
    theirs: float | None = None
    their_kind: str | None = None
    others: float | None = None
    n_others: int = 0
    # forecasts hidden from you until you forecast or it resolves (services.hidden)
    hidden: int = 0
    # what the claim asks (see ClaimIn); binary unless said
    question_type: str = "binary"
    options: tuple[str, ...] = ()
    ordered: bool = False
    unit: str | None = None
    log_scale: bool = False
    # non-binary claims, filled in by the list queries with the whose-number
    # fields: the distribution shown (yours when you have one, else the
    # newest forecast's) and whose it is; the resolution's value
    distribution: tuple | None = None
    distribution_by: str | None = None
    value: str | None = None

    @property
    def is_open(self) -> bool:
        return self.outcome is None and self.status == "active"


@dataclass(frozen=True)
class ClaimDetail:
    claim: ClaimSummary
    details: str | None
    forecasts: tuple[Forecast, ...]  # oldest first
    resolutions: tuple[Resolution, ...]  # oldest first; last is current
    edits: tuple[Edit, ...]  # oldest first

    def current_forecasts(self) -> dict[str, Forecast]:
        """The newest forecast of each forecaster (by made_at, then id)."""
        current: dict[str, Forecast] = {}
        for f in sorted(self.forecasts, key=lambda f: (f.made_at, f.id)):
            current[f.forecaster] = f
        return current
