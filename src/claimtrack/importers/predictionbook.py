"""PredictionBook's API JSON (``/api/my_predictions``).

``{user, predictions: [{id, uuid, description, deadline, created_at, outcome,
withdrawn, mean_confidence, responses: [{confidence, comment, created_at,
user_label}]}]}``.

Decisions:

* Each response with a confidence (0-100) is a forecast by its
  ``user_label``; its comment becomes the forecast's rationale.  Responses
  with a comment and no confidence are not forecasts: they are listed under
  "Comments" in the claim's details, so nothing the user wrote is lost.
* ``outcome`` true/false/null -> yes/no/open.  The API has no judgement
  time, so the resolution is dated at the deadline, or at the last response
  when that is later (never in the future), and its note says so.
* A withdrawn prediction is kept as a claim resolved ``void`` (not scored),
  dated at ``updated_at`` when present, else as above, so its forecasts stay
  on record without counting.
* ``forecaster`` renames the prediction's creator (``creator_label``, else
  the export's ``user.name``); other people's responses keep their labels.
* Fatal: not an object with a ``predictions`` list, or fields of the wrong
  JSON type.  Skipped: a prediction with empty text or a bad date, a
  response with a confidence outside 0-100 or a bad date.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from claimtrack.domain.records import ClaimIn, ForecastIn, ResolutionIn
from claimtrack.importers import _json as j
from claimtrack.importers._base import (
    KeyRegistry, Options, ParseResult, Skipped, check_name, check_statement, clip_text, invalid, load_json,
    make_key, merge_tags,
)
from claimtrack.importers._dates import parse_when

FORMAT = "predictionbook"
JUDGEMENT_NOTE = ("judgement time is not in PredictionBook's API: dated at the deadline, "
                  "or the last response if later")


def looks_like(doc: object) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("predictions"), list)


def parse(path: Path, data: bytes, opts: Options) -> ParseResult:
    doc = load_json(path, data)
    if not isinstance(doc, dict) or "predictions" not in doc:
        raise invalid(path, "top level", "expected an object with a 'predictions' list "
                                         "(PredictionBook /api/my_predictions)")
    predictions = j.need_list(path, doc["predictions"], "predictions")
    user = doc.get("user")
    owner = None
    if user is not None:
        user = j.need_object(path, user, "user")
        owner = j.get(path, user, "name", "user", (str,))
    result = ParseResult(FORMAT)
    keys = KeyRegistry()
    for i, raw in enumerate(predictions):
        where = f"predictions[{i}]"
        pred = j.need_object(path, raw, where)
        pid = j.get(path, pred, "id", where, (int, str), required=True)
        label = f"prediction {pid}"
        try:
            claim = _claim(path, pred, where, owner, opts, keys, result.skipped, label)
        except ValueError as exc:
            result.skipped.append(Skipped(label, str(exc)))
            continue
        result.claims.append(claim)
    return result


def _claim(path, pred, where, owner, opts, keys, skipped, label) -> ClaimIn:
    pid = pred["id"]
    text = j.get(path, pred, "description", where, (str,), required=True)
    created = parse_when(j.get(path, pred, "created_at", where, (str,), required=True))
    deadline_raw = j.get(path, pred, "deadline", where, (str,))
    updated_raw = j.get(path, pred, "updated_at", where, (str,))
    outcome = j.get(path, pred, "outcome", where, (bool,))
    withdrawn = j.get(path, pred, "withdrawn", where, (bool,))
    creator = j.get(path, pred, "creator_label", where, (str,)) or owner
    responses = pred.get("responses") or []
    responses = j.need_list(path, responses, f"{where}.responses")
    claim = ClaimIn(
        statement=check_statement(text),
        stated_at=created,
        recorded_at=created,
        source=check_name(creator, "source"),
        source_url=f"https://predictionbook.com/predictions/{pid}",
        resolve_by=parse_when(deadline_raw, end=True) if deadline_raw else None,
        tags=merge_tags(opts.tags),
        import_key=make_key(FORMAT, pid),
    )
    comments: list[str] = []
    last = created
    for k, raw in enumerate(responses):
        rwhere = f"{where}.responses[{k}]"
        resp = j.need_object(path, raw, rwhere)
        conf = j.get(path, resp, "confidence", rwhere, (int, float))
        comment = j.get(path, resp, "comment", rwhere, (str,))
        made_raw = j.get(path, resp, "created_at", rwhere, (str,), required=True)
        who_raw = j.get(path, resp, "user_label", rwhere, (str,)) or creator or opts.default_forecaster
        rid = j.get(path, resp, "id", rwhere, (int, str))
        try:
            made = parse_when(made_raw)
            if conf is None:
                if comment and comment.strip():
                    comments.append(f"- {who_raw} ({made.date().isoformat()}): {comment.strip()}")
                continue
            if not 0 <= conf <= 100:
                raise ValueError(f"confidence {conf!r} is outside 0-100")
            who = who_raw
            if opts.forecaster and (creator is None or who_raw == creator):
                who = opts.forecaster
            who = check_name(who, "forecaster") or opts.default_forecaster
        except ValueError as exc:
            skipped.append(Skipped(f"{label} response {k + 1}", str(exc)))
            continue
        last = max(last, made)
        ident = ("id", rid) if rid is not None else (who_raw, made, repr(conf))
        claim.forecasts.append(ForecastIn(
            forecaster=who, probability=conf / 100.0, made_at=made, recorded_at=made,
            rationale=clip_text(comment) if comment else None,
            import_key=keys.unique(make_key(FORMAT, claim.import_key, *ident)),
        ))
    if comments:
        claim.details = clip_text("Comments:\n" + "\n".join(comments))
    now = datetime.now(timezone.utc)
    judged = min(max(claim.resolve_by or created, last), now)
    if withdrawn:
        when = parse_when(updated_raw) if updated_raw else judged
        claim.resolutions.append(ResolutionIn(
            outcome="void", resolved_at=when, recorded_at=when, note="withdrawn on PredictionBook",
            import_key=make_key(FORMAT, claim.import_key, "resolution", "void"),
        ))
    elif outcome is not None:
        verdict = "yes" if outcome else "no"
        claim.resolutions.append(ResolutionIn(
            outcome=verdict, resolved_at=judged, recorded_at=judged, note=JUDGEMENT_NOTE,
            import_key=make_key(FORMAT, claim.import_key, "resolution", verdict),
        ))
    return claim
