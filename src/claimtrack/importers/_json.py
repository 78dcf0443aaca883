"""Typed access to parsed JSON, with one-line errors naming where the type was wrong.

Wrong *types* (a list where an object belongs, a string where a number
belongs) mean the file is not the export we think it is, so they are fatal
(InvalidInput).  Wrong *values* of the right type (a date string that is not
a date, a confidence of 150) are the caller's to skip.
"""

from __future__ import annotations

from pathlib import Path

from claimtrack.importers._base import invalid

_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true/false", list: "a list",
          dict: "an object"}


def _typename(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    return {str: "a string", int: "a number", float: "a number", list: "a list", dict: "an object"}.get(
        type(value), type(value).__name__)


def get(path: Path, obj: dict, key: str, where: str, kinds: tuple[type, ...], *, required: bool = False):
    """``obj[key]`` if it has one of ``kinds``; None when missing or null (unless required)."""
    value = obj.get(key)
    if value is None:
        if required:
            raise invalid(path, where, f"'{key}' is missing: expected {' or '.join(_NAMES[k] for k in kinds)}")
        return None
    if isinstance(value, bool) and bool not in kinds:
        ok = False
    else:
        ok = isinstance(value, kinds) or (float in kinds and isinstance(value, int))
    if not ok:
        raise invalid(path, f"{where}.{key}",
                      f"expected {' or '.join(_NAMES[k] for k in kinds)}, got {_typename(value)}")
    return value


def need_object(path: Path, value: object, where: str) -> dict:
    if not isinstance(value, dict):
        raise invalid(path, where, f"expected an object, got {_typename(value)}")
    return value


def need_list(path: Path, value: object, where: str) -> list:
    if not isinstance(value, list):
        raise invalid(path, where, f"expected a list, got {_typename(value)}")
    return value
