"""Due dates as an iCalendar feed (RFC 5545), written with the icalendar library.

One all-day event per open claim with a due date, on the due day in your
time zone.  Each event's UID comes from the claim's uuid, so a calendar that
imports the file again (or subscribes to it) updates its events instead of
adding copies; SEQUENCE is the claim's revision, so a changed claim (a
deferred due date) replaces the older event.  Text is data: icalendar
escapes commas, semicolons and line breaks, and terminal escape sequences
and other control characters (which RFC 5545 forbids in text) are removed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TextIO

from claimtrack.db.engine import Database

PRODID = "-//claimtrack//due dates//EN"
UID_DOMAIN = "claimtrack"


def event_uid(claim_uuid: str) -> str:
    return f"{claim_uuid}@{UID_DOMAIN}"


def _text(value) -> str:
    from claimtrack.domain.text import terminal_safe

    text = terminal_safe(value)
    # what terminal_safe keeps visible for control characters is fine; drop
    # the C0 controls RFC 5545 never allows in TEXT (tab and newline aside)
    return "".join(ch for ch in text if ch in "\t\n" or not (ord(ch) < 32 or ord(ch) == 127))


def feed(db: Database, me: str, *, now: datetime | None = None) -> tuple[bytes, int]:
    """The calendar as bytes (CRLF lines) and how many events it holds."""
    from icalendar import Calendar, Event

    from claimtrack.domain.datefmt import local_time
    from claimtrack.domain.dates import utcnow
    from claimtrack.domain.filters import ClaimFilter
    from claimtrack.domain.probability import format_probability
    from claimtrack.services.queries import iter_claims

    now = now or utcnow()
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "claimtrack: due dates")
    n = 0
    for claim in iter_claims(db, ClaimFilter(state="open", now=now), me=me):
        if claim.resolve_by is None:
            continue
        day = local_time(claim.resolve_by).date()
        event = Event()
        event.add("uid", event_uid(claim.uuid))
        event.add("dtstamp", now)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("sequence", int(claim.revision))
        event.add("summary", _text(f"Due: {claim.statement}"))
        lines = [_text(claim.statement), ""]
        if claim.source:
            lines.append(_text(f"by {claim.source}"))
        if claim.mine is not None:
            lines.append(f"your forecast: {format_probability(claim.mine)}")
        lines.append(f"claimtrack resolve {claim.id} yes|no (or 'claimtrack review')")
        event.add("description", "\n".join(lines))
        if claim.source_url:
            event.add("url", _text(claim.source_url))
        if claim.tags:
            event.add("categories", [_text(t) for t in claim.tags])
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
        n += 1
    return cal.to_ical(), n


def write_ics(db: Database, fh: TextIO, *, me: str | None = None, now: datetime | None = None) -> int:
    """Write the feed to a text stream (opened with newline='' or stdout); returns the event count."""
    from claimtrack.services.config import current_user

    data, n = feed(db, me or current_user(), now=now)
    fh.write(data.decode("utf-8"))
    return n
