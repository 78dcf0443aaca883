"""Hostile import files: truncated, wrongly encoded, binary, huge, NUL bytes,
wrong JSON types, ragged CSV.

A file that cannot be read as a whole is refused: exit 2, one line on stderr
starting with "claimtrack: error:", no traceback, the ledger unchanged.  A
readable file whose records are all bad imports nothing: every record is
reported as skipped with its reason and the ledger is unchanged.
"""

from __future__ import annotations

import codecs
import copy
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimtrack.services.store import open_ledger
from claimtrack.services.verify import verify_ledger

FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FORMATS = ("fatebook", "predictionbook", "metaculus-csv", "metaculus-api", "manifold", "csv", "notes",
           "claimtrack-json", "claimtrack-csv")


@pytest.fixture
def ledger(cli, tmp_path):
    """A small ledger, and its JSON and CSV exports (valid files to mutate)."""
    assert cli("add", "Café [b]déjà[/b] vu — 70% “quoted”", "-p", "70%", "--made", "2024-01-01",
               "--tag", "x", "--note", "a note").exit_code == 0
    assert cli("forecast", "1", "55%", "--by", "ana", "--made", "2024-01-05").exit_code == 0
    assert cli("add", "second claim", "-p", "20%", "--made", "2024-01-02").exit_code == 0
    assert cli("resolve", "2", "no", "--date", "2024-02-01").exit_code == 0
    json_text = cli("export").stdout
    csv_text = cli("export", "--format", "csv").stdout
    assert json_text and csv_text
    return cli, json_text, csv_text


def _problem(result, code: int = 2) -> str | None:
    if "Traceback" in result.output:
        return f"traceback: {result.output[-400:]!r}"
    if result.exit_code != code:
        return f"exit {result.exit_code}: {result.output[-300:]!r}"
    lines = result.stderr.strip().splitlines()
    if len(lines) != 1 or not lines[0].startswith("claimtrack: error:"):
        return f"stderr is not one error line: {result.stderr[-300:]!r}"
    return None


def _all_skipped(result) -> str | None:
    """None if a readable file imported nothing and said why for every record."""
    if "Traceback" in result.output:
        return "traceback"
    if result.exit_code != 0 or "added 0 claims" not in result.stdout or "skipped 0" in result.stdout:
        return f"exit {result.exit_code}: {result.output[-300:]!r}"
    if "skipped" not in result.stderr:
        return f"no reasons given: {result.stderr!r}"
    return None


def _refused(cli, dump, db_url, tmp_path, files: dict[str, bytes], extra=(), skipping_ok=False) -> None:
    """Each file is refused (exit 2, one line) or, where ``skipping_ok``, read
    but wholly skipped with reasons; either way the ledger is unchanged."""
    before = dump(db_url)
    problems = []
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        result = cli("import", str(path), *extra)
        problem = _problem(result)
        if problem is not None and skipping_ok and result.exit_code == 0:
            problem = _all_skipped(result)
        if problem is None and dump(db_url) != before:
            problem = "the ledger changed"
        if problem:
            problems.append(f"{name} {list(extra)}: {problem}")
            before = dump(db_url)
    assert problems == [], "\n".join(problems)


