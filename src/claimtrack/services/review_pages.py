"""The review queue read a page at a time, in SQL order (services.review's
``review_queue`` builds the whole queue in Python and stays the reference).

Each section of the queue (overdue, due, stale, draft: see services.review)
is its own ordered query; a page continues its section by keyset (the last
claim's sort key and id), so the 26,000th item costs what the first does and
nothing before it is held.  The UI's first screen needs only the first page
and ``count_queue``; ``claimtrack review`` streams the queue with
:func:`iter_queue`, memory flat.

A :class:`Cursor` freezes the queue's clock, stale age and user, so every page
is read with the same rules as the first.  Writes between pages (resolve,
forecast, defer, accept, reject) change only the claim just shown, which is
behind the cursor; :func:`iter_queue` skips a claim it has already produced
(a deferred overdue claim can fall due again later in the queue), so a walk
lists what the whole queue read at its start would have listed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from claimtrack.db import models as m
from claimtrack.db.engine import Database
from claimtrack.domain import review as rules
from claimtrack.domain.dates import to_utc, utcnow
from claimtrack.domain.filters import DEFAULT_DUE_WITHIN, ClaimFilter
from claimtrack.services.review import QueueItem

SECTIONS = ("overdue", "due", "stale", "draft")
PAGE = 50


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: the section, and the last item read in it (None: its start)."""

    me: str
    now: datetime
    stale_days: int
    due_within: timedelta = DEFAULT_DUE_WITHIN
    section: int = 0
    after: object | None = None  # the last ClaimSummary read in this section
    after_last: object | None = None  # stale: the raw newest-forecast value of that claim

    @property
    def done(self) -> bool:
        return self.section >= len(SECTIONS)


def start(me: str, *, now: datetime | None = None, stale_days: int | None = None,
          due_within: timedelta = DEFAULT_DUE_WITHIN) -> Cursor:
    """The cursor at the queue's first item (the clock and the stale age fixed here)."""
    from claimtrack.services.review import stale_days_or_configured

    return Cursor(me, now or utcnow(), stale_days_or_configured(stale_days), due_within)


def queue_page(db: Database, cursor: Cursor, limit: int = PAGE) -> tuple[list[QueueItem], Cursor]:
    """Up to ``limit`` items from ``cursor`` on, in queue order, and the cursor after them
    (``done`` once the queue is exhausted; fewer than ``limit`` items only then)."""
    with db.read() as session:
        return page_in(session, cursor, limit)


def page_in(session: Session, cursor: Cursor, limit: int = PAGE) -> tuple[list[QueueItem], Cursor]:
    items: list[QueueItem] = []
    while not cursor.done and len(items) < limit:
        want = limit - len(items)
        got, cursor = _section_page(session, cursor, want)
        items += got
        if len(got) < want:  # this section is exhausted: the next one from its start
            cursor = Cursor(cursor.me, cursor.now, cursor.stale_days, cursor.due_within, cursor.section + 1)
    return items, cursor


def iter_queue(db: Database, cursor: Cursor, page: int | None = None) -> Iterator[QueueItem]:
    """Every item from ``cursor`` on, a page (``PAGE`` items, one read transaction) at a
    time, each claim once: one already produced is not produced again (see the module docstring)."""
    seen: set[int] = set()
    while not cursor.done:
        items, cursor = queue_page(db, cursor, page or PAGE)
        for item in items:
            if item.claim.id not in seen:
                seen.add(item.claim.id)
                yield item


def _section_page(session: Session, cursor: Cursor, limit: int) -> tuple[list[QueueItem], Cursor]:
    from claimtrack.services.queries import (
        SUMMARY_COLUMNS, _after, _conditions, _order, summaries,
    )

    reason, now, me = SECTIONS[cursor.section], cursor.now, cursor.me
    if reason == "stale":
        return _stale_page(session, cursor, limit)
    flt = ClaimFilter(now=now, due_within=cursor.due_within).with_state(reason)
    sort = "made" if reason == "draft" else None
    conds = _conditions(flt, now)
    if reason == "due":
        conds.append(m.Claim.resolve_by >= now)  # the overdue ones are the section before
    if cursor.after is not None:
        conds.append(_after(flt, sort, False, cursor.after))
    rows = session.execute(select(*SUMMARY_COLUMNS).where(and_(*conds))
                           .order_by(*_order(flt, sort, False)).limit(limit)).all()
    claims = summaries(session, rows, me)
    why = {"overdue": lambda c: rules.why_overdue(c.resolve_by, now),
           "due": lambda c: rules.why_due(c.resolve_by, now),
           "draft": lambda c: rules.why_draft(c.source)}[reason]
    items = [QueueItem(c, reason, why(c)) for c in claims]
    if claims:
        cursor = Cursor(me, now, cursor.stale_days, cursor.due_within, cursor.section, claims[-1])
    return items, cursor


def _stale_page(session: Session, cursor: Cursor, limit: int) -> tuple[list[QueueItem], Cursor]:
    """The stale section from ``cursor``: services.review's stale candidates whose ``last``
    (your newest forecast) is older than the stale age, oldest first, by keyset."""
    from claimtrack.services.queries import summaries
    from claimtrack.services.review import stale_before, stale_candidates

    now, me, days = cursor.now, cursor.me, cursor.stale_days
    candidates = stale_candidates(me, now, cursor.due_within)
    q = candidates.c
    conds = [q.last < stale_before(now, days)]
    if cursor.after is not None:
        last, claim_id = cursor.after_last, cursor.after.id
        conds.append(or_(q.last > last, and_(q.last == last, q.id > claim_id)))
    rows = session.execute(select(candidates).where(*conds).order_by(q.last, q.id).limit(limit)).all()
    claims = summaries(session, rows, me)
    items = [QueueItem(c, "stale", rules.why_stale(to_utc(r.last), now, days), to_utc(r.last))
             for c, r in zip(claims, rows)]
    if claims:
        cursor = Cursor(me, now, days, cursor.due_within, cursor.section, claims[-1], rows[-1].last)
    return items, cursor
