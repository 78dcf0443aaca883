"""Where the ledger lives.

Order: ``--db`` option, else ``CLAIMTRACK_DB`` (a file path or an SQLAlchemy
URL), else a ``claims.db`` in the current folder or any parent (as git finds
``.git``), else ``claims.db`` in the user data folder (platformdirs).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DB_FILENAME = "claims.db"
ENV_DB = "CLAIMTRACK_DB"


@dataclass(frozen=True)
class LedgerLocation:
    url: str
    path: Path | None  # the file, for SQLite file databases
    how: str  # why this one: "--db", "CLAIMTRACK_DB", "found", "user data folder"

    @property
    def is_file(self) -> bool:
        return self.path is not None

    def display(self) -> str:
        return str(self.path) if self.path is not None else _hide_password(self.url)


def _hide_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _looks_like_url(value: str) -> bool:
    return "://" in value or value.startswith("sqlite:")


def from_value(value: str, how: str) -> LedgerLocation:
    """A location from a path or URL typed by the user."""
    if _looks_like_url(value):
        if value.startswith("sqlite:"):
            from sqlalchemy.engine import make_url

            database = make_url(value).database
            if database and database != ":memory:":
                path = Path(database).expanduser().resolve()
                return LedgerLocation(f"sqlite:///{path}", path, how)
        return LedgerLocation(value, None, how)
    path = Path(value).expanduser().resolve()
    return LedgerLocation(f"sqlite:///{path}", path, how)


def find_upwards(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / DB_FILENAME
        if candidate.is_file():
            return candidate
    return None


def user_data_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("claimtrack", appauthor=False)) / DB_FILENAME


def resolve_location(option: str | None = None, cwd: Path | None = None) -> LedgerLocation:
    if option:
        return from_value(option, "--db")
    env = os.environ.get(ENV_DB)
    if env:
        return from_value(env, ENV_DB)
    found = find_upwards((cwd or Path.cwd()).resolve())
    if found is not None:
        return from_value(str(found), "found")
    return from_value(str(user_data_path()), "user data folder")
