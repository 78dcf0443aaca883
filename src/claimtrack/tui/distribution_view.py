"""The detail pane's picture of a choice, numeric or date forecast (issue 12).

A choice question gets a bar per option (the realised one marked); a
quantity or date a strip from its lowest to its highest quantile, the
central interval drawn, the median marked and, once resolved, where the
truth fell, with the quantiles listed under it.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from claimtrack.domain.probability import format_probability
from claimtrack.domain.records import ClaimSummary

WIDTH = 36


def distribution_view(c: ClaimSummary) -> RenderableType | None:
    if c.question_type == "binary" or c.distribution is None:
        return None
    title = Text(f"Distribution ({c.distribution_by})" if c.distribution_by else "Distribution",
                 style="bold underline")
    if c.question_type == "choice":
        return Group(title, *_bars(c))
    return Group(title, *_strip(c))


def _bars(c: ClaimSummary) -> list[Text]:
    width = max((len(o) for o in c.options), default=0)
    width = min(width, 28)
    lines = []
    for option, p in zip(c.options, c.distribution):
        line = Text(f"{option[:width]:<{width}} ")
        line.append("█" * round(p * WIDTH), style="cyan")
        line.append(" " * (WIDTH - round(p * WIDTH)) + f" {format_probability(p):>5}")
        if c.value == option:
            line.append("  ✓ happened", style="green")
        lines.append(line)
    return lines


def _strip(c: ClaimSummary) -> list[Text]:
    from claimtrack.domain.distribution import value_summary
    from claimtrack.domain.quantity import format_value, quantile_at

    is_date = c.question_type == "date"
    qs = list(c.distribution)
    truth = None
    if c.value is not None:
        try:
            truth = float(c.value)
        except ValueError:
            truth = None
    values = [v for _, v in qs] + ([truth] if truth is not None else [])
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0

    def at(v: float) -> int:
        return min(WIDTH - 1, max(0, round((v - lo) / span * (WIDTH - 1))))

    cells = [" "] * WIDTH
    first, last = at(qs[0][1]), at(qs[-1][1])
    for i in range(first, last + 1):
        cells[i] = "─"
    for _, v in qs:
        cells[at(v)] = "│"
    median = quantile_at(qs, 0.5)
    if median is not None:
        cells[at(median)] = "┃"
    strip = Text("".join(cells), style="cyan")
    lines = [strip]
    if truth is not None:
        mark = Text(" " * at(truth) + "▲ " + value_summary(c.question_type, c.value, c.unit), style="green")
        lines.append(mark)
    listing = " · ".join(f"{format_probability(lv)} {format_value(v, c.unit, is_date=is_date)}" for lv, v in qs)
    lines.append(Text(listing + (f" {c.unit}" if c.unit and len(c.unit) > 1 else ""), style="dim"))
    return lines
