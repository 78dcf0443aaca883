"""Metaculus API post JSON: one post, a list of posts, or ``{"results": [...]}``.

Decisions:

* A post must wrap a single ``question``; group and conditional posts are
  skipped with a reason.  ``binary`` questions follow the rules below;
  ``multiple_choice``, ``numeric``, ``discrete`` and ``date`` questions those
  of :mod:`.metaculus_kinds`; other types are skipped.
* The claim is the question's title, stated at ``open_time`` (else the
  post's ``published_at``/``created_at``), due at ``scheduled_resolve_time``.
* Forecasts: every entry of ``aggregations.<method>.history`` plus
  ``latest``, probability = ``centers[0]`` (else ``means[0]``, else
  ``forecast_values[1]``) at ``start_time``; ``recency_weighted`` is
  forecaster "metaculus community".  ``my_forecasts`` entries (present when
  the export was made while logged in) are the user's, named ``forecaster``
  or ``default_forecaster``.
* Resolution yes/no/ambiguous, ``annulled`` -> void, dated at
  ``actual_resolve_time`` (else ``resolution_set_time``, else the scheduled time).
* Keys are those of the CSV importer (question id; forecaster, start second,
  probability), so both exports of one question land on one claim.
* Fatal: JSON that is not posts, and fields of the wrong JSON type.
"""

from __future__ import annotations

from pathlib import Path

from claimtrack.domain.records import ClaimIn, ForecastIn, ResolutionIn
from claimtrack.importers import _json as j
from claimtrack.importers import metaculus_kinds as kinds
from claimtrack.importers._base import (
    KeyRegistry, Options, ParseResult, Skipped, check_name, check_statement, clip_text, invalid, load_json,
    merge_tags, short,
)
from claimtrack.importers._dates import from_epoch_or_iso
from claimtrack.importers.metaculus_csv import (
    AGGREGATE_METHODS, RESOLUTIONS, aggregate_name, claim_key, forecast_key, resolution_key,
)

FORMAT = "metaculus-api"
_TIME = (int, float, str)


def _posts(doc: object) -> list | None:
    if isinstance(doc, dict) and isinstance(doc.get("results"), list):
        return doc["results"]
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        return [doc]
    return None


def looks_like(doc: object) -> bool:
    posts = _posts(doc)
    if not posts or not isinstance(posts[0], dict):
        return False
    first = posts[0]
    if isinstance(first.get("question"), dict) or "group_of_questions" in first or "conditional" in first:
        return True
    return "scheduled_resolve_time" in first and "aggregations" in first


def parse(path: Path, data: bytes, opts: Options) -> ParseResult:
    doc = load_json(path, data)
    posts = _posts(doc)
    if posts is None:
        raise invalid(path, "top level", "expected a Metaculus post object, a list of posts or {\"results\": [...]}")
    result = ParseResult(FORMAT)
    keys = KeyRegistry()
    for i, raw in enumerate(posts):
        where = f"results[{i}]" if isinstance(doc, dict) and "results" in doc else f"[{i}]"
        post = j.need_object(path, raw, where)
        pid = j.get(path, post, "id", where, (int, str))
        label = f"post {pid}" if pid is not None else where
        question = post.get("question")
        if question is None:
            if "type" in post and "aggregations" in post:
                question, qwhere = post, where  # a bare question object
            else:
                kind = "a group of questions" if post.get("group_of_questions") else (
                    "a conditional question" if post.get("conditional") else "no single question")
                result.skipped.append(Skipped(label, f"post holds {kind}: only single binary questions are imported"))
                continue
        else:
            qwhere = f"{where}.question"
            question = j.need_object(path, question, qwhere)
        qtype = j.get(path, question, "type", qwhere, (str,), required=True)
        if qtype != "binary" and qtype not in kinds.KINDS:
            result.skipped.append(Skipped(label, f"question is of type {short(qtype)}: only binary, "
                                                 "multiple_choice, numeric, discrete and date questions are imported"))
            continue
        try:
            claim = _claim(path, post, question, qwhere, opts)
            if qtype != "binary":
                kinds.apply(path, question, qwhere, claim, qtype)
        except ValueError as exc:
            result.skipped.append(Skipped(label, str(exc)))
            continue
        if qtype == "binary":
            _forecasts(path, question, qwhere, claim, opts, keys, result.skipped, label)
        else:
            kinds.forecasts(path, question, qwhere, claim, opts, keys, result.skipped, label)
        try:
            (_resolve if qtype == "binary" else kinds.resolve)(path, question, qwhere, claim)
        except ValueError as exc:
            result.skipped.append(Skipped(label, f"{exc}; the question is imported as open"))
        result.claims.append(claim)
    return result


