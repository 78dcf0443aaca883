"""Plain-text or Markdown notes -> draft candidate claims.

Decisions:

* The text is cut into blocks: paragraphs (consecutive non-blank lines),
  Markdown headings, list items.  A heading glued to the end of a paragraph
  (``... text. ## Governance``) is split off.  Headings, questions, asides in
  parentheses and short fragments are never claims.
* Dates: a block that is only a date (``2023-11-08 4:37 PM``, ``2023-11-21``,
  ``## Nov 18 2023``) or a paragraph that starts with one and a colon or
  dash (``Nov 18: ...``, ``March 2024: ...``) sets the date for what follows.
  A date without a year takes the year of the last date with one (or of the
  file's modification time, never later than it).  A month alone means its
  first day.  Times are wall-clock times in the user's zone
  (``$CLAIMTRACK_TZ``).  Text before any date is dated at the file's
  modification time, and its rationale says so.
* A sentence is a candidate when it holds a marker outside quotation marks
  (:mod:`claimtrack.importers._notes_lang`).  Indented or ``>`` block quotes
  are someone else's words: they become a candidate only when the block
  before introduces them, either as ``NAME says``/``writes``/... (the whole
  quote is NAME's claim) or with a colon after a prediction marker ("one
  possible outcome ... was described by Ben Thompson:").  The same intro
  rules apply to an unindented paragraph after such an intro.
* The claim's source (and the forecaster of its one forecast) is whoever the
  text names ("Ben Thompson speculates", "described by X", "George Hotz
  says", "rumors claim" -> "rumors", "he suspects" -> the last person named
  as speaking), else the note's author: ``forecaster`` or
  ``default_forecaster``.  Unresolvable pronouns drop the sentence.
* Probability: an explicit "30% chance", else the words-of-estimative-
  probability table, else the marker's default.  The rationale names the
  phrase, the basis and the source sentence.
* Status is ``draft``.  Keys hash the sentence text and the date string, not
  the file, so re-importing an edited notes file adds only new sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from pathlib import Path

from claimtrack.domain.dates import to_utc, user_timezone
from claimtrack.domain.probability import find_estimative_phrase
from claimtrack.domain.records import ClaimIn, ForecastIn
from claimtrack.importers import _notes_lang as lang
from claimtrack.importers._base import (
    Options, ParseResult, Skipped, check_name, check_statement, clean_url, clip_text, decode_text, make_key,
    merge_tags,
)

FORMAT = "notes"
MIN_WORDS = 5

_MONTHS = {m: i for i, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), 1) for m in names}
_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|" \
         r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_TIME = r"(?:\s+(?:at\s+)?(?P<h>\d{1,2}):(?P<mi>\d{2})\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?)?"
_DATE = (
    rf"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s+)?"
    rf"(?:(?P<y>\d{{4}})-(?P<m>\d{{2}})-(?P<d>\d{{2}})"
    rf"|(?P<mon1>{_MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y1>\d{{4}}))?"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon2>{_MONTH})(?:,?\s+(?P<y2>\d{{4}}))?"
    rf"|(?P<mon3>{_MONTH})\s+(?P<y3>\d{{4}}))" + _TIME
)
_DATE_LINE = re.compile(rf"^\s*(?:#+\s*)?[*_]*{_DATE}[*_]*\s*:?\s*$", re.IGNORECASE)
_DATED_PARA = re.compile(rf"^\s*{_DATE}\s*(?::|\s[-–—])\s+(?P<rest>\S.*)$", re.IGNORECASE | re.DOTALL)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_TRAILING_HEADING = re.compile(r"\s#{1,6}\s+(?P<h>[^#.!?]{1,80})$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_URL = re.compile(r"https?://[^\s<>\"”)]+")


@dataclass
class _Block:
    line: int
    text: str
    quote: bool = False
    heading: bool = False


@dataclass
class _When:
    day: date
    clock: time | None
    key: str  # the date as written in keys: 2023-11-08 or 2024-03
    guessed: bool = False


def _blocks(text: str) -> list[_Block]:
    out: list[_Block] = []
    buf: list[str] = []
    start = 0

    def flush() -> None:
        if buf:
            quote = all(line[:1].isspace() or line.lstrip().startswith(">") for line in buf)
            joined = " ".join(line.strip().lstrip(">").strip() for line in buf)
            m = _TRAILING_HEADING.search(joined)
            if m:
                out.append(_Block(start, joined[:m.start()].strip(), quote))
                out.append(_Block(start, m.group("h").strip(), heading=True))
            else:
                out.append(_Block(start, joined, quote))
            buf.clear()

    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            flush()
            continue
        if _HEADING.match(line) or _LIST_ITEM.match(line) or _DATE_LINE.match(line):
            flush()
            if _HEADING.match(line) and not _DATE_LINE.match(line):
                out.append(_Block(n, _HEADING.sub("", line).strip(), heading=True))
            else:
                out.append(_Block(n, _LIST_ITEM.sub("", line).strip()))
            continue
        if not buf:
            start = n
        buf.append(line)
    flush()
    return out


def _when(m: re.Match[str], last_year: int, ceiling: date) -> _When:
    g = m.groupdict()
    if g["y"]:
        day = date(int(g["y"]), int(g["m"]), int(g["d"]))
        key = day.isoformat()
    elif g["mon3"]:
        day = date(int(g["y3"]), _MONTHS[g["mon3"].lower().rstrip(".")], 1)
        key = day.isoformat()[:7]
    else:
        mon = _MONTHS[(g["mon1"] or g["mon2"]).lower().rstrip(".")]
        d = int(g["d1"] or g["d2"])
        year = g["y1"] or g["y2"]
        guessed = year is None
        day = date(int(year) if year else last_year, mon, d)
        if guessed and day > ceiling:
            day = date(day.year - 1, mon, d)
        return _When(day, _clock(g), day.isoformat(), guessed)
    return _When(day, _clock(g), key)


def _clock(g: dict) -> time | None:
    if not g.get("h"):
        return None
    hour, minute = int(g["h"]), int(g["mi"])
    ampm = (g.get("ampm") or "").lower().replace(".", "")
    if ampm:
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _stated_at(when: _When) -> datetime:
    return to_utc(datetime.combine(when.day, when.clock or time(0, 0), tzinfo=user_timezone()))


def parse(path: Path, data: bytes, opts: Options) -> ParseResult:
    text = decode_text(path, data)
    try:
        mtime = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
    except OSError:
        mtime = datetime.now(timezone.utc)
    result = ParseResult(FORMAT)
    author = opts.forecaster or opts.default_forecaster
    current: _When | None = None
    last_year = mtime.year
    blocks = _blocks(text)
    seen: set[str] = set()
    intro: tuple[str | None, str, str] | None = None  # (who, marker, intro text) for the next block
    for i, block in enumerate(blocks):
        body = block.text
        m = _DATE_LINE.match(body) or _DATED_PARA.match(body)
        if m:
            try:
                current = _when(m, last_year, mtime.date())
            except ValueError:
                m = None
            else:
                if not current.guessed:
                    last_year = current.day.year
                body = m.groupdict().get("rest") or ""
        if block.heading or not body.strip():
            intro = None
            continue
        pending, intro = intro, _intro(body)
        previous = blocks[i - 1].text if i else ""
        context = f"{previous} {body}"
        if pending is not None:
            who, marker, intro_text = pending
            _add(result, seen, opts, author, current, mtime, block.line, body, body, None, who, marker,
                 f"{intro_text} {body}")
            continue
        if block.quote:
            continue
        for sentence in lang.split_sentences(body):
            _consider(result, seen, opts, author, current, mtime, block.line, sentence, body, context)
    return result


def _intro(body: str) -> tuple[str | None, str, str] | None:
    """An intro that hands the next block to a named speaker, or None."""
    sentences = lang.split_sentences(body)
    last = sentences[-1] if sentences else ""
    m = lang.INTRO_SAYS.match(last)
    if m:
        return lang.clean_name(m.group("who")), "says", last
    if last.endswith(":"):
        markers = [label for label, _ in lang.find_markers(last)
                   if label in ("one possible outcome", "speculates", "predicts", "expects", "I think", "my guess",
                                "I expect", "I predict", "rumors claim")]
        if markers:
            who, _ = lang.attribution(last)
            if who in ("he", "she", "they"):
                who = lang.last_subject(body)
            return (None if who == "I" else who), markers[0], last
    return None


def _consider(result, seen, opts, author, current, mtime, line, sentence, body, context) -> None:
    words = sentence.split()
    if len(words) < MIN_WORDS or sentence.rstrip("”\"’' ").endswith("?") or sentence.endswith(":"):
        return
    if sentence.startswith("(") and sentence.rstrip().rstrip(".").endswith(")"):
        return
    markers = lang.find_markers(sentence)
    percent = lang.explicit_percent(sentence)
    if not markers and percent is None:
        return
    who, match = lang.attribution(sentence)
    if who in ("he", "she", "they"):
        who = lang.last_subject(context[: len(context) - len(body)] + body[: body.find(sentence)])
        if who is None:
            result.skipped.append(Skipped(f"line {line}", "a hedged sentence whose speaker ('he'/'she'/'they') "
                                                          "could not be identified was not turned into a claim"))
            return
    if who == "I":
        who = None
    if who is None and markers and markers[0][0] == "allegedly":
        who = "rumors"
    marker = markers[0][0] if markers else "stated percentage"
    _add(result, seen, opts, author, current, mtime, line, sentence, body, match, who, marker, body)


def _add(result, seen, opts, author, current, mtime, line, sentence, body, match, who, marker, context) -> None:
    statement = lang.clean_statement(sentence, match)
    try:
        statement = check_statement(statement)
        forecaster = check_name(who or author, "forecaster")
    except ValueError as exc:
        result.skipped.append(Skipped(f"line {line}", str(exc)))
        return
    # the claimant's call: a percent they gave is "stated"; a hedge word is
    # "implied", read through the words-of-estimative-probability table (or
    # the notes markers' own documented values), the word kept as its basis.
    # The note-taker's own hedges (no other speaker) are their own forecasts.
    percent = lang.explicit_percent(sentence)
    if percent is not None:
        phrase, p = percent
        basis = "stated in the text"
        kind, word = "stated", None
    elif (found := find_estimative_phrase(lang.mask_quotes(sentence))) is not None:
        phrase, p = found
        basis = "words-of-estimative-probability table"
        kind, word = "implied", phrase
    else:
        phrase = marker
        p = dict((label, q) for label, _, q in lang.MARKERS).get(marker, lang.SAYS_P)
        basis = "default for this marker; no table phrase in the sentence"
        kind, word = "implied", marker
    if who is None:
        kind, word = "own", None
    if current is None:
        stated, date_key, dated = mtime, "undated", "undated: file modification time"
    else:
        stated, date_key, dated = _stated_at(current), current.key, current.key
    norm = " ".join(sentence.lower().replace("’", "'").replace("“", '"').replace("”", '"').split())
    key = make_key(FORMAT, norm, date_key)
    if key in seen:
        return
    seen.add(key)
    spoken = f"{who} " if who else ""
    rationale = (f"{spoken}'{phrase}' -> {p * 100:.0f}% ({basis}); notes line {line}, {dated}: "
                 f"\u201c{' '.join(sentence.split())}\u201d")
    url = _URL.search(context)
    result.claims.append(ClaimIn(
        statement=statement, stated_at=stated, source=forecaster, status="draft",
        source_url=clean_url(url.group(0)) if url else None,
        details=clip_text(f"From notes, line {line}: {context}" if context != sentence else None),
        tags=merge_tags(opts.tags), import_key=key,
        forecasts=[ForecastIn(forecaster=forecaster, probability=p, made_at=stated, rationale=clip_text(rationale),
                              import_key=make_key(FORMAT, key, "forecast"), kind=kind, basis=word)],
    ))
