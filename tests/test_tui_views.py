"""The review UI beyond single actions: literal text, paging, the palette, errors, the score views."""

from __future__ import annotations

import io
import json
import math
from datetime import datetime, timedelta, timezone
from importlib import resources

import pytest
from rich.console import Console
from test_tui_support import SIZE, claim_in, fixed_clock, fresh, seed, settle, standard_ledger, content_of
from textual.widgets import Select, Static

from claimtrack.tui.app import create_app
from claimtrack.tui.backend import Backend
from claimtrack.tui.screens.add_claim import AddClaimModal
from claimtrack.tui.widgets.claims_table import ClaimsTable
from claimtrack.tui.widgets.claims_view import ClaimsView

MARKUP = ("[bold red]x[/]", "[link=file:///etc/passwd]y[/link]")


def plain(renderable, width: int = 120) -> str:
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.export_text()


def styles(renderable, width: int = 120) -> list:
    console = Console(width=width, file=io.StringIO())
    return [seg.style for seg in console.render(renderable) if seg.style is not None]


# ------------------------------------------------------------- literal text


async def test_claim_text_is_shown_exactly_as_typed(tmp_path):
    path = tmp_path / "claims.db"
    now = datetime.now(timezone.utc) - timedelta(days=1)
    ids = seed(path, [claim_in(MARKUP[0], made=now, source=MARKUP[1], due=now + timedelta(days=30)),
                      claim_in(MARKUP[1], made=now, source="[i]Ann[/i]", due=now + timedelta(days=31))])
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.query_one(ClaimsTable)
        first, second = (table.get_cell(str(i), "statement") for i in ids)
        assert (first.plain, second.plain) == MARKUP
        assert table.get_cell(str(ids[0]), "source").plain == MARKUP[1]
        assert table.get_cell(str(ids[1]), "source").plain == "[i]Ann[/i]"
        for cell in (first, second):
            assert not cell.spans and "link" not in str(cell.style) and "bold red" not in str(cell.style)
        # the detail pane
        body = app.query_one("#detail-body", Static)
        text = plain(content_of(body))
        assert MARKUP[0] in text and MARKUP[1] in text
        assert not any(s.link for s in styles(content_of(body)))
        # a modal's subtitle
        await pilot.press("f")
        await pilot.pause()
        subtitle = app.screen.query_one(".form-subtitle", Static)
        assert MARKUP[0] in plain(content_of(subtitle))
        await pilot.press("escape")


async def test_markup_in_notifications_is_not_interpreted(tmp_path):
    path = tmp_path / "claims.db"
    seed(path, [claim_in("anything", made=datetime.now(timezone.utc) - timedelta(days=1))])

    class Failing(Backend):
        def detail(self, claim_id):
            raise RuntimeError("[bold]boom[/bold] [link=file:///etc/passwd]here[/link]")

    app = create_app(backend=Failing(str(path)))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        [note] = list(app._notifications)
        assert note.message == "RuntimeError: [bold]boom[/bold] [link=file:///etc/passwd]here[/link]"
        assert note.markup is False
        assert app.is_running


# ------------------------------------------------------------------- scale


async def test_rows_load_a_page_at_a_time(tmp_path):
    path = tmp_path / "claims.db"
    start = datetime.now(timezone.utc) - timedelta(days=400)
    seed(path, [claim_in(f"claim {i:03d}", made=start, due=start + timedelta(days=i + 1)) for i in range(650)])
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.query_one(ClaimsTable)
        assert (len(table.claims), table.total) == (200, 650)
        assert [c.statement for c in table.claims[:3]] == ["claim 000", "claim 001", "claim 002"]
        seen = {len(table.claims)}
        for _ in range(8):  # scrolling loads the next page near the end of the loaded rows
            await pilot.press("pagedown")
            await settle(pilot, delay=0.05, rounds=2)
            seen.add(len(table.claims))
        assert 400 in seen and all(n % 200 == 0 for n in seen) and len(table.claims) < 650
        await pilot.press("G")  # the true end, not the last loaded row
        await settle(pilot, delay=0.05, rounds=3)
        assert [c.statement for c in table.claims] == [f"claim {i:03d}" for i in range(650)]
        assert table.cursor_row == 649 and table.selected().statement == "claim 649"
        await pilot.press("k", "k", "j")
        assert table.selected().statement == "claim 648"


