"""Appending to the hash-chained tables (forecasts, resolutions, claim
records and claim edits).

Every append happens inside a write transaction that holds the table's
chain lock: SQLite's ``BEGIN IMMEDIATE`` already serialises writers; on
PostgreSQL a transaction-scoped advisory lock does.

On SQLite the rows go straight to the driver's ``executemany`` in the
session's transaction, each value converted by the column type's own bind
processor (exactly what SQLAlchemy would store: naive-UTC timestamp text,
integer booleans), without SQLAlchemy's per-row parameter handling, which
costs more than SQLite's own insert for a 150,000-row import.  PostgreSQL
goes through SQLAlchemy's executemany.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, select, text
from sqlalchemy.schema import DropIndex
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from claimtrack.db import current, models as m
from claimtrack.domain.chain import (
    CLAIM_FIELDS,
    EDIT_FIELDS,
    FORECAST_FIELDS,
    GENESIS,
    RESOLUTION_FIELDS,
    chain_hashes,
)
from claimtrack.domain.claim_history import creation_values, reconciling_edits

_LOCK_KEYS = {"forecasts": 0x636C616D01, "resolutions": 0x636C616D02,
              "claim_records": 0x636C616D03, "claim_edits": 0x636C616D04}
BIG_INSERT = 5000  # rows
BIG_INSERT_CACHE_KIB = 65536  # SQLite's default is 2,000 KiB


def _table(model) -> Table:
    """The table of a mapped class, or the table itself."""
    return model if isinstance(model, Table) else model.__table__


def lock_chain(session: Session, table: str) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEYS[table]})


def chain_tail(session: Session, model) -> str:
    """The newest row's hash (GENESIS for an empty table), under the chain lock."""
    table = _table(model)
    lock_chain(session, table.name)
    last = session.execute(select(table.c.row_hash).order_by(table.c.id.desc()).limit(1)).scalar()
    return last or GENESIS


def hash_rows(
    rows: Iterable[dict[str, Any]], fields: tuple[str, ...], prev: str
) -> Iterator[dict[str, Any]]:
    """Fill prev_hash/row_hash into row dicts (which carry ``claim_uuid``), in order."""
    rows = list(rows)
    link_rows(rows, fields, prev)
    return iter(rows)


def link_rows(rows: list[dict[str, Any]], fields: tuple[str, ...], prev: str) -> None:
    """Fill prev_hash/row_hash into ``rows`` in place, in order."""
    for row, row_hash in zip(rows, chain_hashes(prev, fields, rows)):
        row["prev_hash"] = prev
        prev = row["row_hash"] = row_hash


