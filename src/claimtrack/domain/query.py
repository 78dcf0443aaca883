"""The review UI's filter text: words and facets, parsed into a ClaimFilter (pure).

``openai dev tag:hardware by:thompson due:<2026-12 p>80`` means: claims whose
statement, source or tags hold both "openai" and "dev", tagged hardware, made
or forecast by someone whose name holds "thompson", due before December 2026,
whose probability is above 80% (yours, when the caller says who you are).

- a word: in the statement, the source or a tag (every word must match);
  ``"two words"`` in quotes is one phrase;
- ``tag:NAME``: carries that tag (exactly, as tags are stored);
- ``by:NAME``: the source's or a forecaster's name holds NAME;
- ``due:<DATE``, ``due:>DATE``, ``due:<=DATE``, ``due:>=DATE``, ``due:DATE`` (within
  that day, month or year); DATE is anything a date field takes (2026-12, eoy);
- ``p>80``, ``p<30%``, ``p>=0.7``: your probability (your newest own forecast), as the
  table's column shows it; claims you haven't forecast don't match.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, replace
from datetime import datetime

from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.filters import ClaimFilter, normalise_tag

_COMPARE = re.compile(r"^(<=|>=|<|>|=)?(.+)$")
_P = re.compile(r"^p(<=|>=|<|>|=)(.+)$", re.IGNORECASE)
HELP = "words, tag:NAME, by:NAME, due:<2026-12, due:>eom, p>80"


@dataclass(frozen=True)
class Query:
    words: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    due: tuple[tuple[str, datetime], ...] = ()  # (operator, instant)
    p: tuple[tuple[str, float], ...] = ()

    def apply(self, flt: ClaimFilter, me: str | None = None) -> ClaimFilter:
        """``flt`` narrowed by this query; ``p`` bounds compare ``me``'s probability
        (None: the newest forecast's, anyone's)."""
        return replace(flt, words=flt.words + self.words, tags=flt.tags + self.tags,
                       people=flt.people + self.people, due_bounds=flt.due_bounds + self.due,
                       p_bounds=flt.p_bounds + self.p, p_of=me if self.p else flt.p_of)


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:  # an unclosed quote: take the words as they are
        return text.replace('"', " ").replace("'", " ").split()


def parse_query(text: str, *, now: datetime | None = None) -> Query:
    """Parse the filter box; raises InvalidInput naming the part it cannot read."""
    from claimtrack.domain.dates import parse_date
    from claimtrack.domain.probability import parse_probability

    words: list[str] = []
    tags: list[str] = []
    people: list[str] = []
    due: list[tuple[str, datetime]] = []
    p: list[tuple[str, float]] = []
    for part in _split(text or ""):
        low = part.lower()
        if low.startswith("tag:") and len(part) > 4:
            tags.append(normalise_tag(part[4:]))
        elif low.startswith("by:") and len(part) > 3:
            people.append(part[3:].strip().lower())
        elif low.startswith("due:") and len(part) > 4:
            op, value = _COMPARE.match(part[4:]).groups()  # type: ignore[union-attr]
            try:
                start = parse_date(value, role="made", now=now)
                end = parse_date(value, role="due", now=now)
            except InvalidInput:
                raise InvalidInput(f"'{part}': the date '{value}' is not one the date fields take "
                                   "(2026-12, 2026-12-31, eoy, in 3 months)") from None
            if op in (None, "="):
                due += [(">=", start), ("<=", end)]
            elif op in ("<", ">="):
                due.append((op, start))
            else:  # > and <=: past the whole day, month or year
                due.append((op, end))
        elif (m := _P.match(part)) is not None:
            op, value = m.groups()
            try:
                prob = parse_probability(value).value
            except InvalidInput:
                raise InvalidInput(f"'{part}': '{value}' is not a probability (80, 80%, 0.8)") from None
            p.append((op, prob))
        else:
            words.append(low)
    return Query(tuple(words), tuple(tags), tuple(people), tuple(due), tuple(p))
