"""A claim's defining fields as its chained history gives them.

A claim is created with a record of its defining fields
(:data:`claimtrack.domain.chain.CLAIM_FIELDS`, in ``claim_records``), and
every later change of one of them is an edit (``claim_edits``: the field,
the old and the new value as text).  Replaying the record and the edits in
order gives the claim's current fields, which must be what the claims row
and its tags hold; :func:`differences` names every field where they are not.

Ledgers from before the chain (and import files) carry the claim's current
fields and its edits only; :func:`creation_values` works the record out
backwards (a field's value at creation is the old value of its first edit),
and :func:`reconciling_edits` gives the edits that bring a history whose
last new value is not the field's current value up to it, so that the
replay always ends at the claim as it stands.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from claimtrack.domain.chain import CLAIM_FIELDS, OPTIONAL_FIELDS, canonical, hashed_columns

DATETIME_FIELDS = frozenset({"stated_at", "recorded_at", "resolve_by"})
# a claim's defining fields as the claims row names them (``uuid`` there is
# ``claim_uuid`` in the record): every one is compared with the replay,
# the question's spec (issue 12) included
_RECORDED = hashed_columns(CLAIM_FIELDS)
REPLAYED = tuple("uuid" if f == "claim_uuid" else f for f in _RECORDED)
_ROW_NAME = dict(zip(_RECORDED, REPLAYED))
# fields added later, with the value a record or row without them stands for
_DEFAULTS = dict(OPTIONAL_FIELDS[CLAIM_FIELDS])
# the fields an edit can change (the rest never change: an edit naming one
# of them, or anything else, is kept as history but changes nothing);
# ``options`` (JSON text) only until the claim's first forecast
EDITABLE = frozenset({"statement", "details", "source", "source_url", "stated_at", "resolve_by", "status", "tags",
                      "options"})


def tags_text(tags: Iterable[str]) -> str:
    """A set of tags as one text: sorted, comma-joined (a tag holds no comma)."""
    return ",".join(sorted(tags))


def edit_text(field: str, value: Any) -> str | None:
    """The text an edit stores for a field's value."""
    if value is None:
        return None
    if field == "tags" and not isinstance(value, str):
        return ",".join(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def from_text(field: str, text: str | None) -> Any:
    """A field's value from the text an edit stored (text that does not parse
    as a date stays text, so it can never equal a date)."""
    if field == "tags":
        return tags_text(t for t in (text or "").split(",") if t)
    if text is None or field not in DATETIME_FIELDS:
        return text
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def comparable(field: str, value: Any) -> Any:
    """A field's value in the form two values are compared in."""
    if field == "tags" and value is not None and not isinstance(value, str):
        return tags_text(value)
    if field == "tags" and value is None:
        return ""
    return canonical(value)


def row_values(row: Mapping[str, Any], tags: Iterable[str]) -> dict[str, Any]:
    """A claims row and its tags as the replayed fields (keyed as the row is)."""
    out = {name: (row[name] if name not in _DEFAULTS else row.get(name, _DEFAULTS[name]))
           for name in REPLAYED if name != "tags"}
    out["tags"] = tags_text(tags)
    return out


def replay(record: Mapping[str, Any], edits: Sequence[tuple[str, str | None, str | None]]) -> dict[str, Any]:
    """The fields a creation record (keyed by CLAIM_FIELDS) and its edits
    (field, old text, new text; in order) give, keyed as the claims row is."""
    values = {_ROW_NAME[f]: (record[f] if f not in _DEFAULTS else record.get(f, _DEFAULTS[f])) for f in _RECORDED}
    for field, _old, new in edits:
        if field in EDITABLE:
            values[field] = from_text(field, new)
    return values


def differences(current: Mapping[str, Any], replayed: Mapping[str, Any]) -> list[str]:
    """The fields (in REPLAYED order) where the claim differs from its replayed history."""
    out = []
    for f in REPLAYED:
        a, b = current.get(f, _DEFAULTS.get(f)), replayed.get(f, _DEFAULTS.get(f))
        # equal values are equal in every form (aware datetimes compare as instants)
        if (a == b and a.__class__ is b.__class__) or comparable(f, a) == comparable(f, b):
            continue
        out.append(f)
    return out


def creation_values(current: Mapping[str, Any], edits: Sequence[tuple[str, str | None, str | None]]) -> dict[str, Any]:
    """The creation record (keyed by CLAIM_FIELDS) of a claim whose current
    fields (keyed as the claims row is, tags as :func:`tags_text`) and edits
    are known: a field's first edit's old value, else its current value."""
    first: dict[str, str | None] = {}
    for field, old, _new in edits:
        if field in EDITABLE and field not in first:
            first[field] = old
    record = {}
    for name, row_name in _ROW_NAME.items():
        if row_name in _DEFAULTS and row_name not in current:
            continue  # a ledger or file from before the field: the record leaves it out (its default)
        value = current[row_name]
        if row_name in first:
            old = from_text(row_name, first[row_name])
            # a date that does not parse cannot be stored as one: the claim's
            # current date stands in (the replay then ends wherever the edits do)
            if not (row_name in DATETIME_FIELDS and isinstance(old, str)):
                value = old
        record[name] = value
    return record


def reconciling_edits(current: Mapping[str, Any], edits: Sequence[tuple[str, str | None, str | None]]
                      ) -> list[tuple[str, str | None, str | None]]:
    """Edits (field, old text, new text) that bring the replay of
    ``creation_values(current, edits)`` and ``edits`` up to ``current``:
    one per field whose last edit did not end at its current value."""
    replayed = replay(creation_values(current, edits), edits)
    return [(f, edit_text(f, replayed[f]), edit_text(f, current[f])) for f in differences(current, replayed)]
