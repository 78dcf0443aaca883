"""Whose judgement a forecast is: its *kind*.

* ``own``: a forecaster's own judgement (the default; yours, a colleague's).
* ``stated``: the claimant gave a number ("I'd put it at 70%").
* ``implied``: read from the claimant's words through the words-of-estimative-
  probability table; the word is kept as the forecast's ``basis``
  ("probably" -> 70%).
* ``asserted``: stated as fact, with no hedge.  Stored as
  :data:`DEFAULT_ASSERTED` (0.95) unless the config's ``asserted_probability``
  says otherwise; the number in force is stored with the forecast, so a later
  change of the setting never rescores old calls.
* ``crowd``: a community or market probability (Metaculus community
  prediction, Manifold market price), under a forecaster named for the
  platform.

A *source's* track record is scored on its claimant kinds (stated, implied,
asserted); everyone's own forecasts are scored as forecasters.
"""

from __future__ import annotations

from dataclasses import dataclass

from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.probability import ACCEPTED_FORMS, parse_probability

KINDS: tuple[str, ...] = ("own", "stated", "implied", "asserted", "crowd")
CLAIMANT_KINDS: tuple[str, ...] = ("stated", "implied", "asserted")
OTHER_KINDS: tuple[str, ...] = ("stated", "implied", "asserted", "crowd")  # made on someone's behalf
DEFAULT_ASSERTED = 0.95
ASSERTED_WORDS = ("asserted", "assert", "fact", "as fact")


def kind(value: str | None) -> str:
    """A kind as typed (case-insensitive); None means ``own``."""
    text = (value or "own").strip().lower()
    if text not in KINDS:
        raise InvalidInput(f"unknown forecast kind '{value}': use one of {', '.join(KINDS)}")
    return text


def asserted_probability(value: object) -> float:
    """The configured probability of an unhedged assertion (0.5 < p <= 1)."""
    if value is None:
        return DEFAULT_ASSERTED
    try:
        p = parse_probability(str(value)).value
    except InvalidInput:
        raise InvalidInput(f"asserted_probability '{value}' in the config is not a probability: {ACCEPTED_FORMS}") from None
    if not 0.5 < p <= 1.0:
        raise InvalidInput(f"asserted_probability '{value}' must be above 50% (an assertion backs the claim)")
    return p


@dataclass(frozen=True)
class TheirCall:
    """What a claimant said, as a forecast: probability, kind and basis."""

    probability: float
    kind: str
    basis: str | None = None
    warning: str | None = None


def parse_their(text: str, asserted: float = DEFAULT_ASSERTED) -> TheirCall:
    """``--their``: a number is ``stated``, a word ``implied`` (kept as the
    basis), ``asserted`` (stated as fact) maps to ``asserted``."""
    cleaned = " ".join(str(text).strip().lower().split())
    if cleaned in ASSERTED_WORDS:
        return TheirCall(asserted, "asserted", None)
    try:
        parsed = parse_probability(text)
    except InvalidInput:
        raise InvalidInput(
            f"invalid claimant probability '{text}': {ACCEPTED_FORMS}, or 'asserted' for a claim stated as fact"
        ) from None
    if parsed.phrase is not None:
        return TheirCall(parsed.value, "implied", parsed.phrase, parsed.warning)
    return TheirCall(parsed.value, "stated", None, parsed.warning)


def check_basis(kind_: str, basis: str | None) -> str | None:
    """Only an implied forecast names a word; an implied one must."""
    if kind_ == "implied":
        if not basis or not basis.strip():
            raise InvalidInput("an implied forecast needs the claimant's word it was read from (e.g. 'probably')")
        return " ".join(basis.split())
    return None if basis is None else (" ".join(basis.split()) or None)
