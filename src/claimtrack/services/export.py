"""Everything out: claims with all forecasts, resolutions, history and tags.

The native JSON document (``format: claimtrack``, ``version: 1``) is what
``claimtrack import`` reads back losslessly; the CSV is the same records
flattened, one row per record with a ``record`` column.

Both stream: claims are read in id order, a chunk at a time, each chunk's
forecasts, resolutions, edits and tags by one ranged query per table, as
plain rows from the query layer (no ORM objects; on SQLite, timestamps
made ISO text and, for the JSON, whole child records made JSON text by
SQLite itself: :mod:`claimtrack.services.export_text`), and written out
before the next chunk is read.  A chunk ends when its claims hold
FORECAST_BUDGET forecasts (their cached count), so memory stays flat
whatever the size of the ledger; only a single claim with a very large
number of forecasts is held whole.  One read transaction covers the whole export: it is one
consistent snapshot.  Which columns are exported, and how each value is
written, comes from the field lists below and the columns' types in
:mod:`claimtrack.db.models`.
"""

from __future__ import annotations

from collections.abc import Iterator
from operator import itemgetter

from sqlalchemy import select

from claimtrack.db import models as m
from claimtrack.db.engine import Database
from claimtrack.services.export_text import JsonText, NoSqlForm, Reader, float_json
from claimtrack.services.rows import iso, plain_rows

FORMAT_NAME = "claimtrack"
FORMAT_VERSION = 1
CHUNK = 2000  # claims per chunk (their forecasts: ~10 each on a typical ledger)

# issue 12: a claim's question type and spec (options as their canonical
# JSON text), a forecast's distribution (canonical JSON text) and a
# resolution's value are exported as stored, so they read back exactly
CLAIM_FIELDS = ("id", "uuid", "statement", "details", "source", "source_url", "stated_at",
                "recorded_at", "resolve_by", "status", "import_key",
                "question_type", "options", "ordered", "unit", "log_scale")
FORECAST_FIELDS = ("uuid", "forecaster", "probability", "made_at", "recorded_at", "rationale", "import_key",
                   "kind", "basis", "recorded_by", "distribution")
RESOLUTION_FIELDS = ("uuid", "outcome", "resolved_at", "note", "evidence_url", "resolved_by",
                     "recorded_at", "import_key", "value")
EDIT_FIELDS = ("field", "old_value", "new_value", "edited_at", "edited_by")

CSV_COLUMNS = ("record", "claim_uuid", "claim_id", "uuid", "statement", "details", "source", "source_url",
               "stated_at", "recorded_at", "resolve_by", "status", "tags", "forecaster", "probability",
               "made_at", "rationale", "outcome", "resolved_at", "note", "evidence_url", "resolved_by",
               "field", "old_value", "new_value", "edited_at", "edited_by", "import_key",
               "kind", "basis", "recorded_by",
               "question_type", "options", "ordered", "unit", "log_scale", "distribution", "value")

# the tables the claim's records come from: (record name, table, exported fields)
_ID = CLAIM_FIELDS.index("id")
_CHILDREN = (("forecast", m.forecasts, FORECAST_FIELDS), ("resolution", m.resolutions, RESOLUTION_FIELDS),
             ("edit", m.claim_edits, EDIT_FIELDS))
FORECAST_BUDGET = 10_000  # a chunk ends once its claims hold this many forecasts (memory stays flat)


