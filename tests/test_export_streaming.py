"""export and verify stream plain rows: their output must stay byte for byte
what the ORM implementation they replaced wrote (kept in
tests/_export_reference.py), on both engines, on the demo ledger, a
generated ledger and a ledger of awkward values."""

from __future__ import annotations

import io
import shutil
import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

import _export_reference as reference
from _trust import unguarded
from claimtrack.db.append_only import maintenance
from claimtrack.services import export
from claimtrack.services.verify import verify_ledger

EXPORTED_AT = datetime(2026, 5, 4, 3, 2, 1, 123456, tzinfo=timezone.utc)


@pytest.fixture
def frozen(monkeypatch):
    import claimtrack.domain.dates as dates

    monkeypatch.setattr(dates, "utcnow", lambda: EXPORTED_AT)


def _both(db) -> tuple[tuple[str, str], tuple[str, str]]:
    new_json, old_json, new_csv, old_csv = (io.StringIO() for _ in range(4))
    n_new = export.write_json(db, new_json)
    n_old = reference.write_json(db, old_json, EXPORTED_AT)
    assert n_new == n_old
    assert export.write_csv(db, new_csv) == reference.write_csv(db, old_csv) == n_old
    return (new_json.getvalue(), old_json.getvalue()), (new_csv.getvalue(), old_csv.getvalue())


def _verify_matches_reference(db) -> None:
    new = [(r.table, r.rows, r.head, r.broken_id, r.problem) for r in verify_ledger(db)]
    expected = reference.verify(db)  # the forecast and resolution chains; the claims' checks follow
    assert new[:len(expected)] == expected


def test_demo_ledger_exports_exactly_as_before(db, frozen):
    from claimtrack.services.demo import load_demo

    load_demo(db)
    (new_json, old_json), (new_csv, old_csv) = _both(db)
    assert new_json == old_json
    assert new_csv == old_csv
    assert '"forecasts": [{' in new_json and "\nforecast," in new_csv
    _verify_matches_reference(db)


