"""`claimtrack import` end to end: each format into a ledger, idempotence,
dry runs, the inbox for notes, and the real data files."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest

from conftest import realdata

FIXTURES = Path(__file__).parent / "fixtures" / "import"

CASES = [
    ("fatebook_export.csv", "fatebook"),
    ("predictionbook_my_predictions.json", "predictionbook"),
    ("metaculus_api_posts.json", "metaculus-api"),
    ("manifold_markets.json", "manifold"),
    ("notes_sample.md", "notes"),
]


def _import(cli, path, *args, db=None):
    kwargs = {"db": db} if db else {}
    r = cli("import", str(path), "--json", *args, **kwargs)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


@pytest.mark.parametrize("name,fmt", CASES)
def test_each_format_imports_once(cli, db_url, dump, name, fmt):
    first = _import(cli, FIXTURES / name)
    assert first["format"] == fmt
    assert first["claims"]["added"] > 0 and first["forecasts"]["added"] > 0
    snapshot = dump(db_url)
    second = _import(cli, FIXTURES / name)
    assert second["claims"]["added"] == 0 and second["forecasts"]["added"] == 0
    assert second["resolutions"]["added"] == 0
    assert second["claims"]["already_present"] == first["claims"]["added"] + first["claims"]["already_present"]
    assert dump(db_url) == snapshot
    assert cli("verify").exit_code == 0


def test_metaculus_csv_pair(cli):
    folder = FIXTURES / "metaculus"
    question_file = next(folder.glob("*question*"))
    summary = _import(cli, question_file)
    assert summary["format"] == "metaculus-csv" and summary["claims"]["added"] >= 1


def test_tags_forecaster_and_dry_run(cli, db_url, dump):
    assert cli("list").exit_code == 0  # creates the empty ledger
    before = dump(db_url)
    dry = _import(cli, FIXTURES / "fatebook_export.csv", "--dry-run")
    assert dry["dry_run"] is True and dry["claims"]["added"] > 0
    assert dump(db_url) == before
    _import(cli, FIXTURES / "fatebook_export.csv", "--tag", "from-fatebook", "--forecaster", "alice")
    listed = json.loads(cli("list", "--all", "--json", "--tag", "from-fatebook").stdout)
    assert len(listed) == dry["claims"]["added"]
    forecasters = json.loads(cli("list", "--all", "--json", "--forecaster", "alice").stdout)
    assert forecasters


def test_notes_become_drafts_in_the_inbox(cli):
    summary = _import(cli, FIXTURES / "notes_sample.md")
    n = summary["claims"]["added"]
    assert n > 0
    assert json.loads(cli("list", "--json").stdout) == []  # not open claims
    inbox = json.loads(cli("inbox", "--json").stdout)
    assert len(inbox) == n and all(c["status"] == "draft" for c in inbox)
    report = cli("report", "--format", "json")
    if report.exit_code == 0:  # drafts are never scored
        assert json.loads(report.stdout)["overall"]["n"] == 0


def test_example_notes_file_gives_a_sensible_inbox(cli):
    notes = Path(__file__).resolve().parents[2] / "shared" / "examples" / "openai-notes.txt"
    if not notes.exists():
        pytest.skip("example notes not available")
    _import(cli, notes, "--from", "notes")
    inbox = json.loads(cli("inbox", "--json").stdout)
    assert 5 <= len(inbox) <= 15
    sources = {c["source"] for c in inbox}
    assert {"Ben Thompson", "George Hotz"} <= sources
    texts = " ".join(c["statement"] for c in inbox).lower()
    assert "hardware" in texts and "$0" in texts and "malfeasance" in texts
    assert all(c["statement"].strip().lower() not in ("hn discussion", "inference:") for c in inbox)


def test_report_file_lists_skipped_rows(cli, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("statement,probability,created_at\nfine,0.5,2024-01-01\nbroken,1.7,2024-01-01\n")
    out = tmp_path / "skipped.tsv"
    summary = _import(cli, bad, "--report", str(out))
    assert summary["claims"]["added"] == 1 and len(summary["skipped"]) == 1
    assert "1.7" in out.read_text()


def test_generic_csv_mapping(cli, tmp_path):
    f = tmp_path / "odd.csv"
    f.write_text("what,chance,when\nIt rains,0.3,2024-05-01\n")
    r = cli("import", str(f))
    assert r.exit_code == 2  # no recognisable claim column without a mapping
    summary = _import(cli, f, "--map", "statement=what,probability=chance,created_at=when")
    assert summary["claims"]["added"] == 1


def _when(text: str):
    from datetime import datetime, timezone

    value = datetime.fromisoformat(text.strip())
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _csv_rows(path: Path):
    """The file's rows dated inside the ledger's accepted range (the rest are skipped)."""
    from test_report_helpers import in_range

    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        return [row for row in csv.DictReader(fh) if in_range(row)]


@pytest.mark.parametrize("name", [
    "pb_iqisa_first_forecast_per_question.csv",
    "pb_diatkinson_creator_credence.csv",
    "gjp_yr1_mini_binary.csv",
    "forecastbench_2024-07-21_market_questions.csv",
    "manifold_metaculusbot_midlife.csv",
    "acx2023_blind_median_per_question.csv",
    "pb_iqisa_all_forecasts_resolved.csv.gz",
])
def test_realdata_files_import(cli, name):
    path = realdata("derived", name)
    rows = _csv_rows(path)
    valid = [r for r in rows if r["probability"] not in ("", None) and 0 <= float(r["probability"]) <= 1]
    summary = _import(cli, path)
    assert summary["forecasts"]["added"] + len(summary["skipped"]) >= len(valid) - summary["forecasts"]["already_present"]
    assert summary["forecasts"]["added"] == len(valid)
    if name == "pb_iqisa_all_forecasts_resolved.csv.gz":
        # the file flags 31 made after the resolution; 3 more were made at its instant, which counts as after
        at_or_after = [r for r in rows if _when(r["created_at"]) >= _when(r["resolved_at"])]
        assert sum(1 for r in rows if r["after_resolution"] == "True") == 31
        assert summary["forecasts"]["after_resolution"] == len(at_or_after) == 34
    again = _import(cli, path)
    assert again["forecasts"]["added"] == 0


@pytest.mark.parametrize("name", [
    "forecastbench_2024-07-21_market_questions.csv",
    "pb_iqisa_first_forecast_per_question.csv",
])
def test_report_after_import_matches_numpy(cli, name):
    """After importing a real file, `report --format json` gives the Brier score
    and bins that numpy computes on the same file."""
    import numpy as np

    path = realdata("derived", name)
    rows = [r for r in _csv_rows(path) if r["outcome"] in ("0", "1") and r["probability"] != ""]
    if "after_resolution" in rows[0]:  # made at or after the resolution: never scored
        rows = [r for r in rows if r["after_resolution"] != "True" and _when(r["created_at"]) < _when(r["resolved_at"])]
    # each claim in these files has one forecast per forecaster: the final one
    p = np.array([float(r["probability"]) for r in rows])
    o = np.array([int(r["outcome"]) for r in rows])
    _import(cli, path)
    report = json.loads(cli("report", "--format", "json").stdout)
    overall = report["overall"]
    assert overall["n"] == len(rows)
    assert overall["brier"] == pytest.approx(float(np.mean((p - o) ** 2)), abs=1e-12)
    pct = np.floor(p * 100 + 0.5 + 1e-9).astype(int)
    edges = np.maximum(0, (pct - 1) // 10)  # (10k, 10k+10] -> k; 0 -> 0
    for k, bin_ in enumerate(overall["calibration"]):
        mask = edges == k
        assert bin_["n"] == int(mask.sum())
        if mask.any():
            assert bin_["mean_forecast"] == pytest.approx(float(p[mask].mean()), abs=1e-12)
            assert bin_["observed"] == pytest.approx(float(o[mask].mean()), abs=1e-12)
