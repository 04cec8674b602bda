"""training_attendance.ticket and scan_id: one sign-in link signs in one person, and
sign-ins from one phone's scans can be shown together

Revision ID: 4b7e1d9c2a58
Revises: 8d4f2a6c1e37
Create Date: 2026-12-06 17:30:00

Existing rows keep NULL in both: they were signed in before links were bound.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '4b7e1d9c2a58'
down_revision = '8d4f2a6c1e37'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('training_attendance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ticket', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('scan_id', sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint('uq_training_attendance_ticket', ['ticket'])


def downgrade():
    with op.batch_alter_table('training_attendance', schema=None) as batch_op:
        batch_op.drop_constraint('uq_training_attendance_ticket', type_='unique')
        batch_op.drop_column('scan_id')
        batch_op.drop_column('ticket')
