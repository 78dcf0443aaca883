"""The JSON report's by_kind filled from a built ledger (issue 12, t12c's
side of ITEMS.md): each forecaster's final forecast made before the
resolution, scored against hand-worked values, on both engines."""

from __future__ import annotations

import json

import pytest

T = 1e12


def _ok(result):
    assert result.exit_code == 0, result.output
    return result


def _build(cli):
    ceo = _ok(cli("add", "Why?", "--option", "a=60%", "--option", "b=20%", "--option", "c=20%",
                  "--made", "2024-01-01")).stdout.strip()
    _ok(cli("forecast", ceo, "a=20%, b=50%, c=30%", "--made", "2024-02-01"))           # my final one
    _ok(cli("forecast", ceo, "a=10%, b=80%, c=10%", "--by", "Priya", "--made", "2024-02-02"))
    _ok(cli("resolve", ceo, "b", "--date", "2024-03-01"))
    size = _ok(cli("add", "GPT-4's parameter count", "--numeric", "--unit", "parameters", "--q", "10%=0.5T",
                   "--q", "50%=1T", "--q", "90%=2T", "--made", "2024-01-01")).stdout.strip()
    _ok(cli("forecast", size, "--q", "10%=1T", "--q", "50%=1.8T", "--q", "90%=3T", "--made", "2024-02-01"))
    _ok(cli("resolve", size, "1.76T", "--date", "2024-03-01"))
    chip = _ok(cli("add", "OpenAI's chip", "--when", "--q", "50%=2026-06-15", "--made", "2024-01-01")).stdout.strip()
    _ok(cli("resolve", chip, "2024-08-14", "--date", "2024-08-20"))
    void = _ok(cli("add", "Voided", "--option", "x=50%", "--option", "y=50%", "--made", "2024-01-01")).stdout.strip()
    _ok(cli("resolve", void, "void", "--date", "2024-03-01"))
    _ok(cli("add", "Open", "--numeric", "--q", "50%=3", "--made", "2024-01-01"))
    return int(ceo), int(size), int(chip)


def test_json_report_by_kind_from_the_ledger(cli, monkeypatch):
    monkeypatch.setenv("CLAIMTRACK_USER", "me")
    ceo, size, chip = _build(cli)
    report = json.loads(_ok(cli("report", "--format", "json")).stdout)
    by_kind = report["by_kind"]
    questions = {(q["claim_id"], q["forecaster"]): q for q in by_kind["choice"]["questions"]}
    assert set(questions) == {(ceo, "me"), (ceo, "Priya")}  # the voided question is not scored
    mine = questions[(ceo, "me")]
    assert mine["mine"] is True and mine["probabilities"] == [0.2, 0.5, 0.3] and mine["realised"] == "b"
    assert mine["brier"] == pytest.approx(0.2 ** 2 + 0.5 ** 2 + 0.3 ** 2)
    assert mine["log_score_bits"] == pytest.approx(-1.0)
    assert questions[(ceo, "Priya")]["brier"] == pytest.approx(0.01 + 0.04 + 0.01)
    claims = {c["claim_id"]: c for c in by_kind["quantity"]["claims"]}
    assert set(claims) == {size, chip}
    q = claims[size]
    assert q["quantiles"] == [[0.1, T], [0.5, 1.8 * T], [0.9, 3 * T]] and q["truth"] == 1.76 * T
    # WIS by hand (Bracher et al.): (|y - m|/2 + 0.2/2 * IS_80) / (1 + 1/2), IS_80 = 2T
    assert q["wis"] == pytest.approx((0.04 * T / 2 + 0.1 * 2 * T) / 1.5)
    assert q["wis"] == pytest.approx(1.4667e11, rel=1e-4)
    assert q["n_earlier"] == 1  # the first quantile set, for the relative score
    d = claims[chip]
    assert d["is_date"] is True and d["truth_date"] == "2024-08-14"
    # 50% quantile 2026-06-15, truth 2024-08-14: 670 days early; pinball 0.5 * 670
    assert d["pinball"] == [{"level": 0.5, "loss": pytest.approx(335.0)}]
    # the binary sections count none of these claims
    assert report["overall"]["n"] == 0 and report["n_resolved_claims"] == 0


def test_forecaster_filter_and_text_report(cli, monkeypatch):
    monkeypatch.setenv("CLAIMTRACK_USER", "me")
    ceo, _, _ = _build(cli)
    report = json.loads(_ok(cli("report", "--format", "json", "--forecaster", "Priya")).stdout)
    assert [(q["claim_id"], q["forecaster"]) for q in report["by_kind"]["choice"]["questions"]] == [(ceo, "Priya")]
    assert report["by_kind"]["quantity"] is None
    text = _ok(cli("report")).stdout
    assert "Why?" in text


def test_demo_has_every_kind_and_its_report_sections(cli, db_url):
    from claimtrack.services.demo import demo_claims

    claims = demo_claims()
    kinds = {c.question_type for c in claims}
    assert kinds == {"binary", "choice", "numeric", "date"}
    _ok(cli("demo", "--quiet"))
    listed = json.loads(_ok(cli("list", "--all", "--json")).stdout)
    assert len(listed) == len(claims)  # the import skipped nothing
    firing = [c for c in listed if c["question_type"] == "choice"]
    assert len(firing) == 1 and abs(sum(firing[0]["distribution"]) - 1) < 1e-9
    report = json.loads(_ok(cli("report", "--format", "json")).stdout)
    assert report["by_kind"]["choice"]["questions"] and report["by_kind"]["quantity"]["claims"]


def test_period_filters_apply_to_by_kind(cli, monkeypatch):
    monkeypatch.setenv("CLAIMTRACK_USER", "me")
    _, _, chip = _build(cli)
    report = json.loads(_ok(cli("report", "--format", "json", "--since", "2024-06-01")).stdout)
    assert report["by_kind"]["choice"] is None
    assert [c["claim_id"] for c in report["by_kind"]["quantity"]["claims"]] == [chip]
    _ok(cli("report", "--save"))
    report = json.loads(_ok(cli("report", "--since", "last", "--format", "json")).stdout)
    assert report["by_kind"] is None  # nothing resolved since the saved report
