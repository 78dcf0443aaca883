"""Opening the ledger the user means: the one place that locates and migrates."""

from __future__ import annotations

from pathlib import Path

from claimtrack.db.engine import Database
from claimtrack.db.location import LedgerLocation, resolve_location


def locate(option: str | None = None, cwd: Path | None = None) -> LedgerLocation:
    return resolve_location(option, cwd)


def open_ledger(option: str | LedgerLocation | None = None, *, create: bool = True) -> Database:
    """Locate, open, and (if behind) back up and upgrade the ledger."""
    from claimtrack.db.migrate import open_database

    location = option if isinstance(option, LedgerLocation) else resolve_location(option)
    return open_database(location, create=create)
