"""Scores as rich renderables and leaderboard rows (no textual here).

Group names (forecasters, sources, tags) are user text: always ``Text(...)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from claimtrack.domain.scoring import LOG_CLIP, rank_key
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
    """Headline numbers, Murphy terms and the bins of a report_model.Scores."""
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


@dataclass(frozen=True)
class BoardRow:
    name: str
    n: int
    brier: float
    log_score: float | None
    relative: float | None  # forecasters: Brier vs the median on shared claims; sources: vs everyone
    peer: float | None  # forecasters only: Metaculus-style peer score
    came_true: float | None
    came_true_ci: tuple[float, float] | None

    @property
    def rank_key(self) -> float:
        return rank_key(self.brier, self.n)


def leaderboard(report, kind: str) -> list[BoardRow]:
    """Rows ranked by Brier + 1/sqrt(n) (PredictionBook's key): a lucky few never top the table."""
    relative = {r.forecaster: r for r in report.relative} if kind == "forecaster" else {}
    overall = report.overall.summary.brier
    rows = []
    for group in report.groups:
        s = group.scores.summary
        if not s.n or s.brier is None:
            continue
        rel = relative.get(group.key)
        ci = None
        if s.base_rate is not None:
            ci = wilson_interval(round(s.base_rate * s.n), s.n)
        rows.append(BoardRow(
            name=group.key, n=s.n, brier=s.brier, log_score=s.log_score_bits,
            relative=rel.brier_vs_median if rel else (s.brier - overall if kind == "source" and overall is not None else None),
            peer=rel.peer_score if rel else None,
            came_true=s.base_rate, came_true_ci=ci,
        ))
    rows.sort(key=lambda r: (r.rank_key, -r.n, r.name))
    return rows


def board_cells(rank: int, row: BoardRow) -> tuple[Text, ...]:
    rel = "–" if row.relative is None else f"{row.relative:+.3f}"
    peer = "–" if row.peer is None else f"{row.peer:+.1f}"
    true = pct(row.came_true)
    if row.came_true_ci is not None:
        true += f" ({pct(row.came_true_ci[0])}–{pct(row.came_true_ci[1])})"
    return (
        Text(str(rank), justify="right", end=""),
        Text(row.name, end=""),
        Text(f"{row.n:,}", justify="right", end=""),
        Text(num(row.brier), justify="right", end=""),
        Text(num(row.log_score, 2), justify="right", end=""),
        Text(rel, justify="right", end=""),
        Text(peer, justify="right", end=""),
        Text(true, justify="right", end=""),
        Text(num(row.rank_key), justify="right", style="bold", end=""),
    )
