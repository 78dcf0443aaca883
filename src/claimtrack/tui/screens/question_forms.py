"""Forecast and resolve forms for choice, numeric and date claims (issue 12).

The same parsers as the CLI, checked as you type: a choice forecast is
``a=10%, b=60%, c=30%`` (each option by a prefix), a quantity's or a date's
is quantiles and intervals separated by commas (``10%=1T, 50%=1.8T, 90%=3T``
or ``1.2T..2.4T@80%``); the hint shows the summary the lists will show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textual.widgets import Input

from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.records import ClaimSummary
from claimtrack.tui.screens.form import FormModal
from claimtrack.tui.screens.resolve import ResolveInput
from claimtrack.tui.widgets.field import Field, date_parser, name_parser, text_parser, url_parser

EXAMPLES = {"numeric": "10%=1T, 50%=1.8T, 90%=3T  or  1.2T..2.4T@80%",
            "date": "10%=2026-01, 50%=2026-06, 90%=2027-12  or  2026-01..2027-06@80%"}


@dataclass(frozen=True)
class QuestionForecastInput:
    typed: Any  # services.questions.DistributionInput
    forecaster: str
    made_at: datetime | None  # None: now
    rationale: str | None


def split_quantities(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Comma-separated quantiles and intervals: (quantiles, intervals)."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    intervals = tuple(p for p in parts if ".." in p)
    return tuple(p for p in parts if ".." not in p), intervals


def distribution_parser(claim: ClaimSummary):
    """A parser for a forecast of ``claim``: (DistributionInput, summary hint)."""
    from claimtrack.domain.distribution import summary
    from claimtrack.services.questions import DistributionInput, parse_for

    def parse(text: str):
        if not text.strip():
            raise InvalidInput("give the forecast: " + (", ".join(f"{o}=…" for o in claim.options)
                                                        if claim.question_type == "choice"
                                                        else EXAMPLES[claim.question_type]))
        if claim.question_type == "choice":
            typed = DistributionInput(text=text)
        else:
            quantiles, intervals = split_quantities(text)
            typed = DistributionInput(quantiles=quantiles, intervals=intervals)
        parsed = parse_for(claim.question_type, claim.options, typed, claim.id)
        hint = "= " + summary(claim.question_type, claim.options, parsed.distribution, claim.unit)
        return typed, hint + (f" ({parsed.note})" if parsed.note else "")

    return parse


def outcome_parser(claim: ClaimSummary):
    """A parser for what ``claim`` resolved to: the text as typed, and what it reads as."""
    from claimtrack.domain.distribution import resolution_for, value_summary

    def parse(text: str):
        outcome, value = resolution_for(claim.question_type, claim.options, text)
        shown = outcome if value is None else value_summary(claim.question_type, value, claim.unit)
        return text.strip(), f"= {shown}"

    return parse


class QuestionForecastModal(FormModal[QuestionForecastInput | None]):
    title_text = "Add a forecast"
    submit_label = "Add forecast"

    def __init__(self, claim: ClaimSummary, *, forecaster: str, **kwargs) -> None:
        from claimtrack.tui.format import _distribution_text

        current = ""
        if claim.distribution is not None:
            current = f" · now {_distribution_text(claim, claim.distribution)} ({claim.distribution_by})"
        super().__init__(subtitle=f"#{claim.id} {claim.statement}{current}", **kwargs)
        self.claim = claim
        self.forecaster = forecaster

    def compose_fields(self):
        claim = self.claim
        if claim.question_type == "choice":
            label = "Probability of each option (a prefix names one; they add up to 100%)"
            placeholder = ", ".join(f"{o}=…" for o in claim.options)
        else:
            label = "Quantiles or a central interval" + (f" ({claim.unit})" if claim.unit else "")
            placeholder = EXAMPLES[claim.question_type]
        yield Field(label, distribution_parser(claim), id="distribution", placeholder=placeholder)
        yield Field("Forecaster", name_parser("forecaster", self.forecaster), id="forecaster",
                    value=self.forecaster)
        yield Field("Made", date_parser("made", self.clock, "empty: now"), id="made",
                    placeholder="empty: now; yesterday, 2024-03-01 (older than a day: marked backfilled)")
        yield Field("Rationale", text_parser("note"), id="rationale", placeholder="optional")

    def on_mount(self) -> None:
        self.query_one("#distribution-input", Input).focus()

    def build(self) -> QuestionForecastInput:
        return QuestionForecastInput(
            typed=self.field("distribution").value,
            forecaster=self.field("forecaster").value or self.forecaster,
            made_at=self.field("made").value,
            rationale=self.field("rationale").value,
        )


class QuestionResolveModal(FormModal[ResolveInput | None]):
    title_text = "Resolve"
    submit_label = "Resolve"

    def __init__(self, claim: ClaimSummary, **kwargs) -> None:
        subtitle = f"#{claim.id} {claim.statement}"
        if claim.outcome is not None:
            subtitle += " · already resolved; a new resolution is added to its history"
        super().__init__(subtitle=subtitle, **kwargs)
        self.claim = claim

    def compose_fields(self):
        claim = self.claim
        if claim.question_type == "choice":
            label = "The option that happened (a prefix works), or ambiguous / void"
            placeholder = " | ".join(claim.options)
        elif claim.question_type == "date":
            label, placeholder = "The day it happened, or ambiguous / void", "2026-08-14"
        else:
            label = "The true value, or ambiguous / void" + (f" ({claim.unit})" if claim.unit else "")
            placeholder = "1.76T, $63M, 1800"
        yield Field(label, outcome_parser(claim), id="outcome", placeholder=placeholder)
        yield Field("Date the outcome became known", date_parser("at", self.clock, "empty: now"), id="date",
                    placeholder="empty: now; yesterday, 2024-03-01")
        yield Field("Note", text_parser("note"), id="note", placeholder="optional: how it resolved")
        yield Field("Evidence link", url_parser("evidence url"), id="url", placeholder="https://...")

    def on_mount(self) -> None:
        self.query_one("#outcome-input", Input).focus()

    def build(self) -> ResolveInput:
        return ResolveInput(outcome=self.field("outcome").value, resolved_at=self.field("date").value,
                            note=self.field("note").value, evidence_url=self.field("url").value)
