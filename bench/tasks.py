"""The benchmark tasks, each claimtrack against its baseline, in one run.

Every function takes a :class:`Bench` (paths, commands, environment) and
returns :class:`measure.Row` results.  Ledgers are working copies made by the
runner; nothing here touches the cached ledgers in bench/out/.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from measure import Contender, Row, Sample, cpu_ratio, interleave, paired_ratio, run_process

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SQL_BASELINE = HERE / "baseline_report.sql"
PANDAS_BASELINE = HERE / "baseline_pandas.py"
UI_PROBE = HERE / "ui_probe.py"
# /work/shared beside the main checkout, or beside the folder of worktrees (/work/wt/NAME)
ACX = next((p for p in (base / "shared" / "realdata" / "derived" / "acx2023_blind_all_forecasts.csv.gz"
                        for base in (ROOT.parent, ROOT.parent.parent)) if p.exists()),
           ROOT.parent / "shared" / "realdata" / "derived" / "acx2023_blind_all_forecasts.csv.gz")
IMPORT_FLOOR = "python -c 'import sqlalchemy.orm'"
GC_OFF_FLOOR = "the same with the cyclic GC off"


@dataclass
class Bench:
    work: Path  # a scratch folder for this run
    ledger: Path  # working copy of the big ledger (quick commands write to it)
    report_ledger: Path  # pristine working copy (report, export, verify, UI)
    export_csv: Path | None  # `claimtrack export --format csv` of report_ledger
    empty_ledger: Path  # an empty ledger at the current schema (import target template)
    import_source: Path = ACX  # the CSV (or .csv.gz) imported by the import task
    small_ledger: Path | None = None  # the 10k ledger (100,000 forecasts): the report's fixed cost
    scale_ledger: Path | None = None  # a copy of the 100k ledger when the main one is xl (scaling rows)
    repeat: int = 5
    quick_repeat: int = 11  # quick commands are cheap: more rounds, steadier medians
    warmup: int = 1
    python: str = sys.executable
    sqlite3: str = "sqlite3"
    verbose: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def claimtrack(self) -> list[str]:
        script = Path(self.python).parent / "claimtrack"
        return [str(script)] if script.exists() else [self.python, "-m", "claimtrack"]

    @property
    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMTRACK_")}
        env.update(CLAIMTRACK_USER="bench", CLAIMTRACK_CONFIG=str(self.work / "no-config.toml"),
                   CLAIMTRACK_NO_TUI="1", CLAIMTRACK_TZ="UTC", NO_COLOR="1", COLUMNS="120")
        src = str(ROOT / "src")
        env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        return env

    def run(self, cmd, **kwargs) -> Sample:
        return run_process(cmd, env=self.env, cwd=self.work, **kwargs)

    def progress(self, message: str) -> None:
        if self.verbose:
            print(f"  {message}", file=sys.stderr, flush=True)

    def compare(self, contenders: list[Contender], repeat: int | None = None) -> list[Contender]:
        interleave(contenders, repeat or self.repeat, warmup=self.warmup, progress=self.progress)
        return contenders


def _floor(bench: Bench) -> Contender:
    cmd = [bench.python, "-c", "import sqlalchemy.orm"]
    return Contender(IMPORT_FLOOR, lambda i: cmd, bench.run)


def _gc_off_floor(bench: Bench) -> Contender:
    """The import floor with the cyclic GC paused, as claimtrack's CLI pauses
    it during its own start-up: the floor claimtrack could reach at best."""
    cmd = [bench.python, "-c", "import gc; gc.disable(); import sqlalchemy.orm"]
    return Contender(GC_OFF_FLOOR, lambda i: cmd, bench.run)


def open_claim_ids(ledger: Path, n: int, *, newest: bool = False) -> list[int]:
    """Open claims made before now (so resolving them 'now' is valid)."""
    now = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(sep=" ")
    with sqlite3.connect(ledger) as conn:
        rows = conn.execute(
            "SELECT id FROM claims WHERE status = 'active' AND outcome IS NULL AND stated_at < ?"
            f" ORDER BY id {'DESC' if newest else 'ASC'} LIMIT ?", (now, n)).fetchall()
    if len(rows) < n:
        raise RuntimeError(f"{ledger} has only {len(rows)} open claims; need {n}")
    return [r[0] for r in rows]


def quick_commands(bench: Bench) -> list[Row]:
    """list --json (all open claims, and one page), forecast, resolve vs the import floor.

    Each is also compared with the import floor with the GC off (an info row
    beside the target row).  Listing every open claim prints megabytes: its
    target is looser (<= 3) but its memory must stay flat (< 100 MB)."""
    runs = bench.quick_repeat + bench.warmup
    resolve_ids = open_claim_ids(bench.ledger, runs)
    forecast_ids = open_claim_ids(bench.ledger, runs, newest=True)
    db = ["--db", str(bench.ledger)]
    out = bench.work / "list.json"
    with sqlite3.connect(bench.ledger) as conn:
        n_open = conn.execute("SELECT count(*) FROM claims WHERE status='active' AND outcome IS NULL").fetchone()[0]
    cases = [  # label, command, stdout, target, memory target
        (f"list --json (all {n_open:,} open claims)", lambda i: [*bench.claimtrack, *db, "list", "--json"], out,
         "<= 3", "< 100 MB"),
        ("list --json --limit 100", lambda i: [*bench.claimtrack, *db, "list", "--json", "--limit", "100"], None,
         "<= 1.1", ""),
        ("forecast ID P", lambda i: [*bench.claimtrack, *db, "forecast", str(forecast_ids[i]), "0.65"], None,
         "<= 1.1", ""),
        ("resolve ID yes", lambda i: [*bench.claimtrack, *db, "resolve", str(resolve_ids[i]), "yes"], None,
         "<= 1.1", ""),
    ]
    rows = []
    for label, prepare, stdout, target, memory_target in cases:
        bench.progress(label)
        ct = Contender("claimtrack " + label, prepare, lambda cmd, s=stdout: bench.run(cmd, stdout=s))
        base, gc_off = _floor(bench), _gc_off_floor(bench)
        bench.compare([ct, base, gc_off], bench.quick_repeat)
        note = ""
        if stdout is not None:
            shown = len(json.loads(out.read_text(encoding="utf-8")))
            note = f"printed {shown:,} claims ({out.stat().st_size / 1e6:.1f} MB of JSON)"
            if shown != n_open:
                note += f"; EXPECTED {n_open:,}"
        rows.append(Row(label, ct.median, IMPORT_FLOOR, base.median, target, ct.peak_mb, base.peak_mb,
                        memory_target, note=note, paired=paired_ratio(ct, base), cpu=cpu_ratio(ct, base)))
        rows.append(Row(label, ct.median, GC_OFF_FLOOR, gc_off.median, "", ct.peak_mb, gc_off.peak_mb,
                        paired=paired_ratio(ct, gc_off), cpu=cpu_ratio(ct, gc_off)))
    return rows


def command_available(bench: Bench, *args: str) -> bool:
    result = subprocess.run([*bench.claimtrack, *args, "--help"], env=bench.env, cwd=bench.work,
                            capture_output=True, text=True)
    return result.returncode == 0


def sql_aggregates(output: str) -> dict:
    rows = json.loads(output)
    return next(r for r in rows if r["kind"] == "overall")


def report(bench: Bench) -> list[Row]:
    """report --format json over every forecast vs one SQL query, vs pandas + numpy (the target) and
    pandas + scikit-learn (for reference); and on the 10k ledger vs the SQL query (the fixed cost)."""
    if not command_available(bench, "report"):
        return [Row("report --format json", float("nan"), "-", float("nan"), "", 0, 0,
                    note="not measured: `claimtrack report` is not available yet")]
    rows = _report_rows(bench, bench.report_ledger, "<= 1.5", with_pandas=bench.export_csv is not None)
    if bench.small_ledger is not None:
        rows += _report_rows(bench, bench.small_ledger, "<= 3", with_pandas=False, tag="small")
    return rows


def _report_rows(bench: Bench, ledger: Path, target: str, *, with_pandas: bool, tag: str = "") -> list[Row]:
    db = ["--db", str(ledger)]
    ct_out, sql_out = bench.work / f"report{tag}.json", bench.work / f"sql{tag}.json"
    np_out, sk_out = bench.work / "pandas-numpy.json", bench.work / "pandas-sklearn.json"
    with sqlite3.connect(ledger) as conn:
        n_forecasts = conn.execute("SELECT count(*) FROM forecasts").fetchone()[0]
    ct = Contender("claimtrack report", lambda i: [*bench.claimtrack, *db, "report", "--format", "json"],
                   lambda cmd: bench.run(cmd, stdout=ct_out))
    sql = Contender("sqlite3 shell", lambda i: [bench.sqlite3, "-json", str(ledger), f".read {SQL_BASELINE}"],
                    lambda cmd: bench.run(cmd, stdout=sql_out))
    contenders = [ct, sql]
    if with_pandas:
        pandas_np = Contender("pandas + numpy", lambda i: [bench.python, str(PANDAS_BASELINE), str(bench.export_csv)],
                              lambda cmd: bench.run(cmd, stdout=np_out))
        pandas_sk = Contender("pandas + scikit-learn",
                              lambda i: [bench.python, str(PANDAS_BASELINE), "--sklearn", str(bench.export_csv)],
                              lambda cmd: bench.run(cmd, stdout=sk_out))
        contenders += [pandas_np, pandas_sk]
    bench.compare(contenders)
    note = _agreement(ct_out, sql_out, [np_out, sk_out] if with_pandas else [])
    label = f"report --format json ({n_forecasts:,} forecasts)"
    rows = [Row(label, ct.median, "sqlite3 shell, one-pass SQL query", sql.median, target, ct.peak_mb, sql.peak_mb,
                "< 200 MB", note, paired=paired_ratio(ct, sql), cpu=cpu_ratio(ct, sql))]
    if with_pandas:
        rows.append(Row(label, ct.median, "pandas + numpy on the CSV export", pandas_np.median, "<= 1",
                        ct.peak_mb, pandas_np.peak_mb, "< 200 MB", paired=paired_ratio(ct, pandas_np),
                        cpu=cpu_ratio(ct, pandas_np)))
        rows.append(Row(label, ct.median, "pandas + scikit-learn on the CSV export", pandas_sk.median, "",
                        ct.peak_mb, pandas_sk.peak_mb, paired=paired_ratio(ct, pandas_sk),
                        cpu=cpu_ratio(ct, pandas_sk)))
    return rows


def _agreement(ct_out: Path, sql_out: Path, pd_outs: list[Path]) -> str:
    """Do the contenders agree on n and the Brier score?  (A cheap sanity check, not a test.)"""
    try:
        mine = json.loads(ct_out.read_text(encoding="utf-8"))["overall"]
        sql = sql_aggregates(sql_out.read_text(encoding="utf-8"))
        parts = [f"n={mine['n']:,} brier={mine['brier']:.5f}; sql n={sql['n']:,} brier={sql['brier']:.5f}"]
        for pd_out, name in zip(pd_outs, ("pandas+numpy", "pandas+sklearn")):
            other = json.loads(pd_out.read_text(encoding="utf-8"))
            parts.append(f"{name} n={other['n']:,} brier={other['brier']:.5f}")
        return "; ".join(parts)
    except Exception as exc:  # the note is informative only
        return f"could not compare results: {type(exc).__name__}: {exc}"


def plain_csv(source: Path, work: Path) -> Path:
    """The import file as a plain CSV (gunzipped into ``work`` when needed)."""
    import gzip

    if source.suffix != ".gz":
        return source
    target = work / source.with_suffix("").name
    if not target.exists():
        with gzip.open(source, "rb") as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst)
    return target


def import_acx(bench: Bench) -> list[Row]:
    """Import of the ACX 2023 file vs the sqlite3 shell's .import of the same CSV."""
    label = "import ACX 2023 CSV" if bench.import_source == ACX else f"import {bench.import_source.name}"
    if not bench.import_source.exists():
        return [Row(label, float("nan"), "-", float("nan"), "", 0, 0,
                    note=f"not measured: {bench.import_source} is missing")]
    csv_path = plain_csv(bench.import_source, bench.work)
    target = bench.work / "import.db"
    raw = bench.work / "sqlite-import.db"

    def fresh_ledger(i: int) -> list[str]:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(bench.empty_ledger, target)
        return [*bench.claimtrack, "--db", str(target), "import", str(csv_path), "--json"]

    def fresh_raw(i: int) -> list[str]:
        raw.unlink(missing_ok=True)
        return [bench.sqlite3, str(raw), f".import --csv {csv_path} forecasts"]

    out = bench.work / "import.out"
    ct = Contender("claimtrack import", fresh_ledger, lambda cmd: bench.run(cmd, stdout=out))
    base = Contender("sqlite3 .import", fresh_raw, bench.run)
    bench.compare([ct, base])
    with sqlite3.connect(target) as conn:
        n_claims, n_fc = (conn.execute("SELECT count(*) FROM claims").fetchone()[0],
                          conn.execute("SELECT count(*) FROM forecasts").fetchone()[0])
    with sqlite3.connect(raw) as conn:
        n_raw = conn.execute("SELECT count(*) FROM forecasts").fetchone()[0]
    note = f"{n_raw:,} CSV rows -> {n_claims:,} claims, {n_fc:,} forecasts"
    return [Row(label, ct.median, "sqlite3 shell .import", base.median, "<= 8",
                ct.peak_mb, base.peak_mb, "< 100 MB", note=note, paired=paired_ratio(ct, base), cpu=cpu_ratio(ct, base))]


