"""The bare command's headline score uses the same rule as the report."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from claimtrack.db import models as m
from claimtrack.services.report.data import build_report
from claimtrack.services.scoring import final_forecasts_query, headline
from test_report_helpers import hand_ledger


def test_headline_on_an_empty_ledger(db):
    assert headline(db) is None


def test_headline_counts_the_final_forecasts_before_resolution(db):
    hand_ledger(db)
    line = headline(db)
    # five final forecasts, Brier (0.04 + 0.09 + 0.09 + 0.16 + 0.7225) / 5 = 0.2205
    assert line.startswith("Brier 0.22") and "over 5 final forecasts" in line and "0-1 scale" in line
    assert build_report(db).overall.summary.n == 5


def test_final_forecasts_query_never_picks_a_forecast_flagged_after_resolution(db):
    ids = hand_ledger(db)
    with db.read() as session:
        rows = session.execute(final_forecasts_query(db.dialect)).all()
        portable = session.execute(final_forecasts_query()).all()
    assert sorted(rows) == sorted(portable)
    picked = {(r.claim_id, r.forecaster): r.probability for r in rows}
    assert picked == {
        (ids["A"], "me"): 0.8, (ids["A"], "Priya"): 0.7, (ids["B"], "me"): 0.3, (ids["B"], "Priya"): 0.4,
        (ids["G"], "me"): 0.15,
    }


def test_a_stale_after_resolution_flag_still_keeps_the_forecast_out(db):
    """A forecast flagged after_resolution is never scored, even if a later re-resolution
    puts the resolution after it (the brief's rule: flag OR made after resolved_at)."""
    from claimtrack.services.resolve import resolve_claim
    from test_report_helpers import utc

    ids = hand_ledger(db)
    resolve_claim(db, ids["A"], "yes", resolved_at=utc(2024, 2, 20), force=True)
    with db.read() as session:
        flagged = session.execute(select(m.Forecast.probability).where(
            m.Forecast.claim_id == ids["A"], m.Forecast.after_resolution.is_(True))).scalars().all()
    assert flagged == [0.9]
    line = headline(db)
    r = build_report(db)
    assert "over 5 final forecasts" in line
    assert r.overall.summary.brier == pytest.approx(0.2205, abs=1e-12) and r.n_after_resolution == 1
