"""Building a :class:`Report` from the ledger in one streaming pass.

Which forecasts count (see ``docs/report-json.md``):

* claims that are active and resolved, with the resolution time in the
  report's period; yes/no claims are scored, ambiguous/void ones are
  counted as excluded;
* forecasts made at or before the claim's current resolution and not
  flagged ``after_resolution`` (the others are counted, never scored);
* "final": each forecaster's last such forecast; "time-weighted": every such
  forecast, weighted by how long it stood (domain ``selection`` rule).

The forecasts come from one SQL query that selects only the columns needed,
ordered by claim, forecaster, time and id, and is read in chunks
(``yield_per``: a server-side cursor on PostgreSQL).  Nothing but the
current claim is held in memory besides the accumulators.
"""

from __future__ import annotations

from itertools import chain
from datetime import datetime, timezone

from sqlalchemy import String, and_, exists, false, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from claimtrack.db import models as m
from claimtrack.db.engine import Database
from claimtrack.domain.dates import utcnow
from claimtrack.domain.scoring import ScoreAccumulator
from claimtrack.domain.scoring.compact import CompactAccumulator
from claimtrack.domain.scoring.streaming import RelativeAccumulator, time_weights
from claimtrack.services.report_model import (
    NO_SOURCE,
    NO_TAG,
    GroupRow,
    PeriodRow,
    Report,
    ReportOptions,
    Scores,
)
from claimtrack.services.report_periods import PeriodKeys

CHUNK = 5000
# column positions in the forecast stream
_CID, _OUTCOME, _RESOLVED, _SOURCE, _WHO, _P, _BACK, _MADE = range(8)


def as_utc(value) -> datetime:
    """A datetime read without SQLAlchemy's per-row type processing.

    SQLite hands back its stored text (naive UTC), PostgreSQL a datetime.
    Parsing only when needed (once per claim) saves a third of a large report.
    """
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def claim_conditions(options: ReportOptions, dialect: str) -> list:
    """Claims in the report's scope: active, resolved in the period, filters."""
    c = m.Claim
    # On SQLite, keep the planner off the (status, outcome, resolve_by) index:
    # scanning claims by id then forecasts by their (claim_id, forecaster,
    # made_at) index yields rows already in the order we need, with no sort.
    status = c.status.concat("") if dialect == "sqlite" else c.status
    conds: list = [status == "active", c.outcome.is_not(None)]
    if options.since is not None:
        if options.since_saved:
            logged_since = exists().where(m.Resolution.claim_id == c.id, m.Resolution.recorded_at > options.since)
            conds.append(or_(c.resolved_at > options.since, logged_since))
        else:
            conds.append(c.resolved_at >= options.since)
    if options.until is not None:
        conds.append(c.resolved_at <= options.until)
    if options.source:
        conds.append(func.lower(c.source) == options.source.strip().lower())
    for tag in options.tags:
        conds.append(exists().where(m.ClaimTag.claim_id == c.id, m.ClaimTag.tag == tag))
    if options.forecaster:
        other = m.Forecast.__table__.alias("wanted")  # not the streamed forecasts table
        conds.append(exists().where(other.c.claim_id == c.id,
                                    func.lower(other.c.forecaster) == options.forecaster.strip().lower()))
    return conds


def forecast_stream_query(options: ReportOptions, dialect: str):
    c, f = m.Claim, m.Forecast
    columns = [c.id, c.outcome, type_coerce(c.resolved_at, String), c.source, f.forecaster,
               f.probability, f.backfilled]
    if options.scoring == "time-weighted":
        columns.append(type_coerce(f.made_at, String))
    query = (select(*columns).select_from(c).join(f, f.claim_id == c.id)
             .where(*claim_conditions(options, dialect), *_eligible(options)))
    # ordered like the (claim_id, forecaster, made_at) index: SQLite reads it in order, no sort
    return query.order_by(f.claim_id, f.forecaster, f.made_at, f.id)


def _eligible(options: ReportOptions, late: bool = False) -> list:
    """Forecasts that may be scored (or, with ``late``, those made after the resolution)."""
    f, c = m.Forecast, m.Claim
    made_late = or_(f.after_resolution, f.made_at > c.resolved_at)
    conds = [made_late if late else and_(f.after_resolution == false(), f.made_at <= c.resolved_at)]
    if options.exclude_backfilled:
        conds.append(f.backfilled == false())
    if late and options.forecaster:
        conds.append(func.lower(f.forecaster) == options.forecaster.strip().lower())
    return conds


