"""Desktop notifications where the platform has them (``claimtrack due --notify``).

Detected, never assumed: on Linux and the BSDs, ``notify-send`` on PATH and a
desktop session to show it in (``$DBUS_SESSION_BUS_ADDRESS``, ``$DISPLAY`` or
``$WAYLAND_DISPLAY``); on macOS, ``osascript``.  Anything else gets one line
saying why not.  The text is passed as arguments (never through a shell or
inside a script), stripped of control characters, and, for notify-send
(whose servers may read simple HTML in the body), HTML-escaped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping

_SESSION_VARS = ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY")
# AppleScript that reads the title and body from its arguments: no quoting of user text
_OSA = ("on run argv", "display notification (item 2 of argv) with title (item 1 of argv)", "end run")


def _clean(text: str) -> str:
    from claimtrack.domain.text import terminal_safe

    return "".join(ch for ch in terminal_safe(text) if ch == "\n" or ord(ch) >= 32)


def command(title: str, body: str, *, platform: str | None = None,
            which: Callable[[str], str | None] = shutil.which,
            env: Mapping[str, str] | None = None) -> tuple[list[str] | None, str | None]:
    """(argv that shows the notification, None), or (None, why it can't)."""
    platform = platform or sys.platform
    env = os.environ if env is None else env
    title, body = _clean(title), _clean(body)
    if platform == "darwin":
        osascript = which("osascript")
        if not osascript:
            return None, "osascript was not found on PATH"
        argv = [osascript]
        for line in _OSA:
            argv += ["-e", line]
        return argv + [title, body], None
    if platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        tool = which("notify-send")
        if not tool:
            return None, "notify-send was not found on PATH (it comes with libnotify: libnotify-bin on Debian/Ubuntu)"
        if not any(env.get(name) for name in _SESSION_VARS):
            return None, ("there is no desktop session to show it in (none of $DBUS_SESSION_BUS_ADDRESS, "
                          "$DISPLAY, $WAYLAND_DISPLAY is set; from cron, set DBUS_SESSION_BUS_ADDRESS)")
        from html import escape

        return [tool, "--app-name=claimtrack", "--", title, escape(body, quote=False)], None
    return None, f"this platform ({platform}) has no desktop notifier claimtrack knows (notify-send, osascript)"


def send(title: str, body: str, *, run: Callable = subprocess.run, **detect) -> str | None:
    """Show a notification; None when shown, else one line saying why not."""
    argv, why = command(title, body, **detect)
    if argv is None:
        return why
    try:
        done = run(argv, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"{os.path.basename(argv[0])} failed: {exc}"
    if done.returncode != 0:
        detail = " ".join((done.stderr or "").split())[:200]
        return f"{os.path.basename(argv[0])} exited with status {done.returncode}" + (f": {detail}" if detail else "")
    return None


def due_message(overdue: list, due_soon: list, within: str, *, limit: int = 3) -> tuple[str, str] | None:
    """(title, body) for what is due, or None when nothing is."""
    if not overdue and not due_soon:
        return None
    parts = []
    if overdue:
        parts.append(f"{len(overdue)} overdue")
    if due_soon:
        parts.append(f"{len(due_soon)} due within {within} days")
    lines = [f"#{c.id} {' '.join(c.statement.split())}" for c in (overdue + due_soon)[:limit]]
    extra = len(overdue) + len(due_soon) - limit
    if extra > 0:
        lines.append(f"and {extra} more: claimtrack review")
    return "claimtrack: " + ", ".join(parts), "\n".join(lines)
