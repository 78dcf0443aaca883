"""Scores of choice and quantity forecasts (issue 12) against independent oracles.

Expected values come from scoringrules (``crps_quantile``, ``interval_score``,
``rps_score``), scikit-learn (``brier_score_loss``, ``log_loss``) or are worked
by hand in the test; none is copied from claimtrack's output.  scoringrules'
``weighted_interval_score`` is NOT an oracle: it adds w0 * m where the
definition has w0 * |y - m| (see test_scoringrules_wis_is_not_an_oracle).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scoringrules as sr
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn.metrics import brier_score_loss, log_loss

from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.scoring import LOG_CLIP, brier, brier_0_2, log_score_bits
from claimtrack.domain.scoring import choice as ch
from claimtrack.domain.scoring import quantity as qt

T = 1e12
ISSUE = ((0.1, 1 * T), (0.5, 1.8 * T), (0.9, 3 * T))  # the issue's example
ISSUE_Y = 1.76 * T


def _sr(fn, *args) -> float:
    return float(np.asarray(fn(*args)))


# ------------------------------------------------------------ choice: golden


CHOICE_CASES = [
    ((0.15, 0.5, 0.35), 1),
    ((0.15, 0.5, 0.35), 0),
    ((0.7, 0.2, 0.1), 2),
    ((1.0, 0.0, 0.0, 0.0), 0),
    ((0.0, 0.0, 0.0, 1.0), 0),
    ((0.25, 0.25, 0.25, 0.25), 3),
    ((0.05, 0.1, 0.6, 0.2, 0.05), 3),
]


@pytest.mark.parametrize("probs,realised", CHOICE_CASES)
def test_multi_brier_equals_sklearn_unscaled(probs, realised):
    oracle = brier_score_loss([realised], [list(probs)], labels=list(range(len(probs))), scale_by_half=False)
    assert ch.brier_multi(probs, realised) == pytest.approx(oracle, abs=1e-12)
    assert 0.0 <= ch.brier_multi(probs, realised) <= 2.0


@pytest.mark.parametrize("probs,realised", CHOICE_CASES)
def test_choice_log_score_equals_sklearn_log_loss_clipped(probs, realised):
    lo, hi = LOG_CLIP
    p = min(max(probs[realised], lo), hi)
    # sklearn's log loss of a single sample with the realised probability clipped as claimtrack clips it
    rest = (1.0 - p) / (len(probs) - 1)
    clipped = [p if k == realised else rest for k in range(len(probs))]
    nats = log_loss([realised], [clipped], labels=list(range(len(probs))))
    assert ch.log_score_choice_bits(probs, realised) == pytest.approx(-nats / math.log(2), abs=1e-9)


@pytest.mark.parametrize("probs,realised", CHOICE_CASES)
def test_rps_equals_scoringrules_divided_by_k_minus_1(probs, realised):
    oracle = _sr(sr.rps_score, realised + 1, np.array(probs)) / (len(probs) - 1)
    assert ch.rps(probs, realised) == pytest.approx(oracle, abs=1e-12)
    assert 0.0 <= ch.rps(probs, realised) <= 1.0


def test_choice_hand_worked():
    # (0.15-0)^2 + (0.5-1)^2 + (0.35-0)^2 = 0.0225 + 0.25 + 0.1225
    assert ch.brier_multi((0.15, 0.5, 0.35), 1) == pytest.approx(0.395, abs=1e-15)
    assert ch.log_score_choice_bits((0.15, 0.5, 0.35), 1) == -1.0
    # cumulative forecast 0.15, 0.65; outcome 0, 1: (0.15^2 + 0.35^2) / 2
    assert ch.rps((0.15, 0.5, 0.35), 1) == pytest.approx((0.0225 + 0.1225) / 2, abs=1e-15)
    # all on the farthest wrong option of 3: every cut point misses by 1
    assert ch.rps((0.0, 0.0, 1.0), 0) == 1.0
    assert ch.brier_multi((0.0, 0.0, 1.0), 0) == 2.0
    assert ch.log_score_choice_bits((0.0, 0.0, 1.0), 0) == math.log2(0.001)
    assert ch.one_vs_rest((0.15, 0.5, 0.35), 1) == ((0.15, 0), (0.5, 1), (0.35, 0))


@pytest.mark.parametrize("probs,realised,message", [
    ((0.5, 0.4), 0, "add up to 0.9"),
    ((1.0,), 0, "at least 2"),
    ((0.5, 0.5), 2, "not one of the 2 options"),
    ((1.2, -0.2), 0, "outside 0-1"),
    ((0.5, float("nan")), 0, "outside 0-1"),
])
def test_choice_bad_input(probs, realised, message):
    with pytest.raises(InvalidInput, match=message):
        ch.brier_multi(probs, realised)


# --------------------------------------------- choice: two options = binary


@given(p=st.floats(0.0, 1.0), o=st.sampled_from([0, 1]))
def test_two_option_choice_scores_as_the_binary_claim(p, o):
    probs = (p, 1.0 - p)  # option 0 is "yes"
    realised = 0 if o == 1 else 1
    # Brier: the multi-category score is the two-category (0-2) binary score, twice the 0-1 score
    assert ch.brier_multi(probs, realised) == pytest.approx(2.0 * brier([(p, o)]), abs=1e-12)
    assert ch.brier_multi(probs, realised) == pytest.approx(brier_0_2([(p, o)]), abs=1e-12)
    # log score: identical, same clip
    assert ch.log_score_choice_bits(probs, realised) == pytest.approx(log_score_bits([(p, o)]), abs=1e-12)
    # RPS normalised by K-1 = 1: the 0-1 Brier score
    assert ch.rps(probs, realised) == pytest.approx(brier([(p, o)]), abs=1e-12)


# ------------------------------------------------- choice: proper (Hypothesis)


def _distribution(k: int):
    return st.lists(st.floats(0.01, 1.0), min_size=k, max_size=k).map(lambda w: tuple(x / sum(w) for x in w))


def _expected(rule, forecast, truth):
    return math.fsum(q * rule(forecast, i) for i, q in enumerate(truth))


@settings(max_examples=200, deadline=None)
@given(data=st.data(), k=st.integers(2, 6))
def test_choice_scores_are_proper(data, k):
    truth = data.draw(_distribution(k))
    other = data.draw(_distribution(k))
    # clipping stays out of the way: probabilities within [0.001, 0.999]
    assume(all(0.001 <= x <= 0.999 for x in truth + other))
    assert _expected(ch.brier_multi, truth, truth) <= _expected(ch.brier_multi, other, truth) + 1e-12
    assert _expected(ch.rps, truth, truth) <= _expected(ch.rps, other, truth) + 1e-12
    # log score: higher is better
    assert _expected(ch.log_score_choice_bits, truth, truth) >= _expected(ch.log_score_choice_bits, other, truth) - 1e-12


# --------------------------------------------------------- quantity: golden


def test_issue_example_against_scoringrules():
    y = ISSUE_Y
    levels = np.array([t for t, _ in ISSUE])
    values = np.array([v for _, v in ISSUE])
    crps_oracle = _sr(sr.crps_quantile, y, values, levels)
    is_oracle = _sr(sr.interval_score, y, 1 * T, 3 * T, 0.2)
    assert qt.crps_approx(ISSUE, y) == pytest.approx(crps_oracle, rel=1e-12)
    assert qt.interval_scores(ISSUE, y) == ((pytest.approx(0.8), 1 * T, 3 * T, pytest.approx(is_oracle, rel=1e-12)),)
    # WIS by its definition, by hand: (1/2 |y - m| + (0.2/2) IS) / (1 + 1/2)
    by_hand = (0.5 * abs(y - 1.8 * T) + 0.1 * (2 * T)) / 1.5
    assert qt.wis(ISSUE, y) == pytest.approx(by_hand, rel=1e-12)
    assert qt.wis(ISSUE, y) == pytest.approx(1.4667e11, rel=1e-4)  # the issue's figure
    # with a median and symmetric pairs WIS equals scoringrules' crps_quantile
    assert qt.wis(ISSUE, y) == pytest.approx(crps_oracle, rel=1e-12)


def test_scoringrules_wis_is_not_an_oracle():
    """Documents why scoringrules' weighted_interval_score is not used: it adds w0 * m."""
    y = ISSUE_Y
    theirs = _sr(sr.weighted_interval_score, y, 1.8 * T, np.array([1 * T]), np.array([3 * T]), np.array([0.2]))
    assert theirs == pytest.approx((0.5 * 1.8 * T + 0.1 * 2 * T) / 1.5, rel=1e-9)  # 7.33e11
    assert qt.wis(ISSUE, y) != pytest.approx(theirs, rel=0.5)


