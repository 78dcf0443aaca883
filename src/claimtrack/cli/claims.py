"""Write commands: add, forecast, resolve, edit.  Each is one transaction."""

from __future__ import annotations

import click

from claimtrack.cli import common
from claimtrack.cli import questions
from claimtrack.domain.errors import InvalidInput

PROB_HELP = "0.7, 70%, 70, 7/10, '3 in 4', odds 3:1, or words like 'likely' (70%)."
DATE_HELP = "YYYY-MM-DD, 'Nov 18 2023', today, yesterday, '3 days ago', 2w, 'in 3 months', eom, eoy."


@click.command(epilog="""\b
Examples:
  claimtrack add "OpenAI ships its own chip by 2026" -p 60%
  claimtrack add "Microsoft effectively acquired OpenAI for \\$0" --by "Ben Thompson" \\
      --their asserted -p 30% --url https://stratechery.com --made 2023-11-21 --due eoy --tag openai
  claimtrack add "GPT-4 is a mixture of experts" --by "George Hotz" --their probably
  claimtrack add "Revenue doubles next year" --by "An analyst" --their 80%   # a number they gave
  claimtrack add "Why was the CEO fired?" --option "undisclosed malfeasance=15%" \\
      --option "split over AI safety=50%" --option "board power struggle=35%"
  claimtrack add "GPT-4's parameter count" --numeric --unit parameters --q 10%=1T --q 50%=1.8T --q 90%=3T
  claimtrack add "OpenAI ships its own chip" --when --q 50%=2026-06 --q 90%=2027-12
""")
@click.argument("statement")
@click.option("-p", "--prob", "prob", metavar="PROB",
              help=f"YOUR probability that it is true (optional with --their): {PROB_HELP}")
@click.option("--their", metavar="PROB",
              help="The claimant's own confidence, recorded as their forecast: a number they gave (stated), "
                   "their word such as 'probably' (implied), or 'asserted' for a claim stated as fact.")
@click.option("--by", "source", metavar="SOURCE", help="Who made the claim (default: you).")
@click.option("--url", metavar="URL", help="Where the claim was made (http/https).")
@click.option("--made", metavar="DATE", help=f"When the claim was made (default: now). {DATE_HELP}")
@click.option("--due", metavar="DATE", help="Resolve-by date; a date alone means the end of that day.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Tag (repeatable, or comma-separated).")
@click.option("--note", metavar="TEXT", help="Why you give this probability.")
@click.option("--details", metavar="TEXT", help="Longer description or resolution criteria.")
@click.option("--forecaster", metavar="NAME", help="Whose probability -p is (default: $CLAIMTRACK_USER, config, login name).")
@questions.with_options(questions.add_options)
@common.json_option
@click.pass_context
def add(ctx, statement, prob, their, source, url, made, due, tags, note, details, forecaster,
        options, other, ordered, numeric, is_date, unit, log_scale, quantiles, intervals, as_json):
    """Log a claim with your probability (-p), the claimant's (--their), or both; prints the new claim's id.

    --their records what the claimant (--by) believed, as their forecast:
    a number is 'stated', a word of estimative probability is 'implied'
    (the word is kept), and 'asserted' (stated as fact, no hedge) stands for
    95% unless 'claimtrack config set asserted_probability' says otherwise.
    Sources are scored on these calls; -p is scored as yours.

    --option makes a multiple-choice question, --numeric a quantity and
    --when a date; your first numbers go with --option LABEL=PROB or --q /
    --interval (see the README's "Questions with several answers").
    """
    from claimtrack.services.config import asserted_probability, current_user
    from claimtrack.services.ledger import NewClaim, add_claim

    qtype = questions.question_type(options, other, ordered, numeric, is_date, unit, log_scale, quantiles, intervals)
    if qtype != "binary":
        return questions.add_question(
            ctx, qtype, statement, options=options, other=other, ordered=ordered, unit=unit, log_scale=log_scale,
            quantiles=quantiles, intervals=intervals, prob=prob, their=their, source=source, url=url, made=made,
            due=due, tags=tags, note=note, details=details, forecaster=forecaster, as_json=as_json)

    if prob is None and their is None:
        raise InvalidInput("give your probability (-p PROB), the claimant's (--by SOURCE --their PROB), or both")
    call = None
    if their is not None:
        from claimtrack.domain.kinds import parse_their

        if not (source or "").strip():
            raise InvalidInput("--their is the claimant's confidence: name the claimant with --by SOURCE")
        call = parse_their(their, asserted_probability())
        if call.warning:
            common.warn(call.warning)
    p = common.probability(prob) if prob is not None else None
    stated_at, resolve_by = common.date(made, "made"), common.date(due, "due")
    db = common.ledger(ctx)  # first: on a team ledger it says who you are
    user = forecaster or current_user()
    new = NewClaim(
        statement=statement, probability=p, forecaster=user, source=source or None,
        source_url=url, stated_at=stated_at, resolve_by=resolve_by,
        tags=tags, note=note, details=details, their=call,
    )
    claim = add_claim(db, new)
    if as_json:
        common.echo_json(claim)
    else:
        click.echo(claim.id)


