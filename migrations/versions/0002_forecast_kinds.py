"""forecast kinds: whose judgement a forecast is (own, stated, implied, asserted, crowd)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

Existing forecasts become ``own``.  The hash chain covers the new columns
only when they differ from their defaults (see claimtrack.domain.chain), so
every existing row keeps its hash and ``verify`` passes after the upgrade.
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('forecasts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=False, server_default='own'))
        batch_op.add_column(sa.Column('basis', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('recorded_by', sa.String(length=200), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_forecasts_kind'), "kind IN ('own', 'stated', 'implied', 'asserted', 'crowd')")
    # the models give the default in Python, as for every other column
    with op.batch_alter_table('forecasts', schema=None) as batch_op:
        batch_op.alter_column('kind', server_default=None, existing_type=sa.String(length=16),
                              existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('forecasts', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_forecasts_kind'), type_='check')
        batch_op.drop_column('recorded_by')
        batch_op.drop_column('basis')
        batch_op.drop_column('kind')
