"""Properties of the scoring engine (hypothesis), streaming and forecast selection."""

from __future__ import annotations

import math
import random
import time
from datetime import datetime, timedelta, timezone
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.records import Forecast
from claimtrack.domain.scoring import (
    ScoreAccumulator,
    bin_index,
    brier,
    claim_peer_scores,
    final_forecasts,
    final_probabilities,
    log_score_bits,
    score,
    time_weighted,
    to_percent,
    wilson_interval,
)

probs = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
outcomes = st.integers(min_value=0, max_value=1)
pair_lists = st.lists(st.tuples(probs, outcomes), min_size=1, max_size=200)
weights = st.floats(min_value=0.001, max_value=1000.0, allow_nan=False)
UTC = timezone.utc
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _identity_gap(summary):
    return abs(summary.brier - summary.murphy.brier)


# ------------------------------------------------------------- Murphy / accumulator


@given(pair_lists, st.sampled_from([5, 10, 20]))
def test_murphy_identity_holds_to_machine_precision(pairs, n_bins):
    summary = score(pairs, n_bins=n_bins)
    assert _identity_gap(summary) < 1e-12
    m = summary.murphy
    assert m.reliability >= 0 and m.resolution >= 0 and m.within_bin_variance >= 0
    assert 0 <= m.uncertainty <= 0.25


@given(st.lists(st.tuples(probs, outcomes, weights), min_size=1, max_size=200))
def test_weighted_murphy_identity_and_weighted_brier(rows):
    summary = score(rows)
    assert _identity_gap(summary) < 1e-12
    total = math.fsum(w for _, _, w in rows)
    assert summary.brier == pytest.approx(math.fsum(w * (p - o) ** 2 for p, o, w in rows) / total, abs=1e-12)
    assert summary.n == len(rows)
    assert summary.sum_weights == pytest.approx(total, rel=1e-14)


@given(pair_lists)
def test_accumulator_agrees_with_the_simple_functions(pairs):
    summary = score(pairs)
    assert summary.brier == pytest.approx(brier(pairs), abs=1e-14)
    assert summary.brier_0_2 == pytest.approx(2 * brier(pairs), abs=1e-14)
    assert summary.log_score_bits == pytest.approx(log_score_bits(pairs), abs=1e-12)
    assert summary.base_rate == pytest.approx(sum(o for _, o in pairs) / len(pairs), abs=1e-14)
    assert summary.mean_forecast == pytest.approx(math.fsum(p for p, _ in pairs) / len(pairs), abs=1e-14)
    assert sum(b.n for b in summary.calibration) == len(pairs)
    assert sum(b.n for b in summary.folded) == len(pairs)
    for b in summary.calibration:
        if b.n:
            assert b.lo - 0.005 <= b.mean_forecast <= b.hi + 0.005
            assert b.ci_low <= b.observed <= b.ci_high


@given(pair_lists, pair_lists)
def test_merge_equals_streaming_everything(a, b):
    left, right = ScoreAccumulator().add_many(a), ScoreAccumulator().add_many(b)
    merged = left.merge(right).result()
    direct = score(a + b)
    assert merged.n == direct.n
    assert [x.n for x in merged.calibration] == [x.n for x in direct.calibration]
    assert merged.brier == pytest.approx(direct.brier, abs=1e-14)
    assert merged.log_score_bits == pytest.approx(direct.log_score_bits, abs=1e-12)
    assert merged.murphy.reliability == pytest.approx(direct.murphy.reliability, abs=1e-14)
    assert left.result().n == len(a)  # merge leaves its inputs alone


@given(pair_lists, st.randoms(use_true_random=False))
def test_order_does_not_matter(pairs, rnd):
    shuffled = list(pairs)
    rnd.shuffle(shuffled)
    a, b = score(pairs), score(shuffled)
    assert a.brier == pytest.approx(b.brier, abs=1e-14)
    assert [x.n for x in a.calibration] == [x.n for x in b.calibration]


@given(pair_lists, st.floats(min_value=0.01, max_value=100.0))
def test_a_common_weight_changes_nothing_but_sum_weights(pairs, w):
    plain, weighted = score(pairs), score([(p, o, w) for p, o in pairs])
    assert weighted.brier == pytest.approx(plain.brier, abs=1e-12)
    assert weighted.log_score_bits == pytest.approx(plain.log_score_bits, abs=1e-11)
    for x, y in zip(plain.calibration, weighted.calibration):
        assert x.n == y.n
        if x.n:
            assert y.observed == pytest.approx(x.observed, abs=1e-12)
            assert (y.ci_low, y.ci_high) == pytest.approx((x.ci_low, x.ci_high), abs=1e-9)


