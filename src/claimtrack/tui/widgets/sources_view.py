"""Who turned out right: a leaderboard of forecasters or sources, ranked with a sample-size penalty."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Label, Select, Static

from claimtrack.tui.backend import PERIODS, describe_error
from claimtrack.tui.score_format import board_cells, leaderboard

KINDS = (("Forecasters", "forecaster"), ("Sources", "source"))
HEADERS = ("#", "name", "n", "Brier", "log (bits)", "relative", "peer", "came true (95%)", "Brier+1/√n")
EXPLAIN = {
    "forecaster": "Forecasters' final forecasts before each resolution. relative: Brier minus the median Brier "
                  "of everyone on the same claims (negative is better); peer: Metaculus-style peer log score "
                  "(higher is better). Ranked by Brier + 1/√n so a few lucky calls never top the table.",
    "source": "Every forecast on the claims each source made: how predictable their claims were and how often "
              "they came true. relative: Brier minus everyone's Brier (negative is better). Ranked by "
              "Brier + 1/√n so a few lucky calls never top the table.",
}


class SourcesView(Vertical):
    class Loaded(Message):
        def __init__(self, generation: int, kind: str, report) -> None:
            self.generation, self.kind, self.report = generation, kind, report
            super().__init__()

    class Failed(Message):
        def __init__(self, error: BaseException) -> None:
            self.error = error
            super().__init__()

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._generation = 0
        self._loaded_once = False
        self.rows = []

    def compose(self):
        with Horizontal(classes="controls"):
            yield Label("Leaderboard of")
            yield Select(KINDS, value="forecaster", allow_blank=False, id="board-kind")
            yield Label("Resolved")
            yield Select(PERIODS, value="all", allow_blank=False, id="board-period")
        yield DataTable(id="board", cursor_type="row", zebra_stripes=True)
        yield Static("", id="board-explain", classes="explain")
        yield Static("", id="board-status", classes="score-status")

    def on_mount(self) -> None:
        table = self.query_one("#board", DataTable)
        for header in HEADERS:
            table.add_column(Text(header), key=header)

    def shown(self) -> None:
        if not self._loaded_once:
            self.refresh_data()

    def refresh_data(self) -> None:
        self._loaded_once = True
        self._generation += 1
        kind = str(self.query_one("#board-kind", Select).value)
        period = str(self.query_one("#board-period", Select).value)
        self.query_one("#board-status", Static).update(Text("Scoring…", style="dim"))
        self._load(self._generation, kind, period)

    @work(thread=True, exclusive=True, group="leaderboard", exit_on_error=False, description="Ranking")
    def _load(self, generation: int, kind: str, period: str) -> None:
        try:
            report = self.app.backend.report(kind, period)  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001
            self.post_message(self.Failed(exc))
            return
        self.post_message(self.Loaded(generation, kind, report))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.generation != self._generation:
            return
        self.rows = leaderboard(message.report, message.kind)
        table = self.query_one("#board", DataTable)
        table.clear()
        for rank, row in enumerate(self.rows, 1):
            table.add_row(*board_cells(rank, row), key=row.name)
        self.query_one("#board-explain", Static).update(Text(EXPLAIN[message.kind], style="dim"))
        overall = message.report.overall.summary
        status = f"{len(self.rows)} {message.kind}s · {overall.n:,} scored forecasts"
        if overall.brier is not None:
            status += f" · everyone: Brier {overall.brier:.3f}"
        self.query_one("#board-status", Static).update(Text(status, style="dim"))

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.app.notify(describe_error(message.error), title="Could not rank", severity="error", markup=False)

    @on(Select.Changed)
    def _changed(self, event: Select.Changed) -> None:
        event.stop()
        if self._loaded_once:
            self.refresh_data()
