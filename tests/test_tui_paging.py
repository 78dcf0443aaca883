"""How the review UI loads claims: keyset pages, the first page before the counts,
views and modules built on first use, a footer rebuilt only when its keys change."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone

import pytest
from test_tui_support import SIZE, claim_in, fresh, seed, settle

from claimtrack.domain.filters import ClaimFilter
from claimtrack.services.queries import SORTS, list_claims
from claimtrack.tui.app import create_app
from claimtrack.tui.backend import Backend
from claimtrack.tui.widgets.claims_table import ClaimsTable
from claimtrack.tui.widgets.claims_view import ClaimsView

START = datetime(2024, 1, 1, tzinfo=timezone.utc)
DAY = timedelta(days=1)
FIELDS = {"due": "resolve_by", "made": "stated_at", "recorded": "recorded_at", "id": "id",
          "probability": "probability", "resolved": "resolved_at", "source": "source", "statement": "statement"}


def varied_claims(n: int = 40) -> list:
    """Claims whose sort keys tie, repeat and are missing: the cases a keyset must get right."""
    out = []
    for i in range(n):
        due = None if i % 6 == 0 else START + (200 + (i % 5)) * DAY  # five due dates, many ties, some none
        p = None if i % 7 == 3 else round(0.05 + (i % 4) * 0.3, 2)
        source = None if i % 5 == 2 else f"src-{i % 3}"
        resolved = i % 3 == 1
        out.append(claim_in(f"claim {i % 9}", made=START + (i % 11) * DAY, p=p, due=due, source=source,
                            outcome="yes" if resolved else None,
                            resolved=START + (20 + i % 3) * DAY if resolved else None))
    return out


def in_order(claims, sort: str, descending: bool) -> list[int]:
    """The expected order, worked out here: the sort key with NULLs last, then ids ascending."""
    key = FIELDS[sort]
    present = sorted((c for c in claims if getattr(c, key) is not None), key=lambda c: c.id)
    present.sort(key=lambda c: getattr(c, key), reverse=descending)  # stable: ties stay by id
    missing = sorted((c for c in claims if getattr(c, key) is None), key=lambda c: c.id)
    return [c.id for c in present + missing]


@pytest.mark.parametrize("state", ["open", "resolved", "all"])
def test_keyset_pages_follow_the_sort_order_for_every_sort(db_url, state):
    seed(db_url, varied_claims())
    backend = Backend(db_url)
    try:
        everything = list_claims(backend.db, ClaimFilter(state=state), sort="id")
        assert len(everything) > 10
        for sort in SORTS:
            for descending in (False, True):
                pages, after, offset = [], None, 0
                for _ in range(len(everything) // 7 + 2):  # a broken keyset must not page forever
                    page = backend.page(state, None, sort=sort, descending=descending, offset=offset, limit=7,
                                        after=after)
                    pages += [c.id for c in page.rows]
                    offset += len(page.rows)
                    if len(page.rows) < 7:
                        assert page.total == offset  # a short page ends the list
                        break
                    after = page.rows[-1]
                # the resolved list always shows the newest resolutions first
                desc = True if (state, sort) == ("resolved", "resolved") else descending
                text = sort in ("source", "statement")
                if text and not db_url.endswith(".db"):  # PostgreSQL orders text by its collation
                    expected = [c.id for c in list_claims(backend.db, ClaimFilter(state=state), sort=sort,
                                                          descending=descending)]
                else:
                    expected = in_order(everything, sort, desc)
                assert pages == expected, (state, sort, descending)
    finally:
        backend.close()


def test_keyset_and_offset_pages_agree_and_other_callers_are_unchanged(tmp_path):
    path = tmp_path / "claims.db"
    seed(path, varied_claims(30))
    db = fresh(path)
    try:
        flt = ClaimFilter(state="all")
        whole = list_claims(db, flt, sort="probability", descending=True)
        by_offset = list_claims(db, flt, sort="probability", descending=True, limit=8, offset=8)
        by_keyset = list_claims(db, flt, sort="probability", descending=True, limit=8, after=whole[7])
        assert by_offset == by_keyset == whole[8:16]
        assert list_claims(db, flt, limit=5) == list_claims(db, flt)[:5]  # no `after`: as before
    finally:
        db.dispose()


class Recording(Backend):
    """Remembers how each page was asked for."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[tuple[str, int, int | None]] = []

    def page(self, state, *args, after=None, **kwargs):
        self.calls.append((state, kwargs["offset"], None if after is None else after.id))
        return super().page(state, *args, after=after, **kwargs)