def test_weight_two_is_the_same_forecast_twice():
    once = score([(0.3, 1, 2.0), (0.8, 1, 1.0), (0.55, 0, 2.0)])
    twice = score([(0.3, 1), (0.3, 1), (0.8, 1), (0.55, 0), (0.55, 0)])
    assert once.n == 3 and twice.n == 5
    assert once.sum_weights == twice.sum_weights == 5.0
    assert once.brier == pytest.approx(twice.brier, abs=1e-15)
    assert once.murphy.resolution == pytest.approx(twice.murphy.resolution, abs=1e-15)


def test_empty_accumulator_reports_no_scores_but_lists_bins():
    summary = ScoreAccumulator().result()
    assert summary.n == 0 and summary.brier is None and summary.murphy is None
    assert summary.log_loss_bits is None
    assert len(summary.calibration) == 10 and all(b.is_empty for b in summary.calibration)


def test_non_float_numbers_are_accepted_and_bad_ones_refused():
    acc = ScoreAccumulator()
    acc.add(Fraction(1, 4), True)
    acc.add(1, 0, Fraction(1, 2))
    assert acc.n == 2
    for p, o, w in [(1.5, 1, 1.0), (float("nan"), 0, 1.0), ("0.5", 1, 1.0), (0.5, 3, 1.0),
                    (0.5, 1, -1.0), (0.5, 1, float("nan")), (0.5, 1, float("inf")), (0.5, 1, "2")]:
        with pytest.raises(InvalidInput):
            acc.add(p, o, w)
    assert acc.n == 2  # refused rows leave no trace
    with pytest.raises(InvalidInput):
        ScoreAccumulator(n_bins=3)
    with pytest.raises(InvalidInput):
        ScoreAccumulator(n_bins=10).merge(ScoreAccumulator(n_bins=20))


def _stream(n, seed=7):
    rng = random.Random(seed)
    for _ in range(n):
        p = rng.random()
        yield p, 1 if rng.random() < p ** 1.3 else 0


def test_a_million_forecasts_stream_with_exact_murphy():
    acc = ScoreAccumulator()
    add = acc.add
    started = time.perf_counter()
    for p, o in _stream(1_000_000):
        add(p, o)
    elapsed = time.perf_counter() - started
    summary = acc.result()
    assert summary.n == 1_000_000
    assert _identity_gap(summary) < 1e-12
    oracle = math.fsum((p - o) ** 2 for p, o in _stream(1_000_000)) / 1_000_000
    assert summary.brier == pytest.approx(oracle, abs=1e-13)
    assert elapsed < 30  # about half a second on a laptop; generous for CI


# --------------------------------------------------------------------- binning


def test_whole_percent_rounding_matches_exact_decimal_arithmetic():
    for k in range(1001):  # every 0.1% written as a decimal, e.g. "0.145"
        p = float(f"{k / 1000:.3f}")
        assert to_percent(p) == (k + 5) // 10, p  # half rounds up, exactly


@given(probs, probs)
def test_bins_are_monotone(p, q):
    lo, hi = min(p, q), max(p, q)
    for n_bins in (5, 10, 20):
        assert bin_index(lo, n_bins) <= bin_index(hi, n_bins)


@given(st.integers(min_value=0, max_value=500), st.integers(min_value=0, max_value=500))
def test_wilson_brackets_the_proportion(k, extra):
    n = k + extra
    lo, hi = wilson_interval(k, n)
    assert 0.0 <= lo <= hi <= 1.0
    if n:
        assert lo <= k / n <= hi
        lo4, hi4 = wilson_interval(4 * k, 4 * n)
        assert hi4 - lo4 <= hi - lo + 1e-15


# --------------------------------------------------------------- peer scores


@given(st.dictionaries(st.text(min_size=1, max_size=5), probs, min_size=2, max_size=12), outcomes)
def test_peer_scores_sum_to_zero_on_a_claim(probs_by_name, o):
    peers = claim_peer_scores(probs_by_name, o)
    assert set(peers) == set(probs_by_name)
    assert abs(math.fsum(peers.values())) < 1e-9


# ------------------------------------------------------------ forecast selection


def _fc(who, p, hours):
    return (who, p, T0 + timedelta(hours=hours))


def test_final_forecast_is_the_last_before_resolution():
    resolved = T0 + timedelta(hours=100)
    forecasts = [_fc("a", 0.2, 0), _fc("a", 0.6, 50), _fc("a", 0.9, 150), _fc("b", 0.4, 10),
                 _fc("c", 0.7, 120), _fc("b", 0.45, 100)]
    # c only after: absent; b's 0.45 at the resolution instant counts as after it (issue 11)
    assert final_probabilities(forecasts, resolved) == {"a": 0.6, "b": 0.4}
    assert [f[1] for f in final_forecasts(forecasts, resolved)] == [0.6, 0.4]
    assert final_probabilities(forecasts, None)["a"] == 0.9


