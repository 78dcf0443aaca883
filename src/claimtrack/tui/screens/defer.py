"""The "defer" form of review mode: push the due date back a week, a month or to a date
(recorded as an edit of the due date, kept in the claim's history)."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.containers import Horizontal
from textual.widgets import Button

from claimtrack.domain.datefmt import format_date, format_datetime
from claimtrack.domain.records import ClaimSummary
from claimtrack.tui.screens.form import FormModal
from claimtrack.tui.widgets.field import Field


class DeferModal(FormModal[str | None]):
    """Its result is the choice as services.review.defer takes it: '+1w', '+1m' or a date."""

    title_text = "Defer"
    submit_label = "Defer"

    def __init__(self, claim: ClaimSummary, **kwargs) -> None:
        due = f"due {format_date(claim.resolve_by)}" if claim.resolve_by else "no due date"
        super().__init__(subtitle=f"#{claim.id} {claim.statement} · {due}", **kwargs)
        self.claim = claim

    def _parse(self, text: str) -> tuple[Any, str]:
        from claimtrack.domain.dates import user_timezone
        from claimtrack.domain.review import defer_target

        target = defer_target(text, self.claim.resolve_by, self.clock(), user_timezone())
        return text.strip(), f"= due {format_datetime(target)}"

    def compose_fields(self):
        with Horizontal(classes="form-buttons defer-quick"):
            yield Button("+1 week", id="defer-week")
            yield Button("+1 month", id="defer-month")
        yield Field("Or a date", self._parse, id="when", value="+1w",
                    placeholder="+1w, +1m, 2027-03-31, 'in 3 months', eoq")

    def on_mount(self) -> None:
        self.query_one("#when-input").focus()

    @on(Button.Pressed, "#defer-week")
    def _week(self) -> None:
        self.field("when").text = "+1w"
        self.action_submit()

    @on(Button.Pressed, "#defer-month")
    def _month(self) -> None:
        self.field("when").text = "+1m"
        self.action_submit()

    def build(self) -> str:
        return self.field("when").value
