"""Manifold API market JSON: one market or a list of markets.

Decisions:

* Binary markets (``outcomeType`` BINARY, or absent) follow the rules below;
  MULTIPLE_CHOICE markets those of :mod:`.manifold_choice`; others are skipped.
* The market's ``probability`` is one forecast by "manifold market" (never
  renamed by ``forecaster``), dated at ``lastBetTime`` (else
  ``lastUpdatedTime``, else ``createdTime``) but not after the market's close
  or resolution time.  Times are epoch milliseconds.
* Resolution YES/NO -> yes/no; CANCEL -> void; MKT (resolved to a
  probability) -> ambiguous for binary scoring, with that probability in the
  resolution's note.  Dated at ``resolutionTime`` (else ``closeTime``).
* The claim is stated at ``createdTime`` by the market's creator, due at
  ``closeTime``; its key is Manifold's market id.
* Fatal: JSON that is not markets, fields of the wrong JSON type.  Skipped:
  non-binary markets, a probability outside 0-1, an unknown resolution.
"""

from __future__ import annotations

from pathlib import Path

from claimtrack.domain.records import ClaimIn, ForecastIn, ResolutionIn
from claimtrack.importers import _json as j
from claimtrack.importers import manifold_choice
from claimtrack.importers._base import (
    Options, ParseResult, Skipped, check_name, check_statement, clean_url, clip_text, invalid, load_json, make_key,
    merge_tags, short,
)
from claimtrack.importers._dates import from_epoch_ms

FORMAT = "manifold"
FORECASTER = "manifold market"
_NUM = (int, float)


def looks_like(doc: object) -> bool:
    first = doc[0] if isinstance(doc, list) and doc else doc
    return (isinstance(first, dict) and isinstance(first.get("question"), str)
            and ("createdTime" in first or "outcomeType" in first or "isResolved" in first))


def parse(path: Path, data: bytes, opts: Options) -> ParseResult:
    doc = load_json(path, data)
    if isinstance(doc, dict):
        markets, prefix = [doc], None
    elif isinstance(doc, list):
        markets, prefix = doc, ""
    else:
        raise invalid(path, "top level", "expected a Manifold market object or a list of markets")
    result = ParseResult(FORMAT)
    for i, raw in enumerate(markets):
        where = f"[{i}]" if prefix is not None else "market"
        market = j.need_object(path, raw, where)
        mid = j.get(path, market, "id", where, (str,), required=True)
        label = f"market {mid}"
        kind = j.get(path, market, "outcomeType", where, (str,))
        if kind is not None and kind not in ("BINARY", "MULTIPLE_CHOICE"):
            result.skipped.append(Skipped(label, f"market type {short(kind)}: only binary and multiple-choice "
                                                 "markets are imported"))
            continue
        try:
            if kind == "MULTIPLE_CHOICE":
                claim = _market(path, market, where, mid, opts, result.skipped, label, binary=False)
                result.claims.append(manifold_choice.apply(path, market, where, claim, result.skipped, label))
            else:
                result.claims.append(_market(path, market, where, mid, opts, result.skipped, label))
        except ValueError as exc:
            result.skipped.append(Skipped(label, str(exc)))
    return result


def _market(path, m: dict, where: str, mid: str, opts: Options, skipped, label, binary: bool = True) -> ClaimIn:
    question = j.get(path, m, "question", where, (str,), required=True)
    created = from_epoch_ms(j.get(path, m, "createdTime", where, _NUM, required=True))
    close_raw = j.get(path, m, "closeTime", where, _NUM)
    close = from_epoch_ms(close_raw) if close_raw is not None else None
    res_time_raw = j.get(path, m, "resolutionTime", where, _NUM)
    res_time = from_epoch_ms(res_time_raw) if res_time_raw is not None else None
    creator = j.get(path, m, "creatorName", where, (str,)) or j.get(path, m, "creatorUsername", where, (str,))
    groups = j.get(path, m, "groupSlugs", where, (list,)) or []
    claim = ClaimIn(
        statement=check_statement(question), stated_at=created, recorded_at=created,
        source=check_name(creator, "source"), source_url=clean_url(j.get(path, m, "url", where, (str,))),
        details=clip_text(j.get(path, m, "textDescription", where, (str,))),
        resolve_by=close, tags=merge_tags(opts.tags, [g for g in groups if isinstance(g, str)]),
        import_key=make_key(FORMAT, mid),
    )
    if not binary:
        return claim  # the choice rules (manifold_choice) add the forecast and resolution
    p = j.get(path, m, "probability", where, _NUM)
    if p is not None:
        if not 0.0 <= p <= 1.0:
            skipped.append(Skipped(label, f"probability {p!r} is outside 0-1; the market is imported without it"))
        else:
            stamp = j.get(path, m, "lastBetTime", where, _NUM) or j.get(path, m, "lastUpdatedTime", where, _NUM)
            made = from_epoch_ms(stamp) if stamp is not None else created
            for limit in (close, res_time):
                if limit is not None and made > limit:
                    made = limit
            made = max(made, created)
            claim.forecasts.append(ForecastIn(
                forecaster=FORECASTER, probability=float(p), made_at=made, recorded_at=made,
                rationale="market probability in the export",
                import_key=make_key(FORMAT, claim.import_key, made, f"{float(p):.6f}"), kind="crowd",
            ))
    resolution = j.get(path, m, "resolution", where, (str,))
    resolved = j.get(path, m, "isResolved", where, (bool,))
    if resolution and resolved is not False:
        _resolve(path, m, where, claim, resolution, res_time or close or created, skipped, label)
    return claim


def _resolve(path, m, where, claim: ClaimIn, resolution: str, when, skipped, label) -> None:
    note = None
    upper = resolution.upper()
    if upper in ("YES", "NO"):
        outcome = upper.lower()
    elif upper == "CANCEL":
        outcome, note = "void", "cancelled on Manifold"
    elif upper == "MKT":
        outcome = "ambiguous"
        rp = j.get(path, m, "resolutionProbability", where, _NUM)
        note = f"resolved MKT at {rp * 100:.1f}% on Manifold" if rp is not None else "resolved MKT on Manifold"
    else:
        skipped.append(Skipped(label, f"resolution {short(resolution)} is not YES, NO, MKT or CANCEL; "
                                      "the market is imported as open"))
        return
    claim.resolutions.append(ResolutionIn(
        outcome=outcome, resolved_at=when, recorded_at=when, note=note, resolved_by=claim.source,
        import_key=make_key(FORMAT, claim.import_key, "resolution", outcome),
    ))
