"""The ledger's refusals in the UI's words, and the form field each is about.

The services word their errors for the command line ("give a later --date");
inside the UI the same message names the field instead.  Nothing here imports
textual.
"""

from __future__ import annotations

import re

# whole phrases first, then any remaining flag by the field it is in the forms
_PHRASES = (
    (re.compile(r"use --force to re-resolve"), "press r and confirm to re-resolve"),
    (re.compile(r"\(?'claimtrack accept (\d+)'\)?"), r"(press y on it in the inbox)"),
    (re.compile(r"whatever its --made date"), "whatever its made date"),
    (re.compile(r"put the rest in --details"), "put the rest in the details (e to edit)"),
    (re.compile(r"give --by SOURCE with --their"), "name the source"),
)
_FLAGS = {
    "made": "made date", "date": "date", "due": "due date", "by": "source", "their": "claimant's call",
    "since": "start", "until": "end", "tag": "tags", "url": "link", "note": "note", "force": "re-resolve",
    "details": "details", "forecaster": "forecaster", "source": "source",
}
_FLAG = re.compile(r"--([a-z][a-z-]*)")

# (words in the message, the form field ids it may be about, first that exists wins)
_FIELDS = (
    (("resolution date", "resolved"), ("date",)),
    (("forecast's made date", "made date", "made after", "is made"), ("made",)),
    (("due date",), ("due",)),
    (("evidence url", "evidence"), ("url",)),
    (("source url",), ("url",)),
    (("statement",), ("statement",)),
    (("probability",), ("probability",)),
    (("tag",), ("tags",)),
    (("note",), ("note", "rationale")),
    (("details",), ("details",)),
    (("forecaster",), ("forecaster",)),
    (("source",), ("source",)),
)


def ui_words(message: str) -> str:
    """``message`` with command-line flags replaced by what the UI calls them."""
    for pattern, words in _PHRASES:
        message = pattern.sub(words, message)
    message = re.sub(r"give a later --date", "give a later date", message)
    return _FLAG.sub(lambda m: _FLAGS.get(m.group(1), m.group(1).replace("-", " ")), message)


def field_for(message: str, fields: set[str] | list[str]) -> str | None:
    """The id of the form field ``message`` is about (among ``fields``), else None."""
    low = message.lower()
    for words, ids in _FIELDS:
        if any(w in low for w in words):
            for name in ids:
                if name in fields:
                    return name
    return None
