"""login_failure: wrong passwords counted per phone and address (or known device) and
per phone, whether or not anyone has the number; rate_counter: the rate limiter's
counters shared by every worker

Revision ID: 6f3a9d2c7b41
Revises: 4b7e1d9c2a58
Create Date: 2026-12-06 18:00:00

user.failed_logins and user.locked_until stay (unused) so a downgrade loses nothing.
On SQLite the app keeps rate_counter in a file of its own (core/ratelimit.py); the
table here is what PostgreSQL uses.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "6f3a9d2c7b41"
down_revision = "4b7e1d9c2a58"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_failure",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("phone_key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_failure")),
    )
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failure_phone_key"), ["phone_key"], unique=False)
    op.create_table(
        "rate_counter",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_counter")),
    )


def downgrade():
    op.drop_table("rate_counter")
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failure_phone_key"))
    op.drop_table("login_failure")
