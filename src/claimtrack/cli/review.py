"""``claimtrack review``: the review queue in a plain terminal, one prompt per claim.

The same queue and keys as the review UI (services.review): y/n/a/v resolve
(with an optional note and evidence link), f updates your forecast, d defers
the due date, s skips, q quits; a draft is accepted (y) or rejected (x).
Each write is its own transaction; bad input gets one line and the prompt
again.  Reads standard input line by line, so it works over SSH, in a pipe
and without a terminal; the end of the input quits like q.
"""

from __future__ import annotations

import click

from claimtrack.cli import common
from claimtrack.domain.errors import InvalidInput, StaleRecord

OUTCOME_KEYS = {"y": "yes", "n": "no", "a": "ambiguous", "v": "void"}
CLAIM_KEYS = "y/n/a/v resolve, f forecast, d defer, s skip, q quit"
DRAFT_KEYS = "y accept, x reject, d defer, s skip, q quit"
# a multiple-choice, numeric or date question (issue 12): r asks what happened
QUESTION_KEYS = "r resolve, a/v ambiguous/void, f forecast, d defer, s skip, q quit"
WHAT_HAPPENED = {"choice": "the option that happened (a prefix works)", "numeric": "the true value (1.76T, $63M)",
                 "date": "the day it happened (YYYY-MM-DD)"}
TYPED_FORECAST = {"choice": "your probabilities, every option (a=10%, b=90%)",
                  "numeric": "your quantiles (10%=1T, 50%=2T, 90%=3T) or an interval (1T..3T@80%)",
                  "date": "your quantiles (10%=2026-01, 50%=2026-06, 90%=2027-12)"}


class _Quit(Exception):
    """The user quit (q, or the end of the input)."""


def _ask(text: str) -> str:
    import sys

    try:
        answer = click.prompt(text, default="", show_default=False, prompt_suffix=" ").strip()
    except click.Abort:  # end of input
        click.echo("")
        raise _Quit() from None
    if not sys.stdin.isatty():  # scripted: show the answer, so the transcript reads as typed
        click.echo(common.printable(answer))
    return answer


def _say(message: str) -> None:
    """One line about a refused answer, on stderr."""
    click.echo(f"  ! {common.printable(message)}", err=True)


def _ask_checked(text: str, check):
    """Ask until ``check(answer)`` accepts it (it raises InvalidInput otherwise)."""
    while True:
        answer = _ask(text)
        try:
            return check(answer)
        except InvalidInput as exc:
            _say(str(exc))


def _optional(check):
    return lambda answer: check(answer) if answer else None


def _keys(item) -> str:
    if item.reason == "draft":
        return DRAFT_KEYS
    return CLAIM_KEYS if item.claim.question_type == "binary" else QUESTION_KEYS


def _describe(index: int, total: int, item, me: str) -> str:
    from claimtrack.domain.datefmt import format_date
    from claimtrack.domain.probability import format_probability

    c = item.claim
    lines = [f"[{index} of {total}] #{c.id}  {item.why}" + (f"  (due {format_date(c.resolve_by)})" if c.resolve_by else "")]
    lines.append("  " + common.printable(c.statement).replace("\n", " "))
    facts = []
    if c.source:
        facts.append(f"by {common.printable(c.source)}")
    if c.mine is not None:
        facts.append(f"you {format_probability(c.mine)}")
    if c.question_type != "binary" and c.distribution is not None:
        from claimtrack.domain.distribution import summary

        who = "you" if (c.distribution_by or "").casefold() == me.casefold() else common.printable(c.distribution_by)
        facts.append(f"{who}: {common.printable(summary(c.question_type, c.options, c.distribution, c.unit))}")
    if c.theirs is not None:
        facts.append(f"claimant {format_probability(c.theirs)} ({c.their_kind})")
    if c.others is not None:
        facts.append(f"others' median {format_probability(c.others)} (of {c.n_others})")
    if c.tags:
        facts.append("tags " + ",".join(common.printable(t) for t in c.tags))
    if facts:
        lines.append("  " + " | ".join(facts))
    return "\n".join(lines)


