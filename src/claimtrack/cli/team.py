"""``claimtrack team``: roles and members of a team ledger on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import click

from claimtrack.cli import common


@click.group(cls=common.SuggestingGroup, epilog="""\b
Examples:
  claimtrack team init --dry-run           # print the SQL it would run
  claimtrack team init
  claimtrack team add "Priya Shah" --role member
  claimtrack team add auditor --role viewer
  claimtrack team list
""")
def team():
    """Roles on a shared PostgreSQL ledger: owner, member, viewer (see 'Team ledgers' in the README)."""


def _run(action):
    from claimtrack.domain.errors import LedgerUnavailable
    from claimtrack.services.team import describe

    try:
        return action()
    except Exception as exc:
        reason = describe(exc)
        if reason is None:
            raise
        raise LedgerUnavailable(f"team: {reason}; nothing was changed") from None


@team.command("init")
@click.option("--dry-run", is_flag=True, help="Print the SQL and change nothing.")
@click.option("--prefix", metavar="NAME", help="Prefix of the group roles (default: the database's name).")
@click.option("--name", "owner_name", metavar="NAME", help="Your name on the ledger (default: your configured name).")
@click.pass_context
def team_init(ctx, dry_run, prefix, owner_name):
    """Create the ledger's owner, member and viewer roles, grants and identity triggers.

    Run once, as the ledger's owner (the login that created it; it needs
    CREATEROLE).  Safe to run again.
    """
    from claimtrack.services.config import current_user
    from claimtrack.services.team import init_team, plan_init

    db = common.ledger(ctx, create=False, write=not dry_run)
    if dry_run:
        plan = plan_init(db, prefix)
        for stmt in plan.statements:
            click.echo(stmt.rstrip() + ";")
        return
    plan = _run(lambda: init_team(db, owner_name or current_user(), prefix))
    roles = plan.roles
    click.echo(f"team roles ready: {roles['owner']} (you), {roles['member']} (add, forecast, resolve, edit), "
               f"{roles['viewer']} (read only)")
    click.echo("next: claimtrack team add NAME --role member|viewer")


@team.command("add")
@click.argument("name")
@click.option("--role", "role", type=click.Choice(["member", "viewer"]), required=True,
              help="member: add, forecast, resolve, edit; viewer: read only.")
@click.option("--login", metavar="ROLE", help="The PostgreSQL login role (default: made from NAME).")
@click.option("--pgpass-file", "pgpass", metavar="PATH", type=click.Path(path_type=Path),
              help="Where to write the new login's password, as a ~/.pgpass line (default: ./LOGIN.pgpass).")
@click.pass_context
def team_add(ctx, name, role, login, pgpass):
    """Create a login role for NAME (a member's forecasts carry NAME) and print how they connect.

    The password is written to a private file (a ~/.pgpass line), never printed
    and never put in a URL, so it stays out of shell history and process lists.
    """
    from claimtrack.db import outputs
    from claimtrack.db.team import role_name
    from claimtrack.domain.errors import Conflict
    from claimtrack.services.team import add_member

    target = pgpass or Path(f"{login or role_name(name) or 'member'}.pgpass")
    if target.exists() or target.is_symlink():  # checked first: a new role's password must have somewhere to go
        raise Conflict(f"{target} already exists: give another --pgpass-file PATH (nothing was changed)")
    outputs.check_target(target, ledger=None)
    db = common.ledger(ctx, create=False, write=True)
    member = _run(lambda: add_member(db, name, role, login))
    click.echo(f"added {member.name} as {member.role} (login role {member.login}"
               + ("" if member.created else ", which already existed: its password is unchanged") + ")")
    if member.pgpass_line is not None:
        outputs.write_outputs({target: (member.pgpass_line + "\n").encode()}, ledger=None, overwrite=False)
        click.echo(f"password: in {target} (readable by you only). Give it to {member.name} privately; they run\n"
                   f"  cat {target.name} >> ~/.pgpass && chmod 600 ~/.pgpass\n"
                   f"then delete {target}.")
    click.echo(f"{member.name} connects with (no password in the URL: libpq reads ~/.pgpass):\n"
               f"  export CLAIMTRACK_DB='{member.url}'")


@team.command("list")
@common.json_option
@click.pass_context
def team_list(ctx, as_json):
    """The ledger's members: login role, name, role."""
    from sqlalchemy import select

    from claimtrack.db import models as m

    db = common.ledger(ctx, create=False)
    with db.read() as session:
        rows = session.execute(select(m.team_members.c.role_name, m.team_members.c.name, m.team_members.c.role)
                               .order_by(m.team_members.c.role, m.team_members.c.name)).all()
    if as_json:
        common.echo_json([{"login": r[0], "name": r[1], "role": r[2]} for r in rows])
        return
    if not rows:
        click.echo("no team members (a single-user ledger; 'claimtrack team init' on PostgreSQL)")
    for login_, name_, role_ in rows:
        click.echo(f"{role_:7} {common.printable(name_)} (login {login_})")
