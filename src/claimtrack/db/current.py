"""The stored current forecast of each (claim, forecaster): a derived cache.

``current_forecasts`` holds, for every (claim_id, forecaster) pair with a
forecast, that pair's newest forecast by (made_at, id): its id, made_at,
kind and probability.  Forecasters are exact names here (readers that merge
names differing only in case do so themselves, keeping the newest).

It is a cache, not history: it is updated in place, so it is not among the
append-only tables (:mod:`claimtrack.db.append_only`) and the hash chains do
not cover it.  ``verify`` recomputes it from ``forecasts`` and reports any
difference like the claims' other caches (:func:`mismatches`).

A database trigger on ``forecasts`` INSERT keeps it, so every write path
(the services, the importers' batch inserts, questions' forecasts, raw
inserts such as the bench generator's) keeps it right on both engines, in
the inserting statement's transaction:

- SQLite: ``AFTER INSERT`` trigger ``claimtrack_current_forecast``, one
  upsert per row;
- PostgreSQL: a row trigger of the same name calling the function
  ``claimtrack_current_forecast()``, ``SECURITY DEFINER`` (it runs with the
  owner's rights), so a team member who may only INSERT forecasts and SELECT
  the cache still keeps it, and cannot write it directly.

Migration 0006 creates the table, fills it (:data:`BACKFILL`) and installs
the trigger; every upgrade re-installs the trigger (a later migration that
rebuilds ``forecasts`` on SQLite drops it).
"""

from __future__ import annotations

TABLE = "current_forecasts"
TRIGGER = "claimtrack_current_forecast"
PG_FUNCTION = "claimtrack_current_forecast"
COLUMNS = "claim_id, forecaster, forecast_id, made_at, kind, probability"

# one upsert: a forecast replaces the pair's row only when it is newer by (made_at, id)
_UPSERT = (
    f"INSERT INTO {TABLE} ({COLUMNS}) "
    "VALUES (NEW.claim_id, NEW.forecaster, NEW.id, NEW.made_at, NEW.kind, NEW.probability) "
    "ON CONFLICT (claim_id, forecaster) DO UPDATE SET forecast_id = excluded.forecast_id, "
    "made_at = excluded.made_at, kind = excluded.kind, probability = excluded.probability "
    f"WHERE excluded.made_at > {TABLE}.made_at "
    f"OR (excluded.made_at = {TABLE}.made_at AND excluded.forecast_id > {TABLE}.forecast_id)"
)

# every pair's newest forecast, from scratch (the migration's backfill; verify's reference)
FROM_SCRATCH = (
    f"SELECT {COLUMNS} FROM (SELECT claim_id, forecaster, id AS forecast_id, made_at, kind, probability, "
    "ROW_NUMBER() OVER (PARTITION BY claim_id, forecaster ORDER BY made_at DESC, id DESC) AS rn "
    "FROM forecasts) AS ranked WHERE rn = 1"
)
BACKFILL = f"INSERT INTO {TABLE} ({COLUMNS}) {FROM_SCRATCH}"
CLEAR = f"DELETE FROM {TABLE}"  # before a BACKFILL that rebuilds the whole table


def sqlite_trigger() -> str:
    """The SQLite trigger's CREATE statement, exactly as sqlite_master keeps it."""
    return f"CREATE TRIGGER {TRIGGER} AFTER INSERT ON forecasts BEGIN {_UPSERT}; END"


def pg_function(schema: str) -> str:
    return (f'CREATE OR REPLACE FUNCTION "{schema}".{PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql '
            f'SECURITY DEFINER SET search_path = "{schema}", pg_temp AS $ct$ BEGIN {_UPSERT}; RETURN NULL; END $ct$')


def install_statements(dialect: str, schema: str | None = None) -> list[str]:
    """Statements that (re)install the trigger; safe to run when it exists."""
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {TRIGGER}", sqlite_trigger()]
    return [pg_function(schema or "public"),
            f"DROP TRIGGER IF EXISTS {TRIGGER} ON forecasts",
            f"CREATE TRIGGER {TRIGGER} AFTER INSERT ON forecasts FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"]


def drop_trigger(conn) -> None:
    """Drop the trigger (not the table) on ``conn``, in its transaction: a bulk load that then
    calls :func:`rebuild` and :func:`install` (services.chain.bulk_forecasts)."""
    from claimtrack.db.append_only import run_ddl

    for stmt in drop_statements(conn.dialect.name)[:1]:
        run_ddl(conn, stmt)


