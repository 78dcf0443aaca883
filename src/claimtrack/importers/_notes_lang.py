"""Sentence-level language rules for the notes importer.

What makes a sentence a candidate claim is a *marker*: a hedge or a
prediction verb outside quotation marks.  Plain statements of fact never
qualify, whatever words of probability they contain ("never", "often").

Default probabilities for markers, used only when the sentence holds no
phrase from the words-of-estimative-probability table
(:func:`claimtrack.domain.probability.find_estimative_phrase`) and no
explicit percentage; they are our choices, not survey values:

====================================  =====
marker                                p
====================================  =====
may                                   0.45
might, could                          0.40
maybe, perhaps                        0.50
I think / my guess / suspects         0.60
I believe                             0.65
I expect / expects / I bet / predicts 0.70 (predict 0.75)
speculates, rumors claim, allegedly   0.50
one possible outcome, scenario        0.35
says (a quote introduced by "X says") 0.80
will, won't, going to, 'll            0.80
====================================  =====

When several markers match, the earliest row above wins: the hedge that
qualifies the proposition says more than the verb that reports it.
"""

from __future__ import annotations

import re

# (label, pattern, default p).  Order = priority.
MARKERS: list[tuple[str, re.Pattern[str], float]] = [
    (label, re.compile(pattern), p) for label, pattern, p in (
        ("may", r"\bmay\b(?!\s+\d)", 0.45),
        ("might", r"\b[Mm]ight\b", 0.40),
        ("could", r"\b[Cc]ould\b(?!\s+not\b)", 0.40),
        ("maybe", r"\b(?:[Mm]aybe|[Pp]erhaps)\b", 0.50),
        ("I think", r"\bI (?:still )?think\b", 0.60),
        ("my guess", r"\b[Mm]y (?:best )?guess is\b|\b[Mm]y guess\b(?!es)", 0.60),
        ("I believe", r"\bI believe\b", 0.65),
        ("I expect", r"\bI (?:fully )?expect\b", 0.70),
        ("I suspect", r"\bI suspect\b", 0.60),
        ("I bet", r"\bI(?:['’]d| would)? bet\b", 0.70),
        ("I predict", r"\bI predict\b", 0.75),
        ("likely", r"\b(?:[Ll]ikely|[Pp]robably|[Uu]nlikely)\b", 0.70),
        ("suspects", r"\bsuspect(?:s|ed)\b", 0.60),
        ("expects", r"\bexpect(?:s|ed)\b", 0.70),
        ("predicts", r"\bpredict(?:s|ed)\b", 0.70),
        ("speculates", r"\bspeculat(?:es|ed)\b", 0.50),
        ("rumors claim", r"\b[Rr]umou?rs? (?:claim|say|suggest|have it)s?\b|\brumou?red\b", 0.50),
        ("allegedly", r"\b[Aa]llegedly\b", 0.50),
        ("one possible outcome", r"\bpossible (?:outcome|scenario)\b|\bone scenario\b", 0.35),
        ("will", r"\b[Ww]ill\b|\b[Ww]on['’]t\b|\bgoing to\b|\w['’]ll\b", 0.80),
    )
]
SAYS_P = 0.80
PERCENT = re.compile(
    r"\b(\d{1,3}(?:\.\d+)?)\s?%\s+(?:chance|likely|likelihood|probability|odds|sure|confident)\b"
    r"|\b(?:chance|probability|odds|likelihood)\s+(?:of\s+\w+\s+|is\s+|at\s+)?(?:about\s+|around\s+|~)?"
    r"(\d{1,3}(?:\.\d+)?)\s?%")

# A person-like name: 1-3 capitalised words ("Ben Thompson", "Zvi"); words with
# inner capitals ("OpenAI") end it.
_WORD = r"[A-Z][a-z]+(?:-[A-Z]?[a-z]+|['’][A-Z][a-z]+)?(?![A-Za-z])"
NAME = rf"{_WORD}(?:\s+(?:{_WORD}|[A-Z]\.)){{0,2}}"
STOPWORDS = {"The", "This", "That", "These", "Those", "Some", "Although", "Though", "But", "And", "More", "Most",
             "So", "Then", "In", "On", "If", "When", "While", "Also", "Now", "Still", "Maybe", "Perhaps", "It",
             "My", "Our", "Their", "His", "Her", "As", "Yet", "Even", "Today", "Here", "There", "What", "Why"}
