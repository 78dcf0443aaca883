"""Errors every layer raises and every interface turns into a one-line message.

The CLI maps :class:`ClaimtrackError` subclasses to an exit status and prints
``str(error)`` on stderr, so messages must be one line, name the problem and
say what is accepted.
"""


class ClaimtrackError(Exception):
    """Base class; ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class InvalidInput(ClaimtrackError):
    """The user (or an import file) gave something we cannot accept."""

    exit_code = 2


class NotFound(InvalidInput):
    """An id, uuid or name that does not exist in the ledger."""


class Conflict(InvalidInput):
    """The request is well-formed but contradicts the ledger (e.g. already resolved)."""


class StaleRecord(Conflict):
    """The record changed since the caller read it (another process wrote to it)."""


class LedgerError(ClaimtrackError):
    """The database cannot be opened, migrated or trusted."""

    exit_code = 1


class LedgerUnavailable(LedgerError):
    """The ledger cannot be used as asked: missing, not a ledger, read-only,
    locked, unreachable, or the disk is full.  One line, exit status 2."""

    exit_code = 2
