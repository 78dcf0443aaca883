"""Import parsers: each format from a fixture in its real layout, plus hostile files."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.records import OUTCOMES
from claimtrack.importers import FORMATS, detect_format, parse_file, parse_mapping

FIX = Path(__file__).parent / "fixtures" / "import"
UTC = timezone.utc


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def by_statement(result):
    return {c.statement: c for c in result.claims}


def all_keys(result) -> list[str]:
    keys = []
    for c in result.claims:
        keys.append(c.import_key)
        keys += [f.import_key for f in c.forecasts]
        keys += [r.import_key for r in c.resolutions]
    return keys


def check_invariants(result) -> None:
    """What every parser promises the import service."""
    keys = all_keys(result)
    assert all(keys), "every record has an import key"
    assert len(keys) == len(set(keys)), "import keys are unique within a file"
    assert all(len(k) <= 200 for k in keys)
    for c in result.claims:
        assert c.stated_at.tzinfo is not None
        for f in c.forecasts:
            if c.question_type == "binary":
                assert 0.0 <= f.probability <= 1.0
            else:  # choice: one probability per option; numeric/date: a quantile set (issue 12)
                assert f.probability is None and f.distribution
            assert f.made_at.utcoffset().total_seconds() == 0
        for r in c.resolutions:
            assert r.outcome in OUTCOMES


# ----------------------------------------------------------------- detection


@pytest.mark.parametrize("name, fmt", [
    ("fatebook_export.csv", "fatebook"),
    ("predictionbook_my_predictions.json", "predictionbook"),
    ("metaculus/question_data.csv", "metaculus-csv"),
    ("metaculus/forecast_data.csv", "metaculus-csv"),
    ("metaculus_api_posts.json", "metaculus-api"),
    ("manifold_markets.json", "manifold"),
    ("generic_custom.csv", "csv"),
    ("notes_sample.md", "notes"),
])
def test_detect_format(name, fmt):
    assert detect_format(FIX / name) == fmt


def test_formats_registry_names():
    assert set(FORMATS) == {"fatebook", "predictionbook", "metaculus-csv", "metaculus-api", "manifold", "csv",
                            "notes"}


def test_detect_unsure_names_accepted_formats(tmp_path):
    f = tmp_path / "mystery.csv"
    f.write_text("alpha,beta\n1,2\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as exc:
        detect_format(f)
    msg = str(exc.value)
    assert "mystery.csv" in msg and "alpha" in msg and "fatebook" in msg and "metaculus-api" in msg
    assert "\n" not in msg


def test_detect_unknown_json(tmp_path):
    f = tmp_path / "other.json"
    f.write_text('{"hello": [1, 2]}', encoding="utf-8")
    with pytest.raises(InvalidInput, match="other.json.*not a PredictionBook, Metaculus or Manifold"):
        detect_format(f)


def test_unknown_format_name():
    with pytest.raises(InvalidInput, match="unknown import format 'excel'.*fatebook"):
        parse_file(FIX / "fatebook_export.csv", "excel")


# ------------------------------------------------------------------ fatebook


def test_fatebook_groups_rows_into_questions():
    r = parse_file(FIX / "fatebook_export.csv")
    check_invariants(r)
    claims = by_statement(r)
    bike = claims["Will the city council approve the bike lane plan by June 2024?"]
    assert [f.probability for f in bike.forecasts] == [0.7, 0.55, 0.85]
    assert [f.forecaster for f in bike.forecasts] == ["Alice Example", "Bob Sample", "Alice Example"]
    assert bike.forecasts[0].made_at == at(2024, 1, 5, 9, 3, 7)  # unpadded seconds "09:03:7"
    assert bike.forecasts[0].recorded_at == bike.forecasts[0].made_at
    assert bike.stated_at == at(2024, 1, 5, 9, 3, 7)
    assert bike.tags == ("local", "politics")
    assert bike.details.startswith("Vote scheduled for spring.\nSecond line of notes.")
    assert "agenda looks favourable" in bike.details
    assert [(x.outcome, x.resolved_at) for x in bike.resolutions] == [("yes", at(2024, 6, 12, 18, 20, 5))]
    snow = claims["Will it snow in the capital before March?"]
    assert snow.resolutions[0].outcome == "ambiguous"
    assert [f.probability for f in snow.forecasts] == [0.2]
    formula = '=HYPERLINK("http://example.com","Will the library extend opening hours?")'
    assert formula in claims and claims[formula].resolutions == []


def test_fatebook_skips_bad_values_and_imports_multiple_choice():
    r = parse_file(FIX / "fatebook_export.csv")
    reasons = {s.location: s.reason for s in r.skipped}
    assert reasons["row 8"] == "forecast '1.7' is outside 0-1"
    assert "row 6" not in reasons and "row 7" not in reasons
    cup = by_statement(r)["Which team wins the regional cup?"]  # rows 6 and 7: one question (issue 12)
    assert cup.question_type == "choice" and cup.options == ("Team North", "Team South")
    assert [f.distribution for f in cup.forecasts] == [(0.4, 0.6)]


def test_fatebook_forecaster_override_renames_only_the_owner():
    r = parse_file(FIX / "fatebook_export.csv", forecaster="me", tags=["imported"])
    bike = r.claims[0]
    assert [f.forecaster for f in bike.forecasts] == ["me", "Bob Sample", "me"]
    assert all("imported" in c.tags for c in r.claims)
    # renaming does not change keys: a re-import with another name still matches
    assert all_keys(r) == all_keys(parse_file(FIX / "fatebook_export.csv"))


def test_fatebook_wrong_header(tmp_path):
    f = tmp_path / "fb.csv"
    f.write_text("Question title,Something else\nx,y\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="fb.csv: row 1: not a Fatebook export"):
        parse_file(f, "fatebook")


# ------------------------------------------------------------ predictionbook


def test_predictionbook_responses_comments_and_outcomes():
    r = parse_file(FIX / "predictionbook_my_predictions.json")
    check_invariants(r)
    claims = by_statement(r)
    train = claims["The new train line opens before the end of 2019"]
    assert [(f.forecaster, f.probability) for f in train.forecasts] == [("carol", 0.6), ("dave", 0.7), ("carol", 0.8)]
    assert train.forecasts[0].rationale == "Construction looks on schedule"
    assert "dave" in train.details and "signalling contract" in train.details  # the comment-only response
    assert train.source_url == "https://predictionbook.com/predictions/9001"
    res = train.resolutions[0]
    assert res.outcome == "yes" and res.resolved_at == at(2019, 12, 31, 12)  # the deadline
    assert "judgement time" in res.note
    bakery = claims["The bakery on the corner is still open next summer"]
    assert bakery.resolutions[0].outcome == "no"
    assert len(bakery.forecasts) == 1
    open_q = claims["Open question with no judgement yet"]
    assert open_q.resolutions == []


def test_predictionbook_withdrawn_is_void_and_bad_values_skipped():
    r = parse_file(FIX / "predictionbook_my_predictions.json")
    marathon = by_statement(r)["I will finish the marathon under four hours"]
    assert [(x.outcome, x.resolved_at) for x in marathon.resolutions] == [("void", at(2019, 5, 5, 5, 5, 5))]
    reasons = {s.location: s.reason for s in r.skipped}
    assert reasons["prediction 9003 response 2"] == "confidence 150 is outside 0-100"
    assert "empty statement" in reasons["prediction 9005"]
    assert len(r.claims) == 4


def test_predictionbook_override_keeps_other_users():
    r = parse_file(FIX / "predictionbook_my_predictions.json", forecaster="me")
    train = r.claims[0]
    assert [f.forecaster for f in train.forecasts] == ["me", "dave", "me"]


def test_predictionbook_wrong_types(tmp_path):
    doc = json.loads((FIX / "predictionbook_my_predictions.json").read_text())
    doc["predictions"][1]["responses"][0]["confidence"] = "high"
    f = tmp_path / "pb.json"
    f.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InvalidInput) as exc:
        parse_file(f)
    assert str(exc.value) == ("pb.json: predictions[1].responses[0].confidence: "
                              "expected an integer or a number, got a string")
    f.write_text(json.dumps({"predictions": {"id": 1}}), encoding="utf-8")
    with pytest.raises(InvalidInput, match="pb.json: predictions: expected a list, got an object"):
        parse_file(f, "predictionbook")
    f.write_text(json.dumps([1, 2]), encoding="utf-8")
    with pytest.raises(InvalidInput, match="expected an object with a 'predictions' list"):
        parse_file(f, "predictionbook")


# ----------------------------------------------------------------- metaculus


def test_metaculus_csv_from_either_file():
    q = parse_file(FIX / "metaculus" / "question_data.csv")
    f = parse_file(FIX / "metaculus" / "forecast_data.csv")
    assert all_keys(q) == all_keys(f)
    check_invariants(q)
    claims = by_statement(q)
    assert len(claims) == 3  # the numeric question is skipped
    oai = claims["Will OpenAI API token prices fall before March 14, 2026?"]
    community = [x for x in oai.forecasts if x.forecaster == "metaculus community"]
    assert [(x.probability, x.made_at) for x in community] == [
        (0.25, datetime(2026, 1, 12, 16, 4, 24, 66897, tzinfo=UTC)),
        (0.35, datetime(2026, 1, 12, 22, 17, 38, 561025, tzinfo=UTC)),
    ]
    assert [x.forecaster for x in oai.forecasts if x.forecaster != "metaculus community"] == ["sample_user"]
    assert oai.resolutions == []
    reservoir = claims["Will the sample reservoir be above 80% full on 1 May 2025?"]
    assert [(x.outcome, x.resolved_at) for x in reservoir.resolutions] == [("yes", at(2025, 5, 2, 9, 30))]
    festival = claims["Will the sample festival take place in 2025?"]
    assert festival.resolutions[0].outcome == "void"  # annulled
    reasons = [s.reason for s in q.skipped]
    assert any("type 'numeric'" in x and "1 forecasts" in x for x in reasons)
    assert any("'1.2' is outside 0-1" in x for x in reasons)
    assert any("'99999' is not in the question file" in x for x in reasons)


def test_metaculus_forecaster_override_spares_the_community():
    r = parse_file(FIX / "metaculus" / "question_data.csv", forecaster="me")
    names = {x.forecaster for c in r.claims for x in c.forecasts}
    assert names == {"me", "metaculus community"}


def test_metaculus_forecast_file_without_questions(tmp_path):
    shutil.copy(FIX / "metaculus" / "forecast_data.csv", tmp_path / "forecast_data.csv")
    with pytest.raises(InvalidInput, match="no question_data file sits next to it"):
        parse_file(tmp_path / "forecast_data.csv")


def test_metaculus_zip_export(tmp_path):
    import zipfile

    z = tmp_path / "export.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(FIX / "metaculus" / "question_data.csv", "question_data.csv")
        zf.write(FIX / "metaculus" / "forecast_data.csv", "forecast_data.csv")
    assert detect_format(z) == "metaculus-csv"
    assert all_keys(parse_file(z)) == all_keys(parse_file(FIX / "metaculus" / "question_data.csv"))


def test_metaculus_api_posts():
    r = parse_file(FIX / "metaculus_api_posts.json")
    check_invariants(r)
    claims = by_statement(r)
    assert len(claims) == 2
    ligo = claims["Will advanced LIGO announce discovery of gravitational waves by Jan. 31 2016?"]
    assert [(x.outcome, x.resolved_at) for x in ligo.resolutions] == [("no", at(2016, 2, 1, 3, 34))]
    assert ligo.resolve_by == at(2016, 2, 1, 3, 34) and ligo.stated_at == at(2015, 10, 2, 2, 34)
    assert ligo.source_url == "https://www.metaculus.com/questions/1/"
    oai = claims["Will OpenAI API token prices fall before March 14, 2026?"]
    community = [x.probability for x in oai.forecasts if x.forecaster == "metaculus community"]
    assert community == [0.25, 0.35]  # ``latest`` repeats the last history entry and is not doubled
    mine = [x for x in oai.forecasts if x.forecaster == "me"]
    assert [x.probability for x in mine] == [0.3]  # forecast_values[1]
    reasons = " | ".join(s.reason for s in r.skipped)
    assert "group of questions" in reasons and "type 'numeric'" in reasons


def test_metaculus_same_question_same_keys_across_formats():
    api = by_statement(parse_file(FIX / "metaculus_api_posts.json"))
    csv = by_statement(parse_file(FIX / "metaculus" / "question_data.csv"))
    title = "Will OpenAI API token prices fall before March 14, 2026?"
    assert api[title].import_key == csv[title].import_key

    def community_keys(claim):
        return [x.import_key for x in claim.forecasts if x.forecaster == "metaculus community"]

    assert len(community_keys(api[title])) == 2
    assert community_keys(api[title]) == community_keys(csv[title])


def test_metaculus_api_single_post_and_wrong_types(tmp_path):
    doc = json.loads((FIX / "metaculus_api_posts.json").read_text())
    single = tmp_path / "post.json"
    single.write_text(json.dumps(doc["results"][1]), encoding="utf-8")
    assert [c.statement[:20] for c in parse_file(single).claims] == ["Will advanced LIGO a"]
    doc["results"][0]["question"]["aggregations"]["recency_weighted"]["history"] = "nope"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"bad.json: results\[0\]\.question\.aggregations\.recency_weighted\.history"
                                           r": expected a list, got a string"):
        parse_file(bad, "metaculus-api")


# ------------------------------------------------------------------ manifold


def test_manifold_markets():
    r = parse_file(FIX / "manifold_markets.json")
    check_invariants(r)
    claims = by_statement(r)
    assert len(claims) == 4
    bridge = claims["Will the sample bridge reopen in 2023?"]
    assert [(x.forecaster, x.probability, x.made_at) for x in bridge.forecasts] == [
        ("manifold market", 0.93, at(2023, 11, 1, 8))]
    assert [(x.outcome, x.resolved_at) for x in bridge.resolutions] == [("yes", at(2023, 11, 2, 12))]
    assert bridge.stated_at == at(2023, 3, 1, 10) and bridge.resolve_by == at(2023, 12, 31, 23, 59)
    assert bridge.source_url.startswith("https://manifold.markets/")
    mkt = claims["Will the sample survey find majority support?"]
    assert mkt.resolutions[0].outcome == "ambiguous" and "60.0%" in mkt.resolutions[0].note
    assert mkt.forecasts[0].made_at == at(2023, 9, 30, 23, 59)  # last bet after close: capped at close
    assert claims["Will the sample concert sell out?"].resolutions[0].outcome == "void"
    assert claims["Will the sample startup be acquired by 2030?"].resolutions == []
    assert [s.location for s in r.skipped] == ["market mkSampleMC005"]


def test_manifold_override_does_not_rename_the_market():
    r = parse_file(FIX / "manifold_markets.json", forecaster="me")
    assert {x.forecaster for c in r.claims for x in c.forecasts} == {"manifold market"}


def test_manifold_wrong_types(tmp_path):
    f = tmp_path / "m.json"
    f.write_text(json.dumps([{"id": "x", "question": "Q?", "createdTime": "yesterday"}]), encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"m.json: \[0\]\.createdTime: expected an integer or a number"):
        parse_file(f, "manifold")
    f.write_text(json.dumps("a string"), encoding="utf-8")
    with pytest.raises(InvalidInput, match="expected a Manifold market object or a list"):
        parse_file(f, "manifold")


# --------------------------------------------------------------- generic csv


def test_generic_csv_with_custom_headers():
    r = parse_file(FIX / "generic_custom.csv")
    check_invariants(r)
    claims = by_statement(r)
    lib = claims["Will the sample library open a second branch by 2013?"]
    assert [(x.probability, x.made_at) for x in lib.forecasts] == [(0.7, at(2011, 12, 31)), (0.85, at(2012, 6, 1))]
    assert [x.forecaster for x in lib.forecasts] == ["dana", "dana"]
    assert lib.forecasts[1].rationale == "Budget passed"
    assert lib.tags == ("civic", "libraries")
    assert lib.resolve_by == at(2013, 12, 31, 23, 59, 59)
    assert lib.resolutions[0].outcome == "yes" and lib.resolutions[0].resolved_at == lib.resolve_by
    ferry = claims["Will the ferry timetable change\nbefore the summer season?"]  # embedded newline kept
    assert ferry.forecasts[0].made_at == at(2012, 3, 1, 8)  # +01:00 converted to UTC
    formula = claims['=HYPERLINK("http://example.com","sample")']
    assert formula.forecasts[0].made_at == at(2012, 3, 1, 12)  # epoch seconds
    assert claims["Will the sample pool reopen?"].forecasts[0].probability == 0.0
    assert claims["Will the sample square be renamed?"].forecasts[0].probability == 1.0
    benches = claims["Will the sample park get new benches?"]
    assert benches.forecasts == [] and benches.resolutions == []  # empty probability: claim only
    reasons = {s.location: s.reason for s in r.skipped}
    assert reasons["row 6"].startswith("outcome 'maybe' is not one of")
    assert reasons["row 7"] == "probability '170' is outside 0-100"
    assert reasons["row 11"] == "no claim text in column 'Question'"
    assert reasons["row 12"].startswith("date 'not a date' is not understood")


def test_generic_csv_fraction_column_skips_out_of_range(tmp_path):
    f = tmp_path / "p.csv"
    rows = ["statement,probability,date"] + [f"Claim number {i},0.{i},2024-01-0{i}" for i in range(1, 8)]
    rows.insert(3, "Claim with a typo,1.7,2024-01-09")
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    r = parse_file(f)
    assert [(s.location, s.reason) for s in r.skipped] == [("row 4", "probability '1.7' is outside 0-1")]
    assert r.n_forecasts == 7


def test_generic_csv_percent_detected_without_header_hint(tmp_path):
    f = tmp_path / "p.csv"
    f.write_text("claim,confidence,made\nA one,70,2024-01-01\nB two,35,2024-01-02\nC three,0.5,2024-01-03\n",
                 encoding="utf-8")
    r = parse_file(f)
    assert [c.forecasts[0].probability for c in r.claims] == [0.7, 0.35, 0.005]


def test_generic_csv_mapping(tmp_path):
    f = tmp_path / "mine.csv"
    f.write_text("what,chance,when,grp\nRain tomorrow,0.3,2024-05-01,a\nRain tomorrow,0.4,2024-05-02,a\n",
                 encoding="utf-8")
    mapping = parse_mapping("statement=what, probability=chance,created_at=when,claim_id=grp")
    assert mapping == {"statement": "what", "probability": "chance", "created_at": "when", "claim_id": "grp"}
    r = parse_file(f, mapping=mapping)
    assert r.format == "csv" and len(r.claims) == 1 and r.n_forecasts == 2
    with pytest.raises(InvalidInput, match="--map field 'colour' is unknown: use one of statement, probability"):
        parse_mapping("colour=what")
    with pytest.raises(InvalidInput, match="has no '='"):
        parse_mapping("statement")
    with pytest.raises(InvalidInput) as exc:
        parse_file(f, "csv", mapping={"statement": "nope"})
    assert "no such column; available columns: what, chance, when, grp" in str(exc.value)
    with pytest.raises(InvalidInput, match="only applies to the csv format"):
        parse_file(FIX / "manifold_markets.json", "manifold", mapping={"statement": "x"})


def test_generic_csv_without_text_or_date_column(tmp_path):
    f = tmp_path / "nodate.csv"
    f.write_text("statement,probability\nSomething,0.5\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="nodate.csv: row 1: no date column .*statement, probability.*--map"):
        parse_file(f)


def test_generic_csv_source_column_is_a_tag_and_groups(tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("source,claim_id,claim_text,forecaster,created_at,probability,resolve_by,resolved_at,outcome\n"
                 "set-a,1,Same id,x,2020-01-01,0.5,,,1\n"
                 "set-b,1,Same id,x,2020-01-01,0.5,,,1\n"
                 "set-a,1,Same id,y,2020-01-02,0.6,,,1\n", encoding="utf-8")
    r = parse_file(f)
    assert [(c.tags, len(c.forecasts), c.source) for c in r.claims] == [(("set-a",), 2, None), (("set-b",), 1, None)]
    assert r.claims[0].import_key != r.claims[1].import_key


def test_generic_csv_semicolon_delimiter(tmp_path):
    f = tmp_path / "eu.csv"
    f.write_text("claim;probability;date\nSome claim, with comma;0.25;2024-02-02\n", encoding="utf-8")
    r = parse_file(f)
    assert r.claims[0].statement == "Some claim, with comma" and r.claims[0].forecasts[0].probability == 0.25


# ---------------------------------------------------------- idempotent keys


@pytest.mark.parametrize("name", ["fatebook_export.csv", "predictionbook_my_predictions.json",
                                  "metaculus/question_data.csv", "metaculus_api_posts.json", "manifold_markets.json",
                                  "generic_custom.csv", "notes_sample.md"])
def test_parsing_twice_gives_the_same_keys(name, tmp_path):
    first = all_keys(parse_file(FIX / name))
    assert first == all_keys(parse_file(FIX / name))
    # a copy under another name (e.g. a fresh download) gives the same keys too
    copy = tmp_path / Path(name).name
    shutil.copy(FIX / name, copy)
    if name.startswith("metaculus/"):
        shutil.copy(FIX / "metaculus" / "forecast_data.csv", tmp_path / "forecast_data.csv")
    assert all_keys(parse_file(copy)) == first


def test_identical_rows_get_distinct_stable_keys(tmp_path):
    f = tmp_path / "dup.csv"
    f.write_text("claim,probability,date\nTwice the same,0.5,2024-01-01\nTwice the same,0.5,2024-01-01\n",
                 encoding="utf-8")
    keys = all_keys(parse_file(f))
    assert len(keys) == len(set(keys)) == 3
    assert keys == all_keys(parse_file(f))


# ------------------------------------------------------------ hostile files


def test_truncated_json(tmp_path):
    text = (FIX / "predictionbook_my_predictions.json").read_text()
    f = tmp_path / "cut.json"
    f.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(InvalidInput) as exc:
        parse_file(f)
    msg = str(exc.value)
    assert msg.startswith("cut.json: line ") and "invalid JSON" in msg and "truncated" in msg and "\n" not in msg


def test_nul_bytes(tmp_path):
    f = tmp_path / "nul.csv"
    f.write_bytes(b"claim,probability,date\nA\x00B,0.5,2024-01-01\n")
    with pytest.raises(InvalidInput, match="nul.csv: line 2: contains a NUL byte"):
        parse_file(f)


def test_binary_garbage(tmp_path):
    f = tmp_path / "garbage.json"
    f.write_bytes(bytes(range(128, 256)) * 10)
    with pytest.raises(InvalidInput, match="garbage.json: line 1: byte 0x80 is not UTF-8"):
        parse_file(f)


def test_latin1_file(tmp_path):
    f = tmp_path / "latin1.csv"
    f.write_bytes("claim,probability,date\n".encode() + "Caf\u00e9 opens,0.5,2024-01-01\n".encode("latin-1") * 3)
    with pytest.raises(InvalidInput) as exc:
        parse_file(f)
    assert "latin1.csv: line 2: byte 0xe9 is not UTF-8" in str(exc.value)
    assert "re-save" in str(exc.value)


def test_one_latin1_record_is_skipped_not_fatal(tmp_path):
    from claimtrack.domain.import_checks import check_records

    f = tmp_path / "mixed.csv"
    f.write_bytes(b"claim,probability,date\nCaf\xe9 opens in Paris,0.5,2024-01-01\n"
                  b"Tea shop opens in Rome,0.5,2024-01-01\nBakery opens in Oslo,0.5,2024-01-01\n")
    result = parse_file(f)
    skipped: list = []
    good = check_records(result.claims, skipped)
    assert [c.statement for c in good] == ["Tea shop opens in Rome", "Bakery opens in Oslo"]
    assert len(skipped) + len(result.skipped) == 1
    assert "UTF-8" in (skipped + result.skipped)[0].reason


def test_utf16_file(tmp_path):
    f = tmp_path / "u16.csv"
    f.write_bytes("claim,probability,date\n".encode("utf-16"))
    with pytest.raises(InvalidInput, match="u16.csv: is UTF-16 text"):
        parse_file(f)


def test_utf8_bom_is_accepted(tmp_path):
    f = tmp_path / "bom.csv"
    f.write_bytes(b"\xef\xbb\xbf" + (FIX / "fatebook_export.csv").read_bytes())
    assert detect_format(f) == "fatebook"
    assert all_keys(parse_file(f)) == all_keys(parse_file(FIX / "fatebook_export.csv"))


def test_gzip_is_transparent_and_broken_gzip_is_refused(tmp_path):
    f = tmp_path / "fb.csv.gz"
    f.write_bytes(gzip.compress((FIX / "fatebook_export.csv").read_bytes()))
    assert detect_format(f) == "fatebook"
    assert all_keys(parse_file(f)) == all_keys(parse_file(FIX / "fatebook_export.csv"))
    f.write_bytes(f.read_bytes()[:40])
    with pytest.raises(InvalidInput, match="fb.csv.gz: truncated or corrupt gzip data"):
        parse_file(f)


def test_empty_file_and_header_only(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InvalidInput, match="empty.csv: is empty"):
        parse_file(empty)
    header = tmp_path / "header.csv"
    header.write_text((FIX / "fatebook_export.csv").read_text().splitlines()[0] + "\n", encoding="utf-8")
    r = parse_file(header)
    assert r.format == "fatebook" and r.claims == [] and r.skipped == []
    generic = tmp_path / "generic_header.csv"
    generic.write_text("claim,probability,date\n", encoding="utf-8")
    assert parse_file(generic).claims == []


def test_huge_field(tmp_path):
    big = "x" * 300_000
    f = tmp_path / "huge.csv"
    f.write_text(f"claim,probability,date,details\nShort claim,0.5,2024-01-01,{big}\n"
                 f"{'y' * 3000},0.5,2024-01-01,\n", encoding="utf-8")
    r = parse_file(f)
    assert len(r.claims) == 1
    assert r.claims[0].details.endswith("[truncated]") and len(r.claims[0].details) <= 20_000
    assert [s.location for s in r.skipped] == ["row 3"] and "statement too long" in r.skipped[0].reason


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InvalidInput, match="nope.csv: cannot be read"):
        parse_file(tmp_path / "nope.csv")
    with pytest.raises(InvalidInput, match="is a directory"):
        parse_file(tmp_path, "csv")


def test_deeply_nested_json(tmp_path):
    f = tmp_path / "deep.json"
    f.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(InvalidInput, match="deep.json"):
        parse_file(f, "manifold")
