"""Whether the database still enforces append-only (for ``verify``)."""

from __future__ import annotations

from dataclasses import dataclass

from claimtrack.db import append_only
from claimtrack.db.engine import Database


@dataclass(frozen=True)
class GuardReport:
    table: str
    expected: int
    missing: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.missing

    @property
    def problem(self) -> str | None:
        if self.ok:
            return None
        return (f"append-only triggers missing, disabled or altered: {', '.join(self.missing)} (the database no "
                f"longer refuses rewrites of {', '.join(append_only.APPEND_ONLY_TABLES)}: someone with the owner's "
                "rights removed them; 'claimtrack db upgrade' puts them back)")


def check_guards(db: Database) -> GuardReport:
    with db.read() as session:
        conn = session.connection()
        missing = append_only.missing_guards(conn)
        expected = len(append_only.sqlite_triggers() if conn.dialect.name == "sqlite" else append_only.pg_triggers())
    return GuardReport("append-only triggers", expected, tuple(missing))


def repair_guards(db: Database) -> int:
    """Re-install missing guards (the owner's ``db upgrade`` on a ledger at head); how many were missing."""
    report = check_guards(db)
    if report.ok:
        return 0
    db.refuse_if_read_only()
    with db._write_engine.begin() as conn:
        append_only.install(conn)
    return len(report.missing)


def repair_current_forecasts(db: Database) -> bool:
    """Re-install the trigger that keeps ``current_forecasts`` and refill the
    table from the forecasts when either is off (the owner's ``db upgrade``
    on a ledger at head; the table is a derived cache: rebuilding it loses
    nothing); whether anything was repaired."""
    from claimtrack.db import current

    with db.read() as session:
        conn = session.connection()
        broken = current.trigger_missing(conn) or current.mismatches(conn, limit=0)[0] > 0
    if not broken:
        return False
    db.refuse_if_read_only()
    with db._write_engine.begin() as conn:
        current.install(conn)
        current.rebuild(conn)
    return True
