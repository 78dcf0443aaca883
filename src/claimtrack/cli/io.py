"""import and export."""

from __future__ import annotations

import gc
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from claimtrack.cli import common
from claimtrack.domain.errors import InvalidInput

NATIVE = ("claimtrack-json", "claimtrack-csv")
FORMAT_NAMES = ("fatebook", "predictionbook", "metaculus-csv", "metaculus-api", "manifold", "csv", "notes", *NATIVE)


def parse_any(path: Path, fmt: str | None, forecaster: str | None, mapping: str | None):
    """(format, claims, skipped) from any supported file."""
    from claimtrack.importers import native

    if fmt is None:
        try:
            with path.open("r", encoding="utf-8-sig", errors="replace") as fh:
                head = fh.read(4096)
        except OSError as exc:
            raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None
        fmt = native.looks_native(path, head)
    if fmt == "claimtrack-json":
        return fmt, native.parse_json(path), []
    if fmt == "claimtrack-csv":
        return fmt, native.parse_csv(path), []
    from claimtrack.importers import parse_file, parse_mapping
    from claimtrack.services.config import current_user

    # (the format, when not given, is told from the same read of the file as is parsed)
    result = parse_file(path, fmt, forecaster=forecaster, mapping=parse_mapping(mapping) if mapping else None,
                        default_forecaster=forecaster or current_user())
    return result.format, result.claims, result.skipped


@click.command("import", epilog="""\b
Formats (detected when --from is not given):
  fatebook         Fatebook's CSV export
  predictionbook   PredictionBook API JSON (/api/my_predictions)
  metaculus-csv    Metaculus question_data.csv + forecast_data.csv
  metaculus-api    Metaculus API post JSON (binary questions)
  manifold         Manifold API market JSON
  csv              any CSV, with --map for unusual headers
  notes            plain-text/Markdown notes: speculative sentences go to the inbox
  claimtrack-json, claimtrack-csv   claimtrack's own exports (lossless)
\b
Examples:
  claimtrack import fatebook-export.csv
  claimtrack import forecasts.csv --map statement=question,probability=p --tag work
  claimtrack import notes.md --dry-run
""")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--from", "fmt", type=click.Choice(FORMAT_NAMES), help="The file's format (default: detect).")
@click.option("--dry-run", is_flag=True, help="Parse and check everything, write nothing.")
@click.option("--forecaster", metavar="NAME", help="Name to give the forecasts in the file.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Tag every imported claim (repeatable).")
@click.option("--map", "mapping", metavar="FIELD=COLUMN,...", help="Column mapping for generic CSV.")
@click.option("--report", "report_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Write every skipped row and its reason to this file.")
@common.json_option
@click.pass_context
def import_(ctx, file, fmt, dry_run, forecaster, tags, mapping, report_file, as_json):
    """Import claims, forecasts and resolutions from FILE in one transaction.

    Importing the same file twice adds nothing the second time.
    """
    from claimtrack.services.imports import import_claims

    from claimtrack.db import outputs

    if not file.is_file():
        raise InvalidInput(f"no such file: {file}")
    if report_file is not None:  # refused before anything is imported
        outputs.check_target(report_file, ledger=common.ledger(ctx).location.path)
    with _gc_paused():
        fmt, claims, skipped = parse_any(file, fmt, forecaster, mapping)
        if not claims and skipped:
            first = skipped[0]
            raise InvalidInput(common.printable(f"{file.name}: nothing importable: all {len(skipped)} records were "
                                                f"skipped (first: {first.location}: {first.reason})"))
        db = common.ledger(ctx)
        with _progress(len(claims)) as progress:
            summary = import_claims(db, claims, dry_run=dry_run, extra_tags=tags, skipped=skipped,
                                    progress=progress)
        del claims
    if summary.skipped and not any((summary.claims_added, summary.claims_present, summary.forecasts_added,
                                    summary.forecasts_present, summary.resolutions_added,
                                    summary.resolutions_present)):
        first = summary.skipped[0]  # every record refused: nothing was written
        raise InvalidInput(common.printable(f"{file.name}: nothing importable: all {len(summary.skipped)} records "
                                            f"were skipped (first: {first.location}: {first.reason})"))
    if as_json:
        common.echo_json({"format": fmt, **summary.as_dict()})
    else:
        _print_summary(file, fmt, summary, dry_run)
    if report_file is not None:
        _write_skipped(report_file, summary, common.ledger(ctx).location.path, dry_run)


