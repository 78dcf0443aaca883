"""Hidden forecasts (issue 14 item 3): others' forecasts stay hidden until you
forecast on the claim or it resolves, by a ledger or a per-claim setting."""

from __future__ import annotations

import json

import pytest

from _trust import assert_refused


@pytest.fixture
def as_user(cli, monkeypatch):
    """Run the CLI as a named user."""
    def run(user: str, *args: str):
        monkeypatch.setenv("CLAIMTRACK_USER", user)
        return cli(*args)

    return run


@pytest.fixture
def claims(as_user):
    """Claim 1: ann's 40% and the pundit's 'likely' (recorded by ann); bob 55%, carl 65% and a crowd 50%.
    Claim 2: ann's 20% only."""
    assert as_user("ann", "add", "claim A", "-p", "40%", "--by", "Pundit", "--their", "likely",
                   "--made", "2024-01-01").exit_code == 0
    assert as_user("bob", "forecast", "1", "55%", "--made", "2024-01-02").exit_code == 0
    assert as_user("carl", "forecast", "1", "65%", "--made", "2024-01-03").exit_code == 0
    assert as_user("carl", "forecast", "1", "50%", "--by", "Metaculus", "--kind", "crowd",
                   "--made", "2024-01-03").exit_code == 0
    assert as_user("ann", "add", "claim B", "-p", "20%", "--made", "2024-01-01").exit_code == 0
    return as_user


def _listed(as_user, user: str) -> dict[int, dict]:
    result = as_user(user, "list", "--json")
    assert result.exit_code == 0, result.stderr
    return {c["id"]: c for c in json.loads(result.stdout)}


def _shown(as_user, user: str, cid: int = 1) -> dict:
    result = as_user(user, "show", str(cid), "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_nothing_is_hidden_by_default(claims):
    dan = _listed(claims, "dan")[1]
    assert dan["hidden"] == 0 and dan["others"] is not None
    assert len(_shown(claims, "dan")["forecasts"]) == 5


def test_the_ledger_setting_hides_others_until_you_forecast(claims):
    assert claims("ann", "hide-forecasts", "ledger", "on").exit_code == 0
    dan = _listed(claims, "dan")
    # claim 1: ann's 40%, bob's 55%, carl's 65% and the crowd's 50% hidden; the pundit's own call stays
    assert dan[1]["hidden"] == 4
    assert dan[1]["others"] is None and dan[1]["n_others"] == 0
    assert dan[1]["probability"] is None and dan[1]["forecaster"] is None
    assert dan[1]["theirs"] == pytest.approx(0.7) and dan[1]["their_kind"] == "implied"
    assert dan[2]["hidden"] == 1 and dan[2]["others"] is None
    shown = _shown(claims, "dan")
    assert [f["forecaster"] for f in shown["forecasts"]] == ["Pundit"]
    assert shown["claim"]["hidden"] == 4
    assert "4 forecasts hidden until you forecast" in claims("dan", "show", "1").stdout
    assert "4 hidden" in claims("dan", "list").stdout

    # ann recorded the pundit's call and forecast herself: she sees everything
    ann = _listed(claims, "ann")[1]
    assert ann["hidden"] == 0 and ann["n_others"] == 3

    assert claims("dan", "forecast", "1", "30%").exit_code == 0
    dan = _listed(claims, "dan")
    assert dan[1]["hidden"] == 0 and dan[1]["mine"] == pytest.approx(0.3)
    assert dan[1]["n_others"] == 4  # ann, bob, carl, Metaculus
    assert len(_shown(claims, "dan")["forecasts"]) == 6
    assert dan[2]["hidden"] == 1  # still hidden where dan has not forecast


def test_a_crowd_number_you_recorded_does_not_count_as_your_forecast(claims):
    assert claims("carl", "hide-forecasts", "ledger", "on").exit_code == 0
    # carl forecast on claim 1 himself, so he sees it; on claim 2 he has not
    assert _listed(claims, "carl")[1]["hidden"] == 0
    assert claims("dan", "forecast", "2", "10%", "--by", "Metaculus", "--kind", "crowd").exit_code == 0
    dan = _listed(claims, "dan")[2]
    assert dan["hidden"] == 1  # ann's 20%: dan only recorded someone else's number


def test_resolution_reveals_everything_and_reports_are_unaffected(claims):
    assert claims("ann", "hide-forecasts", "ledger", "on").exit_code == 0
    report_before = claims("dan", "report", "--format", "json")
    assert claims("ann", "resolve", "1", "yes", "--date", "2024-02-01").exit_code == 0
    dan = {c["id"]: c for c in json.loads(claims("dan", "list", "--all", "--json").stdout)}
    assert dan[1]["hidden"] == 0 and dan[1]["n_others"] == 4
    assert len(_shown(claims, "dan")["forecasts"]) == 5
    assert report_before.exit_code == 0
    report = json.loads(claims("dan", "report", "--format", "json").stdout)
    text = json.dumps(report)
    for name in ("bob", "carl", "ann"):
        assert name in text  # everyone's forecasts on the resolved claim are scored and shown


def test_a_claim_setting_overrides_the_ledger(claims):
    assert claims("ann", "hide-forecasts", "1", "on").exit_code == 0
    dan = _listed(claims, "dan")
    assert dan[1]["hidden"] == 4 and dan[2]["hidden"] == 0
    assert claims("ann", "hide-forecasts", "ledger", "on").exit_code == 0
    assert claims("ann", "hide-forecasts", "2", "off").exit_code == 0
    dan = _listed(claims, "dan")
    assert dan[1]["hidden"] == 4 and dan[2]["hidden"] == 0
    assert claims("ann", "hide-forecasts", "2").stdout.strip() == "claim 2: off (its own setting)"
    assert claims("ann", "hide-forecasts", "2", "ledger").exit_code == 0
    assert _listed(claims, "dan")[2]["hidden"] == 1
    assert claims("ann", "hide-forecasts", "ledger").stdout.strip() == "ledger: on"


@pytest.mark.parametrize("args, needle", [
    (("1", "maybe"), "on, off or ledger"),
    (("ledger", "ledger"), "on or off"),
    (("99", "on"), "99"),
    (("x", "on"), "invalid claim id"),
])
def test_bad_settings_are_one_line_and_write_nothing(claims, dump, db_url, args, needle):
    before = dump(db_url)
    assert_refused(claims("ann", "hide-forecasts", *args), needle)
    assert dump(db_url) == before


def test_an_overdue_claim_in_the_report_does_not_show_a_hidden_forecast(claims):
    added = claims("ann", "add", "overdue claim", "-p", "35%", "--made", "2024-01-01", "--due", "2024-06-01")
    assert added.exit_code == 0
    assert claims("ann", "hide-forecasts", "ledger", "on").exit_code == 0
    report = json.loads(claims("dan", "report", "--format", "json").stdout)
    assert "0.35" not in json.dumps(report) and "ann" not in json.dumps(report.get("overdue", report))
    report = json.loads(claims("ann", "report", "--format", "json").stdout)
    assert "ann" in json.dumps(report)