VERBS = (r"(?:speculates?|speculated|predicts?|predicted|expects?|expected|suspects?|suspected|believes?|thinks?|"
         r"says|say|said|claims?|claimed|argues?|argued|writes|wrote|warns?|warned|estimates?|reckons?|guess(?:es)?)")
_ATTRIB = re.compile(rf"(?P<who>\b{NAME}|\b[Hh]e|\b[Ss]he|\b[Tt]hey|\bI|\b(?:[Ss]ome\s+)?[Rr]umou?rs?)\s+{VERBS}\b"
                     r"(?P<tail>\s*,\s*(?:is\s+)?(?:that\s+)?|\s+(?:that\s+)?)")
_BY = re.compile(rf"\b(?:described|predicted|suggested|argued|proposed|floated|raised)\s+by\s+(?P<who>{NAME})"
                 rf"|\baccording to\s+(?P<who2>{NAME})")
SUBJECT = re.compile(rf"\b(?P<who>{NAME})\s+(?:{VERBS[3:-1]}|interviews|told|tweeted)\b")
INTRO_SAYS = re.compile(rf"^(?P<who>{NAME})\s+(?:says|said|writes|wrote|claims|tweeted|argues|predicts)\s*:?$")

_FRAMES = [
    re.compile(r"^(?:(?:more|most|less|very)\s+likely|probably|maybe|perhaps|possibly|likely)?[,\s]*"
               r"(?:I\s+(?:still\s+)?(?:think|believe|expect|suspect|bet|guess|predict)|my\s+(?:best\s+)?guess\s+is)"
               r"(?:\s+that)?[,\s]+", re.IGNORECASE),
    re.compile(r"^(?:(?:more|most|less|very)\s+likely|maybe|perhaps|possibly|probably)[,\s]+", re.IGNORECASE),
    re.compile(r"^.*?\b(?:make the case|tell you|the claim is|the idea is)\s+that\s+", re.IGNORECASE),
]
_FIRST_CLAUSE = re.compile(r",\s+|\s[–—]\s+")
_SUBORDINATE = re.compile(r"^(?:Although|Though|Even though|While|Whereas)\b", re.IGNORECASE)
_MAIN_CLAUSE = re.compile(r"(?:,|\s[–—-])\s+(?=(?:I|we|he|she|they)\b)")

_ABBREV = {"mr", "mrs", "ms", "dr", "prof", "st", "vs", "etc", "e.g", "i.e", "inc", "jr", "sr", "no", "approx",
           "fig", "al", "u.s", "u.k", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
           "dec"}
# Linear time on any input: a run of end marks is only tried from its first
# character (the lookbehind) and taken whole (possessive quantifiers), so
# 100 KB of dots is one failed attempt, not 10^10 (issue 11).
_BOUNDARY = re.compile(r"(?<![.!?…])[.!?…]++[\"”’)\]]*+\s++(?=[\"“‘(\[]?[A-Z0-9])")
_LAST_WORD_WINDOW = 12  # longer than any abbreviation in _ABBREV


def _last_word(text: str, start: int, end: int) -> str:
    """The last word of ``text[start:end]`` when it is short enough to be an
    abbreviation, else "" (read from a bounded window, so that skipping many
    abbreviations stays linear)."""
    lo = max(start, end - _LAST_WORD_WINDOW)
    window = text[lo:end]
    words = window.split()
    if not words:
        return ""
    if len(words) == 1 and lo > start and not window[0].isspace() and not text[lo - 1].isspace():
        return ""  # the word goes on before the window: too long to be an abbreviation
    return words[-1]


def split_sentences(text: str) -> list[str]:
    out: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        last = _last_word(text, start, m.start()).lower().rstrip(".")
        if text[m.start()] == "." and (last in _ABBREV or (len(last) == 1 and last.isalpha())):
            continue
        out.append(text[start:m.end()].strip())
        start = m.end()
    if text[start:].strip():
        out.append(text[start:].strip())
    return out