async def test_scrolling_loads_each_page_after_the_last_row_shown(tmp_path, monkeypatch):
    import claimtrack.tui.widgets.claims_table as table_module
    import claimtrack.tui.widgets.claims_view as view_module

    monkeypatch.setattr(view_module, "PAGE_SIZE", 10)
    monkeypatch.setattr(table_module, "LOOKAHEAD", 3)
    path = tmp_path / "claims.db"
    seed(path, varied_claims(34))
    backend = Recording(str(path))
    app = create_app(backend=backend)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket", "right_square_bracket")  # all
        await settle(pilot)
        table = app.query_one(ClaimsTable)
        assert app.query_one(ClaimsView).state == "all"
        for _ in range(6):
            await pilot.press("end")
            await settle(pilot, delay=0.05, rounds=2)
        everything = list_claims(backend.db, ClaimFilter(state="all"), sort="id")
        assert [c.id for c in table.claims] == in_order(everything, "due", False)
        assert (len(table.claims), table.total) == (34, 34)
        deeper = [(offset, after) for state, offset, after in backend.calls if state == "all" and offset > 0]
        # (a state switch reloads as many rows as were shown: the first page here need not be 10)
        assert len(deeper) >= 2 and [o for o, _ in deeper] == sorted({o for o, _ in deeper})
        assert all(after == table.claims[offset - 1].id for offset, after in deeper)


class SlowCounts(Backend):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.release = threading.Event()

    def counts(self, search):
        self.release.wait(20)
        return super().counts(search)


async def test_first_page_is_shown_before_the_state_counts(tmp_path):
    path = tmp_path / "claims.db"
    seed(path, [claim_in(f"claim {i}", made=START, due=START + i * DAY) for i in range(5)])
    backend = SlowCounts(str(path))
    app = create_app(backend=backend)
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ClaimsTable)
        for _ in range(100):
            await pilot.pause(0.05)
            if table.row_count and app.query("#state-open"):  # the switches are mounted once the rows are drawn
                break
        tab = app.query_one("#state-open")
        assert table.row_count == 5
        assert tab.label.plain == "Open"  # not counted yet
        backend.release.set()
        await settle(pilot)
        assert tab.label.plain == "Open 5"
        assert app.query_one("#state-all").label.plain == "All 5"
        # the underline is placed under the label as it is now, wider than at first
        underline = app.query_one("#state-tabs").query_one("Underline")
        start, end = tab.virtual_region.shrink(tab.styles.gutter).column_span
        assert (underline.highlight_start, underline.highlight_end) == (start, end)


async def test_score_views_are_built_when_first_shown(tmp_path):
    path = tmp_path / "claims.db"
    seed(path, [claim_in("anything", made=START)])
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.query("CalibrationView") and not app.query("SourcesView")
        await pilot.press("2")
        await settle(pilot)
        assert app.query_one("TabbedContent").active == "calibration"
        assert len(app.query("CalibrationView")) == 1 and not app.query("SourcesView")
        assert app.focused is app.query_one("#cal-breakdown")
        await pilot.press("3")
        await settle(pilot)
        assert len(app.query("SourcesView")) == 1
        await pilot.press("2")  # built once, not again
        await settle(pilot)
        assert len(app.query("CalibrationView")) == 1


