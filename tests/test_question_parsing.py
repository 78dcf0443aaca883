"""Parsing of choice options, distributions, values, dates and quantile sets (issue 12)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claimtrack.domain import choice, distribution, quantity
from claimtrack.domain.errors import InvalidInput

# ------------------------------------------------------------------ values


@pytest.mark.parametrize(("text", "expected"), [
    ("1800", 1800.0), ("1.8T", 1.8e12), ("1.2t", 1.2e12), ("63M", 63e6), ("$63M", 63e6),
    ("€2.5B", 2.5e9), ("2.5G", 2.5e9), ("£10k", 1e4), ("10K", 1e4), ("1.8e12", 1.8e12),
    ("-3.5", -3.5), (" 13T ", 13e12), ("$ 5", 5.0), (".5k", 500.0),
])
def test_values(text, expected):
    assert quantity.parse_value(text) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("text", ["1.8X", "12 parsecs", "1..2", "", "$", "1.8TT", "5m", "T", "1.8 T T", "nan", "inf"])
def test_bad_values(text):
    with pytest.raises(InvalidInput) as e:
        quantity.parse_value(text)
    assert "\n" not in str(e.value)


def test_unknown_suffix_is_named():
    with pytest.raises(InvalidInput, match="unknown suffix 'X'"):
        quantity.parse_value("1.8X")


def test_dates_as_day_numbers():
    assert quantity.parse_value("1970-01-02", is_date=True) == 1.0
    day = quantity.parse_value("2026-06-15", is_date=True)
    assert day == (date(2026, 6, 15) - date(1970, 1, 1)).days
    # a month is its 15th, a year its 1 July
    assert quantity.parse_value("2026-06", is_date=True) == day
    assert quantity.parse_value("2026", is_date=True) == (date(2026, 7, 1) - date(1970, 1, 1)).days
    assert quantity.day_text(day) == "2026-06-15"
    with pytest.raises(InvalidInput, match="no such day"):
        quantity.parse_value("2026-02-30", is_date=True)
    with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
        quantity.parse_day("2026-06")
    with pytest.raises(InvalidInput):
        quantity.parse_value("1.8T", is_date=True)


@pytest.mark.parametrize(("value", "unit", "text"), [
    (1.8e12, None, "1.8T"), (1e12, None, "1T"), (63e6, "$", "$63M"), (1234.5, None, "1.2345k"),
    (512, None, "512"), (0.25, None, "0.25"), (-2e9, "$", "-$2B"), (13e12, "tokens", "13T"),
])
def test_format_value(value, unit, text):
    assert quantity.format_value(value, unit) == text


@given(st.floats(min_value=-1e14, max_value=1e14, allow_nan=False).map(lambda x: float("%.6g" % x)))
def test_format_value_reads_back(x):
    assert quantity.parse_value(quantity.format_value(x)) == pytest.approx(x, rel=1e-9, abs=1e-300)


# --------------------------------------------------------------- quantiles


def test_quantiles_sorted_and_checked():
    pairs = [quantity.parse_quantile(t) for t in ("90%=3T", "10%=1T", "0.5=1.8T")]
    assert quantity.quantile_set(pairs) == ((0.1, 1e12), (0.5, 1.8e12), (0.9, 3e12))
    # every probability form works for the level
    assert quantity.parse_quantile("1 in 4=2k")[0] == 0.25
    assert quantity.parse_quantile("3:1=2k")[0] == 0.75
    assert quantity.parse_quantile("likely=2k")[0] == 0.7


@pytest.mark.parametrize("items", [
    ["10%=3T", "90%=1T"],           # values decrease
    ["10%=1T", "50%=1T"],           # values equal
    ["10%=1T", "0.1=2T"],           # a level twice
])
def test_quantiles_out_of_order(items):
    with pytest.raises(InvalidInput, match="quantile"):
        quantity.quantile_set([quantity.parse_quantile(t) for t in items])


@pytest.mark.parametrize("text", ["0%=1T", "100%=1T", "1T", "10%=", "=1T", "150%=1T"])
def test_bad_quantiles(text):
    with pytest.raises(InvalidInput):
        quantity.parse_quantile(text)


def test_interval():
    assert quantity.parse_interval("1.2T..2.4T@80%") == ((0.1, 1.2e12), (0.9, 2.4e12))
    assert quantity.parse_interval("2026-01..2027-01@50%", is_date=True)[0][0] == 0.25
    for bad in ("1.2T-2.4T@80%", "1.2T..2.4T", "2.4T..1.2T@80%", "1..2@100%"):
        with pytest.raises(InvalidInput):
            quantity.parse_interval(bad)


levels = st.lists(st.integers(1, 99), min_size=1, max_size=8, unique=True)
values = st.lists(st.floats(-1e15, 1e15, allow_nan=False), min_size=8, max_size=8, unique=True)


@given(levels, values)
def test_quantile_set_property(lv, vs):
    """A set is accepted exactly when, sorted by level, its values strictly increase."""
    pairs = [(p / 100, v) for p, v in zip(lv, vs)]
    ordered = sorted(pairs)
    ok = all(a[1] < b[1] for a, b in zip(ordered, ordered[1:]))
    if ok:
        result = quantity.quantile_set(pairs)
        assert [lv for lv, _ in result] == sorted(lv for lv, _ in result)
        assert all(a[1] < b[1] for a, b in zip(result, result[1:]))
    else:
        with pytest.raises(InvalidInput, match="out of order"):
            quantity.quantile_set(pairs)


def test_quantity_summary():
    q = ((0.1, 1e12), (0.5, 1.8e12), (0.9, 3e12))
    assert quantity.summary(q) == "median 1.8T, 80% 1T–3T"
    assert quantity.summary(quantity.parse_interval("1.2T..2.4T@80%")) == "median 1.8T, 80% 1.2T–2.4T"
    d = ((0.5, quantity.parse_value("2026-06", is_date=True)), (0.9, quantity.parse_value("2027-12", is_date=True)))
    assert quantity.summary(d, is_date=True) == "median 2026-06-15 · 90% 2027-12-15" or \
        quantity.summary(d, is_date=True) == "50% 2026-06-15 · 90% 2027-12-15"
    assert quantity.summary(((0.25, 63e6), (0.75, 90e6)), "$") == "median $76.5M, 50% $63M–$90M"


# ------------------------------------------------------------------ choice


def test_options_sum_and_other():
    labels, probs, note = choice.options_from_specs(
        ["undisclosed malfeasance=15%", "split over AI safety=50%", "board power struggle=35%"])
    assert labels == ("undisclosed malfeasance", "split over AI safety", "board power struggle")
    assert probs == (0.15, 0.5, 0.35) and note is None
    # within one point: scaled, with a note
    labels, probs, note = choice.options_from_specs(["a=50%", "b=50.5%"])
    assert sum(probs) == pytest.approx(1.0) and "100.5%" in note
    # beyond: the error names the sum
    with pytest.raises(InvalidInput, match="add up to 115%"):
        choice.options_from_specs(["a=65%", "b=50%"])
    labels, probs, _ = choice.options_from_specs(["a=60%", "b=30%"], other=True)
    assert labels == ("a", "b", "other") and probs[2] == pytest.approx(0.1)
    # every probability form
    assert choice.options_from_specs(["a=1 in 4", "b=3:1"])[1] == (0.25, 0.75)
    # no numbers at all: options only
    assert choice.options_from_specs(["a", "b"]) == (("a", "b"), None, None)


@pytest.mark.parametrize("specs", [["a=50%"], ["a=50%", "A=50%"], ["a=50%", "b"], ["a,b=50%", "c=50%"], ["=50%", "b=50%"]])
def test_bad_options(specs):
    with pytest.raises(InvalidInput):
        choice.options_from_specs(specs)


OPTIONS = ("undisclosed malfeasance", "split over AI safety", "board power struggle")


def test_distribution_by_prefix():
    probs, note = choice.parse_distribution("malfeasance=10%, safety=60%, power=30%".replace(
        "malfeasance", "Undis").replace("safety", "split").replace("power", "BOARD"), OPTIONS)
    assert probs == (0.1, 0.6, 0.3) and note is None
    probs, _ = choice.parse_distribution("u=0.1, s=3 in 5, b=30", OPTIONS)
    assert probs == pytest.approx((0.1, 0.6, 0.3))


def test_distribution_errors_name_options():
    with pytest.raises(InvalidInput, match="'undisclosed malfeasance'"):
        choice.parse_distribution("x=10%, split=60%, board=30%", OPTIONS)
    with pytest.raises(InvalidInput, match="ambiguous"):
        choice.parse_distribution("s=50%, s=50%", ("safety", "sabotage"))
    with pytest.raises(InvalidInput, match="leaves out 'board power struggle'"):
        choice.parse_distribution("u=40%, s=60%", OPTIONS)
    with pytest.raises(InvalidInput, match="add up to 90%"):
        choice.parse_distribution("u=10%, s=50%, b=30%", OPTIONS)


def test_exact_label_beats_longer_prefix():
    assert choice.match("AI", ("AI", "AI safety")) == 0
    assert choice.match("ai s", ("AI", "AI safety")) == 1


def test_choice_summary():
    assert choice.summary(("malfeasance", "safety", "power"), (0.15, 0.5, 0.35)) == \
        "safety 50% · power 35% · malfeasance 15%"


@given(st.lists(st.integers(0, 1000), min_size=2, max_size=6).filter(lambda xs: sum(xs) > 0))
def test_normalised_distribution_sums_to_one(weights):
    total = sum(weights)
    probs = [w / total for w in weights]
    labels = [f"opt{i}" for i in range(len(probs))]
    text = ", ".join(f"{lab}={p!r}" for lab, p in zip(labels, probs))
    parsed, _ = choice.parse_distribution(text, labels)
    assert sum(parsed) == pytest.approx(1.0, abs=1e-12)
    assert parsed == pytest.approx(probs, abs=1e-12)


# ------------------------------------------------------------- stored form


@given(st.lists(st.floats(0, 1, allow_nan=False), min_size=2, max_size=5))
def test_distribution_text_round_trips(probs):
    text = distribution.distribution_text(tuple(probs))
    assert distribution.distribution_from_text(text) == tuple(p + 0.0 for p in probs)


def test_quantile_text_round_trips():
    q = ((0.1, 1e12), (0.5, 1.8e12), (0.9, 3e12))
    text = distribution.distribution_text(q)
    assert text == "[[0.1,1000000000000.0],[0.5,1800000000000.0],[0.9,3000000000000.0]]"
    assert distribution.distribution_from_text(text) == q


def test_a_table_cell_brief_names_the_likeliest_option_or_the_median():
    from claimtrack.domain.distribution import brief

    assert brief("choice", ("Nvidia", "AMD", "in-house"), (0.25, 0.5, 0.25)) == "50% AMD"
    assert brief("choice", ("a", "b"), (0.5, 0.5)) == "50% a"  # a tie: the first listed
    assert brief("numeric", (), ((0.1, 1e12), (0.5, 1.8e12), (0.9, 3e12))) == "1.8T"
    assert brief("numeric", (), ((0.25, 10.0), (0.75, 30.0))) == "20"  # interpolated median
    assert brief("choice", ("a",), None) == ""
