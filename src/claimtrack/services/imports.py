"""Storing parsed import records: one transaction, idempotent, bulk inserts.

Records are matched to what the ledger already holds by uuid, else by
import key; a matched claim keeps its fields and only gains the forecasts and
resolutions it does not have yet.  Importing the same file twice adds
nothing the second time.  Forecasts made at or after the claim's resolution,
or recorded after the resolution was recorded, are kept but flagged
(``after_resolution``) so they are never scored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from claimtrack.db import models as m
from claimtrack.db.engine import Database
from claimtrack.domain import validate
from claimtrack.domain.dates import utcnow
from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.claim_history import tags_text
from claimtrack.domain.filters import normalise_tags
from claimtrack.domain.import_checks import Rejected, check_records
from claimtrack.domain.distribution import distribution_text, options_text
from claimtrack.domain.records import VALUE_OUTCOME, ClaimIn
from claimtrack.services.chain import (
    append_claim_records,
    bulk_forecasts,
    append_edits,
    append_forecasts,
    append_resolutions,
    claim_history_rows,
)
from claimtrack.services.bulk_ids import AscendingUuids, without_uuid
from claimtrack.services.ledger import BACKFILL_AFTER, new_uuid

CHUNK = 500
BATCH = 5000  # forecast rows built, chained and inserted at a time

@dataclass
class ImportSummary:
    claims_added: int = 0
    claims_present: int = 0
    forecasts_added: int = 0
    forecasts_present: int = 0
    resolutions_added: int = 0
    resolutions_present: int = 0
    flagged_after_resolution: int = 0
    backfilled: int = 0
    skipped: list[Rejected] = field(default_factory=list)
    dry_run: bool = False
    claim_ids: list[int] = field(default_factory=list)  # ids of added claims, in order
    drafts: list[ClaimIn] = field(default_factory=list)  # new drafts (for a dry run to show)

    def as_dict(self) -> dict:
        return {
            "claims": {"added": self.claims_added, "already_present": self.claims_present},
            "forecasts": {"added": self.forecasts_added, "already_present": self.forecasts_present,
                          "after_resolution": self.flagged_after_resolution, "backfilled": self.backfilled},
            "resolutions": {"added": self.resolutions_added, "already_present": self.resolutions_present},
            "skipped": [{"location": s.location, "reason": s.reason} for s in self.skipped],
            "dry_run": self.dry_run,
            **({"drafts": [{"statement": d.statement, "source": d.source, "made": d.stated_at,
                            "probability": d.forecasts[0].probability if d.forecasts else None}
                           for d in self.drafts]} if self.dry_run else {}),
        }


class _DryRun(Exception):
    pass


def _is_empty(session: Session, table) -> bool:
    return session.execute(select(table.c.id).limit(1)).first() is None


def _existing(session: Session, column, values: Sequence[str]) -> set[str]:
    found: set[str] = set()
    values = [v for v in values if v]
    if not values or _is_empty(session, column.table):
        return found  # a first import into an empty table: nothing to look up
    for i in range(0, len(values), CHUNK):
        found.update(session.execute(select(column).where(column.in_(values[i:i + CHUNK]))).scalars())
    return found


def _claim_map(session: Session, claims: Sequence[ClaimIn]) -> dict[int, tuple[int, str, datetime | None]]:
    """Index in ``claims`` -> (id, uuid, resolved_at) for claims already in the ledger."""
    by_uuid = {c.uuid: i for i, c in enumerate(claims) if c.uuid}
    by_key = {c.import_key: i for i, c in enumerate(claims) if c.import_key and not c.uuid}
    found: dict[int, tuple[int, str, datetime | None]] = {}
    c = m.claims.c
    if (by_uuid or by_key) and _is_empty(session, m.claims):
        return found
    for lookup, column in ((by_uuid, c.uuid), (by_key, c.import_key)):
        keys = list(lookup)
        for i in range(0, len(keys), CHUNK):
            rows = session.execute(
                select(column, c.id, c.uuid, c.resolved_at).where(column.in_(keys[i:i + CHUNK]))
            )
            for key, cid, cuuid, resolved_at in rows:
                found[lookup[key]] = (cid, cuuid, resolved_at)
    return found


def import_claims(db: Database, claims: Sequence[ClaimIn], *, dry_run: bool = False,
                  extra_tags: Sequence[str] = (), skipped: Sequence = (),
                  progress: Callable[[int, int], None] | None = None) -> ImportSummary:
    summary = ImportSummary(dry_run=dry_run, skipped=[Rejected(s.location, s.reason) for s in skipped])
    claims = check_records(claims, summary.skipped)
    extra = normalise_tags(extra_tags)

    def work(session: Session) -> ImportSummary:
        _store(session, claims, extra, summary, progress)
        if dry_run:
            raise _DryRun
        return summary

    try:
        return db.run_write(work)
    except _DryRun:
        return summary
    except (IntegrityError, DataError) as exc:  # rolled back: nothing was written
        reason = str(exc.orig or exc).strip().splitlines()[0] if str(exc.orig or exc).strip() else type(exc).__name__
        raise InvalidInput(f"the file conflicts with the ledger, nothing imported: {reason}") from None


def _store(session: Session, claims: Sequence[ClaimIn], extra_tags: tuple[str, ...],
           summary: ImportSummary, progress) -> None:
    now = utcnow()
    total = len(claims)
    existing = _claim_map(session, claims)
    summary.claims_present = len(existing)
    # 1. new claims, bulk, with their ids back
    new_idx = [i for i in range(total) if i not in existing]
    new_rows = []
    for i in new_idx:
        c = claims[i]
        new_rows.append({
            "uuid": c.uuid or new_uuid(), "statement": c.statement, "details": c.details,
            "source": c.source, "source_url": c.source_url, "stated_at": c.stated_at,
            "recorded_at": c.recorded_at or now, "resolve_by": c.resolve_by, "status": c.status,
            "import_key": c.import_key, "revision": 1, "n_forecasts": 0, **_spec_row(c),
        })
    ids: dict[int, tuple[int, str, datetime | None]] = dict(existing)
    insert_claims = m.claims.insert().returning(m.claims.c.id, m.claims.c.uuid, sort_by_parameter_order=True)
    for start in range(0, len(new_rows), CHUNK):
        chunk = new_rows[start:start + CHUNK]
        returned = session.execute(insert_claims, chunk).all()
        for offset, (cid, cuuid) in enumerate(returned):
            ids[new_idx[start + offset]] = (cid, cuuid, None)
        if progress:
            progress(min(start + CHUNK, len(new_rows)), max(len(new_rows), 1))
    summary.claims_added = len(new_rows)
    summary.claim_ids = [ids[i][0] for i in new_idx]
    summary.drafts = [claims[i] for i in new_idx if claims[i].status == "draft"]
    # 2. tags, chained creation records and history of new claims
    tag_rows, edit_rows, records = [], [], []
    for i, row in zip(new_idx, new_rows):
        cid, cuuid = ids[i][0], ids[i][1]
        tags = tuple(dict.fromkeys((*claims[i].tags, *extra_tags)))
        for tag in tags:
            tag_rows.append({"claim_id": cid, "tag": tag})
        edits = [{"claim_id": cid, "claim_uuid": cuuid, "field": e.field, "old_value": e.old_value,
                  "new_value": e.new_value, "edited_at": e.edited_at, "edited_by": e.edited_by}
                 for e in claims[i].edits]
        record, closing = claim_history_rows(cid, {**row, "uuid": cuuid, "tags": tags_text(tags)}, edits,
                                             now=now, edited_by="claimtrack import")
        records.append(record)
        edit_rows.extend(edits)
        edit_rows.extend(closing)
    if tag_rows:
        session.execute(m.claim_tags.insert(), tag_rows)
    append_claim_records(session, records)
    append_edits(session, edit_rows)
    touched: set[int] = set()
    # 3. resolutions (first, so forecasts can be checked against them)
    res_rows = _new_resolutions(session, claims, ids, now, summary)
    append_resolutions(session, res_rows)
    resolved_at: dict[int, tuple[datetime, datetime] | None] = _current_resolutions(
        session, [cid for cid, _, r in existing.values() if r is not None])
    for row in res_rows:  # the last appended is current
        resolved_at[row["claim_id"]] = (row["resolved_at"], row["recorded_at"]) if row["outcome"] else None
        touched.add(row["claim_id"])
    # 4. forecasts, chained and inserted a batch at a time (a big file's rows never all sit in memory)
    added = {ids[i][0] for i in new_idx}
    caches = _AddedCaches(added)
    with bulk_forecasts(session, sum(len(c.forecasts) for c in claims)):
        for f_rows in _new_forecasts(session, claims, ids, resolved_at, now, summary):
            append_forecasts(session, f_rows)
            touched.update(r["claim_id"] for r in f_rows)
            caches.add(f_rows)
    _store_caches(session, caches.values_for(touched & added, res_rows))
    _refresh_caches(session, sorted(touched - added))


def _spec_row(c: ClaimIn) -> dict:
    """The claims-row columns of a claim's question type and spec (issue 12)."""
    if c.question_type == "binary":  # every row of one insert has the same keys
        return {"question_type": "binary", "options": None, "ordered": False, "unit": None, "log_scale": False}
    return {"question_type": c.question_type, "options": options_text(c.options), "ordered": bool(c.ordered),
            "unit": c.unit, "log_scale": bool(c.log_scale)}


