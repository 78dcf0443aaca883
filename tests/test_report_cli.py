"""`claimtrack report` in every format, its errors, and user text kept literal."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from test_report_helpers import NASTY_SOURCE, NASTY_STATEMENT, OVERDUE_STATEMENT, hand_ledger

PNG = b"\x89PNG\r\n\x1a\n"
USER_LINKS = {"https://example.org/a"}  # the only URL the hand ledger holds


@pytest.fixture
def ledger(db):
    return hand_ledger(db)


def test_text_report(ledger, cli):
    result = cli("report", "--group", "source")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for words in ("Calibration report", "Brier score, 0-1 scale", "Brier score, 0-2 scale", "log score, bits",
                  "[0.001, 0.999]", "Contemporaneous vs backfilled", "Folded calibration", "Murphy",
                  "By source", "Trend by quarter", "Claims resolved in this period (5)",
                  "Overdue for resolution (1)", "How to read this report", "Forecasters compared"):
        assert words in out, words
    # user text is shown as typed, never read as rich markup
    assert NASTY_SOURCE in out
    assert "<script>alert(1)</script>" in out
    assert "[link=http://evil.example]y[/link]" in out
    assert "\x1b[" not in out


def test_json_report_keys_and_types(ledger, cli):
    result = cli("report", "--format", "json", "--group", "forecaster")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    for key in ("schema_version", "generated_at", "period", "scoring", "filters", "overall", "backfilled",
                "group_by", "groups", "relative", "periods", "resolved_claims", "overdue_claims",
                "n_resolved_claims", "n_overdue_claims"):
        assert key in data, key
    overall = data["overall"]
    for key in ("n", "n_excluded", "n_backfilled", "n_after_resolution"):
        assert type(overall[key]) is int, key
    for key in ("brier", "brier_0_2", "log_score_bits", "base_rate", "mean_forecast", "sum_weights"):
        assert type(overall[key]) is float, key
    assert (overall["n"], overall["n_excluded"]) == (5, 2)
    assert overall["brier"] == pytest.approx(0.2205) and overall["brier_0_2"] == pytest.approx(0.441)
    assert set(overall["murphy"]) == {"reliability", "resolution", "uncertainty", "within_bin_variance",
                                      "within_bin_covariance"}
    assert all(type(v) is float for v in overall["murphy"].values())
    bins = overall["calibration"]
    assert len(bins) == 10
    assert [(b["lo"], b["hi"]) for b in bins[:2]] == [(0.0, 0.1), (0.1, 0.2)]  # fractions, not percents
    for b in bins:
        assert set(b) == {"lo", "hi", "n", "mean_forecast", "observed", "ci_low", "ci_high"}
        assert type(b["n"]) is int and type(b["lo"]) is float and type(b["ci_high"]) is float
        assert (b["mean_forecast"] is None) == (b["n"] == 0)
    assert data["scoring"]["log_clip"] == [0.001, 0.999] and data["scoring"]["rule"] == "final"
    assert data["group_by"] == "forecaster" and set(data["groups"]) == {"me", "Priya"}
    assert data["groups"]["Priya"]["brier"] == pytest.approx(0.125)
    assert data["backfilled"]["backfilled"]["n"] == 1 and data["backfilled"]["contemporaneous"]["n"] == 4
    assert [p["period"] for p in data["periods"]] == ["2024-Q1", "2024-Q2", "2024-Q3"]
    assert data["n_resolved_claims"] == 5 and len(data["resolved_claims"]) == 5
    assert data["resolved_claims"][0]["statement"] == NASTY_STATEMENT
    assert data["overdue_claims"][0]["statement"] == OVERDUE_STATEMENT
    assert data["generated_at"].endswith("Z")
    assert {r["forecaster"] for r in data["relative"]} == {"me", "Priya"}


def test_json_is_inferred_from_the_out_suffix(ledger, cli, tmp_path):
    result = cli("report", "--out", str(tmp_path / "r.json"), "--scoring", "time-weighted")
    assert result.exit_code == 0, result.stderr
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["scoring"]["rule"] == "time-weighted"
    assert data["overall"]["sum_weights"] == pytest.approx(5.0)


def test_html_report_is_self_contained_and_escaped(ledger, cli, tmp_path):
    target = tmp_path / "report.html"
    result = cli("report", "--format", "html", "--out", str(target), "--group", "source")
    assert result.exit_code == 0, result.stderr
    page = target.read_text(encoding="utf-8")
    assert page.count("<svg") == 2  # calibration and trend charts, inline
    # any URL in the page is user text (a statement) or a claim's own link; only the latter is a link
    user_text = (OVERDUE_STATEMENT, *USER_LINKS)
    assert all(any(url in text for text in user_text) for url in re.findall(r"https?://[^\s\"'<>]+", page))
    assert set(re.findall(r"(?:href|src)\s*=\s*[\"']?([a-z]+:[^\"'\s>]*)", page, re.I)) == USER_LINKS
    assert not re.search(r"<(script|link|img|iframe)\b", page, re.I)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "[bold red]x[/]" in page
    assert "&lt;b&gt;claim&lt;/b&gt;" in page
    for words in ("0-1 scale", "0-2 scale", "[0.001, 0.999]", "Claims resolved in this period (5)",
                  "Overdue for resolution (1)", "By source"):
        assert words in page, words


def test_html_refuses_non_http_links():
    from claimtrack.reports.html import safe_url

    assert safe_url("javascript:alert(1)") is None and safe_url("data:text/html,x") is None
    assert safe_url(" https://example.org/x ") == "https://example.org/x"


def test_markdown_writes_png_charts_beside_the_file(ledger, cli, tmp_path):
    target = tmp_path / "out" / "monthly.md"
    target.parent.mkdir()
    result = cli("report", "--out", str(target))
    assert result.exit_code == 0, result.stderr
    text = target.read_text(encoding="utf-8")
    for name in ("monthly-calibration.png", "monthly-trend.png"):
        png = target.parent / name
        assert png.read_bytes().startswith(PNG) and png.stat().st_size > 5000
        assert f"]({name})" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>" not in text
    assert r"\[bold red\]x\[/\]" in text
    assert sorted(p.name for p in target.parent.iterdir()) == ["monthly-calibration.png", "monthly-trend.png",
                                                               "monthly.md"]


def test_markdown_without_out_has_no_charts_and_says_so(ledger, cli, tmp_path):
    result = cli("report", "--format", "md")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# Calibration report")
    assert "only with --out" in result.stdout and "--out" in result.stderr
    assert ".png" not in result.stdout
    assert not list(tmp_path.glob("*.png"))


def test_text_to_a_file_has_no_colour_codes(ledger, cli, tmp_path):
    result = cli("report", "--out", str(tmp_path / "r.txt"))
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "r.txt").read_text()
    assert "Calibration report" in text and "\x1b[" not in text


@pytest.mark.parametrize("args, word", [
    (["--format", "pdf"], "pdf"), (["--group", "person"], "person"), (["--period", "week"], "week"),
    (["--scoring", "latest"], "latest"), (["--since", "someday"], "someday"), (["--until", "13/45/2024"], "13/45"),
    (["--bins", "7"], "7"), (["--bins", "ten"], "ten"), (["--max-claims", "-1"], "-1"),
    (["--since", "last"], "--save"), (["--save", "--out", "x.html"], "--out"),
    (["--since", "2025-01-01", "--until", "2024-01-01"], "--since"),
])
def test_bad_input_is_one_line_exit_2(db, cli, args, word):
    result = cli("report", *args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and word in lines[0], result.stderr
    assert result.stdout == ""


def test_out_into_a_missing_folder_is_one_line(db, cli, tmp_path):
    result = cli("report", "--out", str(tmp_path / "nope" / "r.html"))
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1


def _quiet_imports(*argv: str, db_path) -> set[str]:
    code = (
        "import sys\n"
        "from claimtrack.cli import main\n"
        "try:\n"
        f"    main({list(argv)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('matplotlib', 'jinja2') if m in sys.modules), file=sys.stderr)\n"
    )
    env = {**os.environ, "CLAIMTRACK_DB": str(db_path), "CLAIMTRACK_NO_TUI": "1"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    return set(eval(done.stderr.strip().splitlines()[-1]))


def test_quick_commands_do_not_import_matplotlib_or_jinja2(sqlite_path):
    assert _quiet_imports("list", db_path=sqlite_path) == set()
    assert _quiet_imports("report", "--format", "json", db_path=sqlite_path) == set()
    assert _quiet_imports("report", db_path=sqlite_path) == set()


def _keys(value, out: set[str]) -> set[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            out.add(key)
            _keys(item, out)
    elif isinstance(value, list):
        for item in value:
            _keys(item, out)
    return out


def test_every_json_key_is_documented(ledger, cli):
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "report-json.md").read_text(encoding="utf-8")
    data = json.loads(cli("report", "--format", "json", "--group", "forecaster").stdout)
    keys = _keys({k: v for k, v in data.items() if k != "groups"}, set()) | _keys(list(data["groups"].values()), set())
    missing = sorted(k for k in keys if f"`{k}`" not in doc)
    assert not missing, missing


def test_every_format_works_on_an_empty_ledger(db, cli, tmp_path):
    for fmt in ("text", "md", "html", "json"):
        target = tmp_path / f"empty.{fmt if fmt != 'text' else 'txt'}"
        result = cli("report", "--format", fmt, "--out", str(target))
        assert result.exit_code == 0, (fmt, result.stderr)
    page = (tmp_path / "empty.html").read_text()
    # empty sections are left out: no charts or tables of nothing, the headline says why
    assert page.count("<svg") == 0 and "No resolved forecasts" in page and "Calibration table" not in page
    data = json.loads((tmp_path / "empty.json").read_text())
    assert data["overall"]["n"] == 0 and data["overall"]["brier"] is None and data["periods"] == []
    assert (tmp_path / "empty-calibration.png").read_bytes().startswith(PNG)
