"""Who turned out right: every forecaster and source, with their track record
(the same numbers as ``claimtrack people``), ranked by a rule volume cannot game."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Label, Select, Static

from claimtrack.domain.scoring.track import RANK_RULE
from claimtrack.tui.backend import describe_error
from claimtrack.tui.score_format import BOARD_HEADERS, board_cells, board_rows

KINDS = (("Everyone", "everyone"), ("Forecasters", "forecaster"), ("Sources", "source"))
EXPLAIN = ("Sources are scored on their own calls (what they stated, implied or asserted), forecasters on "
           "their own forecasts: each person's final forecast on each claim resolved yes or no. "
           "vs you: their Brier minus yours on claims you both forecast (negative: they did better). "
           f"Rank: {RANK_RULE}.")


def _sort_key(header: str):
    """How the board sorts by a column (None last, whatever the direction)."""
    def rec(p):
        return p.record

    keys = {
        "#": lambda p: rec(p).rank if rec(p) is not None and rec(p).rank else None,
        "name": lambda p: p.name.lower(),
        "Brier": lambda p: rec(p).brier if rec(p) is not None else None,
        "vs median": lambda p: rec(p).vs_median.mean if rec(p) is not None and rec(p).vs_median else None,
        "vs you": lambda p: rec(p).vs_you.difference.mean if rec(p) is not None and rec(p).vs_you else None,
        "came true (95%)": lambda p: rec(p).n_right / rec(p).n_calls if rec(p) is not None and rec(p).n_calls else None,
        "resolved/claims": lambda p: p.n_resolved,
        "log (bits)": lambda p: rec(p).log_score if rec(p) is not None else None,
        "as": lambda p: ",".join(p.roles),
    }
    return keys.get(header, keys["#"])


def sort_people(rows: list, header: str, descending: bool) -> list:
    key = _sort_key(header)
    known = [p for p in rows if key(p) is not None]
    unknown = [p for p in rows if key(p) is None]
    return sorted(known, key=key, reverse=descending) + unknown


class SourcesView(Vertical):
    initial_focus = "#board"  # the app focuses the board when the view is shown

    BINDINGS = [
        Binding("s", "cycle_sort", "Sort", tooltip="Sort by the next column (click a header to choose)",
                id="board.sort"),
        Binding("S", "reverse_sort", "Reverse", tooltip="Reverse the sort order", id="board.reverse", show=False),
        Binding("enter", "drill", "Their claims", tooltip="The claims this person made or forecast",
                id="board.drill"),
    ]

    class Loaded(Message):
        def __init__(self, generation: int, people) -> None:
            self.generation, self.people = generation, people
            super().__init__()

    class Failed(Message):
        def __init__(self, error: BaseException) -> None:
            self.error = error
            super().__init__()

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._generation = 0
        self._loaded_once = False
        self.people = []
        self.rows = []
        self.sort_by = "#"
        self.descending = False

    def compose(self):
        with Horizontal(classes="controls"):
            yield Label("People:")
            yield Select(KINDS, value="everyone", allow_blank=False, id="board-kind")
        yield DataTable(id="board", cursor_type="row", zebra_stripes=True)
        yield Static("", id="board-explain", classes="explain")
        yield Static("", id="board-status", classes="score-status")

    def on_mount(self) -> None:
        self._columns()

    def _columns(self) -> None:
        table = self.query_one("#board", DataTable)
        table.clear(columns=True)
        for header in BOARD_HEADERS:
            arrow = (" ▼" if self.descending else " ▲") if header == self.sort_by else ""
            table.add_column(Text(header + arrow, style="bold" if arrow else ""), key=header)

    def shown(self) -> None:
        if not self._loaded_once:
            self.refresh_data()

    def refresh_data(self) -> None:
        self._loaded_once = True
        self._generation += 1
        self.query_one("#board-status", Static).update(Text("Scoring…", style="dim"))
        self._load(self._generation)

    @work(thread=True, exclusive=True, group="leaderboard", exit_on_error=False, description="Ranking")
    def _load(self, generation: int) -> None:
        try:
            people = self.app.backend.people()  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001
            self.post_message(self.Failed(exc))
            return
        self.post_message(self.Loaded(generation, people))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.generation != self._generation:
            return
        self.people = message.people
        self._show()

    def _show(self) -> None:
        show = str(self.query_one("#board-kind", Select).value)
        self.rows = sort_people(board_rows(self.people, show), self.sort_by, self.descending)
        self._columns()
        table = self.query_one("#board", DataTable)
        you = None
        for index, person in enumerate(self.rows):
            cells = board_cells(person)
            if person.is_you:  # you stand out wherever the sort puts you
                you = index
                for cell in cells:
                    cell.stylize("bold reverse")
            table.add_row(*cells, key=person.name)
        if you is not None:
            table.move_cursor(row=you, animate=False)
        self.query_one("#board-explain", Static).update(Text(EXPLAIN, style="dim"))
        ranked = sum(1 for p in self.rows if p.record is not None and p.record.rank)
        self.query_one("#board-status", Static).update(
            Text(f"{len(self.rows)} people · {ranked} ranked · sorted by {self.sort_by} "
                 "(click a header, s, S) · enter: their claims", style="dim"))

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.app.notify(describe_error(message.error), title="Could not rank", severity="error", markup=False)

    @on(Select.Changed)
    def _changed(self, event: Select.Changed) -> None:
        event.stop()
        if self._loaded_once:
            self._show()

    # ------------------------------------------------------------ sorting

    @on(DataTable.HeaderSelected, "#board")
    def _header(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        header = str(event.column_key.value)
        self.descending = not self.descending if header == self.sort_by else False
        self.sort_by = header
        self._show()

    def action_cycle_sort(self) -> None:
        order = list(BOARD_HEADERS)
        self.sort_by = order[(order.index(self.sort_by) + 1) % len(order)]
        self.descending = False
        self._show()

    def action_reverse_sort(self) -> None:
        self.descending = not self.descending
        self._show()

    @on(DataTable.RowSelected, "#board")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_drill()

    def action_drill(self) -> None:
        """The claims of the person under the cursor: made (as source) or forecast by them."""
        table = self.query_one("#board", DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return
        self.app.show_person(self.rows[table.cursor_row].name)  # type: ignore[attr-defined]
