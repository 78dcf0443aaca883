"""Export and native import round-trip choice, numeric and date claims
exactly (issue 12), in JSON and CSV, on both engines; a file that breaks a
question's rules is skipped with its reason."""

from __future__ import annotations

import json

import pytest
from test_native_roundtrip import _content


def _build(cli):
    def add(*args):
        r = cli("add", *args, "--made", "2024-01-10")
        assert r.exit_code == 0, r.output
        return r.stdout.strip()

    ceo = add("Why was the CEO fired?", "--option", "undisclosed malfeasance=15%", "--option",
              "split over AI safety=50%", "--option", "board power struggle=35%", "--tag", "openai")
    assert cli("forecast", ceo, "u=1/3, s=1/3, b=1/3", "--by", "Priya", "--made", "2024-02-01").exit_code == 0
    assert cli("resolve", ceo, "split").exit_code == 0
    scale = add("GPT-5 parameters, bucketed", "--option", "<1T=20%", "--option", "1-2T=50%", "--option", ">2T=30%",
                "--ordered")
    assert cli("resolve", scale, "void").exit_code == 0
    params = add("GPT-4's parameter count", "--numeric", "--unit", "parameters", "--log", "--q", "10%=1T",
                 "--q", "50%=1.8T", "--q", "90%=3T")
    assert cli("forecast", params, "--interval", "1.2T..2.4T@80%", "--made", "2024-03-01").exit_code == 0
    assert cli("resolve", params, "1.76T").exit_code == 0
    cost = add("GPT-4 training cost", "--numeric", "--unit", "$", "--q", "25%=0.1234567891234M", "--q", "75%=$90M")
    chip = add("OpenAI ships its own chip", "--when", "--q", "50%=2026-06", "--q", "90%=2027-12")
    assert cli("resolve", chip, "2026-08-14").exit_code == 0
    blank = add("Which lab ships first?", "--option", "OpenAI", "--option", "Google")
    assert cli("edit", blank, "--option", "OpenAI", "--option", "Google", "--other").exit_code == 0
    add("A yes/no claim", "-p", "60%")
    return ceo, cost


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_every_kind_round_trips_exactly(cli, db_url, tmp_path, fmt):
    _build(cli)
    out = tmp_path / f"export.{fmt}"
    assert cli("export", "--format", fmt, "--out", str(out)).exit_code == 0
    target = str(tmp_path / "copy.db")
    r = cli("import", str(out), "--json", db=target)
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["claims"]["added"] == 7 and summary["skipped"] == []
    assert _content(db_url) == _content(target)
    assert cli("verify", db=target).exit_code == 0
    again = tmp_path / f"again.{fmt}"
    assert cli("export", "--format", fmt, "--out", str(again), db=target).exit_code == 0
    first, second = out.read_text(), again.read_text()
    if fmt == "json":
        first, second = json.loads(first), json.loads(second)
        first.pop("exported_at"), second.pop("exported_at")
    assert first == second


def test_exported_json_holds_the_stored_forms(cli, tmp_path):
    ceo, cost = _build(cli)
    out = tmp_path / "export.json"
    assert cli("export", "--out", str(out)).exit_code == 0
    claims = {str(c["id"]): c for c in json.loads(out.read_text())["claims"]}
    c = claims[ceo]
    assert c["question_type"] == "choice"
    assert json.loads(c["options"]) == ["undisclosed malfeasance", "split over AI safety", "board power struggle"]
    assert json.loads(c["forecasts"][1]["distribution"]) == [1 / 3, 1 / 3, 1 / 3]
    assert c["resolutions"][0] == {**c["resolutions"][0], "outcome": "value", "value": "split over AI safety"}
    q = json.loads(claims[cost]["forecasts"][0]["distribution"])
    assert q == [[0.25, 0.1234567891234e6], [0.75, 90e6]]


@pytest.mark.parametrize("change,reason", [
    (lambda c: c.update(options='["only one"]'), "at least two options"),
    (lambda c: c["forecasts"][0].update(distribution="[0.5,0.6,0.3]"), "add up to 100%"),
    (lambda c: c["forecasts"][0].update(distribution=None, probability=0.5), "distribution"),
    (lambda c: c["resolutions"][0].update(value="not an option"), "not one of the options"),
    (lambda c: c["resolutions"][0].update(outcome="yes", value=None), "resolves with a value"),
])
def test_a_file_that_breaks_the_rules_is_skipped(cli, tmp_path, change, reason):
    ceo, _ = _build(cli)
    out = tmp_path / "export.json"
    assert cli("export", "--out", str(out)).exit_code == 0
    doc = json.loads(out.read_text())
    claim = next(c for c in doc["claims"] if str(c["id"]) == ceo)
    change(claim)
    doc["claims"] = [claim]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(doc))
    r = cli("import", str(broken), "--json", db=str(tmp_path / "other.db"))
    assert r.exit_code == 2, r.output
    assert reason in r.stderr
