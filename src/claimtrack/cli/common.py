"""Helpers every command shares: the ledger, parsing with warnings, output."""

from __future__ import annotations

import gc
import sys
from datetime import datetime
from functools import wraps

import click

# the JSON writer (cli/json_out.py); commands call it through this module
from claimtrack.cli.json_out import echo_json, echo_json_list, json_default, to_plain  # noqa: F401
from claimtrack.domain.errors import InvalidInput, NotFound

MAX_CLAIM_ID = 2**31 - 1


class SuggestingGroup(click.Group):
    """A group that answers a mistyped subcommand with "did you mean ..."."""

    def resolve_command(self, ctx, args):
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError:
            name = args[0] if args else ""
            if not name or name.startswith("-"):
                raise
            import difflib

            names = self.list_commands(ctx)
            close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
            if not close:  # a prefix: 'rep' for 'report'
                close = [n for n in names if n.startswith(name[:3])][:3]
            hint = f": did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            raise click.UsageError(f"no such command {printable(name)!r}{hint}", ctx) from None


# Commands that write to the ledger (``import --dry-run`` only reads); the
# rest only read, and a read never creates a ledger.
WRITERS = frozenset({"add", "forecast", "resolve", "edit", "accept", "reject", "unreject", "import", "tui"})


def writes(ctx: click.Context) -> bool:
    """Whether the running command writes to the ledger."""
    if ctx.info_name == "report":
        return bool(ctx.params.get("save"))
    return ctx.info_name in WRITERS and not ctx.params.get("dry_run")


def ledger(ctx: click.Context | None = None, *, create: bool = True, write: bool | None = None):
    """The Database the user means (opened once per command).

    A ledger that does not exist is an error, except for a write with no
    ledger named or found: that creates the user data ledger and says so.
    A read-only ledger serves reads and refuses writes.  ``create=False``
    never creates one."""
    ctx = ctx or click.get_current_context()
    root = ctx.find_root()
    root.ensure_object(dict)
    db = root.obj.get("db")
    if db is None:
        from claimtrack.services.store import open_ledger

        db = root.obj["db"] = open_ledger(root.obj.get("db_option"), create=create,
                                          write=writes(ctx) if write is None else write, notify=note)
        root.call_on_close(db.dispose)
        end_startup()
    return db


def note(message: str) -> None:
    click.echo(f"claimtrack: note: {printable(message)}", err=True)


# Starting a command imports SQLAlchemy and claimtrack (about 100,000 objects
# that live until the process exits); the cyclic garbage collector would
# walk them all in a full collection halfway through (10-15 ms of a 60 ms
# command) and find nothing to free.  So main() pauses it until the ledger
# is open (or, for a command that does not open it through ledger(), until
# the command is looked up), then moves everything made so far out of its
# sight (gc.freeze) and turns it back on.
_STARTUP = {"paused": False}


def pause_gc_for_startup() -> None:
    if gc.isenabled():
        gc.disable()
        _STARTUP["paused"] = True


def end_startup() -> None:
    if _STARTUP["paused"]:
        _STARTUP["paused"] = False
        gc.freeze()
        gc.enable()


def db_option(ctx: click.Context | None = None) -> str | None:
    ctx = ctx or click.get_current_context()
    return (ctx.find_root().obj or {}).get("db_option")


def warn(message: str) -> None:
    click.echo(f"claimtrack: warning: {printable(message)}", err=True)


def warn_unknown_names(db, *, source: str | None = None, forecaster: str | None = None,
                       tags=()) -> None:
    """A filter value that names no known source, forecaster or tag: warn on
    stderr with the closest known values (a typo should not look like an empty ledger)."""
    import difflib

    from claimtrack.services.queries import distinct_values

    asked = [("source", source), ("forecaster", forecaster)] + [("tag", t) for t in tags or ()]
    for what, value in asked:
        if not value or not value.strip():
            continue
        known = [name for name, _ in distinct_values(db, what)]
        if what == "forecaster":
            known += [name for name, _ in distinct_values(db, "source") if name not in known]
        if value.strip().casefold() in {k.casefold() for k in known}:
            continue
        close = difflib.get_close_matches(value.strip().casefold(), [k.casefold() for k in known], n=3, cutoff=0.5)
        names = [next(k for k in known if k.casefold() == c) for c in close]
        hint = f"; closest: {', '.join(names)}" if names else (f"; known: {', '.join(known[:5])}" if known else "")
        warn(f"no {what} named '{value}' in this ledger{hint}")


def probability(text: str) -> float:
    from claimtrack.domain.probability import parse_probability

    parsed = parse_probability(text)
    if parsed.warning:
        warn(parsed.warning)
    return parsed.value


def date(text: str | None, role: str) -> datetime | None:
    if text is None:
        return None
    from claimtrack.domain.dates import parse_date

    return parse_date(text, role=role)


def claim_id(text: str) -> int:
    cleaned = text.strip().lstrip("#")
    # ASCII only: str.isdigit() also accepts '²' or '①', which int() rejects
    if not (cleaned.isascii() and cleaned.isdigit()) or len(cleaned) > 12:
        raise InvalidInput(f"invalid claim id '{text}': use the number shown by 'claimtrack list', e.g. 12")
    if int(cleaned) > MAX_CLAIM_ID:  # beyond the id column (PostgreSQL INTEGER would raise)
        raise NotFound(f"no claim with id {int(cleaned)}: see 'claimtrack list --all' for ids")
    return int(cleaned)


# ------------------------------------------------------------------ output

def console(stderr: bool = False):
    """A rich Console that never interprets user text as markup."""
    from rich.console import Console

    return Console(stderr=stderr, markup=False, emoji=False, highlight=False, soft_wrap=False)


def printable(text) -> str:
    """User text made safe to print on a terminal (domain.text.terminal_safe:
    escape sequences removed, other control characters replaced)."""
    from claimtrack.domain.text import terminal_safe

    return terminal_safe(text)


def lit(text) -> "object":
    """User text as a rich Text: shown literally, never parsed as markup."""
    from rich.text import Text

    return Text("" if text is None else printable(text))


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


def output_options(func):
    """--json and --csv for read commands (one shared definition)."""

    @click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
    @click.option("--csv", "as_csv", is_flag=True, help="Print CSV (formula cells guarded).")
    @wraps(func)
    def wrapper(*args, **kwargs):
        if kwargs.get("as_json") and kwargs.get("as_csv"):
            raise InvalidInput("choose one of --json and --csv")
        return func(*args, **kwargs)

    return wrapper


def echo_csv(rows: list[dict]) -> None:
    import csv

    from claimtrack.domain.csvsafe import guard

    if not rows:
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else guard(json_default(v) if isinstance(v, datetime) else v)
                         for k, v in row.items()})
    sys.stdout.flush()
