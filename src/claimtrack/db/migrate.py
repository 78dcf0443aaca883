"""Open a ledger, creating or upgrading its schema when needed.

A database already at :data:`SCHEMA_HEAD` opens with one plain query and
never imports Alembic (about a second of import time).  A database behind
the code is backed up beside itself (file databases) and upgraded in one
transaction.  The Alembic scripts ship inside the package as
``claimtrack/migrations`` and are found with :mod:`importlib.resources`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, ProgrammingError

from claimtrack.db.backup import backup_path_for, backup_sqlite
from claimtrack.db.engine import Database, check_sqlite_file, create_private_file, describe_failure, make_engine
from claimtrack.db.location import LedgerLocation
from claimtrack.domain.errors import LedgerError, LedgerUnavailable

# The newest revision in migrations/versions; tests/test_migrations.py checks
# that it matches Alembic's own idea of head.
SCHEMA_HEAD = "0006"


def current_revision(engine: Engine) -> str | None:
    """The stamped revision, or None for a database with no alembic_version."""
    try:
        with engine.connect() as conn:
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
            conn.rollback()
    except (OperationalError, ProgrammingError) as exc:
        if _no_version_table(exc):
            return None
        raise  # unreachable server, wrong password, locked or corrupt file: not "blank"
    return row[0] if row else None


def _no_version_table(exc: Exception) -> bool:
    message = str(getattr(exc, "orig", None) or exc).lower()
    return "no such table" in message or ("alembic_version" in message and "does not exist" in message)


def _has_tables(engine: Engine) -> bool:
    from sqlalchemy import inspect

    return bool(inspect(engine).get_table_names())


def migrations_path() -> Path:
    return Path(str(resources.files("claimtrack") / "migrations"))


def _alembic_config(connection: Connection):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_path()))
    cfg.attributes["connection"] = connection
    return cfg


def alembic_head() -> str:
    from alembic.script import ScriptDirectory

    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_path()))
    return ScriptDirectory.from_config(cfg).get_current_head()


def upgrade(db: Database, *, backup: bool = True) -> Path | None:
    """Upgrade to head in one transaction; back up a file ledger that holds data first.

    A brand-new (empty) ledger is not backed up, and one that another process
    brought to head meanwhile is left alone, so many processes may open a
    new ledger at once.  A ledger with claimtrack's tables but no schema
    stamp is backed up once and stamped (see :func:`_stamp_unstamped`).
    """
    from alembic import command

    revision = current_revision(db.engine)
    if revision == SCHEMA_HEAD:
        return None
    has_tables = _has_tables(db.engine)
    if revision is None and has_tables:
        return _stamp_unstamped(db, backup=backup)
    backup_file = None
    if backup and db.location.path is not None and has_tables:
        db.dispose()
        backup_file = backup_sqlite(db.location.path, backup_path_for(db.location.path, f"pre-{SCHEMA_HEAD}"))
    if db.dialect == "sqlite":
        _upgrade_sqlite(db)
    else:
        with db._write_engine.begin() as conn:
            command.upgrade(_alembic_config(conn), "head")
            after_upgrade(conn)
    return backup_file


def after_upgrade(conn: Connection) -> None:
    """What every upgrade ends with, in its transaction: the append-only
    guards and the current-forecast trigger (db.current) (re)installed (a
    table rebuilt by a later migration loses its triggers) and, on a team ledger, the roles' grants on any new table."""
    from claimtrack.db import append_only, current

    append_only.install(conn)
    current.install(conn)
    if conn.dialect.name == "postgresql":
        from claimtrack.db.team import regrant_after_upgrade

        regrant_after_upgrade(conn)


def _stamp_unstamped(db: Database, *, backup: bool) -> Path | None:
    """A ledger whose ``alembic_version`` is missing but whose tables are
    exactly claimtrack's current ones is backed up (once: the stamp ends it)
    and stamped at head; anything else is refused, with nothing written."""
    from sqlalchemy import inspect

    from claimtrack.db.models import metadata

    if current_revision(db.engine) == SCHEMA_HEAD:
        return None  # another process stamped it meanwhile
    inspector = inspect(db.engine)
    found = {t: {c["name"] for c in inspector.get_columns(t)} for t in inspector.get_table_names()
             if t != "alembic_version"}
    expected = {name: {c.name for c in table.columns} for name, table in metadata.tables.items()}
    if found != expected:
        raise LedgerError(
            f"ledger {db.location.display()} has no schema stamp (alembic_version) and its tables are not "
            f"claimtrack's schema {SCHEMA_HEAD}: nothing was changed; restore a backup with 'claimtrack db restore'")
    backup_file = None
    if backup and db.location.path is not None:
        db.dispose()
        backup_file = backup_sqlite(db.location.path, backup_path_for(db.location.path, "pre-stamp"))
    with db._write_engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS alembic_version "
                          "(version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"))
        if conn.execute(text("SELECT version_num FROM alembic_version")).first() is None:
            conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": SCHEMA_HEAD})
        after_upgrade(conn)
    return backup_file


