"""The review UI in a browser: ``claimtrack serve`` (textual-serve behind an access token)."""
