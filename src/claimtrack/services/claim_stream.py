"""A long claim list, streamed (``list --json`` of every open claim): the
claims :func:`claimtrack.services.queries.list_claims` returns, in the same
order and equal to them, built from plain rows a chunk at a time.

Per chunk: the claims' own columns as plain tuples from the query layer
(:func:`claimtrack.services.rows.plain_rows`: on SQLite straight from the
cursor, timestamps as stored), their tags in one query, and the
whose-number views from the stored current forecasts
(:func:`claimtrack.services.views.views_of`).  Each claim is then built
once, views included (no ORM object, no ``dataclasses.replace``).  Memory
stays flat in the number of claims.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

from sqlalchemy import select

from claimtrack.db import models as m
from claimtrack.db.engine import Database
from claimtrack.domain.filters import ClaimFilter
from claimtrack.domain.records import ClaimSummary

_UTC = timezone.utc


def iter_claims(db: Database, flt: ClaimFilter, *, limit: int | None = None, sort: str | None = None,
                descending: bool = False, chunk: int = 1000, me: str | None = None) -> Iterator[ClaimSummary]:
    """See :func:`claimtrack.services.queries.iter_claims`."""
    from claimtrack.services.queries import _list_query
    from claimtrack.services.rows import plain_rows

    query = _list_query(flt, limit=limit, offset=0, sort=sort, descending=descending, after=None)
    with db.read() as session:
        conn = session.connection()
        time = _stored_time if conn.dialect.name == "sqlite" else _same
        may_hide = None
        for rows in plain_rows(conn, query, chunk):
            if may_hide is None:
                # one look at the whole claims table pays off on a long list only; a
                # short one asks services.hidden about its own claims
                may_hide = me is not None and (len(rows) < chunk or _may_hide(session))
            yield from _build(session, rows, me, time, may_hide)


def _may_hide(session) -> bool:
    """Whether any claim can hide forecasts now (the ledger's setting, or one claim's own)."""
    from claimtrack.services.hidden import ledger_hides

    c = m.claims.c
    return ledger_hides(session) or session.execute(
        select(c.id).where(c.hide_forecasts.is_(True)).limit(1)).first() is not None


def _same(value):
    return value


def _stored_time(text: str | None) -> datetime | None:
    """A stored SQLite timestamp as the column type reads it (services.rows.stored_time),
    the usual 26-character form parsed by ``datetime.fromisoformat``."""
    if text is None:
        return None
    if len(text) == 26 and text[10] == " " and text[19] == ".":
        try:
            return datetime.fromisoformat(text).replace(tzinfo=_UTC)
        except ValueError:
            pass
    from claimtrack.services.rows import stored_time

    return stored_time(text)


def _build(session, rows, me: str | None, time, may_hide: bool) -> list[ClaimSummary]:
    """ClaimSummary of rows of queries.SUMMARY_COLUMNS (as queries.summaries makes them)."""
    from claimtrack.services.queries import tags_for
    from claimtrack.services.views import cache_hidden

    tags = tags_for(session, [r[0] for r in rows])
    views: dict[int, dict] = {}
    if me is not None and rows:
        views = _views(session, rows, me, may_hide)
    me_key = me.casefold() if me is not None else None
    out = []
    for (cid, uuid, statement, source, source_url, stated_at, recorded_at, resolve_by, status, probability,
         forecaster, n_forecasts, outcome, resolved_at, revision, question_type, options, ordered, unit,
         log_scale) in rows:
        view = views.get(cid)
        claim_tags = tags[cid]
        if question_type == "binary" and view is None:
            out.append(ClaimSummary(cid, uuid, statement, source, source_url, time(stated_at), time(recorded_at),
                                    time(resolve_by), status, claim_tags, probability, forecaster, n_forecasts,
                                    outcome, time(resolved_at), revision))
            continue
        spec = {}
        if question_type != "binary":
            from claimtrack.domain.distribution import options_from_text

            spec = {"question_type": question_type, "options": options_from_text(options),
                    "ordered": bool(ordered), "unit": unit, "log_scale": bool(log_scale)}
        if view:
            spec.update(view)
            if cache_hidden(view, forecaster, me_key):  # (as views.with_views)
                probability = forecaster = None
        out.append(ClaimSummary(cid, uuid, statement, source, source_url, time(stated_at), time(recorded_at),
                                time(resolve_by), status, claim_tags, probability, forecaster, n_forecasts,
                                outcome, time(resolved_at), revision, **spec))
    return out


class _Claim:
    """What services.question_views reads of a claim."""

    __slots__ = ("id", "outcome")

    def __init__(self, cid: int, outcome: str | None):
        self.id, self.outcome = cid, outcome


def _views(session, rows, me: str, may_hide: bool) -> dict[int, dict]:
    from claimtrack.services.views import collect_views

    return collect_views(session, [(r[0], r[3], r[11]) for r in rows if r[15] == "binary"],
                         [_Claim(r[0], r[12]) for r in rows if r[15] != "binary"], me, may_hide)
