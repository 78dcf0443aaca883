"""A big import is read and stored a piece at a time: the CSV's lines a piece
of text at a time, forecasts chained and inserted in batches, and on SQLite
the forecasts' secondary indexes dropped and rebuilt around a bulk insert
into an empty table.  None of it may change what is stored or reported."""

from __future__ import annotations

import io
import json
import random

import pytest
from sqlalchemy import select

from claimtrack.db import models as m
from claimtrack.importers import _csv


@pytest.mark.parametrize("piece", [1, 2, 3, 7, 64])
def test_lines_are_stringio_lines(monkeypatch, piece):
    monkeypatch.setattr(_csv, "PIECE", piece)
    rng = random.Random(piece)
    alphabet = ['a', ',', '"', '\r', '\n', '\r\n', '\x0b', '\x1c', '\u2028', '\x85', ' ', 'é']
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert list(_csv._lines(text)) == list(io.StringIO(text, newline="")), repr(text)


def _csv_file(tmp_path, n_claims=6, per_claim=9):
    """A generic CSV with claims interleaved row by row, a repeated row,
    resolutions, and a quoted field with a newline."""
    rows = ["statement,created_at,probability,forecaster,outcome,resolved_at"]
    for k in range(per_claim):
        for c in range(n_claims):
            p = (c * 7 + k * 13) % 100 / 100
            outcome = ("yes", "no", "")[c % 3]
            resolved = "2024-06-01" if outcome else ""
            text = f'"Claim {c}\nsecond line"' if c == 0 else f"Claim {c}"
            rows.append(f"{text},2024-01-{k + 1:02d},{p},person{k % 4},{outcome},{resolved}")
    rows.append(rows[5])  # the same row again (the parser keeps it, under a key of its own)
    path = tmp_path / "big.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _stored(db_url):
    from claimtrack.services.store import open_ledger

    db = open_ledger(db_url)
    try:
        with db.read() as session:
            f = m.forecasts.c
            forecasts = session.execute(select(f.id, f.claim_id, f.forecaster, f.probability, f.made_at,
                                               f.after_resolution, f.import_key).order_by(f.id)).all()
            c = m.claims.c
            claims = session.execute(select(c.id, c.n_forecasts, c.last_probability, c.last_forecaster,
                                            c.outcome, c.resolved_at, c.revision).order_by(c.id)).all()
        return [tuple(r) for r in forecasts], [tuple(r) for r in claims]
    finally:
        db.dispose()


def _indexes(db_url):
    import sqlite3

    with sqlite3.connect(db_url) as conn:
        return sorted(conn.execute("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'forecasts' "
                                   "AND type = 'index'").fetchall())


def _triggers_and_current(db_url):
    """The forecasts' triggers (name, SQL) and the current-forecast cache's rows."""
    import sqlite3

    with sqlite3.connect(db_url) as conn:
        return (sorted(conn.execute("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'forecasts' "
                                    "AND type = 'trigger'").fetchall()),
                sorted(conn.execute("SELECT claim_id, forecaster, forecast_id, made_at, kind, probability "
                                    "FROM current_forecasts").fetchall()))


def test_batched_import_stores_what_one_batch_stores(cli, db_url, tmp_path, monkeypatch):
    from claimtrack.services import chain, imports

    if "://" in db_url:
        pytest.skip("the bulk path is SQLite's; batches are covered there against one batch")
    source = _csv_file(tmp_path)
    whole_db, batched_db = str(tmp_path / "whole.db"), str(tmp_path / "batched.db")
    assert cli("init", db=whole_db).exit_code == 0
    first = cli("import", str(source), "--json", db=whole_db)
    assert first.exit_code == 0, first.stderr
    whole, indexes = _stored(whole_db), _indexes(whole_db)

    monkeypatch.setattr(imports, "BATCH", 4)  # many batches, split inside claims
    monkeypatch.setattr(chain, "BIG_INSERT", 5)  # the bulk path: indexes dropped and rebuilt
    assert cli("init", db=batched_db).exit_code == 0
    batched = cli("import", str(source), "--json", db=batched_db)
    assert batched.exit_code == 0, batched.stderr
    assert json.loads(batched.stdout) == json.loads(first.stdout)
    assert len(whole[0]) == 6 * 9 + 1 and _stored(batched_db) == whole
    assert _indexes(batched_db) == indexes and len(indexes) == 4  # rebuilt exactly as they were
    # the current-forecast trigger dropped for the load and put back; the cache filled once
    triggers, current = _triggers_and_current(whole_db)
    assert any(name == "claimtrack_current_forecast" for name, _ in triggers) and current
    assert _triggers_and_current(batched_db) == (triggers, current)
    verify = cli("verify", db=batched_db)
    assert verify.exit_code == 0, verify.stderr
    # the same file again, in batches, into the now full ledger: nothing added
    again = json.loads(cli("import", str(source), "--json", db=batched_db).stdout)
    assert again["forecasts"]["added"] == 0 and again["forecasts"]["already_present"] == 6 * 9 + 1
    assert _stored(batched_db) == whole


def test_a_failed_bulk_import_keeps_the_indexes(cli, db_url, tmp_path, monkeypatch):
    from claimtrack.services import chain, imports

    if "://" in db_url:
        pytest.skip("SQLite's bulk path")
    monkeypatch.setattr(chain, "BIG_INSERT", 5)
    monkeypatch.setattr(imports, "BATCH", 4)
    db = str(tmp_path / "ledger.db")
    assert cli("init", db=db).exit_code == 0
    before, triggers = _indexes(db), _triggers_and_current(db)
    calls = {"n": 0}
    real = imports.append_forecasts

    def failing(session, rows):
        calls["n"] += 1
        if calls["n"] == 3:  # after two batches are in, with the indexes dropped
            raise KeyboardInterrupt
        return real(session, rows)

    monkeypatch.setattr(imports, "append_forecasts", failing)
    result = cli("import", str(_csv_file(tmp_path)), db=db)
    assert result.exit_code != 0 and calls["n"] == 3
    assert _indexes(db) == before
    assert _triggers_and_current(db) == triggers  # the trigger is back, the cache still empty
    assert _stored(db) == ([], [])
