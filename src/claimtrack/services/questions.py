"""Writing choice, numeric and date claims and their forecasts (issue 12).

Each public function is one transaction, like those of
:mod:`claimtrack.services.ledger` (whose helpers it shares): a claim with its
spec, its chained creation record and an optional first forecast; a
forecast that is a full distribution over a choice claim's options or a
quantile set.  Resolving goes through ``resolve.resolve_claim``, which reads
an option or a value for these claims.

**Options are fixed once the first forecast exists**: every forecast is a
distribution over the same options, in the same order, so scores compare.
``edit_options`` changes them before that and is refused after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from claimtrack.db import models as m
from claimtrack.db.engine import Database
from claimtrack.domain import validate
from claimtrack.domain.dates import utcnow
from claimtrack.domain.distribution import (
    KIND_NAMES,
    check,
    distribution_text,
    options_from_text,
    options_text,
    question_type,
    wrong_kind,
)
from claimtrack.domain.errors import Conflict, InvalidInput
from claimtrack.domain.records import ClaimSummary, Forecast
from claimtrack.services.chain import append_forecasts
from claimtrack.services.ledger import (
    _check_revision,
    _claim_state,
    _forecast_record,
    _forecast_row,
    _note_forecast,
    check_forecast_fields,
    check_new_claim,
    insert_claim,
)


@dataclass(frozen=True)
class NewQuestion:
    statement: str
    question_type: str  # choice, numeric or date
    forecaster: str
    options: tuple[str, ...] = ()  # choice
    ordered: bool = False
    unit: str | None = None  # numeric
    log_scale: bool = False
    # the first forecast (yours): choice probabilities in option order, or quantiles
    distribution: tuple | None = None
    source: str | None = None
    source_url: str | None = None
    stated_at: datetime | None = None
    resolve_by: datetime | None = None
    tags: tuple[str, ...] = ()
    note: str | None = None
    details: str | None = None


def _spec(new: NewQuestion) -> dict:
    qtype = question_type(new.question_type)
    if qtype == "binary":
        raise InvalidInput("a yes/no claim is added with a probability (-p), not options or quantiles")
    if qtype == "choice":
        from claimtrack.domain.choice import _check_labels, label

        options = tuple(label(o) for o in new.options)
        _check_labels(options)
        if new.unit or new.log_scale:
            raise InvalidInput("--unit and --log are for numeric claims, not multiple-choice questions")
        return {"question_type": qtype, "options": options_text(options), "ordered": bool(new.ordered),
                "unit": None, "log_scale": False}
    if new.options or new.ordered:
        raise InvalidInput(f"--option and --ordered are for multiple-choice questions, not a {KIND_NAMES[qtype]}")
    if qtype == "date" and new.log_scale:
        raise InvalidInput("--log is for quantities that span orders of magnitude, not dates")
    unit = validate.name(new.unit, "unit")
    return {"question_type": qtype, "options": None, "ordered": False, "unit": unit,
            "log_scale": bool(new.log_scale)}


def add_question(db: Database, new: NewQuestion) -> ClaimSummary:
    """Log a choice, numeric or date claim, with your first forecast when given."""
    spec = _spec(new)
    options = options_from_text(spec["options"])
    checked = check_new_claim(new, **spec)
    values, tags, forecaster = checked.values, checked.tags, checked.forecaster
    dist = check(spec["question_type"], options, new.distribution) if new.distribution is not None else None
    firsts = []
    if dist is not None:
        firsts.append((forecaster, None, checked.note, {"distribution": distribution_text(dist)}))
        values.update(revision=2, n_forecasts=1, last_probability=None, last_forecaster=forecaster)

    def work(session: Session) -> ClaimSummary:
        claim_id = insert_claim(session, checked, firsts)
        return ClaimSummary(
            id=claim_id, uuid=values["uuid"], statement=values["statement"], source=values["source"],
            source_url=values["source_url"], stated_at=checked.stated_at, recorded_at=checked.now,
            resolve_by=new.resolve_by, status="active", tags=tags,
            probability=None, forecaster=values.get("last_forecaster"), n_forecasts=values["n_forecasts"],
            outcome=None, resolved_at=None, revision=values["revision"],
            question_type=spec["question_type"], options=options, ordered=spec["ordered"], unit=spec["unit"],
            log_scale=spec["log_scale"], distribution=dist, distribution_by=forecaster if dist else None,
        )

    return db.run_write(work)


@dataclass(frozen=True)
class DistributionInput:
    """A forecast as typed: a choice distribution's text, or quantiles and intervals."""

    text: str | None = None  # "a=10%, b=60%, c=30%"
    quantiles: tuple[str, ...] = ()  # "10%=1T"
    intervals: tuple[str, ...] = ()  # "1.2T..2.4T@80%"


