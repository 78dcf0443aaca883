"""``claimtrack serve``: the review UI through textual-serve, behind a random access token.

textual-serve (an aiohttp application) starts one review UI process per
browser tab and relays the terminal over a websocket to xterm.js in the page.
Here every request must carry the access token printed at start, as Jupyter
does: either ``?token=...`` in the URL (the printed URL has it) or the cookie
that the first such request sets, which the page's own requests (the
websocket, the scripts and styles under /static) then send.  Anything else
gets 403.  A websocket must also come from the served page's own origin, so
another local web page cannot drive the UI with the cookie.

It is meant for 127.0.0.1 or a private network: not for the open internet
without a TLS reverse proxy in front of it (the token travels in clear text).
"""

from __future__ import annotations

import hmac
import logging
import secrets
import shlex
import sys
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.server import Server

TOKEN_PARAM = "token"
CHILD_COMMAND = shlex.join([sys.executable, "-m", "claimtrack.web.child"])


def new_token() -> str:
    return secrets.token_urlsafe(32)


def cookie_name(port: int) -> str:
    # Cookies do not keep ports apart: two servers on one host need two names.
    return f"claimtrack_token_{port}"


def _same(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def default_public_url(host: str, port: int) -> str:
    """http://HOST:PORT as a browser types it (IPv6 in brackets; a wildcard address
    becomes this machine's name, since no browser can open 0.0.0.0 from elsewhere)."""
    if host in ("0.0.0.0", "::", ""):
        import socket

        host = socket.gethostname()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def token_middleware(token: str, port: int, public_url: str):
    """An aiohttp middleware that refuses (403) any request without ``token``."""
    name = cookie_name(port)
    public_host = urlsplit(public_url).netloc.lower()

    @web.middleware
    async def require_token(request: web.Request, handler):
        from_query = request.query.get(TOKEN_PARAM)
        if not (_same(from_query, token) or _same(request.cookies.get(name), token)):
            raise web.HTTPForbidden(text="claimtrack serve: open the URL with the access token that "
                                         "'claimtrack serve' printed when it started\n")
        if request.headers.get("Upgrade", "").lower() == "websocket" and not _same_origin(request, public_host):
            raise web.HTTPForbidden(text="claimtrack serve: websocket from another origin refused\n")
        response = await handler(request)
        if not response.prepared:  # a websocket or a download has sent its headers already
            response.headers["Referrer-Policy"] = "no-referrer"  # the URL holds the token
            response.headers["X-Frame-Options"] = "DENY"
            if _same(from_query, token):
                response.set_cookie(name, token, httponly=True, samesite="Strict", path="/")
        return response

    return require_token


def _same_origin(request: web.Request, public_host: str) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # not a browser (browsers always send Origin on a websocket)
    # the page's own origin: the address it was served at, or the public URL a proxy forwards from
    return urlsplit(origin).netloc.lower() in (request.host.lower(), public_host)


class TokenServer(Server):
    """textual-serve's Server with every route behind the access token."""

    def __init__(self, command: str, *, host: str, port: int, token: str, public_url: str | None = None,
                 announce=print) -> None:
        super().__init__(command, host=host, port=port, title="claimtrack",
                         public_url=public_url or default_public_url(host, port))
        self.token = token
        self.announce = announce
        self._middleware = token_middleware(token, port, self.public_url)

    @property
    def url(self) -> str:
        """The URL to open, token included."""
        return f"{self.public_url}/?{TOKEN_PARAM}={self.token}"

    # textual-serve builds its aiohttp application in the private _make_app and
    # has no public hook that runs before the application is frozen, which is
    # the last moment a middleware can be added.  This override is the one place
    # that relies on it; on_startup below refuses to serve if it did not run
    # (a textual-serve that renamed it), so a change there fails closed.
    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._middleware)
        return app

    async def on_startup(self, app: web.Application) -> None:
        if self._middleware not in app.middlewares:
            raise RuntimeError("claimtrack serve: could not install the access-token check in textual-serve's "
                               "application (an incompatible textual-serve version?); refusing to serve")
        self.announce(f"claimtrack serve: the review UI is at\n\n    {self.url}\n\n"
                      "Open that URL (it holds the access token); press Ctrl+C to stop.")

    def initialize_logging(self) -> None:
        super().initialize_logging()
        # aiohttp's access log prints every request line, token included.
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
