"""Engine and session factory.  Nothing here runs at import time.

SQLite gets foreign keys, WAL, a bounded busy timeout and explicit
transactions (``BEGIN IMMEDIATE`` for writes, so two writers queue on the
busy timeout instead of failing on a lock upgrade).  Each
:meth:`Database.write` block is one transaction: it commits whole or rolls
back whole.

A file is checked before SQLite touches it (:func:`check_sqlite_file`): a
folder, a file that is not SQLite, or an SQLite database of another program
is refused, never switched to WAL or migrated.  A ledger this process cannot
write (the file, or its folder where ``-wal`` and ``-shm`` live) is opened
read-only: reads work, and every write is refused with one line.

PostgreSQL sessions run in UTC with the same bounded lock wait.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from claimtrack.db.location import LedgerLocation
from claimtrack.domain.errors import InvalidInput, LedgerUnavailable

ENV_LOCK_TIMEOUT = "CLAIMTRACK_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 10.0  # seconds a write waits for another process's lock
CONNECT_TIMEOUT = 10  # seconds to reach a PostgreSQL server
LEDGER_TABLES = frozenset({"claims", "forecasts", "resolutions"})
T = TypeVar("T")


def lock_timeout() -> float:
    """Seconds to wait for a lock: ``$CLAIMTRACK_LOCK_TIMEOUT``, else 10."""
    raw = os.environ.get(ENV_LOCK_TIMEOUT, "").strip()
    if not raw:
        return DEFAULT_LOCK_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 86_400:  # also refuses nan and inf
        raise InvalidInput(f"invalid {ENV_LOCK_TIMEOUT} '{raw[:40]}': give seconds from 0 to 86400, e.g. 10")
    return value


# ------------------------------------------------------------------ SQLite files


def check_sqlite_file(path: Path) -> str:
    """How to open the SQLite ledger at ``path``: "rw", "ro" or "immutable".

    Refuses (before SQLite writes anything, WAL included) a folder, a file
    that is not an SQLite database, and an SQLite database whose tables are
    not claimtrack's.  A missing or empty file is a new ledger ("rw").

    The file is only ever read through SQLite: closing any other handle on
    it would drop the POSIX locks that this process's open connections hold.
    """
    if path.is_dir():
        raise LedgerUnavailable(f"{path} is a folder, not a ledger file: give the path of a claims.db file")
    if not path.exists():
        return "rw"
    if not path.is_file():
        raise LedgerUnavailable(f"{path} is not a regular file (a device or a pipe?): give the path of a claims.db file")
    if not os.access(path, os.R_OK):
        raise LedgerUnavailable(f"cannot read the ledger {path}: permission denied")
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    if path.stat().st_size == 0:
        if not writable:
            raise LedgerUnavailable(f"the ledger {path} is empty and read-only: nothing to read")
        return "rw"
    mode = "rw" if writable else ("ro" if os.access(path.parent, os.W_OK) else "immutable")
    tables = _sqlite_tables(path, mode)
    if tables and not (LEDGER_TABLES & tables):
        raise LedgerUnavailable(
            f"{path} is an SQLite database of another program (tables: {', '.join(sorted(tables)[:5])}"
            f"{', ...' if len(tables) > 5 else ''}), not a claimtrack ledger; it was not changed")
    return mode


def _sqlite_uri(path: Path, mode: str) -> str:
    flag = "immutable=1" if mode == "immutable" else "mode=ro"
    return f"file:{quote(str(path))}?{flag}"


def _sqlite_tables(path: Path, mode: str) -> set[str]:
    """The table names, read without changing the file (a reader in
    rollback mode writes nothing; a WAL ledger is already WAL)."""
    try:
        if mode == "rw":
            conn = sqlite3.connect(path, timeout=lock_timeout())
        else:
            conn = sqlite3.connect(_sqlite_uri(path, mode), uri=True, timeout=lock_timeout())
        try:
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if "file is not a database" in str(exc):
            raise LedgerUnavailable(f"{path} is not a claimtrack ledger (it is not an SQLite database); "
                                    "it was not changed: give another --db, or 'claimtrack init' to create one") from None
        message = describe_failure(exc) or f"cannot read it: {exc}"
        raise LedgerUnavailable(f"{path}: {message}") from None
    return {r[0] for r in rows if not r[0].startswith("sqlite_")}


def _sqlite_engine(location: LedgerLocation, mode: str) -> Engine:
    timeout = lock_timeout()
    url = location.url
    memory = url.endswith(":memory:") or url == "sqlite://"
    kwargs: dict = {"connect_args": {"timeout": timeout}}
    if mode != "rw":
        uri = _sqlite_uri(location.path, mode)
        kwargs = {"creator": lambda: sqlite3.connect(uri, uri=True, timeout=timeout, check_same_thread=False)}
    engine = create_engine(url, **kwargs)
    busy_ms = int(timeout * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - trivial
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        cur.execute("PRAGMA foreign_keys=ON")
        if not memory and mode == "rw":
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get("claimtrack_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


def _postgresql_engine(url: str) -> Engine:
    lock_ms = int(lock_timeout() * 1000)
    # UTC sessions: timestamptz values come back in UTC whatever the server's
    # or the role's time zone; a lock wait is bounded like SQLite's.
    options = f"-c timezone=UTC -c lock_timeout={lock_ms}"
    return create_engine(url, pool_pre_ping=True,
                         connect_args={"options": options, "connect_timeout": CONNECT_TIMEOUT})


def make_engine(location: LedgerLocation, mode: str = "rw") -> Engine:
    """The engine for ``location``; a bad URL or a missing driver is one line."""
    try:
        if location.url.startswith("sqlite"):
            return _sqlite_engine(location, mode)
        if location.url.startswith("postgresql"):
            return _postgresql_engine(location.url)
        return create_engine(location.url, pool_pre_ping=True)
    except (InvalidInput, LedgerUnavailable):
        raise
    except Exception as exc:
        raise LedgerUnavailable(f"invalid database URL {location.display()}: "
                                f"{describe_failure(exc) or _first_line(exc)}") from None


def create_private_file(path) -> None:
    """Create an empty ledger file readable by its owner only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


