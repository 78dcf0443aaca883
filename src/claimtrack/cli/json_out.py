"""The CLI's JSON output: ``json.dumps(..., indent=2)``'s text, byte for byte,
written without building a plain copy first (``list --json`` streams tens of
thousands of claims through :func:`echo_json_list`)."""

from __future__ import annotations

import dataclasses
import json
import operator
from datetime import datetime

import click


def json_default(value):
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if dataclasses.is_dataclass(value):
        return to_plain(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def to_plain(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    return value


def echo_json(value) -> None:
    """Print ``json.dumps(to_plain(value), default=json_default, ensure_ascii=False,
    indent=2)``, byte for byte, without building the plain copy first.

    With ``indent`` the json module falls back to its pure-Python encoder;
    this writer keeps the same layout and leaf encoding (C-accelerated
    string escaping) at about half the cost, which matters for
    ``list --json`` over tens of thousands of claims.
    """
    from claimtrack.domain.text import json_escape_controls

    parts: list[str] = []
    _encode(value, "", parts)
    click.echo(json_escape_controls("".join(parts)))


FLUSH_PARTS = 8192  # echo_json_list writes its text every this many pieces
FLUSH_ITEMS = 256  # ... or items, whichever comes first


def echo_json_list(items) -> int:
    """``echo_json(list(items))``, byte for byte, written as the items come
    (a chunk of text at a time), so a long listing never sits in memory;
    returns how many items were written."""
    from claimtrack.domain.text import json_escape_controls

    parts: list[str] = []
    n = 0
    for item in items:
        parts.append(",\n  " if n else "[\n  ")
        _encode(item, "  ", parts)
        n += 1
        if len(parts) >= FLUSH_PARTS or not n % FLUSH_ITEMS:  # an object can be one piece
            click.echo(json_escape_controls("".join(parts)), nl=False)
            parts.clear()
    parts.append("\n]" if n else "[]")
    click.echo(json_escape_controls("".join(parts)))
    return n


def _float_text(value: float) -> str:
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


def _key_text(key) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, float):
        return _float_text(key)
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


_INFINITY = float("inf")
_SCALARS = {str: json.encoder.encode_basestring, int: int.__repr__, float: _float_text,
            bool: lambda v: "true" if v else "false", type(None): lambda v: "null",
            # what json_default makes of a datetime, encoded as the string it is
            datetime: lambda v: json.encoder.encode_basestring(v.isoformat().replace("+00:00", "Z"))}
_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(cls: type) -> tuple[str, ...] | None:
    """The field names of a dataclass (None for any other class), cached."""
    try:
        return _FIELD_NAMES[cls]
    except KeyError:
        names = (tuple(f.name for f in dataclasses.fields(cls))
                 if dataclasses.is_dataclass(cls) and not issubclass(cls, type) else None)
        _FIELD_NAMES[cls] = names
        return names


_HEADS: dict[tuple, tuple[str, ...]] = {}


def _heads(names: tuple[str, ...], pad: str) -> tuple[str, ...]:
    """The text before each field's value in a dataclass's object at indent ``pad``
    (the opening brace or the separator, the indent, the quoted key), cached."""
    try:
        return _HEADS[names, pad]
    except KeyError:
        inner = pad + "  "
        heads = tuple(("{\n" if i == 0 else ",\n") + inner + json.encoder.encode_basestring(name) + ": "
                      for i, name in enumerate(names))
        _HEADS[names, pad] = heads
        return heads


_TEMPLATES: dict[tuple, tuple] = {}


def _template(cls: type, names: tuple[str, ...], pad: str) -> tuple:
    """(a %-template of a dataclass's object at indent ``pad`` with one %s per
    field value, a function giving the values in field order, the lookup of
    a scalar type's text function and the one for anything else), cached: one formatting per object
    instead of an append per piece."""
    try:
        return _TEMPLATES[cls, pad]
    except KeyError:
        text = "".join(head.replace("%", "%%") + "%s" for head in _heads(names, pad))
        text += "\n" + pad.replace("%", "%%") + "}"
        values = operator.attrgetter(*names) if len(names) > 1 else (lambda v, name=names[0]: (getattr(v, name),))
        inner = pad + "  "

        def nested(item) -> str:
            part: list[str] = []
            _encode(item, inner, part)
            return "".join(part)

        _TEMPLATES[cls, pad] = entry = (text, values, _SCALARS.get, nested)
        return entry


def _encode(value, pad: str, out: list[str]) -> None:
    """Append the indent=2 JSON text of ``to_plain(value)`` to ``out``."""
    scalar = _SCALARS.get(type(value))
    if scalar is not None:
        out.append(scalar(value))
        return
    names = _field_names(type(value))
    if names is not None:  # a dataclass instance: to_plain makes it a dict
        if not names:
            out.append("{}")
            return
        template, values, encoder, nested = _template(type(value), names, pad)
        out.append(template % tuple([encoder(type(item), nested)(item) for item in values(value)]))
        return
    if isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = pad + "  "
        separator = ",\n" + inner
        out.append("[\n" + inner)
        for i, item in enumerate(value):
            if i:
                out.append(separator)
            _encode(item, inner, out)
        out.append("\n" + pad + "]")
        return
    elif isinstance(value, dict):
        items = [(_key_text(k), v) for k, v in value.items()]
    elif isinstance(value, str):
        out.append(json.encoder.encode_basestring(value))
        return
    elif isinstance(value, int):
        out.append(int.__repr__(value))
        return
    elif isinstance(value, float):
        out.append(_float_text(value))
        return
    else:
        _encode(json_default(value), pad, out)
        return
    if not items:
        out.append("{}")
        return
    inner = pad + "  "
    separator = ",\n" + inner
    out.append("{\n" + inner)
    for i, (key, item) in enumerate(items):
        if i:
            out.append(separator)
        out.append(json.encoder.encode_basestring(key) + ": ")
        scalar = _SCALARS.get(type(item))
        if scalar is not None:
            out.append(scalar(item))
        else:
            _encode(item, inner, out)
    out.append("\n" + pad + "}")
