"""A big CSV import streams (issue 15): the text is decoded a piece at a
time, each claim's forecasts are kept as compact rows and built as they are
read, the file is read once, and the import's UUIDs are handed out in
ascending order from one bytes object.  None of it may change a record, a
key, a refusal or what is stored."""

from __future__ import annotations

import gc
import json
import os
import random
import types
from dataclasses import replace
from pathlib import Path

import pytest

from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.records import ForecastIn
from claimtrack.importers import _base, _csv, generic_csv
from claimtrack.importers._base import KeyRegistry, Options, decode_pieces, decode_text, make_key
from claimtrack.importers._forecast_rows import ForecastRows

PATH = Path("f.csv")


@pytest.mark.parametrize("piece", [1, 2, 5, 64])
def test_pieces_decode_as_the_whole_text(monkeypatch, piece):
    monkeypatch.setattr(_base, "PIECE_BYTES", piece)
    rng = random.Random(piece)
    alphabet = ["a", ",", '"', "\r", "\n", "\r\n", "é", "€", "𝄞", "\u2028", " ", "\x85"]
    for _ in range(500):
        text = "x" + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        data = (b"\xef\xbb\xbf" if rng.random() < 0.2 else b"") + text.encode("utf-8")
        source = decode_pieces(PATH, data)
        whole = decode_text(PATH, data)
        assert isinstance(source, _base.Utf8Pieces)
        assert "".join(source.pieces()) == whole
        assert list(_csv._lines(source)) == list(_csv._lines(whole)), repr(text)
        assert source.first_line() == whole.split("\n")[0]
        for n in (1, 3, 1024):
            assert source.prefix(n) == whole[:n]


@pytest.mark.parametrize("data", [b"", b"  \n ", b"\xef\xbb\xbf", b"\xef\xbb\xbf \n", b"a,b\n\x00\n",
                                  b"\xff\xfea\x00", b"\xfe\xff\x00a", b"\xe9t\xe9,b\n1,2\n"])
def test_pieces_refuse_what_the_whole_text_refuses(data):
    with pytest.raises(InvalidInput) as whole:
        decode_text(PATH, data)
    with pytest.raises(InvalidInput) as pieces:
        decode_pieces(PATH, data)
    assert str(pieces.value) == str(whole.value)


def test_text_that_is_not_utf8_everywhere_is_decoded_as_before():
    data = "a,b\n".encode() + b"x,\xe9\n" + "é,ok\n".encode() * 5
    source = decode_pieces(PATH, data)
    assert source == decode_text(PATH, data)  # a str with the bad byte kept for the row checks to skip


def _csv_text(n_claims=5, per_claim=7):
    rows = ["statement,created_at,probability,forecaster,rationale,outcome"]
    for k in range(per_claim):
        for c in range(n_claims):
            p = ("-0", "0", "0.0", "1", f"0.{(c * 7 + k) % 10}")[(c + k) % 5]
            why = f"because {k}" if k % 3 == 0 else ""
            rows.append(f"Claim {c} é,2024-01-{k % 3 + 1:02d},{p},person{k % 2},{why},{('yes', 'no', '')[c % 3]}")
    rows.append(rows[3])  # a repeated row: its key gets ~2
    rows.append(rows[3])
    return "\n".join(rows) + "\n"


def _reference_keys(text: str) -> dict[str, list[str]]:
    """The forecasts' import keys as the parser made them before it streamed:
    one KeyRegistry over the whole file, in file order."""
    keys, out = KeyRegistry(), {}
    for line in text.splitlines()[1:]:
        statement, made, p, who = line.split(",")[:4]
        claim_key = make_key("csv", "", "", statement)
        value = generic_csv._probability(p, False)
        when = generic_csv.parse_when(made).isoformat()
        out.setdefault(statement, []).append(keys.unique(make_key("csv", claim_key, who, when, repr(value))))
    return out


