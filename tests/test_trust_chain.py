"""Tamper evidence covers everything a score depends on (issue 11, class 3).

Claims as created (claim_records) and every edit (claim_edits) are chained
beside forecasts and resolutions; `verify` replays each claim's record and
edits and checks the claims row, its tags and its cached columns against
them, reports rows whose claim is gone, and checks heads pinned with
`--expect`.  Each tampering test changes the ledger behind claimtrack's back
with plain SQL and expects `verify` to fail in one line naming the claim and
the column, without writing anything.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from claimtrack.db.current import BACKFILL
from claimtrack.db.location import from_value
from claimtrack.domain.chain import FORECAST_FIELDS, GENESIS, row_hash
from _migrations import downgrade

HEAD = re.compile(r"\b(forecasts|resolutions|claim_records|claim_edits):([0-9a-f]{16})\b")




def _stamp(sql, when: datetime):
    """A timestamp as each engine's column takes it from raw SQL."""
    if sql.dialect == "sqlite":
        return when.astimezone(timezone.utc).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    return when


def _draft_file(tmp_path):
    doc = {"format": "claimtrack", "version": 1, "claims": [{
        "statement": "claim four, a draft", "stated_at": "2024-01-04T00:00:00Z", "status": "draft",
        "source": "Priya", "tags": ["inbox"], "import_key": "notes:4"}]}
    path = tmp_path / "draft.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.fixture
def ledger(cli, tmp_path):
    """Four claims: 1 edited (statement, tags, due date) and resolved yes;
    2 untouched and resolved no; 3 open; 4 a draft accepted with a reworded statement."""
    def ok(*args):
        result = cli(*args)
        assert result.exit_code == 0, (args, result.output)
        return result

    ok("add", "claim one", "-p", "20%", "--made", "2024-01-01", "--by", "Ben", "--url", "https://example.com/1",
       "--due", "2024-06-30", "--tag", "ai", "--details", "criteria")
    ok("add", "claim two", "-p", "40%", "--made", "2024-01-02", "--tag", "ai,chips")
    ok("add", "claim three", "-p", "60%", "--made", "2024-01-03")
    ok("edit", "1", "--statement", "claim one, reworded", "--tag", "ai", "--tag", "policy", "--due", "2024-07-31")
    ok("forecast", "1", "30%", "--made", "2024-02-01", "--by", "ana")
    ok("forecast", "2", "50%", "--made", "2024-02-01", "--by", "ana")
    ok("resolve", "1", "yes", "--date", "2024-03-01")
    ok("resolve", "2", "no", "--date", "2024-03-02")
    ok("import", str(_draft_file(tmp_path)))
    ok("accept", "4", "-p", "70%", "--statement", "claim four, accepted")
    return cli


def _fails(cli, dump, db_url, *needles: str, args: tuple[str, ...] = ()) -> str:
    """verify fails with one line on stderr holding every needle, and writes nothing."""
    before = dump(db_url)
    result = cli("verify", *args)
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("claimtrack: error:"), result.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    assert "Traceback" not in result.output
    assert dump(db_url) == before
    return lines[0]


def test_an_untouched_ledger_verifies_every_chain_and_claim(ledger):
    result = ledger("verify")
    assert result.exit_code == 0, result.stderr
    assert "forecasts: 6 rows, chain intact" in result.stdout
    assert "resolutions: 2 rows, chain intact" in result.stdout
    assert "claim_records: 4 rows, chain intact" in result.stdout
    # claim 1: statement, tags, due date; claim 4: status, statement
    assert "claim_edits: 5 rows, chain intact" in result.stdout
    assert "claims: 4 rows, each matches" in result.stdout


WHEN = datetime(2023, 12, 25, tzinfo=timezone.utc)


