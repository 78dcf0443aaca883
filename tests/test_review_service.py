"""The review queue, deferral, the session summary, and the resolve staleness rule
(services.review, domain.review), on both engines."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from claimtrack.domain import review as rules
from claimtrack.domain.errors import Conflict, InvalidInput, StaleRecord
from claimtrack.domain.records import ClaimIn, ForecastIn
from claimtrack.services import claim_edits, ledger, resolve, review
from claimtrack.services.ledger import NewClaim

NOW = datetime.now(timezone.utc).replace(microsecond=0)
DAY = timedelta(days=1)


def _claim(db, statement, *, made_days_ago=100, due_in_days=None, p=0.6, forecaster="tester"):
    made = NOW - made_days_ago * DAY
    due = NOW + due_in_days * DAY if due_in_days is not None else None
    return ledger.add_claim(db, NewClaim(statement=statement, probability=p, forecaster=forecaster,
                                         stated_at=made, resolve_by=due))


def _edits(db, claim_id):
    from sqlalchemy import select

    from claimtrack.db import models as m

    e = m.claim_edits.c
    with db.read() as session:
        return session.execute(select(e.field, e.edited_by, e.old_value).where(e.claim_id == claim_id)
                               .order_by(e.id)).all()


def _ledger(db):
    """One claim of each kind the queue knows, and some it must leave out."""
    from claimtrack.services.imports import import_claims

    ids = {
        "overdue_old": _claim(db, "long overdue", due_in_days=-40).id,
        "overdue_new": _claim(db, "just overdue", due_in_days=-2).id,
        "due_soon": _claim(db, "due in three days", due_in_days=3).id,
        "stale": _claim(db, "my forecast is old", due_in_days=200).id,
        "stale_no_due": _claim(db, "old forecast, no due date", made_days_ago=60).id,
        "fresh": _claim(db, "my forecast is recent", made_days_ago=5, due_in_days=200).id,
        "others_only": _claim(db, "only someone else forecast", due_in_days=200, forecaster="priya").id,
        "resolved": _claim(db, "resolved, was overdue", due_in_days=-10).id,
    }
    resolve.resolve_claim(db, ids["resolved"], "yes")
    # a new forecast of someone else does not refresh mine
    ledger.add_forecast(db, ids["stale"], 0.4, forecaster="priya", made_at=NOW - DAY)
    draft = import_claims(db, [ClaimIn(statement="a draft from my notes", stated_at=NOW - 3 * DAY, status="draft",
                                       source="notes",
                                       forecasts=[ForecastIn(forecaster="tester", probability=0.5,
                                                             made_at=NOW - 3 * DAY)])])
    ids["draft"] = draft.claim_ids[0]
    return ids


def test_queue_holds_overdue_due_stale_and_drafts_in_order_with_reasons(db):
    ids = _ledger(db)
    items = review.review_queue(db, "tester", now=NOW, stale_days=30)
    got = [(item.reason, item.claim.id) for item in items]
    assert got == [
        ("overdue", ids["overdue_old"]), ("overdue", ids["overdue_new"]), ("due", ids["due_soon"]),
        ("stale", ids["stale"]), ("stale", ids["stale_no_due"]), ("draft", ids["draft"]),
    ]
    why = {item.claim.id: item.why for item in items}
    assert why[ids["overdue_old"]] == "overdue by 40 days"
    assert why[ids["due_soon"]] == "due in 3 days"
    assert why[ids["stale"]] == "your last forecast is 100 days old (stale after 30 days)"
    assert why[ids["draft"]] == "a draft in the inbox (from notes)"
    stale = next(i for i in items if i.claim.id == ids["stale"])
    assert stale.last_forecast_at == NOW - 100 * DAY
    assert stale.claim.mine == pytest.approx(0.6)  # your number, not priya's newer one
    assert review.queue_counts(items) == {"overdue": 2, "due": 1, "stale": 2, "draft": 1}


def test_queue_counted_in_sql_matches_the_queue(db):
    """count_queue (the UI's score line) counts what review_queue lists, reason by reason."""
    _ledger(db)
    _claim(db, "due this very second", due_in_days=0)
    _claim(db, "someone else's, overdue", due_in_days=-5, forecaster="priya")
    for me, now, days in [("tester", NOW, 30), ("TESTER", NOW, 70), ("priya", NOW, 30), ("nobody", NOW, 30),
                          ("tester", NOW + 30 * DAY, 30), ("tester", NOW - 50 * DAY, 10)]:
        listed = review.queue_counts(review.review_queue(db, me, now=now, stale_days=days))
        assert review.count_queue(db, me, now=now, stale_days=days) == listed, (me, now, days)
    assert review.count_queue(db, "tester", now=NOW, stale_days=30) == {"overdue": 3, "due": 2, "stale": 2,
                                                                          "draft": 1}


def test_stale_age_comes_from_the_setting(db, cli):
    ids = _ledger(db)
    # 70 days: the claim forecast 60 days ago is no longer stale
    assert cli("config", "set", "stale_days", "70").exit_code == 0
    stale = [i.claim.id for i in review.review_queue(db, "tester", now=NOW) if i.reason == "stale"]
    assert stale == [ids["stale"]]
    assert cli("config", "set", "stale_days", "14d").exit_code == 0
    assert "stale_days: 14" in cli("config", "show").stdout
    bad = cli("config", "set", "stale_days", "soon")
    assert bad.exit_code == 2 and bad.stderr.count("\n") == 1 and "stale_days" in bad.stderr
    assert cli("config", "set", "stale_days", "0").exit_code == 2


def test_defer_is_an_edit_of_the_due_date(db):
    ids = _ledger(db)
    overdue = review.claim_summary(db, ids["overdue_old"])
    moved = review.defer(db, overdue.id, "+1w", me="tester", now=NOW, expected_revision=overdue.revision)
    # counted from today, since the old due date has passed
    assert moved.resolve_by == NOW + 7 * DAY
    soon = review.claim_summary(db, ids["due_soon"])
    later = review.defer(db, soon.id, "+1m", me="tester", now=NOW)
    assert later.resolve_by.date() > soon.resolve_by.date() + timedelta(days=27)
    dated = review.defer(db, ids["stale"], "2999-06-30", me="tester", now=NOW)
    assert dated.resolve_by.date() == date(2999, 6, 30)
    # recorded as edits in the claim's history, read back through a fresh read
    edits = _edits(db, overdue.id)
    assert [(e.field, e.edited_by) for e in edits] == [("resolve_by", "tester")]
    assert edits[0].old_value.startswith(f"{overdue.resolve_by:%Y-%m-%d}")
    assert ids["overdue_old"] not in [i.claim.id for i in review.review_queue(db, "tester", now=NOW, stale_days=30)
                                      if i.reason == "overdue"]


def test_defer_refusals_write_nothing(db, db_url, dump):
    ids = _ledger(db)
    before = dump(db_url)
    for choice in ("yesterday", "soon", ""):
        with pytest.raises(InvalidInput):
            review.defer(db, ids["due_soon"], choice, me="tester", now=NOW)
    with pytest.raises(Conflict):
        review.defer(db, ids["resolved"], "+1w", me="tester", now=NOW)
    with pytest.raises(StaleRecord):
        review.defer(db, ids["due_soon"], "+1w", me="tester", now=NOW, expected_revision=1)
    assert dump(db_url) == before


def test_session_summary_reads_the_quarters(db):
    q_start = rules.quarter_start(NOW.date())
    this_q = datetime(q_start.year, q_start.month, q_start.day, tzinfo=timezone.utc)
    last_q = datetime(*rules.previous_quarter_start(NOW.date()).timetuple()[:3], tzinfo=timezone.utc)
    a = _claim(db, "this quarter", made_days_ago=400, p=0.8)  # Brier (0.8-1)^2 = 0.04
    b = _claim(db, "last quarter", made_days_ago=400, p=0.7)  # Brier 0.49 (came out no)
    resolve.resolve_claim(db, a.id, "yes", resolved_at=max(this_q, NOW - DAY))
    resolve.resolve_claim(db, b.id, "no", resolved_at=last_q + DAY)
    scores = review.quarter_scores(db, "tester", now=NOW)
    assert (scores.this_n, scores.last_n) == (1, 1)
    assert scores.this_brier == pytest.approx(0.04) and scores.last_brier == pytest.approx(0.49)
    tally = review.Tally()
    for what in ("resolved", "resolved", "updated", "deferred", "skipped"):
        tally.note(what, 1)
    assert review.session_summary(db, "tester", tally, now=NOW) == (
        "resolved 2, updated 1, deferred 1, skipped 1; your Brier this quarter 0.04 over 1 "
        "(last quarter 0.49 over 1)")
    assert "no scored forecasts" in review.session_summary(db, "nobody", review.Tally(), now=NOW)


def test_another_persons_forecast_does_not_make_a_resolve_stale(db):
    claim = _claim(db, "a claim", due_in_days=10)
    seen, seen_n = claim.revision, claim.n_forecasts
    ledger.add_forecast(db, claim.id, 0.3, forecaster="priya")
    ledger.add_forecast(db, claim.id, 0.2, forecaster="sam")
    resolution, _ = resolve.resolve_claim(db, claim.id, "no", expected_revision=seen, seen_forecasts=seen_n)
    assert resolution.outcome == "no"
    assert review.claim_summary(db, claim.id).outcome == "no"


@pytest.mark.parametrize("change", ["edit", "resolve"])
def test_a_change_to_the_claim_or_its_resolution_makes_a_resolve_stale(db, db_url, dump, change):
    claim = _claim(db, "a claim", due_in_days=10)
    seen, seen_n = claim.revision, claim.n_forecasts
    ledger.add_forecast(db, claim.id, 0.3, forecaster="priya")  # and a forecast besides
    if change == "edit":
        claim_edits.edit_claim(db, claim.id, statement="a claim, reworded")
    else:
        resolve.resolve_claim(db, claim.id, "yes")
    before = dump(db_url)
    with pytest.raises(StaleRecord):
        resolve.resolve_claim(db, claim.id, "no", expected_revision=seen, seen_forecasts=seen_n, force=True)
    assert dump(db_url) == before


def test_resolve_staleness_rule():
    assert not rules.resolve_is_stale(None, None, 5, 2)
    assert not rules.resolve_is_stale(5, None, 5, 2)
    assert rules.resolve_is_stale(4, None, 5, 3)  # callers that don't say what they saw: any change
    assert not rules.resolve_is_stale(4, 2, 5, 3)  # one forecast since
    assert rules.resolve_is_stale(4, 2, 6, 3)  # a forecast and something else
    assert rules.resolve_is_stale(4, 3, 5, 3)  # no forecast since: a change to the claim


def test_defer_target_and_stale_days_rules():
    now = datetime(2026, 1, 31, 12, tzinfo=timezone.utc)
    assert rules.defer_target("+1w", now + 2 * DAY, now, timezone.utc) == now + 9 * DAY
    assert rules.defer_target("month", now - 30 * DAY, now, timezone.utc) == datetime(2026, 2, 28, 12, tzinfo=timezone.utc)
    assert rules.defer_target("2026-03-05", None, now, timezone.utc).date() == date(2026, 3, 5)
    with pytest.raises(InvalidInput):
        rules.defer_target("2025-01-01", None, now, timezone.utc)
    assert rules.stale_days(None) == 30 and rules.stale_days("14") == 14 and rules.stale_days("21 days") == 21
    for bad in ("-3", "0", "x", "99999", True):
        with pytest.raises(InvalidInput):
            rules.stale_days(bad)
