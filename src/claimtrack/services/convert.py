"""ORM rows and result rows to the plain dataclasses services hand upward."""

from __future__ import annotations

from claimtrack.db import models as m
from claimtrack.domain.records import ClaimSummary, Edit, Forecast, Resolution


def claim_summary(c: m.Claim, tags: tuple[str, ...] | None = None) -> ClaimSummary:
    return ClaimSummary(
        id=c.id,
        uuid=c.uuid,
        statement=c.statement,
        source=c.source,
        source_url=c.source_url,
        stated_at=c.stated_at,
        recorded_at=c.recorded_at,
        resolve_by=c.resolve_by,
        status=c.status,
        tags=tags if tags is not None else tuple(t.tag for t in c.tags),
        probability=c.last_probability,
        forecaster=c.last_forecaster,
        n_forecasts=c.n_forecasts,
        outcome=c.outcome,
        resolved_at=c.resolved_at,
        revision=c.revision,
    )


def forecast(f: m.Forecast) -> Forecast:
    return Forecast(
        id=f.id, uuid=f.uuid, claim_id=f.claim_id, forecaster=f.forecaster,
        probability=f.probability, made_at=f.made_at, recorded_at=f.recorded_at,
        rationale=f.rationale, backfilled=f.backfilled, after_resolution=f.after_resolution,
    )


def resolution(r: m.Resolution) -> Resolution:
    return Resolution(
        id=r.id, uuid=r.uuid, claim_id=r.claim_id, outcome=r.outcome,
        resolved_at=r.resolved_at, note=r.note, evidence_url=r.evidence_url,
        resolved_by=r.resolved_by, recorded_at=r.recorded_at,
    )


def edit(e: m.ClaimEdit) -> Edit:
    return Edit(
        id=e.id, claim_id=e.claim_id, field=e.field, old_value=e.old_value,
        new_value=e.new_value, edited_at=e.edited_at, edited_by=e.edited_by,
    )