def test_reference_example_crps():
    # scoring.md: levels 5/50/95% at 8T/13T/20T, y = 9.5T: 1.5667e12 (checked against scoringrules)
    qs = ((0.05, 8 * T), (0.5, 13 * T), (0.95, 20 * T))
    oracle = _sr(sr.crps_quantile, 9.5 * T, np.array([8 * T, 13 * T, 20 * T]), np.array([0.05, 0.5, 0.95]))
    assert qt.crps_approx(qs, 9.5 * T) == pytest.approx(oracle, rel=1e-12)
    assert oracle == pytest.approx(1.5667e12, rel=1e-4)


QUANTITY_CASES = [
    (((0.1, 1.0), (0.5, 2.0), (0.9, 3.0)), 2.5),
    (((0.1, 1.0), (0.5, 2.0), (0.9, 3.0)), -4.0),
    (((0.1, 1.0), (0.5, 2.0), (0.9, 3.0)), 30.0),
    (((0.05, 10.0), (0.25, 20.0), (0.5, 21.0), (0.75, 22.0), (0.95, 40.0)), 21.5),
    (((0.05, 10.0), (0.25, 20.0), (0.5, 21.0), (0.75, 22.0), (0.95, 40.0)), 41.0),
    (((0.025, 20000.0), (0.1, 20100.0), (0.25, 20200.0), (0.5, 20300.0), (0.75, 20400.0), (0.9, 20500.0),
      (0.975, 20600.0)), 20250.0),
    (((0.2, 5.0), (0.8, 7.0)), 6.0),  # no median
    (((0.3, 5.0),), 9.0),  # a single quantile
]


