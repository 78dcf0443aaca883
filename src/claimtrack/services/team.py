"""Team ledgers on PostgreSQL: who this session is, ``team init`` and ``team add``.

The SQL is :mod:`claimtrack.db.team`'s; this module decides what to run,
runs it in one transaction, and maps the session's login role to the name
its rows carry (``team_members``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from claimtrack.db import team as sql
from claimtrack.db.append_only import run_ddl
from claimtrack.db.engine import Database
from claimtrack.domain.errors import InvalidInput, LedgerError


@dataclass(frozen=True)
class Identity:
    login: str  # the PostgreSQL login role (session_user)
    name: str  # the name its forecasts, resolutions and edits carry
    role: str  # owner, member or viewer


@dataclass(frozen=True)
class TeamPlan:
    statements: list[str]
    prefix: str
    roles: dict[str, str]


@dataclass(frozen=True)
class NewMember:
    name: str
    login: str
    role: str
    created: bool  # a new login role (else an existing one joined)
    url: str  # how to connect: no password in it
    pgpass_line: str | None  # host:port:db:login:password, for ~/.pgpass (new roles only)


def identity(db: Database) -> Identity | None:
    """This session's member row on a team ledger, else None (SQLite, no team, not a member)."""
    if db.dialect != "postgresql":
        return None
    try:
        with db.read() as session:
            row = session.execute(text("SELECT role_name, name, role FROM team_members "
                                       "WHERE role_name = session_user")).first()
    except DBAPIError:  # no SELECT on team_members: not one of this ledger's roles
        return None
    return Identity(*row) if row else None


def apply_identity(db: Database, *, write: bool) -> Identity | None:
    """Make the session's member name the default name (the CLI's and the UI's
    ``current_user``); a viewer's ledger is read-only (a write is refused)."""
    from claimtrack.services.config import set_ledger_identity

    who = identity(db)
    set_ledger_identity(who.name if who else None, who.login if who else None)
    if who is not None and who.role == "viewer":
        db.read_only = True
        db.read_only_why = (f"you are a viewer of this team ledger (login role {who.login}, '{who.name}'): "
                            "reports and the UI only")
    return who


def _require_pg(db: Database) -> None:
    if db.dialect != "postgresql":
        raise InvalidInput("team roles need a PostgreSQL ledger (a SQLite file has no logins: whoever can write "
                           "the file can write the ledger); see 'Team ledgers' in the README")


def _facts(session) -> tuple[str, str, str, str | None]:
    row = session.execute(text("SELECT current_database(), current_schema(), session_user")).first()
    prefix = session.execute(text("SELECT value FROM ledger_settings WHERE key = 'team_prefix'")).scalar()
    return row[0], row[1], row[2], prefix


def plan_init(db: Database, prefix: str | None = None) -> TeamPlan:
    """What ``team init`` runs (``--dry-run`` prints it)."""
    _require_pg(db)
    with db.read() as session:
        database, schema, login, stored = _facts(session)
    chosen = stored or prefix or sql.role_name(database)
    if prefix and stored and prefix != stored:
        raise InvalidInput(f"this ledger's team roles already use the prefix '{stored}', not '{prefix}'")
    if not chosen or sql.role_name(chosen) != chosen or len(chosen) > 50:
        raise InvalidInput(f"cannot name roles after '{prefix or database}': give --prefix NAME "
                           "(lower-case letters, digits and _, at most 50)")
    statements = sql.init_statements(prefix=chosen, database=database, schema=schema, owner_login=login)
    return TeamPlan(statements, chosen, sql.group_roles(chosen))


def init_team(db: Database, owner_name: str, prefix: str | None = None) -> TeamPlan:
    plan = plan_init(db, prefix)
    with db.write() as session:
        conn = session.connection()
        for stmt in plan.statements:
            run_ddl(conn, stmt)
        login = conn.exec_driver_sql("SELECT session_user").scalar()
        conn.execute(text("INSERT INTO ledger_settings (key, value) VALUES ('team_prefix', :p) "
                          "ON CONFLICT (key) DO NOTHING"), {"p": plan.prefix})
        _upsert_member(conn, login, owner_name, "owner")
    return plan


def _upsert_member(conn, login: str, name: str, role: str) -> None:
    taken = conn.execute(text("SELECT role_name FROM team_members WHERE name = :n"), {"n": name}).scalar()
    if taken is not None and taken != login:
        raise InvalidInput(f"the name '{name}' already belongs to login role {taken} on this ledger")
    conn.execute(text("INSERT INTO team_members (role_name, name, role, added_at) VALUES (:l, :n, :r, :t) "
                      "ON CONFLICT (role_name) DO UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role"),
                 {"l": login, "n": name, "r": role, "t": datetime.now(timezone.utc)})


def add_member(db: Database, name: str, role: str, login: str | None = None) -> NewMember:
    """Create (or reuse) a login role for ``name``, make it a ``role`` of this ledger, record it."""
    from sqlalchemy.engine import make_url

    from claimtrack.domain.validate import name as clean_name

    _require_pg(db)
    name = clean_name(name, "member name")
    chosen = login or sql.role_name(name)
    if not chosen or sql.role_name(chosen) != chosen:
        raise InvalidInput(f"cannot make a login role name from '{login or name}': give --login NAME "
                           "(lower-case letters, digits and _)")
    with db.write() as session:
        conn = session.connection()
        _, _, me, prefix = _facts(session)
        if prefix is None:
            raise LedgerError("this ledger has no team roles yet: run 'claimtrack team init' first (as its owner)")
        if chosen == me:
            raise InvalidInput(f"{chosen} is you, the ledger's owner: add members under their own login")
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": chosen}).first() is not None
        password = None if exists else secrets.token_hex(24)
        for stmt in sql.add_statements(prefix=prefix, login=chosen, kind=role, password=password):
            run_ddl(conn, stmt)
        _upsert_member(conn, chosen, name, role)
    from sqlalchemy.engine import URL

    from claimtrack.db.location import SECRET_PARAMS

    url = make_url(db.engine.url)
    query = {k: v for k, v in url.query.items() if k.lower() not in SECRET_PARAMS and k.lower() != "user"}
    url = URL.create(url.drivername, username=chosen, host=url.host, port=url.port, database=url.database,
                     query=query)  # never the owner's password
    plain = url.render_as_string(hide_password=False)
    line = None
    if password is not None:
        line = ":".join(str(x).replace("\\", "\\\\").replace(":", "\\:")
                        for x in (url.host or "localhost", url.port or 5432, url.database, chosen, password))
    return NewMember(name, chosen, role, not exists, plain, line)


def describe(exc: BaseException) -> str | None:
    """A one-line reason for a failed team command (no SQL), else None."""
    if isinstance(exc, DBAPIError):
        first = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        if "permission denied to create role" in first or "must have createrole" in first.lower():
            return (f"{first}: 'claimtrack team' needs a login with CREATEROLE (the ledger's owner, or a "
                    "database administrator)")
        return first
    return None


__all__ = ["Identity", "NewMember", "TeamPlan", "add_member", "apply_identity", "identity", "init_team",
           "plan_init"]
