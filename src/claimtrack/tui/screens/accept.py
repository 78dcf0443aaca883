"""Accepting a draft from the inbox: optionally reword it and give your probability."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual.widgets import Input

from claimtrack.domain.datefmt import format_datetime
from claimtrack.domain.probability import format_probability
from claimtrack.domain.records import ClaimSummary
from claimtrack.tui.screens.form import FormModal
from claimtrack.tui.widgets.field import (
    Field,
    date_parser,
    not_before,
    probability_parser,
    statement_parser,
    tags_parser,
)


@dataclass(frozen=True)
class AcceptInput:
    probability: float | None  # None: keep the draft's forecasts as they are
    statement: str | None  # None: unchanged
    resolve_by: datetime | None = None  # None: unchanged
    tags: tuple[str, ...] | None = None  # None: unchanged


class AcceptModal(FormModal[AcceptInput | None]):
    title_text = "Accept draft"
    submit_label = "Accept"

    def __init__(self, claim: ClaimSummary, **kwargs) -> None:
        found = f" · found at {format_probability(claim.probability)}" if claim.probability is not None else ""
        super().__init__(subtitle=f"#{claim.id} from {claim.source or 'the inbox'}{found}", **kwargs)
        self.claim = claim

    def compose_fields(self):
        yield Field("Statement (reword it if you like)", statement_parser, id="statement",
                    value=self.claim.statement)
        yield Field("Your probability (optional)", probability_parser(required=False), id="probability",
                    placeholder="empty: keep the draft's probability")
        c = self.claim
        yield Field("Due (resolve by)",
                    not_before(date_parser("due", self.clock, "empty: no due date"), c.stated_at, "the due date"),
                    id="due", value=format_datetime(c.resolve_by) if c.resolve_by else "",
                    placeholder="eoy, 'in 3 months', 2w, 2025-06-30")
        yield Field("Tags (comma-separated)", tags_parser, id="tags", value=", ".join(c.tags),
                    placeholder="openai, hardware")

    def on_mount(self) -> None:
        self.query_one("#probability-input", Input).focus()

    def build(self) -> AcceptInput:
        statement = self.field("statement").value
        due = self.field("due").value
        tags = self.field("tags").value
        return AcceptInput(
            probability=self.field("probability").value,
            statement=statement if statement != self.claim.statement else None,
            resolve_by=due if due != self.claim.resolve_by else None,
            tags=tags if sorted(tags) != sorted(self.claim.tags) else None,
        )
