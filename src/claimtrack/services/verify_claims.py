"""Checking the claims against their chained history, and pinned heads.

:mod:`claimtrack.services.verify` checks the forecast and resolution chains;
this module checks everything else a score depends on:

- the chains over ``claim_records`` (each claim as created) and
  ``claim_edits`` (every change since), as the forecast chain is checked;
- every claim: replaying its record and its edits must give the claims row
  and its tags (a difference names the claim and the field), and its cached
  columns must be what its chained rows give: ``n_forecasts``, the newest
  forecast by (made_at, id) for ``last_probability``/``last_forecaster``,
  the last resolution by id for ``outcome``/``resolved_at``; and the stored
  current forecast of each (claim, forecaster) (``current_forecasts``,
  :mod:`claimtrack.db.current`) must be what the forecasts give, and the
  trigger that keeps it must be in place;
- rows whose claim is gone (forecasts, resolutions, edits, records, tags);
- heads the user pinned (``verify --expect``): a pinned head must still be
  in its chain (the newest row, or one before it: growth is normal); one
  that is missing means rows were cut from the end or rewritten.

On SQLite two fast paths prove the common case and send everything else to
the checks above: the two chains hash text SQLite writes (as
:mod:`claimtrack.services.verify` does for forecasts), and a claim with no
edits whose stored fields are exactly its record's is not replayed (only its
tags and caches are compared).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text

from claimtrack.db import models as m
from claimtrack.db.engine import Database
from claimtrack.domain.chain import (
    CHAINS, CLAIM_FIELDS, EDIT_FIELDS, GENESIS, canonical, hashed_columns, head_label, row_hash,
)
from claimtrack.domain.claim_history import REPLAYED, differences, replay, row_values
from claimtrack.domain.errors import InvalidInput
from claimtrack.services.verify import ChainReport, fast_query, walk_fast

BATCH = 5000
MAX_PROBLEMS = 100  # listed in full; the count goes on
CACHED = ("n_forecasts", "last_probability", "last_forecaster", "outcome", "resolved_at")


@dataclass(frozen=True)
class ClaimsReport(ChainReport):
    """The claims checked against their chained history (``head`` is None:
    the claims table is not a chain).  ``problems`` lists every problem found
    (up to MAX_PROBLEMS), ``n_problems`` counts them all, ``orphans`` counts
    the problems that are rows whose claim is gone (listed first)."""

    problems: tuple[str, ...] = ()
    n_problems: int = 0
    orphans: int = 0


@dataclass(frozen=True)
class PinReport:
    table: str
    expected: str  # as given, table:hex
    found: bool
    rows_since: int | None  # rows appended after the pinned head
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.found


__all__ = ["ClaimsReport", "PinReport", "check_claims", "check_pins", "current_heads", "head_label",
           "parse_pins"]


def current_heads(session) -> tuple[tuple[str, str], ...]:
    """(chain, newest row hash) of each chain (GENESIS for an empty one), as
    they stand, unchecked: what a report prints for pinning."""
    out = []
    for name in CHAINS:
        table = m.metadata.tables[name]
        last = session.execute(select(table.c.row_hash).order_by(table.c.id.desc()).limit(1)).scalar()
        out.append((name, last or GENESIS))
    return tuple(out)


def check_claims(db: Database) -> list[ChainReport]:
    """Reports for the claim_records and claim_edits chains, then the claims."""
    from claimtrack.services.verify_current import with_current_forecasts

    return [_check_chain(db, m.claim_records, CLAIM_FIELDS), _check_chain(db, m.claim_edits, EDIT_FIELDS),
            with_current_forecasts(db, _check_claim_rows(db))]


# --------------------------------------------------------------- chains

def _check_chain(db: Database, table, fields: tuple[str, ...]) -> ChainReport:
    name = table.name
    prev, count, last_id = GENESIS, 0, 0
    c = m.claims.c
    if "claim_uuid" in table.c:
        query = select(table)
    else:
        query = (select(table, c.uuid.label("claim_uuid"), c.id.label("claim_found"))
                 .select_from(table.outerjoin(m.claims, c.id == table.c.claim_id)))
    fast = fast_query(table, fields, outer=True) if db.dialect == "sqlite" else None
    if fast is not None:
        return _check_chain_sqlite(db, table, fields, query, fast)
    while True:
        with db.read() as session:
            rows = session.execute(query.where(table.c.id > last_id).order_by(table.c.id).limit(BATCH)
                                   ).mappings().all()
        if not rows:
            return ChainReport(name, count, prev)
        for row in rows:
            if row["prev_hash"] != prev:
                return ChainReport(name, count, prev, row["id"],
                                   f"{name} row {row['id']}: link to the previous row is broken (a row before it was deleted or changed)")
            problem = _row_problem(name, fields, prev, row)
            if problem is not None:
                return ChainReport(name, count, prev, row["id"], problem)
            prev = row["row_hash"]
            count += 1
        last_id = rows[-1]["id"]


def _row_problem(name: str, fields: tuple[str, ...], prev: str, row) -> str | None:
    """The judge: a row's content (as the column types read it) against its stored hash."""
    if row_hash(prev, fields, row) == row["row_hash"]:
        return None
    if "claim_found" in row and row["claim_found"] is None:
        why = f"its claim {row['claim_id']} is gone"
    else:
        why = "content does not match its hash (the row was edited)"
    return f"{name} row {row['id']}: {why}"


