"""Appending to the hash-chained tables (forecasts, resolutions).

Every append happens inside a write transaction that holds the table's
chain lock: SQLite's ``BEGIN IMMEDIATE`` already serialises writers; on
PostgreSQL a transaction-scoped advisory lock does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from claimtrack.db import models as m
from claimtrack.domain.chain import FORECAST_FIELDS, GENESIS, RESOLUTION_FIELDS, row_hash

_LOCK_KEYS = {"forecasts": 0x636C616D01, "resolutions": 0x636C616D02}


def lock_chain(session: Session, table: str) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEYS[table]})


def chain_tail(session: Session, model: type[m.Forecast] | type[m.Resolution]) -> str:
    lock_chain(session, model.__tablename__)
    last = session.execute(select(model.row_hash).order_by(model.id.desc()).limit(1)).scalar()
    return last or GENESIS


def hash_rows(
    rows: Iterable[dict[str, Any]], fields: tuple[str, ...], prev: str
) -> Iterator[dict[str, Any]]:
    """Fill prev_hash/row_hash into row dicts (which carry ``claim_uuid``), in order."""
    for row in rows:
        row["prev_hash"] = prev
        prev = row["row_hash"] = row_hash(prev, fields, row)
        yield row


def _append(session: Session, model, fields: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    """Chain ``rows`` onto ``model``'s table in order and insert them in one executemany."""
    if not rows:
        return
    prev = chain_tail(session, model)
    hashed = [_without(r, "claim_uuid") for r in hash_rows(rows, fields, prev)]
    session.execute(model.__table__.insert(), hashed)


def append_forecasts(session: Session, rows: list[dict[str, Any]]) -> None:
    _append(session, m.Forecast, FORECAST_FIELDS, rows)


def append_resolutions(session: Session, rows: list[dict[str, Any]]) -> None:
    _append(session, m.Resolution, RESOLUTION_FIELDS, rows)


def _without(row: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != key}
