"""Review mode in the UI: a whole session on the demo ledger, checked through a fresh session after each step."""

from __future__ import annotations

import pytest
from test_tui_support import fresh, set_field, settle, content_of

from claimtrack.services.queries import get_claim
from claimtrack.tui.app import create_app
from claimtrack.tui.screens.defer import DeferModal
from claimtrack.tui.screens.forecast import ForecastModal
from claimtrack.tui.screens.resolve import ResolveModal
from claimtrack.tui.widgets.claims_table import ClaimsTable
from claimtrack.tui.widgets.review_view import ReviewView

SIZE = (120, 40)


@pytest.fixture
def demo(tmp_path, monkeypatch):
    from claimtrack.services.demo import load_demo

    monkeypatch.setenv("CLAIMTRACK_USER", "me")  # the demo's own forecaster: stale claims are yours
    path = tmp_path / "claims.db"
    db = fresh(path)
    load_demo(db)
    db.dispose()
    return path


def stored(path, claim_id):
    db = fresh(path)
    try:
        return get_claim(db, claim_id, "me")
    finally:
        db.dispose()


def head(app) -> str:
    return str(content_of(app.query_one("#review-head")))


async def test_a_full_review_session_resolve_update_defer_skip(demo):
    path = demo
    app = create_app(str(path), review=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        view = app.query_one(ReviewView)
        assert app.query_one("#views").active == "review"  # opens on the queue
        items = list(view.items)
        total = len(items)
        assert total >= 5 and {i.reason for i in items} >= {"overdue", "stale"}
        ids = [i.claim.id for i in items]
        assert head(app).startswith(f"Review · 1 of {total}")
        before = {cid: stored(path, cid) for cid in ids[:4]}

        # 1. resolve yes, with a note and an evidence link
        await pilot.press("y")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ResolveModal) and form.outcome == "yes"
        set_field(form, "note", "announced at the keynote")
        set_field(form, "url", "https://example.com/keynote")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ResolveModal)
        [resolution] = stored(path, ids[0]).resolutions
        assert (resolution.outcome, resolution.note, resolution.evidence_url) == (
            "yes", "announced at the keynote", "https://example.com/keynote")
        assert view.current.claim.id == ids[1] and head(app).startswith(f"Review · 2 of {total}")

        # 2. update your forecast
        await pilot.press("f")
        await settle(pilot)
        second = view.current.claim
        if second.question_type == "binary":
            assert isinstance(app.screen, ForecastModal)
            set_field(app.screen, "probability", "80%")
        else:  # the demo's queue holds questions too: their own form (issue 12)
            from claimtrack.tui.screens.question_forms import QuestionForecastModal

            assert isinstance(app.screen, QuestionForecastModal)
            typed = (", ".join(f"{o}={100 / len(second.options):.4f}%" for o in second.options)
                     if second.question_type == "choice" else {"numeric": "10%=1, 50%=2, 90%=3",
                                                              "date": "50%=2027-06-01"}[second.question_type])
            set_field(app.screen, "distribution", typed)
        await pilot.press("ctrl+s")
        await settle(pilot)
        after = stored(path, ids[1])
        assert len(after.forecasts) == len(before[ids[1]].forecasts) + 1
        newest = after.forecasts[-1]
        assert newest.forecaster == "me"
        if second.question_type == "binary":
            assert newest.probability == 0.8
        else:
            assert newest.probability is None and newest.distribution is not None
        assert after.resolutions == ()
        assert view.current.claim.id == ids[2] and head(app).startswith(f"Review · 3 of {total}")

        # 3. defer by a week: an edit of the due date, kept in the history
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DeferModal)
        await pilot.click("#defer-week")
        await settle(pilot)
        assert not isinstance(app.screen, DeferModal)
        after = stored(path, ids[2])
        old_due = before[ids[2]].claim.resolve_by
        assert after.claim.resolve_by is not None and (old_due is None or after.claim.resolve_by > old_due)
        assert [e.field for e in after.edits][-1:] == ["resolve_by"]
        assert after.resolutions == () and len(after.forecasts) == len(before[ids[2]].forecasts)
        assert view.current.claim.id == ids[3] and head(app).startswith(f"Review · 4 of {total}")

        # 4. skip: nothing written, the cursor moves on
        await pilot.press("s")
        await settle(pilot)
        assert stored(path, ids[3]) == before[ids[3]]
        assert view.current.claim.id == ids[4] and head(app).startswith(f"Review · 5 of {total}")

        # the rest skipped: the end summary
        for _ in range(total - 4):
            await pilot.press("s")
            await settle(pilot, rounds=1)
        await settle(pilot)
        assert view.current is None
        assert view.summary is not None
        assert view.summary.startswith(f"resolved 1, updated 1, deferred 1, skipped {total - 3}")
        assert "your Brier this quarter" in view.summary or "this quarter" in view.summary

        # the claims table shows what review mode wrote
        await pilot.press("t")
        await settle(pilot)
        assert app.query_one("#views").active == "claims"
        table = app.query_one(ClaimsTable)
        assert str(ids[0]) not in table.rows  # resolved: no longer an open claim


async def test_cancelling_a_form_stays_on_the_item_and_drafts_offer_accept_and_reject(demo, tmp_path):
    from test_tui_support import claim_in, seed
    from datetime import datetime, timedelta, timezone

    path = demo
    now = datetime.now(timezone.utc)
    [draft_id] = seed(path, [claim_in("Draft: Hooli pivots to hardware", made=now - timedelta(days=3),
                                      source="notes", status="draft")])
    app = create_app(str(path), review=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(ReviewView)
        first = view.current.claim.id
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ResolveModal)
        await pilot.press("escape")
        await settle(pilot)
        assert view.current.claim.id == first  # cancelled: still here, nothing written
        assert stored(path, first).resolutions == ()
        assert view.check_action("reject", ()) is False  # not a draft
        while view.current is not None and view.current.reason != "draft":
            await pilot.press("s")
            await settle(pilot, rounds=1)
        assert view.current is not None and view.current.claim.id == draft_id
        assert view.check_action("forecast", ()) is False and view.check_action("defer", ()) is False
        assert view.check_action("resolve", ("no",)) is False
        assert view.check_action("reject", ()) is True


async def test_an_empty_queue_opens_on_the_claims(tmp_path):
    from test_tui_support import claim_in, seed
    from datetime import datetime, timedelta, timezone

    path = tmp_path / "claims.db"
    now = datetime.now(timezone.utc)
    seed(path, [claim_in("Far off", made=now - timedelta(days=1), due=now + timedelta(days=300),
                         forecaster="tester")])
    app = create_app(str(path), review=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.query_one("#views").active == "claims"
        assert app.query_one(ReviewView).items == []
