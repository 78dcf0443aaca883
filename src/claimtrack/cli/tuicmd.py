"""``claimtrack tui``: open the review UI on the ledger the CLI would use."""

from __future__ import annotations

import click

from claimtrack.cli import common


def open_tui(ctx: click.Context) -> None:
    """Run the review UI (also what a bare ``claimtrack`` does in a terminal)."""
    from claimtrack.services.store import check_exists, locate, open_ledger

    location = locate(common.db_option(ctx))
    if check_exists(location, write=True):  # no ledger anywhere: create the user data one, and say so
        open_ledger(location, write=True, notify=common.note).dispose()
    from claimtrack.tui.app import create_app

    app = create_app(common.db_option(ctx), review=True)  # opens on the review queue when anything needs attention
    app.run()
    if app.return_code:
        ctx.exit(app.return_code)


@click.command(epilog="""\b
It opens on the review queue (overdue, due soon, stale, drafts) when anything needs attention.
Keys: review: y/n/a/v resolve, f forecast, d defer, s skip, t the table;
      claims: a add, f forecast, r resolve, e edit, / filter, [ ] switch open/due/resolved/all/inbox,
      0 review, 1 claims, 2 calibration, 3 sources, ctrl+p command palette, ? help, q quit.
\b
Examples:
  claimtrack tui
  claimtrack --db ~/notes/claims.db tui
""")
@click.pass_context
def tui(ctx: click.Context) -> None:
    """Open the review UI: review, add, forecast, resolve and score claims."""
    from claimtrack.domain.errors import InvalidInput

    if not has_terminal():
        raise InvalidInput("the review UI needs a terminal (stdin and stdout are not one): "
                           "in scripts use 'claimtrack list', 'claimtrack due' or 'claimtrack report'")
    open_tui(ctx)


def has_terminal() -> bool:
    import sys

    return sys.stdin.isatty() and sys.stdout.isatty()