# ------------------------------------------------------------------ failures

_LOCKED = ("database is locked", "database table is locked", "lock timeout", "could not obtain lock")
_FULL = ("database or disk is full", "no space left on device", "could not extend file", "disk quota exceeded")
_READ_ONLY = ("readonly database", "read-only database", "read-only transaction", "read-only file system",
              "permission denied for")
_UNREACHABLE = ("connection refused", "could not connect", "could not translate host name",
                "failed to resolve host", "name or service not known", "timeout expired",
                "connection timed out", "no route to host", "server closed the connection",
                "password authentication failed", "connection failed",
                "network is unreachable", "no password supplied")
_NOT_A_DB = ("file is not a database", "database disk image is malformed", "not a database")


def _first_line(exc: BaseException) -> str:
    inner = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(inner).splitlines() if line.strip()]
    return lines[0] if lines else type(inner).__name__


def describe_failure(exc: BaseException) -> str | None:
    """One line for a database or disk failure (no SQL, no driver dump), or
    None when ``exc`` is not one."""
    import errno

    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

    inner = getattr(exc, "orig", None) or exc
    if isinstance(inner, OSError) and inner.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full: nothing was written; free some space and try again"
    if isinstance(inner, OSError) and inner.errno == errno.EROFS:
        return "the ledger is read-only (a read-only file system): nothing was written"
    if isinstance(exc, NoSuchModuleError):
        dialect = str(exc).rsplit(":", 1)[-1].strip()
        return f"unknown database kind '{dialect}': use a file path, sqlite:///PATH or postgresql+psycopg://..."
    if isinstance(exc, ArgumentError):
        return f"not a database URL: {_first_line(exc)}; use a file path or e.g. postgresql+psycopg://user@host/dbname"
    if isinstance(exc, ImportError):
        name = getattr(exc, "name", None) or _first_line(exc)
        return (f"the database driver '{name}' is not installed: for PostgreSQL install "
                "'claimtrack[postgres]' and use postgresql+psycopg://")
    if not isinstance(exc, (SQLAlchemyError, sqlite3.Error)) and not _is_driver_error(inner):
        return None
    text = str(inner).lower()
    raised = _raised_by_claimtrack(str(inner))
    if raised:  # an append-only or identity trigger refused the write
        return f"{raised}; nothing was written"
    if "permission denied" in text or "must be owner" in text:
        return (f"permission denied: {_first_line(exc)} (your database role may not do this on this ledger; "
                "see 'claimtrack team'); nothing was written")
    if any(k in text for k in _LOCKED):
        return (f"the ledger is locked: another process is writing to it (waited {lock_timeout():g} s; "
                f"set {ENV_LOCK_TIMEOUT} to wait longer); nothing was written")
    if any(k in text for k in _FULL):
        return "the disk is full: nothing was written; free some space and try again"
    if any(k in text for k in _READ_ONLY):
        return "the ledger is read-only: nothing was written"
    if any(k in text for k in _NOT_A_DB):
        return "it is not a claimtrack ledger or it is damaged (not a valid SQLite database)"
    if any(k in text for k in _UNREACHABLE) or ("does not exist" in text and ('database "' in text or 'role "' in text)):
        return f"cannot reach the database server: {_first_line(exc)}"
    return f"database error: {_first_line(exc)}"


