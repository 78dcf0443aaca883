"""Issue 11, class 5: every database failure is one line.

A locked ledger waits a bounded, configurable time ($CLAIMTRACK_LOCK_TIMEOUT)
and then says another process is writing; a full disk, an unreachable
server, a schema newer than the code (under 'db upgrade' too) and a bad URL
each get one line, never 'unexpected', never SQL.  PostgreSQL sessions run
in UTC."""

from __future__ import annotations

import errno
import json
import sqlite3
import threading

import pytest
from _trust import sqlite_only, assert_refused, once
from sqlalchemy import create_engine, event, text
from sqlalchemy.pool import Pool

WRITES = [("add", "another claim", "-p", "60%"), ("forecast", "1", "70%"), ("resolve", "1", "yes"),
          ("edit", "1", "--statement", "changed")]


def _seed(cli):
    assert cli("add", "a claim", "-p", "60%", "--tag", "t").exit_code == 0


# ------------------------------------------------------------ locks


@pytest.fixture
def short_lock(monkeypatch):
    monkeypatch.setenv("CLAIMTRACK_LOCK_TIMEOUT", "0.3")


def _hold_sqlite_lock(path):
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN EXCLUSIVE")
    return conn


def test_a_locked_ledger_waits_then_says_another_process_is_writing(cli, db_url, dump, short_lock):
    _seed(cli)
    before = dump(db_url)
    if db_url.startswith("postgresql"):
        holder = create_engine(db_url).connect()
        holder.execute(text("LOCK TABLE claims, forecasts, resolutions IN ACCESS EXCLUSIVE MODE"))
    else:
        holder = _hold_sqlite_lock(db_url)
    try:
        for argv in WRITES:
            assert_refused(cli(*argv), "locked", "another process is writing", "CLAIMTRACK_LOCK_TIMEOUT")
        if not db_url.startswith("postgresql"):  # WAL: reads go on while another process writes
            assert cli("list").exit_code == 0
    finally:
        if db_url.startswith("postgresql"):
            holder.rollback()
            holder.close()
            holder.engine.dispose()
        else:
            holder.rollback()
            holder.close()
    assert dump(db_url) == before
    assert cli("forecast", "1", "70%").exit_code == 0  # and it works once the lock is gone


@sqlite_only
def test_a_write_waits_for_a_short_lock(cli, db_url, monkeypatch):
    """Bounded, not immediate: a lock released within the timeout is waited for."""
    once(db_url)
    _seed(cli)
    monkeypatch.setenv("CLAIMTRACK_LOCK_TIMEOUT", "30")
    holder = _hold_sqlite_lock(db_url)
    timer = threading.Timer(0.5, holder.rollback)
    timer.start()
    try:
        result = cli("forecast", "1", "70%")
    finally:
        timer.join()
        holder.close()
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("value", ["abc", "-1", "nan", "1e9"])
@sqlite_only
def test_a_bad_lock_timeout_is_one_line(cli, db_url, monkeypatch, value):
    once(db_url)
    _seed(cli)
    monkeypatch.setenv("CLAIMTRACK_LOCK_TIMEOUT", value)
    assert_refused(cli("list"), "CLAIMTRACK_LOCK_TIMEOUT")


# ------------------------------------------------------------ a full disk


@pytest.fixture
def full_sqlite_disk():
    """Every new SQLite connection may not grow its file: SQLITE_FULL, for real."""

    def cap(dbapi_conn, _record):
        if isinstance(dbapi_conn, sqlite3.Connection):
            pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
            dbapi_conn.execute(f"PRAGMA max_page_count={int(pages)}")

    event.listen(Pool, "connect", cap)
    yield
    event.remove(Pool, "connect", cap)


def _import_file(tmp_path, n=300):
    claims = [{"statement": f"claim number {i} " + "x" * 500, "stated_at": "2024-01-01T00:00:00Z",
               "import_key": f"full:{i}", "forecasts": [{"forecaster": "a", "probability": 0.5,
                                                         "made_at": "2024-01-01T00:00:00Z"}]} for i in range(n)]
    path = tmp_path / "many.json"
    path.write_text(json.dumps({"format": "claimtrack", "version": 1, "claims": claims}))
    return path


