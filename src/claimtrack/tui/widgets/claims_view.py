"""The claims view: state switches, filter, the lazily paged table and the detail pane.

All ledger reads run in thread workers that post messages back here; the
write actions (add, forecast, resolve, edit, accept, reject) live in
:mod:`claimtrack.tui.widgets.claim_actions`.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Static

from claimtrack.domain.errors import StaleRecord
from claimtrack.domain.records import ClaimDetail, ClaimSummary
from claimtrack.domain.text import terminal_safe
from claimtrack.tui.backend import Page, describe_error
from claimtrack.tui.widgets.claim_actions import ClaimActions
from claimtrack.tui.widgets.claims_controls import ClaimsControls
from claimtrack.tui.widgets.claims_table import ClaimsTable
from claimtrack.tui.widgets.detail import ClaimDetailPane

PAGE_SIZE = 200
SCREEN_EXTRA = 10  # a first page is the screen's rows and this many more; the rest of PAGE_SIZE follows
END_PAGE = 2000  # G pages on to the end this many rows at a time
RELOAD_CAP = 2000  # a refresh reloads what was loaded, up to this many rows
DETAIL_DELAY = 0.08


class ClaimsView(ClaimActions, ClaimsControls, Vertical):
    BINDINGS = [
        Binding("slash", "filter", "Filter", key_display="/", tooltip="Filter by words in the statement, source or tags",
                id="claims.filter"),
        Binding("left_square_bracket", "state(-1)", "Prev", key_display="[", show=False,
                tooltip="Previous state: open, due, resolved, all, inbox", id="claims.state_prev"),
        Binding("right_square_bracket", "state(1)", "State", key_display="]",
                tooltip="Next state: open, due, resolved, all, inbox", id="claims.state_next"),
        *ClaimActions.ACTION_BINDINGS,
    ]

    class PageLoaded(Message):
        def __init__(self, generation: int, page: Page, keep_id: int | None) -> None:
            self.generation, self.page, self.keep_id = generation, page, keep_id
            super().__init__()

    class CountsLoaded(Message):
        def __init__(self, generation: int, counts: dict[str, int]) -> None:
            self.generation, self.counts = generation, counts
            super().__init__()

    class DetailLoaded(Message):
        def __init__(self, detail: ClaimDetail) -> None:
            self.detail = detail
            super().__init__()

    class Written(Message):
        """A write committed: say so and reload, keeping ``claim_id`` selected."""

        def __init__(self, text: str, claim_id: int | None) -> None:
            self.text, self.claim_id = text, claim_id
            super().__init__()

    class Failed(Message):
        def __init__(self, what: str, error: BaseException) -> None:
            self.what, self.error = what, error
            super().__init__()

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.search = ""
        self._generation = 0
        self._loading_more = False
        self._detail_timer: Timer | None = None
        self._loaded_state: str | None = None  # the state of the last reload
        self.starting = True  # until the first page is shown
        self._going_to_end = False  # G: paging on to the last row
        self._scored = False  # the app's score line has been asked for
        self._prefetched: tuple[int, int] | None = None  # (generation, claim id) of a first page's detail
        self._prefetch_pending = False  # ... asked for right after the page was drawn, not arrived (or failed)
        self.init_controls()

    def compose(self):
        # the first frame: the table, the detail pane and the status line (see mount_controls)
        with Horizontal(id="claims-main"):
            yield ClaimsTable(id="claims-table")
            yield ClaimDetailPane(id="claim-detail")
        yield Static("", id="claims-status")

    def on_mount(self) -> None:
        self.query_one("#claim-detail").border_title = "detail"
        if not getattr(self.app, "claims_held", False):  # (held while the review queue's first claim is drawn)
            self.reload()

    # ------------------------------------------------------------ helpers

    @property
    def backend(self):
        return self.app.backend  # type: ignore[attr-defined]

    @property
    def table(self) -> ClaimsTable:
        return self.query_one(ClaimsTable)

    @property
    def detail_pane(self) -> ClaimDetailPane:
        return self.query_one(ClaimDetailPane)

    def shown_claim(self) -> ClaimSummary | None:
        """The selected claim as the user last saw it (the detail pane's copy when fresher)."""
        row = self.table.selected()
        detail = self.detail_pane.detail
        if row is not None and detail is not None and detail.claim.id == row.id:
            return detail.claim
        return row

    def _status(self) -> None:
        t = self.table
        total = "…" if t.total is None else f"{t.total:,}"  # counted right after the first page
        text = Text(f"{len(t.claims):,} of {total} claims", end="")
        arrow = "▼" if t.descending else "▲"
        text.append(f" · sorted by {t.sort_column} {arrow} (click a header, s, S)", style="dim")
        if self.search:
            text.append(" · filter: ", style="dim")
            text.append(self.search, style="bold")
        if self._going_to_end:
            text.append(" · loading to the end…", style="dim")
        elif not t.exhausted:
            text.append(" · more load as you scroll (G: to the end)", style="dim")
        self.query_one("#claims-status", Static).update(text)

    # -------------------------------------------------------------- loads

    def reload(self, keep_id: int | None = None) -> None:
        """Fresh first page, then the counts; keeps the selected claim when it is still there."""
        if keep_id is None and self.table.selected() is not None:
            keep_id = self.table.selected().id
        self._generation += 1
        self._loading_more = False
        self._going_to_end = False
        self._loaded_state = self.state
        if self.table.claims:
            limit = min(max(PAGE_SIZE, len(self.table.claims)), RELOAD_CAP)
        else:  # nothing shown yet: a screenful first, the rest of the page right after it is drawn
            limit = min(PAGE_SIZE, self.app.size.height + SCREEN_EXTRA)
        self._load_page(self._generation, self._query(), 0, limit, None, keep_id)

    def _query(self) -> tuple[str, str, str, bool]:
        """What to list, read on the UI thread and handed to the worker."""
        t = self.table
        return self.state, self.search, t.sort_column, t.descending

    @work(thread=True, exclusive=True, group="claims-load", exit_on_error=False, description="Loading claims")
    def _load_page(self, generation: int, query: tuple[str, str, str, bool], offset: int, limit: int,
                   after: ClaimSummary | None, keep_id: int | None) -> None:
        """A page: the first (offset 0) uncounted, the counts follow once it is drawn;
        later ones start after ``after`` (keyset), so every page is as quick as the first."""
        state, search, sort, descending = query
        try:
            page = self.backend.page(state, search, sort=sort, descending=descending,
                                     offset=offset, limit=limit, after=after, count=offset > 0)
        except Exception as exc:  # noqa: BLE001 - every error becomes a notification
            self.post_message(self.Failed("loading claims", exc))
            return
        self.post_message(self.PageLoaded(generation, page, keep_id))

    @work(thread=True, exclusive=True, group="claims-count", exit_on_error=False, description="Counting claims")
    def _load_counts(self, generation: int, search: str) -> None:
        try:
            counts = self.backend.counts(search)
        except Exception as exc:  # noqa: BLE001
            self.post_message(self.Failed("counting claims", exc))
            return
        self.post_message(self.CountsLoaded(generation, counts))

    @on(PageLoaded)
    def _page_loaded(self, message: PageLoaded) -> None:
        if message.generation != self._generation:
            return  # a newer load replaced this one
        page, t, now = message.page, self.table, self.backend.now()
        if page.offset == 0:
            self.starting = False
            t.replace_rows(page.rows, page.total, now, keep_id=message.keep_id)
            # the rows first: the switches and the counts (and the rest of a screenful first page) once they
            # are on screen
            self.call_after_refresh(self.mount_controls)
            self.call_after_refresh(self._load_counts, message.generation, self.search)
            if not t.exhausted and len(t.claims) < PAGE_SIZE:
                self._loading_more = True
                self.call_after_refresh(self._load_rest, message.generation)
            selected = t.selected()
            if not page.rows:
                self.detail_pane.show_message(self._empty_message())
            elif selected is not None:  # its detail is read once the rows are drawn (not competing with them)
                self._prefetched = (message.generation, selected.id)
                self._prefetch_pending = True
                self.call_after_refresh(self._load_detail, selected.id)
            else:
                self._schedule_detail()
        else:
            if page.total is not None:
                t.total = page.total
            t.append_rows(page.rows, now)
            self._loading_more = False
            if self._going_to_end:
                if t.exhausted or not page.rows:
                    self._going_to_end = False
                    t.total = len(t.claims)
                    t.move_cursor(row=t.row_count - 1, animate=False)
                else:
                    self._to_end()
        self._status()
        self.refresh_bindings()

    def _load_rest(self, generation: int) -> None:
        """The rest of the first page after a screenful (unless a newer load replaced it)."""
        t = self.table
        if generation != self._generation or not self._loading_more:
            return
        if t.exhausted or len(t.claims) >= PAGE_SIZE:
            self._loading_more = False
            return
        self._load_page(generation, self._query(), len(t.claims), PAGE_SIZE - len(t.claims), t.anchor, None)

    @on(CountsLoaded)
    def _counts_loaded(self, message: CountsLoaded) -> None:
        if message.generation != self._generation:
            return
        self.show_counts(message.counts)
        if not self._scored:  # the score line after the first page and its counts
            self._scored = True
            self.app.load_score_line()  # type: ignore[attr-defined]
        t = self.table
        if t.total is None:
            t.total = max(message.counts.get(self.state, 0), len(t.claims))
            self._status()

    def _empty_message(self) -> str:
        if self.search:
            return f"No {self.state} claims match '{self.search}'. Press / then esc to clear the filter."
        if self.state == "draft":
            return "The inbox is empty: 'claimtrack import notes.md' finds candidate claims in notes."
        return f"No {self.state} claims. Press a to add one, ] for the next state."

    @on(ClaimsTable.NearEnd)
    def _near_end(self, message: ClaimsTable.NearEnd) -> None:
        if self._loading_more or self.table.exhausted:
            return
        self._loading_more = True
        self._load_page(self._generation, self._query(), len(self.table.claims), PAGE_SIZE, self.table.anchor, None)

    @on(ClaimsTable.SortChanged)
    def _sort_changed(self) -> None:
        self.reload()

    @on(ClaimsTable.ToEnd)
    def _to_end(self) -> None:
        """G: page on (by keyset, in big pages) to the true end of the list."""
        self._going_to_end = True
        self._status()
        if not self._loading_more:
            self._loading_more = True
            self._load_page(self._generation, self._query(), len(self.table.claims), END_PAGE,
                            self.table.anchor, None)

    @on(ClaimsTable.OpenDetail)
    def _open_detail(self) -> None:
        claim = self.table.selected()
        if claim is not None:
            self.app.open_claim(claim.id)  # type: ignore[attr-defined]

    # ------------------------------------------------------------- detail

    @on(DataTable.RowHighlighted, "#claims-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        selected = self.table.selected()
        if self._prefetched is not None and (selected is None or selected.id != self._prefetched[1]):
            self._prefetch_pending = False  # moved off the first page's claim: coming back reads it
        self._schedule_detail()
        self.refresh_bindings()

    def _schedule_detail(self) -> None:
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(DETAIL_DELAY, self._request_detail)

    def _request_detail(self) -> None:
        claim = self.table.selected()
        if claim is None:
            return
        shown = self.detail_pane.detail
        if self._prefetched == (self._generation, claim.id) and (
                self._prefetch_pending or (shown is not None and shown.claim.id == claim.id)):
            return  # read with this page (on its way, or failed and said so): as fresh as the row
        self._load_detail(claim.id)

    @work(thread=True, exclusive=True, group="claims-detail", exit_on_error=False, description="Loading claim")
    def _load_detail(self, claim_id: int) -> None:
        try:
            detail = self.backend.detail(claim_id)
        except Exception as exc:  # noqa: BLE001
            self.post_message(self.Failed(f"loading claim {claim_id}", exc))
            return
        self.post_message(self.DetailLoaded(detail))

    @on(DetailLoaded)
    def _detail_loaded(self, message: DetailLoaded) -> None:
        self._prefetch_pending = False
        selected = self.table.selected()
        if selected is None or selected.id != message.detail.claim.id:
            return  # the user moved on
        self._show_detail(message.detail)
        self.refresh_bindings()

    def _show_detail(self, detail: ClaimDetail) -> None:
        now = self.backend.now()
        self.detail_pane.show(detail, now)
        if detail.claim.revision != self.table.selected().revision:  # type: ignore[union-attr]
            self.table.update_claim(detail.claim, now)

    # ----------------------------------------------------------- outcomes

    @on(Written)
    def _written(self, message: Written) -> None:
        self.app.notify(terminal_safe(message.text), title="Saved", markup=False)
        self.reload(keep_id=message.claim_id)

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        stale = isinstance(message.error, StaleRecord)
        self._loading_more = False
        if self.starting:
            self.starting = False
            self.refresh_bindings()
        self.call_after_refresh(self.mount_controls)
        self.app.notify(describe_error(message.error), title=f"Could not finish {message.what}",
                        severity="error", timeout=10 if stale else 6, markup=False)
        if stale:
            self.reload()

    # ------------------------------------------------------------ actions

    def refresh_data(self) -> None:
        self.reload()
