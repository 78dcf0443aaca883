"""The footer: Textual's, rebuilt only when the keys it shows change."""

from __future__ import annotations

import inspect

from textual.screen import Screen
from textual.widgets import Footer


def shown_keys(screen: Screen) -> tuple:
    """What the footer draws from the screen's bindings: key, label, enabled, tooltip."""
    return tuple(
        (binding.key, binding.action, binding.description, enabled, tooltip)
        for _node, binding, enabled, tooltip in screen.active_bindings.values()
        if binding.show
    )


class KeysFooter(Footer):
    """Footer recomposes all of its keys every time a screen's bindings are
    refreshed: on each focus change and each time the claims view re-checks its
    actions (a row highlighted, a page loaded), several times per keypress.
    Here the refreshes that arrive together are folded into one, and a refresh
    that leaves the keys as they were costs nothing.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pending = False
        self._drawn: tuple | None = None

    def on_mount(self) -> None:
        # (Footer's own on_mount runs too.) Mounted after the first frame, it has missed the
        # screen's first bindings signal: draw the keys now
        self.bindings_changed(self.screen)

    def bindings_changed(self, screen: Screen) -> None:
        if not self._pending:
            self._pending = True
            self.call_after_refresh(self._update_keys, screen)

    async def _update_keys(self, screen: Screen) -> None:
        self._pending = False
        if not self.is_attached or screen is not self.screen:
            return
        keys = shown_keys(screen)
        if keys == self._drawn:
            return
        if screen.app.app_focus:  # Footer skips the update while the app is in the background
            self._drawn = keys
        done = super().bindings_changed(screen)
        if inspect.isawaitable(done):  # a coroutine before Textual 6
            await done
