"""The command palette (ctrl+p) offers every action the keys do."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from claimtrack.tui.backend import STATES

SORTS = ("due", "made", "id", "source", "statement", "resolved")
GO_TO_LIMIT = 8


class ClaimCommands(Provider):
    """claimtrack's actions, each shown only when it applies to the current selection."""

    def _commands(self) -> Iterator[tuple[str, Callable[[], object], str]]:
        app = self.app
        claims = app.claims_view  # type: ignore[attr-defined]
        run = app.run_claims_action  # type: ignore[attr-defined]
        for action, name, help_text in (
            ("add", "Add a claim", "a: log a claim with your probability"),
            ("forecast", "Forecast the selected claim", "f: add an update to its probability"),
            ("resolve", "Resolve the selected claim", "r: yes, no, ambiguous or void"),
            ("edit", "Edit the selected claim", "e: statement, source, due date, tags, details"),
            ("accept", "Accept the selected draft", "y: move it from the inbox into the ledger"),
            ("reject", "Reject the selected draft", "x: drop it from the inbox"),
            ("filter", "Filter claims", "/: words in the statement, source or tags"),
        ):
            if claims.check_action(action, ()) is True:
                yield name, partial(run, action), help_text
        for label, state in STATES:
            yield f"Show {label.lower()} claims", partial(app.show_state, state), f"the {label} switch"  # type: ignore[attr-defined]
        for sort in SORTS:
            yield f"Sort claims by {sort}", partial(app.sort_claims, sort), "also: click a column header"  # type: ignore[attr-defined]
        yield "View: claims", partial(app.action_view, "claims"), "1"  # type: ignore[attr-defined]
        yield "View: calibration", partial(app.action_view, "calibration"), "2: chart, Brier, log score, Murphy"  # type: ignore[attr-defined]
        yield "View: sources and forecasters", partial(app.action_view, "sources"), "3: who turned out right"  # type: ignore[attr-defined]
        yield "Refresh", app.action_refresh, "ctrl+r: reload from the ledger"  # type: ignore[attr-defined]
        yield "Help: keys and input formats", app.action_help, "?"  # type: ignore[attr-defined]

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
        async for hit in self._claims(query):
            yield hit

    async def _claims(self, query: str) -> Hits:
        """Go to a claim: by its id ("12", "#12") or by words of its statement, source or tags."""
        import asyncio
        import re

        from rich.text import Text

        app = self.app
        text = query.strip()
        if re.fullmatch(r"#?\d{1,12}", text):
            claim_id = int(text.lstrip("#"))
            yield Hit(1.0, f"Go to claim #{claim_id}", partial(app.open_claim, claim_id),  # type: ignore[attr-defined]
                      help="its whole record; the table's cursor moves to it when it is listed")
            return
        if len(text) < 3:
            return
        try:
            found = await asyncio.to_thread(app.backend.find_claims, text, GO_TO_LIMIT)  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - words that are not a filter find nothing
            return
        for rank, claim in enumerate(found):
            label = Text(f"Go to #{claim.id} ", style="bold")
            label.append(claim.statement[:100])
            yield Hit(0.9 - rank * 0.01, label, partial(app.open_claim, claim.id),  # type: ignore[attr-defined]
                      help=f"{claim.source or 'no source'} · matches '{text}'")
