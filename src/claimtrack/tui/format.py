"""Turning ledger records into rich Text for the UI.

User text (statements, sources, notes, tags, URLs) is always wrapped in
``Text(...)`` and never parsed as markup: a statement "[bold]x[/]" shows
exactly as typed.  Nothing here imports textual.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from claimtrack.domain.datefmt import format_date, format_datetime, humanize_delta
from claimtrack.domain.dates import user_timezone
from claimtrack.domain.probability import format_probability
from claimtrack.domain.records import ClaimDetail, ClaimSummary
from claimtrack.domain.text import terminal_safe

DUE_SOON = timedelta(days=7)

# (key, label, width) of every column the claims table can show; the statement
# takes what the others leave.  "state" merges the due date and the state
# ("overdue 5 mo", "in 3 d", "yes"): the date itself is in the detail pane.
COLUMNS: tuple[tuple[str, str, int | None], ...] = (
    ("id", "id", 5),
    ("statement", "statement", None),
    ("mine", "you", 8),  # your current forecast; the label becomes your name
    ("source", "source", 14),
    ("theirs", "claimant", 13),  # the claimant's call and its kind
    ("made", "made", 10),
    ("state", "due / state", 13),
)
# the columns that give way, first to last, until the statement has half the width
OPTIONAL = ("made", "theirs", "source", "mine")
MIN_STATEMENT = 20
# header -> sort key; the probability columns are per-user views, not sortable
SORTABLE = {"id": "id", "statement": "statement", "source": "source", "made": "made", "state": "due"}


def columns_for(width: int, padding: int = 1) -> tuple[tuple[str, str, int], ...]:
    """The columns (key, label, width) that fit ``width`` cells, the statement getting
    at least half of it (or MIN_STATEMENT) and whatever the others leave."""
    shown = list(COLUMNS)

    def rest(cols) -> int:
        return width - sum((w or 0) + 2 * padding for _, _, w in cols) - 2 * padding - 1

    for key in OPTIONAL:
        if rest(shown) >= width // 2:
            break
        shown = [c for c in shown if c[0] != key]
    statement = max(MIN_STATEMENT, rest(shown))
    return tuple((k, label, w if w is not None else statement) for k, label, w in shown)


def lit(value: object, style: str = "") -> Text:
    """User text, literally (never parsed as markup)."""
    return Text(terminal_safe(value), style=style)


def cell(value: object, style: str = "", justify: str = "left") -> Text:
    """A one-line table cell: user text literally, line breaks folded."""
    text = terminal_safe(value)
    if "\n" in text or "\r" in text or "\t" in text:
        text = " ".join(text.split())
    return Text(text, style=style, justify=justify, end="")  # type: ignore[arg-type]


def one_line(value: object, limit: int = 200) -> str:
    text = " ".join(terminal_safe(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def claim_state(claim: ClaimSummary, now: datetime) -> str:
    if claim.status != "active":
        return claim.status
    if claim.outcome == "value":  # a choice, numeric or date claim: what it resolved to
        return value_summary(claim.question_type, claim.value, claim.unit) if claim.value else "resolved"
    if claim.outcome is not None:
        return claim.outcome
    if claim.resolve_by is not None and claim.resolve_by < now:
        return "overdue"
    if claim.resolve_by is not None and claim.resolve_by <= now + DUE_SOON:
        return "due soon"
    return "open"


def row_style(state: str) -> str:
    return {"overdue": "bold red", "due soon": "yellow", "draft": "italic", "rejected": "dim strike",
            "void": "dim", "ambiguous": "dim"}.get(state, "")


def _distribution_text(claim: ClaimSummary, distribution) -> str:
    """A choice, numeric or date forecast in one line (issue 12); '–' for none."""
    if distribution is None:
        return "–"
    from claimtrack.domain.distribution import summary

    return summary(claim.question_type, claim.options, distribution, claim.unit)


def _distribution_brief(claim: ClaimSummary) -> str:
    """A choice, numeric or date forecast in a table cell ("50% Nvidia", "1.8T"); '–' for none."""
    if claim.distribution is None:
        return "–"
    from claimtrack.domain.distribution import brief

    return brief(claim.question_type, claim.options, claim.distribution, claim.unit)


def value_summary(qtype: str, value: str, unit: str | None) -> str:
    from claimtrack.domain.distribution import value_summary as summary

    return summary(qtype, value, unit)


def _span(text: str) -> str:
    """'in 3d' / '5mo ago' / 'today' -> '3 d' / '5 mo' / 'today'."""
    text = text.removeprefix("in ").removesuffix(" ago")
    return re.sub(r"^(\d+)([a-z]+)$", r"\1 \2", text)


def due_state(claim: ClaimSummary, now: datetime, tz: tzinfo | None = None) -> str:
    """The merged due/state cell: 'overdue 5 mo', 'in 3 d', 'due today', 'open', 'yes', 'draft'."""
    state = claim_state(claim, now)
    if state not in ("overdue", "due soon", "open") or claim.resolve_by is None:
        return state
    span = _span(humanize_delta(claim.resolve_by, now, tz))
    if state == "overdue":
        return f"overdue {span}"
    return "due today" if span == "today" else f"in {span}"


def claim_row(claim: ClaimSummary, now: datetime, tz: tzinfo | None = None,
              words: tuple[str, ...] = ()) -> dict[str, Text]:
    """The cells of one table row by column key; dates in ``tz`` (default: the user's zone);
    ``words`` (the filter's) are highlighted in the statement and source.

    Pass ``tz`` when formatting many rows: looking the zone up costs more than the row.
    """
    tz = tz if tz is not None else user_timezone()
    state = claim_state(claim, now)
    style = "red" if state == "overdue" else ""
    p = format_probability(claim.mine) if claim.mine is not None else _distribution_brief(claim)
    theirs = f"{format_probability(claim.theirs)} {claim.their_kind}" if claim.theirs is not None else "–"
    state_style = row_style(state) or {"yes": "green", "no": "magenta"}.get(state, "")
    statement = cell(claim.statement, style)
    source = cell(claim.source or "", style)
    if words:
        for text in (statement, source):
            text.highlight_words(words, style="reverse", case_sensitive=False)
    return {
        "id": cell(claim.id, "bold " + style, "right"),
        "statement": statement,
        "mine": cell(p, style, "right"),
        "source": source,
        "theirs": cell(theirs, style, "right"),
        "made": cell(format_date(claim.stated_at, tz), style),
        "state": cell(due_state(claim, now, tz), state_style),
    }


# ----------------------------------------------------------------- detail


def _field(label: str, value: object, style: str = "") -> Text:
    line = Text(f"{label:<9}", style="bold")
    line.append_text(lit(value, style) if not isinstance(value, Text) else value)
    return line


def _table(*headers: str) -> Table:
    table = Table(box=None, show_edge=False, pad_edge=False, expand=True, header_style="bold dim")
    for header in headers[:-1]:
        table.add_column(header, no_wrap=True, max_width=24)
    table.add_column(headers[-1], overflow="fold", ratio=1)
    return table


def detail_renderable(detail: ClaimDetail, now: datetime) -> RenderableType:
    c = detail.claim
    state = claim_state(c, now)
    parts: list[RenderableType] = []
    head = Text(f"#{c.id}  ", style="bold")
    head.append(state, style=row_style(state) or "bold")
    for label, p, extra in (("you", c.mine, ""), ("claimant", c.theirs, f" {c.their_kind}"),
                            ("others", c.others, f" median of {c.n_others}" if c.n_others > 1 else "")):
        if p is not None:
            head.append(f"   {label} ", style="dim")
            head.append(format_probability(p), style="bold")
            head.append(extra, style="dim")
    if c.hidden:
        head.append(f"   {c.hidden} forecast{'s' if c.hidden != 1 else ''} hidden until you forecast", style="yellow")
    parts.append(head)
    parts.append(lit(c.statement, style="bold"))
    if detail.details:
        parts.append(lit(detail.details, style="italic"))
    parts.append(Text(""))
    parts.append(_field("source", c.source or "—"))
    if c.source_url:
        parts.append(_field("link", c.source_url, "underline"))
    parts.append(_field("tags", ", ".join(c.tags) if c.tags else "—"))
    parts.append(_field("made", f"{format_date(c.stated_at)} ({humanize_delta(c.stated_at, now)})"))
    if c.resolve_by is not None:
        parts.append(_field("due", f"{format_date(c.resolve_by)} ({humanize_delta(c.resolve_by, now)})",
                            row_style(state)))
    parts.append(_field("logged", format_datetime(c.recorded_at)))
    if c.question_type != "binary":
        from claimtrack.tui.distribution_view import distribution_view

        picture = distribution_view(c)
        if picture is not None:
            parts += [Text(""), picture]
    parts.append(Text(""))
    parts.append(Text(f"Forecasts ({len(detail.forecasts)})", style="bold underline"))
    if detail.forecasts:
        current = {f.id for f in detail.current_forecasts().values()}
        table = _table("who", "when", "p", "rationale")
        for f in reversed(detail.forecasts):
            flags = [flag for flag, on in (("backfilled", f.backfilled), ("after resolution", f.after_resolution),
                                           ("superseded", f.id not in current)) if on]
            why = lit(f.rationale or "")
            if flags:
                why.append(("  " if f.rationale else "") + "[" + ", ".join(flags) + "]", style="dim")
            table.add_row(lit(f.forecaster), Text(format_date(f.made_at)),
                          Text(_distribution_text(c, f.distribution) if f.distribution is not None
                               else format_probability(f.probability), style="bold" if f.id in current else "dim"),
                          why)
        parts.append(table)
    else:
        parts.append(Text("no forecasts yet: press f", style="dim"))
    parts.append(Text(""))
    parts.append(Text(f"Resolution history ({len(detail.resolutions)})", style="bold underline"))
    if detail.resolutions:
        table = _table("outcome", "when", "by", "note")
        last = detail.resolutions[-1].id
        for r in reversed(detail.resolutions):
            note = lit(r.note or "")
            if r.evidence_url:
                note.append(("  " if r.note else "") + r.evidence_url, style="underline")
            if r.id != last:
                note.append("  [superseded]", style="dim")
            outcome = r.outcome if r.value is None else value_summary(c.question_type, r.value, c.unit)
            table.add_row(lit(outcome, style="bold" if r.id == last else "dim"),
                          Text(format_date(r.resolved_at)), lit(r.resolved_by or ""), note)
        parts.append(table)
    else:
        parts.append(Text("not resolved: press r", style="dim"))
    if detail.edits:
        parts.append(Text(""))
        parts.append(Text(f"Edit history ({len(detail.edits)})", style="bold underline"))
        table = _table("when", "field", "by", "change")
        for e in reversed(detail.edits):
            change = lit(one_line(e.old_value, 80) if e.old_value is not None else "∅", "dim")
            change.append(" → ")
            change.append_text(lit(one_line(e.new_value, 80) if e.new_value is not None else "∅"))
            table.add_row(Text(format_date(e.edited_at)), Text(e.field), lit(e.edited_by or ""), change)
        parts.append(table)
    return Group(*parts)
