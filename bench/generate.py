"""Synthetic ledgers for the benchmarks, written fast and cached under bench/out/.

    python bench/generate.py                 # the 10k and 100k ledgers (cached)
    python bench/generate.py --claims 2000 --forecasts 20000 --out /tmp/x.db

A ledger is created with claimtrack's own schema (``open_ledger`` runs the
migrations), then filled with plain ``sqlite3`` ``executemany`` inserts in one
transaction, secondary indexes dropped during the load and rebuilt after (the
current-forecast cache, db.current, filled in one pass at the end).
Every row respects the schema and the ledger's invariants: the forecast and
resolution hash chains, and the claim record and edit chains
(:func:`claimtrack.domain.chain.row_hash` over the same field tuples
``claimtrack verify`` checks), the cached newest forecast
and current resolution on each claim, ``backfilled`` and
``after_resolution`` flags computed as the services compute them.

The data is seeded and deterministic: several forecasters of different
skill, tags, sources, a realistic share resolved (about two thirds, a few
ambiguous or void, some re-resolved), open claims both overdue and due later,
backfilled forecasts, a heavy-tailed number of forecasts per claim.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sqlite3
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from claimtrack.domain.chain import CLAIM_FIELDS, EDIT_FIELDS, FORECAST_FIELDS, GENESIS, RESOLUTION_FIELDS, row_hash
from claimtrack.db import current

GENERATOR_VERSION = 2
OUT = Path(__file__).resolve().parent / "out"

# name -> (claims, forecasts)
SIZES = {"tiny": (200, 1_000), "10k": (10_000, 100_000), "100k": (100_000, 1_000_000),
         "xl": (1_000_000, 10_000_000)}  # xl: only for the scaling rows (bench/run.py --size xl)

EPOCH = datetime(1970, 1, 1)
START = int((datetime(2019, 1, 1) - EPOCH).total_seconds())
END = int((datetime(2026, 11, 1) - EPOCH).total_seconds())  # "now" of the synthetic ledger
DAY = 86_400
BACKFILL_SECONDS = 24 * 3600  # claimtrack.domain.records.BACKFILL_THRESHOLD_HOURS
CHUNK = 5_000  # claims per insert batch

FORECASTERS = [  # name, weight, noise (std of p around the truth), rounding step
    ("me", 30, 0.16, 0.01), ("alice", 14, 0.10, 0.05), ("bob", 10, 0.22, 0.10), ("priya", 9, 0.08, 0.01),
    ("chen", 8, 0.13, 0.05), ("dmitri", 6, 0.25, 0.10), ("fatima", 6, 0.11, 0.01), ("gus", 5, 0.18, 0.05),
    ("hana", 4, 0.09, 0.01), ("ivan", 3, 0.30, 0.10), ("crowd", 3, 0.07, 0.01), ("superforecaster-42", 2, 0.06, 0.01),
]
SOURCES = [
    "me", "Ben Thompson", "Matt Levine", "Casey Newton", "Gary Marcus", "Sam Altman", "Elon Musk",
    "Nate Silver", "Scott Alexander", "Zvi Mowshowitz", "The Information", "Bloomberg", "Reuters",
    "Financial Times", "Stratechery", "Hacker News", "Metaculus", "Manifold", "Polymarket", "The Verge",
    "Platformer", "Semianalysis", "Dwarkesh Patel", "Tyler Cowen", "Noah Smith", "Paul Krugman",
    "The Economist", "a colleague", "my manager", "r/MachineLearning",
]
TAGS = [
    "ai", "openai", "hardware", "policy", "markets", "crypto", "elections", "geopolitics", "climate", "space",
    "biotech", "work", "personal", "sports", "chips", "regulation", "startups", "energy", "china", "europe",
    "us-politics", "media", "science", "health", "macro", "rates", "inflation", "housing", "transport", "gaming",
    "security", "open-source", "llm", "robotics", "education", "legal", "m-and-a", "earnings", "labour", "misc",
]
SUBJECTS = [
    "OpenAI", "Apple", "the Fed", "Tesla", "NVIDIA", "the EU", "Google", "Microsoft", "SpaceX", "Anthropic",
    "Meta", "Amazon", "China", "India", "the UK government", "TSMC", "Intel", "AMD", "Netflix", "the ECB",
    "Bitcoin", "the S&P 500", "Germany", "Brazil", "our team", "the project", "Stripe", "ByteDance",
]
PREDICATES = [
    "will ship its own AI chip", "will announce a new flagship model", "will cut interest rates",
    "will be acquired", "will pass a major AI law", "will reach a $5T valuation", "will launch a search product",
    "will lay off more than 10% of staff", "will open-source its best model", "will release GPT-style agents",
    "will beat consensus earnings", "will face an antitrust ruling", "will double its revenue",
    "will hit the quarterly deadline", "will replace its CEO", "will land a crewed mission", "will ban the app",
    "will raise prices", "will close the funding round", "will sign the partnership",
]
CLAUSES = [
    "", "", "", " according to its own announcement", " as reported by at least two major outlets",
    " with independent confirmation", " despite regulatory pushback", " before its main competitor does",
]
RATIONALES = [
    "base rate from similar announcements", "new reporting this week", "insider comments on a podcast",
    "earnings call tone", "they have missed every deadline so far", "market is pricing this in",
    "regulators signalled opposition", "supply chain rumours", "gut feeling", "updated after the leak",
]


@dataclass
class Counts:
    claims: int = 0
    forecasts: int = 0
    resolutions: int = 0
    tags: int = 0
    edits: int = 0


def _ts(us: int) -> tuple[str, str]:
    """Microseconds since the epoch -> (SQLite column text, canonical hash text)."""
    text = (EPOCH + timedelta(microseconds=us)).isoformat(sep=" ", timespec="microseconds")
    return text, f"{text[:10]}T{text[11:]}Z"


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _forecast_counts(rng: random.Random, n_claims: int, n_forecasts: int) -> list[int]:
    """At least one forecast per claim; the rest heavy-tailed (a few claims draw crowds)."""
    if n_forecasts < n_claims:
        raise ValueError("need at least one forecast per claim")
    counts = [1] * n_claims
    weights = [min(rng.paretovariate(1.3), 200.0) for _ in range(n_claims)]
    for i in rng.choices(range(n_claims), weights=weights, k=n_forecasts - n_claims):
        counts[i] += 1
    return counts


def _secondary_indexes(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL"
    ).fetchall()


def create_schema(path: Path) -> None:
    """An empty ledger at ``path`` with claimtrack's current schema."""
    from claimtrack.services.store import open_ledger

    db = open_ledger(str(path))
    db.dispose()


