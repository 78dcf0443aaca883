"""Checking the hash chains over forecasts and resolutions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from claimtrack.db import models as m
from claimtrack.db.engine import Database
from claimtrack.domain.chain import FORECAST_FIELDS, GENESIS, RESOLUTION_FIELDS, hashed_columns, row_hash

BATCH = 5000


@dataclass(frozen=True)
class ChainReport:
    table: str
    rows: int
    head: str  # row_hash of the newest row (note it to detect truncation later)
    broken_id: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def _check(db: Database, model, fields: tuple[str, ...]) -> ChainReport:
    prev, count, last_id = GENESIS, 0, 0
    columns = [getattr(model, f) for f in hashed_columns(fields) if f != "claim_uuid"]
    table = model.__tablename__
    while True:
        with db.read() as session:
            rows = session.execute(
                select(model.id, model.prev_hash, model.row_hash, m.Claim.uuid.label("claim_uuid"), *columns)
                .join(m.Claim, m.Claim.id == model.claim_id)
                .where(model.id > last_id).order_by(model.id).limit(BATCH)
            ).mappings().all()
        if not rows:
            return ChainReport(table, count, prev)
        for row in rows:
            if row["prev_hash"] != prev:
                return ChainReport(table, count, prev, row["id"],
                                   f"{table} row {row['id']}: link to the previous row is broken (a row before it was deleted or changed)")
            expected = row_hash(prev, fields, row)
            if expected != row["row_hash"]:
                return ChainReport(table, count, prev, row["id"],
                                   f"{table} row {row['id']}: content does not match its hash (the row was edited)")
            prev = row["row_hash"]
            count += 1
        last_id = rows[-1]["id"]


def verify_ledger(db: Database) -> list[ChainReport]:
    """The forecast and resolution chains, then the claims' chains and the
    claims themselves (services.verify_claims)."""
    from claimtrack.services.verify_claims import check_claims

    return [_check(db, m.Forecast, FORECAST_FIELDS), _check(db, m.Resolution, RESOLUTION_FIELDS),
            *check_claims(db)]
