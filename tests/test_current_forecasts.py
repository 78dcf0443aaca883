"""The stored current forecast of each (claim, forecaster) (migration 0006,
db.current): equal to a from-scratch computation after every kind of write,
on both engines; checked by verify, repaired by db upgrade; the migration
backfills it and its downgrade removes it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from _migrations import downgrade

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def _stored(sql) -> list[tuple]:
    rows = sql("SELECT claim_id, forecaster, forecast_id, kind, probability FROM current_forecasts")
    return sorted(tuple(r) for r in rows)


def _from_scratch(sql) -> list[tuple]:
    """Each (claim, exact forecaster)'s newest forecast by (made_at, id), worked out in Python."""
    newest: dict[tuple, tuple] = {}
    for cid, who, fid, made, kind, p in sql("SELECT claim_id, forecaster, id, made_at, kind, probability "
                                            "FROM forecasts"):
        key = (cid, who)
        if key not in newest or (newest[key][0], newest[key][1]) < (made, fid):
            newest[key] = (made, fid, kind, p)
    return sorted((cid, who, fid, kind, p) for (cid, who), (made, fid, kind, p) in newest.items())


@pytest.fixture
def as_user(cli, monkeypatch):
    def run(user: str, *args: str):
        monkeypatch.setenv("CLAIMTRACK_USER", user)
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
        return result

    return run


@pytest.fixture
def mixed(as_user, tmp_path):
    """Writes through every path: add (own and claimant calls), forecasts (later,
    backdated, tied on made_at, names differing in case, on someone's behalf),
    a CSV import, a Fatebook import, a multiple-choice question and its
    forecasts, a ledger that hides forecasts."""
    as_user("ann", "add", "claim A", "-p", "40%", "--by", "Pundit", "--their", "likely", "--made", "2024-01-01")
    as_user("bob", "forecast", "1", "55%", "--made", "2024-01-05")
    as_user("bob", "forecast", "1", "35%", "--made", "2024-01-02")  # backdated: not bob's current one
    as_user("Bob", "forecast", "1", "45%", "--made", "2024-01-03")  # another exact name
    as_user("carl", "forecast", "1", "65%", "--made", "2024-01-04")
    as_user("carl", "forecast", "1", "66%", "--made", "2024-01-04")  # same made_at: the later id wins
    as_user("carl", "forecast", "1", "50%", "--by", "Metaculus", "--kind", "crowd", "--made", "2024-01-04")
    as_user("ann", "hide-forecasts", "ledger", "on")
    as_user("ann", "add", "claim B", "-p", "20%", "--made", "2024-02-01")
    as_user("dan", "forecast", "2", "30%")
    csv = tmp_path / "claims.csv"
    csv.write_text("statement,probability,created_at,forecaster\n"
                   "It rains,0.3,2024-05-01,eve\nIt snows,0.1,2024-05-02,eve\n")
    as_user("ann", "import", str(csv))
    as_user("ann", "import", str(FIXTURES / "fatebook_export.csv"))
    out = as_user("ann", "add", "Which?", "--option", "x=20%", "--option", "y=80%")
    cid = out.stdout.strip().split()[0]
    as_user("bob", "forecast", cid, "x=60%, y=40%")
    as_user("bob", "forecast", cid, "x=70%, y=30%")
    return as_user


def test_the_stored_table_is_the_newest_forecast_of_each_pair_after_mixed_writes(mixed, sql):
    stored = _stored(sql)
    assert stored == _from_scratch(sql)
    by_pair = {(cid, who): (fid, p) for cid, who, fid, kind, p in stored}
    assert by_pair[1, "bob"][1] == pytest.approx(0.55) and by_pair[1, "Bob"][1] == pytest.approx(0.45)
    assert by_pair[1, "carl"][1] == pytest.approx(0.66)
    n_pairs = sql("SELECT COUNT(*) FROM (SELECT DISTINCT claim_id, forecaster FROM forecasts) AS d")[0][0]
    assert len(stored) == n_pairs > 10


