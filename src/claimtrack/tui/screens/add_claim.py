"""The "add a claim" form; its result is a services.ledger.NewClaim (or None)."""

from __future__ import annotations

from textual.widgets import Input

from claimtrack.domain.errors import InvalidInput
from claimtrack.services.ledger import NewClaim
from claimtrack.tui.screens.form import FormModal
from claimtrack.tui.widgets.field import (
    Field,
    date_parser,
    name_parser,
    probability_parser,
    statement_parser,
    tags_parser,
    text_parser,
    url_parser,
)


class AddClaimModal(FormModal[NewClaim | None]):
    title_text = "Add a claim"
    submit_label = "Add claim"

    def __init__(self, *, forecaster: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.forecaster = forecaster

    def compose_fields(self):
        yield Field("Statement", statement_parser, id="statement",
                    placeholder="OpenAI ships its own chip by 2026")
        yield Field(f"Probability it is true (yours, as {self.forecaster})", probability_parser(), id="probability",
                    placeholder="0.7, 70%, 3 in 4, 3:1, likely")
        yield Field("Source (who made the claim)", name_parser("source", "you"), id="source",
                    placeholder="Ben Thompson (empty: you)")
        yield Field("Source link", url_parser("source url"), id="url", placeholder="https://...")
        yield Field("Made", date_parser("made", self.clock, "empty: now"), id="made",
                    placeholder="today, 2023-11-18, 'Nov 18 2023', 3 days ago")
        yield Field("Due (resolve by)", date_parser("due", self.clock, "empty: no due date"), id="due",
                    placeholder="eoy, 'in 3 months', 2w, 2025-06-30")
        yield Field("Tags (comma-separated)", tags_parser, id="tags", placeholder="openai, hardware")
        yield Field("Why this probability", text_parser("note"), id="note", placeholder="optional rationale",
                    multiline=True)

    def on_mount(self) -> None:
        self.query_one("#statement-input", Input).focus()

    def build(self) -> NewClaim:
        made = self.field("made").value
        due = self.field("due").value
        if due is not None and made is not None and due < made:
            raise InvalidInput("the due date is before the claim was made: give a later due date")
        return NewClaim(
            statement=self.field("statement").value,
            probability=self.field("probability").value,
            forecaster=self.forecaster,
            source=self.field("source").value,
            source_url=self.field("url").value,
            stated_at=made,
            resolve_by=due,
            tags=self.field("tags").value,
            note=self.field("note").value,
        )
