"""claim chain: claims' creation records and their edits join the hash chain

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

Adds ``claim_records`` (each claim's defining fields as created, chained)
and ``prev_hash``/``row_hash`` on ``claim_edits``, so that ``verify`` can
replay a claim's record and edits and check the claims row, its tags and its
cached columns against them.

An existing ledger holds each claim's current fields and its edits, not its
fields as created.  This upgrade works each record out backwards from them
(a field's value at creation is the old value of its first edit) and chains
the records in claim id order, then every edit in id order.  **History
before the upgrade is vouched for only from this point on**: the upgrade
chains the ledger as it finds it, and cannot tell whether it was altered
before.  Where a field's last edit does not end at the claim's current value
(histories typed into import files by hand), one more edit, by "claimtrack
upgrade 0003", records the change, so that the replay ends at the claim as
it stands.  The cached newest forecast and current resolution of every claim
are recomputed from the chained forecasts and resolutions (they are caches,
not history).  A file ledger is backed up before any upgrade.

Forecast and resolution rows keep their hashes.  A downgrade drops the new
table and columns; the closing edits, if any, stay as plain history.
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

from claimtrack.db.types import UTCDateTime


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

BATCH = 2000
# the field tuples of this revision (claimtrack.domain.chain.CLAIM_FIELDS / EDIT_FIELDS)
CLAIM_FIELDS = ("claim_uuid", "statement", "details", "source", "source_url", "stated_at", "recorded_at",
                "resolve_by", "status", "import_key", "tags")
EDIT_FIELDS = ("claim_uuid", "field", "old_value", "new_value", "edited_at", "edited_by")


def upgrade() -> None:
    op.create_table(
        'claim_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('claim_id', sa.Integer(), nullable=False),
        sa.Column('claim_uuid', sa.String(length=36), nullable=False),
        sa.Column('statement', sa.Text(), nullable=True),
        sa.Column('details', sa.Text(), nullable=True),
        sa.Column('source', sa.Text(), nullable=True),
        sa.Column('source_url', sa.Text(), nullable=True),
        sa.Column('stated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('resolve_by', sa.DateTime(timezone=True), nullable=True),
        sa.Column('status', sa.Text(), nullable=True),
        sa.Column('import_key', sa.String(length=200), nullable=True),
        sa.Column('tags', sa.Text(), nullable=False),
        sa.Column('prev_hash', sa.String(length=64), nullable=False),
        sa.Column('row_hash', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_claim_records_claim_id_claims')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_records')),
        sa.UniqueConstraint('claim_id', name=op.f('uq_claim_records_claim_id')),
    )
    with op.batch_alter_table('claim_edits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('row_hash', sa.String(length=64), nullable=True))
    _chain_existing(op.get_bind())
    with op.batch_alter_table('claim_edits', schema=None) as batch_op:
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('row_hash', existing_type=sa.String(length=64), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('claim_edits', schema=None) as batch_op:
        batch_op.drop_column('row_hash')
        batch_op.drop_column('prev_hash')
    op.drop_table('claim_records')


# ------------------------------------------------------------------ data

def _tables():
    meta = sa.MetaData()
    claims = sa.Table(
        'claims', meta, sa.Column('id', sa.Integer, primary_key=True), sa.Column('uuid', sa.String),
        sa.Column('statement', sa.Text), sa.Column('details', sa.Text), sa.Column('source', sa.String),
        sa.Column('source_url', sa.Text), sa.Column('stated_at', UTCDateTime()),
        sa.Column('recorded_at', UTCDateTime()), sa.Column('resolve_by', UTCDateTime()),
        sa.Column('status', sa.String), sa.Column('import_key', sa.String),
    )
    tags = sa.Table('claim_tags', meta, sa.Column('claim_id', sa.Integer), sa.Column('tag', sa.String))
    edits = sa.Table(
        'claim_edits', meta, sa.Column('id', sa.Integer, primary_key=True), sa.Column('claim_id', sa.Integer),
        sa.Column('field', sa.String), sa.Column('old_value', sa.Text), sa.Column('new_value', sa.Text),
        sa.Column('edited_at', UTCDateTime()), sa.Column('edited_by', sa.String),
        sa.Column('prev_hash', sa.String), sa.Column('row_hash', sa.String),
    )
    records = sa.Table(
        'claim_records', meta, sa.Column('id', sa.Integer, primary_key=True), sa.Column('claim_id', sa.Integer),
        sa.Column('claim_uuid', sa.String), sa.Column('statement', sa.Text), sa.Column('details', sa.Text),
        sa.Column('source', sa.String), sa.Column('source_url', sa.Text), sa.Column('stated_at', UTCDateTime()),
        sa.Column('recorded_at', UTCDateTime()), sa.Column('resolve_by', UTCDateTime()),
        sa.Column('status', sa.String), sa.Column('import_key', sa.String), sa.Column('tags', sa.Text),
        sa.Column('prev_hash', sa.String), sa.Column('row_hash', sa.String),
    )
    return claims, tags, edits, records


_CACHES = """
UPDATE claims SET
  n_forecasts = (SELECT count(*) FROM forecasts f WHERE f.claim_id = claims.id),
  last_probability = (SELECT f.probability FROM forecasts f WHERE f.claim_id = claims.id
                      ORDER BY f.made_at DESC, f.id DESC LIMIT 1),
  last_forecaster = (SELECT f.forecaster FROM forecasts f WHERE f.claim_id = claims.id
                     ORDER BY f.made_at DESC, f.id DESC LIMIT 1),
  outcome = (SELECT r.outcome FROM resolutions r WHERE r.claim_id = claims.id ORDER BY r.id DESC LIMIT 1),
  resolved_at = (SELECT r.resolved_at FROM resolutions r WHERE r.claim_id = claims.id ORDER BY r.id DESC LIMIT 1)
