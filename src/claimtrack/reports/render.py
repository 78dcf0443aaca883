"""One entry point for every format: the report as files (name -> bytes).

``render(report, fmt, target)`` returns the main file's content and, for
Markdown with a target path, the two PNG charts to write beside it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from claimtrack.domain.errors import InvalidInput
from claimtrack.services.report.model import FORMATS, Report

EXTENSIONS = {"text": "txt", "md": "md", "html": "html", "json": "json"}
_BY_SUFFIX = {".txt": "text", ".text": "text", ".md": "md", ".markdown": "md", ".html": "html",
              ".htm": "html", ".json": "json"}


@dataclass
class Rendered:
    main: str
    extra: dict[str, bytes] = field(default_factory=dict)  # file name (beside main) -> content


def check_format(fmt: str | None) -> str | None:
    if fmt is None:
        return None
    cleaned = fmt.strip().lower()
    cleaned = {"markdown": "md", "txt": "text"}.get(cleaned, cleaned)
    if cleaned not in FORMATS:
        raise InvalidInput(f"invalid --format '{fmt}': use one of {', '.join(FORMATS)}")
    return cleaned


def format_for(path: Path | None) -> str | None:
    """The format a file name implies (report.html -> html), if any."""
    return None if path is None else _BY_SUFFIX.get(path.suffix.lower())


def chart_names(target: Path) -> dict[str, str]:
    return {"calibration": f"{target.stem}-calibration.png", "trend": f"{target.stem}-trend.png"}


def render(report: Report, fmt: str, target: Path | None = None, width: int = 100) -> Rendered:
    if fmt == "json":
        from claimtrack.reports.json_report import render_json

        return Rendered(render_json(report))
    if fmt == "html":
        from claimtrack.reports.html import render_html

        return Rendered(render_html(report))
    if fmt == "md":
        from claimtrack.reports.markdown import render_markdown

        if target is None:
            return Rendered(render_markdown(report, None))
        names = chart_names(target)
        from claimtrack.reports.kinds import has_coverage_chart

        if has_coverage_chart(report.by_kind):
            names["coverage"] = f"{target.stem}-coverage.png"
        return Rendered(render_markdown(report, names), _png_charts(report, names))
    if fmt == "text":
        from claimtrack.reports.text import render_text

        return Rendered(render_text(report, width))
    raise InvalidInput(f"invalid --format '{fmt}': use one of {', '.join(FORMATS)}")


def _png_charts(report: Report, names: dict[str, str]) -> dict[str, bytes]:
    from claimtrack.reports import charts

    figures = {
        "calibration": charts.calibration_figure(report.overall.summary, "Calibration"),
        "trend": charts.trend_figure(report.periods, f"Brier score by {report.options.period}"),
    }
    if "coverage" in names:
        from claimtrack.reports.kind_charts import coverage_figure

        figures["coverage"] = coverage_figure(report.by_kind.quantity)
    out = {}
    for key, fig in figures.items():
        buffer = io.BytesIO()
        charts.png(fig, buffer)
        out[names[key]] = buffer.getvalue()
    return out
