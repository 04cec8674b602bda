"""attempt answers carry a server version; devices on an attempt (placeholder: filled in by the change that needs it)

Revision ID: c9e3a1b4d5f6
Revises: b8d2f0a3c4e5
Create Date: 2026-12-07 00:00:00
"""

# revision identifiers, used by Alembic.
revision = 'c9e3a1b4d5f6'
down_revision = 'b8d2f0a3c4e5'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
