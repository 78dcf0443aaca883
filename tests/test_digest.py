"""`claimtrack digest`: what changed since a moment, in text, md and json, on both engines."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from claimtrack.domain.records import ClaimIn, ForecastIn, ResolutionIn
from claimtrack.services import ledger, resolve
from claimtrack.services.ledger import NewClaim

NOW = datetime.now(timezone.utc)
DAY = timedelta(days=1)
OLD = NOW - 200 * DAY


def _old(statement, p, outcome=None, resolved_days_ago=100, due=None, forecast_days_ago=200):
    made = NOW - forecast_days_ago * DAY
    resolutions = []
    if outcome:
        when = NOW - resolved_days_ago * DAY
        resolutions = [ResolutionIn(outcome=outcome, resolved_at=when, recorded_at=when)]
    return ClaimIn(statement=statement, stated_at=made, recorded_at=made, resolve_by=due,
                   forecasts=[ForecastIn(forecaster="tester", probability=p, made_at=made, recorded_at=made)],
                   resolutions=resolutions)


def _ledger(db):
    """Before the window: two resolved claims (Brier 0.04 and 0.09) and one
    stale open claim.  In the window: one resolution (Brier 0.64, with a
    note and evidence) and one new claim."""
    from claimtrack.services.imports import import_claims

    ids = list(import_claims(db, [
        _old("old yes", 0.8, "yes"), _old("old no", 0.3, "no"),
        _old("stale <b>open</b> \x1b[2J claim", 0.5, due=NOW + 300 * DAY),
        _old("resolved this week", 0.8, forecast_days_ago=50),
    ]).claim_ids)
    resolve.resolve_claim(db, ids[3], "no", note="it *did not* happen", evidence_url="https://example.com/x_y")
    new = ledger.add_claim(db, NewClaim(statement="brand new", probability=0.4, forecaster="tester",
                                        resolve_by=NOW + 3 * DAY)).id
    return ids, new


def test_text_digest_lists_what_changed_and_the_score_change(cli, db):
    ids, new = _ledger(db)
    r = cli("digest", "--since", "1w")
    assert r.exit_code == 0 and r.stderr == ""
    out = r.stdout
    before, after = (0.04 + 0.09) / 2, (0.04 + 0.09 + 0.64) / 3
    assert f"your Brier {after:.3f} over 3, worse by {after - before:.3f}" in out
    assert f"(then {before:.3f} over 2)" in out
    assert f"Resolved (1):\n  #{ids[3]} no: resolved this week (you 80%)" in out
    assert "note: it *did not* happen" in out and "evidence: https://example.com/x_y" in out
    assert f"New (1):\n  #{new} brand new (you 40%, due " in out
    assert "Stale (1: your forecast older than 30 days)" in out and f"#{ids[2]} stale" in out
    assert "\x1b" not in out  # text is data, and no colour
    assert "Needs attention: 0 overdue, 1 due within 7 days" in out
    assert "old yes" not in out  # resolved before the window


def test_empty_sections_are_left_out(cli, db):
    from claimtrack.services.imports import import_claims

    import_claims(db, [_old("old yes", 0.8, "yes")])
    out = cli("digest", "--since", "2w").stdout
    assert "Resolved" not in out and "New" not in out and "Stale" not in out and "Needs attention" not in out
    assert "unchanged since" in out and "Nothing changed and nothing needs attention." in out
    md = cli("digest", "--format", "md").stdout
    assert "## " not in md


def test_markdown_and_json(cli, db):
    ids, new = _ledger(db)
    md = cli("digest", "--since", "30d", "--format", "md").stdout
    assert md.startswith("# claimtrack digest: ")
    assert "## Resolved (1)" in md and r"it \*did not\* happen" in md
    assert "&lt;b&gt;open&lt;/b&gt;" in md and "<b>" not in md  # markup is data
    data = json.loads(cli("digest", "--since", "30d", "--format", "json").stdout)
    assert data["resolved"]["count"] == 1
    line = data["resolved"]["claims"][0]
    assert (line["id"], line["outcome"], line["yours"], line["note"], line["evidence_url"]) == (
        ids[3], "no", 0.8, "it *did not* happen", "https://example.com/x_y")
    assert [c["id"] for c in data["new"]["claims"]] == [new]
    assert data["score"]["now"]["n"] == 3 and data["score"]["before"]["n"] == 2
    assert data["score"]["change"] == pytest.approx((0.04 + 0.09 + 0.64) / 3 - (0.04 + 0.09) / 2)
    assert data["score"]["resolved_in_window"] == {"brier": pytest.approx(0.64), "n": 1}
    assert [c["id"] for c in data["stale"]["claims"]] == [ids[2]]
    raw = cli("digest", "--since", "30d", "--format", "json").stdout
    assert "\x1b" not in raw and "\\u001b[2J" in raw  # escaped, kept as data


@pytest.mark.parametrize("since", ["tomorrow", "soon", "0d", "-1w"])
def test_bad_since_is_one_line(cli, db, db_url, dump, since):
    _ledger(db)
    before = dump(db_url)
    r = cli("digest", "--since", since)
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "--since" in r.stderr and r.stdout == ""
    assert dump(db_url) == before


def test_since_forms():
    from claimtrack.domain.review import since_start

    now = datetime(2026, 3, 31, 12, tzinfo=timezone.utc)
    assert since_start("1w", now, timezone.utc) == now - 7 * DAY
    assert since_start("30d", now, timezone.utc) == now - 30 * DAY
    assert since_start("1m", now, timezone.utc) == datetime(2026, 2, 28, 12, tzinfo=timezone.utc)
    assert since_start("2026-03-01", now, timezone.utc) == datetime(2026, 3, 1, tzinfo=timezone.utc)