def _check_chain_sqlite(db: Database, table, fields: tuple[str, ...], query, fast) -> ChainReport:
    """The same check, SQLite writing each row's canonical text (services.verify's fast path): a
    row whose bytes hash to its stored hash is proven; any other goes to the judge above."""
    with db.read() as session:
        conn = session.connection()

        def judge(prev: str, row_id: int, stored: str) -> str | None:
            return _row_problem(table.name, fields, prev, conn.execute(query.where(table.c.id == row_id)).mappings().one())

        return walk_fast(conn, table.name, fast, judge)


# --------------------------------------------------------------- claims

def shown(field: str, value: Any) -> str:
    """A stored value as a problem line quotes it."""
    if value is None:
        return "empty"
    if isinstance(value, datetime):
        return canonical(value)
    if not isinstance(value, str):
        return repr(value)
    return repr(value if len(value) <= 40 else value[:39] + "…")


def _orphans(session) -> list[str]:
    """A problem per (table, missing claim) for rows whose claim is gone."""
    out = []
    c = m.claims.c
    for table in (m.forecasts, m.resolutions, m.claim_records, m.claim_edits, m.claim_tags):
        first = func.min(table.c.id) if "id" in table.c else func.min(table.c.tag)
        rows = session.execute(
            select(table.c.claim_id, func.count(), first)
            .select_from(table.outerjoin(m.claims, c.id == table.c.claim_id))
            .where(c.id.is_(None)).group_by(table.c.claim_id).order_by(table.c.claim_id)
        ).all()
        for cid, n, lowest in rows:
            where = f"row {lowest}" if "id" in table.c else f"tag {lowest!r}"
            out.append(f"claim {cid} is gone but {n} {table.name} row{'s' if n != 1 else ''} still point at it "
                       f"(first: {where}): the claim row was deleted")
    return out


def _expected_caches(session, lo: int, hi: int) -> dict[int, dict[str, Any]]:
    """What the chained rows give for the cached columns of claims lo..hi (those with any)."""
    f, r = m.forecasts.c, m.resolutions.c
    out: dict[int, dict[str, Any]] = {}

    def of(cid):
        return out.setdefault(cid, {"n_forecasts": 0, "last_probability": None, "last_forecaster": None,
                                    "outcome": None, "resolved_at": None})

    if session.get_bind().dialect.name == "sqlite":
        # SQLite's bare columns come from the row holding the max(): made_at
        # is stored as fixed-width text (so it sorts as the services' ORDER BY
        # made_at sorts it), the id breaks ties; no window sort needed
        newest_f = session.execute(text(
            "SELECT claim_id, probability, forecaster, count(*), max(made_at || printf('%012d', id))"
            " FROM forecasts WHERE claim_id BETWEEN :lo AND :hi GROUP BY claim_id"), {"lo": lo, "hi": hi})
    else:
        ranked = select(
            f.claim_id, f.probability, f.forecaster,
            func.count().over(partition_by=f.claim_id).label("n"),
            func.row_number().over(partition_by=f.claim_id, order_by=(f.made_at.desc(), f.id.desc())).label("rn"),
        ).where(f.claim_id.between(lo, hi)).subquery()
        newest_f = session.execute(select(ranked.c.claim_id, ranked.c.probability, ranked.c.forecaster, ranked.c.n)
                                   .where(ranked.c.rn == 1))
    for cid, p, who, n, *_ in newest_f.all():  # fetchall: iterating a result fetches row by row
        of(cid).update(n_forecasts=n, last_probability=p, last_forecaster=who)
    newest = select(func.max(r.id)).where(r.claim_id.between(lo, hi)).group_by(r.claim_id)
    for cid, outcome, when in session.execute(select(r.claim_id, r.outcome, r.resolved_at)
                                              .where(r.id.in_(newest))).all():
        of(cid).update(outcome=outcome, resolved_at=when)
    return out


