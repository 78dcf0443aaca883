"""Issue 11, class 1: no command overwrites or deletes a ledger.

Every command that writes a file (export --out, report --out and its charts,
report --save, import --report, db backup) goes through one helper that
refuses the ledger in use (by name, relative path, symbolic or hard link),
its -wal/-shm/-journal, any other SQLite database, links, devices, FIFOs and
folders, writes atomically and privately, and names files in a folder.
Every refusal is one line, exit 2, and leaves the ledger's rows unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
from datetime import date
from pathlib import Path

import pytest

from claimtrack.db import outputs

def seed(cli) -> None:
    for i, p in enumerate(("30%", "70%", "55%")):
        assert cli("add", f"claim number {i} will happen", "-p", p, "--made", "2024-01-0%d" % (i + 1)).exit_code == 0
    assert cli("resolve", "1", "yes", "--date", "2024-06-01").exit_code == 0


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def other_db(folder: Path) -> Path:
    path = folder / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (x TEXT)")
    con.execute("INSERT INTO notes VALUES ('precious')")
    con.commit()
    con.close()
    return path


def import_file(folder: Path) -> Path:
    path = folder / "in.csv"
    path.write_text("statement,probability,date\nan imported claim here,0.4,2024-01-02\n,0.5,2024-01-03\n")
    return path


# Commands that write a file, as argv given the hostile path.
COMMANDS = {
    "export": lambda p, t: ["export", "--out", p],
    "export-csv": lambda p, t: ["export", "--format", "csv", "--out", p],
    "report": lambda p, t: ["report", "--out", p],
    "report-md": lambda p, t: ["report", "--format", "md", "--out", p],
    "report-html": lambda p, t: ["report", "--format", "html", "--out", p],
    "import-report": lambda p, t: ["import", str(import_file(t)), "--report", p],
    "db-backup": lambda p, t: ["db", "backup", p],
}


def _ledger_paths(t: Path) -> dict[str, str]:
    """Hostile names for the SQLite ledger at t/claims.db (built lazily by the test)."""
    (t / "x").mkdir(exist_ok=True)
    ledger = t / "claims.db"
    os.symlink(ledger, t / "link.json")
    os.symlink(ledger, t / "link.csv")
    os.link(ledger, t / "hard.json")
    os.symlink(Path("x") / ".." / "claims.db-wal", t / "walink.txt")
    return {
        "by-name": "claims.db",
        "relative-dotdot": "./x/../claims.db",
        "absolute": str(ledger),
        "wal": "claims.db-wal",
        "shm": "claims.db-shm",
        "journal": "claims.db-journal",
        "wal-dotdot": "x/../claims.db-wal",
        "symlink": "link.json",
        "symlink-csv": "link.csv",
        "hard-link": "hard.json",
        "symlink-to-wal": "walink.txt",
    }


def _any_engine_paths(t: Path) -> dict[str, str]:
    other = other_db(t)
    (t / "plain.txt").write_text("keep me\n")
    os.symlink(t / "plain.txt", t / "to-plain.json")
    os.symlink(t / "nowhere.json", t / "dangling.json")
    os.link(other, t / "other-hard.json")
    os.mkfifo(t / "fifo.json")
    return {
        "other-sqlite": "other.db",
        "other-sqlite-as-json": "other-hard.json",
        "other-wal": "other.db-wal",
        "other-journal": "other.db-journal",
        "symlink-to-file": "to-plain.json",
        "dangling-symlink": "dangling.json",
        "fifo": "fifo.json",
        "device": "/dev/null",
        "missing-folder": "no/such/folder/out.json",
    }


SQLITE_CASES = ["by-name", "relative-dotdot", "absolute", "wal", "shm", "journal", "wal-dotdot", "symlink",
                "symlink-csv", "hard-link", "symlink-to-wal"]
ANY_CASES = ["other-sqlite", "other-sqlite-as-json", "other-wal", "other-journal", "symlink-to-file",
             "dangling-symlink", "fifo", "device", "missing-folder"]


def _assert_refused(result, before, after) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("claimtrack: error:"), result.stderr
    assert "Traceback" not in result.output and "unexpected" not in result.stderr
    assert after == before


def _snapshot(t: Path) -> dict[str, str]:
    """Every regular file in the test folder except the ledger's own (which SQLite may checkpoint)."""
    return {p.name: sha(p) for p in t.iterdir()
            if p.is_file() and not p.is_symlink() and not p.name.startswith("claims.db")
            and stat.S_ISREG(p.stat().st_mode) and p.name != "in.csv"}


SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@SQLITE_ONLY
@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("case", SQLITE_CASES)
def test_the_sqlite_ledger_is_never_an_output(cli, db_url, dump, tmp_path, command, case):
    seed(cli)
    paths = _ledger_paths(tmp_path)
    before, files = dump(db_url), _snapshot(tmp_path)
    ledger_identity = os.stat(tmp_path / "claims.db").st_ino
    result = cli(*COMMANDS[command](paths[case], tmp_path))
    _assert_refused(result, before, dump(db_url))
    assert os.stat(tmp_path / "claims.db").st_ino == ledger_identity
    assert (tmp_path / "link.json").is_symlink() and os.readlink(tmp_path / "link.json") == str(tmp_path / "claims.db")
    assert _snapshot(tmp_path) == files
    assert not list(tmp_path.glob(".*.tmp")) and not list(tmp_path.glob("*.partial"))
    assert cli("verify").exit_code == 0


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("case", ANY_CASES)
def test_databases_links_and_special_files_are_never_outputs(cli, db_url, dump, tmp_path, command, case):
    is_sqlite = not db_url.startswith("postgresql")
    if command == "db-backup" and not is_sqlite:
        pytest.skip("a server ledger is backed up with pg_dump")
    if command == "db-backup" and case == "missing-folder":
        pytest.skip("db backup creates its folder (README)")
    seed(cli)
    paths = _any_engine_paths(tmp_path)
    before, files = dump(db_url), _snapshot(tmp_path)
    result = cli(*COMMANDS[command](paths[case], tmp_path))
    _assert_refused(result, before, dump(db_url))
    assert _snapshot(tmp_path) == files
    assert (tmp_path / "plain.txt").read_text() == "keep me\n"
    assert not (tmp_path / "nowhere.json").exists()
    assert stat.S_ISFIFO(os.lstat(tmp_path / "fifo.json").st_mode)
    assert sqlite3.connect(tmp_path / "other.db").execute("SELECT x FROM notes").fetchall() == [("precious",)]
    assert not list(tmp_path.glob(".*.tmp"))


def test_the_issue_example_export_onto_the_ledger(cli, db_url, dump, tmp_path):
    seed(cli)
    before = dump(db_url)
    result = cli("export", "--out", "claims.db") if db_url.endswith("claims.db") else cli("export", "--out", "x.db")
    assert result.exit_code == 2
    assert dump(db_url) == before
    if db_url.endswith("claims.db"):
        assert "ledger in use" in result.stderr


def test_a_folder_is_refused_where_only_a_file_makes_sense(cli, db_url, dump, tmp_path):
    seed(cli)
    (tmp_path / "out").mkdir()
    before = dump(db_url)
    result = cli("import", str(import_file(tmp_path)), "--report", "out")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert dump(db_url) == before
    assert list((tmp_path / "out").iterdir()) == []


# ---- the atomic, private write ------------------------------------------------------------


@pytest.mark.parametrize("argv, name", [
    (["export", "--out", "e.json"], "e.json"),
    (["export", "--out", "e.csv"], "e.csv"),
    (["report", "--out", "r.html"], "r.html"),
    (["report", "--out", "r.md"], "r.md"),
    (["report", "--out", "r.json"], "r.json"),
    (["report", "--out", "r.txt"], "r.txt"),
])
def test_outputs_are_private_and_replace_an_old_file_whole(cli, tmp_path, argv, name):
    seed(cli)
    old = tmp_path / name
    old.write_text("old content\n")
    os.chmod(old, 0o644)
    result = cli(*argv)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
    assert "old content" not in old.read_text()
    assert not list(tmp_path.glob(".*.tmp"))
    for chart in tmp_path.glob("*.png"):
        assert stat.S_IMODE(chart.stat().st_mode) == 0o600


def test_backups_saved_reports_and_import_reports_are_private(cli, db_url, tmp_path):
    seed(cli)
    assert cli("report", "--save").exit_code == 0
    assert cli("import", str(import_file(tmp_path)), "--report", "skipped.tsv").exit_code == 0
    written = [tmp_path / "skipped.tsv", *(tmp_path / "reports").iterdir()]
    if not db_url.startswith("postgresql"):
        backup = cli("db", "backup")
        assert backup.exit_code == 0
        written.append(Path(backup.stdout.strip()))
    assert len(written) >= 2
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_a_failed_export_leaves_the_old_file_and_no_temporary(cli, tmp_path, monkeypatch):
    from claimtrack.domain.errors import InvalidInput
    from claimtrack.services import export as export_service

    seed(cli)
    target = tmp_path / "e.json"
    target.write_text("the previous export\n")

    def broken(db, out):
        out.write('{"format": "claimtrack", "claims": [')
        raise InvalidInput("simulated failure half-way")

    monkeypatch.setattr(export_service, "write_json", broken)
    result = cli("export", "--out", "e.json")
    assert result.exit_code == 2
    assert target.read_text() == "the previous export\n"
    assert not list(tmp_path.glob(".*.tmp"))


