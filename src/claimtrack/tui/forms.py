"""The forecast and resolve forms for a claim, by what the claim asks.

A yes/no claim takes a probability and yes/no/ambiguous/void; a choice,
numeric or date claim (issue 12) takes a distribution and its option or
value.  The claims view and review mode open them the same way: the form
writes through :mod:`claimtrack.tui.writes` before it closes.
"""

from __future__ import annotations


def forecast_form(claim, backend, target, clock):
    from claimtrack.tui import writes

    if claim.question_type != "binary":
        from claimtrack.tui.screens.question_forms import QuestionForecastModal

        return QuestionForecastModal(claim, forecaster=backend.user(), clock=clock,
                                     save=lambda result: writes.question_forecast(backend, target, result),
                                     on_stale=target.refetch)
    from claimtrack.tui.screens.forecast import ForecastModal

    return ForecastModal(claim, forecaster=backend.user(), clock=clock,
                         save=lambda result: writes.forecast(backend, target, result), on_stale=target.refetch)


def resolve_form(claim, backend, target, clock, *, force: bool, outcome: str | None = None):
    from claimtrack.tui import writes

    if claim.question_type != "binary":
        from claimtrack.tui.screens.question_forms import QuestionResolveModal as Modal
    else:
        from claimtrack.tui.screens.resolve import ResolveModal as Modal
    return Modal(claim, outcome=outcome, clock=clock,
                 save=lambda result: writes.resolve(backend, target, result, force=force), on_stale=target.refetch)
