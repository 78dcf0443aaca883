"""Append-only, enforced by the database: triggers that refuse UPDATE and DELETE.

Every table the hash chains cover is listed once, in :data:`APPEND_ONLY_TABLES`;
migration 0005 installs the triggers from here, every upgrade re-installs any
that a later migration's table rebuild dropped, and ``verify`` checks that
each is present and unchanged (:func:`missing_guards`).

- SQLite: two triggers per table, ``BEFORE UPDATE`` and ``BEFORE DELETE``,
  each ``RAISE(ABORT, 'claimtrack: forecasts are append-only ...')``.
- PostgreSQL: one row trigger (``BEFORE UPDATE OR DELETE``) and one
  statement trigger (``BEFORE TRUNCATE``) per table, both calling the
  function ``claimtrack_append_only()``, which raises the same message.

The only legitimate rewrites are a ledger owner's maintenance (``db upgrade``
and ``db restore``, ``demo --force``): they go through :func:`maintenance`,
which drops the triggers and installs them again inside the caller's
transaction, so the rewrite and the guards' return commit together or not at
all.  Only a table's owner can drop its triggers, so on a team ledger a member
(who holds INSERT and SELECT only) cannot.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

# the tables the hash chains cover: history, never updated or deleted
APPEND_ONLY_TABLES: tuple[str, ...] = ("forecasts", "resolutions", "claim_records", "claim_edits")

PG_FUNCTION = "claimtrack_append_only"
_PG_BODY = (" BEGIN RAISE EXCEPTION 'claimtrack: % are append-only (% refused; only the ledger owner''s "
            "db upgrade or db restore rewrites history)', replace(TG_TABLE_NAME, '_', ' '), TG_OP "
            "USING ERRCODE = '55000'; END ")


def _words(table: str) -> str:
    return table.replace("_", " ")


def _sqlite_trigger(table: str, op: str) -> tuple[str, str]:
    name = f"claimtrack_{table}_no_{op.lower()}"
    sql = (f"CREATE TRIGGER {name} BEFORE {op} ON {table} BEGIN SELECT RAISE(ABORT, 'claimtrack: "
           f"{_words(table)} are append-only ({op} refused; only the ledger owner''s db upgrade or db restore "
           f"rewrites history)'); END")
    return name, sql


def sqlite_triggers() -> dict[str, str]:
    """{trigger name: its CREATE statement, exactly as sqlite_master keeps it}."""
    return dict(_sqlite_trigger(t, op) for t in APPEND_ONLY_TABLES for op in ("UPDATE", "DELETE"))


def pg_triggers() -> dict[str, tuple[str, str]]:
    """{trigger name: (table, CREATE statement)}."""
    out = {}
    for t in APPEND_ONLY_TABLES:
        out[f"claimtrack_{t}_append_only"] = (
            t, f"CREATE TRIGGER claimtrack_{t}_append_only BEFORE UPDATE OR DELETE ON {t} "
               f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()")
        out[f"claimtrack_{t}_no_truncate"] = (
            t, f"CREATE TRIGGER claimtrack_{t}_no_truncate BEFORE TRUNCATE ON {t} "
               f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()")
    return out


def install_statements(dialect: str) -> list[str]:
    """Statements that (re)install every guard; safe to run when some exist."""
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in sqlite_triggers()] + list(sqlite_triggers().values())
    stmts = [f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $ct${_PG_BODY}$ct$"]
    for name, (table, create) in pg_triggers().items():
        stmts += [f"DROP TRIGGER IF EXISTS {name} ON {table}", create]
    return stmts


def drop_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in sqlite_triggers()]
    return [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, (table, _) in pg_triggers().items()]


def install(conn) -> None:
    """Install (or repair) every guard on ``conn`` (a SQLAlchemy Connection), in its transaction."""
    for stmt in install_statements(conn.dialect.name):
        run_ddl(conn, stmt)


@contextmanager
def maintenance(conn) -> Iterator[None]:
    """The owner's maintenance path: the guards are dropped for the block and
    installed again at its end, in the caller's transaction (an error rolls
    both back).  Used by upgrades and restores only."""
    for stmt in drop_statements(conn.dialect.name):
        run_ddl(conn, stmt)
    yield
    install(conn)


def missing_guards(conn) -> list[str]:
    """Names of the guards that are absent, disabled or altered (empty: all in place)."""
    if conn.dialect.name == "sqlite":
        found = dict(conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all())
        return [name for name, sql in sqlite_triggers().items() if found.get(name) != sql]
    rows = conn.exec_driver_sql(
        "SELECT t.tgname, c.relname, t.tgenabled, p.proname, pg_get_triggerdef(t.oid) "
        "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
        "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace").all()
    found = {r[0]: r for r in rows}
    body = conn.exec_driver_sql(
        "SELECT prosrc FROM pg_proc WHERE proname = %(n)s AND pronamespace = current_schema()::regnamespace",
        {"n": PG_FUNCTION}).scalar()
    missing = []
    if body != _PG_BODY:
        missing.append(f"function {PG_FUNCTION}()")
    for name, (table, create) in pg_triggers().items():
        row = found.get(name)
        event = "TRUNCATE" if name.endswith("no_truncate") else "DELETE OR UPDATE"
        if (row is None or row[1] != table or row[2] == "D" or row[3] != PG_FUNCTION
                or f"BEFORE {event} ON" not in row[4]):
            missing.append(name)
    return missing


def run_ddl(conn, stmt: str) -> None:
    """One DDL statement, sent as is (no parameter parsing: the trigger bodies hold '%').

    The one place claimtrack runs SQL text it built: trigger, function, role and
    grant statements, where identifiers cannot be bound parameters.  Every
    statement comes from this module's and :mod:`claimtrack.db.team`'s
    constants, with role names checked to be plain identifiers."""
    conn.execution_options(no_parameters=True).exec_driver_sql(stmt)
