"""claimtrack's own JSON and CSV exports, read back losslessly."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timezone
from pathlib import Path

from claimtrack.domain.csvsafe import unguard
from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.records import ClaimIn, EditIn, ForecastIn, ResolutionIn


def _dt(value, where: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{where}: invalid timestamp {str(value)[:40]!r}: expected ISO 8601 like 2024-03-05T10:00:00Z") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _req(record: dict, key: str, where: str):
    value = record.get(key)
    if value in (None, ""):
        raise InvalidInput(f"{where}: missing '{key}'")
    return value


def _text(record: dict, key: str, where: str) -> str:
    """A required text field; a number, list or object there is an error, not text."""
    value = _req(record, key, where)
    if not isinstance(value, str):
        raise InvalidInput(f"{where}: '{key}' must be text, not {type(value).__name__}")
    return value


def _number(record: dict, key: str, where: str) -> float:
    value = _req(record, key, where)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InvalidInput(f"{where}: '{key}' must be a number, not {type(value).__name__}")
    return float(value)


def _options(value, where: str) -> tuple[str, ...]:
    """A claim's options: the export's canonical JSON text, or a list of labels."""
    if value in (None, ""):
        return ()
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise InvalidInput(f"{where}: 'options' must be a JSON list of labels") from None
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise InvalidInput(f"{where}: 'options' must be a list of labels")
    return tuple(value)


def _distribution(value, where: str):
    """A forecast's distribution: the export's canonical JSON text, or the list itself."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise InvalidInput(f"{where}: 'distribution' must be JSON: a list of probabilities or of "
                               "[level, value] pairs") from None
    if not isinstance(value, list):
        raise InvalidInput(f"{where}: 'distribution' must be a list")
    if value and isinstance(value[0], list):
        return tuple((float(lv), float(v)) for lv, v in value)
    return tuple(float(p) for p in value)


_FLAGS = {"true": True, "1": True, "false": False, "0": False}


def _flag(value, key: str, where: str) -> bool:
    if value in (None, ""):
        return False
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in _FLAGS:
        raise InvalidInput(f"{where}: '{key}' must be true or false, not {str(value)[:20]!r}")
    return _FLAGS[text]


def claim_from_dict(c: dict, where: str) -> ClaimIn:
    if not isinstance(c, dict):
        raise InvalidInput(f"{where}: expected an object, got {type(c).__name__}")
    try:
        forecasts = [
            ForecastIn(
                forecaster=_text(f, "forecaster", where),
                probability=None if f.get("distribution") not in (None, "") and f.get("probability") in (None, "")
                else _number(f, "probability", where),
                made_at=_dt(_req(f, "made_at", where), where), rationale=f.get("rationale"),
                recorded_at=_dt(f.get("recorded_at"), where), uuid=f.get("uuid"), import_key=f.get("import_key"),
                kind=f.get("kind") or "own", basis=f.get("basis") or None, recorded_by=f.get("recorded_by") or None,
                distribution=_distribution(f.get("distribution"), where),
            )
            for f in c.get("forecasts") or []
        ]
        resolutions = [
            ResolutionIn(
                outcome=_text(r, "outcome", where), resolved_at=_dt(_req(r, "resolved_at", where), where),
                note=r.get("note"), evidence_url=r.get("evidence_url"), resolved_by=r.get("resolved_by"),
                recorded_at=_dt(r.get("recorded_at"), where), uuid=r.get("uuid"), import_key=r.get("import_key"),
                value=r.get("value") if r.get("value") != "" else None,
            )
            for r in c.get("resolutions") or []
        ]
        edits = [
            EditIn(field=_text(e, "field", where), old_value=e.get("old_value"), new_value=e.get("new_value"),
                   edited_at=_dt(_req(e, "edited_at", where), where), edited_by=e.get("edited_by"))
            for e in c.get("edits") or []
        ]
        tags = c.get("tags") or []
        if isinstance(tags, str):  # a CSV export's cell
            from claimtrack.domain.filters import split_tags

            tags = split_tags(tags)
        return ClaimIn(
            statement=_text(c, "statement", where), stated_at=_dt(_req(c, "stated_at", where), where),
            source=c.get("source"), source_url=c.get("source_url"), details=c.get("details"),
            resolve_by=_dt(c.get("resolve_by"), where), tags=tuple(tags), status=c.get("status") or "active",
            uuid=c.get("uuid"), recorded_at=_dt(c.get("recorded_at"), where), import_key=c.get("import_key"),
            forecasts=forecasts, resolutions=resolutions, edits=edits,
            question_type=c.get("question_type") or "binary", options=_options(c.get("options"), where),
            ordered=_flag(c.get("ordered"), "ordered", where), unit=c.get("unit") or None,
            log_scale=_flag(c.get("log_scale"), "log_scale", where),
        )
    except (TypeError, ValueError, AttributeError) as exc:
        raise InvalidInput(f"{where}: {exc}") from None


