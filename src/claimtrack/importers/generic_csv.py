"""Any CSV of claims and forecasts, one forecast per row.

Columns are found by name (case, spaces, ``camelCase`` and bracketed notes
ignored, so ``Forecast (0-100)`` is ``forecast``); :data:`FIELDS` lists the
names each field answers to, first match wins.  ``mapping`` (``--map
statement=claim_text,probability=p``) overrides a default; ``field=`` with
no column switches a default off.

Decisions:

* Rows are grouped into claims by ``(dataset, claim_id)``, or by
  ``(dataset, statement)`` when there is no id column.  The claim's text,
  url, resolve-by date and details come from its first row; it is stated at
  its earliest row's date.
* ``source``/``dataset`` columns name the data set a row came from (the
  realdata files' ``source``), so the value becomes a TAG and part of the
  grouping key, not the claim's source.  A claim's source comes from
  ``made_by``/``said_by``/``claimant`` columns, or ``--map source=COLUMN``.
* Probabilities: a column is read as percent when its header says so (``%``,
  ``percent``, ``0-100``), or, without a hint, when values above 1 outnumber
  values strictly between 0 and 1; a value written ``70%`` is always percent.
  0 and 1 are kept.  A value outside the range skips its row.  An empty
  probability adds the row's claim without a forecast.
* Dates: see :mod:`claimtrack.importers._dates`.  A row's date is both when
  the forecast was made and when it was recorded, unless a ``recorded_at``
  column says otherwise.  Date-only due dates mean the end of that day.
* Outcomes 1/0/yes/no/true/false/ambiguous/void/annulled/cancel(led);
  empty = open.  Without a resolved_at date the resolution is dated at the
  later of resolve-by and the claim's last forecast (noted on it).
* Fatal (InvalidInput): no claim-text or date column, a ``--map`` naming an
  unknown field or a missing column.  Skipped rows: empty text, bad or
  missing date, bad probability, unknown outcome, text or name the ledger
  cannot hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import chain
from datetime import datetime, timezone
from pathlib import Path

from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.records import ClaimIn, ResolutionIn
from claimtrack.importers._base import (
    Options, ParseResult, Skipped, check_name, check_statement, clean_url, clip_text,
    decode_pieces, invalid, make_key, merge_tags, short,
)
from claimtrack.importers._csv import column_values, norm_header, stream_rows
from claimtrack.importers._dates import parse_when
from claimtrack.importers._forecast_rows import ForecastRows, Values

FORMAT = "csv"

FIELDS: dict[str, tuple[str, ...]] = {
    "statement": ("statement", "claim", "claim_text", "question", "title", "question_title", "prediction",
                  "description"),
    "probability": ("probability", "p", "prob", "forecast", "confidence", "credence", "probability_yes",
                    "forecast_value"),
    "forecaster": ("forecaster", "user", "by", "who", "author", "username", "user_label", "forecast_created_by",
                   "predictor"),
    "source": ("made_by", "said_by", "claimant", "speaker", "source_name"),
    "dataset": ("source", "dataset"),
    "url": ("url", "source_url", "link", "question_url"),
    "created_at": ("created_at", "date", "made", "made_at", "timestamp", "forecast_created_at", "created",
                   "forecast_date", "time"),
    "recorded_at": ("recorded_at", "logged_at", "entered_at"),
    "resolve_by": ("resolve_by", "deadline", "due", "close", "close_date", "close_time", "resolve_date",
                   "due_date", "question_resolve_by"),
    "resolved_at": ("resolved_at", "resolution_date", "resolved_on", "resolution_time", "resolved_date"),
    "outcome": ("outcome", "resolution", "result", "resolved_as"),
    "tags": ("tags", "tag", "labels", "question_tags"),
    "claim_id": ("claim_id", "id", "question_id"),
    "rationale": ("rationale", "comment", "reason", "why"),
    "details": ("details", "notes", "note", "question_notes"),
}

OUTCOME_WORDS = {
    "1": "yes", "1.0": "yes", "yes": "yes", "y": "yes", "true": "yes",
    "0": "no", "0.0": "no", "no": "no", "n": "no", "false": "no",
    "ambiguous": "ambiguous", "unknown": "ambiguous",
    "void": "void", "annulled": "void", "cancel": "void", "cancelled": "void", "canceled": "void",
}


def parse_mapping(spec: str) -> dict[str, str]:
    """``"statement=claim_text,probability=p"`` -> ``{"statement": "claim_text", "probability": "p"}``."""
    out: dict[str, str] = {}
    for item in (spec or "").split(","):
        item = item.strip()
        if not item:
            continue
        field, sep, column = item.partition("=")
        field = field.strip().lower()
        if not sep:
            raise InvalidInput(f"--map item {short(item)} has no '=': use field=COLUMN, e.g. statement=claim_text")
        if field not in FIELDS:
            raise InvalidInput(f"--map field {short(field)} is unknown: use one of {', '.join(FIELDS)}")
        out[field] = column.strip()
    return out


def find_columns(path: Path, header: list[str], mapping: Mapping[str, str] | None) -> dict[str, int]:
    """Field -> column index, defaults first, then the mapping's overrides."""
    normed = [norm_header(h) for h in header]
    taken: set[int] = set()
    columns: dict[str, int] = {}
    mapping = dict(mapping or {})
    for field, column in mapping.items():
        if field not in FIELDS:
            raise invalid(path, None, f"--map field {short(field)} is unknown: use one of {', '.join(FIELDS)}")
        if not column:
            continue
        if column in header:
            idx = header.index(column)
        elif norm_header(column) in normed:
            idx = normed.index(norm_header(column))
        else:
            raise invalid(path, None, f"--map {field}={short(column)}: no such column; "
                                      f"available columns: {', '.join(header)}")
        columns[field] = idx
        taken.add(idx)
    for field, names in FIELDS.items():
        if field in mapping:
            continue
        for name in names:
            if name in normed and normed.index(name) not in taken:
                columns[field] = normed.index(name)
                taken.add(columns[field])
                break
    return columns


