"""The review UI's claims view, driven with Pilot; every write is checked through a fresh session."""

from __future__ import annotations

import pytest
from test_tui_support import SIZE, cell_text, fresh, set_field, settle, standard_ledger, content_of

from claimtrack.services.queries import get_claim
from claimtrack.tui.app import create_app
from claimtrack.tui.screens.add_claim import AddClaimModal
from claimtrack.tui.screens.confirm import ConfirmModal
from claimtrack.tui.screens.forecast import ForecastModal
from claimtrack.tui.screens.resolve import ResolveModal
from claimtrack.tui.widgets.claims_table import ClaimsTable
from claimtrack.tui.widgets.claims_view import ClaimsView


@pytest.fixture
def ledger(tmp_path):
    path = tmp_path / "claims.db"
    ids = standard_ledger(path)
    return path, ids


def stored(path, claim_id):
    db = fresh(path)
    try:
        return get_claim(db, claim_id)
    finally:
        db.dispose()


async def select(pilot, claim_id: int) -> None:
    table = pilot.app.query_one(ClaimsTable)
    table.move_cursor(row=table.get_row_index(str(claim_id)))
    await settle(pilot)
    assert pilot.app.query_one(ClaimsView).detail_pane.detail.claim.id == claim_id


async def test_opens_on_open_claims_due_soonest_first_with_overdue_marked(ledger):
    path, ids = ledger
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.query_one(ClaimsTable)
        assert [c.id for c in table.claims] == [ids["acme"], ids["globex"], ids["initech"]]
        assert cell_text(table, ids["acme"], "state") == "overdue 2 d"
        assert cell_text(table, ids["globex"], "state") == "in 3 d"
        assert "red" in str(table.get_cell(str(ids["acme"]), "statement").style)
        assert "red" not in str(table.get_cell(str(ids["initech"]), "statement").style)
        detail = app.query_one(ClaimsView).detail_pane.detail
        assert detail is not None and detail.claim.id == ids["acme"]


async def test_add_claim_is_written(ledger):
    path, _ = ledger
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AddClaimModal)
        set_field(app.screen, "statement", "Soylent sells out by June")
        set_field(app.screen, "probability", "likely")
        set_field(app.screen, "source", "Dee")
        set_field(app.screen, "due", "in 3 months")
        set_field(app.screen, "tags", "Food, Supply Chain")
        set_field(app.screen, "note", "strong demand")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, AddClaimModal)
        new_id = app.query_one(ClaimsTable).selected().id
    detail = stored(path, new_id)
    assert detail.claim.statement == "Soylent sells out by June"
    assert detail.claim.source == "Dee"
    assert set(detail.claim.tags) == {"food", "supply-chain"}
    assert detail.claim.resolve_by is not None
    [forecast] = detail.forecasts
    assert (forecast.probability, forecast.forecaster, forecast.rationale) == (0.7, "tester", "strong demand")


async def test_add_claim_refuses_invalid_probability_inline(ledger):
    path, _ = ledger
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        set_field(app.screen, "statement", "Never saved")
        await pilot.click("#probability-input")
        await pilot.press("l", "o", "t", "s")
        await pilot.pause()
        hint = app.screen.query_one("#probability .hint")
        assert "invalid probability 'lots'" in str(content_of(hint))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AddClaimModal)  # not dismissed
        await pilot.press("escape")
        await settle(pilot)
        assert app.query_one(ClaimsTable).total == 3
    db = fresh(path)
    try:
        from claimtrack.domain.filters import ClaimFilter
        from claimtrack.services.queries import count_claims

        assert count_claims(db, ClaimFilter(state="all")) == 4
    finally:
        db.dispose()


async def test_forecast_is_written(ledger):
    path, ids = ledger
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, ids["globex"])
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, ForecastModal)
        set_field(app.screen, "probability", "3 in 4")
        set_field(app.screen, "rationale", "lease signed")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert cell_text(app.query_one(ClaimsTable), ids["globex"], "mine") == "75%"
    forecasts = stored(path, ids["globex"]).forecasts
    assert [(f.probability, f.forecaster) for f in forecasts] == [(0.4, "tester"), (0.75, "tester")]
    assert forecasts[-1].rationale == "lease signed"


