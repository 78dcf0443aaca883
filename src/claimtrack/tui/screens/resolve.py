"""The "resolve" form: yes / no / ambiguous / void, date, note, evidence link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual.widgets import Label, RadioButton, RadioSet

from claimtrack.domain.datefmt import format_date
from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.records import OUTCOMES, ClaimSummary
from claimtrack.tui.screens.form import FormModal
from claimtrack.tui.widgets.field import Field, date_parser, not_before, text_parser, url_parser

HELP = {
    "yes": "it happened / is true",
    "no": "it did not happen / is false",
    "ambiguous": "the outcome is unclear (not scored)",
    "void": "the question no longer makes sense (not scored)",
}


@dataclass(frozen=True)
class ResolveInput:
    outcome: str
    resolved_at: datetime | None  # None: now
    note: str | None
    evidence_url: str | None


class ResolveModal(FormModal[ResolveInput | None]):
    title_text = "Resolve"
    submit_label = "Resolve"

    def __init__(self, claim: ClaimSummary, *, outcome: str | None = None, **kwargs) -> None:
        subtitle = f"#{claim.id} {claim.statement}"
        if claim.outcome is not None and claim.resolved_at is not None:
            subtitle += f" · currently {claim.outcome} ({format_date(claim.resolved_at)}); a new resolution is added to its history"
        super().__init__(subtitle=subtitle, **kwargs)
        self.claim = claim
        self.initial_outcome = outcome  # review mode's y/n/a/v

    def compose_fields(self):
        yield Label("Outcome (y / n / a / v)")
        with RadioSet(id="outcome"):
            for outcome in OUTCOMES:
                yield RadioButton(Text(f"{outcome}: {HELP[outcome]}"), id=f"outcome-{outcome}",
                                  value=outcome == self.initial_outcome)
        yield Field("Date the outcome became known",
                    not_before(date_parser("at", self.clock, "empty: now"), self.claim.stated_at, "the resolution date"),
                    id="date", placeholder="empty: now; yesterday, 2024-03-01")
        yield Field("Note", text_parser("note"), id="note", placeholder="optional: how it resolved",
                    multiline=True)
        yield Field("Evidence link", url_parser("evidence url"), id="url", placeholder="https://...")

    def on_mount(self) -> None:
        if self.initial_outcome is not None:
            self.query_one("#note-input").focus()
        else:
            self.query_one(RadioSet).focus()

    def on_key(self, event) -> None:
        shortcuts = {"y": "yes", "n": "no", "a": "ambiguous", "v": "void"}
        if event.key in shortcuts and isinstance(self.focused, RadioSet):
            self.query_one(f"#outcome-{shortcuts[event.key]}", RadioButton).value = True
            event.stop()

    @property
    def outcome(self) -> str | None:
        pressed = self.query_one(RadioSet).pressed_button
        return pressed.id.removeprefix("outcome-") if pressed is not None and pressed.id else None

    def build(self) -> ResolveInput:
        if self.outcome is None:
            self.query_one(RadioSet).focus()
            raise InvalidInput("pick an outcome: yes, no, ambiguous or void")
        return ResolveInput(
            outcome=self.outcome,
            resolved_at=self.field("date").value,
            note=self.field("note").value,
            evidence_url=self.field("url").value,
        )
