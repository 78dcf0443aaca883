"""Each modal on its own, in a bare app: what it returns (its typed result) for what the user types."""

from __future__ import annotations

from datetime import datetime, timezone

from test_tui_support import fixed_clock, set_field, content_of
from textual.app import App

from claimtrack.domain.records import ClaimDetail, ClaimSummary
from claimtrack.services.ledger import NewClaim
from claimtrack.tui.screens.accept import AcceptInput, AcceptModal
from claimtrack.tui.screens.add_claim import AddClaimModal
from claimtrack.tui.screens.confirm import ConfirmModal
from claimtrack.tui.screens.edit import EditInput, EditModal
from claimtrack.tui.screens.forecast import ForecastInput, ForecastModal
from claimtrack.tui.screens.help import HelpScreen
from claimtrack.tui.screens.resolve import ResolveInput, ResolveModal

UNSET = object()


class Harness(App):
    """Pushes one screen and keeps what it was dismissed with."""

    def __init__(self, screen) -> None:
        super().__init__()
        self.modal = screen
        self.result = UNSET

    def on_mount(self) -> None:
        self.push_screen(self.modal, self._done)

    def _done(self, result) -> None:
        self.result = result


def summary(**changes) -> ClaimSummary:
    base = dict(id=7, uuid="u-7", statement="Acme ships the widget", source="Ann", source_url=None,
                stated_at=datetime(2025, 1, 1, tzinfo=timezone.utc), recorded_at=datetime(2025, 1, 1, tzinfo=timezone.utc),
                resolve_by=datetime(2025, 6, 30, 23, 59, tzinfo=timezone.utc), status="active", tags=("acme",),
                probability=0.6, forecaster="tester", n_forecasts=1, outcome=None, resolved_at=None, revision=3)
    base.update(changes)
    return ClaimSummary(**base)


async def run(screen, *keys: str, fields: dict[str, str] | None = None):
    app = Harness(screen)
    async with app.run_test(size=(110, 44)) as pilot:
        await pilot.pause()
        for name, value in (fields or {}).items():
            set_field(app.screen, name, value)
        await pilot.pause()
        if keys:
            await pilot.press(*keys)
        await pilot.pause()
        hints = {f.id: str(content_of(f.query_one(".hint"))) for f in app.screen.query("Field")} if app.result is UNSET else {}
    return app.result, hints


async def test_add_claim_returns_a_new_claim_parsed_like_the_cli():
    result, _ = await run(
        AddClaimModal(forecaster="tester", clock=fixed_clock), "ctrl+s",
        fields={"statement": "  Acme ships  ", "probability": "likely", "source": "Ann",
                "url": "https://example.com/a", "made": "2025-08-01", "due": "2025-12-31",
                "tags": "Acme, Supply Chain", "note": "why not"})
    assert isinstance(result, NewClaim)
    assert result.statement == "Acme ships"
    assert result.probability == 0.7
    assert result.forecaster == "tester"
    assert result.stated_at == datetime(2025, 8, 1, tzinfo=timezone.utc)  # a made date means its start
    assert result.resolve_by.date().isoformat() == "2025-12-31" and result.resolve_by.hour == 23  # end of day
    assert result.tags == ("acme", "supply-chain")
    assert (result.source, result.source_url, result.note) == ("Ann", "https://example.com/a", "why not")


async def test_add_claim_shows_errors_inline_and_stays_open():
    result, hints = await run(AddClaimModal(forecaster="tester", clock=fixed_clock), "ctrl+s",
                              fields={"statement": "x", "probability": "150%", "due": "someday soon",
                                      "url": "ftp://nope"})
    assert result is UNSET  # not dismissed
    assert "invalid probability '150%'" in hints["probability"]
    assert "someday soon" in hints["due"]
    assert "http://" in hints["url"]


async def test_add_claim_due_before_made_is_refused():
    result, _ = await run(AddClaimModal(forecaster="tester", clock=fixed_clock), "ctrl+s",
                          fields={"statement": "x", "probability": "0.5", "made": "2025-08-01", "due": "2025-07-01"})
    assert result is UNSET


async def test_add_claim_escape_returns_none():
    result, _ = await run(AddClaimModal(forecaster="tester", clock=fixed_clock), "escape",
                          fields={"statement": "typed but cancelled"})
    assert result is None