# ------------------------------------------------------------- refreshing


async def test_refresh_and_focus_show_changes_from_another_process(tmp_path):
    from textual import events

    path = tmp_path / "claims.db"
    standard_ledger(path)
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.query_one(ClaimsTable)
        assert table.total == 3
        from claimtrack.services.ledger import NewClaim, add_claim

        other = fresh(path)
        add_claim(other, NewClaim(statement="Added by the CLI", probability=0.5, forecaster="cli"))
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert table.total == 4
        add_claim(other, NewClaim(statement="Added while the UI was in the background", probability=0.5,
                                  forecaster="cli"))
        other.dispose()
        app._last_refresh -= 10
        app.post_message(events.AppFocus())
        await settle(pilot)
        assert table.total == 5


# ------------------------------------------------------- palette and errors


async def test_command_palette_runs_actions(tmp_path):
    path = tmp_path / "claims.db"
    seed(path, [claim_in("anything", made=datetime.now(timezone.utc) - timedelta(days=1))])
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"add a claim")
        await settle(pilot, delay=0.2, rounds=2)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AddClaimModal)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"show inbox")
        await settle(pilot, delay=0.2, rounds=2)
        await pilot.press("enter")
        await settle(pilot)
        assert app.query_one(ClaimsView).state == "draft"


async def test_unopenable_ledger_is_a_notification_not_a_crash(tmp_path):
    folder = tmp_path / "not-a-file.db"
    folder.mkdir()
    app = create_app(str(folder))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        messages = [n.title for n in app._notifications]
        assert "Cannot open the ledger" in messages or "Could not finish loading claims" in messages
        assert app.is_running
        await pilot.press("ctrl+r")  # still responsive
        await settle(pilot)
        assert app.is_running


# -------------------------------------------------------------- score views


def test_chart_marks_each_bin_with_its_interval_and_count():
    from textual_plotext.plot import Plot

    from claimtrack.domain.scoring import score
    from claimtrack.tui.chart import compact, draw_calibration

    pairs = [(0.1, 0), (0.1, 0), (0.15, 1), (0.7, 0), (0.72, 1), (0.75, 1)] + [(0.9, 1)] * 1234
    plot = Plot()
    plot.plotsize(80, 24)
    assert draw_calibration(plot, score(pairs).calibration, "T") == 5
    text = plot.uncolorize(plot.build())
    assert text.count("●") == 5
    top = next(line for line in text.splitlines() if "1.2k" in line)  # the row of counts, one per bin
    assert sorted(w for w in top.split() if w[0].isdigit()) == sorted(["2", "1", "1", "2", "1.2k"])
    assert [compact(n) for n in (7, 999, 1000, 12560, 250_000, 3_400_000)] == ["7", "999", "1.0k", "12.6k", "250k", "3.4M"]



def demo_finals():
    """Each forecaster's last forecast before the resolution (at it counts as after), straight from demo.json."""
    data = json.loads((resources.files("claimtrack") / "data" / "demo.json").read_text(encoding="utf-8"))
    out = []
    for claim in data["claims"]:
        if not claim["resolutions"] or claim["status"] != "active":
            continue
        last = claim["resolutions"][-1]
        if last["outcome"] not in ("yes", "no"):
            continue
        when = last["resolved_at"]
        latest = {}
        for f in sorted(claim["forecasts"], key=lambda f: f["made_at"]):
            if f["made_at"] < when:
                latest[f["forecaster"]] = f["probability"]
        o = 1 if last["outcome"] == "yes" else 0
        out += [(who, p, o, when, claim["source"]) for who, p in latest.items()]
    return out


def stat(stats: str, label: str) -> float:
    """The number shown after ``label`` in the stats panel."""
    line = next(line for line in stats.splitlines() if line.startswith(label))
    return float(line[len(label):].split()[0])


