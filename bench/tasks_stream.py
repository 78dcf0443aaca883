"""The tasks that read a whole ledger out: export, verify, and (with --size xl)
how they scale.

Baselines: ``sqlite3 LEDGER .dump`` (every row of every table as SQL text,
written to a file) for export, and ``sqlite3 LEDGER .dump | sha256sum``
(every row read and hashed) for verify.  Both are the floor of reading the
whole file once and turning it into text.
"""

from __future__ import annotations

import sqlite3
import statistics
from pathlib import Path

from measure import Contender, Row, cpu_ratio, paired_ratio
from tasks import Bench, command_available

STREAM_MEMORY = "< 100 MB"


def _count(ledger: Path, table: str) -> int:
    with sqlite3.connect(ledger) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _dump(bench: Bench, ledger: Path, out: Path) -> Contender:
    return Contender("sqlite3 .dump", lambda i: [bench.sqlite3, str(ledger), ".dump"],
                     lambda cmd: bench.run(cmd, stdout=out))


def export(bench: Bench) -> list[Row]:
    """export --format json and --format csv (to a file) vs `sqlite3 .dump` to a file."""
    ledger = bench.report_ledger
    n_claims, n_forecasts = _count(ledger, "claims"), _count(ledger, "forecasts")
    if not command_available(bench, "export"):
        return [Row("export", float("nan"), "-", float("nan"), "", 0, 0, note="not measured: no export command")]
    outs = {fmt: bench.work / f"export.{fmt}" for fmt in ("json", "csv")}
    db = ["--db", str(ledger)]
    contenders = {fmt: Contender(f"claimtrack export {fmt}",
                                 lambda i, fmt=fmt: [*bench.claimtrack, *db, "export", "--format", fmt,
                                                     "--out", str(outs[fmt])], bench.run)
                  for fmt in outs}
    dump = _dump(bench, ledger, bench.work / "dump.sql")
    bench.compare([contenders["json"], contenders["csv"], dump])
    rows = []
    for fmt, ct in contenders.items():
        note = (f"{n_claims:,} claims, {n_forecasts:,} forecasts: {outs[fmt].stat().st_size / 1e6:.0f} MB of {fmt}; "
                f".dump {(bench.work / 'dump.sql').stat().st_size / 1e6:.0f} MB")
        rows.append(Row(f"export --format {fmt} ({n_forecasts:,} forecasts)", ct.median, "sqlite3 LEDGER .dump",
                        dump.median, "<= 3", ct.peak_mb, dump.peak_mb, STREAM_MEMORY, note,
                        paired=paired_ratio(ct, dump), cpu=cpu_ratio(ct, dump)))
    return rows


def verify(bench: Bench) -> list[Row]:
    """verify (both hash chains) vs `sqlite3 .dump | sha256sum`."""
    ledger = bench.report_ledger
    n_forecasts = _count(ledger, "forecasts")
    out = bench.work / "verify.out"
    ct = Contender("claimtrack verify", lambda i: [*bench.claimtrack, "--db", str(ledger), "verify"],
                   lambda cmd: bench.run(cmd, stdout=out))
    base = Contender("sqlite3 .dump | sha256sum",
                     lambda i: ["sh", "-c", f'"$0" "$1" .dump | sha256sum', bench.sqlite3, str(ledger)],
                     bench.run)
    bench.compare([ct, base])
    return [Row(f"verify ({n_forecasts:,} forecasts)", ct.median, "sqlite3 LEDGER .dump | sha256sum", base.median,
                "<= 3", ct.peak_mb, base.peak_mb, STREAM_MEMORY, "; ".join(out.read_text(encoding="utf-8").split("\n")).strip("; "),
                paired=paired_ratio(ct, base), cpu=cpu_ratio(ct, base))]


def scaling(bench: Bench) -> list[Row]:
    """With --size xl: each whole-ledger command on the big ledger against the same command on the
    100k ledger times the ratio of their forecasts (<= 1.2: time grows about linearly), memory flat."""
    if bench.scale_ledger is None:
        return []
    big, small = bench.report_ledger, bench.scale_ledger
    n_big, n_small = _count(big, "forecasts"), _count(small, "forecasts")
    factor = n_big / n_small
    commands = {
        "report --format json": ["report", "--format", "json"],
        "export --format json": ["export", "--format", "json", "--out", str(bench.work / "scale.json")],
        "verify": ["verify"],
        "list --json": ["list", "--json"],
    }
    rows = []
    for label, args in commands.items():
        bench.progress(f"scaling: {label}")
        on_big = Contender(f"{label} xl", lambda i, a=args: [*bench.claimtrack, "--db", str(big), *a], bench.run)
        on_small = Contender(f"{label} 100k", lambda i, a=args: [*bench.claimtrack, "--db", str(small), *a],
                             bench.run)
        bench.compare([on_big, on_small])
        paired = statistics.median(x.seconds / (y.seconds * factor) for x, y in zip(on_big.samples, on_small.samples))
        cpu = cpu_ratio(on_big, on_small)
        rows.append(Row(f"{label} ({n_big:,} forecasts)", on_big.median,
                        f"the same on {n_small:,} forecasts x {factor:.0f}", on_small.median * factor, "<= 1.2",
                        on_big.peak_mb, on_small.peak_mb, STREAM_MEMORY,
                        note=f"{on_small.median:.3f} s on {n_small:,} forecasts", paired=paired,
                        cpu=None if cpu is None else cpu / factor))
    return rows
