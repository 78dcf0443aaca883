"""Ledgers for the report tests (no tests here).

``hand_ledger`` builds a small ledger whose scores are worked out by hand in
the comments below and in test_report_service.py.  ``load_realdata_csv``
loads one of ../shared/realdata/derived's CSV files through the import
service, one claim per claim_id.
"""

from __future__ import annotations

import csv
import gzip
from datetime import datetime, timedelta, timezone
from pathlib import Path

from claimtrack.domain.records import ClaimIn, ForecastIn, ResolutionIn
from claimtrack.services.imports import import_claims

HOUR = timedelta(hours=1)
NASTY_STATEMENT = "<script>alert(1)</script> & [bold red]x[/] wins"
NASTY_SOURCE = "[bold red]x[/]"
OVERDUE_STATEMENT = "Overdue <b>claim</b> [link=http://evil.example]y[/link]"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def fc(who: str, p: float, made: datetime, recorded: datetime | None = None) -> ForecastIn:
    """A forecast logged an hour after it was made unless ``recorded`` says otherwise."""
    return ForecastIn(forecaster=who, probability=p, made_at=made, recorded_at=recorded or made + HOUR)


def res(outcome: str, when: datetime) -> ResolutionIn:
    return ResolutionIn(outcome=outcome, resolved_at=when, recorded_at=when + HOUR)


def claim(statement: str, *, source=None, tags=(), forecasts=(), resolutions=(), resolve_by=None,
          stated=utc(2024, 1, 1), source_url=None) -> ClaimIn:
    return ClaimIn(statement=statement, stated_at=stated, recorded_at=stated + HOUR, source=source,
                   source_url=source_url, tags=tuple(tags), forecasts=list(forecasts),
                   resolutions=list(resolutions), resolve_by=resolve_by)


# Resolution times
T_A = utc(2024, 2, 15, 12)   # A: yes
T_B = utc(2024, 3, 10, 12)   # B: no
T_C = utc(2024, 3, 20, 12)   # C: ambiguous
T_D = utc(2024, 4, 5, 12)    # D: void
T_G = utc(2024, 7, 1, 12)    # G: yes


def hand_claims() -> list[ClaimIn]:
    day = timedelta(days=1)
    return [
        # A, yes.  me: 60% then 80% (final), then 90% a day AFTER the resolution
        # (flagged, never scored).  Priya: 70%.
        claim("A: the first claim", source="Alice", tags=["ai"], source_url="https://example.org/a",
              forecasts=[fc("me", 0.6, T_A - 10 * day), fc("Priya", 0.7, T_A - 5 * day),
                         fc("me", 0.8, T_A - 2 * day), fc("me", 0.9, T_A + day)],
              resolutions=[res("yes", T_A)], resolve_by=utc(2024, 2, 28)),
        # B, no.  me: 45% (contemporaneous), then 30% three days before the
        # resolution but logged three days later, just before the resolution was
        # recorded (backfilled; final).  Priya: 40%.  (Logged after the
        # resolution was recorded it would never count: test_trust_timing.)
        claim("B: the second claim", source="Bob", tags=["ai", "policy"],
              forecasts=[fc("me", 0.45, T_B - 20 * day), fc("Priya", 0.4, utc(2024, 3, 1, 12)),
                         fc("me", 0.3, T_B - 3 * day, recorded=T_B)],
              resolutions=[res("no", T_B)], resolve_by=utc(2024, 3, 31)),
        # C, ambiguous: me 50% is excluded.
        claim("C: ambiguous claim", source="Alice", forecasts=[fc("me", 0.5, utc(2024, 3, 1))],
              resolutions=[res("ambiguous", T_C)]),
        # D, void: Priya 20% is excluded.
        claim("D: void claim", source="Bob", tags=["policy"], forecasts=[fc("Priya", 0.2, utc(2024, 3, 1))],
              resolutions=[res("void", T_D)]),
        # G, yes: me 15% (a bin edge that float bins lose).  User text to escape.
        claim(NASTY_STATEMENT, source=NASTY_SOURCE, tags=["policy"], forecasts=[fc("me", 0.15, utc(2024, 6, 1))],
              resolutions=[res("yes", T_G)]),
        # E: open and overdue.  F: open, due far ahead.
        claim(OVERDUE_STATEMENT, source="Carol", forecasts=[fc("me", 0.5, utc(2024, 6, 1))],
              resolve_by=utc(2024, 9, 1)),
        claim("F: open claim", source="Carol", forecasts=[fc("Priya", 0.5, utc(2024, 6, 1))],
              resolve_by=utc(2099, 1, 1)),
    ]


def hand_ledger(db) -> dict[str, int]:
    """Import the hand-built claims; returns {letter: claim id}."""
    summary = import_claims(db, hand_claims())
    assert summary.claims_added == 7 and not summary.skipped, summary
    assert summary.flagged_after_resolution == 1 and summary.backfilled == 1, summary
    return dict(zip("ABCDGEF", summary.claim_ids))


# ------------------------------------------------------------- real data


def _when(text: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


DATE_COLUMNS = ("created_at", "resolved_at", "resolve_by")


def in_range(row: dict) -> bool:
    """Whether every date of a realdata row lies in the ledger's accepted range
    (1900-8999); PredictionBook's data holds a few rows dated in year 139,
    which every import skips."""
    years = [(row.get(k) or "").strip()[:4] for k in DATE_COLUMNS]
    return all(1900 <= int(y) <= 8999 for y in years if y.isdigit() and len(y) == 4)


def read_rows(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="", encoding="utf-8") as fh:
        return [row for row in csv.DictReader(fh) if in_range(row)]


def load_realdata_csv(db, path: Path) -> int:
    """One ClaimIn per claim_id with all its forecasts; rows without an outcome stay open.

    Forecasts are logged an hour after they were made (contemporaneous).
    Returns the number of forecasts imported.
    """
    from claimtrack.domain.text import visible_name  # as the importers keep invisible names

    claims: dict[str, ClaimIn] = {}
    n = 0
    for row in read_rows(path):
        cid = row["claim_id"]
        made = _when(row["created_at"])
        item = claims.get(cid)
        if item is None:
            resolved = _when(row["resolved_at"])
            outcome = row["outcome"].strip()
            item = claims[cid] = ClaimIn(
                statement=" ".join(row["claim_text"].split())[:2000] or f"claim {cid}",
                stated_at=made, recorded_at=made + HOUR, source=row["source"][:200],
                resolve_by=_when(row["resolve_by"]), import_key=f"test:{path.name}:{cid}",
                resolutions=[ResolutionIn("yes" if outcome == "1" else "no", resolved, recorded_at=resolved + HOUR)]
                if outcome in ("0", "1") and resolved is not None else [],
            )
        if made < item.stated_at:  # a claim is made no later than its first forecast
            item.stated_at, item.recorded_at = made, made + HOUR
        item.forecasts.append(ForecastIn(forecaster=visible_name(row["forecaster"])[:200] or "anonymous",
                                         probability=float(row["probability"]), made_at=made,
                                         recorded_at=made + HOUR))
        n += 1
    summary = import_claims(db, list(claims.values()))
    assert not summary.skipped, summary.skipped[:3]
    return n
