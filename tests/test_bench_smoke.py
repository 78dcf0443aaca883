"""Smoke tests for bench/: the generator writes a valid ledger, the runner's
pieces work on a tiny one.  No timing assertions: speed is the runner's job."""

from __future__ import annotations

import gzip
import importlib.util
import json
import shutil
import sqlite3
import sys
from datetime import datetime
from pathlib import Path

import pytest
from _trust import unguarded
from click.testing import CliRunner

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402
import measure  # noqa: E402
import tasks  # noqa: E402
import tasks_stream  # noqa: E402

CLAIMS, FORECASTS = 150, 900


def claimtrack(*args: str):
    from claimtrack.cli import cli as group
    from claimtrack.cli.errors import run

    runner = CliRunner()
    with runner.isolation() as (out, err, _):
        code = run(group, list(args), prog_name="claimtrack")
    return code, out.getvalue().decode(), err.getvalue().decode()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "tiny.db"
    generate.generate(path, CLAIMS, FORECASTS, seed=3, quiet=True)
    return path


def _rows(path: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, params).fetchall()


def test_generated_ledger_passes_verify(tiny):
    code, out, err = claimtrack("--db", str(tiny), "verify")
    assert code == 0, err
    assert f"forecasts: {FORECASTS} rows, chain intact" in out
    n_res = _rows(tiny, "SELECT count(*) FROM resolutions")[0][0]
    assert f"resolutions: {n_res} rows, chain intact" in out
    assert n_res > 0


def test_verify_notices_a_tampered_copy(tiny, tmp_path):
    copy = tmp_path / "tampered.db"
    shutil.copyfile(tiny, copy)
    with sqlite3.connect(copy) as conn:
        unguarded(conn, "UPDATE forecasts SET probability = 1 - probability WHERE id = 17")
    code, out, err = claimtrack("--db", str(copy), "verify")
    assert code != 0
    assert "forecasts row 17" in out + err


def test_generated_ledger_shape_and_cached_columns(tiny):
    assert _rows(tiny, "PRAGMA integrity_check") == [("ok",)]
    assert _rows(tiny, "PRAGMA foreign_key_check") == []
    assert _rows(tiny, "SELECT count(*) FROM claims")[0][0] == CLAIMS
    assert _rows(tiny, "SELECT count(*) FROM forecasts")[0][0] == FORECASTS
    assert len(_rows(tiny, "SELECT DISTINCT forecaster FROM forecasts")) >= 5
    assert len(_rows(tiny, "SELECT DISTINCT tag FROM claim_tags")) >= 10
    assert len(_rows(tiny, "SELECT DISTINCT source FROM claims")) >= 10
    resolved = _rows(tiny, "SELECT count(*) FROM claims WHERE outcome IS NOT NULL")[0][0]
    assert 0.4 * CLAIMS < resolved < 0.9 * CLAIMS
    # the cache on each claim agrees with its forecasts and resolutions
    for cid, n, p, who, outcome, resolved_at in _rows(
            tiny, "SELECT id, n_forecasts, last_probability, last_forecaster, outcome, resolved_at FROM claims"):
        fc = _rows(tiny, "SELECT probability, forecaster FROM forecasts WHERE claim_id = ? "
                         "ORDER BY made_at DESC, id DESC", cid)
        assert n == len(fc) >= 1
        assert (p, who) == fc[0]
        res = _rows(tiny, "SELECT outcome, resolved_at FROM resolutions WHERE claim_id = ? ORDER BY id DESC", cid)
        assert (outcome, resolved_at) == (res[0] if res else (None, None))


def test_generated_flags_follow_the_ledger_rules(tiny):
    rows = _rows(tiny, "SELECT f.made_at, f.recorded_at, f.backfilled, f.after_resolution, c.resolved_at "
                       "FROM forecasts f JOIN claims c ON c.id = f.claim_id")
    for made, recorded, backfilled, after, resolved_at in rows:
        made_dt, rec_dt = datetime.fromisoformat(made), datetime.fromisoformat(recorded)
        assert bool(backfilled) == ((rec_dt - made_dt).total_seconds() > 24 * 3600)
        assert bool(after) == (resolved_at is not None and made > resolved_at)
    assert any(r[2] for r in rows) and not all(r[2] for r in rows)


