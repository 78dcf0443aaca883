"""Turning every failure into one line on stderr and an exit status.

2: invalid input (bad probability, date, id, outcome, file); 1: anything
else, including an overdue claim for ``claimtrack due``.  Tracebacks are
shown only with CLAIMTRACK_DEBUG=1.
"""

from __future__ import annotations

import os
import sys

import click

from claimtrack.domain.errors import ClaimtrackError


def fail(message: str) -> None:
    from claimtrack.cli.common import printable

    click.echo(f"claimtrack: error: {printable(message)}", err=True)


def run(group: click.Group, argv, prog_name: str) -> int:
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
        if os.environ.get("CLAIMTRACK_DEBUG"):
            raise
        fail(f"unexpected {type(exc).__name__}: {_one_line(str(exc))} (set CLAIMTRACK_DEBUG=1 for details)")
        return 1
    return result if isinstance(result, int) else 0


def _one_line(text: str) -> str:
    parts = [p.strip() for p in str(text).splitlines() if p.strip()]
    return " ".join(parts) if parts else "failed"
