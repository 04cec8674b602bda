"""pending_import.user_id nullable: the system stages uploads too

Revision ID: 5e2b8c4d9a61
Revises: 3c9e5d1a7f20
Create Date: 2026-12-06 17:00:00

The demo data is loaded through the same plan → stage → confirm path as the web
forms, by the system actor, which has no user: its staged uploads have no user_id.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '5e2b8c4d9a61'
down_revision = '3c9e5d1a7f20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pending_import', schema=None) as batch_op:
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute(sa.text('DELETE FROM pending_import WHERE user_id IS NULL'))
    with op.batch_alter_table('pending_import', schema=None) as batch_op:
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)