@sqlite_only
def test_a_full_disk_on_sqlite_is_one_line_and_writes_nothing(cli, db_url, dump, tmp_path, full_sqlite_disk):
    once(db_url)
    _seed(cli)
    before = dump(db_url)
    assert_refused(cli("import", str(_import_file(tmp_path))), "disk is full", "nothing was written")
    assert dump(db_url) == before


@pytest.mark.parametrize("failure", ["enospc", "driver"])
def test_a_full_disk_is_one_line_on_both_engines(cli, db_url, dump, monkeypatch, failure):
    """The server's disk (PostgreSQL) or the file system refusing a write."""
    from sqlalchemy.exc import OperationalError

    from claimtrack.db.engine import Database

    _seed(cli)
    before = dump(db_url)

    class DiskFull(Exception):
        pass

    def full(self, work, **kwargs):
        if failure == "enospc":
            raise OSError(errno.ENOSPC, "No space left on device")
        raise OperationalError("INSERT INTO claims ...", {}, DiskFull(
            'could not extend file "base/16384/16385": No space left on device\nHINT:  Check free disk space.'))

    monkeypatch.setattr(Database, "run_write", full)
    assert_refused(cli("add", "x", "-p", "50%"), "disk is full")
    assert dump(db_url) == before


# ------------------------------------------------------------ servers and URLs


@pytest.mark.parametrize("url, needle", [
    ("postgresql+psycopg://someone:pw-secret-1@127.0.0.1:1/nothing", "cannot reach the database server"),
    ("postgresql+psycopg://someone:pw-secret-1@127.0.0.1:99999/nothing", "port"),
    ("postgresql+psycopg://someone:pw-secret-1@127.0.0.1:abc/nothing", "port"),
    ("postgresql+psycopg://someone:pw-secret-1@127.0.0.1:0/nothing", "port"),
    ("nosuchdialect://someone:pw-secret-1@host/db", "unknown database kind"),
    ("postgresql+asyncpg://someone:pw-secret-1@host/db", "driver"),
    ("mysql+pymysql://someone:pw-secret-1@host/db", "driver"),
    ("postgresql+psycopg://someone:pw-secret-1@no-such-host.invalid/db", "cannot reach"),
])
@pytest.mark.parametrize("argv", [("list",), ("add", "x", "-p", "5%"), ("db", "upgrade"), ("verify",)])
@sqlite_only
def test_a_bad_url_or_unreachable_server_is_one_line(cli, db_url, url, needle, argv):
    once(db_url)
    result = cli(*argv, db=url)
    assert_refused(result, needle)
    assert "pw-secret-1" not in result.stdout + result.stderr


def _stamp(db_url: str, revision: str) -> None:
    from claimtrack.db.location import from_value

    engine = create_engine(from_value(db_url, "test").url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    engine.dispose()


@pytest.mark.parametrize("argv", [("list",), ("add", "x", "-p", "5%"), ("db", "upgrade"), ("verify",),
                                  ("report",), ("export", "--format", "json")])
def test_a_schema_newer_than_the_code_is_one_line(cli, db_url, dump, argv):
    _seed(cli)
    _stamp(db_url, "9999")
    before = dump(db_url)
    assert_refused(cli(*argv), "newer than this claimtrack")
    assert dump(db_url) == before


@pytest.mark.postgres
def test_postgresql_sessions_run_in_utc(cli, db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    from sqlalchemy.engine import make_url

    name = make_url(db_url).database
    admin = create_engine(db_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" SET timezone TO \'Pacific/Kiritimati\''))
    admin.dispose()
    assert cli("add", "made on a known day", "-p", "60%", "--made", "2024-03-05", "--due", "8999-12-31").exit_code == 0
    from claimtrack.services.store import open_ledger

    db = open_ledger(db_url)
    try:
        with db.engine.connect() as conn:
            assert conn.execute(text("SHOW timezone")).scalar() == "UTC"
    finally:
        db.dispose()
    listed = json.loads(cli("list", "--json").stdout)
    assert listed[0]["stated_at"] == "2024-03-05T00:00:00Z"
    assert cli("verify").exit_code == 0
    assert cli("export", "--format", "json").exit_code == 0
