"""Sources view (placeholder while the scoring service lands)."""

from __future__ import annotations

from textual.containers import Vertical
from textual.widgets import Static


class SourcesView(Vertical):
    def compose(self):
        yield Static("sources")

    def shown(self) -> None:
        pass

    def refresh_data(self) -> None:
        pass
