"""The help screen (?): every key, built from the bindings themselves, plus input formats."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

FORMATS = (
    ("probability", "0.7 · 70% · 70 · 7/10 · 3 in 4 · odds 3:1 · words: almost certain 90, likely 70, "
                    "real possibility 60, maybe 50, might happen 40, unlikely 20, rarely 10"),
    ("dates", "today · yesterday · tomorrow · 3 days ago · in 3 months · 2w · eom · eoy · 2024-03 · "
              "Nov 18 2023 · 2023-11-27 7:44 AM; a due date alone means the end of that day"),
    ("filter", "/ then words: matches the statement, the source or a tag; esc clears it"),
    ("stale", "a claim changed by someone else since you looked is never overwritten: ctrl+r reloads"),
)


def _keys(binding: Binding) -> str:
    return binding.key_display or " / ".join(k.strip() for k in binding.key.split(","))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss_help", "Close", id="help.close")]

    def __init__(self, sections: list[tuple[str, list[Binding]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self):
        with VerticalScroll(classes="help-body") as body:
            body.border_title = "claimtrack · keys"
            yield Static(self._help_table())

    def _help_table(self) -> Table:
        table = Table(box=None, show_header=False, expand=True, pad_edge=False)
        table.add_column("key", style="bold", no_wrap=True, width=14)
        table.add_column("what", ratio=1)
        for title, bindings in self.sections:
            table.add_row(Text(""), Text(""))
            table.add_row(Text(title, style="bold underline"), Text(""))
            for binding in bindings:
                if not binding.description:
                    continue
                what = Text(binding.description)
                if binding.tooltip:
                    what.append(f" · {binding.tooltip}", style="dim")
                table.add_row(Text(_keys(binding)), what)
        table.add_row(Text(""), Text(""))
        table.add_row(Text("What you type", style="bold underline"), Text(""))
        for name, text in FORMATS:
            table.add_row(Text(name), Text(text))
        table.add_row(Text(""), Text(""))
        table.add_row(Text("esc / ?", style="dim"), Text("close this screen", style="dim"))
        return table

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
