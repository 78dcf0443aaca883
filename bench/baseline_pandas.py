"""What a user would otherwise do: pandas and scikit-learn on a CSV export.

    python bench/baseline_pandas.py ledger-export.csv

Reads ``claimtrack export --format csv`` output (one row per claim,
forecast, resolution or edit), picks each forecaster's last forecast made at
or before the claim's current resolution on active claims resolved yes/no,
and prints the Brier score, log score (bits, clipped to [0.001, 0.999]) and
the 10-bin calibration curve as JSON.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, log_loss

COLUMNS = ["record", "claim_id", "status", "forecaster", "probability", "made_at", "outcome", "resolved_at"]


def main(path: str) -> dict:
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
    merged = merged[merged["made_at"] <= merged["resolved_at"]]
    final = (merged.reset_index(drop=True).reset_index()
             .sort_values(["claim_id", "forecaster", "made_at", "index"])
             .groupby(["claim_id", "forecaster"], observed=True).tail(1))
    scored = final[final["outcome"].isin(["yes", "no"])]
    y = (scored["outcome"] == "yes").to_numpy(dtype=float)
    p = scored["probability"].to_numpy(dtype=float)
    observed, predicted = calibration_curve(y, p, n_bins=10)
    return {
        "n": int(len(p)),
        "n_excluded": int(len(final) - len(scored)),
        "brier": float(brier_score_loss(y, p)),
        "log_score_bits": float(-log_loss(y, np.clip(p, 0.001, 0.999)) / np.log(2)),
        "calibration": [{"mean_forecast": float(f), "observed": float(o)} for f, o in zip(predicted, observed)],
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
