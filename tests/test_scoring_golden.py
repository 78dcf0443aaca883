"""Scoring engine against independent oracles.

Every expected value is computed here with scikit-learn, properscoring,
scipy or numpy, never copied from claimtrack's own output.
"""

from __future__ import annotations

import math

import numpy as np
import properscoring
import pytest
from scipy.stats import binomtest
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, log_loss

from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.scoring import (
    LOG_CLIP,
    bin_index,
    brier,
    brier_0_2,
    claim_peer_scores,
    log_loss_bits,
    log_score_bits,
    metaculus_baseline,
    relative_scores,
    score,
    to_percent,
    wilson_interval,
)

# (probabilities, outcomes) sets holding the edge cases the engine must get right
CASES = {
    "mixed": ([0.1, 0.15, 0.35, 0.8, 0.9, 0.65, 0.5, 0.22], [0, 1, 0, 1, 1, 0, 1, 0]),
    "one_in_a_bin": ([0.05, 0.95, 0.55], [0, 1, 1]),
    "all_yes": ([0.2, 0.6, 0.9, 0.75], [1, 1, 1, 1]),
    "all_no": ([0.2, 0.6, 0.9, 0.75], [0, 0, 0, 0]),
    "certain_and_wrong": ([0.0, 1.0, 0.0, 1.0], [1, 0, 0, 1]),
    "bin_edges": ([0.10, 0.15, 0.35, 1.00, 0.0, 0.2, 0.9, 0.3], [0, 1, 1, 1, 0, 0, 1, 0]),
    "many_in_one_bin": ([0.71, 0.72, 0.73, 0.74, 0.75, 0.76, 0.77, 0.78, 0.79, 0.8] * 3, [1, 0, 1, 1, 0, 1, 1, 1, 0, 1] * 3),
}


def _pairs(name):
    ps, os_ = CASES[name]
    return list(zip(ps, os_))


def _sk_bins(ps, n_bins=10):
    """scikit-learn's own bin ids (calibration_curve's searchsorted on inner edges)."""
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    return np.searchsorted(edges[1:-1], np.asarray(ps, dtype=float))


@pytest.mark.parametrize("name", sorted(CASES))
def test_brier_matches_sklearn_and_properscoring(name):
    ps, os_ = (np.asarray(x, dtype=float) for x in CASES[name])
    pairs = _pairs(name)
    assert brier(pairs) == pytest.approx(brier_score_loss(os_, ps, pos_label=1), abs=1e-15)
    assert brier(pairs) == pytest.approx(float(np.mean(properscoring.brier_score(os_, ps))), abs=1e-15)
    two_category = np.mean((ps - os_) ** 2 + ((1 - ps) - (1 - os_)) ** 2)
    assert brier_0_2(pairs) == pytest.approx(two_category, abs=1e-15)
    assert score(pairs).brier == pytest.approx(brier_score_loss(os_, ps), abs=1e-15)


@pytest.mark.parametrize("name", sorted(CASES))
def test_log_score_matches_sklearn_log_loss_in_bits(name):
    ps, os_ = (np.asarray(x, dtype=float) for x in CASES[name])
    clipped = np.clip(ps, *LOG_CLIP)  # clipping p to [a, 1-a] clips p_y the same way
    oracle_bits = log_loss(os_, clipped, labels=[0, 1]) / np.log(2)
    pairs = _pairs(name)
    assert log_loss_bits(pairs) == pytest.approx(oracle_bits, rel=1e-13)
    assert log_score_bits(pairs) == pytest.approx(-oracle_bits, rel=1e-13)
    summary = score(pairs)
    assert summary.log_score_bits == pytest.approx(-oracle_bits, rel=1e-13)
    assert summary.log_loss_bits == pytest.approx(oracle_bits, rel=1e-13)


def test_worst_clipped_log_loss_is_log2_of_the_clip():
    worst = -np.log2(0.001)
    assert 9.96 < worst < 9.97
    assert log_loss_bits([(0.0, 1)]) == pytest.approx(worst, rel=1e-15)
    assert log_loss_bits([(1.0, 0)]) == pytest.approx(worst, rel=1e-15)
    assert log_loss_bits([(1.0, 1)]) == pytest.approx(-np.log2(0.999), rel=1e-15)
    # a looser clip is honoured
    assert log_loss_bits([(0.0, 1)], clip=(0.01, 0.99)) == pytest.approx(-np.log2(0.01), rel=1e-15)


