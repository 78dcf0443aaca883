"""The coverage chart of quantity forecasts, drawn like :mod:`claimtrack.reports.charts`.

For each group (you, everyone else) and each nominal level (50/80/90%): how
often the truth fell inside the central interval, with its 95% Wilson
interval as a bar, n beside the point, and the dashed diagonal where the
rate equals the nominal level.  Points below the diagonal: intervals too
narrow; above: too wide.
"""

from __future__ import annotations

from claimtrack.domain.scoring.by_kind import QuantitySection
from claimtrack.reports.charts import _RC, ACCENT, INK, MUTED, _figure, _percent_axis, compact

_COLOURS = {"you": ACCENT, "everyone else": "#9a6700", "all": ACCENT}


def coverage_figure(section: QuantitySection, caption: str = "Coverage of central intervals"):
    import matplotlib

    rows = section.coverage
    labels = list(dict.fromkeys(r.label for r in rows))
    with matplotlib.rc_context(_RC):
        fig = _figure(5.0, 4.9)
        ax = fig.add_subplot()
        ax.set_xlim(0.4, 1.0)  # stated levels are 50-90%; points sit beside each other at a level
        ax.set_ylim(-0.02, 1.05)
        ax.plot([0, 1], [0, 1], ls="--", color=MUTED, lw=1, zorder=1, label="held as often as stated")
        for j, label in enumerate(labels):
            mine = [r for r in rows if r.label == label]
            offset = (j - (len(labels) - 1) / 2) * 0.024  # groups side by side at each level
            xs = [r.nominal + offset for r in mine]
            ys = [r.rate for r in mine]
            low = [max(0.0, y - r.ci_low) for y, r in zip(ys, mine)]
            high = [max(0.0, r.ci_high - y) for y, r in zip(ys, mine)]
            colour = _COLOURS.get(label, INK)
            ax.errorbar(xs, ys, yerr=[low, high], fmt="o", color=colour, ecolor=colour, elinewidth=1.4,
                        capsize=3, markersize=6, zorder=3, label=f"{label} (95% Wilson interval)")
            for x, y, r in zip(xs, ys, mine):
                ax.annotate(f"n={compact(r.n)}", (x, y), xytext=(6, 0), textcoords="offset points", ha="left",
                            va="center", fontsize=7.5, color=INK, zorder=4)
        _percent_axis(ax.xaxis)
        _percent_axis(ax.yaxis)
        ax.set_xticks([0.5, 0.8, 0.9])
        ax.set_yticks([i / 10 for i in range(11)])
        ax.set_xlabel("stated interval (central)")
        ax.set_ylabel("how often the truth fell inside")
        ax.set_title(caption, loc="left", color=INK)
        fig.legend(loc="outside lower center", ncols=2, frameon=False, fontsize=8)
    return fig
