"""What a user asks to see: claim filters shared by the CLI, the UI and reports."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from claimtrack.domain.errors import InvalidInput

# open: active and unresolved; due: open with resolve_by within `due_within`
# (overdue included); overdue: open with resolve_by in the past; resolved:
# has a current resolution; draft: import candidates waiting in the inbox;
# all: every active claim, resolved or not (drafts and rejected excluded).
STATES = ("open", "due", "overdue", "resolved", "all", "draft", "rejected")

DEFAULT_DUE_WITHIN = timedelta(days=7)


@dataclass(frozen=True)
class ClaimFilter:
    state: str = "open"
    tags: tuple[str, ...] = ()  # claim must carry every tag given
    source: str | None = None  # who made the claim (case-insensitive exact)
    forecaster: str | None = None  # someone who forecast on it
    search: str | None = None  # substring of statement, source or a tag
    since: datetime | None = None  # stated_at >= since
    until: datetime | None = None  # stated_at <= until
    due_within: timedelta = DEFAULT_DUE_WITHIN
    now: datetime | None = None  # fixed clock for tests; None = now
    # the review UI's filter (domain.query): every word in the statement, source or a tag;
    # every name in the source or a forecaster; (operator, value) bounds on due and newest p
    words: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    due_bounds: tuple[tuple[str, datetime], ...] = ()
    p_bounds: tuple[tuple[str, float], ...] = ()
    # whose probability p_bounds compare: that person's newest own forecast
    # (None: the newest forecast on the claim, anyone's)
    p_of: str | None = None

    def __post_init__(self) -> None:
        from claimtrack.domain.text import name_form

        for name in ("source", "forecaster"):  # matched in the form names are stored in
            object.__setattr__(self, name, name_form(getattr(self, name)))
        if self.state not in STATES:
            raise InvalidInput(f"unknown state '{self.state}': use one of {', '.join(STATES)}")
        if self.since and self.until and self.since > self.until:
            raise InvalidInput("--since is after --until: nothing can match")

    def with_state(self, state: str) -> "ClaimFilter":
        return replace(self, state=state)


def normalise_tag(tag: str) -> str:
    """Tags are case-insensitive (NFKC, case-folded), trimmed, and use '-' for
    inner spaces; control and invisible format characters (zero-width, bidi)
    are refused.  A comma separates tags, so no tag holds one."""
    from claimtrack.domain.text import clean_name_chars, terminal_safe

    cleaned = "-".join(tag.strip().lower().split())
    if not cleaned:
        raise InvalidInput("empty tag: tags are words such as 'openai' or 'ai-policy'")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in cleaned):
        shown = terminal_safe(cleaned[:40], single_line=True)
        raise InvalidInput(f"tag {shown!r} contains a control character (e.g. NUL): use plain words")
    if not cleaned.isascii():
        cleaned = "-".join(clean_name_chars(cleaned, "tag").casefold().split())
    if len(cleaned) > 100:
        raise InvalidInput(f"tag too long ({len(cleaned)} characters): at most 100")
    return cleaned


def normalise_tags(tags) -> tuple[str, ...]:
    out: list[str] = []
    for raw in tags:
        for part in str(raw).split(","):
            if part.strip():
                tag = normalise_tag(part)
                if tag not in out:
                    out.append(tag)
    return tuple(out)


def join_tags(tags) -> str:
    """Tags as one CSV cell: ``;``-separated, a ``;`` or ``\\`` inside a tag
    escaped with a backslash, so any tag round-trips (:func:`split_tags`)."""
    return ";".join(t.replace("\\", "\\\\").replace(";", "\\;") for t in tags)


def split_tags(cell: str) -> list[str]:
    """The tags of a :func:`join_tags` cell."""
    out, buf, i = [], [], 0
    while i < len(cell):
        ch = cell[i]
        if ch == "\\" and i + 1 < len(cell):
            buf.append(cell[i + 1])
            i += 2
            continue
        if ch == ";":
            out.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
        i += 1
    out.append("".join(buf))
    return [t for t in out if t]
