"""question types: multiple-choice, numeric and date claims (issue 12)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

Claims (and their chained creation records) gain what the question asks
(``question_type``: binary, choice, numeric or date) and its spec
(``options`` as canonical JSON text, ``ordered``, ``unit``, ``log_scale``);
every existing claim becomes ``binary``.  ``forecasts.probability`` becomes
nullable and forecasts gain ``distribution`` (canonical JSON text: a choice
forecast's probabilities or a quantile set).  Resolutions gain ``value``
(the realised option or the true value) and the outcome checks on claims
and resolutions accept ``value``.

The hash chain covers the new fields only when they differ from their
defaults (see claimtrack.domain.chain), so every existing row keeps its hash
and ``verify`` passes after the upgrade.  The new NOT NULL columns keep
their server defaults (binary, false), so rows written by tools that do not
know them (raw inserts, older scripts) are binary claims.  SQLite gets batch mode (copy and
move); a file ledger is backed up before any upgrade.  A downgrade drops
the new columns; it fails on a ledger that holds a non-binary forecast
(a forecast without a probability), which the old schema cannot hold.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

OLD_OUTCOMES = "('yes', 'no', 'ambiguous', 'void')"
NEW_OUTCOMES = "('yes', 'no', 'ambiguous', 'void', 'value')"
QUESTION_TYPES = "question_type IN ('binary', 'choice', 'numeric', 'date')"


def _spec_columns(batch_op, text_type) -> None:
    batch_op.add_column(sa.Column('question_type', text_type, nullable=False, server_default='binary'))
    batch_op.add_column(sa.Column('options', sa.Text(), nullable=True))
    batch_op.add_column(sa.Column('ordered', sa.Boolean(), nullable=False, server_default=sa.false()))
    batch_op.add_column(sa.Column('unit', sa.String(length=200) if text_type is not sa.Text else sa.Text(),
                                  nullable=True))
    batch_op.add_column(sa.Column('log_scale', sa.Boolean(), nullable=False, server_default=sa.false()))


def upgrade() -> None:
    with op.batch_alter_table('claims', schema=None) as batch_op:
        _spec_columns(batch_op, sa.String(length=16))
        batch_op.drop_constraint(op.f('ck_claims_outcome'), type_='check')
        batch_op.create_check_constraint(op.f('ck_claims_outcome'), f"outcome IS NULL OR outcome IN {NEW_OUTCOMES}")
        batch_op.create_check_constraint(op.f('ck_claims_question_type'), QUESTION_TYPES)
    with op.batch_alter_table('claim_records', schema=None) as batch_op:
        _spec_columns(batch_op, sa.Text)
    with op.batch_alter_table('forecasts', schema=None) as batch_op:
        batch_op.alter_column('probability', existing_type=sa.Float(), nullable=True)
        batch_op.add_column(sa.Column('distribution', sa.Text(), nullable=True))
    with op.batch_alter_table('resolutions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('value', sa.Text(), nullable=True))
        batch_op.drop_constraint(op.f('ck_resolutions_outcome'), type_='check')
        batch_op.create_check_constraint(op.f('ck_resolutions_outcome'), f"outcome IN {NEW_OUTCOMES}")


def downgrade() -> None:
    with op.batch_alter_table('resolutions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_resolutions_outcome'), type_='check')
        batch_op.create_check_constraint(op.f('ck_resolutions_outcome'), f"outcome IN {OLD_OUTCOMES}")
        batch_op.drop_column('value')
    with op.batch_alter_table('forecasts', schema=None) as batch_op:
        batch_op.drop_column('distribution')
        batch_op.alter_column('probability', existing_type=sa.Float(), nullable=False)
    with op.batch_alter_table('claim_records', schema=None) as batch_op:
        for name in ('log_scale', 'unit', 'ordered', 'options', 'question_type'):
            batch_op.drop_column(name)
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_claims_question_type'), type_='check')
        batch_op.drop_constraint(op.f('ck_claims_outcome'), type_='check')
        batch_op.create_check_constraint(op.f('ck_claims_outcome'), f"outcome IS NULL OR outcome IN {OLD_OUTCOMES}")
        for name in ('log_scale', 'unit', 'ordered', 'options', 'question_type'):
            batch_op.drop_column(name)
