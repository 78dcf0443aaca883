"""A modal form: fields that validate as you type, ctrl+s or the button submits, esc cancels."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Generic, TypeVar

from rich.text import Text

from claimtrack.domain.text import terminal_safe
from textual import on
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from claimtrack.domain.errors import InvalidInput
from claimtrack.tui.widgets.field import Field, first_invalid

T = TypeVar("T")


class FormModal(ModalScreen[T], Generic[T]):
    """Subclasses define ``title``, ``compose_fields`` and ``build`` (returns the result)."""

    title_text = "Form"
    submit_label = "Save"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without saving", id="form.cancel"),
        Binding("ctrl+s", "submit", "Save", tooltip="Check the fields and save", id="form.submit",
                priority=True),
    ]

    def __init__(self, *, clock: Callable[[], datetime] | None = None, subtitle: str | None = None) -> None:
        super().__init__()
        from claimtrack.domain.dates import utcnow

        self.clock = clock or utcnow
        self.subtitle = subtitle

    def compose(self):
        with VerticalScroll(classes="form-body") as body:
            body.border_title = self.title_text
            if self.subtitle:
                yield Static(Text(terminal_safe(self.subtitle)), classes="form-subtitle")
            yield from self.compose_fields()
            yield Static("", id="form-error")
            with Horizontal(classes="form-buttons"):
                yield Button(self.submit_label, variant="primary", id="form-submit")
                yield Button("Cancel", id="form-cancel")
            yield Static(Text("ctrl+s saves · esc cancels · tab moves", style="dim"), classes="form-keys")

    def compose_fields(self):  # pragma: no cover - every form defines its fields
        raise TypeError(f"{type(self).__name__} must define compose_fields()")

    def build(self) -> T:  # pragma: no cover - every form builds its own result
        raise TypeError(f"{type(self).__name__} must define build()")

    def fields(self) -> list[Field]:
        return list(self.query(Field))

    def field(self, name: str) -> Field:
        return self.query_one(f"#{name}", Field)

    def show_error(self, message: str) -> None:
        error = self.query_one("#form-error", Static)
        error.update(Text(terminal_safe(message)))
        error.set_class(bool(message), "-shown")

    def action_submit(self) -> None:
        bad = first_invalid(self.fields())
        if bad is not None:
            self.show_error(f"Fix the {bad.label.lower()} field first.")
            bad.input.focus()
            return
        try:
            result = self.build()
        except InvalidInput as exc:
            self.show_error(str(exc))
            return
        self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#form-submit")
    def _submit_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        """Enter moves to the next field; on the last one it submits."""
        event.stop()
        inputs = list(self.query(Input))
        if event.input is inputs[-1]:
            self.action_submit()
        else:
            self.focus_next()
