"""Issue 11, class 6: dates at the edges.

Accepted dates lie in 1900-01-01 .. 8999-12-31 (domain.dates.EARLIEST/LATEST),
whether typed or imported; display never overflows, even for a value at the
very edge of datetime's range stored by hand; a stray ancient resolution
cannot fill a report's trend with thousands of empty periods.
"""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone

import pytest

from claimtrack.domain.dates import EARLIEST, LATEST, parse_date
from claimtrack.domain.errors import InvalidInput

UTC = timezone.utc
EAST, WEST = "Pacific/Kiritimati", "Etc/GMT+12"  # UTC+14 and UTC-12
EDGE_HIGH = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
EDGE_LOW = datetime(1, 1, 1, tzinfo=UTC)

OUT_OF_RANGE = ["0001-01-01", "1899-12-31", "9000-01-01", "9999-12-31", "12/31/1850", "Nov 18 1066",
                "9999", "0500-06", "in 8000 years", "8000y", "3000 years ago", "Dec 31 9999 11pm",
                "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00-12:00"]


def _add(cli, *args) -> int:
    r = cli("add", *args)
    assert r.exit_code == 0, r.output
    return int(r.stdout.strip())


def _one_line_error(r) -> None:
    assert r.exit_code == 2, r.output
    assert r.stdout == ""
    assert r.stderr.startswith("claimtrack: error: ") and r.stderr.count("\n") == 1, r.stderr
    assert "unexpected" not in r.stderr and "Traceback" not in r.stderr


# ------------------------------------------------------------------ input


@pytest.mark.parametrize("role", ["made", "due", "at"])
@pytest.mark.parametrize("text", OUT_OF_RANGE)
def test_parse_date_refuses_dates_outside_the_range(text, role):
    with pytest.raises(InvalidInput, match="accepted range"):
        parse_date(text, role=role, tz=UTC, now=datetime(2024, 6, 1, tzinfo=UTC))


@pytest.mark.parametrize("zone", ["UTC", EAST, WEST])
def test_the_range_edges_themselves_are_accepted(zone):
    from zoneinfo import ZoneInfo

    now = datetime(2024, 6, 1, tzinfo=UTC)
    assert parse_date("8999-12-30", role="due", tz=ZoneInfo(zone), now=now) <= LATEST
    assert parse_date("1900-01-02", role="made", tz=ZoneInfo(zone), now=now) >= EARLIEST
    assert parse_date("1900-01-01T00:00:00Z", now=now) == EARLIEST


@pytest.mark.parametrize("args", [
    ("add", "x", "-p", "50%", "--due", "9999-12-31"),
    ("add", "x", "-p", "50%", "--made", "0001-01-01"),
    ("add", "x", "--made", "1899-12-31", "-p", "50%"),
    ("add", "x", "-p", "50%", "--due", "in 9000 years"),
    ("forecast", "1", "50%", "--made", "1800-01-01"),
    ("resolve", "1", "yes", "--date", "0500-01-01"),
    ("edit", "1", "--due", "9999-12-31"),
])
def test_cli_refuses_out_of_range_dates_and_writes_nothing(cli, db_url, dump, args):
    _add(cli, "A claim to act on", "-p", "60%", "--made", "2024-01-01")
    before = dump(db_url)
    r = cli(*args)
    _one_line_error(r)
    assert "1900-01-01" in r.stderr and "8999-12-31" in r.stderr
    assert dump(db_url) == before


@pytest.mark.parametrize("args", [("list", "--since", "0001-01-01"), ("report", "--since", "1066"),
                                  ("report", "--until", "9999-12-31"), ("list", "--until", "in 9000 years")])
def test_read_commands_refuse_out_of_range_bounds(cli, args):
    _add(cli, "A claim", "-p", "60%")
    _one_line_error(cli(*args))


# ----------------------------------------------------------------- import


def _native(stated="2024-01-01T00:00:00Z", made="2024-01-02T00:00:00Z", due=None, resolved=None) -> dict:
    claim = {"statement": "An edge claim", "stated_at": stated, "resolve_by": due, "tags": [],
             "forecasts": [{"forecaster": "ann", "probability": 0.6, "made_at": made}], "resolutions": []}
    if resolved:
        claim["resolutions"] = [{"outcome": "yes", "resolved_at": resolved}]
    good = {"statement": "A good claim", "stated_at": "2024-01-01T00:00:00Z", "tags": [],
            "forecasts": [{"forecaster": "ann", "probability": 0.5, "made_at": "2024-01-01T00:00:00Z"}]}
    return {"format": "claimtrack", "version": 1, "claims": [claim, good]}


