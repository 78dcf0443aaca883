"""Importing choice, numeric and date questions (issue 12): Fatebook, Metaculus API, Manifold.

These test the parse to records (ClaimIn with question_type/options and
distribution forecasts).  Storing them needs the issue-12 migration (t12c);
the end-to-end import is tested after the merge.
"""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from claimtrack.domain.records import VALUE_OUTCOME
from claimtrack.importers import parse_file
from claimtrack.importers._kinds import quantiles_from_cdf
from claimtrack.importers.metaculus_kinds import value_map

REAL = Path("/work/shared/realdata/formats")
FATEBOOK_HEADER = [
    "Question title", "Multiple choice option", "Forecast created by", "Forecast (scale = 0-1)",
    "Forecast created at", "Question created by", "Question created at", "Question resolve by", "Resolution",
    "Resolved at", "Your Brier score for this question", "Your relative Brier score for this question",
    "Question notes", "Question shared with", "Question shared publicly", "Question comments", "Question tags",
]


def at(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def by_statement(result):
    return {c.statement: c for c in result.claims}


def reasons(result) -> dict[str, str]:
    return {s.location: s.reason for s in result.skipped}


# ------------------------------------------------------------------ Fatebook


def _fb_row(title, option, who, p, made, resolution="", resolved_at="", created="2024-03-01 09:00:0"):
    return [title, option, who, p, made, "Alice", created, "2024-12-31 23:59:59", resolution, resolved_at,
            "", "", "", "", "false", "", "ai"]


def _fatebook(tmp_path, rows, header=FATEBOOK_HEADER) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / "fatebook.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


CEO = "Why was the CEO fired?"


def _ceo_rows(resolution=("", "", "")):
    res = dict(zip(("malfeasance", "AI safety", "power struggle"), resolution))
    at_ = "2024-06-01 12:00:0"
    rows = []
    for who, made, probs in (("Alice", "2024-03-02 10:00:0", (0.15, 0.5, 0.35)),
                             ("Bob", "2024-03-03 11:00:5", (0.2, 0.3, 0.3)),  # 80%: the rest is "Other"
                             ("Alice", "2024-04-01 08:00:0", (None, 0.6, 0.25))):  # updates two options
        for option, p in zip(res, probs):
            if p is not None:
                rows.append(_fb_row(CEO, option, who, p, made, res[option], at_ if res[option] else ""))
    return rows


def test_fatebook_choice_question(tmp_path):
    r = parse_file(_fatebook(tmp_path, _ceo_rows(("NO", "YES", "NO"))))
    claim = by_statement(r)[CEO]
    assert claim.question_type == "choice"
    # Bob left 20% unassigned: an explicit "Other" option takes it
    assert claim.options == ("malfeasance", "AI safety", "power struggle", "Other")
    assert sorted((f.forecaster, f.made_at) for f in claim.forecasts) == [
        ("Alice", at(2024, 3, 2, 10)), ("Alice", at(2024, 4, 1, 8)), ("Bob", at(2024, 3, 3, 11, 0, 5))]
    dists = {(f.forecaster, f.made_at): f.distribution for f in claim.forecasts}
    assert dists[("Alice", at(2024, 3, 2, 10))] == pytest.approx((0.15, 0.5, 0.35, 0.0))
    # the update gives two options; malfeasance is carried forward from March
    assert dists[("Alice", at(2024, 4, 1, 8))] == pytest.approx((0.15, 0.6, 0.25, 0.0))
    assert dists[("Bob", at(2024, 3, 3, 11, 0, 5))] == pytest.approx((0.2, 0.3, 0.3, 0.2))
    assert all(f.probability is None for f in claim.forecasts)
    assert [(x.outcome, x.value, x.resolved_at) for x in claim.resolutions] == [
        (VALUE_OUTCOME, "AI safety", at(2024, 6, 1, 12))]
    keys = [f.import_key for f in claim.forecasts]
    assert len(set(keys)) == len(keys) and all(keys)
    # re-parsing gives the same keys (a second import adds nothing)
    assert keys == [f.import_key for f in by_statement(parse_file(_fatebook(tmp_path, _ceo_rows(
        ("NO", "YES", "NO")))))[CEO].forecasts]


def test_fatebook_choice_resolutions(tmp_path):
    none_happened = by_statement(parse_file(_fatebook(tmp_path, _ceo_rows(("NO", "NO", "NO")))))[CEO]
    assert [(x.outcome, x.value) for x in none_happened.resolutions] == [(VALUE_OUTCOME, "Other")]
    ambiguous = by_statement(parse_file(_fatebook(tmp_path, _ceo_rows(("AMBIGUOUS", "NO", "NO")))))[CEO]
    assert [x.outcome for x in ambiguous.resolutions] == ["ambiguous"]
    r = parse_file(_fatebook(tmp_path, _ceo_rows(("YES", "YES", "NO"))))
    assert by_statement(r)[CEO].resolutions == []
    assert any("both resolved YES" in reason for reason in reasons(r).values())
    assert by_statement(parse_file(_fatebook(tmp_path, _ceo_rows())))[CEO].resolutions == []


def test_fatebook_choice_skips_partial_and_overfull_forecasts(tmp_path):
    rows = [
        _fb_row("Q", "a", "Alice", 0.5, "2024-03-02 10:00:0"),  # b not yet forecast: no full forecast
        _fb_row("Q", "b", "Alice", 0.5, "2024-03-02 10:05:0"),
        _fb_row("Q", "a", "Bob", 0.7, "2024-03-02 10:00:0"),
        _fb_row("Q", "b", "Bob", 0.6, "2024-03-02 10:00:0"),  # 130%
        _fb_row("Q", "a", "Carol", "lots", "2024-03-02 10:00:0"),
    ]
    r = parse_file(_fatebook(tmp_path, rows))
    claim = by_statement(r)["Q"]
    assert claim.options == ("a", "b")
    assert [(f.forecaster, f.distribution) for f in claim.forecasts] == [("Alice", (0.5, 0.5))]
    why = reasons(r)
    assert "has not yet forecast option 'b'" in why["row 2"]
    assert "add up to 130%" in why["row 5"]
    assert why["row 6"] == "forecast 'lots' is not a number"


def test_fatebook_choice_owner_is_renamed(tmp_path):
    rows = _ceo_rows() + [_fb_row("Binary one?", "", "Alice", 0.3, "2024-03-02 10:00:0")]
    claim = by_statement(parse_file(_fatebook(tmp_path, rows), forecaster="me"))[CEO]
    assert {f.forecaster for f in claim.forecasts} == {"me", "Bob"}


def test_fatebook_choice_with_the_real_header(tmp_path):
    real = REAL / "fatebook_export_header.csv"
    if not real.exists():
        pytest.skip("real data absent")
    header = next(csv.reader(io.StringIO(real.read_text(encoding="utf-8-sig"))))
    assert "Multiple choice option" in header
    rows = [[dict(zip(FATEBOOK_HEADER, row)).get(name, "") for name in header]
            for row in _ceo_rows(("NO", "NO", "YES"))]
    claim = by_statement(parse_file(_fatebook(tmp_path, rows, header)))[CEO]
    assert claim.question_type == "choice"
    assert [x.value for x in claim.resolutions] == ["power struggle"]


# ------------------------------------------------------------- Metaculus API


def _post(question: dict, pid: int = 900) -> dict:
    base = {"id": pid * 10, "title": "T", "open_time": "2025-01-01T00:00:00Z",
            "scheduled_resolve_time": "2026-01-01T00:00:00Z"}
    return {"id": pid, "title": question.get("title", "T"), "question": {**base, **question}}


def _write(tmp_path, doc, name="posts.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


MC = {
    "title": "Which lab ships first?", "type": "multiple_choice", "options": ["OpenAI", "Google", "Other"],
    "resolution": "Google", "actual_resolve_time": "2025-09-01T00:00:00Z",
    "aggregations": {"recency_weighted": {
        "history": [{"start_time": 1736000000, "forecast_values": [0.5, 0.3, 0.2]},
                    {"start_time": 1737000000, "forecast_values": [0.5, 0.5]}],  # options changed since
        "latest": {"start_time": 1738000000, "forecast_values": [0.4, 0.45, 0.1505]}}},
    "my_forecasts": {"latest": {"start_time": 1738500000, "forecast_values": [0.2, 0.7, 0.1]}},
}


def test_metaculus_multiple_choice(tmp_path):
    r = parse_file(_write(tmp_path, {"results": [_post(MC)]}), forecaster="me")
    claim = by_statement(r)["Which lab ships first?"]
    assert claim.question_type == "choice" and claim.options == ("OpenAI", "Google", "Other")
    got = [(f.forecaster, f.kind, f.distribution) for f in claim.forecasts]
    assert got[0] == ("metaculus community", "crowd", pytest.approx((0.5, 0.3, 0.2)))
    total = 0.4 + 0.45 + 0.1505  # within a point of 100%: normalised
    assert got[1] == ("metaculus community", "crowd", pytest.approx((0.4 / total, 0.45 / total, 0.1505 / total)))
    assert got[2] == ("me", "own", pytest.approx((0.2, 0.7, 0.1)))
    assert len(got) == 3
    assert any("2 values for the 3 current options" in x for x in reasons(r).values())
    assert [(x.outcome, x.value, x.resolved_at) for x in claim.resolutions] == [
        (VALUE_OUTCOME, "Google", at(2025, 9, 1))]


def test_metaculus_multiple_choice_bad_resolution_and_annulled(tmp_path):
    bad = _post({**MC, "resolution": "Anthropic"}, 1)
    annulled = _post({**MC, "title": "Annulled one", "resolution": "annulled"}, 2)
    r = parse_file(_write(tmp_path, [bad, annulled]))
    claims = by_statement(r)
    assert claims["Which lab ships first?"].resolutions == []
    assert "'Anthropic' is not one of the question's options" in reasons(r)["post 1"]
    assert [x.outcome for x in claims["Annulled one"].resolutions] == ["void"]


def _cdf_uniform(n=201):
    return [i / (n - 1) for i in range(n)]


NUMERIC = {
    "title": "GPT-4 parameters", "type": "numeric", "unit": "parameters",
    "scaling": {"range_min": 0.0, "range_max": 4e12, "zero_point": None},
    "resolution": "1.76e12", "actual_resolve_time": "2025-06-01T00:00:00Z",
    "aggregations": {"recency_weighted": {
        "history": [{"start_time": 1736000000, "forecast_values": None, "centers": [0.45],
                     "interval_lower_bounds": [0.3], "interval_upper_bounds": [0.6]}],
        "latest": {"start_time": 1738000000, "forecast_values": _cdf_uniform()}}},
}


def test_metaculus_numeric_quantiles_from_cdf_and_quartiles(tmp_path):
    claim = by_statement(parse_file(_write(tmp_path, [_post(NUMERIC)])))["GPT-4 parameters"]
    assert claim.question_type == "numeric" and claim.unit == "parameters" and not claim.log_scale
    quartiles, from_cdf = (f.distribution for f in claim.forecasts)
    # history entry: quartiles at 25/50/75% from the interval bounds and centre, mapped linearly
    assert [t for t, _ in quartiles] == [0.25, 0.5, 0.75]
    assert [v for _, v in quartiles] == pytest.approx([0.3 * 4e12, 0.45 * 4e12, 0.6 * 4e12])
    # uniform CDF over [0, 4T]: the tau-quantile is tau * 4T
    levels = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
    assert [t for t, _ in from_cdf] == list(levels)
    assert [v for _, v in from_cdf] == pytest.approx([t * 4e12 for t in levels])
    assert [(x.outcome, x.value) for x in claim.resolutions] == [(VALUE_OUTCOME, repr(1.76e12))]


def test_metaculus_log_scale_and_open_bounds(tmp_path):
    # Metaculus' own example: range 1..1e10 with zero_point 0 maps 0.5 to 1e5
    to_value = value_map(1.0, 1e10, 0.0)
    assert to_value(0.5) == pytest.approx(1e5) and to_value(0.1) == pytest.approx(1e1)
    # 20% of the mass below the range (open lower bound): the 5/10% levels are left out
    cdf = [0.2 + 0.8 * i / 200 for i in range(201)]
    qs = quantiles_from_cdf(cdf, to_value)
    assert [t for t, _ in qs] == [0.25, 0.5, 0.75, 0.9, 0.95]
    assert dict(qs)[0.5] == pytest.approx(to_value((0.5 - 0.2) / 0.8))
    q = {**NUMERIC, "title": "Log one", "scaling": {"range_min": 1.0, "range_max": 1e10, "zero_point": 0.0},
         "resolution": "above_upper_bound"}
    r = parse_file(_write(tmp_path, [_post(q)]))
    claim = by_statement(r)["Log one"]
    assert claim.log_scale and claim.resolutions == []
    assert "above upper bound" in reasons(r)["post 900"]


def test_metaculus_date_question(tmp_path):
    lo = datetime(2025, 1, 1, tzinfo=timezone.utc).timestamp()
    hi = datetime(2027, 1, 1, tzinfo=timezone.utc).timestamp()
    q = {"title": "When does OpenAI ship its own chip?", "type": "date",
         "scaling": {"range_min": lo, "range_max": hi, "zero_point": None},
         "resolution": "2026-03-15", "actual_resolve_time": "2026-03-16T00:00:00Z",
         "aggregations": {"recency_weighted": {"latest": {"start_time": 1738000000,
                                                          "forecast_values": _cdf_uniform()}}}}
    claim = by_statement(parse_file(_write(tmp_path, [_post(q)])))["When does OpenAI ship its own chip?"]
    assert claim.question_type == "date" and claim.unit is None
    (forecast,) = claim.forecasts
    median = dict(forecast.distribution)[0.5]
    assert median == pytest.approx((lo + hi) / 2 / 86400)  # day numbers
    epoch = date(1970, 1, 1)
    assert [(x.outcome, x.value) for x in claim.resolutions] == [
        (VALUE_OUTCOME, repr(float((date(2026, 3, 15) - epoch).days)))]


def test_metaculus_numeric_without_scaling_is_skipped(tmp_path):
    r = parse_file(_write(tmp_path, [_post({"type": "numeric", "title": "How many?"}, 5)]))
    assert r.claims == []
    assert "type 'numeric'" in reasons(r)["post 5"] and "scaling" in reasons(r)["post 5"]


def test_metaculus_real_api_example_names_the_fields_we_read():
    """The real API example (Metaculus' OpenAPI docs) carries the fields the importer reads."""
    real = REAL / "metaculus_openapi_binary_post_example.yml"
    if not real.exists():
        pytest.skip("real data absent")
    text = real.read_text(encoding="utf-8")
    for field in ("scaling:", "range_min:", "range_max:", "zero_point:", "options:", "unit:", "type:",
                  "aggregations:", "actual_resolve_time:", "resolution:"):
        assert field in text, field
    aggs = (REAL / "metaculus_openapi_aggregations_example.yml").read_text(encoding="utf-8")
    for field in ("history:", "latest:", "start_time:", "forecast_values:", "centers:",
                  "interval_lower_bounds:", "interval_upper_bounds:"):
        assert field in aggs, field


# ------------------------------------------------------------------ Manifold


def _market(**extra) -> dict:
    base = {"id": "mc1", "question": "Who wins the sample race?", "outcomeType": "MULTIPLE_CHOICE",
            "createdTime": 1704103200000, "closeTime": 1735689600000, "creatorName": "Sam",
            "lastBetTime": 1710000000000, "shouldAnswersSumToOne": True,
            "answers": [{"id": "a2", "index": 1, "text": "Blue", "probability": 0.3},
                        {"id": "a1", "index": 0, "text": "Red", "probability": 0.6},
                        {"id": "a3", "index": 2, "text": "Other", "isOther": True, "probability": 0.1}]}
    return {**base, **extra}


def test_manifold_multiple_choice(tmp_path):
    m = _market(isResolved=True, resolution="a2", resolutionTime=1720000000000)
    r = parse_file(_write(tmp_path, [m], "markets.json"))
    claim = by_statement(r)["Who wins the sample race?"]
    assert claim.question_type == "choice" and claim.options == ("Red", "Blue", "Other")
    (f,) = claim.forecasts
    assert (f.forecaster, f.kind, f.probability) == ("manifold market", "crowd", None)
    assert f.distribution == pytest.approx((0.6, 0.3, 0.1))
    assert f.made_at == datetime.fromtimestamp(1710000000, timezone.utc)
    assert [(x.outcome, x.value) for x in claim.resolutions] == [(VALUE_OUTCOME, "Blue")]


def test_manifold_multiple_choice_resolutions_and_skips(tmp_path):
    cancel = _market(id="c", question="Cancelled?", isResolved=True, resolution="CANCEL")
    split = _market(id="s", question="Split?", isResolved=True, resolution="MKT",
                    answers=[{"id": "x", "index": 0, "text": "X", "probability": 0.5, "resolutionProbability": 0.7},
                             {"id": "y", "index": 1, "text": "Y", "probability": 0.5, "resolutionProbability": 0.3}])
    one_yes = _market(id="y1", question="One yes?", isResolved=True, resolution="CHOOSE_ONE",
                      answers=[{"id": "x", "index": 0, "text": "X", "probability": 0.5, "resolution": "NO"},
                               {"id": "y", "index": 1, "text": "Y", "probability": 0.5, "resolution": "YES"}])
    independent = _market(id="i", question="Set?", shouldAnswersSumToOne=False)
    off = _market(id="o", question="Off prices?", answers=[
        {"id": "x", "index": 0, "text": "X", "probability": 0.5}, {"id": "y", "index": 1, "text": "Y", "probability": 0.3}])
    r = parse_file(_write(tmp_path, [cancel, split, one_yes, independent, off], "markets.json"))
    claims = by_statement(r)
    assert [x.outcome for x in claims["Cancelled?"].resolutions] == ["void"]
    (mkt,) = claims["Split?"].resolutions
    assert mkt.outcome == "ambiguous" and "X 70.0%" in mkt.note
    assert [(x.outcome, x.value) for x in claims["One yes?"].resolutions] == [(VALUE_OUTCOME, "Y")]
    assert "Set?" not in claims and "independent set" in reasons(r)["market i"]
    assert claims["Off prices?"].forecasts == [] and "add up to 80%" in reasons(r)["market o"]


def test_imported_distributions_score(tmp_path):
    """An imported choice forecast and quantile set go straight into the scorers."""
    from claimtrack.domain.scoring import choice as ch
    from claimtrack.domain.scoring import quantity as qt

    claim = by_statement(parse_file(_write(tmp_path, [_post(MC)])))["Which lab ships first?"]
    realised = claim.options.index(claim.resolutions[0].value)
    assert ch.brier_multi(claim.forecasts[0].distribution, realised) == pytest.approx(0.25 + 0.49 + 0.04)
    num = by_statement(parse_file(_write(tmp_path, [_post(NUMERIC)], "n.json")))["GPT-4 parameters"]
    truth = float(num.resolutions[0].value)
    assert math.isfinite(qt.crps_approx(num.forecasts[-1].distribution, truth))


# ------------------------------------------------------------- end to end


def test_a_fatebook_choice_question_is_stored_reported_and_exported(cli, tmp_path):
    """Import -> store -> show -> report by_kind -> export: the choice question survives every step."""
    path = _fatebook(tmp_path, _ceo_rows(("NO", "YES", "NO")))
    r = cli("import", str(path), "--json")
    assert r.exit_code == 0, r.stderr
    listed = json.loads(cli("list", "--all", "--json").stdout)
    ceo = next(c for c in listed if c["statement"] == CEO)
    assert ceo["question_type"] == "choice"
    assert ceo["options"][:3] == ["malfeasance", "AI safety", "power struggle"]
    shown = json.loads(cli("show", str(ceo["id"]), "--json").stdout)
    assert shown["resolutions"][-1]["outcome"] == VALUE_OUTCOME
    assert shown["resolutions"][-1]["value"] == "AI safety"
    alice = [f for f in shown["forecasts"] if f["forecaster"] == "Alice"]
    assert len(alice) == 2 and alice[-1]["probability"] is None
    assert math.isclose(sum(alice[-1]["distribution"]), 1.0)
    report = json.loads(cli("report", "--format", "json").stdout)
    assert report["by_kind"] is not None
    text = json.dumps(report["by_kind"])
    assert "Alice" in text and "Bob" in text
