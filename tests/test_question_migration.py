"""Migration 0004 (issue 12): a populated ledger upgrades on both engines,
after a backup; existing claims become binary, every chain keeps its heads
and verifies, and the new kinds can be added on top."""

from __future__ import annotations

import sqlite3

from sqlalchemy import text

from claimtrack.db.location import from_value
from claimtrack.db.migrate import SCHEMA_HEAD, current_revision, open_database
from _migrations import downgrade


def test_a_populated_0003_ledger_upgrades_to_question_types(db_url, tmp_path):
    from claimtrack.services.claim_edits import edit_claim
    from claimtrack.services.ledger import NewClaim, add_claim, add_forecast
    from claimtrack.services.resolve import resolve_claim
    from claimtrack.services.questions import DistributionInput, NewQuestion, add_question, add_question_forecast
    from claimtrack.services.verify import verify_ledger

    location = from_value(db_url, "test")
    db = open_database(location)
    for i in range(3):
        add_claim(db, NewClaim(statement=f"claim {i}", probability=0.1 + i / 5, forecaster="me", source="Ben",
                               tags=("t",)))
        add_forecast(db, i + 1, 0.5, forecaster="Priya")
    resolve_claim(db, 1, "yes")
    resolve_claim(db, 2, "void")
    edit_claim(db, 3, edited_by="me", statement="claim 3, edited")
    heads_before = [(r.table, r.head) for r in verify_ledger(db)]
    downgrade(db, "0003")
    assert current_revision(db.engine) == "0003"
    db.dispose()

    upgraded = open_database(location)
    try:
        assert current_revision(upgraded.engine) == SCHEMA_HEAD  # 0004 and every later revision
        with upgraded.engine.connect() as conn:
            assert conn.execute(text("SELECT DISTINCT question_type FROM claims")).scalars().all() == ["binary"]
            assert conn.execute(text("SELECT DISTINCT question_type FROM claim_records")).scalars().all() == ["binary"]
            assert conn.execute(text("SELECT count(*) FROM forecasts WHERE distribution IS NOT NULL")).scalar() == 0
        reports = verify_ledger(upgraded)
        assert all(r.ok for r in reports), [r.problem for r in reports if not r.ok]
        assert [(r.table, r.head) for r in reports] == heads_before
        # the new kinds on top of the upgraded ledger, and a 'value' outcome
        q = add_question(upgraded, NewQuestion(statement="Which?", question_type="choice", forecaster="me",
                                               options=("a", "b"), distribution=(0.25, 0.75)))
        add_question_forecast(upgraded, q.id, DistributionInput(text="a=40%, b=60%"), forecaster="Priya")
        resolve_claim(upgraded, q.id, "b")
        n = add_question(upgraded, NewQuestion(statement="How many?", question_type="numeric", forecaster="me",
                                               unit="tokens", distribution=((0.1, 1e12), (0.9, 2e13))))
        resolve_claim(upgraded, n.id, "13T")
        assert all(r.ok for r in verify_ledger(upgraded))
    finally:
        upgraded.dispose()
    if upgraded.dialect == "sqlite":
        backups = list(tmp_path.glob(f"claims.db.pre-{SCHEMA_HEAD}-*.bak"))
        assert len(backups) == 1
        con = sqlite3.connect(backups[0])
        assert con.execute("SELECT count(*) FROM forecasts").fetchone()[0] == 6
        assert "question_type" not in [r[1] for r in con.execute("PRAGMA table_info(claims)")]
        con.close()
