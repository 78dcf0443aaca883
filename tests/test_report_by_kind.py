"""The choice and quantity sections in every report format (issue 12), from a built report model.

The ledger side (filling ``Report.by_kind`` from stored claims) comes with
t12c's storage work; these tests build the model directly.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest

from claimtrack.domain.scoring import score
from claimtrack.domain.scoring.by_kind import ChoiceItem, QuantityItem, build_by_kind
from claimtrack.reports.render import render
from claimtrack.services.report.model import Report, ReportOptions, Scores

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
T = 1e12
EVIL = "<script>alert(1)</script> \x1b[31mred\x1b[0m [bold]x[/bold] *star* |pipe|"


def _report(by_kind=None, max_claims=100) -> Report:
    empty = score([])
    scores = Scores(score([(0.8, 1), (0.3, 0)]), 0, 0)
    return Report(
        options=ReportOptions(now=NOW, you="me", max_claims=max_claims), generated_at=NOW, period_start=None,
        period_end=NOW, overall=scores, contemporaneous=scores.summary, backfilled=empty, n_after_resolution=0,
        groups=(), periods=(), relative=(), resolved_claims=(), n_resolved_claims=0, overdue_claims=(),
        n_overdue_claims=0, by_kind=by_kind,
    )


def _by_kind(statement="Why was the CEO fired?"):
    choice = [
        ChoiceItem(1, statement, "me", True, ("malfeasance", "AI safety", "power struggle"), (0.15, 0.5, 0.35), 1,
                   False),
        ChoiceItem(2, "GPT-4 size band", "bob", False, ("<1T", "1-2T", ">2T"), (0.2, 0.5, 0.3), 1, True),
    ]
    quantity = [
        QuantityItem(3, "GPT-4 parameters", "me", True, ((0.1, 1 * T), (0.5, 1.8 * T), (0.9, 3 * T)), 1.76 * T,
                     False, True, "parameters", earlier=(((0.1, 0.5 * T), (0.5, 1 * T), (0.9, 2 * T)),)),
        QuantityItem(4, "OpenAI ships its own chip", "me", True, ((0.1, 20500.0), (0.5, 20700.0), (0.9, 21000.0)),
                     21100.0, True, False, None),
    ]
    return build_by_kind(choice, quantity)


@pytest.mark.parametrize("fmt", ["text", "md", "html", "json"])
def test_empty_by_kind_adds_no_section(fmt):
    for by_kind in (None, build_by_kind([], [])):
        out = render(_report(by_kind), fmt).main
        assert "Multiple-choice questions" not in out
        assert "Quantities (numeric" not in out
        if fmt == "json":
            assert json.loads(out)["by_kind"] is None


def test_text_sections():
    out = render(_report(_by_kind()), "text", width=200).main
    assert "Multiple-choice questions" in out
    assert "Options as yes/no events (one-vs-rest" in out
    assert "malfeasance 15% · AI safety 50% · power struggle 35%" in out
    assert "0.395" in out  # Brier (0-2) of the first question
    assert "Quantities (numeric and date claims)" in out
    assert "your 80% intervals held 1 of 2 times: about right" in out
    assert "146.7B" in out  # WIS of the parameter count (1.4667e11), in its unit
    assert "2027-10-09" in out  # the chip's true date: day 21100 (datetime: 1970-01-01 + 21100 days)
    assert "Coverage of central intervals" in out
    assert "relative WIS vs first" in out


def test_markdown_sections_and_coverage_chart(tmp_path):
    rendered = render(_report(_by_kind()), "md", tmp_path / "r.md")
    assert set(rendered.extra) == {"r-calibration.png", "r-trend.png", "r-coverage.png"}
    assert rendered.extra["r-coverage.png"].startswith(b"\x89PNG")
    md = rendered.main
    assert "## Multiple-choice questions" in md
    assert "![Coverage chart" in md and "(r-coverage.png)" in md
    assert "- your 80% intervals held 1 of 2 times: about right" in md
    # without quantities there is no coverage chart
    only_choice = build_by_kind([ChoiceItem(1, "q", "me", True, ("a", "b"), (0.5, 0.5), 0, False)], [])
    assert set(render(_report(only_choice), "md", tmp_path / "s.md").extra) == {"s-calibration.png", "s-trend.png"}


def test_html_sections_and_coverage_svg():
    html = render(_report(_by_kind()), "html").main
    assert "<h2>Multiple-choice questions</h2>" in html
    assert "<h2>Quantities (numeric and date claims)</h2>" in html
    assert html.count("<svg") == 3  # calibration, trend, coverage
    assert "your 80% intervals held 1 of 2 times: about right" in html


def test_json_by_kind():
    data = json.loads(render(_report(_by_kind()), "json").main)
    bk = data["by_kind"]
    assert bk["choice"]["questions"][0]["brier"] == pytest.approx(0.395)
    assert bk["choice"]["option_events"]["n"] == 6
    claims = {c["claim_id"]: c for c in bk["quantity"]["claims"]}
    assert claims[3]["wis"] == pytest.approx((0.5 * 0.04 * T + 0.1 * 2 * T) / 1.5)
    assert claims[4]["truth_date"] == "2027-10-09"
    assert claims[4]["unit"] == "days"


def test_user_text_is_data_in_every_format():
    by_kind = _by_kind(EVIL)
    text = render(_report(by_kind), "text", width=300).main
    assert "\x1b" not in text and "[bold]x[/bold]" in text
    md = render(_report(by_kind), "md").main
    assert "\x1b" not in md and "<script>" not in md and "&lt;script&gt;" in md and r"\|pipe\|" in md
    html = render(_report(by_kind), "html").main
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    raw = render(_report(by_kind), "json").main
    assert "\x1b" not in raw
    assert json.loads(raw)["by_kind"]["choice"]["questions"][0]["statement"] == EVIL  # kept, escaped as \u001b


def test_max_claims_caps_rows_but_not_json():
    items = [QuantityItem(i, f"claim number {i}", "me", True, ((0.1, 1.0), (0.5, 2.0), (0.9, 3.0)), 2.5, False,
                          False, None) for i in range(5)]
    report = _report(build_by_kind([], items), max_claims=2)
    text = render(report, "text", width=250).main
    assert len(re.findall(r"claim number \d", text)) == 2
    assert "showing 2 of 5" in text
    assert len(json.loads(render(report, "json").main)["by_kind"]["quantity"]["claims"]) == 5
