"""The SQL of a report: the claims in scope, and the forecasts it scores, read
as plain tuples straight from the DBAPI cursor.

``--scoring final`` (the default) lets SQL pick each forecaster's final
forecast on each claim, so Python sees one row per (claim, forecaster)
instead of every forecast:

* on SQLite, one ``GROUP BY claim_id, forecaster`` pass over the
  ``(claim_id, forecaster, made_at)`` index with a bare-column ``max()``:
  SQLite documents that the bare columns come from the row holding the
  maximum.  The maximised key is ``made_at``, a byte below any character
  of a date, then the id (fixed width), so it orders exactly like
  ``(made_at, id)`` and a tie on ``made_at`` goes to the forecast recorded
  later, as the domain rule says.  Only eligible forecasts (not flagged
  ``after_resolution``, made at or before the claim's current resolution)
  have a key; the late ones are counted in the same pass (``n_late``), so
  the report needs no second query.  The row carries only whether the
  maximum exists (``max(...) IS NOT NULL``, 1 or 0: the bare columns still
  come from its row), not the long key itself.  A (claim, forecaster) whose
  forecasts are all late still yields a row, with 0 there;
* elsewhere (PostgreSQL), ``ROW_NUMBER() OVER (PARTITION BY claim_id,
  forecaster ORDER BY made_at DESC, id DESC)`` over the eligible forecasts,
  and the late ones are counted by :func:`count_late`.

``--exclude-backfilled`` drops backfilled forecasts in WHERE, before the
final one is chosen.  Rows come in (claim_id, forecaster) order.

``--scoring time-weighted`` needs every eligible forecast:
:func:`stream_query` orders them like the index (claim, forecaster, time, id).
"""

from __future__ import annotations

from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    exists,
    false,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    type_coerce,
)

from claimtrack.db import models as m
from claimtrack.services.report.model import ReportOptions
from claimtrack.services.rows import plain_rows  # noqa: F401  (report.data reads rows through it)
from claimtrack.services.scoring import sqlite_latest_key

# column positions, shared by both queries' rows
CID, OUTCOME, RESOLVED, SOURCE, WHO, P, BACK, EXTRA, N_LATE = range(9)


def claim_conditions(options: ReportOptions, dialect: str, *, binary: bool = True) -> list:
    """Claims in the report's scope: active, resolved in the period, filters;
    yes/no claims, or (``binary=False``) choice, numeric and date claims
    resolved with a value (report.kinds)."""
    c = m.Claim
    # On SQLite, keep the planner off the (status, outcome, resolve_by) index:
    # reading claims by id, then their forecasts through the (claim_id,
    # forecaster, made_at) index, yields rows in the order we need, no sort.
    status = c.status.concat("") if dialect == "sqlite" else c.status
    # yes/no claims only: choice, numeric and date claims are scored apart (by_kind)
    kind = c.question_type == "binary" if binary else and_(c.question_type != "binary", c.outcome == "value")
    conds: list = [status == "active", c.outcome.is_not(None), kind]
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


def _conds(options: ReportOptions, dialect: str) -> list:
    """The claims in scope, and without backfilled forecasts if asked."""
    conds = claim_conditions(options, dialect)
    if options.exclude_backfilled:
        conds.append(m.Forecast.backfilled == false())
    return conds


def _eligible():
    f, c = m.Forecast, m.Claim
    return and_(f.after_resolution == false(), f.made_at < c.resolved_at)


def _late(options: ReportOptions):
    """Forecasts made after their claim's resolution (counted, never scored)."""
    f, c = m.Forecast, m.Claim
    late = or_(f.after_resolution, f.made_at >= c.resolved_at)
    if options.forecaster:
        late = and_(late, func.lower(f.forecaster) == options.forecaster.strip().lower())
    return late


def _claim_columns(options: ReportOptions):
    """id; outcome as 1 (yes), 0 (no) or None (ambiguous, void: excluded);
    the resolution time (SQLite's stored text, parsed once per claim by
    report.data.as_utc); the claim's source when grouping by claim-source,
    or the forecast's kind when grouping sources by their own calls.  Small
    ints and None cost Python nothing per row, strings an object each."""
    c = m.Claim
    outcome = case((c.outcome == "yes", literal_column("1")), (c.outcome == "no", literal_column("0")))
    source = {"claim-source": c.source, "source": m.Forecast.kind}.get(options.group, null())
    return [c.id, outcome, type_coerce(c.resolved_at, String), source]


def _sqlite_join():
    """``claims.id + 0`` cannot drive a primary-key lookup, so SQLite reads the
    claims in id order, tests each claim's conditions once, and reads its
    forecasts through the (claim_id, forecaster, made_at) index: rows arrive
    grouped and ordered with no sort, and forecasts of claims out of scope
    are never looked at."""
    return m.Forecast.claim_id == m.Claim.id + 0


def final_query(options: ReportOptions, dialect: str):
    """One row per (claim, forecaster): the final eligible forecast (see the module doc)."""
    c, f = m.Claim, m.Forecast
    if dialect == "sqlite":
        key = sqlite_latest_key()
        n_late = func.sum(case((_late(options), literal_column("1")), else_=literal_column("0")))
        return (select(*_claim_columns(options), f.forecaster, f.probability, f.backfilled,
                       func.max(case((_eligible(), key))).is_not(None), n_late)
                .select_from(c).join(f, _sqlite_join()).where(*_conds(options, dialect))
                .group_by(c.id, f.forecaster).order_by(c.id, f.forecaster))
    rank = func.row_number().over(partition_by=(f.claim_id, f.forecaster), order_by=(f.made_at.desc(), f.id.desc()))
    ranked = (select(*_claim_columns(options), f.forecaster, f.probability, f.backfilled, rank.label("rn"))
              .select_from(c).join(f, f.claim_id == c.id).where(*_conds(options, dialect), _eligible())
              .subquery())
    cols = list(ranked.c)[:-1]
    return (select(*cols, literal(1, Integer), literal(0, Integer)).where(ranked.c.rn == 1)
            .order_by(ranked.c.id, ranked.c.forecaster))


def stream_query(options: ReportOptions, dialect: str):
    """Every eligible forecast, ordered like the (claim_id, forecaster, made_at) index."""
    c, f = m.Claim, m.Forecast
    on, cid = (_sqlite_join(), c.id) if dialect == "sqlite" else (f.claim_id == c.id, f.claim_id)
    return (select(*_claim_columns(options), f.forecaster, f.probability, f.backfilled, type_coerce(f.made_at, String))
            .select_from(c).join(f, on).where(*_conds(options, dialect), _eligible())
            .order_by(cid, f.forecaster, f.made_at, f.id))


def late_in_final_rows(dialect: str) -> bool:
    """Whether :func:`final_query`'s rows carry the late counts (else use :func:`count_late`)."""
    return dialect == "sqlite"


def count_late(conn, options: ReportOptions, dialect: str) -> int:
    """Forecasts in the report's scope made after their claim's resolution."""
    c, f = m.Claim, m.Forecast
    query = (select(func.count()).select_from(c).join(f, f.claim_id == c.id)
             .where(*_conds(options, dialect), _late(options)))
    return conn.execute(query).scalar_one()
