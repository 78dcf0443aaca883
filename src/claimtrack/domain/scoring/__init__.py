"""claimtrack's scoring engine: pure standard-library functions, no DB, no UI.

* :mod:`.basic`: Brier (0-1 and 0-2 scales), log score in bits clipped to
  [0.001, 0.999], Metaculus' baseline score, Wilson intervals, whole-percent
  binning.
* :mod:`.calibration`: calibration bins, the folded view and the exact
  five-term Murphy decomposition (Stephenson, Coelho & Jolliffe 2008).
* :mod:`.accumulator`: :class:`ScoreAccumulator`, one pass, O(1) memory.
* :mod:`.selection`: which forecasts count (final, time-weighted).
* :mod:`.peer`: scores relative to the other forecasters on a claim.
* :mod:`.choice`: multiple-choice forecasts (multi-category Brier, log
  score, RPS, one-vs-rest events); :mod:`.quantity`: quantile forecasts of
  numbers and dates (pinball, interval score, WIS, CRPS approximation,
  coverage, PIT); :mod:`.by_kind`: the report's section for both.
"""

from claimtrack.domain.scoring.accumulator import (
    ScoreAccumulator,
    ScoreSummary,
    calibration_bins,
    folded_bins,
    murphy,
    score,
)
from claimtrack.domain.scoring.basic import (
    LOG_CLIP,
    WILSON_Z95,
    bin_bounds,
    bin_index,
    brier,
    brier_0_2,
    log_loss_bits,
    log_score_bits,
    metaculus_baseline,
    to_percent,
    wilson_interval,
)
from claimtrack.domain.scoring.calibration import (
    FOLDED_BOUNDS,
    CalibrationBin,
    Murphy,
    PercentTotals,
)
from claimtrack.domain.scoring.peer import RelativeScore, claim_peer_scores, relative_scores
from claimtrack.domain.scoring.selection import final_forecasts, final_probabilities, time_weighted

__all__ = [
    "FOLDED_BOUNDS",
    "LOG_CLIP",
    "WILSON_Z95",
    "CalibrationBin",
    "Murphy",
    "PercentTotals",
    "RelativeScore",
    "ScoreAccumulator",
    "ScoreSummary",
    "bin_bounds",
    "bin_index",
    "brier",
    "brier_0_2",
    "calibration_bins",
    "claim_peer_scores",
    "final_forecasts",
    "final_probabilities",
    "folded_bins",
    "log_loss_bits",
    "log_score_bits",
    "metaculus_baseline",
    "murphy",
    "relative_scores",
    "score",
    "time_weighted",
    "to_percent",
    "wilson_interval",
]