@pytest.mark.parametrize("qs,y", QUANTITY_CASES)
def test_crps_and_intervals_against_scoringrules(qs, y):
    levels = np.array([t for t, _ in qs])
    values = np.array([v for _, v in qs])
    assert qt.crps_approx(qs, y) == pytest.approx(_sr(sr.crps_quantile, y, values, levels), rel=1e-12, abs=1e-12)
    for nominal, lo, hi, score in qt.interval_scores(qs, y):
        assert score == pytest.approx(_sr(sr.interval_score, y, lo, hi, 1.0 - nominal), rel=1e-12)


@pytest.mark.parametrize("qs,y", [c for c in QUANTITY_CASES if 0.5 in dict(c[0]) and len(c[0]) % 2 == 1])
def test_wis_with_median_and_pairs_is_two_over_2k_plus_1_pinball(qs, y):
    # Bracher et al. (2021): with the median and K symmetric intervals, WIS = 2/(2K+1) * sum of pinball losses
    # over the 2K+1 quantiles, which is also scoringrules' crps_quantile on the same set
    losses = [(y - q) * (t - (1.0 if y < q else 0.0)) for t, q in qs]
    assert qt.wis(qs, y) == pytest.approx(2.0 / len(qs) * math.fsum(losses), rel=1e-12)
    oracle = _sr(sr.crps_quantile, y, np.array([v for _, v in qs]), np.array([t for t, _ in qs]))
    assert qt.wis(qs, y) == pytest.approx(oracle, rel=1e-12)


def test_wis_without_median_and_without_intervals():
    qs = ((0.2, 5.0), (0.8, 7.0))
    # only the 60% interval, width 2, y = 8 above by 1: IS = 2 + (2/0.4)*1 = 7; WIS = (0.4/2) * 7 / 1
    assert qt.wis(qs, 8.0) == pytest.approx(1.4, abs=1e-12)
    assert qt.wis(((0.3, 5.0),), 9.0) is None
    assert qt.wis(((0.5, 5.0),), 9.0) == 4.0  # median only: |y - m|


