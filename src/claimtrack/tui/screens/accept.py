"""Accepting a draft from the inbox: optionally reword it and give your probability."""

from __future__ import annotations

from dataclasses import dataclass

from textual.widgets import Input

from claimtrack.domain.probability import format_probability
from claimtrack.domain.records import ClaimSummary
from claimtrack.tui.screens.form import FormModal
from claimtrack.tui.widgets.field import Field, probability_parser, statement_parser


@dataclass(frozen=True)
class AcceptInput:
    probability: float | None  # None: keep the draft's forecasts as they are
    statement: str | None  # None: unchanged


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

    def on_mount(self) -> None:
        self.query_one("#probability-input", Input).focus()

    def build(self) -> AcceptInput:
        statement = self.field("statement").value
        return AcceptInput(
            probability=self.field("probability").value,
            statement=statement if statement != self.claim.statement else None,
        )
