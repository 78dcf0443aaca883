"""The claims view's controls: the state switches and the filter box.

They are not part of the first frame: ClaimsView mounts them right after its
first page is drawn (or fails), so the first frame lays out and styles a dozen
fewer widgets.  Until then the view shows the state asked for (open, or one
chosen from the command palette), the counts and a filter wait for the
switches and the box, and the keys that need them do nothing.
"""

from __future__ import annotations

from claimtrack.tui.widgets.state_bar import FilterBox, StateBar


class ClaimsControls:
    """Mixin for ClaimsView (which defines backend, table, reload, search, _loaded_state).

    Message handlers go by name (on_state_bar_changed, ...): Textual finds those
    on a plain mixin, not ``@on`` ones."""

    def init_controls(self) -> None:
        self._controls = "none"  # "none", "mounting", "ready"
        self._start_state = "open"  # the state shown until the switches are mounted
        self._counts: dict[str, int] | None = None  # counts that arrived before the switches
        self._pending_filter: str | None = None  # filter_by before the box was mounted

    async def mount_controls(self) -> None:
        """The state switches and the filter box, once the first page is drawn (or failed)."""
        if self._controls != "none":
            return
        self._controls = "mounting"
        bar = StateBar()
        await self.mount(bar, FilterBox(id="filter"), before="#claims-main")  # type: ignore[attr-defined]
        self._controls = "ready"
        if self._start_state != "open":  # asked for before the switches were there
            bar.select(self._start_state)
        if self._counts is not None:
            bar.set_counts(self._counts)
        if self._pending_filter is not None:
            self.filter_by(self._pending_filter)
            self._pending_filter = None
        self.app.show_chrome()  # type: ignore[attr-defined]
        self.refresh_bindings()  # type: ignore[attr-defined]

    @property
    def controls_ready(self) -> bool:
        return self._controls == "ready"

    @property
    def state(self) -> str:
        return self.query_one(StateBar).state if self.controls_ready else self._start_state  # type: ignore[attr-defined]

    def show_counts(self, counts: dict[str, int]) -> None:
        self._counts = counts
        if self.controls_ready:
            self.query_one(StateBar).set_counts(counts)  # type: ignore[attr-defined]

    # ------------------------------------------------------------ messages

    def on_state_bar_changed(self, message: StateBar.Changed) -> None:
        if message.state == self._loaded_state:  # type: ignore[attr-defined]
            return  # the switches' first activation
        self.reload(keep_id=None)  # type: ignore[attr-defined]

    def on_filter_box_search_changed(self, message: FilterBox.SearchChanged) -> None:
        from claimtrack.domain.errors import InvalidInput
        from claimtrack.domain.query import HELP, parse_query

        box = self.query_one(FilterBox)  # type: ignore[attr-defined]
        try:
            query = parse_query(message.text, now=self.backend.now())  # type: ignore[attr-defined]
        except InvalidInput as exc:
            box.add_class("-invalid")
            self.app.notify(f"{exc}. The filter takes {HELP}.", title="Filter not applied",  # type: ignore[attr-defined]
                            severity="warning", markup=False)
            return
        box.remove_class("-invalid")
        self.search = message.text
        self.table.words = query.words + tuple(p for p in query.people)  # type: ignore[attr-defined]
        self.reload()  # type: ignore[attr-defined]

    def on_filter_box_done(self, _: FilterBox.Done) -> None:
        box = self.query_one(FilterBox)  # type: ignore[attr-defined]
        box.set_class(bool(box.value.strip()), "-active")
        self.table.focus()  # type: ignore[attr-defined]

    # ------------------------------------------------------------- actions

    def filter_by(self, text: str) -> None:
        """Show the claims matching ``text`` (as typed in the filter box), e.g. 'by:ann'."""
        if not self.controls_ready:  # typed in once the box is there
            self._pending_filter = text
            self.call_later(self.mount_controls)  # type: ignore[attr-defined]
            return
        box = self.query_one(FilterBox)  # type: ignore[attr-defined]
        box.value = text
        box.set_class(bool(text), "-active")
        box.send_now()

    def action_filter(self) -> None:
        if not self.controls_ready:
            return  # before the first page is drawn
        box = self.query_one(FilterBox)  # type: ignore[attr-defined]
        box.add_class("-active")
        box.focus()

    def action_state(self, delta: int) -> None:
        if self.controls_ready:
            self.query_one(StateBar).step(delta)  # type: ignore[attr-defined]

    def show_state(self, state: str) -> None:
        if self.controls_ready:
            self.query_one(StateBar).select(state)  # type: ignore[attr-defined]
        elif state != self._start_state:
            self._start_state = state
            self.reload(keep_id=None)  # type: ignore[attr-defined]