def _new_resolutions(session, claims, ids, now, summary) -> list[dict]:
    pending = []
    for i, c in enumerate(claims):
        cid, cuuid, _ = ids[i]
        for r in c.resolutions:
            pending.append({
                "uuid": r.uuid or new_uuid(), "claim_uuid": cuuid, "claim_id": cid,
                "outcome": r.outcome if r.outcome == VALUE_OUTCOME else validate.outcome(r.outcome),
                "resolved_at": r.resolved_at, "note": r.note,
                "evidence_url": r.evidence_url, "resolved_by": r.resolved_by,
                "recorded_at": r.recorded_at or now, "import_key": r.import_key, "value": r.value,
            })
    given = [r.uuid for c in claims for r in c.resolutions]
    return _drop_present(session, m.resolutions, pending, given, summary, "resolutions")


def _new_forecasts(session, claims, ids, resolved_at, now, summary) -> Iterator[list[dict]]:
    """The forecast rows to append, in file order, in lists of up to ``BATCH``
    (those already in the ledger or earlier in the file left out)."""
    # UUIDs for the forecasts that come without one, drawn at once and handed
    # out in ascending order: each is as random as uuid4's, and the unique
    # index on forecasts.uuid is then filled in order instead of at random
    # places (a third of SQLite's time for a 150,000-forecast import)
    next_uuid = AscendingUuids(sum(without_uuid(c.forecasts) for c in claims)).next
    backfill_after = BACKFILL_AFTER
    # a parse that gives every forecast of the file its own import key (and no
    # uuid: ``keys_unique``) has no repeat to look for among its own rows
    present = _Present(session, m.forecasts, summary, "forecasts",
                       track=not all(getattr(c.forecasts, "keys_unique", False) for c in claims))
    pending: list[dict] = []
    given: list[str | None] = []
    append = pending.append
    for i, c in enumerate(claims):
        cid, cuuid, _ = ids[i]
        cutoff, cutoff_recorded = resolved_at.get(cid) or (None, None)
        for f in c.forecasts:
            made, recorded = f.made_at, f.recorded_at or now
            append({
                "uuid": f.uuid or next_uuid(), "claim_uuid": cuuid, "claim_id": cid,
                "forecaster": f.forecaster,
                "probability": None if f.probability is None else float(f.probability) + 0.0, "made_at": made,
                "recorded_at": recorded, "rationale": f.rationale,
                "backfilled": recorded - made > backfill_after,
                "after_resolution": cutoff is not None and (made >= cutoff or recorded > cutoff_recorded),
                "import_key": f.import_key, "kind": f.kind, "basis": f.basis, "recorded_by": f.recorded_by,
                "distribution": None if f.distribution is None else distribution_text(f.distribution),
            })
            given.append(f.uuid)
            if len(pending) >= BATCH:
                yield _counted(present(pending, given), summary)
                pending, given = [], []
                append = pending.append
    if pending:
        yield _counted(present(pending, given), summary)


