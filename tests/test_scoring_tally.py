"""The tally accumulator: counts of (p, outcome), sums correctly rounded."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.scoring import LOG_CLIP, ScoreAccumulator, to_percent
from claimtrack.domain.scoring import tally as tally_module
from claimtrack.domain.scoring.tally import TallyAccumulator

probabilities = st.one_of(
    st.floats(0.0, 1.0, allow_nan=False),
    st.sampled_from([0.0, 0.1, 0.15, 0.35, 0.5, 0.9, 1.0]),
    st.integers(0, 100).map(lambda k: k / 100),
)
rows = st.lists(st.tuples(probabilities, st.integers(0, 1)), max_size=80)


def _terms(p, o):
    """The per-forecast terms, written out independently of the accumulators."""
    y = p if o == 1 else 1.0 - p
    y = min(max(y, LOG_CLIP[0]), LOG_CLIP[1])
    return (p - o) ** 2, math.log2(y), p


@settings(max_examples=150, deadline=None)
@given(rows, st.sampled_from([5, 10, 20]))
def test_tally_sums_are_fsum_of_every_forecast(pairs, n_bins):
    acc = TallyAccumulator(n_bins)
    for p, o in pairs:
        acc.add(p, o)
    summary = acc.result()
    assert summary.n == len(pairs)
    if not pairs:
        assert summary.brier is None
        return
    terms = [_terms(p, o) for p, o in pairs]
    n = len(pairs)
    assert summary.brier == math.fsum(t[0] for t in terms) / n
    assert summary.log_score_bits == math.fsum(t[1] for t in terms) / n
    # the mean forecast adds up the whole-percent cells' (correctly rounded) sums
    cells = {}
    for p, _ in pairs:
        cells.setdefault(to_percent(p), []).append(p)
    assert summary.mean_forecast == math.fsum(math.fsum(ps) for ps in cells.values()) / n
    assert summary.base_rate == sum(o for _, o in pairs) / n


@settings(max_examples=100, deadline=None)
@given(rows, st.sampled_from([5, 10, 20]))
def test_tally_agrees_with_the_streaming_accumulator(pairs, n_bins):
    exact, tally = ScoreAccumulator(n_bins), TallyAccumulator(n_bins)
    for p, o in pairs:
        exact.add(p, o)
    counts = {}
    for p, o in pairs:
        counts[(p, o)] = counts.get((p, o), 0) + 1
    tally.add_counts(counts)
    a, b = tally.result(), exact.result()
    assert a.n == b.n
    for field in ("brier", "brier_0_2", "log_score_bits", "base_rate", "mean_forecast", "sum_weights"):
        x, y = getattr(a, field), getattr(b, field)
        assert (x is None) == (y is None) and (x is None or x == pytest.approx(y, abs=1e-12)), field
    for xs, ys in ((a.calibration, b.calibration), (a.folded, b.folded)):
        assert [(x.lo, x.hi, x.n) for x in xs] == [(y.lo, y.hi, y.n) for y in ys]
        for x, y in zip(xs, ys):
            assert (x.mean_forecast is None) == (y.mean_forecast is None)
            if x.mean_forecast is not None:
                assert x.mean_forecast == pytest.approx(y.mean_forecast, abs=1e-12)
                assert (x.observed, x.ci_low, x.ci_high) == (y.observed, y.ci_low, y.ci_high)
    if b.murphy is not None:
        for field in ("reliability", "resolution", "uncertainty", "within_bin_variance", "within_bin_covariance"):
            assert getattr(a.murphy, field) == pytest.approx(getattr(b.murphy, field), abs=1e-12)


def test_order_merges_and_folding_do_not_change_a_digit(monkeypatch):
    rng = random.Random(15)
    pairs = [(rng.choice([rng.random(), rng.randint(0, 100) / 100]), rng.randint(0, 1)) for _ in range(3000)]
    one = TallyAccumulator()
    for p, o in pairs:
        one.add(p, o)
    monkeypatch.setattr(tally_module, "FLUSH_AT", 7)  # fold into the exact sums again and again
    rng.shuffle(pairs)
    parts = [TallyAccumulator() for _ in range(5)]
    for i, (p, o) in enumerate(pairs):
        parts[i % 5].add(p, o)
    merged = parts[0]
    for part in parts[1:]:
        merged = merged.merge(part)
    assert len(merged._counts) <= 8
    assert merged.result() == one.result()


def test_counts_add_up_like_single_forecasts():
    a, b = TallyAccumulator(), TallyAccumulator()
    a.add(0.7, 1, 3)
    a.add(0.2, 0, 2)
    for p, o in [(0.7, 1)] * 3 + [(0.2, 0)] * 2:
        b.add(p, o)
    assert a.result() == b.result() and a.n == 5


def test_tally_rejects_bad_input():
    acc = TallyAccumulator()
    for bad in ((1.5, 1, 1), (-0.1, 0, 1), ("0.5", 1, 1), (0.5, 2, 1), (0.5, 1, -1), (0.5, 1, 1.5)):
        with pytest.raises(InvalidInput):
            acc.add(*bad)
    with pytest.raises(InvalidInput):
        acc.merge(ScoreAccumulator())
    with pytest.raises(InvalidInput):
        acc.merge(TallyAccumulator(20))
    assert acc.n == 0