def split_quantities(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Comma-separated quantiles and intervals typed on one line: (quantiles, intervals)."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    return tuple(p for p in parts if ".." not in p), tuple(p for p in parts if ".." in p)


def typed_distribution(question_type: str, text: str) -> DistributionInput:
    """A forecast typed on one line (the UI's field, ``claimtrack review``'s prompt):
    "a=10%, b=90%" for a choice, "10%=1T, 50%=2T, 90%=3T" or "1T..3T@80%" otherwise."""
    if question_type == "choice":
        return DistributionInput(text=text)
    quantiles, intervals = split_quantities(text)
    return DistributionInput(quantiles=quantiles, intervals=intervals)


@dataclass(frozen=True)
class ParsedForecast:
    distribution: tuple
    note: str | None  # e.g. the probabilities were scaled to 100%


def parse_for(qtype: str, options, typed: DistributionInput, claim_id: int) -> ParsedForecast:
    """A typed forecast read against the claim's kind; wrong-kind input gets one line naming what is accepted."""
    if qtype == "binary":
        raise wrong_kind("binary", claim_id)
    if qtype == "choice":
        if typed.quantiles or typed.intervals or not typed.text or "=" not in typed.text:
            raise wrong_kind("choice", claim_id, options)
        from claimtrack.domain.choice import parse_distribution

        probs, note = parse_distribution(typed.text, options)
        return ParsedForecast(probs, note)
    if typed.text is not None or not (typed.quantiles or typed.intervals):
        raise wrong_kind(qtype, claim_id)
    return ParsedForecast(parse_quantiles(typed.quantiles, typed.intervals, is_date=qtype == "date"), None)


def parse_quantiles(quantiles, intervals, *, is_date: bool) -> tuple:
    from claimtrack.domain.quantity import parse_interval, parse_quantile, quantile_set

    pairs = [parse_quantile(q, is_date=is_date) for q in quantiles]
    for text in intervals:
        pairs.extend(parse_interval(text, is_date=is_date))
    return quantile_set(pairs)


def add_question_forecast(db: Database, claim_id: int, typed: DistributionInput, *, forecaster: str,
                          made_at: datetime | None = None, rationale: str | None = None,
                          expected_revision: int | None = None, kind: str | None = None,
                          basis: str | None = None, recorded_by: str | None = None) -> tuple[Forecast, str | None]:
    """Append a distribution forecast to a choice, numeric or date claim;
    returns it and a note for the user (or None)."""
    forecaster, rationale, kind, basis, recorded_by, made, now = check_forecast_fields(
        forecaster, rationale, kind, basis, recorded_by, made_at)

    def work(session: Session) -> tuple[Forecast, str | None]:
        claim = _claim_state(session, claim_id)
        _check_revision(claim, expected_revision)
        parsed = parse_for(claim.question_type, options_from_text(claim.options), typed, claim_id)
        if claim.status != "active":
            raise Conflict(f"claim {claim_id} is a {claim.status} in the inbox: accept it first ('claimtrack accept {claim_id}')")
        if made < claim.stated_at:
            raise InvalidInput(
                f"the forecast's made date {made:%Y-%m-%d %H:%M} UTC is before claim {claim_id} was made "
                f"({claim.stated_at:%Y-%m-%d %H:%M} UTC): a forecast on a claim comes after the claim")
        if claim.outcome is not None:
            raise Conflict(
                f"claim {claim_id} is already resolved ({claim.resolved_at:%Y-%m-%d} UTC): "
                "a forecast recorded after the resolution never counts, whatever its --made date")
        row = _forecast_row(claim, forecaster, None, made, now, rationale, kind=kind, basis=basis,
                            recorded_by=recorded_by, distribution=distribution_text(parsed.distribution))
        append_forecasts(session, [row])
        _note_forecast(session, claim)
        return _forecast_record(row), parsed.note

    return db.run_write(work)


def edit_options(db: Database, claim_id: int, specs, *, other: bool = False, edited_by: str | None = None,
                 expected_revision: int | None = None) -> ClaimSummary:
    """Replace a choice claim's options; refused once it has a forecast."""
    from claimtrack.domain.choice import options_from_specs
    from claimtrack.services import convert
    from claimtrack.services.chain import append_edits
    from claimtrack.services.ledger import load_claim

    labels, probs, _ = options_from_specs(specs, other=other)
    if probs is not None:
        raise InvalidInput("give the new options without probabilities (--option LABEL): then forecast them")
    edited_by = validate.name(edited_by, "editor")
    now = utcnow()

    def work(session: Session) -> ClaimSummary:
        claim = load_claim(session, claim_id, for_update=True)
        _check_revision(claim, expected_revision)
        if claim.question_type != "choice":
            raise InvalidInput(f"claim {claim_id} is a {KIND_NAMES[claim.question_type]}: only a "
                               "multiple-choice question has options")
        if claim.n_forecasts:
            raise Conflict(f"claim {claim_id} has forecasts: its options are fixed once the first forecast "
                           "exists (add a new question instead)")
        new_text = options_text(labels)
        if new_text == claim.options:
            return convert.claim_summary(claim)
        append_edits(session, [{"claim_id": claim.id, "claim_uuid": claim.uuid, "field": "options",
                                "old_value": claim.options, "new_value": new_text, "edited_at": now,
                                "edited_by": edited_by}])
        session.execute(update(m.claims).where(m.claims.c.id == claim.id)
                        .values(options=new_text, revision=claim.revision + 1))
        session.expire(claim)
        return convert.claim_summary(load_claim(session, claim_id))

    return db.run_write(work)