def ui_available(bench: Bench) -> bool:
    result = subprocess.run([bench.python, "-c", "from claimtrack.tui.app import create_app"],
                            env=bench.env, cwd=bench.work, capture_output=True)
    return result.returncode == 0


def review_ui(bench: Bench) -> list[Row]:
    """Time to the first rendered screen vs a minimal Textual + SQLAlchemy app: the claims
    table (create_app(db)), and what `claimtrack tui` shows first, the review queue
    (create_app(db, review=True)); both against the same baseline, in the same rounds."""
    with sqlite3.connect(bench.report_ledger) as conn:
        n_claims = conn.execute("SELECT count(*) FROM claims").fetchone()[0]
    label = f"review UI first screen ({n_claims:,} claims)"
    review_label = "review UI first screen (review queue)"
    if not ui_available(bench):
        return [Row(name, float("nan"), "-", float("nan"), "", 0, 0,
                    note="not measured: claimtrack.tui.app.create_app is not available yet")
                for name in (label, review_label)]
    out_ct, out_rev, out_min = (bench.work / f"ui-{name}.out" for name in ("claimtrack", "review", "minimal"))

    with sqlite3.connect(bench.report_ledger) as conn:  # the ledger's owner: their queue has stale claims too
        user = conn.execute("SELECT forecaster FROM forecasts GROUP BY forecaster ORDER BY count(*) DESC, forecaster"
                            " LIMIT 1").fetchone()

    def probe(name: str, mode: str, out: Path) -> Contender:
        extra = [user[0]] if mode == "claimtrack-review" and user else []
        return Contender(name, lambda i: [bench.python, str(UI_PROBE), mode, str(bench.report_ledger), *extra],
                         lambda cmd: bench.run(cmd, stdout=out, reported_time=True))

    ct, rev, base = (probe("claimtrack UI", "claimtrack", out_ct), probe("claimtrack review UI", "claimtrack-review", out_rev),
                     probe("minimal app", "minimal", out_min))
    bench.compare([ct, rev, base])
    baseline = out_min.read_text(encoding="utf-8").strip()
    return [Row(name, c.median, "minimal Textual app, first 100 claims", base.median, "<= 1.3",
                c.peak_mb, base.peak_mb, "<= 1.5x", out.read_text(encoding="utf-8").strip() + "; " + baseline,
                paired=paired_ratio(c, base), cpu=cpu_ratio(c, base))
            for name, c, out in ((label, ct, out_ct), (review_label, rev, out_rev))]
