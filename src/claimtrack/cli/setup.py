"""Setting up and looking after the ledger: init, demo, db, verify."""

from __future__ import annotations

from pathlib import Path

import click

from claimtrack.cli import common
from claimtrack.domain.errors import Conflict, InvalidInput


def _target(ctx) -> "object":
    """The location init/demo write to: --db / CLAIMTRACK_DB if given, else ./claims.db."""
    import os

    from claimtrack.db.location import DB_FILENAME, ENV_DB, from_value

    option = common.db_option(ctx)
    if option:
        return from_value(option, "--db")
    if os.environ.get(ENV_DB):
        return from_value(os.environ[ENV_DB], ENV_DB)
    return from_value(str(Path.cwd() / DB_FILENAME), "./claims.db")


def _has_claims(location) -> bool:
    from sqlalchemy import create_engine, text

    if location.path is not None and not location.path.exists():
        return False
    engine = create_engine(location.url)
    try:
        with engine.connect() as conn:
            return bool(conn.execute(text("SELECT 1 FROM claims LIMIT 1")).first())
    except Exception:
        return location.path is not None and location.path.stat().st_size > 0
    finally:
        engine.dispose()


@click.command(epilog="Example:\n\n  claimtrack init && claimtrack add \"...\" -p 70%")
@click.pass_context
def init(ctx):
    """Create an empty ledger in ./claims.db (or at --db / $CLAIMTRACK_DB)."""
    from claimtrack.db.migrate import open_database

    location = _target(ctx)
    if location.path is not None and location.path.exists():
        raise Conflict(f"{location.path} already exists: nothing to do")
    open_database(location).dispose()
    click.echo(f"created {location.display()}")


@click.command(epilog="Example:\n\n  claimtrack demo && claimtrack report")
@click.option("--force", is_flag=True, help="Replace an existing ledger (it is backed up first).")
@click.option("--quiet", is_flag=True, help="Do not show the ledger afterwards.")
@click.pass_context
def demo(ctx, force, quiet):
    """Write an example ledger (an analyst's claims about OpenAI, 2023-25) and show it."""
    from claimtrack.db.migrate import open_database
    from claimtrack.services.demo import load_demo

    location = _target(ctx)
    if _has_claims(location):
        if not force:
            raise Conflict(f"{location.display()} already holds claims: use --force to replace it (it is backed up first)")
        from claimtrack.services.restore import replace_with_demo

        replaced = replace_with_demo(location)
        click.echo(f"moved the old ledger aside: it is kept as {replaced.saved}", err=True)
        db = open_database(location)
        ctx.find_root().obj["db"] = db
        ctx.call_on_close(db.dispose)
        click.echo(f"wrote {replaced.claims} example claims to {location.display()}")
    else:
        db = open_database(location)
        ctx.find_root().obj["db"] = db
        ctx.call_on_close(db.dispose)
        summary = load_demo(db)
        click.echo(f"wrote {summary.claims_added} example claims and {summary.forecasts_added} forecasts "
                   f"to {location.display()}")
    if not quiet:
        _show_demo(db)


def _show_demo(db) -> None:
    from claimtrack.cli.now import score_line
    from claimtrack.cli.render import claim_table
    from claimtrack.domain.filters import ClaimFilter
    from claimtrack.services.config import current_user
    from claimtrack.services.queries import list_claims

    out = common.console()
    me = current_user()
    open_claims = list_claims(db, ClaimFilter(state="open"), me=me)
    resolved = list_claims(db, ClaimFilter(state="resolved"), limit=5, me=me)
    out.print(claim_table(open_claims, title=f"Open claims ({len(open_claims)}), due soonest first: "
                          f"yours ({me}) beside the claimant's call", width=out.width, me=me))
    out.print(claim_table(resolved, title="Recently resolved", width=out.width, me=me))
    click.echo(score_line(db))
    click.echo("next: 'claimtrack show 4' (a claim's history), 'claimtrack report', "
               "'claimtrack tui' (the review UI), 'claimtrack --help'")


