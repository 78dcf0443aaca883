"""A modal form: fields that validate as you type, ctrl+s or the button submits, esc cancels.

With a ``save`` callable the form writes before it closes: the write runs in a
worker, and a refusal from the ledger comes back as the error of the field it
is about (or under the form), with everything typed kept.  A refusal because
the claim changed meanwhile (StaleRecord) calls ``on_stale`` (which fetches the
claim again) and says so; saving again then writes against the fresh claim.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Generic, TypeVar

from rich.text import Text

from claimtrack.domain.text import terminal_safe
from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static, TextArea

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

    class Saved(Message):
        def __init__(self, result) -> None:
            self.result = result
            super().__init__()

    class Refused(Message):
        def __init__(self, error: BaseException) -> None:
            self.error = error
            super().__init__()

    def __init__(self, *, clock: Callable[[], datetime] | None = None, subtitle: str | None = None,
                 save: Callable[[T], object] | None = None,
                 on_stale: Callable[[], str | None] | None = None) -> None:
        super().__init__()
        from claimtrack.domain.dates import utcnow

        self.clock = clock or utcnow
        self.subtitle = subtitle
        self.save = save  # writes the result (in a worker); the form closes with what it returns
        self.on_stale = on_stale  # after a stale refusal: fetch the claim again (in a worker); a line to show
        self.saving = False

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
        if self.save is None:
            self.dismiss(result)
        elif not self.saving:
            self.saving = True
            self.show_error("")
            self._save(result)

    @work(thread=True, exit_on_error=False, group="form-save", description="Saving")
    def _save(self, result: T) -> None:
        try:
            out = self.save(result)  # type: ignore[misc]
        except Exception as exc:  # noqa: BLE001 - shown in the form
            note = None
            from claimtrack.domain.errors import StaleRecord

            if isinstance(exc, StaleRecord) and self.on_stale is not None:
                try:
                    note = self.on_stale()
                except Exception:  # noqa: BLE001 - the refusal itself is still shown
                    note = None
            exc.ui_note = note  # type: ignore[attr-defined]
            self.post_message(self.Refused(exc))
            return
        self.post_message(self.Saved(out))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        self.saving = False
        self.dismiss(message.result)

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        """The ledger said no: the field it is about shows why; nothing typed is lost."""
        from claimtrack.domain.errors import StaleRecord
        from claimtrack.tui.backend import describe_error
        from claimtrack.tui.refusals import field_for

        self.saving = False
        text = describe_error(message.error)
        if isinstance(message.error, StaleRecord):
            note = getattr(message.error, "ui_note", None)
            self.show_error(f"{text}\nWhat you typed is kept. {note or ''} Check it and press ctrl+s to save "
                            "against the claim as it is now, or esc to cancel.".replace("  ", " "))
            return
        name = field_for(text, {f.id for f in self.fields() if f.id})
        if name is not None:
            field = self.field(name)
            field.refuse(text)
            field.input.focus()
            self.show_error(f"Not saved: see the {field.label.lower()} field.")
        else:
            self.show_error(f"Not saved: {text}")

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
        inputs = [w for w in self.query("Input, TextArea") if isinstance(w, (Input, TextArea))]
        if event.input is inputs[-1]:
            self.action_submit()
        else:
            self.focus_next()
