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
    resolved = made[-1] + timedelta(hours=extra)
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
