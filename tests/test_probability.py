"""Tests for claimtrack.domain.probability."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.probability import (
    WORDS_OF_ESTIMATIVE_PROBABILITY,
    ParsedProbability,
    find_estimative_phrase,
    format_probability,
    parse_probability,
)

SCORING_REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "scoring.md"


# ------------------------------------------------------------ accepted forms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.7", 0.7),
        (".7", 0.7),
        ("0.05", 0.05),
        ("70%", 0.7),
        ("70 %", 0.7),
        ("2.5%", 0.025),
        ("1.5%", 0.015),
        ("0.5%", 0.005),
        ("70", 0.7),
        ("99", 0.99),
        ("1.5", 0.015),  # a bare number in (1, 100] is a percent
        ("7/10", 0.7),
        ("7 / 10", 0.7),
        ("3 in 4", 0.75),
        ("1 in 3", 1 / 3),
        ("1 IN 3", 1 / 3),
        ("3:1", 0.75),
        ("1:3", 0.25),
        ("1 : 1", 0.5),
        ("  0.7\n", 0.7),
        ("50/50", 0.5),
        ("50-50", 0.5),
    ],
)
def test_numeric_forms(text: str, expected: float) -> None:
    parsed = parse_probability(text)
    assert parsed.value == pytest.approx(expected, abs=1e-12)
    assert parsed.warning is None
    if text.strip() not in ("50/50", "50-50"):
        assert parsed.phrase is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1.0),
        ("1.0", 1.0),
        ("0", 0.0),
        ("0.0", 0.0),
        ("0%", 0.0),
        ("100%", 1.0),
        ("100", 1.0),
        ("4/4", 1.0),
        ("0 in 5", 0.0),
        ("1:0", 1.0),
        ("0:3", 0.0),
        ("certain", 1.0),
        ("never", 0.0),
        ("always", 1.0),
        ("impossible", 0.0),
    ],
)
def test_zero_and_one_are_accepted_with_a_warning(text: str, expected: float) -> None:
    parsed = parse_probability(text)
    assert parsed.value == expected
    assert parsed.warning is not None
    assert "infinite" in parsed.warning
    assert "0.001" in parsed.warning and "0.999" in parsed.warning
    assert "\n" not in parsed.warning


@pytest.mark.parametrize(
    ("text", "phrase", "expected"),
    [
        ("likely", "likely", 0.70),
        ("Likely", "likely", 0.70),
        ("  PROBABLY  ", "probably", 0.70),
        ("almost   certainly", "almost certainly", 0.90),
        ("almost certainly not", "almost certainly not", 0.07),
        ("probably not", "probably not", 0.30),
        ("slam dunk", "slam dunk", 0.95),
        ("with high probability", "with high probability", 0.80),
        ("real possibility", "real possibility", 0.60),
        ("unlikely", "unlikely", 0.20),
        ("rarely", "rarely", 0.10),
        ("almost certain", "almost certain", 0.90),
        ("Toss-up", "toss-up", 0.50),
        ("toss up", "toss up", 0.50),
        ("even odds", "even odds", 0.50),
        ("fifty-fifty", "fifty-fifty", 0.50),
        ("coin flip", "coin flip", 0.50),
        ("very likely", "very likely", 0.85),
        ("highly likely", "highly likely", 0.85),
        ("very unlikely", "very unlikely", 0.10),
    ],
)
def test_words(text: str, phrase: str, expected: float) -> None:
    parsed = parse_probability(text)
    assert parsed == ParsedProbability(value=pytest.approx(expected), warning=None, phrase=phrase)


def test_every_table_phrase_parses_to_its_value() -> None:
    for phrase, percent in WORDS_OF_ESTIMATIVE_PROBABILITY.items():
        parsed = parse_probability(phrase.upper())
        assert parsed.value == pytest.approx(percent / 100), phrase
        assert parsed.phrase == phrase
        assert (parsed.warning is not None) == (percent in (0, 100)), phrase


def test_table_is_ordered_sensibly() -> None:
    t = WORDS_OF_ESTIMATIVE_PROBABILITY
    assert all(0 <= v <= 100 for v in t.values())
    assert t["almost certainly not"] < t["probably not"] < t["maybe"] < t["probably"]
    assert t["unlikely"] < t["possibly"] < t["likely"] < t["very likely"] < t["almost certainly"]
    assert t["very unlikely"] < t["unlikely"]
    assert all(k == " ".join(k.lower().split()) for k in t)


def _reference_table(heading: str) -> dict[str, int]:
    text = SCORING_REFERENCE.read_text(encoding="utf-8")
    section = text.split(heading, 1)[1].split("\n- **", 1)[0]
    rows = re.findall(r"^\s*\|\s*([a-z][a-z ]*?)\s*\|\s*(\d+)", section, re.MULTILINE)
    assert rows, heading
    return {phrase: int(value) for phrase, value in rows}


def test_table_matches_the_published_survey_medians() -> None:
    if not SCORING_REFERENCE.exists():
        pytest.skip("shared scoring reference not available")
    mauboussin = _reference_table("Mauboussin & Mauboussin (HBR 2018)")
    assert len(mauboussin) == 23
    for phrase, value in mauboussin.items():
        assert WORDS_OF_ESTIMATIVE_PROBABILITY[phrase] == value, phrase
    kent = _reference_table("Sherman Kent (1964)")
    for phrase, value in kent.items():
        if phrase == "almost certain":  # documented deviation: aligned with M&M's 90
            assert WORDS_OF_ESTIMATIVE_PROBABILITY[phrase] == 90
        elif phrase in WORDS_OF_ESTIMATIVE_PROBABILITY:
            assert WORDS_OF_ESTIMATIVE_PROBABILITY[phrase] == value, phrase


# -------------------------------------------------------------- rejections


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "banana",
        "150",
        "150%",
        "100.1",
        "-0.2",
        "-5%",
        "nan",
        "NaN%",
        "inf",
        "infinity",
        "3/0",
        "0/0",
        "0:0",
        "5/3",
        "4 in 3",
        "1 in 0",
        "-3:1",
        "3:-1",
        "1e-1",
        "0.7x",
        "1.5x",
        "70%%",
        "7/10/2",
        "0,7",
        "likely-ish",
        "not",
        "３０",  # full-width digits
        "٣٠",  # Arabic-Indic digits
        "9" * 400,
    ],
)
def test_rejections(text: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_probability(text)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("invalid probability ")
    assert "70%" in message and "3:1" in message and "likely" in message
    if 0 < len(text.strip()) <= 60:
        assert repr(text.strip()) in message


def test_rejection_message_example() -> None:
    with pytest.raises(InvalidInput, match=re.escape("invalid probability '1.5x': use 0.7, 70%")):
        parse_probability("1.5x")


# --------------------------------------------------------------- properties


@given(st.floats(min_value=0.0, max_value=1.0))
def test_decimal_text_round_trips(p: float) -> None:
    assert parse_probability(f"{p:.3f}").value == pytest.approx(p, abs=0.0005 + 1e-12)
    assert parse_probability(f"{p:.9f}").value == pytest.approx(p, abs=1e-9)


@given(st.floats(min_value=0.0, max_value=1.0))
def test_percent_text_round_trips(p: float) -> None:
    assert parse_probability(f"{p * 100:.0f}%").value == pytest.approx(p, abs=0.005 + 1e-12)
    shown = format_probability(p)
    assert parse_probability(shown).value == pytest.approx(p, abs=0.0005 + 1e-12)


@given(st.integers(min_value=0, max_value=1000), st.integers(min_value=1, max_value=1000))
def test_fractions_and_odds(a: int, b: int) -> None:
    assert parse_probability(f"{a}:{b}").value == pytest.approx(a / (a + b))
    if (a, b) == (50, 50):  # "50/50" is the phrase for even odds, not the fraction 1
        assert parse_probability("50/50").value == 0.5
    elif a <= b:
        assert parse_probability(f"{a}/{b}").value == pytest.approx(a / b)
        assert parse_probability(f"{a} in {b}").value == pytest.approx(a / b)
    else:
        with pytest.raises(InvalidInput):
            parse_probability(f"{a}/{b}")


def _check_total(text: str) -> None:
    try:
        parsed = parse_probability(text)
    except InvalidInput as error:
        assert "\n" not in str(error)
        return
    assert 0.0 <= parsed.value <= 1.0
    assert not math.isnan(parsed.value)
    assert (parsed.warning is not None) == (parsed.value in (0.0, 1.0))


@given(st.text())
def test_any_text_parses_or_raises_invalid_input(text: str) -> None:
    _check_total(text)


@given(st.text(alphabet="0123456789.:/% -+ineafloktyINE\t", max_size=12))
def test_numberish_text_parses_or_raises_invalid_input(text: str) -> None:
    _check_total(text)


# ------------------------------------------------------- phrases in a sentence


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("More likely, I think, than the market says.", ("likely", 0.70)),
        ("It is almost certainly not going to ship.", ("almost certainly not", 0.07)),
        ("It will almost certainly ship.", ("almost certainly", 0.90)),
        ("This seems unlikely to me.", ("unlikely", 0.20)),
        ("Probably not before June.", ("probably not", 0.30)),
        ("Probably before June.", ("probably", 0.70)),
        ("It's a Toss-Up whether they merge.", ("toss-up", 0.50)),
        ("there is a real   possibility\nof rain", ("real possibility", 0.60)),
        ("Very likely the vote passes.", ("very likely", 0.85)),
        ("Not likely before 2030.", ("not likely", 0.20)),
        ("It rarely happens; possibly this year.", ("possibly", 0.45)),
        ("usually, anyway", ("usually", 0.75)),
    ],
)
def test_find_estimative_phrase(sentence: str, expected: tuple[str, float]) -> None:
    found = find_estimative_phrase(sentence)
    assert found is not None
    assert found[0] == expected[0]
    assert found[1] == pytest.approx(expected[1])


@pytest.mark.parametrize(
    "sentence",
    [
        "",
        "GPT-5 ships in 2025.",
        "They are likelyhood fans.",  # not a whole word
        "the unlikelihood of it",
        "I am not certain it will happen.",  # negated: not "certain" = 100%
        "It isn't likely.",
        "There's no real possibility of that.",
        "it's not almost certainly true",  # nor "certainly" inside it
        "maybelline",
    ],
)
def test_find_estimative_phrase_none(sentence: str) -> None:
    assert find_estimative_phrase(sentence) is None


def test_find_estimative_phrase_prefers_longest_then_first() -> None:
    assert find_estimative_phrase("likely, or rather with high probability") == (
        "with high probability",
        0.8,
    )
    assert find_estimative_phrase("often, though maybe") == ("often", 0.7)
    assert find_estimative_phrase("maybe, though often") == ("maybe", 0.5)


@given(st.text())
def test_find_estimative_phrase_returns_table_entries(sentence: str) -> None:
    found = find_estimative_phrase(sentence)
    if found is not None:
        phrase, value = found
        assert WORDS_OF_ESTIMATIVE_PROBABILITY[phrase] / 100 == value


# --------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("p", "text"),
    [
        (0.7, "70%"),
        (0.025, "2.5%"),
        (0.001, "0.1%"),
        (0.0, "0%"),
        (1.0, "100%"),
        (0.5, "50%"),
        (0.123, "12.3%"),
        (0.99, "99%"),
        (0.999, "99.9%"),
        (1 / 3, "33.3%"),
    ],
)
def test_format_probability(p: float, text: str) -> None:
    assert format_probability(p) == text


@given(st.floats(min_value=0.0, max_value=1.0))
def test_format_probability_shape(p: float) -> None:
    text = format_probability(p)
    assert re.fullmatch(r"(100|[1-9]?[0-9])(\.[1-9])?%", text), text