def mask_quotes(sentence: str) -> str:
    """The sentence with quoted spans (“...” or "...") blanked, so markers
    inside quotes do not count.  A scan, not a regex: an unclosed quote is
    given up on once, so text full of opening quotes stays linear."""
    out: list[str] = []
    i, n = 0, len(sentence)
    next_open = {"\u201c": sentence.find("\u201c"), '"': sentence.find('"')}
    closing = {"\u201c": "\u201d", '"': '"'}
    while True:
        for q in next_open:
            if 0 <= next_open[q] < i:
                next_open[q] = sentence.find(q, i)
        live = [pos for pos in next_open.values() if pos >= 0]
        if not live:
            break
        pos = min(live)
        q = sentence[pos]
        close = sentence.find(closing[q], pos + 1)
        if close < 0:
            next_open[q] = -1  # no closing mark after this one, so none after a later one either
            continue
        out.append(sentence[i:pos])
        out.append(" " * (close + 1 - pos))
        i = close + 1
    out.append(sentence[i:n])
    return "".join(out)


def find_markers(sentence: str) -> list[tuple[str, float]]:
    masked = mask_quotes(sentence)
    return [(label, p) for label, rx, p in MARKERS if rx.search(masked)]


def explicit_percent(sentence: str) -> tuple[str, float] | None:
    m = PERCENT.search(mask_quotes(sentence))
    if m is None:
        return None
    value = float(m.group(1) or m.group(2))
    return (m.group(0), value / 100.0) if 0 <= value <= 100 else None


def clean_name(text: str | None) -> str | None:
    if not text:
        return None
    words = text.split()
    while words and words[0] in STOPWORDS:
        words.pop(0)
    return " ".join(words) or None


def attribution(sentence: str) -> tuple[str | None, re.Match[str] | None]:
    """(who, match) for "X speculates ...", "he suspects ...", "rumors claim ..."; who may be a pronoun."""
    masked = mask_quotes(sentence)
    for m in _ATTRIB.finditer(masked):
        who = m.group("who")
        if who.lower().endswith(("rumor", "rumors", "rumour", "rumours")):
            return "rumors", m
        if who in ("I", "He", "he", "She", "she", "They", "they"):
            return who.lower() if who != "I" else "I", m
        name = clean_name(who)
        if name:
            return name, m
    m = _BY.search(masked)
    if m:
        return clean_name(m.group("who") or m.group("who2")), None
    return None, None


def full_name(short_name: str, context: str) -> str:
    """Expand a one-word name to the longest "First Last" form seen in ``context``."""
    if " " in short_name:
        return short_name
    m = re.search(rf"\b{re.escape(short_name)}\s+[A-Z][a-z]+(?:['’-][A-Z]?[a-z]+)?\b", context)
    return m.group(0) if m else short_name


def last_subject(context: str) -> str | None:
    """The last person named as the subject of a reporting verb in ``context``."""
    names = [clean_name(m.group("who")) for m in SUBJECT.finditer(mask_quotes(context))]
    names = [n for n in names if n]
    return full_name(names[-1], context) if names else None


def first_marker_at(sentence: str) -> int:
    masked = mask_quotes(sentence)
    hits = [m.start() for _, rx, _ in MARKERS if (m := rx.search(masked))]
    return min(hits) if hits else 0


def clean_statement(sentence: str, match: re.Match[str] | None) -> str:
    """The proposition inside a sentence: attribution and hedge frames removed.

    In "Although/While X, Y" the claim is Y when the marker is in Y, else X.
    """
    text = sentence.strip()
    if _SUBORDINATE.match(text):
        boundary = _FIRST_CLAUSE.search(text)
        if boundary and first_marker_at(text) >= boundary.end() and len(text[boundary.end():].split()) >= 4:
            text = text[boundary.end():]
            match = None
    if match is not None:
        rest = text[match.end():].strip()
        if len(rest.split()) >= 4:
            text = rest
    for rx in _FRAMES:
        stripped = rx.sub("", text, count=1)
        if stripped != text and len(stripped.split()) >= 4:
            text = stripped
    if _SUBORDINATE.match(text) or (_SUBORDINATE.match(sentence) and match is not None):
        cuts = list(_MAIN_CLAUSE.finditer(text))
        if cuts and len(text[:cuts[-1].start()].split()) >= 4:
            text = text[:cuts[-1].start()]
        text = _SUBORDINATE.sub("", text).lstrip(" ,")
    text = text.strip().rstrip(":;,").strip()
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    if text and text[-1].isalnum():
        text += "."
    return text
