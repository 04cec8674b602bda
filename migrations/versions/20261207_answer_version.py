"""attempt_question.seq becomes version (the server's count of changes, which each
save names as its base); attempt_login records every login that opens an attempt

Revision ID: c9e3a1b4d5f6
Revises: b8d2f0a3c4e5
Create Date: 2026-12-07 00:00:00

The saved client sequence numbers only ever grew per answer, so they serve as the
starting versions as they are.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c9e3a1b4d5f6'
down_revision = 'b8d2f0a3c4e5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attempt_question', schema=None) as batch_op:
        batch_op.alter_column('seq', new_column_name='version')
    op.create_table(
        'attempt_login',
        sa.Column('attempt_id', sa.Integer(), nullable=False),
        sa.Column('login_id', sa.Integer(), nullable=False),
        sa.Column('first_seen_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['attempt_id'], ['attempt.id'], name=op.f('fk_attempt_login_attempt_id_attempt')),
        sa.ForeignKeyConstraint(['login_id'], ['login_session.id'], name=op.f('fk_attempt_login_login_id_login_session')),
        sa.PrimaryKeyConstraint('attempt_id', 'login_id', name=op.f('pk_attempt_login')),
    )


def downgrade():
    op.drop_table('attempt_login')
    with op.batch_alter_table('attempt_question', schema=None) as batch_op:
        batch_op.alter_column('version', new_column_name='seq')
