"""reminders: the log of 催办 an admin sent (what, unit, who was listed, by whom, when)

Revision ID: 4d8b1f6e2a90
Revises: 8cb21b032537
Create Date: 2026-12-07 06:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4d8b1f6e2a90'
down_revision = '8cb21b032537'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reminder',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=True),
        sa.Column('people', sa.JSON(), nullable=False),
        sa.Column('people_count', sa.Integer(), nullable=False),
        sa.Column('sent_by_id', sa.Integer(), nullable=True),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['sent_by_id'], ['user.id'], name=op.f('fk_reminder_sent_by_id_user')),
        sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_reminder_unit_id_org_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder')),
    )
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.create_index('ix_reminder_object', ['kind', 'object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_unit_id'), ['unit_id'], unique=False)


def downgrade():
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_unit_id'))
        batch_op.drop_index('ix_reminder_object')
    op.drop_table('reminder')
