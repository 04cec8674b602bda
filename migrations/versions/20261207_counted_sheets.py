"""counted sheets: an imported external result sheet counted in a platform exam

Revision ID: 7c2e9a41d0b3
Revises: 9c4e2a7b1d35
Create Date: 2026-12-07 05:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c2e9a41d0b3'
down_revision = '53215477d585'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'counted_sheet',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('exam_id', sa.Integer(), nullable=False),
        sa.Column('external_exam_id', sa.Integer(), nullable=False),
        sa.Column('attached_by_id', sa.Integer(), nullable=True),
        sa.Column('attached_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['attached_by_id'], ['user.id'], name=op.f('fk_counted_sheet_attached_by_id_user')),
        sa.ForeignKeyConstraint(['exam_id'], ['exam.id'], name=op.f('fk_counted_sheet_exam_id_exam')),
        sa.ForeignKeyConstraint(['external_exam_id'], ['external_exam.id'], name=op.f('fk_counted_sheet_external_exam_id_external_exam')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_counted_sheet')),
        sa.UniqueConstraint('exam_id', 'external_exam_id', name='uq_counted_sheet_exam_sheet'),
    )
    with op.batch_alter_table('counted_sheet', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_counted_sheet_exam_id'), ['exam_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_counted_sheet_external_exam_id'), ['external_exam_id'], unique=False)


def downgrade():
    with op.batch_alter_table('counted_sheet', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_counted_sheet_external_exam_id'))
        batch_op.drop_index(batch_op.f('ix_counted_sheet_exam_id'))
    op.drop_table('counted_sheet')
