"""The report service on a hand-built ledger: every expected number is worked
out by hand from the forecasts in test_report_helpers.hand_claims()."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from claimtrack.domain.errors import InvalidInput
from claimtrack.services.report import data as report_data
from claimtrack.services.report.data import build_report
from claimtrack.services.report.model import ReportOptions
from test_report_helpers import NASTY_SOURCE, NASTY_STATEMENT, T_D, hand_ledger, utc

# final forecasts on the yes/no claims: (p, outcome)
A_ME, A_PRIYA, B_ME, B_PRIYA, G_ME = (0.8, 1), (0.7, 1), (0.3, 0), (0.4, 0), (0.15, 1)
FINAL = [A_ME, A_PRIYA, B_ME, B_PRIYA, G_ME]


def sq(pair):
    p, o = pair
    return (p - o) ** 2


def log2_actual(pair):
    p, o = pair
    return math.log2(p if o == 1 else 1 - p)


@pytest.fixture
def ledger(db):
    ids = hand_ledger(db)
    return db, ids


def report(db, **kw):
    return build_report(db, ReportOptions(**kw))


def test_final_forecasts_overall(ledger):
    db, _ = ledger
    r = report(db)
    s = r.overall.summary
    assert s.n == 5
    assert s.brier == pytest.approx(1.1025 / 5, abs=1e-12)  # 0.04 + 0.09 + 0.09 + 0.16 + 0.7225
    assert s.brier == pytest.approx(sum(map(sq, FINAL)) / 5, abs=1e-12)
    assert s.brier_0_2 == pytest.approx(2 * 0.2205, abs=1e-12)
    assert s.log_score_bits == pytest.approx(sum(map(log2_actual, FINAL)) / 5, abs=1e-12)
    assert s.base_rate == pytest.approx(3 / 5)
    assert s.mean_forecast == pytest.approx((0.8 + 0.7 + 0.3 + 0.4 + 0.15) / 5)
    assert r.overall.n_excluded == 2  # C (me) and D (Priya)
    assert r.n_after_resolution == 1  # me's 90% on A, a day after it resolved
    assert abs(s.murphy.brier - s.brier) < 1e-12


def test_calibration_bins_by_hand(ledger):
    db, _ = ledger
    bins = report(db).overall.summary.calibration
    assert [b.n for b in bins] == [0, 1, 1, 1, 0, 0, 1, 1, 0, 0]
    assert (bins[1].lo, bins[1].hi) == (0.1, 0.2)  # 15% lands in (10%, 20%], not between bins
    assert bins[1].mean_forecast == pytest.approx(0.15) and bins[1].observed == 1.0
    assert bins[2].observed == 0.0 and bins[3].observed == 0.0
    assert bins[6].mean_forecast == pytest.approx(0.7) and bins[6].observed == 1.0
    # Wilson interval of 1 success in 1 trial, z = 1.96: [1/(1+z^2), 1]
    z = 1.959963984540054
    assert bins[7].ci_low == pytest.approx(1 / (1 + z * z), abs=1e-12) and bins[7].ci_high == 1.0


def test_contemporaneous_and_backfilled_side_by_side(ledger):
    db, _ = ledger
    r = report(db)
    assert r.backfilled.n == 1 and r.backfilled.brier == pytest.approx(0.09)
    assert r.contemporaneous.n == 4
    assert r.contemporaneous.brier == pytest.approx((0.04 + 0.09 + 0.16 + 0.7225) / 4)
    assert r.overall.n_backfilled == 1


def test_exclude_backfilled_drops_them_before_choosing_the_final_forecast(ledger):
    db, _ = ledger
    r = report(db, exclude_backfilled=True)
    s = r.overall.summary
    # me's last contemporaneous forecast on B (45%) counts instead of the backfilled 30%
    assert s.n == 5
    assert s.brier == pytest.approx((0.04 + 0.09 + 0.45 ** 2 + 0.16 + 0.7225) / 5, abs=1e-12)
    assert r.backfilled.n == 0 and r.overall.n_backfilled == 0


def test_time_weighted(ledger):
    db, _ = ledger
    r = report(db, scoring="time-weighted")
    s = r.overall.summary
    # A me: 60% stood 8 of 10 days, 80% 2 days -> 0.8*0.16 + 0.2*0.04 = 0.136
    # B me: 45% stood 17 of 20 days, 30% 3 days -> 0.85*0.2025 + 0.15*0.09 = 0.185625
    expected = (0.136 + 0.09 + 0.185625 + 0.16 + 0.7225) / 5
    assert s.brier == pytest.approx(expected, abs=1e-12)
    assert s.n == 7 and s.sum_weights == pytest.approx(5.0)
    assert r.overall.n_excluded == 2
    assert r.backfilled.n == 1 and r.backfilled.brier == pytest.approx(0.09)
    logs = (0.8 * math.log2(0.6) + 0.2 * math.log2(0.8) + math.log2(0.7) + 0.85 * math.log2(0.55)
            + 0.15 * math.log2(0.7) + math.log2(0.6) + math.log2(0.15)) / 5
    assert s.log_score_bits == pytest.approx(logs, abs=1e-12)


def test_group_by_forecaster_and_relative_scores(ledger):
    db, _ = ledger
    r = report(db, group="forecaster")
    groups = {g.key: g.scores for g in r.groups}
    assert set(groups) == {"me", "Priya"}
    assert groups["me"].summary.n == 3
    assert groups["me"].summary.brier == pytest.approx((0.04 + 0.09 + 0.7225) / 3, abs=1e-12)
    assert (groups["me"].n_excluded, groups["me"].n_backfilled) == (1, 1)
    assert groups["Priya"].summary.brier == pytest.approx(0.125, abs=1e-12)
    assert (groups["Priya"].n_excluded, groups["Priya"].n_backfilled) == (1, 0)
    rel = {x.forecaster: x for x in r.relative}
    # A: Briers 0.04 / 0.09, median 0.065; B: 0.09 / 0.16, median 0.125
    assert rel["me"].n_claims == 2 and rel["me"].brier_vs_median == pytest.approx(-0.03)
    assert rel["Priya"].brier_vs_median == pytest.approx(0.03)
    # peer: A 100*(ln .8 - ln .7), B 100*(ln .7 - ln .6) (p of what happened)
    assert rel["me"].peer_score == pytest.approx(50 * (math.log(0.8 / 0.7) + math.log(0.7 / 0.6)))
    assert rel["Priya"].peer_score == pytest.approx(-rel["me"].peer_score)


def test_group_by_source_and_tag(ledger):
    db, _ = ledger
    # the old view, everyone's forecasts on each source's claims, is "claim-source" now;
    # "source" scores sources on their own calls (tested in test_people.py)
    by_source = {g.key: g.scores for g in report(db, group="claim-source").groups}
    assert set(by_source) == {"Alice", "Bob", NASTY_SOURCE}
    assert report(db, group="source").groups == ()  # nobody here made a call of their own
    assert (by_source["Alice"].summary.n, by_source["Alice"].n_excluded) == (2, 1)
    assert by_source["Bob"].summary.brier == pytest.approx((0.09 + 0.16) / 2)
    by_tag = {g.key: g.scores for g in report(db, group="tag").groups}
    assert by_tag["ai"].summary.n == 4 and by_tag["ai"].summary.brier == pytest.approx(0.095)
    assert by_tag["policy"].summary.n == 3 and by_tag["policy"].n_excluded == 1
    assert by_tag["policy"].summary.brier == pytest.approx((0.09 + 0.16 + 0.7225) / 3)
    assert by_tag["(no tag)"].summary.n == 0 and by_tag["(no tag)"].n_excluded == 1


def test_periods_are_by_resolution_and_fill_gaps(ledger):
    db, _ = ledger
    r = report(db, period="quarter")
    rows = {p.key: p for p in r.periods}
    assert list(rows) == ["2024-Q1", "2024-Q2", "2024-Q3"]
    assert rows["2024-Q1"].scores.summary.n == 4 and rows["2024-Q1"].scores.n_excluded == 1
    assert rows["2024-Q2"].scores.summary.n == 0 and rows["2024-Q2"].scores.n_excluded == 1
    assert rows["2024-Q3"].scores.summary.brier == pytest.approx(0.7225)
    assert rows["2024-Q1"].start == utc(2024, 1, 1) and rows["2024-Q1"].end == utc(2024, 4, 1)
    months = [p.key for p in report(db, period="month").periods]
    assert months == ["2024-02", "2024-03", "2024-04", "2024-05", "2024-06", "2024-07"]
    assert [p.key for p in report(db, group="period", period="year").groups] == ["2024"]


def test_since_and_until_filter_on_the_resolution_date(ledger):
    db, _ = ledger
    r = report(db, since=utc(2024, 4, 1))
    assert r.overall.summary.n == 1 and r.overall.n_excluded == 1  # G scored, D excluded
    assert [c.outcome for c in r.resolved_claims] == ["yes", "void"]
    r = report(db, until=utc(2024, 3, 31, 23, 59))
    assert r.overall.summary.n == 4 and r.overall.n_excluded == 1
    r = report(db, since=T_D, until=T_D)
    assert r.overall.summary.n == 0 and r.overall.n_excluded == 1 and r.overall.summary.brier is None


def test_filters(ledger):
    db, _ = ledger
    r = report(db, forecaster="PRIYA")  # case-insensitive
    assert r.overall.summary.n == 2 and r.overall.n_excluded == 1 and r.n_after_resolution == 0
    assert [x.forecaster for x in r.relative] == ["Priya"]  # still compared with me on shared claims
    assert all(f.forecaster == "Priya" for c in r.resolved_claims for f in c.forecasts)
    r = report(db, tags=("policy",))
    assert r.overall.summary.n == 3 and r.overall.n_excluded == 1
    r = report(db, source="alice")
    assert r.overall.summary.n == 2 and r.overall.n_excluded == 1 and r.n_resolved_claims == 2


def test_claim_lists(ledger):
    db, ids = ledger
    r = report(db)
    assert r.n_resolved_claims == 5
    assert [c.id for c in r.resolved_claims] == [ids[k] for k in "GDCBA"]  # newest resolution first
    a = r.resolved_claims[-1]
    assert {(f.forecaster, f.probability) for f in a.forecasts} == {("me", 0.8), ("Priya", 0.7)}
    b = r.resolved_claims[-2]
    assert {(f.forecaster, f.probability, f.backfilled) for f in b.forecasts} == {("me", 0.3, True), ("Priya", 0.4, False)}
    assert r.resolved_claims[0].statement == NASTY_STATEMENT
    assert [c.id for c in r.overdue_claims] == [ids["E"]] and r.n_overdue_claims == 1
    short = report(db, max_claims=2)
    assert len(short.resolved_claims) == 2 and short.n_resolved_claims == 5
    none = report(db, max_claims=0)
    assert none.resolved_claims == () and none.n_resolved_claims == 5 and none.n_overdue_claims == 1


def test_streaming_in_tiny_chunks_gives_the_same_report(ledger, monkeypatch):
    db, _ = ledger
    whole = report(db, group="tag", scoring="time-weighted")
    monkeypatch.setattr(report_data, "CHUNK", 1)
    chunked = report(db, group="tag", scoring="time-weighted")
    assert chunked.overall == whole.overall and chunked.groups == whole.groups
    monkeypatch.setattr(report_data, "CHUNK", 2)
    assert report(db).overall.summary.brier == pytest.approx(0.2205, abs=1e-12)


def test_a_re_resolution_moves_the_cut_off(ledger):
    """The CURRENT resolution decides: re-resolving B as yes a day later flips its score."""
    from claimtrack.services.resolve import resolve_claim

    db, ids = ledger
    resolve_claim(db, ids["B"], "yes", resolved_at=utc(2024, 3, 11, 12), force=True)
    s = report(db).overall.summary
    assert s.n == 5
    assert s.brier == pytest.approx((0.04 + 0.09 + 0.7 ** 2 + 0.6 ** 2 + 0.7225) / 5, abs=1e-12)


def test_empty_ledger(db):
    r = build_report(db)
    assert r.overall.summary.n == 0 and r.overall.summary.brier is None and r.periods == ()
    assert r.n_resolved_claims == 0 and r.n_overdue_claims == 0


@pytest.mark.parametrize("kw, word", [
    ({"scoring": "latest"}, "--scoring"), ({"group": "person"}, "--group"), ({"period": "week"}, "--period"),
    ({"n_bins": 7}, "--bins"), ({"max_claims": -1}, "--max-claims"),
    ({"since": utc(2025, 1, 1), "until": utc(2024, 1, 1)}, "--since"),
])
def test_bad_options_are_invalid_input(kw, word):
    with pytest.raises(InvalidInput) as info:
        ReportOptions(**kw)
    assert word in str(info.value) and "\n" not in str(info.value)


def test_period_keys_follow_the_user_time_zone(monkeypatch):
    from zoneinfo import ZoneInfo

    from claimtrack.services.report.periods import PeriodKeys

    keys = PeriodKeys("month", ZoneInfo("America/New_York"))
    # 2024-03-01 03:00 UTC is still February 29th in New York
    assert keys.key(utc(2024, 3, 1, 3)) == "2024-02"
    assert keys.key(utc(2024, 3, 1, 6)) == "2024-03"
    assert keys.bounds["2024-03"][0] == utc(2024, 3, 1, 5)  # EST midnight
    assert keys.key(utc(2024, 3, 1, 3) + timedelta(days=1)) == "2024-03"
    tokyo = PeriodKeys("quarter", ZoneInfo("Asia/Tokyo"))
    assert tokyo.key(utc(2024, 3, 31, 16)) == "2024-Q2"  # 01:00 on April 1st in Tokyo
    assert tokyo.span(["2024-Q1", "2024-Q4"]) == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]


def test_a_tie_on_made_at_goes_to_the_forecast_recorded_later(db):
    from claimtrack.services.imports import import_claims
    from test_report_helpers import claim, fc, res

    when, resolved = utc(2024, 5, 1, 12), utc(2024, 5, 10)
    summary = import_claims(db, [claim(
        "tie", forecasts=[fc("me", 0.2, when), fc("me", 0.9, when), fc("ivan", 0.4, resolved + timedelta(days=1))],
        resolutions=[res("yes", resolved)])])
    assert summary.flagged_after_resolution == 1
    r = report(db)
    assert r.overall.summary.n == 1
    assert r.overall.summary.brier == pytest.approx(0.1 ** 2, abs=1e-12)  # 90%, given second, on a yes
    assert r.n_after_resolution == 1  # ivan's only forecast came after the resolution
    assert r.relative == ()  # ...so nobody is compared with anyone
    line = r.resolved_claims[0]
    assert [(f.forecaster, f.probability) for f in line.forecasts] == [("me", 0.9)]
    assert report(db, forecaster="ivan").n_after_resolution == 1
    assert report(db, forecaster="me").n_after_resolution == 0
    from claimtrack.services.scoring import headline

    assert headline(db).startswith("Brier 0.010 ") and "over 1 final forecasts" in headline(db)


def test_final_forecasts_come_from_the_forecasts_index_without_a_sort(tmp_path):
    """SQLite picks the final forecasts in one pass over (claim_id, forecaster, made_at)."""
    from sqlalchemy.dialects import sqlite

    from claimtrack.services.report.final import final_query
    from claimtrack.services.store import open_ledger

    db = open_ledger(str(tmp_path / "plan.db"))
    try:
        for options in (ReportOptions(), ReportOptions(exclude_backfilled=True, source="x", tags=("t",))):
            compiled = final_query(options, "sqlite").compile(dialect=sqlite.dialect())
            params = [compiled.params[name] for name in compiled.positiontup]
            with db.read() as session:
                cursor = session.connection().connection.cursor()
                plan = [row[-1] for row in cursor.execute("EXPLAIN QUERY PLAN " + str(compiled), params)]
            assert any("ix_forecasts_claim_id_forecaster_made_at" in step for step in plan), plan
            assert not any("TEMP B-TREE" in step for step in plan), plan
    finally:
        db.dispose()


def test_a_claim_with_only_late_forecasts_adds_no_period(db):
    from claimtrack.services.imports import import_claims
    from test_report_helpers import claim, fc, res

    early, late = utc(2024, 2, 10), utc(2024, 11, 10)
    import_claims(db, [
        claim("scored", forecasts=[fc("me", 0.7, early - timedelta(days=3))], resolutions=[res("no", early)]),
        claim("only late", forecasts=[fc("me", 0.7, late + timedelta(days=1))], resolutions=[res("yes", late)]),
    ])
    for scoring in ("final", "time-weighted"):
        r = report(db, scoring=scoring, period="quarter")
        assert [p.key for p in r.periods] == ["2024-Q1"], scoring  # not Q1..Q4: the late claim scores nothing
        assert r.n_after_resolution == 1 and r.overall.summary.n == 1
        assert r.overall.summary.brier == pytest.approx(0.49, abs=1e-12)
