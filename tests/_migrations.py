"""Test helper: take a ledger back to an older schema revision (Alembic's downgrade),
as a ledger written by an older claimtrack would be."""

from __future__ import annotations


def downgrade(db, revision: str) -> None:
    from alembic import command

    from claimtrack.db import migrate

    if db.dialect == "sqlite":  # SQLite's batch rebuilds need the foreign keys off
        with db._write_engine.connect() as conn:
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
            with conn.begin():
                command.downgrade(migrate._alembic_config(conn), revision)
    else:
        with db._write_engine.begin() as conn:
            command.downgrade(migrate._alembic_config(conn), revision)