def test_forecasts_are_built_when_read_with_the_keys_of_one_pass():
    text = _csv_text()
    result = generic_csv.parse(PATH, text.encode("utf-8"), Options())
    assert not result.skipped
    # nothing per row is held as a record: the claims keep compact rows
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, ForecastIn)]
    expected = _reference_keys(text)
    for claim in result.claims:
        forecasts = claim.forecasts
        assert isinstance(forecasts, ForecastRows)
        assert isinstance(iter(forecasts), types.GeneratorType)  # built one at a time
        records = list(forecasts)
        assert len(forecasts) == len(records) == len(expected[claim.statement])
        assert [f.import_key for f in records] == expected[claim.statement]
        assert list(forecasts) == records  # every reading gives equal records
        assert list(forecasts.without_keys()) == [replace(f, import_key=None) for f in records]
        assert forecasts[0] == records[0] and forecasts[-1] == records[-1] and forecasts[1:3] == records[1:3]
    rationales = [f.rationale for c in result.claims for f in c.forecasts]
    assert "because 0" in rationales and None in rationales
    # -0 and 0 are equal floats but keep keys of their own texts
    assert any(repr(f.probability) == "-0.0" for c in result.claims for f in c.forecasts)


def test_a_cli_import_reads_the_file_once(monkeypatch, tmp_path):
    from claimtrack.cli.io import parse_any

    path = tmp_path / "f.csv"
    path.write_text(_csv_text(), encoding="utf-8")
    reads = []
    real = _base.read_bytes

    def counted(p):
        reads.append(p)
        return real(p)

    monkeypatch.setattr("claimtrack.importers.read_bytes", counted)
    fmt, claims, skipped = parse_any(path, None, None, None)
    assert fmt == "csv" and len(claims) == 5 and not skipped
    assert len(reads) == 1


@pytest.mark.parametrize("n", [0, 1, 2, 500])
def test_ascending_uuids_are_new_uuids_sorted(monkeypatch, n):
    from claimtrack.services import bulk_ids, ledger

    seed = random.Random(n).randbytes(16 * n)
    monkeypatch.setattr(os, "urandom", lambda k: seed[:k])
    expected = sorted(ledger.new_uuids(n))
    uuids = bulk_ids.AscendingUuids(n)
    assert len(uuids) == n
    got = [uuids.next() for _ in range(n)]
    assert got == expected
    assert len(set(got)) == n and all(u[14] == "4" and u[19] in "89ab" for u in got)
    with pytest.raises(IndexError):
        uuids.next()


def test_a_file_imported_over_part_of_itself_adds_only_the_rest(cli, tmp_path):
    """The import keeps no set of a streamed file's own keys (they cannot
    repeat); what the ledger already holds is still found and left out."""
    text = _csv_text()
    lines = text.splitlines()
    part, whole = tmp_path / "part.csv", tmp_path / "whole.csv"
    part.write_text("\n".join(lines[:15]) + "\n", encoding="utf-8")
    whole.write_text(text, encoding="utf-8")
    first = cli("import", str(part), "--json")
    assert first.exit_code == 0, first.stderr
    n_part = json.loads(first.stdout)["forecasts"]["added"]
    assert n_part == 14
    second = cli("import", str(whole), "--json")
    assert second.exit_code == 0, second.stderr
    forecasts = json.loads(second.stdout)["forecasts"]
    assert forecasts["already_present"] == n_part and forecasts["added"] == len(lines) - 1 - n_part
    again = json.loads(cli("import", str(whole), "--json").stdout)["forecasts"]
    assert again["added"] == 0 and again["already_present"] == len(lines) - 1
    assert cli("verify").exit_code == 0


def test_bad_input_is_still_one_line(cli, tmp_path, dump, db_url):
    cli("list")  # the ledger exists (empty)
    before = dump(db_url)
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\xe9\xe9,b\n1,2\n")  # not UTF-8 on its first line
    result = cli("import", str(path))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("claimtrack: error: ")
    assert "not UTF-8" in result.stderr
    assert dump(db_url) == before


@pytest.mark.parametrize("piece", [1, 3, 64])
def test_column_values_are_the_rows_fields(monkeypatch, piece):
    monkeypatch.setattr(_csv, "PIECE", piece)
    rng = random.Random(piece)
    alphabet = ["a", "1", ",", '"', "\r", "\n", "\r\n", " ", "é", ";", "\t"]
    for _ in range(1500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        for index in (0, 1, 2):
            try:
                rows = _csv.stream_rows(PATH, text)[1]
            except InvalidInput:
                continue  # no header row: the parser stops before it looks at a column
            try:
                expected = [r[index] for _, r in rows if index < len(r)]
            except InvalidInput as exc:
                with pytest.raises(InvalidInput) as got:
                    list(_csv.column_values(PATH, text, index))
                assert str(got.value) == str(exc)
                continue
            assert list(_csv.column_values(PATH, text, index)) == expected, (repr(text), index)