def drop_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {TRIGGER}"]
    return [f"DROP TRIGGER IF EXISTS {TRIGGER} ON forecasts", f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()"]


def install(conn) -> None:
    """Install (or repair) the trigger on ``conn`` (a SQLAlchemy Connection), in its transaction."""
    from claimtrack.db.append_only import run_ddl

    schema = None
    if conn.dialect.name != "sqlite":
        schema = conn.exec_driver_sql("SELECT current_schema()").scalar()
    for stmt in install_statements(conn.dialect.name, schema):
        run_ddl(conn, stmt)


def rebuild(conn) -> None:
    """Refill the table from ``forecasts`` (the owner's maintenance: restore, a bulk load)."""
    _run(conn, CLEAR)
    _run(conn, BACKFILL)


def trigger_missing(conn) -> bool:
    """Whether the trigger that keeps the table is absent, disabled or altered."""
    if conn.dialect.name == "sqlite":
        sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                                   (TRIGGER,)).scalar()
        return sql != sqlite_trigger()
    row = conn.exec_driver_sql(
        "SELECT t.tgenabled, p.proname, p.prosecdef, pg_get_triggerdef(t.oid) FROM pg_trigger t "
        "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
        "WHERE t.tgname = %(n)s AND c.relname = 'forecasts' AND c.relnamespace = current_schema()::regnamespace",
        {"n": TRIGGER}).first()
    return row is None or row[0] == "D" or row[1] != PG_FUNCTION or not row[2] or "AFTER INSERT ON" not in row[3]


# stored rows that are not their pair's newest forecast: pointing at no forecast of
# that pair, differing from the forecast they point at, or with a newer one beside them
_BAD_ROWS = (
    "SELECT c.claim_id, c.forecaster FROM current_forecasts c "
    "LEFT JOIN forecasts f ON f.id = c.forecast_id AND f.claim_id = c.claim_id AND f.forecaster = c.forecaster "
    "AND f.made_at = c.made_at AND f.kind = c.kind "
    "AND (f.probability = c.probability OR (f.probability IS NULL AND c.probability IS NULL)) "
    "WHERE f.id IS NULL OR EXISTS (SELECT 1 FROM forecasts g WHERE g.claim_id = c.claim_id "
    "AND g.forecaster = c.forecaster AND (g.made_at > c.made_at OR (g.made_at = c.made_at AND g.id > c.forecast_id)))"
)
_MISSING = ("SELECT claim_id, forecaster FROM forecasts GROUP BY claim_id, forecaster "
            "EXCEPT SELECT claim_id, forecaster FROM current_forecasts")


def mismatches(conn, limit: int = 20) -> tuple[int, list[tuple]]:
    """Pairs where the table differs from a from-scratch computation
    (:data:`FROM_SCRATCH`): (how many, up to ``limit`` of them as (claim_id,
    forecaster, stored forecast id, expected forecast id)).

    Without computing every pair's newest forecast: each stored row must be
    a forecast of its pair, as stored, with none newer (one index seek per
    row), and there must be as many stored rows as pairs with forecasts
    (primary key: one per pair), else the missing pairs are listed."""
    bad = [tuple(r) for r in _run(conn, _BAD_ROWS).all()]
    n_pairs = _run(conn, "SELECT COUNT(*) FROM (SELECT claim_id, forecaster FROM forecasts "
                         "GROUP BY claim_id, forecaster) AS p").scalar()
    n_stored = _run(conn, "SELECT COUNT(*) FROM current_forecasts").scalar()
    missing = []
    if n_pairs != n_stored - len(bad):
        missing = [tuple(r) for r in _run(conn, _MISSING).all()]
    pairs = sorted(set(bad) | set(missing))
    out = []
    for claim_id, forecaster in pairs[:limit]:
        params = {"c": claim_id, "f": forecaster}
        have = _run(conn, "SELECT forecast_id FROM current_forecasts WHERE claim_id = :c AND forecaster = :f",
                    params).scalar()
        want = _run(conn, "SELECT id FROM forecasts WHERE claim_id = :c AND forecaster = :f "
                          "ORDER BY made_at DESC, id DESC LIMIT 1", params).scalar()
        out.append((claim_id, forecaster, have, want))
    return len(pairs), out


def _run(conn, stmt: str, params: dict | None = None):
    """One statement of this module's: its text comes from the constants
    above only (table and column names), values go as bound parameters."""
    from sqlalchemy import text

    return conn.execute(text(stmt), params or {})
