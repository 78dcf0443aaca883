"""The export and verify as they were before they streamed plain rows: ORM
objects per row, timestamps through datetime.  Kept only as the reference the
streaming versions must match byte for byte (tests/test_export_streaming.py).
The field lists come from the live modules, so the reference follows columns
added to the export or the chain later."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from claimtrack.db import models as m
from claimtrack.domain.chain import FORECAST_FIELDS as CHAIN_FORECAST_FIELDS
from claimtrack.domain.filters import join_tags
from claimtrack.domain.chain import GENESIS, RESOLUTION_FIELDS as CHAIN_RESOLUTION_FIELDS, hashed_columns, row_hash
from claimtrack.services.export import (
    CLAIM_FIELDS,
    CSV_COLUMNS,
    EDIT_FIELDS,
    FORECAST_FIELDS,
    FORMAT_NAME,
    FORMAT_VERSION,
    RESOLUTION_FIELDS,
)

CHUNK = 500


def iso(value):
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def _pick(obj, fields) -> dict:
    out = {}
    for name in fields:
        value = getattr(obj, name)
        out[name] = iso(value) if isinstance(value, datetime) else value
    return out


def iter_claims(db):
    last_id = 0
    while True:
        with db.read() as session:
            claims = session.execute(
                select(m.Claim).where(m.Claim.id > last_id).order_by(m.Claim.id).limit(CHUNK)
            ).scalars().all()
            if not claims:
                return
            ids = [c.id for c in claims]
            grouped = {k: {i: [] for i in ids} for k in ("f", "r", "e", "t")}
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


def write_json(db, out, exported_at) -> int:
    import json

    header = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "exported_at": iso(exported_at)}
    out.write(json.dumps(header, ensure_ascii=False)[:-1] + ', "claims": [\n')
    n = 0
    for record in iter_claims(db):
        out.write((",\n" if n else "") + json.dumps(record, ensure_ascii=False))
        n += 1
    out.write("\n]}\n")
    return n


def csv_rows(db):
    for c in iter_claims(db):
        base = {"claim_uuid": c["uuid"], "claim_id": c["id"]}
        yield {**base, "record": "claim", **{k: c[k] for k in CLAIM_FIELDS if k != "id"},
               "tags": join_tags(c["tags"])}
        for f in c["forecasts"]:
            yield {**base, "record": "forecast", **f, "probability": None if f["probability"] is None else repr(f["probability"])}
        for r in c["resolutions"]:
            yield {**base, "record": "resolution", **r}
        for e in c["edits"]:
            yield {**base, "record": "edit", **e}


def write_csv(db, out) -> int:
    import csv

    from claimtrack.domain.csvsafe import guard

    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for row in csv_rows(db):
        writer.writerow({k: ("" if v is None else guard(v)) for k, v in row.items()})
        n += row["record"] == "claim"
    return n


def verify(db) -> list[tuple]:
    """(table, rows, head, broken_id, problem) for forecasts and resolutions."""
    out = []
    for model, fields in ((m.Forecast, CHAIN_FORECAST_FIELDS), (m.Resolution, CHAIN_RESOLUTION_FIELDS)):
        out.append(_check(db, model, fields))
    return out


def _check(db, model, fields):
    prev, count, last_id = GENESIS, 0, 0
    columns = [getattr(model, f) for f in hashed_columns(fields) if f != "claim_uuid"]
    table = model.__tablename__
    while True:
        with db.read() as session:
            rows = session.execute(
                select(model.id, model.prev_hash, model.row_hash, m.Claim.uuid.label("claim_uuid"), *columns)
                .join(m.Claim, m.Claim.id == model.claim_id)
                .where(model.id > last_id).order_by(model.id).limit(5000)
            ).mappings().all()
        if not rows:
            return (table, count, prev, None, None)
        for row in rows:
            if row["prev_hash"] != prev:
                return (table, count, prev, row["id"],
                        f"{table} row {row['id']}: link to the previous row is broken (a row before it was deleted or changed)")
            if row_hash(prev, fields, row) != row["row_hash"]:
                return (table, count, prev, row["id"],
                        f"{table} row {row['id']}: content does not match its hash (the row was edited)")
            prev = row["row_hash"]
            count += 1
        last_id = rows[-1]["id"]
