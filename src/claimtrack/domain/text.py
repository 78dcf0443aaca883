"""User text made safe for a terminal, and names compared in one form.

Terminal text (:func:`terminal_safe`): every path that shows user text on a
terminal (the CLI's tables and messages, ``report`` as text or Markdown, the
review UI) goes through here.  Whole escape sequences (CSI ``ESC [ ... m``,
OSC ``ESC ] ... BEL``, DCS/SOS/PM/APC ``ESC P ... ESC \\``, their 8-bit C1
forms, and two-character ``ESC x``) are removed; any other C0/C1 control
character is shown as U+FFFD; bidirectional overrides and isolates (which can
make text read differently from what it is) are removed.  Newline and tab are
kept unless ``single_line``.

Names and tags (:func:`clean_name_chars`, :func:`name_form`): stored in NFKC
form (compatibility characters folded: fullwidth ``ａｌｉｃｅ`` is ``alice``,
a decomposed accent is one character) and refused when they hold invisible
format characters (zero-width spaces and joiners, bidi controls, the BOM, the
soft hyphen: Unicode category Cf) or control characters, so two names that
display the same are the same name.  Matching a name (``--by``,
``--forecaster``) ignores case, on the typed name's NFKC form: :func:`name_form`.  Imports keep such a
name visibly instead (:func:`visible_name`: ``<U+200B>``), so a real export's
records are not lost over a user name.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata

from claimtrack.domain.errors import InvalidInput

__all__ = ["terminal_safe", "clean_strings", "json_escape_controls", "visible_name", "clean_name_chars", "name_form", "has_surrogate"]

# ESC-introduced and 8-bit control sequences, matched whole.  String
# sequences end at BEL or ST (ESC \ or 0x9c); an unterminated one runs to
# the end of the text (a terminal would swallow that much too).
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*+[\x20-\x2f]*+[\x40-\x7e]?"  # CSI
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*+(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS, SOS, PM, APC
    r"|\x1b[\x20-\x2f]*+[\x30-\x7e]?"  # other ESC sequences (and a lone ESC)
)
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROL_MAP = {c: "\ufffd" for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0))}
_CONTROL_MAP.update({ord(c): None for c in _BIDI})
_CONTROL_MAP_ONE_LINE = {**_CONTROL_MAP, 0x09: " ", 0x0A: " "}
_NEEDS_WORK = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
_NEEDS_WORK_ONE_LINE = re.compile(rf"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def has_surrogate(text: str) -> bool:
    """True when ``text`` holds a lone surrogate (invalid UTF-8 read with
    ``surrogateescape``, or a ``\\ud800`` escape in JSON): it cannot be stored."""
    return _SURROGATE.search(text) is not None


def terminal_safe(text: object, *, single_line: bool = False) -> str:
    """``text`` as it may be written to a terminal (see the module doc)."""
    s = "" if text is None else str(text)
    if (_NEEDS_WORK_ONE_LINE if single_line else _NEEDS_WORK).search(s) is None and not has_surrogate(s):
        return s
    s = _SEQUENCE.sub("", s)
    s = _SURROGATE.sub("\ufffd", s)
    return s.translate(_CONTROL_MAP_ONE_LINE if single_line else _CONTROL_MAP)


_JSON_RAW = re.compile(rf"[\x7f-\x9f{_BIDI}\u2028\u2029]")


def json_escape_controls(text: str) -> str:
    """JSON text (written with ``ensure_ascii=False``) with the characters
    that JSON leaves raw but a terminal may act on (DEL, C1 controls such as
    the 8-bit CSI, bidi controls, line/paragraph separators) written as
    ``\\uXXXX`` escapes: the same JSON value, safe on a terminal."""
    if _JSON_RAW.search(text) is None:
        return text
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def clean_strings(value):
    """A copy of ``value`` (dataclasses, tuples, lists, dicts, nested) with
    :func:`terminal_safe` applied to every string in it: records handed to a
    display in one step, so no field can be forgotten."""
    if isinstance(value, str):
        return terminal_safe(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            if not f.init:
                continue
            old = getattr(value, f.name)
            new = clean_strings(old)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, (list, tuple)):
        items = [clean_strings(v) for v in value]
        if all(a is b for a, b in zip(items, value)):
            return value
        if isinstance(value, list):
            return items
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, dict):
        items = {clean_strings(k): clean_strings(v) for k, v in value.items()}
        return items if any(items[clean_strings(k)] is not v for k, v in value.items()) or len(items) != len(value) \
            else value
    return value


def clean_name_chars(text: str, what: str) -> str:
    """A name or tag in NFKC form; InvalidInput when it holds control or
    invisible format characters (see the module doc)."""
    if has_surrogate(text):
        raise InvalidInput(f"{what} contains invalid UTF-8 or a lone surrogate: use plain text")
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    for ch in text:
        if ch.isprintable() or ch == " ":
            continue
        cat = unicodedata.category(ch)
        kind = "an invisible format character" if cat == "Cf" else "a line break, tab or control character"
        raise InvalidInput(f"{what} {terminal_safe(text[:40], single_line=True)!r} contains {kind} "
                           f"(U+{ord(ch):04X}): use a single-line name of visible characters")
    return text


def visible_name(text: str) -> str:
    """``text`` with each invisible format character written as ``<U+XXXX>``:
    how an import keeps a name such as PredictionBook's user "\\u200b"
    (distinct, and visible) where typing it would be refused."""
    if text.isascii():
        return text
    return "".join(f"<U+{ord(ch):04X}>" if unicodedata.category(ch) == "Cf" else ch for ch in text)


def name_form(text: str | None) -> str | None:
    """A name typed to match (``--by``, ``--forecaster``) in the form names are
    stored in (NFKC); the match itself ignores case."""
    if not text or text.isascii():
        return text
    return unicodedata.normalize("NFKC", text)
