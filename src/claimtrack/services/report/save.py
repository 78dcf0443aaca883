"""``report --save``: the report's files and its saved_reports row, all or nothing.

Reports go to a ``reports`` folder beside the ledger file (for a server
ledger, ``./reports``), named by the day they were made in the user's zone:
``reports/2026-11-27.html``, then ``2026-11-27-2.html`` and so on; nothing is
overwritten.  The files are written under temporary names first, linked to
their final names inside the transaction that records them, and removed
again if that transaction fails, so the table and the folder always agree.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from claimtrack.db import models as m
from claimtrack.db import outputs
from claimtrack.db.engine import Database
from claimtrack.domain.datefmt import format_date
from claimtrack.domain.errors import Conflict, InvalidInput
from claimtrack.services.report.model import Report

REPORTS_DIR = "reports"

# given the final path of the main file: {file name in the same folder: content}
Renderer = Callable[[Path], dict[str, bytes]]


def reports_folder(db: Database, cwd: Path | None = None) -> Path:
    base = db.location.path.parent if db.location.path is not None else (cwd or Path.cwd())
    return base / REPORTS_DIR


def _taken(folder: Path, stem: str, names: list[str], recorded: set[str]) -> bool:
    """A stem is used once a day's report of ANY format has it (2026-11-27.html, then -2.json)."""
    if any(Path(p).parent == folder and Path(p).name.startswith(f"{stem}.") for p in recorded):
        return True
    return any((folder / n).exists() for n in names) or any(folder.glob(f"{stem}.*"))


def choose_path(db: Database, report: Report, extension: str, extra_suffixes: tuple[str, ...] = (),
                folder: Path | None = None) -> Path:
    """The first free ``DAY[-k].EXT`` (its companion files free too)."""
    folder = (folder or reports_folder(db)).resolve()
    day = format_date(report.generated_at)
    with db.read() as session:
        recorded = set(session.execute(select(m.SavedReport.path)).scalars())
    for k in range(1, 10_000):
        stem = day if k == 1 else f"{day}-{k}"
        names = [f"{stem}.{extension}", *(f"{stem}{suffix}" for suffix in extra_suffixes)]
        if not _taken(folder, stem, names, recorded):
            return folder / names[0]
    raise Conflict(f"{folder} already holds 9,999 reports for {day}: move some away")


def save_report(db: Database, report: Report, fmt: str, path: Path, files: dict[str, bytes]) -> Path:
    """Write ``files`` (names in ``path``'s folder, ``path.name`` included) and record the report.

    One transaction: if recording fails nothing is left on disk, and if a
    file cannot be written nothing is recorded.
    """
    folder = path.parent
    if path.name not in files:
        raise InvalidInput(f"nothing to save as {path.name}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"cannot create the reports folder {folder}: {exc.strerror or exc}") from None
    ledger = db.location.path
    temps: dict[str, Path] = {}
    linked: list[Path] = []
    try:
        for name, content in files.items():
            final = outputs.check_target(folder / name, ledger=ledger)
            temps[name], fd = outputs.create_temp(final)
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
        with db.write() as session:
            session.add(m.SavedReport(created_at=report.generated_at, period_start=report.period_start,
                                      period_end=report.period_end, path=str(path), format=fmt))
            try:
                session.flush()  # a path recorded meanwhile fails here, before any file appears
            except IntegrityError:
                raise Conflict(f"another report was saved as {path} meanwhile; run the command again") from None
            for name in files:
                final = folder / name
                _place(temps[name], final)
                linked.append(final)
    except OSError as exc:
        _remove(linked)
        raise InvalidInput(f"cannot write the report in {folder}: {exc.strerror or exc}") from None
    except BaseException:
        _remove(linked)
        raise
    finally:
        _remove(temps.values())
    return path


def _place(temp: Path, final: Path) -> None:
    """Give ``temp`` its final name, never replacing an existing file (each was checked
    against the ledger before its content was written)."""
    try:
        outputs.place(temp, final, ledger=None, overwrite=False)
    except Conflict:
        raise Conflict(f"{final} appeared while saving; run the command again") from None


def _remove(paths) -> None:
    for p in paths:
        try:
            Path(p).unlink()
        except FileNotFoundError:
            pass
