"""Team ledgers on PostgreSQL: migrations from the same scripts on both
engines, every command through CLAIMTRACK_DB=postgresql+psycopg://..., exact
values, clean failures.

Needs CLAIMTRACK_TEST_PG_URL (``.ci/run`` sources ``.ci/pg.sh``, which starts a
throwaway PostgreSQL 15 and sets it).  Without it the PostgreSQL tests are
skipped, and this module says so loudly on the terminal and in the warnings
summary.  The rest of the suite gets PostgreSQL coverage through the
``db_url`` fixture in conftest.py.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import uuid
import warnings
from fractions import Fraction

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from claimtrack.db.location import from_value
from claimtrack.db.migrate import SCHEMA_HEAD, alembic_head, current_revision, migrations_path, open_database
from claimtrack.db.models import Base

PG_ENV = "CLAIMTRACK_TEST_PG_URL"
SKIP_MESSAGE = (f"PostgreSQL tests SKIPPED: {PG_ENV} is not set; run the suite through .ci/run "
                "(it sources .ci/pg.sh to start a local PostgreSQL 15) to cover the second engine")


@pytest.fixture(scope="module", autouse=True)
def _say_loudly_when_postgres_is_missing(request):
    if not os.environ.get(PG_ENV):
        reporter = request.config.pluginmanager.getplugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("")
            reporter.write_line("!" * 100, red=True, bold=True)
            reporter.write_line(f"!!! {SKIP_MESSAGE}", red=True, bold=True)
            reporter.write_line("!" * 100, red=True, bold=True)
        warnings.warn(SKIP_MESSAGE, pytest.PytestWarning, stacklevel=1)
    yield


def _new_database() -> str:
    admin = make_url(os.environ[PG_ENV])
    name = f"ctpg_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))  # name made here, not user input
    engine.dispose()
    return admin.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def pg_url() -> str:
    """A new, empty database on the test server."""
    if not os.environ.get(PG_ENV):
        pytest.skip(SKIP_MESSAGE)
    return _new_database()


def _password(url: str) -> str:
    return make_url(url).password or ""


# ------------------------------------------------------------ migrations


def _compare(engine) -> list:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        return compare_metadata(ctx, Base.metadata)


def test_a_blank_database_migrates_to_head_and_matches_the_models(db_url):
    db = open_database(from_value(db_url, "test"))
    try:
        assert alembic_head() == SCHEMA_HEAD
        assert current_revision(db.engine) == SCHEMA_HEAD
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
        assert _compare(db.engine) == []
        tables = set(inspect(db.engine).get_table_names())
        assert tables >= {"claims", "forecasts", "resolutions", "claim_edits", "claim_tags", "alembic_version"}
        if db.dialect == "postgresql":
            with db.engine.connect() as conn:
                kind = conn.execute(text(
                    "SELECT data_type FROM information_schema.columns "
                    "WHERE table_name = 'forecasts' AND column_name = 'made_at'")).scalar()
            assert kind == "timestamp with time zone"
    finally:
        db.dispose()


def test_the_same_scripts_upgrade_downgrade_and_upgrade_again(db_url):
    """Plain Alembic against each engine, from the scripts shipped in the package."""
    from alembic import command
    from alembic.config import Config

    url = from_value(db_url, "test").url
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_path()))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if db_url.endswith(".db"):
        from claimtrack.db.engine import create_private_file

        create_private_file(from_value(db_url, "test").path)
    command.upgrade(cfg, "head")
    engine = create_engine(url)
    try:
        assert current_revision(engine) == SCHEMA_HEAD and _compare(engine) == []
        command.downgrade(cfg, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        command.upgrade(cfg, "head")
        assert current_revision(engine) == SCHEMA_HEAD and _compare(engine) == []
    finally:
        engine.dispose()


# ------------------------------------------------------------ every command


def _drafts_file(tmp_path):
    claims = [
        {"statement": f"draft candidate {i}", "stated_at": "2024-01-0%dT09:00:00Z" % (i + 1), "status": "draft",
         "import_key": f"drafts:{i}", "forecasts": [{"forecaster": "notes", "probability": 0.7,
                                                     "made_at": "2024-01-0%dT09:00:00Z" % (i + 1)}]}
        for i in range(2)
    ]
    path = tmp_path / "drafts.json"
    path.write_text(json.dumps({"format": "claimtrack", "version": 1, "claims": claims}))
    return path


def test_every_command_works_through_CLAIMTRACK_DB(pg_url, cli, monkeypatch, tmp_path, db_url):
    _once(db_url)
    monkeypatch.setenv("CLAIMTRACK_DB", pg_url)
    secret = _password(pg_url)

    def ok(*args):
        result = cli(*args, db=None)
        assert result.exit_code == 0, (args, result.output)
        assert "Traceback" not in result.output
        assert not secret or secret not in result.output, f"password shown by {args}"
        return result

    where = ok("db", "path")
    assert where.stdout.startswith("postgresql+psycopg://") and "***" in where.stdout
    assert "created" in ok("init").stdout
    assert ok("db", "upgrade").stdout.startswith("already at schema")
    assert ok("add", "OpenAI ships its own chip by 2026", "-p", "60%", "--by", "Ben Thompson",
              "--url", "https://example.com/a", "--made", "2023-11-21", "--due", "2026-12-31",
              "--tag", "openai", "--tag", "hardware", "--note", "supply chain").stdout.strip() == "1"
    assert ok("add", "The CEO returns within a week", "-p", "likely", "--made", "2023-11-18").stdout.strip() == "2"
    assert ok("add", "GPT-5 before 2025", "-p", "3 in 4", "--made", "2023-12-01", "--due", "2024-06-30").stdout.strip() == "3"
    ok("forecast", "2", "80%", "--by", "ana", "--made", "2023-11-19", "--note", "board talks")
    ok("resolve", "2", "yes", "--date", "2023-11-22", "--note", "reinstated", "--url", "https://example.com/b")
    ok("resolve", "2", "ambiguous", "--force", "--date", "2023-11-23")
    ok("edit", "1", "--statement", "OpenAI ships its own AI chip by end of 2026", "--tag", "chips")
    listed = json.loads(ok("list", "--all", "--json").stdout)
    assert [c["id"] for c in listed] and {c["id"] for c in listed} == {1, 2, 3}
    assert json.loads(ok("list", "--tag", "chips", "--json").stdout)[0]["id"] == 1
    assert "GPT-5" in ok("list", "--search", "gpt", "--csv").stdout
    assert json.loads(ok("list", "--resolved", "--json").stdout)[0]["outcome"] == "ambiguous"
    shown = json.loads(ok("show", "2", "--json").stdout)
    assert [r["outcome"] for r in shown["resolutions"]] == ["yes", "ambiguous"]
    assert "OpenAI ships its own AI chip" in ok("show", "1").stdout
    overdue = cli("due", db=None)
    assert overdue.exit_code == 1 and "GPT-5" in overdue.stdout  # claim 3 is overdue
    ok()  # the bare command
    exported = ok("export").stdout
    assert json.loads(exported)["claims"][0]["statement"].startswith("OpenAI ships")
    ok("export", "--format", "csv", "--out", str(tmp_path / "ledger.csv"))
    ok("import", str(_drafts_file(tmp_path)))
    inbox = ok("inbox", "--json") if _has_option("inbox", "--json") else ok("inbox")
    assert "draft candidate" in inbox.stdout
    ok("accept", "4", "-p", "65%") if _has_option("accept", "-p") else ok("accept", "4")
    ok("reject", "5")
    verified = ok("verify")
    assert "forecasts:" in verified.stdout and "chain intact" in verified.stdout
    assert "pg_dump" in ok("db", "backup").stdout
    if importlib.util.find_spec("claimtrack.cli.report") is not None:
        ok("report")
        ok("report", "--format", "html", "--out", str(tmp_path / "report.html"))
        assert (tmp_path / "report.html").stat().st_size > 0
        json.loads(ok("report", "--format", "json").stdout)
    # the export of the server ledger loads into a fresh file ledger losslessly
    other = tmp_path / "copy.db"
    assert cli("import", str(tmp_path / "ledger.csv"), db=str(other)).exit_code == 0
    copy = json.loads(cli("list", "--all", "--json", db=str(other)).stdout)
    assert sorted(c["statement"] for c in copy) == sorted(c["statement"] for c in listed)


def _has_option(command: str, option: str) -> bool:
    from claimtrack.cli import COMMANDS

    module, attr, _ = COMMANDS[command]
    cmd = getattr(importlib.import_module(module), attr)
    return any(option in p.opts for p in cmd.params)


def test_demo_on_a_server_ledger(pg_url, cli, db_url):
    _once(db_url)
    first = cli("demo", "--quiet", db=pg_url)
    assert first.exit_code == 0, first.output
    again = cli("demo", "--quiet", db=pg_url)
    assert again.exit_code == 2 and "already holds claims" in again.stderr
    forced = cli("demo", "--force", db=pg_url)
    assert forced.exit_code == 2 and forced.stderr.startswith("claimtrack: error:")
    assert len(json.loads(cli("list", "--all", "--json", db=pg_url).stdout)) >= 15


def test_the_installed_entry_point_reads_CLAIMTRACK_DB(pg_url, tmp_path):
    env = {**os.environ, "CLAIMTRACK_DB": pg_url, "PYTHONPATH": os.pathsep.join(sys.path)}
    run = lambda *args: subprocess.run([sys.executable, "-m", "claimtrack", *args], env=env,  # noqa: E731
                                       capture_output=True, text=True, cwd=tmp_path, timeout=120)
    added = run("add", "a team claim", "-p", "55%")
    assert added.returncode == 0, added.stderr
    listed = run("list", "--json")
    assert listed.returncode == 0 and json.loads(listed.stdout)[0]["statement"] == "a team claim"
    assert not (tmp_path / "claims.db").exists()  # nothing fell back to a local file


# ------------------------------------------------------------ values and failures


def test_values_survive_the_server_exactly(pg_url, cli, db_url):
    _once(db_url)
    statement = "Ünïcödé ✓ 🚀 עברית “quotes” 'single' \\ back\\slash"
    assert cli("add", statement, "-p", "1/3", "--made", "2023-11-27 7:44 AM", db=pg_url).exit_code == 0
    assert cli("forecast", "1", "0.123456789012345", "--made", "2023-11-28", db=pg_url).exit_code == 0
    shown = json.loads(cli("show", "1", "--json", db=pg_url).stdout)
    assert shown["claim"]["statement"] == statement
    assert [f["probability"] for f in shown["forecasts"]] == [float(Fraction(1, 3)), 0.123456789012345]
    assert shown["claim"]["stated_at"] == "2023-11-27T07:44:00Z"  # CLAIMTRACK_TZ=UTC in the tests
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        made = conn.execute(text("SELECT made_at FROM forecasts ORDER BY id LIMIT 1")).scalar()
    engine.dispose()
    assert made.utcoffset().total_seconds() == 0 and (made.hour, made.minute) == (7, 44)
    assert cli("verify", db=pg_url).exit_code == 0  # float and timestamp hashes survive the round trip


def _once(db_url) -> None:
    """Tests that bring their own ledger URL run under one db_url parameter only."""
    if db_url.startswith("postgresql"):
        pytest.skip("engine-independent: runs once, under the sqlite parameter")


def test_an_unreachable_server_is_one_clean_line(cli, db_url):
    _once(db_url)
    url = "postgresql+psycopg://someone:hunter2-secret@127.0.0.1:1/nothing"
    result = cli("list", db=url)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("claimtrack: error: cannot open ledger")
    assert "hunter2-secret" not in result.output and "Traceback" not in result.output


def test_a_wrong_password_is_one_clean_line(pg_url, cli, db_url):
    _once(db_url)
    wrong = make_url(pg_url).set(password="definitely-wrong-pw").render_as_string(hide_password=False)
    result = cli("list", db=wrong)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("claimtrack: error: cannot open ledger")
    assert "definitely-wrong-pw" not in result.output


def test_a_missing_database_on_the_server_is_one_clean_line(pg_url, cli, db_url):
    _once(db_url)
    missing = make_url(pg_url).set(database=f"nope_{uuid.uuid4().hex[:8]}").render_as_string(hide_password=False)
    for args in (("add", "x", "-p", "50%"), ("db", "upgrade"), ("verify",)):
        result = cli(*args, db=missing)
        assert result.exit_code == 2
        assert result.stderr.startswith("claimtrack: error: cannot open ledger") and result.stderr.count("\n") == 1
