"""The report as JSON: a stable shape that scripts consume (docs/report-json.md).

Numbers are plain JSON numbers (probabilities and bin edges as fractions,
0.1 not 10), ``null`` where there is nothing to score, times are ISO 8601 UTC
with a ``Z``.  Bump :data:`SCHEMA_VERSION` on any incompatible change.
"""

from __future__ import annotations

import json
from datetime import datetime

from claimtrack.domain.scoring import CalibrationBin, ScoreSummary
from claimtrack.services.report.model import ClaimLine, Report, Scores
from claimtrack.reports import explain
from claimtrack.reports.explain import explanations

SCHEMA_VERSION = 1


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def _float(value) -> float | None:
    return None if value is None else float(value)


def _bin(b: CalibrationBin) -> dict:
    return {
        "lo": float(b.lo), "hi": float(b.hi), "n": int(b.n),
        "mean_forecast": _float(b.mean_forecast), "observed": _float(b.observed),
        "ci_low": float(b.ci_low), "ci_high": float(b.ci_high),
    }


def summary_dict(s: ScoreSummary, detail: bool = True) -> dict:
    out = {
        "n": int(s.n),
        "sum_weights": float(s.sum_weights),
        "brier": _float(s.brier),
        "brier_0_2": _float(s.brier_0_2),
        "log_score_bits": _float(s.log_score_bits),
        "base_rate": _float(s.base_rate),
        "mean_forecast": _float(s.mean_forecast),
    }
    if detail:
        mu = s.murphy
        out["murphy"] = None if mu is None else {
            "reliability": float(mu.reliability), "resolution": float(mu.resolution),
            "uncertainty": float(mu.uncertainty), "within_bin_variance": float(mu.within_bin_variance),
            "within_bin_covariance": float(mu.within_bin_covariance),
        }
        out["calibration"] = [_bin(b) for b in s.calibration]
        out["folded"] = [_bin(b) for b in s.folded]
    return out


def scores_dict(scores: Scores, detail: bool = True) -> dict:
    out = summary_dict(scores.summary, detail)
    out["n_excluded"] = int(scores.n_excluded)
    out["n_backfilled"] = int(scores.n_backfilled)
    return out


def _claim(line: ClaimLine) -> dict:
    return {
        "id": line.id, "uuid": line.uuid, "statement": line.statement, "source": line.source,
        "source_url": line.source_url, "tags": list(line.tags), "resolve_by": _time(line.resolve_by),
        "outcome": line.outcome, "resolved_at": _time(line.resolved_at), "scored": line.scored,
        "forecasts": [{"forecaster": f.forecaster, "probability": float(f.probability), "backfilled": f.backfilled}
                      for f in line.forecasts],
    }


def report_dict(report: Report) -> dict:
    o = report.options
    overall = scores_dict(report.overall)
    overall["n_after_resolution"] = int(report.n_after_resolution)
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": _time(report.generated_at),
        "period": {"start": _time(report.period_start), "end": _time(report.period_end),
                   "since_last_saved": o.since_saved},
        "scoring": {
            "rule": o.scoring,
            "brier_scale": "brier: 0-1 (mean squared error); brier_0_2: 0-2 (twice brier)",
            "log_score": "mean log2 of the probability given to the outcome, in bits (<= 0, higher is better)",
            "log_clip": [float(x) for x in report.log_clip],
            "n_bins": o.n_bins,
            "bins": "whole percents, closed on the right: [0,w], (w,2w], ..., (1-w,1]",
            "explanations": explanations(report),
        },
        "filters": {
            "forecaster": o.forecaster, "source": o.source, "tags": list(o.tags),
            "since": _time(o.since), "until": _time(o.until), "since_last_saved": o.since_saved,
            "exclude_backfilled": o.exclude_backfilled, "group": o.group, "period": o.period,
        },
        "overall": overall,
        "backfilled": {
            "excluded": o.exclude_backfilled,
            "contemporaneous": summary_dict(report.contemporaneous, detail=False),
            "backfilled": summary_dict(report.backfilled, detail=False),
        },
        "you": o.you,
        "you_vs_others": None if report.you is None else {
            "you": summary_dict(report.you, detail=False), "others": summary_dict(report.others, detail=False)},
        "group_by": o.group,
        "group_note": explain.group_note(report),
        "groups": {g.key: scores_dict(g.scores) for g in report.groups},
        "relative": [
            {"forecaster": r.forecaster, "n_claims": int(r.n_claims),
             "brier_vs_median": float(r.brier_vs_median), "peer_score": float(r.peer_score)}
            for r in report.relative
        ],
        "period_length": o.period,
        "periods": [
            {"period": p.key, "start": _time(p.start), "end": _time(p.end), **scores_dict(p.scores, detail=False)}
            for p in report.periods
        ],
        "n_resolved_claims": int(report.n_resolved_claims),
        "resolved_claims": [_claim(c) for c in report.resolved_claims],
        "n_overdue_claims": int(report.n_overdue_claims),
        "overdue_claims": [_claim(c) for c in report.overdue_claims],
        "chain_heads": {table: head for table, head in report.chain_heads},
        "by_kind": None if report.by_kind is None or report.by_kind.is_empty else report.by_kind.to_json(),
    }


def render_json(report: Report) -> str:
    from claimtrack.domain.text import json_escape_controls

    return json_escape_controls(json.dumps(report_dict(report), ensure_ascii=False, indent=2, allow_nan=False)) + "\n"
