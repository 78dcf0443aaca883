"""Issue 11, class 9: timing cannot be gamed.

* A forecast recorded after the resolution was recorded never counts as
  contemporaneous, however close its stated made date: the CLI refuses it, an
  import keeps it flagged ``after_resolution`` (never scored).
* A forecast dated before its claim was made is refused (CLI and import).
* A forecast made at the resolution instant counts as after it; so a
  date-only forecast on the resolution's day (both at that day's midnight)
  is not scored.
* ``resolve --force`` with the same outcome keeps the original resolution date
  unless ``--date`` is given.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

UTC = timezone.utc


def _add(cli, *args) -> int:
    r = cli("add", *args)
    assert r.exit_code == 0, r.output
    return int(r.stdout.strip())


def _report(cli, *args) -> dict:
    r = cli("report", "--format", "json", *args)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def _show(cli, cid: int) -> dict:
    r = cli("show", str(cid), "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


# ------------------------------------------- recorded after the resolution


@pytest.mark.parametrize("made", [None, "2024-02-29", "2024-03-01", "2024-01-02", "2024-02-29 23:59"])
def test_the_cli_refuses_a_forecast_recorded_after_the_resolution(cli, db_url, dump, made):
    cid = _add(cli, "Will it rain on March 1st?", "-p", "50%", "--made", "2024-01-01")
    assert cli("resolve", str(cid), "yes", "--date", "2024-03-01 12:00").exit_code == 0
    before = dump(db_url)
    args = ("forecast", str(cid), "99%", "--by", "gamer") + (("--made", made) if made else ())
    r = cli(*args)
    assert r.exit_code == 2 and "after the resolution" in r.stderr, r.output
    assert r.stderr.count("\n") == 1
    assert dump(db_url) == before


def test_the_cli_refuses_it_after_a_forced_re_resolution_too(cli, db_url, dump):
    cid = _add(cli, "A claim", "-p", "50%", "--made", "2024-01-01")
    assert cli("resolve", str(cid), "yes", "--date", "2024-03-01").exit_code == 0
    assert cli("resolve", str(cid), "no", "--force", "--date", "2024-04-01").exit_code == 0
    before = dump(db_url)
    assert cli("forecast", str(cid), "10%", "--made", "2024-03-15").exit_code == 2
    assert dump(db_url) == before


def _import(cli, tmp_path, claims, name="f.json") -> dict:
    path = tmp_path / name
    path.write_text(json.dumps({"format": "claimtrack", "version": 1, "claims": claims}))
    r = cli("import", str(path), "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def _claim(uuid: str, forecasts, resolutions=()) -> dict:
    return {"uuid": uuid, "statement": f"Claim {uuid[:4]}", "stated_at": "2024-01-01T00:00:00Z",
            "forecasts": list(forecasts), "resolutions": list(resolutions)}


def _fc(who, p, made, recorded=None) -> dict:
    return {"forecaster": who, "probability": p, "made_at": made, "recorded_at": recorded or made}


RESOLVED = {"outcome": "yes", "resolved_at": "2024-03-01T12:00:00Z", "recorded_at": "2024-03-01T13:00:00Z"}
UUID = "11111111-1111-4111-8111-111111111111"


@pytest.mark.parametrize("recorded,counts", [
    ("2024-03-01T12:59:59Z", True),    # recorded before the resolution was: counts (backfilled)
    ("2024-03-01T13:00:01Z", False),   # a second after: never counts
    ("2024-06-01T00:00:00Z", False),
])
def test_an_imported_forecast_recorded_after_the_resolution_is_flagged(cli, tmp_path, recorded, counts):
    summary = _import(cli, tmp_path, [_claim(UUID, [
        _fc("ann", 0.6, "2024-02-01T00:00:00Z"),
        _fc("gamer", 0.99, "2024-02-28T00:00:00Z", recorded),  # made before the resolution
    ], [RESOLVED])])
    assert summary["forecasts"]["after_resolution"] == (0 if counts else 1)
    report = _report(cli, "--group", "forecaster")
    assert ("gamer" in report["groups"]) == counts
    assert report["overall"]["n"] == (2 if counts else 1)
    flags = {f["forecaster"]: f["after_resolution"] for f in _show(cli, 1)["forecasts"]}
    assert flags == {"ann": False, "gamer": not counts}


def test_a_forecast_imported_into_an_already_resolved_claim_is_flagged(cli, tmp_path):
    _import(cli, tmp_path, [_claim(UUID, [_fc("ann", 0.6, "2024-02-01T00:00:00Z")], [RESOLVED])], "one.json")
    # a second file brings a forecast on the same claim, dated before the
    # resolution but with no record time: it is recorded now, after it
    later = _claim(UUID, [{"forecaster": "gamer", "probability": 0.99, "made_at": "2024-02-29T00:00:00Z"}])
    summary = _import(cli, tmp_path, [later], "two.json")
    assert summary["forecasts"]["added"] == 1 and summary["forecasts"]["after_resolution"] == 1
    assert "gamer" not in _report(cli, "--group", "forecaster")["groups"]


def test_selection_skips_records_flagged_after_resolution():
    from claimtrack.domain.records import Forecast
    from claimtrack.domain.scoring import final_probabilities, time_weighted

    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    resolved = t0 + timedelta(days=30)

    def f(i, who, p, days, after=False):
        return Forecast(id=i, uuid=str(i), claim_id=1, forecaster=who, probability=p, made_at=t0 + timedelta(days=days),
                        recorded_at=t0 + timedelta(days=days), rationale=None, backfilled=False, after_resolution=after)

    forecasts = [f(1, "ann", 0.6, 1), f(2, "ann", 0.99, 29, after=True), f(3, "bob", 0.2, 2, after=True)]
    assert final_probabilities(forecasts, resolved) == {"ann": 0.6}
    assert [(w, p) for w, p, _ in time_weighted(forecasts, resolved)] == [("ann", 0.6)]


# ------------------------------------------------- before the claim was made


@pytest.mark.parametrize("made", ["2024-02-29", "2024-01-01", "2023-12-31 23:59", "1999-01-01"])
def test_a_forecast_dated_before_its_claim_is_refused(cli, db_url, dump, made):
    cid = _add(cli, "A claim made on March 1st", "-p", "50%", "--made", "2024-03-01")
    before = dump(db_url)
    r = cli("forecast", str(cid), "60%", "--made", made, "--by", "early")
    assert r.exit_code == 2 and "before claim" in r.stderr, r.output
    assert dump(db_url) == before


def test_a_forecast_on_the_claims_own_day_is_accepted(cli):
    cid = _add(cli, "A claim made on March 1st", "-p", "50%", "--made", "2024-03-01")
    assert cli("forecast", str(cid), "60%", "--made", "2024-03-01", "--by", "same-day").exit_code == 0


def test_an_import_refuses_a_forecast_before_its_claim(cli, db_url, tmp_path):
    claim = _claim(UUID, [_fc("ann", 0.6, "2023-12-31T23:59:59Z")])
    path = tmp_path / "early.json"
    path.write_text(json.dumps({"format": "claimtrack", "version": 1, "claims": [claim]}))
    r = cli("import", str(path))
    assert r.exit_code == 2 and "before the claim was made" in r.stderr, r.output


# ------------------------------------------------ at the resolution = after


def test_a_date_only_forecast_on_the_resolution_day_is_not_scored(cli):
    cid = _add(cli, "A claim", "-p", "40%", "--made", "2024-03-01")
    assert cli("forecast", str(cid), "95%", "--made", "2024-03-05", "--by", "sameday").exit_code == 0
    assert cli("forecast", str(cid), "70%", "--made", "2024-03-04", "--by", "daybefore").exit_code == 0
    r = cli("resolve", str(cid), "yes", "--date", "2024-03-05")
    assert r.exit_code == 0 and "at or after this resolution" in r.stderr
    report = _report(cli, "--group", "forecaster")
    assert sorted(report["groups"]) == ["daybefore", "tester"]
    assert report["overall"]["n"] == 2 and report["overall"]["n_after_resolution"] == 1


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "Etc/GMT+12"])
def test_the_rule_holds_in_any_zone(cli, monkeypatch, zone):
    monkeypatch.setenv("CLAIMTRACK_TZ", zone)
    cid = _add(cli, "A claim", "-p", "40%", "--made", "2024-03-01")
    assert cli("forecast", str(cid), "95%", "--made", "2024-03-05", "--by", "sameday").exit_code == 0
    assert cli("resolve", str(cid), "yes", "--date", "2024-03-05").exit_code == 0
    assert "sameday" not in _report(cli, "--group", "forecaster")["groups"]


def test_time_weighted_scoring_follows_the_same_rule(cli):
    cid = _add(cli, "A claim", "-p", "40%", "--made", "2024-03-01")
    assert cli("forecast", str(cid), "95%", "--made", "2024-03-05", "--by", "sameday").exit_code == 0
    assert cli("resolve", str(cid), "yes", "--date", "2024-03-05").exit_code == 0
    report = _report(cli, "--scoring", "time-weighted", "--group", "forecaster")
    assert sorted(report["groups"]) == ["tester"]


def test_selection_treats_the_resolution_instant_as_after():
    from claimtrack.domain.scoring import final_probabilities

    t = datetime(2024, 3, 5, tzinfo=UTC)
    forecasts = [("a", 0.3, t - timedelta(microseconds=1)), ("a", 0.9, t), ("b", 0.8, t)]
    assert final_probabilities(forecasts, t) == {"a": 0.3}


# ------------------------------------------------------------ resolve --force


def test_force_with_the_same_outcome_keeps_the_resolution_date(cli):
    cid = _add(cli, "A claim", "-p", "40%", "--made", "2024-03-01")
    assert cli("resolve", str(cid), "yes", "--date", "2024-03-05").exit_code == 0
    first = _show(cli, cid)["resolutions"][0]["resolved_at"]
    assert cli("resolve", str(cid), "yes", "--force", "--note", "better evidence").exit_code == 0
    resolutions = _show(cli, cid)["resolutions"]
    assert len(resolutions) == 2 and resolutions[1]["resolved_at"] == first
    assert resolutions[1]["note"] == "better evidence"
    assert _show(cli, cid)["claim"]["resolved_at"] == first


def test_force_with_a_date_moves_it(cli):
    cid = _add(cli, "A claim", "-p", "40%", "--made", "2024-03-01")
    assert cli("resolve", str(cid), "yes", "--date", "2024-03-05").exit_code == 0
    assert cli("resolve", str(cid), "yes", "--force", "--date", "2024-03-07").exit_code == 0
    assert _show(cli, cid)["resolutions"][1]["resolved_at"].startswith("2024-03-07")


def test_force_with_another_outcome_dates_it_now(cli):
    cid = _add(cli, "A claim", "-p", "40%", "--made", "2024-03-01")
    assert cli("resolve", str(cid), "yes", "--date", "2024-03-05").exit_code == 0
    assert cli("resolve", str(cid), "no", "--force").exit_code == 0
    second = _show(cli, cid)["resolutions"][1]["resolved_at"]
    when = datetime.fromisoformat(second.replace("Z", "+00:00"))
    assert abs(datetime.now(UTC) - when) < timedelta(minutes=5)


def test_the_ui_path_keeps_the_date_too(db):
    from claimtrack.services.ledger import NewClaim, add_claim
    from claimtrack.services.resolve import resolve_claim

    made = datetime(2024, 3, 1, tzinfo=UTC)
    claim = add_claim(db, NewClaim("A claim", 0.4, "ann", stated_at=made))
    first, _ = resolve_claim(db, claim.id, "yes", resolved_at=made + timedelta(days=4))
    again, _ = resolve_claim(db, claim.id, "yes", force=True, note="re-checked")
    assert again.resolved_at == first.resolved_at
