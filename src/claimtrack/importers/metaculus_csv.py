"""Metaculus's CSV export: ``question_data.csv`` with ``forecast_data.csv``.

The user passes either file (its sibling is found by swapping
``question_data`` and ``forecast_data`` in the name) or the downloaded .zip.

Decisions:

* Binary questions only; others are skipped with their type named, and
  their forecast rows with them.
* Resolution yes/no/ambiguous; ``annulled`` -> void; empty = open.  Dated at
  "Resolution Known Time", else "Actual Close Time".  The export has no
  scheduled resolve time, so resolve-by is "Scheduled Close Time".
* Each forecast row is a forecast of its "Probability Yes" at its "Start
  Time".  Aggregate rows (no Forecaster ID; username ``recency_weighted``)
  are forecaster "metaculus community"; other aggregation methods are
  "metaculus <method>".  ``forecaster`` renames personal rows only.
* Keys come from Metaculus's question id (and, for forecasts, the forecaster,
  the start time to the second and the probability), so the API importer
  produces the same keys for the same question and community forecasts.
* Fatal: a missing question file, headers that are not Metaculus's.
  Skipped: non-binary questions, rows with a bad probability or time,
  forecasts for questions not in the question file.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from claimtrack.domain.records import ClaimIn, ForecastIn, ResolutionIn
from claimtrack.importers._base import (
    ZIP_MAGIC, KeyRegistry, Options, ParseResult, Skipped, check_name, check_statement, clean_url, decode_text,
    bounded_read, invalid, make_key, max_bytes, merge_tags, read_bytes, short,
)
from claimtrack.importers._csv import read_rows
from claimtrack.importers._dates import parse_when

FORMAT = "metaculus-csv"
Q_NAME, F_NAME = "question_data", "forecast_data"
Q_REQUIRED = ("Question ID", "Question Title", "Question Type")
F_REQUIRED = ("Question ID", "Forecaster Username", "Start Time", "Probability Yes")
RESOLUTIONS = {"yes": "yes", "no": "no", "ambiguous": "ambiguous", "annulled": "void"}
AGGREGATES = {"recency_weighted": "metaculus community"}
AGGREGATE_METHODS = ("recency_weighted", "unweighted", "single_aggregation", "metaculus_prediction")


def aggregate_name(method: str) -> str:
    return AGGREGATES.get(method, "metaculus " + method.replace("_", " "))


def claim_key(question_id: object) -> str:
    return make_key("metaculus", "question", str(question_id).strip())


def forecast_key(ckey: str, who: str, start_seconds: int, p: float) -> str:
    return make_key("metaculus", ckey, who, start_seconds, f"{p:.6f}")


def resolution_key(ckey: str, outcome: str) -> str:
    return make_key("metaculus", ckey, "resolution", outcome)


def looks_like(header: list[str]) -> bool:
    return all(h in header for h in Q_REQUIRED) or all(h in header for h in F_REQUIRED)


def _sibling(path: Path, want: str) -> Path | None:
    other = F_NAME if want == Q_NAME else Q_NAME
    if other in path.name:
        candidate = path.with_name(path.name.replace(other, want))
        if candidate.exists():
            return candidate
    return None


def _member(zf: zipfile.ZipFile, name: str, path: Path) -> bytes:
    """One member, read in a bounded stream (its stated size may lie)."""
    with zf.open(name) as fh:
        return bounded_read(fh, path, max_bytes(), f"{name} in the zip")


def _members(path: Path, data: bytes) -> tuple[tuple[str, bytes], tuple[str, bytes] | None]:
    """((question file name, bytes), (forecast file name, bytes) or None)."""
    if data.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = zf.namelist()
                q = next((n for n in names if n.endswith(f"{Q_NAME}.csv")), None)
                f = next((n for n in names if n.endswith(f"{F_NAME}.csv")), None)
                if q is None:
                    raise invalid(path, None, f"zip has no {Q_NAME}.csv: expected a Metaculus data export")
                return (q, _member(zf, q, path)), ((f, _member(zf, f, path)) if f else None)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise invalid(path, None, f"broken zip archive ({exc}): expected a Metaculus data export") from None
    header, _ = read_rows(path, decode_text(path, data))
    if all(h in header for h in Q_REQUIRED):
        sib = _sibling(path, F_NAME)
        return (path.name, data), ((sib.name, read_bytes(sib)) if sib else None)
    if all(h in header for h in F_REQUIRED):
        sib = _sibling(path, Q_NAME)
        if sib is None:
            raise invalid(path, None, f"is Metaculus forecast data but no {Q_NAME} file sits next to it: "
                                      f"expected {path.name.replace(F_NAME, Q_NAME)} in the same folder")
        return (sib.name, read_bytes(sib)), (path.name, data)
    raise invalid(path, "row 1", f"not a Metaculus export: expected columns {', '.join(Q_REQUIRED)} "
                                 f"({Q_NAME}.csv) or {', '.join(F_REQUIRED)} ({F_NAME}.csv)")


def parse(path: Path, data: bytes, opts: Options) -> ParseResult:
    (q_name, q_bytes), forecasts = _members(path, data)
    result = ParseResult(FORMAT)
    claims, skipped_q = _questions(path.with_name(q_name), q_bytes, opts, result)
    if forecasts is not None:
        f_name, f_bytes = forecasts
        dropped = _forecasts(path.with_name(f_name), f_bytes, opts, claims, skipped_q, result)
        for qid, (where, reason) in skipped_q.items():
            n = dropped.get(qid, 0)
            result.skipped.append(Skipped(where, reason + (f" (with its {n} forecasts)" if n else "")))
    else:
        result.skipped.extend(Skipped(w, r) for w, r in skipped_q.values())
    result.claims.extend(claims.values())
    return result


def _questions(path: Path, data: bytes, opts: Options, result: ParseResult):
    header, rows = read_rows(path, decode_text(path, data))
    missing = [h for h in Q_REQUIRED if h not in header]
    if missing:
        raise invalid(path, "row 1", f"column {short(missing[0])} is missing: expected Metaculus's "
                                     f"{Q_NAME}.csv header ({', '.join(Q_REQUIRED)}, ...)")
    col = {h: i for i, h in enumerate(header)}
    claims: dict[str, ClaimIn] = {}
    skipped: dict[str, tuple[str, str]] = {}
    for n, row in rows:
        row = row + [""] * (len(header) - len(row))

        def get(name: str) -> str:
            i = col.get(name)
            return row[i].strip() if i is not None else ""

        where = f"{path.name} row {n}"
        qid = get("Question ID")
        qtype = get("Question Type").lower()
        if qtype != "binary":
            skipped[qid] = (where, f"question {qid} is of type {short(qtype)}: only binary questions are imported")
            continue
        try:
            claims[qid] = _claim(get, qid, opts)
        except ValueError as exc:
            skipped[qid] = (where, str(exc))
            continue
        try:
            _resolve(claims[qid], get)
        except ValueError as exc:
            result.skipped.append(Skipped(where, f"{exc}; the question is imported as open"))
    return claims, skipped


def _claim(get, qid: str, opts: Options) -> ClaimIn:
    title = get("Question Title")
    label = get("Label")
    if label and label not in title:
        title = f"{title} ({label})"
    opened_raw = get("Open Time") or get("Post Published Time")
    if not opened_raw:
        raise ValueError(f"question {qid} has no Open Time")
    opened = parse_when(opened_raw)
    due_raw = get("Scheduled Close Time")
    return ClaimIn(
        statement=check_statement(title), stated_at=opened, recorded_at=opened, source="Metaculus",
        source_url=clean_url(get("Question URL") or None),
        resolve_by=parse_when(due_raw) if due_raw else None,
        tags=merge_tags(opts.tags), import_key=claim_key(qid),
    )


def _resolve(claim: ClaimIn, get) -> None:
    raw = get("Resolution")
    if not raw:
        return
    outcome = RESOLUTIONS.get(raw.lower())
    if outcome is None:
        raise ValueError(f"resolution {short(raw)} is not yes, no, ambiguous or annulled")
    when_raw = get("Resolution Known Time") or get("Actual Close Time") or get("Scheduled Close Time")
    when = parse_when(when_raw) if when_raw else claim.stated_at
    claim.resolutions.append(ResolutionIn(
        outcome=outcome, resolved_at=when, recorded_at=when, resolved_by="Metaculus",
        note="annulled on Metaculus" if raw.lower() == "annulled" else None,
        import_key=resolution_key(claim.import_key, outcome),
    ))


def _forecasts(path: Path, data: bytes, opts: Options, claims, skipped_q, result) -> dict[str, int]:
    header, rows = read_rows(path, decode_text(path, data))
    missing = [h for h in F_REQUIRED if h not in header]
    if missing:
        raise invalid(path, "row 1", f"column {short(missing[0])} is missing: expected Metaculus's "
                                     f"{F_NAME}.csv header ({', '.join(F_REQUIRED)}, ...)")
    col = {h: i for i, h in enumerate(header)}
    i_q, i_user, i_start, i_p = (col[h] for h in F_REQUIRED)
    i_id = col.get("Forecaster ID")
    keys = KeyRegistry()
    dropped: dict[str, int] = {}
    for n, row in rows:
        row = row + [""] * (len(header) - len(row))
        qid = row[i_q].strip()
        where = f"{path.name} row {n}"
        claim = claims.get(qid)
        if claim is None:
            if qid in skipped_q:
                dropped[qid] = dropped.get(qid, 0) + 1
            else:
                result.skipped.append(Skipped(where, f"question {short(qid)} is not in the question file"))
            continue
        user = row[i_user].strip()
        is_aggregate = (i_id is None or not row[i_id].strip()) and user in AGGREGATE_METHODS
        try:
            raw = row[i_p].strip()
            if not raw:
                raise ValueError("no 'Probability Yes' value")
            try:
                p = float(raw)
            except ValueError:
                raise ValueError(f"probability {short(raw)} is not a number") from None
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"probability {short(raw)} is outside 0-1")
            start = parse_when(row[i_start].strip())
            if is_aggregate:
                who = aggregate_name(user)
            else:
                who = check_name(opts.forecaster or user or opts.default_forecaster, "forecaster")
        except ValueError as exc:
            result.skipped.append(Skipped(where, str(exc)))
            continue
        claim.forecasts.append(ForecastIn(
            forecaster=who, probability=p, made_at=start, recorded_at=start,
            import_key=keys.unique(forecast_key(claim.import_key, user, int(start.timestamp()), p)),
            kind="crowd" if is_aggregate else "own",
        ))
    return dropped
