"""A team ledger on PostgreSQL: roles, grants and the identity trigger (SQL only).

Three group roles per ledger, named from a prefix kept in ``ledger_settings``
(``team_prefix``, by default the database's name):

- ``PREFIX_owner``: granted to the role that ran ``team init`` (it owns the
  tables, so only it can run migrations, drop triggers or restore);
- ``PREFIX_member``: SELECT on every table, INSERT only on the history
  tables (:data:`claimtrack.db.append_only.APPEND_ONLY_TABLES`), INSERT and
  UPDATE on ``claims`` (its current fields and caches), INSERT and DELETE on
  ``claim_tags``, INSERT on ``saved_reports``;
- ``PREFIX_viewer``: SELECT only.

Each person logs in as their own role (``team add``), recorded in
``team_members`` with the name their rows carry.  The trigger function
``claimtrack_identity()`` refuses (BEFORE INSERT) a member's forecast whose
``forecaster`` (kind own) or ``recorded_by`` (any other kind), a resolution
whose ``resolved_by`` or an edit whose ``edited_by`` is not that name.  The
session's login role (``session_user``, which SET ROLE does not change)
decides; owners and roles not in ``team_members`` are not checked (the owner
imports other people's forecasts).
"""

from __future__ import annotations

import re

from claimtrack.db.append_only import APPEND_ONLY_TABLES, run_ddl

IDENTITY_FUNCTION = "claimtrack_identity"
IDENTITY_TABLES = ("forecasts", "resolutions", "claim_edits")
ROLE_KINDS = ("owner", "member", "viewer")
_ROLE = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def role_name(text: str) -> str | None:
    """``text`` as a plain PostgreSQL role name (lower case letters, digits, _), else None."""
    name = re.sub(r"[^a-z0-9_]+", "_", text.strip().lower()).strip("_")
    if name and name[0].isdigit():
        name = "m_" + name
    return name[:63] if name and _ROLE.fullmatch(name[:63]) else None


def group_roles(prefix: str) -> dict[str, str]:
    return {kind: f"{prefix}_{kind}" for kind in ROLE_KINDS}


def _q(name: str) -> str:
    if not _ROLE.fullmatch(name):
        raise ValueError(f"not a plain role name: {name!r}")
    return f'"{name}"'


def _create_role(name: str, login: bool = False) -> str:
    kind = "LOGIN" if login else "NOLOGIN"
    return (f"DO $ct$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{name}') THEN "
            f"CREATE ROLE {_q(name)} {kind}; END IF; END $ct$")


def identity_function_sql(schema: str) -> str:
    members = f'"{schema}".team_members'
    return f"""CREATE OR REPLACE FUNCTION "{schema}".{IDENTITY_FUNCTION}() RETURNS trigger LANGUAGE plpgsql
SET search_path = "{schema}", pg_temp AS $ct$
DECLARE who text; kind text; actor text; field text;
BEGIN
  SELECT m.name, m.role INTO who, kind FROM {members} m WHERE m.role_name = session_user;
  IF NOT FOUND OR kind = 'owner' THEN RETURN NEW; END IF;
  IF TG_TABLE_NAME = 'forecasts' THEN
    IF NEW.kind = 'own' THEN actor := NEW.forecaster; field := 'forecaster';
    ELSE actor := coalesce(NEW.recorded_by, NEW.forecaster); field := 'recorded_by'; END IF;
  ELSIF TG_TABLE_NAME = 'resolutions' THEN actor := NEW.resolved_by; field := 'resolved_by';
  ELSE actor := NEW.edited_by; field := 'edited_by'; END IF;
  IF kind <> 'member' OR actor IS DISTINCT FROM who THEN
    RAISE EXCEPTION 'claimtrack: % must be your own name on this team ledger (%, login role %), not %',
      field, who, session_user, coalesce(actor, 'none') USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $ct$"""


def init_statements(*, prefix: str, database: str, schema: str, owner_login: str) -> list[str]:
    """Everything ``team init`` runs, in order (each safe to run again)."""
    roles = group_roles(prefix)
    owner, member, viewer = (_q(roles[k]) for k in ROLE_KINDS)
    stmts = [_create_role(r) for r in roles.values()]
    stmts += [
        f"GRANT {owner} TO {_q(owner_login)}",
        f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM PUBLIC',
        f'REVOKE TEMPORARY ON DATABASE "{database}" FROM PUBLIC',
        f'GRANT CONNECT ON DATABASE "{database}" TO {member}, {viewer}',
        f'GRANT USAGE ON SCHEMA "{schema}" TO {member}, {viewer}',
        *grant_statements(prefix=prefix, schema=schema),
        *identity_statements(schema),
    ]
    return stmts


def identity_statements(schema: str) -> list[str]:
    stmts = [identity_function_sql(schema)]
    for table in IDENTITY_TABLES:
        stmts += [f"DROP TRIGGER IF EXISTS claimtrack_{table}_identity ON {table}",
                  f"CREATE TRIGGER claimtrack_{table}_identity BEFORE INSERT ON {table} "
                  f"FOR EACH ROW EXECUTE FUNCTION {IDENTITY_FUNCTION}()"]
    return stmts


def team_prefix(conn) -> str | None:
    """The ledger's team prefix, or None when ``team init`` never ran on it."""
    return conn.exec_driver_sql("SELECT value FROM ledger_settings WHERE key = 'team_prefix'").scalar()


def regrant_after_upgrade(conn) -> None:
    """On a team ledger, grant the roles their rights on tables an upgrade
    added, and re-install the identity triggers (in the upgrade's transaction)."""
    prefix = team_prefix(conn)
    if prefix is None:
        return
    schema = conn.exec_driver_sql("SELECT current_schema()").scalar()
    for stmt in [*grant_statements(prefix=prefix, schema=schema), *identity_statements(schema)]:
        run_ddl(conn, stmt)


def grant_statements(*, prefix: str, schema: str) -> list[str]:
    """The table grants (run again after an upgrade, for new tables)."""
    roles = group_roles(prefix)
    owner, member, viewer = (_q(roles[k]) for k in ROLE_KINDS)
    history = ", ".join(APPEND_ONLY_TABLES)
    return [
        f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO {member}, {viewer}',
        f'GRANT ALL ON ALL TABLES IN SCHEMA "{schema}" TO {owner}',
        f"GRANT INSERT ON {history} TO {member}",
        f"GRANT INSERT, UPDATE ON claims TO {member}",
        f"GRANT INSERT, DELETE ON claim_tags TO {member}",
        f"GRANT INSERT ON saved_reports TO {member}",
        f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA "{schema}" TO {member}',
    ]


def add_statements(*, prefix: str, login: str, kind: str, password: str | None) -> list[str]:
    """Create (if new) the login role and make it a member of the ledger's ``kind`` group.

    The password travels inside the connection, never in argv; it is a
    generated token of [0-9a-f] only, so it needs no escaping."""
    if kind not in ("member", "viewer"):
        raise ValueError(kind)
    stmts = [_create_role(login, login=True)]
    if password is not None:
        if not re.fullmatch(r"[0-9a-f]{16,128}", password):
            raise ValueError("password")
        stmts.append(f"ALTER ROLE {_q(login)} LOGIN PASSWORD '{password}'")
    roles = group_roles(prefix)
    other = roles["viewer" if kind == "member" else "member"]
    stmts += [f"REVOKE {_q(other)} FROM {_q(login)}", f"GRANT {_q(roles[kind])} TO {_q(login)}"]
    return stmts
