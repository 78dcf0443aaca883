"""What the claim lists show of choice, numeric and date claims (issue 12).

The binary whose-number fields (``mine``, ``theirs``, ``others``) are
probabilities; a non-binary claim has none.  It shows one distribution
instead: yours when you have one, else the newest forecast's (each
forecaster's newest by (made_at, id), as everywhere), and, once resolved,
the resolution's value.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimtrack.db import models as m
from claimtrack.domain.distribution import distribution_from_text
from claimtrack.domain.records import VALUE_OUTCOME


def question_views(session: Session, claims, me: str) -> dict[int, dict]:
    f, r = m.forecasts.c, m.resolutions.c
    me_key = me.casefold()
    out: dict[int, dict] = {}
    ids = [c.id for c in claims]
    from claimtrack.services import hidden as hide

    hiding = hide.hiding(session, ids)
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        # others' forecasts on these claims stay hidden until you forecast (services.hidden)
        concealed = hide.concealed(session, sorted(hiding.intersection(chunk)), me_key) if hiding else {}
        newest: dict[int, tuple[str, str]] = {}
        mine: dict[int, tuple[str, str]] = {}
        for cid, who, dist in session.execute(
                select(f.claim_id, f.forecaster, f.distribution)
                .where(f.claim_id.in_(chunk), f.distribution.is_not(None)).order_by(f.claim_id, f.made_at, f.id)):
            if cid in concealed and who.casefold() in concealed[cid]:
                continue
            newest[cid] = (who, dist)
            if who.casefold() == me_key:
                mine[cid] = (who, dist)
        for cid in chunk:
            pick = mine.get(cid) or newest.get(cid)
            if pick is not None:
                out[cid] = {"distribution": distribution_from_text(pick[1]), "distribution_by": pick[0]}
    valued = [c.id for c in claims if c.outcome == VALUE_OUTCOME]
    for start in range(0, len(valued), 900):
        chunk = valued[start:start + 900]
        last = select(func.max(r.id)).where(r.claim_id.in_(chunk)).group_by(r.claim_id)
        for cid, value in session.execute(select(r.claim_id, r.value).where(r.id.in_(last))):
            out.setdefault(cid, {})["value"] = value
    return out