def test_generator_is_deterministic_and_cached(tmp_path):
    a = generate.ensure_ledger(40, 120, seed=5, out=tmp_path / "a", quiet=True)
    b = generate.ensure_ledger(40, 120, seed=5, out=tmp_path / "b", quiet=True)
    heads = [_rows(p, "SELECT row_hash FROM forecasts ORDER BY id DESC LIMIT 1") for p in (a, b)]
    assert heads[0] == heads[1]
    stamp = a.stat().st_mtime_ns
    assert generate.ensure_ledger(40, 120, seed=5, out=tmp_path / "a", quiet=True) == a
    assert a.stat().st_mtime_ns == stamp  # served from the cache, not rewritten
    other = generate.ensure_ledger(40, 120, seed=6, out=tmp_path / "a", quiet=True)
    assert _rows(other, "SELECT row_hash FROM forecasts ORDER BY id DESC LIMIT 1") != heads[0]


def test_sql_baseline_agrees_with_claimtrack_scoring(tiny):
    from claimtrack.services.scoring import headline
    from claimtrack.services.store import open_ledger

    with sqlite3.connect(tiny) as conn:
        try:
            conn.execute("SELECT log2(2)")
        except sqlite3.OperationalError:
            pytest.skip("this SQLite has no math functions")
        rows = [dict(zip([d[0] for d in cur.description], r))
                for cur in [conn.execute(tasks.SQL_BASELINE.read_text())] for r in cur.fetchall()]
    overall = next(r for r in rows if r["kind"] == "overall")
    bins = [r for r in rows if r["kind"] == "bin"]
    assert sum(b["n"] for b in bins) == overall["n"]
    m = overall
    assert m["brier"] == pytest.approx(m["reliability"] - m["resolution"] + m["uncertainty"]
                                       + m["within_bin_variance"] - m["within_bin_covariance"])
    db = open_ledger(str(tiny))
    try:
        line = headline(db)
    finally:
        db.dispose()
    assert f"Brier {overall['brier']:.3f}" in line and f"over {overall['n']} final forecasts" in line


def test_one_pass_sql_baseline_matches_the_window_function_form(tiny, tmp_path):
    """The one-pass max() form gives the same rows as the ROW_NUMBER() form it replaced, on a
    ledger with ties on made_at (the later-recorded forecast, by id, must win)."""
    copy = tmp_path / "ties.db"
    shutil.copyfile(tiny, copy)
    with sqlite3.connect(copy) as conn:
        # give every forecast of a few claims the same made_at: only the id decides
        unguarded(conn, "UPDATE forecasts SET made_at = (SELECT stated_at FROM claims c WHERE c.id = claim_id) "
                  "WHERE claim_id % 7 = 0")
        try:
            conn.execute("SELECT log2(2)")
        except sqlite3.OperationalError:
            pytest.skip("this SQLite has no math functions")
    text = tasks.SQL_BASELINE.read_text()
    assert "row_number" not in text.lower()
    window = text.split("WITH final AS MATERIALIZED (")[0] + """WITH ranked AS MATERIALIZED (
  SELECT f.probability AS p, c.outcome AS outcome, f.backfilled AS backfilled,
         row_number() OVER (PARTITION BY f.claim_id, f.forecaster ORDER BY f.made_at DESC, f.id DESC) AS rn
  FROM forecasts f JOIN claims c ON c.id = f.claim_id
  WHERE c.status = 'active' AND c.outcome IS NOT NULL AND f.made_at < c.resolved_at
), final AS MATERIALIZED (SELECT p, outcome, backfilled FROM ranked WHERE rn = 1),""" + text.split("GROUP BY c.id, f.forecaster\n),", 1)[1]
    with sqlite3.connect(copy) as conn:
        one_pass = conn.execute(text).fetchall()
        windowed = conn.execute(window).fetchall()
        scored = conn.execute("SELECT count(*) FROM forecasts WHERE claim_id % 7 = 0").fetchone()[0]
    assert scored > 0
    assert one_pass == windowed and len(one_pass) > 3


