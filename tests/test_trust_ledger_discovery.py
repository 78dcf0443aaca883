"""Issue 11, class 4: read commands never invent a ledger.

A path that does not exist is an error for every command but init and demo;
a write with no ledger anywhere uses the user data ledger and says so; a
folder, a non-SQLite file or another program's SQLite database is refused
untouched (never switched to WAL, never migrated); a read-only ledger serves
every read and refuses every write in one line."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from _trust import sqlite_only, assert_refused, file_state, once, run_unprivileged

from claimtrack.db.location import DB_FILENAME

READS = [("list",), ("list", "--all", "--json"), ("show", "1"), ("due",), ("inbox",), ("report",),
         ("report", "--format", "json"), ("export", "--format", "json"), ("verify",), ("db", "backup")]
WRITES = [("add", "a claim", "-p", "60%"), ("forecast", "1", "70%"), ("resolve", "1", "yes"),
          ("edit", "1", "--statement", "changed"), ("accept", "1"), ("reject", "1"), ("unreject", "1")]


def _seed(cli):
    assert cli("add", "OpenAI ships a chip by 2026", "-p", "60%", "--by", "Ben").exit_code == 0


# ------------------------------------------------------------ a path that does not exist


@pytest.mark.parametrize("argv", READS + WRITES + [("db", "upgrade"), ("import", "x.json")])
@pytest.mark.parametrize("how", ["--db", "CLAIMTRACK_DB"])
@sqlite_only
def test_a_missing_path_is_an_error_and_creates_nothing(cli, tmp_path, monkeypatch, argv, how, db_url):
    once(db_url)
    target = tmp_path / "typo" / "claims.db"
    (tmp_path / "x.json").write_text(json.dumps({"format": "claimtrack", "version": 1, "claims": []}))
    if how == "CLAIMTRACK_DB":
        monkeypatch.setenv("CLAIMTRACK_DB", str(target))
        result = cli(*argv, db=None, create=False)
    else:
        result = cli(*argv, db=str(target), create=False)
    assert_refused(result, "no ledger at", str(target), "claimtrack init")
    assert not target.exists() and not target.parent.exists()


@pytest.mark.parametrize("argv", [("init",), ("demo", "--quiet")])
@sqlite_only
def test_init_and_demo_create_the_missing_ledger(cli, tmp_path, argv, db_url):
    once(db_url)
    target = tmp_path / "new.db"
    result = cli(*argv, db=str(target), create=False)
    assert result.exit_code == 0, result.stderr
    assert target.is_file()
    assert cli("list", "--all", db=str(target)).exit_code == 0


@sqlite_only
def test_due_on_a_mistyped_ledger_is_not_silent(cli, tmp_path, db_url):
    """The README's cron check: 'due -q' must not exit 0 on a typo."""
    once(db_url)
    result = cli("due", "-q", db=str(tmp_path / "claims.bd"), create=False)
    assert_refused(result, "no ledger")


# ------------------------------------------------------------ no ledger anywhere


@pytest.fixture
def nowhere(tmp_path, monkeypatch):
    """A working folder with no claims.db above it and a private user data folder."""
    work = tmp_path / "work" / "deeper"
    work.mkdir(parents=True)
    if any((p / DB_FILENAME).exists() for p in work.parents):
        pytest.skip("a claims.db exists above the test folder")
    monkeypatch.chdir(work)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data" / "claimtrack" / DB_FILENAME


@pytest.mark.parametrize("argv", READS)
@sqlite_only
def test_a_read_with_no_ledger_anywhere_creates_none(cli, nowhere, argv, db_url):
    once(db_url)
    result = cli(*argv, db=None)
    assert_refused(result, "no ledger found", "claimtrack init")
    assert not nowhere.exists()
    assert not (Path.cwd() / DB_FILENAME).exists()


@sqlite_only
def test_a_write_with_no_ledger_uses_the_user_data_ledger_and_says_so(cli, nowhere, db_url):
    once(db_url)
    first = cli("add", "first claim", "-p", "60%", db=None)
    assert first.exit_code == 0, first.stderr
    assert nowhere.is_file()
    notes = first.stderr.splitlines()
    assert len(notes) == 1 and notes[0].startswith("claimtrack: note:") and str(nowhere) in notes[0]
    second = cli("add", "second claim", "-p", "40%", db=None)
    assert second.exit_code == 0 and second.stderr == ""  # said once, when it was created
    listed = cli("list", "--json", db=None)
    assert [c["statement"] for c in json.loads(listed.stdout)] == ["first claim", "second claim"]
    path = cli("db", "path", db=None)
    assert path.stdout.strip() == str(nowhere)
    assert "user data ledger" in path.stderr


@sqlite_only
def test_a_ledger_in_a_parent_folder_is_found_and_explained(cli, tmp_path, monkeypatch, db_url):
    once(db_url)
    top = tmp_path / "project"
    (top / "a" / "b").mkdir(parents=True)
    assert cli("init", db=str(top / DB_FILENAME)).exit_code == 0
    monkeypatch.chdir(top / "a" / "b")
    assert cli("add", "found upward", "-p", "60%", db=None).exit_code == 0
    result = cli("db", "path", db=None)
    assert result.stdout.strip() == str(top / DB_FILENAME)
    assert f"found claims.db in {top}" in result.stderr and "searched up from the current folder" in result.stderr
    assert not (top / "a" / "b" / DB_FILENAME).exists()


