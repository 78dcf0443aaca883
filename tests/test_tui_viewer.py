"""The review UI on a ledger that refuses writes (a team ledger's viewer): no write keys."""

from __future__ import annotations

from test_tui_support import SIZE, settle, standard_ledger

from claimtrack.tui.app import create_app
from claimtrack.tui.screens.forecast import ForecastModal
from claimtrack.tui.widgets.claims_view import ClaimsView


async def test_a_viewer_gets_no_write_keys(tmp_path):
    path = tmp_path / "claims.db"
    standard_ledger(path)
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(ClaimsView)
        assert view.check_action("forecast", ()) is True  # a writable ledger: the key is there
        db = view.backend.db
        db.read_only, db.read_only_why = True, "you are a viewer of this team ledger"  # as services.team sets it
        for action in ("add", "forecast", "resolve", "edit"):
            assert view.check_action(action, ()) is False
        await pilot.press("f")
        await settle(pilot)
        assert not isinstance(app.screen, ForecastModal)