def test_pinball_hand_worked():
    # issue example: 0.1*(1.76-1) , 0.5 quantile 1.8 above y: (1.76-1.8)(0.5-1), 0.9 quantile: (1.76-3)(0.9-1)
    losses = dict(qt.pinball_losses(ISSUE, ISSUE_Y))
    assert losses[0.1] == pytest.approx(0.076 * T, rel=1e-12)
    assert losses[0.5] == pytest.approx(0.02 * T, rel=1e-12)
    assert losses[0.9] == pytest.approx(0.124 * T, rel=1e-12)


def test_log10_scale():
    logged = qt.log10_quantiles(ISSUE, ISSUE_Y)
    assert logged is not None
    qs, y = logged
    assert [v for _, v in qs] == pytest.approx([12.0, math.log10(1.8e12), math.log10(3e12)])
    assert y == pytest.approx(math.log10(1.76e12))
    # a multiple of the unit does not change log10 scores (scale-free across claims)
    scaled = tuple((t, v * 1000) for t, v in ISSUE)
    assert qt.wis(*qt.log10_quantiles(scaled, ISSUE_Y * 1000)) == pytest.approx(qt.wis(qs, y), abs=1e-12)
    assert qt.log10_quantiles(((0.1, -1.0), (0.9, 3.0)), 2.0) is None
    assert qt.log10_quantiles(ISSUE, 0.0) is None


def test_coverage_and_pit():
    assert qt.covered(ISSUE, ISSUE_Y, 0.8) is True
    assert qt.covered(ISSUE, 3 * T, 0.8) is True  # ends count as inside
    assert qt.covered(ISSUE, 3.01 * T, 0.8) is False
    assert qt.covered(ISSUE, ISSUE_Y, 0.5) is None  # no 25%/75% pair
    assert qt.pit_bin(ISSUE, ISSUE_Y) == (0.0, 1.0, 0.0, 0.0)
    assert qt.pit_bin(ISSUE, 0.5 * T) == (1.0, 0.0, 0.0, 0.0)
    assert qt.pit_bin(ISSUE, 9 * T) == (0.0, 0.0, 0.0, 1.0)
    assert qt.pit_bin(ISSUE, 1.8 * T) == (0.0, 0.5, 0.5, 0.0)  # on the median: half each side
    assert qt.expected_masses((0.1, 0.5, 0.9)) == pytest.approx((0.1, 0.4, 0.4, 0.1))


# ------------------------------------------------------ quantity: bad input


@pytest.mark.parametrize("qs,message", [
    (((0.5, 2.0), (0.1, 1.0)), "levels out of order"),
    (((0.1, 2.0), (0.5, 1.0)), "quantiles out of order"),
    (((0.1, 1.0), (0.5, 1.0)), "quantiles out of order"),
    (((0.1, 1.0), (0.1, 2.0)), "levels out of order"),
    (((0.0, 1.0),), "strictly between 0 and 1"),
    (((1.0, 1.0),), "strictly between 0 and 1"),
    (((0.5, float("inf")),), "not a finite number"),
    (((0.5, "1T"),), "not a number"),
    ((), "no quantiles"),
    ("10%=1T", "not text"),
])
def test_quantile_set_errors(qs, message):
    with pytest.raises(InvalidInput, match=message):
        qt.crps_approx(qs, 1.0)


def _quantile_sets():
    levels = st.lists(st.integers(1, 99), min_size=1, max_size=7, unique=True).map(sorted)
    values = st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=7, max_size=7)
    return st.tuples(levels, values)


