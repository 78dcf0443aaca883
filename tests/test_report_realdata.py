"""Real forecast records through the whole path (CSV -> import -> ledger -> report),
checked against an independent numpy/pandas computation on the same file.

The rule applied on both sides: rows with an outcome; forecasts made before
the resolution (one made at its instant counts as after it); each forecaster's last such forecast per claim (ties:
the later row).  Bins: whole percents, closed on the right (np.digitize).
"""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pytest

from claimtrack.domain.scoring import LOG_CLIP
from claimtrack.services.report.data import build_report
from claimtrack.services.report.model import ReportOptions
from conftest import realdata
from test_report_helpers import load_realdata_csv, read_rows

FILES = [
    "forecastbench_2024-07-21_market_questions.csv",
    "pb_iqisa_first_forecast_per_question.csv",
    pytest.param("pb_iqisa_all_forecasts_resolved.csv.gz", marks=pytest.mark.slow),
]


def _utc(text: str) -> datetime:
    value = datetime.fromisoformat(text.strip())
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def independent(path) -> pd.DataFrame:
    """The final forecasts of the file, chosen with pandas (no claimtrack code)."""
    frame = pd.DataFrame(read_rows(path))
    frame = frame[frame["outcome"].str.strip().isin(["0", "1"])].copy()
    frame["order"] = np.arange(len(frame))
    frame["who"] = frame["forecaster"].str.slice(0, 200).replace("", "anonymous")
    frame["p"] = frame["probability"].astype(float)
    frame["o"] = frame["outcome"].astype(int)
    frame["made"] = frame["created_at"].map(_utc)
    # each claim's resolution is taken from its first row, as the loader does
    first = frame.groupby("claim_id", sort=False)["resolved_at"].transform("first").map(_utc)
    frame = frame[frame["made"] < first]  # made at the resolution instant counts as after it
    frame = frame.sort_values(["made", "order"], kind="stable")
    return frame.groupby(["claim_id", "who"], sort=False).tail(1)


def numpy_bins(ps: np.ndarray, n_bins: int = 10) -> np.ndarray:
    pct = np.floor(ps * 100 + 0.5 + 1e-9).astype(int)
    return np.digitize(pct, np.arange(100 // n_bins, 100, 100 // n_bins), right=True)


@pytest.mark.parametrize("name", FILES)
def test_report_matches_numpy_on_real_records(sqlite_path, name):
    from claimtrack.services.store import open_ledger

    path = realdata("derived", name)
    final = independent(path)
    ps, os_ = final["p"].to_numpy(), final["o"].to_numpy()
    assert len(ps) > 40
    db = open_ledger(str(sqlite_path))
    try:
        load_realdata_csv(db, path)
        report = build_report(db, ReportOptions(max_claims=5))
    finally:
        db.dispose()
    s = report.overall.summary
    assert s.n == len(ps)
    assert s.brier == pytest.approx(np.mean((ps - os_) ** 2), abs=1e-12)
    p_y = np.clip(np.where(os_ == 1, ps, 1 - ps), *LOG_CLIP)
    assert s.log_score_bits == pytest.approx(np.mean(np.log2(p_y)), abs=1e-12)
    ids = numpy_bins(ps)
    for i, b in enumerate(s.calibration):
        mask = ids == i
        assert b.n == int(mask.sum()), i
        if b.n:
            assert b.mean_forecast == pytest.approx(ps[mask].mean(), abs=1e-12), i
            assert b.observed == pytest.approx(os_[mask].mean(), abs=1e-12), i
    assert report.overall.n_excluded == 0
    assert report.n_resolved_claims == final["claim_id"].nunique() + _claims_with_only_late(path)


def _claims_with_only_late(path) -> int:
    """Resolved claims whose every forecast came after the resolution (listed, nothing scored)."""
    frame = pd.DataFrame(read_rows(path))
    frame = frame[frame["outcome"].str.strip().isin(["0", "1"])]
    made = frame["created_at"].map(_utc)
    resolved = frame.groupby("claim_id", sort=False)["resolved_at"].transform("first").map(_utc)
    early = (made < resolved).groupby(frame["claim_id"]).any()
    return int((~early).sum())
