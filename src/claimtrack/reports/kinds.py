"""The report's sections for choice questions and quantities, as plain tables.

:func:`sections` turns a :class:`~claimtrack.domain.scoring.by_kind.ByKind`
into :class:`KindSection` objects holding only strings, which the text,
Markdown and HTML renderers lay out in their own way (each escapes user text
its own way).  Empty kinds give no section.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from claimtrack.domain.probability import format_probability
from claimtrack.domain.scoring.by_kind import NOTES, ByKind, ChoiceSection, QuantityScore, QuantitySection, day_iso
from claimtrack.reports import explain as ex

SEP = " · "


@dataclass(frozen=True)
class KindTable:
    title: str | None
    heads: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    text_cols: int = 1  # leading columns that hold text (left-aligned); the rest are numbers
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class KindSection:
    title: str
    tables: tuple[KindTable, ...]
    notes: tuple[str, ...] = ()
    chart: str | None = None  # "coverage": the section has a coverage chart
    words: tuple[str, ...] = field(default=())  # plain-language findings, one line each


def _pct(x: float) -> str:
    return format_probability(x)


def _level(x: float) -> str:
    return f"{x * 100:g}%"


def _digits(x: float) -> str:
    text = "%.4g" % x
    if "e" not in text and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def value_text(value: float | None, unit: str | None = None, is_date: bool = False) -> str:
    """1.8T, 63M, 2026-06-15: a value for people (4 significant digits)."""
    if value is None:
        return ex.DASH
    if is_date:
        return day_iso(value)
    size = abs(value)
    for letter, scale in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if 1e15 > size >= scale:
            return ("-" if value < 0 else "") + _digits(size / scale) + letter
    return _digits(value)


def score_text(value: float | None, is_date: bool = False) -> str:
    """A score in the quantity's unit (days for dates)."""
    if value is None:
        return ex.DASH
    return f"{_digits(value)} d" if is_date else value_text(value)


def _unit(s: QuantityScore) -> str:
    return "days" if s.item.is_date else (s.item.unit or ex.DASH)


def _choice(section: ChoiceSection, max_rows: int) -> KindSection:
    rows = []
    for s in section.questions[:max_rows]:
        it = s.item
        forecast = SEP.join(f"{o} {_pct(p)}" for o, p in zip(it.options, it.probs))
        rows.append((str(it.claim_id), it.statement, it.forecaster + (" (you)" if it.mine else ""), forecast,
                     it.options[it.realised], ex.num(s.brier), ex.bits(s.log_score_bits), ex.num(s.rps)))
    questions = KindTable(None, ("id", "question", "forecaster", "forecast", "happened", "Brier (0-2)",
                                 "log (bits)", "RPS (0-1)"), tuple(rows), text_cols=5,
                          notes=_shown(len(rows), len(section.questions)))
    aggregates = KindTable("Multiple choice: all questions", ("", "n", "Brier (0-2)", "log (bits)", "ordered", "RPS (0-1)"),
                           tuple((a.label, str(a.n), ex.num(a.brier), ex.bits(a.log_score_bits), str(a.n_ordered),
                                  ex.num(a.rps)) for a in section.aggregates))
    ev = section.option_events
    events = KindTable(
        f"Options as yes/no events (one-vs-rest, {ev.n} events; not part of the binary calibration)",
        ("forecast bin", "n", "mean forecast", "happened", "95% interval"),
        tuple((ex.bin_label(b.lo, b.hi, i == 0), str(b.n), ex.pct(b.mean_forecast), ex.pct(b.observed),
               ex.interval(b.ci_low, b.ci_high, b.is_empty)) for i, b in enumerate(ev.calibration) if b.n),
        notes=(NOTES["option_events"],))
    return KindSection("Multiple-choice questions", (questions, aggregates, events),
                       notes=(NOTES["brier"], NOTES["log_score"], NOTES["rps"]))


def _shown(n_shown: int, total: int) -> tuple[str, ...]:
    return () if n_shown >= total else (f"showing {n_shown} of {total} (--max-claims; the JSON report has all)",)


