"""Scores from the ledger: which forecasts count, streamed into the domain scorers.

The full report lives in :mod:`claimtrack.services.report_data`; this module
keeps the one-line headline of the bare ``claimtrack`` command, computed in
SQL with the same rule (each forecaster's last forecast made at or before
the claim's current resolution, never one flagged ``after_resolution``, on
active claims resolved yes or no).
"""

from __future__ import annotations

from sqlalchemy import and_, case, false, func, select

from claimtrack.db import models as m
from claimtrack.db.engine import Database


def final_forecasts_query(dialect: str | None = None):
    """Each forecaster's last forecast made at or before the claim's resolution,
    on active claims resolved yes or no: (claim_id, forecaster, probability, outcome)."""
    f, c = m.Forecast, m.Claim
    # On SQLite, keep the planner off the (status, outcome, resolve_by) index so
    # that it reads forecasts in (claim_id, forecaster, made_at) index order: 4x faster.
    status = c.status.concat("") if dialect == "sqlite" else c.status
    ranked = (
        select(
            f.claim_id, f.forecaster, f.probability, c.outcome,
            func.row_number().over(partition_by=(f.claim_id, f.forecaster),
                                   order_by=(f.made_at.desc(), f.id.desc())).label("rn"),
        )
        .join(c, c.id == f.claim_id)
        .where(and_(status == "active", c.outcome.in_(("yes", "no")), f.after_resolution == false(),
                    f.made_at <= c.resolved_at))
        .subquery()
    )
    return select(ranked.c.claim_id, ranked.c.forecaster, ranked.c.probability, ranked.c.outcome).where(ranked.c.rn == 1)


def headline(db: Database) -> str | None:
    """One line for the bare command: Brier (0-1) over final forecasts, with n."""
    rows = final_forecasts_query(db.dialect).subquery()
    err = rows.c.probability - case((rows.c.outcome == "yes", 1.0), else_=0.0)
    with db.read() as session:
        n, total = session.execute(select(func.count(), func.sum(err * err))).one()
    if not n:
        return None
    return f"Brier {total / n:.3f} (0-1 scale, lower is better) over {n} final forecasts"
