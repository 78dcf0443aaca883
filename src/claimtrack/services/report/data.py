"""Building a :class:`Report` from the ledger in one streaming pass.

Which forecasts count (see ``docs/report-json.md``):

* claims that are active and resolved, with the resolution time in the
  report's period; yes/no claims are scored, ambiguous/void ones are
  counted as excluded;
* forecasts made at or before the claim's current resolution and not
  flagged ``after_resolution`` (the others are counted, never scored);
* "final": each forecaster's last such forecast; "time-weighted": every such
  forecast, weighted by how long it stood (domain ``selection`` rule).

The rows come from one SQL query (:mod:`.final`): for "final", SQL
already keeps one row per claim and forecaster, the final forecast, and on
SQLite counts the late forecasts in the same pass; for "time-weighted",
every eligible forecast, ordered by claim, forecaster, time and id.  They
are read in chunks of plain tuples, in claim order, and nothing but the
current claim is held in memory besides the accumulators.
"""

from __future__ import annotations

from datetime import datetime, timezone
from itertools import chain, groupby
from operator import itemgetter

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from claimtrack.db import models as m
from claimtrack.db.engine import Database
from claimtrack.domain.dates import utcnow
from claimtrack.domain.kinds import CLAIMANT_KINDS
from claimtrack.domain.scoring import ScoreAccumulator
from claimtrack.domain.scoring.compact import CompactAccumulator
from claimtrack.domain.scoring.streaming import RelativeAccumulator, time_weights
from claimtrack.domain.scoring.tally import TallyAccumulator
from claimtrack.services.report import final as rf
from claimtrack.services.report.final import BACK, CID, EXTRA, OUTCOME, P, RESOLVED, SOURCE, WHO, claim_conditions
from claimtrack.services.report.model import (
    NO_SOURCE,
    NO_TAG,
    GroupRow,
    PeriodRow,
    Report,
    ReportOptions,
    Scores,
)
from claimtrack.services.report.periods import PeriodKeys

CHUNK = 5000  # rows per fetch
TALLY_LIMIT = 50_000  # distinct (period, backfilled, yours, p, outcome) counted before they are handed on


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


def _weighted_claims(rows):
    """Group the ordered rows by claim: yields (first row, [(forecaster, [rows])])."""
    for _, claim_rows in groupby(rows, itemgetter(CID)):
        claim_rows = list(claim_rows)
        per = [(who, list(picks)) for who, picks in groupby(claim_rows, itemgetter(WHO))]
        yield claim_rows[0], per


class _Tags:
    """Tags of the streamed claims, read in step from a second ordered query."""

    def __init__(self, conn, options: ReportOptions, dialect: str, chunk: int) -> None:
        in_scope = select(m.Claim.id).where(and_(*claim_conditions(options, dialect)))
        query = (select(m.ClaimTag.claim_id, m.ClaimTag.tag).where(m.ClaimTag.claim_id.in_(in_scope))
                 .order_by(m.ClaimTag.claim_id, m.ClaimTag.tag))
        self._rows = chain.from_iterable(rf.plain_rows(conn, query, chunk))
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

    __slots__ = ("split", "n_excluded", "you")

    def __init__(self, n_bins: int, exact=ScoreAccumulator) -> None:
        self.split = (exact(n_bins), exact(n_bins))
        self.n_excluded = 0
        self.you: CompactAccumulator | TallyAccumulator | None = None  # the user's own forecasts in this period

    def scores(self) -> Scores:
        contemporaneous, backfilled = self.split
        return Scores(contemporaneous.merge(backfilled).result(), self.n_excluded, backfilled.n)


