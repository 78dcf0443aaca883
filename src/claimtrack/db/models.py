"""The ledger's tables.

Forecasts and resolutions are append-only: no code path updates or deletes
them.  Each carries ``prev_hash``/``row_hash`` so that rewriting history with
raw SQL is detectable (see :mod:`claimtrack.domain.chain`).  The claim row
holds the *current* statement, tags and a cache of its newest forecast and
resolution; its fields as created are in ``claim_records`` and every change
to them is logged in ``claim_edits``, both chained too, so that ``verify``
can replay them and check the claims row, its tags and its caches.

The tables are plain SQLAlchemy Core tables (``claims``, ``claim_tags``,
``claim_records``, ``claim_edits``, ``forecasts``, ``resolutions``,
``saved_reports``), cheap to
define; the write path of the quick commands uses only these.  The ORM
classes mapped onto them (``Base``, ``Claim``, ``ClaimTag``, ``ClaimEdit``,
``Forecast``, ``Resolution``, ``SavedReport``) are built the first time one
of them is used (``m.Claim`` or ``from claimtrack.db.models import Claim``),
so a command that never touches the ORM never pays for the mapping.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from claimtrack.db.types import UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

def _when(name: str, nullable: bool = False) -> Column:
    """A UTC timestamp column (NOT NULL unless ``nullable``)."""
    return Column(name, UTCDateTime(), nullable=nullable)

# every column is NOT NULL unless it says otherwise; defaults are Python-side
# (what the ORM mapping used to fill in), not server defaults
claims = Table(
    "claims", metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("statement", Text, nullable=False),
    Column("details", Text),
    Column("source", String(200)),
    Column("source_url", Text),
    _when("stated_at"),
    _when("recorded_at"),
    _when("resolve_by", True),
    Column("status", String(16), nullable=False, default="active"),
    Column("import_key", String(200), unique=True),
    Column("revision", Integer, nullable=False, default=1),
    # cache of the newest forecast / current resolution, kept in the same
    # transaction as the append that changes them
    Column("last_probability", Float),
    Column("last_forecaster", String(200)),
    Column("n_forecasts", Integer, nullable=False, default=0),
    Column("outcome", String(16)),
    _when("resolved_at", True),
    # hide other people's forecasts until you forecast or it resolves: NULL
    # follows the ledger's setting (ledger_settings 'hide_forecasts')
    Column("hide_forecasts", Boolean),
    # what the claim asks (issue 12; domain.records.QUESTION_TYPES) and its
    # spec: the options as canonical JSON text (choice), whether they form a
    # scale, the unit and whether the quantity spans orders of magnitude
    # (server defaults too: a raw insert that leaves them out is a binary claim)
    Column("question_type", String(16), nullable=False, default="binary", server_default="binary"),
    Column("options", Text),
    Column("ordered", Boolean, nullable=False, default=False, server_default=false()),
    Column("unit", String(200)),
    Column("log_scale", Boolean, nullable=False, default=False, server_default=false()),
    CheckConstraint("status IN ('active', 'draft', 'rejected')", name="status"),
    CheckConstraint("outcome IS NULL OR outcome IN ('yes', 'no', 'ambiguous', 'void', 'value')", name="outcome"),
    CheckConstraint("question_type IN ('binary', 'choice', 'numeric', 'date')", name="question_type"),
    Index("ix_claims_status_outcome_resolve_by", "status", "outcome", "resolve_by"),
    Index("ix_claims_resolved_at", "resolved_at"),
    Index("ix_claims_source", "source"),
)
claim_tags = Table(
    "claim_tags", metadata,
    Column("claim_id", Integer, ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True),
    Column("tag", String(100), primary_key=True),
    Index("ix_claim_tags_tag", "tag"),
)
# history of changes to a claim's own fields (append-only)
claim_edits = Table(
    "claim_edits", metadata,
    Column("id", Integer, primary_key=True),
    Column("claim_id", Integer, ForeignKey("claims.id"), nullable=False, index=True),
    Column("field", String(32), nullable=False),
    Column("old_value", Text),
    Column("new_value", Text),
    _when("edited_at"),
    Column("edited_by", String(200)),
    Column("prev_hash", String(64), nullable=False),
    Column("row_hash", String(64), nullable=False),
)
# each claim's defining fields as it was created (append-only, one per claim,
# chained): replayed with the claim's edits, they give the claims row
claim_records = Table(
    "claim_records", metadata,
    Column("id", Integer, primary_key=True),
    Column("claim_id", Integer, ForeignKey("claims.id"), nullable=False, unique=True),
    Column("claim_uuid", String(36), nullable=False),
    # text columns unbounded: a value worked out from an imported edit's old
    # value is kept as the edit gave it
    Column("statement", Text),
    Column("details", Text),
    Column("source", Text),
    Column("source_url", Text),
    _when("stated_at", True),
    _when("recorded_at", True),
    _when("resolve_by", True),
    Column("status", Text),
    Column("import_key", String(200)),
    Column("tags", Text, nullable=False),  # sorted, comma-joined
    # the question's spec as created (chained only off its defaults)
    Column("question_type", Text, nullable=False, default="binary", server_default="binary"),
    Column("options", Text),
    Column("ordered", Boolean, nullable=False, default=False, server_default=false()),
    Column("unit", Text),
    Column("log_scale", Boolean, nullable=False, default=False, server_default=false()),
    Column("prev_hash", String(64), nullable=False),
    Column("row_hash", String(64), nullable=False),
)
forecasts = Table(
    "forecasts", metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("claim_id", Integer, ForeignKey("claims.id"), nullable=False),
    Column("forecaster", String(200), nullable=False),
    # NULL for a choice, numeric or date claim, whose forecast is ``distribution``
    Column("probability", Float),
    _when("made_at"),
    _when("recorded_at"),
    Column("rationale", Text),
    Column("backfilled", Boolean, nullable=False, default=False),
    Column("after_resolution", Boolean, nullable=False, default=False),
    Column("import_key", String(200), unique=True),
    Column("prev_hash", String(64), nullable=False),
    Column("row_hash", String(64), nullable=False),
    # whose judgement the number is (domain.kinds): own, stated, implied,
    # asserted or crowd; the word behind an implied number; who typed in a
    # forecast made on someone else's behalf
    Column("kind", String(16), nullable=False, default="own"),
    Column("basis", Text),
    Column("recorded_by", String(200)),
    # a non-binary forecast as canonical JSON text (domain.distribution)
    Column("distribution", Text),
    CheckConstraint("probability >= 0 AND probability <= 1", name="probability"),
    CheckConstraint("kind IN ('own', 'stated', 'implied', 'asserted', 'crowd')", name="kind"),
    Index("ix_forecasts_claim_id_forecaster_made_at", "claim_id", "forecaster", "made_at"),
    Index("ix_forecasts_forecaster", "forecaster"),
)
# a derived cache (migration 0006, db.current): each (claim, forecaster)'s
# newest forecast by (made_at, id), kept by a trigger on forecasts INSERT
current_forecasts = Table(
    "current_forecasts", metadata,
    Column("claim_id", Integer, primary_key=True),
    Column("forecaster", String(200), primary_key=True),
    Column("forecast_id", Integer, nullable=False),
    _when("made_at"),
    Column("kind", String(16), nullable=False),
    Column("probability", Float),
)
resolutions = Table(
    "resolutions", metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("claim_id", Integer, ForeignKey("claims.id"), nullable=False, index=True),
    Column("outcome", String(16), nullable=False),
    _when("resolved_at"),
    Column("note", Text),
    Column("evidence_url", Text),
    Column("resolved_by", String(200)),
    _when("recorded_at"),
    Column("import_key", String(200), unique=True),
    Column("prev_hash", String(64), nullable=False),
    Column("row_hash", String(64), nullable=False),
    # with outcome 'value': the realised option's label, or the true value
    # as repr(float) (a date as its day number)
    Column("value", Text),
    CheckConstraint("outcome IN ('yes', 'no', 'ambiguous', 'void', 'value')", name="outcome"),
)
# a report saved with ``report --save``; ``--since last`` starts after the newest
saved_reports = Table(
    "saved_reports", metadata,
    Column("id", Integer, primary_key=True),
    _when("created_at"),
    _when("period_start", True),
    _when("period_end"),
    Column("path", Text, nullable=False),
    Column("format", String(8), nullable=False),
    UniqueConstraint("path"),
)

# a team ledger's members (PostgreSQL): login role -> the name their rows carry
team_members = Table(
    "team_members", metadata,
    Column("role_name", String(63), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    _when("added_at"),
    CheckConstraint("role IN ('owner', 'member', 'viewer')", name="role"),
)
# settings shared by everyone on the ledger (key -> text value)
ledger_settings = Table(
    "ledger_settings", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


# ------------------------------------------------------------- ORM classes

ORM_NAMES = ("Base", "Claim", "ClaimTag", "ClaimEdit", "ClaimRecord", "Forecast", "Resolution", "SavedReport")
_lock = threading.Lock()

if TYPE_CHECKING:  # pragma: no cover - what the lazily built names are
    from sqlalchemy.orm import DeclarativeBase

    Base: type[DeclarativeBase]
    Claim: type
    ClaimTag: type
    ClaimEdit: type
    ClaimRecord: type
    Forecast: type
    Resolution: type
    SavedReport: type


def __getattr__(name: str):
    if name in ORM_NAMES:
        with _lock:
            if name not in globals():
                globals().update(_map_classes())
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _map_classes() -> dict[str, type]:
    """Declarative classes over the tables above (built once, on first use)."""
    from sqlalchemy.orm import DeclarativeBase, relationship

    class Base(DeclarativeBase):
        __qualname__ = "Base"
        metadata = globals()["metadata"]

    class Claim(Base):
        __qualname__ = "Claim"
        __table__ = claims
        __tablename__ = "claims"
        tags = relationship("ClaimTag", back_populates="claim", cascade="all, delete-orphan",
                            order_by=claim_tags.c.tag)

    class ClaimTag(Base):
        __qualname__ = "ClaimTag"
        __table__ = claim_tags
        __tablename__ = "claim_tags"
        claim = relationship(Claim, back_populates="tags")

    class ClaimEdit(Base):
        __qualname__ = "ClaimEdit"
        __table__ = claim_edits
        __tablename__ = "claim_edits"

    class ClaimRecord(Base):
        __qualname__ = "ClaimRecord"
        __table__ = claim_records
        __tablename__ = "claim_records"

    class Forecast(Base):
        __qualname__ = "Forecast"
        __table__ = forecasts
        __tablename__ = "forecasts"

    class Resolution(Base):
        __qualname__ = "Resolution"
        __table__ = resolutions
        __tablename__ = "resolutions"

    class SavedReport(Base):
        __qualname__ = "SavedReport"
        __table__ = saved_reports
        __tablename__ = "saved_reports"

    classes = {"Base": Base, "Claim": Claim, "ClaimTag": ClaimTag, "ClaimEdit": ClaimEdit,
               "ClaimRecord": ClaimRecord, "Forecast": Forecast, "Resolution": Resolution, "SavedReport": SavedReport}
    for cls in classes.values():
        cls.__module__ = __name__
    return classes
