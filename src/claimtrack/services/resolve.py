"""Resolving a claim: a yes/no claim with yes/no/ambiguous/void, a choice,
numeric or date claim with its option or value (split from services.ledger,
which holds adding claims and forecasts)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from claimtrack.db import models as m
from claimtrack.db.engine import Database
from claimtrack.domain import validate
from claimtrack.domain.dates import utcnow
from claimtrack.domain.errors import Conflict, InvalidInput
from claimtrack.domain.records import Resolution
from claimtrack.services.chain import append_resolutions
from claimtrack.services.ledger import _check_revision, _claim_state, _utc, new_uuid


def _check_resolve_revision(claim, expected: int | None, seen_forecasts: int | None) -> None:
    from claimtrack.domain.review import resolve_is_stale

    if resolve_is_stale(expected, seen_forecasts, claim.revision, claim.n_forecasts or 0):
        _check_revision(claim, expected)


def resolve_claim(db: Database, claim_id: int, outcome: str, *, resolved_at: datetime | None = None,
                  note: str | None = None, evidence_url: str | None = None,
                  resolved_by: str | None = None, force: bool = False,
                  expected_revision: int | None = None,
                  seen_forecasts: int | None = None) -> tuple[Resolution, list[str]]:
    """Append a resolution; returns it and any warnings for the user.

    ``expected_revision`` refuses a stale resolve; with ``seen_forecasts``
    (the claim's forecast count as the caller showed it) forecasts added
    since, anyone's, do not make it stale: only a change to the claim or its
    resolution does (see domain.review.resolve_is_stale).

    A choice, numeric or date claim takes its option (a prefix works) or its
    true value as ``outcome`` (stored as outcome 'value' with the value), or
    ambiguous or void (see domain.distribution.resolution_for)."""
    typed = outcome
    try:
        outcome = validate.outcome(outcome)
        bad_outcome = None
    except InvalidInput as exc:
        outcome, bad_outcome = None, exc
    note = validate.optional_text(note, "note")
    evidence_url = validate.url(evidence_url, "evidence url")
    resolved_by = validate.name(resolved_by, "resolver")
    now = utcnow()
    if resolved_at is not None and resolved_at > now + timedelta(minutes=5):
        raise InvalidInput("the resolution date is in the future: use the date the outcome became known")

    def work(session: Session) -> tuple[Resolution, list[str]]:
        claim = _claim_state(session, claim_id)
        _check_resolve_revision(claim, expected_revision, seen_forecasts)
        result, value = _outcome_for(claim, typed, outcome, bad_outcome)
        when = resolved_at or now
        same = claim.outcome == result and (value is None or value == _current_value(session, claim.id))
        if resolved_at is None and force and same and claim.resolved_at is not None:
            when = _utc(claim.resolved_at)  # re-resolving to the same outcome keeps its date unless --date is given
        if claim.status != "active":
            raise Conflict(f"claim {claim_id} is a {claim.status} in the inbox: accept it first")
        if claim.outcome is not None and not force:
            raise Conflict(
                f"claim {claim_id} is already resolved {claim.outcome}: use --force to re-resolve (the earlier resolution is kept in its history)"
            )
        if when < claim.stated_at:
            raise InvalidInput(
                f"resolution date {when:%Y-%m-%d} is before claim {claim_id} was made ({claim.stated_at:%Y-%m-%d}): give a later --date"
            )
        f = m.forecasts.c
        late = session.execute(select(f.id).where(f.claim_id == claim.id, f.made_at >= when).limit(1)).first()
        warnings = []
        if late is not None:
            warnings.append("some forecasts on this claim were made at or after this resolution date; they will not be scored")
        row = {
            "uuid": new_uuid(), "claim_uuid": claim.uuid, "claim_id": claim.id,
            "outcome": result, "resolved_at": when, "note": note,
            "evidence_url": evidence_url, "resolved_by": resolved_by,
            "recorded_at": now, "import_key": None, "value": value,
        }
        append_resolutions(session, [row])
        session.execute(update(m.claims).where(m.claims.c.id == claim.id)
                        .values(outcome=result, resolved_at=when, revision=claim.revision + 1))
        stored = Resolution(
            id=row["id"], uuid=row["uuid"], claim_id=claim.id, outcome=result, resolved_at=_utc(when),
            note=note, evidence_url=evidence_url, resolved_by=resolved_by, recorded_at=_utc(now), value=value,
        )
        return stored, warnings

    return db.run_write(work)


def _outcome_for(claim, typed: str, outcome: str | None, bad: InvalidInput | None) -> tuple[str, str | None]:
    """(outcome, value) of resolving ``claim`` with what the user typed."""
    if claim.question_type == "binary":
        if bad is not None:
            raise bad
        return outcome, None
    from claimtrack.domain.distribution import options_from_text, resolution_for

    return resolution_for(claim.question_type, options_from_text(claim.options), typed)


def _current_value(session: Session, claim_id: int) -> str | None:
    r = m.resolutions.c
    return session.execute(select(r.value).where(r.claim_id == claim_id).order_by(r.id.desc()).limit(1)).scalar()
