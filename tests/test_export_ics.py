"""`claimtrack export --format ics`: due dates as an iCalendar feed, on both engines."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from claimtrack.services import ledger, resolve, review
from claimtrack.services.ledger import NewClaim

NOW = datetime.now(timezone.utc)
DAY = timedelta(days=1)


def _add(db, statement, due_days, **kw):
    return ledger.add_claim(db, NewClaim(statement=statement, probability=0.6, forecaster="tester",
                                         stated_at=NOW - 10 * DAY,
                                         resolve_by=NOW + due_days * DAY if due_days is not None else None, **kw))


def _events(text: str) -> dict[str, object]:
    from icalendar import Calendar

    cal = Calendar.from_ical(text)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_feed_parses_and_keeps_its_uids(cli, db, tmp_path):
    a = _add(db, "Plain claim", 20, tags=("ai", "policy"), source="Ben", source_url="https://example.com/a")
    b = _add(db, "Tricky, text; with\nlines \x1b[31mand escapes\x1b[0m", 40)
    _add(db, "No due date", None)
    done = _add(db, "Resolved already", 5)
    resolve.resolve_claim(db, done.id, "yes")

    first = cli("export", "--format", "ics")
    assert first.exit_code == 0, first.output
    events = _events(first.stdout)
    assert set(events) == {f"{a.uuid}@claimtrack", f"{b.uuid}@claimtrack"}  # open claims with a due date
    ev = events[f"{a.uuid}@claimtrack"]
    assert str(ev["SUMMARY"]) == "Due: Plain claim"
    assert ev.decoded("DTSTART") == a.resolve_by.date()  # an all-day event on the due day (UTC in tests)
    assert "your forecast: 60%" in str(ev["DESCRIPTION"]) and str(ev["URL"]) == "https://example.com/a"
    assert sorted(ev["CATEGORIES"].cats) == ["ai", "policy"]
    tricky = events[f"{b.uuid}@claimtrack"]
    assert str(tricky["SUMMARY"]) == "Due: Tricky, text; with\nlines and escapes"  # data, not syntax
    assert "\x1b" not in first.stdout and "\r\n" in first.stdout

    # defer one claim: the second export keeps every UID and moves that event, with a higher SEQUENCE
    review.defer(db, a.id, "+1m", me="tester")
    out = tmp_path / "due.ics"
    second = cli("export", "--out", str(out))  # the extension picks the format
    assert second.exit_code == 0 and "exported 2 due dates" in second.stderr
    again = _events(out.read_text(encoding="utf-8"))
    assert set(again) == set(events)
    moved = again[f"{a.uuid}@claimtrack"]
    assert moved.decoded("DTSTART") > ev.decoded("DTSTART")
    assert int(moved["SEQUENCE"]) > int(ev["SEQUENCE"])
    assert again[f"{b.uuid}@claimtrack"].decoded("DTSTART") == tricky.decoded("DTSTART")


def test_ics_output_paths_follow_the_export_rules(cli, db, db_url, dump, tmp_path):
    _add(db, "A claim", 20)
    before = dump(db_url)
    if "://" not in db_url:
        r = cli("export", "--format", "ics", "--out", db_url)
        assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "ledger" in r.stderr
        assert dump(db_url) == before
    r = cli("export", "--format", "ics", "--out", str(tmp_path / "due.json"))
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and ".ics" in r.stderr
    assert not (tmp_path / "due.json").exists()
    folder = tmp_path / "feeds"
    folder.mkdir()
    r = cli("export", "--format", "ics", "--out", str(folder))
    assert r.exit_code == 0
    (written,) = folder.iterdir()
    assert written.suffix == ".ics" and oct(written.stat().st_mode & 0o777) == "0o600"
    assert dump(db_url) == before


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_other_export_formats_are_unchanged(cli, db, fmt):
    _add(db, "A claim", 20)
    r = cli("export", "--format", fmt)
    assert r.exit_code == 0 and "BEGIN:VCALENDAR" not in r.stdout