class Session:
    """One walk through the queue (kept apart from click so each step is plain)."""

    def __init__(self, db, me: str):
        from claimtrack.services.review import Tally

        self.db, self.me, self.tally = db, me, Tally()

    # each action returns True when the item is done, False to ask again

    def resolve(self, claim, outcome: str) -> bool:
        from claimtrack.domain import validate
        from claimtrack.services.resolve import resolve_claim

        note = _ask_checked("  note (Enter for none):", _optional(lambda a: validate.optional_text(a, "note")))
        url = _ask_checked("  evidence link (Enter for none):", _optional(lambda a: validate.url(a, "evidence link")))
        _, warnings = resolve_claim(self.db, claim.id, outcome, note=note, evidence_url=url, resolved_by=self.me,
                                    expected_revision=claim.revision, seen_forecasts=claim.n_forecasts)
        for warning in warnings:
            _say(warning)
        click.echo(f"  resolved #{claim.id} {outcome}")
        self.tally.note("resolved", claim.id)
        return True

    def forecast(self, claim) -> bool:
        from claimtrack.domain import validate
        from claimtrack.domain.probability import format_probability
        from claimtrack.services.ledger import add_forecast

        if claim.question_type != "binary":
            return self.forecast_question(claim)
        p = _ask_checked("  your probability (0.7, 70%, likely; Enter to go back):", _optional(common.probability))
        if p is None:
            return False
        note = _ask_checked("  why (Enter for none):", _optional(lambda a: validate.optional_text(a, "note")))
        f = add_forecast(self.db, claim.id, p, forecaster=self.me, rationale=note)
        click.echo(f"  forecast {format_probability(f.probability)} on #{claim.id}")
        self.tally.note("updated", claim.id)
        return True

    def forecast_question(self, claim) -> bool:
        from claimtrack.domain import validate
        from claimtrack.domain.distribution import summary
        from claimtrack.services.questions import add_question_forecast, parse_for, typed_distribution

        def check(answer: str):
            typed = typed_distribution(claim.question_type, answer)
            parse_for(claim.question_type, claim.options, typed, claim.id)  # one line on a bad answer, asked again
            return typed

        typed = _ask_checked(f"  {TYPED_FORECAST[claim.question_type]} (Enter to go back):", _optional(check))
        if typed is None:
            return False
        note = _ask_checked("  why (Enter for none):", _optional(lambda a: validate.optional_text(a, "note")))
        f, scaled = add_question_forecast(self.db, claim.id, typed, forecaster=self.me, rationale=note)
        if scaled:
            _say(scaled)
        shown = summary(claim.question_type, claim.options, f.distribution, claim.unit)
        click.echo(common.printable(f"  forecast {shown} on #{claim.id}"))
        self.tally.note("updated", claim.id)
        return True

    def defer(self, claim) -> bool:
        from claimtrack.domain.datefmt import format_date
        from claimtrack.domain.dates import user_timezone, utcnow
        from claimtrack.domain.review import defer_target

        now = utcnow()
        choice = _ask_checked("  defer to: +1w, +1m or a date (Enter: +1w):",
                              lambda a: (a or "+1w", defer_target(a or "+1w", claim.resolve_by, now, user_timezone())))
        from claimtrack.services.review import defer

        moved = defer(self.db, claim.id, choice[0], me=self.me, now=now, expected_revision=claim.revision)
        click.echo(f"  #{claim.id} now due {format_date(moved.resolve_by)}")
        self.tally.note("deferred", claim.id)
        return True

    def accept(self, claim) -> bool:
        from claimtrack.services.claim_edits import set_status

        p = _ask_checked("  your probability (Enter for none):", _optional(common.probability))
        set_status(self.db, claim.id, "active", edited_by=self.me, probability=p, forecaster=self.me)
        click.echo(f"  accepted #{claim.id}")
        self.tally.note("accepted", claim.id)
        return True

    def reject(self, claim) -> bool:
        from claimtrack.services.claim_edits import set_status

        set_status(self.db, claim.id, "rejected", edited_by=self.me)
        click.echo(f"  rejected #{claim.id} (kept; 'claimtrack unreject {claim.id}' undoes it)")
        self.tally.note("rejected", claim.id)
        return True

    def step(self, item, key: str) -> bool:
        """Act on ``key`` for ``item``; True when the item is done."""
        claim = item.claim
        draft = item.reason == "draft"
        if key == "q":
            raise _Quit()
        if key == "s":
            self.tally.note("skipped", claim.id)
            return True
        if key == "d":
            return self.defer(claim)
        question = claim.question_type != "binary"
        if question and key == "r":
            from claimtrack.domain.distribution import resolution_for

            typed = _ask_checked(f"  {WHAT_HAPPENED[claim.question_type]} (Enter to go back):",
                                 _optional(lambda a: (resolution_for(claim.question_type, claim.options, a), a)[1]))
            return False if typed is None else self.resolve(claim, typed)
        if question and key in ("y", "n"):
            raise InvalidInput(f"#{claim.id} is not a yes/no claim: r resolves it with "
                               f"{WHAT_HAPPENED[claim.question_type]}; {QUESTION_KEYS}")
        if not draft and key in OUTCOME_KEYS:
            return self.resolve(claim, OUTCOME_KEYS[key])
        if not draft and key == "f":
            return self.forecast(claim)
        if draft and key == "y":
            return self.accept(claim)
        if draft and key == "x":
            return self.reject(claim)
        keys = _keys(item)
        shown = common.printable(key)[:20]
        raise InvalidInput(f"'{shown}' is not a choice here: {keys}" if shown else f"type a key: {keys}")

    def walk(self, items, total: int) -> None:
        """Prompt for each item of ``items`` (an iterable: the queue streamed a page at a time)."""
        from dataclasses import replace

        from claimtrack.services.review import claim_summary

        for index, item in enumerate(items, 1):
            click.echo("")
            click.echo(_describe(index, total, item, self.me))
            keys = _keys(item)
            while True:
                key = _ask(f"  {keys} >").lower()
                try:
                    if self.step(item, key):
                        break
                except StaleRecord as exc:
                    # someone changed the claim meanwhile: show it as it is now and ask again
                    _say(f"{exc}; here it is as it stands now")
                    item = replace(item, claim=claim_summary(self.db, item.claim.id, self.me))
                    click.echo(_describe(index, total, item, self.me))
                except InvalidInput as exc:
                    _say(str(exc))


