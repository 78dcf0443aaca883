"""`claimtrack serve`: the review UI in a real browser, and the access token.

The server runs as a real process on a free port.  The browser test loads the
printed URL in headless Chromium (Debian's chromium and chromium-driver,
which .ci/run installs when missing) and reads the terminal that xterm.js
draws in the page; it is skipped, loudly, only when Chromium is not there.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import warnings
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1400,900")
START_TIMEOUT = 60  # seconds for the server to print its URL (a shared, loaded machine)
PAGE_TIMEOUT = 90  # seconds for the claims table to show in the browser


def _claimtrack(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "claimtrack", *args], capture_output=True, text=True,
                            timeout=300)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """A running `claimtrack serve` process and the URL it printed."""

    def __init__(self, db: str, tmp_path: Path) -> None:
        self.port = _free_port()
        self.log = tmp_path / f"serve-{self.port}.log"
        with open(self.log, "wb") as out:
            # its own process group, so that the review UI processes it starts go with it
            self.process = subprocess.Popen(
                [sys.executable, "-m", "claimtrack", "--db", db, "serve", "--port", str(self.port)],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        self.url = self._wait_for_url()
        self.token = re.search(r"token=([A-Za-z0-9_-]+)", self.url).group(1)
        self.base = f"http://127.0.0.1:{self.port}"

    def _wait_for_url(self) -> str:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            found = re.search(r"http://127\.0\.0\.1:\d+/\?token=[A-Za-z0-9_-]+", self.log.read_text("utf-8", "replace"))
            if found:
                return found.group(0)
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise AssertionError(f"claimtrack serve printed no URL:\n{self.log.read_text('utf-8', 'replace')}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)
        try:  # review UI processes left behind in the group
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture
def demo_ledger(db_url):
    _claimtrack("--db", db_url, "demo", "--quiet")
    return db_url


@pytest.fixture
def served(demo_ledger, tmp_path):
    server = Served(demo_ledger, tmp_path)
    yield server
    server.stop()


def _status(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _websocket_status(port: int, headers: dict[str, str]) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/ws?width=80&height=24", headers={
            "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", **headers})
        return conn.getresponse().status
    finally:
        conn.close()


# -------------------------------------------------------------------- the token


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_requests_without_the_token_are_refused(served):
    base, token = served.base, served.token
    for path in ("/", "/ws", "/static/js/textual.js", "/static/css/xterm.css", "/download/x", "/nowhere"):
        status, _, body = _status(base + path)
        assert status == 403, path
        assert b"access token" in body
        assert _status(f"{base}{path}?token=wrong-{token[:8]}")[0] == 403, path
        assert _status(base + path, {"Cookie": f"claimtrack_token_{served.port}=nope"})[0] == 403, path
    # the websocket that drives the UI: no token, a wrong one, or the right cookie from another origin
    origin = {"Origin": base}
    assert _websocket_status(served.port, origin) == 403
    assert _websocket_status(served.port, {**origin, "Cookie": f"claimtrack_token_{served.port}=x{token}"}) == 403
    assert _websocket_status(served.port, {"Origin": "http://evil.example",
                                           "Cookie": f"claimtrack_token_{served.port}={token}"}) == 403

    # the printed URL works, and sets the cookie the page's own requests then carry
    status, headers, body = _status(served.url)
    assert status == 200 and b"textual-terminal" in body
    assert f"claimtrack_token_{served.port}={token}" in headers["Set-Cookie"]
    assert "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]
    assert headers["Referrer-Policy"] == "no-referrer"
    status, _, body = _status(base + "/static/js/textual.js", {"Cookie": f"claimtrack_token_{served.port}={token}"})
    assert status == 200 and len(body) > 1000
    # the access log (which would print the token in each request line) stays quiet
    assert served.log.read_text("utf-8", "replace").count(token) == 1


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_each_start_has_a_new_token(demo_ledger, tmp_path):
    first = Served(demo_ledger, tmp_path)
    try:
        second = Served(demo_ledger, tmp_path)
        try:
            assert first.token != second.token and len(first.token) >= 32
            assert _status(f"{second.base}/?token={first.token}")[0] == 403
        finally:
            second.stop()
    finally:
        first.stop()


# -------------------------------------------------------------------- bad input


def test_bad_serve_options_are_one_line_errors(tmp_path):
    ledger = tmp_path / "claims.db"
    missing = _claimtrack("--db", str(ledger), "serve", check=False)
    assert missing.returncode == 2 and not ledger.exists()
    assert missing.stderr.startswith("claimtrack: error: no ledger at") and missing.stderr.count("\n") == 1

    _claimtrack("--db", str(ledger), "init")
    for args, words in ((["--port", "0"], "--port"), (["--port", "70000"], "--port"),
                        (["--host", " "], "--host is empty"), (["--public-url", "ftp://x"], "--public-url")):
        result = _claimtrack("--db", str(ledger), "serve", *args, check=False)
        assert result.returncode == 2, args
        assert result.stderr.startswith("claimtrack: error:") and words in result.stderr, result.stderr
        assert result.stderr.count("\n") == 1 and not result.stdout

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = _claimtrack("--db", str(ledger), "serve", "--port", str(port), check=False)
    assert busy.returncode == 2, busy.stderr
    assert busy.stderr.startswith(f"claimtrack: error: cannot listen on 127.0.0.1 port {port}")
    assert busy.stderr.count("\n") == 1 and "Traceback" not in busy.stdout + busy.stderr


# -------------------------------------------------------------------- the browser

# textual.js keeps its xterm.js Terminal in a closure; this hook (installed before
# the page's scripts run) catches it as it is stored (`this.terminal = new Terminal(...)`)
# so the test can read the screen through xterm.js's public buffer API.
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, 'terminal', {
  configurable: true,
  get() { return undefined; },
  set(value) {
    Object.defineProperty(this, 'terminal', {value, writable: true, configurable: true, enumerable: true});
    if (value && value.buffer && value.buffer.active) { (window.__claimtrackTerminals ||= []).push(value); }
  },
});
"""
READ_SCREEN = """
const term = (window.__claimtrackTerminals || [])[0];
if (!term) { return null; }
const buffer = term.buffer.active, lines = [];
for (let i = 0; i < buffer.length; i++) { const line = buffer.getLine(i); lines.push(line ? line.translateToString(true) : ''); }
return lines.join('\\n');
"""


