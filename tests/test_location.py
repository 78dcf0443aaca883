"""How the ledger is found: --db, CLAIMTRACK_DB, a claims.db upwards, the user data folder."""

from __future__ import annotations

from pathlib import Path

from claimtrack.db.location import resolve_location


def test_option_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMTRACK_DB", str(tmp_path / "env.db"))
    loc = resolve_location(str(tmp_path / "opt.db"))
    assert loc.path == tmp_path / "opt.db" and loc.how == "--db"


def test_env_path_and_url(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMTRACK_DB", str(tmp_path / "env.db"))
    assert resolve_location().path == tmp_path / "env.db"
    monkeypatch.setenv("CLAIMTRACK_DB", "postgresql+psycopg://u:secret@localhost/claims")
    loc = resolve_location()
    assert loc.path is None and loc.url.startswith("postgresql+psycopg://")
    assert "secret" not in loc.display()
    monkeypatch.setenv("CLAIMTRACK_DB", f"sqlite:///{tmp_path}/x.db")
    assert resolve_location().path == tmp_path / "x.db"


def test_found_in_a_parent_folder(tmp_path, monkeypatch):
    (tmp_path / "claims.db").write_bytes(b"")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    loc = resolve_location(cwd=deep)
    assert loc.path == tmp_path / "claims.db" and loc.how == "found"


def test_user_data_folder_fallback(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    empty = tmp_path / "empty"
    empty.mkdir()
    loc = resolve_location(cwd=empty)
    assert loc.how == "user data folder"
    assert loc.path == Path(tmp_path / "xdg" / "claimtrack" / "claims.db")


def test_cli_db_path_and_init(cli, tmp_path):
    r = cli("init", db=None)
    assert r.exit_code == 0 and (tmp_path / "claims.db").exists()
    assert cli("init", db=None).exit_code == 2  # already exists
    r = cli("db", "path", db=None)
    assert r.stdout.strip() == str(tmp_path / "claims.db")
    assert "found" in r.stderr


def test_demo_refuses_to_overwrite_without_force(cli, tmp_path):
    r = cli("demo", "--quiet", db=None)
    assert r.exit_code == 0, r.output
    assert "24 example claims" in r.stdout
    again = cli("demo", db=None)
    assert again.exit_code == 2 and "--force" in again.stderr
    forced = cli("demo", "--force", "--quiet", db=None)
    assert forced.exit_code == 0
    assert list(tmp_path.glob("claims.db.before-demo-*.bak"))
    listed = cli("list", "--all", "--json", db=None)
    assert listed.stdout.count('"statement"') == 24
