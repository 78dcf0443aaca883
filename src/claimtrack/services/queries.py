"""Reading the ledger: claim lists, one claim in full, what is due.

Lists are built with one query for the page of claims and one for their
tags; they page with LIMIT/OFFSET or with a keyset (``after``) so the review
UI can scroll 100,000 claims without loading them all.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from claimtrack.db import models as m
from claimtrack.db.engine import Database
from claimtrack.domain.dates import utcnow
from claimtrack.domain.filters import ClaimFilter
from claimtrack.domain.records import ClaimDetail, ClaimSummary
from claimtrack.services import convert
from claimtrack.services.views import with_views

SORTS = ("due", "made", "recorded", "id", "probability", "resolved", "source", "statement")


# States that match a large share of the ledger: sorting them by anything but
# the due date reads the table straight through (see list_claims_in).
_BROAD_STATES = ("open", "resolved", "all")


def _conditions(flt: ClaimFilter, now: datetime, *, scan: bool = False) -> list:
    c = m.Claim
    conds: list = []
    state = flt.state
    # `status || ''` is the same test, but SQLite cannot answer it from an index
    status = c.status + "" if scan else c.status
    if state in ("draft", "rejected"):
        conds.append(status == state)
    else:
        conds.append(status == "active")
        if state in ("open", "due", "overdue"):
            conds.append(c.outcome.is_(None))
        if state == "resolved":
            conds.append(c.outcome.is_not(None))
        if state == "due":
            conds.append(c.resolve_by <= now + flt.due_within)
        if state == "overdue":
            conds.append(c.resolve_by < now)
    for tag in flt.tags:
        conds.append(exists().where(m.ClaimTag.claim_id == c.id, m.ClaimTag.tag == tag))
    if flt.source:
        conds.append(func.lower(c.source) == flt.source.strip().lower())
    if flt.forecaster:
        conds.append(
            exists().where(m.Forecast.claim_id == c.id,
                           func.lower(m.Forecast.forecaster) == flt.forecaster.strip().lower())
        )
    if flt.search:
        needle = flt.search.strip().lower()
        conds.append(
            or_(
                func.lower(c.statement).contains(needle, autoescape=True),
                func.lower(c.source).contains(needle, autoescape=True),
                exists().where(m.ClaimTag.claim_id == c.id, m.ClaimTag.tag.contains(needle, autoescape=True)),
            )
        )
    conds.extend(_query_conditions(flt))
    if flt.since:
        conds.append(c.stated_at >= flt.since)
    if flt.until:
        conds.append(c.stated_at <= flt.until)
    return conds


def claim_conditions(flt: ClaimFilter, now: datetime) -> list:
    """The WHERE terms of ``flt`` on claims (for counts beside count_claims)."""
    return _conditions(flt, now)


_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "=": operator.eq}


def _query_conditions(flt: ClaimFilter) -> list:
    """The review UI's filter words and facets (domain.query)."""
    c = m.Claim
    conds: list = []
    for word in flt.words:
        conds.append(or_(
            func.lower(c.statement).contains(word, autoescape=True),
            func.lower(c.source).contains(word, autoescape=True),
            exists().where(m.ClaimTag.claim_id == c.id, m.ClaimTag.tag.contains(word, autoescape=True)),
        ))
    for person in flt.people:
        conds.append(or_(
            func.lower(c.source).contains(person, autoescape=True),
            exists().where(m.Forecast.claim_id == c.id,
                           func.lower(m.Forecast.forecaster).contains(person, autoescape=True)),
        ))
    conds.extend(_OPS[op](c.resolve_by, when) for op, when in flt.due_bounds)
    if flt.p_bounds:
        whose = c.last_probability
        if flt.p_of:
            f = m.Forecast
            whose = (select(f.probability)
                     .where(f.claim_id == c.id, func.lower(f.forecaster) == flt.p_of.lower(), f.kind == "own")
                     .order_by(f.made_at.desc(), f.id.desc()).limit(1).scalar_subquery())
        conds.extend(_OPS[op](whose, p) for op, p in flt.p_bounds)
    return conds


# sort name -> (Claim column, the ClaimSummary field holding the same value)
_SORT_KEYS = {
    "due": ("resolve_by", "resolve_by"), "made": ("stated_at", "stated_at"),
    "recorded": ("recorded_at", "recorded_at"), "id": ("id", "id"),
    "probability": ("last_probability", "probability"), "resolved": ("resolved_at", "resolved_at"),
    "source": ("source", "source"), "statement": ("statement", "statement"),
}


def _sort(flt: ClaimFilter, sort: str | None, descending: bool) -> tuple[str, bool]:
    """The sort actually used (the state's default when None) and its direction."""
    sort = sort or ("resolved" if flt.state == "resolved" else "due")
    if sort not in SORTS:
        from claimtrack.domain.errors import InvalidInput

        raise InvalidInput(f"unknown sort '{sort}': use one of {', '.join(SORTS)}")
    if sort == "resolved" and flt.state == "resolved" and not descending:
        descending = True  # newest resolutions first reads best
    return sort, descending


