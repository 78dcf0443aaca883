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
    from claimtrack.importers import detect_format, parse_file, parse_mapping
    from claimtrack.services.config import current_user

    if fmt is None:
        fmt = "csv" if mapping else detect_format(path)
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

    if not file.is_file():
        raise InvalidInput(f"no such file: {file}")
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
    if report_file is not None:
        report_file.write_text("".join(f"{s.location}\t{s.reason}\n" for s in summary.skipped), encoding="utf-8")
    if summary.skipped and not any((summary.claims_added, summary.claims_present, summary.forecasts_added,
                                    summary.forecasts_present, summary.resolutions_added,
                                    summary.resolutions_present)):
        first = summary.skipped[0]  # every record refused: nothing was written
        raise InvalidInput(common.printable(f"{file.name}: nothing importable: all {len(summary.skipped)} records "
                                            f"were skipped (first: {first.location}: {first.reason})"))
    if as_json:
        common.echo_json({"format": fmt, **summary.as_dict()})
        return
    verb = "would add" if dry_run else "added"
    click.echo(common.printable(file.name) + f" ({fmt}): {verb} {summary.claims_added} claims, {summary.forecasts_added} forecasts, "
               f"{summary.resolutions_added} resolutions; already present: {summary.claims_present} claims, "
               f"{summary.forecasts_present} forecasts, {summary.resolutions_present} resolutions; "
               f"skipped {len(summary.skipped)}")
    if summary.flagged_after_resolution:
        click.echo(f"{summary.flagged_after_resolution} forecasts are dated after their claim's resolution: "
                   "kept and flagged, never scored")
    if fmt == "notes" and summary.claims_added:
        click.echo("the candidates are drafts: review them with 'claimtrack inbox'")
    for s in summary.skipped[:20]:
        click.echo(common.printable(f"  skipped {s.location}: {s.reason}"), err=True)
    if len(summary.skipped) > 20:
        click.echo(f"  ... and {len(summary.skipped) - 20} more (use --report FILE for the full list)", err=True)


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


@click.command(epilog="""\b
Examples:
  claimtrack export > ledger.json
  claimtrack export --format csv --out ledger.csv
""")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write to this file (default: stdout).")
@click.pass_context
def export(ctx, fmt, out):
    """Export everything: claims, every forecast, resolution and edit, and tags."""
    from claimtrack.services.export import write_csv, write_json

    db = common.ledger(ctx, create=False)
    writer = write_json if fmt == "json" else write_csv
    if out is None:
        writer(db, sys.stdout)
        sys.stdout.flush()
        return
    tmp = out.with_name(out.name + ".partial")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        n = writer(db, fh)
    tmp.replace(out)
    click.echo(f"exported {n} claims to {out}", err=True)
