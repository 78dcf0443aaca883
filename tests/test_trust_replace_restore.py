"""Issue 11, class 2: replacing and restoring a ledger are safe.

``demo --force`` and ``db restore`` rewrite the ledger in place under its
write lock (never unlinking a file others have open) and keep what it held
as a dated backup; a restore checks the backup first; many processes may
open a brand-new ledger at once; a ledger without its schema stamp is not
backed up again on every command.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from _trust import unguarded

from claimtrack.db.location import from_value

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def seed(cli, n: int = 3, prefix: str = "claim") -> None:
    for i in range(n):
        assert cli("add", f"{prefix} number {i} will happen", "-p", "40%").exit_code == 0
    assert cli("resolve", "1", "no").exit_code == 0


def statements(path: Path) -> list[str]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return sorted(r[0] for r in con.execute("SELECT statement FROM claims"))
    finally:
        con.close()


def integrity(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def hold_open(path: Path):
    """Another process's view: an open, migrated Database on the same file."""
    from claimtrack.services.store import open_ledger

    db = open_ledger(str(path))
    with db.read() as session:  # a pooled connection really is open on the file
        session.connection().exec_driver_sql("SELECT count(*) FROM claims").scalar()
    return db


def add_through(db, statement: str) -> None:
    from claimtrack.services.ledger import NewClaim, add_claim

    add_claim(db, NewClaim(statement=statement, probability=0.5, forecaster="other-process"))


# ---- demo --force ----------------------------------------------------------------------------


@SQLITE_ONLY
def test_demo_force_keeps_a_ledger_others_have_open(cli, tmp_path):
    ledger = tmp_path / "claims.db"
    seed(cli, prefix="my own")
    inode = os.stat(ledger).st_ino
    other = hold_open(ledger)
    try:
        result = cli("demo", "--force", "--quiet")
        assert result.exit_code == 0, result.output
        backups = list(tmp_path.glob("claims.db.before-demo-*.bak"))
        assert len(backups) == 1 and str(backups[0]) in result.stderr
        assert [s for s in statements(backups[0]) if s.startswith("my own")] == [
            "my own number 0 will happen", "my own number 1 will happen", "my own number 2 will happen"]
        assert os.stat(ledger).st_ino == inode  # the same file, rewritten in place
        assert not any(s.startswith("my own") for s in statements(ledger))
        add_through(other, "written later by the process that had it open")
    finally:
        other.dispose()
    assert "written later by the process that had it open" in statements(ledger)
    assert len(statements(ledger)) == 25
    assert integrity(ledger) == "ok"
    assert cli("verify").exit_code == 0
    assert not list(tmp_path.glob(".claims.db.*.tmp*"))


@SQLITE_ONLY
def test_demo_force_twice_keeps_two_backups(cli, tmp_path):
    seed(cli)
    assert cli("demo", "--force", "--quiet").exit_code == 0
    assert cli("demo", "--force", "--quiet").exit_code == 0
    backups = sorted(tmp_path.glob("claims.db.before-demo-*.bak"))
    assert len(backups) == 2
    assert len(statements(backups[0])) == 3 and len(statements(backups[1])) == 24


# ---- db restore -------------------------------------------------------------------------------


def make_backup(cli, tmp_path) -> Path:
    result = cli("db", "backup", str(tmp_path / "kept.bak"))
    assert result.exit_code == 0, result.output
    return tmp_path / "kept.bak"


