"""Scores as rich renderables and leaderboard rows (no textual here).

Group names (forecasters, sources, tags) are user text: always ``Text(...)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from claimtrack.domain.scoring import LOG_CLIP
from claimtrack.domain.scoring.basic import wilson_interval


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def num(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _line(label: str, value: str, note: str = "") -> Text:
    text = Text(f"{label:<22}", style="bold")
    text.append(value)
    if note:
        text.append(f"  {note}", style="dim")
    return text


def scores_renderable(scores, title: str) -> RenderableType:
    """Headline numbers, Murphy terms and the bins of a report.model.Scores."""
    s = scores.summary
    parts: list[RenderableType] = [Text(title, style="bold underline")]
    parts.append(_line("scored forecasts", f"{s.n:,}",
                       f"+{scores.n_excluded:,} on void/ambiguous, excluded"))
    parts.append(_line("of which backfilled", f"{scores.n_backfilled:,}", "logged > 1 day after made"))
    if s.n == 0:
        parts.append(Text("Nothing resolved yes or no in this selection yet.", style="dim"))
        return Group(*parts)
    parts.append(_line("Brier (0-1)", num(s.brier), "lower is better"))
    parts.append(_line("Brier (0-2)", num(s.brier_0_2), "GJP / Fatebook scale"))
    lo, hi = s.log_clip if hasattr(s, "log_clip") else LOG_CLIP
    parts.append(_line("log score (bits)", num(s.log_score_bits), f"higher is better; p clipped {lo}-{hi}"))
    parts.append(_line("came true / mean p", f"{pct(s.base_rate)} / {pct(s.mean_forecast)}"))
    if s.murphy is not None:
        m = s.murphy
        parts.append(Text(""))
        parts.append(Text("Murphy decomposition", style="bold underline"))
        parts.append(_line("reliability", num(m.reliability, 4), "calibration; lower is better"))
        parts.append(_line("resolution", num(m.resolution, 4), "discrimination; higher better"))
        parts.append(_line("uncertainty", num(m.uncertainty, 4), "of the outcomes"))
        parts.append(_line("within-bin variance", num(m.within_bin_variance, 4)))
        parts.append(_line("within-bin covariance", num(m.within_bin_covariance, 4)))
        parts.append(Text("Brier = REL − RES + UNC + WBV − WBC", style="dim"))
    parts.append(Text(""))
    table = Table(title=None, box=None, pad_edge=False, header_style="bold dim", expand=False)
    for header, justify in (("bin", "left"), ("n", "right"), ("mean p", "right"), ("came true", "right"),
                            ("95% interval", "right")):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    for b in s.calibration:
        if b.is_empty:
            continue
        table.add_row(Text(f"{b.lo * 100:.0f}–{b.hi * 100:.0f}%"), Text(f"{b.n:,}"), Text(pct(b.mean_forecast)),
                      Text(pct(b.observed)), Text(f"{pct(b.ci_low)}–{pct(b.ci_high)}"))
    parts.append(table)
    return Group(*parts)


def score_line(user: str, scores, counts: dict[str, int]) -> Text:
    """"you (me): Brier 0.18 over 12 this quarter, 0.03 better than last quarter (0.21) · 2 overdue · 4 stale"."""
    text = Text(f"{user}: ", style="bold")
    if scores.this_brier is not None:
        text.append(f"Brier {scores.this_brier:.2f}", style="bold")
        text.append(f" over {scores.this_n} this quarter")
        if scores.last_brier is not None:
            change = scores.this_brier - scores.last_brier
            word = "better" if change < 0 else "worse" if change > 0 else "the same as"
            style = "green" if change < 0 else "red" if change > 0 else ""
            amount = f"{abs(change):.2f} " if change else ""
            text.append(f", {amount}{word}", style=style)
            text.append(f" {'than ' if change else ''}last quarter ({scores.last_brier:.2f} over {scores.last_n})")
    elif scores.last_brier is not None:
        text.append(f"nothing scored this quarter yet; last quarter Brier {scores.last_brier:.2f} over {scores.last_n}")
    else:
        text.append("no score yet this or last quarter", style="dim")
    for reason, label, style in (("overdue", "overdue", "bold red"), ("due", "due this week", "yellow"),
                                 ("stale", "stale", "yellow"), ("draft", "drafts", "")):
        n = counts.get(reason, 0)
        if n:
            text.append(" · ")
            text.append(f"{n} {label}", style=style)
    if not any(counts.values()):
        text.append(" · nothing needs attention", style="dim")
    text.append("  (0: review)", style="dim")
    return text


def trend_renderable(report) -> RenderableType:
    """The trend by period (the report's periods): n and Brier per period, and the change."""
    rows = [p for p in report.periods if p.scores.summary.n]
    parts: list[RenderableType] = [Text(""), Text("Trend by period", style="bold underline")]
    if not rows:
        parts.append(Text("No period has a resolved, scored forecast yet.", style="dim"))
        return Group(*parts)
    table = Table(box=None, pad_edge=False, header_style="bold dim", expand=False)
    for header in ("period", "n", "Brier", "change"):
        table.add_column(header, justify="left" if header == "period" else "right")
    previous = None
    for p in rows[-12:]:
        brier = p.scores.summary.brier
        change = "" if previous is None or brier is None else f"{brier - previous:+.3f}"
        style = "" if not change else ("green" if brier < previous else "red" if brier > previous else "")
        table.add_row(Text(p.key), Text(f"{p.scores.summary.n:,}"), Text(num(brier)), Text(change, style=style))
        previous = brier
    parts.append(table)
    parts.append(Text("lower Brier is better; green: better than the period before", style="dim"))
    return Group(*parts)


# the people board: the same rows and numbers as `claimtrack people --json`
BOARD_HEADERS = ("#", "name", "Brier", "vs median", "vs you", "came true (95%)", "resolved/claims",
                 "log (bits)", "as")


def board_rows(people, show: str) -> list:
    """People to show: "everyone", "forecaster" or "source" (by role)."""
    return [p for p in people if show == "everyone" or show in p.roles]


def board_cells(person) -> tuple[Text, ...]:
    r = person.record
    came = "–"
    if r is not None and r.n_calls:
        came = f"{r.n_right}/{r.n_calls} ({pct(r.right_low)}–{pct(r.right_high)})"
    vs_median = "–" if r is None or r.vs_median is None else f"{r.vs_median.mean:+.3f}"
    if r is not None and r.vs_median is not None and r.vs_median.low is not None:
        vs_median += f" [{r.vs_median.low:+.2f}, {r.vs_median.high:+.2f}]"
    if person.is_you:
        vs_you = "(you)"
    elif r is None or r.vs_you is None:
        vs_you = "–"
    else:
        vs_you = f"{r.vs_you.difference.mean:+.3f} on {r.vs_you.n}"
    kinds = "/".join(k for k in person.kinds if k != "own")
    role = ", ".join(person.roles) + (f" ({kinds})" if kinds else "")
    style = "bold" if person.is_you else ""
    return (
        Text(str(r.rank) if r is not None and r.rank else "–", justify="right", end=""),
        Text(("you: " if person.is_you else "") + person.name, style=style, end=""),
        Text(num(r.brier) if r is not None else "–", justify="right", end=""),
        Text(vs_median, justify="right", style="bold", end=""),
        Text(vs_you, justify="right", end=""),
        Text(came, justify="right", end=""),
        Text(f"{person.n_resolved:,}/{person.n_claims:,}", justify="right", end=""),
        Text(num(r.log_score, 2) if r is not None else "–", justify="right", end=""),
        Text(role, end=""),
    )
