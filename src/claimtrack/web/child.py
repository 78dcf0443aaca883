"""The process textual-serve starts for each browser tab: the review UI on the served ledger.

textual-serve runs a shell command per websocket connection, with the Textual
web driver selected in its environment.  This is that command's module
(``python -m claimtrack.web.child``): it builds the app with the same factory
as ``claimtrack tui`` on the ledger the server passed down in
``$CLAIMTRACK_DB`` (an environment variable, so a PostgreSQL password never
shows in the process list).
"""

from __future__ import annotations

import sys


def main() -> int:
    from claimtrack.tui.app import create_app

    app = create_app(None)  # None: the ledger in $CLAIMTRACK_DB, set by the server
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
