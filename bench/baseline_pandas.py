"""What a user would otherwise do: pandas on a CSV export, scored with numpy
or with scikit-learn.

    python bench/baseline_pandas.py ledger-export.csv            # pandas + numpy
    python bench/baseline_pandas.py --sklearn ledger-export.csv  # pandas + scikit-learn

Reads ``claimtrack export --format csv`` output (one row per claim,
forecast, resolution or edit), picks each forecaster's last forecast made strictly
before the claim's current resolution on active claims resolved yes/no,
and prints the Brier score, log score (bits, clipped to [0.001, 0.999]) and
the 10-bin calibration curve as JSON.  Both scorers compute the same numbers;
scikit-learn costs ~0.7 s of imports for a mean and a histogram, so the numpy
one is the fair baseline and the scikit-learn one is shown for reference.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd

COLUMNS = ["record", "claim_id", "status", "forecaster", "probability", "made_at", "outcome", "resolved_at"]


def final_forecasts(path: str):
    """(y, p, n_excluded): outcomes (1.0 yes, 0.0 no) and probabilities of the
    final forecasts on claims resolved yes/no, and how many final forecasts
    ambiguous/void claims had."""
    df = pd.read_csv(path, usecols=COLUMNS, dtype={"record": "category", "status": "category",
                                                   "forecaster": "category", "outcome": "category"})
    claims = df.loc[df["record"] == "claim", ["claim_id", "status"]]
    resolutions = df.loc[df["record"] == "resolution", ["claim_id", "outcome", "resolved_at"]]
    current = resolutions.drop_duplicates("claim_id", keep="last")  # the newest resolution is current
    forecasts = df.loc[df["record"] == "forecast", ["claim_id", "forecaster", "probability", "made_at"]]
    merged = forecasts.merge(claims, on="claim_id").merge(current, on="claim_id")
    merged = merged[(merged["status"] == "active")]
    merged["made_at"] = pd.to_datetime(merged["made_at"], format="ISO8601", utc=True)
    merged["resolved_at"] = pd.to_datetime(merged["resolved_at"], format="ISO8601", utc=True)
    merged = merged[merged["made_at"] < merged["resolved_at"]]
    final = (merged.reset_index(drop=True).reset_index()
             .sort_values(["claim_id", "forecaster", "made_at", "index"])
             .groupby(["claim_id", "forecaster"], observed=True).tail(1))
    scored = final[final["outcome"].isin(["yes", "no"])]
    y = (scored["outcome"] == "yes").to_numpy(dtype=float)
    p = scored["probability"].to_numpy(dtype=float)
    return y, p, int(len(final) - len(scored))


def score_numpy(y, p) -> tuple[float, float, list, list]:
    """Brier, log score (bits), and the 10-bin curve as scikit-learn's
    ``calibration_curve(n_bins=10)`` bins it (edges 0.1 ... 0.9, right-closed
    below, empty bins dropped)."""
    brier = float(np.mean((p - y) ** 2))
    pc = np.clip(p, 0.001, 0.999)
    log_bits = float(np.mean(y * np.log2(pc) + (1 - y) * np.log2(1 - pc)))
    bins = np.searchsorted(np.linspace(0.0, 1.0, 11)[1:-1], p)
    n = np.bincount(bins, minlength=10)
    sum_p = np.bincount(bins, weights=p, minlength=10)
    sum_y = np.bincount(bins, weights=y, minlength=10)
    nonzero = n != 0
    return brier, log_bits, sum_y[nonzero] / n[nonzero], sum_p[nonzero] / n[nonzero]


def score_sklearn(y, p) -> tuple[float, float, list, list]:
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import brier_score_loss, log_loss

    observed, predicted = calibration_curve(y, p, n_bins=10)
    log_bits = float(-log_loss(y, np.clip(p, 0.001, 0.999)) / np.log(2))
    return float(brier_score_loss(y, p)), log_bits, observed, predicted


def main(path: str, scorer: str = "numpy") -> dict:
    y, p, n_excluded = final_forecasts(path)
    brier, log_bits, observed, predicted = (score_sklearn if scorer == "sklearn" else score_numpy)(y, p)
    return {
        "n": int(len(p)),
        "n_excluded": n_excluded,
        "brier": brier,
        "log_score_bits": log_bits,
        "calibration": [{"mean_forecast": float(f), "observed": float(o)} for f, o in zip(predicted, observed)],
    }


if __name__ == "__main__":
    args = sys.argv[1:]
    scorer = "sklearn" if "--sklearn" in args else "numpy"
    print(json.dumps(main([a for a in args if a != "--sklearn"][0], scorer)))
