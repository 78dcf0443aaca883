"""Every derived realdata file parses with the generic CSV defaults alone.

The expected counts come from the csv module reading the same files, never
from the parser under test.
"""

from __future__ import annotations

import csv
import gzip
import math
import time
from collections import defaultdict
from pathlib import Path

import pytest

from claimtrack.importers import detect_format, parse_file
from test_report_helpers import in_range

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
DERIVED = REALDATA / "derived"
FILES = sorted(p.name for p in DERIVED.iterdir()) if DERIVED.is_dir() else []

pytestmark = pytest.mark.skipif(not FILES, reason="../shared/realdata is absent")

_parsed: dict[str, object] = {}


def parsed(name: str):
    if name not in _parsed:
        _parsed[name] = parse_file(DERIVED / name)
    return _parsed[name]


_rows: dict[str, list[dict[str, str]]] = {}


def rows(name: str) -> list[dict[str, str]]:
    if name not in _rows:
        opener = gzip.open if name.endswith(".gz") else open
        with opener(DERIVED / name, "rt", encoding="utf-8", newline="") as fh:
            _rows[name] = [row for row in csv.DictReader(fh) if in_range(row)]
    return _rows[name]


def out_of_range(name: str) -> int:
    """Rows dated outside the ledger's accepted range (skipped by the import)."""
    opener = gzip.open if name.endswith(".gz") else open
    with opener(DERIVED / name, "rt", encoding="utf-8", newline="") as fh:
        return sum(1 for row in csv.DictReader(fh) if not in_range(row))


def valid_probability(text: str) -> bool:
    try:
        p = float(text)
    except ValueError:
        return False
    return math.isfinite(p) and 0.0 <= p <= 1.0


@pytest.mark.parametrize("name", FILES)
def test_forecast_count_matches_csv_module(name):
    assert detect_format(DERIVED / name) == "csv"
    result = parsed(name)
    expected = sum(1 for r in rows(name) if valid_probability(r["probability"]))
    assert sum(len(c.forecasts) for c in result.claims) == expected
    assert len(result.skipped) == out_of_range(name)
    assert all("accepted range" in s.reason or "are accepted" in s.reason for s in result.skipped)


@pytest.mark.parametrize("name", FILES)
def test_claims_group_by_source_and_id(name):
    data = rows(name)
    result = parsed(name)
    assert len(result.claims) == len({(r["source"], r["claim_id"]) for r in data})
    sources = {r["source"] for r in data}
    for claim in result.claims:
        assert len(claim.tags) == 1 and claim.tags[0] in sources  # the dataset becomes a tag
        assert claim.source is None


@pytest.mark.parametrize("name", FILES)
def test_claims_in_order_with_text_and_outcome(name):
    first_rows: dict[tuple[str, str], dict[str, str]] = {}
    for r in rows(name):
        first_rows.setdefault((r["source"], r["claim_id"]), r)
    claims = parsed(name).claims
    assert len(claims) == len(first_rows)
    for claim, r in zip(claims, first_rows.values()):
        assert claim.statement == r["claim_text"].strip()
        assert claim.tags == (r["source"],)
        expected = {"1": ["yes"], "0": ["no"], "": []}[r["outcome"]]
        assert [x.outcome for x in claim.resolutions] == expected
        if r["resolved_at"] and claim.resolutions:
            assert claim.resolutions[0].note is None
        elif claim.resolutions:
            assert claim.resolutions[0].resolved_at >= max(f.made_at for f in claim.forecasts)


@pytest.mark.parametrize("name", FILES)
def test_keys_are_unique_and_stable(name):
    first = parsed(name)
    keys = [c.import_key for c in first.claims] + [f.import_key for c in first.claims for f in c.forecasts]
    assert len(keys) == len(set(keys))
    if not name.endswith(".gz"):  # the two large files are covered by the first parse's uniqueness only
        again = parse_file(DERIVED / name)
        assert keys == [c.import_key for c in again.claims] + [f.import_key for c in again.claims
                                                                for f in c.forecasts]