def test_truncated_exports_are_refused(ledger, dump, db_url, tmp_path):
    cli, json_text, csv_text = ledger
    data = json_text.encode()
    cuts = sorted({1, 2, 10, len(data) // 3, len(data) // 2, len(data) - 40, len(data) - 4})
    files = {f"cut{n}.json": data[:n] for n in cuts}
    _refused(cli, dump, db_url, tmp_path, files)


@FUZZ
@given(fraction=st.floats(min_value=0.0, max_value=1.0))
def test_any_truncation_of_an_export_is_refused(ledger, dump, db_url, tmp_path, fraction):
    cli, json_text, _ = ledger
    data = json_text.encode()
    cut = int(fraction * (len(data) - 4))  # the last 4 bytes are "]}\n" and a newline
    _refused(cli, dump, db_url, tmp_path, {"truncated.json": data[:cut]})


def test_wrong_encodings_are_refused(ledger, dump, db_url, tmp_path):
    cli, json_text, csv_text = ledger
    generic = "statement,probability,date\nCafé déjà vu,0.5,2023-01-01\n"
    # records with bytes that are not UTF-8 are skipped, named (issue 11); the rest is already present
    latin = {
        "latin1.json": json_text.encode("latin-1", "replace"),
        "latin1-export.csv": csv_text.encode("latin-1", "replace"),
        "latin1.csv": generic.encode("latin-1"),
        "cp1252.csv": "statement,probability,date\n“smart” quotes,0.5,2023-01-01\n".encode("cp1252"),
    }
    _refused(cli, dump, db_url, tmp_path, latin, skipping_ok=True)
    files = {
        "utf16.json": json_text.encode("utf-16"),
        "utf16le-nobom.json": json_text.encode("utf-16-le"),
        "utf16.csv": csv_text.encode("utf-16"),
        "utf16-generic.csv": generic.encode("utf-16"),
        "utf32.json": json_text.encode("utf-32"),
        "bom-utf16-then-utf8.csv": codecs.BOM_UTF16_LE + generic.encode("utf-8"),
    }
    _refused(cli, dump, db_url, tmp_path, files)


def test_nul_bytes_and_binary_garbage_are_refused(ledger, dump, db_url, tmp_path):
    cli, json_text, csv_text = ledger
    rng = random.Random(20240601)
    files = {
        "nul.json": json_text.encode()[:50] + b"\x00" + json_text.encode()[50:],
        "nul.csv": csv_text.encode()[:80] + b"\x00\x00" + csv_text.encode()[80:],
        "nul-generic.csv": b"statement,probability,date\nfoo\x00bar,0.5,2023-01-01\n",
        "nul-notes.md": b"2024-01-01\nOpenAI will likely\x00 ship a device.\n",
        "garbage.bin": bytes(rng.randrange(256) for _ in range(20_000)),
        "garbage.json": bytes(rng.randrange(256) for _ in range(5_000)),
        "garbage.csv": bytes(rng.randrange(256) for _ in range(5_000)),
        "zeros.json": b"\x00" * 4096,
        "png.json": b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(1000)),
        "empty.json": b"",
        "empty.csv": b"",
        "blank.json": b"  \n\n\t ",
    }
    _refused(cli, dump, db_url, tmp_path, files)


def _native(claims) -> bytes:
    return json.dumps({"format": "claimtrack", "version": 1, "claims": claims}).encode()


GOOD_CLAIM = {
    "statement": "a claim", "stated_at": "2023-01-01T00:00:00Z",
    "forecasts": [{"forecaster": "me", "probability": 0.5, "made_at": "2023-01-02T00:00:00Z"}],
    "resolutions": [{"outcome": "yes", "resolved_at": "2023-02-01T00:00:00Z"}],
    "edits": [{"field": "statement", "old_value": "a", "new_value": "a claim", "edited_at": "2023-01-03T00:00:00Z"}],
}


def test_wrong_json_types_are_refused(ledger, dump, db_url, tmp_path):
    cli = ledger[0]
    files = {
        "list.json": b"[1, 2, 3]", "number.json": b"42", "string.json": b'"claims"', "null.json": b"null",
        "true.json": b"true", "claims-number.json": json.dumps({"format": "claimtrack", "version": 1, "claims": 5}).encode(),
        "claims-object.json": json.dumps({"format": "claimtrack", "version": 1, "claims": {"a": 1}}).encode(),
        "version-2.json": json.dumps({"format": "claimtrack", "version": 2, "claims": []}).encode(),
        "version-str.json": json.dumps({"format": "claimtrack", "version": "1", "claims": []}).encode(),
        "claim-is-list.json": _native([["a claim"]]),
        "claim-is-string.json": _native(["a claim"]),
        "forecasts-string.json": _native([{**GOOD_CLAIM, "forecasts": "0.5"}]),
        "forecast-is-number.json": _native([{**GOOD_CLAIM, "forecasts": [0.5]}]),
        "probability-word.json": _native([{**GOOD_CLAIM, "forecasts": [{**GOOD_CLAIM["forecasts"][0], "probability": "banana"}]}]),
        "probability-list.json": _native([{**GOOD_CLAIM, "forecasts": [{**GOOD_CLAIM["forecasts"][0], "probability": [0.5]}]}]),
        "made-number.json": _native([{**GOOD_CLAIM, "forecasts": [{**GOOD_CLAIM["forecasts"][0], "made_at": 1700000000}]}]),
        "stated-missing.json": _native([{k: v for k, v in GOOD_CLAIM.items() if k != "stated_at"}]),
        "stated-bad.json": _native([{**GOOD_CLAIM, "stated_at": "2023-02-30"}]),
        "stated-huge.json": _native([{**GOOD_CLAIM, "stated_at": "9" * 10_000_000}]),
        "deep.json": b'{"format":"claimtrack","version":1,"claims":' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        "deep-generic.json": b"[" * 50_000 + b"]" * 50_000,
        "bigint.json": _native([{**GOOD_CLAIM, "forecasts": []}]).replace(b'"forecasts": []', b'"forecasts": [' + b"9" * 5000 + b"]"),
        "bigint-generic.json": b"[" + b"9" * 5000 + b"]",
        "nan.json": _native([{**GOOD_CLAIM, "forecasts": []}]).replace(b'"forecasts": []', b'"forecasts": NaN'),
    }
    _refused(cli, dump, db_url, tmp_path, files)


def test_ragged_and_malformed_csv_is_refused(ledger, dump, db_url, tmp_path):
    cli, _, csv_text = ledger
    header, *rows = csv_text.splitlines()
    files = {
        "native-short-row.csv": f"{header}\nclaim,abc\n".encode(),
        "native-orphan.csv": f"{header}\n{rows[1]}\n".encode(),  # a forecast before its claim
        "native-unknown-record.csv": f"{header}\n{rows[0]}\n{rows[1].replace('forecast', 'bogus', 1)}\n".encode(),
        "native-no-uuid.csv": f"{header}\n{','.join(['claim'] + [''] * (header.count(',')))}\n".encode(),
        "header-only.csv": b"foo,bar,baz\n",
        "no-statement-column.csv": b"p,when\n0.5,2023-01-01\n",
        "one-column.csv": b"just text\n",
    }
    _refused(cli, dump, db_url, tmp_path, files)


def test_csv_with_broken_rows_imports_nothing(ledger, dump, db_url, tmp_path):
    cli, _, csv_text = ledger
    header, *rows = csv_text.splitlines()
    assert "Café [b]déjà[/b] vu — 70% “quoted”" in rows[0]
    files = {
        "unclosed-quote.csv": b'statement,probability,date\n"never closed,0.5,2023-01-01\n',
        # a new claim whose statement is 10 MB (refused by the csv module's field limit, or skipped)
        "native-huge-field.csv": (f"{header}\n" + rows[0].replace(rows[0].split(",")[1], "9d2c63f4-4b6e-4c3e-8d59-1f0e2a3b4c5d")
                                  .replace("Café [b]déjà[/b] vu — 70% “quoted”", "x" * 10_000_000) + "\n").encode(),
        "ragged.csv": b"statement,probability,date\nfoo,0.5\nbar\n,,,,,\nbaz,0.3,2023-02-30,extra,cells\n",
        "bad-cells.csv": b"statement,probability,date\nfoo,banana,2023-01-01\nbar,150%,2023-02-30\n,0.5,2023-01-01\n",
        "huge-cell.csv": b"statement,probability,date\n" + b"y" * 10_000_000 + b",0.5,2023-01-01\n",
    }
    _refused(cli, dump, db_url, tmp_path, files, skipping_ok=True)


def test_every_format_refuses_a_file_of_another_kind(ledger, dump, db_url, tmp_path):
    cli, json_text, csv_text = ledger
    for fmt in FORMATS:
        files = {f"as-{fmt}.bin": b"\x89PNG\r\n\x1a\n\x00\x00garbage"}
        if fmt not in ("claimtrack-json", "notes"):  # any UTF-8 text is a (maybe empty) notes file
            files[f"json-as-{fmt}.json"] = b'{"unexpected": [1, 2, {"x": null}]}'
        _refused(cli, dump, db_url, tmp_path, files, extra=("--from", fmt), skipping_ok=True)


# ---------------------------------------------------------------- row level

STRING_FIELDS = [
    ("statement",), ("details",), ("source",), ("source_url",), ("uuid",), ("import_key",), ("status",),
    ("forecasts", 0, "forecaster"), ("forecasts", 0, "rationale"), ("forecasts", 0, "uuid"),
    ("forecasts", 0, "import_key"), ("resolutions", 0, "outcome"), ("resolutions", 0, "note"),
    ("resolutions", 0, "evidence_url"), ("resolutions", 0, "resolved_by"), ("resolutions", 0, "uuid"),
    ("resolutions", 0, "import_key"), ("edits", 0, "field"), ("edits", 0, "old_value"),
    ("edits", 0, "new_value"), ("edits", 0, "edited_by"),
]
BAD_VALUES = {
    "nul": "x\u0000y",
    "long": "z" * 10_000_000,
    "number": 12345,
    "list": ["a", "b"],
    "object": {"a": 1},
    "bool": True,
}


def _with(path: tuple, value) -> dict:
    claim = copy.deepcopy(GOOD_CLAIM)
    target = claim
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return claim


@pytest.mark.parametrize("kind", list(BAD_VALUES))
def test_a_bad_value_in_any_field_imports_nothing(ledger, dump, db_url, tmp_path, kind):
    """Each file holds one claim with one bad field: it is refused or skipped
    with a reason, never half-stored, never a crash (on PostgreSQL a NUL or an
    over-long uuid used to abort the whole transaction with a traceback)."""
    cli = ledger[0]
    before = dump(db_url)
    problems = []
    for path in STRING_FIELDS:
        if kind == "long" and path[-1] in ("statement",):
            continue  # covered as a skipped row below with its own message
        file = tmp_path / f"{kind}-{'-'.join(map(str, path))}.json"
        file.write_bytes(_native([_with(path, BAD_VALUES[kind])]))
        result = cli("import", str(file))
        where = f"{'.'.join(map(str, path))}={kind}"
        if "Traceback" in result.output:
            problems.append(f"{where}: traceback")
        elif result.exit_code == 2:
            if _problem(result) is not None:
                problems.append(f"{where}: {_problem(result)}")
        elif result.exit_code == 0:
            if "added 0 claims" not in result.stdout or "skipped 1" not in result.stdout:
                problems.append(f"{where}: imported {result.stdout.strip()!r}")
            elif "skipped claim 1" not in result.stderr:
                problems.append(f"{where}: no reason given: {result.stderr!r}")
        else:
            problems.append(f"{where}: exit {result.exit_code}: {result.stderr.strip()[:200]!r}")
        if dump(db_url) != before:
            problems.append(f"{where}: the ledger changed")
            before = dump(db_url)
    assert problems == [], "\n".join(problems)


def test_all_bad_rows_are_skipped_with_reasons(ledger, dump, db_url, tmp_path):
    cli = ledger[0]
    before = dump(db_url)
    claims = [
        {**GOOD_CLAIM, "statement": "s" * 10_000_000},
        {**GOOD_CLAIM, "statement": ""},
        {**GOOD_CLAIM, "forecasts": [{**GOOD_CLAIM["forecasts"][0], "probability": 1.5}]},
        {**GOOD_CLAIM, "forecasts": [{**GOOD_CLAIM["forecasts"][0], "probability": -0.1}]},
        {**GOOD_CLAIM, "resolutions": [{**GOOD_CLAIM["resolutions"][0], "outcome": "maybe"}]},
        {**GOOD_CLAIM, "tags": ["t" * 500]},
        {**GOOD_CLAIM, "status": "deleted"},
    ]
    file = tmp_path / "all-bad.json"
    file.write_bytes(_native(claims))
    result = cli("import", str(file))
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 2)
    if result.exit_code == 0:
        assert "added 0 claims" in result.stdout and f"skipped {len(claims)}" in result.stdout
        reasons = [line for line in result.stderr.splitlines() if line.strip().startswith("skipped claim")]
        assert len(reasons) == len(claims)
        assert "statement too long" in reasons[0] and "empty statement" in reasons[1]
        assert "outside 0-1" in reasons[2] and "outside 0-1" in reasons[3]
        assert "unknown outcome" in reasons[4] and "tag too long" in reasons[5] and "status" in reasons[6]
        assert max(len(line) for line in result.stderr.splitlines()) < 500  # huge values are not echoed
    else:
        assert _problem(result) is None
    assert dump(db_url) == before


