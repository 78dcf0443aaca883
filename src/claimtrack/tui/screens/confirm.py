"""A yes/no question; its result is a bool."""

from __future__ import annotations

from rich.text import Text

from claimtrack.domain.text import terminal_safe
from textual import on
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmModal(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
        Binding("left,right", "app.focus_next", "Move", show=False),
    ]

    def __init__(self, question: str, *, title: str = "Confirm", yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.title_text = title
        self.yes_label = yes
        self.no_label = no

    def compose(self):
        with Vertical(classes="confirm-body") as body:
            body.border_title = self.title_text
            yield Static(Text(terminal_safe(self.question)))
            with Horizontal(classes="form-buttons"):
                yield Button(Text(f"{self.yes_label} [y]"), variant="warning", id="confirm-yes")
                yield Button(Text(f"{self.no_label} [n]"), id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        self.dismiss(False)
