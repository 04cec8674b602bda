"""last login and failed attempts a person sees (placeholder: filled in by the change that needs it)

Revision ID: b8d2f0a3c4e5
Revises: a7c1e9f2b3d4
Create Date: 2026-12-07 00:00:00
"""

# revision identifiers, used by Alembic.
revision = 'b8d2f0a3c4e5'
down_revision = 'a7c1e9f2b3d4'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