def _claim(path, post, q, where, opts: Options) -> ClaimIn:
    qid = j.get(path, q, "id", where, (int, str), required=True)
    title = j.get(path, q, "title", where, (str,)) or j.get(path, post, "title", where, (str,))
    opened_raw = (j.get(path, q, "open_time", where, _TIME) or j.get(path, post, "published_at", where, _TIME)
                  or j.get(path, post, "created_at", where, _TIME) or j.get(path, q, "created_at", where, _TIME))
    if opened_raw is None:
        raise ValueError("no open_time or created_at")
    opened = from_epoch_or_iso(opened_raw)
    due_raw = j.get(path, q, "scheduled_resolve_time", where, _TIME)
    holder, key = (post, "id") if post is not q else (q, "post_id")
    post_id = j.get(path, holder, key, where, (int, str))
    details = "\n\n".join(x for x in (j.get(path, q, "description", where, (str,)),
                                       j.get(path, q, "resolution_criteria", where, (str,))) if x)
    return ClaimIn(
        statement=check_statement(title or ""), stated_at=opened, recorded_at=opened, source="Metaculus",
        source_url=f"https://www.metaculus.com/questions/{post_id}/" if post_id is not None else None,
        details=clip_text(details or None), resolve_by=from_epoch_or_iso(due_raw) if due_raw is not None else None,
        tags=merge_tags(opts.tags), import_key=claim_key(qid),
    )


def _entries(path, block: dict, where: str) -> list[tuple[str, dict]]:
    out = []
    history = j.get(path, block, "history", where, (list,)) or []
    for k, entry in enumerate(history):
        out.append((f"{where}.history[{k}]", j.need_object(path, entry, f"{where}.history[{k}]")))
    latest = j.get(path, block, "latest", where, (dict,))
    if latest:
        out.append((f"{where}.latest", latest))
    return out


def _value(path, entry: dict, where: str) -> float | None:
    for key in ("centers", "means"):
        values = j.get(path, entry, key, where, (list,))
        if values:
            return _number(path, values[0], f"{where}.{key}[0]")
    values = j.get(path, entry, "forecast_values", where, (list,))
    if values and len(values) == 2:
        return _number(path, values[1], f"{where}.forecast_values[1]")
    return None


def _number(path, value, where) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid(path, where, f"expected a number, got {short(value)}")
    return float(value)


def _forecasts(path, q, where, claim: ClaimIn, opts: Options, keys: KeyRegistry, skipped, label) -> None:
    sources: list[tuple[str, str, dict, str]] = []  # (key name, forecaster, block, where)
    aggs = j.get(path, q, "aggregations", where, (dict,)) or {}
    for method in AGGREGATE_METHODS:
        block = j.get(path, aggs, method, f"{where}.aggregations", (dict,))
        if block:
            sources.append((method, aggregate_name(method), block, f"{where}.aggregations.{method}"))
    crowd = {name for _, name, _, _ in sources}
    mine = j.get(path, q, "my_forecasts", where, (dict,))
    if mine:
        who = opts.forecaster or opts.default_forecaster
        sources.append(("my_forecasts", who, mine, f"{where}.my_forecasts"))
    for ident, who, block, bwhere in sources:
        seen: set[int] = set()
        for ewhere, entry in _entries(path, block, bwhere):
            start_raw = j.get(path, entry, "start_time", ewhere, _TIME)
            p = _value(path, entry, ewhere)
            if start_raw is None or p is None:
                continue  # an empty aggregate (no forecasters yet)
            try:
                start = from_epoch_or_iso(start_raw)
                if not 0.0 <= p <= 1.0:
                    raise ValueError(f"probability {p!r} is outside 0-1")
                name = check_name(who, "forecaster")
            except ValueError as exc:
                skipped.append(Skipped(f"{label} {ewhere}", str(exc)))
                continue
            second = int(start.timestamp())
            if second in seen:
                continue  # ``latest`` repeats the last history entry
            seen.add(second)
            claim.forecasts.append(ForecastIn(
                forecaster=name, probability=p, made_at=start, recorded_at=start,
                import_key=keys.unique(forecast_key(claim.import_key, ident, second, p)),
                kind="crowd" if ident != "my_forecasts" and who in crowd else "own",
            ))


def _resolve(path, q, where, claim: ClaimIn) -> None:
    raw = j.get(path, q, "resolution", where, (str,))
    if not raw:
        return
    outcome = RESOLUTIONS.get(raw.lower())
    if outcome is None:
        raise ValueError(f"resolution {short(raw)} is not yes, no, ambiguous or annulled")
    when_raw = next((v for k in ("actual_resolve_time", "resolution_set_time", "scheduled_resolve_time")
                     if (v := j.get(path, q, k, where, _TIME)) is not None), None)
    when = from_epoch_or_iso(when_raw) if when_raw is not None else claim.stated_at
    claim.resolutions.append(ResolutionIn(
        outcome=outcome, resolved_at=when, recorded_at=when, resolved_by="Metaculus",
        note="annulled on Metaculus" if raw.lower() == "annulled" else None,
        import_key=resolution_key(claim.import_key, outcome),
    ))
