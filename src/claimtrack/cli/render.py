"""Rich renderables for claims.  User text always goes in as Text (literal)."""

from __future__ import annotations

from datetime import datetime

from claimtrack.cli.common import lit, printable
from claimtrack.domain.datefmt import format_date, format_datetime
from claimtrack.domain.dates import utcnow
from claimtrack.domain.probability import format_probability
from claimtrack.domain.records import ClaimDetail, ClaimSummary


def _pct(p: float | None) -> str:
    return "-" if p is None else format_probability(p)


def due_text(claim: ClaimSummary, now: datetime):
    from rich.text import Text

    if claim.resolve_by is None:
        return Text("-", style="dim")
    if claim.is_open and claim.resolve_by < now:
        return Text(format_date(claim.resolve_by), style="bold red")
    return Text(format_date(claim.resolve_by))


SHORT_KINDS = {"stated": "said", "implied": "impl", "asserted": "fact"}


def their_text(claim: ClaimSummary, short: bool = False) -> str:
    """The claimant's call with its kind: '95% asserted', '70% implied', '60% stated'
    ('95% fact', '70% impl', '60% said' when ``short``)."""
    if claim.theirs is None:
        return "-"
    kind = SHORT_KINDS.get(claim.their_kind or "", claim.their_kind) if short else claim.their_kind
    return f"{_pct(claim.theirs)} {kind}"


def others_text(claim: ClaimSummary) -> str:
    """The median of everyone else's current forecasts, with how many: '55% of 3'
    ('3 hidden' while they are hidden from you: services.hidden)."""
    if claim.hidden:
        return f"{claim.hidden} hidden"
    if claim.others is None:
        return "-"
    return _pct(claim.others) if claim.n_others == 1 else f"{_pct(claim.others)} of {claim.n_others}"


def hidden_note(n: int) -> str:
    return f"{n} forecast{'s' if n != 1 else ''} hidden until you forecast (or until it resolves)"


def claim_table(claims: list[ClaimSummary], title: str | None = None, width: int = 80, me: str | None = None,
                *, full: bool = False):
    """A claim list.  With ``me`` (the user's name), the probability columns
    say whose they are: the user's own current forecast under their name,
    then the claimant's call and the median of everyone else's (the narrow
    layout keeps whichever of those two the list has).  Without it, the
    newest forecast by anyone, with who made it.  The 'made' column is
    dropped on consoles narrower than 100 (unless ``full``: the inbox shows
    every draft's text, source and date whole)."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    now = utcnow()
    wide = width >= 100 or full
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, expand=False, pad_edge=False)
    table.add_column("id", justify="right", style="cyan", no_wrap=True)
    table.add_column("statement", overflow="fold", min_width=24 if wide else 18, max_width=70, ratio=1)
    if full:
        table.add_column("source", max_width=24, overflow="fold")
    else:
        table.add_column("source", max_width=14 if wide else 10, overflow="ellipsis", no_wrap=True)
    columns: list = []
    if me is not None:
        table.add_column(printable(me)[:12], justify="right", no_wrap=True, style="bold")
        columns.append(lambda c: _pct(c.mine))
        any_theirs = any(c.theirs is not None for c in claims)
        any_others = any(c.others is not None or c.hidden for c in claims)
        any_hidden = any(c.hidden for c in claims)
        if any_theirs or wide:
            table.add_column("claimant", justify="right", no_wrap=True)
            columns.append(their_text if wide else (lambda c: their_text(c, short=True)))
        if any_others and (wide or not any_theirs or any_hidden):
            table.add_column("others (median)", justify="right", no_wrap=True)
            columns.append(others_text)
    else:
        table.add_column("newest p (by)", justify="right", no_wrap=True)
        columns.append(lambda c: "-" if c.probability is None else f"{_pct(c.probability)} ({printable(c.forecaster or '?')[:10]})")
    if wide:
        table.add_column("made", no_wrap=True)
    table.add_column("due", no_wrap=True)
    table.add_column("state", no_wrap=True)
    for c in claims:
        if c.outcome == "value" and c.value is not None:
            state = Text(printable(_value(c, c.value))[:24], style="green")
        elif c.outcome:
            state = Text(c.outcome, style={"yes": "green", "no": "red"}.get(c.outcome, "yellow"))
        elif c.status != "active":
            state = Text(c.status, style="magenta")
        elif c.resolve_by is not None and c.resolve_by < now:
            state = Text("overdue", style="bold red")
        else:
            state = Text("open")
        statement = lit(c.statement)
        if c.question_type != "binary":  # the distribution shown, under the statement
            statement.append("\n" + printable(question_line(c)), style="dim")
        cells = [str(c.id), statement, lit(c.source or "-"), *(Text(col(c)) for col in columns)]
        if wide:
            cells.append(format_date(c.stated_at))
        table.add_row(*cells, due_text(c, now), state)
    return table


KIND_LABELS = {"choice": "multiple choice", "numeric": "numeric", "date": "date"}


def _value(c: ClaimSummary, value: str) -> str:
    from claimtrack.domain.distribution import value_summary

    return value_summary(c.question_type, value, c.unit)


def question_line(c: ClaimSummary) -> str:
    """A non-binary claim's distribution as the lists show it, with whose it is."""
    from claimtrack.domain.distribution import summary

    if c.distribution is None:
        return f"{KIND_LABELS[c.question_type]}: no forecast yet"
    who = f" ({c.distribution_by})" if c.distribution_by else ""
    return summary(c.question_type, c.options, c.distribution, c.unit) + who


