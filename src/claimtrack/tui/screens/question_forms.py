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


def distribution_parser(claim: ClaimSummary):
    """A parser for a forecast of ``claim``: (DistributionInput, summary hint)."""
    from claimtrack.domain.distribution import summary
    from claimtrack.services.questions import parse_for, typed_distribution

    def parse(text: str):
        if not text.strip():
            raise InvalidInput("give the forecast: " + (", ".join(f"{o}=…" for o in claim.options)
                                                        if claim.question_type == "choice"
                                                        else EXAMPLES[claim.question_type]))
        typed = typed_distribution(claim.question_type, text)
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

    def __init__(self, claim: ClaimSummary, *, outcome: str | None = None, **kwargs) -> None:
        subtitle = f"#{claim.id} {claim.statement}"
        if claim.outcome is not None:
            subtitle += " · already resolved; a new resolution is added to its history"
        super().__init__(subtitle=subtitle, **kwargs)
        self.claim = claim
        # review mode's a/v fill in ambiguous/void; its y/n leave the option or value to type
        self.initial_outcome = outcome if outcome in ("ambiguous", "void") else None

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
        yield Field(label, outcome_parser(claim), id="outcome", placeholder=placeholder,
                    value=self.initial_outcome or "")
        yield Field("Date the outcome became known", date_parser("at", self.clock, "empty: now"), id="date",
                    placeholder="empty: now; yesterday, 2024-03-01")
        yield Field("Note", text_parser("note"), id="note", placeholder="optional: how it resolved")
        yield Field("Evidence link", url_parser("evidence url"), id="url", placeholder="https://...")

    def on_mount(self) -> None:
        self.query_one("#outcome-input", Input).focus()

    def build(self) -> ResolveInput:
        return ResolveInput(outcome=self.field("outcome").value, resolved_at=self.field("date").value,
                            note=self.field("note").value, evidence_url=self.field("url").value)


KINDS = {"choice": "choice", "multiple choice": "choice", "c": "choice", "numeric": "numeric", "number": "numeric",
         "quantity": "numeric", "n": "numeric", "date": "date", "when": "date", "d": "date"}


def kind_parser(text: str):
    words = " ".join(text.lower().split())
    ordered = words.endswith(" ordered")
    key = words[:-len(" ordered")] if ordered else words
    if key not in KINDS or (ordered and KINDS[key] != "choice"):
        raise InvalidInput("the kind is choice (or 'choice ordered' for a scale), numeric or date")
    kind = KINDS[key]
    hint = {"choice": "one of several options", "numeric": "a quantity, forecast as quantiles",
            "date": "a date, forecast as quantiles of dates"}[kind]
    return (kind, ordered), f"= {hint}" + (" (the options form a scale)" if ordered else "")


class AddQuestionModal(FormModal[Any]):
    """A multiple-choice, numeric or date claim with your first numbers (services.questions.NewQuestion)."""

    title_text = "Add a question with options, a quantity or a date"
    submit_label = "Add question"

    def __init__(self, *, forecaster: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.forecaster = forecaster

    def _kind(self) -> tuple[str, bool]:
        try:
            return kind_parser(self.field("kind").text)[0]
        except Exception:  # noqa: BLE001 - not typed yet, or not mounted
            return "choice", False

    def _numbers(self, text: str):
        kind, _ = self._kind()
        if not text.strip():
            raise InvalidInput("give your numbers: " + ("a=15%, b=50%, c=35%" if kind == "choice"
                                                         else EXAMPLES[kind]))
        if kind == "choice":
            from claimtrack.domain.choice import options_from_specs, summary

            labels, probs, note = options_from_specs([p for p in text.split(",") if p.strip()])
            if probs is None:
                return (labels, None), "= options " + " | ".join(labels) + " (no forecast yet)"
            return (labels, probs), "= " + summary(labels, probs) + (f" ({note})" if note else "")
        from claimtrack.domain.quantity import summary
        from claimtrack.services.questions import parse_quantiles, split_quantities

        quantiles, intervals = split_quantities(text)
        dist = parse_quantiles(quantiles, intervals, is_date=kind == "date")
        return ((), dist), "= " + summary(dist, is_date=kind == "date")

    def compose_fields(self):
        from claimtrack.tui.widgets.field import statement_parser, tags_parser

        yield Field("Question", statement_parser, id="statement", placeholder="Why was the CEO fired?")
        yield Field("Kind", kind_parser, id="kind", value="choice", placeholder="choice, choice ordered, numeric, date")
        yield Field(f"Options with your probabilities, or your quantiles (as {self.forecaster})", self._numbers,
                    id="numbers", placeholder="malfeasance=15%, AI safety=50%, power=35%  |  10%=1T, 50%=1.8T, 90%=3T")
        yield Field("Unit (numeric)", text_parser("unit"), id="unit", placeholder="parameters, tokens, $")
        yield Field("Source (who asked or claimed it)", name_parser("source", "you"), id="source",
                    placeholder="empty: you")
        yield Field("Made", date_parser("made", self.clock, "empty: now"), id="made", placeholder="empty: now")
        yield Field("Due (resolve by)", date_parser("due", self.clock, "empty: no due date"), id="due",
                    placeholder="eoy, 2026-06-30")
        yield Field("Tags (comma-separated)", tags_parser, id="tags", placeholder="openai")

    def on_mount(self) -> None:
        self.query_one("#statement-input", Input).focus()

    def build(self):
        from claimtrack.services.questions import NewQuestion

        kind, ordered = self.field("kind").value
        self.field("numbers").check(show_errors=True)  # re-read against the kind as it is now
        options, dist = self._numbers(self.field("numbers").text)[0]
        made, due = self.field("made").value, self.field("due").value
        if due is not None and made is not None and due < made:
            raise InvalidInput("the due date is before the claim was made: give a later due date")
        return NewQuestion(statement=self.field("statement").value, question_type=kind, forecaster=self.forecaster,
                           options=options, ordered=ordered, unit=self.field("unit").value if kind == "numeric" else None,
                           distribution=dist, source=self.field("source").value, stated_at=made, resolve_by=due,
                           tags=self.field("tags").value)
