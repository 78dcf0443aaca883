"""Checking the hash chains over forecasts and resolutions.

Each table is read once, in id order, in one read transaction (one
consistent snapshot), as plain rows from the query layer: no ORM objects.
The chained fields are the chain's own FIELDS lists
(:mod:`claimtrack.domain.chain`); a field the table does not hold,
``claim_uuid``, comes from the claim the row belongs to.  On SQLite the
stored timestamp text is turned into the chain's canonical text by SQLite
itself (see :func:`claimtrack.services.rows.sqlite_time_text`); a value in
an unusual stored form is read as the column type reads it, so every row
hashes exactly as it did when it was written.

On SQLite, SQLite also writes each row's canonical JSON text (the
``json_array`` of the canonical values: its escaping is the json module's,
a float given as the shortest text that reads back as it, as ``repr``
writes it, when 15 digits suffice), and Python only hashes it.  That text
is a fast path, never the judge: a row whose hash does not match it (or
that SQLite could not write: a float needing 16 or 17 digits, a timestamp
stored in an unusual form) is read again through the column types and
hashed by :func:`claimtrack.domain.chain.row_hash` itself, and only that
decides whether the row was changed.  A match proves the row: the stored
hash is of exactly that text.
"""

from __future__ import annotations

from dataclasses import dataclass

from hashlib import sha256

from sqlalchemy import Float, Integer, LargeBinary, String, case, cast, func, literal_column, null, select, type_coerce

from claimtrack.db import models as m
from claimtrack.db.engine import Database
from claimtrack.domain.chain import (
    FORECAST_FIELDS,
    GENESIS,
    OPTIONAL_FIELDS,
    RESOLUTION_FIELDS,
    chain_hashes,
    hashed_columns,
    row_hash,
)
from claimtrack.services.rows import is_bool, is_time, plain_rows, raw_readable, sqlite_time_text, stored_time

BATCH = 5000


@dataclass(frozen=True)
class ChainReport:
    table: str
    rows: int
    head: str  # row_hash of the newest row (note it to detect truncation later)
    broken_id: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def _source(table, name: str):
    """The column a chained field is read from: the table's own, or ``claim_X`` from its claim."""
    if name in table.c:
        return table.c[name]
    if name.startswith("claim_") and name[6:] in m.claims.c:
        return m.claims.c[name[6:]].label(name)
    raise KeyError(f"chained field {name!r} is not a column of {table.name} or of its claim")


def _query(table, fields: tuple[str, ...], dialect: str):
    """(id, prev_hash, row_hash, *fields, mask) in id order, and {position: convert} for the values
    Python must still convert when bit ``position`` of mask is set."""
    sources = [_source(table, name) for name in fields]
    sqlite = dialect == "sqlite" and all(raw_readable(col) for col in sources)  # else read through the types
    exprs, convert = [], {}
    mask = literal_column("0")
    for i, col in enumerate(sources):
        bit = 1 << i
        expr = col
        if sqlite and is_time(col):
            expr, odd = sqlite_time_text(col, chain=True, flag=bit)
            mask = mask + odd
            convert[i] = stored_time
        elif sqlite and is_bool(col):  # SQLite hands over 0/1: the chain hashes true/false
            mask = mask + case((col.is_not(None), literal_column(str(bit))), else_=literal_column("0"))
            convert[i] = bool
        exprs.append(expr)
    query = (select(table.c.id, table.c.prev_hash, table.c.row_hash, *exprs, mask)
             .select_from(table.join(m.claims, m.claims.c.id == table.c.claim_id))
             .order_by(table.c.id))
    return query, convert, not sqlite


def _sqlite_json(col):
    """SQLite's canonical JSON element for one chained column and a test that
    it could write it (else None: this column type has no fast path)."""
    if is_time(col):
        text, odd = sqlite_time_text(col, chain=True)
        return text, odd == literal_column("0")
    if is_bool(col):
        return case((col.is_(None), null()), (col != literal_column("0"), func.json(literal_column("'true'"))),
                    else_=func.json(literal_column("'false'"))), literal_column("1")
    if isinstance(col.type, Float):
        # repr() of a float in (0, 1) is %.15g when that reads back as the same float; 0 and 1 as repr writes them
        short = func.printf(literal_column("'%.15g'"), col, type_=String)
        text = case((col.is_(None), null()), (col == literal_column("0"), literal_column("'0.0'")),
                    (col == literal_column("1"), literal_column("'1.0'")),
                    (col.between(literal_column("0"), literal_column("1")), short), else_=null())
        ok = (col.is_(None)) | (text.is_not(None) & ((col == 0) | (col == 1) | (func.cast(short, Float) == col)))
        return text, ok
    if raw_readable(col) and isinstance(col.type, (String, Integer)):
        return col, literal_column("1")
    return None


