"""Finding and moving in the review UI, the responsive table, and the scores where you look."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from test_tui_support import SIZE, settle, standard_ledger, content_of

from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.query import parse_query
from claimtrack.tui.app import create_app
from claimtrack.tui.format import columns_for
from claimtrack.tui.screens.detail import DetailScreen
from claimtrack.tui.widgets.claims_table import ClaimsTable
from claimtrack.tui.widgets.claims_view import ClaimsView

NOW = datetime(2026, 6, 15, 12, tzinfo=timezone.utc)


@pytest.fixture
def ledger(tmp_path):
    path = tmp_path / "claims.db"
    return path, standard_ledger(path)


# ------------------------------------------------------------ the filter


def test_filter_words_and_facets_parse():
    q = parse_query('openai dev tag:OpenAI by:Thompson due:<2026-12 p>80 "two words"', now=NOW)
    assert q.words == ("openai", "dev", "two words")
    assert q.tags == ("openai",) and q.people == ("thompson",)
    assert q.due == (("<", datetime(2026, 12, 1, tzinfo=timezone.utc)),)
    assert q.p == ((">", 0.8),)
    month = parse_query("due:2026-12", now=NOW).due
    assert [op for op, _ in month] == [">=", "<="] and month[0][1].month == 12 and month[1][1].day == 31
    assert parse_query("p<=30%", now=NOW).p == (("<=", 0.3),)


@pytest.mark.parametrize("text, part", [("due:<someday", "due:<someday"), ("p>lots", "p>lots")])
def test_a_facet_it_cannot_read_is_named(text, part):
    with pytest.raises(InvalidInput, match=part):
        parse_query(text, now=NOW)


async def filtered(pilot, text: str) -> list[int]:
    view = pilot.app.query_one(ClaimsView)
    view.filter_by(text)
    await settle(pilot)
    return [c.id for c in view.table.claims]


async def test_the_filter_takes_several_words_and_facets_and_highlights_matches(ledger):
    path, ids = ledger
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert await filtered(pilot, "acme widget") == [ids["acme"]]  # two words, both must match
        assert await filtered(pilot, "acme office") == []
        assert await filtered(pilot, "tag:m-and-a") == [ids["initech"]]
        assert await filtered(pilot, "by:ann") == [ids["acme"], ids["initech"]]
        assert await filtered(pilot, "p>50") == [ids["acme"]]
        assert await filtered(pilot, "p<=40% by:bob") == [ids["globex"]]
        assert await filtered(pilot, 'due:<"in 1 month"') == [ids["acme"], ids["globex"]]
        await filtered(pilot, "Widget")
        table = app.query_one(ClaimsTable)
        cell = table.get_cell(str(ids["acme"]), "statement")
        marked = [cell.plain[s.start:s.end] for s in cell.spans if "reverse" in str(s.style)]
        assert marked == ["widget"]
        # a facet it cannot read leaves the list as it was and says what it takes
        await filtered(pilot, "due:<someday")
        assert [c.id for c in table.claims] == [ids["acme"]]


# ---------------------------------------------------------------- moving


async def test_j_k_move_and_enter_opens_the_whole_record(ledger):
    path, ids = ledger
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.query_one(ClaimsTable)
        await pilot.press("j", "j")
        assert table.selected().id == ids["initech"]
        await pilot.press("k")
        assert table.selected().id == ids["globex"]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.claim_id == ids["globex"]
        assert app.screen.detail is not None and app.screen.detail.claim.statement == "Globex opens a second office"
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, DetailScreen)


async def test_go_to_claim_from_the_palette_by_id_or_words(ledger):
    from claimtrack.tui.commands import ClaimCommands

    path, ids = ledger
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        provider = ClaimCommands(app.screen)
        hits = [h async for h in provider.search(f"#{ids['initech']}")]
        go = [h for h in hits if str(h.text).startswith("Go to claim")]
        assert len(go) == 1 and str(go[0].text) == f"Go to claim #{ids['initech']}"
        hits = [h async for h in provider.search("pied piper")]  # a draft is found too
        assert [str(h.text) for h in hits if str(h.text).startswith("Go to #")] == [
            f"Go to #{ids['pied']} Draft: Pied Piper raises a round"]
        hits[-1].command()
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.claim_id == ids["pied"]


# ------------------------------------------------------ the table's shape


@pytest.mark.parametrize("width", [60, 80, 120, 160, 200, 300])
def test_columns_are_chosen_by_width_and_the_statement_gets_half(width):
    columns = columns_for(width)
    keys = [k for k, _, _ in columns]
    assert keys[:2] == ["id", "statement"] and keys[-1] == "state"
    statement = dict((k, w) for k, _, w in columns)["statement"]
    assert statement >= min(width // 2, width - 40)
    assert sum(w + 2 for _, _, w in columns) <= max(width, 60)
    if width <= 80:
        assert "made" not in keys and "theirs" not in keys
    if width >= 200:
        assert set(keys) == {"id", "statement", "mine", "source", "theirs", "made", "state"}


@pytest.mark.parametrize("size, absent", [((80, 24), {"made", "theirs", "source"}), ((200, 60), set())])
async def test_the_table_fits_the_terminal(ledger, size, absent):
    path, ids = ledger
    app = create_app(str(path))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        table = app.query_one(ClaimsTable)
        keys = {k for k, _, _ in table.shown_columns}
        assert not keys & absent and {"id", "statement", "state"} <= keys
        assert sum(w + 2 for _, _, w in table.shown_columns) <= table.size.width
        widths = dict((k, w) for k, _, w in table.shown_columns)
        assert widths["statement"] >= table.size.width // 2 - 2
        assert "overdue" in table.get_cell(str(ids["acme"]), "state").plain


async def test_the_table_is_as_tall_as_its_rows_and_the_detail_takes_the_rest(ledger):
    path, _ = ledger
    app = create_app(str(path))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        table = app.query_one(ClaimsTable)
        detail = app.query_one("#claim-detail")
        assert table.size.height <= table.row_count + 2  # three rows and the header: no blank lines
        assert detail.size.height >= 25


# ------------------------------------------------------------ the scores


async def test_the_score_line_shows_your_brier_change_and_what_needs_attention(ledger, monkeypatch):
    path, _ = ledger
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(pilot)
        line = str(content_of(app.query_one("#score-line")))
        assert line.startswith("tester: ")
        assert "1 overdue" in line and "1 due this week" in line and "2 drafts" in line


async def test_calibration_falls_back_to_a_text_table_on_a_small_screen(tmp_path):
    from claimtrack.services.demo import load_demo
    from test_tui_support import fresh

    path = tmp_path / "claims.db"
    db = fresh(path)
    load_demo(db)
    db.dispose()
    for size, text_only in (((80, 24), True), ((160, 50), False)):
        app = create_app(str(path))
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await pilot.press("2")
            await settle(pilot)
            view = app.query_one("#calibration-view")
            assert view.has_class("-text-only") is text_only
            assert app.query_one("#cal-chart").display is (not text_only)
            from rich.console import Console

            console = Console(width=100, record=True, file=__import__("io").StringIO())
            console.print(content_of(app.query_one("#cal-stats")))
            plain = console.export_text()
            assert "Trend by period" in plain and "came true" in plain  # the bins, as text


async def test_the_people_board_sorts_highlights_you_and_drills_into_claims(tmp_path, monkeypatch):
    from claimtrack.services.demo import load_demo
    from test_tui_support import fresh
    from textual.widgets import DataTable

    monkeypatch.setenv("CLAIMTRACK_USER", "me")
    path = tmp_path / "claims.db"
    db = fresh(path)
    load_demo(db)
    db.dispose()
    app = create_app(str(path))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        view = app.query_one("#sources-view")
        table = view.query_one("#board", DataTable)
        you = next(i for i, p in enumerate(view.rows) if p.is_you)
        assert table.cursor_row == you
        assert "reverse" in str(table.get_row_at(you)[1].style) or any(
            "reverse" in str(s.style) for s in table.get_row_at(you)[1].spans)
        view.sort_by, view.descending = "name", False
        view._show()
        names = [p.name.lower() for p in view.rows]
        assert names == sorted(names)
        await pilot.press("S")
        await settle(pilot)
        assert [p.name.lower() for p in view.rows] == sorted(names, reverse=True)
        target = next(i for i, p in enumerate(view.rows) if p.name == "Priya")
        table.move_cursor(row=target)
        await pilot.press("enter")
        await settle(pilot)
        assert app.query_one("#views").active == "claims"
        claims = app.query_one(ClaimsView)
        assert claims.search == "by:Priya" and claims.state == "all"
        shown = [c.id for c in claims.table.claims]
        from claimtrack.services.queries import get_claim

        db = fresh(path)
        try:
            every = [get_claim(db, cid) for cid in range(1, 200) if _exists(db, cid)]
        finally:
            db.dispose()
        expected = [d.claim.id for d in every if d.claim.status == "active" and (
            "priya" in (d.claim.source or "").lower() or any(f.forecaster == "Priya" for f in d.forecasts))]
        assert shown and sorted(shown) == sorted(expected)


def _exists(db, claim_id) -> bool:
    from claimtrack.domain.errors import NotFound
    from claimtrack.services.queries import get_claim

    try:
        get_claim(db, claim_id)
    except NotFound:
        return False
    return True


# ------------------------------------------------- the filter, on both engines


def test_filter_facets_select_the_same_claims_on_both_engines(db):
    from datetime import timedelta

    from claimtrack.domain.filters import ClaimFilter
    from claimtrack.services.imports import import_claims
    from claimtrack.services.queries import count_claims, list_claims
    from test_tui_support import claim_in

    now = datetime.now(timezone.utc).replace(microsecond=0)
    day = timedelta(days=1)
    ids = list(import_claims(db, [
        claim_in("OpenAI ships a dev kit", made=now - 9 * day, due=now + 30 * day, p=0.85, source="Ben Thompson",
                 tags=("openai",)),
        claim_in("OpenAI 100% done_ with dev", made=now - 9 * day, due=now + 400 * day, p=0.4, source="Zvi",
                 tags=("openai", "dev")),
        claim_in("Anthropic ships a dev kit", made=now - 9 * day, due=now + 30 * day, p=0.9, forecaster="thompson",
                 source="Ann"),
    ]).claim_ids)

    def found(text: str, me: str | None = None) -> list[int]:
        flt = parse_query(text, now=now).apply(ClaimFilter(state="open", now=now), me=me)
        rows = [c.id for c in list_claims(db, flt, limit=50, sort="id")]
        assert count_claims(db, flt) == len(rows)
        return rows

    assert found("openai dev") == ids[:2]
    assert found("tag:openai by:thompson") == ids[:1]
    assert found("by:thompson") == [ids[0], ids[2]]  # a source, or a forecaster
    assert found("p>80") == [ids[0], ids[2]]
    # with who you are, p is your own probability: thompson forecast only the third claim
    assert found("p>80", me="Thompson") == [ids[2]]
    assert found("p<80", me="thompson") == []
    assert found(f"due:<{(now + 60 * day):%Y-%m-%d} p>=0.9") == [ids[2]]
    assert found(f"due:>{(now + 100 * day):%Y-%m}") == [ids[1]]
    assert found("100%") == [ids[1]] and found("done_") == [ids[1]]  # LIKE wildcards are text
