"""Hostile and random arguments to the CLI.

For every rejected input: exit status 2, exactly one line on stderr starting
with "claimtrack: error:" (warnings before it are allowed, on their own
"claimtrack: warning:" lines), no traceback anywhere, and the ledger exactly
as it was (same dump).  Hypothesis properties check the CLI against the
documented rules for probabilities, dates, ids and outcomes.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimtrack.domain.errors import InvalidInput
from claimtrack.domain.records import OUTCOMES

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def seeded(cli):
    """Claim 1 open (two forecasts), claim 2 resolved yes."""
    assert cli("add", "open claim", "-p", "60%", "--made", "2024-01-01", "--due", "2030-01-01").exit_code == 0
    assert cli("forecast", "1", "65%", "--made", "2024-01-02").exit_code == 0
    assert cli("add", "resolved claim", "-p", "30%", "--made", "2024-01-01").exit_code == 0
    assert cli("resolve", "2", "yes", "--date", "2024-02-01").exit_code == 0
    return cli


def _clean_failure(result, code: int = 2) -> str | None:
    """None if ``result`` is a proper rejection, else what is wrong with it."""
    if "Traceback" in result.output:
        return f"traceback: {result.output[-500:]!r}"
    if result.exit_code != code:
        return f"exit {result.exit_code} (wanted {code}): {result.output[-300:]!r}"
    lines = result.stderr.rstrip("\n").split("\n")
    errors = [line for line in lines if line.startswith("claimtrack: error:")]
    if len(errors) != 1 or lines[-1] != errors[0]:
        return f"stderr is not one error line: {result.stderr[-300:]!r}"
    stray = [line for line in lines if not line.startswith(("claimtrack: error:", "claimtrack: warning:"))]
    if stray:
        return f"stray stderr lines: {stray!r}"
    return None


def _reject_all(cli, dump, db_url, cases: list[tuple[str, ...]], code: int = 2) -> None:
    before = dump(db_url)
    problems = []
    for argv in cases:
        result = cli(*argv)
        problem = _clean_failure(result, code)
        if problem is None and dump(db_url) != before:
            problem = "the ledger changed"
        if problem:
            problems.append(f"{[a[:60] for a in argv]}: {problem}")
            before = dump(db_url)  # judge the next case on its own
    assert problems == [], "\n".join(problems)


BAD_PROBABILITIES = [
    "banana", "", " ", "nan", "NaN", "inf", "-inf", "Infinity", "-0", "-0.0", "1e308", "1e999", "-1e999",
    "101", "150%", "100.0001%", "-5%", "-0.2", "1/0", "0/0", "3 in 0", "5/3", "-1", "0x1p-2", "½", "∞", "70%%",
    "\x00", "0.5\x00", "likely\x00", "1; DROP TABLE claims", "9" * 400, "0." + "0" * 5000 + "1e5000",
    "[bold]50%[/]", "50% 60%", "3:-1", "-3:1", "0:0", "1e-400", "١٠%",
]


def test_bad_probabilities_are_rejected_everywhere(seeded, dump, db_url):
    cases = []
    for p in BAD_PROBABILITIES:
        cases += [("forecast", "1", "--", p), ("add", f"--prob={p}", "a new claim"), ("forecast", "1", f"{p}")]
    _reject_all(seeded, dump, db_url, cases)


BAD_DATES = [
    "2023-02-30", "2023-02-29", "9999999-01-01", "0000-01-01", "2023-13-01", "2023-00-10", "banana", "\x00",
    "2023-01-01\x00", "10000-01-01", "1e9 days ago", "in 99999999 years", "99999999999999999999",
    "2023-11-27 25:00", "2023-11-27 12:61", "@@@", "-1", "2023-01-01T00:00:00+99:00", "Feb 30 2023",
    "yesterday tomorrow", "in -3 months", "x" * 10_000,
]


def test_bad_dates_are_rejected_everywhere(seeded, dump, db_url):
    cases = []
    for d in BAD_DATES:
        cases += [
            ("add", "a new claim", "-p", "50%", f"--made={d}"),
            ("add", "a new claim", "-p", "50%", f"--due={d}"),
            ("forecast", "1", "50%", f"--made={d}"),
            ("resolve", "1", "yes", f"--date={d}"),
            ("edit", "1", f"--due={d}"),
            ("list", f"--since={d}"),
            ("list", f"--until={d}"),
        ]
    # dates that parse but break a rule
    cases += [
        ("add", "a new claim", "-p", "50%", "--made=9999-12-31"),  # made in the future
        ("add", "a new claim", "-p", "50%", "--made=2024-05-01", "--due=2024-01-01"),  # due before made
        ("forecast", "1", "50%", "--made=tomorrow"),
        ("forecast", "2", "50%", "--made=2024-03-01"),  # after claim 2's resolution
        ("resolve", "1", "yes", "--date=2020-01-01"),  # before the claim was made
        ("resolve", "1", "yes", "--date=in 3 months"),
        ("list", "--since=2024-02-01", "--until=2024-01-01"),
    ]
    _reject_all(seeded, dump, db_url, cases)


BAD_IDS = [
    "0", "-1", "99999999999999999999", "1; DROP TABLE claims", "999999999999", "1.0", "0x1", "", " ", "abc",
    "²", "①", "١", "１", "1e3", "\x00", "1\x00", "#", "1 2", "+1", "[1]", "9" * 5000,
]


def test_bad_claim_ids_are_rejected_everywhere(seeded, dump, db_url):
    cases = []
    for i in BAD_IDS:
        cases += [("show", "--", i), ("forecast", "--", i, "50%"), ("resolve", "--", i, "no"),
                  ("edit", "--statement=new text", "--", i)]
    _reject_all(seeded, dump, db_url, cases)


BAD_OUTCOMES = ["maybe", "", " ", "yes; DROP TABLE claims", "\x00", "yes\x00", "YESS", "yes no", "2", "-1",
                "None", "null", "[green]yes[/]", "yes" * 1000, "ye s"]


def test_bad_outcomes_are_rejected(seeded, dump, db_url):
    _reject_all(seeded, dump, db_url, [("resolve", "1", "--", o) for o in BAD_OUTCOMES]
                + [("resolve", "2", "no")])  # already resolved, no --force


BAD_TEXT = [
    ("add", "", "-p", "50%"), ("add", "   \n\t ", "-p", "50%"), ("add", "a\x00b", "-p", "50%"),
    ("add", "x" * 2001, "-p", "50%"), ("add", "x" * 1_000_000, "-p", "50%"),
    ("add", "ok", "-p", "50%", "--note", "n" * 20_001), ("add", "ok", "-p", "50%", "--details", "\x00"),
    ("add", "ok", "-p", "50%", "--by", "a\nb"), ("add", "ok", "-p", "50%", "--by", "b" * 201),
    ("add", "ok", "-p", "50%", "--forecaster", "x\ty"),
    ("add", "ok", "-p", "50%", "--url", "javascript:alert(1)"), ("add", "ok", "-p", "50%", "--url", "ftp://x.org/"),
    ("add", "ok", "-p", "50%", "--url", "http://"), ("add", "ok", "-p", "50%", "--url", "http://a b.com"),
    ("add", "ok", "-p", "50%", "--url", "file:///etc/passwd"),
    ("add", "ok", "-p", "50%", "--tag", "t" * 101), ("add", "ok", "-p", "50%", "--tag", "a\x00b"),
    ("edit", "1", "--statement", ""), ("edit", "1", "--statement", "s" * 2001), ("edit", "1"),
    ("edit", "1", "--tag", "a", "--no-tags"), ("edit", "1", "--url", "notaurl"),
    ("forecast", "1", "50%", "--note", "\x00"), ("forecast", "1", "50%", "--by", "a\rb"),
    ("resolve", "1", "yes", "--url", "javascript:x"), ("resolve", "1", "yes", "--note", "z" * 20_001),
]


def test_bad_text_fields_are_rejected(seeded, dump, db_url):
    _reject_all(seeded, dump, db_url, BAD_TEXT)


def test_bad_options_and_commands_are_rejected(seeded, dump, db_url, tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    existing = tmp_path / "exists.db"
    existing.write_bytes(b"")
    cases = [
        ("list", "--within", "banana"), ("list", "--within", "-1"), ("list", "--within", "nan"),
        ("list", "--within", "1e309"), ("due", "--within", "inf"), ("list", "--limit", "0"),
        ("list", "--limit", "-5"), ("list", "--limit", "abc"), ("list", "--limit", "9" * 20), ("list", "--sort", "nonsense"),
        ("list", "--json", "--csv"), ("export", "--format", "xml"), ("import", str(tmp_path / "missing.json")),
        ("import", str(folder)), ("import", "x.json", "--from", "excel"), ("frobnicate",), ("list", "--nope"),
        ("add",), ("add", "no probability"), ("forecast", "1"), ("resolve", "1"), ("show",),
        ("add", "ok", "-p"), ("--db",),
    ]
    _reject_all(seeded, dump, db_url, cases)
    if not db_url.startswith("postgresql"):
        _reject_all(seeded, dump, db_url, [("db", "backup", str(existing))])


def test_unusable_ledgers_fail_cleanly(cli, tmp_path):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database" * 100)
    folder = tmp_path / "dir.db"
    folder.mkdir()
    cases = [
        ("list", garbage), ("add", "x", "-p", "50%", garbage), ("list", folder), ("verify", tmp_path / "none.db"),
        ("list", "postgresql+psycopg://nobody:secret-pw@127.0.0.1:1/none"), ("list", "nosuchdriver://x/y"),
    ]
    for *argv, where in cases:
        result = cli(*argv, db=str(where), create=False)
        assert result.exit_code != 0, argv
        assert "Traceback" not in result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("claimtrack: error:"), result.stderr
        assert "secret-pw" not in result.output  # a password is never echoed
    assert garbage.read_bytes() == b"this is not a database" * 100


# ------------------------------------------------------------ properties

PROBABILITY_TEXT = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="0123456789.:/% -+einaflINF", max_size=12),
    st.builds(lambda x, s: f"{x}{s}", st.floats(allow_nan=True, allow_infinity=True),
              st.sampled_from(["", "%", " %", "/1", " in 3", ":1"])),
)


@FUZZ
@given(text=PROBABILITY_TEXT)
def test_forecast_accepts_exactly_what_the_parser_accepts(seeded, dump, db_url, text):
    from claimtrack.domain.probability import parse_probability

    before = dump(db_url)
    try:
        expected = parse_probability(text).value
    except InvalidInput:
        expected = None
    result = seeded("forecast", "1", "--json", "--", text)
    if expected is None:
        assert _clean_failure(result) is None, _clean_failure(result)
        assert dump(db_url) == before
    else:
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output
        import json

        stored = json.loads(result.stdout)["probability"]
        assert 0.0 <= stored <= 1.0 and math.isclose(stored, expected)


@FUZZ
@given(text=st.one_of(st.text(max_size=25), st.from_regex(r"\A-?\d{1,8}-\d{1,3}-\d{1,3}( \d{1,3}:\d{1,3})?\Z")))
def test_made_dates_are_accepted_or_cleanly_rejected(seeded, dump, db_url, text):
    from claimtrack.domain.dates import parse_date, utcnow

    before = dump(db_url)
    try:
        parsed = parse_date(text, role="made")
    except InvalidInput:
        parsed = None
    result = seeded("add", "dated claim", "-p", "50%", "--json", f"--made={text}")
    if parsed is None or parsed > utcnow():
        assert _clean_failure(result) is None, _clean_failure(result)
        assert dump(db_url) == before
    else:
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output


@FUZZ
@given(text=st.one_of(st.text(max_size=14), st.sampled_from(["1", "2", "#1", " 2 ", "3", "0001", "02"])))
def test_claim_ids_are_ascii_numbers_of_existing_claims(seeded, dump, db_url, text):
    before = dump(db_url)
    result = seeded("show", "--json", "--", text)
    cleaned = text.strip().lstrip("#")
    exists = cleaned.isascii() and cleaned.isdigit() and int(cleaned) in (1, 2)
    if exists:
        assert result.exit_code == 0, result.output
    else:
        assert _clean_failure(result) is None, _clean_failure(result)
    assert dump(db_url) == before  # show never writes


@FUZZ
@given(text=st.one_of(st.text(max_size=12), st.sampled_from([*OUTCOMES, "YES", " No ", "Void", "AMBIGUOUS"])))
def test_outcomes_outside_the_list_are_rejected(seeded, dump, db_url, text):
    import json

    before = dump(db_url)
    result = seeded("resolve", "1", "--force", "--json", "--", text)
    if text.strip().lower() in OUTCOMES:
        assert result.exit_code == 0, result.output
    if result.exit_code == 0:
        assert json.loads(result.stdout)["outcome"] in OUTCOMES
    else:
        assert _clean_failure(result) is None, _clean_failure(result)
        assert dump(db_url) == before


HOSTILE_VALUES = ["1.5", "banana", "", "nan", "inf", "-0", "1e999", "2023-02-30", "9999999-01-01", "\x00",
                  "0", "-1", "99999999999999999999", "1; DROP TABLE claims", "maybe", "x" * 3000,
                  "[bold red]x[/]", "=HYPERLINK(\"x\")", "1", "2", "yes", "today", "--force", "--json"]
WORDS = ["add", "forecast", "resolve", "edit", "list", "show", "verify", "inbox", "accept", "reject", "export",
         "-p", "--made", "--due", "--date", "--by", "--tag", "--note", "--url", "--statement", "--since",
         "--within", "--limit", "--search", "--", *HOSTILE_VALUES]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=8)), max_size=7))
def test_random_argument_lists_never_crash(seeded, dump, db_url, argv):
    before = dump(db_url)
    result = seeded(*argv)
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 2), (argv, result.output[-400:])
    if result.exit_code != 0:
        assert _clean_failure(result) is None, (argv, _clean_failure(result))
        assert dump(db_url) == before
