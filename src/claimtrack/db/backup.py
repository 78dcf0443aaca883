"""Consistent copies of a live SQLite ledger, and replacing its content safely.

Copies use SQLite's online backup API, into a private temporary file created
exclusively beside the destination, which gets its name only when complete
(never over an existing file).  Replacing a ledger's content never unlinks
or renames the file: other processes may have it open, and their later
writes would go to a file nobody sees.  It is rewritten in place, through
SQLite, in one transaction that holds the write lock.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from claimtrack.db import append_only, outputs
from claimtrack.domain.errors import Conflict, LedgerError

LOCK_TIMEOUT_S = 30


def backup_sqlite(source: Path, dest: Path, *, overwrite: bool = False) -> Path:
    """Copy ``source`` to ``dest`` while other connections may be writing."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    final = outputs.check_target(dest, ledger=source)
    if not overwrite and os.path.lexists(final):
        raise Conflict(f"{dest} exists: choose another name")
    temp, fd = outputs.create_temp(final)
    os.close(fd)
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=LOCK_TIMEOUT_S)
        try:
            _copy(src, temp)
        finally:
            src.close()
        outputs.place(temp, final, ledger=source, overwrite=overwrite)
    except BaseException:
        for leftover in (temp, *(temp.with_name(temp.name + s) for s in outputs.COMPANIONS)):
            try:
                os.unlink(leftover)
            except FileNotFoundError:
                pass
        raise
    return final


def _copy(src: sqlite3.Connection, temp: Path) -> None:
    dst = sqlite3.connect(temp)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
    fd = os.open(temp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def scratch_ledger(ledger: Path, copy_from: Path | None = None) -> Iterator[Path]:
    """A private scratch database beside ``ledger`` (a copy of ``copy_from`` if given), removed after."""
    temp, fd = outputs.create_temp(ledger)
    os.close(fd)
    try:
        if copy_from is not None:
            src = sqlite3.connect(f"file:{copy_from}?mode=ro", uri=True, timeout=LOCK_TIMEOUT_S)
            try:
                _copy(src, temp)
            finally:
                src.close()
        yield temp
    finally:
        for leftover in (temp, *(temp.with_name(temp.name + s) for s in outputs.COMPANIONS)):
            try:
                os.unlink(leftover)
            except FileNotFoundError:
                pass


def integrity_problem(path: Path) -> str | None:
    """SQLite's integrity check of the database at ``path``: None when it is sound."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=LOCK_TIMEOUT_S)
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        conn.close()
    return None if rows == [("ok",)] else str(rows[0][0])


def backup_path_for(db_path: Path, label: str) -> Path:
    """A dated name beside the ledger that no other process picks at the same moment."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    return db_path.with_name(f"{db_path.name}.{label}-{stamp}-{os.getpid()}.bak")


_TABLES = {  # constant SQL per schema name (identifiers cannot be bound parameters)
    "main": "SELECT name FROM main.sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    "src": "SELECT name FROM src.sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
}
_HAS_SEQUENCE = {
    "main": "SELECT 1 FROM main.sqlite_master WHERE name='sqlite_sequence'",
    "src": "SELECT 1 FROM src.sqlite_master WHERE name='sqlite_sequence'",
}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _schema(conn: sqlite3.Connection, schema: str) -> dict[str, list[str]]:
    """{table: its columns in order} (INSERT ... SELECT * relies on the order)."""
    tables = [r[0] for r in conn.execute(_TABLES[schema])]
    return {t: [r[0] for r in conn.execute("SELECT name FROM pragma_table_info(?, ?) ORDER BY cid", (t, schema))]
            for t in tables}


def _rewrite_sql(table: str) -> tuple[str, str]:
    """DELETE and INSERT ... SELECT for one table named in sqlite_master, checked to be a plain identifier."""
    if not _IDENTIFIER.fullmatch(table):
        raise LedgerError(f"unexpected table name {table!r} in the ledger; nothing was changed")
    return f'DELETE FROM main."{table}"', f'INSERT INTO main."{table}" SELECT * FROM src."{table}"'


def replace_contents(ledger: Path, source: Path, label: str, *, attempts: int = 5) -> Path:
    """Make ``ledger`` hold exactly what ``source`` holds; returns the backup of what it held.

    Both must have the same schema.  The old content is first copied to a
    dated backup beside the ledger; then, holding the write lock, the copy is
    checked to be still current (no other process committed meanwhile) and
    every table is rewritten from ``source`` in one transaction.  Readers see
    the old ledger or the new one, never a mix; no ``-wal`` is left stale,
    because every page goes through SQLite's own journal.
    """
    conn = sqlite3.connect(ledger, isolation_level=None, timeout=LOCK_TIMEOUT_S)
    try:
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("ATTACH DATABASE ? AS src", (str(source),))
        if _schema(conn, "main") != _schema(conn, "src"):
            raise LedgerError(f"{source} does not have the same schema as {ledger}; nothing was changed")
        statements = [_rewrite_sql(name) for name in _schema(conn, "main")]
        has_sequence = all(conn.execute(_HAS_SEQUENCE[schema]).fetchone() is not None for schema in ("main", "src"))
        for _ in range(attempts):
            seen = conn.execute("PRAGMA data_version").fetchone()[0]  # before the copy starts
            saved = backup_sqlite(ledger, backup_path_for(ledger, label))
            conn.execute("BEGIN IMMEDIATE")
            try:
                if conn.execute("PRAGMA data_version").fetchone()[0] != seen:
                    conn.execute("ROLLBACK")
                    os.unlink(saved)  # another process wrote meanwhile: that copy is stale
                    continue
                # the owner's maintenance path (db.append_only): history is rewritten
                # with the guards dropped, and they are installed again before COMMIT
                for stmt in append_only.drop_statements("sqlite"):
                    conn.execute(stmt)
                for delete, insert in statements:
                    conn.execute(delete)
                    conn.execute(insert)
                for stmt in append_only.install_statements("sqlite"):
                    conn.execute(stmt)
                if has_sequence:
                    conn.execute("DELETE FROM main.sqlite_sequence")
                    conn.execute("INSERT INTO main.sqlite_sequence SELECT * FROM src.sqlite_sequence")
                broken = conn.execute("PRAGMA main.foreign_key_check").fetchall()
                if broken:
                    raise LedgerError(f"{source} has {len(broken)} rows pointing at missing rows; nothing was changed")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("DETACH DATABASE src")
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.OperationalError:
                pass  # a reader holds the log; it is checkpointed later, consistently
            return saved
        raise LedgerError(f"{ledger} kept changing (other processes are writing); nothing was replaced, try again")
    finally:
        conn.close()
