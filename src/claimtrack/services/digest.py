"""What changed in the ledger since a moment: the data of ``claimtrack digest``.

- resolved: claims whose current resolution was *recorded* since then (a
  resolution dated earlier but typed in this week is news this week), with
  your number, the note and the evidence link;
- new: active claims recorded since then, and how many drafts arrived;
- attention now: overdue and due-soon counts, and the claims whose own last
  forecast is stale (the review queue's rule and setting);
- the score change: your Brier on final forecasts over every claim resolved
  now, against the same over the claims resolved before the window opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select

from claimtrack.db import models as m
from claimtrack.db.engine import Database
from claimtrack.domain.dates import utcnow
from claimtrack.domain.records import ClaimSummary

MAX_LISTED = 50  # claims listed per section; the counts stay whole


@dataclass(frozen=True)
class ResolvedLine:
    claim: ClaimSummary  # with your number (``mine``) filled in
    note: str | None
    evidence_url: str | None
    resolved_by: str | None


@dataclass(frozen=True)
class Brier:
    brier: float | None
    n: int


@dataclass(frozen=True)
class Digest:
    since: datetime
    until: datetime
    me: str
    resolved: tuple[ResolvedLine, ...]
    n_resolved: int
    new: tuple[ClaimSummary, ...]
    n_new: int
    n_new_drafts: int
    stale: tuple  # services.review.QueueItem, oldest forecast first
    n_stale: int
    n_overdue: int
    n_due_soon: int
    stale_days: int
    score_now: Brier  # your Brier over everything resolved up to now
    score_before: Brier  # ... over what was resolved before ``since``
    score_window: Brier  # ... over the claims resolved in the window

    @property
    def score_change(self) -> float | None:
        if self.score_now.brier is None or self.score_before.brier is None:
            return None
        return self.score_now.brier - self.score_before.brier


def build_digest(db: Database, me: str, since: datetime, *, now: datetime | None = None,
                 stale_days: int | None = None, limit: int = MAX_LISTED) -> Digest:
    from claimtrack.services.queries import SUMMARY_COLUMNS, summaries
    from claimtrack.services.review import queue_in

    now = now or utcnow()
    if stale_days is None:
        from claimtrack.services.config import stale_days as configured

        stale_days = configured()
    c, r = m.Claim, m.resolutions.c
    with db.read() as session:
        later = m.resolutions.alias("later")
        current = select(func.max(later.c.id)).where(later.c.claim_id == c.id).scalar_subquery()
        resolved_where = and_(c.status == "active", c.outcome.is_not(None), r.id == current,
                              r.recorded_at >= since, r.recorded_at <= now)
        n_resolved = session.execute(select(func.count()).select_from(c).join(m.resolutions, r.claim_id == c.id)
                                     .where(resolved_where)).scalar_one()
        rows = session.execute(
            select(*SUMMARY_COLUMNS, r.note, r.evidence_url, r.resolved_by)
            .join(m.resolutions, r.claim_id == c.id).where(resolved_where)
            .order_by(r.recorded_at.desc(), c.id).limit(limit)
        ).all()
        resolved = tuple(ResolvedLine(claim, row.note, row.evidence_url, row.resolved_by)
                         for claim, row in zip(summaries(session, rows, me), rows))

        new_where = and_(c.recorded_at >= since, c.recorded_at <= now)
        counts = dict(session.execute(select(c.status, func.count()).where(new_where).group_by(c.status)).all())
        new = _new_claims(session, since, now, me, limit)
        queue = queue_in(session, me, now=now, stale_days=stale_days)
    stale = tuple(item for item in queue if item.reason == "stale")
    return Digest(
        since=since, until=now, me=me, resolved=resolved, n_resolved=n_resolved,
        new=new, n_new=counts.get("active", 0), n_new_drafts=counts.get("draft", 0),
        stale=stale[:limit], n_stale=len(stale),
        n_overdue=sum(item.reason == "overdue" for item in queue),
        n_due_soon=sum(item.reason == "due" for item in queue), stale_days=stale_days,
        **_scores(db, me, since, now),
    )


def _new_claims(session, since: datetime, now: datetime, me: str, limit: int) -> tuple[ClaimSummary, ...]:
    from claimtrack.services.queries import SUMMARY_COLUMNS, summaries

    c = m.Claim
    rows = session.execute(
        select(*SUMMARY_COLUMNS).where(c.status == "active", c.recorded_at >= since, c.recorded_at <= now)
        .order_by(c.recorded_at.desc(), c.id.desc()).limit(limit)
    ).all()
    return tuple(summaries(session, rows, me))


def _scores(db: Database, me: str, since: datetime, now: datetime) -> dict[str, Brier]:
    """Your Brier (0-1) on final forecasts of claims resolved (by resolution
    date) before ``now`` (score_now), before ``since`` (score_before) and
    in between (score_window): one query."""
    from claimtrack.domain.dates import to_utc
    from claimtrack.services.scoring import final_forecasts_query

    finals = final_forecasts_query(db.dialect).subquery()
    c = m.claims.c
    with db.read() as session:
        rows = session.execute(select(finals.c.probability, finals.c.outcome, c.resolved_at)
                               .join(m.claims, c.id == finals.c.claim_id)
                               .where(func.lower(finals.c.forecaster) == me.strip().lower(),
                                      c.resolved_at < now)).all()
    sums = {"score_now": [0.0, 0], "score_before": [0.0, 0], "score_window": [0.0, 0]}
    for p, outcome, resolved_at in rows:
        err = (float(p) - (1.0 if outcome == "yes" else 0.0)) ** 2
        for key in ("score_now", "score_before" if to_utc(resolved_at) < since else "score_window"):
            sums[key][0] += err
            sums[key][1] += 1
    return {key: Brier(total / n if n else None, n) for key, (total, n) in sums.items()}
