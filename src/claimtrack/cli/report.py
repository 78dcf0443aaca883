"""``claimtrack report``: scores, calibration, trend, in the terminal or as a file."""

from __future__ import annotations


import click

from claimtrack.cli import common
from claimtrack.domain.errors import InvalidInput


def _int(text: str, option: str, what: str) -> int:
    cleaned = str(text).strip()
    if not cleaned.isdigit() or len(cleaned) > 9:
        raise InvalidInput(f"invalid {option} '{text}': use {what}")
    return int(cleaned)


REPORT_EXTENSIONS = {"html": ("html", "htm"), "md": ("md", "markdown"), "json": ("json",), "text": ("txt", "text")}


@click.command(epilog="""\b
Examples:
  claimtrack report                                  # summary in the terminal
  claimtrack report --group forecaster --period month
  claimtrack report --tag openai --since 2024-01 --until 2024-12
  claimtrack report --format html --out report.html  # one self-contained page
  claimtrack report --format md --out report.md      # with PNG charts beside it
  claimtrack report --format json | jq .overall.brier
  claimtrack report --save --since last              # monthly: what resolved since the last saved report
""")
@click.option("--scoring", default="final", show_default=True, metavar="final|time-weighted",
              help="Which forecasts count: each forecaster's last one before the resolution, or all, weighted by how long they stood.")
@click.option("--group", metavar="forecaster|source|claim-source|tag|period",
              help="Break the scores down.  source: each source on its own calls (stated, implied, asserted); "
                   "claim-source: everyone's forecasts on each source's claims.")
@click.option("--period", default="quarter", show_default=True, metavar="month|quarter|year",
              help="Length of the periods in the trend table (by date of resolution).")
@click.option("--forecaster", metavar="NAME", help="Only this forecaster's forecasts (compared with the others on shared claims).")
@click.option("--source", metavar="SOURCE", help="Only claims from this source.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Only claims with this tag (repeatable: all must match).")
@click.option("--since", metavar="DATE|last", help="Claims resolved on or after DATE; 'last': since the newest saved report.")
@click.option("--until", metavar="DATE", help="Claims resolved on or before DATE.")
@click.option("--exclude-backfilled", is_flag=True, help="Leave out forecasts recorded long after they were made.")
@click.option("--bins", default="10", show_default=True, metavar="N", help="Calibration bins (a divisor of 100).")
@click.option("--format", "fmt", metavar="text|md|html|json",
              help="Output format (default: text, or what --out's extension says; html for --save).")
@click.option("--out", metavar="FILE|FOLDER",
              help="Write to FILE, or a dated file in FOLDER, instead of the terminal (md: PNG charts go beside it).")
@click.option("--save", is_flag=True, help="Keep the report in the reports/ folder beside the ledger, named by date.")
@click.option("--max-claims", default="100", show_default=True, metavar="N",
              help="List at most N resolved and N overdue claims (0: counts only).")
@click.pass_context
def report(ctx, scoring, group, period, forecaster, source, tags, since, until, exclude_backfilled, bins, fmt,
           out, save, max_claims):
    """Calibration report: Brier and log scores, calibration, trend, claims resolved and overdue."""
    from claimtrack.domain.filters import normalise_tags
    from claimtrack.reports.render import EXTENSIONS, check_format, render
    from claimtrack.services.config import current_user
    from claimtrack.services.report.data import build_report
    from claimtrack.services.report.model import ReportOptions
    from claimtrack.services.report.periods import parse_bounds

    if save and out:
        raise InvalidInput("use either --out FILE or --save (which names the file itself), not both")
    fmt = check_format(fmt)
    n_bins = _int(bins, "--bins", "a number that divides 100, such as 10 or 20")
    limit = _int(max_claims, "--max-claims", "a whole number such as 100 (0 lists none)")
    db = common.ledger(ctx)
    target = None
    if out:
        from claimtrack.db import outputs

        target, fmt = outputs.output_target(out, fmt, REPORT_EXTENSIONS, ledger=db.location.path,
                                            default="text", stem="report")
    fmt = fmt or ("html" if save else "text")
    start, end, since_saved = parse_bounds(db, since, until)
    options = ReportOptions(
        scoring=scoring, group=group, period=period, forecaster=forecaster, source=source,
        tags=normalise_tags(tags), since=start, until=end, since_saved=since_saved,
        exclude_backfilled=exclude_backfilled, n_bins=n_bins, max_claims=limit, you=current_user(),
    )
    result = build_report(db, options)
    if not result.overall.summary.n and not result.n_resolved_claims:
        common.warn_unknown_names(db, source=source, forecaster=forecaster, tags=options.tags)
    if save:
        from claimtrack.reports.render import chart_names
        from claimtrack.services.report.save import choose_path, save_report

        extra = ("-calibration.png", "-trend.png", "-coverage.png") if fmt == "md" else ()
        path = choose_path(db, result, EXTENSIONS[fmt], extra)
        rendered = render(result, fmt, path)
        files = {path.name: rendered.main.encode("utf-8"), **rendered.extra}
        save_report(db, result, fmt, path, files)
        click.echo(f"saved the report to {path}" + (f" (charts: {', '.join(chart_names(path).values())})" if extra else ""))
    elif target is not None:
        from claimtrack.db import outputs

        rendered = render(result, fmt, target)
        outputs.write_outputs({target: rendered.main.encode("utf-8"),
                               **{target.with_name(name): data for name, data in rendered.extra.items()}},
                              ledger=db.location.path)
        click.echo(f"wrote {target}" + (f" and {len(rendered.extra)} charts beside it" if rendered.extra else ""),
                   err=True)
    else:
        _to_stdout(result, fmt, db.location.path)


def _to_stdout(result, fmt: str, ledger) -> None:
    from claimtrack.db import outputs
    from claimtrack.reports.render import render

    outputs.check_stdout(ledger)
    if fmt == "text":
        from claimtrack.reports.text import print_report

        print_report(result, common.console())
        return
    rendered = render(result, fmt, None)
    click.echo(common.printable(rendered.main), nl=not rendered.main.endswith("\n"))  # a terminal, likely
    if fmt == "md":
        common.warn("charts are written only with --out FILE (PNG files beside the Markdown)")