def _append(session: Session, table: Table, fields: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    """Chain ``rows`` onto ``table`` in order and insert them in one executemany.

    A single row gets its new primary key back in ``row["id"]``.
    """
    if not rows:
        return
    link_rows(rows, fields, chain_tail(session, table))
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        _insert_sqlite(connection, table, rows)
        return
    names = set(table.c.keys())
    hashed = [{k: v for k, v in r.items() if k in names} for r in rows]
    if len(hashed) == 1:
        rows[0]["id"] = session.execute(table.insert(), hashed[0]).inserted_primary_key[0]
    else:
        session.execute(table.insert(), hashed)


def _insert_sqlite(connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT ``rows`` (dicts keyed by column name; other keys ignored) with the
    driver's executemany, in the connection's transaction.  The statement is
    SQLAlchemy's own; driver errors are raised as SQLAlchemy's, as
    ``Session.execute`` would raise them."""
    dialect = connection.dialect
    compiled = table.insert().compile(dialect=dialect, column_keys=[c.name for c in table.columns if c.name in rows[0]])
    sql, names = compiled.string, compiled.positiontup
    # columns the rows leave out but the statement names get their Python-side
    # default (e.g. a forecast's kind), as SQLAlchemy's insert would give them
    missing = {name: table.c[name].default.arg for name in names
               if name not in rows[0] and table.c[name].default is not None and table.c[name].default.is_scalar}
    filled = [{**missing, **row} for row in rows] if missing else rows
    getter = itemgetter(*names)
    converters = []
    for i, name in enumerate(names):
        column = table.c[name]
        process = column.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            if getattr(column.type, "impl", column.type).python_type is datetime:
                process = _remembering(process)
            converters.append((i, process))
    params = []
    for row in filled:
        values = list(getter(row))
        for i, process in converters:
            values[i] = process(values[i])
        params.append(values)
    error = dialect.loaded_dbapi.Error
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        if len(params) == 1:
            cursor.execute(sql, params[0])
            rows[0]["id"] = cursor.lastrowid
        elif len(params) <= BIG_INSERT:
            cursor.executemany(sql, params)
        else:
            # a page cache big enough for the indexes being filled (random
            # import keys land all over theirs), for this insert only
            cache = cursor.execute("PRAGMA cache_size").fetchone()[0]
            cursor.execute(_cache_size(-BIG_INSERT_CACHE_KIB))
            try:
                cursor.executemany(sql, params)
            finally:
                cursor.execute(_cache_size(cache))
    except error as exc:
        raise DBAPIError.instance(sql, None, exc, error, dialect=dialect, ismulti=len(params) > 1) from exc
    finally:
        cursor.close()


BULK_CACHE_KIB = 8192  # the page cache of a bulk import, in KiB (peak memory stays under 100 MB)


@contextmanager
def bulk_forecasts(session: Session, n_rows: int) -> Iterator[None]:
    """Around a big insert (more than ``BIG_INSERT`` rows) into an empty
    forecasts table on SQLite: the table's secondary indexes are dropped, and
    built again from their own SQL once the rows are in (one sort, not a
    random insert per row), inside the same transaction, so a failure rolls
    them back with the rows; a bigger page cache meanwhile.  The unique
    constraints (uuid, import key) stay and are checked row by row as
    always.  The current-forecast trigger (:mod:`claimtrack.db.current`) is
    dropped the same way and the cache filled once from the new rows, then
    the trigger put back, in the same transaction.  Elsewhere it does nothing."""
    connection = session.connection()
    if (n_rows <= BIG_INSERT or connection.dialect.name != "sqlite"
            or session.execute(select(m.forecasts.c.id).limit(1)).first() is not None):
        yield
        return
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        indexes = cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                 "AND tbl_name = 'forecasts' AND sql IS NOT NULL ORDER BY name").fetchall()
        cache = cursor.execute("PRAGMA cache_size").fetchone()[0]
        cursor.execute(_cache_size(-BULK_CACHE_KIB))
        # only the schema's own secondary indexes, dropped through their
        # SQLAlchemy objects and rebuilt from the SQL SQLite kept for them
        known = {index.name: index for index in m.forecasts.indexes}
        indexes = [(name, sql) for name, sql in indexes if name in known]
        keeps_cache = not current.trigger_missing(connection)
        try:
            for name, _ in indexes:
                connection.execute(DropIndex(known[name]))
            if keeps_cache:
                current.drop_trigger(connection)
            yield
            for _, sql in indexes:
                cursor.execute(sql)
            if keeps_cache:  # filled once from the new rows, then kept by the trigger again
                current.rebuild(connection)
                current.install(connection)
        finally:
            cursor.execute(_cache_size(cache))
    finally:
        cursor.close()


def _cache_size(value: int) -> str:
    """The PRAGMA setting SQLite's page cache (pages, or KiB when negative);
    a PRAGMA takes no bound parameters, so the value is forced to an int."""
    return "PRAGMA cache_size = %d" % int(value)


def _remembering(process):
    """A datetime column's bind processor, with its results remembered by
    value: an import stamps every row with the same ``recorded_at``, and many
    rows share a ``made_at``."""
    memo: dict[datetime, Any] = {}

    def convert(value):
        if value.__class__ is not datetime:
            return process(value)
        try:
            return memo[value]
        except KeyError:
            result = memo[value] = process(value)
            return result

    return convert


def append_forecasts(session: Session, rows: list[dict[str, Any]]) -> None:
    _append(session, m.forecasts, FORECAST_FIELDS, rows)


def append_resolutions(session: Session, rows: list[dict[str, Any]]) -> None:
    _append(session, m.resolutions, RESOLUTION_FIELDS, rows)


def append_edits(session: Session, rows: list[dict[str, Any]]) -> None:
    """Chain and insert claim edits (dicts with ``claim_uuid`` and the columns)."""
    _append(session, m.claim_edits, EDIT_FIELDS, rows)


def append_claim_records(session: Session, rows: list[dict[str, Any]]) -> None:
    """Chain and insert the creation records of claims just inserted (dicts
    keyed by CLAIM_FIELDS, with ``claim_id``)."""
    _append(session, m.claim_records, CLAIM_FIELDS, rows)


def claim_history_rows(claim_id: int, current: dict[str, Any], edits: list[dict[str, Any]],
                       *, now, edited_by: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The creation record of a claim stored with its current fields and an
    edit history that did not come from this ledger (an import file, a ledger
    from before the chain), and the edits that close the history: any field
    whose last edit does not end at its current value gets one more edit,
    made now by ``edited_by``.

    ``current`` is keyed as the claims row is (``tags`` as tags_text);
    ``edits`` are claim_edits rows (field, old_value, new_value...)."""
    history = [(e["field"], e["old_value"], e["new_value"]) for e in edits]
    record = {**creation_values(current, history), "claim_id": claim_id}
    closing = [{"claim_id": claim_id, "claim_uuid": current["uuid"], "field": field, "old_value": old,
                "new_value": new, "edited_at": now, "edited_by": edited_by}
               for field, old, new in reconciling_edits(current, history)]
    return record, closing


def _without(row: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != key}