def test_the_temporary_file_is_created_exclusively_without_following_links(tmp_path):
    final = outputs.check_target(tmp_path / "out.json", ledger=None)
    temp, fd = outputs.create_temp(final)
    os.close(fd)
    assert temp.parent == tmp_path and temp.name.startswith(".out.json.")
    assert stat.S_IMODE(temp.stat().st_mode) == 0o600
    with pytest.raises(FileExistsError):  # the flags the helper uses refuse an existing name
        os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW)
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    planted = tmp_path / "planted"
    os.symlink(victim, planted)
    with pytest.raises(OSError):
        os.open(planted, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW)
    assert victim.read_text() == "untouched"


# ---- folders and extensions ------------------------------------------------------------------


def test_a_folder_gets_dated_file_names(cli, tmp_path):
    seed(cli)
    folder = tmp_path / "exports"
    folder.mkdir()
    day = date.today().isoformat()
    assert cli("export", "--out", "exports").exit_code == 0
    assert cli("export", "--out", "exports", "--format", "csv").exit_code == 0
    assert cli("export", "--out", "exports").exit_code == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"claimtrack-export-{day}-2.json", f"claimtrack-export-{day}.csv", f"claimtrack-export-{day}.json"]
    assert json.loads((folder / f"claimtrack-export-{day}.json").read_text())["format"] == "claimtrack"
    assert (folder / f"claimtrack-export-{day}.csv").read_text().startswith("record,")
    reports = tmp_path / "reports-out"
    reports.mkdir()
    result = cli("report", "--format", "md", "--out", "reports-out")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in reports.iterdir()) == [
        f"report-{day}-calibration.png", f"report-{day}-trend.png", f"report-{day}.md"]
    assert cli("report", "--out", "reports-out").exit_code == 0
    assert (reports / f"report-{day}.txt").exists()
    # a trailing slash means a folder: one that does not exist is an error, not a file named like it
    for argv in (("report", "--format", "md", "--out", "missing/"), ("export", "--out", "missing/")):
        r = cli(*argv)
        assert r.exit_code == 2 and "no such folder" in r.stderr, r.output
    assert not (tmp_path / "missing").exists() and not list(tmp_path.glob("missing*"))


@pytest.mark.parametrize("argv, accepted", [
    (["report", "--out", "r.pdf"], ".html"),
    (["report", "--format", "html", "--out", "r.json"], ".html"),
    (["report", "--format", "json", "--out", "r.md"], ".json"),
    (["report", "--format", "md", "--out", "r.htm"], ".md"),
    (["export", "--out", "e.pdf"], ".json"),
    (["export", "--format", "csv", "--out", "e.json"], ".csv"),
    (["export", "--format", "json", "--out", "e.csv"], ".json"),
    (["export", "--out", "e.db"], ".csv"),
])
def test_an_extension_that_contradicts_the_format_is_refused(cli, db_url, dump, tmp_path, argv, accepted):
    seed(cli)
    before = dump(db_url)
    listing = sorted(p.name for p in tmp_path.iterdir())
    result = cli(*argv)
    assert result.exit_code == 2, result.output
    assert accepted in result.stderr and result.stderr.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == listing
    assert dump(db_url) == before


def test_a_missing_format_follows_the_extension(cli, tmp_path):
    seed(cli)
    assert cli("export", "--out", "e.csv").exit_code == 0
    assert (tmp_path / "e.csv").read_text().startswith("record,")
    assert cli("report", "--out", "r.json").exit_code == 0
    assert "overall" in json.loads((tmp_path / "r.json").read_text())
    assert cli("report", "--out", "r.HTML").exit_code == 0
    assert "<html" in (tmp_path / "r.HTML").read_text().lower()


# ---- import --report after the import committed ----------------------------------------------


def test_an_unwritable_report_after_the_import_says_what_was_written(cli, db_url, dump, tmp_path):
    seed(cli)
    if not Path("/proc/self").exists():
        pytest.skip("needs a folder no one can create files in")
    before = dump(db_url)
    result = cli("import", str(import_file(tmp_path)), "--report", "/proc/claimtrack-skipped.tsv")
    assert result.exit_code == 2, result.output
    assert "added 1 claims" in result.stdout  # the summary is still printed
    error = [line for line in result.stderr.splitlines() if line.startswith("claimtrack: error:")]
    assert len(error) == 1
    assert "import was committed" in error[0] and "NOT written" in error[0]
    assert dump(db_url) != before  # it was committed, as it says
    assert "an imported claim here" in cli("list", "--all").stdout


