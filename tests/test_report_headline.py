"""Reports open with a headline in words (issue 13, item 8), tested on built
ledgers: overconfident, underconfident and well calibrated; resolution notes
and evidence in every format; empty sections left out."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from claimtrack.domain.records import ClaimIn, ForecastIn, ResolutionIn

DAY = timedelta(days=1)
T0 = datetime(2025, 1, 10, tzinfo=timezone.utc)


def _claims(p: float, n: int, n_yes: int, *, resolved: datetime, forecaster: str = "tester", note=None, url=None):
    out = []
    for i in range(n):
        out.append(ClaimIn(
            statement=f"claim at {p:.0%} number {i}", stated_at=T0, recorded_at=T0,
            forecasts=[ForecastIn(forecaster=forecaster, probability=p, made_at=T0, recorded_at=T0)],
            resolutions=[ResolutionIn(outcome="yes" if i < n_yes else "no", resolved_at=resolved,
                                      recorded_at=resolved, note=note, evidence_url=url)]))
    return out


def _import(db, claims):
    from claimtrack.services.imports import import_claims

    import_claims(db, claims)


def _brier(groups):
    """Brier over (p, n, n_yes) groups, computed here from the definition."""
    total = sum(n_yes * (1 - p) ** 2 + (n - n_yes) * p ** 2 for p, n, n_yes in groups)
    return total / sum(n for _, n, _ in groups)


def _headline(cli):
    r = cli("report", "--format", "json")
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)["headline"]


def test_overconfident(cli, db):
    # 90% calls: 20 of 40 came true; 10% calls: 10 of 20 came true
    _import(db, _claims(0.9, 40, 20, resolved=T0 + 30 * DAY) + _claims(0.1, 20, 10, resolved=T0 + 30 * DAY))
    h = _headline(cli)
    expected = _brier([(0.9, 40, 20), (0.1, 20, 10)])
    assert h["subject"] == "you (tester)" and h["is_you"] and h["n"] == 60
    assert h["brier"] == pytest.approx(expected) and h["skill_vs_50"] == pytest.approx(1 - expected / 0.25)
    assert [(b["bin"], b["came_true"], b["n"], b["verdict"]) for b in h["miscalibrated_bins"]] == [
        ("0-10%", 10, 20, "overconfident"), ("80-90%", 20, 40, "overconfident")]
    assert "worse than always saying 50% (0.250)" in h["text"]
    assert "80-90%: 20 of 40 came true, overconfident" in h["text"]
    text = cli("report").stdout
    first = text.split("\n\n")[1]  # right after the title block
    assert first.startswith(f"Your Brier score is {expected:.3f} over 60 resolved forecasts")
    assert "80-90%: 20 of 40 came true, overconfident" in " ".join(text.split())


def test_underconfident(cli, db):
    # 60% calls that all came true; 40% calls that never did
    _import(db, _claims(0.6, 30, 30, resolved=T0 + 30 * DAY) + _claims(0.4, 30, 0, resolved=T0 + 30 * DAY))
    h = _headline(cli)
    assert [(b["bin"], b["came_true"], b["verdict"]) for b in h["miscalibrated_bins"]] == [
        ("30-40%", 0, "underconfident"), ("50-60%", 30, "underconfident")]
    assert h["brier"] == pytest.approx(0.16) and "better than always saying 50% (0.250): skill 36%" in h["text"]
    md = cli("report", "--format", "md").stdout
    assert "50-60%: 30 of 30 came true, underconfident" in md.split("## ")[0]  # before the first section


def test_well_calibrated_with_a_trend(cli, db):
    # 70% calls, 28 of 40 true, in one quarter; 20% calls, 8 of 40 true, in the next
    q1, q2 = T0 + 30 * DAY, T0 + 120 * DAY
    _import(db, _claims(0.7, 40, 28, resolved=q1) + _claims(0.2, 40, 8, resolved=q2))
    h = _headline(cli)
    assert h["miscalibrated_bins"] == []
    assert "every bin's 95% interval includes its mean forecast" in h["text"]
    first, second = _brier([(0.7, 40, 28)]), _brier([(0.2, 40, 8)])
    assert h["trend"]["period"] == "2025-Q2" and h["trend"]["previous_period"] == "2025-Q1"
    assert h["trend"]["brier"] == pytest.approx(second) and h["trend"]["previous_brier"] == pytest.approx(first)
    assert h["trend"]["change"] == pytest.approx(second - first)
    assert f"Trend: {second:.3f} in 2025-Q2 (n=40), better than {first:.3f} in 2025-Q1 (n=40)." in h["text"]
    html = cli("report", "--format", "html").stdout
    head = html.split("<h2>")[0]
    assert 'class="headline"' in head and "every bin&#39;s 95% interval" in head


def test_your_trend_is_yours_not_everyones(cli, db):
    """Someone else's forecasts in a period don't move your trend."""
    q1, q2 = T0 + 30 * DAY, T0 + 120 * DAY
    _import(db, _claims(0.7, 10, 7, resolved=q1) + _claims(0.9, 10, 9, resolved=q2)
            + _claims(0.9, 10, 0, resolved=q2, forecaster="priya"))
    h = _headline(cli)
    assert h["n"] == 20
    assert h["trend"]["brier"] == pytest.approx(_brier([(0.9, 10, 9)]))  # priya's 0.81s are not in it
    everyone = json.loads(cli("report", "--format", "json").stdout)["periods"][-1]["brier"]
    assert everyone == pytest.approx(_brier([(0.9, 10, 9), (0.9, 10, 0)]))


def test_someone_elses_headline_and_no_forecasts(cli, db):
    _import(db, _claims(0.8, 10, 8, resolved=T0 + 10 * DAY, forecaster="priya"))
    h = _headline(cli)  # you have nothing scored: the headline is about everyone
    assert h["subject"] == "everyone" and not h["is_you"] and h["n"] == 10
    r = cli("report", "--forecaster", "priya", "--format", "json")
    assert json.loads(r.stdout)["headline"]["subject"] == "priya"
    assert json.loads(r.stdout)["headline"]["text"].startswith("priya's Brier score is")


def test_empty_ledger_headline_and_sections(cli, db):
    h = _headline(cli)
    assert h["n"] == 0 and h["brier"] is None and h["text"].startswith("No resolved forecasts of yours")
    text = cli("report").stdout
    for section in ("Calibration\n", "Folded calibration", "Murphy", "Trend by", "Claims resolved in this period", "Overdue for"):
        assert section not in text, section
    md = cli("report", "--format", "md").stdout
    assert "## Calibration" not in md and "## Trend" not in md and "## You and everyone else" not in md


def test_resolution_notes_and_evidence_in_every_format(cli, db):
    _import(db, _claims(0.8, 2, 1, resolved=T0 + 10 * DAY, note="confirmed <b>by</b> the *filing*",
                        url="https://example.com/filing_1")
            + _claims(0.3, 1, 0, resolved=T0 + 10 * DAY))
    data = json.loads(cli("report", "--format", "json").stdout)
    notes = sorted(((c["resolution_note"], c["evidence_url"]) for c in data["resolved_claims"]), key=str)
    assert notes == [("confirmed <b>by</b> the *filing*", "https://example.com/filing_1")] * 2 + [(None, None)]
    text = " ".join(cli("report").stdout.split())
    assert "confirmed <b>by</b> the *filing*; evidence: https://example.com/filing_1" in text
    md = cli("report", "--format", "md").stdout
    assert r"confirmed &lt;b&gt;by&lt;/b&gt; the \*filing\*; evidence: https://example.com/filing\_1" in md
    html = cli("report", "--format", "html").stdout
    assert "confirmed &lt;b&gt;by&lt;/b&gt; the *filing*" in html
    assert '<a href="https://example.com/filing_1" rel="noopener noreferrer">evidence</a>' in html
    assert "Overdue for resolution" not in text and "Overdue for resolution" not in html  # none: left out


def test_time_weighted_bins_speak_in_shares(cli, db):
    _import(db, _claims(0.9, 40, 20, resolved=T0 + 30 * DAY))
    r = cli("report", "--scoring", "time-weighted", "--format", "json")
    h = json.loads(r.stdout)["headline"]
    assert "(time-weighted)" in h["text"]
    (b,) = h["miscalibrated_bins"]
    assert b["came_true"] is None and b["verdict"] == "overconfident"
    assert "80-90%: came true 50% of the time (n=40), overconfident" in h["text"]
