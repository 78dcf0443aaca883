"""The detail pane: everything about the selected claim, rendered literally."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from claimtrack.domain.records import ClaimDetail
from claimtrack.tui.format import detail_renderable


class ClaimDetailPane(VerticalScroll):
    """Shows a ClaimDetail; ``detail`` is what is on screen (None: nothing)."""

    DEFAULT_CSS = """
    ClaimDetailPane { padding: 0 1; }
    ClaimDetailPane > Static { width: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.detail: ClaimDetail | None = None
        self.can_focus = True

    def compose(self):
        yield Static(Text("Select a claim to see its forecasts and history.", style="dim"), id="detail-body")

    def show(self, detail: ClaimDetail | None, now: datetime) -> None:
        body = self.query_one("#detail-body", Static)
        same_claim = self.detail is not None and detail is not None and self.detail.claim.id == detail.claim.id
        self.detail = detail
        if detail is None:
            body.update(Text("No claim selected.", style="dim"))
        else:
            body.update(detail_renderable(detail, now))
            self.border_title = f"claim #{detail.claim.id}"
        if not same_claim:
            self.scroll_home(animate=False)

    def show_message(self, message: str) -> None:
        self.detail = None
        self.border_title = ""
        self.query_one("#detail-body", Static).update(Text(message, style="dim"))
