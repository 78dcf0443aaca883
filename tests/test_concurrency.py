"""Several processes writing one ledger at once lose nothing and fail nothing.

Workers are separate processes (tests/_workers.py) running the real CLI entry
point in a loop; they are released at the same instant.  Runs on SQLite (WAL,
busy timeout, BEGIN IMMEDIATE, retries) and on PostgreSQL (row locks plus the
advisory lock that keeps the hash chain linear).
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from sqlalchemy import func, select, text

from _workers import finish, spawn, start_together
from claimtrack.db import models as m
from claimtrack.domain.dates import utcnow
from claimtrack.services import chain as chain_service
from claimtrack.services.ledger import NewClaim, add_claim, new_uuid
from claimtrack.services.verify import verify_ledger

WORKERS = 4
PER_WORKER = 250


def _claims(db, n: int) -> list[int]:
    return [add_claim(db, NewClaim(statement=f"claim number {i}", probability=0.5, forecaster="setup")).id
            for i in range(n)]


def _assert_chain_linear(db) -> None:
    """verify_ledger passes and no two rows hang off the same predecessor (no fork)."""
    for report in verify_ledger(db):
        assert report.ok, report.problem
    with db.read() as s:
        for model in (m.Forecast, m.Resolution):
            forks = s.execute(
                select(model.prev_hash, func.count()).group_by(model.prev_hash).having(func.count() > 1)
            ).all()
            assert forks == [], f"{model.__tablename__}: chain forked at {forks}"


def _run_workers(tmp_path, plans: dict[str, list[list[str]]]) -> dict[str, dict]:
    sync = str(tmp_path / "sync")
    procs = {name: spawn("cli-loop", {"name": name, "sync": sync, "runs": runs}) for name, runs in plans.items()}
    start_together(list(procs.values()), sync, list(procs))
    return {name: finish(proc) for name, proc in procs.items()}


def test_four_processes_add_250_forecasts_each_to_one_claim(db, db_url, tmp_path):
    (cid,) = _claims(db, 1)
    plans = {
        f"w{k}": [["--db", db_url, "forecast", str(cid), f"{(i % 98) + 1}%", "--by", f"w{k}", "--note", f"w{k}-{i}"]
                  for i in range(PER_WORKER)]
        for k in range(WORKERS)
    }
    started = time.monotonic()
    results = _run_workers(tmp_path, plans)
    elapsed = time.monotonic() - started

    for name, result in results.items():
        assert result["codes"] == [0] * PER_WORKER, (name, result["errors"])
    with db.read() as s:
        rows = s.execute(select(m.Forecast.forecaster, m.Forecast.rationale, m.Forecast.probability)
                         .where(m.Forecast.claim_id == cid)).all()
        claim = s.get(m.Claim, cid)
        cached = (claim.n_forecasts, claim.revision)
    assert len(rows) == 1 + WORKERS * PER_WORKER
    assert Counter(r.forecaster for r in rows) == {"setup": 1, **{f"w{k}": PER_WORKER for k in range(WORKERS)}}
    notes = sorted(r.rationale for r in rows if r.forecaster != "setup")
    assert notes == sorted(f"w{k}-{i}" for k in range(WORKERS) for i in range(PER_WORKER))
    for r in rows:
        if r.forecaster != "setup":
            i = int(r.rationale.split("-")[1])
            assert r.probability == pytest.approx(((i % 98) + 1) / 100)
    # the claim's cached count and revision saw every append (no lost update)
    assert cached == (1 + WORKERS * PER_WORKER, 2 + WORKERS * PER_WORKER)
    _assert_chain_linear(db)
    print(f"{WORKERS}x{PER_WORKER} forecasts on {db.dialect}: {elapsed:.1f}s")


def test_resolve_racing_edit_keeps_both(db, db_url, tmp_path):
    ids = _claims(db, 40)
    plans = {
        "resolver": [["--db", db_url, "resolve", str(cid), "yes", "--note", f"resolved {cid}"] for cid in ids],
        "editor": [["--db", db_url, "edit", str(cid), "--statement", f"edited statement {cid}", "--tag", "raced"]
                   for cid in ids],
    }
    results = _run_workers(tmp_path, plans)
    assert results["resolver"]["codes"] == [0] * len(ids), results["resolver"]["errors"]
    assert results["editor"]["codes"] == [0] * len(ids), results["editor"]["errors"]
    with db.read() as s:
        for n, cid in enumerate(ids):
            claim = s.get(m.Claim, cid)
            assert claim.statement == f"edited statement {cid}"
            assert claim.outcome == "yes"
            assert [t.tag for t in claim.tags] == ["raced"]
            resolutions = s.execute(select(m.Resolution.outcome, m.Resolution.note)
                                    .where(m.Resolution.claim_id == cid)).all()
            assert resolutions == [("yes", f"resolved {cid}")]
            edits = s.execute(select(m.ClaimEdit.field, m.ClaimEdit.old_value, m.ClaimEdit.new_value)
                              .where(m.ClaimEdit.claim_id == cid).order_by(m.ClaimEdit.field)).all()
            assert edits == [("statement", f"claim number {n}", f"edited statement {cid}"), ("tags", "", "raced")]
            # created (1) + first forecast (1) + resolve (1) + edit (1)
            assert claim.revision == 4
    _assert_chain_linear(db)


def test_two_processes_resolving_the_same_claims_resolve_each_once(db, db_url, tmp_path):
    ids = _claims(db, 40)
    plans = {
        "yes": [["--db", db_url, "resolve", str(cid), "yes"] for cid in ids],
        "no": [["--db", db_url, "resolve", str(cid), "no"] for cid in ids],
    }
    results = _run_workers(tmp_path, plans)
    for codes in zip(results["yes"]["codes"], results["no"]["codes"]):
        assert sorted(codes) == [0, 2]  # exactly one wins, the other is told it is already resolved
    for message in results["yes"]["errors"] + results["no"]["errors"]:
        assert message.startswith("claimtrack: error: claim ") and "already resolved" in message
    with db.read() as s:
        for n, cid in enumerate(ids):
            winner = "yes" if results["yes"]["codes"][n] == 0 else "no"
            outcomes = s.execute(select(m.Resolution.outcome).where(m.Resolution.claim_id == cid)).scalars().all()
            assert outcomes == [winner]
            assert s.get(m.Claim, cid).outcome == winner
    _assert_chain_linear(db)


def _forecast_row(claim, who: str) -> dict:
    now = utcnow()
    return {
        "uuid": new_uuid(), "claim_uuid": claim.uuid, "claim_id": claim.id, "forecaster": who,
        "probability": 0.25, "made_at": now, "recorded_at": now, "rationale": None,
        "backfilled": False, "after_resolution": False, "import_key": None,
    }


def test_a_second_appender_waits_for_the_first_and_links_to_its_row(db):
    """The chain lock (BEGIN IMMEDIATE on SQLite, pg_advisory_xact_lock on
    PostgreSQL) makes an appender wait until the previous append commits, so
    it reads the true tail."""
    summary = add_claim(db, NewClaim(statement="lock test", probability=0.5, forecaster="setup"))
    inside, release = threading.Event(), threading.Event()
    seen: dict = {}

    def first():
        with db.write() as s:
            claim = s.get(m.Claim, summary.id)
            row = _forecast_row(claim, "first")
            chain_service.append_forecasts(s, [row])
            seen["first_hash"] = row["row_hash"]
            inside.set()
            release.wait(10)

    def second():
        with db.write() as s:
            seen["tail"] = chain_service.chain_tail(s, m.Forecast)
            seen["at"] = time.monotonic()

    t1 = threading.Thread(target=first)
    t1.start()
    assert inside.wait(10)
    t2 = threading.Thread(target=second)
    t2.start()
    time.sleep(0.4)
    assert t2.is_alive(), "the second appender did not wait for the first one's transaction"
    if db.dialect == "postgresql":
        with db.engine.connect() as conn:
            locks = conn.execute(text(
                "SELECT granted, count(*) FROM pg_locks WHERE locktype = 'advisory' GROUP BY granted"
            )).all()
        assert dict(locks) == {True: 1, False: 1}  # first holds the chain lock, second queues on it
    released_at = time.monotonic()
    release.set()
    t1.join(10)
    t2.join(30)
    assert not t2.is_alive()
    assert seen["at"] >= released_at
    assert seen["tail"] == seen["first_hash"]


def test_without_the_advisory_lock_postgresql_would_fork_the_chain(db, monkeypatch):
    """Control for the test above: READ COMMITTED alone lets two appenders read
    the same tail, so the chain forks.  This is why chain.lock_chain exists."""
    if db.dialect != "postgresql":
        pytest.skip("SQLite serialises writers with BEGIN IMMEDIATE; the advisory lock is PostgreSQL's")
    monkeypatch.setattr(chain_service, "lock_chain", lambda session, table: None)
    summary = add_claim(db, NewClaim(statement="fork test", probability=0.5, forecaster="setup"))
    inside, release = threading.Event(), threading.Event()

    def first():
        with db.write() as s:
            chain_service.append_forecasts(s, [_forecast_row(s.get(m.Claim, summary.id), "first")])
            inside.set()
            release.wait(10)

    t1 = threading.Thread(target=first)
    t1.start()
    assert inside.wait(10)
    with db.write() as s:
        chain_service.append_forecasts(s, [_forecast_row(s.get(m.Claim, summary.id), "second")])
    release.set()
    t1.join(10)
    reports = verify_ledger(db)
    assert not reports[0].ok and "link to the previous row is broken" in reports[0].problem
