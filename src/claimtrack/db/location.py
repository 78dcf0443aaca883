"""Where the ledger lives, and how a database URL is shown.

Order: ``--db`` option, else ``CLAIMTRACK_DB`` (a file path or an SQLAlchemy
URL), else a ``claims.db`` in the current folder or any parent (as git finds
``.git``), else ``claims.db`` in the user data folder (platformdirs).

A password in a URL (in its userinfo, even with a raw ``@``, or as a
``password=`` query parameter) is never shown: :func:`redact_url` is the one
way a URL is displayed, and :func:`scrub` removes a URL's secrets from any
text (a driver's error message may echo them).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from claimtrack.domain.errors import InvalidInput

DB_FILENAME = "claims.db"
ENV_DB = "CLAIMTRACK_DB"
HIDDEN = "***"
# query parameters that carry a secret (libpq's and common drivers' names)
SECRET_PARAMS = frozenset({"password", "passwd", "pass", "pwd", "sslpassword"})


# ------------------------------------------------------------------ URLs


@dataclass(frozen=True)
class _UrlParts:
    scheme: str  # e.g. "postgresql+psycopg"
    user: str | None  # as written (may be percent-encoded)
    password: str | None  # as written, raw '@' included
    rest: str  # host[:port]/database?query


def _split(url: str) -> _UrlParts | None:
    """Split ``scheme://user:password@rest``.  The userinfo ends at the last
    ``@`` before the query, so a raw ``@`` in a password stays in it."""
    scheme, sep, tail = url.partition("://")
    if not sep:
        return None
    head, _, query = tail.partition("?")
    at = head.rfind("@")
    if at < 0 and "@" in query and "=" not in query[:query.rfind("@")]:
        at = len(head) + 1 + query.rfind("@")  # a '?' in the password: u:a?b@host/db
    if at < 0:
        return _UrlParts(scheme, None, None, tail)
    userinfo, rest = tail[:at], tail[at + 1:]
    user, colon, password = userinfo.partition(":")
    return _UrlParts(scheme, user, password if colon else None, rest)


def _query_items(rest: str) -> tuple[str, list[tuple[str, str, str]]]:
    """(base, [(key, value, part as written)]) of ``host/db?query``."""
    base, _, query = rest.partition("?")
    items = []
    for part in query.split("&") if query else []:
        key, _, value = part.partition("=")
        items.append((unquote(key).lower(), value, part))
    return base, items


def redact_url(url: str) -> str:
    """The URL with every password replaced by ``***``: the only way a URL is shown."""
    parts = _split(url)
    if parts is None:
        return url
    base, items = _query_items(parts.rest)
    shown = [f"{part.partition('=')[0]}={HIDDEN}" if key in SECRET_PARAMS else part for key, _, part in items]
    userinfo = ""
    if parts.user is not None:
        userinfo = parts.user + (f":{HIDDEN}" if parts.password is not None else "") + "@"
    return f"{parts.scheme}://{userinfo}{base}" + (("?" + "&".join(shown)) if items else "")


def url_secrets(url: str | None) -> list[str]:
    """The passwords in a URL, as written and percent-decoded (longest first)."""
    parts = _split(url or "")
    if parts is None:
        return []
    found = []
    if parts.password:
        found += [parts.password, unquote(parts.password), quote(unquote(parts.password), safe="")]
    for key, value, _ in _query_items(parts.rest)[1]:
        if key in SECRET_PARAMS and value:
            found += [value, unquote(value)]
    return sorted({s for s in found if s}, key=len, reverse=True)


def scrub(text: str, *urls: str | None) -> str:
    """``text`` with every secret of ``urls`` (and any URL written in it) hidden."""
    import re

    for url in urls:
        for secret in url_secrets(url):
            if len(secret) >= 4:
                text = text.replace(secret, HIDDEN)
            else:  # a short one only as a whole word, or every "p" of a message would go
                text = re.sub(rf"(?<![\w]){re.escape(secret)}(?![\w])", HIDDEN, text)
    return text


def normalise_url(url: str) -> str:
    """The URL as SQLAlchemy must read it: a raw ``@`` or ``:`` in the
    password percent-encoded (SQLAlchemy would take the part after the
    first ``@`` for the host).  Checks the port."""
    parts = _split(url)
    if parts is None:
        return url
    base, _ = _query_items(parts.rest)
    host = base.split("/", 1)[0]
    if host.startswith("["):
        port = host.rpartition("]")[2].lstrip(":")
    else:
        port = host.rpartition(":")[2] if ":" in host else ""
    if port and not (port.isascii() and port.isdigit() and 0 < int(port) <= 65535):
        raise InvalidInput(f"invalid database URL {redact_url(url)}: the port must be a number from 1 to 65535, "
                           f"not '{port[:20]}'")
    if parts.password is None:
        return url
    password = quote(unquote(parts.password), safe="")
    return f"{parts.scheme}://{parts.user}:{password}@{parts.rest}"


# ------------------------------------------------------------------ locations

HOW_WORDS = {
    "--db": "given with --db",
    ENV_DB: f"given by ${ENV_DB}",
    "user data folder": "the user data ledger: no claims.db in the current folder or any parent",
}


@dataclass(frozen=True)
class LedgerLocation:
    url: str
    path: Path | None  # the file, for SQLite file databases
    how: str  # why this one: "--db", "CLAIMTRACK_DB", "found", "user data folder"
    start: Path | None = None  # where the upward search began ("found")

    @property
    def is_file(self) -> bool:
        return self.path is not None

    @property
    def explicit(self) -> bool:
        """Named by the user (--db or $CLAIMTRACK_DB), not found or defaulted."""
        return self.how in ("--db", ENV_DB)

    def display(self) -> str:
        return str(self.path) if self.path is not None else redact_url(self.url)

    def explain(self) -> str:
        """How this ledger was found, in words."""
        if self.how == "found" and self.path is not None:
            start = "" if self.start is None else f" {self.start}"
            return f"found {self.path.name} in {self.path.parent} (searched up from the current folder{start})"
        return HOW_WORDS.get(self.how, f"chosen by {self.how}")


def _looks_like_url(value: str) -> bool:
    return "://" in value or value.startswith("sqlite:")


def _path(value: str) -> Path:
    try:
        return Path(value).expanduser().resolve()
    except RuntimeError as exc:  # '~' with no HOME and no passwd entry
        raise InvalidInput(f"cannot expand '{value}': {exc}; give an absolute path") from None


def from_value(value: str, how: str) -> LedgerLocation:
    """A location from a path or URL typed by the user."""
    if _looks_like_url(value):
        if value.startswith("sqlite:"):
            from sqlalchemy.engine import make_url

            try:
                database = make_url(value).database
            except Exception as exc:
                raise InvalidInput(f"invalid database URL {redact_url(value)}: {exc}") from None
            if database and database != ":memory:" and not database.startswith("file:"):
                path = _path(database)
                return LedgerLocation(f"sqlite:///{path}", path, how)
        return LedgerLocation(normalise_url(value), None, how)
    if "\x00" in value:
        raise InvalidInput("the ledger path contains a NUL character")
    path = _path(value)
    return LedgerLocation(f"sqlite:///{path}", path, how)


def find_upwards(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / DB_FILENAME
        if candidate.exists():  # a folder named claims.db is found too, and refused when opened
            return candidate
    return None


def user_data_path() -> Path:
    import platformdirs

    if not os.environ.get("HOME") and not os.environ.get("XDG_DATA_HOME"):
        raise InvalidInput("no ledger found and $HOME is not set, so there is no user data folder: "
                           "give --db PATH or set CLAIMTRACK_DB")
    return Path(platformdirs.user_data_dir("claimtrack", appauthor=False)) / DB_FILENAME


def resolve_location(option: str | None = None, cwd: Path | None = None) -> LedgerLocation:
    if option is not None and not option.strip():
        raise InvalidInput("--db is empty: give a ledger file or a database URL")
    if option:
        return from_value(option, "--db")
    env = os.environ.get(ENV_DB)
    if env:
        return from_value(env, ENV_DB)
    start = (cwd or Path.cwd()).resolve()
    found = find_upwards(start)
    if found is not None:
        return LedgerLocation(f"sqlite:///{found}", found, "found", start)
    return from_value(str(user_data_path()), "user data folder")


def libpq_url(url: str) -> str:
    """The URL as PostgreSQL's own tools (pg_dump, psql) take it: the plain
    ``postgresql://`` scheme and no password (they read it from ~/.pgpass
    or $PGPASSWORD)."""
    from sqlalchemy.engine import URL, make_url

    parsed = make_url(normalise_url(url))
    query = {k: v for k, v in parsed.query.items() if k.lower() not in SECRET_PARAMS}
    plain = URL.create("postgresql", username=parsed.username, host=parsed.host, port=parsed.port,
                       database=parsed.database, query=query)
    return plain.render_as_string(hide_password=False)
