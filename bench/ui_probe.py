"""Time to the first rendered screen of a Textual app, headless, through Pilot.

    python bench/ui_probe.py claimtrack LEDGER          # claimtrack's UI on the claims table
    python bench/ui_probe.py claimtrack-review LEDGER [USER]   # as `claimtrack tui` opens: the review queue
    python bench/ui_probe.py minimal LEDGER             # the baseline: a minimal app

Prints ``FIRST_SCREEN <epoch seconds>`` on stderr once the app's screen shows
rows (a DataTable with at least one row, then the screen's next refresh: the
frame that draws them), then exits; the runner subtracts its own spawn time.
Work the app goes on doing after that frame (the score line, counts) does not
count: the probe watches the table every 5 ms and waits for the repaint, not
for the process to go idle (Pilot's ``pause()`` waits until the CPU is quiet,
up to a second at a time, which timed a busy worker, not the screen).  The
``claimtrack-review`` mode opens the app as ``claimtrack tui`` does
(``create_app(db, review=True)``) and stamps the frame that shows the review
queue's first claim (its number and why it needs attention, with the
counter "1 of N"), as USER (CLAIMTRACK_USER; the bench passes the
ledger's busiest forecaster, whose queue holds stale claims too); the claim's full detail is read after that in its own
worker, and how much later it is drawn is printed on stdout.  The
minimal app (bench/minimal_app.py) opens the same database with SQLAlchemy
(a small declarative model) and shows the first 100 claims in a DataTable:
the floor for a Textual + SQLAlchemy app on this machine.
"""

from __future__ import annotations

import asyncio
import sys
import time

SIZE = (120, 40)
TIMEOUT = 120.0


def minimal_app(db_path: str):
    from minimal_app import Minimal  # bench/ is on sys.path when this runs as a script

    return Minimal(db_path)


def claimtrack_app(db_path: str, review: bool = False):
    from claimtrack.tui.app import create_app

    return create_app(db_path, review=review)


def _table_with_rows(app):
    """The screen's DataTable with the most rows, once it has any and is on screen (else None)."""
    from textual.widgets import DataTable

    try:
        tables = [t for t in app.screen.query(DataTable) if t.row_count and t.display and t.region.height]
    except Exception:  # screen not ready yet
        return None
    return max(tables, key=lambda t: t.row_count, default=None)


async def _first_frame(app, shown, what: str):
    """Poll ``shown(app)`` every 5 ms until it gives the widget, then wait for
    the screen's next repaint (the frame that draws it) and stamp the time."""
    deadline = time.monotonic() + TIMEOUT
    while (widget := shown(app)) is None:
        if time.monotonic() > deadline:
            raise SystemExit(f"no {what} on screen after {TIMEOUT:.0f}s")
        await asyncio.sleep(0.005)
    await app.screen.wait_for_refresh()  # the screen repainted: it is drawn
    stamp = time.time()
    print(f"FIRST_SCREEN {stamp:.6f}", file=sys.stderr, flush=True)
    return widget, stamp


async def probe(app) -> int:
    async with app.run_test(size=SIZE):
        table, _ = await _first_frame(app, _table_with_rows, "rows")
        return table.row_count


def _review_first(app):
    """The review view, once it shows the queue's first claim (else None)."""
    try:
        from claimtrack.tui.widgets.review_view import ReviewView

        view = app.screen.query_one(ReviewView)
    except Exception:  # not composed yet
        return None
    item = view.current
    empty = view.loaded and not view.items  # nothing needs attention: what shows is the claims table
    return view if (item is not None and view.index == 0 and view.display and view.region.height) or empty else None


def _detail_drawn(view) -> bool:
    from textual.widgets import Static

    return "Loading" not in str(view.query_one("#review-detail", Static).render())


async def probe_review(app) -> str:
    async with app.run_test(size=SIZE):
        view, first = await _first_frame(app, _review_first, "review item")
        item, total = view.current, getattr(view, "total", len(view.items))
        if item is None:
            return "the review queue is empty"
        deadline = time.monotonic() + TIMEOUT
        while not _detail_drawn(view) and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        await app.screen.wait_for_refresh()
        return (f"#{item.claim.id} ({item.reason}) first of {total:,} in the queue, "
                f"its detail drawn {1000 * (time.time() - first):.0f} ms later")


def kind_of(argv: list[str]) -> str | None:
    if len(argv) == 2 and argv[0] in ("claimtrack", "claimtrack-review", "minimal"):
        return argv[0]
    return "claimtrack-review" if len(argv) == 3 and argv[0] == "claimtrack-review" else None


def main(argv: list[str]) -> int:
    if kind_of(argv) is None:
        print(__doc__, file=sys.stderr)
        return 2
    kind, db_path = argv[:2]
    if kind == "claimtrack-review":
        if len(argv) == 3:
            import os

            os.environ["CLAIMTRACK_USER"] = argv[2]
        print(f"{kind}: {asyncio.run(probe_review(claimtrack_app(db_path, review=True)))}")
        return 0
    app = claimtrack_app(db_path) if kind == "claimtrack" else minimal_app(db_path)
    rows = asyncio.run(probe(app))
    print(f"{kind}: {rows} rows on the first screen")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