@pytest.mark.parametrize("claim, column, value", [
    (1, "statement", "claim one, as it never was"),  # a field with edits
    (2, "statement", "claim two, rewritten"),  # a field without
    (1, "details", "other criteria"),
    (1, "source", "Someone Else"),
    (2, "source", "Someone Else"),  # from NULL
    (1, "source_url", "https://example.com/other"),
    (2, "stated_at", WHEN),
    (2, "recorded_at", WHEN),
    (1, "resolve_by", WHEN + timedelta(days=400)),  # edited before
    (2, "resolve_by", WHEN + timedelta(days=400)),  # from NULL
    (4, "status", "rejected"),  # edited before (accepted)
    (2, "status", "draft"),
    (2, "import_key", "forged:2"),
    (2, "outcome", "yes"),
    (3, "outcome", "yes"),  # an open claim made resolved
    (1, "outcome", None),  # a resolved claim made open
    (1, "resolved_at", WHEN + timedelta(days=60)),
    (1, "last_probability", 0.99),
    (1, "last_forecaster", "mallory"),
    (2, "n_forecasts", 7),
])
def test_changing_a_claims_column_names_the_claim_and_column(ledger, sql, dump, db_url, claim, column, value):
    if isinstance(value, datetime):
        value = _stamp(sql, value)
    sql(f"UPDATE claims SET {column} = :v WHERE id = :id", v=value, id=claim)  # column from the list above
    line = _fails(ledger, dump, db_url, f"claim {claim}: ", column)
    assert "changed outside claimtrack" in line


def test_a_raw_outcome_change_that_moves_the_brier_score_is_caught(ledger, sql, dump, db_url):
    before = json.loads(ledger("report", "--format", "json").stdout)["overall"]["brier"]
    sql("UPDATE claims SET outcome = 'yes' WHERE id = 2")
    after = json.loads(ledger("report", "--format", "json").stdout)["overall"]["brier"]
    assert after != before  # the cache is what reports read...
    _fails(ledger, dump, db_url, "claim 2: cached outcome is 'yes' but its chained resolutions say 'no'")


def test_changing_a_claims_uuid_is_named_too(ledger, sql, dump, db_url):
    sql("UPDATE claims SET uuid = :u WHERE id = 3", u="00000000-0000-4000-8000-000000000000")
    result = ledger("verify")
    assert result.exit_code == 1
    assert "claims: claim 3: uuid is '00000000-0000-4000-8000-000000000000'" in result.stdout


def test_adding_or_removing_a_tag_is_caught(ledger, sql, dump, db_url):
    sql("INSERT INTO claim_tags (claim_id, tag) VALUES (2, 'forged')")
    _fails(ledger, dump, db_url, "claim 2: tags is 'ai,chips,forged' but its chained history says 'ai,chips'")
    sql("DELETE FROM claim_tags WHERE claim_id = 2 AND tag = 'forged'")
    assert ledger("verify").exit_code == 0
    sql("DELETE FROM claim_tags WHERE claim_id = 1 AND tag = 'policy'")  # a tag added by an edit
    _fails(ledger, dump, db_url, "claim 1: tags is 'ai' but its chained history says 'ai,policy'")


def _ids(sql, table: str, where: str = "1 = 1") -> list[int]:
    return [r[0] for r in sql(f"SELECT id FROM {table} WHERE {where} ORDER BY id")]  # from this file only


def test_changing_an_edit_names_that_row(ledger, sql, dump, db_url):
    target = _ids(sql, "claim_edits", "claim_id = 1")[0]
    sql("UPDATE claim_edits SET new_value = 'claim one, other' WHERE id = :id", id=target)
    _fails(ledger, dump, db_url, f"claim_edits row {target}: content does not match its hash")


def test_deleting_a_middle_edit_breaks_the_next_link(ledger, sql, dump, db_url):
    ids = _ids(sql, "claim_edits")
    sql("DELETE FROM claim_edits WHERE id = :id", id=ids[1])
    _fails(ledger, dump, db_url, f"claim_edits row {ids[2]}: link to the previous row is broken")


def test_deleting_the_newest_edit_is_caught_by_the_replay(ledger, sql, dump, db_url):
    """The last edit (claim 4's reworded statement) cut from the end of its
    chain leaves a valid chain, but the claim no longer replays to its row."""
    sql("DELETE FROM claim_edits WHERE id = :id", id=_ids(sql, "claim_edits")[-1])
    _fails(ledger, dump, db_url, "claim 4: statement is 'claim four, accepted' but its chained history says "
                                 "'claim four, a draft'")


def test_changing_a_creation_record_names_that_row(ledger, sql, dump, db_url):
    target = _ids(sql, "claim_records", "claim_id = 2")[0]
    sql("UPDATE claim_records SET statement = 'claim two, rewritten' WHERE id = :id", id=target)
    _fails(ledger, dump, db_url, f"claim_records row {target}: content does not match its hash")


