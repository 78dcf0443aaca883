"""The report as one self-contained HTML page (inline CSS and SVG, no URLs).

Rendered by jinja2 with autoescaping on: every statement, name and tag is
escaped.  The only links are the claims' own source links, and only when
they are http(s) URLs.
"""

from __future__ import annotations

from claimtrack import __version__
from claimtrack.reports import explain as ex
from claimtrack.reports.text import forecasts_text
from claimtrack.services.report.model import Report


def safe_url(url: str | None) -> str | None:
    """The URL if it is a plain http(s) link, else None (no javascript: links)."""
    if not url:
        return None
    cleaned = url.strip()
    return cleaned if cleaned.lower().startswith(("http://", "https://")) else None


def _environment():
    from jinja2 import Environment, PackageLoader

    env = Environment(loader=PackageLoader("claimtrack.reports", "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(num=ex.num, pct=ex.pct, bits=ex.bits, day=ex.day, moment=ex.moment, signed=ex.signed,
                       safe_url=safe_url, forecasts=forecasts_text)
    env.globals.update(bin_label=ex.bin_label, interval=ex.interval)
    return env


def render_html(report: Report) -> str:
    from markupsafe import Markup

    from claimtrack.reports import charts

    s = report.overall.summary
    calibration = charts.svg(charts.calibration_figure(s, "Calibration"), "calibration")
    trend = charts.svg(charts.trend_figure(report.periods, f"Brier score by {report.options.period}"), "trend")
    from claimtrack.reports.kinds import has_coverage_chart, sections

    coverage = None
    if has_coverage_chart(report.by_kind):
        from claimtrack.reports.kind_charts import coverage_figure

        coverage = Markup(charts.svg(coverage_figure(report.by_kind.quantity), "coverage"))
    groups, hidden_groups = ex.shown_groups(report)
    relative, hidden_relative = ex.shown_relative(report)
    template = _environment().get_template("report.html.j2")
    return template.render(
        groups=groups, groups_more=ex.more_text(hidden_groups, f"{report.options.group} groups"),
        group_note=ex.group_note(report), you_rows=ex.you_rows(report), group_label=lambda key: ex.group_label(report, key),
        relative=relative, relative_more=ex.more_text(hidden_relative, "forecasters"),
        report=report, s=s, o=report.options, title=ex.title(report), period=ex.period_text(report),
        filters=ex.filters_text(report), explanations=ex.explanations(report), version=__version__,
        calibration_svg=Markup(calibration), trend_svg=Markup(trend),
        weighted=report.options.scoring == "time-weighted",
        heads=ex.heads_text(report) if report.chain_heads else None,
        kind_sections=sections(report.by_kind, report.options.max_claims), coverage_svg=coverage,
    )