def fast_query(table, fields: tuple[str, ...], *, outer: bool = False):
    """(id, prev_hash, row_hash, prev_hash + canonical JSON text as UTF-8 bytes, or NULL) in id order, or
    None when some chained column has no SQLite fast path.  The claim is
    joined when a field comes from it (``outer``: its rows without a claim
    too, their text NULL where it needs the claim's values)."""
    elements, oks = [], []
    for name in fields:
        made = _sqlite_json(_source(table, name))
        if made is None:
            return None
        elements.append(made[0])
        oks.append(made[1])
    ok = oks[0]
    for other in oks[1:]:
        ok = ok & other
    # fields added later are hashed only off their defaults (domain.chain): a
    # row holding its defaults hashes as the base array; any other row takes
    # the judge's path
    for name, default in OPTIONAL_FIELDS.get(fields, ()):
        col = _source(table, name)
        ok = ok & (col.is_(None) if default is None else (col == default))
    body = case((ok, func.json_array(*elements, type_=String)), else_=null())
    # the hashed bytes themselves: the link (checked equal to the previous row's hash first) and the
    # text, as UTF-8, so Python neither joins nor encodes a string per row
    hashed = cast(table.c.prev_hash.concat(body), LargeBinary)
    if all(name in table.c for name in hashed_columns(fields)):
        source = table
    else:
        join = table.outerjoin if outer else table.join
        source = join(m.claims, m.claims.c.id == table.c.claim_id)
    return (select(table.c.id, table.c.prev_hash, table.c.row_hash, type_coerce(hashed, LargeBinary))
            .select_from(source).order_by(table.c.id))


def _row_content(conn, table, fields: tuple[str, ...], row_id: int) -> dict:
    """One row's chained values as the column types read them (the judge's input)."""
    query = (select(*(_source(table, name) for name in fields))
             .select_from(table.join(m.claims, m.claims.c.id == table.c.claim_id)).where(table.c.id == row_id))
    return dict(zip(fields, conn.execute(query).one()))


def walk_fast(conn, name: str, query, judge) -> ChainReport:
    """Walk a chain whose rows come from a fast-path ``query`` (``fast_query``): each row's link is
    checked, and a row whose bytes (prev_hash + its canonical text, written by SQLite) hash to its
    stored hash is proven; any other is handed to ``judge(prev, row_id)``, which returns the
    problem or None (the row is right after all)."""
    prev, count = GENESIS, 0
    hashed = sha256
    for rows in plain_rows(conn, query, BATCH):
        for row_id, prev_hash, stored, data in rows:
            if prev_hash != prev:
                return ChainReport(name, count, prev, row_id,
                                   f"{name} row {row_id}: link to the previous row is broken (a row before it was deleted or changed)")
            if data is None or hashed(data).hexdigest() != stored:
                problem = judge(prev, row_id, stored)
                if problem is not None:
                    return ChainReport(name, count, prev, row_id, problem)
            prev = stored
            count += 1
    return ChainReport(name, count, prev)


def _check_sqlite(conn, table, fields: tuple[str, ...], query) -> ChainReport:
    columns = hashed_columns(fields)

    def judge(prev: str, row_id: int, stored: str) -> str | None:
        if row_hash(prev, fields, _row_content(conn, table, columns, row_id)) == stored:
            return None
        return f"{table.name} row {row_id}: content does not match its hash (the row was edited)"

    return walk_fast(conn, table.name, query, judge)


def _check(conn, table, fields: tuple[str, ...]) -> ChainReport:
    if conn.dialect.name == "sqlite":
        fast = fast_query(table, fields)
        if fast is not None:
            return _check_sqlite(conn, table, fields, fast)
    columns = hashed_columns(fields)
    query, convert, processed = _query(table, columns, conn.dialect.name)
    name, n = table.name, len(columns)
    mask_at = 3 + n
    prev, count = GENESIS, 0
    for rows in plain_rows(conn, query, BATCH, processed=processed):
        contents = []
        for row in rows:
            values = row[3:mask_at]
            if row[mask_at]:
                values = list(values)
                mask = row[mask_at]
                for i, fix in convert.items():
                    if mask >> i & 1:
                        values[i] = fix(values[i])
            contents.append(dict(zip(columns, values)))
        # hashes of the rows as if each linked to the row before it; where the
        # stored chain is intact they are the stored hashes, and the first row
        # where they differ is the first broken one
        expected = chain_hashes(prev, fields, contents)
        for row, hashed in zip(rows, expected):
            if row[1] != prev:
                return ChainReport(name, count, prev, row[0],
                                   f"{name} row {row[0]}: link to the previous row is broken (a row before it was deleted or changed)")
            if hashed != row[2]:
                return ChainReport(name, count, prev, row[0],
                                   f"{name} row {row[0]}: content does not match its hash (the row was edited)")
            prev = row[2]
            count += 1
    return ChainReport(name, count, prev)


def verify_ledger(db: Database) -> list[ChainReport]:
    """The forecast and resolution chains (one read snapshot), then the
    claims' chains and the claims themselves (services.verify_claims)."""
    from claimtrack.services.verify_claims import check_claims

    with db.read() as session:
        conn = session.connection()
        chains = [_check(conn, m.forecasts, FORECAST_FIELDS), _check(conn, m.resolutions, RESOLUTION_FIELDS)]
    return [*chains, *check_claims(db)]