# ------------------------------------------------------------ things that are not ledgers


def _other_sqlite(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('keep me')")
    conn.commit()
    conn.close()
    return path


def _not_ledgers(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "folder" / DB_FILENAME
    folder.mkdir(parents=True)
    text = tmp_path / "notes.txt"
    text.write_text("root:x:0:0:root:/root:/bin/bash\n" * 20)
    return {"folder": folder, "text": text, "other-sqlite": _other_sqlite(tmp_path / "other.db"),
            "etc-passwd": Path("/etc/passwd")}


@pytest.mark.parametrize("argv", READS[:4] + WRITES[:2] + [("db", "upgrade"), ("db", "backup"), ("verify",)])
@sqlite_only
def test_what_is_not_a_ledger_is_refused_untouched(cli, tmp_path, argv, db_url):
    once(db_url)
    for kind, target in _not_ledgers(tmp_path).items():
        if not target.exists():
            continue
        before = file_state(target)
        result = cli(*argv, db=str(target), create=False)
        assert_refused(result, str(target))
        assert file_state(target) == before, kind  # no -wal, no -shm, no migration, no new bytes
    conn = sqlite3.connect(f"file:{tmp_path / 'other.db'}?mode=ro", uri=True)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # never switched to WAL
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")] == ["notes"]
    conn.close()


@sqlite_only
def test_a_folder_named_claims_db_is_refused_when_found(cli, tmp_path, monkeypatch, db_url):
    once(db_url)
    (tmp_path / "w" / DB_FILENAME).mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "w")
    for argv in (("list",), ("add", "x", "-p", "50%")):
        assert_refused(cli(*argv, db=None), "is a folder")
    assert os.listdir(tmp_path / "w" / DB_FILENAME) == []


@pytest.mark.postgres
def test_a_postgresql_database_of_another_program_is_refused_untouched(cli, db_url, dump):
    if not db_url.startswith("postgresql"):
        pytest.skip("the SQLite case is above")
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE notes (id serial PRIMARY KEY, body text)"))
        conn.execute(text("INSERT INTO notes (body) VALUES ('keep me')"))
    engine.dispose()
    before = dump(db_url)
    for argv in (("list",), ("add", "x", "-p", "50%"), ("db", "upgrade")):
        assert_refused(cli(*argv), "another program")
    assert dump(db_url) == before  # no alembic_version, no claims table


# ------------------------------------------------------------ read-only ledgers


def _read_only(monkeypatch, *paths: Path) -> None:
    """What os.access says for an unprivileged user on a read-only file or folder
    (the test runs as root, which may write anything)."""
    real = os.access
    blocked = {str(p) for p in paths}

    def access(path, mode, *args, **kwargs):
        if mode & os.W_OK and str(path) in blocked:
            return False
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)


@pytest.mark.parametrize("what", ["file", "folder"])
@sqlite_only
def test_a_read_only_ledger_serves_reads_and_refuses_writes(cli, sqlite_path, monkeypatch, dump, what, tmp_path, db_url):
    once(db_url)
    _seed(cli)
    assert cli("add", "second", "-p", "30%").exit_code == 0
    assert cli("resolve", "2", "no").exit_code == 0
    before = dump(str(sqlite_path))
    _read_only(monkeypatch, sqlite_path if what == "file" else sqlite_path.parent)
    for argv in READS:
        if argv == ("db", "backup"):
            argv = ("db", "backup", str(tmp_path / "elsewhere" / "copy.db"))
            (tmp_path / "elsewhere").mkdir(exist_ok=True)
        result = cli(*argv)
        assert result.exit_code == 0, (argv, result.stderr)
    listed = json.loads(cli("list", "--all", "--json").stdout)
    assert [c["statement"] for c in listed] == ["OpenAI ships a chip by 2026", "second"]
    for argv in WRITES + [("resolve", "1", "no")]:
        assert_refused(cli(*argv), "the ledger is read-only")
    assert dump(str(sqlite_path)) == before


@sqlite_only
def test_a_truly_read_only_ledger_as_an_unprivileged_user(cli, sqlite_path, tmp_path, dump, db_url):
    """The same with real file modes, as a user that root's bypass does not cover."""
    once(db_url)
    _seed(cli)
    folder = tmp_path / "shared"
    folder.mkdir()
    ledger = folder / DB_FILENAME
    assert cli("db", "backup", str(ledger)).exit_code == 0
    before = dump(str(ledger))
    ledger.chmod(0o444)
    folder.chmod(0o555)
    for parent in (folder, *folder.parents):  # let 'nobody' reach it
        if parent == Path("/"):
            break
        parent.chmod(parent.stat().st_mode | 0o005)
    try:
        listed = run_unprivileged("--db", str(ledger), "list", "--json", cwd=folder)
        assert listed.exit_code == 0, listed.stderr
        assert [c["statement"] for c in json.loads(listed.stdout)] == ["OpenAI ships a chip by 2026"]
        assert run_unprivileged("--db", str(ledger), "verify", cwd=folder).exit_code == 0
        refused = run_unprivileged("--db", str(ledger), "add", "x", "-p", "5%", cwd=folder)
        assert_refused(refused, "the ledger is read-only")
        assert sorted(os.listdir(folder)) == [DB_FILENAME]
    finally:
        folder.chmod(0o755)
        ledger.chmod(0o600)
    assert dump(str(ledger)) == before
