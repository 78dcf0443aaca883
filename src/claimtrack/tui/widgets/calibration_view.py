"""Calibration view (placeholder while the scoring service lands)."""

from __future__ import annotations

from textual.containers import Vertical
from textual.widgets import Static


class CalibrationView(Vertical):
    def compose(self):
        yield Static("calibration")

    def shown(self) -> None:
        pass

    def refresh_data(self) -> None:
        pass