def test_pandas_baselines_agree_with_sql(tiny, tmp_path):
    pytest.importorskip("pandas")
    import baseline_pandas

    csv_path = tmp_path / "export.csv"
    code, _, err = claimtrack("--db", str(tiny), "export", "--format", "csv", "--out", str(csv_path))
    assert code == 0, err
    with sqlite3.connect(tiny) as conn:
        cur = conn.execute(tasks.SQL_BASELINE.read_text())
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
        overall = next(dict(zip(names, r)) for r in rows if r[0] == "overall")
    result = baseline_pandas.main(str(csv_path), "numpy")
    assert result["n"] == overall["n"]
    assert result["n_excluded"] == overall["n_excluded"]
    assert result["brier"] == pytest.approx(overall["brier"])
    assert result["log_score_bits"] == pytest.approx(overall["log_score_bits"])
    bins = [r for r in rows if r[0] == "bin"]
    assert [(b["mean_forecast"], b["observed"]) for b in result["calibration"]] == pytest.approx(
        [(r[names.index("mean_forecast")], r[names.index("observed")]) for r in bins])
    if importlib.util.find_spec("sklearn") is not None:  # the reference scorer computes the same numbers
        assert baseline_pandas.main(str(csv_path), "sklearn") == pytest.approx(result)


def test_run_process_reports_time_memory_and_failures(tmp_path):
    big = measure.run_process([sys.executable, "-c", "b = bytearray(120_000_000); b[::4096] = b'1' * len(b[::4096])"])
    small = measure.run_process([sys.executable, "-c", "pass"])
    assert big.returncode == small.returncode == 0
    assert big.peak_mb > 100 > small.peak_mb  # per child, not the runner's own memory
    assert big.seconds > 0 and small.seconds > 0
    assert 0 < small.cpu < big.cpu
    out = tmp_path / "out.txt"
    measure.run_process([sys.executable, "-c", "print('hello')"], stdout=out)
    assert out.read_text().strip() == "hello"
    with pytest.raises(measure.ProcessFailed, match="exited 3"):
        measure.run_process([sys.executable, "-c", "import sys; sys.exit(3)"])
    stamped = measure.run_process([sys.executable, "-c", "import sys, time; print('FIRST_SCREEN', time.time(), "
                                                         "file=sys.stderr); time.sleep(0.3)"], reported_time=True)
    whole = measure.run_process([sys.executable, "-c", "import time; time.sleep(0.3)"])
    assert stamped.seconds < whole.seconds


def test_interleave_rotates_and_drops_warmups():
    calls = []

    def contender(label):
        return measure.Contender(label, lambda i: [label, str(i)],
                                 lambda cmd: calls.append(tuple(cmd)) or measure.Sample(float(cmd[1]) + 1, 10.0, 0))

    a, b = contender("a"), contender("b")
    measure.interleave([a, b], repeat=3, warmup=1)
    assert calls == [("a", "0"), ("b", "0"), ("b", "1"), ("a", "1"), ("a", "2"), ("b", "2"), ("b", "3"), ("a", "3")]
    assert [s.seconds for s in a.samples] == [2.0, 3.0, 4.0]
    assert a.median == 3.0 and a.peak_mb == 10.0


