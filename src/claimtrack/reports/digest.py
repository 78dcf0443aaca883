"""A digest (services.digest) as plain text, Markdown or JSON.

Plain text has no colour or escape sequences at all, so it reads the same in
a terminal, a cron mail and a file.  User text is data: terminal controls
stripped (text), Markdown and HTML punctuation escaped (md), JSON-escaped.
Empty sections are left out.
"""

from __future__ import annotations

import json

from claimtrack.domain.datefmt import format_date
from claimtrack.domain.probability import format_probability
from claimtrack.domain.text import terminal_safe
from claimtrack.services.digest import Brier, Digest

FORMATS = ("text", "md", "json")


def _brier(b: Brier) -> str:
    return "no scored forecasts" if b.brier is None else f"{b.brier:.3f} over {b.n}"


def score_words(d: Digest) -> str:
    """"your Brier 0.182 over 40, better by 0.012 since 2026-11-23 (0.194 over 36)"."""
    if d.score_now.brier is None:
        return "no scored forecasts of yours yet"
    text = f"your Brier {_brier(d.score_now)}"
    change = d.score_change
    if change is None:
        return text + f" (none resolved before {format_date(d.since)})"
    if d.score_now.n == d.score_before.n:
        return text + f", unchanged since {format_date(d.since)}"
    way = "better" if change < 0 else "worse" if change > 0 else "no better or worse"
    amount = f" by {abs(change):.3f}" if change else ""
    return text + f", {way}{amount} since {format_date(d.since)} (then {_brier(d.score_before)})"


def _mine(claim) -> str:
    return f"you {format_probability(claim.mine)}" if claim.mine is not None else "no forecast of yours"


def _empty(d: Digest) -> bool:
    return not (d.n_resolved or d.n_new or d.n_new_drafts or d.n_stale or d.n_overdue or d.n_due_soon)


def _more(shown: int, total: int) -> str | None:
    return f"... and {total - shown} more" if total > shown else None


def render_text(d: Digest) -> str:
    t = lambda value: terminal_safe(" ".join(str(value or "").split()))  # noqa: E731
    lines = [f"claimtrack digest: {format_date(d.since)} to {format_date(d.until)}", score_words(d), ""]
    if d.n_resolved:
        lines.append(f"Resolved ({d.n_resolved}):")
        for r in d.resolved:
            c = r.claim
            lines.append(f"  #{c.id} {c.outcome}: {t(c.statement)} ({_mine(c)})")
            if r.note:
                lines.append(f"      note: {t(r.note)}")
            if r.evidence_url:
                lines.append(f"      evidence: {t(r.evidence_url)}")
        lines += [f"  {_more(len(d.resolved), d.n_resolved)}"] if _more(len(d.resolved), d.n_resolved) else []
        if d.score_window.n:
            lines.append(f"  your Brier on these: {_brier(d.score_window)}")
        lines.append("")
    if d.n_new or d.n_new_drafts:
        drafts = f"; {d.n_new_drafts} new in the inbox" if d.n_new_drafts else ""
        lines.append(f"New ({d.n_new}{drafts}):")
        for c in d.new:
            due = f", due {format_date(c.resolve_by)}" if c.resolve_by else ""
            lines.append(f"  #{c.id} {t(c.statement)} ({_mine(c)}{due})")
        lines += [f"  {_more(len(d.new), d.n_new)}"] if _more(len(d.new), d.n_new) else []
        lines.append("")
    if d.n_stale:
        lines.append(f"Stale ({d.n_stale}: your forecast older than {d.stale_days} days):")
        for item in d.stale:
            lines.append(f"  #{item.claim.id} {t(item.claim.statement)} ({_mine(item.claim)}, "
                         f"last {format_date(item.last_forecast_at)})")
        lines += [f"  {_more(len(d.stale), d.n_stale)}"] if _more(len(d.stale), d.n_stale) else []
        lines.append("")
    if d.n_overdue or d.n_due_soon:
        lines.append(f"Needs attention: {d.n_overdue} overdue, {d.n_due_soon} due within 7 days "
                     "('claimtrack review' walks them)")
        lines.append("")
    if _empty(d):
        lines.append("Nothing changed and nothing needs attention.")
    return "\n".join(lines).rstrip("\n") + "\n"