def generate(path: Path, n_claims: int, n_forecasts: int, *, seed: int = 7, quiet: bool = False) -> Counts:
    """Write a synthetic ledger to ``path`` (which must not exist)."""
    t0 = time.perf_counter()
    path = Path(path)
    if path.exists():
        raise FileExistsError(path)
    create_schema(path)
    rng = random.Random(seed)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA foreign_keys=ON")
    indexes = _secondary_indexes(conn)
    conn.execute("BEGIN IMMEDIATE")
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    # the current-forecast cache (db.current) is filled in one pass at the end,
    # not by its trigger row by row; the trigger is back before COMMIT
    for stmt in current.drop_statements("sqlite"):
        conn.execute(stmt)
    counts = Counts()
    per_claim = _forecast_counts(rng, n_claims, n_forecasts)
    chains = {"f": GENESIS, "r": GENESIS, "c": GENESIS, "e": GENESIS}
    for start in range(0, n_claims, CHUNK):
        batch = _batch(rng, start, per_claim[start:start + CHUNK], counts, chains)
        _insert(conn, batch)
        if not quiet and (start // CHUNK) % 4 == 3:
            print(f"  {start + len(batch['claims']):>7} claims, {counts.forecasts:>8} forecasts "
                  f"({time.perf_counter() - t0:.0f}s)", file=sys.stderr)
    for _, sql in indexes:
        conn.execute(sql)
    conn.execute(current.BACKFILL)
    for stmt in current.install_statements("sqlite"):
        conn.execute(stmt)
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    if not quiet:
        print(f"generated in {time.perf_counter() - t0:.1f}s: {counts}", file=sys.stderr)
    return counts


def _batch(rng: random.Random, first: int, per_claim: list[int], counts: Counts, chains: dict) -> dict:
    claims, tags, edits, forecasts, resolutions, records = [], [], [], [], [], []
    end_us = END * 1_000_000
    for offset, n_f in enumerate(per_claim):
        cid = first + offset + 1
        c_uuid = _uuid(rng)
        stated = rng.randrange(START, END - DAY) * 1_000_000 + rng.randrange(1_000_000)
        late_claim = rng.random() < 0.08
        recorded = stated + (rng.randrange(2 * DAY, 300 * DAY) if late_claim else rng.randrange(3600)) * 1_000_000
        recorded = min(recorded, end_us)
        resolve_by = None
        if rng.random() < 0.9:
            day = (stated // 1_000_000 // DAY + rng.randrange(7, 900)) * DAY
            resolve_by = (day + DAY) * 1_000_000 - 1  # end of that day
        status = "active"
        roll = rng.random()
        if roll < 0.01:
            status = "draft"
        elif roll < 0.013:
            status = "rejected"
        # truth and resolution
        q = min(max(rng.betavariate(0.9, 1.3), 0.01), 0.99)
        resolved_at = None
        if status == "active":
            if resolve_by is not None and resolve_by < end_us:
                if rng.random() < 0.9:
                    resolved_at = resolve_by + rng.randrange(-30 * DAY, 60 * DAY) * 1_000_000
            elif resolve_by is None and rng.random() < 0.4:
                resolved_at = stated + rng.randrange(30 * DAY, 700 * DAY) * 1_000_000
            elif rng.random() < 0.05:
                resolved_at = stated + rng.randrange(DAY, 200 * DAY) * 1_000_000
            if resolved_at is not None:
                resolved_at = max(min(resolved_at, end_us - 1), stated + 3600 * 1_000_000)
                if resolved_at >= end_us:
                    resolved_at = None
        outcome = None
        res_rows = []
        if resolved_at is not None:
            roll = rng.random()
            outcome = "ambiguous" if roll < 0.04 else "void" if roll < 0.07 else ("yes" if rng.random() < q else "no")
            if rng.random() < 0.01:  # re-resolved: an earlier resolution stays in history
                earlier = stated + (resolved_at - stated) // 2
                res_rows.append((rng.choice(("ambiguous", "yes", "no")), earlier, "first call, later corrected"))
            res_rows.append((outcome, resolved_at, rng.choice((None, None, "announced", "confirmed by reporting"))))
        # forecasts
        window_end = resolved_at if resolved_at is not None else min(end_us, resolve_by or end_us)
        made = sorted([stated] + [rng.randrange(stated, max(window_end, stated + 1)) for _ in range(n_f - 1)])
        last = (-1, -1, None, None)  # (made, id, p, forecaster)
        for k, made_at in enumerate(made):
            if k == 0:
                who, noise, step = ("me", 0.16, 0.01) if rng.random() < 0.7 else _pick_forecaster(rng)
                rec = recorded
            else:
                who, noise, step = _pick_forecaster(rng)
                if resolved_at is not None and rng.random() < 0.001:
                    made_at = min(resolved_at + rng.randrange(3600, 30 * DAY) * 1_000_000, end_us - 1)
                rec = made_at + (rng.randrange(2 * DAY, 400 * DAY) if rng.random() < 0.06 else rng.randrange(1, 600)) * 1_000_000
                rec = min(rec, end_us)
            p = q + rng.gauss(0.0, noise)
            p = min(max(round(p / step) * step, step), 1.0 - step)
            if rng.random() < 0.003:
                p = 0.0 if p < 0.5 else 1.0
            p = float(round(min(max(p, 0.0), 1.0), 2))
            counts.forecasts += 1
            fid = counts.forecasts
            made_txt, made_can = _ts(made_at)
            rec_txt, rec_can = _ts(rec)
            row = {
                "uuid": _uuid(rng), "claim_uuid": c_uuid, "forecaster": who, "probability": p,
                "made_at": made_can, "recorded_at": rec_can,
                "rationale": rng.choice(RATIONALES) if rng.random() < 0.15 else None,
                "backfilled": rec - made_at > BACKFILL_SECONDS * 1_000_000,
                "after_resolution": resolved_at is not None and made_at > resolved_at,
                "import_key": None,
            }
            prev = chains["f"]
            chains["f"] = h = row_hash(prev, FORECAST_FIELDS, row)
            forecasts.append((fid, row["uuid"], cid, who, p, made_txt, rec_txt, row["rationale"],
                              row["backfilled"], row["after_resolution"], None, prev, h))
            if (made_at, fid) > last[:2]:
                last = (made_at, fid, p, who)
        for r_outcome, r_at, note in res_rows:
            counts.resolutions += 1
            rid = counts.resolutions
            at_txt, at_can = _ts(r_at)
            rec_txt, rec_can = _ts(min(r_at + rng.randrange(60, 5 * DAY) * 1_000_000, end_us))
            row = {
                "uuid": _uuid(rng), "claim_uuid": c_uuid, "outcome": r_outcome, "resolved_at": at_can,
                "note": note, "evidence_url": "https://example.com/evidence" if note else None,
                "resolved_by": "me", "recorded_at": rec_can, "import_key": None,
            }
            prev = chains["r"]
            chains["r"] = h = row_hash(prev, RESOLUTION_FIELDS, row)
            resolutions.append((rid, row["uuid"], cid, r_outcome, at_txt, note, row["evidence_url"], "me",
                                rec_txt, None, prev, h))
        statement = f"{rng.choice(SUBJECTS)} {rng.choice(PREDICATES)}{rng.choice(CLAUSES)}"
        if resolve_by is not None:
            statement += f" by {_ts(resolve_by)[0][:7]}"
        n_edits = 0
        first_statement = statement
        if rng.random() < 0.02:
            n_edits = 1
            first_statement = statement.replace(" will ", " would ", 1)
            edited_txt, edited_can = _ts(recorded + DAY * 1_000_000)
            row = {"claim_uuid": c_uuid, "field": "statement", "old_value": first_statement,
                   "new_value": statement, "edited_at": edited_can, "edited_by": "me"}
            prev = chains["e"]
            chains["e"] = h = row_hash(prev, EDIT_FIELDS, row)
            edits.append((cid, "statement", first_statement, statement, edited_txt, "me", prev, h))
        claim_tags = _pick_tags(rng)
        for tag in claim_tags:
            tags.append((cid, tag))
        source = None if rng.random() < 0.1 else rng.choice(SOURCES)
        claims.append((
            cid, c_uuid, statement, "Resolution criteria: as stated." if rng.random() < 0.2 else None, source,
            f"https://example.com/{cid}" if source and rng.random() < 0.5 else None,
            _ts(stated)[0], _ts(recorded)[0], _ts(resolve_by)[0] if resolve_by is not None else None, status, None,
            1 + n_f + len(res_rows) + n_edits, last[2], last[3], n_f, outcome,
            _ts(resolved_at)[0] if resolved_at is not None else None,
        ))
        c = claims[-1]
        record = {"claim_uuid": c_uuid, "statement": first_statement, "details": c[3], "source": source,
                  "source_url": c[5], "stated_at": _ts(stated)[1], "recorded_at": _ts(recorded)[1],
                  "resolve_by": _ts(resolve_by)[1] if resolve_by is not None else None, "status": status,
                  "import_key": None, "tags": ",".join(sorted(claim_tags))}
        prev = chains["c"]
        chains["c"] = h = row_hash(prev, CLAIM_FIELDS, record)
        records.append((cid, cid, c_uuid, first_statement, c[3], source, c[5], c[6], c[7], c[8], status, None,
                        record["tags"], prev, h))
    counts.claims += len(claims)
    counts.tags += len(tags)
    counts.edits += len(edits)
    return {"claims": claims, "tags": tags, "edits": edits, "forecasts": forecasts, "resolutions": resolutions,
            "records": records}


def _pick_forecaster(rng: random.Random) -> tuple[str, float, float]:
    name, _, noise, step = rng.choices(FORECASTERS, weights=[f[1] for f in FORECASTERS])[0]
    return name, noise, step


_TAG_WEIGHTS = [1.0 / math.sqrt(i + 1) for i in range(len(TAGS))]


def _pick_tags(rng: random.Random) -> list[str]:
    k = rng.choices((0, 1, 2, 3), weights=(15, 40, 30, 15))[0]
    return list(dict.fromkeys(rng.choices(TAGS, weights=_TAG_WEIGHTS, k=k)))


def _insert(conn: sqlite3.Connection, batch: dict) -> None:
    conn.executemany(
        "INSERT INTO claims (id, uuid, statement, details, source, source_url, stated_at, recorded_at, resolve_by,"
        " status, import_key, revision, last_probability, last_forecaster, n_forecasts, outcome, resolved_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", batch["claims"])
    conn.executemany("INSERT INTO claim_tags (claim_id, tag) VALUES (?,?)", batch["tags"])
    conn.executemany(
        "INSERT INTO claim_records (id, claim_id, claim_uuid, statement, details, source, source_url, stated_at,"
        " recorded_at, resolve_by, status, import_key, tags, prev_hash, row_hash)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", batch["records"])
    conn.executemany(
        "INSERT INTO claim_edits (claim_id, field, old_value, new_value, edited_at, edited_by, prev_hash, row_hash)"
        " VALUES (?,?,?,?,?,?,?,?)", batch["edits"])
    conn.executemany(
        "INSERT INTO resolutions (id, uuid, claim_id, outcome, resolved_at, note, evidence_url, resolved_by,"
        " recorded_at, import_key, prev_hash, row_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", batch["resolutions"])
    conn.executemany(
        "INSERT INTO forecasts (id, uuid, claim_id, forecaster, probability, made_at, recorded_at, rationale,"
        " backfilled, after_resolution, import_key, prev_hash, row_hash, kind)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,'own')",
        batch["forecasts"])


def cache_name(n_claims: int, n_forecasts: int, seed: int = 7) -> str:
    from claimtrack.db.migrate import SCHEMA_HEAD

    return f"ledger-{n_claims}c-{n_forecasts}f-s{seed}-g{GENERATOR_VERSION}-schema{SCHEMA_HEAD}.db"


def ensure_ledger(n_claims: int, n_forecasts: int, *, seed: int = 7, out: Path = OUT,
                  quiet: bool = False) -> Path:
    """The cached ledger of this size, generated on first use (atomically)."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / cache_name(n_claims, n_forecasts, seed)
    if path.exists():
        return path
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    for leftover in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
        leftover.unlink(missing_ok=True)
    generate(tmp, n_claims, n_forecasts, seed=seed, quiet=quiet)
    os.replace(tmp, path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), action="append",
                        help="a preset size (repeatable; default: 10k and 100k)")
    parser.add_argument("--claims", type=int, help="number of claims (with --forecasts)")
    parser.add_argument("--forecasts", type=int, help="number of forecasts (at least one per claim)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, help="write here instead of the cache in bench/out/")
    args = parser.parse_args(argv)
    if args.claims or args.forecasts:
        if not (args.claims and args.forecasts):
            parser.error("give both --claims and --forecasts")
        sizes = [(args.claims, args.forecasts)]
    else:
        sizes = [SIZES[s] for s in (args.size or ["10k", "100k"])]
    for n_claims, n_forecasts in sizes:
        if args.out:
            generate(args.out, n_claims, n_forecasts, seed=args.seed)
            print(args.out)
        else:
            print(ensure_ledger(n_claims, n_forecasts, seed=args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
