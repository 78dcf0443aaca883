"""Fatebook's CSV export (``lib/web/export.ts``): one row per forecast.

Decisions:

* Rows are grouped into one claim per question: same title and same
  "Question created at".  The claim key hashes those two, so re-exports match.
* Timestamps are server wall-clock times with unpadded seconds
  (``2024-12-09 01:12:2``) and no offset; they are read as UTC.
* Resolution YES/NO/AMBIGUOUS; empty means open.  "Question notes" become the
  claim's details, with "Question comments" appended.
* Rows with a "Multiple choice option" make multiple-choice questions
  (:mod:`.fatebook_choice`).
* ``forecaster`` renames the export's owner, taken to be the name that
  forecast on the most questions; other people's forecasts keep their names.
* Fatal: a header that is not Fatebook's.  Skipped rows: bad
  forecast value or date, unknown resolution, text the ledger cannot hold, a
  resolution that disagrees with the question's first row.  A skipped row
  adds nothing: the question is created, with its resolution, by its first
  row that passes every check.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from claimtrack.domain.records import ClaimIn, ForecastIn, ResolutionIn
from claimtrack.importers._base import (
    KeyRegistry, Options, ParseResult, Skipped, check_name, check_statement, clip_text, decode_text,
    invalid, make_key, merge_tags, short,
)
from claimtrack.importers._csv import read_rows
from claimtrack.importers._dates import parse_when

FORMAT = "fatebook"

HEADER = (
    "Question title", "Multiple choice option", "Forecast created by", "Forecast (scale = 0-1)",
    "Forecast created at", "Question created by", "Question created at", "Question resolve by", "Resolution",
    "Resolved at", "Your Brier score for this question", "Your relative Brier score for this question",
    "Question notes", "Question shared with", "Question shared publicly", "Question comments", "Question tags",
)
REQUIRED = ("Question title", "Forecast created by", "Forecast (scale = 0-1)", "Forecast created at",
            "Question created at")
RESOLUTIONS = {"YES": "yes", "NO": "no", "AMBIGUOUS": "ambiguous"}


def looks_like(header: list[str]) -> bool:
    return all(name in header for name in REQUIRED)


def parse(path: Path, data: bytes, opts: Options) -> ParseResult:
    header, rows = read_rows(path, decode_text(path, data))
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise invalid(path, "row 1", f"not a Fatebook export: column {short(missing[0])} is missing; "
                                     f"expected the header {', '.join(HEADER[:5])}, ...")
    col = {name: header.index(name) for name in HEADER if name in header}
    width = len(header)
    result = ParseResult(FORMAT)
    rows = [(n, r + [""] * (width - len(r))) for n, r in rows]

    def get(row: list[str], name: str) -> str:
        i = col.get(name)
        return row[i].strip() if i is not None else ""

    owner = _owner(rows, get)
    keys = KeyRegistry()
    claims: dict[tuple[str, str], ClaimIn] = {}
    first_row: dict[tuple[str, str], tuple[int, tuple[str, str]]] = {}  # question -> (row, its resolution)
    choice_rows: list[tuple[int, list[str]]] = []
    for n, row in rows:
        where = f"row {n}"
        if get(row, "Multiple choice option"):
            choice_rows.append((n, row))  # fatebook_choice, after the binary questions
            continue
        # Everything of the row is checked before anything of it is kept: a
        # skipped row leaves nothing behind (not its claim, nor its resolution).
        qkey = (get(row, "Question title"), get(row, "Question created at"))
        resolution_raw = (get(row, "Resolution").upper(), get(row, "Resolved at"))
        try:
            claim = claims.get(qkey)
            if claim is None:
                new_claim = _claim(row, get, opts)
                _resolution(new_claim, row, get)
            else:
                new_claim = None
                first_n, first_resolution = first_row[qkey]
                if resolution_raw != first_resolution:
                    raise ValueError(
                        f"its resolution ({_shown(resolution_raw)}) disagrees with row {first_n} of the same "
                        f"question ({_shown(first_resolution)}): the row is skipped, row {first_n}'s resolution kept")
            forecast = _forecast(row, get, claim or new_claim, owner, opts, keys)
        except ValueError as exc:
            result.skipped.append(Skipped(where, str(exc)))
            continue
        if new_claim is not None:
            claim = claims[qkey] = new_claim
            first_row[qkey] = (n, resolution_raw)
        if forecast is not None:
            claim.forecasts.append(forecast)
    result.claims.extend(claims.values())
    if choice_rows:
        from claimtrack.importers import fatebook_choice

        fatebook_choice.parse_rows(choice_rows, get, _claim, owner, opts, result)
    return result


def _shown(resolution: tuple[str, str]) -> str:
    outcome, at = resolution
    if not outcome:
        return "none"
    return f"{outcome} at {at}" if at else outcome


def _owner(rows, get) -> str | None:
    questions: dict[str, set[tuple[str, str]]] = {}
    for _, row in rows:
        who = get(row, "Forecast created by")
        questions.setdefault(who, set()).add((get(row, "Question title"), get(row, "Question created at")))
    counts = Counter({who: len(qs) for who, qs in questions.items() if who})
    return counts.most_common(1)[0][0] if counts else None


def _claim(row, get, opts: Options) -> ClaimIn:
    title = check_statement(get(row, "Question title"))
    created = parse_when(get(row, "Question created at"))
    due_raw = get(row, "Question resolve by")
    notes = get(row, "Question notes")
    comments = get(row, "Question comments")
    details = "\n\n".join(x for x in (notes, f"Comments: {comments}" if comments else "") if x)
    tags = [t.strip() for t in get(row, "Question tags").replace(";", ",").split(",") if t.strip()]
    return ClaimIn(
        statement=title,
        stated_at=created,
        recorded_at=created,
        source=check_name(get(row, "Question created by") or None, "source"),
        details=clip_text(details or None),
        resolve_by=parse_when(due_raw, end=True) if due_raw else None,
        tags=merge_tags(opts.tags, tags),
        import_key=make_key(FORMAT, title, get(row, "Question created at")),
    )


def _resolution(claim: ClaimIn, row, get) -> None:
    raw = get(row, "Resolution")
    if not raw:
        return
    outcome = RESOLUTIONS.get(raw.upper())
    if outcome is None:
        raise ValueError(f"resolution {short(raw)} is not YES, NO or AMBIGUOUS")
    at_raw = get(row, "Resolved at")
    note = None
    if at_raw:
        when = parse_when(at_raw)
    else:
        when = claim.resolve_by or claim.stated_at
        note = "Fatebook gave no resolution time: dated at the resolve-by date"
    claim.resolutions.append(ResolutionIn(
        outcome=outcome, resolved_at=when, recorded_at=when, note=note,
        resolved_by=claim.source, import_key=make_key(FORMAT, claim.import_key, "resolution", outcome),
    ))


def row_forecast(row, get, raw: str):
    """(probability, made) of a row's forecast ``raw``; ValueError in words when it is not usable."""
    try:
        p = float(raw)
    except ValueError:
        raise ValueError(f"forecast {short(raw)} is not a number") from None
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"forecast {short(raw)} is outside 0-1")
    made_raw = get(row, "Forecast created at")
    if not made_raw:
        raise ValueError("no 'Forecast created at' time")
    return p, parse_when(made_raw)


def _forecast(row, get, claim: ClaimIn, owner: str | None, opts: Options, keys: KeyRegistry) -> ForecastIn | None:
    raw = get(row, "Forecast (scale = 0-1)")
    if not raw:
        return None  # a question row without a forecast: the claim alone
    p, made = row_forecast(row, get, raw)
    who = get(row, "Forecast created by") or opts.default_forecaster
    if opts.forecaster and (who == owner or not owner):
        who = opts.forecaster
    who = check_name(who, "forecaster")
    return ForecastIn(
        forecaster=who, probability=p, made_at=made, recorded_at=made,
        import_key=keys.unique(make_key(FORMAT, claim.import_key, get(row, "Forecast created by"), made, repr(p))),
    )