def _asks(c: ClaimSummary) -> str:
    if c.question_type == "choice":
        return "one of " + " | ".join(c.options) + (" (ordered)" if c.ordered else "")
    if c.question_type == "date":
        return "a date"
    return "a quantity" + (f" in {c.unit}" if c.unit else "") + (" (log scale)" if c.log_scale else "")


def _forecast_text(c: ClaimSummary, f) -> str:
    if f.distribution is None:
        return _pct(f.probability)
    from claimtrack.domain.distribution import summary

    return summary(c.question_type, c.options, f.distribution, c.unit)


def claim_detail(detail: ClaimDetail):
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    c = detail.claim
    now = utcnow()
    head = Text()
    head.append(f"#{c.id} ", style="bold cyan")
    head.append(printable(c.statement), style="bold")
    info = Table.grid(padding=(0, 2))
    info.add_column(style="dim")
    info.add_column()
    info.add_row("source", lit(c.source or "-"))
    if c.source_url:
        info.add_row("link", lit(c.source_url))
    info.add_row("made", lit(format_datetime(c.stated_at)))
    info.add_row("logged", lit(format_datetime(c.recorded_at)))
    info.add_row("due", due_text(c, now))
    info.add_row("tags", lit(", ".join(c.tags) or "-"))
    if c.question_type != "binary":
        info.add_row("asks", lit(_asks(c)))
    resolved = c.outcome and f"resolved {c.outcome}"
    if c.outcome == "value" and detail.resolutions and detail.resolutions[-1].value is not None:
        resolved = f"resolved: {_value(c, detail.resolutions[-1].value)}"
    info.add_row("status", lit(resolved or ("open" if c.status == "active" else c.status)))
    info.add_row("uuid", lit(c.uuid))
    parts = [head, info]
    if c.hidden:
        parts += [Text(hidden_note(c.hidden), style="yellow")]
    if detail.details:
        parts += [Text(""), lit(detail.details)]
    current = {f.id for f in detail.current_forecasts().values()}
    fc = _section("Forecasts", ("when", "who", "p", "kind", "rationale", "flags"))
    for f in detail.forecasts:
        flags = [w for w, on in (("current", f.id in current), ("backfilled", f.backfilled),
                                 ("after resolution", f.after_resolution)) if on]
        if f.recorded_by:
            flags.append(f"recorded by {printable(f.recorded_by)}")
        fc.add_row(format_datetime(f.made_at), lit(f.forecaster), lit(_forecast_text(c, f)), lit(kind_text(f)),
                   lit(f.rationale or ""), ", ".join(flags))
    parts += [Text(""), fc]
    if detail.resolutions:
        rs = _section("Resolutions (last is current)", ("resolved", "outcome", "note", "evidence", "logged"))
        for r in detail.resolutions:
            outcome = _value(c, r.value) if r.value is not None else r.outcome
            rs.add_row(format_datetime(r.resolved_at), lit(outcome), lit(r.note or ""), lit(r.evidence_url or ""),
                       format_datetime(r.recorded_at))
        parts += [Text(""), rs]
    if detail.edits:
        es = _section("History", ("when", "field", "from", "to", "by"))
        for e in detail.edits:
            es.add_row(format_datetime(e.edited_at), lit(e.field), lit(e.old_value or ""), lit(e.new_value or ""),
                       lit(e.edited_by or ""))
        parts += [Text(""), es]
    return Group(*parts)


def kind_text(f) -> str:
    """'own', 'stated', 'implied ("probably")', 'asserted', 'crowd'."""
    return f'{f.kind} ("{f.basis}")' if f.kind == "implied" and f.basis else f.kind


def _section(title: str, columns: tuple[str, ...]):
    """A titled table of one claim's records, long cells folded."""
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    return table
