"""Who the user is, and the few settings kept in the config file.

The user's name: ``name`` in the config file (``claimtrack config set name
NAME``), else ``$CLAIMTRACK_USER``, else the login name.  A generic login
name (root, admin, user, ubuntu, ...) becomes ``me``: a report should never
call you "root", and ``--forecaster me`` should find you.

The config file is TOML (``$CLAIMTRACK_CONFIG``, else
``~/.config/claimtrack/config.toml``); the keys claimtrack reads are listed
in :data:`KEYS`.
"""

from __future__ import annotations

import os
from pathlib import Path

from claimtrack.domain.errors import InvalidInput

ENV_USER = "CLAIMTRACK_USER"
GENERIC_LOGINS = frozenset({
    "root", "admin", "administrator", "user", "ubuntu", "debian", "ec2-user", "centos", "fedora",
    "pi", "vagrant", "guest", "default", "runner", "docker", "app", "nobody", "jovyan", "codespace",
})
# key -> what it means (``claimtrack config`` lists them)
KEYS = {
    "name": "your name as a forecaster (also `user`, the older key)",
    "asserted_probability": "the probability a claim stated as fact stands for (default 95%)",
    "stale_days": "days after which your last forecast on an open claim is stale in the review queue (default 30)",
}


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


def _toml_value(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def set_value(key: str, value: str | None) -> Path:
    """Set (or with None, remove) one top-level key, keeping the rest of the file."""
    from claimtrack.domain import validate

    if key not in KEYS:
        raise InvalidInput(f"unknown setting '{key}': use one of {', '.join(KEYS)}")
    if value is not None:
        if key == "name":
            value = validate.name(value, "name")
            if not value:
                raise InvalidInput("the name is empty: give the name your forecasts go under")
        elif key == "asserted_probability":
            from claimtrack.domain.kinds import asserted_probability

            asserted_probability(value)
        elif key == "stale_days":
            from claimtrack.domain.review import stale_days as check_days

            value = str(check_days(value))
    path = config_path()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    except OSError as exc:
        raise InvalidInput(f"cannot read the config file {path}: {exc.strerror}") from None
    keys = {key} | ({"user"} if key == "name" else set())  # `name` replaces the older `user`
    kept = []
    in_table = False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("["):
            in_table = True
        if not in_table and "=" in stripped and stripped.split("=", 1)[0].strip() in keys:
            continue
        kept.append(line)
    if value is not None:
        first_table = next((i for i, line in enumerate(kept) if line.strip().startswith("[")), len(kept))
        kept.insert(first_table, f"{key} = {_toml_value(value)}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text("\n".join(kept) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise InvalidInput(f"cannot write the config file {path}: {exc.strerror}") from None
    return path


def _generic(name: str) -> str:
    return "me" if name.strip().lower() in GENERIC_LOGINS else name


def current_user() -> str:
    configured = read_config()
    for key in ("name", "user"):
        value = str(configured.get(key, "")).strip()
        if value:
            return value
    name = os.environ.get(ENV_USER, "").strip()
    if name:
        return _generic(name)
    import getpass

    try:
        return _generic(getpass.getuser() or "me")
    except Exception:  # no login name (containers)
        return "me"


def user_source() -> str:
    """Where :func:`current_user` found the name, in words."""
    configured = read_config()
    if any(str(configured.get(k, "")).strip() for k in ("name", "user")):
        return f"the config file {config_path()}"
    if os.environ.get(ENV_USER, "").strip():
        return f"${ENV_USER}"
    return "your login name"


def asserted_probability() -> float:
    from claimtrack.domain.kinds import asserted_probability as check

    return check(read_config().get("asserted_probability"))


def stale_days() -> int:
    """The review queue's stale age in days (``stale_days``, default 30)."""
    from claimtrack.domain.review import stale_days as check

    return check(read_config().get("stale_days"))