class _Collector:
    """Adds each selected forecast once to its period's accumulator (and its
    groups'); the overall figures are the merge of the periods."""

    def __init__(self, options: ReportOptions) -> None:
        self.options = options
        # final forecasts weigh 1 each: they are tallied by (p, outcome) and every
        # sum is correctly rounded (domain.scoring.tally); time-weighted ones
        # stream into the compensated and the compact accumulators
        tally = options.scoring == "final"
        self._exact = TallyAccumulator if tally else ScoreAccumulator
        self._compact = TallyAccumulator if tally else CompactAccumulator
        self.periods = PeriodKeys(options.period)
        self.cells: dict[str, _Cell] = {}
        self.groups: dict = {}
        self.group_counts: dict[str, list[int]] = {}  # key -> [excluded, backfilled]
        self.relative = RelativeAccumulator()
        self._wanted = options.forecaster.strip().lower() if options.forecaster else None
        self._match: dict[str, bool] = {}
        self._group = options.group if options.group != "period" else None  # periods are kept anyway
        self._day_cells: dict[str | None, _Cell] = {}
        # you and everyone else, side by side (each final forecast in one of the two)
        self._you = (options.you or "").casefold() or None
        self._is_you: dict[str, bool] = {}
        self.split_you = (self._compact(options.n_bins), self._compact(options.n_bins))
        self.n_late = 0  # late forecasts, when the rows carry their counts

    def matches(self, who: str) -> bool:
        if self._wanted is None:
            return True
        hit = self._match.get(who)
        if hit is None:
            hit = self._match[who] = who.strip().lower() == self._wanted
        return hit

    def _side(self, who: str) -> CompactAccumulator:
        """Your accumulator or everyone else's."""
        hit = self._is_you.get(who)
        if hit is None:
            hit = self._is_you[who] = self._you is not None and who.casefold() == self._you
        return self.split_you[0 if hit else 1]

    def _you_in(self, cell: _Cell) -> CompactAccumulator:
        """The user's accumulator in a period (for the headline's trend)."""
        if cell.you is None:
            cell.you = self._compact(self.options.n_bins)
        return cell.you

    def _group_acc(self, key: str) -> tuple[CompactAccumulator, list[int]]:
        acc = self.groups.get(key)
        if acc is None:
            acc = self.groups[key] = self._compact(self.options.n_bins)
            self.group_counts[key] = [0, 0]
        return acc, self.group_counts[key]

    def _cell(self, resolved) -> _Cell:
        """The accumulators of the period ``resolved`` (as read) falls in.

        SQLite's text is naive UTC: its first ten characters name the UTC day,
        and a day lying inside one period maps to it without parsing.
        """
        day = resolved[:10] if resolved.__class__ is str else None
        cell = self._day_cells.get(day)
        if cell is None:
            when = as_utc(resolved)
            whole_day = self.periods.day_key(when)
            key = whole_day if whole_day is not None else self.periods.exact(when)
            cell = self.cells.get(key)
            if cell is None:
                cell = self.cells[key] = _Cell(self.options.n_bins, self._exact)
            if day is not None and whole_day is not None:
                self._day_cells[day] = cell
        return cell

    def _claim_groups(self, source: str | None, tags: list[str] | None) -> list:
        if self._group == "claim-source":
            return [self._group_acc(source or NO_SOURCE)]
        if self._group == "tag":
            return [self._group_acc(t) for t in (tags or [NO_TAG])]
        return []

    def _add(self, cell: _Cell, targets, p: float, back, o: int | None, w: float = 1) -> None:
        if o is None:
            cell.n_excluded += 1
            for _, counts in targets:
                counts[0] += 1
            return
        cell.split[1 if back else 0].add(p, o, w)
        for acc, counts in targets:
            acc.add(p, o, w)
            if back:
                counts[1] += 1

    def final_rows(self, rows, tags: _Tags | None) -> None:
        """Every row of :func:`.final.final_query`: one per claim and
        forecaster, in claim order (one loop: this runs once per final forecast)."""
        plain = self._wanted is None and self._group is None
        by_forecaster = self._group == "forecaster"
        by_call = self._group == "source"  # sources on their own calls: the SOURCE slot holds the kind
        add_claim = self.relative.add_claim
        is_you = self._is_you
        you_name = self._you
        # (period cell, backfilled, yours, p, outcome) -> how many: the
        # accumulators get each distinct key once, after the loop
        tally: dict = {}
        get = tally.get
        current = o = cell = None
        finals: dict = {}
        targets = ()
        late = 0
        for cid, outcome, resolved, source, who, p, back, key, n_late in rows:
            if cid != current:  # a new claim: compare the last one's forecasters
                if o is not None and len(finals) > 1:
                    add_claim(finals, o)
                if len(tally) > TALLY_LIMIT:  # (probabilities of many digits: memory stays flat)
                    self._tallied(tally)
                    tally.clear()
                current, finals, o, cell = cid, {}, outcome, None
                if not plain and not by_call:
                    targets = self._claim_groups(source, tags.of(cid) if tags is not None else None)
            late += n_late
            if not key:  # this forecaster's forecasts all came after the resolution
                continue
            if cell is None:  # (a claim with only late forecasts opens no period)
                cell = self._cell(resolved)
            finals[who] = p
            if o is None:
                if plain:
                    cell.n_excluded += 1
                    continue
            elif self._wanted is None or self.matches(who):
                mine = is_you.get(who)
                if mine is None:
                    mine = is_you[who] = you_name is not None and who.casefold() == you_name
                k = (cell, back if plain else None, mine, p, o)
                tally[k] = get(k, 0) + 1
            if plain:
                continue
            if self._wanted is None or self.matches(who):
                if by_call:
                    targets = [self._group_acc(who)] if source in CLAIMANT_KINDS else ()
                self._add(cell, [self._group_acc(who)] if by_forecaster else targets, p, back, o)
        if o is not None and len(finals) > 1:
            add_claim(finals, o)
        self.n_late += late
        self._tallied(tally)

    def _tallied(self, tally: dict) -> None:
        """Hand :meth:`final_rows`' counts to the accumulators."""
        for (cell, back, mine, p, o), k in tally.items():
            if back is not None:  # (plain: the period's own split is tallied here too)
                cell.split[1 if back else 0].add(p, o, k)
            self.split_you[0 if mine else 1].add(p, o, k)
            if mine:
                self._you_in(cell).add(p, o, k)

    def weighted_claim(self, head, per: list, tags: list[str] | None) -> None:
        """One claim's forecasts from :func:`.final.stream_query`, by forecaster."""
        o = head[OUTCOME]
        resolved_at = as_utc(head[RESOLVED])
        cell = self._cell(head[RESOLVED])
        claim_groups = self._claim_groups(head[SOURCE], tags)
        finals = {}
        for who, pick in per:
            weights = time_weights([as_utc(r[EXTRA]) for r in pick], resolved_at)
            finals[who] = pick[-1][P]
            if self._wanted is not None and not self.matches(who):
                continue
            if self._group == "source":
                targets = [self._group_acc(who)] if pick[-1][SOURCE] in CLAIMANT_KINDS else []
            else:
                targets = [self._group_acc(who)] if self._group == "forecaster" else claim_groups
            for r, w in zip(pick, weights):
                if w > 0.0:
                    self._add(cell, targets, r[P], r[BACK], o, w)
                    if o is not None:
                        acc = self._side(who)
                        acc.add(r[P], o, w)
                        if acc is self.split_you[0]:
                            self._you_in(cell).add(r[P], o, w)
        if o is not None:
            self.relative.add_claim(finals, o)

    def result(self) -> dict:
        opts = self.options
        n_bins = opts.n_bins
        contemporaneous, backfilled = self._exact(n_bins), self._exact(n_bins)
        n_excluded = 0
        periods = []
        for key in self.periods.span(self.cells):  # empty periods too: the trend shows gaps
            cell = self.cells.get(key)
            if cell is None:
                empty = self._exact(n_bins).result()
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
            you = (opts.you or "").casefold()
            groups.sort(key=lambda g: (g.key.casefold() != you, -g.scores.summary.n, -g.scores.n_excluded, g.key))
        relative = [r for name, r in self.relative.result().items() if self.matches(name)]
        bf = backfilled.result()
        you, others = (acc.result() for acc in self.split_you)
        you_periods = ()
        if self._you is not None:
            you_periods = tuple(
                PeriodRow(row.key, row.start, row.end, Scores(self.cells[row.key].you.result(), 0, 0))
                for row in periods if row.key in self.cells and self.cells[row.key].you is not None)
        return dict(
            you=you if self._you is not None else None, others=others if self._you is not None else None,
            you_periods=you_periods,
            overall=Scores(contemporaneous.merge(backfilled).result(), n_excluded, bf.n),
            contemporaneous=contemporaneous.result(), backfilled=bf,
            groups=tuple(groups), periods=tuple(periods), relative=tuple(relative),
        )


