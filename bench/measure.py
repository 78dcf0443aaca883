"""Timing and peak memory of whole processes, and the results table.

Each sample is one fresh subprocess: wall time from spawn to exit (or to a
moment the child reports, for the UI), and the child's own peak resident set
size from ``os.wait4`` in a small launcher process (exact per child, unlike
``RUSAGE_CHILDREN``, which only keeps the maximum over every child ever
waited for).  Runs of a task's
contenders are interleaved, in rotating order, so that a noisy neighbour
slows every contender alike instead of one of them.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Sample:
    seconds: float
    peak_mb: float
    returncode: int
    stdout: Path | None = None
    stderr: str = ""
    cpu: float | None = None  # user + system CPU seconds of the whole process


class ProcessFailed(RuntimeError):
    pass


# A tiny launcher between the runner and the measured command.  On Linux a
# child's ru_maxrss starts at the RSS of the process it was forked from (the
# high-water mark survives exec), so forking straight from this runner, which
# may hold 100 MB, would inflate every reading.  The launcher runs with -S -I
# (about 8 MB), forks the command, and writes spawn time, elapsed time, the
# command's own peak RSS, its exit status and its CPU time to a file.
LAUNCHER = r"""
import os, sys, time
stat, cmd = sys.argv[1], sys.argv[2:]
wall = time.time()
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(cmd[0], cmd)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - start
with open(stat, "w") as fh:
    fh.write(f"{wall!r} {elapsed!r} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)} "
             f"{usage.ru_utime + usage.ru_stime!r}")