def test_verify_passes_and_lists_stay_right_after_mixed_writes(mixed, cli):
    assert cli("verify").exit_code == 0
    listed = {c["id"]: c for c in json.loads(mixed("ann", "list", "--json", "--all").stdout)}
    # bob/Bob are one forecaster (the newest: 55%); carl's 66%; ann's own 40%; the pundit's call
    assert (listed[1]["mine"], listed[1]["theirs"], listed[1]["n_others"]) == (0.4, 0.7, 3)
    dan = {c["id"]: c for c in json.loads(mixed("dan", "list", "--json", "--all").stdout)}
    assert dan[1]["hidden"] == 4 and dan[1]["others"] is None  # dan has not forecast on claim 1


def test_verify_reports_a_changed_cache_and_db_upgrade_rebuilds_it(mixed, cli, sql):
    sql("UPDATE current_forecasts SET probability = 0.01 WHERE claim_id = 1 AND forecaster = 'carl'")
    result = cli("verify")
    assert result.exit_code == 1
    assert "claim 1: cached current forecast of 'carl'" in result.stdout
    assert result.stderr.count("\n") == 1 and "claim 1" in result.stderr
    fixed = cli("db", "upgrade")
    assert fixed.exit_code == 0 and "rebuilt the current-forecast cache" in fixed.stdout
    assert cli("verify").exit_code == 0
    assert _stored(sql) == _from_scratch(sql)


def test_a_missing_row_and_a_dropped_trigger_are_reported_and_repaired(mixed, cli, sql):
    from claimtrack.db import current

    sql("DELETE FROM current_forecasts WHERE claim_id = 2")
    for stmt in current.drop_statements(sql.dialect)[:1]:
        sql.guarded(stmt)
    result = cli("verify")
    assert result.exit_code == 1
    assert "claimtrack_current_forecast" in result.stdout and "is missing but its forecasts say" in result.stdout
    assert cli("db", "upgrade").exit_code == 0
    mixed("erin", "forecast", "2", "25%")  # the trigger is back: kept again
    assert cli("verify").exit_code == 0
    assert _stored(sql) == _from_scratch(sql)


def test_the_cache_is_not_append_only_history_and_moves_on(mixed, sql):
    """The cache is not history: no append-only trigger on it (the trigger upserts it)."""
    from claimtrack.db.append_only import APPEND_ONLY_TABLES

    assert "current_forecasts" not in APPEND_ONLY_TABLES
    before = _stored(sql)
    mixed("ann", "forecast", "1", "41%")
    after = {(c, w): f for c, w, f, k, p in _stored(sql)}
    assert after[1, "ann"] != {(c, w): f for c, w, f, k, p in before}[1, "ann"]


def test_migration_0006_backfills_and_downgrades(mixed, db_url, sql, cli):
    from sqlalchemy import inspect

    from claimtrack.db.location import from_value
    from claimtrack.db.migrate import open_database
    from claimtrack.services.store import open_ledger

    expected = _stored(sql)
    db = open_ledger(db_url)
    try:
        downgrade(db, "0005")
        assert "current_forecasts" not in inspect(db._write_engine).get_table_names()
    finally:
        db.dispose()
    assert sql("SELECT version_num FROM alembic_version")[0][0] == "0005"
    if sql.dialect == "sqlite":
        assert not sql("SELECT name FROM sqlite_master WHERE name = 'claimtrack_current_forecast'")
    else:
        assert not sql("SELECT tgname FROM pg_trigger WHERE tgname = 'claimtrack_current_forecast'")
        assert not sql("SELECT proname FROM pg_proc WHERE proname = 'claimtrack_current_forecast'")
    open_database(from_value(db_url, "test")).dispose()  # upgrades to head: the table is filled from the forecasts
    assert _stored(sql) == expected == _from_scratch(sql)
    mixed("ann", "forecast", "2", "22%")
    assert _stored(sql) == _from_scratch(sql)
    assert cli("verify").exit_code == 0