def count_late(conn, options: ReportOptions, dialect: str) -> int:
    """Forecasts in the report's scope made after their claim's resolution (never scored)."""
    c, f = m.Claim, m.Forecast
    query = (select(func.count()).select_from(c).join(f, f.claim_id == c.id)
             .where(*claim_conditions(options, dialect), *_eligible(options, late=True)))
    return conn.execute(query).scalar_one()


def _claims(rows, keep_all: bool):
    """Group the ordered rows by claim: yields (first row, [(forecaster, pick)]).

    ``pick`` is the forecaster's last row (final) or all of them (time-weighted).
    """
    head = None
    per: list = []
    who = pick = None
    for row in rows:
        if head is None or row[_CID] != head[_CID]:
            if head is not None:
                if pick:
                    per.append((who, pick))
                yield head, per
            head, per, who, pick = row, [], None, None
        if row[_WHO] != who:
            if pick:
                per.append((who, pick))
            who, pick = row[_WHO], ([] if keep_all else None)
        if keep_all:
            pick.append(row)
        else:
            pick = row
    if head is not None:
        if pick:
            per.append((who, pick))
        yield head, per


class _Tags:
    """Tags of the streamed claims, read in step from a second ordered query."""

    def __init__(self, conn, options: ReportOptions, dialect: str) -> None:
        in_scope = select(m.Claim.id).where(and_(*claim_conditions(options, dialect)))
        query = (select(m.ClaimTag.claim_id, m.ClaimTag.tag).where(m.ClaimTag.claim_id.in_(in_scope))
                 .order_by(m.ClaimTag.claim_id, m.ClaimTag.tag))
        self._rows = chain.from_iterable(conn.execute(query, execution_options={"yield_per": CHUNK}).partitions())
        self._next = next(self._rows, None)

    def of(self, claim_id: int) -> list[str]:
        out = []
        while self._next is not None and self._next[0] <= claim_id:
            if self._next[0] == claim_id:
                out.append(self._next[1])
            self._next = next(self._rows, None)
        return out


class _Cell:
    """Exact accumulators of one period: contemporaneous, backfilled; excluded count."""

    __slots__ = ("split", "n_excluded")

    def __init__(self, n_bins: int) -> None:
        self.split = (ScoreAccumulator(n_bins), ScoreAccumulator(n_bins))
        self.n_excluded = 0

    def scores(self) -> Scores:
        contemporaneous, backfilled = self.split
        return Scores(contemporaneous.merge(backfilled).result(), self.n_excluded, backfilled.n)


