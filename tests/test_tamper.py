"""Tamper evidence: rewriting history with raw SQL is caught by `claimtrack verify`.

Each test builds a ledger through the CLI, changes it behind claimtrack's
back with plain SQL (bound parameters), and expects `verify` to exit non-zero
with one line naming the first broken row.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, select, text

from claimtrack.db import models as m

from claimtrack.db.current import BACKFILL
from claimtrack.db.location import from_value
from claimtrack.domain.chain import FORECAST_FIELDS, GENESIS, row_hash




@pytest.fixture
def ledger(cli):
    """Three claims, seven forecasts, four resolutions (one claim re-resolved)."""
    for n in range(1, 4):
        assert cli("add", f"claim {n}", "-p", f"{20 * n}%", "--made", "2024-01-0%d" % n).exit_code == 0
    for n, p in ((1, "30%"), (2, "50%"), (1, "35%"), (3, "likely")):
        assert cli("forecast", str(n), p, "--made", "2024-02-01", "--by", "ana").exit_code == 0
    assert cli("resolve", "1", "yes", "--date", "2024-03-01").exit_code == 0
    assert cli("resolve", "2", "no", "--date", "2024-03-02").exit_code == 0
    assert cli("resolve", "3", "void", "--date", "2024-03-03").exit_code == 0
    assert cli("resolve", "3", "yes", "--date", "2024-03-04", "--force").exit_code == 0
    return cli


def _ids(sql, table: str) -> list[int]:
    return [r[0] for r in sql(f"SELECT id FROM {table} ORDER BY id")]  # table name from this file only


def _broken(cli, dump, db_url, needle: str) -> str:
    before = dump(db_url)
    result = cli("verify")
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("claimtrack: error:"), result.stderr
    assert needle in lines[0], lines[0]
    assert "Traceback" not in result.output
    assert dump(db_url) == before  # verify only reads
    return lines[0]


def test_an_untouched_ledger_verifies(ledger, sql):
    result = ledger("verify")
    assert result.exit_code == 0, result.stderr
    assert "forecasts: 7 rows, chain intact" in result.stdout
    assert "resolutions: 4 rows, chain intact" in result.stdout


@pytest.mark.parametrize("column, value", [
    ("probability", 0.99),
    ("forecaster", "someone else"),
    ("rationale", "added later"),
    ("backfilled", None),
    ("after_resolution", None),
])
def test_changing_a_forecast_names_that_row(ledger, sql, dump, db_url, column, value):
    target = _ids(sql, "forecasts")[3]
    new = f"NOT {column}" if value is None else ":v"  # None: flip the flag
    sql(f"UPDATE forecasts SET {column} = {new} WHERE id = :id", v=value, id=target)  # names from this file
    message = _broken(ledger, dump, db_url, f"forecasts row {target}:")
    assert "edited" in message


def test_moving_a_forecast_date_names_that_row(ledger, sql, dump, db_url):
    target = _ids(sql, "forecasts")[2]
    (made,) = sql("SELECT made_at FROM forecasts WHERE id = :id", id=target)[0]
    if isinstance(made, str):  # SQLite hands back text
        later = made.replace("2024-", "2023-", 1)
    else:
        later = made.replace(year=made.year - 1)
    sql("UPDATE forecasts SET made_at = :v WHERE id = :id", v=later, id=target)
    _broken(ledger, dump, db_url, f"forecasts row {target}:")


@pytest.mark.parametrize("column, value", [("outcome", "no"), ("note", "nothing to see"), ("resolved_by", "mallory")])
def test_changing_a_resolution_names_that_row(ledger, sql, dump, db_url, column, value):
    target = _ids(sql, "resolutions")[0]
    sql(f"UPDATE resolutions SET {column} = :v WHERE id = :id", v=value, id=target)  # column from the list above
    _broken(ledger, dump, db_url, f"resolutions row {target}:")


def test_deleting_a_middle_resolution_names_the_next_row(ledger, sql, dump, db_url):
    ids = _ids(sql, "resolutions")
    sql("DELETE FROM resolutions WHERE id = :id", id=ids[1])
    message = _broken(ledger, dump, db_url, f"resolutions row {ids[2]}:")
    assert "link to the previous row is broken" in message


def test_deleting_the_first_forecast_names_the_next_row(ledger, sql, dump, db_url):
    ids = _ids(sql, "forecasts")
    sql("DELETE FROM forecasts WHERE id = :id", id=ids[0])
    _broken(ledger, dump, db_url, f"forecasts row {ids[1]}:")


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(ledger, sql, dump, db_url):
    """A tamperer who knows the hash scheme re-hashes the row they edit; the
    following row still points at the old hash."""
    ids = _ids(sql, "forecasts")
    target = ids[2]
    columns = [getattr(m.Forecast, c) for c in FORECAST_FIELDS if c != "claim_uuid"]
    query = (select(m.Forecast.prev_hash, m.Claim.uuid.label("claim_uuid"), *columns)
             .join(m.Claim, m.Claim.id == m.Forecast.claim_id).where(m.Forecast.id == target))
    engine = create_engine(from_value(db_url, "test").url)
    with engine.connect() as conn:  # typed values (datetimes, booleans), as the hasher sees them
        row = dict(conn.execute(query).mappings().one())
    engine.dispose()
    row["probability"] = 0.01
    new_hash = row_hash(row["prev_hash"], FORECAST_FIELDS, row)
    sql("UPDATE forecasts SET probability = 0.01, row_hash = :h WHERE id = :id", h=new_hash, id=target)
    message = _broken(ledger, dump, db_url, f"forecasts row {ids[3]}:")
    assert "link to the previous row is broken" in message


def test_changing_a_claims_uuid_breaks_its_rows(ledger, sql, dump, db_url):
    first = sql("SELECT min(id) FROM forecasts WHERE claim_id = 2")[0][0]
    sql("UPDATE claims SET uuid = :u WHERE id = 2", u="00000000-0000-4000-8000-000000000000")
    _broken(ledger, dump, db_url, f"forecasts row {first}:")


def test_a_forged_row_is_caught(ledger, sql, dump, db_url):
    last = sql("SELECT * FROM forecasts ORDER BY id DESC LIMIT 1")[0]._asdict()
    forged = {**last, "id": last["id"] + 1, "uuid": "11111111-1111-4111-8111-111111111111",
              "probability": 0.5, "prev_hash": GENESIS, "import_key": None}
    sql("INSERT INTO forecasts (" + ", ".join(forged) + ") VALUES (" + ", ".join(f":{k}" for k in forged) + ")",
        **forged)
    _broken(ledger, dump, db_url, f"forecasts row {forged['id']}:")


def test_truncating_the_newest_rows_changes_the_head_verify_reports(ledger, sql):
    noted = {r["table"]: r["head"] for r in json.loads(ledger("verify", "--json").stdout)}
    newest = _ids(sql, "forecasts")[-1]
    (claim,) = sql("SELECT claim_id FROM forecasts WHERE id = :id", id=newest)[0]
    sql("DELETE FROM forecasts WHERE id = :id", id=newest)
    assert ledger("verify").exit_code != 0  # the claim's cached forecast count gives the cut away...
    sql("UPDATE claims SET n_forecasts = n_forecasts - 1, last_probability = 0.6, last_forecaster = 'tester'"
        " WHERE id = :id", id=claim)  # ...so a careful tamperer fixes it (claim 3's first forecast: 60%)
    sql("DELETE FROM current_forecasts")  # and the stored current forecasts (db.current) with it
    sql(BACKFILL)
    result = ledger("verify", "--json")
    assert result.exit_code == 0, result.stderr  # a clean cut at the end leaves a valid, shorter chain...
    heads = {r["table"]: r["head"] for r in json.loads(result.stdout)}
    assert heads["forecasts"] != noted["forecasts"]  # ...which the noted head exposes
    assert heads["resolutions"] == noted["resolutions"]


def test_verify_json_reports_the_broken_row(ledger, sql):
    target = _ids(sql, "forecasts")[1]
    sql("UPDATE forecasts SET probability = 0.42 WHERE id = :id", id=target)
    result = ledger("verify", "--json")
    assert result.exit_code != 0
    reports = {r["table"]: r for r in json.loads(result.stdout)}
    assert reports["forecasts"]["ok"] is False and reports["forecasts"]["broken_id"] == target
    assert reports["resolutions"]["ok"] is True


def _native_file(tmp_path, prefix: str):
    claims = [{
        "statement": f"{prefix} imported claim {i}", "stated_at": "2023-05-01T00:00:00Z",
        "import_key": f"{prefix}:{i}",
        "forecasts": [{"forecaster": "bob", "probability": 0.1 * (j + 1), "made_at": f"2023-05-0{j + 2}T00:00:00Z",
                       "import_key": f"{prefix}:{i}:{j}"} for j in range(3)],
        "resolutions": [{"outcome": "no", "resolved_at": "2023-06-01T00:00:00Z", "import_key": f"{prefix}:{i}:r"}],
    } for i in range(5)]
    path = tmp_path / f"{prefix}.json"
    path.write_text(json.dumps({"format": "claimtrack", "version": 1, "claims": claims}))
    return path


def test_imported_records_join_the_chain(ledger, sql, dump, db_url, tmp_path):
    assert ledger("import", str(_native_file(tmp_path, "first"))).exit_code == 0
    # interleave a normal write (a new claim: every claim here is resolved, and a
    # forecast recorded after its claim's resolution is refused)
    assert ledger("add", "claim 4", "-p", "45%", "--made", "2024-02-15").exit_code == 0
    assert ledger("import", str(_native_file(tmp_path, "second"))).exit_code == 0
    result = ledger("verify")
    assert result.exit_code == 0, result.stderr
    assert "forecasts: 38 rows, chain intact" in result.stdout  # 7 + 15 + 1 + 15
    assert "resolutions: 14 rows, chain intact" in result.stdout  # 4 + 5 + 5
    # an imported row is protected like any other
    target = sql("SELECT id FROM forecasts WHERE import_key = :k", k="first:3:1")[0][0]
    sql("UPDATE forecasts SET probability = 0.9 WHERE id = :id", id=target)
    _broken(ledger, dump, db_url, f"forecasts row {target}:")