def test_final_forecasts_accepts_records_and_breaks_ties_by_input_order():
    made = T0 + timedelta(hours=5)
    recs = [Forecast(i, f"u{i}", 1, "ann", p, made, made, None, False, False) for i, p in enumerate((0.3, 0.35))]
    assert final_forecasts(recs, T0 + timedelta(days=1)) == [recs[1]]


def test_naive_and_aware_times_are_refused():
    with pytest.raises(InvalidInput):
        final_forecasts([("a", 0.5, datetime(2024, 1, 1))], T0)


def test_time_weighted_rule_on_a_worked_example():
    resolved = T0 + timedelta(hours=100)
    rows = time_weighted([_fc("a", 0.2, 0), _fc("a", 0.6, 75), _fc("b", 0.9, 60), _fc("b", 0.1, 110)], resolved)
    # a: 0.2 stood 75 of a's 100 hours, 0.6 the last 25; b: one forecast for b's whole window
    assert rows == [("a", 0.2, 0.75), ("a", 0.6, 0.25), ("b", 0.9, 1.0)]


def test_a_forecaster_whose_forecasts_are_at_the_resolution_is_not_scored():
    resolved = T0 + timedelta(hours=3)
    assert time_weighted([_fc("a", 0.3, 3), _fc("a", 0.4, 3)], resolved) == []  # at = after (issue 11)
    rows = time_weighted([_fc("a", 0.2, 2), _fc("a", 0.4, 3)], resolved)
    assert rows == [("a", 0.2, 1.0)]


schedules = st.lists(
    st.tuples(st.floats(min_value=0.0, max_value=1.0), st.integers(min_value=0, max_value=999)),
    min_size=1, max_size=6,
)


@given(schedules, st.integers(min_value=1, max_value=10_000), st.integers(min_value=1, max_value=10_000), outcomes)
@settings(max_examples=200)
def test_same_belief_early_or_late_scores_the_same(schedule, early_start, late_start, o):
    """Two forecasters hold the same beliefs over the same share of their own window.

    The early one starts ``early_start`` hours before resolution, the late
    one ``late_start`` hours before; a forecast is made at ``k/1000`` of the
    way through the window.  Only the scale of time differs, so the
    time-weighted scores must be equal.
    """
    schedule = sorted(schedule, key=lambda s: s[1])
    schedule[0] = (schedule[0][0], 0)  # each forecaster's first forecast opens their window
    resolved = T0 + timedelta(hours=20_000)

    def forecasts(who, hours):
        start = resolved - timedelta(hours=hours)
        return [(who, p, start + timedelta(microseconds=hours * 3_600_000 * k)) for p, k in schedule]

    rows = time_weighted(forecasts("early", early_start) + forecasts("late", late_start), resolved)
    by = {"early": [], "late": []}
    for who, p, w in rows:
        by[who].append((p, o, w))
    for who in by:
        assert math.fsum(w for _, _, w in by[who]) == pytest.approx(1.0, abs=1e-12)
    assert [w for _, _, w in by["early"]] == [w for _, _, w in by["late"]]
    early, late = score(by["early"]), score(by["late"])
    assert early.brier == pytest.approx(late.brier, abs=1e-15)
    assert early.log_score_bits == pytest.approx(late.log_score_bits, abs=1e-14)


def test_late_forecaster_with_the_same_belief_is_not_flattered():
    """Fatebook divides by the claim's whole life; we divide by the forecaster's own window."""
    resolved = T0 + timedelta(hours=100)
    rows = time_weighted([_fc("early", 0.3, 0), _fc("late", 0.3, 90)], resolved)
    assert [w for _, _, w in rows] == [1.0, 1.0]
    ours = {who: score([(p, 1, w)]).brier for who, p, w in rows}
    assert ours["early"] == ours["late"]
    # the whole-life rule would have scored the late forecaster ten times better
    whole_life = {"early": 100 / 100 * (0.3 - 1) ** 2, "late": 10 / 100 * (0.3 - 1) ** 2}
    assert whole_life["late"] < whole_life["early"]


def test_forecasts_after_resolution_are_ignored_by_both_rules():
    resolved = T0 + timedelta(hours=10)
    forecasts = [_fc("a", 0.5, 0), _fc("a", 0.99, 11), _fc("late", 0.9, 12)]
    assert time_weighted(forecasts, resolved) == [("a", 0.5, 1.0)]
    assert final_probabilities(forecasts, resolved) == {"a": 0.5}


def test_subnormal_weights_do_not_divide_by_zero() -> None:
    from claimtrack.domain.scoring import ScoreAccumulator

    acc = ScoreAccumulator()
    acc.add(0.3, 1, weight=5e-324)
    acc.add(0.35, 0, weight=5e-324)
    bins = acc.result().calibration
    assert sum(b.n for b in bins) == 2
    assert all(0.0 <= b.ci_low <= b.ci_high <= 1.0 for b in bins)
