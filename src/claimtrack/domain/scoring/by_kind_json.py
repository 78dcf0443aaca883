"""The JSON form of :class:`~claimtrack.domain.scoring.by_kind.ByKind`: the report's ``by_kind`` value.

Every key is documented in docs/report-json.md.  Numbers are plain JSON
numbers; a score that overflowed a float is ``null`` (strict JSON, no
Infinity).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from claimtrack.domain.scoring.by_kind import NOTES, day_iso

if TYPE_CHECKING:
    from claimtrack.domain.scoring.by_kind import ByKind, ChoiceSection, QuantitySection


def by_kind_json(by_kind: ByKind) -> dict:
    return {
        "notes": dict(NOTES),
        "choice": None if by_kind.choice is None else _choice_json(by_kind.choice),
        "quantity": None if by_kind.quantity is None else _quantity_json(by_kind.quantity),
    }


def _f(x: float | None) -> float | None:
    """A JSON number; None also for a score that overflowed a float (values near 1e308)."""
    return None if x is None or not math.isfinite(x) else float(x)


def _bin_json(b) -> dict:
    return {"lo": float(b.lo), "hi": float(b.hi), "n": int(b.n), "mean_forecast": _f(b.mean_forecast),
            "observed": _f(b.observed), "ci_low": float(b.ci_low), "ci_high": float(b.ci_high)}


def _choice_json(c: ChoiceSection) -> dict:
    ev = c.option_events
    return {
        "brier_scale": "0-2",
        "questions": [{
            "claim_id": s.item.claim_id, "statement": s.item.statement, "forecaster": s.item.forecaster,
            "mine": s.item.mine, "options": list(s.item.options), "probabilities": [float(p) for p in s.item.probs],
            "realised": s.item.options[s.item.realised], "realised_index": s.item.realised,
            "ordered": s.item.ordered, "brier": _f(s.brier), "log_score_bits": _f(s.log_score_bits),
            "rps": _f(s.rps),
        } for s in c.questions],
        "aggregates": [{"label": a.label, "n": a.n, "brier": _f(a.brier), "log_score_bits": _f(a.log_score_bits),
                        "n_ordered": a.n_ordered, "rps": _f(a.rps)} for a in c.aggregates],
        "option_events": {
            "one_vs_rest": True, "n": int(ev.n), "brier": _f(ev.brier), "log_score_bits": _f(ev.log_score_bits),
            "calibration": [_bin_json(b) for b in ev.calibration],
        },
    }


def _quantity_json(q: QuantitySection) -> dict:
    claims = []
    for s in q.claims:
        it = s.item
        claims.append({
            "claim_id": it.claim_id, "statement": it.statement, "forecaster": it.forecaster, "mine": it.mine,
            "is_date": it.is_date, "log_scale": it.log_scale, "unit": "days" if it.is_date else it.unit,
            "quantiles": [[float(t), float(v)] for t, v in it.quantiles], "truth": float(it.truth),
            "truth_date": day_iso(it.truth) if it.is_date else None,
            "pinball": [{"level": float(t), "loss": _f(loss)} for t, loss in s.pinball],
            "intervals": [{"nominal": float(iv.nominal), "lo": float(iv.lo), "hi": float(iv.hi),
                           "interval_score": _f(iv.score), "covered": iv.covered} for iv in s.intervals],
            "wis": _f(s.wis), "crps_approx": _f(s.crps_approx),
            "log10_wis": _f(s.log10_wis), "log10_crps_approx": _f(s.log10_crps_approx),
            "pit": [float(x) for x in s.pit],
            "n_earlier": len(it.earlier), "reference_score": _f(s.reference_score),
            "relative_score": _f(s.relative_score),
        })
    return {
        "claims": claims,
        "aggregates": [{"label": a.label, "n": a.n, "n_relative": a.n_relative,
                        "n_relative_undefined": a.n_relative_undefined, "relative_wis": _f(a.relative_wis),
                        "skill": _f(a.skill), "n_log10": a.n_log10, "mean_log10_wis": _f(a.mean_log10_wis)}
                       for a in q.aggregates],
        "coverage": [{"label": r.label, "nominal": float(r.nominal), "n": r.n, "hits": r.hits, "rate": float(r.rate),
                      "ci_low": float(r.ci_low), "ci_high": float(r.ci_high), "verdict": r.verdict, "words": r.words}
                     for r in q.coverage],
        "pit": [{"levels": [float(t) for t in h.levels], "n": h.n, "counts": [float(c) for c in h.counts],
                 "expected": [float(e) for e in h.expected]} for h in q.pit],
    }
