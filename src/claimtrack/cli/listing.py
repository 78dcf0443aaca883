"""Read commands: list, show, due."""

from __future__ import annotations

import click

from claimtrack.cli import common
from claimtrack.domain.filters import ClaimFilter, normalise_tags

filter_options = [
    click.option("--open", "state", flag_value="open", help="Open claims (the default)."),
    click.option("--resolved", "state", flag_value="resolved", help="Resolved claims, newest first."),
    click.option("--due", "state", flag_value="due", help="Open claims due within --within (overdue included)."),
    click.option("--overdue", "state", flag_value="overdue", help="Open claims past their resolve-by date."),
    click.option("--all", "state", flag_value="all", help="Every claim, open or resolved."),
    click.option("--drafts", "state", flag_value="draft", help="Drafts waiting in the inbox."),
    click.option("--tag", "tags", multiple=True, metavar="TAG", help="Only claims with this tag (repeatable: all must match)."),
    click.option("--by", "source", metavar="SOURCE", help="Only claims made by this source."),
    click.option("--forecaster", metavar="NAME", help="Only claims this person forecast."),
    click.option("--search", metavar="TEXT", help="Text in the statement, source or tags."),
    click.option("--since", metavar="DATE", help="Claims made on or after DATE."),
    click.option("--until", metavar="DATE", help="Claims made on or before DATE."),
    click.option("--within", metavar="DAYS", default="7", show_default=True, help="What 'due soon' means, in days."),
]


def with_filters(func):
    for option in reversed(filter_options):
        func = option(func)
    return func


def build_filter(state, tags, source, forecaster, search, since, until, within) -> ClaimFilter:
    from datetime import timedelta

    from claimtrack.domain.errors import InvalidInput

    try:
        days = float(within)
        if not 0 <= days <= 36500:
            raise ValueError
    except ValueError:
        raise InvalidInput(f"invalid --within '{within}': use a number of days such as 7") from None
    return ClaimFilter(
        state=state or "open", tags=normalise_tags(tags), source=source, forecaster=forecaster,
        search=search, since=common.date(since, "made"), until=common.date(until, "due"),
        due_within=timedelta(days=days),
    )


@click.command("list", epilog="""\b
Examples:
  claimtrack list                      # open claims, due soonest first
  claimtrack list --overdue
  claimtrack list --resolved --tag openai --since 2024-01
  claimtrack list --all --search "gpt-4" --json
""")
@with_filters
@click.option("--sort", type=click.Choice(["due", "made", "recorded", "id", "probability", "resolved", "source", "statement"]),
              help="Sort column (default: due date; resolved date for --resolved).")
@click.option("--desc", is_flag=True, help="Sort descending.")
@click.option("--limit", type=click.IntRange(1, 2**31 - 1), help="At most this many claims.")
@common.output_options
@click.pass_context
def list_(ctx, state, tags, source, forecaster, search, since, until, within, sort, desc, limit, as_json, as_csv):
    """List claims: open ones by default, due soonest first."""
    from claimtrack.services.config import current_user
    from claimtrack.services.queries import iter_claims, list_claims

    flt = build_filter(state, tags, source, forecaster, search, since, until, within)
    me = current_user()
    db = common.ledger(ctx)
    if as_json:  # streamed: every open claim of a big ledger is megabytes of JSON
        n = common.echo_json_list(iter_claims(db, flt, limit=limit, sort=sort, descending=desc, me=me))
        if not n:
            common.warn_unknown_names(db, source=source, forecaster=forecaster, tags=tags)
        return
    claims = list_claims(db, flt, limit=limit, sort=sort, descending=desc, me=me)
    if as_csv:
        rows = [common.to_plain(c) for c in claims]
        for row in rows:
            row["tags"] = ";".join(row["tags"])
        common.echo_csv(rows)
    elif not claims:
        click.echo(f"no {flt.state} claims" + (" match" if any([tags, source, forecaster, search, since, until]) else ""))
    else:
        from claimtrack.cli.render import claim_table

        common.console().print(claim_table(claims, width=common.console().width, me=me))
    if not claims:
        common.warn_unknown_names(db, source=source, forecaster=forecaster, tags=tags)


@click.command(epilog="""\b
Examples:
  claimtrack show 12
  claimtrack show 12 --json
""")
@click.argument("claim_id")
@common.json_option
@click.pass_context
def show(ctx, claim_id, as_json):
    """Show a claim with every forecast, resolution and edit."""
    from claimtrack.services.config import current_user
    from claimtrack.services.queries import get_claim

    detail = get_claim(common.ledger(ctx), common.claim_id(claim_id), current_user())
    if as_json:
        plain = common.to_plain(detail)
        plain["current_forecasts"] = common.to_plain(list(detail.current_forecasts().values()))
        common.echo_json(plain)
    else:
        from claimtrack.cli.render import claim_detail

        common.console().print(claim_detail(detail))


@click.command(epilog="""\b
Examples:
  claimtrack due                 # exit status 1 when something is overdue
  claimtrack due --within 14 --json
  claimtrack due -q --notify      # a desktop notification (notify-send, osascript) when something is due
""")
@click.option("--within", metavar="DAYS", default="7", show_default=True, help="What 'due soon' means, in days.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing; just set the exit status.")
@click.option("--notify", is_flag=True,
              help="Also show a desktop notification when something is due (notify-send on Linux, osascript on "
                   "macOS); where there is none, one line on stderr says why.")
@common.json_option
@click.pass_context
def due(ctx, within, quiet, notify, as_json):
    """Overdue and soon-due claims.  Exit status 1 when anything is overdue, else 0."""
    from claimtrack.services.config import current_user
    from claimtrack.services.queries import due_summary

    flt = build_filter("open", (), None, None, None, None, None, within)
    me = current_user()
    summary = due_summary(common.ledger(ctx), flt, me=me)
    if as_json:
        common.echo_json({"overdue": summary.overdue, "due_soon": summary.due_soon})
    elif not quiet:
        from claimtrack.cli.render import claim_table

        out = common.console()
        if summary.overdue:
            out.print(claim_table(summary.overdue, title=f"Overdue ({len(summary.overdue)})", width=out.width, me=me))
        if summary.due_soon:
            out.print(claim_table(summary.due_soon, title=f"Due within {within} days ({len(summary.due_soon)})",
                                  width=out.width, me=me))
        if not summary.overdue and not summary.due_soon:
            click.echo(f"nothing overdue or due within {within} days")
    if notify:
        from claimtrack.cli import notify as desktop

        message = desktop.due_message(summary.overdue, summary.due_soon, within)
        why_not = desktop.send(*message) if message is not None else None
        if why_not:
            click.echo(f"claimtrack: cannot show a desktop notification: {common.printable(why_not)}", err=True)
    if summary.overdue:
        ctx.exit(1)
