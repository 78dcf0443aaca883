"""The switches above the claims table (open, due, resolved, all, inbox) and the filter box."""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Tab, Tabs

from claimtrack.tui.backend import STATES

FILTER_DELAY = 0.25  # seconds of quiet typing before the table reloads


class StateBar(Horizontal):
    """Tabs for the claim states, with counts; posts StateBar.Changed."""

    DEFAULT_CSS = """
    StateBar { height: 2; }
    StateBar > Tabs { width: 1fr; }
    """

    class Changed(Message):
        def __init__(self, state: str) -> None:
            self.state = state
            super().__init__()

    def compose(self):
        yield Tabs(*(Tab(label, id=f"state-{state}") for label, state in STATES), id="state-tabs")

    @property
    def state(self) -> str:
        active = self.query_one(Tabs).active
        return active.removeprefix("state-") if active else "open"

    def select(self, state: str) -> None:
        self.query_one(Tabs).active = f"state-{state}"

    def step(self, delta: int) -> None:
        states = [s for _, s in STATES]
        self.select(states[(states.index(self.state) + delta) % len(states)])

    def set_counts(self, counts: dict[str, int]) -> None:
        tabs = self.query_one(Tabs)
        for label, state in STATES:
            if state in counts:
                tabs.query_one(f"#state-{state}", Tab).label = f"{label} {counts[state]:,}"

    @on(Tabs.TabActivated)
    def _activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        if event.tab is not None and event.tab.id:
            self.post_message(self.Changed(event.tab.id.removeprefix("state-")))


class FilterBox(Input):
    """A search box: statement, source or tag; posts FilterBox.SearchChanged after a pause."""

    BINDINGS = [
        Binding("escape", "clear_and_leave", "Clear filter", tooltip="Clear the filter and go back to the table",
                id="filter.clear"),
        Binding("down", "leave", "To table", show=False, id="filter.leave"),
    ]

    class SearchChanged(Message):
        def __init__(self, text: str) -> None:
            self.text = text
            super().__init__()

    class Done(Message):
        """The user left the box (enter, escape, down)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(placeholder="filter: words, tag:NAME, by:NAME, due:<2026-12, p>80 (esc clears)", **kwargs)
        self._timer: Timer | None = None
        self._sent = ""

    def send_now(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._send()

    def _send(self) -> None:
        text = self.value.strip()
        if text != self._sent:
            self._sent = text
            self.post_message(self.SearchChanged(text))

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(FILTER_DELAY, self._send)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._send()
        self.post_message(self.Done())

    def action_leave(self) -> None:
        self._send()
        self.post_message(self.Done())

    def action_clear_and_leave(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self.value = ""
        self._send()
        self.post_message(self.Done())
