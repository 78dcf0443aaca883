"""The CLI side of choice, numeric and date claims (issue 12): the options
``add``, ``forecast`` and ``edit`` take for them, and how they are read.

``add STATEMENT --option "a=15%" --option ... [--other] [--ordered]``,
``add STATEMENT --numeric --unit U --q 10%=1T --q 50%=1.8T --q 90%=3T [--log]``
(or ``--interval LO..HI@80%``), ``add STATEMENT --when --q 50%=2026-06 ...``;
``forecast ID "a=10%, b=60%, c=30%"`` or ``forecast ID --q ... | --interval ...``.
"""

from __future__ import annotations

import click

from claimtrack.cli import common
from claimtrack.domain.errors import InvalidInput

add_options = [
    click.option("--option", "options", multiple=True, metavar="LABEL=PROB",
                 help="A multiple-choice question: one option with your probability (repeatable; they must add up "
                      "to 100%). A label alone (no =PROB on any option) logs the options without a forecast."),
    click.option("--other", is_flag=True, help="Add the catch-all option 'other', which takes what the options leave."),
    click.option("--ordered", is_flag=True, help="The options form a scale (e.g. '<1T', '1-2T', '>2T')."),
    click.option("--numeric", is_flag=True, help="A numeric claim: a quantity, forecast as quantiles (--q, --interval)."),
    click.option("--when", "is_date", is_flag=True,
                 help="A date claim: when something happens, forecast as quantiles of dates (--q 50%=2026-06)."),
    click.option("--unit", metavar="UNIT", help="The quantity's unit (parameters, tokens, $)."),
    click.option("--log", "log_scale", is_flag=True, help="The quantity spans orders of magnitude."),
    click.option("--q", "quantiles", multiple=True, metavar="LEVEL=VALUE",
                 help="Your quantile: 10%=1T, 50%=1.8T, 90%=3T (values take k, M, B or G, T and a currency sign; "
                      "dates YYYY-MM-DD, YYYY-MM, YYYY)."),
    click.option("--interval", "intervals", multiple=True, metavar="LOW..HIGH@LEVEL",
                 help="A central interval: 1.2T..2.4T@80% is your 10% and 90% quantiles."),
]

forecast_options = add_options[-2:]


def with_options(options):
    def wrap(func):
        for option in reversed(options):
            func = option(func)
        return func
    return wrap


def question_type(options, other, ordered, numeric, is_date, unit, log_scale, quantiles, intervals) -> str:
    """binary, choice, numeric or date, from the options given to ``add``; mixed kinds are one error."""
    kinds = [k for k, on in (("choice", bool(options) or other or ordered), ("numeric", numeric),
                              ("date", is_date)) if on]
    if len(kinds) > 1:
        raise InvalidInput(f"give one kind of question: --option (multiple choice), --numeric or --when (a date), "
                           f"not {' and '.join(kinds)}")
    if not kinds:
        if quantiles or intervals or unit or log_scale:
            raise InvalidInput("--q, --interval, --unit and --log need --numeric (a quantity) or --when (a date)")
        return "binary"
    if kinds[0] == "choice" and (quantiles or intervals or unit or log_scale):
        raise InvalidInput("--q, --interval, --unit and --log are for --numeric or --when claims, "
                           "not a multiple-choice question")
    return kinds[0]


def add_question(ctx, qtype: str, statement: str, *, options, other, ordered, unit, log_scale, quantiles, intervals,
                 prob, their, source, url, made, due, tags, note, details, forecaster, as_json) -> None:
    from claimtrack.services.config import current_user
    from claimtrack.services.questions import NewQuestion, add_question as add, parse_quantiles

    if prob is not None or their is not None:
        raise InvalidInput("-p and --their are probabilities for yes/no claims: give a multiple-choice question's "
                           "numbers with --option LABEL=PROB, a quantity's with --q or --interval")
    labels, dist = (), None
    if qtype == "choice":
        from claimtrack.domain.choice import options_from_specs

        labels, dist, scaled = options_from_specs(options, other=other)
        if scaled:
            common.note(scaled)
    elif quantiles or intervals:
        dist = parse_quantiles(quantiles, intervals, is_date=qtype == "date")
    db = common.ledger(ctx)  # before current_user(): on a team ledger it says who you are
    new = NewQuestion(
        statement=statement, question_type=qtype, forecaster=forecaster or current_user(), options=labels,
        ordered=ordered, unit=unit, log_scale=log_scale, distribution=dist, source=source or None, source_url=url,
        stated_at=common.date(made, "made"), resolve_by=common.date(due, "due"), tags=tags, note=note,
        details=details,
    )
    claim = add(db, new)
    if as_json:
        common.echo_json(claim)
    else:
        click.echo(claim.id)


def forecast_question(ctx, cid: int, text: str | None, quantiles, intervals, *, forecaster, kind, made, note,
                      as_json) -> None:
    from claimtrack.domain.distribution import summary
    from claimtrack.services.config import current_user
    from claimtrack.services.questions import DistributionInput, add_question_forecast
    from claimtrack.services.queries import get_claim

    if text is not None and (quantiles or intervals):
        raise InvalidInput("give a choice forecast (\"a=10%, b=90%\") or quantiles (--q, --interval), not both")
    kind = (kind or "own").lower()
    if kind in ("stated", "implied", "asserted", "crowd") and not forecaster:
        raise InvalidInput(f"a {kind} forecast is someone else's call: name them with --by NAME")
    if kind in ("implied", "asserted"):
        raise InvalidInput(f"--kind {kind} reads one probability from a word: give a choice or quantile forecast "
                           "as own, stated or crowd")
    db = common.ledger(ctx)  # first: on a team ledger it says who you are
    user = current_user()
    typed = DistributionInput(text=text, quantiles=tuple(quantiles), intervals=tuple(intervals))
    result, scaled = add_question_forecast(db, cid, typed, forecaster=forecaster or user,
                                           made_at=common.date(made, "made"), rationale=note, kind=kind,
                                           recorded_by=user)
    if scaled:
        common.note(scaled)
    if as_json:
        common.echo_json(result)
        return
    claim = get_claim(db, cid).claim
    flag = " (backfilled)" if result.backfilled else ""
    label = "" if result.kind == "own" else f" ({result.kind})"
    shown = summary(claim.question_type, claim.options, result.distribution, claim.unit)
    click.echo(common.printable(f"claim {cid}: {result.forecaster} {shown}{label}{flag}"))
