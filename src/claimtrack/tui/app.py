"""The review UI: claims, calibration and sources, one key apart.

``create_app`` is shared by ``claimtrack tui``, a bare ``claimtrack`` in a
terminal, and the tests (which pass a fixed clock).

Only the claims view is built at startup; the calibration and sources views
(and plotext behind the chart) are imported and mounted when first shown.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual import events, on, work
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.widget import AwaitMount, Widget
from textual.widgets import Header, Static, TabbedContent, TabPane

from claimtrack.tui.backend import Backend, describe_error
from claimtrack.tui.commands import ClaimCommands
from claimtrack.tui.widgets.claims_view import ClaimsView
from claimtrack.tui.widgets.footer import KeysFooter

VIEWS = ("review", "claims", "calibration", "sources")
FOCUS_REFRESH_GAP = 2.0  # seconds; regaining focus more often than this does not reload


class ClaimtrackApp(App[None]):
    CSS_PATH = "claimtrack.tcss"
    TITLE = "claimtrack"
    COMMANDS = App.COMMANDS | {ClaimCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-small"), (120, "-narrow"), (180, "-wide")]

    BINDINGS = [
        Binding("q", "quit", "Quit", tooltip="Leave claimtrack (everything is already saved)", id="app.quit"),
        Binding("question_mark", "help", "Help", key_display="?", tooltip="Every key and input format",
                id="app.help"),
        Binding("ctrl+r", "refresh", "Refresh", tooltip="Reload from the ledger (also on regaining focus)",
                id="app.refresh"),
        Binding("0", "view('review')", "Review", show=False,
                tooltip="Review mode: overdue, due soon, stale claims and drafts, one at a time", id="app.view_review"),
        Binding("1", "view('claims')", "Claims", show=False, tooltip="The claims table", id="app.view_claims"),
        Binding("2", "view('calibration')", "Calibration", show=False,
                tooltip="Calibration chart, Brier, log score, Murphy terms", id="app.view_calibration"),
        Binding("3", "view('sources')", "Sources", show=False,
                tooltip="Leaderboard of sources and forecasters", id="app.view_sources"),
    ]

    class Opened(Message):
        """The ledger is open (posted by the opening worker)."""

        def __init__(self, where: str) -> None:
            self.where = where
            super().__init__()

    def __init__(self, backend: Backend, *, review: bool = False) -> None:
        super().__init__()
        self.backend = backend
        self.start_in_review = review  # open on the review queue (when anything needs attention)
        self._claims_changed = False  # review mode wrote: the claims table reloads when shown
        # opening on the review queue, the claims table (composed, hidden) reads nothing until the
        # queue's first claim is drawn: it would compete with it for the CPU (see release_claims)
        self.claims_held = review
        self._last_refresh = time.monotonic()
        self._views: dict[str, Widget] = {}  # the views built so far, by pane id
        self._mounting: dict[str, AwaitMount] = {}
        self._chrome = False  # score line and footer mounted (after the first frame)
        self._score_text: Text | str = ""
        # Textual's start-up makes tens of thousands of objects that live as long as the app; the
        # cyclic GC would walk them several times before the first frame and free nothing.  As the
        # CLI does for its start-up (cli.common), it is paused until the first page is drawn, then
        # what exists is frozen out of its sight and it runs again.
        self._gc_paused = gc.isenabled()
        if self._gc_paused:
            gc.disable()

    def compose(self):
        # the first frame: the title, the views and the claims table; the score line and the keys
        # are mounted right after the first page is drawn (show_chrome)
        yield Header()
        with TabbedContent(initial="review" if self.start_in_review else "claims", id="views"):
            if self.start_in_review:
                from claimtrack.tui.widgets.review_view import ReviewView

                self._views["review"] = view = ReviewView(id="review-view")
                with TabPane(r"Review \[0]", id="review"):
                    yield view
            else:
                yield TabPane(r"Review \[0]", id="review")  # filled on first use
            with TabPane(r"Claims \[1]", id="claims"):
                yield ClaimsView(id="claims-view")
            yield TabPane(r"Calibration \[2]", id="calibration")  # filled on first use
            yield TabPane(r"Sources \[3]", id="sources")

    def on_mount(self) -> None:
        self._open()
        if self.start_in_review:
            self._views["review"].focus()
            self.call_after_refresh(self.show_chrome)
        else:
            self.query_one("#claims-table").focus()

    def show_chrome(self) -> None:
        """The score line and the keys (once)."""
        self._end_startup()
        if self._chrome or not self.screen_stack:
            return
        self._chrome = True
        base = self.screen_stack[0]
        views = base.query_one("#views")
        # your score, overdue and stale: filled once the claims are counted
        base.mount(Static(self._score_text, id="score-line"), KeysFooter(), after=views)

    @work(thread=True, exit_on_error=False, group="open", description="Opening the ledger")
    def _open(self) -> None:
        try:
            where = self.backend.describe()
        except Exception as exc:  # noqa: BLE001
            self.call_from_thread(self.notify, describe_error(exc), title="Cannot open the ledger",
                                  severity="error", timeout=30, markup=False)
            return
        self.post_message(self.Opened(where))

    @on(Opened)
    def _opened(self, message: Opened) -> None:
        self.sub_title = message.where

    class ScoreLine(Message):
        def __init__(self, scores, counts) -> None:
            self.scores, self.counts = scores, counts
            super().__init__()

    def load_score_line(self) -> None:
        """Your Brier, its change and what needs attention, read once the first page is drawn."""
        self._score_line()

    @work(thread=True, exclusive=True, group="score-line", exit_on_error=False, description="Scoring you")
    def _score_line(self) -> None:
        try:
            scores, counts = self.backend.score_line()
        except Exception:  # noqa: BLE001 - the line is a convenience: left empty
            return
        self.post_message(self.ScoreLine(scores, counts))

    @on(ScoreLine)
    def _score_line_loaded(self, message: ScoreLine) -> None:
        from claimtrack.tui.score_format import score_line

        self._score_text = score_line(self.backend.user(), message.scores, message.counts)
        for line in self._chrome_lines():
            line.update(self._score_text)

    def _chrome_lines(self) -> list[Static]:
        """The score line once mounted with the chrome (none while the app closes)."""
        return list(self.screen_stack[0].query("#score-line").results(Static)) if self.screen_stack else []

    # -------------------------------------------------------------- views

    @property
    def claims_view(self) -> ClaimsView:
        return self.query_one(ClaimsView)

    def _active_name(self) -> str:
        return self.query_one(TabbedContent).active or "claims"

    def _view(self, name: str) -> Widget | None:
        """The view in pane ``name`` once it is mounted (None before its first use)."""
        if name == "claims":
            return self.claims_view
        view = self._views.get(name)
        return view if view is not None and view.is_mounted else None

    async def _build_view(self, name: str) -> Widget:
        """The calibration or sources view, mounted on its first use."""
        if name not in self._views:
            if name == "review":
                from claimtrack.tui.widgets.review_view import ReviewView

                view: Widget = ReviewView(id="review-view")
            elif name == "calibration":
                from claimtrack.tui.widgets.calibration_view import CalibrationView

                view = CalibrationView(id="calibration-view")
            else:
                from claimtrack.tui.widgets.sources_view import SourcesView

                view = SourcesView(id="sources-view")
            self._views[name] = view
            self._mounting[name] = self.query_one(f"#{name}", TabPane).mount(view)
        if name in self._mounting:  # (the review view is composed with the app when it opens on it)
            await self._mounting[name]  # a second caller waits for the same mount
        return self._views[name]

    def action_view(self, name: str) -> None:
        tabs = self.query_one(TabbedContent)
        if tabs.active == name:
            return
        # drop focus first: a focused widget in the pane being hidden would pull it back
        self.screen.set_focus(None)
        tabs.active = name
        self.call_later(self._show_view, name)

    async def _show_view(self, name: str) -> None:
        if name != "claims":
            await self._build_view(name)
        self.call_after_refresh(self._focus_view)

    def _focus_view(self) -> None:
        view = self._view(self._active_name())
        if view is None:
            return
        target = view.query_one("#claims-table") if isinstance(view, ClaimsView) else None
        if target is None and getattr(view, "initial_focus", None):
            target = view.query_one(view.initial_focus)  # type: ignore[attr-defined]
        if target is None and view.can_focus:
            target = view
        if target is None:
            focusable = [w for w in view.query("*") if w.focusable]
            target = focusable[0] if focusable else None
        if target is not None:
            target.focus()

    @on(TabbedContent.TabActivated)
    async def _view_shown(self, event: TabbedContent.TabActivated) -> None:
        name = self._active_name()
        view = self.claims_view if name == "claims" else await self._build_view(name)
        if name == "claims":
            self.release_claims()
        if name == "claims" and self._claims_changed:
            self._claims_changed = False
            view.reload()
        if hasattr(view, "shown"):
            view.shown()

    def release_claims(self) -> None:
        """The review's first claim is drawn (or the claims are shown): the claims table reads its first page."""
        if self.claims_held:
            self.claims_held = False
            self._claims_changed = False
            self.claims_view.reload()

    def mark_claims_changed(self) -> None:
        """Review mode wrote: the claims table reloads when it is next shown."""
        self._claims_changed = True

    def on_review_view_empty(self) -> None:
        """Nothing needs attention: open on the claims table instead (said once)."""
        if self._active_name() == "review" and self.start_in_review:
            self.start_in_review = False
            self.notify("Nothing needs your attention: showing the claims. 0 opens review mode.",
                        title="Review")
            self.call_after_refresh(self.action_view, "claims")  # after the tabs have settled on their first one

    def run_claims_action(self, action: str) -> None:
        self.action_view("claims")
        self.call_later(self.claims_view.run_action, action)

    def show_state(self, state: str) -> None:
        self.action_view("claims")
        self.claims_view.show_state(state)

    def show_person(self, name: str) -> None:
        """Every claim ``name`` made or forecast, in the claims table."""
        self.action_view("claims")
        view = self.claims_view
        view.show_state("all")
        quoted = '"' + name.replace('"', " ") + '"' if " " in name else name
        view.filter_by(f"by:{quoted}")

    def open_claim(self, claim_id: int) -> None:
        """Claim ``claim_id``'s whole record on its own screen; the table's cursor goes to
        it when its row is loaded."""
        from claimtrack.tui.screens.detail import DetailScreen

        table = self.claims_view.table
        if str(claim_id) in table.rows:
            table.move_cursor(row=table.get_row_index(str(claim_id)), animate=False, scroll=True)
        self.push_screen(DetailScreen(claim_id))

    def sort_claims(self, column: str) -> None:
        self.action_view("claims")
        table = self.claims_view.table
        table.set_sort(column, False)
        self.claims_view.reload()

    # ------------------------------------------------------------ refresh

    def action_refresh(self) -> None:
        self._last_refresh = time.monotonic()
        self.load_score_line()
        view = self._view(self._active_name())
        if view is not None:
            view.refresh_data()  # type: ignore[attr-defined]

    def on_app_focus(self, _: events.AppFocus) -> None:
        if time.monotonic() - self._last_refresh >= FOCUS_REFRESH_GAP:
            self.action_refresh()

    def action_help(self) -> None:
        from claimtrack.tui.screens.help import HelpScreen
        from claimtrack.tui.widgets.claims_table import ClaimsTable

        from claimtrack.tui.widgets.review_view import ReviewView

        sections = [
            ("Review mode (0)", list(ReviewView.BINDINGS)),
            ("Claims", list(ClaimsView.BINDINGS) + list(ClaimsTable.BINDINGS)),
            ("Everywhere", list(self.BINDINGS) + [Binding("ctrl+p", "", "Command palette",
                                                          tooltip="every action by name")]),
            ("Forms", [Binding("ctrl+s", "", "Save"), Binding("escape", "", "Cancel"),
                       Binding("tab", "", "Next field", tooltip="enter too")]),
        ]
        self.push_screen(HelpScreen(sections))

    def _end_startup(self) -> None:
        if self._gc_paused:
            self._gc_paused = False
            gc.freeze()
            gc.enable()

    def on_unmount(self) -> None:
        self._end_startup()
        self.backend.close()


def create_app(db_option: str | None = None, *, clock: Callable[[], datetime] | None = None,
               backend: Backend | None = None, review: bool = False) -> ClaimtrackApp:
    """The review UI on the ledger the CLI would use (``--db`` value or None); with
    ``review`` it opens on the review queue (and on the claims when nothing needs attention)."""
    return ClaimtrackApp(backend or Backend(db_option, clock=clock), review=review)
