"""Score real forecast records and check every number against numpy / scikit-learn."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, log_loss

from claimtrack.domain.scoring import LOG_CLIP, ScoreAccumulator, score

DERIVED = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "derived"
FILES = [
    "pb_iqisa_first_forecast_per_question.csv",
    "gjp_yr1_mini_binary.csv",
    "forecastbench_2024-07-21_market_questions.csv",
]


def _load(name):
    path = DERIVED / name
    if not path.exists():
        pytest.skip(f"real data not available: {path}")
    ps, os_ = [], []
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["outcome"].strip() == "":
                continue
            ps.append(float(row["probability"]))
            os_.append(int(row["outcome"]))
    assert ps, f"{name} has no resolved rows"
    return np.array(ps), np.array(os_)


def _numpy_bins(ps, n_bins=10):
    """Whole-percent bins with np.digitize: [0, w], (w, 2w], ... (right-closed)."""
    pct = np.floor(ps * 100 + 0.5 + 1e-9).astype(int)
    inner = np.arange(100 // n_bins, 100, 100 // n_bins)
    return np.digitize(pct, inner, right=True)


@pytest.fixture(params=FILES)
def data(request):
    return request.param, *_load(request.param)


def test_brier_and_log_score_match_sklearn(data):
    name, ps, os_ = data
    summary = score(zip(ps.tolist(), os_.tolist()))
    assert summary.n == len(ps)
    assert summary.brier == pytest.approx(brier_score_loss(os_, ps), abs=1e-13)
    assert summary.brier_0_2 == pytest.approx(2 * brier_score_loss(os_, ps), abs=1e-13)
    bits = log_loss(os_, np.clip(ps, *LOG_CLIP), labels=[0, 1]) / np.log(2)
    assert summary.log_score_bits == pytest.approx(-bits, rel=1e-12)
    assert summary.base_rate == pytest.approx(os_.mean(), abs=1e-14)
    assert summary.mean_forecast == pytest.approx(ps.mean(), abs=1e-13)
    assert abs(summary.brier - summary.murphy.brier) < 1e-12


@pytest.mark.parametrize("n_bins", [5, 10, 20])
def test_every_bin_matches_numpy_digitize_on_whole_percents(data, n_bins):
    name, ps, os_ = data
    bins = score(zip(ps.tolist(), os_.tolist()), n_bins=n_bins).calibration
    ids = _numpy_bins(ps, n_bins)
    assert len(bins) == n_bins
    for i, b in enumerate(bins):
        mask = ids == i
        assert b.n == int(mask.sum()), (name, i)
        if b.n:
            assert b.mean_forecast == pytest.approx(ps[mask].mean(), abs=1e-13)
            assert b.observed == pytest.approx(os_[mask].mean(), abs=1e-14)
        else:
            assert b.mean_forecast is None and b.observed is None


def test_bins_match_sklearn_calibration_curve_where_it_agrees(data):
    """scikit-learn bins float values; on probabilities that are whole percents it agrees with us.

    Values within half a percent above an edge (10.3%) are binned by their
    whole percent here and by the float in scikit-learn, so they are
    compared on the rows where the two rules pick the same bin.
    """
    name, ps, os_ = data
    sk_ids = np.searchsorted(np.linspace(0, 1, 11)[1:-1], ps)
    same = sk_ids == _numpy_bins(ps)
    whole = np.abs(ps * 100 - np.round(ps * 100)) < 1e-9
    assert same[whole].all()  # every whole-percent forecast lands in the same bin
    prob_true, prob_pred = calibration_curve(os_[same], ps[same], n_bins=10, strategy="uniform")
    bins = [b for b in score(zip(ps[same].tolist(), os_[same].tolist())).calibration if b.n]
    assert [b.observed for b in bins] == pytest.approx(prob_true.tolist(), abs=1e-14)
    assert [b.mean_forecast for b in bins] == pytest.approx(prob_pred.tolist(), abs=1e-13)


def test_murphy_terms_match_numpy(data):
    name, ps, os_ = data
    m = score(zip(ps.tolist(), os_.tolist())).murphy
    ids, n, obar = _numpy_bins(ps), len(ps), os_.mean()
    rel = res = wbv = wbc = 0.0
    for k in np.unique(ids):
        f, o = ps[ids == k], os_[ids == k]
        rel += len(f) * (f.mean() - o.mean()) ** 2
        res += len(f) * (o.mean() - obar) ** 2
        wbv += ((f - f.mean()) ** 2).sum()
        wbc += 2 * ((f - f.mean()) * (o - o.mean())).sum()
    got = (m.reliability, m.resolution, m.uncertainty, m.within_bin_variance, m.within_bin_covariance)
    assert got == pytest.approx((rel / n, res / n, obar * (1 - obar), wbv / n, wbc / n), abs=1e-13)


def test_split_and_merge_equals_whole(data):
    name, ps, os_ = data
    half = len(ps) // 2
    a = ScoreAccumulator().add_many(zip(ps[:half].tolist(), os_[:half].tolist()))
    b = ScoreAccumulator().add_many(zip(ps[half:].tolist(), os_[half:].tolist()))
    merged = a.merge(b).result()
    assert merged.n == len(ps)
    assert merged.brier == pytest.approx(brier_score_loss(os_, ps), abs=1e-13)
    assert [x.n for x in merged.calibration] == np.bincount(_numpy_bins(ps), minlength=10).tolist()
