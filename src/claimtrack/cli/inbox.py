"""The inbox: draft claims that an import found, waiting for a decision."""

from __future__ import annotations

import click

from claimtrack.cli import common
from claimtrack.domain.errors import InvalidInput


@click.command(epilog="Examples:\n\n  claimtrack import notes.md && claimtrack inbox\n\n  claimtrack inbox --rejected")
@click.option("--rejected", is_flag=True, help="List the rejected drafts instead ('claimtrack unreject ID' restores one).")
@common.json_option
@click.pass_context
def inbox(ctx, rejected, as_json):
    """List draft claims (not scored, not listed as open) to accept or reject."""
    from claimtrack.cli.render import claim_table
    from claimtrack.domain.filters import ClaimFilter
    from claimtrack.services.queries import list_claims

    db = common.ledger(ctx)
    if rejected:
        drafts = list_claims(db, ClaimFilter(state="rejected"), sort="made")
    else:
        drafts = list_claims(db, ClaimFilter(state="draft"), sort="made")
    if as_json:
        common.echo_json(drafts)
    elif not drafts:
        click.echo("no rejected drafts" if rejected else "the inbox is empty")
    else:
        out = common.console()
        title = (f"Rejected drafts ({len(drafts)}): claimtrack unreject ID | claimtrack accept ID" if rejected else
                 f"Inbox ({len(drafts)}): claimtrack accept ID [-p P] | claimtrack reject ID")
        out.print(claim_table(drafts, title=title, width=out.width, full=True))


@click.command(epilog="""\b
Examples:
  claimtrack accept 31             # keep the claimant's call the note implied
  claimtrack accept 31 -p 40%      # and add your own forecast, made now
  claimtrack accept 31 -p 40% --made 2023-11-20   # your forecast, backdated (marked backfilled)
""")
@click.argument("claim_id")
@click.option("-p", "--prob", metavar="PROB", help="Your own probability (adds a forecast by you, made now).")
@click.option("--made", metavar="DATE", help="When you made that forecast (default: now).")
@click.option("--statement", metavar="TEXT", help="Reword the statement while accepting (kept as history).")
@click.pass_context
def accept(ctx, claim_id, prob, made, statement):
    """Accept a draft (a rejected one too): it becomes an open claim that is listed and scored."""
    from claimtrack.services.config import current_user
    from claimtrack.services.claim_edits import set_status

    cid = common.claim_id(claim_id)
    p = common.probability(prob) if prob is not None else None
    db = common.ledger(ctx)
    user = current_user()
    made_at = common.date(made, "made")
    if made_at is not None and p is None:
        raise InvalidInput("--made dates your own forecast: give -p with it")
    claim = set_status(db, cid, "active", edited_by=user, probability=p, forecaster=user, statement=statement,
                       made_at=made_at)
    click.echo(f"claim {claim.id}: accepted")


@click.command(epilog="Example:\n\n  claimtrack reject 31")
@click.argument("claim_id")
@click.pass_context
def reject(ctx, claim_id):
    """Reject a draft: it stays in the ledger, marked rejected, and is never scored."""
    _change_status(ctx, claim_id, "rejected", "rejected")


@click.command(epilog="Example:\n\n  claimtrack inbox --rejected && claimtrack unreject 31")
@click.argument("claim_id")
@click.pass_context
def unreject(ctx, claim_id):
    """Restore a rejected draft to the inbox (kept in the claim's history)."""
    _change_status(ctx, claim_id, "draft", "back in the inbox")


def _change_status(ctx, claim_id: str, status: str, done: str) -> None:
    """Move a draft to ``status`` as the current user (kept in its history)."""
    from claimtrack.services.config import current_user
    from claimtrack.services.claim_edits import set_status

    cid = common.claim_id(claim_id)
    set_status(common.ledger(ctx), cid, status, edited_by=current_user())
    click.echo(f"claim {cid}: {done}")