def test_rows_judge_their_targets():
    row = measure.Row("t", 1.2, "base", 1.0, "<= 1.3", 150, 100, "< 200 MB")
    assert row.ratio == pytest.approx(1.2) and row.met == "yes"
    assert measure.Row("t", 1.4, "base", 1.0, "<= 1.3", 10, 10).met == "NO"
    assert measure.Row("t", 0.9, "base", 1.0, "< 1", 250, 10, "< 200 MB").met == "NO"  # memory
    assert measure.Row("t", 1.0, "base", 1.0, "<= 1.3", 160, 100, "<= 1.5x").met == "NO"
    assert measure.Row("t", 1.0, "base", 1.0, "<= 1.3", 150, 100, "<= 1.5x").met == "yes"
    text = measure.table([row], markdown=True)
    assert text.splitlines()[0].startswith("| task | claimtrack median |")
    assert "| 1.20 | <= 1.3 |" in text
    a = measure.Contender("a", lambda i: [], lambda cmd: None, [measure.Sample(s, 1, 0) for s in (2.0, 9.0, 3.0)])
    b = measure.Contender("b", lambda i: [], lambda cmd: None, [measure.Sample(s, 1, 0) for s in (1.0, 3.0, 3.0)])
    assert measure.paired_ratio(a, b) == 2.0  # ratios 2, 3, 1
    piped = measure.table([measure.Row("t", 1.0, "a | b", 1.0, "<= 3", 1, 1)])
    assert "| a \\| b |" in piped and piped.splitlines()[2].count(" | ") == len(measure.HEADER) - 1
    paired = measure.Row("t", 1.2, "base", 1.0, "<= 1.3", 1, 1, paired=1.1)
    assert "| 1.20 (1.10) | <= 1.3 |" in measure.table([paired])


@pytest.fixture
def bench(tiny, tmp_path) -> tasks.Bench:
    work = tmp_path / "work"
    work.mkdir()
    ledger, report_ledger, empty = work / "quick.db", work / "report.db", work / "empty.db"
    shutil.copyfile(tiny, ledger)
    shutil.copyfile(tiny, report_ledger)
    generate.create_schema(empty)
    return tasks.Bench(work=work, ledger=ledger, report_ledger=report_ledger, export_csv=None,
                       empty_ledger=empty, repeat=1, quick_repeat=1, warmup=0, sqlite3=shutil.which("sqlite3") or "sqlite3")


def test_quick_command_task_on_a_tiny_ledger(bench):
    n_resolutions = _rows(bench.ledger, "SELECT count(*) FROM resolutions")[0][0]
    rows = tasks.quick_commands(bench)
    assert [r.task.split(" (")[0] for r in rows[::2]] == ["list --json", "list --json --limit 100", "forecast ID P",
                                                          "resolve ID yes"]
    # each command against the import floor (with its target) and against the GC-off floor (info)
    assert [r.task for r in rows[::2]] == [r.task for r in rows[1::2]]
    assert {r.baseline for r in rows[::2]} == {tasks.IMPORT_FLOOR}
    assert {r.baseline for r in rows[1::2]} == {tasks.GC_OFF_FLOOR} and {r.met for r in rows[1::2]} == {"-"}
    assert [(r.target, r.memory_target) for r in rows[::2]] == [("<= 3", "< 100 MB")] + [("<= 1.1", "")] * 3
    n_open = sum(1 for r in json.loads((bench.work / "list.json").read_text()))
    assert rows[0].note.startswith(f"printed {n_open:,} claims") and "EXPECTED" not in rows[0].note
    assert all(r.claimtrack_s > 0 and r.baseline_s > 0 and r.claimtrack_mb > 0 for r in rows)
    # the write commands really wrote
    assert _rows(bench.ledger, "SELECT count(*) FROM forecasts")[0][0] == FORECASTS + 1
    assert _rows(bench.ledger, "SELECT count(*) FROM resolutions")[0][0] == n_resolutions + 1


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="needs the sqlite3 shell")
def test_report_task_on_a_tiny_ledger(bench):
    if not tasks.command_available(bench, "report"):
        pytest.skip("claimtrack report is not available")
    bench.export_csv = bench.work / "export.csv"
    code, _, err = claimtrack("--db", str(bench.report_ledger), "export", "--format", "csv",
                              "--out", str(bench.export_csv))
    assert code == 0, err
    bench.small_ledger = bench.report_ledger  # the fixed-cost row, here on the same tiny ledger
    rows = tasks.report(bench)
    assert [r.baseline for r in rows] == ["sqlite3 shell, one-pass SQL query", "pandas + numpy on the CSV export",
                                          "pandas + scikit-learn on the CSV export",
                                          "sqlite3 shell, one-pass SQL query"]
    assert [r.target for r in rows] == ["<= 1.5", "<= 1", "", "<= 3"]
    n = _rows(bench.report_ledger, "SELECT count(*) FROM forecasts")[0][0]
    assert rows[0].task == f"report --format json ({n:,} forecasts)"
    # all four computed the same n (the note is how the runner shows it)
    counts = {part.split("n=")[1].split()[0] for part in rows[0].note.split("; ")}
    assert len(counts) == 1 and len(rows[0].note.split("; ")) == 4, rows[0].note


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="needs the sqlite3 shell")
def test_import_task_on_a_small_csv(bench, tmp_path):
    source = tmp_path / "small.csv.gz"
    header = "source,claim_id,claim_text,forecaster,created_at,probability,resolve_by,resolved_at,outcome\n"
    lines = [f"demo,{q},Will thing {q} happen?,user{u},2023-01-05,0.{u + 1},2023-12-31,,{q % 2}\n"
             for q in range(1, 6) for u in range(8)]
    with gzip.open(source, "wt") as fh:
        fh.write(header + "".join(lines))
    bench.import_source = source
    [row] = tasks.import_acx(bench)
    assert row.task == "import small.csv.gz"
    assert (row.target, row.memory_target) == ("<= 8", "< 100 MB")
    assert row.note == "40 CSV rows -> 5 claims, 40 forecasts"


