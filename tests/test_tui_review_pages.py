"""Review mode reads the queue a page at a time (services.review_pages): with pages
of two, walking the demo ledger's queue shows the whole Python queue in its order,
the counter counts the whole queue from the first screen, and a deferred overdue
claim that falls due later in the queue does not come round again."""

from __future__ import annotations

from datetime import datetime, timezone

from test_tui_review import SIZE, demo, head  # noqa: F401  (demo is a fixture)
from test_tui_support import fresh, settle

from claimtrack.services import review
from claimtrack.tui.app import create_app
from claimtrack.tui.screens.defer import DeferModal
from claimtrack.tui.widgets.review_view import ReviewView


NOW = datetime.now(timezone.utc).replace(microsecond=0)


def reference(path):
    db = fresh(path)
    try:
        return [(i.reason, i.claim.id) for i in review.review_queue(db, "me", now=NOW)]
    finally:
        db.dispose()


async def test_paged_queue_walks_like_the_whole_queue(demo, monkeypatch):  # noqa: F811
    path = demo
    expected = reference(path)
    total = len(expected)
    assert total > 6 and expected[0][0] == "overdue"
    monkeypatch.setattr(ReviewView, "PAGE", 2)
    monkeypatch.setattr(ReviewView, "PREFETCH", 0)  # the next page only once the loaded ones are used up
    app = create_app(str(path), review=True, clock=lambda: NOW)  # a fixed clock: the deferral counts from NOW
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(ReviewView)
        assert len(view.items) == 2 and view.total == total  # one page read; counted whole
        assert head(app).startswith(f"Review · 1 of {total}")
        walked = [(view.current.reason, view.current.claim.id)]
        # defer the first (overdue) claim by a week: it falls due within the week, later in the queue
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DeferModal)
        await pilot.click("#defer-week")
        await settle(pilot)
        for n in range(2, total + 1):
            assert view.current is not None, n
            assert head(app).startswith(f"Review · {n} of {total}")
            walked.append((view.current.reason, view.current.claim.id))
            await pilot.press("s")
            await settle(pilot, rounds=2)
        assert view.current is None and view.summary is not None
        assert view.summary.startswith(f"resolved 0, updated 0, deferred 1, skipped {total - 1}")
    assert walked == expected
    # the deferred claim is due within the week now: a queue read again lists it there
    assert ("due", walked[0][1]) in reference(path)