def test_the_views_median_is_statistics_median():
    import random
    import statistics

    from claimtrack.services.views import _median

    rng = random.Random(4)
    for n in range(1, 40):
        values = [rng.choice((0.1, 0.3, 0.55, 1 / 3, rng.random())) for _ in range(n)]
        assert _median(values) == statistics.median(values)


@pytest.mark.parametrize("setting", ["ledger", "one claim", "none"])
def test_a_long_streamed_list_hides_as_the_short_one_does(as_user, db_url, setting):
    """iter_claims in chunks (where it asks once whether anything can hide)
    gives what list_claims gives, whether the ledger, one claim or nothing hides."""
    from claimtrack.domain.filters import ClaimFilter
    from claimtrack.services.queries import iter_claims, list_claims
    from claimtrack.services.store import open_ledger

    for i in range(4):
        as_user("ann", "add", f"claim {i}", "-p", "40%", "--made", "2024-01-01")
        as_user("bob", "forecast", str(i + 1), "55%", "--made", "2024-01-02")
    as_user("dan", "forecast", "3", "20%")
    if setting == "ledger":
        as_user("ann", "hide-forecasts", "ledger", "on")
    elif setting == "one claim":
        as_user("ann", "hide-forecasts", "2", "on")
    db = open_ledger(db_url)
    try:
        flt = ClaimFilter(state="all")
        listed = list_claims(db, flt, me="dan")
        for chunk in (1, 3, 1000):
            assert list(iter_claims(db, flt, me="dan", chunk=chunk)) == listed
    finally:
        db.dispose()
    hidden = {c.id: c.hidden for c in listed}
    assert hidden == ({1: 2, 2: 2, 3: 0, 4: 2} if setting == "ledger" else
                      {1: 0, 2: 2, 3: 0, 4: 0} if setting == "one claim" else {1: 0, 2: 0, 3: 0, 4: 0})


def test_verify_reports_a_row_pointing_at_an_older_forecast_and_a_row_of_no_pair(mixed, cli, sql):
    """A consistent-looking row (an older forecast's own values) and an invented pair are both caught."""
    old_id, made, kind, p = sql("SELECT id, made_at, kind, probability FROM forecasts "
                                "WHERE claim_id = 1 AND forecaster = 'bob' ORDER BY made_at LIMIT 1")[0]
    sql("DELETE FROM current_forecasts WHERE claim_id = 1 AND forecaster = 'bob'")
    sql("INSERT INTO current_forecasts (claim_id, forecaster, forecast_id, made_at, kind, probability) "
        "VALUES (1, 'bob', :i, :m, :k, :p)", i=old_id, m=made, k=kind, p=p)
    sql("INSERT INTO current_forecasts (claim_id, forecaster, forecast_id, made_at, kind, probability) "
        "VALUES (2, 'nobody', :i, :m, :k, :p)", i=old_id, m=made, k=kind, p=p)
    newest = sql("SELECT forecast_id FROM current_forecasts WHERE claim_id = 1 AND forecaster = 'carl'")[0][0]
    assert newest != old_id
    result = cli("verify")
    assert result.exit_code == 1
    want = sql("SELECT id FROM forecasts WHERE claim_id = 1 AND forecaster = 'bob' ORDER BY made_at DESC LIMIT 1")
    assert f"claim 1: cached current forecast of 'bob' is forecast {old_id} but its forecasts say forecast " \
           f"{want[0][0]}" in result.stdout
    assert "claim 2: cached current forecast of 'nobody' is forecast" in result.stdout
    assert "but its forecasts say none" in result.stdout
    assert cli("db", "upgrade").exit_code == 0 and cli("verify").exit_code == 0
