"""Team ledgers on a real PostgreSQL (issue 14 item 2), with three roles.

The owner (the test role, which needs CREATEROLE: .ci/pg.sh grants it) runs
``team init`` and ``team add``; two members and a viewer then connect with
their own login roles (passwords from a ~/.pgpass-style file, never in a
URL).  A member cannot forecast or resolve as another member, nor update or
delete history, through claimtrack or raw SQL; a viewer cannot write; the
owner can upgrade.
"""

from __future__ import annotations

import json
import re
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from _trust import assert_refused




def _can_create_roles(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return bool(conn.execute(text("SELECT rolcreaterole FROM pg_roles WHERE rolname = current_user")).scalar())
    finally:
        engine.dispose()


class Team:
    def __init__(self, cli, owner_url: str, urls: dict[str, str], logins: dict[str, str], prefix: str):
        self.cli, self.owner_url, self.urls, self.logins, self.prefix = cli, owner_url, urls, logins, prefix
        self.engines: list = []

    def as_(self, who: str, *args: str):
        return self.cli(*args, db=self.urls[who])

    def sql(self, who: str, statement: str, **params):
        engine = create_engine(self.urls[who])
        self.engines.append(engine)
        with engine.begin() as conn:
            result = conn.execute(text(statement), params)
            return result.all() if result.returns_rows else None


@pytest.fixture
def team(db_url, cli, tmp_path, monkeypatch):
    if "://" not in db_url:
        pytest.skip("team roles are PostgreSQL's")
    if not _can_create_roles(db_url):
        pytest.skip("the test role lacks CREATEROLE (.ci/pg.sh creates it with CREATEROLE)")
    from conftest import _drop_pg_database

    tag = uuid.uuid4().hex[:6]
    logins = {"alice": f"alice_{tag}", "bob": f"bob_{tag}", "vic": f"vic_{tag}"}
    assert cli("add", "claim one", "-p", "30%", "--made", "2024-01-01").exit_code == 0
    init = cli("team", "init")
    assert init.exit_code == 0, init.stderr
    prefix = re.search(r"(\S+)_owner \(you\)", init.stdout).group(1)
    urls = {}
    passwords = []
    for who, role in (("alice", "member"), ("bob", "member"), ("vic", "viewer")):
        pgpass = tmp_path / f"{who}.pgpass"
        added = cli("team", "add", who.title(), "--role", role, "--login", logins[who], "--pgpass-file", str(pgpass))
        assert added.exit_code == 0, added.stderr
        urls[who] = re.search(r"export CLAIMTRACK_DB='([^']+)'", added.stdout).group(1)
        assert ":" not in urls[who].split("@")[0].split("//")[1]  # no password in the URL
        assert (pgpass.stat().st_mode & 0o077) == 0
        passwords.append(pgpass.read_text())
    pgpass_all = tmp_path / "all.pgpass"
    pgpass_all.write_text("".join(passwords))
    pgpass_all.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass_all))
    urls["owner"] = db_url
    t = Team(cli, db_url, urls, logins, prefix)
    yield t
    for engine in t.engines:
        engine.dispose()
    _drop_pg_database(db_url)  # first: the roles hold privileges in it
    admin = create_engine(db_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for role in [*logins.values(), f"{prefix}_member", f"{prefix}_viewer", f"{prefix}_owner"]:
                conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))  # names made in this fixture
    finally:
        admin.dispose()


