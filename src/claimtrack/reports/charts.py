"""The report's charts, drawn with matplotlib (Agg, imported only here, lazily).

* calibration: a point at each bin's MEAN forecast (not the bin centre), the
  95% Wilson interval as a bar, each bin's n along the top, the diagonal;
* trend: the Brier score (0-1) of each period (with its n when there are
  few periods), gaps for empty periods, and the 0.25 line of always saying 50%.

:func:`svg` returns markup ready to inline in HTML (no XML prolog, DOCTYPE or
namespace URLs, so the page references nothing outside itself); :func:`png`
writes a file for Markdown.
"""

from __future__ import annotations

import io
import re

from claimtrack.domain.scoring import ScoreSummary
from claimtrack.services.report.model import PeriodRow

INK = "#1f2933"
ACCENT = "#1f6feb"
MUTED = "#8a949e"
GRID = "#e3e7eb"

_RC = {
    "svg.fonttype": "none",  # real text in the SVG: small, selectable, crisp
    "font.family": "sans-serif",
    "font.size": 10,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _figure(width: float, height: float):
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def compact(n: int) -> str:
    """3, 523, 3.5k, 11k, 1.2M: counts that fit above a bin."""
    if n < 1000:
        return str(n)
    if n < 10_000:
        return f"{n / 1000:.1f}k"
    if n < 1_000_000:
        return f"{n // 1000}k"
    return f"{n / 1_000_000:.1f}M"


def _percent_axis(axis) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v * 100:.0f}%"))


def _no_data(ax, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", color=MUTED, transform=ax.transAxes)


def calibration_figure(summary: ScoreSummary, caption: str = "Calibration"):
    import matplotlib

    with matplotlib.rc_context(_RC):
        fig = _figure(5.0, 4.9)
        ax = fig.add_subplot()
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.07)
        ax.set_aspect("equal")
        for i, b in enumerate(summary.calibration):  # faint bands show the bins
            if i % 2 == 0:
                ax.axvspan(b.lo, b.hi, color=GRID, alpha=0.5, lw=0, zorder=0)
        ax.plot([0, 1], [0, 1], ls="--", color=MUTED, lw=1, zorder=1, label="perfectly calibrated")
        bins = [b for b in summary.calibration if not b.is_empty]
        if bins:
            xs = [b.mean_forecast for b in bins]
            ys = [b.observed for b in bins]
            low = [max(0.0, y - b.ci_low) for y, b in zip(ys, bins)]
            high = [max(0.0, b.ci_high - y) for y, b in zip(ys, bins)]
            ax.errorbar(xs, ys, yerr=[low, high], fmt="o", color=ACCENT, ecolor=ACCENT, elinewidth=1.4,
                        capsize=3, markersize=6, zorder=3, label="observed (95% Wilson interval)")
        else:
            _no_data(ax, "no scored forecasts in this report")
        # n of every bin, in a row along the top of its band, labelled "n" at the left
        crowded = len(summary.calibration) > 10  # then the labels alternate between two rows
        if crowded:
            ax.set_ylim(-0.02, 1.11)
        ax.text(-0.035, 1.045, "n", ha="right", va="center", fontsize=8, color=INK, style="italic")
        for i, b in enumerate(summary.calibration):
            ax.text((b.lo + b.hi) / 2, 1.085 if crowded and i % 2 else 1.045, compact(b.n), ha="center",
                    va="center", fontsize=6.5 if crowded else 8, color=INK if b.n else MUTED)
        _percent_axis(ax.xaxis)
        _percent_axis(ax.yaxis)
        ax.set_xticks([i / 5 for i in range(6)])
        ax.set_xticks([i / 10 for i in range(11)], minor=True)
        ax.set_yticks([i / 10 for i in range(11)])
        ax.set_xlabel("forecast probability (point at the bin's mean forecast)")
        ax.set_ylabel("how often it happened")
        ax.set_title(caption, loc="left", color=INK)
        fig.legend(loc="outside lower center", ncols=2, frameon=False, fontsize=8)
    return fig


def trend_figure(periods: tuple[PeriodRow, ...] | list[PeriodRow], caption: str = "Brier score over time"):
    import matplotlib

    rows = list(periods)
    scored = [p.scores.summary.brier for p in rows if p.scores.summary.brier is not None]
    with matplotlib.rc_context(_RC):
        fig = _figure(6.2, 3.7)
        ax = fig.add_subplot()
        ax.axhline(0.25, ls="--", color=MUTED, lw=1, zorder=1, label="always saying 50% (0.25)")
        if scored:
            xs = list(range(len(rows)))
            # empty periods stay on the axis as gaps in the line (NaN breaks it)
            ys = [p.scores.summary.brier if p.scores.summary.brier is not None else float("nan") for p in rows]
            many = len(rows) > 24  # then n is left to the table: labels would pile up
            ax.plot(xs, ys, "-o", color=ACCENT, lw=1.2 if many else 1.5, markersize=2.5 if many else 5, zorder=3,
                    label="Brier score (0-1 scale)")
            for x, y, p in zip(xs, ys, rows):
                if p.scores.summary.brier is not None and not many:
                    ax.annotate(f"n={compact(p.scores.summary.n)}", (x, y), xytext=(0, 7), textcoords="offset points",
                                ha="center", va="bottom", fontsize=7.5, color=INK, zorder=4,
                                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})
            step = max(1, (len(rows) + 15) // 16)  # at most ~16 labels
            tilt = len(rows) > 8
            ax.set_xticks(xs[::step], [p.key for p in rows][::step], rotation=45 if tilt else 0,
                          ha="right" if tilt else "center")
            ax.set_xlim(-0.6, len(rows) - 0.4)
            ax.set_ylim(0, max(0.3, max(scored) * 1.25))
        else:
            ax.set_ylim(0, 0.3)
            ax.set_xticks([])
            _no_data(ax, "no scored forecasts in this report")
        ax.set_ylabel("Brier score (0-1, lower is better)")
        ax.set_xlabel("period of resolution")
        ax.grid(axis="y", color=GRID, lw=0.8)
        ax.set_axisbelow(True)
        ax.set_title(caption, loc="left", color=INK)
        fig.legend(loc="outside lower center", ncols=2, frameon=False, fontsize=8)
    return fig


_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.S)
_NAMESPACES = re.compile(r'\s+xmlns(?::xlink)?="[^"]*"')


def svg(fig, salt: str) -> str:
    """Inline-ready SVG markup.  ``salt`` keeps element ids distinct across charts."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": salt, "svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = _PROLOG.sub("", buffer.getvalue(), count=1)
    head, sep, rest = text.partition(">")
    return _NAMESPACES.sub("", head) + sep + rest  # HTML5 knows the SVG namespaces


def png(fig, path) -> None:
    """Write a PNG to a path or a binary file object."""
    fig.savefig(path, format="png", dpi=150, metadata={"Software": None})