"""


def run_process(cmd: Sequence[str], *, env: dict | None = None, cwd: str | Path | None = None,
                stdout: Path | None = None, reported_time: bool = False,
                check: bool = True) -> Sample:
    """Run ``cmd`` once; returns its wall time and peak RSS.

    ``stdout``: a file to receive the output (else it is discarded).  With
    ``reported_time`` the child prints ``FIRST_SCREEN <epoch seconds>`` on
    stderr and the sample's time is spawn -> that moment, not spawn -> exit.
    """
    fd, stat = tempfile.mkstemp(prefix="bench-", suffix=".stat")
    os.close(fd)
    out = open(stdout, "wb") if stdout is not None else subprocess.DEVNULL
    try:
        with tempfile.TemporaryFile() as err:
            try:
                launcher = subprocess.run([sys.executable, "-S", "-I", "-c", LAUNCHER, stat, *map(str, cmd)],
                                          stdout=out, stderr=err, env=env, cwd=cwd, stdin=subprocess.DEVNULL)
            finally:
                if stdout is not None:
                    out.close()
            err.seek(0)
            err_text = err.read().decode("utf-8", "replace")
        fields = Path(stat).read_text().split()
    finally:
        os.unlink(stat)
    if launcher.returncode != 0 or len(fields) != 5:
        raise ProcessFailed(f"launcher failed for {' '.join(map(str, cmd))}: {err_text.strip()[-2000:]}")
    start_wall, elapsed, max_kb, returncode = float(fields[0]), float(fields[1]), int(fields[2]), int(fields[3])
    cpu = float(fields[4])
    if check and returncode != 0:
        raise ProcessFailed(f"{' '.join(map(str, cmd))} exited {returncode}: {err_text.strip()[-2000:]}")
    if reported_time:
        stamps = [line.split()[1] for line in err_text.splitlines() if line.startswith("FIRST_SCREEN ")]
        if not stamps:
            raise ProcessFailed(f"{' '.join(map(str, cmd))} did not report FIRST_SCREEN: {err_text.strip()[-2000:]}")
        elapsed = float(stamps[0]) - start_wall
    # ru_maxrss is in kilobytes on Linux
    return Sample(elapsed, max_kb / 1024, returncode, stdout, err_text, cpu)


@dataclass
class Contender:
    """One side of a comparison: ``prepare(i)`` runs untimed before run i and
    returns the command; ``run(cmd)`` times it and returns a Sample."""

    label: str
    prepare: Callable[[int], Sequence[str]]
    run: Callable[[Sequence[str]], Sample]
    samples: list[Sample] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def peak_mb(self) -> float:
        return max(s.peak_mb for s in self.samples)


def interleave(contenders: Sequence[Contender], repeat: int, *, warmup: int = 1,
               progress: Callable[[str], None] | None = None) -> None:
    """Run every contender ``warmup + repeat`` times, interleaved in rotating order."""
    n = len(contenders)
    for i in range(warmup + repeat):
        order = [contenders[(i + k) % n] for k in range(n)]
        for c in order:
            cmd = c.prepare(i)
            sample = c.run(cmd)
            if i >= warmup:
                c.samples.append(sample)
            if progress:
                progress(f"{c.label}: run {i + 1 - warmup if i >= warmup else 'warm-up'} {sample.seconds:.3f}s "
                         f"{sample.peak_mb:.0f} MB")


def cpu_ratio(a: Contender, b: Contender) -> float | None:
    """Median CPU time of a over b's: much less sensitive than wall time to
    other processes competing for the CPUs (it ignores time spent waiting)."""
    if not a.samples or any(s.cpu is None for s in (*a.samples, *b.samples)):
        return None
    return statistics.median(s.cpu for s in a.samples) / statistics.median(s.cpu for s in b.samples)


def paired_ratio(a: Contender, b: Contender) -> float:
    """Median of the per-round ratios a_i / b_i: runs of one round are back to
    back, so a load spike that hits a round hits both sides of its ratio."""
    return statistics.median(x.seconds / y.seconds for x, y in zip(a.samples, b.samples))


@dataclass
class Row:
    task: str
    claimtrack_s: float
    baseline: str
    baseline_s: float
    target: str  # e.g. "<= 1.3"
    claimtrack_mb: float
    baseline_mb: float
    memory_target: str = ""  # e.g. "< 200 MB" or "<= 1.5x"
    note: str = ""
    paired: float | None = None  # median of per-round ratios (see paired_ratio)
    cpu: float | None = None  # ratio of median CPU times (see cpu_ratio)

    @property
    def ratio(self) -> float:
        return self.claimtrack_s / self.baseline_s if self.baseline_s else float("inf")

    def time_met(self) -> bool:
        return _compare(self.ratio, self.target)

    def memory_met(self) -> bool:
        if not self.memory_target:
            return True
        if self.memory_target.endswith("MB"):
            return _compare(self.claimtrack_mb, self.memory_target.removesuffix("MB").strip())
        return _compare(self.claimtrack_mb / self.baseline_mb, self.memory_target.removesuffix("x").strip())

    @property
    def met(self) -> str:
        if not self.target:
            return "-"
        return "yes" if self.time_met() and self.memory_met() else "NO"


def _compare(value: float, target: str) -> bool:
    op, _, bound = target.strip().partition(" ")
    limit = float(bound)
    return {"<=": value <= limit, "<": value < limit}[op]


HEADER = ("task", "claimtrack median", "baseline", "baseline median", "ratio (paired)", "target",
          "CPU-time ratio", "peak memory (claimtrack / baseline)", "memory target", "met")


def table(rows: Sequence[Row], *, markdown: bool = True) -> str:
    cells = [HEADER] + [(
        r.task, f"{r.claimtrack_s:.3f} s", r.baseline, f"{r.baseline_s:.3f} s",
        f"{r.ratio:.2f}" + (f" ({r.paired:.2f})" if r.paired is not None else ""),
        r.target or "(info)", "-" if r.cpu is None else f"{r.cpu:.2f}",
        f"{r.claimtrack_mb:.0f} MB / {r.baseline_mb:.0f} MB", r.memory_target or "-", r.met,
    ) for r in rows]
    if markdown:  # a "|" inside a cell (a shell pipeline) is escaped
        lines = ["| " + " | ".join(cell.replace("|", "\\|") for cell in c) + " |" for c in cells]
        lines.insert(1, "|" + "|".join("---" for _ in HEADER) + "|")
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in cells) for i in range(len(HEADER))]
    out = [" | ".join(cell.ljust(w) for cell, w in zip(row, widths)) for row in cells]
    out.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(out)
