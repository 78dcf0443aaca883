"""Helper programs the reliability tests launch as separate processes.

Usage: python tests/_workers.py COMMAND JSON-ARGS

Every worker writes ``<sync>.ready.<name>`` once it has imported what it
needs, waits for ``<sync>.go`` (so all workers start at the same moment),
does its work and prints one JSON line with what happened.

Commands
  cli-loop    run the real CLI (claimtrack.cli's entry point, in this process)
              once per argv in ``runs``; report every exit code and stderr
  import-hold run ``claimtrack import`` but, inside the import transaction,
              right after the forecasts were inserted (uncommitted), touch
              ``marker`` and sleep ``hold`` seconds: the test SIGKILLs us then
  migrate-hold open the ledger with a migration script folder ``scripts`` whose
              newest revision is ``head``; the migration touches ``marker`` and
              sleeps (see tests/test_crash.py) and is SIGKILLed there
  blank-hold  create the schema of a blank database, touching ``marker`` and
              sleeping after the ``after``-th CREATE TABLE of the migration

The test side uses :func:`spawn`, :func:`start_together` and :func:`finish`.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def _sync(args: dict, name: str) -> None:
    sync = args.get("sync")
    if not sync:
        return
    Path(f"{sync}.ready.{name}").touch()
    deadline = time.monotonic() + 60
    while not os.path.exists(f"{sync}.go"):
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the go signal")
        time.sleep(0.002)


def _run_cli(argv: list[str]) -> tuple[int, str]:
    """One invocation of the real CLI entry point (errors.run), stderr captured."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    from claimtrack.cli import cli
    from claimtrack.cli.errors import run

    err, out = io.StringIO(), io.StringIO()
    with redirect_stderr(err), redirect_stdout(out):
        code = run(cli, argv, prog_name="claimtrack")
    return code, err.getvalue()


def cli_loop(args: dict) -> dict:
    import claimtrack.cli.claims  # noqa: F401  (import before the start line)
    import claimtrack.services.ledger  # noqa: F401

    _sync(args, args["name"])
    codes, errors = [], []
    started = time.monotonic()
    for argv in args["runs"]:
        code, err = _run_cli(argv)
        codes.append(code)
        if code != 0:
            errors.append(err.strip())
    return {"codes": codes, "errors": errors[:20], "seconds": time.monotonic() - started}


def _touch_and_hold(args: dict) -> None:
    Path(args["marker"]).touch()
    time.sleep(float(args.get("hold", 60)))


def import_hold(args: dict) -> dict:
    import claimtrack.services.imports as imports

    original = imports.append_forecasts

    def append_then_hold(session, rows):
        original(session, rows)
        session.flush()
        _touch_and_hold(args)

    imports.append_forecasts = append_then_hold
    code, err = _run_cli(["--db", args["db"], "import", args["file"]])
    return {"code": code, "stderr": err}


def migrate_hold(args: dict) -> dict:
    from claimtrack.db import migrate
    from claimtrack.db.location import from_value

    os.environ["CLAIMTRACK_TEST_MARKER"] = args["marker"]
    os.environ["CLAIMTRACK_TEST_HOLD"] = str(args.get("hold", 60))
    scripts = Path(args["scripts"])
    migrate.migrations_path = lambda: scripts
    migrate.SCHEMA_HEAD = args["head"]
    migrate.open_database(from_value(args["db"], "worker")).dispose()
    return {"code": 0}


def blank_hold(args: dict) -> dict:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from claimtrack.db.location import from_value
    from claimtrack.db.migrate import open_database

    seen = {"n": 0}

    @event.listens_for(Engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("CREATE TABLE"):
            seen["n"] += 1
            if seen["n"] == int(args["after"]):
                _touch_and_hold(args)

    open_database(from_value(args["db"], "worker")).dispose()
    return {"code": 0, "tables_created": seen["n"]}


COMMANDS = {
    "cli-loop": cli_loop,
    "import-hold": import_hold,
    "migrate-hold": migrate_hold,
    "blank-hold": blank_hold,
}


# ------------------------------------------------------------ the test side


def spawn(command: str, args: dict):
    """Start a worker process; its stdout/stderr are captured."""
    import subprocess

    return subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), command, json.dumps(args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def start_together(procs, sync: str, names, timeout: float = 120) -> None:
    """Wait until every worker is ready, then release them all at once."""
    deadline = time.monotonic() + timeout
    for name in names:
        while not os.path.exists(f"{sync}.ready.{name}"):
            for proc in procs:
                if proc.poll() is not None and proc.returncode != 0:
                    raise AssertionError(f"worker died before starting: {proc.stderr.read()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"worker {name} never became ready")
            time.sleep(0.01)
    Path(f"{sync}.go").touch()


def finish(proc, timeout: float = 300) -> dict:
    """Wait for a worker; it must exit 0 and print its JSON result."""
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, f"worker failed ({proc.returncode}): {err[-3000:]}"
    assert "Traceback" not in err, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


def wait_for(path: str, proc, timeout: float = 120) -> None:
    """Wait until ``path`` exists (the worker reached its hold point)."""
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if proc.poll() is not None:
            raise AssertionError(f"worker ended before the hold point: {proc.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"worker never reached {path}")
        time.sleep(0.005)


def main() -> None:
    command, raw = sys.argv[1], sys.argv[2]
    args = json.loads(raw)
    result = COMMANDS[command](args)
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
