"""Everything out: claims with all forecasts, resolutions, history and tags.

The native JSON document (``format: claimtrack``, ``version: 1``) is what
``claimtrack import`` reads back losslessly; the CSV is the same records
flattened, one row per record with a ``record`` column.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select

from claimtrack.db import models as m
from claimtrack.db.engine import Database

FORMAT_NAME = "claimtrack"
FORMAT_VERSION = 1
CHUNK = 500

CLAIM_FIELDS = ("id", "uuid", "statement", "details", "source", "source_url", "stated_at",
                "recorded_at", "resolve_by", "status", "import_key")
FORECAST_FIELDS = ("uuid", "forecaster", "probability", "made_at", "recorded_at", "rationale", "import_key")
RESOLUTION_FIELDS = ("uuid", "outcome", "resolved_at", "note", "evidence_url", "resolved_by",
                     "recorded_at", "import_key")
EDIT_FIELDS = ("field", "old_value", "new_value", "edited_at", "edited_by")


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def _pick(obj, fields) -> dict:
    out = {}
    for name in fields:
        value = getattr(obj, name)
        out[name] = iso(value) if isinstance(value, datetime) else value
    return out


def iter_claims(db: Database) -> Iterator[dict]:
    """Every claim (drafts and rejected included) as a plain dict, by id."""
    last_id = 0
    while True:
        with db.read() as session:
            claims = session.execute(
                select(m.Claim).where(m.Claim.id > last_id).order_by(m.Claim.id).limit(CHUNK)
            ).scalars().all()
            if not claims:
                return
            ids = [c.id for c in claims]
            grouped: dict[str, dict[int, list]] = {k: {i: [] for i in ids} for k in ("f", "r", "e", "t")}
            for f in session.execute(select(m.Forecast).where(m.Forecast.claim_id.in_(ids)).order_by(m.Forecast.id)).scalars():
                grouped["f"][f.claim_id].append(_pick(f, FORECAST_FIELDS))
            for r in session.execute(select(m.Resolution).where(m.Resolution.claim_id.in_(ids)).order_by(m.Resolution.id)).scalars():
                grouped["r"][r.claim_id].append(_pick(r, RESOLUTION_FIELDS))
            for e in session.execute(select(m.ClaimEdit).where(m.ClaimEdit.claim_id.in_(ids)).order_by(m.ClaimEdit.id)).scalars():
                grouped["e"][e.claim_id].append(_pick(e, EDIT_FIELDS))
            for cid, tag in session.execute(select(m.ClaimTag.claim_id, m.ClaimTag.tag).where(m.ClaimTag.claim_id.in_(ids)).order_by(m.ClaimTag.tag)):
                grouped["t"][cid].append(tag)
            for c in claims:
                record = _pick(c, CLAIM_FIELDS)
                record["tags"] = grouped["t"][c.id]
                record["forecasts"] = grouped["f"][c.id]
                record["resolutions"] = grouped["r"][c.id]
                record["edits"] = grouped["e"][c.id]
                yield record
            last_id = ids[-1]


def write_json(db: Database, out) -> int:
    """Stream the native JSON document to a text file object; returns the claim count."""
    import json

    from claimtrack.domain.dates import utcnow

    header = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "exported_at": iso(utcnow())}
    out.write(json.dumps(header, ensure_ascii=False)[:-1] + ', "claims": [\n')
    n = 0
    for record in iter_claims(db):
        out.write((",\n" if n else "") + json.dumps(record, ensure_ascii=False))
        n += 1
    out.write("\n]}\n")
    return n


CSV_COLUMNS = ("record", "claim_uuid", "claim_id", "uuid", "statement", "details", "source", "source_url",
               "stated_at", "recorded_at", "resolve_by", "status", "tags", "forecaster", "probability",
               "made_at", "rationale", "outcome", "resolved_at", "note", "evidence_url", "resolved_by",
               "field", "old_value", "new_value", "edited_at", "edited_by", "import_key")


def csv_rows(db: Database) -> Iterator[dict]:
    from claimtrack.domain.filters import join_tags

    for c in iter_claims(db):
        base = {"claim_uuid": c["uuid"], "claim_id": c["id"]}
        yield {**base, "record": "claim", **{k: c[k] for k in CLAIM_FIELDS if k != "id"},
               "tags": join_tags(c["tags"])}
        for f in c["forecasts"]:
            yield {**base, "record": "forecast", **f, "probability": repr(f["probability"])}
        for r in c["resolutions"]:
            yield {**base, "record": "resolution", **r}
        for e in c["edits"]:
            yield {**base, "record": "edit", **e}


def write_csv(db: Database, out) -> int:
    import csv

    from claimtrack.domain.csvsafe import guard

    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for row in csv_rows(db):
        writer.writerow({k: ("" if v is None else guard(v)) for k, v in row.items()})
        n += row["record"] == "claim"
    return n
