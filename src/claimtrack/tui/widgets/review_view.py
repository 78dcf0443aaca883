"""Review mode: the queue of what needs attention (services.review), one claim at a time.

Keys: y/n/a/v resolve (the form opens with that outcome, for a note and an
evidence link), f updates your forecast, d defers the due date, s skips; on a
draft, y accepts and x rejects.  After each action the next item shows and the
counter moves on ("3 of 11"); after the last, the session's summary.  Every
write goes through the same forms and services as the claims view, one
transaction each, and a refusal keeps the form open with what was typed.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from claimtrack.tui.backend import describe_error

CLAIM_ACTIONS = {"resolve_yes", "resolve_no", "resolve_ambiguous", "resolve_void", "forecast", "defer"}
DRAFT_ACTIONS = {"accept", "reject"}


class ReviewView(Vertical):
    PAGE = 40  # queue items read at a time (services.review_pages); the first page is the first screen
    PREFETCH = 5  # the next page is read when this few loaded items are left
    BINDINGS = [
        Binding("y", "yes", "Yes / accept", tooltip="Resolve yes (a draft: accept it)", id="review.yes"),
        Binding("n", "resolve('no')", "No", tooltip="Resolve no", id="review.no"),
        Binding("a", "resolve('ambiguous')", "Ambiguous", tooltip="Resolve ambiguous (not scored)",
                id="review.ambiguous"),
        Binding("v", "resolve('void')", "Void", tooltip="Resolve void (not scored)", id="review.void"),
        Binding("f", "forecast", "Forecast", tooltip="Update your forecast", id="review.forecast"),
        Binding("d", "defer", "Defer", tooltip="Push the due date back: +1 week, +1 month or a date",
                id="review.defer"),
        Binding("x", "reject", "Reject", tooltip="Reject the draft", id="review.reject"),
        Binding("s", "skip", "Skip", tooltip="Leave it for now", id="review.skip"),
        Binding("t", "table", "Table", tooltip="The full claims table (1)", id="review.table"),
    ]

    class Loaded(Message):
        def __init__(self, items, error: BaseException | None = None, counts=None, cursor=None) -> None:
            self.items, self.error, self.counts, self.cursor = items, error, counts, cursor
            super().__init__()

    class More(Message):
        """The next page of the queue (``generation``: the read of the queue it continues)."""

        def __init__(self, generation: int, items, cursor, error: BaseException | None = None) -> None:
            self.generation, self.items, self.cursor, self.error = generation, items, cursor, error
            super().__init__()

    class DetailLoaded(Message):
        def __init__(self, index: int, detail) -> None:
            self.index, self.detail = index, detail
            super().__init__()

    class Summary(Message):
        def __init__(self, text: str) -> None:
            self.text = text
            super().__init__()

    def __init__(self, **kwargs) -> None:
        from claimtrack.services.review import Tally

        super().__init__(**kwargs)
        self.items: list = []  # the queue items read so far (a page at a time), in queue order
        self.index = 0
        self.total = 0  # the queue's length when it was read (count_queue)
        self._cursor = None  # where the next page starts (None: the queue is all read)
        self._seen: set[int] = set()  # claims already in items (a deferred one can come round again)
        self._generation = 0  # bumped by each read of the queue: a late page of an older read is dropped
        self._fetching = False
        self.tally = Tally()
        self.loaded = False
        self.summary: str | None = None
        self.can_focus = True

    def compose(self):
        yield Static(Text("Looking for what needs your attention…", style="dim"), id="review-head")
        with VerticalScroll(id="review-body"):
            yield Static("", id="review-detail")
        yield Static(Text("y/n/a/v resolve · f forecast · d defer · s skip · t the full table", style="dim"),
                     id="review-status", classes="score-status")

    def on_mount(self) -> None:
        self.refresh_data()

    @property
    def backend(self):
        return self.app.backend  # type: ignore[attr-defined]

    @property
    def current(self):
        """The QueueItem on screen, or None (loading, empty or done)."""
        return self.items[self.index] if self.loaded and self.index < len(self.items) else None

    # ------------------------------------------------------------ loading

    def shown(self) -> None:
        self.focus()

    def refresh_data(self) -> None:
        """Read the queue again (what is done no longer needs attention); the tally stays."""
        self._load()

    @work(thread=True, exclusive=True, group="review-queue", exit_on_error=False, description="Reading the queue")
    def _load(self) -> None:
        try:
            items, counts, cursor = self.backend.review_first(self.PAGE)
        except Exception as exc:  # noqa: BLE001
            self.post_message(self.Loaded([], exc))
            return
        self.post_message(self.Loaded(items, counts=counts, cursor=cursor))

    @work(thread=True, exclusive=True, group="review-more", exit_on_error=False, description="Reading the queue")
    def _load_more(self, generation: int, cursor) -> None:
        try:
            items, after = self.backend.review_page(cursor, self.PAGE)
        except Exception as exc:  # noqa: BLE001
            self.post_message(self.More(generation, [], None, exc))
            return
        self.post_message(self.More(generation, items, after))

    def _fetch_more(self) -> None:
        if self._cursor is not None and not self._fetching:
            self._fetching = True
            self._load_more(self._generation, self._cursor)

    @on(More)
    def _more(self, message: More) -> None:
        if message.generation != self._generation:
            return
        self._fetching = False
        if message.error is not None:
            self.app.notify(describe_error(message.error), title="Could not read the review queue",
                            severity="error", markup=False)
        waiting = self.current is None
        for item in message.items:
            if item.claim.id not in self._seen:
                self._seen.add(item.claim.id)
                self.items.append(item)
        self._cursor = None if message.cursor is None or message.cursor.done else message.cursor
        if waiting:
            self._show()

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.error is not None:
            self.app.notify(describe_error(message.error), title="Could not read the review queue",
                            severity="error", markup=False)
        self.items, self.index, self.loaded, self.summary = list(message.items), 0, True, None
        self._generation += 1
        self._fetching = False
        self._seen = {item.claim.id for item in self.items}
        self._cursor = None if message.cursor is None or message.cursor.done else message.cursor
        self.total = sum(message.counts.values()) if message.counts else len(self.items)
        if not self.items:
            self.query_one("#review-head", Static).update(Text("Nothing needs your attention.", style="bold"))
            self.query_one("#review-detail", Static).update(
                Text("No overdue, due-soon or stale claims and no drafts. Press t (or 1) for the full table.",
                     style="dim"))
            self.app.post_message(self.Empty())
        self._show()
        release = getattr(self.app, "release_claims", None)
        if release is not None:  # the first claim (or the empty queue) is drawn: the claims table may read
            self.call_after_refresh(release)

    class Empty(Message):
        """The queue is empty (the app then opens the claims table)."""

    def _show(self) -> None:
        self.refresh_bindings()
        item = self.current
        total = max(self.total, len(self.items))
        if item is None:
            if self.loaded and self._cursor is not None:  # the next page is on its way
                self.query_one("#review-head", Static).update(
                    Text(f"Review · {self.index + 1} of {total}", style="bold"))
                self.query_one("#review-detail", Static).update(Text("Loading…", style="dim"))
                self._fetch_more()
            elif self.items:
                self._finish()
            return
        if len(self.items) - self.index <= self.PREFETCH:
            self._fetch_more()
        head = Text(f"Review · {self.index + 1} of {total}", style="bold")
        head.append(f"  ·  #{item.claim.id} ", style="bold")
        head.append(item.why, style="bold red" if item.reason == "overdue" else "yellow")
        self.query_one("#review-head", Static).update(head)
        self.query_one("#review-detail", Static).update(Text("Loading…", style="dim"))
        # read once the head is drawn: the claim's number and reason do not wait for its history
        self.call_after_refresh(self._load_detail, self.index, item.claim.id)

    @work(thread=True, exclusive=True, group="review-detail", exit_on_error=False, description="Loading claim")
    def _load_detail(self, index: int, claim_id: int) -> None:
        try:
            detail = self.backend.detail(claim_id)
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.app.notify, describe_error(exc), severity="error", markup=False)
            return
        self.post_message(self.DetailLoaded(index, detail))

    @on(DetailLoaded)
    def _detail_loaded(self, message: DetailLoaded) -> None:
        from claimtrack.tui.format import detail_renderable

        if message.index != self.index:
            return
        self.query_one("#review-detail", Static).update(detail_renderable(message.detail, self.backend.now()))
        self.query_one("#review-body", VerticalScroll).scroll_home(animate=False)

    def _finish(self) -> None:
        self.query_one("#review-head", Static).update(
            Text(f"Review done · {len(self.items)} of {len(self.items)}", style="bold green"))
        self.query_one("#review-detail", Static).update(Text("Adding up your session…", style="dim"))
        self._load_summary(self.tally)

    @work(thread=True, exclusive=True, group="review-summary", exit_on_error=False, description="Scoring")
    def _load_summary(self, tally) -> None:
        try:
            text = self.backend.session_summary(tally)
        except Exception as exc:  # noqa: BLE001
            from claimtrack.services.review import summary_line

            text = summary_line(tally, None) + f" (score unavailable: {describe_error(exc)})"
        self.post_message(self.Summary(text))

    @on(Summary)
    def _summary(self, message: Summary) -> None:
        self.summary = message.text
        body = Text(message.text, style="bold")
        body.append("\n\nctrl+r reads the queue again · t (or 1) shows the full table", style="dim")
        self.query_one("#review-detail", Static).update(body)

    # ------------------------------------------------------------ actions

    def check_action(self, action: str, parameters) -> bool | None:
        item = self.current
        if action in ("yes", "resolve", "forecast", "defer", "accept", "reject") and self.backend.read_only:
            return False  # a read-only ledger (a team ledger's viewer): no write keys
        if action == "resolve":
            action = f"resolve_{parameters[0]}" if parameters else action
        if action not in CLAIM_ACTIONS | DRAFT_ACTIONS | {"yes", "skip"}:
            return True
        if item is None:
            return False
        draft = item.reason == "draft"
        if action == "yes":
            return True
        if action in DRAFT_ACTIONS:
            return draft
        if action in CLAIM_ACTIONS:
            return not draft
        return True

    def _done(self, what: str, out) -> None:
        """A write committed (``out`` from the form): count it and move on."""
        if out is None:
            return  # cancelled: stay on this item
        text, claim_id = out
        self.app.notify(text, title="Saved", markup=False)
        self.tally.note(what, self.current.claim.id if self.current else claim_id)
        self.app.mark_claims_changed()  # type: ignore[attr-defined]
        self._next()

    def _next(self) -> None:
        self.index += 1
        self._show()

    def _clock(self):
        return self.backend.now if self.backend.fixed_clock else None

    def action_yes(self) -> None:
        item = self.current
        if item is None:
            return
        if item.reason == "draft":
            self.action_accept()
        else:
            self.action_resolve("yes")

    def action_resolve(self, outcome: str) -> None:
        from claimtrack.tui import writes
        from claimtrack.tui.forms import resolve_form

        item = self.current
        if item is None or item.reason == "draft":
            return
        backend = self.backend
        self.app.push_screen(
            resolve_form(item.claim, backend, writes.Target(backend, item.claim), self._clock(), force=False,
                         outcome=outcome),
            lambda out: self._done("resolved", out))

    def action_forecast(self) -> None:
        from claimtrack.tui import writes
        from claimtrack.tui.forms import forecast_form

        item = self.current
        if item is None or item.reason == "draft":
            return
        backend = self.backend
        self.app.push_screen(forecast_form(item.claim, backend, writes.Target(backend, item.claim), self._clock()),
                             lambda out: self._done("updated", out))

    def action_defer(self) -> None:
        from claimtrack.tui import writes
        from claimtrack.tui.screens.defer import DeferModal

        item = self.current
        if item is None or item.reason == "draft":
            return
        backend = self.backend
        target = writes.Target(backend, item.claim)
        self.app.push_screen(
            DeferModal(item.claim, clock=self._clock(), save=lambda choice: writes.defer(backend, target, choice),
                       on_stale=target.refetch),
            lambda out: self._done("deferred", out))

    def action_accept(self) -> None:
        from claimtrack.tui import writes
        from claimtrack.tui.screens.accept import AcceptModal

        item = self.current
        if item is None or item.reason != "draft":
            return
        backend = self.backend
        self.app.push_screen(
            AcceptModal(item.claim, clock=self._clock(), save=lambda result: writes.accept(backend, item.claim, result)),
            lambda out: self._done("accepted", out))

    def action_reject(self) -> None:
        from claimtrack.tui.screens.confirm import ConfirmModal

        item = self.current
        if item is None or item.reason != "draft":
            return

        def answered(ok: bool | None) -> None:
            if ok:
                self._reject(item.claim.id)

        self.app.push_screen(ConfirmModal(f"Reject draft #{item.claim.id}?\n{item.claim.statement}",
                                          title="Reject draft", yes="Reject", no="Keep"), answered)

    @work(thread=True, exit_on_error=False, group="review-write", description="Rejecting")
    def _reject(self, claim_id: int) -> None:
        try:
            self.backend.reject(claim_id)
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.app.notify, describe_error(exc), title="Could not reject",
                                      severity="error", markup=False)
            return
        self.app.call_from_thread(self._done, "rejected", (f"Rejected #{claim_id}.", claim_id))

    def action_skip(self) -> None:
        item = self.current
        if item is None:
            return
        self.tally.note("skipped", item.claim.id)
        self._next()

    def action_table(self) -> None:
        self.app.action_view("claims")  # type: ignore[attr-defined]