def _order(flt: ClaimFilter, sort: str | None, descending: bool):
    sort, descending = _sort(flt, sort, descending)
    column = getattr(m.Claim, _SORT_KEYS[sort][0])
    key = column.desc() if descending else column.asc()
    # NULLs (no due date, no probability) go last either way
    return [column.is_(None), key, m.Claim.id.asc()]


def _after(flt: ClaimFilter, sort: str | None, descending: bool, after: ClaimSummary):
    """The keyset condition: rows that come after ``after`` in the order of ``_order``.

    The order is (column IS NULL, column, id), so: past a non-NULL value come
    the rows further along the column, the rows with the same value and a
    higher id, and every NULL row; past a NULL value only NULL rows with a
    higher id.  Works for every sort in SORTS.
    """
    sort, descending = _sort(flt, sort, descending)
    column_name, field = _SORT_KEYS[sort]
    c = m.Claim
    if sort == "id":
        return c.id < after.id if descending else c.id > after.id
    column, value = getattr(c, column_name), getattr(after, field)
    if value is None:
        return and_(column.is_(None), c.id > after.id)
    further = column < value if descending else column > value
    return or_(further, and_(column == value, c.id > after.id), column.is_(None))


def tags_for(session: Session, ids: list[int]) -> dict[int, tuple[str, ...]]:
    """Each claim's tags in order (an empty tuple for none), as plain rows."""
    from claimtrack.services.rows import in_ids, plain_rows

    tags: dict[int, list[str]] = {i: [] for i in ids}
    t = m.claim_tags.c
    conn = session.connection()
    dialect = conn.dialect.name
    step = max(len(ids), 1) if dialect == "sqlite" else 900  # (one JSON parameter on SQLite)
    for start in range(0, len(ids), step):
        query = (select(t.claim_id, t.tag).where(in_ids(t.claim_id, ids[start:start + step], dialect))
                 .order_by(t.claim_id, t.tag))
        for rows in plain_rows(conn, query, 5000):
            for claim_id, tag in rows:
                tags[claim_id].append(tag)
    return {k: tuple(v) for k, v in tags.items()}


# The columns a ClaimSummary needs: selected as plain rows, not ORM objects
# (no identity map or instance state; about twice as fast on long lists).
SUMMARY_COLUMNS = tuple(getattr(m.Claim, name) for name in (
    "id", "uuid", "statement", "source", "source_url", "stated_at", "recorded_at", "resolve_by", "status",
    "last_probability", "last_forecaster", "n_forecasts", "outcome", "resolved_at", "revision",
    "question_type", "options", "ordered", "unit", "log_scale",
))


def summaries(session: Session, rows, me: str | None) -> list[ClaimSummary]:
    """Rows of :data:`SUMMARY_COLUMNS` (extra columns after them are ignored) as
    ClaimSummary, with their tags, and with ``me``'s numbers when given
    (see services.views.with_views)."""
    tags = tags_for(session, [r.id for r in rows])
    return with_views(session, [convert.claim_summary(r, tags[r.id]) for r in rows], me)


def list_claims_in(session: Session, flt: ClaimFilter, *, limit: int | None = None, offset: int = 0,
                   sort: str | None = None, descending: bool = False,
                   after: ClaimSummary | None = None, me: str | None = None) -> list[ClaimSummary]:
    """Claims matching ``flt`` in the order ``sort``/``descending`` (NULLs last, then by id).

    ``after`` pages by keyset: pass the last claim of the previous page (as
    this function returned it, with the same filter and sort) and the page
    starts right after it, as fast at the 50,000th row as at the first, where
    ``offset`` makes the database sort and skip every earlier row.  ``offset``
    still applies on top of ``after`` (normally 0 with it).  With ``me``,
    each claim also carries that user's current probability, the claimant's
    call and the others' median (see services.views.with_views).
    """
    claims = session.execute(_list_query(flt, limit=limit, offset=offset, sort=sort, descending=descending,
                                         after=after)).all()
    return summaries(session, claims, me)


def _list_query(flt: ClaimFilter, *, limit: int | None, offset: int, sort: str | None, descending: bool,
                after: ClaimSummary | None):
    """The query of :func:`list_claims_in` (the claims' own columns; tags are read separately)."""
    now = flt.now or utcnow()
    # Only the due date is in the status index, so for any other sort SQLite
    # would look up every matching row through that index one by one, then
    # sort: on 100,000 claims ~180 ms a page for `all` or `resolved`, against
    # ~30 ms reading the table in order.  Narrow states (due, inbox) keep it.
    scan = _sort(flt, sort, descending)[0] != "due" and flt.state in _BROAD_STATES
    conds = _conditions(flt, now, scan=scan)
    if after is not None:
        conds.append(_after(flt, sort, descending, after))
    query = select(*SUMMARY_COLUMNS).where(and_(*conds)).order_by(*_order(flt, sort, descending))
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return query


