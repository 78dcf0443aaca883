"""Hidden forecasts: no anchoring on each other (Fatebook's "hide forecasts until").

A ledger setting (``ledger_settings`` key ``hide_forecasts``: ``on``/``off``)
and a per-claim override (``claims.hide_forecasts``: true, false, or NULL for
the ledger's setting) hide other people's forecasts on an open claim from
you until you have forecast on it yourself (a forecast of kind own under your
name) or until it resolves.  What stays visible: your own forecasts, those
you recorded on someone's behalf, and the claimant's own call (stated,
implied, asserted: it is part of what the claim says).  Hidden: everyone
else's own forecasts and crowd numbers.

This is enforced here, in the service layer every reader goes through (list,
show, due, the review UI, their --json).  Reports score resolved claims only,
so they are unaffected.  It is not access control: anyone who can read the
database (a team member with SQL, ``export``, a backup) can read every row.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from claimtrack.db import models as m
from claimtrack.db.engine import Database
from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.kinds import CLAIMANT_KINDS

SETTING = "hide_forecasts"


def ledger_hides(session: Session) -> bool:
    value = session.execute(select(m.ledger_settings.c.value).where(m.ledger_settings.c.key == SETTING)).scalar()
    return value == "on"


def hiding(session: Session, claim_ids: list[int]) -> set[int]:
    """The claims among ``claim_ids`` that hide others' forecasts now (set to, and still open)."""
    if not claim_ids:
        return set()
    default = ledger_hides(session)
    c = m.claims.c
    out: set[int] = set()
    for start in range(0, len(claim_ids), 900):
        # only the claims that may hide come back: set to hide, or following a ledger that hides
        may = c.hide_forecasts.is_not(False) if default else c.hide_forecasts.is_(True)
        rows = session.execute(select(c.id, c.hide_forecasts).where(c.id.in_(claim_ids[start:start + 900]),
                                                                   c.outcome.is_(None), may))
        out.update(cid for cid, own in rows if (default if own is None else own))
    return out


def visible(forecaster: str, kind: str, recorded_by: str | None, me_key: str) -> bool:
    """Whether a forecast stays visible to ``me`` on a claim that hides forecasts."""
    return (forecaster.casefold() == me_key or kind in CLAIMANT_KINDS
            or (recorded_by or "").casefold() == me_key)


def has_forecast(rows, me_key: str) -> bool:
    """Whether ``me`` has forecast (kind own) among rows of (forecaster, kind, ...)."""
    return any(who.casefold() == me_key and kind == "own" for who, kind, *_ in rows)


def concealed(session: Session, claim_ids: list[int], me_key: str) -> dict[int, set[str]]:
    """For claims that hide forecasts: {claim: the forecasters (casefolded) hidden from ``me``},
    leaving out the claims ``me`` has forecast on."""
    if not claim_ids:
        return {}
    f = m.forecasts.c
    rows = session.execute(select(f.claim_id, f.forecaster, f.kind, f.recorded_by)
                           .where(f.claim_id.in_(claim_ids)).order_by(f.claim_id, f.made_at, f.id)).all()
    by_claim: dict[int, list] = {}
    for cid, *rest in rows:
        by_claim.setdefault(cid, []).append(rest)
    out = {}
    for cid, forecasts in by_claim.items():
        if not has_forecast(forecasts, me_key):
            out[cid] = {who.casefold() for who, kind, rec in forecasts if not visible(who, kind, rec, me_key)}
    return out


def set_ledger(db: Database, on: bool) -> None:
    with db.write() as session:
        t = m.ledger_settings
        done = session.execute(update(t).where(t.c.key == SETTING).values(value="on" if on else "off")).rowcount
        if not done:
            session.execute(t.insert().values(key=SETTING, value="on" if on else "off"))


def set_claim(db: Database, claim_id: int, value: bool | None) -> None:
    from claimtrack.services.ledger import load_claim

    with db.write() as session:
        load_claim(session, claim_id, for_update=True)  # refuses a missing id
        session.execute(update(m.claims).where(m.claims.c.id == claim_id).values(hide_forecasts=value))


def parse_state(text: str, *, claim: bool) -> bool | None:
    word = text.strip().lower()
    if word in ("on", "yes", "true"):
        return True
    if word in ("off", "no", "false"):
        return False
    if claim and word in ("ledger", "default"):
        return None
    accepted = "on, off or ledger (follow the ledger's setting)" if claim else "on or off"
    raise InvalidInput(f"'{text}' is not a hide-forecasts setting: use {accepted}")
