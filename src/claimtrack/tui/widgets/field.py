"""A labelled form field that validates as the user types, with the CLI's own parsers.

Each parser takes the raw text and returns ``(value, hint)`` or raises
InvalidInput; the hint (what the text was understood as) or the error shows
under the input, so "likely" reads "= 70%" and "eoy" reads "= 2024-12-31 23:59".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rich.text import Text

from claimtrack.domain.text import terminal_safe
from textual import on
from textual.containers import Vertical
from textual.widgets import Input, Label, Static, TextArea

from claimtrack.domain import validate
from claimtrack.domain.datefmt import format_datetime
from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.filters import normalise_tags
from claimtrack.domain.probability import format_probability, parse_probability

Parser = Callable[[str], tuple[Any, str]]


# ---------------------------------------------------------------- parsers


def probability_parser(required: bool = True) -> Parser:
    def parse(text: str) -> tuple[Any, str]:
        if not text.strip():
            if required:
                raise InvalidInput("a probability is required: 0.7, 70%, 3 in 4, 3:1 or words like 'likely'")
            return None, "empty: no probability"
        parsed = parse_probability(text)
        hint = f"= {format_probability(parsed.value)}"
        if parsed.phrase:
            hint += f" ('{parsed.phrase}' in the words-of-estimative-probability table)"
        if parsed.warning:
            hint += f"; warning: {parsed.warning}"
        return parsed.value, hint

    return parse


def date_parser(role: str, clock: Callable[[], datetime], empty_hint: str) -> Parser:
    def parse(text: str) -> tuple[Any, str]:
        if not text.strip():
            return None, empty_hint
        from claimtrack.domain.dates import parse_date

        value = parse_date(text, role=role, now=clock())  # type: ignore[arg-type]
        return value, f"= {format_datetime(value)}"

    return parse


def statement_parser(text: str) -> tuple[Any, str]:
    value = validate.statement(text)
    return value, f"{len(value)} characters"


def text_parser(what: str) -> Parser:
    def parse(text: str) -> tuple[Any, str]:
        return validate.optional_text(text, what), ""

    return parse


def name_parser(what: str, default: str | None = None) -> Parser:
    def parse(text: str) -> tuple[Any, str]:
        value = validate.name(text, what)
        if value is None and default:
            return None, f"empty: {default}"
        return value, ""

    return parse


def url_parser(what: str) -> Parser:
    def parse(text: str) -> tuple[Any, str]:
        return validate.url(text, what), ""

    return parse


def tags_parser(text: str) -> tuple[Any, str]:
    tags = normalise_tags(text.split(","))
    return tags, ("tags: " + ", ".join(tags)) if tags else "no tags"


# ------------------------------------------------------------------ widget


def not_before(parse: Parser, earliest: datetime | None, what: str) -> Parser:
    """``parse``, refusing a date before ``earliest`` (the ledger's rule, checked as you type)."""
    def check(text: str) -> tuple[Any, str]:
        value, hint = parse(text)
        if value is not None and earliest is not None and value < earliest:
            raise InvalidInput(f"{what} cannot be before the claim was made ({format_datetime(earliest)}): "
                               "give a later date")
        return value, hint

    return check


class Field(Vertical):
    """Label, an Input (or a TextArea for long text) and a live hint/error line."""

    DEFAULT_CSS = """
    Field { height: auto; margin-bottom: 0; }
    Field > Label { color: $text-muted; }
    Field > Input { border: none; height: 1; padding: 0 1; background: $boost; }
    Field > Input:focus { border: none; background: $primary 25%; }
    Field > Input.-invalid, Field > Input.-invalid:focus { border: none; background: $error 20%; }
    Field > TextArea { border: none; height: 3; padding: 0 1; background: $boost; }
    Field > TextArea:focus { border: none; background: $primary 25%; }
    Field > TextArea.-invalid { background: $error 20%; }
    Field > .hint { color: $text-muted; height: auto; padding-left: 1; }
    Field > .hint.-error { color: $error; }
    """

    def __init__(self, label: str, parse: Parser, *, value: str = "", placeholder: str = "",
                 id: str, multiline: bool = False) -> None:
        super().__init__(id=id)
        self.label = label
        self.parse = parse
        self.initial = value
        self.placeholder = placeholder
        self.multiline = multiline
        self.touched = False

    def compose(self):
        yield Label(Text(self.label))
        if self.multiline:
            area = TextArea(self.initial, id=f"{self.id}-input", soft_wrap=True, show_line_numbers=False,
                            tab_behavior="focus")
            if self.placeholder and hasattr(area, "placeholder"):
                area.placeholder = self.placeholder
            yield area
        else:
            yield Input(self.initial, placeholder=self.placeholder, id=f"{self.id}-input")
        yield Static("", classes="hint")

    def on_mount(self) -> None:
        self.check(show_errors=False)

    @property
    def input(self) -> Input | TextArea:
        return self.query_one(f"#{self.id}-input")  # type: ignore[return-value]

    @property
    def text(self) -> str:
        widget = self.input
        return widget.text if isinstance(widget, TextArea) else widget.value

    @text.setter
    def text(self, value: str) -> None:
        widget = self.input
        if isinstance(widget, TextArea):
            widget.text = value
        else:
            widget.value = value

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _changed(self, event) -> None:
        event.stop()
        self.touched = True
        self.check(show_errors=True)

    def check(self, show_errors: bool = True) -> bool:
        """Validate now; show the hint or the error; True when valid."""
        try:
            _, message = self.parse(self.text)
        except InvalidInput as exc:
            if show_errors:
                self.refuse(str(exc))
            else:
                self.query_one(".hint", Static).update(Text(""))
            return False
        hint = self.query_one(".hint", Static)
        hint.update(Text(terminal_safe(message)))
        hint.remove_class("-error")
        self.input.remove_class("-invalid")
        return True

    def refuse(self, message: str) -> None:
        """Show ``message`` as this field's error (a parser's, or the ledger's refusal)."""
        hint = self.query_one(".hint", Static)
        hint.update(Text(terminal_safe(message)))
        hint.add_class("-error")
        self.input.add_class("-invalid")

    @property
    def value(self) -> Any:
        """The parsed value; raises InvalidInput."""
        return self.parse(self.text)[0]


def first_invalid(fields: list[Field]) -> Field | None:
    """Check every field (showing errors); return the first invalid one."""
    bad = [f for f in fields if not f.check(show_errors=True)]
    return bad[0] if bad else None
