"""Run the benchmarks: claimtrack against baselines measured in the same run.

    python bench/run.py                    # everything, 100k claims / 1M forecasts, 5 runs each
    python bench/run.py --only quick,ui --repeat 9 -v
    python bench/run.py --size 10k --out bench/out/table.md
    python bench/run.py --size xl --only scaling   # 10M forecasts against 1M: linear time, flat memory

Prints a table: task | claimtrack median | baseline | baseline median | ratio
(paired) | target | peak memory | memory target | met.  Every sample is a fresh process;
claimtrack and its baseline alternate run by run (after one untimed warm-up
each), so a noisy machine slows both alike.  The first use generates and
caches the synthetic ledger and its CSV export in bench/out/ (about a minute).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent / "src"))  # a fresh checkout without `pip install -e .`

import generate  # noqa: E402
import tasks  # noqa: E402
import tasks_stream  # noqa: E402
from measure import Row, table  # noqa: E402

TASKS = {"quick": tasks.quick_commands, "report": tasks.report, "export": tasks_stream.export,
         "verify": tasks_stream.verify, "import": tasks.import_acx, "ui": tasks.review_ui,
         "scaling": tasks_stream.scaling}
DEFAULT = ("quick", "report", "export", "verify", "import", "ui")  # + scaling with --size xl


def export_csv(bench: tasks.Bench, ledger_cache: Path) -> Path:
    """The CSV export of the ledger (cached next to it), made by `claimtrack export`."""
    target = ledger_cache.with_name(ledger_cache.stem + ".export.csv")
    if not target.exists():
        print(f"exporting {bench.report_ledger.name} to CSV for the pandas baseline (cached) ...", file=sys.stderr)
        partial = target.with_name(target.stem + ".partial" + target.suffix)  # --out follows the extension
        subprocess.run([*bench.claimtrack, "--db", str(bench.report_ledger), "export", "--format", "csv",
                        "--out", str(partial)], env=bench.env, cwd=bench.work, check=True)
        partial.replace(target)
    return target


def machine() -> str:
    sqlite_cli = subprocess.run(["sqlite3", "--version"], capture_output=True, text=True).stdout.split()[:1]
    return (f"{platform.system()} {platform.machine()}, {_cpus()} CPUs, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version} (module) / {''.join(sqlite_cli) or '?'} (shell)")


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def compile_sources(python: str) -> None:
    """Byte-compile claimtrack once: with PYTHONDONTWRITEBYTECODE=1 (set on these
    machines) Python would otherwise recompile every module in every sample,
    a cost the baselines (installed packages, compiled) never pay."""
    subprocess.run([python, "-m", "compileall", "-q", str(tasks.ROOT / "src" / "claimtrack")], check=True)


def prepare(args, work: Path, chosen: list[str]) -> tuple[tasks.Bench, Path]:
    n_claims, n_forecasts = generate.SIZES[args.size]
    cached = generate.ensure_ledger(n_claims, n_forecasts)
    ledger, report_ledger, empty = work / "quick.db", work / "report.db", work / "empty.db"
    if set(chosen) - {"scaling"}:
        shutil.copyfile(cached, ledger)
    shutil.copyfile(cached, report_ledger)
    generate.create_schema(empty)
    bench = tasks.Bench(work=work, ledger=ledger, report_ledger=report_ledger, export_csv=None,
                        empty_ledger=empty, repeat=args.repeat, quick_repeat=args.quick_repeat,
                        warmup=args.warmup, verbose=args.verbose,
                        sqlite3=shutil.which("sqlite3") or "sqlite3")
    if "report" in chosen and args.size != "10k":  # the report's fixed cost, on 100,000 forecasts
        bench.small_ledger = work / "small.db"
        shutil.copyfile(generate.ensure_ledger(*generate.SIZES["10k"]), bench.small_ledger)
    if "scaling" in chosen and generate.SIZES[args.size][1] > generate.SIZES["100k"][1]:
        bench.scale_ledger = work / "scale.db"
        shutil.copyfile(generate.ensure_ledger(*generate.SIZES["100k"]), bench.scale_ledger)
    compile_sources(bench.python)
    return bench, cached


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(generate.SIZES), default="100k",
                        help="ledger size (default 100k; xl = 10M forecasts, adds the scaling rows)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per contender (default 5)")
    parser.add_argument("--quick-repeat", type=int, default=11,
                        help="timed runs per contender for the quick commands (default 11)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    parser.add_argument("--only", help=f"comma-separated tasks: {', '.join(TASKS)} "
                                       f"(default: {', '.join(DEFAULT)}, and scaling with --size xl)")
    parser.add_argument("--out", type=Path, help="also write the Markdown table to this file")
    parser.add_argument("--text", action="store_true", help="print an aligned text table instead of Markdown")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every sample")
    args = parser.parse_args(argv)
    if args.only:
        chosen = [t.strip() for t in args.only.split(",") if t.strip()]
    else:
        chosen = [*DEFAULT, *(["scaling"] if args.size == "xl" else [])]
    unknown = [t for t in chosen if t not in TASKS]
    if unknown:
        parser.error(f"unknown task(s) {', '.join(unknown)}: use {', '.join(TASKS)}")
    if "scaling" in chosen and args.size != "xl":
        parser.error("the scaling rows compare the xl ledger with the 100k one: use --size xl")
    if shutil.which("sqlite3") is None and {"report", "import", "export", "verify"} & set(chosen):
        parser.error("the sqlite3 shell is needed for the report, export, verify and import baselines "
                     "(apt-get install sqlite3)")

    work = Path(tempfile.mkdtemp(prefix="claimtrack-bench-"))
    started = time.time()
    load_before = _load()
    try:
        bench, cached = prepare(args, work, chosen)
        if "report" in chosen and tasks.command_available(bench, "report"):
            bench.export_csv = export_csv(bench, cached)
        rows: list[Row] = []
        for name in chosen:
            print(f"[{name}] ...", file=sys.stderr, flush=True)
            rows.extend(TASKS[name](bench))
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    text = table(rows, markdown=not args.text)
    notes = [f"- {r.task} vs {r.baseline}: {r.note}" for r in rows if r.note]
    header = (f"{args.size} ledger ({generate.SIZES[args.size][0]:,} claims, {generate.SIZES[args.size][1]:,} forecasts); "
              f"median of {args.quick_repeat} runs (quick commands) or {args.repeat} runs (the rest) each, "
              f"interleaved; ratio = claimtrack median / baseline median, (paired) = median of per-round "
              f"ratios; {machine()}; load average {load_before} before, {_load()} after; "
              f"{time.strftime('%Y-%m-%d', time.gmtime(started))}, {time.time() - started:.0f}s in all")
    report = "\n".join([header, "", text, "", *notes])
    print(report)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report + "\n", encoding="utf-8")
    return 0 if all(r.met != "NO" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
