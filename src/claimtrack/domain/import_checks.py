"""Checks on import records before they are stored.

Everything the ledger's tables would refuse (wrong types, NUL bytes,
over-long text, unknown statuses, naive datetimes, a claim key repeated in
one file) is refused here, one claim at a time, with a reason the import
summary can show, so a bad record is skipped instead of failing the import.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from claimtrack.domain import validate
from claimtrack.domain.dates import EARLIEST, LATEST, RANGE_TEXT, in_range
from claimtrack.domain.errors import ClaimtrackError, InvalidInput
from claimtrack.domain.filters import normalise_tag
from claimtrack.domain.records import CLAIM_STATUSES, ClaimIn
from claimtrack.domain.text import has_surrogate, terminal_safe, visible_name

URL_LIMIT = 4000  # as validate.url


@dataclass(frozen=True)
class Rejected:
    location: str
    reason: str


def _text(value, what: str, limit: int | None) -> None:
    """A field stored as given (never trimmed): text, bounded, without NUL."""
    if value is None:
        return
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be text, not {type(value).__name__}")
    if "\x00" in value:
        raise InvalidInput(f"{what} contains a NUL byte: use plain text")
    if has_surrogate(value):
        raise InvalidInput(f"{what} contains invalid UTF-8 or a lone surrogate: expected UTF-8 text")
    if limit is not None and len(value) > limit:
        raise InvalidInput(f"{what} too long ({len(value)} characters): at most {limit}")


def _visible(value):
    """A name from a file: invisible format characters (zero-width, bidi)
    written visibly as ``<U+200B>`` rather than refused, so the record is kept
    and cannot pass for another name (domain.text.visible_name)."""
    return visible_name(value) if isinstance(value, str) else value


def _when(value, what: str, required: bool = True) -> None:
    if value is None and not required:
        return
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidInput(f"{what} must be a date and time, not {type(value).__name__}")
    if not in_range(value):
        raise InvalidInput(f"{what} {value.date().isoformat()} is outside the accepted range: {RANGE_TEXT}")


FUTURE_SLACK = timedelta(minutes=5)  # as the CLI: clocks disagree a little


def _day(value: datetime) -> str:
    return value.date().isoformat()


def _forecast_timing(f, stated: datetime, latest: datetime) -> str | None:
    """Why the CLI would refuse the forecast's date (None: it would not)."""
    made = f.made_at
    if made > latest:
        return (f"a forecast by {terminal_safe(f.forecaster, single_line=True)!r} is dated in the "
                f"future ({_day(made)}): forecasts are dated up to now")
    if made < stated:
        return (f"a forecast by {terminal_safe(f.forecaster, single_line=True)!r} made {_day(made)} "
                f"is dated before the claim was made ({_day(stated)})")
    return None


def _timing(claim: ClaimIn, now: datetime, forecasts_checked: bool = False,
            forecast_error: str | None = None) -> None:
    """What the CLI refuses about dates, refused on import too: a claim,
    forecast or resolution dated in the future, a forecast dated before its
    claim was made, a resolution before the claim was made.
    ``forecasts_checked``: the forecasts' dates were checked already (in
    :func:`_scan`, the forecasts unchanged since), ``forecast_error`` the first
    refusal it found."""
    latest = now + FUTURE_SLACK
    stated = claim.stated_at
    if stated > latest:
        raise InvalidInput(f"the claim's made date {_day(stated)} is in the future: a claim is logged when or after it is made")
    if forecasts_checked:
        if forecast_error is not None:
            raise InvalidInput(forecast_error)
    else:
        for f in claim.forecasts:
            why = _forecast_timing(f, stated, latest)
            if why is not None:
                raise InvalidInput(why)
    for r in claim.resolutions:
        if r.resolved_at > latest:
            raise InvalidInput(f"the resolution is dated in the future ({_day(r.resolved_at)}): "
                               "use the date the outcome became known")
        if r.resolved_at < stated:
            raise InvalidInput(f"the resolution ({_day(r.resolved_at)}) is dated before the claim was made "
                               f"({_day(stated)})")


def _check(claim: ClaimIn, seen: set[tuple[str, str]], now: datetime) -> None:
    """Everything the tables would refuse, refused here with a reason instead."""
    _text(claim.statement, "statement", None)  # type only: validate.* trim, then check lengths
    _text(claim.source, "source", None)
    claim.statement = validate.statement(claim.statement)
    claim.source = validate.name(_visible(claim.source), "source")
    # each tag as given (a file's tag may hold a comma: only typed --tag lists are split on commas)
    claim.tags = tuple(dict.fromkeys(normalise_tag(str(t)) for t in claim.tags if str(t).strip()))
    if claim.status not in CLAIM_STATUSES:
        raise InvalidInput(f"unknown claim status {str(claim.status)[:40]!r}: use one of {', '.join(CLAIM_STATUSES)}")
    _when(claim.stated_at, "stated_at")
    _when(claim.recorded_at, "recorded_at", required=False)
    _when(claim.resolve_by, "resolve_by", required=False)
    _text(claim.details, "details", validate.MAX_TEXT)
    _text(claim.source_url, "source url", URL_LIMIT)
    claim.source_url = validate.url(claim.source_url, "source url")  # as the CLI: http(s) only
    _keys(claim, "claim")
    if claim.question_type != "binary" or claim.options:  # issue 12: its own rules, forecasts included
        from claimtrack.domain.distribution import check_claim

        check_claim(claim)
    all_plain, timing_error = _scan(claim, now)
    if not all_plain:
        claim.forecasts = [f if _plain_forecast(f) else _check_forecast(f) for f in claim.forecasts]
    resolutions = []
    for r in claim.resolutions:
        if r.outcome != "value" or claim.question_type == "binary":
            validate.outcome(r.outcome)
        _when(r.resolved_at, "resolved_at")
        _when(r.recorded_at, "resolution recorded_at", required=False)
        _text(r.note, "resolution note", validate.MAX_TEXT)
        _text(r.evidence_url, "evidence url", URL_LIMIT)
        _text(r.resolved_by, "resolved_by", validate.MAX_NAME)
        _keys(r, "resolution")
        url, by = validate.url(r.evidence_url, "evidence url"), validate.name(_visible(r.resolved_by), "resolved_by")
        resolutions.append(r if (url, by) == (r.evidence_url, r.resolved_by)
                           else replace(r, evidence_url=url, resolved_by=by))
    claim.resolutions = resolutions
    for e in claim.edits:
        _text(e.field, "edit field", 32)
        _text(e.old_value, "edit old value", validate.MAX_TEXT)
        _text(e.new_value, "edit new value", validate.MAX_TEXT)
        _text(e.edited_by, "edited_by", validate.MAX_NAME)
        _when(e.edited_at, "edited_at")
    _timing(claim, now, all_plain, timing_error)
    # last, so that only claims that pass every check claim their keys
    keys = {(label, value) for label, value in (("uuid", claim.uuid), ("import key", claim.import_key)) if value}
    for label, value in keys & seen:
        raise InvalidInput(f"claim {label} {value!r} appears twice in the file")
    seen.update(keys)


