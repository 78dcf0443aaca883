"""`report --save` and `--since last`: files named by date, one transaction with the table."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from claimtrack.db import models as m
from claimtrack.domain.datefmt import format_date
from claimtrack.domain.dates import utcnow
from claimtrack.services.report import save as report_save
from test_report_helpers import hand_ledger, utc


def saved_rows(db):
    with db.read() as session:
        return session.execute(select(m.SavedReport.path, m.SavedReport.format, m.SavedReport.period_start,
                                      m.SavedReport.period_end).order_by(m.SavedReport.id)).all()


def test_save_names_by_date_and_never_overwrites(db, cli, tmp_path):
    hand_ledger(db)
    folder = tmp_path / "reports"  # beside ./claims.db (SQLite), or ./reports (PostgreSQL; the tests run in tmp_path)
    day = format_date(utcnow())
    first = cli("report", "--save")
    assert first.exit_code == 0, first.stderr
    assert (folder / f"{day}.html").read_text().count("<svg") == 2
    second = cli("report", "--save", "--format", "json")
    assert second.exit_code == 0, second.stderr
    third = cli("report", "--save")
    assert third.exit_code == 0, third.stderr
    assert json.loads((folder / f"{day}-2.json").read_text())["overall"]["n"] == 5
    assert (folder / f"{day}-3.html").exists()
    rows = saved_rows(db)
    assert [(r.path, r.format) for r in rows] == [(str(folder / f"{day}.html"), "html"),
                                                 (str(folder / f"{day}-2.json"), "json"),
                                                 (str(folder / f"{day}-3.html"), "html")]
    assert all(r.period_start is None and r.period_end is not None for r in rows)
    assert sorted(p.name for p in folder.iterdir()) == [f"{day}-2.json", f"{day}-3.html", f"{day}.html"]
    assert f"{day}.html" in first.stdout


def test_save_markdown_keeps_its_charts_beside_it(db, cli, tmp_path):
    hand_ledger(db)
    result = cli("report", "--save", "--format", "md")
    assert result.exit_code == 0, result.stderr
    day = format_date(utcnow())
    names = sorted(p.name for p in (tmp_path / "reports").iterdir())
    assert names == [f"{day}-calibration.png", f"{day}-trend.png", f"{day}.md"]


def test_since_last_covers_what_resolved_or_was_logged_since_the_last_saved_report(db, cli):
    from claimtrack.services.resolve import resolve_claim

    ids = hand_ledger(db)
    assert cli("report", "--save").exit_code == 0
    (end,) = [r.period_end for r in saved_rows(db)]
    nothing = json.loads(cli("report", "--since", "last", "--format", "json").stdout)
    assert nothing["n_resolved_claims"] == 0 and nothing["overall"]["n"] == 0
    assert nothing["period"]["since_last_saved"] is True
    assert nothing["period"]["start"] == end.isoformat().replace("+00:00", "Z")
    # resolved now, but dated back before the last report: still counts, as it was logged since
    resolve_claim(db, ids["E"], "no", resolved_at=utc(2024, 9, 5))
    since = json.loads(cli("report", "--since", "last", "--format", "json").stdout)
    assert since["n_resolved_claims"] == 1 and since["resolved_claims"][0]["id"] == ids["E"]
    assert since["overall"]["n"] == 1 and since["overall"]["brier"] == pytest.approx(0.25)
    assert since["n_overdue_claims"] == 0
    # saving again moves "last" on
    assert cli("report", "--save", "--since", "last").exit_code == 0
    rows = saved_rows(db)
    assert rows[1].period_start == rows[0].period_end
    assert json.loads(cli("report", "--since", "last", "--format", "json").stdout)["n_resolved_claims"] == 0


def test_a_file_that_cannot_be_placed_leaves_nothing_behind(db, cli, tmp_path, monkeypatch):
    hand_ledger(db)
    placed = []
    real_place = report_save._place

    def flaky(temp, final):
        if placed:
            raise PermissionError(13, "Permission denied")
        real_place(temp, final)
        placed.append(final)

    monkeypatch.setattr(report_save, "_place", flaky)
    result = cli("report", "--save", "--format", "md")  # three files: the second one fails
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "Permission denied" in result.stderr
    assert placed and not placed[0].exists()
    assert list((tmp_path / "reports").iterdir()) == []  # no report, no chart, no temporary file
    assert saved_rows(db) == []


def test_a_failed_record_writes_no_file(db, cli, tmp_path, monkeypatch):
    hand_ledger(db)
    real_choose = report_save.choose_path

    def racing(*args, **kwargs):  # another process records the same name meanwhile
        path = real_choose(*args, **kwargs)
        with db.write() as session:
            session.add(m.SavedReport(created_at=utcnow(), period_end=utcnow(), path=str(path), format="html"))
        return path

    monkeypatch.setattr(report_save, "choose_path", racing)
    result = cli("report", "--save")
    assert result.exit_code == 2, result.output
    assert "meanwhile" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert list((tmp_path / "reports").iterdir()) == []
    assert len(saved_rows(db)) == 1  # only the racing one


def test_reports_folder_sits_beside_a_file_ledger(sqlite_path, tmp_path):
    from claimtrack.services.store import open_ledger

    sub = tmp_path / "ledgers"
    sub.mkdir()
    db = open_ledger(str(sub / "claims.db"))
    try:
        assert report_save.reports_folder(db) == sub / "reports"
    finally:
        db.dispose()
