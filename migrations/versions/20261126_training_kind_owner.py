"""training kinds belong to the unit that added them

Revision ID: 7a1f0c2e9b10
Revises: 7a1f0c2e9b08
Create Date: 2026-11-26 04:00:00

Kinds added before this were visible to every town; they stay shared (no owner), like
the built-in ones, and only the built-in ones carry a code.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a1f0c2e9b10'
down_revision = '7a1f0c2e9b08'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('training_kind', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_unit_id', sa.Integer(), nullable=True))
        batch_op.drop_constraint('uq_training_kind_name', type_='unique')
        batch_op.create_unique_constraint(
            'uq_training_kind_owner_name', ['owner_unit_id', 'name'])
        batch_op.create_index(
            batch_op.f('ix_training_kind_owner_unit_id'), ['owner_unit_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_training_kind_owner_unit_id_org_unit'), 'org_unit',
            ['owner_unit_id'], ['id'])


def downgrade():
    with op.batch_alter_table('training_kind', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_training_kind_owner_unit_id_org_unit'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_training_kind_owner_unit_id'))
        batch_op.drop_constraint('uq_training_kind_owner_name', type_='unique')
        batch_op.create_unique_constraint('uq_training_kind_name', ['name'])
        batch_op.drop_column('owner_unit_id')