@click.command(epilog="""\b
Examples:
  claimtrack review                     # walk the queue: overdue, due this week, stale, drafts
  claimtrack review --stale-days 14     # your forecasts older than two weeks count as stale
  printf 'y\\n\\n\\ns\\nq\\n' | claimtrack review   # scripted: resolve the first yes, skip the next, quit
""")
@click.option("--stale-days", type=int, metavar="DAYS",
              help="Your last forecast on an open claim is stale after DAYS days (default: the "
                   "stale_days setting, else 30).")
@click.pass_context
def review(ctx, stale_days):
    """Walk what needs attention, one prompt per claim (the review UI's queue, in plain text).

    The queue: overdue claims, claims due within 7 days, open claims with
    your last forecast older than the stale age, and drafts in the inbox.
    Keys: y/n/a/v resolve yes/no/ambiguous/void (then an optional note and
    evidence link), f updates your forecast, d defers the due date (+1w, +1m
    or a date; kept as an edit), s skips, q quits; on a draft, y accepts and
    x rejects (the review UI's keys).  Each answer is written at once, in its own transaction.
    Ends with a summary: what you did and your Brier this quarter.
    """
    from claimtrack.domain.review import stale_days as check_days
    from claimtrack.services.config import current_user
    from claimtrack.services import review_pages
    from claimtrack.services.review import count_queue, session_summary

    days = check_days(stale_days) if stale_days is not None else None
    db = common.ledger(ctx)
    me = current_user()
    # the queue streamed a page at a time in SQL order (memory flat), counted in SQL
    cursor = review_pages.start(me, stale_days=days)
    counts = count_queue(db, me, now=cursor.now, stale_days=cursor.stale_days)
    total = sum(counts.values())
    if not total:
        click.echo("nothing needs attention: nothing overdue or due this week, no stale forecasts, no drafts")
        return
    words = {"overdue": "overdue", "due": "due within 7 days", "stale": "stale", "draft": "in the inbox"}
    click.echo(f"{total} to review: " + ", ".join(f"{n} {words[k]}" for k, n in counts.items() if n))
    session = Session(db, me)
    try:
        session.walk(review_pages.iter_queue(db, cursor), total)
    except _Quit:
        pass
    click.echo("")
    click.echo(session_summary(db, me, session.tally))
