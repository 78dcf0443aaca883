"""Issue 11, class 7: text reaching a terminal is always clean.

Every path that shows user text (CLI tables and messages, reports as text,
Markdown, HTML and JSON on stdout, the review UI) goes through
domain.text.terminal_safe; names and tags refuse invisible format characters
and are stored in NFKC form; an import refuses the URLs the CLI refuses.
"""

from __future__ import annotations

import io
import json
import re

import pytest

from claimtrack.domain.text import clean_strings, terminal_safe

OSC_CLIPBOARD = "\x1b]52;c;ZWNobyBwd25lZA==\x07"
HOSTILE = {
    "osc-clipboard": f"Claim {OSC_CLIPBOARD}with a clipboard write",
    "osc-title-st": "Claim \x1b]0;pwned title\x1b\\ with a window title",
    "csi-clear": "Claim \x1b[2J\x1b[H with a screen clear",
    "csi-colour": "Claim \x1b[31;1m red \x1b[0m text",
    "dcs": "Claim \x1bP1$r0m\x1b\\ with a device control string",
    "c1-csi": "Claim \x9b2J with an 8-bit CSI",
    "c1-osc": "Claim \x9d0;title\x9c with an 8-bit OSC",
    "apc": "Claim \x1b_hidden\x1b\\ with an APC",
    "bell-backspace": "Claim with a bell\x07 and back\x08\x08spaces",
    "carriage-return": "Claim hidden\roverwritten by a carriage return",
    "bidi": "Claim \u202eevil\u202c with a right-to-left override \u2066isolate\u2069",
    "unterminated-osc": "Claim with an unterminated \x1b]0;title",
    "markup": "Claim [bold red]not markup[/] and [link=http://x]x[/link]",
}
# what a terminal could act on: ESC, C1 controls, BEL, BS, CR, DEL, bidi controls
ACTIVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _clean(text: str) -> bool:
    return ACTIVE.search(text) is None


# ------------------------------------------------------------------- unit


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_terminal_safe_leaves_nothing_a_terminal_acts_on(name):
    out = terminal_safe(HOSTILE[name])
    assert _clean(out), repr(out)
    assert out.startswith("Claim")
    assert "pwned" not in out and "ZWNob" not in out  # sequence payloads go with their sequence


def test_terminal_safe_keeps_plain_text_newlines_and_tabs():
    text = "Line one\n\tindented [bold]literal[/] — ünïcödé 😀"
    assert terminal_safe(text) == text
    assert terminal_safe("a\nb\tc", single_line=True) == "a b c"


def test_clean_strings_reaches_every_nested_field():
    from claimtrack.domain.records import ClaimIn, ForecastIn
    from datetime import datetime, timezone

    claim = ClaimIn(statement=HOSTILE["osc-clipboard"], stated_at=datetime(2024, 1, 1, tzinfo=timezone.utc),
                    tags=("a\x1b[2Jb",),
                    forecasts=[ForecastIn("x", 0.5, datetime(2024, 1, 1, tzinfo=timezone.utc),
                                          rationale=HOSTILE["c1-osc"])])
    cleaned = clean_strings(claim)
    assert _clean(repr((cleaned.statement, cleaned.tags, cleaned.forecasts[0].rationale)).encode(
        "ascii", "backslashreplace").decode("unicode_escape"))
    assert claim.statement == HOSTILE["osc-clipboard"]  # the original is untouched


# -------------------------------------------------------------------- CLI


@pytest.fixture
def hostile_ledger(cli, tmp_path):
    """One claim per hostile text (statement, details, note, rationale,
    resolution note), resolved, plus a draft from a notes import."""
    ids = []
    for n, (name, text) in enumerate(sorted(HOSTILE.items()), 1):
        r = cli("add", text, "-p", "60%", "--made", "2024-01-01", "--due", "2024-06-01", "--details", text,
                "--note", text, "--tag", f"t{n}")
        assert r.exit_code == 0, r.output
        ids.append(int(r.stdout))
        if n % 2:
            assert cli("resolve", str(ids[-1]), "yes", "--date", "2024-03-01", "--note", text).exit_code == 0
    notes = tmp_path / "notes.md"
    notes.write_text("2024-01-05\n\nBen Thompson speculates that \x1b]0;pwned\x07 OpenAI will likely ship "
                     "a chip \x9b2J by 2026.\n")
    assert cli("import", str(notes)).exit_code == 0
    return cli, ids


@pytest.mark.parametrize("args", [
    ("list", "--all"), ("list", "--all", "--json"), ("list", "--resolved"), ("list", "--overdue"),
    ("show", "1"), ("show", "2"), ("show", "13"), ("show", "1", "--json"), ("inbox",), ("due",), (),
    ("report",), ("report", "--format", "md"), ("report", "--format", "html"), ("report", "--format", "json"),
    ("report", "--group", "tag"), ("report", "--format", "text"),
])
def test_no_command_writes_a_control_sequence(hostile_ledger, args):
    cli, _ = hostile_ledger
    r = cli(*args)
    assert r.exit_code in (0, 1), r.output
    assert _clean(r.stdout), repr([m for m in ACTIVE.findall(r.stdout)][:5])
    assert _clean(r.stderr), repr(r.stderr)


