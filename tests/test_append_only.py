"""Append-only enforced by the database itself (issue 14 item 1), on both engines.

Raw SQL that rewrites history is refused by triggers naming the rule; verify
reports a missing, disabled or altered trigger as tampering; the owner's
maintenance path (db upgrade, db restore) is the one way around them.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy.exc import DBAPIError

from _trust import assert_refused
from claimtrack.db.append_only import APPEND_ONLY_TABLES
from claimtrack.db.migrate import SCHEMA_HEAD


@pytest.fixture
def ledger(cli):
    assert cli("add", "claim one", "-p", "30%", "--made", "2024-01-01", "--tag", "a").exit_code == 0
    assert cli("add", "claim two", "-p", "60%", "--made", "2024-01-02").exit_code == 0
    assert cli("forecast", "1", "40%", "--by", "ana", "--made", "2024-02-01").exit_code == 0
    assert cli("edit", "2", "--statement", "claim two, reworded").exit_code == 0
    assert cli("resolve", "1", "yes", "--date", "2024-03-01").exit_code == 0
    return cli


REWRITES = [
    ("forecasts", "UPDATE forecasts SET probability = 0.99"),
    ("forecasts", "DELETE FROM forecasts WHERE id = 1"),
    ("resolutions", "UPDATE resolutions SET outcome = 'no'"),
    ("resolutions", "DELETE FROM resolutions"),
    ("claim edits", "UPDATE claim_edits SET new_value = 'forged'"),
    ("claim edits", "DELETE FROM claim_edits"),
    ("claim records", "UPDATE claim_records SET statement = 'forged'"),
    ("claim records", "DELETE FROM claim_records WHERE claim_id = 2"),
]


@pytest.mark.parametrize("words, statement", REWRITES)
def test_raw_sql_rewriting_history_is_refused_naming_the_rule(ledger, sql, dump, db_url, words, statement):
    before = dump(db_url)
    with pytest.raises(DBAPIError) as caught:
        sql.guarded(statement)
    assert f"claimtrack: {words} are append-only" in str(caught.value.orig)
    assert dump(db_url) == before
    assert ledger("verify").exit_code == 0


def test_truncate_is_refused_on_postgresql(ledger, sql, dump, db_url):
    if sql.dialect != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (DELETE is refused above)")
    before = dump(db_url)
    for table in APPEND_ONLY_TABLES:
        with pytest.raises(DBAPIError, match="append-only"):
            sql.guarded(f"TRUNCATE {table} CASCADE")  # table names from the constant
    assert dump(db_url) == before


def test_appending_still_works_and_claims_stay_editable(ledger, sql):
    # the guards are on history only: claimtrack's own writes (which update claims' caches) all pass
    assert ledger("forecast", "2", "70%").exit_code == 0
    assert ledger("resolve", "1", "no", "--force", "--date", "2024-03-05").exit_code == 0
    assert ledger("edit", "1", "--tag", "b").exit_code == 0
    assert ledger("verify").exit_code == 0
    assert sql("SELECT count(*) FROM resolutions")[0][0] == 2


def test_a_trigger_firing_inside_a_command_is_one_line(ledger, monkeypatch, dump, db_url):
    """If a code path ever tried to rewrite history, the command fails with one line naming the rule."""
    from sqlalchemy import text

    from claimtrack.services import hidden

    def rewrite(db, claim_id, value):
        with db.write() as session:
            session.execute(text("UPDATE forecasts SET probability = 0.5 WHERE claim_id = :c"), {"c": claim_id})

    monkeypatch.setattr(hidden, "set_claim", rewrite)
    before = dump(db_url)
    result = ledger("hide-forecasts", "1", "on")
    line = assert_refused(result, "forecasts are append-only", "nothing was written")
    assert "UPDATE" in line and "[SQL" not in line
    assert dump(db_url) == before


def _verify_fails_naming(cli, needle: str) -> str:
    result = cli("verify")
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("claimtrack: error: "), result.stderr
    assert needle in lines[0], lines[0]
    return lines[0]


def test_verify_reports_a_dropped_trigger_and_db_upgrade_puts_it_back(ledger, sql):
    result = ledger("verify")
    assert result.exit_code == 0 and "append-only triggers: all" in result.stdout
    name = "claimtrack_forecasts_no_update" if sql.dialect == "sqlite" else "claimtrack_forecasts_append_only"
    sql.guarded(f"DROP TRIGGER {name}" + ("" if sql.dialect == "sqlite" else " ON forecasts"))  # name from this file
    line = _verify_fails_naming(ledger, "append-only triggers missing")
    assert name in line
    assert not json.loads(ledger("verify", "--json").stdout)[-1]["ok"]
    sql.guarded("UPDATE forecasts SET rationale = 'now possible' WHERE id = 1")  # what its absence allows...
    _verify_fails_naming(ledger, "forecasts row 1")  # ...and the chain still catches
    sql.guarded("UPDATE forecasts SET rationale = NULL WHERE id = 1")  # the trigger is still gone
    upgraded = ledger("db", "upgrade")
    assert upgraded.exit_code == 0 and "re-installed 1 missing append-only triggers" in upgraded.stdout
    assert ledger("verify").exit_code == 0
    with pytest.raises(DBAPIError, match="append-only"):
        sql.guarded("UPDATE forecasts SET rationale = 'again' WHERE id = 1")


def test_verify_reports_a_trigger_replaced_by_a_harmless_one(ledger, sql):
    if sql.dialect == "sqlite":
        sql.guarded("DROP TRIGGER claimtrack_resolutions_no_delete")
        sql.guarded("CREATE TRIGGER claimtrack_resolutions_no_delete BEFORE DELETE ON resolutions "
                    "BEGIN SELECT 1; END")
        _verify_fails_naming(ledger, "claimtrack_resolutions_no_delete")
    else:
        sql.guarded("CREATE OR REPLACE FUNCTION claimtrack_append_only() RETURNS trigger LANGUAGE plpgsql "
                    "AS $$ BEGIN RETURN OLD; END $$")
        _verify_fails_naming(ledger, "function claimtrack_append_only()")


def test_verify_reports_a_disabled_trigger_on_postgresql(ledger, sql):
    if sql.dialect != "postgresql":
        pytest.skip("SQLite triggers cannot be disabled, only dropped")
    sql.guarded("ALTER TABLE claim_edits DISABLE TRIGGER claimtrack_claim_edits_append_only")
    _verify_fails_naming(ledger, "claimtrack_claim_edits_append_only")
    assert ledger("db", "upgrade").exit_code == 0
    assert ledger("verify").exit_code == 0


def test_a_fresh_ledger_has_the_guards_however_it_is_created(db_url, cli, sql):
    assert cli("list").exit_code == 0  # the first command creates the schema
    from sqlalchemy import create_engine

    from claimtrack.db.append_only import missing_guards
    from claimtrack.db.location import from_value

    engine = create_engine(from_value(db_url, "test").url)
    try:
        with engine.connect() as conn:
            assert missing_guards(conn) == []
    finally:
        engine.dispose()


def test_an_older_ledger_gets_the_guards_when_upgraded(ledger, db_url, sql):
    from alembic import command

    from claimtrack.db import migrate
    from claimtrack.services.store import open_ledger

    db = open_ledger(db_url)
    try:
        if db.dialect == "sqlite":
            with db._write_engine.connect() as conn:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
                with conn.begin():
                    command.downgrade(migrate._alembic_config(conn), "0003")
        else:
            with db._write_engine.begin() as conn:
                command.downgrade(migrate._alembic_config(conn), "0003")
    finally:
        db.dispose()
    sql.guarded("UPDATE forecasts SET rationale = rationale")  # at 0003 nothing refuses a rewrite (a no-op one)
    assert sql("SELECT version_num FROM alembic_version")[0][0] == "0003"
    result = ledger("db", "upgrade")
    assert result.exit_code == 0 and f"0003 -> {SCHEMA_HEAD}" in result.stdout
    with pytest.raises(DBAPIError, match="forecasts are append-only"):
        sql.guarded("UPDATE forecasts SET probability = 0.5")
    assert ledger("verify").exit_code == 0


def test_restore_is_the_owners_maintenance_path(ledger, sqlite_path, db_url, tmp_path, sql):
    if "://" in db_url:
        pytest.skip("db restore is for SQLite ledgers (pg_restore for PostgreSQL)")
    backup = tmp_path / "saved.bak"
    assert ledger("db", "backup", str(backup)).exit_code == 0
    assert ledger("forecast", "2", "90%").exit_code == 0
    restored = ledger("db", "restore", str(backup))
    assert restored.exit_code == 0, restored.stderr
    assert sql("SELECT count(*) FROM forecasts")[0][0] == 3  # the history was rewritten: the backup's
    with pytest.raises(DBAPIError, match="forecasts are append-only"):
        sql.guarded("DELETE FROM forecasts")
    assert ledger("verify").exit_code == 0
