"""Choice, numeric and date claims through the CLI, on both engines (issue 12):
add, forecast, resolve, edit, list, show, verify and the bad-input rules."""

from __future__ import annotations

import json

import pytest
from _trust import assert_refused

CEO = ["Why was the CEO fired?", "--option", "undisclosed malfeasance=15%", "--option", "split over AI safety=50%",
       "--option", "board power struggle=35%"]
PARAMS = ["GPT-4's parameter count", "--numeric", "--unit", "parameters", "--q", "10%=1T", "--q", "50%=1.8T",
          "--q", "90%=3T", "--made", "2024-01-10"]
CHIP = ["OpenAI ships its own chip", "--when", "--q", "50%=2026-06", "--q", "90%=2027-12", "--made", "2024-01-10"]


def _add(cli, *args) -> int:
    result = cli("add", *args)
    assert result.exit_code == 0, result.output
    return int(result.stdout.strip())


def _show(cli, cid) -> dict:
    result = cli("show", str(cid), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def seeded(cli):
    ids = {"ceo": _add(cli, *CEO, "--made", "2024-01-10"), "params": _add(cli, *PARAMS), "chip": _add(cli, *CHIP),
           "binary": _add(cli, "A yes/no claim", "-p", "60%", "--made", "2024-01-10")}
    return ids


def test_choice_lifecycle(cli, seeded):
    cid = seeded["ceo"]
    shown = _show(cli, cid)
    assert shown["claim"]["question_type"] == "choice"
    assert shown["claim"]["options"] == ["undisclosed malfeasance", "split over AI safety", "board power struggle"]
    assert shown["forecasts"][0]["distribution"] == [0.15, 0.5, 0.35]
    assert shown["forecasts"][0]["probability"] is None
    # a prefix names an option, every probability form works, case is ignored
    out = cli("forecast", str(cid), "UNDIS=0.1, split=3 in 5, board=30")
    assert out.exit_code == 0, out.output
    assert "split over AI safety 60% · board power struggle 30% · undisclosed malfeasance 10%" in out.stdout
    listed = json.loads(cli("list", "--json").stdout)
    row = next(c for c in listed if c["id"] == cid)
    assert row["distribution"] == [0.1, 0.6, 0.3] and row["mine"] is None
    text = cli("list").stdout
    assert "split over AI safety 60%" in text
    resolved = cli("resolve", str(cid), "split")
    assert resolved.exit_code == 0 and "split over AI safety" in resolved.stdout
    shown = _show(cli, cid)
    assert shown["claim"]["outcome"] == "value"
    assert shown["resolutions"][-1]["value"] == "split over AI safety"
    assert "split over AI safety" in cli("show", str(cid)).stdout
    assert cli("verify").exit_code == 0


def test_numeric_and_date_lifecycle(cli, seeded):
    p, d = seeded["params"], seeded["chip"]
    assert _show(cli, p)["forecasts"][0]["distribution"] == [[0.1, 1e12], [0.5, 1.8e12], [0.9, 3e12]]
    out = cli("forecast", str(p), "--interval", "1.2T..2.4T@80%", "--q", "50%=1.8T")
    assert out.exit_code == 0, out.output
    assert "median 1.8T, 80% 1.2T–2.4T" in out.stdout
    assert "median 1.8T, 80% 1.2T–2.4T" in cli("show", str(p)).stdout
    assert cli("resolve", str(p), "1.76T").stdout.strip() == f"claim {p}: resolved 1.76T"
    assert _show(cli, p)["resolutions"][-1]["value"] == repr(1.76e12)
    day = _show(cli, d)["forecasts"][0]["distribution"]
    assert day == [[0.5, 20619.0], [0.9, 21167.0]]  # 2026-06-15 and 2027-12-15
    assert cli("resolve", str(d), "2026-08-14").exit_code == 0
    assert _show(cli, d)["resolutions"][-1]["value"] == "20679.0"
    assert cli("verify").exit_code == 0


def test_void_and_ambiguous(cli, seeded):
    assert cli("resolve", str(seeded["ceo"]), "void").exit_code == 0
    assert cli("resolve", str(seeded["params"]), "ambiguous").exit_code == 0
    assert _show(cli, seeded["params"])["claim"]["outcome"] == "ambiguous"


@pytest.mark.parametrize(("args", "needle"), [
    (["add", "Q", "--option", "a=65%", "--option", "b=50%"], "add up to 115%"),
    (["add", "Q", "--option", "a=50%"], "at least two options"),
    (["add", "Q", "--option", "a=50%", "--option", "A=50%"], "given twice"),
    (["add", "Q", "--option", "a=50%", "--option", "b=50%", "-p", "40%"], "yes/no"),
    (["add", "Q", "--numeric", "--q", "10%=3T", "--q", "90%=1T"], "out of order"),
    (["add", "Q", "--numeric", "--q", "10%=1.8X"], "unknown suffix 'X'"),
    (["add", "Q", "--numeric", "--when"], "one kind"),
    (["add", "Q", "--q", "10%=1T"], "--numeric"),
    (["forecast", "{ceo}", "x=10%, split=60%, board=30%"], "'undisclosed malfeasance'"),
    (["forecast", "{ceo}", "undisclosed=10%, split=60%, board=40%"], "110%"),
    (["forecast", "{ceo}", "60%"], "multiple-choice"),
    (["forecast", "{params}", "60%"], "quantiles"),
    (["forecast", "{params}", "a=60%"], "quantiles"),
    (["forecast", "{binary}", "--q", "10%=1T"], "yes/no"),
    (["forecast", "{chip}", "--q", "10%=2027", "--q", "90%=2026"], "out of order"),
    (["resolve", "{params}", "split over AI safety"], "true value"),
    (["resolve", "{params}", "1.7Q"], "unknown suffix"),
    (["resolve", "{ceo}", "1.76T"], "'split over AI safety'"),
    (["resolve", "{ceo}", "yes"], "options"),
    (["resolve", "{ceo}", "x"], "no option"),
    (["resolve", "{chip}", "2026-08"], "YYYY-MM-DD"),
    (["resolve", "{binary}", "1.76T"], "yes, no"),
])
def test_bad_input_is_one_line_and_writes_nothing(cli, db_url, dump, seeded, args, needle):
    before = dump(db_url)
    argv = [a.format(**seeded) for a in args]
    assert_refused(cli(*argv), needle)
    assert dump(db_url) == before


def test_ambiguous_prefix_names_the_options(cli, db_url, dump):
    cid = _add(cli, "Which?", "--option", "safety=50%", "--option", "sabotage=50%")
    before = dump(db_url)
    assert_refused(cli("forecast", str(cid), "s=50%, sab=50%"), "ambiguous", "'safety', 'sabotage'")
    assert dump(db_url) == before


def test_near_100_is_scaled_with_a_note(cli):
    result = cli("add", "Q", "--option", "a=50%", "--option", "b=50.5%")
    assert result.exit_code == 0
    assert "scaled to 100%" in result.stderr
    dist = _show(cli, int(result.stdout))["forecasts"][0]["distribution"]
    assert sum(dist) == pytest.approx(1.0)


def test_other_option(cli):
    cid = _add(cli, "Q", "--option", "a=60%", "--option", "b=30%", "--other", "--ordered")
    shown = _show(cli, cid)["claim"]
    assert shown["options"] == ["a", "b", "other"] and shown["ordered"] is True
    assert _show(cli, cid)["forecasts"][0]["distribution"] == pytest.approx([0.6, 0.3, 0.1])


def test_options_fixed_once_forecast(cli, db_url, dump):
    cid = _add(cli, "Which lab first?", "--option", "OpenAI", "--option", "Google")
    assert _show(cli, cid)["forecasts"] == []
    assert cli("edit", str(cid), "--option", "OpenAI", "--option", "Google", "--option", "Anthropic").exit_code == 0
    assert _show(cli, cid)["claim"]["options"] == ["OpenAI", "Google", "Anthropic"]
    assert cli("verify").exit_code == 0
    assert cli("forecast", str(cid), "o=50%, g=30%, a=20%").exit_code == 0
    before = dump(db_url)
    assert_refused(cli("edit", str(cid), "--option", "OpenAI", "--option", "Meta"), "options are fixed")
    assert dump(db_url) == before


def test_binary_paths_ignore_other_kinds(cli, seeded):
    """Scores, people and calibration count the yes/no claim only, and do not crash."""
    for cid, outcome in ((seeded["ceo"], "split"), (seeded["params"], "1.76T"), (seeded["chip"], "2026-08-14"),
                         (seeded["binary"], "yes")):
        assert cli("resolve", str(cid), outcome).exit_code == 0
    report = json.loads(cli("report", "--format", "json").stdout)
    assert (report["overall"]["n"], report["overall"]["n_excluded"]) == (1, 0)
    assert report["n_resolved_claims"] == 1
    text = json.dumps(report["resolved_claims"])
    assert "GPT-4" not in text and "CEO" not in text
    people = cli("people", "--json")
    assert people.exit_code == 0, people.output
    me = next(p for p in json.loads(people.stdout)["people"] if p["is_you"])
    assert (me["n_claims"], me["n_resolved"]) == (1, 1)
    for args in (["report"], ["due"], ["list", "--all", "--csv"], ["people"]):
        result = cli(*args)
        assert result.exit_code in (0, 1), result.output
        assert "unexpected" not in result.stderr


@pytest.mark.parametrize("column,table,raw", [
    ("distribution", "forecasts", "[0.5,0.3,0.2]"),
    ("options", "claim_records", '["a","b","c"]'),
    ("value", "resolutions", "board power struggle"),
])
def test_raw_edits_of_distributions_options_and_values_are_caught(cli, sql, seeded, column, table, raw):
    cid = seeded["ceo"]
    assert cli("forecast", str(cid), "u=10%, s=60%, b=30%").exit_code == 0
    assert cli("resolve", str(cid), "split").exit_code == 0
    assert cli("verify").exit_code == 0
    key = "claim_id"
    sql(f"UPDATE {table} SET {column} = :raw WHERE {key} = :cid AND {column} IS NOT NULL", raw=raw, cid=cid)
    result = cli("verify")
    assert result.exit_code == 1, result.output
    assert table in result.output


def test_raw_edit_of_claims_options_is_caught(cli, sql, seeded):
    cid = seeded["ceo"]
    sql("UPDATE claims SET options = :raw WHERE id = :cid", raw='["a","b","c"]', cid=cid)
    result = cli("verify")
    assert result.exit_code == 1
    assert f"claim {cid}: options" in result.output