@SQLITE_ONLY
def test_restore_brings_back_the_backup_and_keeps_the_replaced_ledger(cli, dump, db_url, tmp_path):
    ledger = tmp_path / "claims.db"
    seed(cli)
    backup = make_backup(cli, tmp_path)
    at_backup = dump(db_url)
    assert cli("add", "made after the backup", "-p", "10%").exit_code == 0
    assert cli("forecast", "2", "60%").exit_code == 0
    result = cli("db", "restore", str(backup))
    assert result.exit_code == 0, result.output
    assert dump(db_url) == at_backup
    kept = list(tmp_path.glob("claims.db.before-restore-*.bak"))
    assert len(kept) == 1 and str(kept[0]) in result.stderr
    assert "made after the backup" in statements(kept[0])
    assert integrity(ledger) == "ok"
    assert cli("verify").exit_code == 0
    wal = Path(str(ledger) + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert cli("add", "after the restore", "-p", "20%").exit_code == 0  # a working ledger


@SQLITE_ONLY
def test_restore_over_a_live_wal_with_a_reader_and_a_writer_open(cli, dump, db_url, tmp_path):
    """The case a `cp` restore gets wrong: the ledger has a -wal full of frames
    that are not in the main file; the restored content must not mix with them."""
    ledger = tmp_path / "claims.db"
    seed(cli)
    backup = make_backup(cli, tmp_path)
    at_backup = dump(db_url)
    other = hold_open(ledger)
    try:
        blocker = sqlite3.connect(ledger, isolation_level=None)
        blocker.execute("PRAGMA wal_autocheckpoint=0")
        for i in range(40):
            add_through(other, f"only in the wal {i} " + "x" * 200)
        assert Path(str(ledger) + "-wal").stat().st_size > 0
        result = cli("db", "restore", str(backup))
        assert result.exit_code == 0, result.output
        assert blocker.execute("SELECT count(*) FROM claims").fetchone()[0] == 3  # readers see the restored ledger
        blocker.close()
        add_through(other, "after the restore, by the open process")
    finally:
        other.dispose()
    assert integrity(ledger) == "ok"
    assert statements(ledger) == sorted(["claim number 0 will happen", "claim number 1 will happen",
                                        "claim number 2 will happen", "after the restore, by the open process"])
    assert cli("verify").exit_code == 0
    kept = list(tmp_path.glob("claims.db.before-restore-*.bak"))
    assert len(kept) == 1 and len(statements(kept[0])) == 43
    assert dump(db_url) != at_backup


@SQLITE_ONLY
def test_a_write_between_the_copy_and_the_lock_is_not_lost_from_the_backup(cli, tmp_path, monkeypatch):
    from claimtrack.db import backup as backup_module

    ledger = tmp_path / "claims.db"
    seed(cli)
    backup = make_backup(cli, tmp_path)
    real = backup_module.backup_sqlite
    calls = []

    def copy_then_someone_writes(source, dest, **kw):
        made = real(source, dest, **kw)
        if not calls:
            con = sqlite3.connect(ledger)
            con.execute("UPDATE claims SET details='written during the restore' WHERE id=2")
            con.commit()
            con.close()
        calls.append(made)
        return made

    monkeypatch.setattr(backup_module, "backup_sqlite", copy_then_someone_writes)
    result = cli("db", "restore", str(backup))
    assert result.exit_code == 0, result.output
    assert len(calls) == 2 and not calls[0].exists()  # the stale copy was dropped
    kept = list(tmp_path.glob("claims.db.before-restore-*.bak"))
    assert kept == [calls[1]]
    con = sqlite3.connect(kept[0])
    assert con.execute("SELECT details FROM claims WHERE id=2").fetchone()[0] == "written during the restore"
    con.close()


def _tamper(path: Path, sql: str) -> None:
    con = sqlite3.connect(path)
    if "forecasts" in sql:
        unguarded(con, sql)  # history: past the append-only triggers, as an owner could
    else:
        con.execute(sql)
    con.commit()
    con.close()


def _corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for offset in range(4096 * 2, min(len(data), 4096 * 6)):  # pages of the tables, not the header
        data[offset] = 0xA5
    path.write_bytes(bytes(data))


BAD_BACKUPS = {
    "text-file": lambda t, b: (t / "notes.txt").write_text("not a database") and t / "notes.txt",
    "empty-file": lambda t, b: (t / "empty.db").write_bytes(b"") or t / "empty.db",
    "missing": lambda t, b: t / "no-such.bak",
    "other-sqlite": lambda t, b: (_tamper(t / "other.db", "CREATE TABLE notes (x)") or t / "other.db"),
    "empty-sqlite": lambda t, b: (_tamper(t / "blank.db", "PRAGMA user_version=0") or t / "blank.db"),
    "tampered-forecast": lambda t, b: (_tamper(b, "UPDATE forecasts SET probability=0.99 WHERE id=1") or b),
    "deleted-forecast": lambda t, b: (_tamper(b, "DELETE FROM forecasts WHERE id=1") or b),
    "newer-schema": lambda t, b: (_tamper(b, "UPDATE alembic_version SET version_num='9999'") or b),
    "corrupt-pages": lambda t, b: (_corrupt(b) or b),
    "the-ledger-itself": lambda t, b: t / "claims.db",
    "link-to-the-ledger": lambda t, b: (os.symlink(t / "claims.db", t / "link.bak") or t / "link.bak"),
    "a-folder": lambda t, b: (t / "folder.bak").mkdir() or t / "folder.bak",
}


@SQLITE_ONLY
@pytest.mark.parametrize("case", sorted(BAD_BACKUPS))
def test_restore_refuses_a_backup_that_is_not_a_sound_claimtrack_ledger(cli, dump, db_url, tmp_path, case):
    seed(cli)
    backup = make_backup(cli, tmp_path)
    assert cli("add", "only in the live ledger", "-p", "10%").exit_code == 0
    bad = BAD_BACKUPS[case](tmp_path, backup)
    before = dump(db_url)
    files = sorted(p.name for p in tmp_path.iterdir())
    result = cli("db", "restore", str(bad))
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("claimtrack: error:") and "unexpected" not in lines[0]
    assert dump(db_url) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == files  # no backup, no scratch file left
    assert cli("verify").exit_code == 0


@SQLITE_ONLY
def test_restore_accepts_a_backup_that_lost_its_schema_stamp(cli, dump, db_url, tmp_path):
    seed(cli)
    backup = make_backup(cli, tmp_path)
    at_backup = dump(db_url)
    _tamper(backup, "DROP TABLE alembic_version")
    assert cli("add", "later", "-p", "10%").exit_code == 0
    result = cli("db", "restore", str(backup))
    assert result.exit_code == 0, result.output
    assert dump(db_url) == at_backup


def test_restore_on_a_server_ledger_says_what_to_do(cli, dump, db_url, tmp_path):
    if not db_url.startswith("postgresql"):
        pytest.skip("the server case")
    seed(cli)
    before = dump(db_url)
    (tmp_path / "claims.dump").write_bytes(b"PGDMP")
    result = cli("db", "restore", str(tmp_path / "claims.dump"))
    assert result.exit_code == 2
    assert "pg_restore" in result.stderr and result.stderr.count("\n") == 1
    assert dump(db_url) == before


# ---- many processes opening a brand-new ledger ------------------------------------------------


def _run_at_once(argvs: list[list[str]], cwd: Path) -> list[subprocess.CompletedProcess]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("CLAIMTRACK_DB", None)
    procs = [subprocess.Popen([sys.executable, "-m", "claimtrack", *argv], cwd=cwd, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for argv in argvs]
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=180)
        out.append(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    return out


@pytest.mark.parametrize("round_", range(3))
def test_four_processes_open_a_new_ledger_at_once(tmp_path, round_):
    ledger = tmp_path / f"new-{round_}.db"
    ledger.touch(mode=0o600)  # brand new: an empty file ('claimtrack init' writes one; a missing --db is refused)
    commands = [["--db", str(ledger), "list"], ["--db", str(ledger), "add", "first writer", "-p", "30%"],
                ["--db", str(ledger), "due"], ["--db", str(ledger), "add", "second writer", "-p", "60%"]]
    results = _run_at_once(commands, tmp_path)
    for r in results:
        assert r.returncode == 0, r.stderr
        assert "error" not in r.stderr
    assert statements(ledger) == ["first writer", "second writer"]
    assert list(tmp_path.glob("*.bak")) == []  # a new ledger has nothing to back up
    assert integrity(ledger) == "ok"


def test_backup_names_never_collide_within_a_second(tmp_path):
    from claimtrack.db.backup import backup_path_for

    names = {backup_path_for(tmp_path / "claims.db", "pre-0001") for _ in range(200)}
    assert len(names) == 200


# ---- a missing schema stamp ----------------------------------------------------------------


def test_a_missing_schema_stamp_is_backed_up_once_not_on_every_command(cli, dump, db_url, tmp_path):
    from sqlalchemy import create_engine, text

    seed(cli)
    before = dump(db_url)
    engine = create_engine(from_value(db_url, "test").url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    engine.dispose()
    for argv in (["list"], ["due"], ["report", "--format", "json"], ["list", "--all"]):
        result = cli(*argv)
        assert result.exit_code in (0, 1), result.output  # due exits 1 for overdue claims only
        assert "error" not in result.stderr
    assert dump(db_url) == before  # stamped again, nothing else changed
    backups = list(tmp_path.glob("*.bak"))
    assert len(backups) == (0 if db_url.startswith("postgresql") else 1)
    if backups:
        assert statements(backups[0]) == statements(tmp_path / "claims.db")


@SQLITE_ONLY
def test_an_unstamped_database_that_is_not_claimtrack_is_refused_without_a_backup(cli, tmp_path):
    ledger = tmp_path / "claims.db"
    _tamper(ledger, "CREATE TABLE notes (x TEXT)")
    _tamper(ledger, "INSERT INTO notes VALUES ('precious')")
    for _ in range(3):
        result = cli("list")
        assert result.exit_code != 0 and result.stderr.count("\n") == 1
        assert "unexpected" not in result.stderr
    assert list(tmp_path.glob("*.bak")) == []
    con = sqlite3.connect(ledger)
    assert [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")] == ["notes"]
    assert con.execute("SELECT x FROM notes").fetchall() == [("precious",)]
    con.close()
