"""initial ledger schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-27 19:28:06.708540
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('details', sa.Text(), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=True),
    sa.Column('source_url', sa.Text(), nullable=True),
    sa.Column('stated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolve_by', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('import_key', sa.String(length=200), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('last_probability', sa.Float(), nullable=True),
    sa.Column('last_forecaster', sa.String(length=200), nullable=True),
    sa.Column('n_forecasts', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('yes', 'no', 'ambiguous', 'void')", name=op.f('ck_claims_outcome')),
    sa.CheckConstraint("status IN ('active', 'draft', 'rejected')", name=op.f('ck_claims_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claims')),
    sa.UniqueConstraint('import_key', name=op.f('uq_claims_import_key')),
    sa.UniqueConstraint('uuid', name=op.f('uq_claims_uuid'))
    )
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.create_index('ix_claims_resolved_at', ['resolved_at'], unique=False)
        batch_op.create_index('ix_claims_source', ['source'], unique=False)
        batch_op.create_index('ix_claims_status_outcome_resolve_by', ['status', 'outcome', 'resolve_by'], unique=False)

    op.create_table('saved_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('period_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('period_end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_reports')),
    sa.UniqueConstraint('path', name=op.f('uq_saved_reports_path'))
    )
    op.create_table('claim_edits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=32), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('edited_by', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_claim_edits_claim_id_claims')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_edits'))
    )
    with op.batch_alter_table('claim_edits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_edits_claim_id'), ['claim_id'], unique=False)

    op.create_table('claim_tags',
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_claim_tags_claim_id_claims'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('claim_id', 'tag', name=op.f('pk_claim_tags'))
    )
    with op.batch_alter_table('claim_tags', schema=None) as batch_op:
        batch_op.create_index('ix_claim_tags_tag', ['tag'], unique=False)

    op.create_table('forecasts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('forecaster', sa.String(length=200), nullable=False),
    sa.Column('probability', sa.Float(), nullable=False),
    sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=True),
    sa.Column('backfilled', sa.Boolean(), nullable=False),
    sa.Column('after_resolution', sa.Boolean(), nullable=False),
    sa.Column('import_key', sa.String(length=200), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('row_hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint('probability >= 0 AND probability <= 1', name=op.f('ck_forecasts_probability')),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_forecasts_claim_id_claims')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forecasts')),
    sa.UniqueConstraint('import_key', name=op.f('uq_forecasts_import_key')),
    sa.UniqueConstraint('uuid', name=op.f('uq_forecasts_uuid'))
    )
    with op.batch_alter_table('forecasts', schema=None) as batch_op:
        batch_op.create_index('ix_forecasts_claim_id_forecaster_made_at', ['claim_id', 'forecaster', 'made_at'], unique=False)
        batch_op.create_index('ix_forecasts_forecaster', ['forecaster'], unique=False)

    op.create_table('resolutions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('evidence_url', sa.Text(), nullable=True),
    sa.Column('resolved_by', sa.String(length=200), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('import_key', sa.String(length=200), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('row_hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint("outcome IN ('yes', 'no', 'ambiguous', 'void')", name=op.f('ck_resolutions_outcome')),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_resolutions_claim_id_claims')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resolutions')),
    sa.UniqueConstraint('import_key', name=op.f('uq_resolutions_import_key')),
    sa.UniqueConstraint('uuid', name=op.f('uq_resolutions_uuid'))
    )
    with op.batch_alter_table('resolutions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resolutions_claim_id'), ['claim_id'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('resolutions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resolutions_claim_id'))

    op.drop_table('resolutions')
    with op.batch_alter_table('forecasts', schema=None) as batch_op:
        batch_op.drop_index('ix_forecasts_forecaster')
        batch_op.drop_index('ix_forecasts_claim_id_forecaster_made_at')

    op.drop_table('forecasts')
    with op.batch_alter_table('claim_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_claim_tags_tag')

    op.drop_table('claim_tags')
    with op.batch_alter_table('claim_edits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_edits_claim_id'))

    op.drop_table('claim_edits')
    op.drop_table('saved_reports')
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index('ix_claims_status_outcome_resolve_by')
        batch_op.drop_index('ix_claims_source')
        batch_op.drop_index('ix_claims_resolved_at')

    op.drop_table('claims')
    
