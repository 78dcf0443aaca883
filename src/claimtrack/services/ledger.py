"""Writing to the ledger: add claims and forecasts.

Every public function is one transaction (``Database.run_write``): it commits
whole or writes nothing.  Forecasts and resolutions are only ever appended;
resolving lives in :mod:`claimtrack.services.resolve`, edits to a claim's own
fields and inbox decisions in :mod:`claimtrack.services.claim_edits`.

``add_claim``, ``add_forecast`` and ``resolve_claim`` (the quick commands)
work on the Core tables: a few plain statements, no ORM objects, mapper
configuration or unit of work.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from claimtrack.db import models as m
from claimtrack.db.engine import Database
from claimtrack.domain import validate
from claimtrack.domain.dates import utcnow
from claimtrack.domain.errors import Conflict, InvalidInput, NotFound, StaleRecord
from claimtrack.domain.records import (
    BACKFILL_THRESHOLD_HOURS,
    ClaimSummary,
    Forecast,
)
from claimtrack.domain.kinds import CLAIMANT_KINDS, TheirCall, check_basis
from claimtrack.domain.kinds import kind as check_kind
from claimtrack.services.chain import append_claim_records, append_forecasts

BACKFILL_AFTER = timedelta(hours=BACKFILL_THRESHOLD_HOURS)
# the UUID variant digit (RFC 4122: binary 10xx) for each random hex digit
_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def new_uuid() -> str:
    return new_uuids(1)[0]


def new_uuids(n: int) -> list[str]:
    """``n`` random (version 4) UUIDs as text, as ``str(uuid.uuid4())`` gives
    them, from one read of ``os.urandom`` (uuid4 reads it once per UUID)."""
    h = os.urandom(16 * n).hex()
    return [uuid4_text(h[i:i + 32]) for i in range(0, 32 * n, 32)]


def uuid4_text(h: str) -> str:
    """The version 4 UUID text of 32 random hex digits (the version digit and the variant's bits set)."""
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


def is_backfilled(made_at: datetime, recorded_at: datetime) -> bool:
    return recorded_at - made_at > BACKFILL_AFTER


@dataclass(frozen=True)
class NewClaim:
    statement: str
    probability: float | None
    forecaster: str
    source: str | None = None
    source_url: str | None = None
    stated_at: datetime | None = None  # default: now
    resolve_by: datetime | None = None
    tags: tuple[str, ...] = ()
    note: str | None = None  # rationale of the first forecast
    details: str | None = None
    # the claimant's own call, recorded as a forecast by ``source``
    their: "TheirCall | None" = None


MAX_ID = 2**31 - 1  # the id column is a 32-bit integer on PostgreSQL


def _not_found(claim_id: int) -> NotFound:
    return NotFound(f"no claim with id {claim_id}: see 'claimtrack list --all' for ids")


def load_claim(session: Session, claim_id: int, *, for_update: bool = False) -> m.Claim:
    """The claim as an ORM object (locked on PostgreSQL when ``for_update``)."""
    if not 0 < claim_id <= MAX_ID:
        raise _not_found(claim_id)
    query = select(m.Claim).where(m.Claim.id == claim_id)
    if for_update and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    claim = session.execute(query).scalar_one_or_none()
    if claim is None:
        raise _not_found(claim_id)
    return claim


def _claim_state(session: Session, claim_id: int):
    """What a write needs of a claim, as one Core row (locked on PostgreSQL)."""
    if not 0 < claim_id <= MAX_ID:
        raise _not_found(claim_id)
    c = m.claims.c
    query = select(c.id, c.uuid, c.status, c.outcome, c.resolved_at, c.stated_at, c.revision,
                   c.n_forecasts, c.question_type, c.options).where(c.id == claim_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    claim = session.execute(query).first()
    if claim is None:
        raise _not_found(claim_id)
    return claim


def _check_revision(claim, expected: int | None) -> None:
    if expected is not None and claim.revision != expected:
        raise StaleRecord(
            f"claim {claim.id} changed since you opened it (revision {expected} -> {claim.revision}): reload and try again"
        )


def _forecast_row(claim, forecaster: str, p: float, made_at: datetime,
                  recorded_at: datetime, rationale: str | None, **extra) -> dict:
    """The row of a new forecast on ``claim`` (anything with id, uuid, resolved_at).

    ``after_resolution``: the row is recorded now, so on a claim that is
    already resolved it is recorded after the resolution, whatever its made
    date, and never scored."""
    after = claim.resolved_at is not None
    return {
        "uuid": extra.get("uuid") or new_uuid(),
        "claim_uuid": claim.uuid,
        "claim_id": claim.id,
        "forecaster": forecaster,
        "probability": p,
        "made_at": made_at,
        "recorded_at": recorded_at,
        "rationale": rationale,
        "backfilled": is_backfilled(made_at, recorded_at),
        "after_resolution": after,
        "import_key": extra.get("import_key"),
        "kind": extra.get("kind") or "own",
        "basis": extra.get("basis"),
        "recorded_by": extra.get("recorded_by"),
        "distribution": extra.get("distribution"),
    }


def forecast_kind(kind: str | None, basis: str | None, forecaster: str,
                  recorded_by: str | None) -> tuple[str, str | None, str | None]:
    """Checked (kind, basis, recorded_by): a forecast of another kind than
    ``own`` is made on someone's behalf, and says who typed it in."""
    kind = check_kind(kind)
    basis = check_basis(kind, validate.optional_text(basis, "basis"))
    recorded_by = validate.name(recorded_by, "recorder")
    if kind == "own" or recorded_by == forecaster:
        recorded_by = None  # nobody else's call: the forecaster typed it in
    return kind, basis, recorded_by


def _newest_forecast(session: Session, claim_id: int):
    """(probability, forecaster) of the claim's newest forecast by made_at, or None."""
    f = m.forecasts.c
    return session.execute(
        select(f.probability, f.forecaster).where(f.claim_id == claim_id)
        .order_by(f.made_at.desc(), f.id.desc()).limit(1)
    ).first()


def note_forecast(session: Session, claim: m.Claim) -> None:
    """Refresh the cached newest forecast (by made_at) of an ORM claim after an append."""
    newest = _newest_forecast(session, claim.id)
    claim.n_forecasts = (claim.n_forecasts or 0) + 1
    if newest is not None:
        claim.last_probability, claim.last_forecaster = newest
    claim.revision = (claim.revision or 0) + 1


def _note_forecast(session: Session, claim) -> None:
    """The same for a claim read with :func:`_claim_state`, as one UPDATE."""
    newest = _newest_forecast(session, claim.id)
    values = {"n_forecasts": (claim.n_forecasts or 0) + 1, "revision": (claim.revision or 0) + 1}
    if newest is not None:
        values["last_probability"], values["last_forecaster"] = newest
    session.execute(update(m.claims).where(m.claims.c.id == claim.id).values(**values))


def _utc(value: datetime) -> datetime:
    """An aware datetime as the ledger hands it back: in UTC."""
    return value if value.tzinfo is timezone.utc else value.astimezone(timezone.utc)


def _forecast_record(row: dict) -> Forecast:
    """The stored forecast, from the row just inserted (its new id included)."""
    return Forecast(
        id=row["id"], uuid=row["uuid"], claim_id=row["claim_id"], forecaster=row["forecaster"],
        probability=None if row["probability"] is None else float(row["probability"]), made_at=_utc(row["made_at"]),
        recorded_at=_utc(row["recorded_at"]), rationale=row["rationale"],
        backfilled=row["backfilled"], after_resolution=row["after_resolution"],
        kind=row["kind"], basis=row["basis"], recorded_by=row["recorded_by"],
        distribution=_distribution(row.get("distribution")),
    )


def _distribution(text: str | None):
    if text is None:
        return None
    from claimtrack.domain.distribution import distribution_from_text

    return distribution_from_text(text)


@dataclass
class CheckedClaim:
    """A new claim's fields, checked, and its row as created (see add_claim)."""

    values: dict
    tags: tuple[str, ...]
    note: str | None
    forecaster: str
    stated_at: datetime
    now: datetime


def check_new_claim(new, **extra) -> CheckedClaim:
    """Check what every new claim has (``new``: a NewClaim or NewQuestion) and
    build its claims row, with ``extra`` columns (a question's spec)."""
    from claimtrack.domain.filters import normalise_tags

    statement = validate.statement(new.statement)
    source = validate.name(new.source, "source")
    source_url = validate.url(new.source_url, "source url")
    details = validate.optional_text(new.details, "details")
    note = validate.optional_text(new.note, "note")
    forecaster = validate.name(new.forecaster, "forecaster") or "me"
    tags = normalise_tags(new.tags)
    now = utcnow()
    stated_at = new.stated_at or now
    if stated_at > now + timedelta(minutes=5):
        raise InvalidInput("the claim's made date is in the future: a claim is logged when or after it is made")
    if new.resolve_by is not None and new.resolve_by < stated_at:
        raise InvalidInput("the due date is before the claim was made: give a later --due")
    values = {
        "uuid": new_uuid(), "statement": statement, "details": details, "source": source,
        "source_url": source_url, "stated_at": stated_at, "recorded_at": now,
        "resolve_by": new.resolve_by, "status": "active", "revision": 1, "n_forecasts": 0, **extra,
    }
    return CheckedClaim(values, tags, note, forecaster, stated_at, now)


def insert_claim(session: Session, new: CheckedClaim, firsts: list[tuple]) -> int:
    """Insert a checked claim, its tags, its chained record and its first
    forecasts ``(forecaster, probability, rationale, extra columns)``, in the
    caller's transaction; returns the claim's id.  The row's revision and
    cached forecast columns must already count ``firsts``."""
    values, tags = new.values, new.tags
    claim_id = session.execute(m.claims.insert().values(**values)).inserted_primary_key[0]
    if tags:
        session.execute(m.claim_tags.insert(), [{"claim_id": claim_id, "tag": t} for t in tags])
    append_claim_records(session, [_creation_record(claim_id, values, tags)])
    if firsts:
        claim = SimpleNamespace(id=claim_id, uuid=values["uuid"], resolved_at=None)
        append_forecasts(session, [_forecast_row(claim, who, prob, new.stated_at, new.now, why, **extra)
                                   for who, prob, why, extra in firsts])
    return claim_id


def add_claim(db: Database, new: NewClaim) -> ClaimSummary:
    checked = check_new_claim(new)
    values, tags, note, forecaster = checked.values, checked.tags, checked.note, checked.forecaster
    source = values["source"]
    p = validate.probability(new.probability) if new.probability is not None else None
    their = new.their
    if their is not None:
        if source is None:
            raise InvalidInput("the claimant's call needs the claimant: give --by SOURCE with --their")
        if their.kind not in CLAIMANT_KINDS:
            raise InvalidInput(f"a claimant's call is stated, implied or asserted, not {their.kind}")
        their_p = validate.probability(their.probability)
        their_basis = check_basis(their.kind, their.basis)
        if p is not None and source.casefold() == forecaster.casefold():
            raise InvalidInput(f"{source} is both the claimant (--by) and the forecaster: give -p or --their, not both")
    # the claim's first forecasts: the claimant's call, then yours (the
    # newest, so yours is the cached current one)
    firsts: list[tuple] = []
    if their is not None:
        firsts.append((source, their_p, None, {"kind": their.kind, "basis": their_basis, "recorded_by": forecaster}))
    if p is not None:
        firsts.append((forecaster, p, note, {}))
    if firsts:
        values.update(revision=1 + len(firsts), n_forecasts=len(firsts),
                      last_probability=firsts[-1][1], last_forecaster=firsts[-1][0])

    def work(session: Session) -> ClaimSummary:
        claim_id = insert_claim(session, checked, firsts)
        return ClaimSummary(
            id=claim_id, uuid=values["uuid"], statement=values["statement"], source=source,
            source_url=values["source_url"], stated_at=checked.stated_at, recorded_at=checked.now,
            resolve_by=new.resolve_by, status="active", tags=tags,
            probability=values.get("last_probability"), forecaster=values.get("last_forecaster"),
            n_forecasts=values["n_forecasts"], outcome=None, resolved_at=None, revision=values["revision"],
            mine=p, theirs=their_p if their is not None else None,
            their_kind=their.kind if their is not None else None,
        )

    return db.run_write(work)


def _creation_record(claim_id: int, values: dict, tags) -> dict:
    """The chained record of a claim as created (see domain.claim_history)."""
    from claimtrack.domain.chain import CLAIM_FIELDS, OPTIONAL_FIELDS
    from claimtrack.domain.claim_history import tags_text

    record = {name: values.get(name) for name in CLAIM_FIELDS}
    record.update((name, values.get(name, default)) for name, default in OPTIONAL_FIELDS[CLAIM_FIELDS])
    record.update(claim_id=claim_id, claim_uuid=values["uuid"], tags=tags_text(tags))
    return record


def check_forecast_fields(forecaster, rationale, kind, basis, recorded_by, made_at):
    """What every new forecast has, checked: (forecaster, rationale, kind, basis,
    recorded_by, made_at, now); a made date in the future is refused."""
    forecaster = validate.name(forecaster, "forecaster") or "me"
    rationale = validate.optional_text(rationale, "note")
    kind, basis, recorded_by = forecast_kind(kind, basis, forecaster, recorded_by)
    now = utcnow()
    made = made_at or now
    if made > now + timedelta(minutes=5):
        raise InvalidInput("the forecast's made date is in the future: use a date up to now")
    return forecaster, rationale, kind, basis, recorded_by, made, now


def add_forecast(db: Database, claim_id: int, probability: float, *, forecaster: str,
                 made_at: datetime | None = None, rationale: str | None = None,
                 expected_revision: int | None = None, kind: str | None = None,
                 basis: str | None = None, recorded_by: str | None = None) -> Forecast:
    """Append a forecast.  ``kind`` other than ``own`` records someone else's
    call (see domain.kinds); ``recorded_by`` says who typed it in."""
    p = validate.probability(probability)
    forecaster, rationale, kind, basis, recorded_by, made, now = check_forecast_fields(
        forecaster, rationale, kind, basis, recorded_by, made_at)

    def work(session: Session) -> Forecast:
        claim = _claim_state(session, claim_id)
        _check_revision(claim, expected_revision)
        if claim.question_type != "binary":
            from claimtrack.domain.distribution import options_from_text, wrong_kind

            raise wrong_kind(claim.question_type, claim_id, options_from_text(claim.options))
        if claim.status != "active":
            raise Conflict(f"claim {claim_id} is a {claim.status} in the inbox: accept it first ('claimtrack accept {claim_id}')")
        if made < claim.stated_at:
            raise InvalidInput(
                f"the forecast's made date {made:%Y-%m-%d %H:%M} UTC is before claim {claim_id} was made "
                f"({claim.stated_at:%Y-%m-%d %H:%M} UTC): a forecast on a claim comes after the claim"
            )
        if claim.outcome is not None:
            # Whatever its stated date, a forecast recorded after the resolution
            # was recorded was made knowing the outcome: never scored, so refused.
            raise Conflict(
                f"claim {claim_id} is already resolved {claim.outcome} ({claim.resolved_at:%Y-%m-%d} UTC): "
                "a forecast recorded after the resolution never counts, whatever its --made date"
            )
        row = _forecast_row(claim, forecaster, p, made, now, rationale,
                            kind=kind, basis=basis, recorded_by=recorded_by)
        append_forecasts(session, [row])
        _note_forecast(session, claim)
        return _forecast_record(row)

    return db.run_write(work)
