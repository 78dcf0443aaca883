"""Shared fixtures: an isolated environment, a fresh ledger per test (SQLite
always; PostgreSQL too when CLAIMTRACK_TEST_PG_URL names a server), and a CLI
runner that goes through the same error handling as the real entry point."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

PG_ENV = "CLAIMTRACK_TEST_PG_URL"
SHARED = Path(__file__).resolve().parents[2] / "shared"
REALDATA = SHARED / "realdata"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """No test reads the developer's ledger, config, user name or time zone."""
    monkeypatch.delenv("CLAIMTRACK_DB", raising=False)
    monkeypatch.setenv("CLAIMTRACK_USER", "tester")
    monkeypatch.setenv("CLAIMTRACK_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("CLAIMTRACK_TZ", "UTC")
    monkeypatch.setenv("CLAIMTRACK_NO_TUI", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.chdir(tmp_path)


def _pg_admin_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def _new_pg_database() -> str:
    """Create an empty database on the test server; returns its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = make_url(_pg_admin_url())
    name = f"ct_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin.set(database=name).render_as_string(hide_password=False)


ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _drop_pg_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    import time

    from sqlalchemy.exc import DBAPIError

    name = make_url(url).database
    engine = create_engine(make_url(_pg_admin_url()), isolation_level="AUTOCOMMIT")
    try:
        for attempt in range(3):
            try:
                with engine.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"' + (" WITH (FORCE)" if attempt < 2 else "")))
                return
            except DBAPIError:
                # a session of another role still on it (FORCE may not end those): wait
                # and try again; a leftover database on the throwaway test server is harmless
                time.sleep(0.5)
    finally:
        engine.dispose()


@pytest.fixture(params=ENGINES)
def db_url(request, tmp_path):
    """A fresh, empty ledger location on each engine (a file path for SQLite);
    PostgreSQL databases are dropped again after the test."""
    if request.param == "sqlite":
        yield str(tmp_path / "claims.db")
        return
    if not _pg_admin_url():
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (.ci/run starts a server and sets it)")
    url = _new_pg_database()
    yield url
    _drop_pg_database(url)


def pytest_terminal_summary(terminalreporter):
    if not _pg_admin_url():
        terminalreporter.write_line(
            f"!!! PostgreSQL tests were SKIPPED: {PG_ENV} is not set. Run .ci/run (it starts a local "
            "PostgreSQL 15) to test the second engine.", red=True, bold=True)


@pytest.fixture
def sqlite_path(tmp_path) -> Path:
    return tmp_path / "claims.db"


@pytest.fixture
def db(db_url):
    """An open, migrated Database on each engine."""
    from claimtrack.services.store import open_ledger

    database = open_ledger(db_url)
    yield database
    database.dispose()


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture
def cli(db_url):
    """Run `claimtrack ARGS` against the test ledger, like the real entry point."""
    from claimtrack.cli import cli as group
    from claimtrack.cli.errors import run

    def invoke(*args: str, input: str | None = None, db: str | None = db_url, create: bool = True) -> CliResult:
        if create and db and "://" not in db and not Path(db).exists() and args and args[0] not in ("init", "demo"):
            # the ledger file exists (empty), like the test's empty PostgreSQL
            # database: claimtrack refuses a --db path that does not exist
            Path(db).touch(mode=0o600)
        runner = CliRunner()
        argv = (["--db", db] if db else []) + [str(a) for a in args]
        with runner.isolation(input=input) as (out, err, _):
            code = run(group, argv, prog_name="claimtrack")
            try:
                from sqlalchemy.orm import close_all_sessions

                close_all_sessions()
            except Exception:
                pass
        return CliResult(code, out.getvalue().decode("utf-8", "replace"), err.getvalue().decode("utf-8", "replace"))

    return invoke


def ledger_dump(url: str) -> list:
    """Every row of every ledger table, for 'nothing was written' checks."""
    from sqlalchemy import MetaData, create_engine, select

    from claimtrack.db.location import from_value

    location = from_value(url, "test")
    engine = create_engine(location.url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            return [
                (name, sorted(tuple(map(str, row)) for row in conn.execute(select(meta.tables[name]))))
                for name in sorted(meta.tables)
            ]
    finally:
        engine.dispose()


@pytest.fixture
def sql(db_url):
    """Run raw SQL against the test ledger (the tamperer's view: an owner able
    to drop and restore the append-only triggers; ``sql.guarded`` keeps them)."""
    from sqlalchemy import create_engine, text

    from claimtrack.db.location import from_value

    engine = create_engine(from_value(db_url, "test").url)

    def run(statement: str, **params):
        """As an owner who drops the append-only triggers, rewrites and puts them back."""
        from contextlib import nullcontext

        from claimtrack.db.append_only import maintenance

        rewrite = statement.lstrip().split(None, 1)[0].upper() in ("UPDATE", "DELETE", "TRUNCATE")
        with engine.begin() as conn, (maintenance(conn) if rewrite else nullcontext()):
            result = conn.execute(text(statement), params)
            return result.all() if result.returns_rows else None

    def guarded(statement: str, **params):
        """With the triggers in place (what a member, or anyone, meets)."""
        with engine.begin() as conn:
            result = conn.execute(text(statement), params)
            return result.all() if result.returns_rows else None

    run.dialect = engine.dialect.name
    run.guarded = guarded
    yield run
    engine.dispose()


@pytest.fixture
def dump():
    return ledger_dump


def realdata(*parts: str) -> Path:
    path = REALDATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path}")
    return path