def _scan(claim: ClaimIn, now: datetime) -> tuple[bool, str | None]:
    """One pass over the claim's forecasts (a big import's claim builds its
    records as they are read): whether every one is plain
    (:func:`_plain_forecast`), and the first date the CLI would refuse,
    as :func:`_timing` words it (meaningful only when all are plain: the
    others' names may still change)."""
    latest, stated = now + FUTURE_SLACK, claim.stated_at
    all_plain, error = True, None
    # records whose import keys are known to pass the checks come without them
    # (a big CSV's: importers._forecast_rows), so they are not made twice
    without_keys = getattr(claim.forecasts, "without_keys", None)
    for f in (without_keys() if without_keys is not None else claim.forecasts):
        if not _plain_forecast(f):
            all_plain = False
            break
        if error is None and (f.made_at > latest or f.made_at < stated):
            error = _forecast_timing(f, stated, latest)
    return all_plain, error


def _check_forecast(f):
    """The forecast, its forecaster's name in stored form; InvalidInput when it cannot be stored."""
    from claimtrack.domain.kinds import check_basis, kind

    check_basis(kind(f.kind), f.basis)
    _text(f.basis, "basis", validate.MAX_NAME)
    _text(f.recorded_by, "recorded_by", validate.MAX_NAME)
    if f.distribution is None:  # a distribution was checked with its claim (domain.distribution.check_claim)
        validate.probability(f.probability)
    _text(f.forecaster, "forecaster", None)
    name = validate.name(_visible(f.forecaster), "forecaster")
    if name is None:
        raise InvalidInput("empty forecaster: every forecast names who made it")
    _when(f.made_at, "forecast made_at")
    _when(f.recorded_at, "forecast recorded_at", required=False)
    _text(f.rationale, "rationale", validate.MAX_TEXT)
    _keys(f, "forecast")
    return f if name == f.forecaster else replace(f, forecaster=name)


def _plain_forecast(f) -> bool:
    """True only when :func:`_check_forecast` would pass, tested cheaply (the
    usual forecast: a float in 0-1, a short printable name, aware dates, short
    keys); anything else goes through the full checks for their message."""
    p, name, made, recorded, rationale, uuid, key = (
        f.probability, f.forecaster, f.made_at, f.recorded_at, f.rationale, f.uuid, f.import_key)
    return (f.kind == "own" and f.basis is None and f.recorded_by is None
            and p.__class__ is float and 0.0 <= p <= 1.0
            and name.__class__ is str and len(name) <= validate.MAX_NAME and name.isascii() and name.isprintable()
            and name == name.strip() and name
            and made.__class__ is datetime and made.tzinfo is not None and EARLIEST <= made <= LATEST
            and (recorded is None or (recorded.__class__ is datetime and recorded.tzinfo is not None
                                      and EARLIEST <= recorded <= LATEST))
            and (rationale is None or (rationale.__class__ is str and len(rationale) <= validate.MAX_TEXT
                                       and "\x00" not in rationale and not has_surrogate(rationale)))
            and (uuid is None or (uuid.__class__ is str and len(uuid) <= 36 and "\x00" not in uuid))
            and (key is None or (key.__class__ is str and len(key) <= 200 and "\x00" not in key)))


def _keys(record, kind: str) -> None:
    _text(record.uuid, f"{kind} uuid", 36)
    _text(record.import_key, f"{kind} import key", 200)


def check_records(claims: Iterable[ClaimIn], skipped: list[Rejected], now: datetime | None = None) -> list[ClaimIn]:
    """The claims that pass every check; each one that does not is added to
    ``skipped`` with its reason, and nothing of it is stored.  ``now``: the
    clock that "in the future" is judged by (default: now)."""
    from claimtrack.domain.dates import utcnow

    now = now if now is not None else utcnow()
    good, seen = [], set()  # claim uuids and import keys: a repeat would break a unique column
    for n, claim in enumerate(claims, 1):
        try:
            _check(claim, seen, now)
        except ClaimtrackError as exc:
            shown = terminal_safe(str(claim.statement or "")[:40], single_line=True)
            skipped.append(Rejected(f"claim {n} ({shown!r})", terminal_safe(str(exc), single_line=True)))
            continue
        good.append(claim)
    return good
