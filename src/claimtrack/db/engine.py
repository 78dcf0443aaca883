"""Engine and session factory.  Nothing here runs at import time.

SQLite gets foreign keys, WAL, a busy timeout and explicit transactions
(``BEGIN IMMEDIATE`` for writes, so two writers queue on the busy timeout
instead of failing on a lock upgrade).  Each :meth:`Database.write` block is
one transaction: it commits whole or rolls back whole.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from claimtrack.db.location import LedgerLocation

BUSY_TIMEOUT_MS = 30_000
T = TypeVar("T")


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - trivial
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if not url.endswith(":memory:") and url != "sqlite://":
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


def make_engine(location: LedgerLocation) -> Engine:
    if location.url.startswith("sqlite"):
        return _sqlite_engine(location.url)
    return create_engine(location.url, pool_pre_ping=True)


def create_private_file(path) -> None:
    """Create an empty ledger file readable by its owner only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def _is_transient(exc: OperationalError) -> bool:
    text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    return "database is locked" in text or "deadlock detected" in text or "could not serialize" in text


class Database:
    """An open ledger: an engine plus read and write transactions."""

    def __init__(self, location: LedgerLocation, engine: Engine):
        self.location = location
        self.engine = engine
        self._write_engine = engine.execution_options(claimtrack_write=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            with session.begin():
                yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: commits at the end of the block, or writes nothing."""
        with Session(self._write_engine, expire_on_commit=False) as session:
            with session.begin():
                yield session

    def run_write(self, work: Callable[[Session], T], *, attempts: int = 5) -> T:
        """Run ``work`` in one write transaction, retrying transient lock errors."""
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