class _Collector:
    """Adds each selected forecast once to its period's accumulator (and its
    groups'); the overall figures are the merge of the periods."""

    def __init__(self, options: ReportOptions) -> None:
        self.options = options
        self.periods = PeriodKeys(options.period)
        self.cells: dict[str, _Cell] = {}
        self.groups: dict[str, CompactAccumulator] = {}
        self.group_counts: dict[str, list[int]] = {}  # key -> [excluded, backfilled]
        self.relative = RelativeAccumulator()
        self._wanted = options.forecaster.strip().lower() if options.forecaster else None
        self._match: dict[str, bool] = {}
        self._weighted = options.scoring == "time-weighted"
        self._group = options.group if options.group != "period" else None  # periods are kept anyway

    def matches(self, who: str) -> bool:
        if self._wanted is None:
            return True
        hit = self._match.get(who)
        if hit is None:
            hit = self._match[who] = who.strip().lower() == self._wanted
        return hit

    def _group_acc(self, key: str) -> tuple[CompactAccumulator, list[int]]:
        acc = self.groups.get(key)
        if acc is None:
            acc = self.groups[key] = CompactAccumulator(self.options.n_bins)
            self.group_counts[key] = [0, 0]
        return acc, self.group_counts[key]

    def claim(self, head, per, tags: list[str] | None) -> None:
        outcome = head[_OUTCOME]
        o = 1 if outcome == "yes" else 0 if outcome == "no" else None
        resolved_at = as_utc(head[_RESOLVED])
        pkey = self.periods.key(resolved_at)
        cell = self.cells.get(pkey)
        if cell is None:
            cell = self.cells[pkey] = _Cell(self.options.n_bins)
        group = self._group
        claim_groups = None
        if group == "source":
            claim_groups = [self._group_acc(head[_SOURCE] or NO_SOURCE)]
        elif group == "tag":
            claim_groups = [self._group_acc(t) for t in (tags or [NO_TAG])]
        finals = {}
        for who, pick in per:
            if self._weighted:
                weights = time_weights([as_utc(r[_MADE]) for r in pick], resolved_at)
                chosen = [(r[_P], r[_BACK], w) for r, w in zip(pick, weights) if w > 0.0]
                finals[who] = pick[-1][_P]
            else:
                chosen = ((pick[_P], pick[_BACK], 1.0),)
                finals[who] = pick[_P]
            if self._wanted is not None and not self.matches(who):
                continue
            targets = claim_groups
            if group == "forecaster":
                targets = [self._group_acc(who)]
            for p, back, w in chosen:
                if o is None:
                    cell.n_excluded += 1
                    for _, counts in targets or ():
                        counts[0] += 1
                    continue
                cell.split[1 if back else 0].add(p, o, w)
                if targets:
                    for acc, counts in targets:
                        acc.add(p, o, w)
                        if back:
                            counts[1] += 1
        if o is not None:
            self.relative.add_claim(finals, o)

    def result(self) -> dict:
        opts = self.options
        n_bins = opts.n_bins
        contemporaneous, backfilled = ScoreAccumulator(n_bins), ScoreAccumulator(n_bins)
        n_excluded = 0
        periods = []
        for key in self.periods.span(self.cells):  # empty periods too: the trend shows gaps
            cell = self.cells.get(key)
            if cell is None:
                empty = ScoreAccumulator(n_bins).result()
                periods.append(PeriodRow(key, *self.periods.bounds[key], Scores(empty, 0, 0)))
                continue
            contemporaneous = contemporaneous.merge(cell.split[0])
            backfilled = backfilled.merge(cell.split[1])
            n_excluded += cell.n_excluded
            periods.append(PeriodRow(key, *self.periods.bounds[key], cell.scores()))
        if opts.group == "period":
            groups = [GroupRow(row.key, row.scores) for row in periods if row.key in self.cells]
        else:
            groups = [GroupRow(k, Scores(acc.result(), *self.group_counts[k])) for k, acc in self.groups.items()]
            groups.sort(key=lambda g: (-g.scores.summary.n, -g.scores.n_excluded, g.key))
        relative = [r for name, r in self.relative.result().items() if self.matches(name)]
        bf = backfilled.result()
        return dict(
            overall=Scores(contemporaneous.merge(backfilled).result(), n_excluded, bf.n),
            contemporaneous=contemporaneous.result(), backfilled=bf,
            groups=tuple(groups), periods=tuple(periods), relative=tuple(relative),
        )


def score_ledger(session: Session, options: ReportOptions) -> dict:
    """The score parts of a report (see :class:`Report`), from one streaming pass."""
    dialect = session.get_bind().dialect.name
    conn = session.connection()  # Core rows, without the ORM's per-row work
    collector = _Collector(options)
    tags = _Tags(conn, options, dialect) if options.group == "tag" else None
    result = conn.execute(forecast_stream_query(options, dialect), execution_options={"yield_per": CHUNK})
    rows = chain.from_iterable(result.partitions())  # whole chunks: no per-row fetch call
    for head, per in _claims(rows, options.scoring == "time-weighted"):
        collector.claim(head, per, tags.of(head[_CID]) if tags is not None else None)
    return {**collector.result(), "n_after_resolution": count_late(conn, options, dialect)}


def build_report(db: Database, options: ReportOptions | None = None) -> Report:
    """Score the ledger and list the period's resolved and overdue claims."""
    from claimtrack.services.report_claims import overdue_claims, resolved_claims

    options = options or ReportOptions()
    now = options.now or utcnow()
    with db.read() as session:
        parts = score_ledger(session, options)
        resolved, n_resolved = resolved_claims(session, options)
        overdue, n_overdue = overdue_claims(session, options, now)
    return Report(
        options=options, generated_at=now, period_start=options.since,
        period_end=options.until or now, resolved_claims=resolved, n_resolved_claims=n_resolved,
        overdue_claims=overdue, n_overdue_claims=n_overdue, **parts,
    )
