"""Opening the ledger the user means: the one place that locates and migrates.

Reads never invent a ledger: a path named with ``--db`` or
``$CLAIMTRACK_DB`` that does not exist is an error for every command but
``init`` and ``demo``, and so is a read when no ledger exists anywhere.  A
write with no ledger found anywhere creates the user data ledger, and the
caller is told (``notify``) so that it can say so.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from claimtrack.db.engine import Database
from claimtrack.db.location import LedgerLocation, resolve_location
from claimtrack.domain.errors import LedgerUnavailable

INIT_HINT = "run 'claimtrack init' to create one (or 'claimtrack demo' for an example)"


def locate(option: str | None = None, cwd: Path | None = None) -> LedgerLocation:
    return resolve_location(option, cwd)


def missing(location: LedgerLocation) -> bool:
    """A file ledger whose file does not exist yet."""
    return location.path is not None and not location.path.exists() and not location.path.is_symlink()


def check_exists(location: LedgerLocation, *, write: bool) -> bool:
    """Refuse a ledger that does not exist, unless this is a write with no
    ledger named or found (the user data ledger is then created): returns
    True in that case."""
    if not missing(location):
        return False
    if location.explicit:
        raise LedgerUnavailable(f"no ledger at {location.path} (given by {location.how}): {INIT_HINT}")
    if not write:
        raise LedgerUnavailable(f"no ledger found (no claims.db in this folder or any parent, none at "
                                f"{location.path}): {INIT_HINT}")
    return True


def open_ledger(option: str | LedgerLocation | None = None, *, create: bool = True, write: bool | None = None,
                notify: Callable[[str], None] | None = None) -> Database:
    """Locate, open, and (if behind) back up and upgrade the ledger.

    With ``write`` given, the rules above apply (and a read-only ledger
    refuses a write); without it, a missing file is created when ``create``.
    """
    from claimtrack.services.config import set_ledger_identity

    location = option if isinstance(option, LedgerLocation) else resolve_location(option)
    set_ledger_identity(None)
    db = _open(location, create=create, write=write, notify=notify)
    if db.dialect == "postgresql":
        from claimtrack.services.team import apply_identity

        try:
            apply_identity(db, write=bool(write))
        except LedgerUnavailable:
            db.dispose()
            raise
    return db


def _open(location: LedgerLocation, *, create: bool, write: bool | None,
          notify: Callable[[str], None] | None) -> Database:
    from claimtrack.db.migrate import open_database

    if write is not None:
        created = check_exists(location, write=write and create)
        db = open_database(location, create=created)
        if created and notify is not None:
            notify(f"no ledger found in this folder or any parent: created and using the user data ledger "
                   f"{location.path} ('claimtrack init' makes ./claims.db instead)")
        if write:
            try:
                db.refuse_if_read_only()
            except LedgerUnavailable:
                db.dispose()
                raise
        return db
    return open_database(location, create=create)
