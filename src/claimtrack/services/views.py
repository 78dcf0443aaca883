"""Whose numbers a claim list shows: your current forecast, the claimant's
current call and the median of everyone else's (split from services.queries;
choice, numeric and date claims get theirs from services.question_views)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimtrack.db import models as m
from claimtrack.domain.records import ClaimSummary


def _current_query(chunk: list[int], dialect: str):
    """Each (claim, forecaster)'s newest forecast by (made_at, id) on the
    claims ``chunk``, as stored in ``current_forecasts`` (db.current, kept by
    a trigger on every forecast insert): (claim_id, forecaster, kind,
    probability, made_at, forecast id), read through its primary key."""
    from claimtrack.services.rows import in_ids

    cf = m.current_forecasts.c
    return select(cf.claim_id, cf.forecaster, cf.kind, cf.probability, cf.made_at, cf.forecast_id).where(
        in_ids(cf.claim_id, chunk, dialect))


def _median(values: list[float]) -> float:
    """``statistics.median`` of floats, the same value (the middle one, or the
    mean of the two middle ones), without importing statistics (and with it
    fractions and decimal) on a quick command's start-up."""
    data = sorted(values)
    n = len(data)
    if n % 2:
        return data[n // 2]
    return (data[n // 2 - 1] + data[n // 2]) / 2


def views_of(session: Session, wanted: list[int], sources: dict[int, str], me: str,
             may_hide: bool = True) -> dict[int, dict]:
    """For each claim of ``wanted`` (those with forecasts): ``me``'s current
    forecast, the claimant's current call (a forecast of kind stated, implied
    or asserted by the claim's source, given casefolded in ``sources``) and
    the median of everyone else's current forecasts.  "Current" is each
    forecaster's newest by (made_at, id), as everywhere else; forecasters are
    told apart case-insensitively (``str.casefold``).  The stored newest
    forecast of each exact name (:func:`_current_query`) gives one row per
    (claim, forecaster) rather than every forecast; names that differ only in
    case are merged here, keeping the newest.  ``may_hide`` False when the
    caller knows no claim hides forecasts (services.hidden)."""
    from claimtrack.domain.kinds import CLAIMANT_KINDS

    from claimtrack.services import hidden as hide

    me_key = me.casefold()
    sqlite = session.get_bind().dialect.name == "sqlite"
    out: dict[int, dict] = {}
    hiding = hide.hiding(session, wanted) if may_hide else set()
    for start in range(0, len(wanted), 900):
        chunk = wanted[start:start + 900]
        result = session.connection().execute(_current_query(chunk, "sqlite" if sqlite else "other"))
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


def collect_views(session: Session, binary: list[tuple[int, str | None, int]], questions: list, me: str,
                  may_hide: bool = True) -> dict[int, dict]:
    """The whose-number fields of each claim for user ``me``: ``binary`` as
    (id, source, n_forecasts) of yes/no claims (:func:`views_of`), ``questions``
    the choice, numeric and date claims (objects with ``id`` and ``outcome``:
    services.question_views)."""
    wanted = [cid for cid, _, n in binary if n]
    views = views_of(session, wanted, {cid: (source or "").casefold() for cid, source, _ in binary}, me,
                     may_hide) if wanted else {}
    if questions:
        from claimtrack.services.question_views import question_views

        views.update(question_views(session, questions, me))
    return views


def cache_hidden(view: dict, forecaster: str | None, me_key: str) -> bool:
    """Whether a claim's cached newest forecast (last_probability/last_forecaster)
    is hidden from ``me``: the claim hides others' forecasts from you and it is someone else's."""
    return bool(view.get("hidden")) and (forecaster or "").casefold() != me_key


def with_views(session: Session, claims: list[ClaimSummary], me: str | None) -> list[ClaimSummary]:
    """The claims with whose-number fields filled in for user ``me``."""
    if me is None or not claims:
        return claims
    from dataclasses import replace

    views = collect_views(session, [(c.id, c.source, c.n_forecasts) for c in claims if c.question_type == "binary"],
                          [c for c in claims if c.question_type != "binary"], me)
    me_key = me.casefold()
    out = []
    for c in claims:
        view = views.get(c.id)
        if view:
            c = replace(c, **view)
            if cache_hidden(view, c.forecaster, me_key):
                c = replace(c, probability=None, forecaster=None)
        out.append(c)
    return out