def list_claims(db: Database, flt: ClaimFilter, **kwargs) -> list[ClaimSummary]:
    with db.read() as session:
        return list_claims_in(session, flt, **kwargs)


def iter_claims(db: Database, flt: ClaimFilter, *, limit: int | None = None, sort: str | None = None,
                descending: bool = False, chunk: int = 1000, me: str | None = None) -> Iterator[ClaimSummary]:
    """The claims :func:`list_claims` returns, in the same order, streamed:
    one query read ``chunk`` rows at a time (a server-side cursor where
    there is one), each chunk's tags read with it, so memory stays flat
    however many claims match.  The query runs on the first ``next()``: a
    bad sort raises before anything is produced."""
    from claimtrack.services import claim_stream  # built from plain rows (services.claim_stream)

    return claim_stream.iter_claims(db, flt, limit=limit, sort=sort, descending=descending, chunk=chunk, me=me)


def count_claims(db: Database, flt: ClaimFilter) -> int:
    now = flt.now or utcnow()
    with db.read() as session:
        return session.execute(select(func.count()).select_from(m.Claim).where(and_(*_conditions(flt, now)))).scalar_one()


def get_claim(db: Database, claim_id: int, me: str | None = None) -> ClaimDetail:
    from dataclasses import replace

    from claimtrack.services import hidden
    from claimtrack.services.ledger import load_claim  # the write side: not needed to list claims

    with db.read() as session:
        claim = load_claim(session, claim_id)
        forecasts = session.execute(
            select(m.Forecast).where(m.Forecast.claim_id == claim_id).order_by(m.Forecast.made_at, m.Forecast.id)
        ).scalars().all()
        resolutions = session.execute(
            select(m.Resolution).where(m.Resolution.claim_id == claim_id).order_by(m.Resolution.id)
        ).scalars().all()
        edits = session.execute(
            select(m.ClaimEdit).where(m.ClaimEdit.claim_id == claim_id).order_by(m.ClaimEdit.id)
        ).scalars().all()
        summary = with_views(session, [convert.claim_summary(claim)], me)[0]
        if summary.hidden or (me is None and claim.id in hidden.hiding(session, [claim.id])):
            key = (me or "").casefold()
            forecasts = [f for f in forecasts if hidden.visible(f.forecaster, f.kind, f.recorded_by, key)]
            summary = replace(summary, hidden=summary.hidden or claim.n_forecasts - len(forecasts))
        return ClaimDetail(
            claim=summary,
            details=claim.details,
            forecasts=tuple(convert.forecast(f) for f in forecasts),
            resolutions=tuple(convert.resolution(r) for r in resolutions),
            edits=tuple(convert.edit(e) for e in edits),
        )


@dataclass(frozen=True)
class DueSummary:
    overdue: list[ClaimSummary]
    due_soon: list[ClaimSummary]
    n_open: int
    n_resolved: int
    n_drafts: int


def due_summary(db: Database, flt: ClaimFilter | None = None, *, limit: int = 50,
                me: str | None = None) -> DueSummary:
    flt = flt or ClaimFilter()
    now = flt.now or utcnow()
    with db.read() as session:
        overdue = list_claims_in(session, flt.with_state("overdue"), limit=limit, me=me)
        soon_filter = flt.with_state("due")
        due = [c for c in list_claims_in(session, soon_filter, limit=limit + len(overdue), me=me)
               if c.resolve_by is not None and c.resolve_by >= now][:limit]
        counts = dict(session.execute(
            select(m.Claim.status, func.count()).group_by(m.Claim.status)
        ).all())
        n_resolved = session.execute(
            select(func.count()).select_from(m.Claim).where(m.Claim.status == "active", m.Claim.outcome.is_not(None))
        ).scalar_one()
    return DueSummary(
        overdue=overdue, due_soon=due,
        n_open=counts.get("active", 0) - n_resolved, n_resolved=n_resolved,
        n_drafts=counts.get("draft", 0),
    )


def distinct_values(db: Database, what: str) -> list[tuple[str, int]]:
    """Sources, forecasters or tags with how many claims/forecasts carry each."""
    column = {"source": m.Claim.source, "forecaster": m.Forecast.forecaster, "tag": m.ClaimTag.tag}[what]
    with db.read() as session:
        rows = session.execute(
            select(column, func.count()).where(column.is_not(None)).group_by(column).order_by(func.count().desc(), column)
        ).all()
    return [(r[0], r[1]) for r in rows]