def _raised_by_claimtrack(message: str) -> str | None:
    """The text after 'claimtrack: ' of an error one of claimtrack's triggers raised, else None."""
    for line in message.splitlines():
        at = line.find("claimtrack: ")
        if at != -1 and ("append-only" in line or "must be your own name" in line):
            return line[at + len("claimtrack: "):].strip()
    return None


def _is_driver_error(exc: BaseException) -> bool:
    """A DB-API error of any driver (psycopg's, sqlite3's): by the PEP 249 names."""
    return any(c.__name__ in ("DatabaseError", "InterfaceError", "OperationalError") for c in type(exc).__mro__)


def _is_transient(exc: OperationalError) -> bool:
    """A PostgreSQL deadlock or serialisation failure: worth another try.  (An
    SQLite lock has already waited the whole busy timeout.)"""
    text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    return "deadlock detected" in text or "could not serialize" in text


class Database:
    """An open ledger: an engine plus read and write transactions."""

    def __init__(self, location: LedgerLocation, engine: Engine, *, read_only: bool = False):
        self.location = location
        self.engine = engine
        self.read_only = read_only
        self.read_only_why: str | None = None  # e.g. a team ledger's viewer
        self._write_engine = engine.execution_options(claimtrack_write=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            with session.begin():
                yield session

    def refuse_if_read_only(self) -> None:
        if self.read_only and self.read_only_why:
            raise LedgerUnavailable(f"{self.read_only_why}: nothing was written")
        if self.read_only:
            raise LedgerUnavailable(f"the ledger is read-only ({self.location.display()}): nothing was written")

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: commits at the end of the block, or writes nothing."""
        self.refuse_if_read_only()
        with Session(self._write_engine, expire_on_commit=False) as session:
            with session.begin():
                yield session

    def run_write(self, work: Callable[[Session], T], *, attempts: int = 5) -> T:
        """Run ``work`` in one write transaction, retrying deadlocks and
        serialisation failures (PostgreSQL); a lock held past the timeout fails."""
        import time

        delay = 0.05
        for attempt in range(attempts):
            try:
                with self.write() as session:
                    return work(session)
            except OperationalError as exc:
                if attempt == attempts - 1 or not _is_transient(exc):
                    raise
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def dispose(self) -> None:
        self.engine.dispose()
