"""last login and failed attempts a person sees

Revision ID: b8d2f0a3c4e5
Revises: a7c1e9f2b3d4
Create Date: 2026-12-07 00:00:00

user.last_login_at / last_login_device: the last successful login (user.failed_logins,
long unused, now counts the failed attempts since). login_session.previous_login_at /
previous_device / failures_before: what that login told the person. Existing people
start with no last login: their next login says it is the first one recorded.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b8d2f0a3c4e5'
down_revision = 'a7c1e9f2b3d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_login_at', sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column('last_login_device', sa.String(length=16), server_default='', nullable=False)
        )
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_login_at', sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column('previous_device', sa.String(length=16), server_default='', nullable=False)
        )
        batch_op.add_column(
            sa.Column('failures_before', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_column('failures_before')
        batch_op.drop_column('previous_device')
        batch_op.drop_column('previous_login_at')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('last_login_device')
        batch_op.drop_column('last_login_at')
