"""Words and number formats every report format shares.

Renderers show numbers through these helpers so that a Brier score always
carries its scale and a log score its unit, and every report states the
same rules in the same words.
"""

from __future__ import annotations

from datetime import datetime

from claimtrack.domain.datefmt import format_date, format_datetime
from claimtrack.domain.probability import format_probability
from claimtrack.domain.records import BACKFILL_THRESHOLD_HOURS
from claimtrack.services.report.model import Report

DASH = "-"
MAX_ROWS = 50  # group and comparison rows shown in text/md/html (JSON has them all)


def num(value: float | None, digits: int = 3) -> str:
    return DASH if value is None else f"{value:.{digits}f}"


def pct(value: float | None) -> str:
    return DASH if value is None else format_probability(value)


def bits(value: float | None) -> str:
    return DASH if value is None else f"{value:.3f}"


def signed(value: float | None, digits: int = 3) -> str:
    return DASH if value is None else f"{value:+.{digits}f}"


def day(value: datetime | None) -> str:
    return DASH if value is None else format_date(value)


def moment(value: datetime | None) -> str:
    return DASH if value is None else format_datetime(value)


def bin_label(lo: float, hi: float, first: bool, folded: bool = False) -> str:
    """``[0%, 10%]``, ``(10%, 20%]``; folded bins ``[50%, 60%)`` and ``100%``."""
    if folded:
        return "100%" if lo == hi else f"[{pct(lo)}, {pct(hi)})"
    return f"{'[' if first else '('}{pct(lo)}, {pct(hi)}]"


def no_groups_text(report: Report) -> str:
    """The line that stands for an empty breakdown."""
    note = group_note(report)
    return f"By {report.options.group}: nothing to show" + (f" ({note})." if note else ".")


def has_trend(report: Report) -> bool:
    """Whether the trend has a period with anything in it (else the section is left out)."""
    return any(p.scores.summary.n or p.scores.n_excluded for p in report.periods)


def interval(lo: float, hi: float, empty: bool) -> str:
    return DASH if empty else f"{pct(lo)} - {pct(hi)}"


def you_rows(report: Report) -> list[tuple[str, object]]:
    """(label, ScoreSummary) for you and for everyone else; [] without a user."""
    if report.you is None or report.others is None or not (report.you.n or report.others.n):
        return []  # nothing scored: the section is left out
    return [(f"you ({report.options.you})", report.you), ("everyone else", report.others)]


def group_note(report: Report) -> str | None:
    """One line saying what the breakdown scores, where that is not obvious."""
    from claimtrack.services.report.model import GROUP_NOTES

    return GROUP_NOTES.get(report.options.group or "")


def group_label(report: Report, key: str) -> str:
    """A group's name, marked when it is the user's."""
    you = report.options.you
    if you and report.options.group in ("forecaster", "source") and key.casefold() == you.casefold():
        return f"{key} (you)"
    return key


def shown_groups(report: Report) -> tuple[list, int]:
    """The group rows to print (you first, then the largest) and how many are left out."""
    rows = list(report.groups)
    if report.options.group == "period" or len(rows) <= MAX_ROWS:
        return rows, 0
    return rows[:MAX_ROWS], len(rows) - MAX_ROWS


def shown_relative(report: Report) -> tuple[list, int]:
    """Forecaster comparisons to print: those on the most shared claims first."""
    rows = sorted(report.relative, key=lambda r: (-r.n_claims, str(r.forecaster)))
    if len(rows) <= MAX_ROWS:
        return sorted(rows, key=lambda r: str(r.forecaster)), 0
    return rows[:MAX_ROWS], len(rows) - MAX_ROWS


def more_text(hidden: int, what: str) -> str | None:
    return None if not hidden else f"{hidden} more {what} not shown; --format json lists them all."


def title(report: Report) -> str:
    return "Calibration report"


def period_text(report: Report) -> str:
    start = report.period_start
    end = report.period_end
    if start is None and report.options.until is None:
        return f"all claims resolved up to {moment(end)}"
    if start is None:
        return f"claims resolved up to {moment(end)}"
    word = "after the previous saved report," if report.options.since_saved else "from"
    return f"claims resolved {word} {moment(start)} to {moment(end)}"


def filters_text(report: Report) -> str:
    o = report.options
    parts = []
    if o.forecaster:
        parts.append(f"forecaster {o.forecaster}")
    if o.source:
        parts.append(f"source {o.source}")
    if o.tags:
        parts.append("tags " + ", ".join(o.tags))
    if o.exclude_backfilled:
        parts.append("backfilled forecasts excluded")
    return "; ".join(parts) if parts else "none"


def rule_text(report: Report) -> str:
    if report.options.scoring == "time-weighted":
        return ("Time-weighted: every forecast made before the resolution counts, weighted by how long it "
                "stood between that forecaster's first forecast on the claim and the resolution; each "
                "forecaster's weights on a claim add up to 1, so stating a belief late neither helps nor hurts.")
    return "Final forecast: each forecaster's last forecast made at or before the claim's resolution counts."


def _bins_text(report: Report) -> str:
    bins = report.overall.summary.calibration
    if len(bins) < 3:
        return ", ".join(bin_label(b.lo, b.hi, i == 0) for i, b in enumerate(bins))
    return (f"{bin_label(bins[0].lo, bins[0].hi, True)}, {bin_label(bins[1].lo, bins[1].hi, False)}, ..., "
            f"{bin_label(bins[-1].lo, bins[-1].hi, False)}")


def explanations(report: Report) -> list[str]:
    """The rules behind the numbers, one sentence each (shown in every format)."""
    lo, hi = report.log_clip
    return [
        "Which forecasts count. " + rule_text(report),
        "Brier score: the mean of (p - outcome)^2 on the 0-1 scale, where 0 is perfect and always "
        "saying 50% scores 0.25. The 0-2 scale (Brier's original, used by Good Judgment and Fatebook) "
        "is exactly twice it. Lower is better.",
        f"Log score: the mean of log2 of the probability given to what happened, in bits; 0 is perfect and "
        f"always saying 50% scores -1. Higher is better. Probabilities are clipped to [{lo}, {hi}] "
        f"(Metaculus' bounds), so one confident miss costs at most about 9.97 bits.",
        f"Calibration: forecasts are binned on whole percents, closed on the right ({_bins_text(report)}); "
        f"each point sits at the bin's mean forecast, with a 95% Wilson interval on the observed frequency. "
        f"The folded view counts confidence in the side predicted (a 50% forecast counts as predicting yes).",
        "Claims resolved ambiguous or void are not scored; their forecasts are counted as excluded. "
        "Forecasts logged as made after the resolution are never scored.",
        f"Backfilled forecasts were recorded more than {BACKFILL_THRESHOLD_HOURS} hours after they were made, "
        "so hindsight may have chosen them; they are "
        + ("left out of this report." if report.options.exclude_backfilled
           else "counted, and scored apart from contemporaneous ones so the difference is visible."),
        "Relative scores compare forecasters on the claims they share: Brier minus the median Brier of "
        "everyone on the claim (negative is better), and Metaculus' peer score, 100 x (ln p - the mean ln p "
        "of the others), where positive is better.",
    ]


def heads_line(report: Report) -> str:
    """The chain heads as ``claimtrack verify`` prints them after ``heads:``."""
    from claimtrack.domain.chain import head_label

    return " ".join(head_label(table, head) for table, head in report.chain_heads)


def heads_text(report: Report) -> str:
    return ("Ledger heads when this report was made: " + heads_line(report)
            + ". 'claimtrack verify --expect CHAIN:HEAD' fails if rows were later cut from the end of a chain.")