@click.command(context_settings={"ignore_unknown_options": True},  # '-5%' is a (bad) probability
               epilog="""\b
Examples:
  claimtrack forecast 12 0.8
  claimtrack forecast 12 "3 in 4" --by Priya --made yesterday --note "after the earnings call"
  claimtrack forecast 12 probably --by "George Hotz" --kind implied     # the claimant's word
  claimtrack forecast 12 23% --by Metaculus --kind crowd                # a community forecast
  claimtrack forecast 14 "malfeasance=10%, safety=60%, power=30%"       # a multiple-choice question
  claimtrack forecast 15 --q 10%=1.2T --q 50%=1.7T --q 90%=2.6T         # a numeric or date claim
""")
@click.argument("claim_id")
@click.argument("prob", required=False)
@click.option("--by", "forecaster", metavar="FORECASTER", help="Whose forecast (default: you).")
@click.option("--kind", type=click.Choice(["own", "stated", "implied", "asserted", "crowd"], case_sensitive=False),
              help="Whose judgement: own (default), or on someone's behalf: stated (a number they gave), "
                   "implied (read from their word), asserted (stated as fact), crowd (a community or market number).")
@click.option("--made", metavar="DATE", help=f"When it was made (default: now). {DATE_HELP}")
@click.option("--note", metavar="TEXT", help="Rationale.")
@questions.with_options(questions.forecast_options)
@common.json_option
@click.pass_context
def forecast(ctx, claim_id, prob, forecaster, kind, made, note, quantiles, intervals, as_json):
    """Add a forecast to a claim.  Earlier forecasts are kept; the newest per forecaster is current.

    PROB accepts 0.7, 70%, 70, 7/10, '3 in 4', 3:1 or words like 'likely'.
    With --kind implied, PROB is the claimant's word; with --kind asserted it
    may be left as 'asserted'.  A forecast typed in more than a day after it
    was made is marked backfilled.

    A multiple-choice question takes a full distribution, "a=10%, b=60%,
    c=30%" (each option by an unambiguous prefix); a numeric or date claim
    takes quantiles (--q 10%=1T ... or --interval LOW..HIGH@80%).
    """
    from claimtrack.services.config import asserted_probability, current_user
    from claimtrack.services.ledger import add_forecast

    cid = common.claim_id(claim_id)
    if quantiles or intervals or (prob is not None and "=" in prob):
        return questions.forecast_question(ctx, cid, prob, quantiles, intervals, forecaster=forecaster, kind=kind,
                                           made=made, note=note, as_json=as_json)
    if prob is None:
        raise InvalidInput("give the forecast: a probability (70%) for a yes/no claim, \"a=10%, b=90%\" for a "
                           "multiple-choice question, or --q / --interval for a numeric or date claim")
    kind = (kind or "own").lower()
    basis = None
    if kind in ("stated", "implied", "asserted"):
        from claimtrack.domain.kinds import parse_their

        if not forecaster:
            raise InvalidInput(f"a {kind} forecast is someone else's call: name them with --by NAME")
        call = parse_their(prob, asserted_probability())
        if kind == "implied" and call.kind != "implied":
            raise InvalidInput(f"--kind implied reads the claimant's word: give the word they used "
                               f"(e.g. 'probably'), not '{prob}'")
        if kind == "stated" and call.kind != "stated":
            raise InvalidInput(f"--kind stated is a number the claimant gave: give it as a number, not '{prob}'")
        p, basis = call.probability, call.basis
        if call.warning:
            common.warn(call.warning)
    else:
        if kind == "crowd" and not forecaster:
            raise InvalidInput("a crowd forecast needs the crowd's name: --by Metaculus, --by Manifold, ...")
        p = common.probability(prob)
    made_at = common.date(made, "made")
    db = common.ledger(ctx)  # first: on a team ledger it says who you are
    user = current_user()
    result = add_forecast(db, cid, p, forecaster=forecaster or user,
                          made_at=made_at, rationale=note, kind=kind, basis=basis, recorded_by=user)
    if as_json:
        common.echo_json(result)
    else:
        flag = " (backfilled)" if result.backfilled else ""
        label = "" if result.kind == "own" else f" ({result.kind}" + (f", '{result.basis}'" if result.basis else "") + ")"
        click.echo(f"claim {cid}: {result.forecaster} {_pct(result.probability)}{label}{flag}")


