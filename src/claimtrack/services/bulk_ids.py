"""Random UUIDs for a big import, handed out in ascending order without
holding them all as text.

An import draws one UUID per forecast that comes without one and hands them
out in ascending order, so that the unique index on ``forecasts.uuid`` is
filled at its end instead of at random places (a third of SQLite's time for
a 150,000-forecast import).  As a list of str, 150,000 of them took about
20 MB for the whole import; here the random bytes stay one bytes object (16
bytes a UUID) with an array of their sorted order, and each UUID's text is
made when it is handed out.  They are the UUIDs that
:func:`claimtrack.services.ledger.new_uuids` makes of the same random bytes (its text by ledger.uuid4_text)
(version 4, RFC 4122 variant), in the same ascending order.
"""

from __future__ import annotations

import os
import sys
from array import array

from claimtrack.services.ledger import uuid4_text

_VERSION_NIBBLE = 0xF << 12  # the version digit (4) in the first 64 bits


class AscendingUuids:
    """``n`` random version-4 UUIDs as text, ascending; :meth:`next` hands out
    the next one (IndexError when none is left, as ``list.pop`` does)."""

    __slots__ = ("raw", "order", "at")

    def __init__(self, n: int) -> None:
        self.raw = raw = os.urandom(16 * n)
        halves = array("Q")
        halves.frombytes(raw)
        if sys.byteorder == "little":
            halves.byteswap()
        # the text orders as its first 64 bits (the version digit set to 4)
        # and then its last 64 (the variant digit's two high bits set, so
        # they order as the bits below them)
        high = [(h & ~_VERSION_NIBBLE) | 0x4000 for h in halves[0::2]]
        low = [h & 0x3FFF_FFFF_FFFF_FFFF for h in halves[1::2]]
        del halves
        self.order = array("I", sorted(range(n), key=lambda i: (high[i], low[i])))
        self.at = 0

    def __len__(self) -> int:
        return len(self.order) - self.at

    def next(self) -> str:
        at = self.at
        if at >= len(self.order):
            raise IndexError("no UUID left")
        self.at = at + 1
        i = 16 * self.order[at]
        return uuid4_text(self.raw[i:i + 16].hex())


def without_uuid(forecasts) -> int:
    """How many forecasts come without a uuid (so need one drawn); a claim's
    forecasts that say none has one (``without_uuid``: a big CSV's, built as
    they are read) are counted without being built."""
    if getattr(forecasts, "without_uuid", False):
        return len(forecasts)
    return sum(1 for f in forecasts if not f.uuid)
