"""The review UI: claims, calibration and sources, one key apart.

``create_app`` is shared by ``claimtrack tui``, a bare ``claimtrack`` in a
terminal, and the tests (which pass a fixed clock).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from textual import events, on, work
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Footer, Header, TabbedContent, TabPane

from claimtrack.tui.backend import Backend, describe_error
from claimtrack.tui.commands import ClaimCommands
from claimtrack.tui.screens.help import HelpScreen
from claimtrack.tui.widgets.calibration_view import CalibrationView
from claimtrack.tui.widgets.claims_view import ClaimsView
from claimtrack.tui.widgets.sources_view import SourcesView

VIEWS = ("claims", "calibration", "sources")
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

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
        self._last_refresh = time.monotonic()

    def compose(self):
        yield Header()
        with TabbedContent(initial="claims", id="views"):
            with TabPane("Claims [1]", id="claims"):
                yield ClaimsView(id="claims-view")
            with TabPane("Calibration [2]", id="calibration"):
                yield CalibrationView(id="calibration-view")
            with TabPane("Sources [3]", id="sources"):
                yield SourcesView(id="sources-view")
        yield Footer()

    def on_mount(self) -> None:
        self._open()
        self.query_one("#claims-table").focus()

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

    # -------------------------------------------------------------- views

    @property
    def claims_view(self) -> ClaimsView:
        return self.query_one(ClaimsView)

    def _active_view(self):
        active = self.query_one(TabbedContent).active
        return {"claims": ClaimsView, "calibration": CalibrationView, "sources": SourcesView}[active or "claims"]

    def action_view(self, name: str) -> None:
        tabs = self.query_one(TabbedContent)
        if tabs.active == name:
            return
        # drop focus first: a focused widget in the pane being hidden would pull it back
        self.screen.set_focus(None)
        tabs.active = name
        self.call_after_refresh(self._focus_view)

    def _focus_view(self) -> None:
        view = self.query_one(self._active_view())
        target = view.query_one("#claims-table") if isinstance(view, ClaimsView) else None
        if target is None:
            focusable = [w for w in view.query("*") if w.focusable]
            target = focusable[0] if focusable else None
        if target is not None:
            target.focus()

    @on(TabbedContent.TabActivated)
    def _view_shown(self, event: TabbedContent.TabActivated) -> None:
        view = self.query_one(self._active_view())
        if hasattr(view, "shown"):
            view.shown()

    def run_claims_action(self, action: str) -> None:
        self.action_view("claims")
        self.call_later(self.claims_view.run_action, action)

    def show_state(self, state: str) -> None:
        self.action_view("claims")
        self.claims_view.show_state(state)

    def sort_claims(self, column: str) -> None:
        self.action_view("claims")
        table = self.claims_view.table
        table.set_sort(column, False)
        self.claims_view.reload()

    # ------------------------------------------------------------ refresh

    def action_refresh(self) -> None:
        self._last_refresh = time.monotonic()
        self.query_one(self._active_view()).refresh_data()

    def on_app_focus(self, _: events.AppFocus) -> None:
        if time.monotonic() - self._last_refresh >= FOCUS_REFRESH_GAP:
            self.action_refresh()

    def action_help(self) -> None:
        from claimtrack.tui.widgets.claims_table import ClaimsTable

        sections = [
            ("Claims", list(ClaimsView.BINDINGS) + list(ClaimsTable.BINDINGS)),
            ("Everywhere", list(self.BINDINGS) + [Binding("ctrl+p", "", "Command palette",
                                                          tooltip="every action by name")]),
            ("Forms", [Binding("ctrl+s", "", "Save"), Binding("escape", "", "Cancel"),
                       Binding("tab", "", "Next field", tooltip="enter too")]),
        ]
        self.push_screen(HelpScreen(sections))

    def on_unmount(self) -> None:
        self.backend.close()


def create_app(db_option: str | None = None, *, clock: Callable[[], datetime] | None = None,
               backend: Backend | None = None) -> ClaimtrackApp:
    """The review UI on the ledger the CLI would use (``--db`` value or None)."""
    return ClaimtrackApp(backend or Backend(db_option, clock=clock))
