"""claimtrack's own export: export then import into an empty ledger gives an identical ledger."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text

from claimtrack.db.location import from_value


def _content(url: str) -> dict:
    """Everything that identifies the ledger's content (not row hashes' storage order)."""
    engine = create_engine(from_value(url, "t").url)
    out = {}
    queries = {
        "claims": "SELECT id, uuid, statement, details, source, source_url, stated_at, recorded_at, resolve_by, "
                  "status, import_key, last_probability, last_forecaster, n_forecasts, outcome, resolved_at FROM claims ORDER BY id",
        "tags": "SELECT claim_id, tag FROM claim_tags ORDER BY claim_id, tag",
        "forecasts": "SELECT id, uuid, claim_id, forecaster, probability, made_at, recorded_at, rationale, backfilled, "
                     "after_resolution, import_key, prev_hash, row_hash FROM forecasts ORDER BY id",
        "resolutions": "SELECT id, uuid, claim_id, outcome, resolved_at, note, evidence_url, resolved_by, recorded_at, "
                       "import_key, prev_hash, row_hash FROM resolutions ORDER BY id",
        "edits": "SELECT claim_id, field, old_value, new_value, edited_at, edited_by FROM claim_edits ORDER BY id",
    }
    with engine.connect() as conn:
        for name, sql in queries.items():
            out[name] = [tuple(str(v) for v in row) for row in conn.execute(text(sql))]
    engine.dispose()
    return out


def _build(cli):
    assert cli("demo", "--quiet").exit_code == 0
    tricky = "=HYPERLINK(\"http://x\",\"y\")\nsecond line, \"quoted\", [bold]x[/] 'quote"
    r = cli("add", tricky, "-p", "0.123456789", "--tag", "edge", "--details", "+1 leading plus")
    cid = r.stdout.strip()
    assert cli("edit", cid, "--statement", "'=already guarded").exit_code == 0
    assert cli("forecast", cid, "1%").exit_code == 0
    assert cli("resolve", cid, "void", "--note", "-starts with minus").exit_code == 0


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_import_round_trip_is_exact(cli, db_url, tmp_path, fmt):
    _build(cli)
    out = tmp_path / f"export.{fmt}"
    r = cli("export", "--format", fmt, "--out", str(out))
    assert r.exit_code == 0, r.output
    target = str(tmp_path / "copy.db")
    r = cli("import", str(out), "--json", db=target)
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["claims"]["added"] == 23 and summary["skipped"] == []
    assert _content(db_url) == _content(target)
    # and a second import adds nothing
    again = json.loads(cli("import", str(out), "--json", db=target).stdout)
    assert again["claims"] == {"added": 0, "already_present": 23}
    assert again["forecasts"]["added"] == 0 and again["resolutions"]["added"] == 0
    assert _content(db_url) == _content(target)
    assert cli("verify", db=target).exit_code == 0


def test_csv_export_guards_formulas(cli, tmp_path):
    _build(cli)
    text_ = cli("export", "--format", "csv").stdout
    assert ",\"'=HYPERLINK(" in text_ or ",'=HYPERLINK(" in text_
    assert "''=already guarded" in text_
    assert "'+1 leading plus" in text_
    assert "'-starts with minus" in text_


def test_malformed_native_files_are_refused_whole(cli, db_url, dump, tmp_path):
    assert cli("add", "existing", "-p", "0.5").exit_code == 0
    before = dump(db_url)
    cases = {
        "trunc.json": '{"format": "claimtrack", "version": 1, "claims": [{"statement": "x"',
        "wrongver.json": '{"format": "claimtrack", "version": 7, "claims": []}',
        "badtype.json": '{"format": "claimtrack", "version": 1, "claims": [{"statement": "x", "stated_at": 5}]}',
        "badprob.json": '{"format": "claimtrack", "version": 1, "claims": ["nope"]}',
    }
    for name, body in cases.items():
        path = tmp_path / name
        path.write_text(body)
        r = cli("import", str(path), "--from", "claimtrack-json")
        assert r.exit_code == 2, (name, r.output)
        assert r.stderr.startswith("claimtrack: error:") and "Traceback" not in r.output
        assert dump(db_url) == before


def test_dry_run_writes_nothing(cli, db_url, dump, tmp_path):
    _build(cli)
    out = tmp_path / "e.json"
    cli("export", "--out", str(out))
    target = str(tmp_path / "t.db")
    assert cli("init", db=target).exit_code == 0
    before = dump(target)
    r = cli("import", str(out), "--dry-run", db=target)
    assert r.exit_code == 0 and "would add 23 claims" in r.stdout
    assert dump(target) == before
