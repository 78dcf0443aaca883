"""The ledger's tables.

Forecasts and resolutions are append-only: no code path updates or deletes
them.  Each carries ``prev_hash``/``row_hash`` so that rewriting history with
raw SQL is detectable (see :mod:`claimtrack.domain.chain`).  The claim row
holds the *current* statement, tags and a cache of its newest forecast and
resolution; every change to a claim's own fields is logged in ``claim_edits``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from claimtrack.db.types import UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Claim(Base):
    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    statement: Mapped[str] = mapped_column(Text)
    details: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(200))
    source_url: Mapped[str | None] = mapped_column(Text)
    stated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolve_by: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="active")
    import_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # cache of the newest forecast / current resolution, kept in the same
    # transaction as the append that changes them
    last_probability: Mapped[float | None] = mapped_column(Float)
    last_forecaster: Mapped[str | None] = mapped_column(String(200))
    n_forecasts: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(16))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    tags: Mapped[list[ClaimTag]] = relationship(
        back_populates="claim", cascade="all, delete-orphan", order_by="ClaimTag.tag"
    )

    __table_args__ = (
        CheckConstraint("status IN ('active', 'draft', 'rejected')", name="status"),
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('yes', 'no', 'ambiguous', 'void')",
            name="outcome",
        ),
        Index("ix_claims_status_outcome_resolve_by", "status", "outcome", "resolve_by"),
        Index("ix_claims_resolved_at", "resolved_at"),
        Index("ix_claims_source", "source"),
    )


class ClaimTag(Base):
    __tablename__ = "claim_tags"

    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(100), primary_key=True)

    claim: Mapped[Claim] = relationship(back_populates="tags")

    __table_args__ = (Index("ix_claim_tags_tag", "tag"),)


class ClaimEdit(Base):
    """History of changes to a claim's own fields (append-only)."""

    __tablename__ = "claim_edits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime())
    edited_by: Mapped[str | None] = mapped_column(String(200))


class Forecast(Base):
    __tablename__ = "forecasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"))
    forecaster: Mapped[str] = mapped_column(String(200))
    probability: Mapped[float] = mapped_column(Float)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    rationale: Mapped[str | None] = mapped_column(Text)
    backfilled: Mapped[bool] = mapped_column(Boolean, default=False)
    after_resolution: Mapped[bool] = mapped_column(Boolean, default=False)
    import_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        CheckConstraint("probability >= 0 AND probability <= 1", name="probability"),
        Index("ix_forecasts_claim_id_forecaster_made_at", "claim_id", "forecaster", "made_at"),
        Index("ix_forecasts_forecaster", "forecaster"),
    )


class Resolution(Base):
    __tablename__ = "resolutions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    resolved_at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)
    evidence_url: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    import_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        CheckConstraint("outcome IN ('yes', 'no', 'ambiguous', 'void')", name="outcome"),
    )


class SavedReport(Base):
    """A report saved with ``report --save``; ``--since last`` starts after the newest."""

    __tablename__ = "saved_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    period_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    period_end: Mapped[datetime] = mapped_column(UTCDateTime())
    path: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(8))

    __table_args__ = (UniqueConstraint("path"),)
