"""The fast SQLite append path stores exactly what SQLAlchemy's own insert would."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from claimtrack.db.location import from_value
from claimtrack.db.migrate import open_database
from claimtrack.services import ledger, resolve
from claimtrack.services.imports import import_claims
from claimtrack.domain.records import ClaimIn, ForecastIn, ResolutionIn

T0 = datetime(2024, 1, 1, 9, 30, 15, 123456, tzinfo=timezone.utc)


def _raw(path, table):
    con = sqlite3.connect(path)
    try:
        cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
        sql = "SELECT " + ", ".join(f"{c}, typeof({c})" for c in cols) + f" FROM {table} ORDER BY id"
        return [tuple(r) for r in con.execute(sql)]
    finally:
        con.close()


def test_fast_appends_store_what_sqlalchemy_would(tmp_path):
    a_path = tmp_path / "a.db"
    a = open_database(from_value(str(a_path), "t"))
    claim = ledger.add_claim(a, ledger.NewClaim(statement="s", probability=0.25, forecaster="me", stated_at=T0))
    ledger.add_forecast(a, claim.id, 0.123456789, forecaster="zoë", made_at=T0 + timedelta(days=1), rationale="r")
    resolve.resolve_claim(a, claim.id, "no", resolved_at=T0 + timedelta(days=3), note="n")
    big = [ClaimIn(statement=f"c{i}", stated_at=T0, recorded_at=T0,
                   forecasts=[ForecastIn(forecaster=f"f{j}", probability=j / 7, made_at=T0 + timedelta(hours=j),
                                         recorded_at=T0 + timedelta(days=j)) for j in range(6)],
                   resolutions=[ResolutionIn(outcome="yes", resolved_at=T0 + timedelta(days=9))])
           for i in range(1200)]  # past the bulk-insert threshold
    import_claims(a, big)

    from claimtrack.db import models as m

    b_path = tmp_path / "b.db"
    b = open_database(from_value(str(b_path), "t"))
    tables = [m.Claim.__table__, m.ClaimTag.__table__, m.Forecast.__table__, m.Resolution.__table__]
    with a.read() as src, b.write() as dst:
        for table in tables:
            rows = [dict(r._mapping) for r in src.execute(select(table))]
            if rows:
                dst.execute(table.insert(), rows)  # SQLAlchemy's own processing
    for name in ("claims", "forecasts", "resolutions"):
        assert _raw(a_path, name) == _raw(b_path, name), name
    a.dispose()
    b.dispose()
