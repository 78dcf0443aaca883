"""Security: user text stays text (no Rich markup, no terminal escapes, no
spreadsheet formulas), new ledger files are private, SQL is parameterised."""

from __future__ import annotations

import ast
import csv
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "claimtrack"

MARKUP = "[bold red]x[/]"
LINK = "[link=https://evil.example]click me[/link]"


# ------------------------------------------------------------ markup


def test_markup_in_user_text_is_printed_literally(cli):
    add = cli("add", f"claim {MARKUP} {LINK}", "-p", "60%", "--by", "[red]Ben[/red]",
              "--note", "[blink]why[/blink]", "--details", "[i]details[/i]", "--tag", "[b]t[/b]")
    assert add.exit_code == 0, add.stderr
    cli("forecast", "1", "70%", "--by", "[green]ana[/]", "--note", ":smile: [u]because[/u]")
    cli("resolve", "1", "yes", "--note", "[bold]done[/bold]", "--url", "https://example.com/[x]")
    listed = cli("list", "--all")
    assert MARKUP in listed.stdout and "[red]Ben[/red]" in listed.stdout
    assert "[link=https://evil.example]" in listed.stdout
    shown = cli("show", "1")
    for literal in (MARKUP, LINK, "[red]Ben[/red]", "[blink]why[/blink]", "[i]details[/i]",
                    "[green]ana[/]", ":smile: [u]because[/u]", "[bold]done[/bold]", "https://example.com/[x]"):
        assert literal in shown.stdout, literal
    assert "\N{SMILING FACE WITH SMILING EYES}" not in shown.stdout and "😄" not in shown.stdout


def test_markup_survives_due_and_the_bare_overview(cli):
    assert cli("add", f"due claim {MARKUP}", "-p", "50%", "--made", "2024-01-01", "--due", "2024-02-01").exit_code == 0
    due = cli("due")
    assert due.exit_code == 1  # overdue
    assert MARKUP in due.stdout
    bare = cli()
    assert MARKUP in bare.stdout


ESCAPES = ["\x1b[2J", "\x1b]0;owned\x07", "\x1b[31m", "\x9b31m", "\x07", "\x08\x08\x08"]


def test_terminal_escape_sequences_in_user_text_are_not_emitted(cli):
    """A statement imported from someone else's file must not drive the
    terminal (clear it, retitle it, hide text, fake hyperlinks)."""
    statement = "esc " + "|".join(ESCAPES) + " end"
    assert cli("add", statement, "-p", "60%", "--note", "\x1b[8mhidden\x1b[0m").exit_code == 0
    for out in (cli("list").stdout, cli("show", "1").stdout):
        assert "esc " in out
        for bad in ("\x1b", "\x9b", "\x07", "\x08"):
            assert bad not in out, repr(bad)
    # the stored text is unchanged: only the display neutralises it
    data = json.loads(cli("show", "1", "--json").stdout)
    assert data["claim"]["statement"] == statement


def test_escape_sequences_in_error_messages_are_not_emitted(cli):
    result = cli("forecast", "1", "\x1b]0;owned\x07")
    assert result.exit_code == 2
    assert result.stderr.startswith("claimtrack: error:")
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr


# ------------------------------------------------------------ CSV formulas

FORMULAS = ['=HYPERLINK("https://evil.example","x")', "+1+1", "-2+3", "@SUM(A1:A2)", "'=already quoted"]


def test_csv_export_guards_formulas_and_reimport_restores_them(cli, tmp_path):
    for n, formula in enumerate(FORMULAS):
        assert cli("add", "-p", "60%", "--by", "=cmd|' /C calc'!A0" if n == 0 else "me", "--", formula).exit_code == 0
    out = tmp_path / "ledger.csv"
    assert cli("export", "--format", "csv", "--out", str(out)).exit_code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    statements = [r["statement"] for r in rows if r["record"] == "claim"]
    assert statements[0] == "'" + FORMULAS[0]
    assert statements[1] == "'+1+1" and statements[2] == "'-2+3" and statements[3] == "'@SUM(A1:A2)"
    assert statements[4] == "''=already quoted"  # one more apostrophe, so the inverse is exact
    for row in rows:
        for value in row.values():
            assert not (value or "").startswith(("=", "+", "@")), row
    assert rows[0]["source"] == "'=cmd|' /C calc'!A0"
    # the same ledger re-imported elsewhere has the exact original text
    other = tmp_path / "other.db"
    imported = cli("import", str(out), db=str(other))
    assert imported.exit_code == 0, imported.stderr
    data = json.loads(cli("list", "--all", "--json", db=str(other)).stdout)
    assert sorted(c["statement"] for c in data) == sorted(FORMULAS)
    assert "=cmd|' /C calc'!A0" in {c["source"] for c in data}


def test_list_csv_guards_formulas(cli):
    assert cli("add", FORMULAS[0], "-p", "60%").exit_code == 0
    rows = list(csv.DictReader(io.StringIO(cli("list", "--csv").stdout)))
    assert rows[0]["statement"] == "'" + FORMULAS[0]