@click.group(cls=common.SuggestingGroup, epilog="Examples:\n\n  claimtrack db path\n\n  claimtrack db backup ~/claims-backup.db\n\n"
                    "  claimtrack db restore ~/claims-backup.db")
def db():
    """Where the ledger is, its schema, backups and restores."""


@db.command("path", epilog="Example:\n\n  CLAIMTRACK_DB=~/team.db claimtrack db path")
@click.pass_context
def db_path(ctx):
    """Print the ledger in use; how it was found goes to stderr."""
    from claimtrack.services.store import locate, missing

    location = locate(common.db_option(ctx))
    click.echo(location.display())
    state = "; it does not exist yet" if missing(location) else ""
    click.echo(f"({location.explain()}{state})", err=True)


@db.command("upgrade", epilog="Example:\n\n  claimtrack --db old-claims.db db upgrade")
@click.pass_context
def db_upgrade(ctx):
    """Upgrade the ledger's schema to this version (backs up a file ledger first)."""
    from claimtrack.db.engine import describe_failure
    from claimtrack.db.location import scrub
    from claimtrack.db.migrate import SCHEMA_HEAD, connect, upgrade
    from claimtrack.domain.errors import LedgerError, LedgerUnavailable
    from claimtrack.services.store import check_exists, locate

    location = locate(common.db_option(ctx))
    check_exists(location, write=False)
    database, before = connect(location, create=False)  # refuses a newer schema, another program's database
    try:
        if before == SCHEMA_HEAD:
            from claimtrack.services.guards import repair_current_forecasts, repair_guards

            repaired = repair_guards(database)
            rebuilt = repair_current_forecasts(database)
            click.echo(f"already at schema {SCHEMA_HEAD}"
                       + (f"; re-installed {repaired} missing append-only triggers" if repaired else "")
                       + ("; rebuilt the current-forecast cache from the forecasts" if rebuilt else ""))
            return
        database.refuse_if_read_only()
        try:
            saved = upgrade(database)
        except LedgerError:
            raise
        except Exception as exc:
            reason = scrub(describe_failure(exc) or str(exc).splitlines()[0], location.url)
            raise LedgerUnavailable(f"cannot upgrade ledger {location.display()}: {reason}") from None
        click.echo(f"upgraded {before or 'empty'} -> {SCHEMA_HEAD}" + (f" (backup: {saved})" if saved else ""))
    finally:
        database.dispose()


@db.command("backup", epilog="Examples:\n\n  claimtrack db backup\n\n  claimtrack db backup ~/backups/claims-$(date +%F).db")
@click.argument("dest", required=False, type=click.Path(path_type=Path))
@click.pass_context
def db_backup(ctx, dest):
    """Make a consistent copy of a live SQLite ledger (default: beside it, dated; a folder: dated inside it).

    The copy is private (0600) and never replaces an existing file.
    """
    from claimtrack.db.backup import backup_path_for, backup_sqlite

    database = common.ledger(ctx, create=False)
    location = database.location
    if location.path is None:
        import shlex

        from claimtrack.db.location import libpq_url

        click.echo("this ledger is on a PostgreSQL server: back it up with pg_dump (it reads the password "
                   "from ~/.pgpass or $PGPASSWORD):\n"
                   f"  pg_dump --format=custom --file claims.dump {shlex.quote(libpq_url(location.url))}")
        return
    target = dest or backup_path_for(location.path, "backup")
    if target.is_dir():
        target = backup_path_for(target / location.path.name, "backup")
    saved = backup_sqlite(location.path, target)
    click.echo(str(saved))


