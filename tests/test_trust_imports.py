"""Issue 11, class 8: imports are bounded and honest.

Reads are bounded (CLAIMTRACK_IMPORT_MAX_BYTES, a decompression-ratio guard);
the notes importer is linear; a record with bytes that are not UTF-8 is
skipped, named; a skipped row leaves nothing behind; future dates, a
resolution or forecast before the claim and disagreeing rows are refused;
tags round-trip through a CSV export.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import tracemalloc
import zipfile

import pytest

from claimtrack.domain.errors import InvalidInput
from claimtrack.importers import parse_file

FATEBOOK_HEADER = ("Question title,Multiple choice option,Forecast created by,Forecast (scale = 0-1),"
                   "Forecast created at,Question created by,Question created at,Question resolve by,Resolution,"
                   "Resolved at,Your Brier score for this question,Your relative Brier score for this question,"
                   "Question notes,Question shared with,Question shared publicly,Question comments,Question tags")


def _fatebook_row(title, who="ann", p="0.6", made="2024-01-02 10:00:00", created="2024-01-01 09:00:00",
                  resolution="", resolved_at="") -> str:
    return ",".join([title, "", who, p, made, "ann", created, "2024-06-01", resolution, resolved_at,
                     "", "", "", "", "", "", ""])


def _summary(cli, path, *extra):
    r = cli("import", str(path), "--json", *extra)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def _rows(db_url, sql):
    from sqlalchemy import create_engine, text

    from claimtrack.db.location import from_value

    engine = create_engine(from_value(db_url, "test").url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    finally:
        engine.dispose()


def _one_line_error(r) -> None:
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith("claimtrack: error: ") and r.stderr.count("\n") == 1, r.stderr
    assert "unexpected" not in r.stderr


# --------------------------------------------------------------- bounded


def _bomb(size: int) -> bytes:
    """A gzip file of a CSV that decompresses to ``size`` bytes (about 300:1)."""
    line = b"A claim that repeats,0.5,2024-01-01\n"
    body = b"statement,probability,date\n" + line * (size // len(line))
    return gzip.compress(body, 9)


def test_a_gzip_bomb_is_refused_without_being_unpacked(cli, db_url, dump, tmp_path):
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(_bomb(40 * 1024 * 1024))  # 40 MB inside ~120 KB
    assert path.stat().st_size < 300_000
    before = dump(db_url)
    tracemalloc.start()
    try:
        with pytest.raises(InvalidInput, match="larger than the import limit"):
            parse_file(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40 * 1024 * 1024  # stopped at the ratio limit, never the whole 40 MB
    r = cli("import", str(path))
    _one_line_error(r)
    assert "CLAIMTRACK_IMPORT_MAX_BYTES" in r.stderr
    assert dump(db_url) == before


@pytest.mark.parametrize("limit,ok", [("1K", False), ("100", False), ("2M", True), ("100000000", True)])
def test_the_limit_is_configurable(cli, db_url, dump, tmp_path, monkeypatch, limit, ok):
    path = tmp_path / "plain.csv"
    path.write_text("statement,probability,date\n" + "".join(f"Claim number {i},0.5,2024-01-01\n" for i in range(200)))
    monkeypatch.setenv("CLAIMTRACK_IMPORT_MAX_BYTES", limit)
    before = dump(db_url)
    r = cli("import", str(path))
    if ok:
        assert r.exit_code == 0, r.output
    else:
        _one_line_error(r)
        assert "import limit" in r.stderr
        assert dump(db_url) == before


def test_an_explicit_limit_lifts_the_ratio_guard(tmp_path, monkeypatch):
    path = tmp_path / "dense.json.gz"
    path.write_bytes(gzip.compress(b'{"text": "' + b"a" * (20 * 1024 * 1024) + b'"}', 9))
    with pytest.raises(InvalidInput, match="100 times"):
        parse_file(path)
    monkeypatch.setenv("CLAIMTRACK_IMPORT_MAX_BYTES", "64M")
    with pytest.raises(InvalidInput, match="not a PredictionBook"):  # read whole, then judged on its content
        parse_file(path)


@pytest.mark.parametrize("value", ["0", "-5", "lots", "1.5G", "9" * 30, "12Q"])
def test_a_bad_limit_is_one_line(cli, tmp_path, monkeypatch, value):
    path = tmp_path / "plain.csv"
    path.write_text("statement,probability,date\nA claim,0.5,2024-01-01\n")
    monkeypatch.setenv("CLAIMTRACK_IMPORT_MAX_BYTES", value)
    r = cli("import", str(path))
    _one_line_error(r)
    assert "CLAIMTRACK_IMPORT_MAX_BYTES" in r.stderr


def test_a_zip_member_is_read_within_the_limit(tmp_path, monkeypatch):
    path = tmp_path / "metaculus.zip"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("question_data.csv", "Question ID,Question Title\n" + "1,x\n" * 2_000_000)
    path.write_bytes(buf.getvalue())
    monkeypatch.setenv("CLAIMTRACK_IMPORT_MAX_BYTES", "1M")
    with pytest.raises(InvalidInput, match="question_data.csv in the zip is larger than the import limit"):
        parse_file(path, "metaculus-csv")


# ------------------------------------------------------------ linear time

PATHOLOGICAL = {
    "dots": "." * 200_000,
    "question-marks": "?" * 200_000,
    "mixed-marks": "!?.…" * 50_000,
    "ellipses": "…" * 200_000,
    "open-quotes": "“ " * 100_000,
    "open-quotes-words": "I think “it may " * 12_000,
    "straight-quotes": '" 1' * 66_000,
    "abbreviations": "Mr. " * 50_000,
    "initials": "A. " * 66_000,
    "no-spaces": "x" * 200_000,
    "dots-in-a-sentence": "I think it will likely rain" + "." * 200_000 + " Then it may snow.",
    "names": "Ben Thompson " * 15_000,
    "headings": "# a\n" * 50_000,
    "dates": "Nov 18, " * 25_000,
}


def test_many_identical_rows_get_unique_keys_in_linear_time(tmp_path):
    path = tmp_path / "same.csv"
    path.write_text("statement,probability,date\n" + "Same claim,0.5,2024-01-01\n" * 60_000)
    claims = parse_file(path).claims
    keys = [f.import_key for f in claims[0].forecasts]
    assert len(claims) == 1 and len(keys) == len(set(keys)) == 60_000
    assert keys[2] == keys[0] + "~3"  # the same keys as before: a re-import still matches


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_notes_parse_pathological_text_in_linear_time(tmp_path, name):
    """Each input is 200 KB; the quadratic parser took minutes on them (100 KB
    of dots: over 100 s), the linear one takes a fraction of a second.  No
    timing is asserted: a regression hangs this test."""
    path = tmp_path / "notes.md"
    path.write_text(PATHOLOGICAL[name])
    result = parse_file(path, "notes")
    assert len(result.claims) <= 2


def test_mask_quotes_matches_the_regex_it_replaced():
    import random
    import re

    from claimtrack.importers._notes_lang import mask_quotes

    quoted = re.compile(r"“[^”]*”|\"[^\"]*\"")
    rng = random.Random(11)
    for _ in range(20_000):
        s = "".join(rng.choice('ab “”"') for _ in range(rng.randint(0, 16)))
        assert mask_quotes(s) == quoted.sub(lambda m: " " * len(m.group(0)), s)


def test_sentence_splitting_still_respects_abbreviations():
    from claimtrack.importers._notes_lang import split_sentences

    text = "Mr. Smith thinks it may rain. Dr. Who said so... Then it stopped. A. B. Jones left!? Yes."
    assert split_sentences(text) == ["Mr. Smith thinks it may rain.", "Dr. Who said so...", "Then it stopped.",
                                     "A. B. Jones left!?", "Yes."]


# ------------------------------------------------------- encoding per record


def test_invalid_utf8_in_one_csv_row_skips_that_row(cli, db_url, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"statement,probability,date\nTea shop opens in Rome,0.5,2024-01-01\n"
                     b"Caf\xe9 opens in Paris,0.5,2024-01-01\nBakery opens in Oslo,0.5,2024-01-01\n")
    summary = _summary(cli, path)
    assert summary["claims"]["added"] == 2
    assert len(summary["skipped"]) == 1 and "UTF-8" in summary["skipped"][0]["reason"]
    assert _rows(db_url, "SELECT statement FROM claims ORDER BY id") == [("Tea shop opens in Rome",),
                                                                       ("Bakery opens in Oslo",)]


@pytest.mark.parametrize("field,value", [("statement", "A claim \ud800"), ("details", "x\udfff"),
                                         ("forecaster", "ann\ud83d"), ("tags", ["ok", "t\udc80"]),
                                         ("rationale", "because \udcff"), ("source", "Bob\ud800")])
def test_a_lone_surrogate_skips_its_claim_only(cli, db_url, dump, tmp_path, field, value):
    bad = {"statement": "A bad claim", "stated_at": "2024-01-01T00:00:00Z",
           "forecasts": [{"forecaster": "ann", "probability": 0.5, "made_at": "2024-01-01T00:00:00Z"}]}
    if field in ("forecaster", "rationale"):
        bad["forecasts"][0][field] = value
    else:
        bad[field] = value
    good = {"statement": "A good claim", "stated_at": "2024-01-01T00:00:00Z"}
    path = tmp_path / "surrogates.json"
    path.write_text(json.dumps({"format": "claimtrack", "version": 1, "claims": [bad, good]}))  # \ud800 escapes
    summary = _summary(cli, path)
    assert summary["claims"]["added"] == 1 and len(summary["skipped"]) == 1
    assert _rows(db_url, "SELECT statement FROM claims") == [("A good claim",)]


def test_invalid_utf8_in_a_fatebook_row(cli, db_url, tmp_path):
    path = tmp_path / "fatebook.csv"
    path.write_bytes((FATEBOOK_HEADER + "\n" + _fatebook_row("Good question one") + "\n").encode()
                     + _fatebook_row("Bad question \xff").encode("latin-1") + b"\n"
                     + (_fatebook_row("Good question two") + "\n").encode())
    summary = _summary(cli, path)
    assert summary["claims"]["added"] == 2 and len(summary["skipped"]) == 1


def test_a_file_that_is_mostly_not_utf8_is_refused_whole(cli, tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("statement,probability,date\n".encode() + "Café,0.5,2024-01-01\n".encode("latin-1") * 5)
    r = cli("import", str(path))
    _one_line_error(r)
    assert "re-save" in r.stderr


# ----------------------------------------------- a skipped row leaves nothing


@pytest.mark.parametrize("bad", [{"p": "abc"}, {"p": "1.5"}, {"made": "not a date"}, {"made": ""},
                                 {"resolution": "MAYBE", "resolved_at": "2024-03-01 10:00:00"},
                                 {"who": "x" * 300}, {"made": "2999-01-01 10:00:00"}])
def test_a_skipped_fatebook_row_creates_no_claim_and_no_resolution(cli, db_url, dump, tmp_path, bad):
    row = dict(title="A question", resolution="YES", resolved_at="2024-03-01 10:00:00")
    row.update(bad)
    path = tmp_path / "fatebook.csv"
    path.write_text(FATEBOOK_HEADER + "\n" + _fatebook_row(**row) + "\n" + _fatebook_row("Another question") + "\n")
    before_other = dump(db_url)
    summary = _summary(cli, path)
    assert len(summary["skipped"]) == 1 and summary["skipped"][0]["location"] in ("row 2", "claim 1 ('A question')")
    assert summary["claims"]["added"] == 1 and summary["resolutions"]["added"] == 0
    assert _rows(db_url, "SELECT statement FROM claims") == [("Another question",)]
    assert _rows(db_url, "SELECT count(*) FROM resolutions") == [(0,)]
    assert dump(db_url) != before_other


def test_a_question_is_created_by_its_first_good_row(cli, db_url, tmp_path):
    path = tmp_path / "fatebook.csv"
    path.write_text("\n".join([FATEBOOK_HEADER,
                               _fatebook_row("Q", p="abc", resolution="YES", resolved_at="2024-03-01 10:00:00"),
                               _fatebook_row("Q", who="bob", p="0.7", resolution="YES",
                                             resolved_at="2024-03-01 10:00:00")]) + "\n")
    summary = _summary(cli, path)
    assert summary["claims"]["added"] == 1 and summary["forecasts"]["added"] == 1
    assert summary["resolutions"]["added"] == 1 and len(summary["skipped"]) == 1
    assert _rows(db_url, "SELECT forecaster, probability FROM forecasts") == [("bob", 0.7)]


# ------------------------------------------------ dates the CLI would refuse


def _native_claim(**over) -> dict:
    claim = {"statement": "A checked claim", "stated_at": "2024-01-10T00:00:00Z",
             "forecasts": [{"forecaster": "ann", "probability": 0.6, "made_at": "2024-01-11T00:00:00Z"}],
             "resolutions": [{"outcome": "yes", "resolved_at": "2024-02-01T00:00:00Z"}]}
    for key, value in over.items():
        if key.startswith("f_"):
            claim["forecasts"][0][key[2:]] = value
        elif key.startswith("r_"):
            claim["resolutions"][0][key[2:]] = value
        else:
            claim[key] = value
    return claim


@pytest.mark.parametrize("over,why", [
    ({"stated_at": "2999-01-01T00:00:00Z", "f_made_at": "2999-01-02T00:00:00Z", "resolutions": []}, "future"),
    ({"f_made_at": "2999-01-01T00:00:00Z", "resolutions": []}, "future"),
    ({"r_resolved_at": "2999-01-01T00:00:00Z"}, "future"),
    ({"r_resolved_at": "2024-01-09T23:59:59Z"}, "before the claim was made"),
    ({"f_made_at": "2024-01-09T00:00:00Z"}, "before the claim was made"),
])
def test_an_import_refuses_what_the_cli_refuses_about_dates(cli, db_url, dump, tmp_path, over, why):
    path = tmp_path / "dates.json"
    good = {"statement": "A fine claim", "stated_at": "2024-01-01T00:00:00Z"}
    path.write_text(json.dumps({"format": "claimtrack", "version": 1, "claims": [_native_claim(**over), good]}))
    summary = _summary(cli, path)
    assert summary["claims"]["added"] == 1
    assert len(summary["skipped"]) == 1 and why in summary["skipped"][0]["reason"]
    assert _rows(db_url, "SELECT statement FROM claims") == [("A fine claim",)]
    assert _rows(db_url, "SELECT count(*) FROM forecasts") == [(0,)]
    assert _rows(db_url, "SELECT count(*) FROM resolutions") == [(0,)]


@pytest.mark.parametrize("made", ["2999-01-01", "12/31/2999"])
def test_a_csv_row_dated_in_the_future_is_refused(cli, db_url, tmp_path, made):
    path = tmp_path / "future.csv"
    path.write_text(f"statement,probability,date\nA future claim,0.5,{made}\nA past claim,0.5,2024-01-01\n")
    summary = _summary(cli, path)
    assert summary["claims"]["added"] == 1 and "future" in summary["skipped"][0]["reason"]


# ---------------------------------------------------- disagreeing resolutions


@pytest.mark.parametrize("second", [("NO", "2024-03-01 10:00:00"), ("YES", "2024-04-01 10:00:00"),
                                    ("", ""), ("AMBIGUOUS", "2024-03-01 10:00:00")])
def test_fatebook_rows_that_disagree_on_the_resolution_are_reported(cli, db_url, tmp_path, second):
    outcome, at = second
    path = tmp_path / "fatebook.csv"
    path.write_text("\n".join([
        FATEBOOK_HEADER,
        _fatebook_row("Q", who="ann", p="0.6", resolution="YES", resolved_at="2024-03-01 10:00:00"),
        _fatebook_row("Q", who="bob", p="0.3", made="2024-01-03 10:00:00", resolution=outcome, resolved_at=at),
    ]) + "\n")
    summary = _summary(cli, path)
    assert len(summary["skipped"]) == 1
    skipped = summary["skipped"][0]
    assert skipped["location"] == "row 3" and "disagrees with row 2" in skipped["reason"]
    assert _rows(db_url, "SELECT forecaster FROM forecasts") == [("ann",)]  # the skipped row left nothing
    assert _rows(db_url, "SELECT outcome FROM resolutions") == [("yes",)]


def test_csv_rows_that_disagree_on_the_outcome_are_reported(cli, db_url, tmp_path):
    path = tmp_path / "outcomes.csv"
    path.write_text("statement,probability,date,outcome,forecaster\nQ,0.6,2024-01-01,yes,ann\n"
                    "Q,0.3,2024-01-02,no,bob\nQ,0.8,2024-01-03,yes,cid\n")
    summary = _summary(cli, path)
    assert [s["location"] for s in summary["skipped"]] == ["row 3"]
    assert "conflicts" in summary["skipped"][0]["reason"]
    assert sorted(_rows(db_url, "SELECT forecaster FROM forecasts")) == [("ann",), ("cid",)]


# ------------------------------------------------------------------- tags


@pytest.mark.parametrize("tag", ["a;b", "back\\slash", "semi;colon;s", "tail\\", ";lead", "x\\;y",
                                 "comma,inside", "quote\"d"])
def test_tags_round_trip_through_a_csv_export(cli, db_url, dump, tmp_path, tag):
    from sqlalchemy import create_engine, insert

    from claimtrack.db import models as m
    from claimtrack.db.location import from_value

    assert cli("add", "A tagged claim", "-p", "60%", "--tag", "plain").exit_code == 0
    engine = create_engine(from_value(db_url, "test").url)
    try:
        with engine.begin() as conn:  # any tag the ledger may hold, even one no command would write
            conn.execute(insert(m.claim_tags).values(claim_id=1, tag=tag))
    finally:
        engine.dispose()
    out = tmp_path / "export.csv"
    assert cli("export", "--format", "csv", "--out", str(out)).exit_code == 0
    fresh = str(tmp_path / "fresh.db")
    r = cli("import", str(out), db=fresh)
    assert r.exit_code == 0, r.output
    tags = json.loads(cli("show", "1", "--json", db=fresh).stdout)["claim"]["tags"]
    assert sorted(tags) == sorted(["plain", tag])
    with open(out, newline="", encoding="utf-8") as fh:
        assert any(row["record"] == "claim" for row in csv.DictReader(fh))