def _counted(rows: list[dict], summary: ImportSummary) -> list[dict]:
    summary.flagged_after_resolution += sum(1 for r in rows if r["after_resolution"])
    summary.backfilled += sum(1 for r in rows if r["backfilled"])
    return rows


def _current_resolutions(session: Session, claim_ids: list[int]) -> dict[int, tuple[datetime, datetime]]:
    """claim id -> (resolved_at, recorded_at) of its current (newest) resolution."""
    r = m.resolutions.c
    out: dict[int, tuple[datetime, datetime]] = {}
    for start in range(0, len(claim_ids), CHUNK):
        newest = select(func.max(r.id)).where(r.claim_id.in_(claim_ids[start:start + CHUNK])).group_by(r.claim_id)
        for cid, when, recorded in session.execute(select(r.claim_id, r.resolved_at, r.recorded_at)
                                                   .where(r.id.in_(newest))):
            out[cid] = (when, recorded)
    return out


def _drop_present(session, table, pending: list[dict], given: list[str | None], summary: ImportSummary,
                  what: str) -> list[dict]:
    """The rows of ``pending`` not in the ledger yet (nor earlier in the file), by
    the uuid the file gave (``given``, one per row) or the import key."""
    return _Present(session, table, summary, what)(pending, given)


class _Present:
    """:func:`_drop_present` over a file's rows handed over in batches (the
    rows of earlier batches count as earlier in the file).  Whether the
    table held anything is asked once, before the first batch is stored: a
    table empty then holds only this import's rows, which are never looked
    up again."""

    def __init__(self, session, table, summary: ImportSummary, what: str, track: bool = True):
        self.session, self.table, self.summary, self.what = session, table, summary, what
        self.track = track  # False: the file repeats no key or uuid, so its keys need not be kept
        self.empty = _is_empty(session, table)
        self.seen_keys: set[str] = set()
        self.seen_uuids: set[str] = set()

    def __call__(self, pending: list[dict], given: list[str | None]) -> list[dict]:
        session, table = self.session, self.table
        uuids = set() if self.empty else _existing(session, table.c.uuid, [g for g in given if g])
        keys = set() if self.empty else _existing(session, table.c.import_key,
                                                  [p["import_key"] for p in pending if p["import_key"]])
        if not self.track and not uuids and not keys:
            return self._count(pending, 0)  # none in the ledger, and the file repeats nothing
        fresh, seen_keys, seen_uuids = [], self.seen_keys, self.seen_uuids
        present = 0
        for p, uuid in zip(pending, given):
            key = p["import_key"]
            if (uuid and (uuid in uuids or uuid in seen_uuids)) or (key and (key in keys or key in seen_keys)):
                present += 1
                continue
            if key:
                seen_keys.add(key)
            if uuid:  # (a UUID drawn here cannot repeat one the file gave)
                seen_uuids.add(uuid)
            fresh.append(p)
        return self._count(fresh, present)

    def _count(self, fresh: list[dict], present: int) -> list[dict]:
        summary, what = self.summary, self.what
        setattr(summary, f"{what}_present", getattr(summary, f"{what}_present") + present)
        setattr(summary, f"{what}_added", getattr(summary, f"{what}_added") + len(fresh))
        return fresh


