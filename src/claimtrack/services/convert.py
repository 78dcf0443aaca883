"""ORM rows and result rows to the plain dataclasses services hand upward."""

from __future__ import annotations

from dataclasses import fields

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
        **question_spec(c),
    )


def question_spec(c) -> dict:
    """What a claim row asks (issue 12), as ClaimSummary's fields; binary for
    a row read without those columns."""
    qtype = getattr(c, "question_type", None) or "binary"
    if qtype == "binary":
        return {}
    from claimtrack.domain.distribution import options_from_text

    return {"question_type": qtype, "options": options_from_text(c.options), "ordered": bool(c.ordered),
            "unit": c.unit, "log_scale": bool(c.log_scale)}


def _copy(cls, row):
    """A record dataclass from an ORM row or result row with the same attribute names
    (a field the row lacks keeps its default)."""
    return cls(**{f.name: getattr(row, f.name) for f in fields(cls) if hasattr(row, f.name)})


def forecast(f: m.Forecast) -> Forecast:
    if f.distribution is None:
        return _copy(Forecast, f)
    from dataclasses import replace

    from claimtrack.domain.distribution import distribution_from_text

    return replace(_copy(Forecast, f), distribution=distribution_from_text(f.distribution))


def resolution(r: m.Resolution) -> Resolution:
    return _copy(Resolution, r)


def edit(e: m.ClaimEdit) -> Edit:
    return _copy(Edit, e)
