"""Issue 11, class 11: smaller edges, each one line and exit 2 (or now working).

Invalid UTF-8 arguments, no HOME, an absurd time zone name, a bad port, the
review UI without a terminal, '--db /etc/passwd'; "did you mean" for a
mistyped command; '-5%' read as a (bad) probability; restoring a rejected
draft; editing the made date; drafts shown whole in the inbox and in dry
runs; 'db path' saying how the ledger was found."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from _trust import sqlite_only, assert_refused, once, run_cli


def _seed(cli):
    assert cli("add", "OpenAI ships a chip by 2026", "-p", "60%", "--made", "2024-01-10").exit_code == 0


@pytest.fixture
def ledger_file(cli, db_url, tmp_path):
    """A real SQLite ledger for subprocess runs."""
    once(db_url)
    _seed(cli)
    return db_url


# ------------------------------------------------------------ arguments and environment


@pytest.mark.parametrize("argv", [
    [b"add", b"\xff\xfe claim", b"-p", b"50%"],
    [b"list", b"--tag", b"caf\xe9"],
    [b"forecast", b"1", b"\xc3"],
    [b"show", b"\x80"],
])
@sqlite_only
def test_invalid_utf8_arguments_are_one_line(ledger_file, dump, argv, tmp_path):
    before = dump(ledger_file)
    result = run_cli(b"--db", ledger_file.encode(), *argv, cwd=tmp_path)
    assert_refused(result, "not valid UTF-8")
    assert dump(ledger_file) == before


def test_surrogates_reaching_the_cli_in_process_are_one_line(cli, db_url, dump):
    _seed(cli)
    before = dump(db_url)
    assert_refused(cli("add", "bad \udcff bytes", "-p", "50%"), "not valid UTF-8")
    assert dump(db_url) == before


@sqlite_only
def test_no_home_is_fine_when_the_ledger_is_given(ledger_file, tmp_path):
    env = {"HOME": None, "XDG_DATA_HOME": None, "CLAIMTRACK_CONFIG": None}
    listed = run_cli("--db", ledger_file, "list", "--json", env=env, cwd=tmp_path)
    assert listed.exit_code == 0, listed.stderr
    assert json.loads(listed.stdout)[0]["statement"] == "OpenAI ships a chip by 2026"
    added = run_cli("--db", ledger_file, "add", "no home", "-p", "20%", env=env, cwd=tmp_path)
    assert added.exit_code == 0, added.stderr


@sqlite_only
def test_no_home_and_no_ledger_is_one_line(tmp_path, db_url):
    once(db_url)
    env = {"HOME": None, "XDG_DATA_HOME": None, "CLAIMTRACK_DB": None}
    for args in (("list",), ("add", "x", "-p", "5%")):
        result = run_cli(*args, env=env, cwd=tmp_path)
        assert_refused(result, "HOME")


@pytest.mark.parametrize("zone", ["A" * 5000, "Europe/" * 300, "../../../../etc/passwd", "No/Such_Zone", "UTC; rm -rf /"])
def test_an_absurd_time_zone_is_one_line(cli, db_url, dump, monkeypatch, zone):
    _seed(cli)
    before = dump(db_url)
    monkeypatch.setenv("CLAIMTRACK_TZ", zone)
    line = assert_refused(cli("add", "x", "-p", "5%", "--due", "tomorrow"), "CLAIMTRACK_TZ")
    assert len(line) < 300
    assert dump(db_url) == before


@pytest.mark.parametrize("port", ["99999", "abc", "0", "-1", "65536"])
@sqlite_only
def test_a_bad_port_is_one_line(cli, db_url, port):
    once(db_url)
    assert_refused(cli("list", db=f"postgresql+psycopg://u:pw@127.0.0.1:{port}/db"), "port")


@sqlite_only
def test_the_review_ui_without_a_terminal_is_one_line(ledger_file, tmp_path):
    result = run_cli("--db", ledger_file, "tui", cwd=tmp_path, stdin=subprocess.DEVNULL, timeout=60)
    assert_refused(result, "terminal")


@pytest.mark.parametrize("argv", [("list",), ("add", "x", "-p", "5%"), ("verify",), ("report",), ("db", "upgrade")])
@sqlite_only
def test_etc_passwd_is_not_a_ledger(cli, db_url, argv):
    once(db_url)
    if not os.path.exists("/etc/passwd"):
        pytest.skip("no /etc/passwd")
    before = os.stat("/etc/passwd").st_mtime_ns
    assert_refused(cli(*argv, db="/etc/passwd", create=False), "not a claimtrack ledger")
    assert os.stat("/etc/passwd").st_mtime_ns == before
    assert not os.path.exists("/etc/passwd-wal")


@sqlite_only
def test_an_empty_db_option_is_one_line(cli, db_url):
    once(db_url)
    assert_refused(cli("list", db=" ", create=False), "--db is empty")


# ------------------------------------------------------------ commands


@pytest.mark.parametrize("typed, meant", [("lst", "list"), ("forcast", "forecast"), ("reslove", "resolve"),
                                          ("exprt", "export"), ("inbx", "inbox")])
@sqlite_only
def test_a_mistyped_command_gets_did_you_mean(cli, db_url, typed, meant):
    once(db_url)
    assert_refused(cli(typed), f"no such command '{typed}'", f"did you mean '{meant}'")


@sqlite_only
def test_a_mistyped_db_subcommand_gets_did_you_mean(cli, db_url):
    once(db_url)
    assert_refused(cli("db", "pth"), "did you mean 'path'")


@sqlite_only
def test_nothing_close_gets_no_guess(cli, db_url):
    once(db_url)
    line = assert_refused(cli("zzzzqq"), "no such command")
    assert "did you mean" not in line


@pytest.mark.parametrize("prob", ["-5%", "-5", "-0.5", "-3:1"])
def test_a_negative_probability_is_an_invalid_probability(cli, db_url, dump, prob):
    _seed(cli)
    before = dump(db_url)
    line = assert_refused(cli("forecast", "1", prob), "invalid probability")
    assert "no such option" not in line.lower()
    assert dump(db_url) == before


def test_a_negative_probability_after_options_too(cli, db_url, dump):
    _seed(cli)
    assert_refused(cli("forecast", "1", "--note", "why", "-5%"), "invalid probability")
    assert_refused(cli("add", "x", "-p", "-5%"), "invalid probability")
    assert cli("forecast", "1", "--note", "still fine", "55%").exit_code == 0


# ------------------------------------------------------------ drafts


def _drafts_file(tmp_path, n=2):
    claims = [{"statement": f"draft candidate number {i} " + "with a long tail of words " * 6,
               "source": f"Analyst {i}", "stated_at": f"2024-01-0{i + 1}T09:00:00Z", "status": "draft",
               "import_key": f"drafts:{i}",
               "forecasts": [{"forecaster": "notes", "probability": 0.7, "made_at": f"2024-01-0{i + 1}T09:00:00Z"}]}
              for i in range(n)]
    path = tmp_path / "drafts.json"
    path.write_text(json.dumps({"format": "claimtrack", "version": 1, "claims": claims}))
    return path


def _edits(cli, cid):
    return [(e["field"], e["old_value"], e["new_value"]) for e in json.loads(cli("show", str(cid), "--json").stdout)["edits"]]


def test_a_rejected_draft_can_be_restored_to_the_inbox(cli, db_url, tmp_path):
    assert cli("import", str(_drafts_file(tmp_path))).exit_code == 0
    assert cli("reject", "1").exit_code == 0
    assert [c["id"] for c in json.loads(cli("inbox", "--json").stdout)] == [2]
    assert [c["id"] for c in json.loads(cli("inbox", "--rejected", "--json").stdout)] == [1]
    result = cli("unreject", "1")
    assert result.exit_code == 0 and "inbox" in result.stdout
    assert [c["id"] for c in json.loads(cli("inbox", "--json").stdout)] == [1, 2]
    assert _edits(cli, 1) == [("status", "draft", "rejected"), ("status", "rejected", "draft")]


def test_a_rejected_draft_can_be_accepted(cli, db_url, tmp_path):
    assert cli("import", str(_drafts_file(tmp_path))).exit_code == 0
    assert cli("reject", "2").exit_code == 0
    assert cli("accept", "2", "-p", "40%").exit_code == 0
    listed = json.loads(cli("list", "--json").stdout)
    assert [c["id"] for c in listed] == [2]
    assert _edits(cli, 2) == [("status", "draft", "rejected"), ("status", "rejected", "active")]


@pytest.mark.parametrize("argv", [("unreject", "1"), ("unreject", "2"), ("reject", "1"), ("accept", "1")])
def test_status_changes_that_make_no_sense_are_refused(cli, db_url, dump, tmp_path, argv):
    assert cli("add", "an active claim", "-p", "50%").exit_code == 0  # claim 1
    assert cli("import", str(_drafts_file(tmp_path, 1))).exit_code == 0  # claim 2, a draft
    before = dump(db_url)
    assert_refused(cli(*argv))
    assert dump(db_url) == before


def test_the_inbox_shows_each_drafts_text_source_and_date(cli, db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")  # narrow: the made date would otherwise be dropped
    assert cli("import", str(_drafts_file(tmp_path))).exit_code == 0
    shown = cli("inbox").stdout
    flat = " ".join(shown.split())
    for i in range(2):
        assert f"Analyst {i}" in shown
        assert f"2024-01-0{i + 1}" in shown
        assert "with a long tail of words" in flat and "draft candidate number" in flat
    assert flat.count("with a long tail of words") >= 12  # every word of both statements


def test_a_dry_run_shows_each_draft_and_writes_nothing(cli, db_url, dump, tmp_path):
    _seed(cli)
    before = dump(db_url)
    result = cli("import", str(_drafts_file(tmp_path)), "--dry-run")
    assert result.exit_code == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip().startswith("draft ")]
    assert len(lines) == 2
    for i, line in enumerate(lines):
        assert f"2024-01-0{i + 1}" in line and f"Analyst {i}" in line and f"draft candidate number {i}" in line
    data = json.loads(cli("import", str(_drafts_file(tmp_path)), "--dry-run", "--json").stdout)
    assert [d["source"] for d in data["drafts"]] == ["Analyst 0", "Analyst 1"]
    assert dump(db_url) == before


# ------------------------------------------------------------ edit --made


def test_edit_can_move_the_made_date_earlier_and_records_it(cli, db_url):
    _seed(cli)
    result = cli("edit", "1", "--made", "2023-11-08", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["stated_at"] == "2023-11-08T00:00:00Z"
    assert _edits(cli, 1) == [("stated_at", "2024-01-10T00:00:00+00:00", "2023-11-08T00:00:00+00:00")]
    assert cli("verify").exit_code == 0


@pytest.mark.parametrize("made, needle", [("2024-02-01", "first forecast"), ("tomorrow", "future"),
                                          ("2030-01-01", "future"), ("not a date", "date")])
def test_edit_refuses_a_made_date_after_what_followed(cli, db_url, dump, made, needle):
    _seed(cli)
    before = dump(db_url)
    assert_refused(cli("edit", "1", "--made", made), needle)
    assert dump(db_url) == before


def test_edit_refuses_a_made_date_after_the_resolution(cli, db_url, dump):
    assert cli("add", "no forecast yet", "-p", "50%", "--made", "2024-01-01").exit_code == 0
    assert cli("resolve", "1", "yes", "--date", "2024-01-05").exit_code == 0
    before = dump(db_url)
    assert_refused(cli("edit", "1", "--made", "2024-01-03"), "first forecast")
    assert dump(db_url) == before


# ------------------------------------------------------------ db path


@sqlite_only
def test_db_path_says_how_the_ledger_was_found(cli, db_url, tmp_path, monkeypatch):
    once(db_url)
    _seed(cli)
    given = cli("db", "path")
    assert given.stdout.strip() == db_url and "given with --db" in given.stderr
    monkeypatch.setenv("CLAIMTRACK_DB", db_url)
    env = cli("db", "path", db=None)
    assert env.stdout.strip() == db_url and "$CLAIMTRACK_DB" in env.stderr
    monkeypatch.delenv("CLAIMTRACK_DB")
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "sub" / "deeper")
    found = cli("db", "path", db=None)
    assert found.stdout.strip() == db_url
    assert found.stderr.strip() == (f"(found claims.db in {tmp_path} (searched up from the current folder "
                                    f"{tmp_path / 'sub' / 'deeper'}))")
