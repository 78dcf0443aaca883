"""team ledgers: append-only triggers, team members, hidden forecasts

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-30

- Triggers on every table the hash chains cover refuse UPDATE and DELETE
  (and TRUNCATE on PostgreSQL); see :mod:`claimtrack.db.append_only`, which
  holds the one list of those tables and the triggers' text.
- ``team_members`` maps a PostgreSQL login role to the name its forecasts,
  resolutions and edits carry, and its role on the ledger (owner, member,
  viewer); ``claimtrack team`` fills it (see :mod:`claimtrack.db.team`).
- ``ledger_settings`` (key, value) holds settings shared by everyone on the
  ledger, such as ``hide_forecasts``; ``claims.hide_forecasts`` overrides it
  per claim (NULL: the ledger's setting).

A downgrade drops them again.
"""
from alembic import op
import sqlalchemy as sa

from claimtrack.db import append_only
from claimtrack.db.types import UTCDateTime


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'team_members',
        sa.Column('role_name', sa.String(length=63), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('added_at', UTCDateTime(), nullable=False),
        sa.CheckConstraint("role IN ('owner', 'member', 'viewer')", name=op.f('ck_team_members_role')),
        sa.PrimaryKeyConstraint('role_name', name=op.f('pk_team_members')),
        sa.UniqueConstraint('name', name=op.f('uq_team_members_name')),
    )
    op.create_table(
        'ledger_settings',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_ledger_settings')),
    )
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hide_forecasts', sa.Boolean(), nullable=True))
    append_only.install(op.get_bind())


def downgrade() -> None:
    conn = op.get_bind()
    for stmt in append_only.drop_statements(conn.dialect.name):
        conn.exec_driver_sql(stmt)
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {append_only.PG_FUNCTION}()")
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_column('hide_forecasts')
    op.drop_table('ledger_settings')
    op.drop_table('team_members')