def score_ledger(session: Session, options: ReportOptions) -> dict:
    """The score parts of a report (see :class:`Report`), from one streaming pass."""
    dialect = session.get_bind().dialect.name
    conn = session.connection()  # Core, without the ORM's per-row work
    collector = _Collector(options)
    tags = _Tags(conn, options, dialect, CHUNK) if options.group == "tag" else None
    if options.scoring == "final":
        collector.final_rows(chain.from_iterable(rf.plain_rows(conn, rf.final_query(options, dialect), CHUNK)), tags)
        late_counted = rf.late_in_final_rows(dialect)
    else:
        chunks = rf.plain_rows(conn, rf.stream_query(options, dialect), CHUNK)
        for head, per in _weighted_claims(chain.from_iterable(chunks)):
            collector.weighted_claim(head, per, tags.of(head[CID]) if tags is not None else None)
        late_counted = False
    n_late = collector.n_late if late_counted else rf.count_late(conn, options, dialect)
    return {**collector.result(), "n_after_resolution": n_late}


def build_report(db: Database, options: ReportOptions | None = None) -> Report:
    """Score the ledger and list the period's resolved and overdue claims."""
    from claimtrack.services.report.claims import overdue_claims, resolved_claims
    from claimtrack.services.report.kinds import by_kind
    from claimtrack.services.verify_claims import current_heads

    options = options or ReportOptions()
    now = options.now or utcnow()
    with db.read() as session:
        parts = score_ledger(session, options)
        resolved, n_resolved = resolved_claims(session, options)
        overdue, n_overdue = overdue_claims(session, options, now)
        heads = current_heads(session)
        kinds = by_kind(session, options)
    return Report(chain_heads=heads, by_kind=kinds,
        options=options, generated_at=now, period_start=options.since,
        period_end=options.until or now, resolved_claims=resolved, n_resolved_claims=n_resolved,
        overdue_claims=overdue, n_overdue_claims=n_overdue, **parts,
    )