def render_markdown(d: Digest) -> str:
    from claimtrack.reports.markdown import esc

    lines = [f"# claimtrack digest: {format_date(d.since)} to {format_date(d.until)}", "", esc(score_words(d)), ""]
    if d.n_resolved:
        lines += [f"## Resolved ({d.n_resolved})", ""]
        for r in d.resolved:
            c = r.claim
            lines.append(f"- **#{c.id} {c.outcome}**: {esc(c.statement)} ({_mine(c)})")
            if r.note:
                lines.append(f"  - note: {esc(r.note)}")
            if r.evidence_url:
                lines.append(f"  - evidence: <{esc(r.evidence_url)}>")
        more = _more(len(d.resolved), d.n_resolved)
        lines += [f"- {more}"] if more else []
        if d.score_window.n:
            lines += ["", f"Your Brier on these: {_brier(d.score_window)}"]
        lines.append("")
    if d.n_new or d.n_new_drafts:
        drafts = f"; {d.n_new_drafts} new in the inbox" if d.n_new_drafts else ""
        lines += [f"## New ({d.n_new}{drafts})", ""]
        for c in d.new:
            due = f", due {format_date(c.resolve_by)}" if c.resolve_by else ""
            lines.append(f"- #{c.id} {esc(c.statement)} ({_mine(c)}{due})")
        more = _more(len(d.new), d.n_new)
        lines += [f"- {more}"] if more else []
        lines.append("")
    if d.n_stale:
        lines += [f"## Stale ({d.n_stale})", "", f"Your forecast is older than {d.stale_days} days:", ""]
        for item in d.stale:
            lines.append(f"- #{item.claim.id} {esc(item.claim.statement)} ({_mine(item.claim)}, "
                         f"last {format_date(item.last_forecast_at)})")
        more = _more(len(d.stale), d.n_stale)
        lines += [f"- {more}"] if more else []
        lines.append("")
    if d.n_overdue or d.n_due_soon:
        lines += ["## Needs attention", "", f"{d.n_overdue} overdue, {d.n_due_soon} due within 7 days "
                  "(`claimtrack review` walks them).", ""]
    if _empty(d):
        lines += ["Nothing changed and nothing needs attention.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _time(value) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def _claim(c) -> dict:
    return {"id": c.id, "uuid": c.uuid, "statement": c.statement, "source": c.source, "tags": list(c.tags),
            "due": _time(c.resolve_by), "outcome": c.outcome, "resolved_at": _time(c.resolved_at), "yours": c.mine}


def _score(b: Brier) -> dict:
    return {"brier": b.brier, "n": b.n}


def digest_dict(d: Digest) -> dict:
    return {
        "since": _time(d.since), "until": _time(d.until), "you": d.me,
        "headline": score_words(d),
        "score": {"now": _score(d.score_now), "before": _score(d.score_before),
                  "change": d.score_change, "resolved_in_window": _score(d.score_window)},
        "resolved": {"count": d.n_resolved,
                     "claims": [{**_claim(r.claim), "note": r.note, "evidence_url": r.evidence_url,
                                 "resolved_by": r.resolved_by} for r in d.resolved]},
        "new": {"count": d.n_new, "drafts": d.n_new_drafts, "claims": [_claim(c) for c in d.new]},
        "stale": {"count": d.n_stale, "stale_days": d.stale_days,
                  "claims": [{**_claim(i.claim), "last_forecast_at": _time(i.last_forecast_at)} for i in d.stale]},
        "attention": {"overdue": d.n_overdue, "due_soon": d.n_due_soon},
    }


def render_json(d: Digest) -> str:
    from claimtrack.domain.text import json_escape_controls

    return json_escape_controls(json.dumps(digest_dict(d), ensure_ascii=False, indent=2)) + "\n"


def render(d: Digest, fmt: str) -> str:
    return {"text": render_text, "md": render_markdown, "json": render_json}[fmt](d)
