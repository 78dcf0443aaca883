"""`claimtrack review`: the review queue with one prompt per claim, driven by
scripted input (no terminal), checked through a fresh session on both engines."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from claimtrack.domain.records import ClaimIn, ForecastIn
from claimtrack.services import claim_edits, ledger
from claimtrack.services.ledger import NewClaim

NOW = datetime.now(timezone.utc)
DAY = timedelta(days=1)


def _add(db, statement, *, due_days, made_days_ago=100, p=0.6):
    return ledger.add_claim(db, NewClaim(statement=statement, probability=p, forecaster="tester",
                                         stated_at=NOW - made_days_ago * DAY,
                                         resolve_by=NOW + due_days * DAY)).id


def _queue(db):
    """overdue, due soon, stale, draft: in the order the queue shows them."""
    from claimtrack.services.imports import import_claims

    ids = [_add(db, "overdue claim", due_days=-20), _add(db, "due this week", due_days=3),
           _add(db, "stale forecast", due_days=300)]
    draft = import_claims(db, [ClaimIn(statement="a draft \x1b[31mred\x1b[0m", stated_at=NOW - 2 * DAY,
                                       status="draft", forecasts=[ForecastIn(forecaster="notes", probability=0.5,
                                                                             made_at=NOW - 2 * DAY)])])
    return ids + [draft.claim_ids[0]]


def _fresh(db_url):
    from claimtrack.services.store import open_ledger

    return open_ledger(db_url)


def _state(db_url, claim_id):
    from sqlalchemy import select

    from claimtrack.db import models as m

    fresh = _fresh(db_url)
    try:
        with fresh.read() as session:
            c = m.claims.c
            claim = session.execute(select(c.status, c.outcome, c.resolve_by).where(c.id == claim_id)).one()
            r = m.resolutions.c
            res = session.execute(select(r.outcome, r.note, r.evidence_url, r.resolved_by)
                                  .where(r.claim_id == claim_id)).all()
            f = m.forecasts.c
            mine = session.execute(select(f.probability, f.rationale).where(f.claim_id == claim_id, f.forecaster == "tester")
                                   .order_by(f.made_at.desc(), f.id.desc())).first()
            e = m.claim_edits.c
            edits = session.execute(select(e.field, e.edited_by).where(e.claim_id == claim_id).order_by(e.id)).all()
        return claim, res, mine, edits
    finally:
        fresh.dispose()


def test_a_scripted_session_resolves_updates_defers_accepts_and_sums_up(cli, db, db_url):
    overdue, soon, stale, draft = _queue(db)
    script = "\n".join([
        "x",                       # not a key: one line, asked again
        "y", "announced", "not-a-url", "https://example.com/news",   # resolve with note and evidence
        "f", "lots", "80%", "after the earnings call",              # forecast (a bad one first)
        "d", "yesterday", "+1m",                                     # defer (a past date first)
        "f",                       # not offered on a draft
        "y", "70%",                # accept the draft with my number
    ]) + "\n"
    r = cli("review", input=script)
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("4 to review: 1 overdue, 1 due within 7 days, 1 stale, 1 in the inbox")
    assert "[1 of 4]" in r.stdout and "[4 of 4]" in r.stdout
    assert "\x1b" not in r.stdout  # text is data: the draft's escape sequence is not passed to the terminal
    refused = r.stderr.splitlines()
    assert len(refused) == 5 and all(line.startswith("  ! ") for line in refused)
    assert "'x' is not a choice" in refused[0] and "y accept, x reject" in refused[4]
    assert "resolved 1, updated 1, deferred 1, skipped 0, accepted 1, rejected 0" in r.stdout

    claim, res, _, _ = _state(db_url, overdue)
    assert claim.outcome == "yes"
    assert [tuple(x) for x in res] == [("yes", "announced", "https://example.com/news", "tester")]
    _, _, mine, _ = _state(db_url, soon)
    assert (float(mine.probability), mine.rationale) == (0.8, "after the earnings call")
    claim, _, _, edits = _state(db_url, stale)
    assert [tuple(e) for e in edits] == [("resolve_by", "tester")]
    assert claim.resolve_by.date() > (NOW + 300 * DAY).date() + timedelta(days=27)
    claim, _, mine, _ = _state(db_url, draft)
    assert claim.status == "active" and float(mine.probability) == 0.7


def test_quit_and_end_of_input_write_nothing(cli, db, db_url, dump):
    _queue(db)
    before = dump(db_url)
    for script in ("q\n", "s\ns\n", ""):
        r = cli("review", input=script)
        assert r.exit_code == 0 and r.stderr == ""
        assert "resolved 0, updated 0, deferred 0" in r.stdout
    assert "skipped 2" in cli("review", input="s\ns\n").stdout
    assert dump(db_url) == before


def test_empty_queue_says_so(cli, db):
    _add(db, "far away and fresh", due_days=300, made_days_ago=2)
    r = cli("review")
    assert r.exit_code == 0 and r.stdout.startswith("nothing needs attention")


def test_bad_stale_days_is_one_line(cli, db, db_url, dump):
    _queue(db)
    before = dump(db_url)
    r = cli("review", "--stale-days", "0", input="y\n\n\n")
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "stale_days" in r.stderr
    assert dump(db_url) == before


def test_someone_elses_forecast_meanwhile_does_not_block_a_resolve_but_an_edit_does(cli, db, db_url, monkeypatch):
    from claimtrack.services import review_pages

    overdue, soon, _, _ = _queue(db)
    real = review_pages.queue_page
    pages = []

    def queue_then_others_write(database, cursor, limit=review_pages.PAGE):
        page = real(database, cursor, limit)
        if not pages:  # after the queue's first page (all of it here) was read
            ledger.add_forecast(db, overdue, 0.1, forecaster="priya")
            claim_edits.edit_claim(db, soon, statement="due this week, reworded", edited_by="priya")
        pages.append(page)
        return page

    monkeypatch.setattr(review_pages, "queue_page", queue_then_others_write)
    r = cli("review", input="n\n\n\nn\n\n\nn\n\n\nq\n")
    assert r.exit_code == 0, r.output
    assert _state(db_url, overdue)[0].outcome == "no"  # priya's forecast did not make it stale
    assert "changed since you opened it" in r.stderr  # the edit did: shown again as it is now
    assert "due this week, reworded" in r.stdout
    assert _state(db_url, soon)[0].outcome == "no"  # resolved on the second try, against the new claim
    assert "resolved 2" in r.stdout


def test_questions_in_the_queue_take_their_own_answers(cli, db, db_url):
    """A multiple-choice question resolves with its option (r), a numeric claim takes quantiles (f);
    y/n on them is one line and the same question again."""
    from claimtrack.services.questions import DistributionInput, NewQuestion, add_question

    choice = add_question(db, NewQuestion(statement="Which lab ships first?", question_type="choice",
                                          forecaster="tester", options=("Alpha", "Beta", "Gamma"),
                                          distribution=(0.5, 0.3, 0.2), stated_at=NOW - 100 * DAY,
                                          resolve_by=NOW - 10 * DAY)).id
    numeric = add_question(db, NewQuestion(statement="Parameters of the next model", question_type="numeric",
                                           forecaster="tester", unit="parameters",
                                           distribution=((0.1, 1e12), (0.5, 2e12), (0.9, 4e12)),
                                           stated_at=NOW - 100 * DAY, resolve_by=NOW - 5 * DAY)).id
    script = "\n".join([
        "y",                         # not for a question: one line, asked again
        "r", "Zeta", "be", "", "",   # an unknown option (again), then Beta by its prefix; no note or link
        "f", "10%=3T, 50%=2T", "10%=1T, 50%=2.5T, 90%=5T", "",   # out of order (again), then a good set
        "q",
    ]) + "\n"
    r = cli("review", input=script)
    assert r.exit_code == 0, r.output
    assert "you: Alpha 50% · Beta 30% · Gamma 20%" in r.stdout
    refused = r.stderr.splitlines()
    assert len(refused) == 3 and "not a yes/no claim" in refused[0] and "Zeta" in refused[1]
    fresh = _fresh(db_url)
    try:
        from claimtrack.services.queries import get_claim

        resolved = get_claim(fresh, choice, "tester")
        assert [(x.outcome, x.value) for x in resolved.resolutions] == [("value", "Beta")]
        updated = get_claim(fresh, numeric, "tester")
        assert updated.forecasts[-1].distribution == ((0.1, 1e12), (0.5, 2.5e12), (0.9, 5e12))
        assert updated.resolutions == ()
    finally:
        fresh.dispose()


def test_the_queue_streams_a_page_at_a_time_in_queue_order(cli, db, monkeypatch):
    """Pages of two: the prompts come in the Python queue's order, counted whole, and a
    deferral between pages leaves the rest of the walk as the queue read at the start."""
    import re

    from claimtrack.services import review, review_pages

    _queue(db)
    for d in (-9, -7, -7, -1, 1, 5):
        _add(db, f"more, due in {d}", due_days=d)
    expected = [i.claim.id for i in review.review_queue(db, "tester", stale_days=30)]
    assert len(expected) > 6
    monkeypatch.setattr(review_pages, "PAGE", 2)
    r = cli("review", "--stale-days", "30", input="d\n+1w\n" + "s\n" * len(expected))
    assert r.exit_code == 0, r.output
    shown = re.findall(r"^\[(\d+) of (\d+)\] #(\d+)", r.stdout, re.M)
    assert [int(cid) for _, _, cid in shown] == expected
    assert [(int(i), int(n)) for i, n, _ in shown] == [(i, len(expected)) for i in range(1, len(expected) + 1)]
    assert f"deferred 1, skipped {len(expected) - 1}" in r.stdout
