"""The review queue read a page at a time in SQL (services.review_pages) lists
exactly what the Python queue (services.review.review_queue, the reference)
lists, in the same order, with the same reasons and words, on both engines."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from claimtrack.domain.records import ClaimIn, ForecastIn
from claimtrack.services import hidden, ledger, resolve, review, review_pages
from claimtrack.services.imports import import_claims
from claimtrack.services.ledger import NewClaim
from claimtrack.services.questions import NewQuestion, add_question

NOW = datetime.now(timezone.utc).replace(microsecond=0)
DAY = timedelta(days=1)


def _claim(db, statement, *, made=100, due=None, p=0.6, forecaster="tester"):
    return ledger.add_claim(db, NewClaim(statement=statement, probability=p, forecaster=forecaster,
                                         stated_at=NOW - made * DAY,
                                         resolve_by=NOW + due * DAY if due is not None else None)).id


def _mixed(db):
    """Overdue, due, stale and draft claims with ties on every sort key, deferred
    and resolved ones, hidden forecasts, questions, and claims of others."""
    ids = []
    for i in range(5):  # ties: the same due date, ordered by id
        ids.append(_claim(db, f"overdue tie {i}", due=-3))
        ids.append(_claim(db, f"due tie {i}", due=2))
    for d in (-40, -1, 0, 1, 6, 7, 8, 30, 200):
        ids.append(_claim(db, f"due in {d}", due=d))
        ids.append(_claim(db, f"others' due in {d}", due=d, forecaster="priya"))
    for made in (10, 29, 31, 45, 45, 45, 90, 400):
        ids.append(_claim(db, f"made {made} days ago", made=made, due=None if made % 2 else 300))
    late = _claim(db, "old, then fresh from someone else", made=80, due=100)
    ledger.add_forecast(db, late, 0.3, forecaster="priya", made_at=NOW - DAY)
    mine_fresh = _claim(db, "old, then fresh from me", made=80, due=100)
    ledger.add_forecast(db, mine_fresh, 0.3, forecaster="Tester", made_at=NOW - 2 * DAY)
    resolved = _claim(db, "resolved overdue", due=-5)
    resolve.resolve_claim(db, resolved, "no")
    deferred = _claim(db, "deferred from overdue", due=-9)
    review.defer(db, deferred, "+1w", me="tester", now=NOW)
    deferred_far = _claim(db, "deferred far", due=-9, made=60)
    review.defer(db, deferred_far, "+1m", me="tester", now=NOW)
    hide = _claim(db, "hides others' forecasts", due=-4, forecaster="priya")
    ledger.add_forecast(db, hide, 0.8, forecaster="tester", made_at=NOW - 50 * DAY)
    hidden.set_claim(db, hide, True)
    hidden.set_ledger(db, True)
    for qtype, options, dist in (("choice", ("a", "b"), (0.3, 0.7)), ("numeric", (), ((0.1, 1.0), (0.5, 2.0), (0.9, 3.0)))):
        for due in (-2, 3, None):
            add_question(db, NewQuestion(statement=f"{qtype} due {due}", question_type=qtype, forecaster="tester",
                                         options=options, distribution=dist,
                                         stated_at=NOW - 70 * DAY,
                                         resolve_by=NOW + due * DAY if due is not None else None))
    for i, made in enumerate((3, 3, 9, 1)):
        import_claims(db, [ClaimIn(statement=f"draft {i}", stated_at=NOW - made * DAY, status="draft",
                                   source="notes" if i % 2 else None,
                                   forecasts=[ForecastIn(forecaster="tester", probability=0.5,
                                                         made_at=NOW - made * DAY)])])


def _key(item):
    return (item.reason, item.claim, item.why, item.last_forecast_at)


def test_pages_list_the_python_queue_in_order(db):
    _mixed(db)
    cases = [("tester", NOW, 30), ("TESTER", NOW, 70), ("priya", NOW, 30), ("nobody", NOW, 30),
             ("tester", NOW + 30 * DAY, 30), ("tester", NOW - 50 * DAY, 10), ("tester", NOW, 1)]
    for me, now, days in cases:
        reference = [_key(i) for i in review.review_queue(db, me, now=now, stale_days=days)]
        assert reference or me == "nobody"
        for size in (1, 2, 3, 7, 50):
            cursor = review_pages.start(me, now=now, stale_days=days)
            got = []
            while not cursor.done:
                items, cursor = review_pages.queue_page(db, cursor, size)
                assert len(items) <= size
                assert len(items) == size or cursor.done  # a short page only at the end
                got += [_key(i) for i in items]
            assert got == reference, (me, now, days, size)
        streamed = [_key(i) for i in review_pages.iter_queue(db, review_pages.start(me, now=now, stale_days=days), 4)]
        assert streamed == reference
        counts = review.count_queue(db, me, now=now, stale_days=days)
        assert sum(counts.values()) == len(reference)


def test_stale_age_defaults_to_the_setting(db, cli):
    _mixed(db)
    assert cli("config", "set", "stale_days", "44").exit_code == 0
    reference = [_key(i) for i in review.review_queue(db, "tester", now=NOW)]
    assert any(k[0] == "stale" for k in reference)
    assert [_key(i) for i in review_pages.iter_queue(db, review_pages.start("tester", now=NOW), 3)] == reference


def test_a_walk_that_writes_lists_what_the_queue_listed_at_its_start(db):
    """Resolving, forecasting and deferring the item just shown (a deferred overdue
    claim falls due again later in the queue) leaves the rest of the walk as it was."""
    _mixed(db)
    reference = [(i.reason, i.claim.id) for i in review.review_queue(db, "tester", now=NOW, stale_days=30)]
    walked, deferred = [], set()
    for n, item in enumerate(review_pages.iter_queue(db, review_pages.start("tester", now=NOW, stale_days=30), 2)):
        walked.append((item.reason, item.claim.id))
        if item.reason == "draft":
            continue
        if n % 3 == 0:
            review.defer(db, item.claim.id, "+1w", me="tester", now=NOW)  # overdue -> due within the week
            deferred.add((item.reason, item.claim.id))
        elif n % 3 == 1 and item.claim.question_type == "binary":
            ledger.add_forecast(db, item.claim.id, 0.5, forecaster="tester", made_at=NOW)
        elif item.claim.question_type == "binary":
            resolve.resolve_claim(db, item.claim.id, "yes")
    assert walked == reference
    # some deferred overdue claims did fall due later in the queue (and were not shown twice)
    again = {i.claim.id for i in review.review_queue(db, "tester", now=NOW, stale_days=30) if i.reason == "due"}
    assert {cid for reason, cid in deferred if reason == "overdue"} & again
