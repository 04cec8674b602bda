"""year close

Revision ID: 9c4e2a7b1d35
Revises: 76a1dbccec28
Create Date: 2026-12-07 05:20:00

year_close: a unit's closed year (年度关账) — the figures frozen at the close (JSON) and
the report version kept as the year's record; reopening (an audited correction) sets
reopened_at/by/reason and keeps the row; one standing close per unit and year.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9c4e2a7b1d35'
down_revision = '76a1dbccec28'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('year_close',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('report_version_id', sa.Integer(), nullable=True),
    sa.Column('report_version_number', sa.Integer(), nullable=True),
    sa.Column('reopened_at', sa.DateTime(), nullable=True),
    sa.Column('reopened_by_id', sa.Integer(), nullable=True),
    sa.Column('reopen_reason', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user.id'], name=op.f('fk_year_close_closed_by_id_user')),
    sa.ForeignKeyConstraint(['reopened_by_id'], ['user.id'], name=op.f('fk_year_close_reopened_by_id_user')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_year_close_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_year_close'))
    )
    with op.batch_alter_table('year_close', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_year_close_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_year_close_year'), ['year'], unique=False)
        batch_op.create_index('uq_year_close_standing', ['unit_id', 'year'], unique=True, postgresql_where=sa.text('reopened_at IS NULL'), sqlite_where=sa.text('reopened_at IS NULL'))


def downgrade():
    with op.batch_alter_table('year_close', schema=None) as batch_op:
        batch_op.drop_index('uq_year_close_standing', postgresql_where=sa.text('reopened_at IS NULL'), sqlite_where=sa.text('reopened_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_year_close_year'))
        batch_op.drop_index(batch_op.f('ix_year_close_unit_id'))
    op.drop_table('year_close')