@pytest.mark.parametrize("fields", [
    {"stated": "0001-01-01T00:00:00Z", "made": "0001-01-02T00:00:00Z"},
    {"due": "9999-12-31T23:59:59Z"},
    {"due": "9000-01-01T00:00:00Z"},
    {"stated": "1899-12-31T23:59:59Z", "made": "1900-01-02T00:00:00Z"},
])
def test_native_import_skips_a_claim_with_an_out_of_range_date(cli, db_url, dump, tmp_path, fields):
    path = tmp_path / "edge.json"
    path.write_text(json.dumps(_native(**fields)))
    r = cli("import", str(path), "--json")
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["claims"]["added"] == 1
    assert len(summary["skipped"]) == 1 and "accepted range" in summary["skipped"][0]["reason"]
    statements = [row[0] for row in _claims(db_url)]
    assert statements == ["A good claim"]


def _claims(db_url):
    from sqlalchemy import create_engine, text

    from claimtrack.db.location import from_value

    engine = create_engine(from_value(db_url, "test").url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT statement FROM claims ORDER BY id")).all()
    finally:
        engine.dispose()


@pytest.mark.parametrize("date_text", ["0001-01-01", "9999-12-31", "1850-06-01", "9500-01-01T00:00:00Z",
                                       "99999999999999", "-99999999999"])
def test_generic_csv_skips_rows_dated_outside_the_range(cli, db_url, dump, tmp_path, date_text):
    path = tmp_path / "f.csv"
    path.write_text(f"statement,probability,date\nEdge row claim,0.5,{date_text}\nGood row claim,0.5,2024-01-01\n")
    r = cli("import", str(path), "--json")
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["claims"]["added"] == 1 and len(summary["skipped"]) == 1
    assert [row[0] for row in _claims(db_url)] == ["Good row claim"]


@pytest.mark.parametrize("value", [253402300799999, -62135596800000, 10**16])
def test_epoch_values_outside_the_range_are_refused(value):
    from claimtrack.importers._dates import from_epoch_ms

    with pytest.raises(ValueError, match="out of range"):
        from_epoch_ms(value)


# ---------------------------------------------------------------- display


def _store_edge_values(db_url, claim_id: int, **columns) -> None:
    """Write values by hand (as an old or hand-edited ledger may hold them)."""
    from sqlalchemy import create_engine, update

    from claimtrack.db import models as m
    from claimtrack.db.location import from_value

    engine = create_engine(from_value(db_url, "test").url)
    try:
        with engine.begin() as conn:
            conn.execute(update(m.claims).where(m.claims.c.id == claim_id).values(**columns))
    finally:
        engine.dispose()


@pytest.fixture
def edge_ledger(cli, db_url):
    """Claim 1 due 9999-12-31T23:59:59.999999Z; claim 2 made in year 1; claim 3
    resolved in year 1 (cached columns written by hand)."""
    for text in ("Due at the end of time", "Made at the dawn of time", "Resolved at the dawn of time"):
        _add(cli, text, "-p", "60%", "--made", "2024-01-01")
    assert cli("resolve", "3", "yes", "--date", "2024-02-01").exit_code == 0
    _store_edge_values(db_url, 1, resolve_by=EDGE_HIGH)
    _store_edge_values(db_url, 2, stated_at=EDGE_LOW, resolve_by=EDGE_LOW + timedelta(days=1))
    _store_edge_values(db_url, 3, resolved_at=EDGE_LOW + timedelta(hours=1))
    return cli


@pytest.mark.parametrize("zone", [EAST, WEST])
@pytest.mark.parametrize("args", [
    ("list", "--all"), ("list", "--all", "--json"), ("list", "--all", "--csv"), ("list", "--overdue"),
    ("list", "--resolved"), ("show", "1"), ("show", "2"), ("show", "3"), ("show", "1", "--json"), ("due",),
    ("report",), ("report", "--format", "md"), ("report", "--format", "json"), ("report", "--format", "html"),
    ("report", "--period", "month"), ("report", "--group", "period", "--period", "quarter"),
    ("export",), ("export", "--format", "csv"),
])
def test_read_commands_never_overflow_on_edge_dates(edge_ledger, monkeypatch, zone, args):
    monkeypatch.setenv("CLAIMTRACK_TZ", zone)
    r = edge_ledger(*args)
    assert r.exit_code in (0, 1), r.output  # `due` exits 1 when something is overdue
    assert "unexpected" not in r.output and "Traceback" not in r.output


@pytest.mark.parametrize("zone", [EAST, WEST])
@pytest.mark.parametrize("value", [EDGE_HIGH, EDGE_LOW, datetime(9999, 12, 31, 12, tzinfo=UTC),
                                   datetime(1, 1, 1, 11, tzinfo=UTC)])
def test_date_formatting_never_overflows(zone, value):
    from zoneinfo import ZoneInfo

    from claimtrack.domain.datefmt import format_date, format_datetime, humanize_delta

    tz = ZoneInfo(zone)
    assert format_date(value, tz)[:4] in ("0001", "9999")
    assert len(format_datetime(value, tz)) == 16
    assert humanize_delta(value, datetime(2024, 1, 1, tzinfo=UTC), tz).endswith(("ago", "y"))


@pytest.mark.parametrize("zone", [EAST, WEST])
def test_review_ui_formatting_never_overflows(edge_ledger, db_url, monkeypatch, zone):
    from rich.console import Console

    from claimtrack.services.queries import get_claim, list_claims
    from claimtrack.domain.filters import ClaimFilter
    from claimtrack.services.store import open_ledger
    from claimtrack.tui.format import claim_row, detail_renderable

    monkeypatch.setenv("CLAIMTRACK_TZ", zone)
    db = open_ledger(db_url)
    try:
        rows = list_claims(db, ClaimFilter(state="all"), limit=10)
        details = [get_claim(db, cid) for cid in (1, 2, 3)]
    finally:
        db.dispose()
    now = datetime(2024, 6, 1, tzinfo=UTC)
    console = Console(file=io.StringIO(), width=120, color_system=None)
    for row in rows:
        console.print(*claim_row(row, now).values())
    for detail in details:
        console.print(detail_renderable(detail, now))
    shown = console.file.getvalue()
    assert "9999-12-31" in shown and "0001-01-01" in shown  # shown in UTC where the zone would overflow
    assert "Due at the end of time" in shown


def test_period_keys_at_the_edges_of_the_calendar():
    from zoneinfo import ZoneInfo

    from claimtrack.services.report.periods import PeriodKeys

    for zone in (EAST, WEST):
        for kind in ("month", "quarter", "year"):
            keys = PeriodKeys(kind, ZoneInfo(zone))
            high, low = keys.key(EDGE_HIGH), keys.key(EDGE_LOW)
            assert high.startswith("9999") and low.startswith("0001")
            start, end = keys.bounds[high]
            assert start <= end


# --------------------------------------------------------- report periods


def _import_claims(cli, tmp_path, claims) -> None:
    path = tmp_path / "periods.json"
    path.write_text(json.dumps({"format": "claimtrack", "version": 1, "claims": claims}))
    r = cli("import", str(path))
    assert r.exit_code == 0, r.output


def _resolved_claim(name: str, made: str, resolved: str) -> dict:
    return {"statement": name, "stated_at": made, "tags": [],
            "forecasts": [{"forecaster": "ann", "probability": 0.7, "made_at": made}],
            "resolutions": [{"outcome": "yes", "resolved_at": resolved}]}


@pytest.mark.parametrize("period,most", [("month", 2), ("quarter", 2), ("year", 124)])  # 124 years: filled
def test_a_stray_old_resolution_does_not_fill_the_trend_with_empty_periods(cli, tmp_path, period, most):
    _import_claims(cli, tmp_path, [
        _resolved_claim("An old claim from 1901", "1901-01-01T00:00:00Z", "1901-02-01T00:00:00Z"),
        _resolved_claim("A claim of 2024", "2024-01-01T00:00:00Z", "2024-05-01T00:00:00Z"),
    ])
    r = cli("report", "--period", period, "--format", "json")
    assert r.exit_code == 0, r.output
    periods = json.loads(r.stdout)["periods"]
    assert len(periods) == most  # 1,480 months apart: only the periods with data, past 240 periods
    assert sum(1 for p in periods if p["n"]) == 2


def test_a_short_gap_is_still_filled(cli, tmp_path):
    _import_claims(cli, tmp_path, [
        _resolved_claim("A claim of January", "2024-01-01T00:00:00Z", "2024-01-15T00:00:00Z"),
        _resolved_claim("A claim of May", "2024-01-01T00:00:00Z", "2024-05-15T00:00:00Z"),
    ])
    periods = json.loads(cli("report", "--period", "month", "--format", "json").stdout)["periods"]
    assert [p["period"] for p in periods] == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05"]


def test_a_year_one_resolution_stored_by_hand_gives_a_short_report(edge_ledger, db_url, monkeypatch):
    from sqlalchemy import create_engine, update

    from claimtrack.db import models as m
    from claimtrack.db.append_only import maintenance
    from claimtrack.db.location import from_value

    engine = create_engine(from_value(db_url, "test").url)
    try:
        # a forecast before the year-1 resolution, so it is scored: a rewrite of history, which
        # only the owner's maintenance path (the append-only triggers lifted) may make
        with engine.begin() as conn, maintenance(conn):
            conn.execute(update(m.forecasts).where(m.forecasts.c.claim_id == 3)
                         .values(made_at=EDGE_LOW, recorded_at=EDGE_LOW))
    finally:
        engine.dispose()
    _add(edge_ledger, "A claim of today", "-p", "70%", "--made", "2024-01-01")
    assert edge_ledger("resolve", "4", "yes", "--date", "2024-03-01").exit_code == 0
    for zone in ("UTC", EAST, WEST):
        monkeypatch.setenv("CLAIMTRACK_TZ", zone)
        r = edge_ledger("report", "--period", "month", "--format", "json")
        assert r.exit_code == 0, r.output
        assert 1 <= len(json.loads(r.stdout)["periods"]) <= 3
