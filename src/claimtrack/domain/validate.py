"""Checks on user-supplied fields, shared by every way data comes in."""

from __future__ import annotations

import math
from urllib.parse import urlparse

from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.records import OUTCOMES
from claimtrack.domain.text import clean_name_chars, has_surrogate, terminal_safe

MAX_STATEMENT = 2000
MAX_TEXT = 20_000
MAX_NAME = 200

OUTCOME_ALIASES = {
    "y": "yes", "true": "yes", "1": "yes", "n": "no", "false": "no", "0": "no",
    "annulled": "void", "cancel": "void", "cancelled": "void", "canceled": "void",
    "unknown": "ambiguous",
}


def _no_nul(value: str, what: str) -> None:
    if "\x00" in value:
        raise InvalidInput(f"{what} contains a NUL byte: use plain text")
    if has_surrogate(value):
        raise InvalidInput(f"{what} contains invalid UTF-8 or a lone surrogate: use UTF-8 text")


def statement(value: str | None) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput("empty statement: give the claim as text, e.g. 'OpenAI ships its own chip by 2026'")
    _no_nul(text, "statement")
    if len(text) > MAX_STATEMENT:
        raise InvalidInput(f"statement too long ({len(text)} characters): at most {MAX_STATEMENT}; put the rest in --details")
    return text


def optional_text(value: str | None, what: str, limit: int = MAX_TEXT) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    _no_nul(text, what)
    if len(text) > limit:
        raise InvalidInput(f"{what} too long ({len(text)} characters): at most {limit}")
    return text


def name(value: str | None, what: str) -> str | None:
    """A person's or source's name: one line of visible characters, stored in
    NFKC form (domain.text.clean_name_chars), so names that look the same are
    the same."""
    text = optional_text(value, what, MAX_NAME)
    if text is None:
        return None
    if any(ch < " " or ch == "\x7f" for ch in text):
        raise InvalidInput(f"{what} {terminal_safe(text[:40], single_line=True)!r} contains a line break, tab "
                           "or control character: use a single-line name")
    text = clean_name_chars(text, what)
    if len(text) > MAX_NAME:
        raise InvalidInput(f"{what} too long ({len(text)} characters): at most {MAX_NAME}")
    return text


def url(value: str | None, what: str = "url") -> str | None:
    text = optional_text(value, what, 4000)
    if text is None:
        return None
    parsed = urlparse(text)
    if parsed.scheme.lower() not in ("http", "https") or not parsed.netloc or any(c.isspace() for c in text):
        raise InvalidInput(f"invalid {what} '{text[:60]}': use an http:// or https:// address")
    return text


def probability(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) or not 0.0 <= value <= 1.0:
        raise InvalidInput(f"probability {value!r} is outside 0-1: use a number from 0 to 1 (or 0% to 100%)")
    return float(value) + 0.0  # -0.0 reads back as 0.0 from SQLite: store one zero


def outcome(value: str | None) -> str:
    text = (value or "").strip().lower()
    text = OUTCOME_ALIASES.get(text, text)
    if text not in OUTCOMES:
        raise InvalidInput(f"unknown outcome '{value}': use one of {', '.join(OUTCOMES)}")
    return text
