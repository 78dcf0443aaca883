"""``claimtrack hide-forecasts``: the ledger's and a claim's hidden-forecasts setting."""

from __future__ import annotations

import click

from claimtrack.cli import common


@click.command("hide-forecasts", epilog="""\b
Examples:
  claimtrack hide-forecasts ledger on     # every claim, unless a claim says otherwise
  claimtrack hide-forecasts 12 on         # just claim 12
  claimtrack hide-forecasts 12 ledger     # claim 12 follows the ledger again
  claimtrack hide-forecasts ledger        # show the ledger's setting
""")
@click.argument("target", metavar="ledger|CLAIM_ID")
@click.argument("state", metavar="on|off|ledger", required=False)
@click.pass_context
def hide_forecasts(ctx, target, state):
    """Hide other people's forecasts on a claim until you have forecast on it or it resolves.

    Your own forecasts, the ones you recorded and the claimant's own call
    stay visible; list shows 'N hidden' in the others column and show says
    how many are hidden.  Reports (resolved claims) are unaffected.  Not
    access control: anyone who can read the database can read every row.
    """
    from claimtrack.services import hidden

    is_ledger = target.strip().lower() == "ledger"
    cid = None if is_ledger else common.claim_id(target)
    value = None if state is None else hidden.parse_state(state, claim=not is_ledger)
    db = common.ledger(ctx, create=False, write=state is not None)
    if state is None:
        with db.read() as session:
            on = hidden.ledger_hides(session)
            if cid is not None:
                from claimtrack.db import models as m
                from sqlalchemy import select

                own = session.execute(select(m.claims.c.hide_forecasts).where(m.claims.c.id == cid)).first()
                if own is None:
                    from claimtrack.domain.errors import NotFound

                    raise NotFound(f"no claim {cid}")
                if own[0] is not None:
                    click.echo(f"claim {cid}: {'on' if own[0] else 'off'} (its own setting)")
                    return
                click.echo(f"claim {cid}: {'on' if on else 'off'} (the ledger's setting)")
                return
        click.echo(f"ledger: {'on' if on else 'off'}")
        return
    if is_ledger:
        hidden.set_ledger(db, bool(value))
        click.echo(f"ledger: hide forecasts {'on' if value else 'off'}")
    else:
        hidden.set_claim(db, cid, value)
        said = "as the ledger says" if value is None else ("on" if value else "off")
        click.echo(f"claim {cid}: hide forecasts {said}")
