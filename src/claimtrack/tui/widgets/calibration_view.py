"""The calibration view: chart, Brier, log score and Murphy terms, by breakdown and period."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Label, Select, Static
from textual_plotext import PlotextPlot

from claimtrack.tui.backend import PERIODS, describe_error
from claimtrack.tui.chart import LEGEND, draw_calibration
from claimtrack.tui.score_format import scores_renderable, trend_renderable

BREAKDOWNS = (("Everyone", "all"), ("By forecaster", "forecaster"), ("By source", "source"), ("By tag", "tag"))
# below this the chart cannot show its bins: the text reliability table (in the side panel) stands alone
MIN_CHART = (50, 16)


class CalibrationView(Vertical):
    """Loads a report when first shown (and on refresh); the group picker needs no reload."""

    class Loaded(Message):
        def __init__(self, generation: int, report) -> None:
            self.generation, self.report = generation, report
            super().__init__()

    class Failed(Message):
        def __init__(self, error: BaseException) -> None:
            self.error = error
            super().__init__()

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.report = None
        self._generation = 0
        self._loaded_once = False

    def compose(self):
        with Horizontal(classes="controls"):
            yield Label("Breakdown")
            yield Select(BREAKDOWNS, value="all", allow_blank=False, id="cal-breakdown")
            yield Select([], prompt="(everyone)", id="cal-group", disabled=True)
            yield Label("Resolved")
            yield Select(PERIODS, value="all", allow_blank=False, id="cal-period")
        with Horizontal(id="cal-body"):
            yield PlotextPlot(id="cal-chart")
            with VerticalScroll(id="cal-side"):
                yield Static(Text("Loading scores…", style="dim"), id="cal-stats")
        yield Static("", id="cal-status", classes="score-status")

    # ------------------------------------------------------------ loading

    def shown(self) -> None:
        if not self._loaded_once:
            self.refresh_data()

    def refresh_data(self) -> None:
        self._loaded_once = True
        self._generation += 1
        breakdown = self.query_one("#cal-breakdown", Select).value
        period = self.query_one("#cal-period", Select).value
        self.query_one("#cal-status", Static).update(Text("Scoring…", style="dim"))
        self._load(self._generation, None if breakdown == "all" else str(breakdown), str(period))

    @work(thread=True, exclusive=True, group="calibration", exit_on_error=False, description="Scoring")
    def _load(self, generation: int, group: str | None, period: str) -> None:
        try:
            report = self.app.backend.report(group, period)  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001
            self.post_message(self.Failed(exc))
            return
        self.post_message(self.Loaded(generation, report))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.generation != self._generation:
            return
        self.report = message.report
        picker = self.query_one("#cal-group", Select)
        groups = self.report.groups if self.report.options.group else ()
        previous = picker.value
        options = [(Text(f"{g.key} ({g.scores.summary.n:,})"), g.key) for g in groups]
        picker.set_options(options)
        picker.disabled = not options
        keys = [g.key for g in groups]
        if options:
            picker.value = previous if previous in keys else keys[0]
        self._draw()

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.app.notify(describe_error(message.error), title="Could not compute scores", severity="error",
                        markup=False)
        self.query_one("#cal-status", Static).update(Text("Scores unavailable: " + describe_error(message.error)))

    # ----------------------------------------------------------- controls

    @on(Select.Changed, "#cal-breakdown")
    @on(Select.Changed, "#cal-period")
    def _reload(self, event: Select.Changed) -> None:
        event.stop()
        if self._loaded_once:
            self.refresh_data()

    @on(Select.Changed, "#cal-group")
    def _group_picked(self, event: Select.Changed) -> None:
        event.stop()
        self._draw()

    def _selection(self):
        """(title, Scores) of what the controls select."""
        report = self.report
        if report.options.group is None:
            return "Everyone", report.overall
        key = self.query_one("#cal-group", Select).value
        for g in report.groups:
            if g.key == key:
                return f"{report.options.group}: {g.key}", g.scores
        return "Everyone", report.overall

    def chart_fits(self) -> bool:
        """Whether the chart gets enough room to read its bins (the view's size, less the controls)."""
        width, height = self.size
        side = 0 if width < 120 else 74  # small terminals stack the panel under the chart
        return width - side >= MIN_CHART[0] and (height - 5) * (3 / 5 if width < 120 else 1) >= MIN_CHART[1]

    def on_resize(self) -> None:
        if self.report is not None and self.chart_fits() == self.has_class("-text-only"):
            self._draw()

    def _draw(self) -> None:
        if self.report is None:
            return
        title, scores = self._selection()
        period = dict((v, k) for k, v in PERIODS)[str(self.query_one("#cal-period", Select).value)]
        plot = self.query_one(PlotextPlot)
        chart = self.chart_fits()
        self.set_class(not chart, "-text-only")
        if chart:
            draw_calibration(plot.plt, scores.summary.calibration, f"{title} · {period.lower()}")
            plot.refresh()
        body = Group(scores_renderable(scores, f"{title} · {period}"), trend_renderable(self.report))
        self.query_one("#cal-stats", Static).update(body)
        legend = LEGEND if chart else "too small for the chart: the bins are in the table"
        status = Text(f"{legend} · scored: last forecast per forecaster before resolution", style="dim")
        self.query_one("#cal-status", Static).update(status)
