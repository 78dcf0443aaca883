"""Every core command through the real entry point, against a fresh ledger on each engine."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest


def add(cli, *args):
    result = cli("add", *args)
    assert result.exit_code == 0, result.output
    return int(result.stdout.strip())


def show(cli, claim_id):
    result = cli("show", str(claim_id), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_add_prints_id_and_stores_everything(cli):
    cid = add(cli, "OpenAI ships its own chip by 2026", "-p", "60%", "--by", "Ben Thompson",
              "--url", "https://example.com/post", "--made", "2023-11-08", "--due", "2026-12-31",
              "--tag", "openai", "--tag", "Hardware,chips", "--note", "integration argument")
    assert cid == 1
    data = show(cli, cid)
    claim = data["claim"]
    assert claim["statement"] == "OpenAI ships its own chip by 2026"
    assert claim["source"] == "Ben Thompson"
    assert claim["source_url"] == "https://example.com/post"
    assert claim["stated_at"] == "2023-11-08T00:00:00Z"  # a made date means the start of the day
    assert claim["resolve_by"].startswith("2026-12-31T23:59:59")  # a due date means the end of the day
    assert claim["tags"] == ["chips", "hardware", "openai"]
    assert len(data["forecasts"]) == 1
    f = data["forecasts"][0]
    assert f["probability"] == 0.6 and f["forecaster"] == "tester" and f["rationale"] == "integration argument"
    assert f["backfilled"] is True  # made in 2023, logged today
    assert len(claim["uuid"]) == 36


@pytest.mark.parametrize("prob,expected", [
    ("0.7", 0.7), ("70%", 0.7), ("70", 0.7), ("7/10", 0.7), ("3 in 4", 0.75), ("3:1", 0.75),
    ("likely", 0.7), ("almost certainly", 0.9), ("toss-up", 0.5),
])
def test_probability_forms(cli, prob, expected):
    cid = add(cli, "a claim", "-p", prob)
    assert show(cli, cid)["forecasts"][0]["probability"] == pytest.approx(expected)


def test_zero_and_one_are_accepted_with_a_warning(cli):
    result = cli("add", "certain thing", "-p", "100%")
    assert result.exit_code == 0
    assert "warning" in result.stderr and "log" in result.stderr


@pytest.mark.parametrize("args,needle", [
    (["add", "x", "-p", "1.5x"], "invalid probability"),
    (["add", "x", "-p", "banana"], "invalid probability"),
    (["add", "x", "-p", ""], "probability"),
    (["add", "x", "-p", "150%"], "probability"),
    (["add", "", "-p", "0.5"], "empty statement"),
    (["add", "   ", "-p", "0.5"], "empty statement"),
    (["add", "x", "-p", "0.5", "--due", "2023-02-30"], "invalid date"),
    (["add", "x", "-p", "0.5", "--made", "banana"], "invalid date"),
    (["add", "x", "-p", "0.5", "--made", "tomorrow"], "future"),
    (["add", "x", "-p", "0.5", "--url", "javascript:alert(1)"], "http"),
    (["add", "x", "-p", "0.5", "--made", "2024-01-01", "--due", "2023-01-01"], "before"),
    (["forecast", "999", "0.5"], "no claim with id 999"),
    (["forecast", "abc", "0.5"], "invalid claim id"),
    (["resolve", "999", "yes"], "no claim with id 999"),
    (["show", "42"], "no claim with id 42"),
    (["add", "x"], "give your probability"),
    (["list", "--since", "2023-13-01"], "invalid date"),
])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(cli, db_url, dump, args, needle):
    add(cli, "existing claim", "-p", "0.5")
    before = dump(db_url)
    result = cli(*args)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("claimtrack: error:"), result.stderr
    assert needle.lower() in lines[0].lower()
    assert "Traceback" not in result.output
    assert dump(db_url) == before


def test_unknown_outcome_is_rejected(cli, db_url, dump):
    cid = add(cli, "x", "-p", "0.5")
    before = dump(db_url)
    result = cli("resolve", str(cid), "maybe")
    assert result.exit_code == 2
    assert "yes, no, ambiguous, void" in result.stderr
    assert dump(db_url) == before


def test_forecast_appends_and_newest_per_forecaster_is_current(cli):
    cid = add(cli, "x", "-p", "0.5", "--made", "2024-01-01")
    assert cli("forecast", str(cid), "0.6", "--made", "2024-02-01").exit_code == 0
    assert cli("forecast", str(cid), "0.2", "--by", "Priya", "--made", "2024-01-15").exit_code == 0
    # an older forecast typed in late does not replace the newer one
    assert cli("forecast", str(cid), "0.9", "--made", "2024-01-10").exit_code == 0
    data = show(cli, cid)
    assert [f["probability"] for f in data["forecasts"]] == [0.5, 0.9, 0.2, 0.6]
    current = {f["forecaster"]: f["probability"] for f in data["current_forecasts"]}
    assert current == {"tester": 0.6, "Priya": 0.2}
    assert data["claim"]["probability"] == 0.6
    assert data["claim"]["n_forecasts"] == 4


def test_contemporaneous_forecast_is_not_backfilled(cli):
    cid = add(cli, "x", "-p", "0.5")
    assert cli("forecast", str(cid), "0.6").exit_code == 0
    assert [f["backfilled"] for f in show(cli, cid)["forecasts"]] == [False, False]


def test_resolve_then_re_resolve_needs_force_and_keeps_history(cli, db_url, dump):
    cid = add(cli, "x", "-p", "0.5", "--made", "2024-01-01")
    r = cli("resolve", str(cid), "yes", "--date", "2024-03-01", "--note", "announced", "--url", "https://e.com/a")
    assert r.exit_code == 0, r.output
    before = dump(db_url)
    again = cli("resolve", str(cid), "no")
    assert again.exit_code == 2 and "--force" in again.stderr
    assert dump(db_url) == before
    forced = cli("resolve", str(cid), "ambiguous", "--force", "--date", "2024-03-05")
    assert forced.exit_code == 0, forced.output
    data = show(cli, cid)
    assert [r["outcome"] for r in data["resolutions"]] == ["yes", "ambiguous"]
    assert data["resolutions"][0]["note"] == "announced"
    assert data["claim"]["outcome"] == "ambiguous"


def test_forecast_after_resolution_is_refused_even_backdated(cli, db_url, dump):
    # issue 11: a forecast recorded after the resolution never counts, however
    # early its --made date (it would be made knowing the outcome)
    cid = add(cli, "x", "-p", "0.5", "--made", "2024-01-01")
    ok = cli("forecast", str(cid), "0.8", "--made", "2024-02-01", "--by", "Priya")
    assert ok.exit_code == 0 and "backfilled" in ok.stdout
    assert cli("resolve", str(cid), "yes", "--date", "2024-03-01").exit_code == 0
    before = dump(db_url)
    for args in (("0.9",), ("0.8", "--made", "2024-02-02", "--by", "Priya")):
        late = cli("forecast", str(cid), *args)
        assert late.exit_code == 2 and "after the resolution" in late.stderr
        assert dump(db_url) == before


def test_edit_is_kept_as_history(cli):
    cid = add(cli, "Old wording", "-p", "0.5", "--tag", "a")
    r = cli("edit", str(cid), "--statement", "New wording", "--tag", "b", "--due", "2030-01-01")
    assert r.exit_code == 0, r.output
    data = show(cli, cid)
    assert data["claim"]["statement"] == "New wording"
    fields = {e["field"]: (e["old_value"], e["new_value"]) for e in data["edits"]}
    assert fields["statement"] == ("Old wording", "New wording")
    assert fields["tags"] == ("a", "b")
    assert "resolve_by" in fields
    assert data["forecasts"][0]["probability"] == 0.5  # forecasts untouched
    assert cli("edit", str(cid)).exit_code == 2


def test_list_filters_and_order(cli):
    now = datetime.now(timezone.utc)
    soon = (now + timedelta(days=3)).strftime("%Y-%m-%d")
    later = (now + timedelta(days=60)).strftime("%Y-%m-%d")
    a = add(cli, "Later claim about chips", "-p", "0.5", "--due", later, "--tag", "hw", "--by", "Ben")
    b = add(cli, "Soon claim", "-p", "0.4", "--due", soon, "--by", "Zvi")
    c = add(cli, "Overdue claim", "-p", "0.3", "--made", "2024-01-01", "--due", "2024-06-01")
    d = add(cli, "Resolved claim", "-p", "0.8", "--made", "2024-01-01")
    assert cli("resolve", str(d), "yes", "--date", "2024-02-01").exit_code == 0

    def ids(*args):
        r = cli("list", *args, "--json")
        assert r.exit_code == 0, r.output
        return [c["id"] for c in json.loads(r.stdout)]

    assert ids() == [c, b, a]  # open, due soonest first
    assert ids("--resolved") == [d]
    assert ids("--overdue") == [c]
    assert ids("--due") == [c, b]
    assert set(ids("--all")) == {a, b, c, d}
    assert ids("--tag", "hw") == [a]
    assert ids("--by", "zvi") == [b]
    assert ids("--search", "CHIPS") == [a]
    assert ids("--search", "%") == []  # LIKE wildcards are literal
    assert ids("--all", "--since", "2024-06-01") == [b, a]
    assert ids("--all", "--until", "2024-01-01") == [c, d]
    assert ids("--forecaster", "tester", "--limit", "1") == [c]


def test_list_csv_and_table(cli):
    add(cli, "=HYPERLINK(\"http://evil\")", "-p", "0.5")
    add(cli, "[bold red]x[/]", "-p", "0.5")
    csv_out = cli("list", "--csv").stdout
    assert "'=HYPERLINK" in csv_out
    table = cli("list").stdout
    assert "[bold red]x[/]" in table


def test_due_exit_status(cli):
    assert cli("due").exit_code == 0
    add(cli, "Overdue", "-p", "0.5", "--made", "2024-01-01", "--due", "2024-02-01")
    r = cli("due")
    assert r.exit_code == 1 and "Overdue" in r.stdout
    assert cli("due", "-q").stdout == ""
    data = json.loads(cli("due", "--json").stdout)
    assert len(data["overdue"]) == 1


def test_show_displays_everything(cli):
    cid = add(cli, "A claim", "-p", "0.5", "--by", "Ben", "--url", "https://e.com", "--note", "why not")
    cli("resolve", str(cid), "no", "--note", "it did not happen")
    out = cli("show", str(cid)).stdout
    for text in ("A claim", "Ben", "https://e.com", "why not", "it did not happen", "50%"):
        assert text in out


def test_bare_command_shows_what_matters_now(cli):
    add(cli, "Overdue", "-p", "0.5", "--made", "2024-01-01", "--due", "2024-02-01")
    cid = add(cli, "Resolved", "-p", "0.8", "--made", "2024-01-01")
    cli("resolve", str(cid), "yes", "--date", "2024-01-05")
    r = cli()
    assert r.exit_code == 0, r.output
    assert "Overdue" in r.stdout
    assert "1 open, 1 resolved" in r.stdout
    assert "Brier 0.040" in r.stdout  # (0.8 - 1)^2


def test_inbox_accept_reject(cli, db):
    from claimtrack.domain.records import ClaimIn, ForecastIn
    from claimtrack.services.imports import import_claims

    when = datetime(2024, 1, 1, tzinfo=timezone.utc)
    summary = import_claims(db, [
        ClaimIn(statement=f"draft {i}", stated_at=when, status="draft",
                forecasts=[ForecastIn(forecaster="me", probability=0.6, made_at=when)])
        for i in range(3)
    ])
    first, second, third = summary.claim_ids
    assert json.loads(cli("list", "--json").stdout) == []  # drafts are not open claims
    assert len(json.loads(cli("inbox", "--json").stdout)) == 3
    assert cli("accept", str(first), "-p", "40%").exit_code == 0
    assert cli("accept", str(second), "--statement", "draft two, reworded").exit_code == 0
    assert cli("reject", str(third)).exit_code == 0
    assert cli("reject", str(third)).exit_code == 2  # no longer a draft
    assert [c["id"] for c in json.loads(cli("list", "--json").stdout)] == [first, second]
    assert show(cli, first)["claim"]["probability"] == 0.4
    assert show(cli, second)["claim"]["statement"] == "draft two, reworded"
    assert cli("inbox").stdout.strip() == "the inbox is empty"


def test_help_and_version(cli):
    from claimtrack import __version__
    from claimtrack.cli import COMMANDS

    r = cli("--version", db=None)
    assert r.exit_code == 0 and __version__ in r.stdout
    for name in COMMANDS:
        r = cli(name, "--help", db=None)
        assert r.exit_code == 0, (name, r.output)
        assert "Usage:" in r.stdout
        if name != "db":
            assert "claimtrack " in r.stdout.split("Usage:", 1)[1].split("Options:")[0] + r.stdout  # has an example


def test_unknown_command(cli):
    r = cli("frobnicate")
    assert r.exit_code == 2 and r.stderr.startswith("claimtrack: error:")
