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
from claimtrack.db.engine import Database, create_private_file, make_engine
from claimtrack.db.location import LedgerLocation
from claimtrack.domain.errors import LedgerError

# The newest revision in migrations/versions; tests/test_migrations.py checks
# that it matches Alembic's own idea of head.
SCHEMA_HEAD = "0003"


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
    """Upgrade to head in one transaction; back up a non-empty file database first."""
    from alembic import command

    backup_file = None
    if backup and db.location.path is not None and _has_tables(db.engine):
        db.dispose()
        backup_file = backup_sqlite(db.location.path, backup_path_for(db.location.path, f"pre-{SCHEMA_HEAD}"))
    if db.dialect == "sqlite":
        _upgrade_sqlite(db)
    else:
        with db._write_engine.begin() as conn:
            command.upgrade(_alembic_config(conn), "head")
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
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise LedgerError(f"the upgrade would leave {len(broken)} rows pointing at missing rows "
                                      f"(first: {tuple(broken[0])}); nothing was changed")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def open_database(location: LedgerLocation, *, create: bool = True, migrate: bool = True) -> Database:
    """Open (and if needed create or upgrade) the ledger at ``location``."""
    if location.path is not None and not location.path.exists():
        if not create:
            raise LedgerError(f"no ledger at {location.path}: run 'claimtrack init' or 'claimtrack demo'")
        create_private_file(location.path)
    try:
        db = Database(location, make_engine(location))
        revision = current_revision(db.engine)
    except Exception as exc:  # connection refused, bad URL, not a database...
        raise LedgerError(f"cannot open ledger {location.display()}: {_one_line(exc)}") from exc
    if revision == SCHEMA_HEAD:
        return db
    if revision is not None and not _known_revision(revision):
        raise LedgerError(
            f"ledger {location.display()} has schema {revision}, newer than this claimtrack "
            f"({SCHEMA_HEAD}); upgrade claimtrack"
        )
    if not migrate:
        raise LedgerError(f"ledger {location.display()} needs 'claimtrack db upgrade'")
    try:
        upgrade(db)
    except Exception as exc:
        raise LedgerError(f"cannot upgrade ledger {location.display()}: {_one_line(exc)}") from exc
    return db


def _known_revision(revision: str) -> bool:
    return (migrations_path() / "versions").is_dir() and any(
        p.name.startswith(f"{revision}_") for p in (migrations_path() / "versions").iterdir()
    )


def _one_line(exc: BaseException) -> str:
    text_ = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text_[0] if text_ else type(exc).__name__
