"""``claimtrack people`` (everyone's track record) and ``claimtrack config``."""

from __future__ import annotations

import click

from claimtrack.cli import common


def _num(x: float | None, digits: int = 3) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def _signed(x: float | None) -> str:
    return "-" if x is None else f"{x:+.3f}"


def _interval(mi) -> str:
    if mi is None:
        return "-"
    if mi.low is None:
        return f"{mi.mean:+.3f}"
    return f"{mi.mean:+.3f} [{mi.low:+.3f}, {mi.high:+.3f}]"


def person_json(p) -> dict:
    plain = common.to_plain(p)
    rec = plain.pop("record")
    plain["scored"] = rec
    if rec is not None:
        rec["right_rate"] = p.record.right_rate
    return plain


@click.command(epilog="""\b
Examples:
  claimtrack people
  claimtrack people --json | jq '.people[] | {name, brier: .scored.brier}'
""")
@common.json_option
@click.pass_context
def people(ctx, as_json):
    """Every forecaster and source with their track record.

    \b
    Sources are scored on their own calls (what they stated, implied or
    asserted), never on other people's forecasts on their claims.  For each
    person: claims called and resolved; how many calls (final forecasts
    that took a side) came true, with a 95% Wilson interval; Brier (0-1,
    lower is better) and log score (bits, higher is better) on their final
    forecasts, by kind; and a head-to-head against you on claims you both
    forecast.  Rank: the mean of (their Brier - the median Brier of everyone
    on the same claim), lower first, with a 95% interval; unranked below 5
    shared claims, so volume alone never puts anyone first.
    """
    from claimtrack.domain.scoring.track import MIN_RANKED, RANK_RULE
    from claimtrack.services.config import current_user
    from claimtrack.services.people import people as list_people

    me = current_user()
    everyone = list_people(common.ledger(ctx), me)
    if as_json:
        common.echo_json({"you": me, "rank_rule": RANK_RULE, "min_ranked": MIN_RANKED,
                          "people": [person_json(p) for p in everyone]})
        return
    if not everyone:
        click.echo("nobody yet: add claims with --by SOURCE --their P, and forecasts of your own")
        return
    from rich import box
    from rich.table import Table
    from rich.text import Text

    out = common.console()
    wide = out.width >= 120
    table = Table(title=f"People (you are {common.printable(me)})", title_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False)
    columns = [("rank", "right"), ("name", "left")] + ([("as", "left")] if wide else []) + [
        ("claims", "right"), ("came true", "right"), ("Brier", "right")]
    if wide:
        columns += [("log", "right")]
    columns += [("vs median" + (" [95%]" if wide else ""), "right"), ("vs you", "right")]
    for name, justify in columns:
        table.add_column(name, justify=justify, no_wrap=name != "name", overflow="fold",
                         min_width=14 if name == "name" else None, ratio=1 if name == "name" else None)
    for p in everyone:
        r = p.record
        came_true = "-"
        if r is not None and r.n_calls:
            came_true = f"{r.n_right}/{r.n_calls}" + (f" ({r.right_low:.0%}-{r.right_high:.0%})" if wide else "")
        if r is None or r.vs_you is None:
            vs_you = "(you)" if p.is_you else "-"
        else:
            vs_you = f"{r.vs_you.difference.mean:+.3f} on {r.vs_you.n}"
            if wide and r.vs_you.difference.low is not None:
                vs_you += f" [{r.vs_you.difference.low:+.2f}, {r.vs_you.difference.high:+.2f}]"
        kinds = "/".join(k for k in p.kinds if k != "own")
        role = ", ".join(p.roles) + (f" ({kinds})" if kinds else "")
        name = Text(("you: " if p.is_you else "") + common.printable(p.name), style="bold" if p.is_you else "")
        vs_median = "-"
        if r is not None and r.vs_median is not None:
            vs_median = _interval(r.vs_median) if wide else f"{r.vs_median.mean:+.3f}"
        row = [str(r.rank) if r is not None and r.rank else "-", name] + ([role] if wide else []) + [
            f"{p.n_resolved}/{p.n_claims}", came_true, _num(r and r.brier)]
        if wide:
            row.append(_num(r and r.log_score, 2))
        table.add_row(*row, vs_median, vs_you)
    out.print(table)
    click.echo(f"claims: resolved/called. vs you: their Brier - yours on claims you both forecast (negative: "
               f"they did better). Rank: {RANK_RULE}.")


@click.group(epilog="""\b
Examples:
  claimtrack config set name "Priya"
  claimtrack config set asserted_probability 90%
  claimtrack config show
""")
def config():
    """Your name and other settings, kept in the config file ($CLAIMTRACK_CONFIG or ~/.config/claimtrack/config.toml)."""


@config.command("set")
@click.argument("key")
@click.argument("value")
def config_set(key, value):
    """Set KEY to VALUE: name (your forecaster name), asserted_probability or stale_days."""
    from claimtrack.services.config import set_value

    path = set_value(key, value)
    click.echo(f"{key} = {value} (in {path})")


@config.command("unset")
@click.argument("key")
def config_unset(key):
    """Remove KEY from the config file."""
    from claimtrack.services.config import set_value

    path = set_value(key, None)
    click.echo(f"{key} removed (from {path})")


@config.command("show")
@common.json_option
def config_show(as_json):
    """Your name (and where it comes from) and every setting in force."""
    from claimtrack.services.config import KEYS, asserted_probability, config_path, current_user, stale_days, user_source

    values = {"name": current_user(), "name_from": user_source(), "asserted_probability": asserted_probability(),
              "stale_days": stale_days(), "config_file": str(config_path())}
    if as_json:
        common.echo_json(values)
        return
    click.echo(f"name: {common.printable(values['name'])} (from {values['name_from']})")
    click.echo(f"asserted_probability: {values['asserted_probability']:.0%}")
    click.echo(f"stale_days: {values['stale_days']}")
    click.echo(f"config file: {values['config_file']}")
    click.echo("keys: " + "; ".join(f"{k}: {v}" for k, v in KEYS.items()))
