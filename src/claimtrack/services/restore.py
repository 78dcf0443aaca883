"""Replacing a file ledger's content: ``db restore BACKUP`` and ``demo --force``.

The new content is prepared and checked in a scratch copy beside the
ledger, then written into the ledger in place (never by unlinking or
renaming it: other processes may have it open) by
:func:`claimtrack.db.backup.replace_contents`, which keeps what it held as
a dated backup.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from claimtrack.db.location import LedgerLocation
from claimtrack.domain.errors import InvalidInput, LedgerError

PG_RESTORE_HINT = ("db restore works on SQLite file ledgers; for a server ledger restore a pg_dump file with "
                   "pg_restore --clean --if-exists --dbname DATABASE_URL claims.dump")


@dataclass(frozen=True)
class Replaced:
    saved: Path  # the backup of what the ledger held before
    claims: int
    chain_rows: int  # forecasts and resolutions verified after the swap


def _scratch_location(path: Path) -> LedgerLocation:
    return LedgerLocation(f"sqlite:///{path}", path, "scratch")


def _check_ledger(path: Path, what: str) -> tuple[int, int]:
    """Integrity and hash chains of the ledger at ``path``: (claims, chained rows).  LedgerError if broken."""
    from sqlalchemy import func, select

    from claimtrack.db import models as m
    from claimtrack.db.engine import Database, make_engine
    from claimtrack.services.verify import verify_ledger

    from claimtrack.db.backup import integrity_problem

    problem = integrity_problem(path)
    if problem is not None:
        raise LedgerError(f"{what} fails SQLite's integrity check ({problem})")
    db = Database(_scratch_location(path), make_engine(_scratch_location(path)))
    try:
        reports = verify_ledger(db)
        broken = [r for r in reports if not r.ok]
        if broken:
            raise LedgerError(f"{what} fails verification: {broken[0].problem}")
        with db.read() as session:
            claims = session.execute(select(func.count()).select_from(m.Claim)).scalar_one()
        return claims, sum(r.rows for r in reports)
    finally:
        db.dispose()


def _prepare(scratch: Path, what: str) -> None:
    """Bring the scratch copy to the current schema; refuse anything that is not a claimtrack ledger."""
    from claimtrack.db.engine import Database, make_engine
    from claimtrack.db.migrate import SCHEMA_HEAD, _has_tables, _known_revision, current_revision, upgrade

    db = Database(_scratch_location(scratch), make_engine(_scratch_location(scratch)))
    try:
        revision = current_revision(db.engine)
        if revision is None and not _has_tables(db.engine):
            raise InvalidInput(f"{what} is an empty database, not a claimtrack ledger; nothing was changed")
        if revision is not None and revision != SCHEMA_HEAD and not _known_revision(revision):
            raise InvalidInput(f"{what} has schema {revision}, newer than this claimtrack ({SCHEMA_HEAD}); "
                               "upgrade claimtrack first")
        try:
            upgrade(db, backup=False)
        except LedgerError:
            raise InvalidInput(f"{what} is not a claimtrack ledger (its tables are not claimtrack's and it has "
                               "no schema stamp); nothing was changed") from None
    finally:
        db.dispose()


def _swap(location: LedgerLocation, scratch: Path, label: str) -> Path:
    from claimtrack.db.backup import replace_contents
    from claimtrack.db.migrate import open_database

    open_database(location).dispose()  # the ledger itself at the current schema, like the scratch copy
    try:
        return replace_contents(location.path, scratch, label)
    except sqlite3.OperationalError as exc:
        raise LedgerError(f"cannot replace {location.path}: {exc}; nothing was changed") from None


def restore_ledger(location: LedgerLocation, backup: Path) -> Replaced:
    """Make the ledger hold what ``backup`` holds, after checking the backup."""
    from claimtrack.db import outputs
    from claimtrack.db.backup import scratch_ledger

    if location.path is None:
        raise InvalidInput(PG_RESTORE_HINT)
    if not backup.is_file():
        raise InvalidInput(f"no such backup file: {backup}")
    if not outputs.is_sqlite_file(backup):
        raise InvalidInput(f"{backup} is not an SQLite database, so not a claimtrack backup; nothing was changed")
    ledger = location.path
    if ledger.exists() and os.path.samefile(backup, ledger):
        raise InvalidInput(f"{backup} is the ledger in use itself; give a backup file")
    with scratch_ledger(ledger, copy_from=backup) as scratch:
        _prepare(scratch, f"backup {backup}")
        try:
            _check_ledger(scratch, f"backup {backup}")
        except LedgerError as exc:
            raise InvalidInput(f"{exc}; nothing was changed") from None
        saved = _swap(location, scratch, "before-restore")
    return Replaced(saved, *_check_ledger(ledger, f"the restored ledger {ledger}"))


def replace_with_demo(location: LedgerLocation) -> Replaced:
    """``demo --force``: the example ledger, written over the ledger in place."""
    from claimtrack.db.backup import scratch_ledger
    from claimtrack.db.migrate import open_database
    from claimtrack.services.demo import load_demo

    if location.path is None:
        raise InvalidInput("demo --force only replaces file ledgers; use an empty database")
    with scratch_ledger(location.path) as scratch:
        db = open_database(_scratch_location(scratch))
        try:
            load_demo(db)
        finally:
            db.dispose()
        saved = _swap(location, scratch, "before-demo")
    return Replaced(saved, *_check_ledger(location.path, f"the new ledger {location.path}"))
