"""Fatebook's multiple-choice questions: the export rows with a "Multiple choice option".

Fatebook stores one forecast per option (``lib/web/export.ts`` writes the
option's text, the forecast on it, and the option's own resolution).
Decisions (the binary rules of :mod:`.fatebook` hold otherwise: the claim,
its key, dates, owner renaming):

* A question's options are the option texts in the order they first appear.
* A forecaster's forecast at a moment is their latest forecast on every
  option as of that moment (Fatebook saves the options of one submission
  together, so rows are grouped on "Forecast created at").  A moment before
  the forecaster has given every option is skipped with a reason.
* A forecast adding up to less than 100% (by more than one point) leaves the
  rest to an explicit "Other" option, which the question then gets (0% in
  the other forecasts).  More than 100% (by more than one point) is skipped
  with the sum named; within one point it is normalised.
* Resolution: the option resolved YES is the answer (at its "Resolved at");
  every option NO means "Other"; AMBIGUOUS and no YES -> ambiguous.  Options
  that disagree (two YES) leave the question open, with a skipped entry.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable

from claimtrack.domain.records import VALUE_OUTCOME, ClaimIn, ForecastIn, ResolutionIn
from claimtrack.importers._base import KeyRegistry, Options, ParseResult, Skipped, check_name, make_key, short
from claimtrack.importers._dates import parse_when
from claimtrack.importers.fatebook import row_forecast
from claimtrack.importers._kinds import SUM_SLACK

FORMAT = "fatebook"
OTHER = "Other"


def parse_rows(rows: list[tuple[int, list[str]]], get: Callable, make_claim: Callable, owner: str | None,
               opts: Options, result: ParseResult) -> None:
    """Add one choice claim per question found in ``rows`` (multiple-choice rows only)."""
    questions: dict[tuple[str, str], list[tuple[int, list[str]]]] = {}
    for n, row in rows:
        questions.setdefault((get(row, "Question title"), get(row, "Question created at")), []).append((n, row))
    keys = KeyRegistry()
    for qrows in questions.values():
        first_n, first = qrows[0]
        label = f"row {first_n}"
        try:
            claim = make_claim(first, get, opts)
        except ValueError as exc:
            result.skipped.append(Skipped(label, str(exc)))
            continue
        options = list(dict.fromkeys(get(row, "Multiple choice option") for _, row in qrows))
        snapshots = _snapshots(qrows, get, options, result.skipped)
        resolution = _resolution(qrows, get, options, claim, result.skipped, label)
        needs_other = OTHER not in options and (
            any(sum(p.values()) < 1.0 - SUM_SLACK for _, _, _, p in snapshots)
            or (resolution is not None and resolution[1] == OTHER))
        if needs_other:
            options.append(OTHER)
        claim.question_type, claim.options = "choice", tuple(options)
        for who_raw, made, n, probs in snapshots:
            total = math.fsum(probs.values())
            if total > 1.0 + SUM_SLACK:
                result.skipped.append(Skipped(f"row {n}", f"the option forecasts add up to {total * 100:.4g}%, "
                                                          "over 100%"))
                continue
            if OTHER in options and OTHER not in probs:
                probs = {**probs, OTHER: max(0.0, 1.0 - total)}
            total = math.fsum(probs.values())
            if total <= 0.0 or abs(total - 1.0) > SUM_SLACK:
                result.skipped.append(Skipped(f"row {n}", f"the option forecasts add up to {total * 100:.4g}%, "
                                                          "not 100%"))
                continue
            dist = tuple(probs.get(o, 0.0) / total for o in options)
            who = who_raw or opts.default_forecaster
            if opts.forecaster and (who_raw == owner or not owner):
                who = opts.forecaster
            try:
                name = check_name(who, "forecaster")
            except ValueError as exc:
                result.skipped.append(Skipped(f"row {n}", str(exc)))
                continue
            digest = hashlib.sha256(repr(dist).encode()).hexdigest()[:16]
            claim.forecasts.append(ForecastIn(
                forecaster=name, probability=None, distribution=dist, made_at=made, recorded_at=made,
                import_key=keys.unique(make_key(FORMAT, claim.import_key, who_raw, made, digest)),
            ))
        if resolution is not None:
            outcome, value, when, note = resolution
            claim.resolutions.append(ResolutionIn(
                outcome=outcome, value=value, resolved_at=when, recorded_at=when, note=note,
                resolved_by=claim.source,
                import_key=make_key(FORMAT, claim.import_key, "resolution", outcome, value or ""),
            ))
        result.claims.append(claim)


def _snapshots(qrows, get, options, skipped) -> list[tuple[str, object, int, dict[str, float]]]:
    """(forecaster as exported, moment, row, {option: p}) for each complete submission."""
    by_who: dict[str, list[tuple[object, int, str, float]]] = {}
    for n, row in qrows:
        raw = get(row, "Forecast (scale = 0-1)")
        if not raw:
            continue
        try:
            p, made = row_forecast(row, get, raw)
        except ValueError as exc:
            skipped.append(Skipped(f"row {n}", str(exc)))
            continue
        by_who.setdefault(get(row, "Forecast created by"), []).append((made, n, get(row, "Multiple choice option"), p))
    out = []
    for who, items in by_who.items():
        items.sort(key=lambda t: (t[0], t[1]))
        current: dict[str, float] = {}
        i = 0
        while i < len(items):
            made = items[i][0]
            last_n = items[i][1]
            while i < len(items) and items[i][0] == made:
                current[items[i][2]] = items[i][3]
                last_n = items[i][1]
                i += 1
            missing = [o for o in options if o != OTHER and o not in current]
            if missing:
                skipped.append(Skipped(f"row {last_n}", f"{who or 'the forecaster'} has not yet forecast option "
                                                        f"{short(missing[0])}: this moment is not a full forecast"))
                continue
            out.append((who, made, last_n, dict(current)))
    return out


def _resolution(qrows, get, options, claim: ClaimIn, skipped, label):
    """(outcome, value, resolved_at, note) or None while open."""
    by_option: dict[str, tuple[str, str]] = {}
    for _, row in qrows:
        by_option.setdefault(get(row, "Multiple choice option"), (get(row, "Resolution").upper(),
                                                                   get(row, "Resolved at")))
    states = {o: r for o, r in by_option.items() if r[0]}
    if not states:
        return None
    yes = [o for o, (r, _) in states.items() if r == "YES"]
    unknown = [r for r, _ in states.values() if r not in ("YES", "NO", "AMBIGUOUS")]
    if unknown:
        skipped.append(Skipped(label, f"resolution {short(unknown[0])} is not YES, NO or AMBIGUOUS; "
                                      "the question is imported as open"))
        return None
    if len(yes) > 1:
        skipped.append(Skipped(label, f"options {short(yes[0])} and {short(yes[1])} both resolved YES; "
                                      "the question is imported as open"))
        return None

    def when(at_raw: str):
        if at_raw:
            return parse_when(at_raw), None
        return claim.resolve_by or claim.stated_at, "Fatebook gave no resolution time: dated at the resolve-by date"

    try:
        if yes:
            at, note = when(states[yes[0]][1])
            return VALUE_OUTCOME, yes[0], at, note
        if any(r == "AMBIGUOUS" for r, _ in states.values()):
            at, note = when(next(a for r, a in states.values() if r == "AMBIGUOUS"))
            return "ambiguous", None, at, note
        if len(states) == len([o for o in options if o != OTHER]):  # every option NO: none of them
            at, note = when(next(iter(states.values()))[1])
            return VALUE_OUTCOME, OTHER, at, note
    except ValueError as exc:
        skipped.append(Skipped(label, f"{exc}; the question is imported as open"))
    return None