@db.command("restore", epilog="Example:\n\n  claimtrack db restore claims.db.backup-20261130T101500.000000Z-4242.bak")
@click.argument("backup", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def db_restore(ctx, backup):
    """Replace the ledger's content with BACKUP's, after checking BACKUP (SQLite ledgers).

    BACKUP must be a claimtrack ledger that passes SQLite's integrity check
    and 'claimtrack verify'.  The ledger is rewritten in place under its
    write lock (safe while others have it open); what it held is kept as a
    dated .bak beside it.
    """
    from claimtrack.services.restore import PG_RESTORE_HINT, restore_ledger
    from claimtrack.services.store import locate

    location = locate(common.db_option(ctx))
    if location.path is None:
        raise InvalidInput(PG_RESTORE_HINT)
    replaced = restore_ledger(location, backup)
    click.echo(f"restored {location.display()} from {backup}: {replaced.claims} claims, "
               f"{replaced.chain_rows} forecasts and resolutions, chains verified")
    click.echo(f"the replaced ledger is kept as {replaced.saved}", err=True)


@click.command(epilog="Examples:\n\n  claimtrack verify || echo 'the ledger was altered'\n\n"
               "  claimtrack verify --expect forecasts:0123456789abcdef --expect resolutions:fedcba9876543210")
@common.json_option
@click.option("--expect", "pins", multiple=True, metavar="CHAIN:HEAD",
              help="A chain head noted earlier (as verify or a report prints it; 16+ hex digits): "
                   "fail if it is no longer in its chain (rows cut from the end). Repeatable.")
@click.pass_context
def verify(ctx, as_json, pins):
    """Check the hash chains and every claim against them; exit 1 naming the first problem.

    Forecasts, resolutions, claims as created and claim edits are chained;
    each claim, its tags and its cached outcome and newest forecast must be
    what its chained rows give.  The heads printed last can be pinned with
    --expect later to detect rows cut from the end of a chain.
    """
    from claimtrack.services.guards import check_guards
    from claimtrack.services.verify import verify_ledger
    from claimtrack.services.verify_claims import check_pins, head_label, parse_pins

    wanted = parse_pins(pins)
    database = common.ledger(ctx, create=False)
    reports = verify_ledger(database)
    pinned = check_pins(database, wanted)
    guards = check_guards(database)
    if as_json:
        common.echo_json([{**common.to_plain(r), "ok": r.ok} for r in reports]
                         + [{**common.to_plain(p), "ok": p.ok} for p in pinned]
                         + [{**common.to_plain(guards), "rows": guards.expected, "head": None,
                             "problem": guards.problem, "ok": guards.ok}])
    else:
        for r in reports:
            if r.head is None:
                if r.ok:
                    click.echo(f"{r.table}: {r.rows} rows, each matches its chained record, edits, tags, "
                               "forecasts and resolutions")
                else:
                    for problem in r.problems:
                        click.echo(f"{r.table}: {problem}")
                    if r.n_problems > len(r.problems):
                        click.echo(f"{r.table}: ... {r.n_problems - len(r.problems)} more problems")
            elif r.ok:
                click.echo(f"{r.table}: {r.rows} rows, chain intact, head {r.head[:16]}")
        for p in pinned:
            if p.ok:
                click.echo(f"pinned {p.expected}: still in the {p.table} chain ({p.rows_since} rows added since)")
        if guards.ok:
            click.echo(f"{guards.table}: all {guards.expected} in place")
        else:
            click.echo(guards.problem)
        click.echo("heads: " + " ".join(head_label(r.table, r.head) for r in reports if r.head is not None))
    broken = [r for r in reports if not r.ok]
    claims = next((r for r in reports if getattr(r, "orphans", 0)), None)
    if claims is not None:  # a deleted claim explains the chain links it breaks: say so first
        broken.insert(0, claims)
    problems = [r.problem for r in broken] + [p.problem for p in pinned if not p.ok]
    problems += [guards.problem] * (not guards.ok)
    if problems:
        total = (sum(getattr(r, "n_problems", 1) for r in reports if not r.ok) + sum(not p.ok for p in pinned)
                 + (not guards.ok))
        more = f" ({total - 1} more problems{'' if as_json else ' listed above'})" if total > 1 else ""
        raise click.ClickException(problems[0] + more)