def has_default_columns(header: list[str]) -> bool:
    """True when the defaults find claim text and a probability (used to sniff the format)."""
    normed = {norm_header(h) for h in header}
    return bool(normed & set(FIELDS["statement"])) and bool(normed & set(FIELDS["probability"]))


def _percent_column(raw_header: str, values: Iterable[str]) -> bool:
    h = raw_header.lower().replace("–", "-").replace(" ", "")
    if "%" in h or "percent" in h or "0-100" in h:
        return True
    if "0-1" in h:
        return False
    above = between = 0
    for v in values:
        try:
            x = float(v)
        except ValueError:
            continue
        if x > 1:
            above += 1
        elif 0 < x < 1:
            between += 1
    return above > between


def _probability(text: str, percent: bool) -> float:
    s = text.strip()
    if s.endswith("%"):
        percent, s = True, s[:-1].strip()
    try:
        x = float(s)
    except ValueError:
        raise ValueError(f"probability {short(text)} is not a number") from None
    if x != x or x in (float("inf"), float("-inf")):
        raise ValueError(f"probability {short(text)} is not a number")
    if percent:
        if not 0 <= x <= 100:
            raise ValueError(f"probability {short(text)} is outside 0-100")
        return x / 100.0
    if not 0 <= x <= 1:
        raise ValueError(f"probability {short(text)} is outside 0-1")
    return x


def _split_tags(text: str) -> list[str]:
    return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]


class _Group:
    __slots__ = ("claim", "forecasts", "outcome", "resolved_at", "last_made")

    def __init__(self, claim: ClaimIn, values: Values) -> None:
        self.claim = claim
        # compact rows, each ForecastIn (and its import key) built when read
        self.forecasts = claim.forecasts = ForecastRows(claim.import_key, values)
        self.outcome: tuple[str, int] | None = None  # (outcome, row)
        self.resolved_at: datetime | None = None
        self.last_made: datetime = claim.stated_at


def _new_claim(text: str, made: datetime, dataset: str, id_text: str, row: list[str],
               c: dict[str, int | None], base_tags: tuple[str, ...]) -> ClaimIn:
    def get(field: str) -> str:
        i = c[field]
        return row[i].strip() if i is not None else ""

    statement = check_statement(text)
    due_raw = get("resolve_by")
    return ClaimIn(
        statement=statement,
        stated_at=made,
        recorded_at=made,
        source=check_name(get("source") or None, "source"),
        source_url=clean_url(get("url") or None),
        details=clip_text(get("details") or None),
        resolve_by=parse_when(due_raw, end=True) if due_raw else None,
        tags=merge_tags(base_tags, [dataset] if dataset else [], _split_tags(get("tags"))),
        import_key=make_key("csv", dataset, id_text, statement),
    )


