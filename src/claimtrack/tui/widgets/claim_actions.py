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
WRITES = {"add", "forecast", "resolve", "edit", "accept", "reject"}


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

    # ---------------------------------------------------------------- add

    def action_add(self) -> None:
        from claimtrack.tui.screens.add_claim import AddClaimModal

        backend = self.backend  # type: ignore[attr-defined]
        self._modal(AddClaimModal(forecaster=backend.user(), clock=self._clock()), self._added)

    def action_add_question(self) -> None:
        from claimtrack.tui.screens.question_forms import AddQuestionModal

        backend = self.backend  # type: ignore[attr-defined]
        self._modal(AddQuestionModal(forecaster=backend.user(), clock=self._clock()), self._added)

    def _added(self, new) -> None:
        if new is None:
            return

        def call() -> str:
            if hasattr(new, "question_type"):  # services.questions.NewQuestion
                claim = self.backend.add_question(new)  # type: ignore[attr-defined]
            else:
                claim = self.backend.add_claim(new)  # type: ignore[attr-defined]
            return f"Added claim #{claim.id}.", claim.id

        self._write("adding the claim", call, None)

    # ----------------------------------------------------------- forecast

    def action_forecast(self) -> None:
        from claimtrack.domain.probability import format_probability
        from claimtrack.tui.screens.forecast import ForecastModal

        claim = self._selected()
        if claim is None:
            return
        if claim.question_type != "binary":
            self._question_forecast(claim)
            return
        backend = self.backend  # type: ignore[attr-defined]

        def done(result: ForecastInput | None) -> None:
            if result is None:
                return

            def call() -> str:
                f = backend.add_forecast(claim.id, result.probability, forecaster=result.forecaster,
                                         made_at=result.made_at, rationale=result.rationale,
                                         expected_revision=claim.revision)
                flag = " (backfilled)" if f.backfilled else ""
                return f"Forecast {format_probability(f.probability)} by {f.forecaster} on #{claim.id}{flag}."

            self._write(f"the forecast on #{claim.id}", call, claim.id)

        self._modal(ForecastModal(claim, forecaster=backend.user(), clock=self._clock()), done)

    def _question_forecast(self, claim: ClaimSummary) -> None:
        """A choice, numeric or date claim's forecast form (issue 12)."""
        from claimtrack.tui.screens.question_forms import QuestionForecastModal

        backend = self.backend  # type: ignore[attr-defined]

        def done(result) -> None:
            if result is None:
                return

            def call() -> str:
                f, note = backend.add_question_forecast(claim.id, result.typed, forecaster=result.forecaster,
                                                        made_at=result.made_at, rationale=result.rationale,
                                                        expected_revision=claim.revision)
                flag = " (backfilled)" if f.backfilled else ""
                return f"Forecast by {f.forecaster} on #{claim.id}{flag}." + (f" {note}." if note else "")

            self._write(f"the forecast on #{claim.id}", call, claim.id)

        self._modal(QuestionForecastModal(claim, forecaster=backend.user(), clock=self._clock()), done)

    def _clock(self):
        backend = self.backend  # type: ignore[attr-defined]
        return backend.now if backend.fixed_clock else None

    # ------------------------------------------------------------ resolve

    def action_resolve(self) -> None:
        from claimtrack.tui.screens.resolve import ResolveModal

        claim = self._selected()
        if claim is None:
            return
        if claim.question_type != "binary":
            from claimtrack.tui.screens.question_forms import QuestionResolveModal

            modal = QuestionResolveModal(claim, clock=self._clock())
        else:
            modal = ResolveModal(claim, clock=self._clock())
        self._modal(modal, lambda result: self._resolve_chosen(claim, result))

    def _resolve_chosen(self, claim: ClaimSummary, result: ResolveInput | None) -> None:
        if result is None:
            return
        if claim.outcome is None:
            self._resolve(claim, result, force=False)
            return
        from claimtrack.domain.datefmt import format_date
        from claimtrack.tui.screens.confirm import ConfirmModal

        when = format_date(claim.resolved_at) if claim.resolved_at else "earlier"
        question = (f"Claim #{claim.id} is already resolved {claim.outcome} ({when}).\n"
                    f"Re-resolve it as {result.outcome}? The earlier resolution stays in its history.")
        self._modal(ConfirmModal(question, title="Re-resolve?", yes="Re-resolve", no="Keep"),
                    lambda ok: self._resolve(claim, result, force=True) if ok else None)

    def _resolve(self, claim: ClaimSummary, result: ResolveInput, *, force: bool) -> None:
        backend = self.backend  # type: ignore[attr-defined]

        def call() -> str:
            _, warnings = backend.resolve(claim.id, result.outcome, resolved_at=result.resolved_at,
                                          note=result.note, evidence_url=result.evidence_url, force=force,
                                          expected_revision=claim.revision)
            text = f"Resolved #{claim.id} {result.outcome}."
            return text + ("  " + " ".join(warnings) if warnings else "")

        self._write(f"resolving #{claim.id}", call, claim.id)

    # --------------------------------------------------------------- edit

    def action_edit(self) -> None:
        from claimtrack.tui.screens.edit import EditModal

        claim = self._selected()
        if claim is None:
            return
        detail = self.detail_pane.detail  # type: ignore[attr-defined]
        if detail is None or detail.claim.id != claim.id:
            self.app.notify("The claim is still loading; try again in a moment.", severity="warning")  # type: ignore[attr-defined]
            return
        backend = self.backend  # type: ignore[attr-defined]

        def done(result: EditInput | None) -> None:
            if result is None:
                return
            if not result.changes:
                self.app.notify("Nothing changed.")  # type: ignore[attr-defined]
                return

            def call() -> str:
                backend.edit(claim.id, result.changes, expected_revision=claim.revision)
                return f"Edited #{claim.id}: {', '.join(sorted(result.changes))}."

            self._write(f"editing #{claim.id}", call, claim.id)

        self._modal(EditModal(detail, clock=self._clock()), done)

    # -------------------------------------------------------------- inbox

    def action_accept(self) -> None:
        from claimtrack.tui.screens.accept import AcceptModal

        claim = self._selected()
        if claim is None:
            return
        backend = self.backend  # type: ignore[attr-defined]

        def done(result: AcceptInput | None) -> None:
            if result is None:
                return

            def call() -> str:
                backend.accept(claim.id, probability=result.probability, statement=result.statement)
                return f"Accepted #{claim.id}: it is now an open claim."

            self._write(f"accepting #{claim.id}", call, None)

        self._modal(AcceptModal(claim, clock=self._clock()), done)

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
