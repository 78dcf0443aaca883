"""Who turned out right: every forecaster and source, with their track record
(the same numbers as ``claimtrack people``), ranked by a rule volume cannot game."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
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


class SourcesView(Vertical):
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

    def compose(self):
        with Horizontal(classes="controls"):
            yield Label("People:")
            yield Select(KINDS, value="everyone", allow_blank=False, id="board-kind")
        yield DataTable(id="board", cursor_type="row", zebra_stripes=True)
        yield Static("", id="board-explain", classes="explain")
        yield Static("", id="board-status", classes="score-status")

    def on_mount(self) -> None:
        table = self.query_one("#board", DataTable)
        for header in BOARD_HEADERS:
            table.add_column(Text(header), key=header)

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
        self.rows = board_rows(self.people, show)
        table = self.query_one("#board", DataTable)
        table.clear()
        for person in self.rows:
            table.add_row(*board_cells(person), key=person.name)
        self.query_one("#board-explain", Static).update(Text(EXPLAIN, style="dim"))
        ranked = sum(1 for p in self.rows if p.record is not None and p.record.rank)
        self.query_one("#board-status", Static).update(
            Text(f"{len(self.rows)} people · {ranked} ranked", style="dim"))

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.app.notify(describe_error(message.error), title="Could not rank", severity="error", markup=False)

    @on(Select.Changed)
    def _changed(self, event: Select.Changed) -> None:
        event.stop()
        if self._loaded_once:
            self._show()
