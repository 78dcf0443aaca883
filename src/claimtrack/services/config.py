"""Who the user is: CLAIMTRACK_USER, else the config file, else the login name."""

from __future__ import annotations

import os
from pathlib import Path

ENV_USER = "CLAIMTRACK_USER"


def config_path() -> Path:
    env = os.environ.get("CLAIMTRACK_CONFIG")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("claimtrack", appauthor=False)) / "config.toml"


def read_config() -> dict:
    path = config_path()
    try:
        fh = path.open("rb")
    except OSError:  # no config file (the usual case), or unreadable
        return {}
    import tomllib  # only when there is a file to read

    with fh:
        try:
            return tomllib.load(fh)
        except (tomllib.TOMLDecodeError, OSError):
            return {}


def current_user() -> str:
    name = os.environ.get(ENV_USER, "").strip()
    if name:
        return name
    configured = str(read_config().get("user", "")).strip()
    if configured:
        return configured
    import getpass

    try:
        return getpass.getuser() or "me"
    except Exception:  # no login name (containers)
        return "me"
