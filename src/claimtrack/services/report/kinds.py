"""The report's choice and quantity sections from the ledger (issue 12).

Every resolved choice, numeric or date claim in the report's scope (the
binary report's filters: period, --source, --tag, --forecaster) gives one
item per forecaster: their final forecast, chosen by the binary report's
strict timing rule (the newest by (made_at, id) of the forecasts made before
the resolution and not recorded after it; ``--exclude-backfilled`` drops
backfilled ones first), with their earlier quantile sets for the relative
scores.  Claims resolved ambiguous or void have no value and are left out.
``--scoring time-weighted`` applies to yes/no claims only: these sections
always score the final forecast.  Scoring is
:func:`claimtrack.domain.scoring.by_kind.build_by_kind`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import and_, false, func, select
from sqlalchemy.orm import Session

from claimtrack.db import models as m
from claimtrack.services.report.final import claim_conditions
from claimtrack.services.report.model import ReportOptions

if TYPE_CHECKING:
    from claimtrack.domain.scoring.by_kind import ByKind, ChoiceItem, QuantityItem

CHUNK = 900


def _claims(session: Session, options: ReportOptions, dialect: str) -> dict[int, dict]:
    # an alias: claim_conditions' own subqueries on resolutions (--since last) must not correlate with it
    current = m.resolutions.alias("current_resolution")
    c, r = m.claims.c, current.c
    last = select(r.claim_id, func.max(r.id).label("rid")).group_by(r.claim_id).subquery()
    query = (select(c.id, c.statement, c.question_type, c.options, c.ordered, c.unit, c.log_scale, r.value)
             .select_from(m.Claim).join(last, last.c.claim_id == c.id).join(current, r.id == last.c.rid)
             .where(*claim_conditions(options, dialect, binary=False)).order_by(c.id))
    return {row.id: row._asdict() for row in session.execute(query)}


def _forecasts(session: Session, options: ReportOptions, ids: list[int]):
    """(claim_id, forecaster, distribution) of every eligible forecast, oldest first per forecaster."""
    f, c = m.forecasts.c, m.claims.c
    conds = [f.after_resolution == false(), f.made_at < c.resolved_at, f.distribution.is_not(None)]
    if options.exclude_backfilled:
        conds.append(f.backfilled == false())
    if options.forecaster:
        conds.append(func.lower(f.forecaster) == options.forecaster.strip().lower())
    for start in range(0, len(ids), CHUNK):
        yield from session.execute(
            select(f.claim_id, f.forecaster, f.distribution).join(m.claims, c.id == f.claim_id)
            .where(f.claim_id.in_(ids[start:start + CHUNK]), and_(*conds))
            .order_by(f.claim_id, f.forecaster, f.made_at, f.id))


def kind_items(session: Session, options: ReportOptions) -> tuple[list[ChoiceItem], list[QuantityItem]]:
    dialect = session.get_bind().dialect.name
    claims = _claims(session, options, dialect)
    if not claims:
        return [], []
    from claimtrack.domain.distribution import distribution_from_text, options_from_text
    from claimtrack.domain.scoring.by_kind import ChoiceItem, QuantityItem

    per: dict[tuple[int, str], list[tuple]] = {}
    for cid, who, text in _forecasts(session, options, list(claims)):
        per.setdefault((cid, who), []).append(distribution_from_text(text))
    you = (options.you or "").casefold()
    choice, quantity = [], []
    for (cid, who), dists in per.items():
        claim = claims[cid]
        mine = bool(you) and who.casefold() == you
        if claim["question_type"] == "choice":
            labels = options_from_text(claim["options"])
            if claim["value"] not in labels:
                continue
            choice.append(ChoiceItem(cid, claim["statement"], who, mine, labels, dists[-1],
                                     labels.index(claim["value"]), bool(claim["ordered"])))
        else:
            try:
                truth = float(claim["value"])
            except (TypeError, ValueError):
                continue
            quantity.append(QuantityItem(cid, claim["statement"], who, mine, dists[-1], truth,
                                         claim["question_type"] == "date", bool(claim["log_scale"]), claim["unit"],
                                         earlier=tuple(dists[:-1])))
    return choice, quantity


def by_kind(session: Session, options: ReportOptions) -> ByKind | None:
    """The sections; None when the scope has no resolved choice, numeric or date claim."""
    choice, quantity = kind_items(session, options)
    if not choice and not quantity:
        return None
    from claimtrack.domain.scoring.by_kind import build_by_kind

    return build_by_kind(choice, quantity)
