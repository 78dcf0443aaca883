"""Changing a claim after it was logged: edits to its own fields and the
inbox decisions (accept, reject, restore).  Every change is one transaction
and is appended to the claim's chained history (``claim_edits``); nothing
is rewritten.  Appending forecasts and resolutions is :mod:`.ledger`'s job.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimtrack.db import models as m
from claimtrack.db.engine import Database
from claimtrack.domain import validate
from claimtrack.domain.dates import utcnow
from claimtrack.domain.errors import Conflict, InvalidInput
from claimtrack.domain.records import ClaimSummary
from claimtrack.services.chain import append_edits, append_forecasts
from claimtrack.services.ledger import _check_revision, _forecast_row, _utc, load_claim, note_forecast


EDITABLE = ("statement", "details", "source", "source_url", "resolve_by", "tags", "stated_at")


def edit_claim(db: Database, claim_id: int, *, edited_by: str | None = None,
               expected_revision: int | None = None, **changes) -> ClaimSummary:
    """Change a claim's own fields; every change is logged in its history."""
    from claimtrack.domain.filters import normalise_tags
    from claimtrack.services import convert

    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"cannot edit {', '.join(sorted(unknown))}: editable fields are {', '.join(EDITABLE)}")
    clean: dict[str, object] = {}
    for key, value in changes.items():
        if key == "statement":
            clean[key] = validate.statement(value)
        elif key == "details":
            clean[key] = validate.optional_text(value, "details")
        elif key == "source":
            clean[key] = validate.name(value, "source")
        elif key == "source_url":
            clean[key] = validate.url(value, "source url")
        elif key == "tags":
            clean[key] = normalise_tags(value)
        else:
            clean[key] = value
    now = utcnow()
    if clean.get("stated_at") is None and "stated_at" in clean:
        raise InvalidInput("a claim's made date cannot be cleared: give a date")
    if "stated_at" in clean and clean["stated_at"] > now + timedelta(minutes=5):
        raise InvalidInput("the claim's made date is in the future: a claim is logged when or after it is made")

    def work(session: Session) -> ClaimSummary:
        claim = load_claim(session, claim_id, for_update=True)
        _check_revision(claim, expected_revision)
        edits: list[dict] = []
        for key, value in clean.items():
            if key == "tags":
                old = tuple(t.tag for t in claim.tags)
                if tuple(sorted(old)) == tuple(sorted(value)):
                    continue
                claim.tags = [m.ClaimTag(tag=t) for t in value]
                old_text, new_text = ",".join(old), ",".join(value)
            else:
                old = getattr(claim, key)
                if old == value:
                    continue
                if key == "resolve_by" and value is not None and value < claim.stated_at:
                    raise InvalidInput("the due date is before the claim was made: give a later date")
                if key == "stated_at":
                    _check_made(session, claim, value, clean.get("resolve_by", claim.resolve_by))
                setattr(claim, key, value)
                old_text, new_text = _as_text(old), _as_text(value)
            edits.append(_edit_row(claim, key, old_text, new_text, now, edited_by))
        if edits:
            append_edits(session, edits)
            claim.revision += 1
        session.flush()
        return convert.claim_summary(claim)

    return db.run_write(work)


def _check_made(session: Session, claim: m.Claim, made: datetime, resolve_by: datetime | None) -> None:
    """A new made date may not come after anything that followed the claim:
    its first forecast, its first resolution or its due date."""
    first_forecast = session.execute(select(func.min(m.forecasts.c.made_at))
                                     .where(m.forecasts.c.claim_id == claim.id)).scalar()
    first_resolution = session.execute(select(func.min(m.resolutions.c.resolved_at))
                                       .where(m.resolutions.c.claim_id == claim.id)).scalar()
    for when, what in ((first_forecast, "its first forecast"), (first_resolution, "its resolution"),
                       (resolve_by, "its due date")):
        if when is not None and made > _utc(when):
            raise InvalidInput(f"claim {claim.id} cannot be made after {what} ({_utc(when):%Y-%m-%d %H:%M} UTC): "
                               "give a made date on or before it")


# (from, to) status changes; a rejected draft can go back to the inbox or be accepted
STATUS_CHANGES = frozenset({("draft", "active"), ("draft", "rejected"), ("rejected", "draft"), ("rejected", "active")})


def set_status(db: Database, claim_id: int, status: str, *, edited_by: str | None = None,
               probability: float | None = None, forecaster: str | None = None,
               statement: str | None = None, made_at: datetime | None = None,
               resolve_by: datetime | None = None, tags: tuple[str, ...] | None = None) -> ClaimSummary:
    """Accept (draft -> active, optionally with the user's own probability, a
    reworded statement, a due date and tags), reject a draft, or undo a rejection (rejected -> draft,
    or straight to active), in one transaction; the change is kept in the
    claim's history.

    The user's probability is their own forecast made now (``made_at`` to
    backdate it): the note's date is when the *claimant* spoke, not when the
    user judged it, so it is never silently backdated and marked backfilled."""
    from claimtrack.services import convert

    if probability is not None:
        probability = validate.probability(probability)
    if statement is not None:
        statement = validate.statement(statement)
    now = utcnow()
    made = made_at or now
    if made > now + timedelta(minutes=5):
        raise InvalidInput("the forecast's made date is in the future: use a date up to now")

    def work(session: Session) -> ClaimSummary:
        claim = load_claim(session, claim_id, for_update=True)
        if (claim.status, status) not in STATUS_CHANGES:
            raise Conflict(f"claim {claim_id} is {'an active claim' if claim.status == 'active' else claim.status}: "
                           "only drafts can be accepted or rejected, and only rejected drafts restored")
        edits = [_edit_row(claim, "status", claim.status, status, now, edited_by)]
        claim.status = status
        claim.revision += 1
        if statement is not None and statement != claim.statement:
            edits.append(_edit_row(claim, "statement", claim.statement, statement, now, edited_by))
            claim.statement = statement
        if status == "active" and resolve_by is not None and resolve_by != claim.resolve_by:
            if resolve_by < claim.stated_at:
                raise InvalidInput("the due date is before the claim was made: give a later due date")
            edits.append(_edit_row(claim, "resolve_by", _as_text(claim.resolve_by), _as_text(resolve_by), now,
                                   edited_by))
            claim.resolve_by = resolve_by
        if status == "active" and tags is not None:
            from claimtrack.domain.filters import normalise_tags

            old_tags, new_tags = tuple(t.tag for t in claim.tags), normalise_tags(tags)
            if sorted(old_tags) != sorted(new_tags):
                edits.append(_edit_row(claim, "tags", ",".join(old_tags), ",".join(new_tags), now, edited_by))
                claim.tags = [m.ClaimTag(tag=t) for t in new_tags]
        append_edits(session, edits)
        if status == "active" and probability is not None:
            if made < claim.stated_at:
                raise InvalidInput(f"the forecast's made date is before claim {claim_id} was made "
                                   f"({claim.stated_at:%Y-%m-%d}): use a later date")
            row = _forecast_row(claim, forecaster or edited_by or "me", probability, made, now,
                                "set when accepted from the inbox")
            append_forecasts(session, [row])
            note_forecast(session, claim)
        session.flush()
        return convert.claim_summary(claim)

    return db.run_write(work)


def _edit_row(claim, field: str, old: str | None, new: str | None, when: datetime,
              edited_by: str | None) -> dict:
    """A claim_edits row to chain (see services.chain.append_edits)."""
    return {"claim_id": claim.id, "claim_uuid": claim.uuid, "field": field, "old_value": old,
            "new_value": new, "edited_at": when, "edited_by": edited_by}


def _as_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
