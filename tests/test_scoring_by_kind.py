"""build_by_kind: the report's choice and quantity sections from items (issue 12).

Expected numbers are worked by hand here or come from scoringrules / the
binary scorer; none is copied from the code under test.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import scoringrules as sr

from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.scoring import score, wilson_interval
from claimtrack.domain.scoring.by_kind import ByKind, ChoiceItem, QuantityItem, build_by_kind

T = 1e12
ISSUE = ((0.1, 1 * T), (0.5, 1.8 * T), (0.9, 3 * T))


def choice(claim_id=1, probs=(0.15, 0.5, 0.35), realised=1, mine=True, ordered=False, forecaster="me"):
    options = tuple(f"option {i}" for i in range(len(probs)))
    return ChoiceItem(claim_id, f"question {claim_id}", forecaster, mine, options, probs, realised, ordered)


def quantity(claim_id=1, qs=ISSUE, truth=1.76 * T, mine=True, log_scale=False, is_date=False, earlier=(),
             forecaster="me", unit="parameters"):
    return QuantityItem(claim_id, f"quantity {claim_id}", forecaster, mine, qs, truth, is_date, log_scale, unit,
                        earlier)


def test_empty():
    assert build_by_kind([], []).is_empty
    assert ByKind().to_json() == {"notes": ByKind().to_json()["notes"], "choice": None, "quantity": None}
    only_choice = build_by_kind([choice()], [])
    assert not only_choice.is_empty and only_choice.quantity is None


def test_choice_section_scores_and_aggregates():
    items = [choice(1, (0.15, 0.5, 0.35), 1), choice(2, (0.2, 0.5, 0.3), 2, ordered=True),
             choice(3, (0.6, 0.4), 0, mine=False, forecaster="bob")]
    section = build_by_kind(items, []).choice
    by_claim = {s.item.claim_id: s for s in section.questions}
    assert by_claim[1].brier == pytest.approx(0.395)
    assert by_claim[1].rps is None
    # ordered: cumulative 0.2, 0.7 against 0, 0: (0.04 + 0.49) / 2
    assert by_claim[2].rps == pytest.approx(0.265)
    labels = {a.label: a for a in section.aggregates}
    assert set(labels) == {"you", "everyone else", "all"}
    assert labels["you"].n == 2 and labels["you"].n_ordered == 1
    assert labels["you"].brier == pytest.approx((0.395 + (0.04 + 0.25 + 0.49)) / 2)
    assert labels["you"].log_score_bits == pytest.approx((math.log2(0.5) + math.log2(0.3)) / 2)
    assert labels["everyone else"].brier == pytest.approx(2 * 0.16)
    assert labels["all"].n == 3
    # one-vs-rest events: every option of every question as a binary forecast
    pairs = [(0.15, 0), (0.5, 1), (0.35, 0), (0.2, 0), (0.5, 0), (0.3, 1), (0.6, 1), (0.4, 0)]
    expected = score(pairs)
    assert section.option_events.n == 8
    assert section.option_events.brier == pytest.approx(expected.brier)
    assert [b.n for b in section.option_events.calibration] == [b.n for b in expected.calibration]


def test_only_mine_has_no_all_row():
    section = build_by_kind([choice(1), choice(2)], []).choice
    assert [a.label for a in section.aggregates] == ["you"]


def test_choice_options_and_probabilities_must_match():
    bad = ChoiceItem(1, "q", "me", True, ("a", "b", "c"), (0.5, 0.5), 0, False)
    with pytest.raises(InvalidInput, match="2 probabilities for 3 options"):
        build_by_kind([bad], [])


def test_quantity_claim_scores_match_scoringrules():
    section = build_by_kind([], [quantity()]).quantity
    s = section.claims[0]
    oracle = float(np.asarray(sr.crps_quantile(1.76 * T, np.array([1, 1.8, 3]) * T, np.array([0.1, 0.5, 0.9]))))
    assert s.crps_approx == pytest.approx(oracle, rel=1e-12)
    assert s.wis == pytest.approx((0.5 * 0.04 * T + 0.1 * 2 * T) / 1.5, rel=1e-12)
    assert [(iv.nominal, iv.covered) for iv in s.intervals] == [(pytest.approx(0.8), True)]
    assert s.intervals[0].score == pytest.approx(float(np.asarray(sr.interval_score(1.76 * T, 1 * T, 3 * T, 0.2))))
    assert s.log10_wis is None  # not a log-scale claim
    assert s.relative_score is None


def test_log_scale_claims_get_log10_scores_and_their_mean():
    logged = quantity(1, log_scale=True)
    other = quantity(2, qs=((0.1, 1e3), (0.5, 1e4), (0.9, 1e5)), truth=1e6, log_scale=True, unit="$")
    section = build_by_kind([], [logged, other]).quantity
    # the second: log10 quantiles 3, 4, 5, truth 6: IS = 2 + (2/0.2)*1 = 12, WIS = (0.5*2 + 0.1*12)/1.5
    second = [s for s in section.claims if s.item.claim_id == 2][0]
    assert second.log10_wis == pytest.approx((1.0 + 1.2) / 1.5)
    first = [s for s in section.claims if s.item.claim_id == 1][0]
    lq = (12.0, math.log10(1.8e12), math.log10(3e12))
    ly = math.log10(1.76e12)
    assert first.log10_wis == pytest.approx((0.5 * abs(ly - lq[1]) + 0.1 * (lq[2] - lq[0])) / 1.5)
    (agg,) = section.aggregates
    assert agg.n_log10 == 2
    assert agg.mean_log10_wis == pytest.approx((first.log10_wis + second.log10_wis) / 2)


def test_relative_wis_against_own_first_forecast():
    wide = ((0.1, 0.0), (0.5, 10.0), (0.9, 20.0))
    tight = ((0.1, 4.0), (0.5, 5.0), (0.9, 6.0))
    # truth 5: wide WIS = (0.5*5 + 0.1*20)/1.5 = 3; tight WIS = (0 + 0.1*2)/1.5 = 0.1333
    a = quantity(1, qs=tight, truth=5.0, earlier=(wide, ((0.1, 1.0), (0.5, 2.0), (0.9, 3.0))))
    # b: got worse: first tight, final wide: ratio 3 / (0.2/1.5) = 22.5
    b = quantity(2, qs=wide, truth=5.0, earlier=(tight,))
    c = quantity(3, qs=tight, truth=5.0)  # no earlier forecast: no ratio
    section = build_by_kind([], [a, b, c]).quantity
    ratios = {s.item.claim_id: s.relative_score for s in section.claims}
    assert ratios[1] == pytest.approx((0.2 / 1.5) / 3.0)
    assert ratios[2] == pytest.approx(3.0 / (0.2 / 1.5))
    assert ratios[3] is None
    (agg,) = section.aggregates
    assert agg.n_relative == 2 and agg.n_relative_undefined == 0
    assert agg.relative_wis == pytest.approx(1.0)  # geometric mean of r and 1/r
    assert agg.skill == pytest.approx(0.0, abs=1e-12)


def test_relative_uses_crps_when_a_set_has_no_wis():
    final = ((0.3, 4.0),)
    first = ((0.3, 0.0),)
    s = build_by_kind([], [quantity(1, qs=final, truth=5.0, earlier=(first,))]).quantity.claims[0]
    # pinball at 0.3: final (5-4)*0.3 = 0.3, first (5-0)*0.3 = 1.5; CRPS approx 2x each
    assert s.wis is None
    assert s.relative_score == pytest.approx(0.3 / 1.5)


def test_coverage_words_and_verdicts():
    qs = ((0.1, 10.0), (0.25, 20.0), (0.5, 30.0), (0.75, 40.0), (0.9, 50.0))
    truths = [30.0] * 5 + [100.0] * 6  # 5 of 11 inside the 80% interval
    items = [quantity(i, qs=qs, truth=y) for i, y in enumerate(truths)]
    items += [quantity(100 + i, qs=qs, truth=35.0, mine=False, forecaster="bob") for i in range(20)]
    rows = {(r.label, round(r.nominal, 2)): r for r in build_by_kind([], items).quantity.coverage}
    mine80 = rows[("you", 0.8)]
    assert (mine80.hits, mine80.n) == (5, 11)
    assert (mine80.ci_low, mine80.ci_high) == pytest.approx(wilson_interval(5, 11))
    assert mine80.verdict == "too narrow"
    assert mine80.words == "your 80% intervals held 5 of 11 times: too narrow"
    theirs50 = rows[("everyone else", 0.5)]
    assert (theirs50.hits, theirs50.n) == (20, 20)
    assert theirs50.verdict == "too wide"
    assert theirs50.words == "everyone else's 50% intervals held 20 of 20 times: too wide"
    assert ("you", 0.9) not in rows  # no 5%/95% pair: no 90% row
    small = build_by_kind([], [quantity(1, qs=qs, truth=30.0)]).quantity.coverage
    assert {r.verdict for r in small} == {"about right"}
    assert small[0].words.endswith("held 1 of 1 time: about right")


def test_coverage_without_mine_is_labelled_all():
    rows = build_by_kind([], [quantity(1, mine=False, forecaster="bob")]).quantity.coverage
    assert [r.label for r in rows] == ["all"]
    assert rows[0].words.startswith("the 80% intervals held 1 of 1 time")


def test_pit_histogram_groups_by_levels():
    items = [quantity(1, truth=0.5 * T), quantity(2, truth=2 * T), quantity(3, truth=1.8 * T),
             quantity(4, qs=((0.25, 1.0), (0.75, 2.0)), truth=1.5)]
    pit = build_by_kind([], items).quantity.pit
    assert [h.levels for h in pit] == [(0.1, 0.5, 0.9), (0.25, 0.75)]
    assert pit[0].n == 3
    assert pit[0].counts == (1.0, 0.5, 1.5, 0.0)
    assert pit[0].expected == pytest.approx((0.3, 1.2, 1.2, 0.3))
    assert pit[1].counts == (0.0, 1.0, 0.0)


def test_to_json_is_plain_json():
    items = [quantity(1, log_scale=True, earlier=(((0.1, 0.5 * T), (0.5, T), (0.9, 2 * T)),)),
             quantity(2, qs=((0.1, 20000.0), (0.5, 20300.0), (0.9, 20600.0)), truth=20400.0, is_date=True, unit=None)]
    data = build_by_kind([choice(ordered=True)], items).to_json()
    text = json.dumps(data, allow_nan=False)
    back = json.loads(text)
    assert back["choice"]["questions"][0]["realised"] == "option 1"
    assert back["choice"]["option_events"]["one_vs_rest"] is True
    claims = {c["claim_id"]: c for c in back["quantity"]["claims"]}
    assert claims[2]["unit"] == "days" and claims[2]["truth_date"] == "2025-11-08"  # 1970-01-01 + 20400 days
    assert claims[1]["relative_score"] is not None
    assert back["quantity"]["coverage"][0]["words"].startswith("your 80% intervals held 2 of 2")
    assert set(back["notes"]) >= {"brier", "crps", "wis", "coverage", "relative_wis", "option_events"}


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@st.composite
def _quantity_items(draw):
    n = draw(st.integers(1, 5))
    levels = sorted(draw(st.sets(st.integers(1, 99), min_size=n, max_size=n)))
    values = sorted(draw(st.sets(st.floats(-1e307, 1e307, allow_nan=False, allow_infinity=False),
                                 min_size=n, max_size=n)))
    qs = tuple(zip((p / 100 for p in levels), values))
    truth = draw(st.floats(-1e307, 1e307, allow_nan=False, allow_infinity=False))
    earlier = draw(st.lists(st.just(tuple((t, v / 2) for t, v in qs)), max_size=1))
    return QuantityItem(draw(st.integers(1, 5)), "q", draw(st.sampled_from(["me", "bob"])), draw(st.booleans()), qs,
                        truth, False, draw(st.booleans()), None, tuple(earlier))


@settings(max_examples=150, deadline=None)
@given(items=st.lists(_quantity_items(), min_size=1, max_size=6))
def test_to_json_is_strict_json_whatever_the_values(items):
    """Values near the float limit can overflow a score: it becomes null, never Infinity or NaN."""
    items = [i for i in items if len({v for _, v in i.quantiles}) == len(i.quantiles)]
    if not items:
        return
    data = build_by_kind([], items).to_json()
    json.dumps(data, allow_nan=False)
    for claim in data["quantity"]["claims"]:
        assert claim["crps_approx"] is None or claim["crps_approx"] >= 0.0
        assert claim["relative_score"] is None or claim["relative_score"] > 0.0


def test_scores_that_overflow_are_null_in_json():
    huge = QuantityItem(1, "huge", "me", True, ((0.1, -1e308), (0.5, 0.0), (0.9, 1e308)), 1.7e308, False, False,
                        None, earlier=(((0.1, -1.0), (0.5, 0.0), (0.9, 1.0)),))
    both_big = QuantityItem(2, "two big losses", "me", True, ((0.5, -9e307), (0.6, 9e307)), 1.7e308, False, False,
                            None)
    data = build_by_kind([], [huge, both_big]).to_json()
    json.dumps(data, allow_nan=False)
    claims = {c["claim_id"]: c for c in data["quantity"]["claims"]}
    assert claims[1]["wis"] is None and claims[1]["relative_score"] is None
    assert claims[2]["crps_approx"] is None  # two losses of ~1e308 pass the float range when added
