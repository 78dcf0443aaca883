"""People: every forecaster and every source, with their track record.

A *source* is whoever a claim is attributed to (``--by`` on ``add``); its
record is scored on its own calls, the forecasts of kind stated, implied or
asserted recorded under its name, never on other people's forecasts on its
claims.  A *forecaster* is anyone with forecasts of their own (you,
colleagues, a crowd).  One name can be both.  Scores use each person's final
forecast on each claim resolved yes or no (the report's rule; see
:mod:`claimtrack.domain.scoring.track` for the ranking rule).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import distinct, func, select

from claimtrack.db import models as m
from claimtrack.db.engine import Database
from claimtrack.domain.kinds import CLAIMANT_KINDS
from claimtrack.domain.scoring.track import TrackRecord, track_records
from claimtrack.services.scoring import final_forecasts_query


@dataclass(frozen=True)
class Person:
    name: str
    is_you: bool
    roles: tuple[str, ...]  # "forecaster", "source"
    n_claims: int  # yes/no claims they forecast or called (the kinds scored here)
    n_resolved: int  # of those, resolved (any outcome)
    n_attributed: int  # claims attributed to them as the source
    kinds: tuple[str, ...]  # kinds of their forecasts
    record: TrackRecord | None  # None: nothing of theirs resolved yes/no yet


def people(db: Database, you: str) -> list[Person]:
    """Everyone, ranked people first (best first), then by scored forecasts;
    you are marked, and compared against everyone you share claims with."""
    f, c = m.forecasts.c, m.claims.c
    with db.read() as session:
        finals = session.execute(final_forecasts_query(db.dialect)).all()
        counts = session.execute(
            select(f.forecaster, func.count(distinct(f.claim_id)),
                   func.count(distinct(c.id)).filter(c.outcome.is_not(None)))
            .join(m.claims, c.id == f.claim_id).where(c.status == "active", c.question_type == "binary")
            .group_by(f.forecaster)
        ).all()
        kinds = session.execute(select(f.forecaster, f.kind).distinct()).all()
        attributed = session.execute(
            select(c.source, func.count()).where(c.source.is_not(None), c.status == "active",
                                                 c.question_type == "binary").group_by(c.source)
        ).all()
    records = track_records(((cid, who, kind, p, 1 if outcome == "yes" else 0)
                             for cid, who, p, outcome, kind in finals), you)
    by_name = {r.name: r for r in records}
    kinds_of: dict[str, set[str]] = {}
    for who, kind in kinds:
        kinds_of.setdefault(who, set()).add(kind)
    n_of = {who: (n, resolved) for who, n, resolved in counts}
    sources = {}
    for source, n in attributed:
        sources[source.casefold()] = sources.get(source.casefold(), 0) + n
    names = list(dict.fromkeys([r.name for r in records] + [w for w, _, _ in counts] + [s for s, _ in attributed]))
    out = []
    for name in names:
        own_kinds = kinds_of.get(name, set())
        roles = []
        if own_kinds - set(CLAIMANT_KINDS):
            roles.append("forecaster")
        if name.casefold() in sources or own_kinds & set(CLAIMANT_KINDS):
            roles.append("source")
        n, resolved = n_of.get(name, (0, 0))
        out.append(Person(
            name=name, is_you=name.casefold() == you.casefold(), roles=tuple(roles), n_claims=n,
            n_resolved=resolved, n_attributed=sources.get(name.casefold(), 0) if "source" in roles else 0,
            kinds=tuple(k for k in ("own", "stated", "implied", "asserted", "crowd") if k in own_kinds),
            record=by_name.get(name),
        ))
    order = {r.name: i for i, r in enumerate(records)}
    out.sort(key=lambda p: (p.name not in order, order.get(p.name, 0), -p.n_claims, p.name.casefold()))
    return out