def _blank_cache(claim_id: int) -> dict:
    return {"claim": claim_id, "n_forecasts": 0, "last_probability": None, "last_forecaster": None,
            "outcome": None, "resolved_at": None}


def _store_caches(session: Session, values: list[dict]) -> None:
    if values:
        session.execute(update(m.claims).where(m.claims.c.id == bindparam("claim")), values)


class _AddedCaches:
    """The caches of claims this import created: every forecast and resolution
    they have is in this import, appended in order (and so in id order), so
    they are worked out here exactly as :func:`_refresh_caches` would read
    them back: the newest forecast by made_at, the later row on a tie; the
    last resolution.  Forecasts come in batches (:meth:`add`)."""

    def __init__(self, claim_ids: set[int]):
        self.values = {cid: _blank_cache(cid) for cid in sorted(claim_ids)}
        self.newest: dict[int, datetime] = {}

    def add(self, f_rows: list[dict]) -> None:
        values, newest = self.values, self.newest
        for row in f_rows:
            cache = values.get(row["claim_id"])
            if cache is None:
                continue
            cache["n_forecasts"] += 1
            made = row["made_at"]
            best = newest.get(row["claim_id"])
            if best is None or made >= best:
                newest[row["claim_id"]] = made
                cache["last_probability"], cache["last_forecaster"] = row["probability"], row["forecaster"]

    def values_for(self, claim_ids: set[int], res_rows: list[dict]) -> list[dict]:
        values = {cid: cache for cid, cache in self.values.items() if cid in claim_ids}
        for row in res_rows:
            cache = values.get(row["claim_id"])
            if cache is not None:
                cache["outcome"], cache["resolved_at"] = row["outcome"], row["resolved_at"]
        for cache in values.values():
            cache["revision"] = 2  # inserted at revision 1 by this import
        return list(values.values())


def _refresh_caches(session: Session, claim_ids: list[int]) -> None:
    """Recompute the cached newest forecast and current resolution of claims."""
    f, r, c = m.forecasts.c, m.resolutions.c, m.claims.c
    for start in range(0, len(claim_ids), CHUNK):
        chunk = claim_ids[start:start + CHUNK]
        values = {cid: _blank_cache(cid) for cid in chunk}
        for cid, n in session.execute(select(f.claim_id, func.count()).where(f.claim_id.in_(chunk)).group_by(f.claim_id)):
            values[cid]["n_forecasts"] = n
        ranked = select(
            f.claim_id, f.probability, f.forecaster,
            func.row_number().over(partition_by=f.claim_id, order_by=(f.made_at.desc(), f.id.desc())).label("rn"),
        ).where(f.claim_id.in_(chunk)).subquery()
        for cid, p, who in session.execute(
            select(ranked.c.claim_id, ranked.c.probability, ranked.c.forecaster).where(ranked.c.rn == 1)
        ):
            values[cid].update(last_probability=p, last_forecaster=who)
        newest = select(func.max(r.id)).where(r.claim_id.in_(chunk)).group_by(r.claim_id)
        for cid, outcome, when in session.execute(select(r.claim_id, r.outcome, r.resolved_at).where(r.id.in_(newest))):
            values[cid].update(outcome=outcome, resolved_at=when)
        revisions = dict(session.execute(select(c.id, c.revision).where(c.id.in_(chunk))).all())
        for cid, row in values.items():
            row["revision"] = revisions[cid] + 1
        _store_caches(session, list(values.values()))
