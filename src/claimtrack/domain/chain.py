"""Tamper evidence: a hash chain over the append-only rows.

Each forecast and each resolution row stores ``prev_hash`` (the ``row_hash``
of the previous row of the same table, by id; :data:`GENESIS` for the first)
and ``row_hash = sha256(prev_hash + canonical JSON of the row's content)``.
Editing a past row with raw SQL changes its content hash; deleting a row
breaks the next row's link.  Truncating the newest rows is only detectable
against a head hash noted elsewhere, which ``claimtrack verify`` and every
report print (``verify --expect`` checks one).

Four tables are chained: forecasts, resolutions, claim_records (each claim's
defining fields as it was created: :data:`CLAIM_FIELDS`) and claim_edits
(every later change of those fields: :data:`EDIT_FIELDS`).  The claims row
and its tags are what replaying a claim's record and its edits gives, and
its cached columns what its forecasts and resolutions give; ``verify``
checks both (see :mod:`claimtrack.domain.claim_history`).

Values are hashed in a canonical form that survives both engines: a
datetime as UTC with six decimals (naive means UTC), a float by ``repr``
with -0.0 as 0.0 (SQLite hands -0.0 back as 0.0), text exactly as stored
(both engines keep text byte for byte, so it is not normalised: NFC and NFD
spellings are different content).
"""

from __future__ import annotations

from hashlib import sha256
import json
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Mapping

GENESIS = "0" * 64

FORECAST_FIELDS = (
    "uuid", "claim_uuid", "forecaster", "probability", "made_at", "recorded_at",
    "rationale", "backfilled", "after_resolution", "import_key",
)
RESOLUTION_FIELDS = (
    "uuid", "claim_uuid", "outcome", "resolved_at", "note", "evidence_url",
    "resolved_by", "recorded_at", "import_key",
)
# Fields added after rows were first chained, with their defaults.  A row
# hashes as ``[base fields...]`` while every one of them holds its default,
# else as ``[base fields..., {name: value of each field off its default}]``:
# rows written before the fields existed keep their hashes, and changing
# any of them (to or from its default) changes the hash, since the base list
# has a fixed length.
# a claim as created: its defining fields (tags as the sorted tags joined
# with commas, which a tag never holds)
CLAIM_FIELDS = (
    "claim_uuid", "statement", "details", "source", "source_url", "stated_at", "recorded_at",
    "resolve_by", "status", "import_key", "tags",
)
# one change of a claim's field, with the text of the old and new value
EDIT_FIELDS = ("claim_uuid", "field", "old_value", "new_value", "edited_at", "edited_by")
# the chained tables, in the order verify checks and prints them
CHAINS = ("forecasts", "resolutions", "claim_records", "claim_edits")
HEAD_CHARS = 16  # hex digits of a head as printed; ``verify --expect`` takes 16 to 64
OPTIONAL_FIELDS: dict[tuple[str, ...], tuple[tuple[str, Any], ...]] = {
    FORECAST_FIELDS: (("kind", "own"), ("basis", None), ("recorded_by", None), ("distribution", None)),
    RESOLUTION_FIELDS: (("value", None),),
    # issue 12: what the claim asks and its spec (options as JSON text)
    CLAIM_FIELDS: (("question_type", "binary"), ("options", None), ("ordered", False), ("unit", None),
                   ("log_scale", False)),
    EDIT_FIELDS: (),
}


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
        return repr(value + 0.0)  # -0.0 + 0.0 is 0.0: one zero, as SQLite stores it
    return value


def head_label(table: str, head: str) -> str:
    """A chain head as verify and reports print it and ``verify --expect`` takes it."""
    return f"{table}:{head[:HEAD_CHARS]}"


canonical = _canonical  # the form a value is hashed (and compared) in


def _iso(value: datetime) -> str:
    return "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" % (
        value.year, value.month, value.day, value.hour, value.minute, value.second, value.microsecond)


def hashed_columns(fields: tuple[str, ...]) -> tuple[str, ...]:
    """Every field a row of this chain is hashed over: the base fields, then the optional ones."""
    return fields + tuple(name for name, _ in OPTIONAL_FIELDS.get(fields, ()))


def _optional(fields: tuple[str, ...], content: Mapping[str, Any]) -> dict[str, Any] | None:
    """The optional fields of ``content`` that differ from their defaults."""
    extra = None
    for name, default in OPTIONAL_FIELDS.get(fields, ()):
        value = content.get(name, default)
        if value != default:
            if extra is None:
                extra = {}
            extra[name] = _canonical(value)
    return extra


def row_hash(prev_hash: str, fields: tuple[str, ...], content: Mapping[str, Any]) -> str:
    """The hash of one row given the previous row's hash."""
    values = [_canonical(content[name]) for name in fields]
    extra = _optional(fields, content)
    if extra is not None:
        values.append(extra)
    body = _dumps(values)
    return sha256((prev_hash + body).encode("utf-8")).hexdigest()


def chain_hashes(prev_hash: str, fields: tuple[str, ...], rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """The hashes of ``rows`` appended in order after ``prev_hash``: the same
    as calling :func:`row_hash` row by row, but the canonical text of a
    datetime seen before (imports share a few ``made_at`` and one
    ``recorded_at``) is looked up instead of recomputed."""
    out: list[str] = []
    seen: dict[datetime, str] = {}
    dumps, canonical = _dumps, _canonical
    optional = bool(OPTIONAL_FIELDS.get(fields))
    for content in rows:
        values = []
        for name in fields:
            value = content[name]
            cls = value.__class__
            if cls is str or value is None:
                values.append(value)
            elif cls is datetime:
                text = seen.get(value)
                if text is None:
                    text = seen[value] = canonical(value)
                values.append(text)
            else:
                values.append(canonical(value))
        if optional:
            extra = _optional(fields, content)
            if extra is not None:
                values.append(extra)
        prev_hash = sha256((prev_hash + dumps(values)).encode("utf-8")).hexdigest()
        out.append(prev_hash)
    return out
