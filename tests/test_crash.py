"""A process killed with SIGKILL mid-write leaves the ledger as before or as
after, never in between; a file ledger is backed up before a migration; a
backup of a live ledger is a consistent copy.

The processes are real (tests/_workers.py or ``python -m claimtrack``); the
"hold" workers stop inside the transaction at a known point so the kill is
guaranteed to land mid-write, and the timed kills land wherever they land.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, select

from _workers import finish, spawn, start_together, wait_for
from claimtrack.db import models as m
from claimtrack.db.location import from_value
from claimtrack.db.migrate import SCHEMA_HEAD, current_revision, migrations_path
from claimtrack.services.ledger import NewClaim, add_claim
from claimtrack.services.resolve import resolve_claim
from claimtrack.services.store import open_ledger
from claimtrack.services.verify import verify_ledger


def _write_import_file(path: Path, claims: int, per_claim: int, prefix: str) -> tuple[int, int, int]:
    """A claimtrack-json file; returns (claims, forecasts, resolutions) it holds."""
    records = []
    for i in range(claims):
        records.append({
            "statement": f"{prefix} generated claim {i}",
            "stated_at": "2023-01-01T00:00:00Z",
            "import_key": f"{prefix}:{i}",
            "tags": ["bulk"],
            "forecasts": [
                {"forecaster": f"f{j % 3}", "probability": ((i * 7 + j) % 99 + 0.5) / 100,
                 "made_at": f"2023-01-{1 + j % 28:02d}T10:00:00Z", "recorded_at": f"2023-01-{1 + j % 28:02d}T10:00:00Z",
                 "import_key": f"{prefix}:{i}:{j}"}
                for j in range(per_claim)
            ],
            "resolutions": [{"outcome": "yes", "resolved_at": "2023-03-01T00:00:00Z",
                             "import_key": f"{prefix}:{i}:r"}] if i % 2 else [],
        })
    path.write_text(json.dumps({"format": "claimtrack", "version": 1, "claims": records}))
    return claims, claims * per_claim, claims // 2


def _counts(db) -> tuple[int, int, int]:
    with db.read() as s:
        return tuple(s.execute(select(func.count()).select_from(t)).scalar() for t in (m.Claim, m.Forecast, m.Resolution))


def _seed(db) -> None:
    for i in range(3):
        add_claim(db, NewClaim(statement=f"existing claim {i}", probability=0.3, forecaster="me"))
    resolve_claim(db, 1, "no")


def _integrity_ok(path: Path) -> None:
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        con.close()


def _kill(proc) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL


def _chain_ok(db) -> None:
    for report in verify_ledger(db):
        assert report.ok, report.problem


def test_sigkill_inside_a_50000_forecast_import_leaves_the_ledger_as_before(db, db_url, tmp_path, dump):
    _seed(db)
    before = dump(db_url)
    file = tmp_path / "big.json"
    n_claims, n_forecasts, n_resolutions = _write_import_file(file, 5000, 10, "big")
    assert n_forecasts == 50_000
    marker = tmp_path / "inside-import"
    proc = spawn("import-hold", {"db": db_url, "file": str(file), "marker": str(marker), "hold": 120})
    wait_for(str(marker), proc, timeout=180)  # every row is inserted, nothing committed yet
    _kill(proc)

    assert dump(db_url) == before
    if db.location.path is not None:
        _integrity_ok(db.location.path)
    _chain_ok(db)
    # and the same import then runs to completion: nothing half-done is in its way
    from claimtrack.cli import cli
    from claimtrack.cli.errors import run

    assert run(cli, ["--db", db_url, "import", str(file)], prog_name="claimtrack") == 0
    assert _counts(db) == (3 + n_claims, 3 + n_forecasts, 1 + n_resolutions)
    _chain_ok(db)


def test_sigkill_at_moments_through_a_real_import_leaves_before_or_after(db, db_url, tmp_path):
    """``python -m claimtrack import`` killed at several moments of its run."""
    _seed(db)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}

    def launch(file: Path):
        return subprocess.Popen([sys.executable, "-m", "claimtrack", "--db", db_url, "import", str(file)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)

    # one uninterrupted run tells how long an import takes here
    file = tmp_path / "timing.json"
    size = _write_import_file(file, 1500, 10, "timing")
    start = _counts(db)
    t0 = time.monotonic()
    proc = launch(file)
    out, err = proc.communicate(timeout=300)
    duration = time.monotonic() - t0
    assert proc.returncode == 0, err
    assert _counts(db) == tuple(a + b for a, b in zip(start, size))

    outcomes = []
    for k, fraction in enumerate((0.5, 0.7, 0.85, 0.97)):
        file = tmp_path / f"kill{k}.json"
        size = _write_import_file(file, 1500, 10, f"kill{k}")
        before = _counts(db)
        after = tuple(a + b for a, b in zip(before, size))
        proc = launch(file)
        time.sleep(duration * fraction)
        if proc.poll() is None:
            _kill(proc)
        else:
            proc.communicate()
        now = _counts(db)
        assert now in (before, after), f"killed at {fraction:.0%}: {before} -> {now}, expected it or {after}"
        outcomes.append("after" if now == after else "before")
        if db.location.path is not None:
            _integrity_ok(db.location.path)
        _chain_ok(db)
    print(f"import of 15000 forecasts takes {duration:.1f}s on {db.dialect}; kills left the ledger {outcomes}")


def test_sigkill_during_the_first_migration_of_a_blank_database(db_url, tmp_path):
    """Killed after some of the initial CREATE TABLEs: the database is still
    blank (the whole migration is one transaction), intact, and opens fine."""
    location = from_value(db_url, "test")
    if location.path is not None:
        location.path.touch(mode=0o600)
    marker = tmp_path / "inside-migration"
    proc = spawn("blank-hold", {"db": db_url, "marker": str(marker), "after": 3, "hold": 120})
    wait_for(str(marker), proc)
    _kill(proc)

    engine = create_engine(location.url)
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
    if location.path is not None:
        _integrity_ok(location.path)
    db = open_ledger(db_url)
    try:
        assert current_revision(db.engine) == SCHEMA_HEAD
        add_claim(db, NewClaim(statement="after the crash", probability=0.6, forecaster="me"))
        _chain_ok(db)
    finally:
        db.dispose()


SLOW_REVISION = '''
"""test-only: a slow data migration that is killed half-way"""
import os
import time
from pathlib import Path

from alembic import op
import sqlalchemy as sa

revision = "9002"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("claims", sa.Column("test_extra", sa.Text(), nullable=True))
    op.execute("UPDATE claims SET test_extra = statement, statement = 'rewritten'")
    op.create_index("ix_claims_test_extra", "claims", ["test_extra"])
    Path(os.environ["CLAIMTRACK_TEST_MARKER"]).touch()
    time.sleep(float(os.environ["CLAIMTRACK_TEST_HOLD"]))


def downgrade():
    pass
'''


def test_sigkill_during_an_upgrade_of_a_populated_ledger(db, db_url, tmp_path, dump):
    _seed(db)
    db.dispose()
    before = dump(db_url)
    scripts = tmp_path / "scripts"
    shutil.copytree(migrations_path(), scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9002_slow.py").write_text(SLOW_REVISION.format(head=SCHEMA_HEAD))
    marker = tmp_path / "inside-upgrade"
    proc = spawn("migrate-hold", {"db": db_url, "scripts": str(scripts), "head": "9002",
                                  "marker": str(marker), "hold": 120})
    wait_for(str(marker), proc)
    _kill(proc)

    assert dump(db_url) == before  # the new column, the rewrite and the stamp are all gone
    assert current_revision(db.engine) == SCHEMA_HEAD
    if db.location.path is not None:
        _integrity_ok(db.location.path)
        backups = list(db.location.path.parent.glob(f"{db.location.path.name}.pre-9002-*.bak"))
        assert len(backups) == 1, "a file ledger must be backed up before it is migrated"
        _integrity_ok(backups[0])
        assert dump(str(backups[0])) == before
        assert backups[0].stat().st_mode & 0o777 == 0o600
    reopened = open_ledger(db_url)
    try:
        _chain_ok(reopened)
        assert _counts(reopened) == (3, 3, 1)
    finally:
        reopened.dispose()


def test_backup_of_a_live_ledger_being_written_is_consistent(tmp_path, db_url, cli):
    if db_url.startswith("postgresql"):
        pytest.skip("SQLite's online backup; PostgreSQL ledgers are backed up with pg_dump (next test)")
    path = tmp_path / "live.db"
    db = open_ledger(str(path))
    _seed(db)
    sync = str(tmp_path / "sync")
    runs = [["--db", str(path), "forecast", "2", f"{(i % 90) + 5}%", "--note", f"n{i}"] for i in range(300)]
    writer = spawn("cli-loop", {"name": "writer", "sync": sync, "runs": runs})
    start_together([writer], sync, ["writer"])
    copies = []
    while writer.poll() is None and len(copies) < 8:
        target = tmp_path / f"copy{len(copies)}.db"
        result = cli("db", "backup", str(target), db=str(path))
        assert result.exit_code == 0, result.stderr
        assert result.stdout.strip() == str(target)
        copies.append(target)
        time.sleep(0.1)
    outcome = finish(writer)
    assert outcome["codes"] == [0] * len(runs)
    assert len(copies) >= 2, "the writer finished before two backups were taken; make it write more"
    final = None
    for copy in copies:
        _integrity_ok(copy)
        assert copy.stat().st_mode & 0o777 == 0o600
        con = sqlite3.connect(copy)
        try:
            n_forecasts = con.execute("SELECT count(*) FROM forecasts WHERE claim_id = 2").fetchone()[0]
            cached = con.execute("SELECT n_forecasts FROM claims WHERE id = 2").fetchone()[0]
        finally:
            con.close()
        assert cached == n_forecasts  # each forecast and its cache update are in the copy together, or neither
        assert 1 <= n_forecasts <= 1 + len(runs)
        copy_db = open_ledger(str(copy), create=False)
        try:
            _chain_ok(copy_db)
        finally:
            copy_db.dispose()
        final = n_forecasts
    assert final is not None
    # an existing target is refused, not overwritten
    clash = cli("db", "backup", str(copies[0]), db=str(path))
    assert clash.exit_code == 2 and clash.stderr.startswith("claimtrack: error:") and "exists" in clash.stderr
    db.dispose()


def test_backup_of_a_server_ledger_explains_pg_dump(db_url, cli):
    if not db_url.startswith("postgresql"):
        pytest.skip("the pg_dump advice is for PostgreSQL ledgers")
    cli("add", "a claim", "-p", "60%")
    result = cli("db", "backup")
    assert result.exit_code == 0
    assert "pg_dump" in result.stdout
    password = db_url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
    assert password not in result.output


REBUILD_REVISION = '''
"""test-only: a change SQLite can only make by rebuilding the claims table"""
from alembic import op
import sqlalchemy as sa

revision = "9002"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("claims") as batch:
        batch.alter_column("source", type_=sa.String(300), existing_type=sa.String(200))


def downgrade():
    pass
'''


def test_an_upgrade_that_rebuilds_a_referenced_table_keeps_every_row(db, db_url, tmp_path, monkeypatch, dump):
    """Alembic's SQLite batch mode drops and re-creates the table; with foreign
    keys enforced inside the migration's transaction that used to fail for
    claims (forecasts point at it).  The upgrade must work and keep every link."""
    from claimtrack.db import migrate

    _seed(db)
    db.dispose()
    before = dump(db_url)
    scripts = tmp_path / "scripts"
    shutil.copytree(migrations_path(), scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9002_rebuild.py").write_text(REBUILD_REVISION.format(head=SCHEMA_HEAD))
    monkeypatch.setattr(migrate, "migrations_path", lambda: scripts)
    monkeypatch.setattr(migrate, "SCHEMA_HEAD", "9002")
    upgraded = migrate.open_database(from_value(db_url, "test"))
    try:
        assert current_revision(upgraded.engine) == "9002"
        after = dict(dump(db_url))
        for name, rows in before:
            if name != "alembic_version":
                assert after[name] == rows, name
        if upgraded.location.path is not None:
            _integrity_ok(upgraded.location.path)
            with upgraded.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # back on afterwards
        _chain_ok(upgraded)
        add_claim(upgraded, NewClaim(statement="after the rebuild", probability=0.4, forecaster="me"))
    finally:
        upgraded.dispose()