def test_a_claim_inserted_behind_claimtracks_back_has_no_record(ledger, sql, dump, db_url):
    sql("INSERT INTO claims (uuid, statement, stated_at, recorded_at, status, revision, n_forecasts)"
        " VALUES ('22222222-2222-4222-8222-222222222222', 'forged', :t, :t, 'active', 1, 0)",
        t=_stamp(sql, WHEN))
    _fails(ledger, dump, db_url, "claim 5: has no chained creation record")


def test_deleting_a_claim_reports_its_orphaned_rows(ledger, sql, dump, db_url):
    if sql.dialect == "postgresql":  # the tamperer owns the database: the foreign keys go first
        for table in ("forecasts", "resolutions", "claim_edits", "claim_tags", "claim_records"):
            sql(f'ALTER TABLE {table} DROP CONSTRAINT "fk_{table}_claim_id_claims"')  # names from this file
    sql("DELETE FROM claims WHERE id = 2")
    result = ledger("verify")
    line = _fails(ledger, dump, db_url, "claim 2 is gone but 2 forecasts rows still point at it")
    assert "the claim row was deleted" in line
    for table in ("resolutions", "claim_records", "claim_tags"):
        assert f"claim 2 is gone but" in result.stdout and f"{table} row" in result.stdout


def _heads(result) -> dict[str, str]:
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("heads: ")]
    return dict(HEAD.findall(line))


def test_expect_catches_a_truncated_tail_that_the_caches_were_fixed_for(ledger, sql, dump, db_url):
    pinned = _heads(ledger("verify"))
    pins = [arg for table, head in pinned.items() for arg in ("--expect", f"{table}:{head}")]
    # growth is normal: a pinned head that is no longer the newest still passes
    assert ledger("forecast", "3", "65%").exit_code == 0
    grown = ledger("verify", *pins)
    assert grown.exit_code == 0, grown.stderr
    assert f"pinned forecasts:{pinned['forecasts']}: still in the forecasts chain (1 rows added since)" in grown.stdout
    # a longer prefix of the full head works too
    full = json.loads(ledger("verify", "--json").stdout)
    start = {r["table"]: r for r in full}["forecasts"]["head"]
    assert ledger("verify", "--expect", f"forecasts:{start[:40]}").exit_code == 0
    # cut the two newest forecasts (claim 4's from accept, claim 3's just added: one from before
    # the pin) and fix the claims' caches as a careful tamperer would
    for target in _ids(sql, "forecasts")[-2:]:
        sql("DELETE FROM forecasts WHERE id = :id", id=target)
    sql("UPDATE claims SET n_forecasts = 1, last_probability = 0.6 WHERE id = 3")
    sql("UPDATE claims SET n_forecasts = 0, last_probability = NULL, last_forecaster = NULL WHERE id = 4")
    sql("DELETE FROM current_forecasts")  # and the stored current forecasts (db.current)
    sql(BACKFILL)
    assert ledger("verify").exit_code == 0  # a clean cut at the end is a valid, shorter chain...
    _fails(ledger, dump, db_url, f"the pinned head forecasts:{pinned['forecasts']} is not in the forecasts chain",
           args=tuple(pins))  # ...which the pinned head exposes
    _fails(ledger, dump, db_url, "is not in any chain", args=("--expect", pinned["forecasts"] + "0" * 4))


@pytest.mark.parametrize("bad", ["forecasts:abc", "nochain:0123456789abcdef", "0123456789abcde", "xyz"])
def test_a_malformed_pin_is_refused(ledger, dump, db_url, bad):
    before = dump(db_url)
    result = ledger("verify", "--expect", bad)
    assert result.exit_code == 2
    assert result.stderr.startswith("claimtrack: error: invalid --expect") and len(result.stderr.splitlines()) == 1
    assert dump(db_url) == before


def test_a_reports_heads_are_what_verify_prints(ledger, tmp_path):
    printed = _heads(ledger("verify"))
    assert set(printed) == {"forecasts", "resolutions", "claim_records", "claim_edits"}
    text_report = ledger("report").stdout
    assert dict(HEAD.findall(text_report)) == printed
    data = json.loads(ledger("report", "--format", "json").stdout)
    assert {k: v[:16] for k, v in data["chain_heads"].items()} == printed
    full = {r["table"]: r["head"] for r in json.loads(ledger("verify", "--json").stdout) if r["head"]}
    assert data["chain_heads"] == full
    for fmt in ("md", "html"):
        out = tmp_path / f"r.{fmt}"
        assert ledger("report", "--format", fmt, "--out", str(out)).exit_code == 0
        assert dict(HEAD.findall(out.read_text())) == printed
    # and what the report pinned passes verify --expect
    pins = [arg for table, head in printed.items() for arg in ("--expect", f"{table}:{head}")]
    assert ledger("verify", *pins).exit_code == 0


