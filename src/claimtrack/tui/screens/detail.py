"""One claim's whole record on its own screen (Enter on a row, or go-to-claim)."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from claimtrack.tui.backend import describe_error
from claimtrack.tui.format import detail_renderable


class DetailScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,enter,q", "close", "Close", id="detail.close"),
        Binding("j", "scroll('down')", "Down", show=False),
        Binding("k", "scroll('up')", "Up", show=False),
    ]

    class Loaded(Message):
        def __init__(self, detail) -> None:
            self.detail = detail
            super().__init__()

    def __init__(self, claim_id: int, detail=None) -> None:
        super().__init__()
        self.claim_id = claim_id
        self.detail = detail

    def compose(self):
        with VerticalScroll(classes="detail-body", id="detail-scroll") as body:
            body.border_title = f"claim #{self.claim_id}"
            body.border_subtitle = "esc closes"
            yield Static(Text("Loading…", style="dim"), id="detail-full")

    def on_mount(self) -> None:
        self.query_one("#detail-scroll").focus()
        self._load()

    @work(thread=True, exit_on_error=False, group="detail-screen")
    def _load(self) -> None:
        try:
            detail = self.app.backend.detail(self.claim_id)  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self._failed, exc)
            return
        self.post_message(self.Loaded(detail))

    def _failed(self, exc: BaseException) -> None:
        self.query_one("#detail-full", Static).update(Text(describe_error(exc)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.detail = message.detail
        now = self.app.backend.now()  # type: ignore[attr-defined]
        self.query_one("#detail-full", Static).update(detail_renderable(message.detail, now))

    def action_scroll(self, where: str) -> None:
        scroll = self.query_one("#detail-scroll", VerticalScroll)
        scroll.scroll_down() if where == "down" else scroll.scroll_up()

    def action_close(self) -> None:
        self.dismiss(None)
