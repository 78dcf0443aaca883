"""Migrations: a blank database reaches head, models and scripts agree, and
opening a ledger upgrades it (after a backup) only when it is behind."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

from sqlalchemy import create_engine, text

from claimtrack.db.location import from_value
from claimtrack.db.migrate import SCHEMA_HEAD, alembic_head, current_revision, migrations_path, open_database
from claimtrack.db.models import Base
from _migrations import downgrade


def test_schema_head_constant_matches_alembic():
    assert alembic_head() == SCHEMA_HEAD


def test_revision_chain_is_linear():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_path()))
    script = ScriptDirectory.from_config(cfg)
    assert len(script.get_heads()) == 1
    revisions = list(script.walk_revisions())
    assert revisions[-1].down_revision is None
    for newer, older in zip(revisions, revisions[1:]):
        assert newer.down_revision == older.revision


def test_blank_database_migrates_and_matches_models(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    db = open_database(from_value(db_url, "test"))
    try:
        assert current_revision(db.engine) == SCHEMA_HEAD
        with db.engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata)
        assert diffs == []
    finally:
        db.dispose()


def test_opening_at_head_does_not_import_alembic(tmp_path):
    path = tmp_path / "claims.db"
    open_database(from_value(str(path), "test")).dispose()
    code = (
        "import sys\n"
        "from claimtrack.db.location import from_value\n"
        "from claimtrack.db.migrate import open_database\n"
        f"open_database(from_value({str(path)!r}, 't')).dispose()\n"
        "print('alembic' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


NEXT_REVISION = """
from alembic import op
import sqlalchemy as sa

revision = "9001"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("test_extra", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("test_extra")
"""


def test_behind_database_is_backed_up_then_upgraded(tmp_path, monkeypatch):
    """A populated ledger at the current head meets a newer claimtrack (simulated
    by a copy of the scripts plus one more revision): opening it backs the file
    up beside itself, upgrades in place, and keeps every row."""
    import shutil

    from claimtrack.db import migrate
    from claimtrack.services.demo import load_demo

    path = tmp_path / "claims.db"
    db = open_database(from_value(str(path), "test"))
    load_demo(db)
    db.dispose()
    scripts = tmp_path / "scripts"
    shutil.copytree(migrations_path(), scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9001_test_extra.py").write_text(NEXT_REVISION.format(head=SCHEMA_HEAD))
    monkeypatch.setattr(migrate, "migrations_path", lambda: scripts)
    monkeypatch.setattr(migrate, "SCHEMA_HEAD", "9001")

    upgraded = migrate.open_database(from_value(str(path), "test"))
    try:
        assert current_revision(upgraded.engine) == "9001"
        with upgraded.engine.connect() as conn:
            columns = [row[1] for row in conn.exec_driver_sql("PRAGMA table_info(claims)")]
            assert "test_extra" in columns
            assert conn.exec_driver_sql("SELECT count(*) FROM claims").scalar() == 24
    finally:
        upgraded.dispose()
    backups = list(tmp_path.glob("claims.db.pre-9001-*.bak"))
    assert len(backups) == 1
    con = sqlite3.connect(backups[0])
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == SCHEMA_HEAD
    assert con.execute("SELECT count(*) FROM claims").fetchone()[0] == 24
    con.close()


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "claims.db"
    open_database(from_value(str(path), "test")).dispose()
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    try:
        open_database(from_value(str(path), "test"))
    except Exception as exc:
        assert "newer than this claimtrack" in str(exc)
    else:
        raise AssertionError("a newer schema must be refused")


def test_new_ledger_file_is_private_and_uses_wal(tmp_path):
    path = tmp_path / "claims.db"
    db = open_database(from_value(str(path), "test"))
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    db.dispose()
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_populated_0001_ledger_upgrades_to_forecast_kinds(db_url, tmp_path):
    """A ledger written by the previous schema (0001: no forecast kinds) is
    backed up (file ledgers), upgraded to 0002, its forecasts become 'own',
    every hash still verifies, and new kinds can be added and verified."""
    from claimtrack.services.ledger import NewClaim, add_claim, add_forecast
    from claimtrack.services.resolve import resolve_claim
    from claimtrack.services.verify import verify_ledger

    location = from_value(db_url, "test")
    db = open_database(location)
    for i in range(3):
        add_claim(db, NewClaim(statement=f"claim {i}", probability=0.1 + i / 5, forecaster="me", source="Ben"))
        add_forecast(db, i + 1, 0.5, forecaster="Priya")
    resolve_claim(db, 1, "yes")
    heads_before = [(r.table, r.head) for r in verify_ledger(db)]
    downgrade(db, "0001")
    assert current_revision(db.engine) == "0001"
    db.dispose()

    upgraded = open_database(location)
    try:
        assert current_revision(upgraded.engine) == SCHEMA_HEAD
        with upgraded.engine.connect() as conn:
            kinds = conn.execute(text("SELECT DISTINCT kind FROM forecasts")).scalars().all()
        assert kinds == ["own"]
        reports = verify_ledger(upgraded)
        assert all(r.ok for r in reports) and [(r.table, r.head) for r in reports] == heads_before
        add_forecast(upgraded, 2, 0.95, forecaster="Ben", kind="asserted", recorded_by="me")
        assert all(r.ok for r in verify_ledger(upgraded))
    finally:
        upgraded.dispose()
    if upgraded.dialect == "sqlite":
        backups = list(tmp_path.glob(f"claims.db.pre-{SCHEMA_HEAD}-*.bak"))
        assert len(backups) == 1
        con = sqlite3.connect(backups[0])
        assert con.execute("SELECT count(*) FROM forecasts").fetchone()[0] == 6
        con.close()
