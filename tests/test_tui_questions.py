"""The UI's forecast and resolve forms for choice, numeric and date claims
(issue 12): inline validation with the CLI's parsers, and what they return."""

from __future__ import annotations

from test_tui_modals import UNSET, run, summary
from test_tui_support import fixed_clock

from claimtrack.services.questions import DistributionInput
from claimtrack.tui.screens.question_forms import QuestionForecastModal, QuestionResolveModal
from claimtrack.tui.screens.resolve import ResolveInput

CHOICE = dict(question_type="choice", options=("undisclosed malfeasance", "split over AI safety",
                                               "board power struggle"), probability=None)
NUMERIC = dict(question_type="numeric", unit="parameters", probability=None)


async def test_choice_forecast_form_returns_the_typed_distribution():
    result, _ = await run(QuestionForecastModal(summary(**CHOICE), forecaster="tester", clock=fixed_clock),
                          "ctrl+s", fields={"distribution": "undis=10%, split=60%, board=30%"})
    assert result.typed == DistributionInput(text="undis=10%, split=60%, board=30%")
    assert result.forecaster == "tester"


async def test_choice_forecast_form_shows_the_summary_and_refuses_a_bad_sum():
    result, hints = await run(QuestionForecastModal(summary(**CHOICE), forecaster="tester", clock=fixed_clock),
                              fields={"distribution": "u=10%, s=60%, b=30%"})
    assert result is UNSET
    assert "split over AI safety 60% · board power struggle 30% · undisclosed malfeasance 10%" in hints["distribution"]
    result, hints = await run(QuestionForecastModal(summary(**CHOICE), forecaster="tester", clock=fixed_clock),
                              "ctrl+s", fields={"distribution": "u=10%, s=60%, b=40%"})
    assert result is UNSET  # not saved
    assert "110%" in hints["distribution"]


async def test_quantile_form_reads_quantiles_and_intervals():
    result, hints = await run(QuestionForecastModal(summary(**NUMERIC), forecaster="tester", clock=fixed_clock),
                              fields={"distribution": "1.2T..2.4T@80%, 50%=1.8T"})
    assert "median 1.8T, 80% 1.2T–2.4T" in hints["distribution"]
    result, hints = await run(QuestionForecastModal(summary(**NUMERIC), forecaster="tester", clock=fixed_clock),
                              "ctrl+s", fields={"distribution": "10%=3T, 90%=1T"})
    assert result is UNSET and "out of order" in hints["distribution"]


async def test_resolve_form_takes_an_option_or_a_value():
    result, _ = await run(QuestionResolveModal(summary(**CHOICE), clock=fixed_clock), "ctrl+s",
                          fields={"outcome": "split"})
    assert isinstance(result, ResolveInput) and result.outcome == "split"
    _, hints = await run(QuestionResolveModal(summary(**CHOICE), clock=fixed_clock), fields={"outcome": "split"})
    assert "split over AI safety" in hints["outcome"]
    result, hints = await run(QuestionResolveModal(summary(**NUMERIC), clock=fixed_clock), "ctrl+s",
                              fields={"outcome": "split"})
    assert result is UNSET and "true value" in hints["outcome"]
    _, hints = await run(QuestionResolveModal(summary(**NUMERIC), clock=fixed_clock), fields={"outcome": "1.76T"})
    assert "1.76T" in hints["outcome"]


async def test_forecast_and_resolve_a_choice_claim_in_the_app(tmp_path):
    from test_tui_claims import select
    from test_tui_support import SIZE, fresh, set_field, settle

    from claimtrack.services.queries import get_claim
    from claimtrack.services.questions import NewQuestion, add_question
    from claimtrack.tui.app import create_app
    from claimtrack.tui.format import detail_renderable

    path = tmp_path / "claims.db"
    db = fresh(path)
    claim = add_question(db, NewQuestion(statement="Why was the CEO fired?", question_type="choice",
                                         forecaster="tester", options=CHOICE["options"],
                                         distribution=(0.15, 0.5, 0.35)))
    db.dispose()
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, claim.id)
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, QuestionForecastModal)
        set_field(app.screen, "distribution", "u=10%, s=60%, b=30%")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, QuestionResolveModal)
        set_field(app.screen, "outcome", "split")
        await pilot.press("ctrl+s")
        await settle(pilot)
    db = fresh(path)
    try:
        detail = get_claim(db, claim.id, "tester")
    finally:
        db.dispose()
    assert [f.distribution for f in detail.forecasts] == [(0.15, 0.5, 0.35), (0.1, 0.6, 0.3)]
    assert detail.resolutions[-1].value == "split over AI safety"
    from rich.console import Console

    console = Console(width=100, record=True)
    console.print(detail_renderable(detail, detail.claim.resolved_at))
    text = console.export_text()
    assert "✓ happened" in text and "split over AI safety" in text


async def test_add_question_form():
    from claimtrack.services.questions import NewQuestion
    from claimtrack.tui.screens.question_forms import AddQuestionModal

    result, _ = await run(AddQuestionModal(forecaster="tester", clock=fixed_clock), "ctrl+s",
                          fields={"statement": "Why was the CEO fired?", "kind": "choice",
                                  "numbers": "malfeasance=15%, AI safety=50%, power=35%"})
    assert isinstance(result, NewQuestion)
    assert (result.question_type, result.options, result.distribution) == \
        ("choice", ("malfeasance", "AI safety", "power"), (0.15, 0.5, 0.35))
    result, _ = await run(AddQuestionModal(forecaster="tester", clock=fixed_clock), "ctrl+s",
                          fields={"statement": "GPT-4 size", "kind": "numeric", "unit": "parameters",
                                  "numbers": "1.2T..2.4T@80%"})
    assert (result.question_type, result.unit, result.distribution) == \
        ("numeric", "parameters", ((0.1, 1.2e12), (0.9, 2.4e12)))
    result, hints = await run(AddQuestionModal(forecaster="tester", clock=fixed_clock), "ctrl+s",
                              fields={"statement": "Q", "kind": "choice", "numbers": "a=65%, b=50%"})
    assert result is UNSET and "115%" in hints["numbers"]
