"""Helpers for the review UI tests (imported by the test_tui_* modules; no tests here)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from claimtrack.domain.records import ClaimIn, ForecastIn, ResolutionIn

SIZE = (140, 40)
# A fixed "now" for snapshots: after every demo claim was made, while some are open.
FIXED_NOW = datetime(2025, 9, 1, 12, 0, tzinfo=timezone.utc)


def fixed_clock() -> datetime:
    return FIXED_NOW


async def settle(pilot, delay: float = 0.1, rounds: int = 3) -> None:
    """Let timers fire, workers finish and their messages be handled."""
    app = pilot.app
    for _ in range(rounds):
        await pilot.pause(delay)
        await app.workers.wait_for_complete()
        await pilot.pause()


def fresh(path: Path):
    """A new connection to the ledger, as another process would open it."""
    from claimtrack.services.store import open_ledger

    return open_ledger(str(path))


def claim_in(statement: str, *, made: datetime, p: float | None = 0.6, due: datetime | None = None,
             source: str | None = None, tags=(), status: str = "active", forecaster: str = "tester",
             outcome: str | None = None, resolved: datetime | None = None) -> ClaimIn:
    forecasts = [ForecastIn(forecaster=forecaster, probability=p, made_at=made, recorded_at=made)] if p is not None else []
    resolutions = []
    if outcome is not None:
        when = resolved or made + timedelta(days=1)
        resolutions = [ResolutionIn(outcome=outcome, resolved_at=when, recorded_at=when)]
    return ClaimIn(statement=statement, stated_at=made, recorded_at=made, source=source, resolve_by=due,
                   tags=tuple(tags), status=status, forecasts=forecasts, resolutions=resolutions)


def seed(path: Path, claims: list[ClaimIn]) -> list[int]:
    """Write claims through the import service; returns their ids in order."""
    from claimtrack.services.imports import import_claims

    db = fresh(path)
    try:
        return list(import_claims(db, claims).claim_ids)
    finally:
        db.dispose()


def standard_ledger(path: Path) -> dict[str, int]:
    """Four active claims (one overdue, one resolved) and two inbox drafts; returns ids by name."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    day = timedelta(days=1)
    ids = seed(path, [
        claim_in("Acme ships the widget before March", made=now - 40 * day, due=now - 2 * day, p=0.7,
                 source="Ann", tags=("acme",)),
        claim_in("Globex opens a second office", made=now - 30 * day, due=now + 3 * day, p=0.4, source="Bob"),
        claim_in("Initech is acquired this year", made=now - 20 * day, due=now + 90 * day, p=0.2,
                 source="Ann", tags=("m-and-a",)),
        claim_in("Umbrella recalls its product", made=now - 60 * day, due=now - 10 * day, p=0.3,
                 source="Cy", outcome="no", resolved=now - 11 * day),
        claim_in("Draft: Hooli pivots to hardware", made=now - 5 * day, p=0.5, source="notes", status="draft"),
        claim_in("Draft: Pied Piper raises a round", made=now - 5 * day, p=0.6, source="notes", status="draft"),
    ])
    return dict(zip(("acme", "globex", "initech", "umbrella", "hooli", "pied"), ids))


def cell_text(table, claim_id: int, column: str) -> str:
    return table.get_cell(str(claim_id), column).plain


def set_field(screen, name: str, value: str) -> None:
    """Type a whole value into a form field (as a paste would)."""
    from textual.widgets import Input, TextArea

    widget = screen.query_one(f"#{name}-input")
    if isinstance(widget, TextArea):
        widget.text = value
    else:
        assert isinstance(widget, Input)
        widget.value = value


def content_of(widget):
    """What a Static shows: ``Static.content`` on newer Textual, ``renderable`` on older."""
    return widget.content if hasattr(widget, "content") else widget.renderable