@given(pair=_quantile_sets())
def test_unsorted_quantile_sets_get_a_clear_error(pair):
    levels, values = pair
    qs = tuple(zip((p / 100 for p in levels), values[: len(levels)]))
    increasing = all(b[1] > a[1] for a, b in zip(qs, qs[1:]))
    if increasing:
        assert qt.crps_approx(qs, 0.0) >= 0.0
    else:
        with pytest.raises(InvalidInput, match="out of order"):
            qt.crps_approx(qs, 0.0)
    if len(qs) > 1:  # levels in the wrong order are refused too, with the values kept increasing
        flipped = tuple(zip(reversed([t for t, _ in qs]), sorted(set(values))[: len(qs)]))
        if len(set(values)) >= len(qs):
            with pytest.raises(InvalidInput, match="levels out of order"):
                qt.wis(flipped, 0.0)


# -------------------------------------------------- quantity: proper (Hypothesis)


@settings(max_examples=150, deadline=None)
@given(outcomes=st.lists(st.floats(-100, 100, allow_nan=False), min_size=1, max_size=9),
       tau=st.sampled_from([0.1, 0.25, 0.5, 0.75, 0.9]), shift=st.floats(-50, 50, allow_nan=False))
def test_pinball_is_proper(outcomes, tau, shift):
    """Under the empirical distribution of ``outcomes``, its tau-quantile minimises the expected pinball loss."""
    ordered = sorted(outcomes)
    # a tau-quantile of the empirical distribution: the smallest x with F(x) >= tau
    true_q = ordered[max(0, math.ceil(tau * len(ordered)) - 1)]

    def expected(q):
        return math.fsum(qt.pinball(q, tau, y) for y in outcomes) / len(outcomes)

    assert expected(true_q) <= expected(true_q + shift) + 1e-9


@settings(max_examples=100, deadline=None)
@given(outcomes=st.lists(st.floats(-100, 100, allow_nan=False), min_size=2, max_size=12),
       widen=st.floats(-20, 20, allow_nan=False), move=st.floats(-20, 20, allow_nan=False))
def test_interval_score_and_wis_are_proper(outcomes, widen, move):
    """The true quantiles of the outcomes' empirical distribution score best in expectation."""
    ordered = sorted(outcomes)

    def quant(tau):
        return ordered[max(0, math.ceil(tau * len(ordered)) - 1)]

    lo, m, hi = quant(0.1), quant(0.5), quant(0.9)
    assume(lo < m < hi)
    truth = ((0.1, lo), (0.5, m), (0.9, hi))
    other_lo, other_hi = lo + move - widen, hi + move + widen
    other_m = m + move
    assume(other_lo < other_m < other_hi)
    other = ((0.1, other_lo), (0.5, other_m), (0.9, other_hi))

    def mean(rule, qs):
        return math.fsum(rule(qs, y) for y in outcomes) / len(outcomes)

    assert mean(qt.wis, truth) <= mean(qt.wis, other) + 1e-9
    assert mean(qt.crps_approx, truth) <= mean(qt.crps_approx, other) + 1e-9
    is_truth = math.fsum(qt.interval_score(lo, hi, 0.2, y) for y in outcomes)
    is_other = math.fsum(qt.interval_score(other_lo, other_hi, 0.2, y) for y in outcomes)
    assert is_truth <= is_other + 1e-9


def test_crps_approximation_converges_to_properscoring():
    """Twice the mean pinball loss is an approximation: with many evenly spread levels of a normal it
    approaches the normal's CRPS (properscoring's crps_gaussian); with 3 levels it is far off."""
    import properscoring
    from scipy.stats import norm

    exact = properscoring.crps_gaussian(12.5, 10.0, 2.0)
    errors = []
    for n in (3, 19, 99, 999):
        levels = [(i + 1) / (n + 1) for i in range(n)]
        qs = tuple((t, float(norm.ppf(t, 10.0, 2.0))) for t in levels)
        errors.append(abs(qt.crps_approx(qs, 12.5) - exact) / exact)
    assert errors == sorted(errors, reverse=True)
    assert errors[0] > 0.2 and errors[-1] < 0.002


def test_log10_of_values_too_close_to_tell_apart():
    # distinct floats whose log10 rounds to the same number: no log10 scores rather than an error
    close = ((0.1, 1e307), (0.9, math.nextafter(1e307, math.inf)))
    assert qt.log10_quantiles(close, 1e307) is None
