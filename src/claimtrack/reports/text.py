"""The report in the terminal, with rich.

User text (statements, sources, names, tags) always goes in as ``Text``
objects, so "[bold]" in a statement is shown as typed, never as markup.
"""

from __future__ import annotations

import io

from claimtrack.domain.scoring import ScoreSummary
from claimtrack.reports import explain as ex
from claimtrack.services.report.model import ClaimLine, Report


def _t(value, style: str | None = None):
    from rich.text import Text

    return Text("" if value is None else str(value), style=style or "")


def _table(title: str | None = None, show_header: bool = True):
    from rich import box
    from rich.table import Table

    return Table(title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD,
                 pad_edge=False, show_header=show_header)


def _with_note(table, note: str | None):
    """A table followed by a note that wraps to the console, not to the table."""
    from rich.console import Group

    return table if not note else Group(table, _t(note, "dim"))


def _n(s: ScoreSummary, weighted: bool) -> str:
    if weighted and s.n:
        return f"{s.n} ({s.sum_weights:.1f})"
    return str(s.n)


def header(report: Report):
    from rich.console import Group

    o = report.options
    lines = [
        _t(ex.title(report), "bold"),
        _t(ex.period_text(report)),
        _t(f"scoring: {'final forecasts' if o.scoring == 'final' else 'time-weighted'}; "
           f"filters: {ex.filters_text(report)}; generated {ex.moment(report.generated_at)}", "dim"),
    ]
    return Group(*lines)


def summary_table(report: Report):
    s, weighted = report.overall.summary, report.options.scoring == "time-weighted"
    table = _table("Summary", show_header=False)
    table.add_column("")
    table.add_column("value", justify="right")
    table.add_row("forecasts scored" + (" (claim-forecaster pairs)" if weighted else ""), _n(s, weighted))
    table.add_row("excluded (ambiguous or void)", str(report.overall.n_excluded))
    table.add_row("made after the resolution (never scored)", str(report.n_after_resolution))
    table.add_row("Brier score, 0-1 scale (lower is better)", ex.num(s.brier))
    table.add_row("Brier score, 0-2 scale (GJP, Fatebook)", ex.num(s.brier_0_2))
    table.add_row("log score, bits (higher is better)", ex.bits(s.log_score_bits))
    table.add_row("happened (base rate)", ex.pct(s.base_rate))
    table.add_row("mean forecast", ex.pct(s.mean_forecast))
    return table


def you_table(report: Report):
    """You first: your own final forecasts, then everyone else's, side by side."""
    table = _table("You and everyone else")
    for col in ("", "n", "Brier (0-1)", "Brier (0-2)", "log score (bits)", "happened"):
        table.add_column(col, justify="left" if not col else "right")
    for label, x in ex.you_rows(report):
        table.add_row(_t(label), str(x.n), ex.num(x.brier), ex.num(x.brier_0_2), ex.bits(x.log_score_bits),
                      ex.pct(x.base_rate))
    return table


def backfill_table(report: Report):
    note = "Backfilled forecasts are excluded from this report." if report.options.exclude_backfilled else None
    table = _table("Contemporaneous vs backfilled forecasts")
    for col in ("", "n", "Brier (0-1)", "Brier (0-2)", "log score (bits)"):
        table.add_column(col, justify="left" if not col else "right")
    for label, s in (("contemporaneous", report.contemporaneous), ("backfilled", report.backfilled),
                     ("all", report.overall.summary)):
        table.add_row(label, str(s.n), ex.num(s.brier), ex.num(s.brier_0_2), ex.bits(s.log_score_bits))
    return _with_note(table, note)


def calibration_table(s: ScoreSummary, folded: bool = False):
    bins = s.folded if folded else s.calibration
    title = "Folded calibration (confidence in the side predicted)" if folded else "Calibration"
    table = _table(title)
    heads = (("confidence", "n", "mean confidence", "side happened", "95% interval") if folded
             else ("forecast bin", "n", "mean forecast", "happened", "95% interval"))
    for i, col in enumerate(heads):
        table.add_column(col, justify="left" if i == 0 else "right")
    for i, b in enumerate(bins):
        table.add_row(ex.bin_label(b.lo, b.hi, i == 0, folded), str(b.n), ex.pct(b.mean_forecast),
                      ex.pct(b.observed), ex.interval(b.ci_low, b.ci_high, b.is_empty),
                      style=None if b.n else "dim")
    return table


def murphy_table(s: ScoreSummary):
    table = _table("Murphy decomposition (0-1 scale)")
    table.add_column("term")
    table.add_column("value", justify="right")
    m = s.murphy
    rows = ([] if m is None else [
        ("reliability (lower is better)", m.reliability), ("resolution (higher is better)", m.resolution),
        ("uncertainty (base rate)", m.uncertainty), ("within-bin variance", m.within_bin_variance),
        ("within-bin covariance", m.within_bin_covariance), ("= Brier", m.brier),
    ])
    for name, value in rows:
        table.add_row(name, f"{value:.4f}")
    return _with_note(table, "Brier = reliability - resolution + uncertainty + within-bin variance "
                             "- within-bin covariance (Stephenson, Coelho and Jolliffe 2008)")


def groups_table(report: Report):
    o = report.options
    table = _table(f"By {o.group}")
    heads = [o.group, "n", "excluded", "backfilled", "Brier (0-1)", "Brier (0-2)", "log (bits)"]
    for i, col in enumerate(heads):
        table.add_column(col, justify="left" if i == 0 else "right", overflow="fold")
    rows, hidden = ex.shown_groups(report)
    for g in rows:
        s = g.scores.summary
        row = [_t(ex.group_label(report, g.key)), str(s.n), str(g.scores.n_excluded), str(g.scores.n_backfilled),
               ex.num(s.brier), ex.num(s.brier_0_2), ex.bits(s.log_score_bits)]
        table.add_row(*row)
    notes = [n for n in (ex.group_note(report), ex.more_text(hidden, f"{o.group} groups")) if n]
    return _with_note(table, " ".join(notes))


