"""The ledger's promises, at the service layer, on each engine."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from claimtrack.domain.errors import Conflict, InvalidInput, NotFound, StaleRecord
from claimtrack.services import claim_edits, ledger, queries, resolve
from claimtrack.services.ledger import NewClaim

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def _claim(db, **kw):
    base = dict(statement="A claim", probability=0.5, forecaster="me", stated_at=T0)
    base.update(kw)
    return ledger.add_claim(db, NewClaim(**base))


def test_services_hand_back_dataclasses_not_orm_rows(db):
    import dataclasses

    claim = _claim(db)
    detail = queries.get_claim(db, claim.id)
    for obj in (claim, detail, *detail.forecasts, *queries.list_claims(db, queries.ClaimFilter())):
        assert dataclasses.is_dataclass(obj)
        assert type(obj).__module__ == "claimtrack.domain.records"


def test_stale_revision_is_refused(db):
    claim = _claim(db)
    seen = claim.revision
    ledger.add_forecast(db, claim.id, 0.7, forecaster="other", made_at=T0 + timedelta(days=1))
    with pytest.raises(StaleRecord):
        resolve.resolve_claim(db, claim.id, "yes", expected_revision=seen)
    assert queries.get_claim(db, claim.id).resolutions == ()
    fresh = queries.get_claim(db, claim.id).claim.revision
    resolution, _ = resolve.resolve_claim(db, claim.id, "yes", expected_revision=fresh)
    assert resolution.outcome == "yes"


def test_resolution_date_rules(db):
    claim = _claim(db)
    with pytest.raises(InvalidInput):
        resolve.resolve_claim(db, claim.id, "yes", resolved_at=T0 - timedelta(days=1))
    with pytest.raises(InvalidInput):
        resolve.resolve_claim(db, claim.id, "yes", resolved_at=datetime.now(timezone.utc) + timedelta(days=2))
    ledger.add_forecast(db, claim.id, 0.9, forecaster="late", made_at=T0 + timedelta(days=10))
    _, warnings = resolve.resolve_claim(db, claim.id, "no", resolved_at=T0 + timedelta(days=5))
    assert warnings and "after this resolution" in warnings[0]


def test_unknown_ids_and_drafts(db):
    with pytest.raises(NotFound):
        ledger.add_forecast(db, 12345, 0.5, forecaster="me")
    with pytest.raises(NotFound):
        queries.get_claim(db, 12345)
    with pytest.raises(Conflict):
        claim_edits.set_status(db, _claim(db).id, "rejected")


def test_tags_are_normalised_and_edit_history_kept(db):
    claim = _claim(db, tags=("OpenAI", " ai policy ", "openai"))
    assert claim.tags == ("openai", "ai-policy")
    claim_edits.edit_claim(db, claim.id, tags=("x",), edited_by="me")
    claim_edits.edit_claim(db, claim.id, tags=("x",), edited_by="me")  # no change, no history row
    edits = queries.get_claim(db, claim.id).edits
    assert [(e.field, e.old_value, e.new_value) for e in edits] == [("tags", "ai-policy,openai", "x")]  # stored sorted


def test_due_summary_counts(db):
    now = datetime.now(timezone.utc)
    _claim(db, resolve_by=now - timedelta(days=1))
    _claim(db, resolve_by=now + timedelta(days=2))
    _claim(db, resolve_by=now + timedelta(days=30))
    done = _claim(db)
    resolve.resolve_claim(db, done.id, "yes")
    summary = queries.due_summary(db)
    assert len(summary.overdue) == 1 and len(summary.due_soon) == 1
    assert (summary.n_open, summary.n_resolved, summary.n_drafts) == (3, 1, 0)


def test_no_code_path_updates_or_deletes_forecasts_or_resolutions():
    """Append-only: nothing in src issues UPDATE/DELETE against those tables."""
    src = Path(__file__).resolve().parents[1] / "src" / "claimtrack"
    if not src.is_dir():
        pytest.skip("source tree not available")
    pattern = re.compile(
        r"(update|delete)\(\s*(m\.)?(Forecast|Resolution)\b|"
        r"(UPDATE|DELETE\s+FROM)\s+(forecasts|resolutions)\b|"
        r"session\.delete\(",
    )
    offenders = []
    for path in src.rglob("*.py"):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(src)}:{n}: {line.strip()}")
    assert offenders == []