def _chunks(db: Database, *, csv: bool) -> Iterator[tuple[tuple[list, dict, list[dict]], tuple]]:
    """Claims in id order, a chunk at a time: ((claim rows as :class:`Reader`
    makes them, {claim id: tags}, [{claim id: records} per child table]),
    (claim reader, child readers)).  A child record is its row for the CSV,
    its JSON text for the JSON document."""
    import json

    encode = json.JSONEncoder(ensure_ascii=False).encode
    with db.read() as session:
        conn = session.connection()
        dialect = conn.dialect.name
        claims = Reader(m.claims, CLAIM_FIELDS, dialect, csv=csv, extra=(m.claims.c.n_forecasts,))
        claim_texts = None
        if not csv and dialect == "sqlite":
            try:
                claim_texts = JsonText(m.claims, CLAIM_FIELDS, keys=())
            except NoSqlForm:
                pass
        full_claims = claims
        if claim_texts is not None:  # read the id, the forecast count and the JSON text SQLite writes
            claims = Reader(m.claims, ("id",), dialect, csv=False,
                            extra=(m.claims.c.n_forecasts, *claim_texts.columns))
        n_at = 1 if claim_texts is not None else len(CLAIM_FIELDS)  # the forecast count, for the budget
        children = []
        for _, table, fields in _CHILDREN:
            reader = Reader(table, fields, dialect, csv=csv, extra=(table.c.claim_id,))
            texts = None
            if not csv and dialect == "sqlite":
                try:
                    texts = JsonText(table, fields)
                except NoSqlForm:
                    pass
            children.append((table, fields, reader, texts))
        readers = (claims, [reader for _, _, reader, _ in children])

        def records(table, fields, reader, texts, first: int, last: int) -> dict[int, list]:
            """{claim id: its records of this table, in id order}."""
            by_claim: dict[int, list] = {}
            where = table.c.claim_id.between(first, last)
            order = (table.c.claim_id, table.c.id)
            if texts is None:  # rows (CSV) or their JSON by the json module
                cid_at = reader.mask_at - 1
                for row in reader.rows(conn, select(*reader.columns).where(where).order_by(*order), 5000):
                    record = row if csv else encode(dict(zip(fields, row)))
                    found = by_claim.get(row[cid_at])
                    if found is None:
                        by_claim[row[cid_at]] = [record]
                    else:
                        found.append(record)
                return by_claim
            odd_at = texts.n_parts
            cid_at = odd_at + 1
            one_float = texts.n_parts == 3  # the usual forecast: text, probability, text
            text, floats = texts.text, float_json
            found, last_cid = None, None
            for rows in plain_rows(conn, select(*texts.columns).where(where).order_by(*order), 5000):
                for row in rows:
                    if row[odd_at]:  # written by Python from the values the column types read
                        (value,) = reader.rows(conn, select(*reader.columns).where(table.c.id == row[-1]), 1)
                        record = encode(dict(zip(fields, value)))
                    elif one_float:
                        record = row[0] + floats(row[1]) + row[2]
                    else:
                        record = text(row)
                    cid = row[cid_at]
                    if cid != last_cid:  # rows come grouped by claim
                        found = by_claim[cid] = []
                        last_cid = cid
                    found.append(record)
            return by_claim

        def heads(batch: list) -> list[tuple[int, str]]:
            """(claim id, its JSON object without the closing brace) per claim, for the JSON document."""
            if claim_texts is None:
                return [(row[_ID], encode(dict(zip(CLAIM_FIELDS, row)))[:-1]) for row in batch]
            odd_at = 2 + claim_texts.n_parts
            out = []
            for row in batch:
                if row[odd_at]:  # a value SQLite could not write: the json module, from the typed values
                    (value,) = full_claims.rows(conn, select(*full_claims.columns).where(m.claims.c.id == row[0]), 1)
                    out.append((row[0], encode(dict(zip(CLAIM_FIELDS, value)))[:-1]))
                else:
                    out.append((row[0], claim_texts.text(row[2:odd_at])[:-1]))
            return out

        def chunk(batch: list):
            first, last = batch[0][_ID], batch[-1][_ID]
            grouped = [records(table, fields, reader, texts, first, last)
                       for table, fields, reader, texts in children]
            tags: dict[int, list[str]] = {}
            query = (select(m.claim_tags.c.claim_id, m.claim_tags.c.tag)
                     .where(m.claim_tags.c.claim_id.between(first, last))
                     .order_by(m.claim_tags.c.claim_id, m.claim_tags.c.tag))
            for rows in plain_rows(conn, query, 5000):
                for cid, tag in rows:
                    tags.setdefault(cid, []).append(tag)
            return (batch if csv else heads(batch)), tags, grouped

        query = select(*claims.columns).order_by(m.claims.c.id)
        batch: list = []
        budget = 0
        for row in claims.rows(conn, query, 1000):
            batch.append(row)
            budget += (row[n_at] or 0) + 1
            if budget >= FORECAST_BUDGET or len(batch) >= CHUNK:
                yield chunk(batch), readers
                batch, budget = [], 0
        if batch:
            yield chunk(batch), readers