_BLANK = {"n_forecasts": 0, "last_probability": None, "last_forecaster": None, "outcome": None, "resolved_at": None}


def _claim_problems(row, record, tags, edits, caches) -> list[str]:
    cid = row["id"]
    out = []
    if record is None:
        out.append(f"claim {cid}: has no chained creation record (the claims row was inserted outside claimtrack)")
    else:
        current = row_values(row, tags)
        replayed = replay(record, edits)
        for field in differences(current, replayed):
            out.append(f"claim {cid}: {field} is {shown(field, current[field])} but its chained history says "
                       f"{shown(field, replayed[field])} (changed outside claimtrack)")
    return out + _cache_problems(row, caches)


def _cache_problems(row, caches) -> list[str]:
    cid = row["id"]
    out = []
    for column in CACHED:
        have, want = row[column], caches[column]
        if (have == want and have.__class__ is want.__class__) or canonical(have) == canonical(want):
            continue
        source = "forecasts" if column in ("n_forecasts", "last_probability", "last_forecaster") else "resolutions"
        out.append(f"claim {cid}: cached {column} is {shown(column, have)} but its chained {source} say "
                   f"{shown(column, want)} (changed outside claimtrack)")
    return out


def _unedited_record_tags():
    """On SQLite, per claim: its creation record's tags text ('' for none) when
    the claim provably is its record as created: one record, no edits, and
    every other replayed field stored exactly as the record stores it (the
    same stored value reads back as the same value); else NULL.  Then the
    replay can only differ in the tags, compared in Python; a NULL sends the
    claim through the replay itself."""
    c, e = m.claims.c, m.claim_edits.c
    r, other = m.claim_records.alias("r"), m.claim_records.alias("r_other")
    same = [r.c[name].is_not_distinct_from(c[row_name])  # a record's field, the row's name for it
            for name, row_name in zip(hashed_columns(CLAIM_FIELDS), REPLAYED) if name != "tags"]
    return (select(func.coalesce(r.c.tags, ""))
            .where(r.c.claim_id == c.id, *same,
                   ~select(e.id).where(e.claim_id == c.id).correlate(m.claims).exists(),
                   ~select(other.c.id).where(other.c.claim_id == c.id, other.c.id != r.c.id)
                   .correlate(m.claims, r).exists())
            .scalar_subquery())


