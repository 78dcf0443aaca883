"""``claimtrack serve``: the review UI in a browser, behind an access token."""

from __future__ import annotations

import click

from claimtrack.cli import common


@click.command(epilog="""\b
It prints the URL to open; the URL holds a random access token, and the
page refuses (403) any request without it.  Each browser tab runs its own
review UI on the ledger.  Meant for this machine (127.0.0.1, the default)
or a private network: not for the open internet without a TLS reverse proxy.
\b
Examples:
  claimtrack serve
  claimtrack --db ~/notes/claims.db serve --port 8080
  claimtrack --db postgresql://me@db/claims serve --host 0.0.0.0 --public-url https://claims.example.org
""")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ADDRESS",
              help="Address to listen on (0.0.0.0 for every interface).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--public-url", metavar="URL",
              help="The address browsers reach it by, when a reverse proxy stands in front "
                   "(https://... makes the page use a secure websocket). Default: http://HOST:PORT")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, public_url: str | None) -> None:
    """Serve the review UI to a web browser (textual-serve), behind an access token."""
    import os
    import sys

    from claimtrack.db.location import ENV_DB
    from claimtrack.domain.errors import InvalidInput
    from claimtrack.services.store import check_exists, locate, open_ledger

    if not host.strip():
        raise InvalidInput("--host is empty: give an address such as 127.0.0.1 or 0.0.0.0")
    if public_url is not None and not public_url.startswith(("http://", "https://")):
        raise InvalidInput(f"--public-url must start with http:// or https://, not '{public_url}'")
    location = locate(common.db_option(ctx))
    check_exists(location, write=False)  # serving never invents a ledger
    open_ledger(location, write=False).dispose()  # refuse a bad ledger here, upgrade it once, not per tab
    os.environ[ENV_DB] = location.url  # the review UI processes inherit it (not on their command line)

    from claimtrack.web.server import CHILD_COMMAND, TokenServer, new_token

    server = TokenServer(CHILD_COMMAND, host=host, port=port, token=new_token(),
                         public_url=public_url.rstrip("/") if public_url else None,
                         announce=lambda text: click.echo(text))
    try:
        server.serve()
    except OSError as exc:  # the port is taken, the address is not this machine's
        raise InvalidInput(f"cannot listen on {host} port {port}: {exc.strerror or exc}; "
                           "choose another with --host/--port") from None
    sys.stdout.flush()