# ------------------------------------------------------------ file modes


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("how", ["init", "add", "demo"])
def test_a_new_ledger_file_is_readable_by_its_owner_only(tmp_path, how):
    path = tmp_path / "claims.db"
    env = {**os.environ, "CLAIMTRACK_DB": str(path), "PYTHONPATH": os.pathsep.join(sys.path)}
    if how == "add":  # a write with no ledger anywhere creates the user data ledger
        del env["CLAIMTRACK_DB"]
        env["XDG_DATA_HOME"] = str(tmp_path / "data")
        path = tmp_path / "data" / "claimtrack" / "claims.db"
    argv = {"init": ["init"], "add": ["add", "first claim", "-p", "60%"], "demo": ["demo", "--quiet"]}[how]
    old = os.umask(0o022)  # a typical umask that would give 0644
    try:
        result = subprocess.run([sys.executable, "-m", "claimtrack", *argv], env=env, capture_output=True, text=True,
                                cwd=tmp_path)
    finally:
        os.umask(old)
    assert result.returncode == 0, result.stderr
    assert _mode(path) == 0o600
    for suffix in ("-wal", "-shm"):
        side = Path(str(path) + suffix)
        if side.exists():
            assert _mode(side) == 0o600, suffix


def test_backup_copies_are_private_too(cli, tmp_path, db_url):
    if db_url.startswith("postgresql"):
        pytest.skip("file backups are for SQLite ledgers")
    cli("add", "a claim", "-p", "60%")
    target = tmp_path / "copy.db"
    assert cli("db", "backup", str(target)).exit_code == 0
    assert _mode(target) == 0o600


# ------------------------------------------------------------ SQL

SQL_CALLS = {"text", "exec_driver_sql", "execute", "executemany", "executescript"}
# (file, source of the first argument) for SQL built from code constants only
ALLOWED = {
    ("db/engine.py", 'f"PRAGMA busy_timeout={busy_ms}"'),
    # DDL (triggers, roles, grants: identifiers cannot be bound), from db.append_only's and db.team's constants
    ("db/append_only.py", "stmt"),
    # the current-forecast cache's statements (db.current), from its table and column name constants
    ("db/current.py", "stmt"),
}


def _built_string(node: ast.AST) -> bool:
    """An f-string, % formatting, + concatenation or .format() call."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return True
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format")


def _is_sqlalchemy_text(func: ast.AST, imported: bool) -> bool:
    """sqlalchemy's text(): a bare ``text`` imported from sqlalchemy, or ``sa.text``."""
    if isinstance(func, ast.Name):
        return imported
    return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("sa", "sqlalchemy")


def test_sql_is_never_built_from_strings():
    found = []
    files = sorted(SRC.rglob("*.py"))
    assert len(files) > 20
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        sqlalchemy_text = any(
            isinstance(n, ast.ImportFrom) and (n.module or "").startswith("sqlalchemy")
            and any(a.name == "text" and a.asname is None for a in n.names)
            for n in ast.walk(tree)
        )
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name not in SQL_CALLS or (name == "text" and not _is_sqlalchemy_text(node.func, sqlalchemy_text)):
                continue
            first = node.args[0]
            strict = name in ("text", "exec_driver_sql", "executescript")
            if _built_string(first) or (strict and not (isinstance(first, ast.Constant) and isinstance(first.value, str))):
                where = (path.relative_to(SRC).as_posix(), ast.get_source_segment(path.read_text(encoding="utf-8"), first))
                if where not in ALLOWED:
                    found.append(f"{where[0]}:{node.lineno}: {name}({where[1]})")
    assert found == [], "SQL built from strings (use bound parameters):\n" + "\n".join(found)


def test_the_sql_check_catches_what_it_should():
    """The check above is only worth something if it flags these."""
    bad = ['text(f"SELECT * FROM claims WHERE id = {x}")', 'conn.exec_driver_sql("DELETE FROM t WHERE a = %s" % x)',
           'session.execute(text("SELECT " + column))', 'cur.execute("SELECT {}".format(x))', "text(query)"]
    for source in bad:
        call = ast.parse(source).body[0].value
        first = call.args[0]
        if isinstance(first, ast.Call) and getattr(first.func, "id", None) == "text":
            first = first.args[0]
        assert _built_string(first) or not isinstance(first, ast.Constant), source


@pytest.mark.parametrize("hostile", ["'); DROP TABLE claims; --", "1 OR 1=1", "%' OR '1'='1", "\\", "_%"])
def test_hostile_text_is_stored_and_searched_literally(cli, dump, db_url, hostile):
    assert cli("add", f"plain claim", "-p", "50%").exit_code == 0
    assert cli("add", f"stmt {hostile}", "-p", "50%", "--by", hostile).exit_code == 0
    found = json.loads(cli("list", "--search", hostile, "--json").stdout)
    assert [c["statement"] for c in found] == [f"stmt {hostile}"]
    assert json.loads(cli("list", "--by", hostile, "--json").stdout)[0]["source"] == hostile
    assert len(json.loads(cli("list", "--all", "--json").stdout)) == 2
    assert {name for name, _ in dump(db_url)} >= {"claims", "forecasts", "resolutions", "claim_edits", "claim_tags"}