async def test_forecast_modal_result():
    result, _ = await run(ForecastModal(summary(), forecaster="tester", clock=fixed_clock), "ctrl+s",
                          fields={"probability": "3:1", "made": "yesterday", "rationale": "new data"})
    assert isinstance(result, ForecastInput)
    assert result.probability == 0.75
    assert result.forecaster == "tester"
    assert result.made_at.date() == datetime(2025, 8, 31).date()  # yesterday, by the fixed clock
    assert result.rationale == "new data"


async def test_forecast_modal_requires_a_probability():
    result, hints = await run(ForecastModal(summary(), forecaster="tester", clock=fixed_clock), "ctrl+s")
    assert result is UNSET
    assert "probability is required" in hints["probability"]


async def test_resolve_modal_needs_an_outcome_then_returns_it():
    result, _ = await run(ResolveModal(summary(), clock=fixed_clock), "ctrl+s")
    assert result is UNSET
    result, _ = await run(ResolveModal(summary(), clock=fixed_clock), "a", "ctrl+s",
                          fields={"date": "2025-07-02", "note": "unclear", "url": "https://example.com/e"})
    assert isinstance(result, ResolveInput)
    assert result.outcome == "ambiguous"
    assert result.resolved_at.date().isoformat() == "2025-07-02"
    assert (result.note, result.evidence_url) == ("unclear", "https://example.com/e")


async def test_resolve_modal_keys_pick_each_outcome():
    for key, outcome in (("y", "yes"), ("n", "no"), ("v", "void")):
        result, _ = await run(ResolveModal(summary(), clock=fixed_clock), key, "ctrl+s")
        assert result.outcome == outcome and result.resolved_at is None  # empty date: now


async def test_edit_modal_returns_only_what_changed():
    detail = ClaimDetail(claim=summary(), details="old details", forecasts=(), resolutions=(), edits=())
    result, _ = await run(EditModal(detail, clock=fixed_clock), "ctrl+s",
                          fields={"statement": "Acme ships the widget in Q3", "tags": "acme, q3"})
    assert isinstance(result, EditInput)
    assert result.changes == {"statement": "Acme ships the widget in Q3", "tags": ("acme", "q3")}


async def test_edit_modal_clearing_the_due_date_and_details():
    detail = ClaimDetail(claim=summary(), details="old details", forecasts=(), resolutions=(), edits=())
    result, _ = await run(EditModal(detail, clock=fixed_clock), "ctrl+s", fields={"due": "", "details": ""})
    assert result.changes == {"resolve_by": None, "details": None}


async def test_accept_modal_result():
    result, _ = await run(AcceptModal(summary(status="draft"), clock=fixed_clock), "ctrl+s",
                          fields={"probability": "20%"})
    assert result == AcceptInput(probability=0.2, statement=None)
    result, _ = await run(AcceptModal(summary(status="draft"), clock=fixed_clock), "ctrl+s",
                          fields={"statement": "Acme ships the widget by June"})
    assert result == AcceptInput(probability=None, statement="Acme ships the widget by June")


async def test_confirm_modal():
    assert (await run(ConfirmModal("Sure?"), "y"))[0] is True
    assert (await run(ConfirmModal("Sure?"), "n"))[0] is False
    assert (await run(ConfirmModal("Sure?"), "escape"))[0] is False
    assert (await run(ConfirmModal("Sure?"), "enter"))[0] is False  # the safe button has focus


async def test_help_screen_lists_keys_and_closes():
    from rich.console import Console

    from claimtrack.tui.widgets.claims_view import ClaimsView

    app = Harness(HelpScreen([("Claims", list(ClaimsView.BINDINGS))]))
    async with app.run_test(size=(110, 44)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=100, record=True, file=open("/dev/null", "w"))
        console.print(app.screen._help_table())
        text = console.export_text()
        await pilot.press("escape")
        await pilot.pause()
    assert app.result is None
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "r Resolve · Resolve the selected claim yes, no, ambiguous or void" in lines
    assert "/ Filter · Filter by words in the statement, source or tags" in lines
    assert any(line.startswith("probability 0.7 · 70%") for line in lines)