def brier(rows) -> float:
    return sum((p - o) ** 2 for _, p, o, *_ in rows) / len(rows)


@pytest.fixture
def demo_path(tmp_path):
    from claimtrack.services.demo import load_demo

    path = tmp_path / "claims.db"
    db = fresh(path)
    load_demo(db)
    db.dispose()
    return path


async def test_calibration_view_scores_breakdowns_and_periods(demo_path):
    finals = demo_finals()
    app = create_app(str(demo_path), clock=fixed_clock)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        stats = plain(content_of(app.query_one("#cal-stats", Static)))
        assert stat(stats, "Brier (0-1)") == pytest.approx(brier(finals), abs=0.00051)
        assert f"scored forecasts      {len(finals)} " in stats
        assert "reliability" in stats and "within-bin covariance" in stats
        # by forecaster, then one forecaster
        app.query_one("#cal-breakdown", Select).value = "forecaster"
        await settle(pilot)
        app.query_one("#cal-group", Select).value = "Marco"
        await settle(pilot)
        marco = [r for r in finals if r[0] == "Marco"]
        stats = plain(content_of(app.query_one("#cal-stats", Static)))
        assert "forecaster: Marco" in stats
        assert stat(stats, "Brier (0-1)") == pytest.approx(brier(marco), abs=0.00051)
        # a period: claims resolved during 2024 (the fixed clock says it is 2025)
        app.query_one("#cal-breakdown", Select).value = "all"
        app.query_one("#cal-period", Select).value = "last-year"
        await settle(pilot)
        in_2024 = [r for r in finals if r[3].startswith("2024")]
        stats = plain(content_of(app.query_one("#cal-stats", Static)))
        assert f"scored forecasts      {len(in_2024)} " in stats
        assert stat(stats, "Brier (0-1)") == pytest.approx(brier(in_2024), abs=0.00051)


async def test_people_board_shows_the_same_numbers_as_people_json(demo_path):
    """The UI's leaderboard is `claimtrack people --json`: same people, order, ranks and scores."""
    import json

    from click.testing import CliRunner

    from claimtrack.cli import cli

    expected = json.loads(CliRunner().invoke(cli, ["--db", str(demo_path), "people", "--json"]).stdout)["people"]
    app = create_app(str(demo_path), clock=fixed_clock)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        view = app.query_one("SourcesView")
        assert [p.name for p in view.rows] == [p["name"] for p in expected]
        for person, want in zip(view.rows, expected):
            got = person.record
            if want["scored"] is None:
                assert got is None
                continue
            assert got.rank == want["scored"]["rank"]
            assert got.brier == pytest.approx(want["scored"]["brier"])
            assert got.vs_median.mean == pytest.approx(want["scored"]["vs_median"]["mean"])
        table = app.query_one("#board")
        first = [str(cell) for cell in table.get_row_at(0)]
        assert first[1] == expected[0]["name"] or first[1] == "you: " + expected[0]["name"]
        assert first[2] == f"{expected[0]['scored']['brier']:.3f}"
        app.query_one("#board-kind", Select).value = "source"
        await settle(pilot)
        assert {p.name for p in view.rows} == {p["name"] for p in expected if "source" in p["roles"]}


# --------------------------------------------------------------------- CLI


def test_tui_command_and_bare_command_open_the_ui_on_the_cli_ledger(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from claimtrack.cli import cli
    from claimtrack.tui.app import ClaimtrackApp

    opened = []
    monkeypatch.setattr(ClaimtrackApp, "run", lambda self, *a, **k: opened.append(self.backend.db_option))
    path = str(tmp_path / "claims.db")
    (tmp_path / "claims.db").touch()  # a --db path must exist
    monkeypatch.setattr("claimtrack.cli.tuicmd.has_terminal", lambda: True)
    result = CliRunner().invoke(cli, ["--db", path, "tui"])
    assert result.exit_code == 0, result.output
    monkeypatch.setattr("claimtrack.cli.now._interactive", lambda: True)
    result = CliRunner().invoke(cli, ["--db", path])
    assert result.exit_code == 0, result.output
    assert opened == [path, path]
