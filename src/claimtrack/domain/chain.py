"""Tamper evidence: a hash chain over the append-only rows.

Each forecast and each resolution row stores ``prev_hash`` (the ``row_hash``
of the previous row of the same table, by id; :data:`GENESIS` for the first)
and ``row_hash = sha256(prev_hash + canonical JSON of the row's content)``.
Editing a past row with raw SQL changes its content hash; deleting a row
breaks the next row's link.  Truncating the newest rows is only detectable
against a head hash noted elsewhere, which ``claimtrack verify`` prints.
"""

from __future__ import annotations

from hashlib import sha256
import json
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping

GENESIS = "0" * 64

FORECAST_FIELDS = (
    "uuid", "claim_uuid", "forecaster", "probability", "made_at", "recorded_at",
    "rationale", "backfilled", "after_resolution", "import_key",
)
RESOLUTION_FIELDS = (
    "uuid", "claim_uuid", "outcome", "resolved_at", "note", "evidence_url",
    "resolved_by", "recorded_at", "import_key",
)


_ZERO = timedelta(0)
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _canonical(value: Any) -> Any:
    cls = value.__class__
    if cls is datetime:
        offset = value.utcoffset()
        if offset is None:
            value = value.replace(tzinfo=timezone.utc)
        elif offset != _ZERO:
            value = value.astimezone(timezone.utc)
        return _iso(value)
    if cls is float:
        return repr(value)
    return value


def _iso(value: datetime) -> str:
    return "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" % (
        value.year, value.month, value.day, value.hour, value.minute, value.second, value.microsecond)


def row_hash(prev_hash: str, fields: tuple[str, ...], content: Mapping[str, Any]) -> str:
    """The hash of one row given the previous row's hash."""
    body = _dumps([_canonical(content[name]) for name in fields])
    return sha256((prev_hash + body).encode("utf-8")).hexdigest()
