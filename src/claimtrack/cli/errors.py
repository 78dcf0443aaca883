"""Turning every failure into one line on stderr and an exit status.

2: invalid input (bad probability, date, id, outcome, file) and a ledger
that cannot be used (missing, not a ledger, read-only, locked, unreachable,
disk full); 1: anything else, including an overdue claim for ``claimtrack
due``.  Tracebacks are shown only with CLAIMTRACK_DEBUG=1.  Every message
passes through :func:`fail`, which hides the password of the ledger's URL
wherever a message (a driver's, too) might repeat it.
"""

from __future__ import annotations

import os
import sys

import click

from claimtrack.domain.errors import ClaimtrackError

_SECRETS_FROM: list[str] = []  # URLs whose passwords must never be printed


def fail(message: str) -> None:
    from claimtrack.cli.common import printable

    click.echo(f"claimtrack: error: {printable(_scrub(message))}", err=True)


def _scrub(message: str) -> str:
    from claimtrack.db.location import ENV_DB, scrub

    return scrub(str(message), *_SECRETS_FROM, os.environ.get(ENV_DB))


def _db_option(argv: list[str]) -> str | None:
    """The value of --db in ``argv`` (before the subcommand), for scrubbing."""
    for i, arg in enumerate(argv):
        if arg == "--db" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--db="):
            return arg[5:]
    return None


def _undecodable(argv: list[str]) -> str | None:
    """A message for the first argument that is not valid UTF-8 (Python keeps
    its bytes as lone surrogates), else None."""
    for i, arg in enumerate(argv, 1):
        if any("\ud800" <= ch <= "\udfff" for ch in arg):
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")[:60]
            return f"argument {i} is not valid UTF-8 text ('{shown}'): use UTF-8"
    return None


def run(group: click.Group, argv, prog_name: str) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    option = _db_option(argv)
    _SECRETS_FROM[:] = [option] if option else []
    bad = _undecodable(argv)
    if bad:
        fail(bad)
        return 2
    try:
        result = group.main(args=argv, prog_name=prog_name, standalone_mode=False)
    except click.exceptions.Abort:
        fail("aborted")
        return 1
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.UsageError as exc:
        where = f"{exc.ctx.command_path}: " if exc.ctx is not None and exc.ctx.parent is not None else ""
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
        fail(f"{where}{_one_line(exc.format_message())}{hint}")
        return 2
    except click.ClickException as exc:
        fail(_one_line(exc.format_message()))
        return exc.exit_code
    except ClaimtrackError as exc:
        fail(_one_line(str(exc)))
        return exc.exit_code
    except BrokenPipeError:
        sys.stderr.close()
        return 1
    except KeyboardInterrupt:
        fail("interrupted; nothing was written by the unfinished command")
        return 130
    except Exception as exc:  # pragma: no cover - the last line of defence
        described = _database_failure(exc)
        if described:
            fail(described)
            return 2
        if os.environ.get("CLAIMTRACK_DEBUG"):
            raise
        fail(f"unexpected {type(exc).__name__}: {_one_line(str(exc))} (set CLAIMTRACK_DEBUG=1 for details)")
        return 1
    return result if isinstance(result, int) else 0


def _database_failure(exc: BaseException) -> str | None:
    """One line for a database or disk failure met while a command ran."""
    if "sqlalchemy" not in sys.modules and "sqlite3" not in sys.modules and not isinstance(exc, OSError):
        return None
    from claimtrack.db.engine import describe_failure

    return describe_failure(exc)


def _one_line(text: str) -> str:
    parts = [p.strip() for p in str(text).splitlines() if p.strip()]
    return " ".join(parts) if parts else "failed"
