"""Who said it: forecast kinds, people's track records, sources scored on their
own calls, the ranking rule, and your own number in lists.  Expected values
are worked out by hand in the comments."""

from __future__ import annotations

import json
import math
import sqlite3

import pytest
from _trust import unguarded

from claimtrack.domain.kinds import parse_their
from claimtrack.domain.scoring.track import MIN_RANKED, track_records


def _people(cli) -> dict:
    r = cli("people", "--json")
    assert r.exit_code == 0, r.output
    return {p["name"]: p for p in json.loads(r.stdout)["people"]}


def _seed(cli):
    """Four claims, the claimant's call in each form, you (tester) on three, Priya on one."""
    for args in (
        ("Microsoft effectively buys OpenAI for nothing", "--by", "Ben Thompson", "--their", "asserted", "-p", "30%"),
        ("GPT-4 is a mixture of experts", "--by", "George Hotz", "--their", "probably", "-p", "60%"),
        ("The device ships next year", "--by", "Ben Thompson", "--their", "80%"),
        ("A licensing law passes", "--by", "George Hotz", "--their", "unlikely", "-p", "10%"),
    ):
        r = cli("add", args[0], *args[1:], "--made", "2024-01-01")
        assert r.exit_code == 0, r.output
    assert cli("forecast", "2", "40%", "--by", "Priya").exit_code == 0
    for cid, outcome in ((1, "no"), (2, "yes"), (3, "yes"), (4, "no")):
        r = cli("resolve", str(cid), outcome)
        assert r.exit_code == 0, r.output


def test_their_call_in_three_forms_is_stored_with_its_kind(cli):
    _seed(cli)
    kinds = {}
    for cid in (1, 2, 3, 4):
        detail = json.loads(cli("show", str(cid), "--json").stdout)
        kinds[cid] = [(f["forecaster"], f["probability"], f["kind"], f["basis"], f["recorded_by"])
                      for f in detail["forecasts"]]
    assert kinds[1] == [("Ben Thompson", 0.95, "asserted", None, "tester"), ("tester", 0.3, "own", None, None)]
    assert kinds[2][:2] == [("George Hotz", 0.7, "implied", "probably", "tester"), ("tester", 0.6, "own", None, None)]
    assert kinds[3] == [("Ben Thompson", 0.8, "stated", None, "tester")]  # only the claimant's call
    assert kinds[4] == [("George Hotz", 0.2, "implied", "unlikely", "tester"), ("tester", 0.1, "own", None, None)]


