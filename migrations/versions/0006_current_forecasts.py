"""current forecasts: each (claim, forecaster)'s newest forecast, stored

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

- ``current_forecasts`` (claim_id, forecaster) -> that pair's newest forecast
  by (made_at, id): its id, made_at, kind and probability.  A derived cache
  (not history, not chained, not append-only); ``verify`` checks it against
  the forecasts.  See :mod:`claimtrack.db.current`.
- Filled from the forecasts already stored, then kept by a trigger on
  ``forecasts`` INSERT (both engines), so every write path keeps it.

A downgrade drops the trigger and the table.
"""
from alembic import op
import sqlalchemy as sa

from claimtrack.db import current
from claimtrack.db.types import UTCDateTime


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'current_forecasts',
        sa.Column('claim_id', sa.Integer(), nullable=False),
        sa.Column('forecaster', sa.String(length=200), nullable=False),
        sa.Column('forecast_id', sa.Integer(), nullable=False),
        sa.Column('made_at', UTCDateTime(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('probability', sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint('claim_id', 'forecaster', name=op.f('pk_current_forecasts')),
    )
    conn = op.get_bind()
    conn.exec_driver_sql(current.BACKFILL)
    current.install(conn)


def downgrade() -> None:
    conn = op.get_bind()
    for stmt in current.drop_statements(conn.dialect.name):
        conn.exec_driver_sql(stmt)
    op.drop_table('current_forecasts')
