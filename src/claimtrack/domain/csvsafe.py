"""Spreadsheet formula-injection guard for CSV exports, and its exact inverse.

A cell that a spreadsheet would run as a formula (it starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) is written with a leading
apostrophe.  A cell that already starts with an apostrophe followed by one of
those characters gets one more, so :func:`unguard` can restore every cell
exactly and exports round-trip losslessly.
"""

from __future__ import annotations

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _needs(text: str) -> bool:
    return text.startswith(TRIGGERS) or (text.startswith("'") and text.lstrip("'").startswith(TRIGGERS))


def guard(value: object) -> object:
    if isinstance(value, str) and _needs(value):
        return "'" + value
    return value


def unguard(value: str) -> str:
    if value.startswith("'") and _needs(value[1:]):
        return value[1:]
    return value
