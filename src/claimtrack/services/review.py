"""The weekly review: what needs your attention, deferring a due date, and
the session's summary.  Used by the UI's review mode and ``claimtrack review``.

The queue, in this order, each claim once (under its first reason):

- ``overdue``: open claims whose due date has passed (longest overdue first);
- ``due``: open claims due within 7 days (soonest first);
- ``stale``: open claims with your own last forecast older than the
  ``stale_days`` setting (default 30; oldest first);
- ``draft``: drafts waiting in the inbox (oldest first).

Writes go through the ordinary services, one transaction each: resolve and
forecast through :mod:`.ledger`, a deferral as an edit of the due date
through :mod:`.claim_edits` (kept in the claim's chained history).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from claimtrack.db import models as m
from claimtrack.db.engine import Database
from claimtrack.domain import review as rules
from claimtrack.domain.dates import to_utc, user_timezone, utcnow
from claimtrack.domain.errors import Conflict
from claimtrack.domain.filters import DEFAULT_DUE_WITHIN, ClaimFilter
from claimtrack.domain.records import ClaimSummary


@dataclass(frozen=True)
class QueueItem:
    claim: ClaimSummary
    reason: str  # one of domain.review.REASONS
    why: str  # the reason in words: "overdue by 5 days", "due in 3 days", ...
    last_forecast_at: datetime | None = None  # your last forecast (stale items)


def review_queue(db: Database, me: str, *, now: datetime | None = None, stale_days: int | None = None,
                 due_within: timedelta = DEFAULT_DUE_WITHIN) -> list[QueueItem]:
    """Everything that needs attention, in review order (see the module docstring)."""
    with db.read() as session:
        return queue_in(session, me, now=now, stale_days=stale_days, due_within=due_within)


def queue_in(session: Session, me: str, *, now: datetime | None = None, stale_days: int | None = None,
             due_within: timedelta = DEFAULT_DUE_WITHIN) -> list[QueueItem]:
    from claimtrack.services.queries import list_claims_in

    now = now or utcnow()
    stale_days = stale_days_or_configured(stale_days)
    base = ClaimFilter(now=now, due_within=due_within)
    items: list[QueueItem] = []
    for c in list_claims_in(session, base.with_state("overdue"), me=me):
        items.append(QueueItem(c, "overdue", rules.why_overdue(c.resolve_by, now)))
    for c in list_claims_in(session, base.with_state("due"), me=me):
        if c.resolve_by is not None and c.resolve_by >= now:
            items.append(QueueItem(c, "due", rules.why_due(c.resolve_by, now)))
    for c, last in _stale(session, me, now, stale_days, due_within):
        items.append(QueueItem(c, "stale", rules.why_stale(last, now, stale_days), last))
    for c in list_claims_in(session, base.with_state("draft"), sort="made", me=me):
        items.append(QueueItem(c, "draft", rules.why_draft(c.source)))
    return items


def _stale(session: Session, me: str, now: datetime, stale_days: int, due_within: timedelta):
    """Open claims not due within ``due_within`` whose newest forecast by
    ``me`` (case-insensitive) was made more than ``stale_days`` ago: (claim, that date)."""
    from claimtrack.services.queries import summaries

    q = stale_candidates(me, now, due_within).c
    rows = session.execute(select(q).where(q.last < stale_before(now, stale_days)).order_by(q.last, q.id)).all()
    return [(claim, to_utc(r.last)) for claim, r in zip(summaries(session, rows, me), rows)]


def stale_candidates(me: str, now: datetime, due_within: timedelta):
    """A subquery of the open claims not due within ``due_within``: their
    summary columns (services.queries.SUMMARY_COLUMNS) and ``last``, the time
    of ``me``'s newest forecast on each (case-insensitive; NULL for none),
    read per claim through the (claim_id, forecaster, made_at) index.  The
    stale ones have ``last < stale_before(...)`` (the queue, its count and its pages)."""
    from claimtrack.services.queries import SUMMARY_COLUMNS

    f, c = m.forecasts.c, m.Claim
    last = (select(func.max(f.made_at)).where(f.claim_id == c.id, func.lower(f.forecaster) == me.strip().lower())
            .correlate(m.claims).scalar_subquery())
    return (select(*SUMMARY_COLUMNS, last.label("last"))
            .where(c.status == "active", c.outcome.is_(None), or_(c.resolve_by.is_(None), c.resolve_by > now + due_within))
            .subquery())


def stale_before(now: datetime, stale_days: int) -> datetime:
    """A forecast made before this is stale."""
    return now - timedelta(days=stale_days)


def stale_days_or_configured(stale_days: int | None) -> int:
    """``stale_days``, or the configured stale age when None."""
    if stale_days is not None:
        return stale_days
    from claimtrack.services.config import stale_days as configured

    return configured()


def count_queue(db: Database, me: str, *, now: datetime | None = None, stale_days: int | None = None,
                due_within: timedelta = DEFAULT_DUE_WITHIN) -> dict[str, int]:
    """``queue_counts(review_queue(...))`` counted in SQL, without building the
    claims (the UI's score line: thousands of overdue claims on a big ledger)."""
    from claimtrack.services.queries import claim_conditions

    now = now or utcnow()
    stale_days = stale_days_or_configured(stale_days)
    base = ClaimFilter(now=now, due_within=due_within)
    c = m.Claim
    stale = stale_candidates(me, now, due_within)

    def count(*conds) -> int:
        return session.execute(select(func.count()).select_from(c).where(*conds)).scalar_one()

    with db.read() as session:
        counts = {
            "overdue": count(*claim_conditions(base.with_state("overdue"), now)),
            "due": count(*claim_conditions(base.with_state("due"), now), c.resolve_by >= now),
            "stale": session.execute(select(func.count()).select_from(stale)
                                     .where(stale.c.last < stale_before(now, stale_days))).scalar_one(),
            "draft": count(*claim_conditions(base.with_state("draft"), now)),
        }
    return dict(dict.fromkeys(rules.REASONS, 0), **counts)


def queue_counts(items: list[QueueItem]) -> dict[str, int]:
    """How many items of each reason (every reason present, zeros included)."""
    counts = dict.fromkeys(rules.REASONS, 0)
    for item in items:
        counts[item.reason] += 1
    return counts


def defer(db: Database, claim_id: int, choice: str, *, me: str | None = None, now: datetime | None = None,
          expected_revision: int | None = None) -> ClaimSummary:
    """Push an open claim's due date back: ``+1w``, ``+1m`` or a date (see
    domain.review.defer_target), recorded as an edit of its due date."""
    from claimtrack.services.claim_edits import edit_claim

    now = now or utcnow()
    current = claim_summary(db, claim_id)
    if current.outcome is not None:
        raise Conflict(f"claim {claim_id} is already resolved {current.outcome}: there is no due date to defer")
    target = rules.defer_target(choice, current.resolve_by, now, user_timezone())
    return edit_claim(db, claim_id, edited_by=me, expected_revision=expected_revision, resolve_by=target)


def claim_summary(db: Database, claim_id: int, me: str | None = None) -> ClaimSummary:
    """One claim as a list row (with your numbers when ``me`` is given)."""
    from claimtrack.services import convert
    from claimtrack.services.ledger import load_claim
    from claimtrack.services.views import with_views

    with db.read() as session:
        return with_views(session, [convert.claim_summary(load_claim(session, claim_id))], me)[0]


@dataclass
class Tally:
    """What a review session did (the UI and ``claimtrack review`` count the same)."""

    resolved: int = 0
    updated: int = 0
    deferred: int = 0
    skipped: int = 0
    accepted: int = 0
    rejected: int = 0
    ids: dict[str, list[int]] = field(default_factory=dict)

    def note(self, what: str, claim_id: int) -> None:
        setattr(self, what, getattr(self, what) + 1)
        self.ids.setdefault(what, []).append(claim_id)


@dataclass(frozen=True)
class QuarterScores:
    this_label: str
    this_brier: float | None
    this_n: int
    last_label: str
    last_brier: float | None
    last_n: int


def quarter_scores(db: Database, me: str, *, now: datetime | None = None) -> QuarterScores:
    """Your Brier (0-1) on final forecasts of claims resolved this quarter and
    last quarter (quarters in your time zone), with n; the report's rule."""
    from claimtrack.domain.dates import parse_date
    from claimtrack.services.scoring import final_forecasts_query

    tz = user_timezone()
    now = now or utcnow()
    today = now.astimezone(tz).date()
    this_day, last_day = rules.quarter_start(today), rules.previous_quarter_start(today)
    this_start, last_start = (parse_date(d.isoformat(), role="made", now=now, tz=tz) for d in (this_day, last_day))
    finals = final_forecasts_query(db.dialect).subquery()
    c = m.claims.c
    with db.read() as session:
        rows = session.execute(
            select(finals.c.probability, finals.c.outcome, c.resolved_at)
            .join(m.claims, c.id == finals.c.claim_id)
            .where(func.lower(finals.c.forecaster) == me.strip().lower(), c.resolved_at >= last_start,
                   c.resolved_at <= now)
        ).all()
    sums = {"this": [0.0, 0], "last": [0.0, 0]}
    for p, outcome, resolved_at in rows:
        key = "this" if to_utc(resolved_at) >= this_start else "last"
        sums[key][0] += (float(p) - (1.0 if outcome == "yes" else 0.0)) ** 2
        sums[key][1] += 1
    return QuarterScores(
        rules.quarter_label(this_day), sums["this"][0] / sums["this"][1] if sums["this"][1] else None,
        sums["this"][1], rules.quarter_label(last_day),
        sums["last"][0] / sums["last"][1] if sums["last"][1] else None, sums["last"][1])


def summary_line(tally: Tally, scores: QuarterScores | None) -> str:
    """"resolved 4, updated 3, deferred 2, skipped 1; your Brier this quarter 0.18 (last quarter 0.21)"."""
    parts = [f"resolved {tally.resolved}", f"updated {tally.updated}", f"deferred {tally.deferred}",
             f"skipped {tally.skipped}"]
    if tally.accepted or tally.rejected:
        parts += [f"accepted {tally.accepted}", f"rejected {tally.rejected}"]
    text = ", ".join(parts)
    if scores is None:
        return text
    if scores.this_brier is None:
        score = "no scored forecasts of yours resolved this quarter yet"
    else:
        score = f"your Brier this quarter {scores.this_brier:.2f} over {scores.this_n}"
    if scores.last_brier is not None:
        score += f" (last quarter {scores.last_brier:.2f} over {scores.last_n})"
    return f"{text}; {score}"


def session_summary(db: Database, me: str, tally: Tally, *, now: datetime | None = None) -> str:
    return summary_line(tally, quarter_scores(db, me, now=now))
