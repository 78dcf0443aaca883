"""The "add a forecast" form; its result is a ForecastInput (or None)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual.widgets import Input

from claimtrack.domain.probability import format_probability
from claimtrack.domain.records import ClaimSummary
from claimtrack.tui.screens.form import FormModal
from claimtrack.tui.widgets.field import (
    Field,
    date_parser,
    name_parser,
    not_before,
    probability_parser,
    text_parser,
)


@dataclass(frozen=True)
class ForecastInput:
    probability: float
    forecaster: str
    made_at: datetime | None  # None: now
    rationale: str | None


class ForecastModal(FormModal[ForecastInput | None]):
    title_text = "Add a forecast"
    submit_label = "Add forecast"

    def __init__(self, claim: ClaimSummary, *, forecaster: str, **kwargs) -> None:
        if claim.mine is not None:
            current = f" · yours now {format_probability(claim.mine)}"
        elif claim.probability is not None:
            current = f" · newest {format_probability(claim.probability)} by {claim.forecaster}"
        else:
            current = ""
        super().__init__(subtitle=f"#{claim.id} {claim.statement}{current}", **kwargs)
        self.claim = claim
        self.forecaster = forecaster

    def compose_fields(self):
        yield Field("Probability it is true", probability_parser(), id="probability",
                    placeholder="0.7, 70%, 3 in 4, 3:1, likely")
        yield Field("Forecaster", name_parser("forecaster", self.forecaster), id="forecaster",
                    value=self.forecaster)
        yield Field("Made", not_before(date_parser("made", self.clock, "empty: now"), self.claim.stated_at,
                                       "the forecast's made date"), id="made",
                    placeholder="empty: now; yesterday, 2024-03-01 (older than a day: marked backfilled)")
        yield Field("Rationale", text_parser("note"), id="rationale", placeholder="optional", multiline=True)

    def on_mount(self) -> None:
        self.query_one("#probability-input", Input).focus()

    def build(self) -> ForecastInput:
        return ForecastInput(
            probability=self.field("probability").value,
            forecaster=self.field("forecaster").value or self.forecaster,
            made_at=self.field("made").value,
            rationale=self.field("rationale").value,
        )
