"""Whose numbers a claim list shows: your current forecast, the claimant's
current call and the median of everyone else's (split from services.queries;
choice, numeric and date claims get theirs from services.question_views)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimtrack.db import models as m
from claimtrack.domain.records import ClaimSummary


def _current_query(chunk: list[int], dialect: str | None = None):
    """Each (claim, forecaster)'s newest forecast by (made_at, id) on the
    claims ``chunk``, as stored in ``current_forecasts`` (db.current, kept by
    a trigger on every forecast insert): (claim_id, forecaster, kind,
    probability, made_at, forecast id), read through its primary key; the
    ids as one JSON array parameter on SQLite."""
    if dialect == "sqlite":  # the ids as one JSON parameter: no bind parameter per id to build
        from sqlalchemy import text

        return text("SELECT claim_id, forecaster, kind, probability, made_at, forecast_id FROM current_forecasts "
                    "WHERE claim_id IN (SELECT value FROM json_each(:ids))").bindparams(ids="[" + ",".join(map(str, chunk)) + "]")
    cf = m.current_forecasts.c
    return select(cf.claim_id, cf.forecaster, cf.kind, cf.probability, cf.made_at, cf.forecast_id).where(
        cf.claim_id.in_(chunk))


def _median(values: list[float]) -> float:
    """``statistics.median`` of floats, the same value (the middle one, or the
    mean of the two middle ones), without importing statistics (and with it
    fractions and decimal) on a quick command's start-up."""
    data = sorted(values)
    n = len(data)
    if n % 2:
        return data[n // 2]
    return (data[n // 2 - 1] + data[n // 2]) / 2


def _views_for(session: Session, claims, me: str) -> dict[int, dict]:
    """For each claim: ``me``'s current forecast, the claimant's current call
    (a forecast of kind stated, implied or asserted by the claim's source)
    and the median of everyone else's current forecasts.  "Current" is each
    forecaster's newest by (made_at, id), as everywhere else; forecasters
    are told apart case-insensitively (``str.casefold``).

    ``claims`` are rows or summaries with ``id``, ``source`` and
    ``n_forecasts``.  The stored newest forecast of each exact name
    (:func:`_current_query`) gives one row per (claim, forecaster) rather
    than every forecast; names that differ only in case are merged here,
    keeping the newest."""
    wanted = [c.id for c in claims if c.n_forecasts]
    sources = {c.id: (c.source or "").casefold() for c in claims}
    return views_of(session, wanted, sources, me)


def views_of(session: Session, wanted: list[int], sources: dict[int, str], me: str,
             may_hide: bool = True) -> dict[int, dict]:
    """:func:`_views_for` of the claims ``wanted`` (those with forecasts),
    given each one's source casefolded (``sources``); ``may_hide`` False
    when the caller knows no claim hides forecasts (services.hidden)."""
    from claimtrack.domain.kinds import CLAIMANT_KINDS

    from claimtrack.services import hidden as hide

    me_key = me.casefold()
    sqlite = session.get_bind().dialect.name == "sqlite"
    out: dict[int, dict] = {}
    hiding = hide.hiding(session, wanted) if may_hide else set()
    for start in range(0, len(wanted), 900):
        chunk = wanted[start:start + 900]
        result = session.connection().execute(_current_query(chunk, "sqlite" if sqlite else None))
        # SQLite: plain tuples from the cursor, made_at as stored (fixed-format text orders like the time)
        rows = result.cursor if sqlite else result
        current: dict[tuple[int, str], tuple] = {}
        seen = current.get
        try:
            for cid, who, kind, p, made, fid in rows:
                name = (cid, who.casefold())
                before = seen(name)
                if before is None or (before[2], before[3]) < (made, fid):
                    current[name] = (kind, p, made, fid)
        finally:
            result.close()
        # others' forecasts on these claims stay hidden until you forecast (services.hidden)
        concealed = hide.concealed(session, sorted(hiding.intersection(chunk)), me_key) if hiding else {}
        for cid, names in concealed.items():
            out.setdefault(cid, {})["hidden"] = len(names)
        others: dict[int, list[float]] = {}
        for (cid, who), row in current.items():
            if cid in concealed and who in concealed[cid]:
                continue
            view = out.get(cid)
            if view is None:
                view = out[cid] = {}
            if who == me_key:
                view["mine"] = row[1]
            elif who == sources[cid] and row[0] in CLAIMANT_KINDS:
                view["theirs"], view["their_kind"] = row[1], row[0]
            elif cid in others:
                others[cid].append(row[1])
            else:
                others[cid] = [row[1]]
        for cid, ps in others.items():
            out[cid]["others"], out[cid]["n_others"] = _median(ps), len(ps)
    return out


def with_views(session: Session, claims: list[ClaimSummary], me: str | None) -> list[ClaimSummary]:
    """The claims with whose-number fields filled in for user ``me``."""
    if me is None or not claims:
        return claims
    from dataclasses import replace

    binary = [c for c in claims if c.question_type == "binary"]
    views = _views_for(session, binary, me) if binary else {}
    if len(binary) < len(claims):
        from claimtrack.services.question_views import question_views

        views.update(question_views(session, [c for c in claims if c.question_type != "binary"], me))
    out = [replace(c, **views[c.id]) if c.id in views else c for c in claims]
    # a hidden newest forecast is not shown through the claim's cache either
    return [replace(c, probability=None, forecaster=None)
            if c.hidden and (c.forecaster or "").casefold() != me.casefold() else c for c in out]