def _awkward_ledger(db) -> None:
    """Values that take every path: formula-like text in the text columns,
    unicode, quotes and line breaks, NULLs, a timestamp on a whole second (no
    fraction in ISO), tags, edits, a re-resolution, more claims than one chunk."""
    from claimtrack.services import claim_edits
    from claimtrack.services import ledger as svc, resolve

    whole = datetime(2024, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
    texts = ["=1+1", "+SUM(A1)", "-2", "@cmd", "'=quoted", "''+x", "plain", "ünï 漢字 \"q\", x"]
    for i, text in enumerate(texts):
        claim = svc.add_claim(db, svc.NewClaim(
            statement=f"{text} statement {i}\nsecond line", probability=0.25 + i / 100, forecaster=text,
            source=text, source_url=None if i % 2 else f"https://example.com/{i}", stated_at=whole,
            resolve_by=None if i % 3 else datetime(2025, 1, 1, tzinfo=timezone.utc), tags=(f"t{i}", "a-tag"),
            note=text if i % 2 else None, details=f"{text}\r\ndetails" if i % 2 else None))
        why = f'why "{i}", because\rof {text}' + ("\nend" if i % 4 == 1 else "")
        svc.add_forecast(db, claim.id, 0.5, forecaster="me", rationale=why if i % 2 else text,
                         made_at=datetime(2024, 3, 2, 1, 2, 3, 456789, tzinfo=timezone.utc))
        if i % 3 == 0:
            resolve.resolve_claim(db, claim.id, "yes", resolved_at=datetime(2024, 4, 1, tzinfo=timezone.utc), note=text)
        if i % 4 == 0:
            resolve.resolve_claim(db, claim.id, "no", resolved_at=datetime(2024, 4, 2, tzinfo=timezone.utc),
                              evidence_url="https://example.com/evidence", resolved_by=text, force=True)
        if i % 2 == 0:
            claim_edits.edit_claim(db, claim.id, statement=f"{text} edited", edited_by=text)


def test_awkward_values_export_exactly_as_before(db, frozen, monkeypatch):
    _awkward_ledger(db)
    monkeypatch.setattr(export, "CHUNK", 3)  # several chunks
    (new_json, old_json), (new_csv, old_csv) = _both(db)
    assert new_json == old_json
    assert new_csv == old_csv
    assert "'=1+1" in new_csv and "'''+x" in new_csv and "'@cmd" in new_csv
    # written by SQLite: quotes doubled, quoted for a comma or a line break, not for a lone \r (as csv does)
    assert '"why ""1"", because\rof +SUM(A1)\nend"' in new_csv and '"why ""3"", because\rof @cmd"' in new_csv
    _verify_matches_reference(db)


BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    sys.path.insert(0, str(BENCH))
    import generate

    path = tmp_path_factory.mktemp("gen") / "gen.db"
    generate.generate(path, 700, 5000, seed=11, quiet=True)
    return path


def test_generated_ledger_exports_exactly_as_before(generated, frozen, monkeypatch):
    from claimtrack.services.store import open_ledger

    db = open_ledger(str(generated))
    try:
        monkeypatch.setattr(export, "CHUNK", 64)
        (new_json, old_json), (new_csv, old_csv) = _both(db)
        assert new_json == old_json
        assert new_csv == old_csv
        _verify_matches_reference(db)
    finally:
        db.dispose()


@pytest.mark.parametrize("change", [
    "UPDATE forecasts SET probability = 0.123 WHERE id = 40",
    "UPDATE forecasts SET made_at = '2020-01-01 00:00:00' WHERE id = 41",  # short form: parsed, not sliced
    "UPDATE forecasts SET backfilled = 1 - backfilled WHERE id = 42",
    "DELETE FROM forecasts WHERE id = 43",
    "UPDATE resolutions SET note = 'changed' WHERE id = 5",
    "UPDATE claims SET uuid = '00000000-0000-4000-8000-000000000000' WHERE id = (SELECT claim_id FROM forecasts WHERE id = 44)",
])
def test_verify_reports_tampering_exactly_as_before(generated, tmp_path, change):
    from claimtrack.services.store import open_ledger

    copy = tmp_path / "tampered.db"
    shutil.copyfile(generated, copy)
    with sqlite3.connect(copy) as conn:
        conn.execute("PRAGMA foreign_keys=OFF")
        unguarded(conn, change)
    db = open_ledger(str(copy))
    try:
        reports = verify_ledger(db)
        assert not all(r.ok for r in reports)
        _verify_matches_reference(db)
    finally:
        db.dispose()


def test_stored_timestamps_in_other_forms_read_as_the_column_type_reads_them(generated, tmp_path, frozen):
    """A timestamp stored in a shorter form exports and verifies as the datetime SQLAlchemy parses
    from it, not as sliced text (here the fraction is lost: verify flags the forecasts)."""
    from claimtrack.services.store import open_ledger

    copy = tmp_path / "short.db"
    shutil.copyfile(generated, copy)
    with sqlite3.connect(copy) as conn:
        unguarded(conn, "UPDATE forecasts SET recorded_at = substr(recorded_at, 1, 19) WHERE id % 5 = 0")
        conn.execute("UPDATE claims SET resolve_by = substr(resolve_by, 1, 19) WHERE id % 3 = 0")
    db = open_ledger(str(copy))
    try:
        (new_json, old_json), (new_csv, old_csv) = _both(db)
        assert new_json == old_json and new_csv == old_csv
        _verify_matches_reference(db)  # the fraction is gone: both see the edited forecasts
        assert verify_ledger(db)[0].broken_id == 5
    finally:
        db.dispose()


def test_a_whole_second_stored_without_its_fraction_still_verifies(sqlite_path, frozen):
    """Another tool may write ``2024-04-01 00:00:00`` for ``2024-04-01 00:00:00.000000``: the same
    datetime, so the same hash; verify must not take the sliced text for the value."""
    from sqlalchemy import text

    from claimtrack.services.store import open_ledger

    db = open_ledger(str(sqlite_path))
    try:
        _awkward_ledger(db)
        with db.engine.begin() as conn, maintenance(conn):
            changed = conn.execute(text("UPDATE resolutions SET resolved_at = substr(resolved_at, 1, 19)")).rowcount
        assert changed > 0
        assert all(r.ok for r in verify_ledger(db))
        _verify_matches_reference(db)
        (new_json, old_json), (new_csv, old_csv) = _both(db)
        assert new_json == old_json and new_csv == old_csv
    finally:
        db.dispose()


def test_verify_judges_rows_the_fast_path_cannot_write(db):
    """Probabilities whose repr needs 16-17 digits, 0 and 1, and 1e-05: SQLite cannot
    (or may not) write their canonical text, so verify hashes them through the chain itself; the
    ledger still verifies, and a changed one is still caught."""
    from claimtrack.services import ledger as svc, resolve

    claim = svc.add_claim(db, svc.NewClaim(statement="thirds", probability=1 / 3, forecaster="me",
                                           stated_at=datetime(2024, 1, 1, tzinfo=timezone.utc)))
    for p in (0.1 + 0.2, 0.0, 1.0, 2 / 3, 1e-5, 0.5):
        svc.add_forecast(db, claim.id, p, forecaster="you", made_at=datetime(2024, 1, 2, tzinfo=timezone.utc))
    resolve.resolve_claim(db, claim.id, "yes", resolved_at=datetime(2024, 2, 1, tzinfo=timezone.utc))
    reports = verify_ledger(db)
    assert [(r.table, r.rows, r.ok) for r in reports][:2] == [("forecasts", 7, True), ("resolutions", 1, True)]
    assert all(r.ok for r in reports)
    _verify_matches_reference(db)
    if db.dialect == "sqlite":
        from sqlalchemy import text

        with db.engine.begin() as conn, maintenance(conn):
            conn.execute(text("UPDATE forecasts SET probability = 0.30000000000000004 + 1e-16 WHERE id = 2"))
        assert verify_ledger(db)[0].broken_id == 2
        _verify_matches_reference(db)


STORED = ["2024-03-01 12:00:00.000000", "2024-03-01 12:00:00.123456", "1999-12-31 23:59:59.999999",
          "2024-03-01 12:00:00", "2024-03-01 12:00:00.5", "2024-03-01", "2024-03-01T12:00:00.123456",
          "2024-03-01 12:00:00.000001"]


@pytest.mark.parametrize("stored", STORED)
def test_sqlite_formats_stored_timestamps_as_python_does(stored):
    """SQLite's text for a stored timestamp is the Python rule's, which is formatting the datetime
    the column type reads; unusual forms are flagged for Python."""
    from sqlalchemy import create_engine, select

    from claimtrack.db import models as m
    from claimtrack.domain.chain import _canonical
    from claimtrack.services.rows import chain_from_stored, iso, iso_from_stored, sqlite_time_text, stored_time

    engine = create_engine("sqlite://")
    col = m.forecasts.c.made_at
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE forecasts (made_at TEXT)")
        conn.exec_driver_sql("INSERT INTO forecasts VALUES (?)", (stored,))
        iso_text, iso_odd = sqlite_time_text(col, flag=4)
        chain_text, chain_odd = sqlite_time_text(col, chain=True, flag=4)
        got = conn.execute(select(iso_text, iso_odd, chain_text, chain_odd).select_from(m.forecasts)).one()
    value = stored_time(stored)
    assert iso_from_stored(stored) == iso(value)
    assert _canonical(chain_from_stored(stored)) == _canonical(value)
    if got[1] == 0:
        assert got[0] == iso(value) and got[2] == _canonical(value) and got[3] == 0
    else:
        assert got[1] == got[3] == 4 and got[0] == got[2] == stored
    assert (got[1] == 0) == (len(stored) == 26 and stored[10] == " ")


def test_columns_of_other_types_are_read_through_their_types(generated, frozen, monkeypatch):
    """A column whose stored SQLite value is not what its type reads (an Enum, JSON: none today)
    sends its table through the column types, the path PostgreSQL takes: still the same bytes."""
    import claimtrack.services.export_text as export_text
    import claimtrack.services.verify as verify
    from claimtrack.db import models as m
    from claimtrack.services.rows import raw_readable
    from claimtrack.services.store import open_ledger

    assert all(raw_readable(c) for t in (m.forecasts, m.resolutions, m.claims, m.claim_edits) for c in t.c)
    monkeypatch.setattr(export_text, "raw_readable", lambda col: col.name != "forecaster")
    monkeypatch.setattr(verify, "raw_readable", lambda col: col.name != "forecaster")
    db = open_ledger(str(generated))
    try:
        (new_json, old_json), (new_csv, old_csv) = _both(db)
        assert new_json == old_json
        assert new_csv == old_csv
        _verify_matches_reference(db)
        assert all(r.ok for r in verify_ledger(db))
    finally:
        db.dispose()
