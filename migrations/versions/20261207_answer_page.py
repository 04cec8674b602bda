"""attempt_question.page_key and page_n: the page (a random id per page load) and its
count of saves that wrote the answer kept, so that an earlier save of the same page,
delivered late, never replaces it

Revision ID: d1f4b2c6e7a8
Revises: c9e3a1b4d5f6
Create Date: 2026-12-07 00:00:00

Existing answers have neither: the next save of any page orders them as before.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd1f4b2c6e7a8'
down_revision = 'c9e3a1b4d5f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attempt_question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('page_key', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('page_n', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('attempt_question', schema=None) as batch_op:
        batch_op.drop_column('page_n')
        batch_op.drop_column('page_key')