def test_a_claim_repeated_in_one_file_is_stored_once(ledger, dump, db_url, tmp_path):
    cli = ledger[0]
    claim = {**GOOD_CLAIM, "uuid": "5d8f3f5e-3c1a-4b2e-9f1d-0a6b7c8d9e0f"}
    file = tmp_path / "twice.json"
    file.write_bytes(_native([claim, {**claim, "statement": "the same uuid again"}]))
    result = cli("import", str(file), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["claims"]["added"] == 1 and len(summary["skipped"]) == 1
    assert "twice" in summary["skipped"][0]["reason"]


# ---------------------------------------------------------------- properties

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
FIELDS = ["statement", "stated_at", "forecasts", "resolutions", "edits", "tags", "uuid", "status", "details"]


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES, min_size=1, max_size=3))
def test_random_values_in_a_native_claim_never_crash(ledger, dump, db_url, tmp_path, changes):
    cli = ledger[0]
    before = dump(db_url)
    file = tmp_path / "random.json"
    file.write_bytes(_native([{**GOOD_CLAIM, **changes}]))
    result = cli("import", str(file))
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 2), result.output[-400:]
    if result.exit_code == 2:
        assert _problem(result) is None, _problem(result)
        assert dump(db_url) == before
    db = open_ledger(db_url)
    try:
        assert all(r.ok for r in verify_ledger(db))
    finally:
        db.dispose()


