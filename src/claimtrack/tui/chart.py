"""Drawing the calibration chart on a plotext figure (textual_plotext's ``plt``).

A point at each bin's mean forecast (not its centre) against how often the
claims came true, the bin's 95% Wilson interval as a vertical bar, n above
each point, and the diagonal of perfect calibration.
"""

from __future__ import annotations

from collections.abc import Sequence

from claimtrack.domain.scoring import CalibrationBin

TICKS = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
TICK_LABELS = ["0%", "20%", "40%", "60%", "80%", "100%"]
LABEL_ROW = 1.07  # the n of each bin is written on this row, above its point
LEGEND = "● came true  │ 95% interval  ⠔ perfect calibration  top row: forecasts per bin"


def compact(n: int) -> str:
    """12560 -> '12.6k' so neighbouring bins' counts do not run together."""
    if n < 1000:
        return str(n)
    if n < 100_000:
        return f"{n / 1000:.1f}k"
    return f"{n // 1000}k" if n < 1_000_000 else f"{n / 1_000_000:.1f}M"


def draw_calibration(plt, bins: Sequence[CalibrationBin], title: str) -> int:
    """Draw on ``plt``; returns how many bins had forecasts."""
    plt.clear_figure()
    plt.title(title)
    plt.xlabel("forecast probability (bin mean)")
    plt.ylabel("came true")
    plt.xlim(0, 1)
    plt.ylim(0, LABEL_ROW + 0.04)
    plt.xticks(TICKS, TICK_LABELS)
    plt.yticks(TICKS, TICK_LABELS)
    plt.plot([0, 1], [0, 1], marker="braille", color="gray")
    shown = [b for b in bins if not b.is_empty]
    for b in shown:
        x = b.mean_forecast
        plt.plot([x, x], [b.ci_low, b.ci_high], marker="│", color="cyan")
    if shown:
        plt.scatter([b.mean_forecast for b in shown], [b.observed for b in shown], marker="●", color="orange")
        for b in shown:
            plt.text(compact(b.n), b.mean_forecast, LABEL_ROW, alignment="center", color="orange")
    return len(shown)