@pytest.mark.parametrize("name", sorted(CASES))
def test_calibration_matches_sklearn_calibration_curve(name):
    ps, os_ = CASES[name]
    prob_true, prob_pred = calibration_curve(os_, ps, n_bins=10, strategy="uniform")
    counts = np.bincount(_sk_bins(ps), minlength=10)
    bins = score(_pairs(name)).calibration
    assert len(bins) == 10
    assert [b.n for b in bins] == counts.tolist()
    filled = [b for b in bins if b.n]
    assert [b.observed for b in filled] == pytest.approx(prob_true.tolist(), abs=1e-15)
    assert [b.mean_forecast for b in filled] == pytest.approx(prob_pred.tolist(), abs=1e-15)
    for b in bins:
        if not b.n:
            assert (b.mean_forecast, b.observed, b.ci_low, b.ci_high) == (None, None, 0.0, 1.0)


def test_bin_edges_follow_the_specification():
    # the rule written in the scoring reference, not values produced by the code
    assert bin_index(0.0) == 0
    assert bin_index(0.10) == 0
    assert bin_index(0.15) == 1
    assert bin_index(0.35) == 3
    assert bin_index(1.00) == 9
    assert bin_index(0.101) == 0  # 10.1% is 10%
    assert bin_index(0.105) == 1  # 10.5% rounds up to 11%
    assert [bin_index(x, 5) for x in (0.0, 0.2, 0.21, 1.0)] == [0, 0, 1, 4]
    assert [bin_index(x, 20) for x in (0.05, 0.06, 0.15, 0.35, 1.0)] == [0, 1, 2, 6, 19]


@pytest.mark.parametrize("n_bins", [5, 10, 20])
def test_whole_percents_agree_with_sklearn_bins(n_bins):
    ps = [k / 100 for k in range(101)]
    assert [bin_index(p, n_bins) for p in ps] == _sk_bins(ps, n_bins).tolist()


@pytest.mark.parametrize(
    "noisy, pct",
    [
        (1.1 - 1.0, 10),  # 0.10000000000000009
        (1.0 - 0.95, 5),  # 0.050000000000000044
        (1.35 - 1.0, 35),  # 0.3500000000000001
        (sum([0.01] * 30), 30),  # 0.3000000000000001
        (sum([0.01] * 70), 70),
    ],
)
def test_float_noise_above_an_edge_stays_in_its_percent_bin(noisy, pct):
    """Where scikit-learn's float edges disagree with us, we keep the written percent."""
    for n_bins in (10, 20):
        written = pct / 100
        assert to_percent(noisy) == pct
        assert bin_index(noisy, n_bins) == bin_index(written, n_bins) == _sk_bins([written], n_bins)[0]
    # scikit-learn moves at least one of these up a bin: the difference we document
    assert any(_sk_bins([noisy], nb)[0] != _sk_bins([pct / 100], nb)[0] for nb in (10, 20))


@pytest.mark.parametrize("k,n", [(0, 1), (1, 1), (0, 10), (3, 10), (10, 10), (7, 23), (50, 100), (1, 1000), (999, 1000)])
def test_wilson_matches_scipy(k, n):
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    lo, hi = wilson_interval(k, n)
    assert lo == pytest.approx(ci.low, abs=1e-14)
    assert hi == pytest.approx(ci.high, abs=1e-14)


def test_wilson_empty_and_bad_input():
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(InvalidInput):
        wilson_interval(3, 2)


def test_bins_carry_wilson_intervals_from_scipy():
    pairs = _pairs("many_in_one_bin") + _pairs("mixed")
    for b in score(pairs).calibration:
        if b.n:
            k = round(b.observed * b.n)
            ci = binomtest(k, b.n).proportion_ci(method="wilson")
            assert (b.ci_low, b.ci_high) == pytest.approx((ci.low, ci.high), abs=1e-14)


def _numpy_murphy(ps, os_, n_bins=10):
    ps, os_ = np.asarray(ps, float), np.asarray(os_, float)
    pct = np.floor(ps * 100 + 0.5 + 1e-9)
    ids = np.maximum(np.ceil(pct / (100 / n_bins)) - 1, 0).astype(int)
    n, obar = len(ps), os_.mean()
    rel = res = wbv = wbc = 0.0
    for k in np.unique(ids):
        f, o = ps[ids == k], os_[ids == k]
        fb, ob = f.mean(), o.mean()
        rel += len(f) * (fb - ob) ** 2
        res += len(f) * (ob - obar) ** 2
        wbv += ((f - fb) ** 2).sum()
        wbc += 2 * ((f - fb) * (o - ob)).sum()
    return rel / n, res / n, obar * (1 - obar), wbv / n, wbc / n


@pytest.mark.parametrize("name", sorted(CASES))
def test_murphy_terms_match_numpy_and_sum_to_brier(name):
    ps, os_ = CASES[name]
    m = score(_pairs(name)).murphy
    expected = _numpy_murphy(ps, os_)
    got = (m.reliability, m.resolution, m.uncertainty, m.within_bin_variance, m.within_bin_covariance)
    assert got == pytest.approx(expected, abs=1e-14)
    assert m.brier == pytest.approx(brier_score_loss(os_, ps), abs=1e-14)