def test_pb_iqisa_keeps_forecasts_dated_after_resolution():
    name = "pb_iqisa_all_forecasts_resolved.csv.gz"
    flagged = [r for r in rows(name) if r["after_resolution"] == "True"]
    assert len(flagged) == 31
    after = 0
    zero_one = 0
    for claim in parsed(name).claims:
        when = claim.resolutions[0].resolved_at
        after += sum(1 for f in claim.forecasts if f.made_at > when)
        zero_one += sum(1 for f in claim.forecasts if f.probability in (0.0, 1.0))
    assert after == 31
    assert zero_one == sum(1 for r in rows(name) if float(r["probability"]) in (0.0, 1.0)) == 4191


def test_first_forecast_file_shares_keys_with_all_forecasts_file():
    first = parsed("pb_iqisa_first_forecast_per_question.csv")
    every = parsed("pb_iqisa_all_forecasts_resolved.csv.gz")
    every_keys = {f.import_key for c in every.claims for f in c.forecasts}
    first_keys = [c.forecasts[0].import_key for c in first.claims]
    assert {c.import_key for c in first.claims} == {c.import_key for c in every.claims}
    assert sum(1 for k in first_keys if k in every_keys) >= 0.99 * len(first_keys)


def test_gjp_us_dates_and_acx_partial_dates():
    gjp = parsed("gjp_yr1_mini_binary.csv")
    raw = rows("gjp_yr1_mini_binary.csv")[0]
    assert raw["resolve_by"] == "12/31/11"
    six_party = next(c for c in gjp.claims if c.statement == raw["claim_text"])
    assert (six_party.resolve_by.year, six_party.resolve_by.month, six_party.resolve_by.day) == (2011, 12, 31)
    assert (six_party.resolutions[0].resolved_at.year, six_party.resolutions[0].resolved_at.month) == (2012, 1)
    median = parsed("acx2023_blind_median_per_question.csv")
    assert all((f.made_at.year, f.made_at.month, f.made_at.day) == (2023, 1, 1)
               for c in median.claims for f in c.forecasts)


def test_acx_all_forecasts_parse_fast():
    name = "acx2023_blind_all_forecasts.csv.gz"
    start, cpu = time.perf_counter(), time.process_time()
    result = parse_file(DERIVED / name)
    elapsed, used = time.perf_counter() - start, time.process_time() - cpu
    assert sum(len(c.forecasts) for c in result.claims) == 150_720
    assert len(result.claims) == 50
    # CPU time, so other processes on a busy machine do not make this flaky (about 1.2 s here)
    assert used < 5.0, f"parsing took {used:.1f}s of CPU"
    print(f"\nACX 2023 blind file: {elapsed:.2f}s wall, {used:.2f}s CPU for 150,720 forecasts")


def test_claim_text_with_newlines_survives():
    data = rows("manifold_metaculusbot_midlife.csv")
    multi = [r["claim_text"] for r in data if "\n" in r["claim_text"]]
    assert multi, "the file has claim texts with embedded newlines"
    statements = {c.statement for c in parsed("manifold_metaculusbot_midlife.csv").claims}
    assert all(text.strip() in statements for text in multi)


def test_forecasters_and_probabilities_round_trip():
    name = "forecastbench_2024-07-21_market_questions.csv"
    by_claim = defaultdict(list)
    for r in rows(name):
        by_claim[(r["source"], r["claim_id"])].append((r["forecaster"], float(r["probability"])))
    got = sorted((f.forecaster, f.probability) for c in parsed(name).claims for f in c.forecasts)
    assert got == sorted(x for v in by_claim.values() for x in v)
    urls = {c.source_url for c in parsed(name).claims}
    assert all(u and u.startswith("http") for u in urls)
