"""Notes importer: candidate claims from dated plain-text / Markdown notes."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from claimtrack.domain.probability import WORDS_OF_ESTIMATIVE_PROBABILITY
from claimtrack.importers import detect_format, parse_file

FIX = Path(__file__).parent / "fixtures" / "import"
EXAMPLE = Path(__file__).resolve().parents[2] / "shared" / "examples" / "openai-notes.txt"
UTC = timezone.utc


@pytest.fixture(autouse=True)
def utc_zone(monkeypatch):
    monkeypatch.setenv("CLAIMTRACK_TZ", "UTC")


def find(result, word: str):
    hits = [c for c in result.claims if word.lower() in c.statement.lower()]
    assert len(hits) == 1, f"{word!r}: {[c.statement for c in result.claims]}"
    return hits[0]


def test_fixture_candidates():
    r = parse_file(FIX / "notes_sample.md")
    assert r.format == "notes"
    assert all(c.status == "draft" for c in r.claims)
    assert len(r.claims) == 5, [c.statement for c in r.claims]

    river = find(r, "river project may")
    assert river.source == "Jane Roe" and river.forecasts[0].forecaster == "Jane Roe"
    assert river.statement.startswith("The river project may be delayed")  # "X speculates, is that" removed
    assert river.stated_at == datetime(2024, 2, 3, tzinfo=UTC)

    ferry = find(r, "ferry line")
    assert ferry.source == "me" and ferry.forecasts[0].probability == 0.6  # "I think" default
    assert ferry.stated_at == datetime(2024, 2, 10, 9, 15, tzinfo=UTC)
    assert not ferry.statement.lower().startswith("i think")

    crane = find(r, "crane")
    assert crane.source == "Mark Poe"  # "Mark Poe says" introduces the next paragraph
    assert crane.stated_at == datetime(2024, 2, 20, tzinfo=UTC)  # "Feb 20:" takes 2024 from the last full date

    fares = find(r, "fares")
    assert fares.forecasts[0].probability == 0.3  # an explicit "30% chance"
    assert fares.stated_at == datetime(2024, 3, 1, tzinfo=UTC)  # "March 2024:"

    museum = find(r, "east wing")
    assert museum.source == "rumors"
    assert museum.forecasts[0].probability == WORDS_OF_ESTIMATIVE_PROBABILITY["likely"] / 100


def test_fixture_non_candidates():
    r = parse_file(FIX / "notes_sample.md")
    text = " ".join(c.statement for c in r.claims).lower()
    for absent in ("reading notes", "sample weekly", "final budget", "budget large enough", "walk there",
                   "subsidy", "forget about this", "14 rooms"):
        assert absent not in text, absent


def test_rationale_shows_phrase_and_sentence():
    r = parse_file(FIX / "notes_sample.md")
    museum = find(r, "east wing")
    why = museum.forecasts[0].rationale
    assert "'likely' -> 70%" in why and "words-of-estimative-probability table" in why
    assert "Some rumors claim the museum is likely" in why
    river = find(r, "river project may")
    assert "'may' -> 45%" in river.forecasts[0].rationale and "default" in river.forecasts[0].rationale


def test_forecaster_override_names_the_author_only():
    r = parse_file(FIX / "notes_sample.md", forecaster="sam", tags=["reading"])
    assert find(r, "ferry line").source == "sam"
    assert find(r, "crane").source == "Mark Poe"
    assert all(c.tags == ("reading",) for c in r.claims)
    assert find(parse_file(FIX / "notes_sample.md", default_forecaster="ana"), "ferry line").source == "ana"


def test_keys_survive_edits(tmp_path):
    original = (FIX / "notes_sample.md").read_text(encoding="utf-8")
    first = {c.statement: c.import_key for c in parse_file(FIX / "notes_sample.md").claims}
    edited = original.replace("# Reading notes", "# Reading notes\n\nI expect the tram fares will rise in May.\n")
    edited = edited.replace("The museum has 14 rooms", "The museum has 15 rooms")
    f = tmp_path / "renamed.md"
    f.write_text(edited, encoding="utf-8")
    second = {c.statement: c.import_key for c in parse_file(f).claims}
    for statement, key in first.items():
        assert second[statement] == key
    assert len(second) == len(first) + 1


def test_same_sentence_on_another_date_is_another_claim(tmp_path):
    f = tmp_path / "n.txt"
    sentence = "I think the harbour will reopen before the festival starts."
    f.write_text(f"2024-01-01\n\n{sentence}\n\n2024-02-01\n\n{sentence}\n", encoding="utf-8")
    r = parse_file(f)
    assert len(r.claims) == 2 and r.claims[0].import_key != r.claims[1].import_key
    assert [c.stated_at.month for c in r.claims] == [1, 2]


def test_year_less_date_before_any_full_date_uses_file_year(tmp_path):
    f = tmp_path / "n.txt"
    f.write_text("Nov 3: I think the sample shop might close before the winter holidays.\n", encoding="utf-8")
    stamp = datetime(2022, 12, 1, tzinfo=UTC).timestamp()
    os.utime(f, (stamp, stamp))
    r = parse_file(f)
    assert r.claims[0].stated_at == datetime(2022, 11, 3, tzinfo=UTC)
    f.write_text("I think the sample shop might close before the winter holidays.\n", encoding="utf-8")
    os.utime(f, (stamp, stamp))
    undated = parse_file(f).claims[0]
    assert undated.stated_at == datetime(2022, 12, 1, tzinfo=UTC)
    assert "undated" in undated.forecasts[0].rationale


def test_markdown_headings_and_lists(tmp_path):
    f = tmp_path / "n.md"
    f.write_text("## 2024-05-01\n\n- The bakery will probably raise prices next month.\n"
                 "- The bakery sells bread.\n\n### Will prices rise?\n", encoding="utf-8")
    assert detect_format(f) == "notes"
    r = parse_file(f)
    assert [c.statement for c in r.claims] == ["The bakery will probably raise prices next month."]
    assert r.claims[0].forecasts[0].probability == WORDS_OF_ESTIMATIVE_PROBABILITY["probably"] / 100


def test_pronoun_resolves_to_last_speaker(tmp_path):
    f = tmp_path / "n.txt"
    f.write_text("2024-06-01\n\nIn the interview Maria Lopez talked about the sample plant. Maria says output "
                 "grew. The plant is large, and she suspects the second line will open in 2025.\n", encoding="utf-8")
    r = parse_file(f)
    assert [(c.source, c.statement) for c in r.claims] == [("Maria Lopez", "The second line will open in 2025.")]


# ------------------------------------------------------- the user's example


@pytest.fixture
def example():
    if not EXAMPLE.exists():
        pytest.skip("../shared/examples/openai-notes.txt is absent")
    return parse_file(EXAMPLE)


def test_example_inbox_size(example):
    assert detect_format(EXAMPLE) == "notes"
    assert 5 <= len(example.claims) <= 15, [c.statement for c in example.claims]
    assert all(c.status == "draft" and len(c.forecasts) == 1 for c in example.claims)


def test_example_expected_candidates(example):
    hardware = find(example, "own hardware")
    assert hardware.source == "Ben Thompson"
    assert hardware.stated_at == datetime(2023, 11, 8, 16, 37, tzinfo=UTC)

    zero = find(example, "$0")
    assert zero.source == "Ben Thompson"
    assert zero.stated_at == datetime(2023, 11, 21, tzinfo=UTC)

    greed = find(example, "malfeasance")
    assert greed.source == "me"
    assert greed.stated_at == datetime(2023, 11, 18, tzinfo=UTC)
    assert greed.forecasts[0].probability == WORDS_OF_ESTIMATIVE_PROBABILITY["likely"] / 100

    rumour = find(example, "philosophical differences")
    assert rumour.source == "rumors"
    assert rumour.stated_at == datetime(2023, 11, 18, tzinfo=UTC)

    hotz = find(example, "240B")
    assert hotz.source == "George Hotz"
    assert hotz.statement.startswith("GPT-4")


def test_example_non_candidates(example):
    statements = [c.statement for c in example.claims]
    joined = " ".join(statements).lower()
    for absent in ("hn discussion", "inference:", "dataset:", "stratechery on", "technical details",
                   "what is q*", "18% of ai authors", "not consistently candid", "$63 million", "8,192 h100",
                   "uninformed guesses", "regulatory capture"):
        assert absent not in joined, absent
    assert all(len(s.split()) >= 5 for s in statements)


def test_example_keys_are_stable(example):
    again = parse_file(EXAMPLE)
    assert [c.import_key for c in again.claims] == [c.import_key for c in example.claims]
    keys = [c.import_key for c in example.claims] + [c.forecasts[0].import_key for c in example.claims]
    assert len(keys) == len(set(keys))
