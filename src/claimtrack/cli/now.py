"""A bare ``claimtrack``: what matters now, or the review UI in a terminal."""

from __future__ import annotations

import os
import sys

import click

from claimtrack.cli import common


def show_now(db) -> int:
    """Print overdue and soon-due claims and a one-line score; returns the overdue count."""
    from claimtrack.cli.render import claim_table
    from claimtrack.services.config import current_user
    from claimtrack.services.queries import due_summary

    me = current_user()
    summary = due_summary(db, limit=10, me=me)
    out = common.console()
    if summary.overdue:
        out.print(claim_table(summary.overdue, title=f"Overdue: resolve these ({len(summary.overdue)})",
                              width=out.width, me=me))
    if summary.due_soon:
        out.print(claim_table(summary.due_soon, title=f"Due within 7 days ({len(summary.due_soon)})",
                              width=out.width, me=me))
    click.echo(score_line(db, summary))
    if not summary.overdue and not summary.due_soon:
        click.echo("nothing overdue or due this week; 'claimtrack list' shows every open claim")
    return len(summary.overdue)


def score_line(db, summary=None) -> str:
    """'6 open, 16 resolved | Brier 0.186 ...': counts and the headline score."""
    from claimtrack.services.config import current_user
    from claimtrack.services.queries import due_summary
    from claimtrack.services.scoring import headline

    summary = summary or due_summary(db, limit=1)
    line = f"{summary.n_open} open, {summary.n_resolved} resolved"
    if summary.n_drafts:
        line += f", {summary.n_drafts} in the inbox"
    score = headline(db, current_user())
    return f"{line} | {score}" if score else line


def _interactive() -> bool:
    if os.environ.get("CLAIMTRACK_NO_TUI"):
        return False
    return sys.stdin.isatty() and sys.stdout.isatty() and os.environ.get("TERM", "") not in ("", "dumb")


@click.command()
@click.pass_context
def bare(ctx):
    """What matters now."""
    if _interactive():
        try:
            from claimtrack.cli.tuicmd import open_tui
        except ModuleNotFoundError:
            open_tui = None
        if open_tui is not None:
            open_tui(ctx)
            return
    show_now(common.ledger(ctx))