def test_a_refused_report_path_is_refused_before_anything_is_imported(cli, db_url, dump, tmp_path):
    seed(cli)
    other_db(tmp_path)
    before = dump(db_url)
    result = cli("import", str(import_file(tmp_path)), "--report", "other.db")
    assert result.exit_code == 2 and "SQLite database" in result.stderr
    assert dump(db_url) == before
    assert result.stdout == ""


# ---- report --save -------------------------------------------------------------------------


def test_report_save_never_writes_through_a_planted_link(cli, db_url, dump, tmp_path):
    seed(cli)
    reports = tmp_path / "reports"
    reports.mkdir()
    victim = tmp_path / "victim.html"
    victim.write_text("mine")
    day = date.today().isoformat()
    os.symlink(victim, reports / f"{day}.html")
    result = cli("report", "--save")
    assert victim.read_text() == "mine"
    assert (reports / f"{day}.html").is_symlink()
    if result.exit_code == 0:
        saved = Path(result.stdout.split("saved the report to ")[1].split()[0])
        assert saved.name != f"{day}.html" and not saved.is_symlink()
    else:
        assert result.exit_code == 2 and result.stderr.count("\n") == 1


# ---- the helper itself ------------------------------------------------------------------------


def test_check_target_knows_the_ledger_under_every_name(tmp_path):
    ledger = tmp_path / "claims.db"
    con = sqlite3.connect(ledger)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    (tmp_path / "sub").mkdir()
    os.symlink(tmp_path, tmp_path / "sub" / "up")
    for name in ("claims.db", "sub/../claims.db", "sub/up/claims.db", "sub/up/claims.db-wal", "claims.db-shm"):
        with pytest.raises(Exception) as caught:
            outputs.check_target(tmp_path / name, ledger=ledger)
        assert "refusing" in str(caught.value)
    assert outputs.check_target(tmp_path / "sub" / "fine.json", ledger=ledger) == tmp_path / "sub" / "fine.json"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("argv", [["export"], ["export", "--format", "csv"], ["report", "--format", "json"],
                                  ["report"]])
@pytest.mark.parametrize("into", ["ledger", "other-sqlite"])
def test_standard_output_pointed_at_a_database_is_refused(cli, db_url, dump, tmp_path, argv, into):
    import subprocess
    import sys

    seed(cli)
    target = tmp_path / "claims.db" if into == "ledger" else other_db(tmp_path)
    before, size = dump(db_url), target.stat().st_size
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    with open(target, "ab") as appended:  # `claimtrack export >> claims.db`
        run = subprocess.run([sys.executable, "-m", "claimtrack", "--db", db_url, *argv], stdout=appended,
                             stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path, timeout=120)
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith("claimtrack: error:") and run.stderr.count("\n") == 1
    assert target.stat().st_size == size
    assert dump(db_url) == before


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("chart", ["r-calibration.png", "r-trend.png"])
@pytest.mark.parametrize("how", ["symlink", "hard-link"])
def test_a_chart_beside_the_report_that_is_the_ledger_stops_the_whole_report(cli, db_url, dump, tmp_path, chart, how):
    seed(cli)
    (os.symlink if how == "symlink" else os.link)(tmp_path / "claims.db", tmp_path / chart)
    before = dump(db_url)
    result = cli("report", "--format", "md", "--out", "r.md")
    assert result.exit_code == 2 and "ledger in use" in result.stderr
    assert not (tmp_path / "r.md").exists()  # nothing written, not even the main file
    assert dump(db_url) == before
    assert cli("verify").exit_code == 0


def test_db_backup_into_a_folder_gets_a_dated_private_name(cli, db_url, tmp_path):
    if db_url.startswith("postgresql"):
        pytest.skip("a server ledger is backed up with pg_dump")
    seed(cli)
    (tmp_path / "backups").mkdir()
    first, second = cli("db", "backup", "backups"), cli("db", "backup", "backups")
    assert first.exit_code == 0 and second.exit_code == 0
    made = sorted((tmp_path / "backups").iterdir())
    assert len(made) == 2 and all(p.name.startswith("claims.db.backup-") for p in made)
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 and outputs.is_sqlite_file(p) for p in made)
    again = cli("db", "backup", str(made[0]))
    assert again.exit_code == 2 and "exists" in again.stderr
