"""The write actions of the claims view: a modal collects the input, a worker writes.

Every write passes the revision of the claim as it was shown, so a claim
changed by another process meanwhile is refused (StaleRecord) instead of
overwritten; the view then reloads and says so.

The modals (and the parsers and services behind them) are imported when an
action first needs them, so starting the UI does not pay for them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work
from textual.binding import Binding

from claimtrack.domain.records import ClaimSummary

if TYPE_CHECKING:
    from claimtrack.tui.screens.accept import AcceptInput
    from claimtrack.tui.screens.edit import EditInput
    from claimtrack.tui.screens.forecast import ForecastInput
    from claimtrack.tui.screens.resolve import ResolveInput

NEEDS_ACTIVE = {"forecast", "resolve", "edit"}
NEEDS_DRAFT = {"accept", "reject"}
WRITES = {"add", "add_question", "forecast", "resolve", "edit", "accept", "reject"}


class ClaimActions:
    """Mixin for ClaimsView (which defines Written, Failed, backend, shown_claim)."""

    ACTION_BINDINGS = [
        Binding("a", "add", "Add", tooltip="Add a claim with your probability", id="claims.add"),
        Binding("A", "add_question", "Add question", tooltip="Add a multiple-choice, numeric or date question",
                id="claims.add_question", show=False),
        Binding("f", "forecast", "Forecast", tooltip="Add a forecast (an update) to the selected claim",
                id="claims.forecast"),
        Binding("r", "resolve", "Resolve", tooltip="Resolve the selected claim yes, no, ambiguous or void",
                id="claims.resolve"),
        Binding("e", "edit", "Edit", tooltip="Edit statement, source, due date, tags, details (kept as history)",
                id="claims.edit"),
        Binding("y", "accept", "Accept", tooltip="Accept the selected draft into the ledger", id="inbox.accept"),
        Binding("x", "reject", "Reject", tooltip="Reject the selected draft", id="inbox.reject"),
    ]

    # ------------------------------------------------------------ plumbing

    def check_action(self, action: str, parameters) -> bool | None:
        if action in WRITES and self.backend.read_only:  # type: ignore[attr-defined]
            return False  # a read-only ledger (a team ledger's viewer): no write keys
        if action not in NEEDS_ACTIVE | NEEDS_DRAFT:
            return True
        claim = self.table.selected()  # type: ignore[attr-defined]
        inbox = self.state == "draft"  # type: ignore[attr-defined]
        if claim is None and self.starting:  # type: ignore[attr-defined]
            # the first page is on its way: show the keys as they will be, rather
            # than greyed for a moment (and the footer built twice)
            return not inbox if action in NEEDS_ACTIVE else False
        if action in NEEDS_DRAFT:
            if not inbox:
                return False  # hidden outside the inbox
            return claim is not None and claim.status == "draft" or None
        if inbox:
            return False
        if action == "forecast" and claim is not None and claim.outcome is not None:
            return False  # a forecast after the resolution never counts: not offered
        return claim is not None and claim.status == "active" or None

    def _selected(self) -> ClaimSummary | None:
        claim = self.shown_claim()  # type: ignore[attr-defined]
        if claim is None:
            self.app.notify("Select a claim first.", severity="warning")  # type: ignore[attr-defined]
        return claim

    def _modal(self, screen, callback: Callable) -> None:
        self.app.push_screen(screen, callback)  # type: ignore[attr-defined]

    @work(thread=True, group="claims-write", exit_on_error=False, description="Saving")
    def _write(self, what: str, call: Callable[[], str | tuple[str, int]], claim_id: int | None) -> None:
        try:
            text = call()
            if isinstance(text, tuple):  # (message, the claim to select afterwards)
                text, claim_id = text
        except Exception as exc:  # noqa: BLE001 - shown as a notification
            self.post_message(self.Failed(what, exc))  # type: ignore[attr-defined]
            return
        self.post_message(self.Written(text, claim_id))  # type: ignore[attr-defined]

    def _saved(self, out) -> None:
        """A form wrote and closed: say so and reload (the form stays open on a refusal)."""
        if out is not None:
            text, claim_id = out
            self.post_message(self.Written(text, claim_id))  # type: ignore[attr-defined]

    # ---------------------------------------------------------------- add

    def action_add(self) -> None:
        from claimtrack.tui import writes
        from claimtrack.tui.screens.add_claim import AddClaimModal

        backend = self.backend  # type: ignore[attr-defined]
        self._modal(AddClaimModal(forecaster=backend.user(), clock=self._clock(),
                                  save=lambda new: writes.add(backend, new)), self._saved)

    def action_add_question(self) -> None:
        from claimtrack.tui import writes
        from claimtrack.tui.screens.question_forms import AddQuestionModal

        backend = self.backend  # type: ignore[attr-defined]
        self._modal(AddQuestionModal(forecaster=backend.user(), clock=self._clock(),
                                     save=lambda new: writes.add(backend, new)), self._saved)

    # ----------------------------------------------------------- forecast

    def action_forecast(self) -> None:
        from claimtrack.tui import writes
        from claimtrack.tui.forms import forecast_form

        claim = self._selected()
        if claim is None:
            return
        backend = self.backend  # type: ignore[attr-defined]
        self._modal(forecast_form(claim, backend, writes.Target(backend, claim), self._clock()), self._saved)

    def _clock(self):
        backend = self.backend  # type: ignore[attr-defined]
        return backend.now if backend.fixed_clock else None

    # ------------------------------------------------------------ resolve

    def action_resolve(self) -> None:
        from claimtrack.tui import writes
        from claimtrack.tui.forms import resolve_form

        claim = self._selected()
        if claim is None:
            return
        if claim.outcome is None:
            backend = self.backend  # type: ignore[attr-defined]
            self._modal(resolve_form(claim, backend, writes.Target(backend, claim), self._clock(), force=False),
                        self._saved)
            return
        from claimtrack.domain.datefmt import format_date
        from claimtrack.tui.screens.confirm import ConfirmModal

        when = format_date(claim.resolved_at) if claim.resolved_at else "earlier"
        question = (f"Claim #{claim.id} is already resolved {claim.outcome} ({when}).\n"
                    "Re-resolve it? The earlier resolution stays in its history.")
        self._modal(ConfirmModal(question, title="Re-resolve?", yes="Re-resolve", no="Keep"),
                    lambda ok: self._re_resolve(claim) if ok else None)

    def _re_resolve(self, claim: ClaimSummary) -> None:
        from claimtrack.tui import writes
        from claimtrack.tui.forms import resolve_form

        backend = self.backend  # type: ignore[attr-defined]
        self._modal(resolve_form(claim, backend, writes.Target(backend, claim), self._clock(), force=True),
                    self._saved)

    # --------------------------------------------------------------- edit

    def action_edit(self) -> None:
        from claimtrack.tui import writes
        from claimtrack.tui.screens.edit import EditModal

        claim = self._selected()
        if claim is None:
            return
        detail = self.detail_pane.detail  # type: ignore[attr-defined]
        if detail is None or detail.claim.id != claim.id:
            self.app.notify("The claim is still loading; try again in a moment.", severity="warning")  # type: ignore[attr-defined]
            return
        backend = self.backend  # type: ignore[attr-defined]
        target = writes.Target(backend, claim)

        def save(result: EditInput):
            if not result.changes:
                return "Nothing changed.", claim.id
            return writes.edit(backend, target, result)

        self._modal(EditModal(detail, clock=self._clock(), save=save, on_stale=target.refetch), self._saved)

    # -------------------------------------------------------------- inbox

    def action_accept(self) -> None:
        from claimtrack.tui import writes
        from claimtrack.tui.screens.accept import AcceptModal

        claim = self._selected()
        if claim is None:
            return
        backend = self.backend  # type: ignore[attr-defined]

        def done(out) -> None:
            if out is not None:
                self.post_message(self.Written(out[0], None))  # type: ignore[attr-defined]

        self._modal(AcceptModal(claim, clock=self._clock(), save=lambda result: writes.accept(backend, claim, result)),
                    done)

    def action_reject(self) -> None:
        from claimtrack.tui.screens.confirm import ConfirmModal

        claim = self._selected()
        if claim is None:
            return
        backend = self.backend  # type: ignore[attr-defined]

        def done(ok: bool | None) -> None:
            if not ok:
                return

            def call() -> str:
                backend.reject(claim.id)
                return f"Rejected #{claim.id}."

            self._write(f"rejecting #{claim.id}", call, None)

        self._modal(ConfirmModal(f"Reject draft #{claim.id}?\n{claim.statement}", title="Reject draft",
                                 yes="Reject", no="Keep"), done)