def test_hashes_use_one_zero_and_utc():
    row = {"uuid": "u", "claim_uuid": "c", "forecaster": "f", "probability": -0.0,
           "made_at": datetime(2024, 1, 1, 12, tzinfo=timezone.utc), "recorded_at": datetime(2024, 1, 1, 12),
           "rationale": None, "backfilled": False, "after_resolution": False, "import_key": None}
    plus = {**row, "probability": 0.0,
            "made_at": datetime(2024, 1, 1, 13, tzinfo=timezone(timedelta(hours=1))),
            "recorded_at": datetime(2024, 1, 1, 12, tzinfo=timezone.utc)}
    assert row_hash(GENESIS, FORECAST_FIELDS, row) == row_hash(GENESIS, FORECAST_FIELDS, plus)
    assert row_hash(GENESIS, FORECAST_FIELDS, row) != row_hash(GENESIS, FORECAST_FIELDS, {**row, "probability": 1e-300})


def test_a_negative_zero_in_an_import_file_keeps_the_chain_valid(cli, db_url, tmp_path):
    body = ('{"format": "claimtrack", "version": 1, "claims": [{"statement": "never", '
            '"stated_at": "2024-01-01T00:00:00Z", "forecasts": ['
            '{"forecaster": "a", "probability": -0.0, "made_at": "2024-01-02T00:00:00Z"}, '
            '{"forecaster": "b", "probability": -0, "made_at": "2024-01-03T00:00:00Z"}, '
            '{"forecaster": "c", "probability": "-0", "made_at": "2024-01-04T00:00:00Z"}]}]}')
    path = tmp_path / "zero.json"
    path.write_text(body)
    assert cli("import", str(path)).exit_code == 0
    result = cli("verify")
    assert result.exit_code == 0, result.stderr
    assert "forecasts: 3 rows, chain intact" in result.stdout
    assert cli("forecast", "1", "0%").exit_code == 0  # and the chain goes on
    assert cli("verify").exit_code == 0


def _inconsistent_file(tmp_path):
    doc = {"format": "claimtrack", "version": 1, "claims": [{
        "statement": "B as it stands", "stated_at": "2024-01-01T00:00:00Z", "tags": ["x"],
        "edits": [
            {"field": "statement", "old_value": "A at first", "new_value": "C, then", "edited_at": "2024-01-05T00:00:00Z"},
            {"field": "tags", "old_value": "", "new_value": "x", "edited_at": "2024-01-06T00:00:00Z"},
        ]}]}
    path = tmp_path / "history.json"
    path.write_text(json.dumps(doc))
    return path


def test_an_imported_history_that_does_not_end_at_the_claim_is_closed_by_one_edit(cli, sql, tmp_path):
    result = cli("import", str(_inconsistent_file(tmp_path)), "--tag", "work")
    assert result.exit_code == 0, result.output
    verified = cli("verify")
    assert verified.exit_code == 0, verified.stderr
    edits = sql("SELECT field, old_value, new_value, edited_by FROM claim_edits ORDER BY id")
    assert [tuple(e) for e in edits] == [
        ("statement", "A at first", "C, then", None), ("tags", "", "x", None),
        ("statement", "C, then", "B as it stands", "claimtrack import"),
        ("tags", "x", "work,x", "claimtrack import"),
    ]
    (record,) = sql("SELECT statement, tags FROM claim_records")
    assert tuple(record) == ("A at first", "")


def test_export_and_import_into_an_empty_ledger_verifies_with_the_same_records(ledger, tmp_path):
    out = tmp_path / "export.json"
    assert ledger("export", "--format", "json", "--out", str(out)).exit_code == 0
    copy = str(tmp_path / "copy.db")
    assert ledger("import", str(out), db=copy).exit_code == 0
    original = {r["table"]: r["head"] for r in json.loads(ledger("verify", "--json").stdout)}
    imported = json.loads(ledger("verify", "--json", db=copy).stdout)
    assert all(r["ok"] for r in imported)
    # claims are imported in id order, so their records chain as they did; forecasts,
    # resolutions and edits are appended claim by claim, not in the order they were made
    assert {r["table"]: r["head"] for r in imported}["claim_records"] == original["claim_records"]