def test_markup_stays_literal_in_list_and_show(hostile_ledger):
    cli, _ = hostile_ledger
    r = cli("show", str(sorted(HOSTILE).index("markup") + 1))
    assert "[bold red]not markup[/]" in r.stdout


def test_json_output_keeps_the_text_as_escapes(hostile_ledger):
    cli, _ = hostile_ledger
    data = json.loads(cli("show", "1", "--json").stdout)
    assert data["claim"]["statement"] == sorted(HOSTILE.items())[0][1]  # the stored text, exactly


@pytest.mark.parametrize("bad", ["\x1b]0;title\x07", "\x9b2J", "\u202e50%"])
def test_errors_naming_hostile_input_are_clean(cli, bad):
    for args in (("forecast", "1", bad), ("add", "x", "-p", bad), ("list", "--since", bad), ("show", bad)):
        r = cli(*args)
        assert r.exit_code == 2, r.output
        assert _clean(r.stderr) and r.stderr.count("\n") == 1, repr(r.stderr)


def test_import_summary_is_clean_with_a_hostile_file_name_and_rows(cli, tmp_path):
    path = tmp_path / "rows\x1b]0;x\x07.csv"
    path.write_text("statement,probability,date\nA hostile \x1b[2J row,2.5,2024-01-01\nA good row,0.5,2024-01-01\n")
    r = cli("import", str(path))
    assert r.exit_code == 0, r.output
    assert _clean(r.stdout) and _clean(r.stderr)
    assert "skipped" in r.stderr


# --------------------------------------------------------------- review UI


def test_review_ui_shows_hostile_text_stripped(hostile_ledger, db_url):
    from datetime import datetime, timezone

    from rich.console import Console

    from claimtrack.tui.backend import Backend
    from claimtrack.tui.format import claim_row, detail_renderable

    backend = Backend(db_url)
    try:
        page = backend.page("all", None, sort=None, descending=False, offset=0, limit=100)
        details = [backend.detail(row.id) for row in page.rows]
        report = backend.report("tag", "all")
    finally:
        backend.close()
    now = datetime(2024, 6, 1, tzinfo=timezone.utc)
    console = Console(file=io.StringIO(), width=200, color_system=None, force_terminal=False)
    for row in page.rows:
        console.print(*claim_row(row, now).values())
    for detail in details:
        console.print(detail_renderable(detail, now))
    shown = console.file.getvalue()
    assert _clean(shown), repr(ACTIVE.findall(shown)[:5])
    assert "[bold red]not markup[/]" in shown  # markup stays literal
    assert "pwned" not in shown
    assert report.groups and all(_clean(g.key) for g in report.groups)  # group names handed to the views


# ----------------------------------------------------------- names and tags

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d",
             "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff", "\u00ad", "\u2060", "\u061c"]