def write_json(db: Database, out) -> int:
    """Stream the native JSON document to a text file object; returns the claim count.

    Each claim is ``json.dumps(record, ensure_ascii=False)`` of its fields,
    tags, forecasts, resolutions and edits, the child records' texts spliced
    in as the encoder would write them."""
    import json

    from claimtrack.domain.dates import utcnow

    encode = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(..., ensure_ascii=False)
    header = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "exported_at": iso(utcnow())}
    out.write(encode(header)[:-1] + ', "claims": [\n')
    n = 0
    parts: list[str] = []
    for (claims, tags, (f_by, r_by, e_by)), _ in _chunks(db, csv=False):
        for cid, head in claims:
            # the tags come last in the claim's object: its text with them, as encoding it whole writes it
            parts += [",\n" if n else "", head, ', "tags": ', encode(tags.get(cid, [])), ', "forecasts": [',
                      ", ".join(f_by.get(cid, ())),
                      '], "resolutions": [', ", ".join(r_by.get(cid, ())), '], "edits": [',
                      ", ".join(e_by.get(cid, ())), "]}"]
            n += 1
        out.write("".join(parts))
        parts.clear()
    out.write("\n]}\n")
    return n


def _csv_getter(fields: tuple[str, ...], blank_at: int, **more: int) -> itemgetter:
    """Picks CSV_COLUMNS from ``(record, claim_uuid, claim_id, *row)`` where
    ``row`` holds ``fields`` first, a NULL at ``blank_at`` (the empty cell of
    a column the record does not have) and the columns ``more`` names at
    the positions it gives."""
    index = {"record": 0, "claim_uuid": 1, "claim_id": 2, **{name: 3 + i for i, name in enumerate(fields)},
             **{name: 3 + i for name, i in more.items()}}
    return itemgetter(*(index.get(name, 3 + blank_at) for name in CSV_COLUMNS))


def csv_rows(db: Database, counted: list[int] | None = None) -> Iterator[tuple]:
    """Every record as a CSV row (a tuple in CSV_COLUMNS order; None is empty), formula cells guarded;
    ``counted[0]`` counts the claims as they go by."""
    from claimtrack.domain.csvsafe import guard
    from claimtrack.domain.filters import join_tags

    uuid_at = CLAIM_FIELDS.index("uuid")
    getters = None
    for (claims, tags, grouped), (claim_reader, readers) in _chunks(db, csv=True):
        if getters is None:
            # a claim's row is followed by its joined tags
            claim_get = _csv_getter(CLAIM_FIELDS, claim_reader.blank_at, tags=claim_reader.blank_at + 1)
            getters = [(kind, _csv_getter(fields, reader.blank_at))
                       for (kind, _, fields), reader in zip(_CHILDREN, readers)]
        for row in claims:
            cid = row[_ID]
            cuuid = row[uuid_at]  # guarded as the claim's uuid cell; every record repeats it as claim_uuid
            if counted is not None:
                counted[0] += 1
            yield claim_get(("claim", cuuid, cid, *row, guard(join_tags(tags.get(cid, ())))))
            for (kind, getter), by_claim in zip(getters, grouped):
                for child in by_claim.get(cid, ()):
                    yield getter((kind, cuuid, cid, *child))


def write_csv(db: Database, out) -> int:
    import csv

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    counted = [0]
    writer.writerows(csv_rows(db, counted))  # the writer pulls the rows itself: no Python loop per row
    return counted[0]
