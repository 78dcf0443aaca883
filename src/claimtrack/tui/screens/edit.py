"""The "edit" form: statement, source, link, due date, tags, details (kept as history)."""

from __future__ import annotations

from dataclasses import dataclass, field

from claimtrack.domain.datefmt import format_datetime
from claimtrack.domain.records import ClaimDetail
from claimtrack.tui.screens.form import FormModal
from claimtrack.tui.widgets.field import (
    Field,
    date_parser,
    name_parser,
    statement_parser,
    tags_parser,
    text_parser,
    url_parser,
)

# form field id -> edit_claim keyword
FIELDS = {"statement": "statement", "source": "source", "url": "source_url", "due": "resolve_by",
          "tags": "tags", "details": "details"}


@dataclass(frozen=True)
class EditInput:
    changes: dict = field(default_factory=dict)  # edit_claim keywords -> new values


class EditModal(FormModal[EditInput | None]):
    title_text = "Edit claim"
    submit_label = "Save changes"

    def __init__(self, detail: ClaimDetail, **kwargs) -> None:
        super().__init__(subtitle=f"#{detail.claim.id} · every change is kept in the claim's history", **kwargs)
        self.detail = detail
        c = detail.claim
        self.initial = {
            "statement": c.statement,
            "source": c.source or "",
            "url": c.source_url or "",
            "due": format_datetime(c.resolve_by) if c.resolve_by else "",
            "tags": ", ".join(c.tags),
            "details": detail.details or "",
        }

    def compose_fields(self):
        i = self.initial
        yield Field("Statement", statement_parser, id="statement", value=i["statement"],
                    multiline=len(i["statement"]) > 60)
        yield Field("Source", name_parser("source"), id="source", value=i["source"])
        yield Field("Source link", url_parser("source url"), id="url", value=i["url"])
        yield Field("Due (resolve by)", date_parser("due", self.clock, "empty: no due date"), id="due",
                    value=i["due"])
        yield Field("Tags (comma-separated)", tags_parser, id="tags", value=i["tags"])
        yield Field("Details / resolution criteria", text_parser("details"), id="details", value=i["details"],
                    multiline=True)

    def on_mount(self) -> None:
        self.query_one("#statement-input").focus()

    def build(self) -> EditInput:
        changes = {}
        for name, keyword in FIELDS.items():
            f = self.field(name)
            if f.text.strip() != self.initial[name].strip():
                changes[keyword] = f.value
        return EditInput(changes)