@pytest.mark.parametrize("ch", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_names_and_tags_refuse_invisible_characters(cli, db_url, dump, ch):
    r = cli("add", "A claim", "-p", "50%")
    assert r.exit_code == 0
    before = dump(db_url)
    for args in (("add", "Another claim", "-p", "50%", "--by", f"ali{ch}ce"),
                 ("forecast", "1", "60%", "--by", f"ali{ch}ce"),
                 ("forecast", "1", "60%", "--by", f"{ch}"),
                 ("add", "Another claim", "-p", "50%", "--tag", f"a{ch}i"),
                 ("edit", "1", "--by", f"Bo{ch}b"),
                 ("edit", "1", "--tag", f"po{ch}licy")):
        r = cli(*args)
        assert r.exit_code == 2, (args, r.output)
        assert f"U+{ord(ch):04X}" in r.stderr and _clean(r.stderr), r.stderr
        assert dump(db_url) == before


@pytest.mark.parametrize("typed,stored", [("ａｌｉｃｅ", "alice"), ("Ａlice", "Alice"), ("e\u0301mile", "\u00e9mile"),
                                          ("ﬁona", "fiona")])
def test_names_are_stored_in_one_form(cli, typed, stored):
    assert cli("add", "A claim", "-p", "50%", "--by", "alice").exit_code == 0
    assert cli("forecast", "1", "60%", "--by", typed).exit_code == 0
    data = json.loads(cli("show", "1", "--json").stdout)
    assert data["forecasts"][-1]["forecaster"] == stored


def test_three_alices_are_one_forecaster(cli):
    assert cli("add", "A claim", "-p", "50%", "--by", "alice", "--made", "2024-01-01").exit_code == 0
    assert cli("forecast", "1", "60%", "--by", "ａｌｉｃｅ", "--made", "2024-01-02").exit_code == 0
    assert cli("forecast", "1", "70%", "--by", "alice\u200b", "--made", "2024-01-03").exit_code == 2
    assert cli("resolve", "1", "yes", "--date", "2024-02-01").exit_code == 0
    report = json.loads(cli("report", "--group", "forecaster", "--format", "json").stdout)
    assert sorted(report["groups"]) == ["alice", "tester"]  # tester made the claim's first forecast


@pytest.mark.parametrize("typed,stored", [("ＡＩ", "ai"), ("Straße", "strasse"), ("AI Policy", "ai-policy")])
def test_tags_are_stored_in_one_form(cli, typed, stored):
    assert cli("add", "A claim", "-p", "50%", "--tag", typed).exit_code == 0
    assert json.loads(cli("show", "1", "--json").stdout)["claim"]["tags"] == [stored]


def test_an_import_keeps_an_invisible_name_visibly(cli, tmp_path):
    path = tmp_path / "names.json"
    path.write_text(json.dumps({"format": "claimtrack", "version": 1, "claims": [
        {"statement": "A claim", "stated_at": "2024-01-01T00:00:00Z", "source": "Bo\u202eb",
         "forecasts": [{"forecaster": "ali\u200bce", "probability": 0.5, "made_at": "2024-01-01T00:00:00Z"}]}]}))
    assert cli("import", str(path)).exit_code == 0
    data = json.loads(cli("show", "1", "--json").stdout)
    assert data["forecasts"][0]["forecaster"] == "ali<U+200B>ce"
    assert data["claim"]["source"] == "Bo<U+202E>b"


# ------------------------------------------------------------------- URLs

BAD_URLS = ["javascript:alert(1)", "JavaScript:alert(document.cookie)", " javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "file:///etc/passwd",
            "http://", "//example.com/x", "ftp://example.com/x", "https://exa mple.com/"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_an_import_refuses_the_urls_the_cli_refuses(cli, db_url, dump, tmp_path, url):
    assert cli("add", "Via the CLI", "-p", "50%", "--url", url).exit_code == 2
    before = dump(db_url)
    path = tmp_path / "urls.json"
    for where in ("source_url", "evidence_url"):
        claim = {"statement": "A claim with a link", "stated_at": "2024-01-01T00:00:00Z",
                 "forecasts": [{"forecaster": "ann", "probability": 0.5, "made_at": "2024-01-01T00:00:00Z"}]}
        if where == "source_url":
            claim["source_url"] = url
        else:
            claim["resolutions"] = [{"outcome": "yes", "resolved_at": "2024-02-01T00:00:00Z", "evidence_url": url}]
        path.write_text(json.dumps({"format": "claimtrack", "version": 1, "claims": [claim]}))
        r = cli("import", str(path))
        assert r.exit_code == 2 and "nothing importable" in r.stderr and "http" in r.stderr, r.output
        assert dump(db_url) == before


@pytest.mark.parametrize("url", BAD_URLS[:6])
def test_a_csv_import_never_stores_a_bad_url(cli, db_url, dump, tmp_path, url):
    path = tmp_path / "urls.csv"
    path.write_text(f'statement,probability,date,url\nA claim with a link,0.5,2024-01-01,"{url}"\n')
    r = cli("import", str(path))
    assert r.exit_code == 0, r.output
    stored = repr(dump(db_url))
    assert url.strip() not in stored


async def test_the_running_review_ui_never_draws_a_control_sequence(tmp_path):
    """The app itself, driven with Pilot: hostile statement, details, tag and
    rationale in the table and the detail pane; the screen holds none of it."""
    from test_tui_support import SIZE, settle

    from claimtrack.services.ledger import NewClaim, add_claim
    from claimtrack.services.store import open_ledger
    from claimtrack.tui.app import create_app

    path = tmp_path / "claims.db"
    db = open_ledger(str(path))
    try:
        add_claim(db, NewClaim(HOSTILE["osc-title-st"] + " " + HOSTILE["markup"], 0.6, "ann",
                               details=HOSTILE["osc-clipboard"], note=HOSTILE["c1-osc"], tags=("t1",)))
        add_claim(db, NewClaim(HOSTILE["bidi"] + HOSTILE["csi-clear"], 0.4, "bob", note=HOSTILE["dcs"]))
    finally:
        db.dispose()
    app = create_app(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.export_screenshot()
    assert "pwned" not in screen and "ZWNob" not in screen
    assert not re.search(r"&#(?:27|x1b|155|x9b|157|x9d|8238|x202e);", screen, re.IGNORECASE)
    assert _clean(screen)
    assert "[bold&#160;red]not&#160;markup[/]" in screen  # markup shown literally


def test_filters_match_names_in_their_stored_form(cli):
    assert cli("add", "A claim", "-p", "50%", "--by", "Alice", "--made", "2024-01-01").exit_code == 0
    assert cli("forecast", "1", "60%", "--by", "ａｌｉｃｅ", "--made", "2024-01-02").exit_code == 0
    assert cli("resolve", "1", "yes", "--date", "2024-02-01").exit_code == 0
    listed = json.loads(cli("list", "--all", "--by", "ＡＬＩＣＥ", "--json").stdout)
    assert [c["id"] for c in listed] == [1]
    report = json.loads(cli("report", "--forecaster", "ＡＬＩＣＥ", "--format", "json").stdout)
    assert report["overall"]["n"] == 1