def parse(path: Path, data: bytes, opts: Options) -> ParseResult:
    text = decode_pieces(path, data)  # (decoded a piece at a time as the rows are read)
    header, rows = stream_rows(path, text)  # one row at a time: the file's rows never sit in memory together
    cols = find_columns(path, header, opts.mapping)
    for need, what in (("statement", "claim text"), ("created_at", "date")):
        if need not in cols:
            raise invalid(path, "row 1", f"no {what} column (one of {'|'.join(FIELDS[need][:6])}) among "
                                         f"columns {', '.join(header) or '(none)'}: name one with --map {need}=COLUMN")
    result = ParseResult(FORMAT)
    first = next(rows, None)
    if first is None:
        return result
    rows = chain((first,), rows)
    ncols = len(header)
    c: dict[str, int | None] = {f: cols.get(f) for f in FIELDS}
    i_text, i_made, i_p = c["statement"], c["created_at"], c["probability"]
    i_out, i_res, i_rec, i_who = c["outcome"], c["resolved_at"], c["recorded_at"], c["forecaster"]
    i_set, i_id, i_why = c["dataset"], c["claim_id"], c["rationale"]
    percent = False
    if i_p is not None:
        # decided by the header or, failing that, by every value of the column (a first read of the file)
        percent = _percent_column(header[i_p], column_values(path, text, i_p))
    groups: dict[tuple[str, str], _Group] = {}
    skipped = result.skipped
    base_tags = tuple(opts.tags)
    iso: dict[str, str] = {}  # date text -> ISO text for keys (isoformat is slow)
    pcache: dict[str, tuple[float, str]] = {}  # probability text -> value, its repr (values repeat a lot)
    values = Values()  # the distinct names, probabilities and dates of the forecasts of every claim

    for n, row in rows:
        if len(row) < ncols:
            row = row + [""] * (ncols - len(row))
        try:
            text = row[i_text].strip()
            if not text:
                raise ValueError(f"no claim text in column {short(header[i_text])}")
            made_raw = row[i_made].strip()
            if not made_raw:
                raise ValueError(f"no date in column {short(header[i_made])}")
            made = parse_when(made_raw)
            prob_raw = row[i_p].strip() if i_p is not None else ""
            if prob_raw:
                hit = pcache.get(prob_raw)
                if hit is None:
                    value = _probability(prob_raw, percent)
                    hit = pcache[prob_raw] = (value, repr(value))
                p, p_repr = hit
            else:
                p = None
            outcome_raw = row[i_out].strip() if i_out is not None else ""
            outcome = None
            if outcome_raw:
                outcome = OUTCOME_WORDS.get(outcome_raw.lower())
                if outcome is None:
                    raise ValueError(f"outcome {short(outcome_raw)} is not one of "
                                     "1/0/yes/no/true/false/ambiguous/void/annulled/cancel")
            resolved_raw = row[i_res].strip() if i_res is not None else ""
            resolved = parse_when(resolved_raw) if resolved_raw else None
            recorded_raw = row[i_rec].strip() if i_rec is not None else ""
            recorded = parse_when(recorded_raw) if recorded_raw else made
            forecaster = opts.forecaster or (row[i_who].strip() if i_who is not None else "")
            forecaster = check_name(forecaster or opts.default_forecaster, "forecaster")
            dataset = row[i_set].strip() if i_set is not None else ""
            id_text = row[i_id].strip() if i_id is not None else ""
            gkey = (dataset, id_text or text)
            group = groups.get(gkey)
            if group is None:
                try:
                    claim = _new_claim(text, made, dataset, id_text, row, c, base_tags)
                except ValueError as exc:
                    raise ValueError(f"{exc} (in a claim field)") from None
                group = groups[gkey] = _Group(claim, values)
            claim = group.claim
            if outcome is not None and group.outcome is not None and group.outcome[0] != outcome:
                # reported and skipped whole: a skipped row leaves nothing behind
                raise ValueError(f"outcome {short(outcome_raw)} conflicts with '{group.outcome[0]}' on row "
                                 f"{group.outcome[1]} of the same claim: the row is skipped, the first kept")
        except ValueError as exc:
            skipped.append(Skipped(f"row {n}", str(exc)))
            continue
        if made < claim.stated_at:
            claim.stated_at = claim.recorded_at = made
        if made > group.last_made:
            group.last_made = made
        if outcome is not None and group.outcome is None:
            group.outcome = (outcome, n)
        if resolved is not None and group.resolved_at is None:
            group.resolved_at = resolved
        if p is not None:
            when = iso.get(made_raw)
            if when is None:
                when = iso[made_raw] = made.isoformat()
            rationale = row[i_why].strip() if i_why is not None else ""
            group.forecasts.add(forecaster, p, p_repr, made, when, recorded,
                                clip_text(rationale) if rationale else None)

    now = datetime.now(timezone.utc)
    for group in groups.values():
        claim = group.claim
        if group.outcome is not None:
            outcome = group.outcome[0]
            note = None
            when = group.resolved_at
            if when is None:  # never in the future: the file already knows the outcome
                when = min(max(claim.resolve_by or group.last_made, group.last_made), max(now, group.last_made))
                note = "resolution date not in the file: dated at the later of resolve-by and the last forecast"
            claim.resolutions.append(ResolutionIn(
                outcome=outcome, resolved_at=when, note=note, recorded_at=when,
                import_key=make_key("csv", claim.import_key, "resolution", outcome),
            ))
        result.claims.append(claim)
    return result