def _browser():
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not (os.path.exists(p) and os.access(p, os.X_OK))]
    if missing:
        reason = (f"!!! BROWSER TEST SKIPPED: {', '.join(missing)} not found; install Debian's chromium and "
                  "chromium-driver (.ci/run does) to run it")
        warnings.warn(reason)
        print(reason, file=sys.stderr)
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="claimtrack-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CATCH_TERMINAL})
    return driver, profile


def _open_statements(db: str) -> list[str]:
    return [c["statement"] for c in json.loads(_claimtrack("--db", db, "list", "--json").stdout)]


def test_the_review_ui_shows_in_a_browser(served, demo_ledger):
    expected = _open_statements(demo_ledger)
    assert len(expected) >= 3
    driver, profile = _browser()
    try:
        # without the token the browser gets the refusal, not the UI
        driver.get(served.base + "/")
        assert "access token" in driver.find_element("tag name", "body").text
        assert driver.execute_script(READ_SCREEN) is None

        driver.get(served.url)
        deadline, screen = time.monotonic() + PAGE_TIMEOUT, ""
        while time.monotonic() < deadline:
            screen = driver.execute_script(READ_SCREEN) or ""
            if all(s[:40] in screen for s in expected) and "of" in screen:
                break
            time.sleep(0.5)
        # the websocket URL in the page carries no token: the UI came through on the cookie alone
        assert screen, "the page never drew a terminal"
        for statement in expected:  # the table cuts long statements at its column's width
            assert statement[:40] in screen, (statement, screen)
        assert re.search(r"\bid\s+statement\b", screen), screen  # the claims table's header row
        assert f"{len(expected)} of {len(expected)} claims" in screen, screen
        if "://" not in demo_ledger:
            assert demo_ledger in screen  # the served app is on the ledger given to serve
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_the_public_url_is_one_a_browser_can_open():
    from claimtrack.web.server import default_public_url

    assert default_public_url("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert default_public_url("::1", 8080) == "http://[::1]:8080"
    assert default_public_url("0.0.0.0", 8000) == f"http://{socket.gethostname()}:8000"
