"""audit_log hash chain: prev_hash and row_hash on each row, the chain's head table,
and the rows already there chained in id order (so ``flask audit verify`` passes).

Revision ID: a7c1e9f2b3d4
Revises: 6f3a9d2c7b41
Create Date: 2026-12-07 00:00:00
"""

import hashlib
import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7c1e9f2b3d4'
down_revision = '6f3a9d2c7b41'
branch_labels = None
depends_on = None

GENESIS = "0" * 64
BATCH = 2000


def _row_digest(row, prev_hash: str) -> str:
    """A frozen copy of core.audit_chain.row_digest at this revision."""
    content = [
        row.id,
        row.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        row.actor_id,
        row.action,
        row.object_type,
        row.object_id,
        row.result,
        row.address,
        row.detail,
        prev_hash,
    ]
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def upgrade():
    head = op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=True),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("anchor_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.add_column(
            sa.Column("prev_hash", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("row_hash", sa.String(length=64), server_default="", nullable=False)
        )

    bind = op.get_bind()
    log = sa.table(
        "audit_log",
        sa.column("id", sa.Integer),
        sa.column("at", sa.DateTime),
        sa.column("actor_id", sa.Integer),
        sa.column("address", sa.String),
        sa.column("action", sa.String),
        sa.column("object_type", sa.String),
        sa.column("object_id", sa.Integer),
        sa.column("result", sa.String),
        sa.column("detail", sa.Text),
        sa.column("prev_hash", sa.String),
        sa.column("row_hash", sa.String),
    )
    update = (
        sa.update(log)
        .where(log.c.id == sa.bindparam("b_id"))
        .values(prev_hash=sa.bindparam("b_prev"), row_hash=sa.bindparam("b_hash"))
    )
    prev, last_id, after = GENESIS, None, 0
    while True:  # in batches by id: an old district's log may hold millions of rows
        rows = bind.execute(
            sa.select(log).where(log.c.id > after).order_by(log.c.id).limit(BATCH)
        ).all()
        if not rows:
            break
        params = []
        for row in rows:
            digest = _row_digest(row, prev)
            params.append({"b_id": row.id, "b_prev": prev, "b_hash": digest})
            prev, last_id = digest, row.id
        bind.execute(update, params)
        after = rows[-1].id
    op.bulk_insert(
        head, [{"id": 1, "last_id": last_id, "last_hash": prev, "anchor_hash": GENESIS}]
    )


def downgrade():
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.drop_column("row_hash")
        batch_op.drop_column("prev_hash")
    op.drop_table("audit_chain_head")
