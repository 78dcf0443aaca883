"""The UI's writes, shared by the claims view and review mode.

Each takes what a form returned and writes it through the backend (in a form's
worker thread), returning ``(message, claim id)``.  A :class:`Target` is the
claim as the user last saw it: writes pass its revision, so a claim changed by
another process meanwhile is refused (StaleRecord); ``Target.refetch`` then
reads it again and the form, still open, can save against the fresh copy.
Nothing here imports textual.
"""

from __future__ import annotations

from claimtrack.domain.records import ClaimSummary


class Target:
    def __init__(self, backend, claim: ClaimSummary) -> None:
        self.backend = backend
        self.claim = claim

    def refetch(self) -> str:
        """Read the claim again; a line saying what it is now."""
        from claimtrack.tui.format import claim_state

        self.claim = fresh = self.backend.claim_summary(self.claim.id)
        return f"Claim #{fresh.id} is now {claim_state(fresh, self.backend.now())}."


def add(backend, new) -> tuple[str, int]:
    if hasattr(new, "question_type"):  # services.questions.NewQuestion (issue 12)
        claim = backend.add_question(new)
    else:
        claim = backend.add_claim(new)
    return f"Added claim #{claim.id}.", claim.id


def forecast(backend, target: Target, result) -> tuple[str, int]:
    from claimtrack.domain.probability import format_probability

    claim = target.claim
    f = backend.add_forecast(claim.id, result.probability, forecaster=result.forecaster, made_at=result.made_at,
                             rationale=result.rationale, expected_revision=claim.revision)
    flag = " (backfilled)" if f.backfilled else ""
    return f"Forecast {format_probability(f.probability)} by {f.forecaster} on #{claim.id}{flag}.", claim.id


def question_forecast(backend, target: Target, result) -> tuple[str, int]:
    """A choice, numeric or date claim's forecast (screens.question_forms)."""
    claim = target.claim
    f, note = backend.add_question_forecast(claim.id, result.typed, forecaster=result.forecaster,
                                            made_at=result.made_at, rationale=result.rationale,
                                            expected_revision=claim.revision)
    flag = " (backfilled)" if f.backfilled else ""
    return f"Forecast by {f.forecaster} on #{claim.id}{flag}." + (f" {note}." if note else ""), claim.id


def resolve(backend, target: Target, result, *, force: bool) -> tuple[str, int]:
    """Resolve; forecasts added meanwhile (anyone's) do not make it stale (seen_forecasts)."""
    claim = target.claim
    _, warnings = backend.resolve(claim.id, result.outcome, resolved_at=result.resolved_at, note=result.note,
                                  evidence_url=result.evidence_url, force=force, expected_revision=claim.revision,
                                  seen_forecasts=claim.n_forecasts)
    text = f"Resolved #{claim.id} {result.outcome}."
    return text + ("  " + " ".join(warnings) if warnings else ""), claim.id


def edit(backend, target: Target, result) -> tuple[str, int]:
    claim = target.claim
    backend.edit(claim.id, result.changes, expected_revision=claim.revision)
    return f"Edited #{claim.id}: {', '.join(sorted(result.changes))}.", claim.id


def accept(backend, claim: ClaimSummary, result) -> tuple[str, int]:
    backend.accept(claim.id, probability=result.probability, statement=result.statement,
                   resolve_by=result.resolve_by, tags=result.tags)
    return f"Accepted #{claim.id}: it is now an open claim.", claim.id


def defer(backend, target: Target, choice: str) -> tuple[str, int]:
    from claimtrack.domain.datefmt import format_date

    claim = target.claim
    new = backend.defer(claim.id, choice, expected_revision=claim.revision)
    return f"Deferred #{claim.id}: due {format_date(new.resolve_by)}.", claim.id