def _check_claim_rows(db: Database) -> ClaimsReport:
    c, t, e, rec = m.claims.c, m.claim_tags.c, m.claim_edits.c, m.claim_records
    with db.read() as session:
        problems = _orphans(session)
    orphans = len(problems)
    total, count, last_id = len(problems), 0, 0
    sqlite = db.dialect == "sqlite"
    light = select(c.id, *(c[name] for name in CACHED), _unedited_record_tags().label("record_tags")) if sqlite else None
    while True:
        with db.read() as session:
            # on SQLite the cached columns of every claim, and the whole row (and its record) only of
            # the claims not proven to be their record as created
            rows = session.execute((light if sqlite else select(m.claims)).where(c.id > last_id).order_by(c.id)
                                   .limit(BATCH)).mappings().all()
            if not rows:
                break
            lo, hi = rows[0]["id"], rows[-1]["id"]
            tags: dict[int, list[str]] = {}
            for cid, tag in session.execute(select(t.claim_id, t.tag).where(t.claim_id.between(lo, hi))).all():
                tags.setdefault(cid, []).append(tag)
            records_query = select(rec).where(rec.c.claim_id.between(lo, hi))
            full: dict[int, Any] = {}
            proven: set[int] = set()
            if sqlite:
                proven = {row["id"] for row in rows if row["record_tags"] is not None
                          and ",".join(sorted(tags.get(row["id"], ()))) == row["record_tags"]}
                unproven = [row["id"] for row in rows if row["id"] not in proven]
                records_query = records_query.where(rec.c.claim_id.in_(unproven))
                if unproven:
                    full = {row["id"]: row for row in session.execute(
                        select(m.claims).where(c.id.in_(unproven))).mappings().all()}
            records = {r["claim_id"]: r for r in session.execute(records_query).mappings().all()}
            edits: dict[int, list[tuple]] = {}
            for cid, field, old, new in session.execute(
                    select(e.claim_id, e.field, e.old_value, e.new_value)
                    .where(e.claim_id.between(lo, hi)).order_by(e.id)).all():
                edits.setdefault(cid, []).append((field, old, new))
            caches = _expected_caches(session, lo, hi)
        for row in rows:
            cid = row["id"]
            if cid in proven:  # the replay gives the row as it is: only its caches to check
                found = _cache_problems(row, caches.get(cid, _BLANK))
            else:
                found = _claim_problems(full.get(cid, row), records.get(cid), tags.get(cid, ()), edits.get(cid, ()),
                                        caches.get(cid, _BLANK))
            total += len(found)
            problems.extend(found[:max(0, MAX_PROBLEMS - len(problems))])
            count += 1
        last_id = hi
    first = problems[0] if problems else None
    broken = claim_of(first) if first is not None else None
    return ClaimsReport("claims", count, None, broken, first, tuple(problems), total, orphans)


def claim_of(problem: str) -> int:
    """The claim id a problem line starts with ("claim N: ..."), 0 for none."""
    match = re.match(r"claim (\d+)", problem)
    return int(match.group(1)) if match else 0


# --------------------------------------------------------------- pins

_PIN = re.compile(r"^(?:([a-z_]+):)?([0-9a-f]{16,64})$")


def parse_pins(values) -> list[tuple[str | None, str]]:
    """``--expect`` values: ``TABLE:HEX`` or ``HEX`` (16 to 64 hex digits)."""
    out = []
    for value in values:
        match = _PIN.match(value.strip().lower())
        if match is None or (match.group(1) and match.group(1) not in CHAINS):
            raise InvalidInput(
                f"invalid --expect {value[:80]!r}: give a chain head as 'verify' or a report prints it, "
                f"CHAIN:HEX with at least 16 hex digits (chains: {', '.join(CHAINS)})")
        out.append((match.group(1), match.group(2)))
    return out


def check_pins(db: Database, pins: list[tuple[str | None, str]]) -> list[PinReport]:
    """Whether each pinned head is still in its chain (any chain when none is named)."""
    out = []
    with db.read() as session:
        for table_name, prefix in pins:
            names = [table_name] if table_name else list(CHAINS)
            found = None
            for name in names:
                table = m.metadata.tables[name]
                if GENESIS.startswith(prefix):
                    found = (name, 0)
                    break
                hit = session.execute(select(table.c.id).where(table.c.row_hash.like(prefix + "%"))
                                      .order_by(table.c.id).limit(1)).scalar()
                if hit is not None:
                    found = (name, hit)
                    break
            label = f"{table_name}:{prefix}" if table_name else prefix
            if found is None:
                where = f"the {table_name} chain" if table_name else "any chain"
                out.append(PinReport(table_name or "", label, False, None,
                                     f"the pinned head {label} is not in {where}: rows were removed from its end "
                                     "or the chain was rewritten since it was pinned"))
                continue
            name, row_id = found
            table = m.metadata.tables[name]
            since = session.execute(select(func.count()).select_from(table).where(table.c.id > row_id)).scalar()
            out.append(PinReport(name, label, True, int(since)))
    return out
