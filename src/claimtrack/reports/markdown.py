"""The report as Markdown, with PNG charts written beside the file.

User text is escaped so that it shows as typed: Markdown punctuation gets a
backslash, and ``<``/``>``/``&`` become entities (no raw HTML gets through).
"""

from __future__ import annotations

import re

from claimtrack.domain.scoring import ScoreSummary
from claimtrack.reports import explain as ex
from claimtrack.reports.text import forecasts_text
from claimtrack.services.report.model import Report

_SPECIAL = re.compile(r"([\\`*_{}\[\]|~])")  # enough mid-line; user text never starts a line


def esc(text) -> str:
    """Markdown-safe, one-line form of user text."""
    value = " ".join(str("" if text is None else text).split())
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", value)


def _table(heads: list[str], rows: list[list[str]], right_from: int = 1) -> list[str]:
    align = ["---" if i < right_from else "---:" for i in range(len(heads))]
    lines = ["| " + " | ".join(heads) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines + [""]


def _calibration(s: ScoreSummary, folded: bool) -> list[str]:
    bins = s.folded if folded else s.calibration
    heads = (["confidence", "n", "mean confidence", "side happened", "95% interval"] if folded
             else ["forecast bin", "n", "mean forecast", "happened", "95% interval"])
    rows = [[ex.bin_label(b.lo, b.hi, i == 0, folded), str(b.n), ex.pct(b.mean_forecast), ex.pct(b.observed),
             ex.interval(b.ci_low, b.ci_high, b.is_empty)] for i, b in enumerate(bins)]
    return _table(heads, rows)


def render_markdown(report: Report, charts: dict[str, str] | None) -> str:
    """Markdown text; ``charts`` maps "calibration"/"trend" to the PNG file names (None: no charts).

    User text is made terminal-safe first (escape sequences removed): Markdown
    is read in terminals as often as rendered."""
    from claimtrack.domain.text import clean_strings

    report = clean_strings(report)
    o = report.options
    s = report.overall.summary
    weighted = o.scoring == "time-weighted"
    out = [f"# {ex.title(report)}", "",
           f"{esc(ex.period_text(report))}. Scoring: {'final forecasts' if o.scoring == 'final' else 'time-weighted'}. "
           f"Filters: {esc(ex.filters_text(report))}. Generated {ex.moment(report.generated_at)}.", ""]
    if charts is None:
        out += ["_Charts are written only with --out FILE (PNG files beside the Markdown file)._", ""]
    if ex.you_rows(report):
        out += ["## You and everyone else", ""]
        out += _table(["", "n", "Brier (0-1)", "Brier (0-2)", "log score (bits)", "happened"], [
            [esc(label), str(x.n), ex.num(x.brier), ex.num(x.brier_0_2), ex.bits(x.log_score_bits), ex.pct(x.base_rate)]
            for label, x in ex.you_rows(report)])
    out += ["## Summary", ""]
    out += _table(["", "value"], [
        ["forecasts scored" + (" (claim-forecaster pairs)" if weighted else ""),
         f"{s.n} ({s.sum_weights:.1f})" if weighted and s.n else str(s.n)],
        ["excluded (ambiguous or void)", str(report.overall.n_excluded)],
        ["made after the resolution (never scored)", str(report.n_after_resolution)],
        ["Brier score, 0-1 scale (lower is better)", ex.num(s.brier)],
        ["Brier score, 0-2 scale (GJP, Fatebook)", ex.num(s.brier_0_2)],
        ["log score, bits (higher is better)", ex.bits(s.log_score_bits)],
        ["happened (base rate)", ex.pct(s.base_rate)],
        ["mean forecast", ex.pct(s.mean_forecast)],
    ])
    out += ["## Contemporaneous vs backfilled forecasts", ""]
    if o.exclude_backfilled:
        out += ["Backfilled forecasts are excluded from this report.", ""]
    out += _table(["", "n", "Brier (0-1)", "Brier (0-2)", "log score (bits)"], [
        [label, str(x.n), ex.num(x.brier), ex.num(x.brier_0_2), ex.bits(x.log_score_bits)]
        for label, x in (("contemporaneous", report.contemporaneous), ("backfilled", report.backfilled),
                         ("all", s))])
    out += ["## Calibration", ""]
    if charts:
        out += [f"![Calibration chart: observed frequency against mean forecast per bin]({charts['calibration']})", ""]
    out += _calibration(s, folded=False)
    out += ["### Folded view (confidence in the side predicted)", ""] + _calibration(s, folded=True)
    if s.murphy is not None:
        mu = s.murphy
        out += ["### Murphy decomposition (0-1 scale)", ""]
        out += _table(["term", "value"], [[k, f"{v:.4f}"] for k, v in (
            ("reliability (lower is better)", mu.reliability), ("resolution (higher is better)", mu.resolution),
            ("uncertainty", mu.uncertainty), ("within-bin variance", mu.within_bin_variance),
            ("within-bin covariance", mu.within_bin_covariance), ("= Brier", mu.brier))])
    if o.group:
        heads = [o.group, "n", "excluded", "backfilled", "Brier (0-1)", "Brier (0-2)", "log (bits)"]
        rows = []
        shown, hidden = ex.shown_groups(report)
        for g in shown:
            x = g.scores.summary
            row = [esc(ex.group_label(report, g.key)), str(x.n), str(g.scores.n_excluded), str(g.scores.n_backfilled),
                   ex.num(x.brier), ex.num(x.brier_0_2), ex.bits(x.log_score_bits)]
            rows.append(row)
        out += [f"## By {o.group}", ""] + ([esc(ex.group_note(report)), ""] if ex.group_note(report) else []) + _table(heads, rows)
        if hidden:
            out += [ex.more_text(hidden, f"{o.group} groups"), ""]
    if report.relative:
        shown, hidden = ex.shown_relative(report)
        out += ["## Forecasters compared on shared claims", ""]
        out += _table(["forecaster", "shared claims", "Brier - median", "peer score"],
                      [[esc(r.forecaster), str(r.n_claims), ex.signed(r.brier_vs_median), f"{r.peer_score:+.1f}"]
                       for r in shown])
        if hidden:
            out += [ex.more_text(hidden, "forecasters"), ""]
    out += _kinds(report, charts)
    out += [f"## Trend by {o.period} of resolution", ""]
    if charts:
        out += [f"![Brier score by period of resolution]({charts['trend']})", ""]
    out += _table(["period", "n", "excluded", "Brier (0-1)", "log (bits)", "happened"],
                  [[p.key, str(p.scores.summary.n), str(p.scores.n_excluded), ex.num(p.scores.summary.brier),
                    ex.bits(p.scores.summary.log_score_bits), ex.pct(p.scores.summary.base_rate)]
                   for p in report.periods])
    out += _claims(report)
    out += ["## How to read this report", ""] + [f"- {esc(line)}" for line in ex.explanations(report)] + [""]
    if report.chain_heads:
        heads = " ".join(f"`{label}`" for label in ex.heads_line(report).split())  # hex and names: code spans
        out += [f"Ledger heads when this report was made: {heads}. `claimtrack verify --expect CHAIN:HEAD` "
                "fails if rows were later cut from the end of a chain.", ""]
    return "\n".join(out)


def _kinds(report: Report, charts: dict[str, str] | None) -> list[str]:
    """The choice and quantity sections (issue 12); none when the report has no such claims."""
    from claimtrack.reports.kinds import sections

    out: list[str] = []
    for section in sections(report.by_kind, report.options.max_claims):
        out += [f"## {section.title}", ""]
        if section.chart and charts and section.chart in charts:
            out += [f"![Coverage chart: how often the truth fell inside the stated intervals]({charts[section.chart]})", ""]
        for kt in section.tables:
            if kt.title:
                out += [f"### {esc(kt.title)}", ""]
            out += _table([esc(h) for h in kt.heads], [[esc(c) for c in row] for row in kt.rows], right_from=kt.text_cols)
            out += [line for n in kt.notes for line in (f"_{esc(n)}_", "")]
        out += [f"- {esc(w)}" for w in section.words] + ([""] if section.words else [])
        out += [line for n in section.notes for line in (f"_{esc(n)}_", "")]
    return out


def _claims(report: Report) -> list[str]:
    out = [f"## Claims resolved in this period ({report.n_resolved_claims})", ""]
    if len(report.resolved_claims) < report.n_resolved_claims:
        out += [f"Showing {len(report.resolved_claims)} of {report.n_resolved_claims} (--max-claims).", ""]
    if report.resolved_claims:
        out += _table(["id", "resolved", "outcome", "statement", "source", "scored forecasts"], [
            [str(c.id), ex.day(c.resolved_at), c.outcome or "", esc(c.statement), esc(c.source or ex.DASH),
             esc(forecasts_text(c)) if c.scored else "excluded"] for c in report.resolved_claims], right_from=6)
    out += [f"## Overdue for resolution ({report.n_overdue_claims})", ""]
    if len(report.overdue_claims) < report.n_overdue_claims:
        out += [f"Showing {len(report.overdue_claims)} of {report.n_overdue_claims} (--max-claims).", ""]
    if report.overdue_claims:
        out += _table(["id", "due", "statement", "source", "latest forecast"], [
            [str(c.id), ex.day(c.resolve_by), esc(c.statement), esc(c.source or ex.DASH), esc(forecasts_text(c))]
            for c in report.overdue_claims], right_from=5)
    return out
