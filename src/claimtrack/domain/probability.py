"""Parse and format the probabilities users type.

Accepted forms (case-insensitive, surrounding whitespace ignored):

* a decimal in [0, 1]: ``0.7``, ``.7``, ``1``, ``0``;
* a percent: ``70%``, ``2.5%``, ``0.5 %``;
* a bare number above 1 and at most 100 is read as a percent: ``70`` is 70%,
  and ``1.5`` is 1.5% (not 1.5).  ``1`` is 1.0 and ``0`` is 0.0;
* a fraction ``7/10`` or ``3 in 4`` (numerator at most the denominator);
* odds for:against ``3:1`` (= 0.75) or ``1:3`` (= 0.25);
* words of estimative probability such as ``likely`` or ``almost certainly``
  (see :data:`WORDS_OF_ESTIMATIVE_PROBABILITY`).

0 and 1 are accepted with a warning: their log score is infinite, so reports
clip every probability to [0.001, 0.999].  Everything else (``150``,
``-0.2``, ``nan``, ``3/0``, ``5/3``, ...) raises :class:`InvalidInput`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from claimtrack.domain.errors import InvalidInput

__all__ = [
    "WORDS_OF_ESTIMATIVE_PROBABILITY",
    "ParsedProbability",
    "parse_probability",
    "find_estimative_phrase",
    "format_probability",
]

# Phrase -> probability in percent.  Keys are lower case, single-spaced.
#
# Source 1 -- Mauboussin, A. & Mauboussin, M. J. (2018), "If You Say Something
# Is 'Likely,' How Likely Do People Think It Is?", Harvard Business Review,
# July 3 2018: medians of about 1,900 survey answers, read from their public
# raw data.  Source 2 -- Kent, S. (1964), "Words of Estimative Probability",
# Studies in Intelligence 8(4).  Source 3 -- US ODNI, Intelligence Community
# Directive 203 (2015), whose bands we used to place "very likely/unlikely".
# The spread between people is wide ("real possibility" runs from 20% to 80%
# between the 10th and 90th percentiles), so interfaces must show the mapped
# number and let the user confirm it.
WORDS_OF_ESTIMATIVE_PROBABILITY: dict[str, int] = {
    # --- Mauboussin & Mauboussin (HBR 2018), survey medians
    "always": 100,
    "certainly": 98,
    "slam dunk": 95,
    "almost certainly": 90,
    "almost always": 90,
    "with high probability": 80,
    "usually": 75,
    "likely": 70,
    "probably": 70,
    "frequently": 70,
    "often": 70,
    "serious possibility": 66,
    "real possibility": 60,
    "more often than not": 60,
    "with moderate probability": 50,
    "maybe": 50,
    "possibly": 45,
    "might happen": 40,
    "unlikely": 20,
    "not often": 20,
    "with low probability": 15,
    "rarely": 10,
    "never": 0,
    # --- Kent (1964)
    "certain": 100,
    "probable": 75,
    "chances about even": 50,
    "probably not": 30,
    "almost certainly not": 7,
    "impossible": 0,
    # --- our additions (common synonyms; values chosen by us, not surveyed)
    "almost certain": 90,  # = M&M "almost certainly" (Kent's own value is 93)
    "toss-up": 50,
    "toss up": 50,
    "even odds": 50,
    "fifty-fifty": 50,
    "fifty fifty": 50,
    "50-50": 50,
    "50/50": 50,  # otherwise read as the fraction 50/50 = 1.0
    "coin flip": 50,
    "very likely": 85,  # between "with high probability" (80) and "almost
    "highly likely": 85,  # certainly" (90); inside ICD 203's 80-95% band
    "very unlikely": 10,  # = M&M "rarely"; inside ICD 203's 5-20% band
    "highly unlikely": 10,
    "not likely": 20,  # = M&M "unlikely"; stops "not likely" reading as "likely"
}

ACCEPTED_FORMS = "use 0.7, 70%, 70, 7/10, 3 in 4, 3:1 or words like 'likely'"
ZERO_ONE_WARNING = (
    "{pct} makes the log score infinite if wrong; reports clip probabilities "
    "to [0.001, 0.999]"
)

_NUM = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_PERCENT = re.compile(rf"({_NUM})\s*%", re.ASCII)
_BARE = re.compile(rf"({_NUM})", re.ASCII)
_FRACTION = re.compile(rf"({_NUM})\s*(?:/|\s+in\s+)\s*({_NUM})", re.ASCII)
_ODDS = re.compile(rf"({_NUM})\s*:\s*({_NUM})", re.ASCII)


@dataclass(frozen=True)
class ParsedProbability:
    value: float  # in [0, 1]
    warning: str | None = None  # set for 0 and 1
    phrase: str | None = None  # the table phrase, when words were used


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


def _invalid(text: str, why: str = "") -> InvalidInput:
    text = text.strip()
    shown = text if len(text) <= 60 else text[:57] + "..."
    reason = f"{why}; " if why else ""
    return InvalidInput(f"invalid probability {shown!r}: {reason}{ACCEPTED_FORMS}")


def _numeric_value(s: str, original: str) -> float | None:
    """The probability of a numeric form, or None when ``s`` is not numeric."""
    if m := _PERCENT.fullmatch(s):
        value = float(m.group(1)) / 100
    elif m := _FRACTION.fullmatch(s):
        num, den = float(m.group(1)), float(m.group(2))
        if den == 0:
            raise _invalid(original, "denominator is zero")
        value = num / den
    elif m := _ODDS.fullmatch(s):
        a, b = float(m.group(1)), float(m.group(2))
        if a + b == 0:
            raise _invalid(original, "odds 0:0 mean nothing")
        value = a / (a + b)
    elif m := _BARE.fullmatch(s):
        value = float(m.group(1))
        if value > 1:
            value /= 100  # a bare number in (1, 100] is a percent
    else:
        return None
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise _invalid(original, "outside 0-100%")
    return value


def parse_probability(text: str) -> ParsedProbability:
    """Parse what a user typed into a probability in [0, 1]."""
    if not isinstance(text, str):
        raise _invalid(str(text))
    s = _normalise(text)
    phrase = None
    if s in WORDS_OF_ESTIMATIVE_PROBABILITY:
        phrase = s
        value = WORDS_OF_ESTIMATIVE_PROBABILITY[s] / 100
    else:
        numeric = _numeric_value(s, text)
        if numeric is None:
            raise _invalid(text)
        value = numeric
    warning = None
    if value in (0.0, 1.0):
        warning = ZERO_ONE_WARNING.format(pct=format_probability(value))
    return ParsedProbability(value=value, warning=warning, phrase=phrase)


def _phrase_pattern(phrase: str) -> str:
    parts = [re.escape(word) for word in phrase.split(" ")]
    return r"\s+".join(parts)


# Longest phrases first, so the alternation also prefers them at one position.
_PHRASES = sorted(WORDS_OF_ESTIMATIVE_PROBABILITY, key=len, reverse=True)
_PHRASE_RE = re.compile(
    r"(?<![\w-])(?:" + "|".join(_phrase_pattern(p) for p in _PHRASES) + r")(?![\w-])",
    re.IGNORECASE,
)
# A phrase right after one of these is negated ("not certain", "isn't likely")
# and must not be read as the phrase itself.
_NEGATED = re.compile(r"(?:\bnot|n't|n’t|\bno|\bnever)\s+$", re.IGNORECASE)


def find_estimative_phrase(sentence: str) -> tuple[str, float] | None:
    """The longest table phrase occurring as whole words in ``sentence``.

    Returns ``(phrase, probability)`` with the phrase as keyed in
    :data:`WORDS_OF_ESTIMATIVE_PROBABILITY`, or None.  Longer phrases win
    ("almost certainly not" over "almost certainly", "probably not" over
    "probably"); among equally long ones the first in the sentence wins.
    Words only count whole ("unlikely" never yields "likely").  A phrase
    directly after "not", "no", "never" or "n't" ("not certain", "isn't
    likely") is skipped, since its meaning is reversed; table phrases that
    contain the negation ("not likely", "probably not") still match.
    """
    best: tuple[str, float] | None = None
    pos = 0
    while (m := _PHRASE_RE.search(sentence, pos)) is not None:
        if _NEGATED.search(sentence, 0, m.start()):
            pos = m.end()  # nor any shorter phrase inside the negated one
            continue
        pos = m.start() + 1
        phrase = _normalise(m.group(0))
        if best is None or len(phrase) > len(best[0]):
            best = (phrase, WORDS_OF_ESTIMATIVE_PROBABILITY[phrase] / 100)
    return best


def format_probability(p: float) -> str:
    """``0.7`` -> ``"70%"``, ``0.025`` -> ``"2.5%"``: at most one decimal."""
    text = f"{p * 100:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    if text == "-0":
        text = "0"
    return text + "%"