def _write_skipped(report_file: Path, summary, ledger: Path | None, dry_run: bool) -> None:
    """The --report file, written after the import: its failure cannot undo what was imported."""
    from claimtrack.db import outputs

    try:
        with outputs.open_output(report_file, ledger=ledger) as fh:
            fh.write("".join(f"{s.location}\t{s.reason}\n" for s in summary.skipped))
    except InvalidInput as exc:
        done = "nothing was imported (dry run)" if dry_run else \
            f"the import was committed ({summary.claims_added} claims, {summary.forecasts_added} forecasts, " \
            f"{summary.resolutions_added} resolutions added)"
        raise InvalidInput(f"{done}, but the list of {len(summary.skipped)} skipped rows was NOT written: {exc}") from None


def _print_summary(file: Path, fmt: str, summary, dry_run: bool) -> None:
    verb = "would add" if dry_run else "added"
    click.echo(common.printable(file.name) + f" ({fmt}): {verb} {summary.claims_added} claims, {summary.forecasts_added} forecasts, "
               f"{summary.resolutions_added} resolutions; already present: {summary.claims_present} claims, "
               f"{summary.forecasts_present} forecasts, {summary.resolutions_present} resolutions; "
               f"skipped {len(summary.skipped)}")
    if summary.flagged_after_resolution:
        click.echo(f"{summary.flagged_after_resolution} forecasts are dated after their claim's resolution: "
                   "kept and flagged, never scored")
    if dry_run:
        _show_drafts(summary.drafts)
    if fmt == "notes" and summary.claims_added:
        click.echo("the candidates are drafts: review them with 'claimtrack inbox'")
    for s in summary.skipped[:20]:
        click.echo(common.printable(f"  skipped {s.location}: {s.reason}"), err=True)
    if len(summary.skipped) > 20:
        click.echo(f"  ... and {len(summary.skipped) - 20} more (use --report FILE for the full list)", err=True)


def _show_drafts(drafts) -> None:
    """Each draft a dry run would add: its date, source, suggested probability and text."""
    from claimtrack.domain.datefmt import format_date
    from claimtrack.domain.probability import format_probability

    for d in drafts:
        p = format_probability(d.forecasts[0].probability) if d.forecasts and d.forecasts[0].probability is not None else "-"
        click.echo(common.printable(f"  draft {format_date(d.stated_at)} | {d.source or '-'} | {p} | {d.statement}"))


@contextmanager
def _gc_paused():
    """No cyclic garbage collection while a file is parsed and stored: the
    parse makes one long-lived object per record and field (about a million
    for 150,000 forecasts), which the collector would walk again and again
    to free nothing; the few cycles made meanwhile are collected after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _progress:
    """A rich progress bar on a terminal; nothing otherwise."""

    def __init__(self, total: int):
        self.total, self.bar, self.task = total, None, None

    def __enter__(self):
        if sys.stderr.isatty() and self.total > 2000:
            from rich.progress import Progress

            self.bar = Progress(transient=True, console=common.console(stderr=True))
            self.bar.start()
            self.task = self.bar.add_task("importing", total=self.total)
            return self.update
        return None

    def update(self, done: int, total: int) -> None:
        self.bar.update(self.task, completed=done, total=total)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False


EXPORT_EXTENSIONS = {"json": ("json",), "csv": ("csv",), "ics": ("ics",)}


@click.command(epilog="""\b
Examples:
  claimtrack export > ledger.json
  claimtrack export --out ledger.csv             # the format follows the extension
  claimtrack export --format csv --out backups/  # a dated file in a folder
  claimtrack export --format ics --out ~/claimtrack-due.ics   # due dates for your calendar
""")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "ics"]),
              help="json or csv (default: what --out's extension says, else json); ics: the open claims' "
                   "due dates as an iCalendar feed (stable UIDs, so re-importing updates events).")
@click.option("--out", metavar="FILE|FOLDER",
              help="Write to this file, or a dated file in this folder (default: stdout). Never a database.")
@click.pass_context
def export(ctx, fmt, out):
    """Export everything: claims, every forecast, resolution and edit, and tags (or, with --format ics, due dates)."""
    from claimtrack.db import outputs
    from claimtrack.services.export import write_csv, write_json
    from claimtrack.services.export_ics import write_ics

    db = common.ledger(ctx, create=False)
    target = None
    if out is not None:
        target, fmt = outputs.output_target(out, fmt, EXPORT_EXTENSIONS, ledger=db.location.path,
                                            default="json", stem="claimtrack-export")
    writer = {"json": write_json, "csv": write_csv, "ics": write_ics}[fmt or "json"]
    if target is None:
        outputs.check_stdout(db.location.path)
        writer(db, sys.stdout)
        sys.stdout.flush()
        return
    with outputs.open_output(target, ledger=db.location.path) as fh:
        n = writer(db, fh)
    click.echo(f"exported {n} {'due dates' if fmt == 'ics' else 'claims'} to {target}", err=True)