def test_tui_probe_task_on_a_tiny_ledger(bench):
    if not tasks.ui_available(bench):
        pytest.skip("the review UI is not available")
    table, queue = tasks.review_ui(bench)
    assert table.claimtrack_s > 0 and table.baseline_s > 0
    assert "minimal: 100 rows on the first screen" in table.note
    # what `claimtrack tui` opens on: the review queue, against the same baseline run
    assert queue.task == "review UI first screen (review queue)"
    assert queue.claimtrack_s > 0 and queue.baseline_s == table.baseline_s
    assert (queue.target, queue.memory_target) == ("<= 1.3", "<= 1.5x")
    assert "claimtrack-review: #" in queue.note and "first of" in queue.note


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="needs the sqlite3 shell")
def test_export_and_verify_tasks_on_a_tiny_ledger(bench):
    rows = tasks_stream.export(bench)
    assert [r.task for r in rows] == [f"export --format {f} ({FORECASTS:,} forecasts)" for f in ("json", "csv")]
    assert {(r.baseline, r.target, r.memory_target) for r in rows} == {("sqlite3 LEDGER .dump", "<= 3", "< 100 MB")}
    exported = json.loads((bench.work / "export.json").read_text(encoding="utf-8"))
    assert len(exported["claims"]) == CLAIMS
    assert sum(len(c["forecasts"]) for c in exported["claims"]) == FORECASTS
    assert (bench.work / "export.csv").read_text(encoding="utf-8").count("\nforecast,") == FORECASTS
    assert "INSERT INTO forecasts" in (bench.work / "dump.sql").read_text(encoding="utf-8")
    [row] = tasks_stream.verify(bench)
    assert row.baseline == "sqlite3 LEDGER .dump | sha256sum" and row.target == "<= 3"
    assert f"forecasts: {FORECASTS} rows, chain intact" in row.note
    assert row.claimtrack_s > 0 and row.baseline_s > 0


def test_scaling_rows_only_with_a_second_ledger(bench, tiny, tmp_path):
    assert tasks_stream.scaling(bench) == []
    bigger = tmp_path / "bigger.db"
    generate.generate(bigger, CLAIMS * 2, FORECASTS * 2, seed=4, quiet=True)
    bench.report_ledger, bench.scale_ledger = bigger, tiny
    rows = tasks_stream.scaling(bench)
    assert [r.task.split(" (")[0] for r in rows] == ["report --format json", "export --format json", "verify",
                                                     "list --json"]
    assert all(r.baseline == f"the same on {FORECASTS:,} forecasts x 2" for r in rows)
    assert all(r.target == "<= 1.2" and r.memory_target == "< 100 MB" for r in rows)