"""


def _chain_existing(conn) -> None:
    from claimtrack.domain.chain import GENESIS, chain_hashes
    from claimtrack.domain.claim_history import creation_values, reconciling_edits, tags_text

    conn.execute(sa.text(_CACHES))
    claims, tags, edits, records = _tables()
    now = datetime.now(timezone.utc)
    prev, last_id = GENESIS, 0
    while True:
        rows = conn.execute(sa.select(claims).where(claims.c.id > last_id).order_by(claims.c.id).limit(BATCH)
                            ).mappings().all()
        if not rows:
            break
        lo, hi = rows[0]['id'], rows[-1]['id']
        tag_sets: dict[int, list[str]] = {}
        for cid, tag in conn.execute(sa.select(tags.c.claim_id, tags.c.tag).where(tags.c.claim_id.between(lo, hi))):
            tag_sets.setdefault(cid, []).append(tag)
        history: dict[int, list] = {}
        for cid, field, old, new in conn.execute(
                sa.select(edits.c.claim_id, edits.c.field, edits.c.old_value, edits.c.new_value)
                .where(edits.c.claim_id.between(lo, hi)).order_by(edits.c.id)):
            history.setdefault(cid, []).append((field, old, new))
        batch, closing = [], []
        for row in rows:
            current = {**row, 'tags': tags_text(tag_sets.get(row['id'], ()))}
            past = history.get(row['id'], [])
            record = creation_values(current, past)
            batch.append({**record, 'claim_id': row['id']})
            closing.extend({'claim_id': row['id'], 'field': field, 'old_value': old, 'new_value': new,
                            'edited_at': now, 'edited_by': 'claimtrack upgrade 0003'}
                           for field, old, new in reconciling_edits(current, past))
        for record, row_hash in zip(batch, chain_hashes(prev, CLAIM_FIELDS, batch)):
            record['prev_hash'], record['row_hash'] = prev, row_hash
            prev = row_hash
        conn.execute(records.insert(), batch)
        if closing:
            conn.execute(edits.insert(), closing)
        last_id = hi
    # every edit, the closing ones included, in id order
    prev, last_id = GENESIS, 0
    while True:
        rows = conn.execute(
            sa.select(edits.c.id, claims.c.uuid.label('claim_uuid'), edits.c.field, edits.c.old_value,
                      edits.c.new_value, edits.c.edited_at, edits.c.edited_by)
            .select_from(edits.outerjoin(claims, claims.c.id == edits.c.claim_id))
            .where(edits.c.id > last_id).order_by(edits.c.id).limit(BATCH)).mappings().all()
        if not rows:
            break
        hashes = chain_hashes(prev, EDIT_FIELDS, rows)
        links = []
        for row, row_hash in zip(rows, hashes):
            links.append({'eid': row['id'], 'p': prev, 'h': row_hash})
            prev = row_hash
        conn.execute(edits.update().where(edits.c.id == sa.bindparam('eid'))
                     .values(prev_hash=sa.bindparam('p'), row_hash=sa.bindparam('h')), links)
        last_id = rows[-1]['id']
