"""audit_log hash chain (placeholder: filled in by the change that needs it)

Revision ID: a7c1e9f2b3d4
Revises: 6f3a9d2c7b41
Create Date: 2026-12-07 00:00:00
"""

# revision identifiers, used by Alembic.
revision = 'a7c1e9f2b3d4'
down_revision = '6f3a9d2c7b41'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
