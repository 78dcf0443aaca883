"""The claims table: rows arrive a page at a time; asks for more near the end."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from claimtrack.domain.dates import user_timezone
from claimtrack.domain.records import ClaimSummary
from claimtrack.tui.format import SORTABLE, claim_row, columns_for

# Ask for the next page when the cursor or the viewport comes this close to
# the last loaded row.
LOOKAHEAD = 60


class ClaimsTable(DataTable):
    """A DataTable of ClaimSummary rows keyed by claim id, loaded lazily."""

    BINDINGS = [
        Binding("home,g", "scroll_top", "First row", show=False, id="claims.first"),
        Binding("end,G", "to_end", "Last row", show=False, tooltip="the true end of the list (loads the rest)",
                id="claims.last"),
        Binding("enter", "open_detail", "Open", tooltip="The selected claim's whole record", id="claims.open"),
        Binding("j", "cursor_down", "Down", show=False, id="claims.down"),
        Binding("k", "cursor_up", "Up", show=False, id="claims.up"),
        Binding("s", "cycle_sort", "Sort", tooltip="Sort by the next column (click a header to choose)",
                id="claims.sort", show=False),
        Binding("S", "reverse_sort", "Reverse", tooltip="Reverse the sort order", id="claims.reverse",
                show=False),
    ]

    class NearEnd(Message):
        """The user scrolled close to the last loaded row: load the next page."""

        def __init__(self, loaded: int) -> None:
            self.loaded = loaded
            super().__init__()

    class ToEnd(Message):
        """G or end: load the rest of the list and go to its last row."""

    class OpenDetail(Message):
        """Enter: show the selected claim's whole record."""

    class SortChanged(Message):
        """The user picked a sort column (a header click, s or S)."""

        def __init__(self, column: str, descending: bool) -> None:
            self.column = column
            self.descending = descending
            super().__init__()

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.claims: list[ClaimSummary] = []
        self.total: int | None = 0  # None: not counted yet (the first page arrives before the counts)
        self.anchor: ClaimSummary | None = None  # the last row as loaded: where the next page starts
        self.sort_column = "due"
        self.descending = False
        self.shown_columns: tuple[tuple[str, str, int], ...] = ()
        self.words: tuple[str, ...] = ()  # the filter's words, highlighted
        self.now: datetime | None = None  # the clock of the rows shown

    def on_mount(self) -> None:
        # the first guess (the app's width, or the table's share of a wide one); on_resize corrects it
        width = self.app.size.width
        self._layout(width * 3 // 5 if width >= 180 else width)

    def label_for(self, key: str, label: str) -> str:
        """Your own forecast's column is named for you."""
        if key == "mine":
            user = getattr(getattr(self.app, "backend", None), "user", None)
            return (user() if user is not None else label)[:8]
        return label

    def on_resize(self) -> None:
        self._layout(self.size.width)

    def _layout(self, width: int) -> None:
        """Choose the columns for ``width`` (the statement gets at least half); rebuilt
        through DataTable's public API only when the choice changes."""
        columns = columns_for(max(width, 30), self.cell_padding)
        if columns != self.shown_columns:
            self.shown_columns = columns
            self._rebuild()

    def _rebuild(self) -> None:
        """Columns (with the sort arrow) and the loaded rows again, keeping the cursor."""
        cursor = self.cursor_row
        self.clear(columns=True)
        for key, label, width in self.shown_columns:
            active = SORTABLE.get(key) == self.sort_column
            arrow = (" ▼" if self.descending else " ▲") if active else ""
            self.add_column(Text(self.label_for(key, label) + arrow, style="bold" if active else ""),
                            key=key, width=width)
        self._add(self.claims)
        if self.row_count:
            self.move_cursor(row=min(max(cursor, 0), self.row_count - 1), animate=False)

    def _add(self, claims: list[ClaimSummary]) -> None:
        if not claims:
            return
        tz = user_timezone()
        keys = [k for k, _, _ in self.shown_columns]
        for claim in claims:
            cells = claim_row(claim, self.now, tz, self.words)
            self.add_row(*(cells[k] for k in keys), key=str(claim.id))

    # ---------------------------------------------------------- contents

    @property
    def exhausted(self) -> bool:
        return self.total is not None and len(self.claims) >= self.total

    def replace_rows(self, claims: list[ClaimSummary], total: int | None, now: datetime,
                     keep_id: int | None = None) -> None:
        """Show a fresh first page (after a filter, sort or refresh)."""
        self.now = now
        self.claims = []
        self.anchor = None
        self.total = total
        self._rebuild()  # the header too: its sort arrow may have moved
        self.append_rows(claims, now)
        if keep_id is not None and str(keep_id) in self.rows:
            self.move_cursor(row=self.get_row_index(str(keep_id)), animate=False, scroll=True)
        elif self.row_count:
            self.move_cursor(row=0, animate=False)

    def append_rows(self, claims: list[ClaimSummary], now: datetime) -> None:
        self.now = now
        if claims:
            self.anchor = claims[-1]  # as loaded, even if a later update_claim redraws it
        fresh = [c for c in claims if str(c.id) not in self.rows]
        self.claims.extend(fresh)
        self._add(fresh)
        if len(fresh) < len(claims) and self.total is not None:  # rows moved between pages (a concurrent write)
            self.total = max(self.total, len(self.claims))

    def update_claim(self, claim: ClaimSummary, now: datetime) -> None:
        """Redraw one row from newer data (e.g. the detail pane's fresh copy)."""
        key = str(claim.id)
        if key not in self.rows:
            return
        index = self.get_row_index(key)
        self.claims[index] = claim
        cells = claim_row(claim, now, None, self.words)
        for column, _, _ in self.shown_columns:
            self.update_cell(key, column, cells[column])

    def selected(self) -> ClaimSummary | None:
        if not self.claims or self.cursor_row < 0 or self.cursor_row >= len(self.claims):
            return None
        return self.claims[self.cursor_row]

    def claim_at(self, row_key: str) -> ClaimSummary | None:
        if row_key not in self.rows:
            return None
        index = self.get_row_index(row_key)
        return self.claims[index] if index < len(self.claims) else None

    # ------------------------------------------------------------ paging

    def _check_near_end(self) -> None:
        if self.exhausted or not self.claims:
            return
        last_visible = int(self.scroll_y) + self.size.height
        if max(self.cursor_row, last_visible) >= len(self.claims) - LOOKAHEAD:
            self.post_message(self.NearEnd(len(self.claims)))

    def watch_cursor_coordinate(self, old, new) -> None:
        super().watch_cursor_coordinate(old, new)
        self._check_near_end()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._check_near_end()

    # ----------------------------------------------------------- sorting

    def set_sort(self, column: str, descending: bool) -> None:
        """The header shows it when the reload this starts redraws the table."""
        self.sort_column, self.descending = column, descending

    def action_open_detail(self) -> None:
        self.post_message(self.OpenDetail())

    def action_to_end(self) -> None:
        if self.exhausted:
            if self.row_count:
                self.move_cursor(row=self.row_count - 1, animate=False)
        else:
            self.post_message(self.ToEnd())

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        key = str(event.column_key.value)
        if key not in SORTABLE:
            return
        column = SORTABLE[key]
        descending = False
        if column == self.sort_column:
            descending = not self.descending
        self.set_sort(column, descending)
        self.post_message(self.SortChanged(column, descending))

    def action_cycle_sort(self) -> None:
        order = list(dict.fromkeys(SORTABLE.values()))
        column = order[(order.index(self.sort_column) + 1) % len(order)] if self.sort_column in order else "due"
        self.set_sort(column, False)
        self.post_message(self.SortChanged(column, False))

    def action_reverse_sort(self) -> None:
        self.set_sort(self.sort_column, not self.descending)
        self.post_message(self.SortChanged(self.sort_column, self.descending))
