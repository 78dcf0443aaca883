"""`claimtrack due --notify`: a desktop notification through a faked notify-send
or osascript, and one line when the platform has none."""

from __future__ import annotations

import os
import stat
import sys
from datetime import datetime, timedelta, timezone

import pytest

from claimtrack.cli import notify
from claimtrack.services import ledger
from claimtrack.services.ledger import NewClaim

NOW = datetime.now(timezone.utc)
DAY = timedelta(days=1)


def _fake_tool(folder, name):
    """A stand-in for ``name`` that records each argument on its own line (NUL-separated calls)."""
    log = folder / f"{name}.log"
    script = folder / name
    script.write_text(f"#!{sys.executable}\nimport sys\n"
                      f"open({str(log)!r}, 'a').write('\\n'.join(sys.argv[1:]) + '\\0')\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return log


def _calls(log):
    return [call.split("\n") for call in log.read_text().split("\0") if call] if log.exists() else []


def _claims(db):
    ledger.add_claim(db, NewClaim(statement="Overdue <b>bold</b> \x1b[31mclaim", probability=0.6, forecaster="tester",
                                  stated_at=NOW - 30 * DAY, resolve_by=NOW - 2 * DAY))
    ledger.add_claim(db, NewClaim(statement="Due soon", probability=0.6, forecaster="tester",
                                  resolve_by=NOW + 2 * DAY))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux notifier path")
def test_due_notify_runs_notify_send(cli, db, tmp_path, monkeypatch):
    _claims(db)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = _fake_tool(bin_dir, "notify-send")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/1000/bus")
    r = cli("due", "-q", "--notify")
    assert r.exit_code == 1 and r.stderr == "" and r.stdout == ""  # overdue: due's exit status is kept
    (call,) = _calls(log)
    assert call[:3] == ["--app-name=claimtrack", "--", "claimtrack: 1 overdue, 1 due within 7 days"]
    body = "\n".join(call[3:])
    assert "Overdue &lt;b&gt;bold&lt;/b&gt; claim" in body and "Due soon" in body and "\x1b" not in body

    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    r = cli("due", "-q", "--notify")
    assert r.exit_code == 1 and r.stderr.count("\n") == 1
    assert r.stderr.startswith("claimtrack: cannot show a desktop notification: there is no desktop session")
    assert len(_calls(log)) == 1  # not run without a session


def test_due_notify_without_a_notifier_says_why_in_one_line(cli, db, tmp_path, monkeypatch):
    _claims(db)
    monkeypatch.setattr(notify.shutil, "which", lambda name: None)
    r = cli("due", "-q", "--notify")
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "cannot show a desktop notification" in r.stderr


def test_nothing_due_sends_nothing(cli, db, tmp_path, monkeypatch):
    sent = []
    monkeypatch.setattr(notify, "send", lambda *a, **k: sent.append(a))
    ledger.add_claim(db, NewClaim(statement="far off", probability=0.5, forecaster="tester",
                                  resolve_by=NOW + 90 * DAY))
    r = cli("due", "--notify")
    assert r.exit_code == 0 and sent == [] and "nothing overdue" in r.stdout


def test_macos_uses_osascript_with_the_text_as_arguments(tmp_path):
    log = _fake_tool(tmp_path, "osascript")
    which = lambda name: str(tmp_path / name) if name == "osascript" else None  # noqa: E731
    title, body = 'claimtrack: 1 overdue', 'He said "stop" \\ end tell'
    assert notify.send(title, body, platform="darwin", which=which) is None
    (call,) = _calls(log)
    assert call[-2:] == [title, body]  # passed as data: no quoting inside the script
    assert all(body not in part for part in call[:-1])


def test_other_platforms_and_failures_say_why():
    assert "has no desktop notifier" in notify.command("t", "b", platform="win32")[1]
    assert "osascript was not found" in notify.command("t", "b", platform="darwin", which=lambda n: None)[1]

    class Done:
        returncode, stderr = 1, "GDBus.Error: no\nserver"

    why = notify.send("t", "b", platform="linux", which=lambda n: "/usr/bin/notify-send",
                      env={"DISPLAY": ":0"}, run=lambda *a, **k: Done())
    assert why == "notify-send exited with status 1: GDBus.Error: no server"