def _upgrade_sqlite(db: Database) -> None:
    """SQLite cannot switch foreign keys inside a transaction, and Alembic's
    batch mode rebuilds a table by dropping it (which, with foreign keys on,
    fails for any table other rows point at).  So the upgrade runs with them
    off, checks them itself before committing, and turns them back on."""
    from alembic import command

    with db._write_engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                command.upgrade(_alembic_config(conn), "head")
                after_upgrade(conn)
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise LedgerError(f"the upgrade would leave {len(broken)} rows pointing at missing rows "
                                      f"(first: {tuple(broken[0])}); nothing was changed")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def connect(location: LedgerLocation, *, create: bool = True) -> tuple[Database, str | None]:
    """Open ``location`` without changing its schema: the database and its
    stamped revision.  Refuses (before SQLite switches anything to WAL) a
    folder, a file that is not a ledger, another program's database and a
    schema newer than this code; all failures are one line."""
    mode = "rw"
    if location.path is not None:
        mode = check_sqlite_file(location.path)
        if not location.path.exists():
            if not create:
                raise LedgerUnavailable(f"no ledger at {location.path}: run 'claimtrack init' to create one")
            try:
                create_private_file(location.path)
            except FileExistsError:
                pass  # another process created it a moment ago
    db = Database(location, make_engine(location, mode), read_only=mode != "rw")
    try:
        revision = current_revision(db.engine)
        if revision is None and location.path is None:
            tables = set(_table_names(db.engine))
            if tables and not tables & {"claims", "forecasts", "resolutions"}:
                raise LedgerUnavailable(
                    f"{location.display()} holds another program's tables ({', '.join(sorted(tables)[:5])}), "
                    "not a claimtrack ledger; it was not changed")
    except LedgerUnavailable:
        db.dispose()
        raise
    except Exception as exc:  # connection refused, wrong password, locked or damaged file...
        db.dispose()
        raise LedgerUnavailable(f"cannot open ledger {location.display()}: {_describe(exc, location)}") from None
    if revision is not None and revision != SCHEMA_HEAD and not _known_revision(revision):
        db.dispose()
        raise LedgerUnavailable(
            f"ledger {location.display()} has schema {revision}, newer than this claimtrack "
            f"({SCHEMA_HEAD}); upgrade claimtrack; the ledger was not changed")
    return db, revision


def open_database(location: LedgerLocation, *, create: bool = True, migrate: bool = True) -> Database:
    """Open (and if needed create or upgrade) the ledger at ``location``."""
    db, revision = connect(location, create=create)
    if revision == SCHEMA_HEAD:
        return db
    if db.read_only:
        db.dispose()
        raise LedgerUnavailable(f"the ledger is read-only ({location.display()}) and its schema needs an upgrade "
                                f"({revision or 'empty'} -> {SCHEMA_HEAD}): make it writable once")
    if not migrate:
        raise LedgerError(f"ledger {location.display()} needs 'claimtrack db upgrade'")
    try:
        upgrade(db)
    except LedgerError:
        raise
    except Exception as exc:
        raise LedgerUnavailable(f"cannot upgrade ledger {location.display()}: {_describe(exc, location)}") from None
    return db


def _table_names(engine: Engine) -> list[str]:
    from sqlalchemy import inspect

    return inspect(engine).get_table_names()


def _describe(exc: BaseException, location: LedgerLocation) -> str:
    from claimtrack.db.location import scrub

    return scrub(describe_failure(exc) or _one_line(exc), location.url)


def _known_revision(revision: str) -> bool:
    return (migrations_path() / "versions").is_dir() and any(
        p.name.startswith(f"{revision}_") for p in (migrations_path() / "versions").iterdir()
    )


def _one_line(exc: BaseException) -> str:
    text_ = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text_[0] if text_ else type(exc).__name__
