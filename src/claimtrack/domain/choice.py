"""Multiple-choice questions as users type them (issue 12).

* An option is ``LABEL=PROB`` (``"split over AI safety=50%"``; every
  probability form :func:`~claimtrack.domain.probability.parse_probability`
  accepts), or a bare ``LABEL`` when no option has a number.  A label is one
  line without ``,`` or ``=`` (a forecast lists options with commas), and
  labels differ in more than case.
* The probabilities must add up to 100%.  Within one percentage point they
  are scaled to 100% with a note; otherwise the error names the sum.
* ``--other`` adds the catch-all option :data:`OTHER`, which takes what the
  given options leave.
* A forecast is ``"malfeasance=10%, safety=60%, power=30%"``: every option,
  each named by its label or an unambiguous prefix of it, case-insensitive
  (a label typed in full wins over a longer label it starts).
"""

from __future__ import annotations

from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.probability import format_probability, parse_probability

OTHER = "other"
TOLERANCE = 0.01  # one percentage point
MAX_OPTIONS = 50
MAX_LABEL = 200


def _shown(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= 40 else text[:37] + "..."


def label(text: str) -> str:
    """A checked option label."""
    s = " ".join(str(text).split())
    if not s:
        raise InvalidInput("empty option: give each option as LABEL=PROB, e.g. --option 'split over AI safety=50%'")
    if "," in s or "=" in s:
        raise InvalidInput(f"option '{_shown(s)}' contains ',' or '=': a label is plain words (a forecast "
                           "lists options as 'a=10%, b=90%')")
    if len(s) > MAX_LABEL or any(ch < " " or ch == "\x7f" for ch in s):
        raise InvalidInput(f"option '{_shown(s)}' must be one line of at most {MAX_LABEL} characters")
    return s


def parse_option(text: str) -> tuple[str, float | None]:
    """``LABEL=PROB`` as (label, probability); a bare ``LABEL`` as (label, None)."""
    name, eq, prob = str(text).rpartition("=")
    if not eq:
        return label(text), None
    return label(name), parse_probability(prob).value


def _check_labels(labels) -> None:
    seen: dict[str, str] = {}
    for lab in labels:
        key = lab.casefold()
        if key in seen:
            raise InvalidInput(f"option '{lab}' is given twice: options differ in more than case")
        seen[key] = lab
    if len(labels) < 2:
        raise InvalidInput("a multiple-choice question needs at least two options (--option A=P --option B=Q, "
                           "or --other for a catch-all)")
    if len(labels) > MAX_OPTIONS:
        raise InvalidInput(f"too many options ({len(labels)}): at most {MAX_OPTIONS}")


def normalise(probs, what: str = "the options' probabilities") -> tuple[tuple[float, ...], str | None]:
    """Probabilities scaled to sum to 1 and a note when they were off by up
    to one percentage point; an error naming the sum otherwise."""
    total = sum(probs)
    if abs(total - 1.0) > TOLERANCE + 1e-12:
        raise InvalidInput(f"{what} add up to {_sum_text(total)}: they must add up to 100% "
                           "(within one percentage point, which is scaled to 100%)")
    if total == 1.0:
        return tuple(float(p) + 0.0 for p in probs), None
    scaled = tuple(p / total + 0.0 for p in probs)
    return scaled, f"{what} added up to {_sum_text(total)}: scaled to 100%"


def _sum_text(total: float) -> str:
    return format_probability(total) if abs(total * 1000 - round(total * 1000)) < 1e-9 else f"{total * 100:.3g}%"


def options_from_specs(specs, *, other: bool = False) -> tuple[tuple[str, ...], tuple[float, ...] | None, str | None]:
    """The options of ``--option`` specs (and ``--other``): (labels, probabilities
    or None when no option has one, note or None)."""
    parsed = [parse_option(s) for s in specs]
    labels = [lab for lab, _ in parsed]
    given = [p for _, p in parsed if p is not None]
    if given and len(given) != len(parsed):
        missing = next(lab for lab, p in parsed if p is None)
        raise InvalidInput(f"option '{_shown(missing)}' has no probability: give every option as LABEL=PROB, "
                           "or none of them")
    if other:
        if any(lab.casefold() == OTHER for lab in labels):
            raise InvalidInput(f"--other adds the option '{OTHER}', which is already given: drop one of them")
        labels.append(OTHER)
    _check_labels(labels)
    if not given:
        return tuple(labels), None, None
    probs = list(given)
    if other:
        rest = 1.0 - sum(probs)
        if rest < -TOLERANCE - 1e-12:
            raise InvalidInput(f"the options' probabilities add up to {_sum_text(sum(probs))}, leaving nothing for "
                               f"'{OTHER}': they must add up to at most 100% with --other")
        probs.append(max(rest, 0.0))
    scaled, note = normalise(probs)
    return tuple(labels), scaled, note


def match(text: str, options) -> int:
    """The index of the option ``text`` names: its label (case-insensitive) or
    an unambiguous prefix of one."""
    key = " ".join(str(text).split()).casefold()
    if not key:
        raise InvalidInput(f"no option named: use one of {_names(options)}")
    exact = [i for i, o in enumerate(options) if o.casefold() == key]
    if exact:
        return exact[0]
    hits = [i for i, o in enumerate(options) if o.casefold().startswith(key)]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise InvalidInput(f"no option '{_shown(text)}': use one of {_names(options)} (a prefix works)")
    raise InvalidInput(f"'{_shown(text)}' is ambiguous: it starts {_names([options[i] for i in hits])}; "
                       "type more of the option")


def _names(options) -> str:
    return ", ".join(f"'{o}'" for o in options)


def parse_distribution(text: str, options) -> tuple[tuple[float, ...], str | None]:
    """A forecast ``"a=10%, b=60%, c=30%"`` over ``options`` as probabilities in
    option order (and a note when scaled to 100%)."""
    parts = [p for p in str(text).split(",") if p.strip()]
    if not parts:
        raise InvalidInput(f"empty forecast: give every option a probability, e.g. "
                           f"\"{', '.join(o + '=' + format_probability(1 / len(options)) for o in options[:3])}\"")
    probs: list[float | None] = [None] * len(options)
    for part in parts:
        name, eq, prob = part.rpartition("=")
        if not eq:
            raise InvalidInput(f"'{_shown(part)}' has no probability: give OPTION=PROB for each of {_names(options)}")
        i = match(name, options)
        if probs[i] is not None:
            raise InvalidInput(f"option '{options[i]}' is given twice in the forecast")
        probs[i] = parse_probability(prob).value
    missing = [o for o, p in zip(options, probs) if p is None]
    if missing:
        raise InvalidInput(f"the forecast leaves out {_names(missing)}: give every option a probability "
                           "(0% for one you rule out)")
    return normalise(probs, "the forecast's probabilities")


def summary(options, probs) -> str:
    """``safety 50% · power 35% · malfeasance 15%``: options by probability, highest first."""
    order = sorted(range(len(options)), key=lambda i: (-probs[i], i))
    return " · ".join(f"{options[i]} {format_probability(probs[i])}" for i in order)