def test_init_dry_run_prints_the_sql_and_changes_nothing(cli, db_url, dump):
    if "://" not in db_url:
        assert_refused(cli("team", "init", "--dry-run"), "PostgreSQL")
        return
    assert cli("add", "claim one", "-p", "30%").exit_code == 0
    before = dump(db_url)
    result = cli("team", "init", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "CREATE ROLE" in result.stdout and "GRANT INSERT ON forecasts, resolutions" in result.stdout
    assert "CREATE TRIGGER claimtrack_forecasts_identity BEFORE INSERT ON forecasts" in result.stdout
    assert dump(db_url) == before


def test_members_forecast_under_their_own_name_by_default(team, dump):
    assert team.as_("alice", "forecast", "1", "60%").stdout.strip() == "claim 1: Alice 60%"
    added = team.as_("bob", "add", "bob's claim", "-p", "25%", "--by", "Some Pundit", "--their", "likely")
    assert added.exit_code == 0, added.stderr
    assert team.as_("bob", "resolve", "2", "no", "--note", "checked").exit_code == 0
    assert team.as_("alice", "edit", "1", "--statement", "claim one, reworded").exit_code == 0
    shown = json.loads(team.as_("owner", "show", "2", "--json").stdout)
    kinds = {(f["forecaster"], f["kind"], f["recorded_by"]) for f in shown["forecasts"]}
    assert kinds == {("Bob", "own", None), ("Some Pundit", "implied", "Bob")}
    assert shown["resolutions"][0]["resolved_by"] == "Bob"
    edits = json.loads(team.as_("owner", "show", "1", "--json").stdout)["edits"]
    assert edits[-1]["edited_by"] == "Alice"
    assert team.as_("owner", "verify").exit_code == 0


def test_a_member_cannot_forecast_or_resolve_as_another_member(team, dump):
    before = dump(team.owner_url)
    line = assert_refused(team.as_("alice", "forecast", "1", "60%", "--by", "Bob"), "forecaster", "Alice")
    assert "nothing was written" in line
    assert_refused(team.as_("alice", "forecast", "1", "60%", "--by", "tester"), "forecaster")  # the owner's name
    assert dump(team.owner_url) == before
    # through raw SQL, with a login of one's own
    with pytest.raises(DBAPIError, match="resolved_by must be your own name"):
        team.sql("alice", "INSERT INTO resolutions (uuid, claim_id, outcome, resolved_at, resolved_by, recorded_at, "
                          "prev_hash, row_hash) VALUES (:u, 1, 'yes', now(), 'Bob', now(), 'x', 'y')",
                 u=str(uuid.uuid4()))
    with pytest.raises(DBAPIError, match="forecaster must be your own name"):
        team.sql("alice", "INSERT INTO forecasts (uuid, claim_id, forecaster, probability, made_at, recorded_at, "
                          "backfilled, after_resolution, prev_hash, row_hash, kind) "
                          "VALUES (:u, 1, 'Bob', 0.9, now(), now(), false, false, 'x', 'y', 'own')",
                 u=str(uuid.uuid4()))
    with pytest.raises(DBAPIError, match="recorded_by must be your own name"):
        team.sql("alice", "INSERT INTO forecasts (uuid, claim_id, forecaster, probability, made_at, recorded_at, "
                          "backfilled, after_resolution, prev_hash, row_hash, kind, recorded_by) "
                          "VALUES (:u, 1, 'Metaculus', 0.4, now(), now(), false, false, 'x', 'y', 'crowd', 'Bob')",
                 u=str(uuid.uuid4()))
    with pytest.raises(DBAPIError, match="edited_by must be your own name"):
        team.sql("alice", "INSERT INTO claim_edits (claim_id, field, old_value, new_value, edited_at, edited_by, "
                          "prev_hash, row_hash) VALUES (1, 'statement', 'a', 'b', now(), 'Bob', 'x', 'y')")
    # the session's login decides, not a role it could SET: members can switch to nothing else
    with pytest.raises(DBAPIError, match="permission denied to set role"):
        team.sql("alice", f'SET ROLE "{team.logins["bob"]}"')
    assert dump(team.owner_url) == before


def test_on_someone_elses_behalf_the_row_says_who_recorded_it(team):
    result = team.as_("alice", "forecast", "1", "23%", "--by", "Metaculus", "--kind", "crowd")
    assert result.exit_code == 0, result.stderr
    forecasts = json.loads(team.as_("owner", "show", "1", "--json").stdout)["forecasts"]
    assert ("Metaculus", "crowd", "Alice") in {(f["forecaster"], f["kind"], f["recorded_by"]) for f in forecasts}


@pytest.mark.parametrize("statement", [
    "UPDATE forecasts SET probability = 0.99",
    "DELETE FROM forecasts",
    "UPDATE resolutions SET outcome = 'no'",
    "DELETE FROM claim_edits",
    "UPDATE claim_records SET statement = 'x'",
    "TRUNCATE forecasts CASCADE",
    "DROP TRIGGER claimtrack_forecasts_append_only ON forecasts",
    "ALTER TABLE forecasts DISABLE TRIGGER ALL",
    "UPDATE team_members SET name = 'Bob'",
    "INSERT INTO team_members (role_name, name, role, added_at) VALUES ('x', 'X', 'owner', now())",
    "CREATE TEMP TABLE team_members (role_name text, name text, role text)",
    "UPDATE ledger_settings SET value = 'x'",
])
def test_a_member_cannot_rewrite_history_or_the_rules_with_raw_sql(team, dump, statement):
    assert team.as_("alice", "forecast", "1", "60%").exit_code == 0
    assert team.as_("owner", "resolve", "1", "yes").exit_code == 0
    before = dump(team.owner_url)
    with pytest.raises(DBAPIError, match="permission denied|must be owner|append-only"):
        team.sql("alice", statement)
    assert dump(team.owner_url) == before


def test_a_viewer_reads_but_cannot_write(team, dump):
    assert team.as_("alice", "forecast", "1", "60%").exit_code == 0
    before = dump(team.owner_url)
    listed = team.as_("vic", "list", "--json")
    assert listed.exit_code == 0 and json.loads(listed.stdout)[0]["id"] == 1
    assert team.as_("vic", "report").exit_code == 0
    assert team.as_("vic", "verify").exit_code == 0
    for args in (("forecast", "1", "50%"), ("add", "x", "-p", "10%"), ("resolve", "1", "yes"),
                 ("edit", "1", "--statement", "y"), ("hide-forecasts", "1", "on")):
        assert_refused(team.as_("vic", *args), "viewer", "nothing was written")
    with pytest.raises(DBAPIError, match="permission denied"):
        team.sql("vic", "INSERT INTO claim_tags (claim_id, tag) VALUES (1, 'x')")
    assert dump(team.owner_url) == before


def test_permission_errors_are_one_line(team, dump):
    before = dump(team.owner_url)
    line = assert_refused(team.as_("alice", "hide-forecasts", "ledger", "on"), "permission denied")
    assert "ledger_settings" in line
    assert_refused(team.as_("alice", "team", "add", "Mallory", "--role", "member", "--login", "mallory_x"),
                   "permission denied")
    assert dump(team.owner_url) == before


def test_the_owner_upgrades_and_repairs_a_member_cannot(team, dump):
    team.sql("owner", "DROP TRIGGER claimtrack_resolutions_append_only ON resolutions")
    assert team.as_("owner", "verify").exit_code == 1
    assert_refused(team.as_("alice", "db", "upgrade"), "permission denied")
    repaired = team.as_("owner", "db", "upgrade")
    assert repaired.exit_code == 0 and "re-installed 1" in repaired.stdout
    assert team.as_("alice", "verify").exit_code == 0
    assert team.as_("alice", "forecast", "1", "70%").exit_code == 0  # grants and identity survive


def test_hidden_forecasts_on_a_team_ledger(team):
    assert team.as_("owner", "hide-forecasts", "ledger", "on").exit_code == 0
    assert team.as_("alice", "forecast", "1", "60%").exit_code == 0
    bob = json.loads(team.as_("bob", "list", "--json").stdout)[0]
    assert bob["hidden"] == 2 and bob["others"] is None  # the owner's 30% and Alice's 60%
    assert team.as_("bob", "forecast", "1", "45%").exit_code == 0
    bob = json.loads(team.as_("bob", "list", "--json").stdout)[0]
    assert bob["hidden"] == 0 and bob["n_others"] == 2
    vic = json.loads(team.as_("vic", "list", "--json").stdout)[0]
    assert vic["hidden"] == 3  # a viewer never forecasts: hidden until it resolves
    assert team.as_("alice", "resolve", "1", "yes").exit_code == 0
    vic = json.loads(team.as_("vic", "list", "--all", "--json").stdout)[0]
    assert vic["hidden"] == 0 and vic["n_others"] == 3


def test_add_refuses_an_existing_password_file_before_creating_the_role(team, tmp_path):
    kept = tmp_path / "kept.pgpass"
    kept.write_text("someone else's line\n")
    login = "zed_" + uuid.uuid4().hex[:6]
    assert_refused(team.as_("owner", "team", "add", "Zed", "--role", "member", "--login", login,
                            "--pgpass-file", str(kept)), "already exists")
    assert kept.read_text() == "someone else's line\n"
    assert team.sql("owner", "SELECT count(*) FROM pg_roles WHERE rolname = :r", r=login)[0][0] == 0


def test_team_commands_need_postgresql(cli, db_url, dump):
    if "://" in db_url:
        pytest.skip("the SQLite side")
    assert cli("add", "claim one", "-p", "30%").exit_code == 0
    before = dump(db_url)
    assert_refused(cli("team", "init"), "PostgreSQL")
    assert_refused(cli("team", "add", "Zed", "--role", "member"), "PostgreSQL")
    assert dump(db_url) == before
