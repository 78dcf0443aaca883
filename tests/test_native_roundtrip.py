"""claimtrack's own export: export then import into an empty ledger gives an identical ledger."""

from __future__ import annotations

import json

import pytest

from claimtrack.db.location import from_value


def _content(url: str) -> dict:
    """Every ledger row as typed values (through the models, so both engines compare)."""
    from sqlalchemy import create_engine, select

    from claimtrack.db import models as m

    engine = create_engine(from_value(url, "t").url)
    out = {}
    with engine.connect() as conn:
        for model, order in ((m.Claim, "id"), (m.ClaimTag, "tag"), (m.Forecast, "id"),
                             (m.Resolution, "id"), (m.ClaimEdit, "id")):
            table = model.__table__
            columns = [c for c in table.c if not (model is m.Claim and c.name == "revision")
                       and not (model is m.ClaimEdit and c.name == "id")]
            rows = conn.execute(select(*columns).order_by(table.c.claim_id if model is m.ClaimTag else table.c[order],
                                                          table.c[order])).all()
            out[table.name] = [tuple(row) for row in rows]
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
    assert summary["claims"]["added"] == 25 and summary["skipped"] == []
    assert _content(db_url) == _content(target)
    # and a second import adds nothing
    again = json.loads(cli("import", str(out), "--json", db=target).stdout)
    assert again["claims"] == {"added": 0, "already_present": 25}
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
    assert r.exit_code == 0 and "would add 25 claims" in r.stdout
    assert dump(target) == before