def test_starting_the_ui_does_not_import_the_score_views_or_the_forms():
    code = """
import json, sys
from claimtrack.tui.app import create_app
print(json.dumps(sorted(m for m in sys.modules if m.startswith(("claimtrack.tui", "textual_plotext", "plotext")))))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert "claimtrack.tui.widgets.claims_view" in loaded
    for lazy in ("claimtrack.tui.widgets.calibration_view", "claimtrack.tui.widgets.sources_view",
                 "claimtrack.tui.screens.add_claim", "claimtrack.tui.screens.resolve",
                 "claimtrack.tui.screens.help", "textual_plotext", "plotext"):
        assert lazy not in loaded


async def test_footer_is_rebuilt_only_when_its_keys_change(tmp_path):
    path = tmp_path / "claims.db"
    seed(path, [claim_in(f"claim {i}", made=START, due=START + i * DAY) for i in range(4)]
         + [claim_in("a draft", made=START, status="draft")])
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        keys = list(app.query("FooterKey"))
        assert {k.description for k in keys} >= {"Forecast", "Resolve", "Add"}
        await pilot.press("down", "down")
        await settle(pilot)
        assert list(app.query("FooterKey")) == keys  # the same widgets: nothing rebuilt
        for _ in range(4):  # to the inbox, where other keys apply
            await pilot.press("right_square_bracket")
        await settle(pilot)
        shown = {k.description for k in app.query("FooterKey")}
        assert {"Accept", "Reject"} <= shown and "Forecast" not in shown


class CountingDetails(Backend):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.details: list[int] = []

    def detail(self, claim_id):
        self.details.append(claim_id)
        return super().detail(claim_id)


async def test_first_page_brings_the_selected_claims_detail(tmp_path):
    path = tmp_path / "claims.db"
    ids = seed(path, [claim_in(f"claim {i}", made=START, due=START + i * DAY) for i in range(3)])
    backend = CountingDetails(str(path))
    app = create_app(backend=backend)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(ClaimsView)
        assert view.detail_pane.detail.claim.id == ids[0]
        assert backend.details == [ids[0]]  # read once, with the page
        await pilot.press("down")
        await settle(pilot)
        await pilot.press("up")
        await settle(pilot)
        assert view.detail_pane.detail.claim.id == ids[0]
        assert backend.details == [ids[0], ids[1], ids[0]]  # moving back reads it afresh


class Limits(Backend):
    """Records every page asked for, and holds the first one until ``release`` is set."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[tuple[str, int, int]] = []
        self.release = threading.Event()

    def page(self, state, search, *, offset, limit, **kwargs):
        self.calls.append((state, offset, limit))
        if len(self.calls) == 1:
            self.release.wait(20)
        return super().page(state, search, offset=offset, limit=limit, **kwargs)


async def test_first_page_is_a_screenful_and_the_rest_follows_once_it_is_drawn(tmp_path):
    from claimtrack.tui.widgets.claims_view import PAGE_SIZE, SCREEN_EXTRA

    path = tmp_path / "claims.db"
    seed(path, [claim_in(f"claim {i:03d}", made=START, due=START + (i + 1) * DAY) for i in range(260)])
    backend = Limits(str(path))
    app = create_app(backend=backend)
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause(0.1)
        view = app.query_one(ClaimsView)
        # the first frame: the table and its status line; the switches, the filter and the keys come after
        assert not app.query("StateBar") and not app.query("FilterBox") and not app.query("FooterKey")
        await pilot.press("slash", "right_square_bracket", "G")  # before the first page: nothing breaks
        backend.release.set()
        await settle(pilot)
        table = app.query_one(ClaimsTable)
        first = 24 + SCREEN_EXTRA
        assert backend.calls[:2] == [("open", 0, first), ("open", first, PAGE_SIZE - first)]
        assert [c.statement for c in table.claims[:PAGE_SIZE]] == [f"claim {i:03d}" for i in range(PAGE_SIZE)]
        assert view.state == "open" and app.query_one("#state-open").label.plain == "Open 260"
        assert {k.description for k in app.query("FooterKey")} >= {"Forecast", "Resolve", "Add"}
        assert app.query_one("#score-line") is not None
        await pilot.press("G")  # the true end, through the rows read after the first screenful
        await settle(pilot, delay=0.05)
        assert table.selected().statement == "claim 259" and len(table.claims) == 260
        await pilot.press("k", "j", "g")
        assert table.selected().statement == "claim 000"
        await pilot.press("right_square_bracket")  # the switches work once mounted
        await settle(pilot)
        assert view.state == "due"


async def test_a_state_asked_for_before_the_switches_exist_is_kept(tmp_path):
    path = tmp_path / "claims.db"
    seed(path, [claim_in("open one", made=START), claim_in("resolved one", made=START, outcome="yes")])
    backend = Limits(str(path))
    app = create_app(backend=backend)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.05)
        app.show_state("resolved")  # the command palette's "Show resolved claims"
        backend.release.set()
        view = app.query_one(ClaimsView)
        for _ in range(100):  # (not settle: the held first page's worker was cancelled by the reload)
            await pilot.pause(0.05)
            if view.controls_ready and view.table.row_count:
                break
        await pilot.pause(0.2)
        assert view.state == "resolved" and app.query_one("#state-tabs").active == "state-resolved"
        assert [c.statement for c in view.table.claims] == ["resolved one"]