async def test_resolve_is_written(ledger):
    path, ids = ledger
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, ids["acme"])
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ResolveModal)
        await pilot.press("y")  # the outcome shortcut while the choices have focus
        set_field(app.screen, "note", "shipped on the 2nd")
        set_field(app.screen, "url", "https://example.com/acme")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert ids["acme"] not in [c.id for c in app.query_one(ClaimsTable).claims]  # no longer open
    [resolution] = stored(path, ids["acme"]).resolutions
    assert (resolution.outcome, resolution.note, resolution.evidence_url) == (
        "yes", "shipped on the 2nd", "https://example.com/acme")
    assert resolution.resolved_by == "tester"


async def test_re_resolve_asks_first_and_keeps_history(ledger):
    path, ids = ledger
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.show_state("resolved")
        await settle(pilot)
        await select(pilot, ids["umbrella"])
        # first attempt: answer "no" to the confirmation, nothing is written and no form opens
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        await settle(pilot)
        assert not isinstance(app.screen, ResolveModal)
        assert len(stored(path, ids["umbrella"]).resolutions) == 1
        # second attempt: confirm, then the form
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ResolveModal)
        await pilot.press("v")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ResolveModal)
    outcomes = [r.outcome for r in stored(path, ids["umbrella"]).resolutions]
    assert outcomes == ["no", "void"]


async def test_another_persons_forecast_does_not_make_a_resolve_stale(ledger):
    path, ids = ledger
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, ids["globex"])
        await pilot.press("r")
        await pilot.pause()
        # meanwhile another process (the CLI) adds someone else's forecast
        from claimtrack.services.ledger import add_forecast

        other = fresh(path)
        add_forecast(other, ids["globex"], 0.9, forecaster="someone-else")
        other.dispose()
        await pilot.press("n")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ResolveModal)
    assert [r.outcome for r in stored(path, ids["globex"]).resolutions] == ["no"]


async def test_a_stale_resolve_keeps_the_form_filled_in_and_saves_on_the_second_try(ledger):
    from claimtrack.services.claim_edits import edit_claim

    path, ids = ledger
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, ids["globex"])
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("n")
        set_field(app.screen, "note", "closed the office\nsee the filing")
        set_field(app.screen, "url", "https://example.com/filing")
        other = fresh(path)  # meanwhile another process rewords the claim
        edit_claim(other, ids["globex"], edited_by="cli", statement="Globex opens a second office in 2026")
        other.dispose()
        await pilot.press("ctrl+s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ResolveModal)  # still open, with what was typed
        error = str(content_of(form.query_one("#form-error")))
        assert "changed since you opened it" in error and "What you typed is kept" in error
        assert form.field("note").text == "closed the office\nsee the filing"
        assert form.field("url").text == "https://example.com/filing"
        assert form.outcome == "no"
        assert stored(path, ids["globex"]).resolutions == ()
        await pilot.press("ctrl+s")  # against the claim as it is now
        await settle(pilot)
        assert not isinstance(app.screen, ResolveModal)
    [resolution] = stored(path, ids["globex"]).resolutions
    assert (resolution.outcome, resolution.note, resolution.evidence_url) == (
        "no", "closed the office\nsee the filing", "https://example.com/filing")


async def test_a_resolution_dated_before_the_claim_is_a_field_error_in_the_form(ledger):
    path, ids = ledger
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, ids["globex"])
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("y")
        set_field(app.screen, "date", "2001-01-01")
        set_field(app.screen, "note", "typed, not lost")
        await pilot.press("ctrl+s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ResolveModal)
        hint = str(content_of(form.query_one("#date .hint")))
        assert "before the claim was made" in hint and "--" not in hint
        assert form.field("note").text == "typed, not lost"
    assert stored(path, ids["globex"]).resolutions == ()


async def test_forecast_is_not_offered_on_a_resolved_claim(ledger):
    path, ids = ledger
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.show_state("resolved")
        await settle(pilot)
        await select(pilot, ids["umbrella"])
        view = app.query_one(ClaimsView)
        assert view.check_action("forecast", ()) is False
        assert "forecast" not in [b.action for _, b, _, _ in app.screen.active_bindings.values() if b.show] or \
            not app.screen.active_bindings["f"][2]
        await pilot.press("f")
        await settle(pilot)
        assert not isinstance(app.screen, ForecastModal)


def test_refusals_in_the_uis_words():
    from claimtrack.tui.refusals import field_for, ui_words

    text = ui_words("resolution date 2001-01-01 is before claim 3 was made (2024-01-01): give a later --date")
    assert text.endswith("give a later date") and "--" not in text
    assert field_for(text, {"date", "note", "url"}) == "date"
    text = ui_words("claim 8 is already resolved no: use --force to re-resolve (the earlier resolution is kept)")
    assert "--force" not in text and "re-resolve" in text
    assert "--made" not in ui_words("a forecast recorded after the resolution never counts, whatever its --made date")


async def test_edit_is_kept_as_history(ledger):
    path, ids = ledger
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, ids["initech"])
        await pilot.press("e")
        await pilot.pause()
        set_field(app.screen, "statement", "Initech is acquired before December")
        set_field(app.screen, "tags", "m-and-a, initech")
        set_field(app.screen, "details", "Counts if a deal is announced.")
        await pilot.press("ctrl+s")
        await settle(pilot)
    detail = stored(path, ids["initech"])
    assert detail.claim.statement == "Initech is acquired before December"
    assert set(detail.claim.tags) == {"m-and-a", "initech"}
    assert detail.details == "Counts if a deal is announced."
    history = {e.field: (e.old_value, e.new_value) for e in detail.edits}
    assert history["statement"] == ("Initech is acquired this year", "Initech is acquired before December")
    assert set(history) == {"statement", "tags", "details"}