def test_people_and_report_group_source_match_hand_worked_values(cli):
    _seed(cli)
    people = _people(cli)
    ben, hotz, me, priya = (people[n]["scored"] for n in ("Ben Thompson", "George Hotz", "tester", "Priya"))
    # Ben: 0.95 on a "no" (0.9025), 0.80 on a "yes" (0.04)
    assert ben["n"] == 2 and ben["brier"] == pytest.approx((0.9025 + 0.04) / 2)
    assert ben["log_score"] == pytest.approx((math.log2(0.05) + math.log2(0.8)) / 2)
    assert (ben["n_calls"], ben["n_right"]) == (2, 1)
    assert {k["kind"]: (k["n"], round(k["brier"], 6)) for k in ben["by_kind"]} == {
        "asserted": (1, 0.9025), "stated": (1, 0.04)}
    # head to head on claim 1 only: his 0.9025 against your 0.09
    assert ben["vs_you"]["n"] == 1 and ben["vs_you"]["difference"]["mean"] == pytest.approx(0.8125)
    # Hotz: 0.7 on yes (0.09), 0.2 on no (0.04); you: 0.16 and 0.01 there
    assert hotz["brier"] == pytest.approx(0.065) and (hotz["n_calls"], hotz["n_right"]) == (2, 2)
    assert hotz["vs_you"]["n"] == 2
    assert hotz["vs_you"]["difference"]["mean"] == pytest.approx(((0.09 - 0.16) + (0.04 - 0.01)) / 2)
    # you: 0.09, 0.16, 0.01, every call right
    assert me["n"] == 3 and me["brier"] == pytest.approx(0.26 / 3) and me["n_right"] == 3
    assert people["tester"]["is_you"] and me["vs_you"] is None
    assert priya["brier"] == pytest.approx(0.36) and priya["n_right"] == 0
    # against the median on each claim: A median 0.49625, B 0.16, D 0.025 (C has Ben alone)
    assert ben["vs_median"]["mean"] == pytest.approx(0.9025 - 0.49625) and ben["vs_median"]["n"] == 1
    assert hotz["vs_median"]["mean"] == pytest.approx(((0.09 - 0.16) + (0.04 - 0.025)) / 2)
    assert me["vs_median"]["mean"] == pytest.approx(((0.09 - 0.49625) + 0 + (0.01 - 0.025)) / 3)
    assert all(p["scored"] is None or p["scored"]["rank"] is None for p in people.values())  # all below 5
    assert "source" in people["Ben Thompson"]["roles"] and people["Ben Thompson"]["n_attributed"] == 2
    # report --group source: each source on its own calls only
    data = json.loads(cli("report", "--format", "json", "--group", "source").stdout)
    assert set(data["groups"]) == {"Ben Thompson", "George Hotz"}
    assert data["groups"]["Ben Thompson"]["n"] == 2
    assert data["groups"]["Ben Thompson"]["brier"] == pytest.approx(ben["brier"])
    assert data["groups"]["George Hotz"]["brier"] == pytest.approx(0.065)
    assert "own calls" in data["group_note"]
    # the old view under its explicit name: everyone's forecasts on Ben's claims (A: 2, C: 1)
    old = json.loads(cli("report", "--format", "json", "--group", "claim-source").stdout)
    assert old["groups"]["Ben Thompson"]["n"] == 3
    # you come first among forecasters
    by_f = json.loads(cli("report", "--format", "json", "--group", "forecaster").stdout)
    assert list(by_f["groups"])[0] == "tester" and by_f["you"] == "tester"
    side = by_f["you_vs_others"]
    assert side["you"]["n"] == 3 and side["you"]["brier"] == pytest.approx(0.26 / 3)
    assert side["others"]["n"] == 5
    assert side["others"]["brier"] == pytest.approx((0.9025 + 0.04 + 0.09 + 0.04 + 0.36) / 5)
    text = cli("report").stdout
    assert text.index("You and everyone else") < text.index("Summary")


def test_forecast_kind_later_and_its_checks(cli, db_url, dump):
    assert cli("add", "A claim", "--by", "Zvi", "-p", "50%").exit_code == 0
    r = cli("forecast", "1", "probably", "--by", "Zvi", "--kind", "implied", "--json")
    assert r.exit_code == 0, r.output
    f = json.loads(r.stdout)
    assert (f["kind"], f["basis"], f["probability"], f["recorded_by"]) == ("implied", "probably", 0.7, "tester")
    assert json.loads(cli("forecast", "1", "23%", "--by", "Metaculus", "--kind", "crowd", "--json").stdout)["kind"] == "crowd"
    before = dump(db_url)
    for args in (("forecast", "1", "70%", "--by", "Zvi", "--kind", "implied"),  # a number is not a word
                 ("forecast", "1", "likely", "--by", "Zvi", "--kind", "stated"),
                 ("forecast", "1", "70%", "--kind", "stated"),  # whose?
                 ("forecast", "1", "70%", "--kind", "guess"),
                 ("add", "x", "--their", "asserted"),  # no claimant
                 ("add", "x", "--by", "Zvi", "--their", "banana")):
        r = cli(*args)
        assert r.exit_code == 2, (args, r.output)
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.output
    assert dump(db_url) == before


def test_asserted_probability_is_configurable(cli, tmp_path):
    assert cli("config", "set", "asserted_probability", "90%").exit_code == 0
    assert cli("add", "Stated as fact", "--by", "Pundit", "--their", "asserted").exit_code == 0
    f = json.loads(cli("show", "1", "--json").stdout)["forecasts"][0]
    assert (f["kind"], f["probability"]) == ("asserted", 0.9)
    assert cli("config", "set", "asserted_probability", "30%").exit_code == 2  # an assertion backs the claim
    assert parse_their("asserted").probability == 0.95 and parse_their("3 in 4").kind == "stated"