@click.command(epilog="""\b
Examples:
  claimtrack resolve 12 yes --note "announced on the blog" --url https://example.com/post
  claimtrack resolve 12 no --date 2024-03-08
  claimtrack resolve 12 ambiguous --force     # re-resolve; the earlier resolution stays in history
  claimtrack resolve 14 "split over AI safety" # a multiple-choice question: its option (a prefix works)
  claimtrack resolve 15 1.76T                  # a numeric claim: the true value
  claimtrack resolve 16 2026-08-14             # a date claim: the day it happened
""")
@click.argument("claim_id")
@click.argument("outcome", metavar="yes|no|ambiguous|void|OPTION|VALUE")
@click.option("--date", "when", metavar="DATE", help=f"When the outcome became known (default: now). {DATE_HELP}")
@click.option("--note", metavar="TEXT", help="Evidence or reasoning.")
@click.option("--url", metavar="URL", help="Evidence link (http/https).")
@click.option("--force", is_flag=True, help="Re-resolve an already resolved claim (history is kept).")
@common.json_option
@click.pass_context
def resolve(ctx, claim_id, outcome, when, note, url, force, as_json):
    """Resolve a claim.  Ambiguous and void claims are excluded from scores.

    A multiple-choice question resolves with the option that happened, a
    numeric claim with the true value, a date claim with the day it happened.
    """
    from claimtrack.services.config import current_user
    from claimtrack.services.resolve import resolve_claim

    cid = common.claim_id(claim_id)
    resolution, warnings = resolve_claim(
        common.ledger(ctx), cid, outcome, resolved_at=common.date(when, "at"), note=note,
        evidence_url=url, resolved_by=current_user(), force=force,
    )
    for w in warnings:
        common.warn(w)
    if as_json:
        common.echo_json(resolution)
    elif resolution.value is not None:
        from claimtrack.services.queries import get_claim
        from claimtrack.domain.distribution import value_summary

        claim = get_claim(common.ledger(ctx), cid).claim
        shown = value_summary(claim.question_type, resolution.value, claim.unit)
        click.echo(f"claim {cid}: resolved {common.printable(shown)}")
    else:
        click.echo(f"claim {cid}: resolved {resolution.outcome}")


@click.command(epilog="""\b
Examples:
  claimtrack edit 12 --statement "OpenAI ships its own AI chip by end of 2026"
  claimtrack edit 12 --tag openai --tag hardware --due 2026-12-31
  claimtrack edit 12 --made 2023-11-08       # when the claim was really made
""")
@click.argument("claim_id")
@click.option("--statement", metavar="TEXT", help="New statement.")
@click.option("--details", metavar="TEXT", help="New details ('' clears).")
@click.option("--by", "source", metavar="SOURCE", help="New source ('' clears).")
@click.option("--url", metavar="URL", help="New source URL ('' clears).")
@click.option("--due", metavar="DATE", help="New resolve-by date ('none' clears).")
@click.option("--made", metavar="DATE", help="New made date: on or before the claim's first forecast, "
                                             "resolution and due date.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Replace the tags (repeatable).")
@click.option("--no-tags", is_flag=True, help="Remove every tag.")
@click.option("--option", "options", multiple=True, metavar="LABEL",
              help="Replace a multiple-choice question's options (repeatable); refused once it has a forecast.")
@click.option("--other", is_flag=True, help="With --option: add the catch-all option 'other'.")
@common.json_option
@click.pass_context
def edit(ctx, claim_id, statement, details, source, url, due, made, tags, no_tags, options, other, as_json):
    """Edit a claim's own fields.  Every change is kept in the claim's history.

    --made moves the claim's made date (say, to when the claim was first
    published); forecasts keep their own dates, so it can move earlier, or
    later only up to the first forecast, resolution and due date.
    """
    from claimtrack.services.config import current_user
    from claimtrack.services.claim_edits import edit_claim

    cid = common.claim_id(claim_id)
    changes: dict = {}
    if options or other:
        if any(v is not None for v in (statement, details, source, url, due, made)) or tags or no_tags:
            raise InvalidInput("edit a question's options on their own (--option ...), then its other fields")
        from claimtrack.services.questions import edit_options

        claim = edit_options(common.ledger(ctx), cid, options, other=other, edited_by=current_user())
        if as_json:
            common.echo_json(claim)
        else:
            click.echo(f"claim {cid}: updated (revision {claim.revision})")
        return
    if statement is not None:
        changes["statement"] = statement
    if details is not None:
        changes["details"] = details
    if source is not None:
        changes["source"] = source
    if url is not None:
        changes["source_url"] = url
    if due is not None:
        changes["resolve_by"] = None if due.strip().lower() in ("none", "") else common.date(due, "due")
    if made is not None:
        changes["stated_at"] = common.date(made, "made")
    if tags or no_tags:
        if tags and no_tags:
            raise InvalidInput("give --tag or --no-tags, not both")
        changes["tags"] = () if no_tags else tags
    if not changes:
        raise InvalidInput("nothing to change: give --statement, --details, --by, --url, --due, --made or --tag")
    claim = edit_claim(common.ledger(ctx), cid, edited_by=current_user(), **changes)
    if as_json:
        common.echo_json(claim)
    else:
        click.echo(f"claim {cid}: updated (revision {claim.revision})")


def _pct(p: float) -> str:
    from claimtrack.domain.probability import format_probability

    return format_probability(p)
