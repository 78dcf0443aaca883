"""Shared checks for the trust suites (issue 11): one clean line, exit 2."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def assert_refused(result, *needles: str, code: int = 2) -> str:
    """Exit ``code``, exactly one stderr line 'claimtrack: error: ...', no
    traceback, no 'unexpected'; returns that line."""
    lines = result.stderr.splitlines()
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("claimtrack: error: "), line
    assert "Traceback" not in result.stdout + result.stderr
    assert "unexpected" not in line.lower(), line
    assert "[SQL:" not in line and "sqlalche.me" not in line, line
    for needle in needles:
        assert needle.lower() in line.lower(), (needle, line)
    return line


def file_state(path: Path) -> tuple:
    """Bytes and side files of a file (or the listing of a folder)."""
    siblings = sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name))
    if path.is_dir():
        return ("dir", sorted(os.listdir(path)), siblings)
    if not path.exists():
        return ("missing", siblings)
    return (hashlib.sha256(path.read_bytes()).hexdigest(), siblings)


class Run:
    """A finished subprocess with the fields the assertions use."""

    def __init__(self, proc: subprocess.CompletedProcess):
        self.exit_code = proc.returncode
        self.stdout = proc.stdout.decode("utf-8", "replace") if isinstance(proc.stdout, bytes) else proc.stdout
        self.stderr = proc.stderr.decode("utf-8", "replace") if isinstance(proc.stderr, bytes) else proc.stderr


def run_cli(*args, env: dict | None = None, cwd=None, stdin=subprocess.DEVNULL, timeout: float = 120) -> Run:
    """``python -m claimtrack ARGS`` in a subprocess (args may be bytes)."""
    full = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **(env or {})}
    full = {k: v for k, v in full.items() if v is not None}
    proc = subprocess.run([sys.executable, "-m", "claimtrack", *args], env=full, cwd=cwd, stdin=stdin,
                          capture_output=True, timeout=timeout)
    return Run(proc)


SYSTEM_PYTHON = "/usr/bin/python3"


def run_unprivileged(*args, cwd) -> Run:
    """``claimtrack ARGS`` as an unprivileged user (root ignores file modes):
    directly when not root, else as 'nobody' with the system Python (same
    minor version) and this checkout on its path."""
    if os.geteuid() != 0:
        return run_cli(*args, cwd=cwd)
    if not shutil.which("setpriv") or not Path(SYSTEM_PYTHON).exists():
        pytest.skip("running as root without setpriv or /usr/bin/python3 to drop privileges")
    version = subprocess.run([SYSTEM_PYTHON, "-c", "import sys; print(sys.version_info[:2])"],
                             capture_output=True, text=True).stdout.strip()
    if version != str(sys.version_info[:2]):
        pytest.skip("the system Python is another version than the test's")
    paths = [p for p in sys.path if p and Path(p).is_dir()]
    if not all(os.access(p, os.R_OK) for p in paths):
        pytest.skip("the code is not readable by an unprivileged user")
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "PYTHONPATH": os.pathsep.join(paths),
           "CLAIMTRACK_USER": "tester", "CLAIMTRACK_TZ": "UTC", "NO_COLOR": "1", "COLUMNS": "120",
           "CLAIMTRACK_CONFIG": "/nonexistent/config.toml"}
    proc = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", SYSTEM_PYTHON,
                           "-m", "claimtrack", *args], env=env, cwd=cwd, capture_output=True, timeout=120)
    if b"No module named" in proc.stderr:
        pytest.skip("the unprivileged user cannot import the code")
    return Run(proc)


def once(db_url: str) -> None:
    """Engine-independent checks run once, under the sqlite parameter."""
    if db_url.startswith("postgresql"):
        pytest.skip("engine-independent: runs once, under the sqlite parameter")


# Engine-independent tests: only the sqlite parameter of the db_url fixture
# (no PostgreSQL database is created just to be skipped).
sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def unguarded(conn, *statements: str) -> None:
    """Run ``statements`` on a raw sqlite3 connection as an owner who drops the
    append-only triggers first and installs them again afterwards (the tamperer
    the hash chains are there to catch)."""
    from claimtrack.db.append_only import drop_statements, install_statements

    for stmt in drop_statements("sqlite"):
        conn.execute(stmt)
    for stmt in statements:
        conn.execute(stmt)
    for stmt in install_statements("sqlite"):
        conn.execute(stmt)