def relative_table(report: Report):
    table = _table("Forecasters compared on shared claims")
    for i, col in enumerate(("forecaster", "shared claims", "Brier - median", "peer score")):
        table.add_column(col, justify="left" if i == 0 else "right")
    rows, hidden = ex.shown_relative(report)
    for r in rows:
        table.add_row(_t(r.forecaster), str(r.n_claims), ex.signed(r.brier_vs_median), f"{r.peer_score:+.1f}")
    return _with_note(table, " ".join(filter(None, (
        ex.more_text(hidden, "forecasters"),
        "Brier - median: own Brier minus the median Brier on the same claims (negative is better); "
        "peer score: Metaculus' (positive is better).",
    ))))


def trend_table(report: Report):
    table = _table(f"Trend by {report.options.period} of resolution")
    for i, col in enumerate(("period", "n", "excluded", "Brier (0-1)", "log (bits)", "happened")):
        table.add_column(col, justify="left" if i == 0 else "right")
    for p in report.periods:
        s = p.scores.summary
        table.add_row(p.key, str(s.n), str(p.scores.n_excluded), ex.num(s.brier), ex.bits(s.log_score_bits),
                      ex.pct(s.base_rate), style=None if s.n or p.scores.n_excluded else "dim")
    return table


def forecasts_text(line: ClaimLine) -> str:
    return ", ".join(f"{f.forecaster} {ex.pct(f.probability)}{' (backfilled)' if f.backfilled else ''}"
                     for f in line.forecasts) or ex.DASH


def _shown(n_shown: int, total: int) -> str | None:
    return None if n_shown >= total else f"showing {n_shown} of {total} (--max-claims)"


def resolved_table(report: Report):
    table = _table(f"Claims resolved in this period ({report.n_resolved_claims})")
    for col in ("id", "resolved", "outcome", "statement", "source", "scored forecasts"):
        table.add_column(col, overflow="fold", justify="right" if col == "id" else "left",
                         min_width=30 if col == "statement" else None, max_width=24 if col == "source" else None)
    for c in report.resolved_claims:
        outcome = _t(c.outcome, {"yes": "green", "no": "red"}.get(c.outcome or "", "yellow"))
        table.add_row(str(c.id), ex.day(c.resolved_at), outcome, _t(c.statement), _t(c.source or ex.DASH),
                      _t(forecasts_text(c) if c.scored else "excluded"))
    return _with_note(table, _shown(len(report.resolved_claims), report.n_resolved_claims))


def overdue_table(report: Report):
    table = _table(f"Overdue for resolution ({report.n_overdue_claims})")
    for col in ("id", "due", "statement", "source", "latest forecast"):
        table.add_column(col, overflow="fold", justify="right" if col == "id" else "left",
                         min_width=30 if col == "statement" else None, max_width=24 if col == "source" else None)
    for c in report.overdue_claims:
        table.add_row(str(c.id), _t(ex.day(c.resolve_by), "red"), _t(c.statement), _t(c.source or ex.DASH),
                      _t(forecasts_text(c)))
    return _with_note(table, _shown(len(report.overdue_claims), report.n_overdue_claims))


def kind_parts(report: Report) -> list:
    """The choice and quantity sections (issue 12); none when the report has no such claims."""
    from rich.console import Group

    from claimtrack.reports.kinds import sections

    out = []
    for section in sections(report.by_kind, report.options.max_claims):
        out.append(_t(section.title, "bold"))
        for kt in section.tables:
            table = _table(kt.title)
            for i, col in enumerate(kt.heads):
                table.add_column(col, justify="left" if i < kt.text_cols else "right", overflow="fold",
                                 min_width=24 if i == 1 and kt.text_cols > 2 else None)
            for row in kt.rows:
                table.add_row(*(_t(cell) for cell in row))
            out.append(_with_note(table, " ".join(kt.notes) or None))
        if section.words or section.notes:
            out.append(Group(*(_t(line) for line in section.words), *(_t(n, "dim") for n in section.notes)))
    return out


def explanation_block(report: Report):
    from rich.table import Table

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for line in ex.explanations(report):
        grid.add_row("-", _t(line))
    from rich.console import Group

    return Group(_t("How to read this report", "bold"), grid)


def renderables(report: Report) -> list:
    from rich.text import Text

    from claimtrack.domain.text import clean_strings

    report = clean_strings(report)  # no user text drives the terminal

    s = report.overall.summary
    parts = [header(report)] + ([you_table(report)] if ex.you_rows(report) else []) + [
        summary_table(report), backfill_table(report), calibration_table(s),
             calibration_table(s, folded=True), murphy_table(s)]
    if report.options.group:
        parts.append(groups_table(report))
    if report.relative:
        parts.append(relative_table(report))
    parts += kind_parts(report)
    parts += [trend_table(report), resolved_table(report), overdue_table(report), explanation_block(report)]
    if report.chain_heads:
        parts.append(_t(ex.heads_text(report), "dim"))
    out = []
    for part in parts:
        out += [part, Text("")]
    return out


def print_report(report: Report, console) -> None:
    for part in renderables(report):
        console.print(part)


def render_text(report: Report, width: int = 100) -> str:
    """Plain text (no colour codes) for --out and --save."""
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, markup=False, emoji=False, highlight=False,
                      color_system=None, force_terminal=False, soft_wrap=False)
    print_report(report, console)
    return buffer.getvalue()