def test_a_populated_0002_ledger_upgrades_to_the_claim_chain(ledger, db_url, tmp_path):
    """A ledger at 0002 (claims, edits, tags, a draft accepted, forecasts,
    resolutions; no claim chain) is backed up (files), upgraded to 0003 and
    verifies; its records and edits hash as the live writes hashed them.
    A claim whose row no longer matches its history (the upgrade cannot know
    why) gets one closing edit, so the baseline verifies."""
    from claimtrack.db.migrate import SCHEMA_HEAD, current_revision, open_database

    before = {r["table"]: r["head"] for r in json.loads(ledger("verify", "--json").stdout)}
    location = from_value(db_url, "test")
    db = open_database(location)
    downgrade(db, "0002")
    assert current_revision(db.engine) == "0002"
    with db._write_engine.begin() as conn:  # history and row disagree before the upgrade
        conn.execute(text("UPDATE claims SET statement = 'changed at 0002' WHERE id = 1"))  # an edited field
        conn.execute(text("UPDATE claims SET outcome = 'yes' WHERE id = 2"))  # a stale cache
    db.dispose()

    result = ledger("verify")  # the command opens, backs up and upgrades the ledger
    assert result.exit_code == 0, result.stderr
    after = {r["table"]: r["head"] for r in json.loads(ledger("verify", "--json").stdout)}
    assert after["forecasts"] == before["forecasts"] and after["resolutions"] == before["resolutions"]
    assert after["claim_records"] == before["claim_records"]  # worked out backwards, as created
    assert after["claim_edits"] != before["claim_edits"]  # one closing edit more
    upgraded = open_database(location)
    try:
        assert current_revision(upgraded.engine) == SCHEMA_HEAD
        with upgraded.engine.connect() as conn:
            closing = conn.execute(text("SELECT claim_id, field, old_value, new_value, edited_by FROM claim_edits "
                                        "ORDER BY id DESC LIMIT 1")).one()
            outcome = conn.execute(text("SELECT outcome FROM claims WHERE id = 2")).scalar()
    finally:
        upgraded.dispose()
    assert tuple(closing) == (1, "statement", "claim one, reworded", "changed at 0002", "claimtrack upgrade 0003")
    assert outcome == "no"  # the cache is worked out again from the chained resolutions
    # and the upgraded ledger is protected like a new one
    assert ledger("edit", "1", "--statement", "claim one, once more").exit_code == 0
    assert ledger("verify").exit_code == 0
    if location.path is not None:
        backups = list(tmp_path.glob(f"claims.db.pre-{SCHEMA_HEAD}-*.bak"))
        assert len(backups) == 1
        con = sqlite3.connect(backups[0])
        assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0002"
        con.close()


def test_odd_imported_histories_are_kept_and_still_verify(cli, sql, tmp_path):
    """Edits naming fields no edit can change are history only; a long old
    value and a date that does not parse are kept as given."""
    doc = {"format": "claimtrack", "version": 1, "claims": [{
        "statement": "odd", "stated_at": "2024-01-01T00:00:00Z", "source": "Ben",
        "edits": [
            {"field": "uuid", "old_value": None, "new_value": "x", "edited_at": "2024-01-02T00:00:00Z"},
            {"field": "colour", "old_value": "red", "new_value": "blue", "edited_at": "2024-01-02T00:00:00Z"},
            {"field": "source", "old_value": "S" * 300, "new_value": "Ben", "edited_at": "2024-01-03T00:00:00Z"},
            {"field": "stated_at", "old_value": "not a date", "new_value": "2024-01-01T00:00:00+00:00",
             "edited_at": "2024-01-04T00:00:00Z"},
        ]}]}
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(doc))
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    verified = cli("verify")
    assert verified.exit_code == 0, verified.stderr
    (record,) = sql("SELECT source, claim_uuid = (SELECT uuid FROM claims) FROM claim_records")
    assert record[0] == "S" * 300 and record[1]
    assert sql("SELECT count(*) FROM claim_edits")[0][0] == 4  # nothing to close
