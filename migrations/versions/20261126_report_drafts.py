"""report drafts, their versions and report templates

Revision ID: 7a1f0c2e9b05
Revises: 7a1f0c2e9b04
Create Date: 2026-11-26 01:01:23.405418

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a1f0c2e9b05'
down_revision = '7a1f0c2e9b04'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_report_draft_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_draft')),
    sa.UniqueConstraint('unit_id', 'year', name='uq_report_draft_unit_year')
    )
    op.create_table('report_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_report_template_unit_id_org_unit')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_report_template_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_template')),
    sa.UniqueConstraint('unit_id', name=op.f('uq_report_template_unit_id'))
    )
    op.create_table('report_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_report_version_created_by_id_user')),
    sa.ForeignKeyConstraint(['draft_id'], ['report_draft.id'], name=op.f('fk_report_version_draft_id_report_draft')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_version')),
    sa.UniqueConstraint('draft_id', 'number', name='uq_report_version_draft_number')
    )
    with op.batch_alter_table('report_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_version_draft_id'), ['draft_id'], unique=False)



def downgrade():
    with op.batch_alter_table('report_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_version_draft_id'))

    op.drop_table('report_version')
    op.drop_table('report_template')
    op.drop_table('report_draft')
