"""The review UI's door to the ledger: plain blocking calls, run in worker threads.

Nothing here imports textual.  Every method opens its own short transaction
through the services layer, so the UI always sees what another process (the
CLI) wrote, and a write either commits whole or not at all.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from claimtrack.db.engine import Database
from claimtrack.domain.text import clean_strings, terminal_safe
from claimtrack.domain.dates import utcnow
from claimtrack.domain.filters import ClaimFilter
from claimtrack.domain.records import ClaimDetail, ClaimSummary, Forecast, Resolution

Clock = Callable[[], datetime]

# The switches above the claims table: (label, ClaimFilter state).
STATES: tuple[tuple[str, str], ...] = (
    ("Open", "open"),
    ("Due", "due"),
    ("Resolved", "resolved"),
    ("All", "all"),
    ("Inbox", "draft"),
)


# The period selector of the score views: (label, key); bounds on resolution time.
PERIODS: tuple[tuple[str, str], ...] = (
    ("All time", "all"),
    ("Last 30 days", "30d"),
    ("Last 90 days", "90d"),
    ("Last 12 months", "12mo"),
    ("This year", "this-year"),
    ("Last year", "last-year"),
)


def period_bounds(key: str, now: datetime) -> tuple[datetime | None, datetime | None]:
    """(since, until) of a period key, in UTC; None means open-ended."""
    from datetime import timedelta, timezone

    if key == "all":
        return None, None
    if key in ("30d", "90d"):
        return now - timedelta(days=int(key[:-1])), None
    if key == "12mo":
        return now - timedelta(days=365), None
    year = now.year if key == "this-year" else now.year - 1
    start = datetime(year, 1, 1, tzinfo=timezone.utc)
    return start, (None if key == "this-year" else datetime(year + 1, 1, 1, tzinfo=timezone.utc))


@dataclass(frozen=True)
class Page:
    """One slice of a claim list, with what the UI needs to keep paging."""

    rows: list[ClaimSummary]
    offset: int  # how many rows come before this page in the list
    total: int | None  # rows in the whole list; None until counted (see Backend.counts)


class Backend:
    """Opens the ledger on first use (from a worker thread) and wraps the services."""

    def __init__(self, db_option: str | None = None, *, clock: Clock | None = None,
                 database: Database | None = None) -> None:
        self.db_option = db_option
        self._clock = clock
        self._db = database
        self._lock = threading.Lock()

    # ------------------------------------------------------------ basics

    def now(self) -> datetime:
        return self._clock() if self._clock is not None else utcnow()

    @property
    def fixed_clock(self) -> bool:
        return self._clock is not None

    @property
    def db(self) -> Database:
        with self._lock:
            if self._db is None:
                from claimtrack.services.store import open_ledger

                self._db = open_ledger(self.db_option)
            return self._db

    @property
    def read_only(self) -> bool:
        """Whether the open ledger refuses writes (read-only file, a team ledger's viewer); False until opened."""
        return self._db is not None and self._db.read_only

    def describe(self) -> str:
        """Where the ledger is, for the title bar (without opening it: the first page does)."""
        if self._db is not None:
            return self._db.location.display()
        from claimtrack.db.location import resolve_location

        return resolve_location(self.db_option).display()

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.dispose()
                self._db = None

    def user(self) -> str:
        from claimtrack.services.config import current_user

        return current_user()

    def claim_filter(self, state: str, search: str | None) -> ClaimFilter:
        """``search`` is the filter box's text: words and facets (domain.query)."""
        now = self.now()
        flt = ClaimFilter(state=state, now=now)
        if search and search.strip():
            from claimtrack.domain.query import parse_query

            flt = parse_query(search, now=now).apply(flt, me=self.user())
        return flt

    # ------------------------------------------------------------- reads

    def page(self, state: str, search: str | None, *, sort: str | None, descending: bool,
             offset: int, limit: int, after: ClaimSummary | None = None, count: bool = True) -> Page:
        """``limit`` rows from position ``offset``.

        With ``after`` (the last row of the previous page) the page is read by
        keyset, which costs the same at any depth; without it, by OFFSET.  A
        full page is counted (``count``) so the total stays current; a short one
        ends the list.
        """
        from claimtrack.services.queries import count_claims, list_claims

        flt = self.claim_filter(state, search)
        rows = list_claims(self.db, flt, limit=limit, offset=0 if after is not None else offset, after=after,
                           sort=sort, descending=descending, me=self.user())
        if len(rows) < limit:
            total: int | None = offset + len(rows)
        else:
            total = count_claims(self.db, flt) if count else None
        return Page(rows=rows, offset=offset, total=total)

    def find_claims(self, words: str, limit: int) -> list[ClaimSummary]:
        """Claims of every state but rejected whose text holds ``words`` (the palette's go-to)."""
        from claimtrack.services.queries import list_claims

        found: list[ClaimSummary] = []
        for state in ("all", "draft"):
            flt = self.claim_filter(state, words)
            found += list_claims(self.db, flt, limit=limit - len(found), sort="id", descending=True, me=self.user())
            if len(found) >= limit:
                break
        return clean_strings(found)

    def counts(self, search: str | None) -> dict[str, int]:
        """How many claims each state switch shows (with the filter)."""
        from claimtrack.services.queries import count_claims

        return {s: count_claims(self.db, self.claim_filter(s, search)) for _, s in STATES}

    def detail(self, claim_id: int) -> ClaimDetail:
        from claimtrack.services.queries import get_claim

        return clean_strings(get_claim(self.db, claim_id, self.user()))

    def distinct(self, what: str) -> list[tuple[str, int]]:
        from claimtrack.services.queries import distinct_values

        return clean_strings(distinct_values(self.db, what))

    def people(self):
        """Everyone's track record, as ``claimtrack people`` gives it (services.people)."""
        from claimtrack.services.people import people

        return people(self.db, self.user())

    def report(self, group: str | None, period: str):
        """Scores for the calibration and sources views (services.report.data)."""
        from claimtrack.services.report.data import build_report
        from claimtrack.services.report.model import ReportOptions

        now = self.now()
        since, until = period_bounds(period, now)
        options = ReportOptions(group=group, since=since, until=until, now=now, max_claims=0)
        return clean_strings(build_report(self.db, options))

    # ------------------------------------------------------------ writes

    def add_claim(self, new) -> ClaimSummary:
        from claimtrack.services.ledger import add_claim

        return add_claim(self.db, new)

    def add_question(self, new) -> ClaimSummary:
        from claimtrack.services.questions import add_question

        return add_question(self.db, new)

    def add_forecast(self, claim_id: int, probability: float, *, forecaster: str,
                     made_at: datetime | None, rationale: str | None,
                     expected_revision: int | None) -> Forecast:
        from claimtrack.services.ledger import add_forecast

        return add_forecast(self.db, claim_id, probability, forecaster=forecaster, made_at=made_at,
                            rationale=rationale, expected_revision=expected_revision)

    def add_question_forecast(self, claim_id: int, typed, *, forecaster: str, made_at: datetime | None,
                              rationale: str | None, expected_revision: int | None) -> tuple[Forecast, str | None]:
        from claimtrack.services.questions import add_question_forecast

        return add_question_forecast(self.db, claim_id, typed, forecaster=forecaster, made_at=made_at,
                                     rationale=rationale, expected_revision=expected_revision)

    def resolve(self, claim_id: int, outcome: str, *, resolved_at: datetime | None, note: str | None,
                evidence_url: str | None, force: bool, expected_revision: int | None,
                seen_forecasts: int | None = None) -> tuple[Resolution, list[str]]:
        from claimtrack.services.resolve import resolve_claim

        return resolve_claim(self.db, claim_id, outcome, resolved_at=resolved_at, note=note,
                             evidence_url=evidence_url, resolved_by=self.user(), force=force,
                             expected_revision=expected_revision, seen_forecasts=seen_forecasts)

    def edit(self, claim_id: int, changes: dict, *, expected_revision: int | None) -> ClaimSummary:
        from claimtrack.services.claim_edits import edit_claim

        return edit_claim(self.db, claim_id, edited_by=self.user(),
                          expected_revision=expected_revision, **changes)

    def accept(self, claim_id: int, *, probability: float | None, statement: str | None,
               resolve_by: datetime | None = None, tags: tuple[str, ...] | None = None) -> ClaimSummary:
        from claimtrack.services.claim_edits import set_status

        user = self.user()
        return set_status(self.db, claim_id, "active", edited_by=user, probability=probability,
                          forecaster=user, statement=statement, resolve_by=resolve_by, tags=tags)

    def defer(self, claim_id: int, choice: str, *, expected_revision: int | None) -> ClaimSummary:
        from claimtrack.services.review import defer

        return defer(self.db, claim_id, choice, me=self.user(), now=self.now() if self.fixed_clock else None,
                     expected_revision=expected_revision)

    # ------------------------------------------------------------ review

    def claim_summary(self, claim_id: int) -> ClaimSummary:
        """One claim as a list row, with your numbers (fetched again after a stale refusal)."""
        from claimtrack.services.review import claim_summary

        return clean_strings(claim_summary(self.db, claim_id, self.user()))

    def review_first(self, limit: int):
        """The review queue's first page, its counts and the cursor after the page
        (services.review_pages: read in SQL order, not the whole queue)."""
        from claimtrack.services import review_pages
        from claimtrack.services.review import count_queue

        cursor = review_pages.start(self.user(), now=self.now())
        items, after = review_pages.queue_page(self.db, cursor, limit)
        counts = count_queue(self.db, cursor.me, now=cursor.now, stale_days=cursor.stale_days)
        return clean_strings(items), counts, after

    def review_page(self, cursor, limit: int):
        """The next page of the review queue from ``cursor``: (items, the cursor after them)."""
        from claimtrack.services import review_pages

        items, after = review_pages.queue_page(self.db, cursor, limit)
        return clean_strings(items), after

    def session_summary(self, tally) -> str:
        from claimtrack.services.review import session_summary

        return session_summary(self.db, self.user(), tally, now=self.now())

    def score_line(self):
        """(QuarterScores, overdue count, stale count) for the summary line over the claims."""
        from claimtrack.services.review import count_queue, quarter_scores

        now = self.now()
        counts = count_queue(self.db, self.user(), now=now)
        return quarter_scores(self.db, self.user(), now=now), counts

    def reject(self, claim_id: int) -> ClaimSummary:
        from claimtrack.services.claim_edits import set_status

        return set_status(self.db, claim_id, "rejected", edited_by=self.user())


def describe_error(exc: BaseException) -> str:
    """One line for a notification: our own errors verbatim, others with their type."""
    from claimtrack.domain.errors import ClaimtrackError

    if isinstance(exc, ClaimtrackError):
        from claimtrack.tui.refusals import ui_words

        return ui_words(terminal_safe(exc))
    text = " ".join(terminal_safe(exc).split()) or type(exc).__name__
    if len(text) > 300:
        text = text[:297] + "..."
    return f"{type(exc).__name__}: {text}"
