"""The ``claimtrack`` command.

Subcommands live in their own modules and are imported only when invoked,
so a quick command pays for nothing it does not use (no textual, alembic,
matplotlib or jinja2 on the quick path).
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from claimtrack import __version__
from claimtrack.cli.common import SuggestingGroup

# name -> (module, attribute, one-line help shown in `claimtrack --help`)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "add": ("claimtrack.cli.claims", "add", "Log a claim with your probability and/or the claimant's."),
    "forecast": ("claimtrack.cli.claims", "forecast", "Add a forecast (an update) to a claim."),
    "resolve": ("claimtrack.cli.claims", "resolve", "Resolve a claim yes, no, ambiguous or void."),
    "edit": ("claimtrack.cli.claims", "edit", "Edit a claim's statement, source, dates or tags (kept as history)."),
    "list": ("claimtrack.cli.listing", "list_", "List claims (open ones by default)."),
    "show": ("claimtrack.cli.listing", "show", "Show a claim with every forecast, resolution and edit."),
    "due": ("claimtrack.cli.listing", "due", "Overdue and soon-due claims; exit 1 if anything is overdue."),
    "inbox": ("claimtrack.cli.inbox", "inbox", "Draft claims found by imports, waiting to be accepted or rejected."),
    "accept": ("claimtrack.cli.inbox", "accept", "Accept a draft claim from the inbox."),
    "reject": ("claimtrack.cli.inbox", "reject", "Reject a draft claim from the inbox."),
    "unreject": ("claimtrack.cli.inbox", "unreject", "Restore a rejected draft to the inbox."),
    "report": ("claimtrack.cli.report", "report", "Calibration report: Brier, log score, calibration table, trend."),
    "import": ("claimtrack.cli.io", "import_", "Import claims and forecasts from a file."),
    "export": ("claimtrack.cli.io", "export", "Export the whole ledger as JSON or CSV."),
    "init": ("claimtrack.cli.setup", "init", "Create an empty ledger, ./claims.db."),
    "demo": ("claimtrack.cli.setup", "demo", "Write an example ledger to ./claims.db and show it."),
    "db": ("claimtrack.cli.setup", "db", "Where the ledger is, its schema, backups and restores."),
    "verify": ("claimtrack.cli.setup", "verify", "Check the tamper-evident hash chain of forecasts and resolutions."),
    "tui": ("claimtrack.cli.tuicmd", "tui", "Open the review UI."),
    "people": ("claimtrack.cli.people", "people", "Everyone's track record: sources on their own calls, you vs them."),
    "config": ("claimtrack.cli.people", "config", "Your name and other settings in the config file."),
    "digest": ("claimtrack.cli.digest", "digest", "What changed since a moment (--since 1w): for cron and mail."),
    "review": ("claimtrack.cli.review", "review", "Walk what needs attention, one prompt per claim (no UI needed)."),
}


# Commands that open the ledger through common.ledger(), which ends the
# startup pause of the garbage collector (see main); any other command ends
# it as soon as it is looked up.
QUICK = frozenset({"add", "forecast", "resolve", "edit", "list", "show", "due", "inbox", "accept", "reject", "unreject"})


class LazyGroup(SuggestingGroup):
    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        spec = COMMANDS.get(name)
        if name not in QUICK:
            from claimtrack.cli.common import end_startup

            end_startup()
        if spec is None:
            return None
        try:
            module = importlib.import_module(spec[0])
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("claimtrack.cli"):
                return None  # a command whose module is not built yet
            raise
        return getattr(module, spec[1])

    def format_commands(self, ctx, formatter):
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


HELP = """Log claims with probabilities, resolve them, and score your calibration.

Run bare, it shows what matters now: overdue claims, claims due soon and a
one-line score (in a terminal, once set up, it opens the review UI).

\b
Examples:
  claimtrack demo                        # an example ledger in ./claims.db
  claimtrack add "OpenAI ships its own chip by 2026" -p 60% --by "Ben Thompson" --their likely --due eoy
  claimtrack forecast 3 0.7 --note "new reporting"
  claimtrack resolve 3 yes --note "announced" --url https://example.com
  claimtrack people                      # who turned out right: sources, forecasters, you
  claimtrack report --format html --out report.html
"""


@click.group(cls=LazyGroup, invoke_without_command=True, help=HELP,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--db", "db_option", metavar="PATH|URL", envvar=None,
              help="Ledger to use (a file or an SQLAlchemy URL). Default: $CLAIMTRACK_DB, "
                   "else ./claims.db or one in a parent folder, else the user data folder.")
@click.version_option(__version__, "--version", prog_name="claimtrack")
@click.pass_context
def cli(ctx: click.Context, db_option: str | None) -> None:
    ctx.ensure_object(dict)
    ctx.obj["db_option"] = db_option
    if ctx.invoked_subcommand is None:
        from claimtrack.cli.common import end_startup
        from claimtrack.cli.now import bare

        end_startup()
        ctx.invoke(bare)


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the CLI with one-line errors and meaningful exit codes."""
    from claimtrack.cli.common import end_startup, pause_gc_for_startup
    from claimtrack.cli.errors import run

    pause_gc_for_startup()
    try:
        code = run(cli, argv, prog_name=os.environ.get("CLAIMTRACK_PROG", "claimtrack"))
    finally:
        end_startup()
    sys.exit(code)