def _quantity(section: QuantitySection, max_rows: int) -> KindSection:
    rows = []
    for s in section.claims[:max_rows]:
        it, date = s.item, s.item.is_date
        forecast = SEP.join(f"{_level(t)} {value_text(v, it.unit, date)}" for t, v in it.quantiles)
        pinball = SEP.join(f"{_level(t)} {score_text(loss, date)}" for t, loss in s.pinball)
        intervals = SEP.join(f"{_level(iv.nominal)} {score_text(iv.score, date)}{'' if iv.covered else ' (missed)'}"
                             for iv in s.intervals) or ex.DASH
        rows.append((str(it.claim_id), it.statement, it.forecaster + (" (you)" if it.mine else ""), _unit(s),
                     forecast, value_text(it.truth, it.unit, date), pinball, intervals, score_text(s.wis, date),
                     score_text(s.crps_approx, date), ex.num(s.log10_wis), ex.num(s.relative_score)))
    claims = KindTable(None, ("id", "claim", "forecaster", "unit", "quantiles", "truth", "pinball loss",
                              "interval score", "WIS", "CRPS≈", "log10 WIS", "vs first"), tuple(rows), text_cols=8,
                       notes=_shown(len(rows), len(section.claims)) + (
                           "Scores are in each claim's unit (days for dates), lower is better; "
                           "'vs first' is WIS of the final forecast / WIS of the forecaster's first forecast.",))
    aggregates = KindTable("Quantities: scale-free summary",
                           ("", "n", "relative WIS vs first (n)", "skill", "mean log10 WIS (n)"),
                           tuple((a.label, str(a.n),
                                  f"{ex.num(a.relative_wis)} ({a.n_relative})" if a.n_relative else ex.DASH,
                                  ex.signed(a.skill), f"{ex.num(a.mean_log10_wis)} ({a.n_log10})" if a.n_log10
                                  else ex.DASH) for a in section.aggregates),
                           notes=(NOTES["relative_wis"], NOTES["log10"]) + tuple(
                               f"{a.n_relative_undefined} {a.label} ratio(s) undefined (a zero WIS)"
                               for a in section.aggregates if a.n_relative_undefined))
    coverage = KindTable("Coverage of central intervals",
                         ("", "interval", "held", "n", "rate", "95% interval", "verdict"),
                         tuple((r.label, _level(r.nominal), str(r.hits), str(r.n), _pct(r.rate),
                                ex.interval(r.ci_low, r.ci_high, False), r.verdict) for r in section.coverage),
                         text_cols=2, notes=(NOTES["coverage"],))
    tables = [claims, aggregates] + ([coverage] if section.coverage else [])
    for h in section.pit:
        edges = ["0%", *(_level(t) for t in h.levels), "100%"]
        tables.append(KindTable(
            f"Where outcomes fell between the quantiles ({', '.join(_level(t) for t in h.levels)}; n = {h.n})",
            ("between levels", "outcomes", "expected"),
            tuple((f"{edges[i]} - {edges[i + 1]}", _digits(c), _digits(e))
                  for i, (c, e) in enumerate(zip(h.counts, h.expected))), notes=()))
    if section.pit:
        tables[-1] = KindTable(tables[-1].title, tables[-1].heads, tables[-1].rows, tables[-1].text_cols,
                               (NOTES["pit"],))
    return KindSection("Quantities (numeric and date claims)", tuple(tables),
                       notes=(NOTES["quantity_scores"], NOTES["wis"], NOTES["crps"]),
                       chart="coverage" if section.coverage else None,
                       words=tuple(r.words for r in section.coverage))


def sections(by_kind: ByKind | None, max_rows: int = 100) -> list[KindSection]:
    """One section per kind that has scored forecasts (none for an empty or missing ByKind)."""
    if by_kind is None or by_kind.is_empty:
        return []
    out = []
    if by_kind.choice is not None:
        out.append(_choice(by_kind.choice, max_rows))
    if by_kind.quantity is not None:
        out.append(_quantity(by_kind.quantity, max_rows))
    return out


def has_coverage_chart(by_kind: ByKind | None) -> bool:
    return by_kind is not None and by_kind.quantity is not None and bool(by_kind.quantity.coverage)
