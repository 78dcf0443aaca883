"""``verify``'s check of the current-forecast cache (``current_forecasts``,
:mod:`claimtrack.db.current`): each stored row against the forecasts, and the
trigger that keeps it.  A derived cache: a difference is added to the claims'
report like the claims' own cached columns (services.verify_claims)."""

from __future__ import annotations

from dataclasses import replace

from claimtrack.db import current
from claimtrack.db.engine import Database
from claimtrack.services.verify_claims import MAX_PROBLEMS, ClaimsReport, claim_of, shown


def with_current_forecasts(db: Database, report: ClaimsReport) -> ClaimsReport:
    """The claims report with the current-forecast cache's problems added
    (a derived cache: a difference is reported like the claims' own caches)."""
    with db.read() as session:
        conn = session.connection()
        n, rows = current.mismatches(conn)
        missing = current.trigger_missing(conn)
    found = [_current_problem(*row) for row in rows]
    if missing:
        found.insert(0, f"{current.TABLE}: the trigger {current.TRIGGER} that keeps each (claim, forecaster)'s "
                        "current forecast is missing or altered (a forecast added now would not update it; "
                        "'claimtrack db upgrade' puts it back)")
        n += 1
    if not n:
        return report
    problems = (*report.problems, *found)[:MAX_PROBLEMS]
    first = report.problem or found[0]
    broken = report.broken_id if report.broken_id is not None else claim_of(first)
    return replace(report, broken_id=broken, problem=first, problems=problems, n_problems=report.n_problems + n)


def _current_problem(cid: int, who: str, have: int | None, want: int | None) -> str:
    head = f"claim {cid}: cached current forecast of {shown('last_forecaster', who)}"
    if have == want:
        return f"{head} does not match forecast {have} (changed outside claimtrack)"
    stored = f"forecast {have}" if have is not None else "missing"
    expected = f"forecast {want}" if want is not None else "none"
    return f"{head} is {stored} but its forecasts say {expected} (changed outside claimtrack)"
