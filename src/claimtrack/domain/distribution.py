"""Stored forms of a non-binary claim's spec, forecasts and resolution values.

* options: canonical JSON text of the label list (``["a","b"]``);
* a forecast's distribution: canonical JSON text, for a choice claim the
  probabilities in option order (``[0.1,0.6,0.3]``), for a numeric or date
  claim the quantiles (``[[0.1,1000000000000.0],[0.5,...]]``);
* a resolution's value: the realised option's label, or the true value as
  ``repr(float)`` (a date as its day number).

Canonical JSON: no spaces, floats by ``repr``, text as is; the hash chain
hashes these texts, so a raw edit of one is caught by ``verify``.
"""

from __future__ import annotations

import json
import math

from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.records import QUESTION_TYPES

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def question_type(value: str | None) -> str:
    text = (value or "binary").strip().lower()
    if text not in QUESTION_TYPES:
        raise InvalidInput(f"unknown question type '{value}': use one of {', '.join(QUESTION_TYPES)}")
    return text


def options_text(options) -> str | None:
    return _dumps(list(options)) if options else None


def options_from_text(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    value = json.loads(text)
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise InvalidInput("stored options are not a list of labels")
    return tuple(value)


def check(qtype: str, options, distribution) -> tuple:
    """A distribution as the records hold it (tuple of floats, or of (level,
    value) pairs), checked against the claim; raises one-line errors."""
    if qtype == "binary":
        raise InvalidInput("a yes/no claim takes a probability, not a distribution")
    if distribution is None:
        raise InvalidInput(f"a {qtype} claim's forecast needs a distribution")
    if qtype == "choice":
        probs = tuple(float(p) + 0.0 for p in distribution)
        if len(probs) != len(options):
            raise InvalidInput(f"the forecast gives {len(probs)} probabilities for {len(options)} options")
        if any(not (math.isfinite(p) and 0.0 <= p <= 1.0) for p in probs) or abs(sum(probs) - 1.0) > 1e-6:
            raise InvalidInput("a choice forecast's probabilities must each be 0-1 and add up to 100%")
        return probs
    from claimtrack.domain.quantity import quantile_set

    try:
        pairs = [(lv, v) for lv, v in distribution]
    except (TypeError, ValueError):
        raise InvalidInput("a numeric forecast is a list of (level, value) quantiles") from None
    return quantile_set(pairs)


def distribution_text(distribution) -> str | None:
    if distribution is None:
        return None
    if distribution and isinstance(distribution[0], (tuple, list)):
        return _dumps([[float(lv), float(v)] for lv, v in distribution])
    return _dumps([float(p) for p in distribution])


def distribution_from_text(text: str | None) -> tuple | None:
    if text is None:
        return None
    value = json.loads(text)
    if value and isinstance(value[0], list):
        return tuple((float(lv), float(v)) for lv, v in value)
    return tuple(float(p) for p in value)


def value_text(qtype: str, value) -> str:
    """A resolution value as stored: a label as is, a number as repr(float)."""
    if qtype == "choice":
        return str(value)
    return repr(float(value) + 0.0)


def summary(qtype: str, options, distribution, unit: str | None = None) -> str:
    """The compact summary of a forecast of any non-binary kind."""
    if distribution is None:
        return ""
    if qtype == "choice":
        from claimtrack.domain.choice import summary as choice_summary

        return choice_summary(options, distribution)
    from claimtrack.domain.quantity import summary as quantity_summary

    return quantity_summary(distribution, unit, is_date=qtype == "date")


def brief(qtype: str, options, distribution, unit: str | None = None) -> str:
    """A forecast in a table cell of a few characters: the likeliest option with its
    probability ("50% Nvidia"), or the median ("1.8T", "2026-06"); "" for none."""
    if distribution is None:
        return ""
    if qtype == "choice":
        from claimtrack.domain.probability import format_probability

        top = max(range(len(options)), key=lambda i: (distribution[i], -i))
        return f"{format_probability(distribution[top])} {options[top]}"
    from claimtrack.domain.quantity import format_value, quantile_at

    median = quantile_at(distribution, 0.5)
    if median is None:
        return summary(qtype, options, distribution, unit)
    if qtype == "date":
        return format_value(median, None, is_date=True)[:7]
    return format_value(median, None)


def value_summary(qtype: str, value: str | None, unit: str | None = None) -> str:
    """A resolution value for people."""
    if value is None:
        return ""
    if qtype in ("numeric", "date"):
        from claimtrack.domain.quantity import format_value

        try:
            return format_value(float(value), unit, is_date=qtype == "date")
        except ValueError:
            return value
    return value


KIND_NAMES = {"binary": "yes/no claim", "choice": "multiple-choice question", "numeric": "numeric claim",
              "date": "date claim"}
_NO_VALUE = {"ambiguous": "ambiguous", "unknown": "ambiguous", "void": "void", "annulled": "void",
             "cancel": "void", "cancelled": "void", "canceled": "void"}


def resolution_for(qtype: str, options, text: str) -> tuple[str, str | None]:
    """(outcome, value) of resolving a non-binary claim with ``text``: an
    option (a prefix works) or a value, else ambiguous or void."""
    word = " ".join(str(text or "").split()).casefold()
    if word in _NO_VALUE:
        return _NO_VALUE[word], None
    if qtype == "choice":
        from claimtrack.domain.choice import match

        if word in ("yes", "no", "y", "n", "true", "false"):
            raise InvalidInput(f"a multiple-choice question resolves with one of its options "
                               f"({', '.join(repr(o) for o in options)}; a prefix works), or ambiguous or void, "
                               f"not {text!r}")
        return "value", options[match(text, options)]
    from claimtrack.domain.quantity import parse_day, parse_value

    try:
        value = parse_day(text) if qtype == "date" else parse_value(text)
    except InvalidInput as exc:
        if qtype == "date":
            raise InvalidInput(f"a date claim resolves with the day it happened (YYYY-MM-DD), or ambiguous or "
                               f"void, not {str(text)[:40]!r}") from None
        why = f" ({exc})" if "unknown suffix" in str(exc) else ""
        raise InvalidInput(f"a numeric claim resolves with its true value (1.76T, $63M, 1800; suffixes k, M, "
                           f"B or G, T), or ambiguous or void, not {str(text)[:40]!r}{why}") from None
    return "value", value_text(qtype, value)


def wrong_kind(qtype: str, claim_id: int, options=(), what: str = "forecast") -> InvalidInput:
    """The error for a probability given to a non-binary claim (or the reverse)."""
    if qtype == "choice":
        example = ", ".join(f"{o}={100 // max(len(options), 1)}%" for o in options[:3])
        return InvalidInput(f"claim {claim_id} is a multiple-choice question: give a probability for each option "
                            f"({', '.join(repr(o) for o in options)}), e.g. \"{example}\"")
    if qtype in ("numeric", "date"):
        example = "--q 10%=2026-01 --q 50%=2026-06 --q 90%=2027-06" if qtype == "date" else \
            "--q 10%=1T --q 50%=1.8T --q 90%=3T"
        return InvalidInput(f"claim {claim_id} is a {KIND_NAMES[qtype]}: give quantiles ({example}) "
                            "or --interval LOW..HIGH@80%, not a probability")
    return InvalidInput(f"claim {claim_id} is a yes/no claim: give one probability (70%, 0.7, 'likely'), "
                        "not options or quantiles")


def check_claim(claim) -> None:
    """The question-type rules a stored claim (a ``ClaimIn``, from a file)
    must keep, as one-line errors: a yes/no claim has probabilities and
    yes/no outcomes; a choice claim at least two distinct labels, and each
    forecast a distribution over them; a numeric or date claim quantile
    sets; a resolution with outcome 'value' names an option or a number."""
    from dataclasses import replace

    from claimtrack.domain.records import OUTCOMES, VALUE_OUTCOME

    qtype = question_type(claim.question_type)
    claim.question_type = qtype
    if qtype == "binary":
        if claim.options or claim.ordered or claim.unit or claim.log_scale:
            raise InvalidInput("a yes/no claim has no options, unit or scale")
        for f in claim.forecasts:
            if f.distribution is not None or f.probability is None:
                raise InvalidInput("a yes/no claim's forecast is one probability, not a distribution")
        for r in claim.resolutions:
            if r.outcome == VALUE_OUTCOME or r.value is not None:
                raise InvalidInput("a yes/no claim resolves yes, no, ambiguous or void, not with a value")
        return
    if qtype == "choice":
        from claimtrack.domain.choice import _check_labels, label

        claim.options = tuple(label(o) for o in claim.options)
        _check_labels(claim.options)
        if claim.unit or claim.log_scale:
            raise InvalidInput("a multiple-choice question has no unit or log scale")
    else:
        if claim.options or claim.ordered:
            raise InvalidInput(f"a {KIND_NAMES[qtype]} has no options")
        if claim.unit is not None and not isinstance(claim.unit, str):
            raise InvalidInput("a unit is text")
    forecasts = []
    for f in claim.forecasts:
        if f.probability is not None:
            raise InvalidInput(f"a {KIND_NAMES[qtype]}'s forecast is a distribution, not one probability")
        forecasts.append(replace(f, distribution=check(qtype, claim.options, f.distribution)))
    claim.forecasts = forecasts
    for r in claim.resolutions:
        if r.outcome == VALUE_OUTCOME:
            if not isinstance(r.value, str):
                raise InvalidInput(f"a {KIND_NAMES[qtype]} resolved with a value needs the value")
            if qtype == "choice" and r.value not in claim.options:
                raise InvalidInput(f"resolution value {r.value[:40]!r} is not one of the options")
            if qtype != "choice":
                try:
                    number = float(r.value)
                except ValueError:
                    raise InvalidInput(f"resolution value {r.value[:40]!r} is not a number") from None
                if not math.isfinite(number):
                    raise InvalidInput("a resolution value must be a finite number")
        elif r.outcome not in ("ambiguous", "void") or r.value is not None:
            raise InvalidInput(f"a {KIND_NAMES[qtype]} resolves with a value, ambiguous or void, not "
                               f"{str(r.outcome)[:20]!r}" if r.outcome in OUTCOMES or r.outcome else
                               "a resolution needs an outcome")
