"""``claimtrack digest``: what changed since a moment, for cron and mail."""

from __future__ import annotations

import click

from claimtrack.cli import common


@click.command(epilog="""\b
Examples:
  claimtrack digest                         # the last week (--since 1w)
  claimtrack digest --since 30d --format md
  claimtrack digest --since 2026-11-01 --format json
  claimtrack digest | mail -s "claimtrack this week" me@example.com
""")
@click.option("--since", "since", default="1w", show_default=True, metavar="WHEN",
              help="1w, 2w, 30d, 3m, 1y (that long ago) or a date such as 2026-11-01.")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json"]), default="text", show_default=True,
              help="Plain text (no colour), Markdown or JSON.")
@click.option("--stale-days", type=int, metavar="DAYS",
              help="Your forecast on an open claim is stale after DAYS days (default: the stale_days setting, else 30).")
@click.pass_context
def digest(ctx, since, fmt, stale_days):
    """What changed: claims resolved (with notes and evidence), new claims and drafts,
    stale forecasts, what needs attention, and the change in your Brier score.

    A resolution counts when it was recorded in the window, so one typed in
    this week is news this week whatever its date.  The score change compares
    your Brier (final forecasts, 0-1, lower is better) over every claim
    resolved now with the same over the claims resolved before the window.
    Plain text never carries colour or escape sequences, so the output suits
    cron mail; empty sections are left out.
    """
    from claimtrack.db import outputs
    from claimtrack.domain.dates import user_timezone, utcnow
    from claimtrack.domain.review import since_start
    from claimtrack.domain.review import stale_days as check_days
    from claimtrack.reports.digest import render
    from claimtrack.services.config import current_user
    from claimtrack.services.digest import build_digest

    now = utcnow()
    start = since_start(since, now, user_timezone())
    days = check_days(stale_days) if stale_days is not None else None
    db = common.ledger(ctx, create=False)
    outputs.check_stdout(db.location.path)
    click.echo(render(build_digest(db, current_user(), start, now=now, stale_days=days), fmt), nl=False)
