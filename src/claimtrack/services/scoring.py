"""Scores from the ledger: which forecasts count, streamed into the domain scorers.

The full report lives in :mod:`claimtrack.services.report.data`; this module
keeps the one-line headline of the bare ``claimtrack`` command, computed in
SQL with the same rule (each forecaster's last forecast made at or before
the claim's current resolution, never one flagged ``after_resolution``, on
active claims resolved yes or no).
"""

from __future__ import annotations

from sqlalchemy import String, and_, case, false, func, literal_column, select, type_coerce

from claimtrack.db import models as m
from claimtrack.db.engine import Database


def sqlite_latest_key():
    """On SQLite, a text that orders forecasts exactly like (made_at, id).

    ``made_at`` (fixed-format text), a byte below any character of a date,
    then the id at a fixed 19 digits.  ``max()`` of it picks a forecaster's
    latest forecast, a tie on ``made_at`` going to the one recorded later;
    SQLite documents that a query's other (bare) columns then come from
    that same row.  One pass over the (claim_id, forecaster, made_at)
    index, where a window function would sort.
    """
    f = m.Forecast
    return (type_coerce(f.made_at, String) + literal_column("char(1)")
            + type_coerce((f.id + 10 ** 18).self_group(), String))


def final_forecasts_query(dialect: str | None = None):
    """Each forecaster's last forecast made at or before the claim's resolution,
    on active claims resolved yes or no: (claim_id, forecaster, probability, outcome, kind)."""
    f, c = m.Forecast, m.Claim
    if dialect == "sqlite":
        # `status || ''` and `id + 0` keep the planner on reading claims by id and
        # their forecasts through the (claim_id, forecaster, made_at) index: no sort
        picked = (
            select(c.id.label("claim_id"), f.forecaster, f.probability, c.outcome, f.kind,
                   func.max(sqlite_latest_key()).label("latest"))
            .select_from(c).join(f, f.claim_id == c.id + 0)
            .where(c.status.concat("") == "active", c.outcome.in_(("yes", "no")), f.after_resolution == false(),
                   f.made_at < c.resolved_at)
            .group_by(c.id, f.forecaster)
            .subquery()
        )
        return select(picked.c.claim_id, picked.c.forecaster, picked.c.probability, picked.c.outcome, picked.c.kind)
    ranked = (
        select(
            f.claim_id, f.forecaster, f.probability, c.outcome, f.kind,
            func.row_number().over(partition_by=(f.claim_id, f.forecaster),
                                   order_by=(f.made_at.desc(), f.id.desc())).label("rn"),
        )
        .join(c, c.id == f.claim_id)
        .where(and_(c.status == "active", c.outcome.in_(("yes", "no")), f.after_resolution == false(),
                    f.made_at < c.resolved_at))
        .subquery()
    )
    return select(ranked.c.claim_id, ranked.c.forecaster, ranked.c.probability, ranked.c.outcome,
                  ranked.c.kind).where(ranked.c.rn == 1)


def headline(db: Database, me: str | None = None) -> str | None:
    """One line for the bare command: Brier (0-1) over final forecasts, with n;
    with ``me``, the user's own first, then everyone else's."""
    rows = final_forecasts_query(db.dialect).subquery()
    err = rows.c.probability - case((rows.c.outcome == "yes", 1.0), else_=0.0)
    with db.read() as session:
        per = session.execute(select(func.lower(rows.c.forecaster), func.count(), func.sum(err * err))
                              .group_by(func.lower(rows.c.forecaster))).all()
    n = sum(r[1] for r in per)
    if not n:
        return None
    total = sum(r[2] for r in per)
    if me is None:
        return f"Brier {total / n:.3f} (0-1 scale, lower is better) over {n} final forecasts"
    mine = [r for r in per if r[0] == me.lower()]
    rest_n, rest = n - sum(r[1] for r in mine), total - sum(r[2] for r in mine)
    others = f"everyone else {rest / rest_n:.3f} over {rest_n}" if rest_n else "no one else scored yet"
    if not mine:
        return f"you ({me}) have no scored forecasts yet; {others} (Brier, 0-1, lower is better)"
    return (f"your Brier {mine[0][2] / mine[0][1]:.3f} over {mine[0][1]} resolved claims; {others} "
            "(0-1 scale, lower is better)")
