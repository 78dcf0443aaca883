"""Issue 11, class 10: secrets stay secret.

A password in a database URL (in the userinfo, even with a raw '@', or as
?password=) is never printed: not by 'db path', not in any error.  The
pg_dump hint that 'db backup' prints for a PostgreSQL ledger works as printed."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from _trust import sqlite_only, assert_refused, once, run_cli
from sqlalchemy.engine import make_url

from claimtrack.db.location import libpq_url, normalise_url, redact_url, scrub, url_secrets

SECRET = "Tr0ub4dor-s3cret"
URLS = [
    f"postgresql+psycopg://alice:{SECRET}@127.0.0.1:1/ledger",
    f"postgresql+psycopg://alice:{SECRET}@x@127.0.0.1:1/ledger",  # a raw '@' in the password
    f"postgresql+psycopg://alice:p@{SECRET}@127.0.0.1:1/ledger",
    f"postgresql+psycopg://alice:{SECRET.replace('-', '%40')}@127.0.0.1:1/ledger",  # percent-encoded
    f"postgresql+psycopg://alice@127.0.0.1:1/ledger?password={SECRET}",
    f"postgresql+psycopg://alice@127.0.0.1:1/ledger?sslmode=disable&PASSWORD={SECRET}&application_name=ct",
    f"postgresql://alice:{SECRET}/with/slash@127.0.0.1:1/ledger",
    f"postgresql://alice:{SECRET}?and#more@127.0.0.1:1/ledger",  # '?' and '#' in the password
    f"postgresql+psycopg://alice:{SECRET}@127.0.0.1:99999/ledger",  # bad port
    f"postgresql+psycopg://alice:{SECRET}@127.0.0.1:abc/ledger",
    f"nosuchdialect://alice:{SECRET}@127.0.0.1/ledger",
    f"postgresql+asyncpg://alice:{SECRET}@127.0.0.1/ledger",
]


def _secret_parts(url: str) -> list[str]:
    """The bits of the password that must not appear (the test's own view)."""
    return [SECRET, SECRET.replace("-", "%40"), SECRET.replace("-", "@")]


@pytest.mark.parametrize("url", URLS)
def test_redact_url_hides_every_password(url):
    shown = redact_url(url)
    for part in _secret_parts(url):
        assert part not in shown
    assert "***" in shown
    assert "127.0.0.1" in shown and "alice" in shown


def test_redact_url_keeps_what_is_not_secret():
    assert redact_url("postgresql://bob@db.example/ledger?sslmode=require") == \
        "postgresql://bob@db.example/ledger?sslmode=require"
    assert redact_url("postgresql://bob:pw@db.example:5433/x") == "postgresql://bob:***@db.example:5433/x"
    assert redact_url("/home/me/claims.db") == "/home/me/claims.db"


def test_a_raw_at_sign_stays_in_the_password():
    url = normalise_url("postgresql+psycopg://alice:p@ss@db.example:5433/ledger")
    parsed = make_url(url)
    assert (parsed.username, parsed.password, parsed.host, parsed.port, parsed.database) == \
        ("alice", "p@ss", "db.example", 5433, "ledger")


def test_scrub_hides_secrets_a_driver_echoes():
    url = f"postgresql://alice:{SECRET}@h/db?password=other-secret-9"
    message = f'connection to "h" failed for dsn "user=alice password={SECRET} password=other-secret-9"'
    cleaned = scrub(message, url)
    assert SECRET not in cleaned and "other-secret-9" not in cleaned
    assert set(url_secrets(url)) >= {SECRET, "other-secret-9"}
    assert scrub("a pass word p here", "postgresql://u:p@h/db") == "a pass word *** here"  # short: whole words only


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("argv", [("db", "path"), ("list",), ("add", "x", "-p", "5%"), ("db", "upgrade"),
                                  ("db", "backup"), ("verify",), ("export",)])
@pytest.mark.parametrize("how", ["--db", "CLAIMTRACK_DB"])
@sqlite_only
def test_no_command_prints_the_password(cli, db_url, monkeypatch, url, argv, how):
    once(db_url)
    if how == "CLAIMTRACK_DB":
        monkeypatch.setenv("CLAIMTRACK_DB", url)
        result = cli(*argv, db=None)
    else:
        result = cli(*argv, db=url)
    for part in _secret_parts(url):
        assert part not in result.stdout + result.stderr, (argv, result.stdout, result.stderr)
    if argv != ("db", "path") or "99999" in url or "abc" in url:
        assert_refused(result)


@sqlite_only
def test_db_path_shows_the_url_without_its_password(cli, db_url):
    once(db_url)
    result = cli("db", "path", db=URLS[1])
    assert result.exit_code == 0
    assert result.stdout.strip() == "postgresql+psycopg://alice:***@127.0.0.1:1/ledger"
    assert "given with --db" in result.stderr


# ------------------------------------------------------------ against the real server


@pytest.mark.postgres
def test_a_wrong_password_on_the_real_server_is_not_echoed(cli, db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    base = make_url(db_url)
    for wrong in (f"{base.set(password='wr@ng-' + SECRET).render_as_string(hide_password=False)}",
                  base.set(password=None).render_as_string(hide_password=False) + f"?password=wrong-{SECRET}"):
        result = cli("list", db=wrong)
        assert_refused(result, "cannot open ledger")
        assert SECRET not in result.output


def _pg_dump() -> str:
    found = shutil.which("pg_dump")
    for candidate in (found, "/usr/lib/postgresql/15/bin/pg_dump", "/usr/local/bin/pg_dump"):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.skip("pg_dump is not installed")


@pytest.mark.postgres
def test_the_pg_dump_hint_works_as_printed(cli, db_url, tmp_path):
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    pg_dump = _pg_dump()
    assert cli("add", "backed up claim", "-p", "60%").exit_code == 0
    result = cli("db", "backup")
    assert result.exit_code == 0, result.stderr
    password = make_url(db_url).password
    assert password not in result.output and "+psycopg" not in result.output
    commands = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("pg_dump ")]
    assert len(commands) == 1, result.stdout
    argv = shlex.split(commands[0])
    assert argv[-1] == libpq_url(db_url) and argv[-1].startswith("postgresql://")
    env = {**os.environ, "PGPASSWORD": password, "PATH": f"{Path(pg_dump).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    dumped = tmp_path / "claims.dump"
    assert dumped.stat().st_size > 0
    listing = subprocess.run([str(Path(pg_dump).parent / "pg_restore"), "--list", str(dumped)],
                             capture_output=True, text=True)
    if listing.returncode == 0:
        assert "TABLE public claims" in listing.stdout or " claims " in listing.stdout


def test_the_password_never_reaches_a_subprocess_error(tmp_path):
    """Through the real entry point: the process's whole output."""
    url = f"postgresql+psycopg://alice:{SECRET}@x@127.0.0.1:1/ledger"
    for args in (("--db", url, "list"), ("--db", url, "db", "path"), ("list",)):
        env = {"CLAIMTRACK_DB": url} if args == ("list",) else {}
        result = run_cli(*args, env=env, cwd=tmp_path)
        for part in _secret_parts(url):
            assert part not in result.stdout + result.stderr
        assert "Traceback" not in result.stderr