async def test_inbox_accept_and_reject(ledger):
    path, ids = ledger
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(4):  # open -> due -> resolved -> all -> inbox
            await pilot.press("right_square_bracket")
        await settle(pilot)
        view = app.query_one(ClaimsView)
        assert view.state == "draft"
        assert sorted(c.id for c in view.table.claims) == sorted([ids["hooli"], ids["pied"]])
        await select(pilot, ids["hooli"])
        await pilot.press("y")
        await pilot.pause()
        set_field(app.screen, "probability", "35%")
        set_field(app.screen, "due", "2099-06-30")
        set_field(app.screen, "tags", "Hooli, Hardware")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await select(pilot, ids["pied"])
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await settle(pilot)
        assert view.table.claims == []
    hooli, pied = stored(path, ids["hooli"]), stored(path, ids["pied"])
    assert hooli.claim.status == "active"
    assert hooli.current_forecasts()["tester"].probability == 0.35
    assert hooli.claim.resolve_by.date().isoformat() == "2099-06-30"
    assert set(hooli.claim.tags) == {"hooli", "hardware"}
    assert {e.field for e in hooli.edits} == {"status", "resolve_by", "tags"}  # in its history
    assert pied.claim.status == "rejected"
    from claimtrack.services.verify import verify_ledger

    db = fresh(path)
    try:
        assert all(r.ok for r in verify_ledger(db))  # the accept's edits replay to the claim as it stands
    finally:
        db.dispose()


async def test_filter_matches_statement_source_and_tags(ledger):
    path, ids = ledger
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.query_one(ClaimsTable)
        await pilot.press("slash")
        await pilot.press(*"ann")
        await settle(pilot, delay=0.3)
        assert {c.id for c in table.claims} == {ids["acme"], ids["initech"]}  # source Ann
        await pilot.press("escape")  # clears the filter
        await settle(pilot, delay=0.3)
        await pilot.press("slash")
        await pilot.press(*"m-and")
        await pilot.press("enter")
        await settle(pilot, delay=0.3)
        assert [c.id for c in table.claims] == [ids["initech"]]  # by tag
        assert app.focused is table


async def test_state_switches_sorting_and_views(ledger):
    path, ids = ledger
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(ClaimsView)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert view.state == "due"
        assert [c.id for c in view.table.claims] == [ids["acme"], ids["globex"]]
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert view.state == "all"
        await pilot.click("#claims-table", offset=(12, 0))  # the "statement" header
        await settle(pilot)
        statements = [c.statement for c in view.table.claims]
        assert statements == sorted(statements)
        await pilot.click("#claims-table", offset=(12, 0))  # again: reversed
        await settle(pilot)
        assert [c.statement for c in view.table.claims] == sorted(statements, reverse=True)
        await pilot.press("2")
        await settle(pilot)
        assert app.query_one("TabbedContent").active == "calibration"
        await pilot.press("3")
        await settle(pilot)
        assert app.query_one("TabbedContent").active == "sources"
        await pilot.press("1")
        assert app.query_one("TabbedContent").active == "claims"