@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".json", ".csv", ".md", ".txt", ""]))
def test_random_bytes_never_crash(ledger, dump, db_url, tmp_path, data, suffix):
    cli = ledger[0]
    before = dump(db_url)
    file = tmp_path / f"random{suffix}"
    file.write_bytes(data)
    result = cli("import", str(file))
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 2), result.output[-400:]
    if result.exit_code == 2:
        assert _problem(result) is None, _problem(result)
        assert dump(db_url) == before


CSV_CELLS = st.one_of(st.text(max_size=12), st.sampled_from(["0.5", "70%", "2023-01-01", "yes", "", '"', ",", "\n"]))


@FUZZ
@given(rows=st.lists(st.lists(CSV_CELLS, max_size=5), max_size=6))
def test_random_csv_rows_never_crash(ledger, dump, db_url, tmp_path, rows):
    import csv
    import io

    cli = ledger[0]
    before = dump(db_url)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["statement", "probability", "date", "outcome"])
    writer.writerows(rows)
    file = tmp_path / "random.csv"
    file.write_text(buffer.getvalue(), encoding="utf-8")
    result = cli("import", str(file), "--from", "csv")
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 2), result.output[-400:]
    if result.exit_code == 2:
        assert _problem(result) is None, _problem(result)
        assert dump(db_url) == before
