"""Manifold multiple-choice markets (``outcomeType`` MULTIPLE_CHOICE).

Decisions (the binary rules of :mod:`.manifold` hold otherwise: the claim,
its dates, source and key):

* Only markets whose answers add up to one (``shouldAnswersSumToOne`` true or
  absent) are choice questions; an independent set of answers is skipped.
* The options are the answers' ``text``, in ``index`` order ("Other"
  included when the market has it).  Two answers with the same text: the
  market is skipped.
* The forecast is the market's answer probabilities in the export
  (``probability``, else ``prob``), by "manifold market" (kind crowd),
  dated as a binary market's price.  Within one point of 100% they are
  normalised; otherwise the forecast is skipped.
* Resolution: ``resolution`` equal to an answer's id, or a single answer
  resolved YES, gives that answer; CANCEL -> void; MKT split over several
  answers -> ambiguous, with the split in the note.
"""

from __future__ import annotations

from pathlib import Path

from claimtrack.domain.records import VALUE_OUTCOME, ClaimIn, ForecastIn, ResolutionIn
from claimtrack.importers import _json as j
from claimtrack.importers._base import Skipped, make_key, short
from claimtrack.importers._dates import from_epoch_ms
from claimtrack.importers._kinds import choice_distribution

FORMAT = "manifold"
FORECASTER = "manifold market"
_NUM = (int, float)


def _answers(path, m: dict, where: str) -> list[tuple[str, dict]]:
    raw = j.get(path, m, "answers", where, (list,)) or []
    answers = [(f"{where}.answers[{k}]", j.need_object(path, a, f"{where}.answers[{k}]")) for k, a in enumerate(raw)]

    def order(item):
        awhere, a = item
        index = j.get(path, a, "index", awhere, _NUM)
        return (0, index) if index is not None else (1, 0)

    return sorted(answers, key=order)


def apply(path: Path, m: dict, where: str, claim: ClaimIn, skipped: list, label: str) -> ClaimIn:
    """Make ``claim`` (built by the binary rules, without forecast or resolution) a choice question."""
    if j.get(path, m, "shouldAnswersSumToOne", where, (bool,)) is False:
        raise ValueError("a multiple-choice market whose answers do not add up to one (an independent set): "
                         "only single-answer markets are imported")
    answers = _answers(path, m, where)
    texts = tuple((j.get(path, a, "text", awhere, (str,)) or "").strip() for awhere, a in answers)
    if len(texts) < 2 or any(not t for t in texts):
        raise ValueError("the market has fewer than 2 named answers")
    if len(set(texts)) != len(texts):
        raise ValueError("two answers of the market have the same text")
    claim.question_type, claim.options = "choice", texts
    _forecast(path, m, where, claim, answers, skipped, label)
    _resolve(path, m, where, claim, answers, skipped, label)
    return claim


def _forecast(path, m, where, claim: ClaimIn, answers, skipped, label) -> None:
    probs = []
    for awhere, a in answers:
        p = j.get(path, a, "probability", awhere, _NUM)
        if p is None:
            p = j.get(path, a, "prob", awhere, _NUM)
        if p is None:
            return  # no prices in the export: the question alone
        probs.append(p)
    try:
        dist = choice_distribution(probs)
    except ValueError as exc:
        skipped.append(Skipped(label, f"{exc}; the market is imported without its prices"))
        return
    created = claim.stated_at
    stamp = j.get(path, m, "lastBetTime", where, _NUM) or j.get(path, m, "lastUpdatedTime", where, _NUM)
    made = from_epoch_ms(stamp) if stamp is not None else created
    for limit in (claim.resolve_by, _resolution_time(path, m, where)):
        if limit is not None and made > limit:
            made = limit
    made = max(made, created)
    claim.forecasts.append(ForecastIn(
        forecaster=FORECASTER, probability=None, distribution=dist, made_at=made, recorded_at=made,
        rationale="market probabilities in the export", kind="crowd",
        import_key=make_key(FORMAT, claim.import_key, made, ",".join(f"{p:.6f}" for p in dist)),
    ))


def _resolution_time(path, m, where):
    raw = j.get(path, m, "resolutionTime", where, _NUM)
    return from_epoch_ms(raw) if raw is not None else None


def _resolve(path, m, where, claim: ClaimIn, answers, skipped, label) -> None:
    resolution = j.get(path, m, "resolution", where, (str,))
    if not resolution or j.get(path, m, "isResolved", where, (bool,)) is False:
        return
    when = _resolution_time(path, m, where) or claim.resolve_by or claim.stated_at
    ids = {j.get(path, a, "id", awhere, (str,)): k for k, (awhere, a) in enumerate(answers)}
    yes = [k for k, (awhere, a) in enumerate(answers)
           if (j.get(path, a, "resolution", awhere, (str,)) or "").upper() == "YES"]
    value = note = None
    if resolution in ids and resolution is not None:
        outcome, value = VALUE_OUTCOME, claim.options[ids[resolution]]
    elif resolution.upper() == "CANCEL":
        outcome, note = "void", "cancelled on Manifold"
    elif len(yes) == 1:
        outcome, value = VALUE_OUTCOME, claim.options[yes[0]]
    elif resolution.upper() in ("MKT", "CHOOSE_MULTIPLE"):
        shares = []
        for k, (awhere, a) in enumerate(answers):
            rp = j.get(path, a, "resolutionProbability", awhere, _NUM)
            if rp:
                shares.append(f"{claim.options[k]} {rp * 100:.1f}%")
        outcome = "ambiguous"
        note = "resolved to several answers on Manifold" + (f": {', '.join(shares)}" if shares else "")
    else:
        skipped.append(Skipped(label, f"resolution {short(resolution)} is not one of the market's answers, "
                                      "MKT or CANCEL; the market is imported as open"))
        return
    claim.resolutions.append(ResolutionIn(
        outcome=outcome, resolved_at=when, recorded_at=when, note=note, resolved_by=claim.source, value=value,
        import_key=make_key(FORMAT, claim.import_key, "resolution", outcome, value or ""),
    ))