def parse_json_text(text: str, name: str) -> list[ClaimIn]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{name}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from None
    except RecursionError:
        raise InvalidInput(f"{name}: JSON nested too deeply: expected a claimtrack export") from None
    except ValueError as exc:  # e.g. an integer longer than Python's 4300-digit limit
        raise InvalidInput(f"{name}: not valid JSON ({str(exc).split(';')[0]})") from None
    if not isinstance(doc, dict) or doc.get("format") != "claimtrack" or not isinstance(doc.get("claims"), list):
        raise InvalidInput(f"{name}: not a claimtrack export (expected {{'format': 'claimtrack', 'claims': [...]}})")
    if doc.get("version") != 1:
        raise InvalidInput(f"{name}: claimtrack export version {doc.get('version')!r} is not supported: expected 1")
    return [claim_from_dict(c, f"{name}: claim {i + 1}") for i, c in enumerate(doc["claims"])]


def parse_json(path: Path) -> list[ClaimIn]:
    return parse_json_text(_read_text(path), path.name)


def parse_csv(path: Path) -> list[ClaimIn]:
    text = _read_text(path)
    reader = csv.DictReader(text.splitlines(keepends=True))
    try:
        fieldnames, rows = reader.fieldnames, list(reader)
    except csv.Error as exc:  # e.g. a field over the csv module's size limit
        raise InvalidInput(f"{path.name}: line {reader.line_num + 1}: {exc}: not a claimtrack CSV export") from None
    if not fieldnames or "record" not in fieldnames or "claim_uuid" not in fieldnames:
        raise InvalidInput(f"{path.name}: not a claimtrack CSV export (expected 'record' and 'claim_uuid' columns)")
    claims: dict[str, dict] = {}
    for n, row in enumerate(rows, 2):
        row = {k: unguard(v) if isinstance(v, str) else v for k, v in row.items() if k is not None}
        row = {k: (None if v == "" else v) for k, v in row.items()}
        key, kind = row.get("claim_uuid"), row.get("record")
        if key is None:
            raise InvalidInput(f"{path.name}: row {n}: missing claim_uuid")
        if kind == "claim":
            claims[key] = {**row, "tags": row.get("tags") or "", "forecasts": [], "resolutions": [], "edits": []}
            continue
        target = claims.get(key)
        if target is None:
            raise InvalidInput(f"{path.name}: row {n}: {kind} before its claim row")
        plural = {"forecast": "forecasts", "resolution": "resolutions", "edit": "edits"}.get(kind or "")
        if plural is None:
            raise InvalidInput(f"{path.name}: row {n}: unknown record type {kind!r}: expected claim, forecast, resolution or edit")
        target[plural].append(row)
    return [claim_from_dict(c, f"{path.name}: claim {c.get('claim_id')}") for c in claims.values()]


def _read_text(path: Path) -> str:
    from claimtrack.importers._base import read_bytes

    data = read_bytes(path)
    if b"\x00" in data:
        raise InvalidInput(f"{path.name}: contains NUL bytes: not a text export")
    from claimtrack.importers._base import decode_text

    return decode_text(path, data)  # a record with bytes that are not UTF-8 is skipped by the import checks


def looks_native(path: Path, head: str) -> str | None:
    """'claimtrack-json' / 'claimtrack-csv' if the start of the file says so."""
    stripped = head.lstrip("\ufeff \r\n\t")
    if stripped.startswith("{") and '"format"' in head[:200] and '"claimtrack"' in head[:200]:
        return "claimtrack-json"
    first = stripped.split("\n", 1)[0]
    if first.startswith("record,claim_uuid"):
        return "claimtrack-csv"
    return None
