"""The report's streaming helpers agree with the scoring domain they stand in for."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.scoring import ScoreAccumulator, relative_scores, time_weighted
from claimtrack.domain.scoring.compact import CompactAccumulator
from claimtrack.domain.scoring.streaming import RelativeAccumulator, time_weights

probabilities = st.one_of(
    st.floats(0.0, 1.0, allow_nan=False),
    st.sampled_from([0.0, 0.1, 0.15, 0.35, 0.5, 0.9, 1.0]),
    st.integers(0, 100).map(lambda k: k / 100),
)
rows = st.lists(st.tuples(probabilities, st.integers(0, 1)), max_size=60)
# (subnormal weights are left out: the domain's Kish effective n divides by w*w, which underflows)
weights = st.one_of(st.just(0.0), st.floats(1e-6, 5.0))
weighted_rows = st.lists(st.tuples(probabilities, st.integers(0, 1), weights), max_size=40)


def _same_summary(a, b):
    assert a.n == b.n
    for field in ("brier", "brier_0_2", "log_score_bits", "base_rate", "mean_forecast", "sum_weights"):
        x, y = getattr(a, field), getattr(b, field)
        assert (x is None) == (y is None), field
        if x is not None:
            assert x == pytest.approx(y, abs=1e-12), field
    for xs, ys in ((a.calibration, b.calibration), (a.folded, b.folded)):
        assert len(xs) == len(ys)
        for x, y in zip(xs, ys):
            assert (x.lo, x.hi, x.n) == (y.lo, y.hi, y.n)
            for field in ("mean_forecast", "observed"):
                u, v = getattr(x, field), getattr(y, field)
                assert (u is None) == (v is None)
                if u is not None:
                    assert u == pytest.approx(v, abs=1e-12)
            assert x.ci_low == pytest.approx(y.ci_low, abs=1e-9) and x.ci_high == pytest.approx(y.ci_high, abs=1e-9)
    if a.murphy is not None:
        for field in ("reliability", "resolution", "uncertainty", "within_bin_variance", "within_bin_covariance"):
            assert getattr(a.murphy, field) == pytest.approx(getattr(b.murphy, field), abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(rows, st.sampled_from([5, 10, 20]))
def test_compact_accumulator_matches_the_exact_one(pairs, n_bins):
    exact, compact = ScoreAccumulator(n_bins), CompactAccumulator(n_bins)
    for p, o in pairs:
        exact.add(p, o)
        compact.add(p, o)
    _same_summary(compact.result(), exact.result())


@settings(max_examples=100, deadline=None)
@given(weighted_rows)
def test_compact_accumulator_matches_with_weights(triples):
    exact, compact = ScoreAccumulator(), CompactAccumulator()
    for p, o, w in triples:
        exact.add(p, o, w)
        compact.add(p, o, w)
    _same_summary(compact.result(), exact.result())


def test_compact_accumulator_rejects_bad_input():
    acc = CompactAccumulator()
    for bad in ((1.5, 1), (-0.1, 0), ("0.5", 1), (0.5, 2)):
        with pytest.raises(InvalidInput):
            acc.add(*bad)
    with pytest.raises(InvalidInput):
        acc.add(0.5, 1, -1.0)
    assert acc.n == 0


START = datetime(2024, 1, 1, tzinfo=timezone.utc)
offsets = st.lists(st.integers(0, 50), min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(offsets, st.integers(0, 20))
def test_time_weights_match_the_domain_rule(hours, extra):
    made = sorted(START + timedelta(hours=h) for h in hours)
    resolved = made[-1] + timedelta(hours=extra, seconds=1)  # scored forecasts are made before it (issue 11)
    probs = [round(0.05 + 0.9 * i / len(made), 3) for i in range(len(made))]  # distinct per forecast
    ours = [(p, w) for p, w in zip(probs, time_weights(made, resolved)) if w > 0]
    domain = [(p, w) for _, p, w in time_weighted([("x", p, t) for p, t in zip(probs, made)], resolved)]
    assert [p for p, _ in ours] == [p for p, _ in domain]
    assert [w for _, w in ours] == pytest.approx([w for _, w in domain], abs=1e-12)
    assert sum(time_weights(made, resolved)) == pytest.approx(1.0)


def test_time_weights_same_belief_early_or_late_scores_the_same():
    resolved = START + timedelta(days=100)
    early = time_weights([START, START + timedelta(days=50)], resolved)
    late = time_weights([START + timedelta(days=80), START + timedelta(days=90)], resolved)
    assert early == pytest.approx([0.5, 0.5]) and late == pytest.approx([0.5, 0.5])


claims = st.lists(
    st.tuples(st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), probabilities, min_size=1, max_size=4),
              st.integers(0, 1)),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(claims)
def test_relative_accumulator_matches_relative_scores(items):
    acc = RelativeAccumulator()
    for probs, o in items:
        acc.add_claim(probs, o)
    ours, domain = acc.result(), relative_scores(items)
    assert list(ours) == list(domain)
    for name in domain:
        assert ours[name].n_claims == domain[name].n_claims
        assert ours[name].brier_vs_median == pytest.approx(domain[name].brier_vs_median, abs=1e-12)
        assert ours[name].peer_score == pytest.approx(domain[name].peer_score, abs=1e-9)


# ------------------------------------------------ the report against an oracle
# Random ledgers (ties on made_at, forecasts at the resolution instant and after
# it, backfilled ones, re-resolutions that leave flagged forecasts before the new
# cut-off) scored by build_report, and by the domain rules applied in Python to
# every forecast row read back as ORM objects.

ORACLE_FORECASTERS = ("me", "Priya", "ivan", "Zoë")
ORACLE_OPTIONS = [
    {}, {"exclude_backfilled": True}, {"forecaster": "priya"}, {"source": "s1"}, {"tags": ("t1",)},
    {"since": datetime(2024, 4, 1, tzinfo=timezone.utc), "until": datetime(2024, 10, 1, tzinfo=timezone.utc)},
    {"group": "forecaster", "exclude_backfilled": True}, {"scoring": "time-weighted", "forecaster": "me"},
]


def _random_ledger(db, seed: int) -> None:
    import random

    from claimtrack.domain.records import ClaimIn, ForecastIn, ResolutionIn
    from claimtrack.services.imports import import_claims
    from claimtrack.services.resolve import resolve_claim

    rng = random.Random(seed)
    hour, day = timedelta(hours=1), timedelta(days=1)
    items, moves = [], []
    for i in range(40):
        outcome = rng.choice(["yes", "no", "yes", "no", "ambiguous", "void", None])
        resolved = START + timedelta(days=rng.randrange(20, 330), hours=rng.randrange(24))
        forecasts = []
        for _ in range(rng.randrange(0, 8)):
            made = resolved - rng.choice([-2, 0, 1, 3, 3, 3, 9]) * day  # few instants: ties are common
            recorded = made + (30 * day if rng.random() < 0.3 else hour)
            p = rng.choice([0.0, 0.1, 0.15, 0.35, 0.5, 1.0, round(rng.random(), 4)])
            forecasts.append(ForecastIn(rng.choice(ORACLE_FORECASTERS), p, made, recorded_at=recorded))
        items.append(ClaimIn(
            statement=f"claim {i}", stated_at=START - 30 * day, recorded_at=START - 30 * day,
            source=rng.choice(["s1", "S1", "s2", None]), tags=tuple(rng.sample(["t1", "t2"], rng.randrange(3))),
            forecasts=forecasts,
            resolutions=[ResolutionIn(outcome, resolved, recorded_at=resolved + hour)] if outcome else [],
        ))
        if outcome and rng.random() < 0.3:
            moves.append((i, rng.choice(["yes", "no", "void"]), resolved + 3 * day))
    ids = import_claims(db, items).claim_ids
    for i, outcome, when in moves:  # forecasts flagged at import may now lie before the cut-off
        resolve_claim(db, ids[i], outcome, resolved_at=when, force=True)


def _oracle(db, options: dict):
    """(scored (who, p, o, backfilled), n_excluded, n_late, relative claims) by the domain rules."""
    from sqlalchemy import select

    from claimtrack.db import models as m
    from claimtrack.domain.scoring import final_forecasts

    wanted = options.get("forecaster")
    since, until = options.get("since"), options.get("until")
    with db.read() as s:
        claims = s.execute(select(m.Claim).order_by(m.Claim.id)).scalars().all()
        forecasts = s.execute(select(m.Forecast).order_by(m.Forecast.id)).scalars().all()
        tags = s.execute(select(m.ClaimTag.claim_id, m.ClaimTag.tag)).all()
    by_claim: dict[int, list] = {}
    for f in forecasts:
        by_claim.setdefault(f.claim_id, []).append(f)
    tags_of: dict[int, set] = {}
    for cid, tag in tags:
        tags_of.setdefault(cid, set()).add(tag)
    scored, n_excluded, n_late, relative = [], 0, 0, []
    for c in claims:
        mine = by_claim.get(c.id, [])
        if c.status != "active" or c.outcome is None or (since and c.resolved_at < since) \
                or (until and c.resolved_at > until) or (options.get("source") and (c.source or "").lower() != "s1") \
                or not set(options.get("tags", ())) <= tags_of.get(c.id, set()) \
                or (wanted and not any(f.forecaster.lower() == wanted for f in mine)):
            continue
        if options.get("exclude_backfilled"):
            mine = [f for f in mine if not f.backfilled]
        late = [f for f in mine if f.after_resolution or f.made_at > c.resolved_at]
        n_late += sum(1 for f in late if not wanted or f.forecaster.lower() == wanted)
        finals = final_forecasts([f for f in mine if f not in late], c.resolved_at)
        o = {"yes": 1, "no": 0}.get(c.outcome)
        for f in finals:
            if wanted and f.forecaster.lower() != wanted:
                continue
            if o is None:
                n_excluded += 1
            else:
                scored.append((f.forecaster, f.probability, o, f.backfilled))
        if o is not None:
            relative.append(({f.forecaster: f.probability for f in finals}, o))
    return scored, n_excluded, n_late, relative


@pytest.mark.parametrize("seed", range(4))
def test_the_report_agrees_with_the_domain_rules_on_random_ledgers(db, seed):
    from claimtrack.domain.scoring import score
    from claimtrack.services.report.data import build_report
    from claimtrack.services.report.model import ReportOptions
    from claimtrack.services.scoring import final_forecasts_query

    _random_ledger(db, seed)
    for options in ORACLE_OPTIONS:
        report = build_report(db, ReportOptions(**options))
        scored, n_excluded, n_late, relative = _oracle(db, options)
        assert report.n_after_resolution == n_late, options
        if options.get("scoring") == "time-weighted":
            continue  # weights: see test_report_service
        if not options:  # the bare command's headline query, same rule
            with db.read() as session:
                rows = session.execute(final_forecasts_query(db.dialect)).all()
            assert sorted((w, p, 1 if out == "yes" else 0) for _, w, p, out, _kind in rows) == \
                sorted((w, p, o) for w, p, o, _ in scored)
        _same_summary(report.overall.summary, score([(p, o) for _, p, o, _ in scored]))
        assert report.overall.n_excluded == n_excluded, options
        assert report.overall.n_backfilled == sum(1 for *_, back in scored if back), options
        assert report.backfilled.n == report.overall.n_backfilled
        _same_summary(report.contemporaneous, score([(p, o) for _, p, o, back in scored if not back]))
        expected = {k: v for k, v in relative_scores(relative).items()
                    if not options.get("forecaster") or k.lower() == options["forecaster"]}
        assert [r.forecaster for r in report.relative] == list(expected), options
        for r in report.relative:
            assert r.n_claims == expected[r.forecaster].n_claims
            assert r.brier_vs_median == pytest.approx(expected[r.forecaster].brier_vs_median, abs=1e-12)
            assert r.peer_score == pytest.approx(expected[r.forecaster].peer_score, abs=1e-9)
        if options.get("group") == "forecaster":
            groups = {g.key: g.scores for g in report.groups}
            for who in {w for w, *_ in scored}:
                _same_summary(groups[who].summary, score([(p, o) for w, p, o, _ in scored if w == who]))


@pytest.mark.parametrize("seed", range(2))
def test_final_scores_are_correctly_rounded_and_flushing_changes_nothing(db, seed, monkeypatch):
    """Brier and log score of the final forecasts are the fsum of every
    forecast's term, and handing the counts on early (many distinct
    probabilities) gives the very same report."""
    import math

    from claimtrack.domain.scoring import tally
    from claimtrack.services.report import data
    from claimtrack.services.report.data import build_report
    from claimtrack.services.report.model import ReportOptions

    _random_ledger(db, seed)
    options = ReportOptions(you="me", now=START + timedelta(days=400))
    report = build_report(db, options)
    scored, _, _, _ = _oracle(db, {})
    n = len(scored)
    assert report.overall.summary.n == n > 0
    brier = math.fsum((p - o) ** 2 for _, p, o, _ in scored) / n
    logs = math.fsum(math.log2(min(max(p if o else 1.0 - p, 0.001), 0.999)) for _, p, o, _ in scored) / n
    assert report.overall.summary.brier == brier
    assert report.overall.summary.log_score_bits == logs
    mine = [(p, o) for who, p, o, _ in scored if who.casefold() == "me"]
    assert report.you.n == len(mine)
    if mine:
        assert report.you.brier == math.fsum((p - o) ** 2 for p, o in mine) / len(mine)
    monkeypatch.setattr(data, "TALLY_LIMIT", 1)
    monkeypatch.setattr(tally, "FLUSH_AT", 1)
    again = build_report(db, options)
    for field in ("overall", "contemporaneous", "backfilled", "you", "others", "periods", "you_periods", "relative"):
        assert getattr(again, field) == getattr(report, field), field
