"""Screenshots of the review UI on the demo ledger with a fixed clock (pytest-textual-snapshot).

Update after an intended change with ``pytest tests/test_tui_snapshots.py --snapshot-update``
and look at the SVGs in tests/__snapshots__/ before committing them.
"""

from __future__ import annotations

import pytest
from test_tui_support import fixed_clock, fresh, set_field, settle
from textual.widgets import Input

from claimtrack.tui.app import create_app

SIZE = (140, 40)


@pytest.fixture
def demo_app(tmp_path, monkeypatch):
    from claimtrack.services.demo import load_demo

    monkeypatch.delenv("NO_COLOR", raising=False)  # snapshots show the highlighting
    path = tmp_path / "claims.db"
    db = fresh(path)
    load_demo(db)
    db.dispose()
    return create_app(str(path), clock=fixed_clock)


async def ready(pilot) -> None:
    await settle(pilot)
    pilot.app.sub_title = "claims.db"  # the temporary folder differs on every run


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_claims_view(demo_app, snap_compare, size):
    """The responsive table: columns by width, statement at least half, due and state in one column,
    the table as tall as its rows and the detail pane beside or under it."""
    assert snap_compare(demo_app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_review_mode(tmp_path, monkeypatch, snap_compare, size):
    from claimtrack.services.demo import load_demo

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("CLAIMTRACK_USER", "me")
    path = tmp_path / "claims.db"
    db = fresh(path)
    load_demo(db)
    db.dispose()
    app = create_app(str(path), clock=fixed_clock, review=True)
    assert snap_compare(app, terminal_size=size, run_before=ready)


def test_calibration_text_fallback_at_80x24(demo_app, snap_compare):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("2")
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=run_before)


def test_resolved_claim_detail_and_resolve_form(demo_app, snap_compare):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket")  # resolved
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=run_before)


def test_add_form_inline_validation(demo_app, snap_compare):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("a")
        await pilot.pause()
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        set_field(pilot.app.screen, "statement", "[bold red]OpenAI ships its own chip[/]")
        set_field(pilot.app.screen, "probability", "very likely-ish")
        set_field(pilot.app.screen, "due", "eoy")
        set_field(pilot.app.screen, "tags", "OpenAI, Hardware")
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=run_before)


def test_calibration_view(demo_app, snap_compare):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("2")
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=run_before)


def test_sources_view(demo_app, snap_compare):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("3")
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=run_before)