def test_the_notes_importer_stores_the_claimants_implied_call(cli, tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("## 2024-01-05\n\nBen Thompson says OpenAI will probably ship a hardware device next year.\n\n"
                     "Zvi says there is a 30% chance that the board is replaced by March.\n", encoding="utf-8")
    assert cli("import", str(notes)).exit_code == 0
    drafts = {c["source"]: c for c in json.loads(cli("inbox", "--json").stdout)}
    ben = json.loads(cli("show", str(drafts["Ben Thompson"]["id"]), "--json").stdout)["forecasts"]
    assert [(f["forecaster"], f["kind"], f["basis"], f["probability"]) for f in ben] == [
        ("Ben Thompson", "implied", "probably", 0.7)]
    zvi = json.loads(cli("show", str(drafts["Zvi"]["id"]), "--json").stdout)["forecasts"]
    assert [(f["kind"], f["probability"]) for f in zvi] == [("stated", 0.3)]
    # accepting with your own number adds it as made now: not backdated, not backfilled
    cid = str(drafts["Ben Thompson"]["id"])
    assert cli("accept", cid, "-p", "40%").exit_code == 0
    mine = [f for f in json.loads(cli("show", cid, "--json").stdout)["forecasts"] if f["forecaster"] == "tester"]
    assert len(mine) == 1 and mine[0]["kind"] == "own" and not mine[0]["backfilled"]
    assert mine[0]["made_at"] > "2026"
    assert cli("accept", str(drafts["Zvi"]["id"])).exit_code == 0
    assert cli("resolve", cid, "no").exit_code == 0
    assert cli("resolve", str(drafts["Zvi"]["id"]), "yes").exit_code == 0
    people = _people(cli)
    assert people["Ben Thompson"]["scored"]["brier"] == pytest.approx(0.49)
    assert people["Zvi"]["scored"]["brier"] == pytest.approx(0.49)
    assert people["tester"]["scored"]["brier"] == pytest.approx(0.16)
    assert people["Ben Thompson"]["scored"]["vs_you"]["difference"]["mean"] == pytest.approx(0.33)


def _claims(rows):
    """(claim, person, kind, p, outcome) rows from {claim: ({person: p}, outcome)}."""
    return [(c, who, "own", p, o) for c, (ps, o) in rows.items() for who, p in ps.items()]


def test_ranking_cannot_be_won_by_volume():
    # V forecasts 40 claims, always the worst of three; S forecasts 6, always the best
    rows = {}
    for i in range(6):
        rows[i] = ({"S": 0.9, "M": 0.7, "V": 0.6}, 1)
    for i in range(6, 40):
        rows[i] = ({"X": 0.65, "M": 0.7, "V": 0.6}, 1)
    records = {r.name: r for r in track_records(_claims(rows), "M")}
    s, v = records["S"], records["V"]
    # PredictionBook's Brier + 1/sqrt(n) would put V first: 0.16 + 1/sqrt(40) < 0.01 + 1/sqrt(6)
    assert 0.16 + 1 / math.sqrt(40) < 0.01 + 1 / math.sqrt(6)
    assert s.rank == 1 and v.rank == 4 and records["M"].is_you
    assert s.vs_median.mean == pytest.approx(0.01 - 0.09) and v.vs_median.mean > 0
    # fewer than MIN_RANKED shared claims: shown, never ranked
    few = {i: ({"A": 0.99, "B": 0.5}, 1) for i in range(MIN_RANKED - 1)}
    assert all(r.rank is None for r in track_records(_claims(few), None))


def test_paired_interval_uses_t_and_contains_the_mean():
    rows = {i: ({"A": p, "B": 0.5}, 1) for i, p in enumerate((0.9, 0.8, 0.6, 0.7, 0.95, 0.55))}
    a = {r.name: r for r in track_records(_claims(rows), "B")}["A"]
    diffs = [(p - 1) ** 2 - 0.25 for p in (0.9, 0.8, 0.6, 0.7, 0.95, 0.55)]
    import statistics

    half = 2.571 * statistics.stdev(diffs) / math.sqrt(6)  # t(0.975, 5 df)
    assert a.vs_you.difference.mean == pytest.approx(statistics.mean(diffs))
    assert a.vs_you.difference.low == pytest.approx(statistics.mean(diffs) - half)


def test_demo_ranking_is_by_the_paired_rule_and_you_are_not_first_by_volume(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from claimtrack.cli import cli as group

    monkeypatch.setenv("CLAIMTRACK_USER", "root")  # a generic login: you are "me"
    path = str(tmp_path / "demo.db")
    runner = CliRunner()
    assert runner.invoke(group, ["--db", path, "demo"]).exit_code == 0
    data = json.loads(runner.invoke(group, ["--db", path, "people", "--json"]).stdout)
    assert data["you"] == "me"
    ranked = sorted((p for p in data["people"] if p["scored"] and p["scored"]["rank"]),
                    key=lambda p: p["scored"]["rank"])
    means = [p["scored"]["vs_median"]["mean"] for p in ranked]
    assert means == sorted(means) and len(ranked) >= 3
    me = next(p for p in ranked if p["name"] == "me")
    assert me["scored"]["n"] == max(p["scored"]["n"] for p in ranked)  # the most forecasts...
    assert me["scored"]["rank"] > 1  # ...and still not first: volume does not rank
    first = ranked[0]["scored"]
    assert first["brier"] < me["scored"]["brier"] and first["log_score"] > me["scored"]["log_score"]
    # the demo's pundits: asserted, implied and stated calls, some right, some wrong, and crowds
    kinds = {k for p in data["people"] for k in p["kinds"]}
    assert {"asserted", "implied", "stated", "crowd", "own"} <= kinds
    report = json.loads(runner.invoke(group, ["--db", path, "report", "--format", "json", "--forecaster", "me"]).stdout)
    assert report["overall"]["n"] == me["scored"]["n"]


def test_lists_show_your_number_under_your_name(cli):
    assert cli("add", "Claim one", "--by", "Ben", "--their", "likely", "-p", "15%").exit_code == 0
    assert cli("forecast", "1", "75%", "--by", "Priya").exit_code == 0  # newest, but not yours
    listed = json.loads(cli("list", "--json").stdout)[0]
    assert (listed["mine"], listed["theirs"], listed["their_kind"], listed["others"]) == (0.15, 0.7, "implied", 0.75)
    text = cli("list").stdout
    header = next(line for line in text.splitlines() if "statement" in line)
    assert "tester" in header and "claimant" in header
    row = next(line for line in text.splitlines() if "Claim one" in line)
    assert "15%" in row and "70% implied" in row
    r = cli("list", "--by", "Bem")
    assert "no source named 'Bem'" in r.stderr and "Ben" in r.stderr


def test_generic_login_becomes_me_and_config_name_wins(cli, monkeypatch):
    from claimtrack.services.config import current_user

    monkeypatch.setenv("CLAIMTRACK_USER", "root")
    assert current_user() == "me"
    monkeypatch.setenv("CLAIMTRACK_USER", "ubuntu")
    assert current_user() == "me"
    monkeypatch.setenv("CLAIMTRACK_USER", "alice")
    assert current_user() == "alice"
    assert cli("config", "set", "name", "Priya Shah").exit_code == 0
    assert current_user() == "Priya Shah"
    assert json.loads(cli("config", "show", "--json").stdout)["name"] == "Priya Shah"
    assert cli("config", "set", "colour", "blue").exit_code == 2


def test_kind_is_in_the_chain_and_round_trips(cli, db_url, tmp_path):
    _seed(cli)
    r = cli("verify")
    assert r.exit_code == 0, r.output
    out = tmp_path / "export.json"
    assert cli("export", "--format", "json", "--out", str(out)).exit_code == 0
    forecasts = [f for c in json.loads(out.read_text())["claims"] for f in c["forecasts"]]
    assert {f["kind"] for f in forecasts} == {"own", "asserted", "implied", "stated"}
    if "://" in db_url:
        return
    con = sqlite3.connect(db_url)
    unguarded(con, "UPDATE forecasts SET kind = 'own' WHERE kind = 'asserted'")
    con.commit()
    con.close()
    r = cli("verify")
    assert r.exit_code != 0 and "forecast" in r.output.lower()


def test_negative_zero_probability_is_stored_as_zero(cli, db_url):
    from claimtrack.domain import validate

    assert math.copysign(1.0, validate.probability(-0.0)) == 1.0
