"""The claim lists every report carries: resolved in its period, and overdue.

Both are capped at ``options.max_claims`` (newest resolutions first; the
longest-overdue first) and come with their full counts.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import and_, false, func, select
from sqlalchemy.orm import Session

from claimtrack.db import models as m
from claimtrack.domain.filters import ClaimFilter
from claimtrack.domain.scoring import final_forecasts
from claimtrack.services.queries import list_claims_in
from claimtrack.services.report.final import claim_conditions
from claimtrack.services.report.model import ClaimLine, ReportOptions, ScoredForecast


class _Row(NamedTuple):
    forecaster: str
    probability: float
    made_at: datetime
    backfilled: bool


def _wanted(options: ReportOptions):
    name = options.forecaster.strip().lower() if options.forecaster else None
    return lambda who: name is None or who.strip().lower() == name


def resolved_claims(session: Session, options: ReportOptions) -> tuple[tuple[ClaimLine, ...], int]:
    """Claims resolved in the period (any outcome), with their scored forecasts."""
    c, f = m.Claim, m.Forecast
    conds = claim_conditions(options, session.get_bind().dialect.name)
    total = session.execute(select(func.count()).select_from(c).where(and_(*conds))).scalar_one()
    if not options.max_claims or not total:
        return (), total
    claims = session.execute(
        select(c.id, c.uuid, c.statement, c.source, c.source_url, c.resolve_by, c.outcome, c.resolved_at)
        .where(and_(*conds)).order_by(c.resolved_at.desc(), c.id.desc()).limit(options.max_claims)
    ).all()
    ids = [row.id for row in claims]
    tags: dict[int, list[str]] = {i: [] for i in ids}
    for cid, tag in session.execute(select(m.ClaimTag.claim_id, m.ClaimTag.tag)
                                    .where(m.ClaimTag.claim_id.in_(ids)).order_by(m.ClaimTag.tag)):
        tags[cid].append(tag)
    query = (select(f.claim_id, f.forecaster, f.probability, f.made_at, f.backfilled)
             .join(c, c.id == f.claim_id)
             .where(f.claim_id.in_(ids), f.after_resolution == false(), f.made_at < c.resolved_at)
             .order_by(f.claim_id, f.made_at, f.id))
    if options.exclude_backfilled:
        query = query.where(f.backfilled == false())
    by_claim: dict[int, list[_Row]] = {i: [] for i in ids}
    for cid, who, p, made_at, back in session.execute(query):
        by_claim[cid].append(_Row(who, p, made_at, bool(back)))
    evidence = _resolution_notes(session, ids)
    wanted = _wanted(options)
    lines = []
    for row in claims:
        chosen = final_forecasts(by_claim[row.id], row.resolved_at)
        lines.append(ClaimLine(
            id=row.id, uuid=row.uuid, statement=row.statement, source=row.source, source_url=row.source_url,
            tags=tuple(tags[row.id]), resolve_by=row.resolve_by, outcome=row.outcome, resolved_at=row.resolved_at,
            forecasts=tuple(ScoredForecast(x.forecaster, x.probability, x.backfilled)
                            for x in chosen if wanted(x.forecaster)),
            resolution_note=evidence.get(row.id, (None, None))[0], evidence_url=evidence.get(row.id, (None, None))[1],
        ))
    return tuple(lines), total


def _resolution_notes(session: Session, ids: list[int]) -> dict[int, tuple[str | None, str | None]]:
    """(note, evidence link) of each claim's current (last) resolution."""
    r = m.resolutions.c
    current = select(func.max(r.id)).where(r.claim_id.in_(ids)).group_by(r.claim_id)
    rows = session.execute(select(r.claim_id, r.note, r.evidence_url).where(r.id.in_(current))).all()
    return {cid: (note, url) for cid, note, url in rows}


def overdue_claims(session: Session, options: ReportOptions, now: datetime) -> tuple[tuple[ClaimLine, ...], int]:
    """Open claims past their resolve-by date (whatever the period), longest overdue first."""
    flt = ClaimFilter(state="overdue", tags=options.tags, source=options.source,
                      forecaster=options.forecaster, now=now)
    total = _count_overdue(session, options, now)
    shown = list_claims_in(session, flt, limit=options.max_claims) if options.max_claims and total else []
    lines = tuple(
        ClaimLine(
            id=s.id, uuid=s.uuid, statement=s.statement, source=s.source, source_url=s.source_url,
            tags=s.tags, resolve_by=s.resolve_by, outcome=None, resolved_at=None,
            forecasts=() if s.probability is None else (ScoredForecast(s.forecaster or "", s.probability, False),),
        )
        for s in shown
    )
    return lines, total


def _count_overdue(session: Session, options: ReportOptions, now: datetime) -> int:
    c = m.Claim
    conds = [c.status == "active", c.outcome.is_(None), c.resolve_by < now]
    if options.source:
        conds.append(func.lower(c.source) == options.source.strip().lower())
    query = select(func.count()).select_from(c).where(and_(*conds))
    for tag in options.tags:
        query = query.where(select(m.ClaimTag.tag).where(m.ClaimTag.claim_id == c.id, m.ClaimTag.tag == tag).exists())
    if options.forecaster:
        query = query.where(select(m.Forecast.id).where(
            m.Forecast.claim_id == c.id, func.lower(m.Forecast.forecaster) == options.forecaster.strip().lower()).exists())
    return session.execute(query).scalar_one()