def test_three_term_murphy_is_exact_only_for_identical_forecasts_in_a_bin():
    same = [(0.7, 1), (0.7, 0), (0.7, 1), (0.2, 0), (0.2, 1)]
    m = score(same).murphy
    assert m.within_bin_variance == pytest.approx(0.0, abs=1e-15)
    assert m.within_bin_covariance == pytest.approx(0.0, abs=1e-15)
    assert m.three_term_brier == pytest.approx(brier_score_loss([o for _, o in same], [p for p, _ in same]), abs=1e-15)
    spread = _pairs("many_in_one_bin")
    m2 = score(spread).murphy
    assert abs(m2.three_term_brier - m2.brier) > 1e-4


def _numpy_folded(ps, os_):
    ps, os_ = np.asarray(ps, float), np.asarray(os_, int)
    pct = np.floor(ps * 100 + 0.5 + 1e-9).astype(int)
    yes = pct >= 50
    conf_pct = np.where(yes, pct, 100 - pct)
    conf = np.where(yes, ps, 1 - ps)
    hit = np.where(yes, os_, 1 - os_)
    ids = np.where(conf_pct == 100, 5, (conf_pct - 50) // 10)
    return [(int((ids == i).sum()), conf[ids == i], hit[ids == i]) for i in range(6)]


@pytest.mark.parametrize("name", sorted(CASES))
def test_folded_view_matches_numpy(name):
    ps, os_ = CASES[name]
    folded = score(_pairs(name)).folded
    assert [(b.lo, b.hi) for b in folded] == [(0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.0), (1.0, 1.0)]
    for b, (n, conf, hit) in zip(folded, _numpy_folded(ps, os_)):
        assert b.n == n
        if n:
            assert b.mean_forecast == pytest.approx(conf.mean(), abs=1e-15)
            assert b.observed == pytest.approx(hit.mean(), abs=1e-15)
            ci = binomtest(int(hit.sum()), n).proportion_ci(method="wilson")
            assert (b.ci_low, b.ci_high) == pytest.approx((ci.low, ci.high), abs=1e-14)
        else:
            assert b.observed is None


def test_folded_counts_fifty_percent_as_predicting_yes():
    folded = score([(0.5, 1), (0.5, 1), (0.5, 0)]).folded
    assert folded[0].n == 3
    assert folded[0].observed == pytest.approx(2 / 3)


def test_metaculus_baseline_matches_formula():
    assert metaculus_baseline(0.9, 1) == pytest.approx(100 * (np.log2(0.9) + 1), abs=1e-12)
    assert round(metaculus_baseline(0.9, 1), 2) == 84.80  # the reference's worked example
    assert metaculus_baseline(0.5, 0) == pytest.approx(0.0, abs=1e-12)
    assert metaculus_baseline(0.0, 1) == pytest.approx(100 * (np.log2(0.001) + 1), abs=1e-12)


def test_peer_and_median_relative_scores_match_numpy():
    claims = [
        ({"ann": 0.9, "bob": 0.6, "cy": 0.2}, 1),
        ({"ann": 0.3, "bob": 0.1}, 0),
        ({"ann": 0.999, "cy": 0.0}, 1),  # cy's 0 is clipped to 0.001
        ({"bob": 0.5}, 1),  # alone: ignored
    ]
    got = relative_scores(claims)
    assert sorted(got) == ["ann", "bob", "cy"]
    per = {n: ([], []) for n in got}
    for probs, o in claims:
        if len(probs) < 2:
            continue
        names = list(probs)
        p = np.array([probs[n] for n in names])
        py = np.clip(np.where(o == 1, p, 1 - p), *LOG_CLIP)
        ln = np.log(py)
        b = (p - o) ** 2
        med = np.median(b)
        peer = 100 * (ln - (ln.sum() - ln) / (len(ln) - 1))
        assert peer.sum() == pytest.approx(0.0, abs=1e-10)
        for i, n in enumerate(names):
            per[n][0].append(b[i] - med)
            per[n][1].append(peer[i])
    for n, (diffs, peers) in per.items():
        assert got[n].n_claims == len(diffs)
        assert got[n].brier_vs_median == pytest.approx(np.mean(diffs), abs=1e-14)
        assert got[n].peer_score == pytest.approx(np.mean(peers), abs=1e-12)
    one_claim = claim_peer_scores(claims[0][0], 1)
    assert math.fsum(one_claim.values()) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(
    "bad",
    [[(1.2, 1)], [(-0.1, 0)], [(float("nan"), 1)], [("0.5", 1)], [(0.5, 2)], [(0.5, "yes")], []],
)
def test_bad_input_is_refused_with_invalid_input(bad):
    with pytest.raises(InvalidInput) as err:
        brier(bad)
    assert "\n" not in str(err.value)
